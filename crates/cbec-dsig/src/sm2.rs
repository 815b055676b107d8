//! SM2 signatures with SM3 ("SM3withSM2", GB/T 32918.2), as China E-Port
//! UKeys produce them under `ds:SignatureValue` (domain README §3.7).
//!
//! Verification dominates the cost of accepting a signed CEB message, and it
//! only ever handles public data, so it may run in variable time. Enterprise
//! keys live for years, which is what [`PreparedKey`] exploits: it is built
//! once per certificate and holds a fixed-base table of affine multiples of
//! the public key, while a static table covers the generator. A verification
//! `[s]G + [t]P` is then about `33 + 43` mixed additions and no doublings,
//! instead of the ≈ 256 doublings plus additions of a double-scalar ladder.
//!
//! Signing is left to the stock RustCrypto `sm2` signer ([`SigningKey`] wraps
//! it), which is constant-time and derives its nonce per RFC 6979.
//!
//! # Design
//!
//! - Field arithmetic is our own Montgomery code for the SM2 prime (≈ 1.7×
//!   faster than the `sm2` crate's generic fiat-crypto field, against which
//!   it is differentially tested); the point arithmetic is variable-time:
//!   Jacobian coordinates, `a = -3` doubling (3M+5S) and mixed
//!   Jacobian+affine addition (8M+3S), with the exceptional cases
//!   (infinity, `P = ±Q`) handled by branching.
//! - A table with window width `w` holds, for each of `⌈257 / w⌉` windows
//!   `i`, the affine points `j · 2^(w·i) · P` for `j = 1 ..= 2^(w-1)`.
//!   Scalars are recoded into signed digits in `[-2^(w-1), 2^(w-1)]`, so a
//!   negative digit costs a field negation of `y` only. The per-key
//!   default `w = 6` gives 43 windows × 32 points × 64 bytes =
//!   86 KiB (see [`PreparedKey::from_sec1_with`] for the trade-off); the
//!   static generator table has `w = 8`, 33 × 128 points, 264 KiB. Measured
//!   on one core: per-key widths 6, 7 and 8 verify equally fast within the
//!   run-to-run noise (±15 %), so the default takes the smallest of them;
//!   4 and 5 are ≈ 10–20 % slower. A `w = 10` generator table (850 KiB)
//!   gained nothing over `w = 8` (cache misses eat the saved additions),
//!   while `w = 6` for the generator cost ≈ 15 % (both measured with the
//!   fiat-crypto field).
//! - Tables are built with doublings and mixed additions in Jacobian
//!   coordinates and normalized to affine with one inversion (Montgomery's
//!   trick).
//! - No inversion at all during verification: `x1 = X / Z²`, and the test
//!   `(e + x1) mod n = r` becomes `X = c · Z²` or `X = (c + n) · Z²` (the
//!   latter only when `c + n < p`), with `c = (r - e) mod n`.
//!
//! Everything is differentially tested against the stock `sm2` verifier
//! (`tests/sm2_*.rs`), including a real China E-Port UKey signature.

use std::fmt;
use std::sync::OnceLock;

use ::sm2::dsa::signature::{RandomizedSigner, Signer};
use ::sm2::elliptic_curve::Generate;
use ::sm2::elliptic_curve::rand_core::CryptoRng;
use ::sm2::elliptic_curve::zeroize::Zeroizing;
use ::sm2::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use sm3::{Digest, Sm3};

use field::Fe;

/// The default distinguishing identifier of GB/T 32918 ("1234567812345678"),
/// used by China E-Port UKeys and by every "SM3withSM2" implementation unless
/// told otherwise.
pub const DEFAULT_ID: &[u8] = b"1234567812345678";
const DEFAULT_ID_STR: &str = "1234567812345678";

/// The window width of [`PreparedKey::from_sec1`]'s per-key table.
pub const DEFAULT_WINDOW: u32 = 6;
/// The window width of the static generator table.
const GENERATOR_WINDOW: u32 = 8;
/// Window widths [`PreparedKey::from_sec1_with`] accepts.
pub const WINDOW_RANGE: std::ops::RangeInclusive<u32> = 2..=10;
/// Most windows any accepted width needs (`⌈257 / 2⌉`).
const MAX_WINDOWS: usize = 129;

/// What went wrong while handling an SM2 key or signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not a SEC1-encoded point on the SM2 curve.
    #[error("invalid SM2 public key")]
    InvalidPublicKey,
    /// Neither 64 raw bytes `r || s` nor a DER `SEQUENCE { r, s }`.
    #[error("invalid SM2 signature encoding")]
    InvalidSignature,
    /// Not a valid SM2 private key (or PKCS#8 document holding one).
    #[error("invalid SM2 private key")]
    InvalidPrivateKey,
    /// A distinguishing identifier longer than 8191 bytes.
    #[error("SM2 distinguishing identifier too long")]
    InvalidId,
    /// A table window width outside [`WINDOW_RANGE`].
    #[error("unsupported table window width {0}")]
    InvalidWindow(u32),
    /// The signer failed (a nonce or `r` of zero, probability ≈ 2⁻²⁵⁶, or
    /// an RFC 6979 candidate `k ≥ n`, ≈ 2⁻³²): sign again with
    /// [`SigningKey::sign_with_rng`].
    #[error("SM2 signing failed")]
    SigningFailed,
    /// A PKCS#8 encoding failure.
    #[error("PKCS#8 encoding failed")]
    Encoding,
}

// ---------------------------------------------------------------------------
// Curve constants
// ---------------------------------------------------------------------------

/// Group order `n`, little-endian 64-bit limbs.
const N: [u64; 4] = [0x53BB_F409_39D5_4123, 0x7203_DF6B_21C6_052B, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFE_FFFF_FFFF];
/// Field prime `p`, little-endian 64-bit limbs.
const P: [u64; 4] = [0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFE_FFFF_FFFF];

const A_BYTES: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const B_BYTES: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const GX_BYTES: [u8; 32] = hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GY_BYTES: [u8; 32] = hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 64, "need 64 hex digits");
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------
// 256-bit integers (scalars mod n), little-endian limbs, variable time
// ---------------------------------------------------------------------------

type U256 = [u64; 4];

fn u256_from_be(bytes: &[u8; 32]) -> U256 {
    let mut out = [0u64; 4];
    for (i, limb) in out.iter_mut().enumerate() {
        let start = 32 - 8 * (i + 1);
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[start..start + 8]);
        *limb = u64::from_be_bytes(w);
    }
    out
}

fn u256_to_be(a: &U256) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in a.iter().enumerate() {
        let start = 32 - 8 * (i + 1);
        out[start..start + 8].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

fn u256_is_zero(a: &U256) -> bool {
    a.iter().all(|&l| l == 0)
}

/// `a < b`.
fn u256_lt(a: &U256, b: &U256) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// `a + b` modulo 2²⁵⁶, and the carry out.
fn u256_add(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        out[i] = s2;
        carry = c1 | c2;
    }
    (out, carry)
}

/// `a - b` modulo 2²⁵⁶, and the borrow out.
fn u256_sub(a: &U256, b: &U256) -> (U256, bool) {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 | b2;
    }
    (out, borrow)
}

/// Field element from a canonical integer (`None` if `a ≥ p`).
fn fe_from_u256(a: &U256) -> Option<Fe> {
    Fe::from_slice(&u256_to_be(a))
}

// ---------------------------------------------------------------------------
// Base field arithmetic, variable time
// ---------------------------------------------------------------------------

/// Arithmetic modulo `p = 2²⁵⁶ - 2²²⁴ - 2⁹⁶ + 2⁶⁴ - 1` in Montgomery form
/// (`R = 2²⁵⁶`). Because `p ≡ -1 (mod 2⁶⁴)`, the Montgomery factor
/// `-p⁻¹ mod 2⁶⁴` is 1, so each reduction round takes the low limb as is.
/// Measured here at ≈ 30 ns a multiplication against ≈ 50 ns for the `sm2`
/// crate's fiat-crypto field (same run, one core); the results are
/// differentially tested against that field. Only for public data: the
/// final subtraction and the inversion are variable-time.
mod field {
    use std::ops::{Add, Mul, MulAssign, Neg, Sub};

    /// `p`, little-endian limbs.
    const P: [u64; 4] = super::P;
    /// `R² mod p`, to enter the Montgomery domain.
    const R2: [u64; 4] = [0x0000_0002_0000_0003, 0x0000_0002_FFFF_FFFF, 0x0000_0001_0000_0001, 0x0000_0004_0000_0002];

    /// A field element `a`, held as `a·R mod p`, fully reduced.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(super) struct Fe([u64; 4]);

    #[inline(always)]
    fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
        let t = u128::from(a) + u128::from(b) * u128::from(c) + u128::from(carry);
        (t as u64, (t >> 64) as u64)
    }

    #[inline(always)]
    fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
        let t = u128::from(a) + u128::from(b) + u128::from(carry);
        (t as u64, (t >> 64) as u64)
    }

    /// `a - b - borrow`, with the borrow out as 0 or 1.
    #[inline(always)]
    fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
        let (d1, b1) = a.overflowing_sub(b);
        let (d2, b2) = d1.overflowing_sub(borrow);
        (d2, u64::from(b1 | b2))
    }

    /// `t / R mod p` for `t < p·R`, by four rounds of Montgomery reduction.
    #[inline(always)]
    fn reduce(t: [u64; 8]) -> [u64; 4] {
        let [t0, t1, t2, t3, t4, t5, t6, t7] = t;
        let m = t0;
        let (_, c) = mac(t0, m, P[0], 0);
        let (t1, c) = mac(t1, m, P[1], c);
        let (t2, c) = mac(t2, m, P[2], c);
        let (t3, c) = mac(t3, m, P[3], c);
        let (t4, hi) = adc(t4, 0, c);
        let m = t1;
        let (_, c) = mac(t1, m, P[0], 0);
        let (t2, c) = mac(t2, m, P[1], c);
        let (t3, c) = mac(t3, m, P[2], c);
        let (t4, c) = mac(t4, m, P[3], c);
        let (t5, hi) = adc(t5, hi, c);
        let m = t2;
        let (_, c) = mac(t2, m, P[0], 0);
        let (t3, c) = mac(t3, m, P[1], c);
        let (t4, c) = mac(t4, m, P[2], c);
        let (t5, c) = mac(t5, m, P[3], c);
        let (t6, hi) = adc(t6, hi, c);
        let m = t3;
        let (_, c) = mac(t3, m, P[0], 0);
        let (t4, c) = mac(t4, m, P[1], c);
        let (t5, c) = mac(t5, m, P[2], c);
        let (t6, c) = mac(t6, m, P[3], c);
        let (t7, hi) = adc(t7, hi, c);
        sub_p_if_needed([t4, t5, t6, t7], hi)
    }

    /// `v - p` if `hi·2²⁵⁶ + v ≥ p`, else `v` (for values below `2p`).
    #[inline(always)]
    fn sub_p_if_needed(v: [u64; 4], hi: u64) -> [u64; 4] {
        let (r0, b) = sbb(v[0], P[0], 0);
        let (r1, b) = sbb(v[1], P[1], b);
        let (r2, b) = sbb(v[2], P[2], b);
        let (r3, b) = sbb(v[3], P[3], b);
        let (_, b) = sbb(hi, 0, b);
        if b != 0 { v } else { [r0, r1, r2, r3] }
    }

    #[inline(always)]
    fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        let (t0, c) = mac(0, a[0], b[0], 0);
        let (t1, c) = mac(0, a[0], b[1], c);
        let (t2, c) = mac(0, a[0], b[2], c);
        let (t3, t4) = mac(0, a[0], b[3], c);
        let (t1, c) = mac(t1, a[1], b[0], 0);
        let (t2, c) = mac(t2, a[1], b[1], c);
        let (t3, c) = mac(t3, a[1], b[2], c);
        let (t4, t5) = mac(t4, a[1], b[3], c);
        let (t2, c) = mac(t2, a[2], b[0], 0);
        let (t3, c) = mac(t3, a[2], b[1], c);
        let (t4, c) = mac(t4, a[2], b[2], c);
        let (t5, t6) = mac(t5, a[2], b[3], c);
        let (t3, c) = mac(t3, a[3], b[0], 0);
        let (t4, c) = mac(t4, a[3], b[1], c);
        let (t5, c) = mac(t5, a[3], b[2], c);
        let (t6, t7) = mac(t6, a[3], b[3], c);
        reduce([t0, t1, t2, t3, t4, t5, t6, t7])
    }

    #[inline(always)]
    fn mont_square(a: &[u64; 4]) -> [u64; 4] {
        // Off-diagonal products once, doubled, plus the squares.
        let (t1, c) = mac(0, a[0], a[1], 0);
        let (t2, c) = mac(0, a[0], a[2], c);
        let (t3, t4) = mac(0, a[0], a[3], c);
        let (t3, c) = mac(t3, a[1], a[2], 0);
        let (t4, t5) = mac(t4, a[1], a[3], c);
        let (t5, t6) = mac(t5, a[2], a[3], 0);
        let t7 = t6 >> 63;
        let t6 = (t6 << 1) | (t5 >> 63);
        let t5 = (t5 << 1) | (t4 >> 63);
        let t4 = (t4 << 1) | (t3 >> 63);
        let t3 = (t3 << 1) | (t2 >> 63);
        let t2 = (t2 << 1) | (t1 >> 63);
        let t1 = t1 << 1;
        let (t0, c) = mac(0, a[0], a[0], 0);
        let (t1, c) = adc(t1, 0, c);
        let (t2, c) = mac(t2, a[1], a[1], c);
        let (t3, c) = adc(t3, 0, c);
        let (t4, c) = mac(t4, a[2], a[2], c);
        let (t5, c) = adc(t5, 0, c);
        let (t6, c) = mac(t6, a[3], a[3], c);
        let (t7, _) = adc(t7, 0, c);
        reduce([t0, t1, t2, t3, t4, t5, t6, t7])
    }

    impl Fe {
        pub(super) const ZERO: Fe = Fe([0; 4]);
        /// `R mod p = 2²⁵⁶ - p`.
        pub(super) const ONE: Fe = Fe([1, 0xFFFF_FFFF, 0, 0x1_0000_0000]);

        /// From 32 big-endian bytes holding a value below `p`.
        pub(super) fn from_slice(bytes: &[u8]) -> Option<Fe> {
            let bytes: &[u8; 32] = bytes.try_into().ok()?;
            let v = super::u256_from_be(bytes);
            if !super::u256_lt(&v, &P) {
                return None;
            }
            Some(Fe(mont_mul(&v, &R2)))
        }

        /// The canonical value, 32 bytes big-endian.
        #[cfg(test)]
        pub(super) fn to_bytes(self) -> [u8; 32] {
            super::u256_to_be(&mont_mul(&self.0, &[1, 0, 0, 0]))
        }

        #[cfg(test)]
        pub(super) fn from_u64(v: u64) -> Fe {
            Fe(mont_mul(&[v, 0, 0, 0], &R2))
        }

        #[inline(always)]
        pub(super) fn is_zero(&self) -> bool {
            self.0 == [0; 4]
        }

        #[inline(always)]
        pub(super) fn square(&self) -> Fe {
            Fe(mont_square(&self.0))
        }

        #[inline(always)]
        pub(super) fn double(&self) -> Fe {
            *self + *self
        }

        /// `self^e` for `e` given as little-endian limbs (variable time).
        fn pow(&self, e: &[u64; 4]) -> Fe {
            let mut acc = Fe::ONE;
            for i in (0..256).rev() {
                acc = acc.square();
                if (e[i / 64] >> (i % 64)) & 1 == 1 {
                    acc *= *self;
                }
            }
            acc
        }

        /// `1 / self` (Fermat: `self^(p-2)`), `None` for zero.
        pub(super) fn invert(&self) -> Option<Fe> {
            if self.is_zero() {
                return None;
            }
            let mut e = P;
            e[0] -= 2;
            Some(self.pow(&e))
        }

        /// A square root (`p ≡ 3 mod 4`: `self^((p+1)/4)`), if any.
        #[cfg(test)]
        pub(super) fn sqrt(&self) -> Option<Fe> {
            // (p + 1) / 4, little-endian limbs.
            let e = [0x4000_0000_0000_0000, 0xFFFF_FFFF_C000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0x3FFF_FFFF_BFFF_FFFF];
            let r = self.pow(&e);
            (r.square() == *self).then_some(r)
        }

        #[cfg(test)]
        pub(super) fn limbs(&self) -> [u64; 4] {
            self.0
        }
    }

    impl Add for Fe {
        type Output = Fe;
        #[inline(always)]
        fn add(self, rhs: Fe) -> Fe {
            let (a, b) = (self.0, rhs.0);
            let (r0, c) = adc(a[0], b[0], 0);
            let (r1, c) = adc(a[1], b[1], c);
            let (r2, c) = adc(a[2], b[2], c);
            let (r3, c) = adc(a[3], b[3], c);
            Fe(sub_p_if_needed([r0, r1, r2, r3], c))
        }
    }

    impl Sub for Fe {
        type Output = Fe;
        #[inline(always)]
        fn sub(self, rhs: Fe) -> Fe {
            let (a, b) = (self.0, rhs.0);
            let (r0, bw) = sbb(a[0], b[0], 0);
            let (r1, bw) = sbb(a[1], b[1], bw);
            let (r2, bw) = sbb(a[2], b[2], bw);
            let (r3, bw) = sbb(a[3], b[3], bw);
            if bw == 0 {
                return Fe([r0, r1, r2, r3]);
            }
            let (r0, c) = adc(r0, P[0], 0);
            let (r1, c) = adc(r1, P[1], c);
            let (r2, c) = adc(r2, P[2], c);
            let (r3, _) = adc(r3, P[3], c);
            Fe([r0, r1, r2, r3])
        }
    }

    impl Neg for Fe {
        type Output = Fe;
        #[inline(always)]
        fn neg(self) -> Fe {
            Fe::ZERO - self
        }
    }

    impl Mul for Fe {
        type Output = Fe;
        #[inline(always)]
        fn mul(self, rhs: Fe) -> Fe {
            Fe(mont_mul(&self.0, &rhs.0))
        }
    }

    impl MulAssign for Fe {
        #[inline(always)]
        fn mul_assign(&mut self, rhs: Fe) {
            *self = *self * rhs;
        }
    }
}

// ---------------------------------------------------------------------------
// Points
// ---------------------------------------------------------------------------

/// An affine point (never the point at infinity).
#[derive(Clone, Copy)]
struct Affine {
    x: Fe,
    y: Fe,
}

/// A point in Jacobian coordinates `(X / Z², Y / Z³)`; `inf` marks the point
/// at infinity (then the coordinates mean nothing).
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
    inf: bool,
}

impl Jacobian {
    const INFINITY: Jacobian = Jacobian { x: Fe::ONE, y: Fe::ONE, z: Fe::ZERO, inf: true };

    fn from_affine(p: &Affine) -> Jacobian {
        Jacobian { x: p.x, y: p.y, z: Fe::ONE, inf: false }
    }

    /// `2·self` for `a = -3` (dbl-2001-b, 3M+5S).
    fn double(&self) -> Jacobian {
        if self.inf || self.y.is_zero() {
            return Jacobian::INFINITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let y3 = alpha * (beta4 - x3) - gamma.square().double().double().double();
        Jacobian { x: x3, y: y3, z: z3, inf: false }
    }

    /// `self + (qx, qy)` (madd-2004-hmv, 8M+3S).
    fn add_affine(&self, qx: &Fe, qy: &Fe) -> Jacobian {
        if self.inf {
            return Jacobian { x: *qx, y: *qy, z: Fe::ONE, inf: false };
        }
        let z1z1 = self.z.square();
        let u2 = *qx * z1z1;
        let s2 = *qy * self.z * z1z1;
        let h = u2 - self.x;
        let r = s2 - self.y;
        if h.is_zero() {
            return if r.is_zero() {
                Jacobian { x: *qx, y: *qy, z: Fe::ONE, inf: false }.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let hhh = h * hh;
        let v = self.x * hh;
        let x3 = r.square() - hhh - v.double();
        let y3 = r * (v - x3) - self.y * hhh;
        let z3 = self.z * h;
        Jacobian { x: x3, y: y3, z: z3, inf: false }
    }
}

/// Converts Jacobian points to affine with a single inversion. Fails if any
/// point is the point at infinity (never the case for multiples `1..n` of a
/// point of the prime-order SM2 group).
fn batch_normalize(points: &[Jacobian]) -> Option<Vec<Affine>> {
    if points.iter().any(|p| p.inf) {
        return None;
    }
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fe::ONE;
    for p in points {
        prefix.push(acc);
        acc *= p.z;
    }
    let mut inv = acc.invert()?;
    let mut out = vec![Affine { x: Fe::ZERO, y: Fe::ZERO }; points.len()];
    for (i, p) in points.iter().enumerate().rev() {
        let zinv = inv * prefix[i];
        inv *= p.z;
        let zinv2 = zinv.square();
        out[i] = Affine { x: p.x * zinv2, y: p.y * zinv2 * zinv };
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Fixed-base tables
// ---------------------------------------------------------------------------

/// Number of signed-digit windows of width `w` for a scalar below 2²⁵⁶.
const fn window_count(w: u32) -> usize {
    257_usize.div_ceil(w as usize)
}

/// `table[i·half + j - 1] = j · 2^(w·i) · P` for `j = 1 ..= half = 2^(w-1)`.
struct Table {
    window: u32,
    windows: usize,
    half: usize,
    points: Vec<Affine>,
}

impl Table {
    fn build(base: &Affine, window: u32) -> Option<Table> {
        if !WINDOW_RANGE.contains(&window) {
            return None;
        }
        let windows = window_count(window);
        let half = 1usize << (window - 1);
        // Window bases 2^(w·i)·P, normalized together.
        let mut bases = Vec::with_capacity(windows);
        let mut b = Jacobian::from_affine(base);
        for i in 0..windows {
            if i > 0 {
                for _ in 0..window {
                    b = b.double();
                }
            }
            bases.push(b);
        }
        let bases = batch_normalize(&bases)?;
        // Multiples 1..=half of each base, by repeated mixed additions.
        let mut all = Vec::with_capacity(windows * half);
        for bi in &bases {
            let mut acc = Jacobian::from_affine(bi);
            all.push(acc);
            for j in 2..=half {
                acc = if j == 2 { acc.double() } else { acc.add_affine(&bi.x, &bi.y) };
                all.push(acc);
            }
        }
        let points = batch_normalize(&all)?;
        Some(Table { window, windows, half, points })
    }

    fn bytes(&self) -> usize {
        std::mem::size_of::<Table>() + self.points.capacity() * std::mem::size_of::<Affine>()
    }

    /// Adds `Σ digit_i · 2^(w·i) · P` for the signed digits of `k` into `acc`.
    #[inline]
    fn accumulate(&self, acc: &mut Jacobian, digits: &[i32]) {
        for (i, &d) in digits.iter().enumerate().take(self.windows) {
            if d == 0 {
                continue;
            }
            let idx = i * self.half + (d.unsigned_abs() as usize) - 1;
            let Some(p) = self.points.get(idx) else { continue };
            *acc = if d > 0 { acc.add_affine(&p.x, &p.y) } else { acc.add_affine(&p.x, &-p.y) };
        }
    }
}

/// Signed-digit recoding: `k = Σ d_i · 2^(w·i)` with `d_i ∈ [-2^(w-1), 2^(w-1)]`.
fn recode(k: &U256, w: u32, out: &mut [i32; MAX_WINDOWS]) {
    let windows = window_count(w);
    let mask = (1u64 << w) - 1;
    let half = 1i64 << (w - 1);
    let mut carry = 0i64;
    for (i, slot) in out.iter_mut().enumerate() {
        if i >= windows {
            *slot = 0;
            continue;
        }
        let pos = i * w as usize;
        let limb = pos / 64;
        let off = pos % 64;
        let mut bits = 0u64;
        if limb < 4 {
            bits = k[limb] >> off;
            if off > 0 && off + w as usize > 64 && limb + 1 < 4 {
                bits |= k[limb + 1] << (64 - off);
            }
        }
        let v = (bits & mask) as i64 + carry;
        if v > half {
            *slot = (v - (1i64 << w)) as i32;
            carry = 1;
        } else {
            *slot = v as i32;
            carry = 0;
        }
    }
}

fn generator() -> Option<Affine> {
    Some(Affine { x: Fe::from_slice(&GX_BYTES)?, y: Fe::from_slice(&GY_BYTES)? })
}

/// The static generator table, built on first use (a few milliseconds).
fn generator_table() -> Option<&'static Table> {
    static TABLE: OnceLock<Option<Table>> = OnceLock::new();
    TABLE.get_or_init(|| generator().and_then(|g| Table::build(&g, GENERATOR_WINDOW))).as_ref()
}

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

/// An SM2 signature `(r, s)`, as two 32-byte big-endian integers.
///
/// Parsing checks the encoding only; whether `r` and `s` lie in `[1, n-1]`
/// is the verifier's business.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    r: [u8; 32],
    s: [u8; 32],
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature(")?;
        for b in self.to_raw() {
            write!(f, "{b:02x}")?;
        }
        write!(f, ")")
    }
}

impl Signature {
    /// From the two components, big-endian.
    pub fn new(r: [u8; 32], s: [u8; 32]) -> Signature {
        Signature { r, s }
    }

    /// The raw form `r || s`, 64 bytes (what China E-Port UKeys emit).
    pub fn from_raw(bytes: &[u8]) -> Result<Signature, Error> {
        if bytes.len() != 64 {
            return Err(Error::InvalidSignature);
        }
        let mut r = [0u8; 32];
        let mut s = [0u8; 32];
        r.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..]);
        Ok(Signature { r, s })
    }

    /// Strict DER: `SEQUENCE { INTEGER r, INTEGER s }` with minimal,
    /// non-negative integers of at most 256 bits and nothing trailing.
    pub fn from_der(bytes: &[u8]) -> Result<Signature, Error> {
        let content = match bytes {
            [0x30, len, rest @ ..] if *len < 0x80 && rest.len() == usize::from(*len) => rest,
            _ => return Err(Error::InvalidSignature),
        };
        let (r, rest) = der_integer(content)?;
        let (s, rest) = der_integer(rest)?;
        if !rest.is_empty() {
            return Err(Error::InvalidSignature);
        }
        Ok(Signature { r, s })
    }

    /// Either encoding: strict DER when the bytes are that, otherwise the
    /// 64-byte raw form. (A 64-byte DER encoding needs `r` or `s` below
    /// 2²³²; a random raw value that happens to be valid DER is far rarer.)
    pub fn parse(bytes: &[u8]) -> Result<Signature, Error> {
        Signature::from_der(bytes).or_else(|_| Signature::from_raw(bytes))
    }

    /// `r || s`.
    pub fn to_raw(&self) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.r);
        out[32..].copy_from_slice(&self.s);
        out
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` (at most 72 bytes).
    pub fn to_der(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(70);
        der_put_integer(&mut body, &self.r);
        der_put_integer(&mut body, &self.s);
        let mut out = Vec::with_capacity(body.len() + 2);
        out.push(0x30);
        // At most 2 × 35 bytes: the short length form always fits.
        out.push(body.len() as u8);
        out.extend_from_slice(&body);
        out
    }

    /// The `r` component, big-endian.
    pub fn r(&self) -> &[u8; 32] {
        &self.r
    }

    /// The `s` component, big-endian.
    pub fn s(&self) -> &[u8; 32] {
        &self.s
    }
}

fn der_integer(bytes: &[u8]) -> Result<([u8; 32], &[u8]), Error> {
    let (len, rest) = match bytes {
        [0x02, len, rest @ ..] if *len >= 1 && *len < 0x80 && rest.len() >= usize::from(*len) => {
            (usize::from(*len), rest)
        }
        _ => return Err(Error::InvalidSignature),
    };
    let (mut value, rest) = rest.split_at(len);
    if value[0] & 0x80 != 0 {
        return Err(Error::InvalidSignature); // negative
    }
    if value[0] == 0 && len > 1 {
        if value[1] & 0x80 == 0 {
            return Err(Error::InvalidSignature); // not minimal
        }
        value = &value[1..];
    }
    if value.len() > 32 {
        return Err(Error::InvalidSignature);
    }
    let mut out = [0u8; 32];
    out[32 - value.len()..].copy_from_slice(value);
    Ok((out, rest))
}

fn der_put_integer(out: &mut Vec<u8>, value: &[u8; 32]) {
    let first = value.iter().position(|&b| b != 0).unwrap_or(31);
    let digits = &value[first..];
    let pad = digits[0] & 0x80 != 0;
    out.push(0x02);
    out.push((digits.len() + usize::from(pad)) as u8);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(digits);
}

// ---------------------------------------------------------------------------
// Prepared verifying keys
// ---------------------------------------------------------------------------

/// An SM2 verifying key with a precomputed fixed-base table, for keys that
/// verify many signatures (one per enterprise certificate). Build it once
/// (≈ 1 ms and 86 KiB with the default window) and share it through an
/// `Arc`; it is immutable, `Send` and `Sync`.
pub struct PreparedKey {
    sec1: [u8; 65],
    z: [u8; 32],
    table: Table,
}

impl fmt::Debug for PreparedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedKey")
            .field("x", &HexBytes(&self.sec1[1..33]))
            .field("y", &HexBytes(&self.sec1[33..]))
            .field("window", &self.table.window)
            .finish()
    }
}

struct HexBytes<'a>(&'a [u8]);

impl fmt::Debug for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl PreparedKey {
    /// From a SEC1 point, uncompressed (`04 || x || y`) or compressed
    /// (`02/03 || x`), checked to lie on the curve; with [`DEFAULT_ID`] and
    /// [`DEFAULT_WINDOW`].
    pub fn from_sec1(bytes: &[u8]) -> Result<PreparedKey, Error> {
        PreparedKey::from_sec1_with(bytes, DEFAULT_ID, DEFAULT_WINDOW)
    }

    /// Like [`PreparedKey::from_sec1`], with another distinguishing
    /// identifier and another table window width `w` in [`WINDOW_RANGE`].
    ///
    /// The table holds `⌈257 / w⌉ · 2^(w-1)` affine points of 64 bytes and
    /// a verification adds about `⌈257 / w⌉` of them (plus 33 from the
    /// generator table). Measured on one core of a shared 2-vCPU EPYC VM
    /// (CPU time, several runs, 700-byte message, SM3 included):
    ///
    /// | `w` | table | build | verify |
    /// |---|---|---|---|
    /// | 8 | 264 KiB | 2.8–3.4 ms | 24–32 µs |
    /// | 7 | 148 KiB | | 24–31 µs |
    /// | 6 (default) | 86 KiB | 0.8–1.5 ms | 24–31 µs |
    /// | 5 | 52 KiB | | 28–32 µs |
    /// | 4 | 32 KiB | 0.3–0.6 ms | 31–37 µs |
    ///
    /// against 340–415 µs for the stock `sm2` 0.14 verifier.
    pub fn from_sec1_with(bytes: &[u8], id: &[u8], window: u32) -> Result<PreparedKey, Error> {
        if !WINDOW_RANGE.contains(&window) {
            return Err(Error::InvalidWindow(window));
        }
        let public = ::sm2::PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::InvalidPublicKey)?;
        let encoded = public.to_sec1_bytes();
        let sec1: [u8; 65] = encoded.as_ref().try_into().map_err(|_| Error::InvalidPublicKey)?;
        let x = Fe::from_slice(&sec1[1..33]).ok_or(Error::InvalidPublicKey)?;
        let y = Fe::from_slice(&sec1[33..]).ok_or(Error::InvalidPublicKey)?;
        let z = compute_z(id, &sec1)?;
        let table = Table::build(&Affine { x, y }, window).ok_or(Error::InvalidPublicKey)?;
        Ok(PreparedKey { sec1, z, table })
    }

    /// Verifies `sig` over `msg`: `e = SM3(Z || msg)`, then
    /// [`PreparedKey::verify_digest`].
    pub fn verify(&self, msg: &[u8], sig: &Signature) -> bool {
        let mut h = Sm3::new();
        h.update(self.z);
        h.update(msg);
        let e: [u8; 32] = h.finalize().into();
        self.verify_digest(&e, sig)
    }

    /// Verifies `sig` against the digest `e = SM3(Z || M)` (GB/T 32918.2
    /// §7.1, steps B1, B2 and B5–B7).
    pub fn verify_digest(&self, e: &[u8; 32], sig: &Signature) -> bool {
        let Some(g) = generator_table() else { return false };
        let r = u256_from_be(&sig.r);
        let s = u256_from_be(&sig.s);
        // B1, B2: r, s ∈ [1, n-1].
        if u256_is_zero(&r) || !u256_lt(&r, &N) || u256_is_zero(&s) || !u256_lt(&s, &N) {
            return false;
        }
        // B5: t = (r + s) mod n ≠ 0.
        let (sum, carry) = u256_add(&r, &s);
        let t = if carry || !u256_lt(&sum, &N) { u256_sub(&sum, &N).0 } else { sum };
        if u256_is_zero(&t) {
            return false;
        }
        // B6: (x1, y1) = [s]G + [t]P.
        let mut sd = [0i32; MAX_WINDOWS];
        let mut td = [0i32; MAX_WINDOWS];
        recode(&s, g.window, &mut sd);
        recode(&t, self.table.window, &mut td);
        let mut acc = Jacobian::INFINITY;
        g.accumulate(&mut acc, &sd);
        self.table.accumulate(&mut acc, &td);
        if acc.inf {
            return false;
        }
        // B7: (e + x1) mod n = r.
        x_matches(&acc, &r, &u256_from_be(e))
    }

    /// `Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA)` for this
    /// key's identifier ([`DEFAULT_ID`] unless built otherwise).
    pub fn z(&self) -> [u8; 32] {
        self.z
    }

    /// The uncompressed SEC1 encoding `04 || x || y`.
    pub fn sec1(&self) -> [u8; 65] {
        self.sec1
    }

    /// The table window width.
    pub fn window(&self) -> u32 {
        self.table.window
    }

    /// Heap and inline bytes held by this key (almost all of it the table).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<PreparedKey>() - std::mem::size_of::<Table>() + self.table.bytes()
    }

    /// Builds the static generator table now instead of on the first
    /// verification (it takes a few milliseconds); returns its size in bytes.
    pub fn warm_up() -> usize {
        generator_table().map_or(0, Table::bytes)
    }
}

/// GB/T 32918.2 step B7 without an inversion: for `acc = (X : Y : Z)` with
/// `x1 = X / Z²`, whether `(e + x1) mod n = r`, given `r < n`. Since
/// `n < p < 2n`, that holds iff `x1 = c` or `x1 = c + n` (the latter only
/// possible when `c + n < p`), where `c = (r - e) mod n`.
fn x_matches(acc: &Jacobian, r: &U256, e: &U256) -> bool {
    if acc.inf {
        return false;
    }
    let e = if u256_lt(e, &N) { *e } else { u256_sub(e, &N).0 };
    let (diff, borrow) = u256_sub(r, &e);
    let c = if borrow { u256_add(&diff, &N).0 } else { diff };
    let zz = acc.z.square();
    let Some(cf) = fe_from_u256(&c) else { return false };
    if acc.x == cf * zz {
        return true;
    }
    let (c2, overflow) = u256_add(&c, &N);
    if overflow || !u256_lt(&c2, &P) {
        return false;
    }
    match fe_from_u256(&c2) {
        Some(c2f) => acc.x == c2f * zz,
        None => false,
    }
}

/// `Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)`.
fn compute_z(id: &[u8], sec1: &[u8; 65]) -> Result<[u8; 32], Error> {
    let entl = u16::try_from(id.len().checked_mul(8).ok_or(Error::InvalidId)?).map_err(|_| Error::InvalidId)?;
    let mut h = Sm3::new();
    h.update(entl.to_be_bytes());
    h.update(id);
    h.update(A_BYTES);
    h.update(B_BYTES);
    h.update(GX_BYTES);
    h.update(GY_BYTES);
    h.update(&sec1[1..]);
    Ok(h.finalize().into())
}

// ---------------------------------------------------------------------------
// Signing (the stock constant-time signer)
// ---------------------------------------------------------------------------

/// An SM2 signing key with [`DEFAULT_ID`]: a thin wrapper over the stock
/// `sm2::dsa::SigningKey`, which signs in constant time with an RFC 6979
/// nonce. For tests, tools and the customs side's own receipts.
#[derive(Clone)]
pub struct SigningKey {
    inner: ::sm2::dsa::SigningKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("public", &HexBytes(&self.verifying_key_sec1())).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Result<SigningKey, Error> {
        let secret = ::sm2::SecretKey::generate_from_rng(rng);
        SigningKey::from_secret(&secret)
    }

    /// From the 32-byte big-endian secret scalar `d ∈ [1, n-2]`.
    pub fn from_bytes(secret: &[u8]) -> Result<SigningKey, Error> {
        let secret = ::sm2::SecretKey::from_slice(secret).map_err(|_| Error::InvalidPrivateKey)?;
        SigningKey::from_secret(&secret)
    }

    /// From a PKCS#8 `PrivateKeyInfo` (DER) holding an SM2 key.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<SigningKey, Error> {
        let secret = ::sm2::SecretKey::from_pkcs8_der(der).map_err(|_| Error::InvalidPrivateKey)?;
        SigningKey::from_secret(&secret)
    }

    fn from_secret(secret: &::sm2::SecretKey) -> Result<SigningKey, Error> {
        let inner = ::sm2::dsa::SigningKey::new(DEFAULT_ID_STR, secret).map_err(|_| Error::InvalidPrivateKey)?;
        Ok(SigningKey { inner })
    }

    /// The PKCS#8 `PrivateKeyInfo` (DER), in memory that is zeroed on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let secret = ::sm2::SecretKey::from(self.inner.as_nonzero_scalar());
        let doc = secret.to_pkcs8_der().map_err(|_| Error::Encoding)?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// The public key, `04 || x || y`.
    pub fn verifying_key_sec1(&self) -> [u8; 65] {
        let public = ::sm2::PublicKey::from(self.inner.verifying_key());
        let encoded = public.to_sec1_bytes();
        let mut out = [0u8; 65];
        if encoded.len() == 65 {
            out.copy_from_slice(&encoded);
        }
        out
    }

    /// The [`PreparedKey`] for this key's public half.
    pub fn prepared_key(&self) -> Result<PreparedKey, Error> {
        PreparedKey::from_sec1(&self.verifying_key_sec1())
    }

    /// Signs `msg` (`e = SM3(Z || msg)`, deterministic RFC 6979 nonce).
    pub fn sign(&self, msg: &[u8]) -> Result<Signature, Error> {
        let sig: ::sm2::dsa::Signature = self.inner.try_sign(msg).map_err(|_| Error::SigningFailed)?;
        Signature::from_raw(&sig.to_bytes())
    }

    /// Signs `msg` with the RFC 6979 nonce derivation reseeded from `rng`
    /// (hedged signing; also the retry for [`Error::SigningFailed`]).
    pub fn sign_with_rng<R: CryptoRng + ?Sized>(&self, rng: &mut R, msg: &[u8]) -> Result<Signature, Error> {
        let sig: ::sm2::dsa::Signature = self.inner.try_sign_with_rng(rng, msg).map_err(|_| Error::SigningFailed)?;
        Signature::from_raw(&sig.to_bytes())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_the_curve() {
        let n = u256_to_be(&N);
        assert_eq!(n, hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123"));
        let p = u256_to_be(&P);
        assert_eq!(p, hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF"));
        // a = -3, and the generator lies on y² = x³ + ax + b.
        let a = Fe::from_slice(&A_BYTES).unwrap();
        assert!(a == -Fe::from_u64(3));
        let b = Fe::from_slice(&B_BYTES).unwrap();
        let g = generator().unwrap();
        assert!(g.y.square() == g.x.square() * g.x + a * g.x + b);
    }

    /// `Σ d_i · 2^(w·i)` modulo 2³²⁰.
    fn evaluate(digits: &[i32], w: u32) -> [u64; 5] {
        let mut acc = [0u64; 5];
        for (i, &d) in digits.iter().enumerate() {
            let pos = i * w as usize;
            let mut term = [0u64; 5];
            let (limb, off) = (pos / 64, pos % 64);
            let mag = u128::from(d.unsigned_abs()) << off;
            if limb < 5 {
                term[limb] = mag as u64;
            }
            if limb + 1 < 5 {
                term[limb + 1] = (mag >> 64) as u64;
            }
            let mut carry = false;
            for k in 0..5 {
                if d >= 0 {
                    let (a, c1) = acc[k].overflowing_add(term[k]);
                    let (b, c2) = a.overflowing_add(u64::from(carry));
                    acc[k] = b;
                    carry = c1 | c2;
                } else {
                    let (a, c1) = acc[k].overflowing_sub(term[k]);
                    let (b, c2) = a.overflowing_sub(u64::from(carry));
                    acc[k] = b;
                    carry = c1 | c2;
                }
            }
        }
        acc
    }

    #[test]
    fn recoding_reconstructs_the_scalar() {
        let minus_one = u256_sub(&N, &[1, 0, 0, 0]).0;
        let ks = [
            [0u64; 4],
            N,
            [1, 0, 0, 0],
            [u64::MAX; 4],
            [0x8080_8080_8080_8080; 4],
            minus_one,
            [0x7f7f_7f7f_7f7f_7f7f; 4],
        ];
        for w in WINDOW_RANGE {
            let half = 1i32 << (w - 1);
            for k in &ks {
                let mut d = [0i32; MAX_WINDOWS];
                recode(k, w, &mut d);
                for (i, &di) in d.iter().enumerate() {
                    assert!(-half <= di && di <= half, "w={w} digit {di}");
                    if i >= window_count(w) {
                        assert_eq!(di, 0);
                    }
                }
                let v = evaluate(&d, w);
                assert_eq!(&v[..4], &k[..], "w={w}");
                assert_eq!(v[4], 0, "w={w}");
            }
        }
    }

    /// `m` (Jacobian) and `e` (affine) are the same point.
    fn same(m: &Jacobian, e: &Affine) -> bool {
        let zz = m.z.square();
        !m.inf && m.x == e.x * zz && m.y == e.y * zz * m.z
    }

    #[test]
    fn tables_hold_the_right_multiples() {
        let g = generator().unwrap();
        for w in [2u32, 5, 8] {
            let t = Table::build(&g, w).unwrap();
            assert_eq!(t.points.len(), t.windows * t.half);
            // table[i][j] = j·2^(wi)·G, computed here by doublings and additions.
            let mut base = Jacobian::from_affine(&g);
            for i in 0..t.windows {
                let ba = batch_normalize(&[base]).unwrap()[0];
                let mut m = Jacobian::INFINITY;
                for j in 1..=t.half {
                    m = m.add_affine(&ba.x, &ba.y);
                    assert!(same(&m, &t.points[i * t.half + j - 1]), "w={w} i={i} j={j}");
                }
                for _ in 0..w {
                    base = base.double();
                }
            }
        }
    }

    /// `x mod n` for a field element's canonical value `x < p`.
    fn mod_n(x: &U256) -> U256 {
        if u256_lt(x, &N) { *x } else { u256_sub(x, &N).0 }
    }

    /// A point with the given x, in Jacobian form with a non-trivial Z.
    fn point_with_x(x: &U256, z: u64) -> Option<Jacobian> {
        let xf = fe_from_u256(x)?;
        let b = Fe::from_slice(&B_BYTES)?;
        let rhs = xf.square() * xf - xf.double() - xf + b;
        let y = rhs.sqrt()?;
        let z = Fe::from_u64(z);
        let zz = z.square();
        Some(Jacobian { x: xf * zz, y: y * zz * z, z, inf: false })
    }

    #[test]
    fn b7_checks_both_lifts_of_x_mod_n() {
        // Points with x ≥ n (x1 mod n = x1 - n) and with small x.
        let mut cases = Vec::new();
        let mut k = 0u64;
        while cases.len() < 4 {
            let x = u256_add(&N, &[k, 0, 0, 0]).0;
            if let Some(p) = point_with_x(&x, 7 + k) {
                cases.push((x, p));
            }
            k += 1;
        }
        let mut k = 1u64;
        while cases.len() < 8 {
            let x = [k, 0, 0, 0];
            if let Some(p) = point_with_x(&x, 3 + k) {
                cases.push((x, p));
            }
            k += 1;
        }
        let one = [1u64, 0, 0, 0];
        for (x, p) in &cases {
            for e in [[0u64; 4], one, u256_sub(&N, &one).0, [u64::MAX; 4], N, [0xdead_beef, 7, 0, 1 << 63]] {
                // r = (e + x) mod n, as the stock verifier computes it.
                let e_red = mod_n(&e);
                let (sum, carry) = u256_add(&e_red, &mod_n(x));
                let r = if carry || !u256_lt(&sum, &N) { u256_sub(&sum, &N).0 } else { sum };
                assert!(x_matches(p, &r, &e), "x={x:x?} e={e:x?}");
                let r1 = if u256_is_zero(&r) { u256_sub(&N, &one).0 } else { u256_sub(&r, &one).0 };
                assert!(!x_matches(p, &r1, &e), "x={x:x?} e={e:x?} r-1");
            }
        }
        assert!(!x_matches(&Jacobian::INFINITY, &one, &[0; 4]));
    }

    type FiatFe = <::sm2::Sm2 as ::sm2::elliptic_curve::hazmat::FieldArithmetic>::FieldElement;

    fn fiat(bytes: &[u8; 32]) -> FiatFe {
        FiatFe::from_slice(bytes).unwrap()
    }

    fn fiat_bytes(x: FiatFe) -> [u8; 32] {
        use ::sm2::elliptic_curve::ff::PrimeField as _;
        x.to_repr().into()
    }

    #[test]
    fn field_arithmetic_matches_the_fiat_crypto_field() {
        // Edge values and a deterministic pseudo-random walk.
        let p = u256_to_be(&P);
        let p_minus = |k: u64| u256_to_be(&u256_sub(&P, &[k, 0, 0, 0]).0);
        let mut values: Vec<[u8; 32]> = vec![
            [0; 32],
            u256_to_be(&[1, 0, 0, 0]),
            u256_to_be(&[2, 0, 0, 0]),
            p_minus(1),
            p_minus(2),
            u256_to_be(&[u64::MAX, 0, 0, 0]),
            u256_to_be(&[0, 0, 0, 1 << 63]),
            u256_to_be(&[0, 0xFFFF_FFFF_0000_0000, 0, 0]),
            u256_to_be(&[1, 0xFFFF_FFFF, 0, 0x1_0000_0000]), // 2^256 - p
            u256_to_be(&N),
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        while values.len() < 200 {
            let mut limbs = [0u64; 4];
            for l in &mut limbs {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *l = state;
            }
            if u256_lt(&limbs, &P) {
                values.push(u256_to_be(&limbs));
            }
        }
        assert!(Fe::from_slice(&p).is_none());
        assert!(Fe::from_slice(&[0xFF; 32]).is_none());
        assert!(Fe::from_slice(&[0; 31]).is_none());
        assert!(Fe::ONE == Fe::from_u64(1));
        for a in &values {
            let fa = Fe::from_slice(a).unwrap();
            let xa = fiat(a);
            assert_eq!(fa.to_bytes(), *a);
            assert_eq!(fa.square().to_bytes(), fiat_bytes(xa.square()), "square {a:02x?}");
            assert_eq!(fa.double().to_bytes(), fiat_bytes(xa.double()));
            assert_eq!((-fa).to_bytes(), fiat_bytes(-xa));
            assert_eq!(fa.is_zero(), bool::from(xa.is_zero()));
            match fa.invert() {
                Some(inv) => {
                    assert_eq!(inv.to_bytes(), fiat_bytes(xa.invert().unwrap()));
                    assert!(inv * fa == Fe::ONE);
                }
                None => assert!(fa.is_zero()),
            }
            for b in values.iter().step_by(7) {
                let fb = Fe::from_slice(b).unwrap();
                let xb = fiat(b);
                assert_eq!((fa * fb).to_bytes(), fiat_bytes(xa * xb), "mul {a:02x?} {b:02x?}");
                assert_eq!((fa + fb).to_bytes(), fiat_bytes(xa + xb), "add");
                assert_eq!((fa - fb).to_bytes(), fiat_bytes(xa - xb), "sub");
                assert_eq!(fa == fb, a == b);
            }
        }
        // Montgomery form is fully reduced: the limbs stay below p.
        for a in &values {
            let fa = Fe::from_slice(a).unwrap();
            for v in [fa.square(), fa * fa.double(), fa - fa.double(), -fa] {
                assert!(u256_lt(&v.limbs(), &P));
            }
        }
    }

    #[test]
    fn addition_handles_exceptional_cases() {
        let g = generator().unwrap();
        let j = Jacobian::from_affine(&g);
        let two = batch_normalize(&[j.double()]).unwrap()[0];
        let via_add = batch_normalize(&[j.add_affine(&g.x, &g.y)]).unwrap()[0];
        assert!(two.x == via_add.x && two.y == via_add.y);
        assert!(j.add_affine(&g.x, &(-g.y)).inf);
        let back = Jacobian::INFINITY.add_affine(&g.x, &g.y);
        assert!(!back.inf && back.x == g.x && back.y == g.y);
    }
}
