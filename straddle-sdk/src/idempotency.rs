//! Idempotency keys: a UUID v4 per call, whose 122 random bits come from
//! the operating system's random source, as `uuid::Uuid::new_v4` draws
//! them, but 256 keys at a time rather than with a system call per key.
//!
//! Why that is as safe as a key drawn on its own:
//! - Unguessable: every bit is the OS's (`getrandom`), read once and handed
//!   out once; nothing is derived or stretched. Only code that can read this
//!   process's memory could see keys before they are sent, and such code
//!   can read the API key as well.
//! - Unique: bytes leave the buffer once (under its lock), so two calls of
//!   one client never share a key short of a 122-bit collision, the same
//!   odds as separate draws.
//! - After `fork`: a child process starts with a copy of this buffer and
//!   would hand out the keys its parent hands out next. The buffer belongs
//!   to a client, beside its connection pool, and a client cannot be used
//!   on both sides of a fork: its pooled connections and its runtime's
//!   event queue would be shared by both processes, which neither reqwest
//!   nor tokio supports. A child that builds its own client (as it must)
//!   gets a buffer of its own, filled from the OS after the fork. A buffer
//!   per thread would not be: a thread's copy survives into the child.

use std::sync::{Mutex, PoisonError};

use reqwest::header::HeaderValue;
use uuid::Uuid;

/// Random bytes drawn from the OS at once: 256 keys, one page.
const REFILL: usize = 4096;
/// Random bytes per key (6 of the 128 bits are the version and variant).
const KEY_BYTES: usize = 16;

/// A client's source of idempotency keys.
#[derive(Default)]
pub(crate) struct KeySource {
    pool: Mutex<Pool>,
}

/// OS random bytes not handed out yet; empty until the first key.
#[derive(Default)]
struct Pool {
    bytes: Vec<u8>,
    next: usize,
}

impl KeySource {
    /// A new key: a UUID v4.
    pub(crate) fn key(&self) -> Uuid {
        match self.random_bytes() {
            Some(bytes) => uuid::Builder::from_random_bytes(bytes).into_uuid(),
            // The OS refused a large read: a key drawn on its own, as before.
            None => Uuid::new_v4(),
        }
    }

    /// 16 bytes from the pool, refilled from the OS when it runs out.
    fn random_bytes(&self) -> Option<[u8; KEY_BYTES]> {
        let mut pool = self.pool.lock().unwrap_or_else(PoisonError::into_inner);
        if pool.next + KEY_BYTES > pool.bytes.len() {
            pool.bytes.resize(REFILL, 0);
            if getrandom::fill(&mut pool.bytes).is_err() {
                pool.bytes.clear();
                pool.next = 0;
                return None;
            }
            pool.next = 0;
        }
        let start = pool.next;
        pool.next += KEY_BYTES;
        let mut key = [0; KEY_BYTES];
        key.copy_from_slice(&pool.bytes[start..start + KEY_BYTES]);
        // Handed out once: nothing later can read it from the pool.
        pool.bytes[start..start + KEY_BYTES].fill(0);
        Some(key)
    }
}

/// `key` as the `Idempotency-Key` header's value: lower-case, hyphenated.
pub(crate) fn header_value(key: Uuid) -> Option<HeaderValue> {
    let mut text = Uuid::encode_buffer();
    HeaderValue::from_str(key.hyphenated().encode_lower(&mut text)).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn keys_are_distinct_version_4_uuids_across_refills() {
        let source = KeySource::default();
        let keys: Vec<String> = (0..3 * REFILL / KEY_BYTES + 5)
            .map(|_| {
                let value = header_value(source.key()).unwrap();
                value.to_str().unwrap().to_string()
            })
            .collect();
        let distinct: HashSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len());
        for key in &keys {
            let id = Uuid::parse_str(key).unwrap();
            assert_eq!(id.get_version(), Some(uuid::Version::Random), "{key}");
            assert_eq!(id.get_variant(), uuid::Variant::RFC4122, "{key}");
            assert_eq!(key, &id.hyphenated().to_string(), "lower-case, hyphenated");
        }
    }

    #[test]
    fn two_sources_draw_different_keys() {
        let (a, b) = (KeySource::default(), KeySource::default());
        assert_ne!(a.key(), b.key());
    }
}
