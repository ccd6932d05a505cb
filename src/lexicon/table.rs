//! A hash table from byte strings to small values, for the two hot paths of the lexicon:
//! loading 136k dictionary words at start-up and counting every token of a document.
//!
//! A general-purpose map spends most of that time on things this use does not need:
//! one heap string per key, a general hasher fed through the `Hash` trait, and a
//! `memcmp` call per probe. Here the keys live in one byte buffer the
//! caller owns (the embedded dictionary text, or the document vocabulary's arena) and
//! slots refer to them by offset; a slot carries 32 bits of the hash, so a probe
//! compares bytes only on a near-certain match, and the comparison of short keys is
//! done in registers.

use std::sync::OnceLock;

/// Open addressing with linear probing, at most half full.
#[derive(Clone)]
pub(super) struct StrTable<V> {
    slots: Vec<Slot<V>>,
    len: usize,
    /// Copied from the process-wide seed so hashing does not touch a `OnceLock`.
    seed: u64,
}

#[derive(Clone, Copy)]
struct Slot<V> {
    /// High half of the key's hash with the low bit set; 0 marks an empty slot.
    tag: u32,
    start: u32,
    len: u32,
    value: V,
}

/// Slots are meaningless without the key store, so show only the size.
impl<V> std::fmt::Debug for StrTable<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StrTable")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl<V: Copy + Default> Default for StrTable<V> {
    fn default() -> StrTable<V> {
        StrTable::with_capacity(0)
    }
}

impl<V: Copy + Default> StrTable<V> {
    /// A table that holds `n` keys without growing.
    pub(super) fn with_capacity(n: usize) -> StrTable<V> {
        StrTable {
            slots: empty_slots((n.max(4) * 2).next_power_of_two()),
            len: 0,
            seed: seed(),
        }
    }

    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// The value stored for `key`, whose bytes the table finds in `store`.
    #[inline]
    pub(super) fn get(&self, store: &[u8], key: &[u8]) -> Option<V> {
        self.find(store, key, tag(self.seed, key))
            .ok()
            .map(|i| self.slots[i].value)
    }

    /// The value for `key`; on a miss the key is appended to `arena` and its value
    /// starts as `V::default()`.
    #[inline]
    pub(super) fn entry(&mut self, arena: &mut String, key: &str) -> &mut V {
        let tag = tag(self.seed, key.as_bytes());
        let i = match self.find(arena.as_bytes(), key.as_bytes(), tag) {
            Ok(i) => i,
            Err(i) => {
                let start = arena.len();
                arena.push_str(key);
                self.occupy(i, tag, start, key.len(), V::default())
            }
        };
        &mut self.slots[i].value
    }

    /// Maps the key `store[start..start + len]` to `value`, replacing any earlier value.
    pub(super) fn insert_stored(&mut self, store: &[u8], start: usize, len: usize, value: V) {
        let key = &store[start..start + len];
        let tag = tag(self.seed, key);
        match self.find(store, key, tag) {
            Ok(i) => self.slots[i].value = value,
            Err(i) => {
                self.occupy(i, tag, start, len, value);
            }
        }
    }

    /// Fills the vacancy `i` found for `tag` (growing first if the table is half full)
    /// and returns the slot index used.
    fn occupy(&mut self, i: usize, tag: u32, start: usize, len: usize, value: V) -> usize {
        let i = if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
            self.vacancy(tag)
        } else {
            i
        };
        self.len += 1;
        self.slots[i] = Slot {
            tag,
            start: offset(start),
            len: offset(len),
            value,
        };
        i
    }

    /// Every `(start, len, value)`, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (usize, usize, V)> + '_ {
        self.slots
            .iter()
            .filter(|s| s.tag != 0)
            .map(|s| (s.start as usize, s.len as usize, s.value))
    }

    /// `Ok(slot holding key)` or `Err(empty slot where it would go)`.
    #[inline(always)]
    fn find(&self, store: &[u8], key: &[u8], tag: u32) -> Result<usize, usize> {
        let mask = self.slots.len() - 1;
        let mut i = home(tag) & mask;
        loop {
            let slot = &self.slots[i];
            if slot.tag == 0 {
                return Err(i);
            }
            if slot.tag == tag && slot.len as usize == key.len() {
                let start = slot.start as usize;
                if bytes_eq(&store[start..start + key.len()], key) {
                    return Ok(i);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The first empty slot on `tag`'s probe sequence.
    fn vacancy(&self, tag: u32) -> usize {
        let mask = self.slots.len() - 1;
        let mut i = home(tag) & mask;
        while self.slots[i].tag != 0 {
            i = (i + 1) & mask;
        }
        i
    }

    fn grow(&mut self) {
        let bigger = empty_slots(self.slots.len() * 2);
        let old = std::mem::replace(&mut self.slots, bigger);
        for slot in old.into_iter().filter(|s| s.tag != 0) {
            let i = self.vacancy(slot.tag);
            self.slots[i] = slot;
        }
    }
}

fn empty_slots<V: Copy + Default>(n: usize) -> Vec<Slot<V>> {
    vec![
        Slot {
            tag: 0,
            start: 0,
            len: 0,
            value: V::default(),
        };
        n
    ]
}

/// Where a key's probe sequence starts. The tag's low bit is always set, so skip it.
#[inline]
fn home(tag: u32) -> usize {
    (tag >> 1) as usize
}

/// Offsets and lengths are stored in 32 bits: a document or dictionary of 4 GiB of
/// distinct words is far beyond anything this table is used for.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("lexicon table keys exceed 4 GiB")
}

/// 32 well-mixed bits of `key`'s hash, never 0 (0 marks an empty slot).
///
/// Keys are words, nearly all under 16 bytes, so the hash reads a short key with two
/// overlapping loads instead of a loop and a padded copy, and mixes with a folded
/// multiply (the construction of foldhash and wyhash). It is seeded once per process so
/// a hostile document cannot aim its words at one slot and make counting quadratic.
#[inline(always)]
fn tag(seed: u64, key: &[u8]) -> u32 {
    const K0: u64 = 0x9E37_79B9_7F4A_7C15;
    const K1: u64 = 0x2D35_8DCC_AA6C_78A5;
    let n = key.len();
    let mut h = seed ^ (n as u64).wrapping_mul(K0);
    let (a, b) = match n {
        0 => (0, 0),
        1..=3 => {
            let v =
                (u64::from(key[0]) << 16) | (u64::from(key[n / 2]) << 8) | u64::from(key[n - 1]);
            (v, 0)
        }
        4..=7 => (u64::from(load4(key, 0)), u64::from(load4(key, n - 4))),
        8..=16 => (load8(key, 0), load8(key, n - 8)),
        _ => {
            let mut i = 0;
            while n - i > 16 {
                h = fold(load8(key, i) ^ h, load8(key, i + 8) ^ K1);
                i += 16;
            }
            // The last 16 bytes, overlapping what the loop read.
            (load8(key, n - 16), load8(key, n - 8))
        }
    };
    // One folded multiply mixes well enough for a tag (foldhash finishes the same way).
    let h = fold(a ^ h, b ^ K1);
    ((h >> 32) as u32) | 1
}

#[inline(always)]
fn load8(s: &[u8], i: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(bytes)
}

#[inline(always)]
fn load4(s: &[u8], i: usize) -> u32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&s[i..i + 4]);
    u32::from_le_bytes(bytes)
}

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u8(0);
        hasher.finish()
    })
}

/// Byte equality without a `memcmp` call for keys up to 16 bytes (nearly all words):
/// two overlapping loads compare the whole key.
#[inline(always)]
fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len();
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => load4(a, 0) == load4(b, 0) && load4(a, n - 4) == load4(b, n - 4),
        8..=16 => load8(a, 0) == load8(b, 0) && load8(a, n - 8) == load8(b, n - 8),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_finds_and_grows() {
        let mut store = String::new();
        let mut table = StrTable::<u32>::with_capacity(1);
        let words: Vec<String> = (0..1000)
            .map(|i| format!("w{i}x{}", "y".repeat(i % 20)))
            .collect();
        for (n, word) in words.iter().enumerate() {
            for _ in 0..=n % 3 {
                *table.entry(&mut store, word) += 1;
            }
        }
        assert_eq!(table.len(), words.len());
        for (n, word) in words.iter().enumerate() {
            assert_eq!(
                table.get(store.as_bytes(), word.as_bytes()),
                Some(n as u32 % 3 + 1)
            );
        }
        assert_eq!(table.get(store.as_bytes(), b"w1"), None);
        assert_eq!(table.iter().count(), words.len());

        let first = table.iter().next().unwrap();
        let store = store.as_bytes();
        table.insert_stored(store, first.0, first.1, 7);
        assert_eq!(
            table.get(store, &store[first.0..first.0 + first.1]),
            Some(7)
        );
        assert_eq!(table.len(), words.len());
    }

    #[test]
    fn hash_depends_on_every_byte() {
        let a: Vec<u8> = (b'a'..=b'z').chain(b'a'..=b'z').collect();
        for n in 1..a.len() {
            for i in 0..n {
                let mut b = a[..n].to_vec();
                b[i] ^= 0x20;
                assert_ne!(tag(7, &a[..n]), tag(7, &b), "length {n}, byte {i}");
            }
        }
    }

    #[test]
    fn bytes_eq_checks_every_length() {
        let a: Vec<u8> = (0..40).collect();
        for n in 0..40 {
            assert!(bytes_eq(&a[..n], &a[..n]));
            for i in 0..n {
                let mut b = a[..n].to_vec();
                b[i] ^= 0x20;
                assert!(!bytes_eq(&a[..n], &b), "length {n}, byte {i}");
            }
        }
    }
}
