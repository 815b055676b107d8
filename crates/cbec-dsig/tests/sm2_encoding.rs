//! SM2 signature encodings: raw `r || s` and DER round-trip, DER is strict,
//! and our DER equals the stock `sm2` crate's.

#![allow(clippy::unwrap_used)]

use cbec_dsig::sm2::Signature;
use proptest::prelude::*;

/// Components with many leading zero bytes or high bits, which exercise the
/// DER padding rules, as well as uniform ones.
fn component() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        any::<[u8; 32]>(),
        (any::<[u8; 32]>(), 0usize..=32).prop_map(|(mut v, zeros)| {
            v[..zeros].fill(0);
            v
        }),
        (any::<[u8; 32]>(), 0usize..32).prop_map(|(mut v, at)| {
            v[..at].fill(0);
            v[at] |= 0x80;
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn raw_round_trips(r in component(), s in component()) {
        let sig = Signature::new(r, s);
        let raw = sig.to_raw();
        prop_assert_eq!(Signature::from_raw(&raw).unwrap(), sig);
        prop_assert_eq!(&raw[..32], &r[..]);
        prop_assert_eq!(&raw[32..], &s[..]);
    }

    #[test]
    fn der_round_trips(r in component(), s in component()) {
        let sig = Signature::new(r, s);
        let der = sig.to_der();
        prop_assert!(der.len() <= 72 && der.len() >= 8);
        prop_assert_eq!(Signature::from_der(&der).unwrap(), sig);
        prop_assert_eq!(Signature::parse(&der).unwrap(), sig);
        // Not accepted as raw unless exactly 64 bytes long.
        prop_assert_eq!(Signature::from_raw(&der).is_ok(), der.len() == 64);
    }

    #[test]
    fn parse_takes_raw_when_it_is_not_der(r in component(), s in component()) {
        let sig = Signature::new(r, s);
        let raw = sig.to_raw();
        if Signature::from_der(&raw).is_err() {
            prop_assert_eq!(Signature::parse(&raw).unwrap(), sig);
        }
    }

    #[test]
    fn der_matches_the_stock_encoding(r in component(), s in component()) {
        // The stock type holds only r, s in [1, n-1].
        if let Ok(stock) = sm2::dsa::Signature::from_slice(&Signature::new(r, s).to_raw()) {
            let ours = Signature::new(r, s).to_der();
            let stock_der = stock.to_der();
            prop_assert_eq!(stock_der.as_bytes(), &ours[..]);
            let back = sm2::dsa::Signature::from_der(&ours).unwrap();
            prop_assert_eq!(back, stock);
        }
    }

    #[test]
    fn truncated_or_extended_der_is_rejected(r in component(), s in component(), cut in 1usize..8, extra in any::<u8>()) {
        let der = Signature::new(r, s).to_der();
        prop_assert!(Signature::from_der(&der[..der.len() - cut.min(der.len())]).is_err());
        let mut longer = der.clone();
        longer.push(extra);
        prop_assert!(Signature::from_der(&longer).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        let _ = Signature::parse(&bytes);
        if let Ok(sig) = Signature::from_der(&bytes) {
            // Whatever strict DER accepts re-encodes to the same bytes.
            prop_assert_eq!(sig.to_der(), bytes);
        }
    }
}

#[test]
fn non_canonical_der_is_rejected() {
    let one_two = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
    let sig = Signature::from_der(&one_two).unwrap();
    assert_eq!(sig.r()[31], 1);
    assert_eq!(sig.s()[31], 2);
    assert_eq!(sig.to_der(), one_two);
    let bad: &[&[u8]] = &[
        &[0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x02], // r padded with a needless zero
        &[0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x02],       // r negative
        &[0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02], // long-form length
        &[0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02],       // SET, not SEQUENCE
        &[0x30, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x02],       // OCTET STRING
        &[0x30, 0x05, 0x02, 0x00, 0x02, 0x01, 0x02],             // empty INTEGER
        &[0x30, 0x09, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02, 0x05, 0x00, 0x00], // trailing NULL
        &[],
    ];
    for b in bad {
        assert!(Signature::from_der(b).is_err(), "{b:02x?}");
    }
    // A 33-byte magnitude does not fit.
    let mut big = vec![0x30, 0x27, 0x02, 0x22, 0x01];
    big.extend_from_slice(&[0u8; 33]);
    big.extend_from_slice(&[0x02, 0x01, 0x01]);
    assert!(Signature::from_der(&big).is_err());
    // Raw needs exactly 64 bytes.
    assert!(Signature::from_raw(&[0u8; 63]).is_err());
    assert!(Signature::from_raw(&[0u8; 65]).is_err());
    assert!(Signature::parse(&[0u8; 65]).is_err());
}
