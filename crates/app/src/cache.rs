//! Bounded caches a [`Session`](crate::Session) owns.

use std::collections::HashMap;
use std::sync::Mutex;

use friction_code::{ANALYZER_VERSION, FileMetrics, health};
use friction_store::{Store, StoreError};

/// Health and code lines per (blob id, language), as decoded from the store.
///
/// A scan measures `HEAD`, then its assessment and hotspot summary read the
/// same files: each stored measurement is decoded once, not three times.
/// Keyed like the store (the analyzer version is this binary's), so a hit
/// equals decoding the stored measurement again, and forgetting entries
/// changes nothing but time. At most `capacity` entries are kept: when full,
/// the cache starts over (a tree of git/git's size is about 4,000 entries).
#[derive(Debug)]
pub struct HealthCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

/// (blob id, language) → (health, code lines).
type Entries = HashMap<(String, String), (Option<f64>, u32)>;

/// Entries a session keeps by default: a few large trees.
pub const DEFAULT_HEALTH_ENTRIES: usize = 200_000;

impl Default for HealthCache {
    fn default() -> Self {
        HealthCache::with_capacity(DEFAULT_HEALTH_ENTRIES)
    }
}

impl HealthCache {
    /// A cache of at most `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        HealthCache {
            capacity: capacity.max(1),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The number of entries held now.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remembers the health and code lines of a measured blob.
    pub fn insert(&self, blob: &str, language: &str, value: (Option<f64>, u32)) {
        // A poisoned lock only loses the cache, never a result.
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= self.capacity {
                e.clear();
            }
            e.insert((blob.to_owned(), language.to_owned()), value);
        }
    }

    /// The health and code lines of a stored measurement: from the cache, or
    /// decoded from the store (and remembered). `(None, 0)` when the store has
    /// no readable measurement of it.
    pub fn health(
        &self,
        store: &Store,
        blob: &str,
        language: &str,
    ) -> Result<(Option<f64>, u32), StoreError> {
        if let Some(known) = self.cached(blob, language) {
            return Ok(known);
        }
        let data = store.code_metrics(blob, language, ANALYZER_VERSION)?;
        Ok(self.health_of(blob, language, data.as_deref()))
    }

    /// As [`HealthCache::health`], with the stored measurement already read
    /// (`Store::measured_tree` reads a whole tree's in one query).
    pub fn health_of(&self, blob: &str, language: &str, data: Option<&[u8]>) -> (Option<f64>, u32) {
        if let Some(known) = self.cached(blob, language) {
            return known;
        }
        let value = match data.and_then(FileMetrics::from_bytes) {
            Some(m) => (health::assess(&m).score, m.lines.code),
            None => return (None, 0),
        };
        self.insert(blob, language, value);
        value
    }

    fn cached(&self, blob: &str, language: &str) -> Option<(Option<f64>, u32)> {
        let key = (blob.to_owned(), language.to_owned());
        self.entries.lock().ok().and_then(|e| e.get(&key).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_starts_over_instead_of_growing() {
        let cache = HealthCache::with_capacity(2);
        cache.insert("a", "rust", (Some(9.0), 10));
        cache.insert("b", "rust", (Some(8.0), 20));
        assert_eq!(cache.len(), 2);
        cache.insert("c", "rust", (Some(7.0), 30));
        assert_eq!(cache.len(), 1);
    }
}
