//! Differential tests of [`PreparedKey`] against the stock RustCrypto `sm2`
//! verifier: random keys and messages from a seeded RNG, signed by the
//! stock signer (through [`SigningKey`]), then verified as they are and
//! after tampering. Every verdict must equal the stock verifier's, and the
//! expected one.

#![allow(clippy::unwrap_used)]

use cbec_dsig::sm2::{DEFAULT_ID, DEFAULT_WINDOW, PreparedKey, Signature, SigningKey, WINDOW_RANGE};
use rand::rngs::StdRng;
use rand::{Rng, RngExt as _, SeedableRng};
use sm2::dsa::signature::Verifier as _;

/// Keys in all; split into shards that the test harness runs in parallel.
const KEYS: usize = 2_000;
const SHARDS: usize = 4;
const N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x72, 0x03, 0xDF,
    0x6B, 0x21, 0xC6, 0x05, 0x2B, 0x53, 0xBB, 0xF4, 0x09, 0x39, 0xD5, 0x41, 0x23,
];

struct Case {
    stock: sm2::dsa::VerifyingKey,
    prepared: PreparedKey,
}

fn stock_verdict(key: &sm2::dsa::VerifyingKey, msg: &[u8], sig: &Signature) -> bool {
    match sm2::dsa::Signature::from_slice(&sig.to_raw()) {
        Ok(s) => key.verify(msg, &s).is_ok(),
        Err(_) => false,
    }
}

/// Checks one verdict: ours equals the stock verifier's and the expected one.
fn check(case: &Case, msg: &[u8], sig: &Signature, expected: bool, what: &str, counts: &mut [usize; 2]) {
    let stock = stock_verdict(&case.stock, msg, sig);
    let ours = case.prepared.verify(msg, sig);
    assert_eq!(ours, stock, "{what}: PreparedKey says {ours}, stock says {stock} (sig {sig:?})");
    assert_eq!(ours, expected, "{what}: expected {expected}");
    counts[usize::from(ours)] += 1;
}

/// `n - x` for a big-endian 256-bit `x ≤ n`.
fn n_minus(x: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(N[i]) - i16::from(x[i]) - borrow;
        borrow = i16::from(d < 0);
        out[i] = (d + if d < 0 { 256 } else { 0 }) as u8;
    }
    out
}

/// A window width for key `i`: mostly the small (cheap to build in debug
/// builds) ones, the default every 16th key, every width now and then.
fn window_for(i: usize) -> u32 {
    let all: Vec<u32> = WINDOW_RANGE.collect();
    match i % 16 {
        0 => DEFAULT_WINDOW,
        1 => all[(i / 16) % all.len()],
        k => [2, 3, 4, 5][k % 4],
    }
}

/// Keys `shard · KEYS / SHARDS ..` of the differential test, each from its
/// own seed; returns the (rejected, accepted) verdict counts.
fn differential_shard(shard: usize) -> [usize; 2] {
    let per = KEYS / SHARDS;
    let mut counts = [0usize; 2];
    let mut previous: Option<Case> = None;
    for i in shard * per..(shard + 1) * per {
        let mut rng = StdRng::seed_from_u64(0x0051_3200_0000 + i as u64);
        let key = SigningKey::generate(&mut rng).expect("key");
        let sec1 = key.verifying_key_sec1();
        let case = Case {
            stock: sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", &sec1).expect("stock key"),
            prepared: PreparedKey::from_sec1_with(&sec1, DEFAULT_ID, window_for(i)).expect("prepared key"),
        };
        let len = rng.random_range(0..300usize);
        let mut msg = vec![0u8; len];
        rng.fill_bytes(&mut msg);
        let sig = key.sign(&msg).expect("sign");

        check(&case, &msg, &sig, true, &format!("key {i}: genuine"), &mut counts);

        // A flipped message bit.
        let mut bad = msg.clone();
        if bad.is_empty() {
            bad.push(0);
        } else {
            let bit = rng.random_range(0..bad.len() * 8);
            bad[bit / 8] ^= 1 << (bit % 8);
        }
        check(&case, &bad, &sig, false, &format!("key {i}: flipped message bit"), &mut counts);

        // A flipped bit of r, then of s.
        let mut raw = sig.to_raw();
        let bit = rng.random_range(0..256);
        raw[bit / 8] ^= 1 << (bit % 8);
        check(
            &case,
            &msg,
            &Signature::from_raw(&raw).expect("raw"),
            false,
            &format!("key {i}: flipped r bit"),
            &mut counts,
        );
        let mut raw = sig.to_raw();
        let bit = rng.random_range(256..512);
        raw[bit / 8] ^= 1 << (bit % 8);
        check(
            &case,
            &msg,
            &Signature::from_raw(&raw).expect("raw"),
            false,
            &format!("key {i}: flipped s bit"),
            &mut counts,
        );

        // Out-of-range components.
        check(&case, &msg, &Signature::new(*sig.r(), [0; 32]), false, &format!("key {i}: s = 0"), &mut counts);
        check(&case, &msg, &Signature::new([0; 32], *sig.s()), false, &format!("key {i}: r = 0"), &mut counts);
        check(&case, &msg, &Signature::new(N, *sig.s()), false, &format!("key {i}: r = n"), &mut counts);
        check(&case, &msg, &Signature::new(*sig.r(), N), false, &format!("key {i}: s = n"), &mut counts);
        // r + s = n, so t = 0.
        check(
            &case,
            &msg,
            &Signature::new(*sig.r(), n_minus(sig.r())),
            false,
            &format!("key {i}: r + s = n"),
            &mut counts,
        );
        if i % 8 == 0 {
            check(
                &case,
                &msg,
                &Signature::new([0xFF; 32], *sig.s()),
                false,
                &format!("key {i}: r = 2^256 - 1"),
                &mut counts,
            );
            let mut garbage = [0u8; 64];
            rng.fill_bytes(&mut garbage);
            check(
                &case,
                &msg,
                &Signature::from_raw(&garbage).expect("raw"),
                false,
                &format!("key {i}: random"),
                &mut counts,
            );
        }

        // The wrong key: the previous key must reject this signature.
        if let Some(prev) = &previous {
            check(prev, &msg, &sig, false, &format!("key {i}: signature checked with key {}", i - 1), &mut counts);
        }
        previous = Some(case);
    }
    assert_eq!(counts[1], per, "accepted exactly the genuine signatures");
    eprintln!("shard {shard}: {} verdicts, {} accepted, {} rejected", counts[0] + counts[1], counts[1], counts[0]);
    counts
}

#[test]
fn differential_keys_0_to_499() {
    differential_shard(0);
}

#[test]
fn differential_keys_500_to_999() {
    differential_shard(1);
}

#[test]
fn differential_keys_1000_to_1499() {
    differential_shard(2);
}

#[test]
fn differential_keys_1500_to_1999() {
    differential_shard(3);
}

#[test]
fn every_window_width_verifies_the_same_signatures() {
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..4 {
        let key = SigningKey::generate(&mut rng).expect("key");
        let sec1 = key.verifying_key_sec1();
        let msg = b"<ds:SignedInfo>window test</ds:SignedInfo>";
        let sig = key.sign(msg).expect("sign");
        let mut bad = sig.to_raw();
        bad[40] ^= 4;
        let bad = Signature::from_raw(&bad).expect("raw");
        for w in WINDOW_RANGE {
            let k = PreparedKey::from_sec1_with(&sec1, DEFAULT_ID, w).expect("prepared");
            assert_eq!(k.window(), w);
            assert!(k.verify(msg, &sig), "window {w}");
            assert!(!k.verify(msg, &bad), "window {w}");
            let expected = (257usize).div_ceil(w as usize) << (w - 1);
            assert!(k.memory_bytes() >= expected * 64, "window {w}: {} bytes", k.memory_bytes());
        }
    }
    for w in [0u32, 1, 11, 32] {
        assert!(PreparedKey::from_sec1_with(&[4; 65], DEFAULT_ID, w).is_err());
    }
}

#[test]
fn signing_key_round_trips_and_other_ids_are_respected() {
    let mut rng = StdRng::seed_from_u64(11);
    let key = SigningKey::generate(&mut rng).expect("key");
    let der = key.to_pkcs8_der().expect("pkcs8");
    let again = SigningKey::from_pkcs8_der(&der).expect("from pkcs8");
    assert_eq!(again.verifying_key_sec1(), key.verifying_key_sec1());
    assert!(SigningKey::from_pkcs8_der(&der[..der.len() - 1]).is_err());
    assert!(SigningKey::from_bytes(&[0u8; 32]).is_err());
    assert!(SigningKey::from_bytes(&N).is_err());

    let prepared = key.prepared_key().expect("prepared");
    let msg = b"hello";
    let sig = key.sign(msg).expect("sign");
    assert!(prepared.verify(msg, &sig));
    assert_eq!(key.sign(msg).expect("sign"), sig, "deterministic RFC 6979 nonce");
    let hedged = key.sign_with_rng(&mut rng, msg).expect("sign");
    assert_ne!(hedged, sig);
    assert!(prepared.verify(msg, &hedged));

    // Another distinguishing ID changes Z, so the signature no longer verifies.
    let other = PreparedKey::from_sec1_with(&key.verifying_key_sec1(), b"ALICE123@YAHOO.COM", 4).expect("prepared");
    assert_ne!(other.z(), prepared.z());
    assert!(!other.verify(msg, &sig));
    let stock = sm2::dsa::SigningKey::from_slice("ALICE123@YAHOO.COM", &rng.random::<[u8; 32]>()).expect("stock");
    let stock_sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::sign(&stock, msg);
    let sec1 = sm2::PublicKey::from(stock.verifying_key()).to_sec1_bytes();
    let alice = PreparedKey::from_sec1_with(&sec1, b"ALICE123@YAHOO.COM", 6).expect("prepared");
    assert!(alice.verify(msg, &Signature::from_raw(&stock_sig.to_bytes()).expect("raw")));

    // Malformed public keys.
    assert!(PreparedKey::from_sec1(&[]).is_err());
    assert!(PreparedKey::from_sec1(&[0u8; 65]).is_err());
    let mut off_curve = key.verifying_key_sec1();
    off_curve[64] ^= 1;
    assert!(PreparedKey::from_sec1(&off_curve).is_err());
    assert!(PreparedKey::from_sec1(&key.verifying_key_sec1()[..64]).is_err());
}

#[test]
fn digest_interface_matches_the_stock_prehash_verifier() {
    use sm2::dsa::signature::hazmat::PrehashVerifier as _;
    let mut rng = StdRng::seed_from_u64(13);
    let key = SigningKey::generate(&mut rng).expect("key");
    let sec1 = key.verifying_key_sec1();
    let stock = sm2::dsa::VerifyingKey::from_sec1_bytes("1234567812345678", &sec1).expect("stock");
    let prepared = PreparedKey::from_sec1_with(&sec1, DEFAULT_ID, 4).expect("prepared");
    let msg = b"digest";
    let sig = key.sign(msg).expect("sign");
    let stock_sig = sm2::dsa::Signature::from_slice(&sig.to_raw()).expect("stock sig");
    // Digests at and above n (reduced mod n by both) and random ones.
    let mut digests = vec![[0xFFu8; 32], N, [0u8; 32]];
    for _ in 0..50 {
        digests.push(rng.random());
    }
    for e in &digests {
        assert_eq!(prepared.verify_digest(e, &sig), stock.verify_prehash(e, &stock_sig).is_ok());
    }
    use sm3::Digest as _;
    let mut h = sm3::Sm3::new();
    h.update(prepared.z());
    h.update(msg);
    let e: [u8; 32] = h.finalize().into();
    assert!(prepared.verify_digest(&e, &sig));
    assert!(stock.verify_prehash(&e, &stock_sig).is_ok());
}
