//! [`CertificateCache`]: parsed certificates, with their verifying keys,
//! kept across messages and threads.
//!
//! Every signed message carries its signer's certificate, and a busy
//! district sees the same few thousand enterprise certificates all day.
//! Parsing a certificate and building its key (an SM2 point decompression
//! and check, an RSA modulus setup, or a per-key precomputed table) costs
//! as much as the rest of the verification, so it is done once per
//! certificate: entries are keyed by the SHA-256 of the certificate DER.
//! The cache is bounded; when full, the least recently used entry goes.
//! Lookups take a read lock and bump an atomic counter, so threads
//! verifying in parallel do not contend on hits.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use crate::{Certificate, Error};

/// Entries kept by [`CertificateCache::default`]. An entry holds the
/// certificate and its key: a few KB, or, for an SM2 key with a
/// precomputed table (window 6, see `sm2::DEFAULT_WINDOW`), about 88 KB, so
/// the default bounds the cache at roughly 90 MB in the worst case.
pub const DEFAULT_CAPACITY: usize = 1024;

/// A bounded, thread-safe cache of parsed certificates by DER hash.
#[derive(Debug)]
pub struct CertificateCache {
    capacity: usize,
    clock: AtomicU64,
    entries: RwLock<HashMap<[u8; 32], Entry>>,
}

#[derive(Debug)]
struct Entry {
    cert: Certificate,
    last_used: AtomicU64,
}

impl Default for CertificateCache {
    fn default() -> Self {
        CertificateCache::new(DEFAULT_CAPACITY)
    }
}

impl CertificateCache {
    /// A cache holding at most `capacity` certificates (at least one).
    pub fn new(capacity: usize) -> CertificateCache {
        CertificateCache { capacity: capacity.max(1), clock: AtomicU64::new(0), entries: RwLock::new(HashMap::new()) }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(PoisonError::into_inner).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The certificate with this DER, parsed once and then served from the
    /// cache. Unparsable certificates are not cached.
    pub fn get_or_parse(&self, der: &[u8]) -> Result<Certificate, Error> {
        let key = crate::cert::sha256(der);
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        if let Some(e) = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
            e.last_used.store(tick, Ordering::Relaxed);
            return Ok(e.cert.clone());
        }
        // Parse outside the lock: another thread may do the same work for
        // the same certificate, which is harmless.
        let cert = Certificate::from_der(der)?;
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.contains_key(&key) && entries.len() >= self.capacity {
            let oldest = entries.iter().min_by_key(|(_, e)| e.last_used.load(Ordering::Relaxed)).map(|(k, _)| *k);
            if let Some(k) = oldest {
                entries.remove(&k);
            }
        }
        let entry = entries.entry(key).or_insert_with(|| Entry { cert, last_used: AtomicU64::new(tick) });
        Ok(entry.cert.clone())
    }
}

/// A bounded map from certificate fingerprint to a cached verdict, with
/// the same eviction as [`CertificateCache`] (used for chain results).
#[derive(Debug)]
pub(crate) struct VerdictCache<T> {
    capacity: usize,
    clock: AtomicU64,
    entries: RwLock<HashMap<[u8; 32], (T, AtomicU64)>>,
}

impl<T: Clone> VerdictCache<T> {
    pub(crate) fn new(capacity: usize) -> Self {
        VerdictCache { capacity: capacity.max(1), clock: AtomicU64::new(0), entries: RwLock::new(HashMap::new()) }
    }

    pub(crate) fn get_or_insert_with(&self, key: &[u8; 32], make: impl FnOnce() -> T) -> T {
        let tick = self.clock.fetch_add(1, Ordering::Relaxed);
        if let Some((v, used)) = self.entries.read().unwrap_or_else(PoisonError::into_inner).get(key) {
            used.store(tick, Ordering::Relaxed);
            return v.clone();
        }
        let value = make();
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.contains_key(key) && entries.len() >= self.capacity {
            let oldest = entries.iter().min_by_key(|(_, (_, u))| u.load(Ordering::Relaxed)).map(|(k, _)| *k);
            if let Some(k) = oldest {
                entries.remove(&k);
            }
        }
        entries.entry(*key).or_insert_with(|| (value, AtomicU64::new(tick))).0.clone()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_are_bounded_and_recent_ones_survive() {
        let c = VerdictCache::new(2);
        let k = |i: u8| [i; 32];
        assert_eq!(c.get_or_insert_with(&k(1), || 1), 1);
        assert_eq!(c.get_or_insert_with(&k(2), || 2), 2);
        // Touch 1, so 2 is the least recently used when 3 arrives.
        assert_eq!(c.get_or_insert_with(&k(1), || 99), 1);
        assert_eq!(c.get_or_insert_with(&k(3), || 3), 3);
        assert_eq!(c.get_or_insert_with(&k(1), || 99), 1);
        assert_eq!(c.get_or_insert_with(&k(2), || 22), 22);
    }
}
