//! A growable hash table from byte strings to small values, for counting every token of
//! a document: here for [`DocVocab`](super::DocVocab), and in the words stage, whose
//! keys are slices of the document itself (the dictionary's tables are built at compile
//! time: `frozen`).
//!
//! A general-purpose map spends most of that time on things this use does not need:
//! one heap string per key, a general hasher fed through the `Hash` trait, and a
//! `memcmp` call per probe. Here the keys live in one byte buffer the caller owns (the
//! document vocabulary's arena) and slots refer to them by offset; a slot carries 32
//! bits of the hash, so a probe compares bytes only on a near-certain match, and the
//! comparison of short keys is done in registers.

use std::sync::OnceLock;

use super::hash::{bytes_eq, home, tag};

/// Open addressing with linear probing, at most half full.
#[derive(Clone)]
pub(crate) struct StrTable<V> {
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
    pub(crate) fn with_capacity(n: usize) -> StrTable<V> {
        StrTable {
            slots: empty_slots((n.max(4) * 2).next_power_of_two()),
            len: 0,
            seed: seed(),
        }
    }

    /// How many keys the table holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// How many keys the table holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len() / 2
    }

    /// Empties the table, given the slots its keys were put in ([`StrTable::slot_of`])
    /// since it last grew: only those slots are emptied, rather than every slot, so a
    /// large table can be reused by a small document. Slots that are not all the
    /// table's filled ones leave none filled either: then every slot is emptied.
    pub(crate) fn clear_slots(&mut self, slots: &[u32]) {
        // Each filled slot is counted once, however often it is given.
        let mut emptied = 0;
        for &i in slots {
            if let Some(slot) = self.slots.get_mut(i as usize).filter(|s| s.tag != 0) {
                *slot = empty_slot();
                emptied += 1;
            }
        }
        if emptied != self.len {
            self.slots.fill(empty_slot());
        }
        self.len = 0;
    }

    /// The table's hash seed (process-wide), for a caller's own table of the same keys.
    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    /// The value stored for `key`, whose bytes the table finds in `store`.
    #[inline]
    pub(crate) fn get(&self, store: &[u8], key: &[u8]) -> Option<V> {
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

    /// The value for the key `store[start..end]`, which is also where the table keeps
    /// it, and the index of the key's slot, which stays its slot until the table grows
    /// (see [`StrTable::clear_slots`]); on a miss its value starts as `V::default()`.
    /// Every key must come from the same `store`.
    #[inline]
    pub(crate) fn slot_of(&mut self, store: &[u8], start: usize, end: usize) -> (u32, &mut V) {
        let key = &store[start..end];
        let tag = tag(self.seed, key);
        let i = match self.find(store, key, tag) {
            Ok(i) => i,
            Err(i) => self.occupy(i, tag, start, key.len(), V::default()),
        };
        // In range: a table of more than 2^32 slots is never made.
        (i as u32, &mut self.slots[i].value)
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
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, usize, V)> + '_ {
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
    vec![empty_slot(); n]
}

fn empty_slot<V: Default>() -> Slot<V> {
    Slot {
        tag: 0,
        start: 0,
        len: 0,
        value: V::default(),
    }
}

/// Offsets and lengths are stored in 32 bits: a document or dictionary of 4 GiB of
/// distinct words is far beyond anything this table is used for.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("lexicon table keys exceed 4 GiB")
}

/// The process-wide seed of the document tables, so that a hostile document cannot aim
/// its words at one slot and make counting quadratic.
fn seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u8(0);
        hasher.finish()
    })
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
    }

    #[test]
    fn keys_can_live_in_the_callers_store() {
        let text = b"to be or not to be";
        let mut table = StrTable::<u32>::with_capacity(1);
        for (start, end) in [(0, 2), (3, 5), (6, 8), (9, 12), (13, 15), (16, 18)] {
            *table.slot_of(text, start, end).1 += 1;
        }
        assert_eq!(table.len(), 4);
        assert_eq!(table.get(text, b"to"), Some(2));
        assert_eq!(table.get(text, b"be"), Some(2));
        assert_eq!(table.get(text, b"not"), Some(1));
        assert_eq!(table.get(text, b"t"), None);
    }

    #[test]
    fn cleared_slots_leave_an_empty_table_that_counts_afresh() {
        let text: String = (0..300).map(|i| format!("k{i} ")).collect();
        let spans: Vec<(usize, usize)> = text
            .match_indices(' ')
            .scan(0, |start, (end, _)| {
                let span = (*start, end);
                *start = end + 1;
                Some(span)
            })
            .collect();
        let store = text.as_bytes();
        let mut table = StrTable::<u32>::with_capacity(512);
        // The slots of all keys (some given twice), of some only, or none: each time
        // no slot stays filled, and the table counts the keys anew.
        for given in [300, 299, 150, 0] {
            let mut slots = Vec::new();
            for &(start, end) in &spans {
                let (slot, count) = table.slot_of(store, start, end);
                *count += 1;
                slots.push(slot);
            }
            assert_eq!(table.len(), 300);
            assert!(table.iter().all(|(_, _, count)| count == 1));
            slots.truncate(given);
            slots.extend_from_within(..given / 2);
            table.clear_slots(&slots);
            assert_eq!(table.len(), 0);
            assert_eq!(table.iter().count(), 0, "{given}");
            assert_eq!(table.get(store, b"k1"), None);
        }
    }
}
