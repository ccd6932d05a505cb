//! The dictionary's hash tables, laid out at compile time so that loading the
//! dictionary costs nothing.
//!
//! Parsing 136k words and 165k bigrams into hash tables took most of the CPU time of a
//! run on a small file, and every process paid it again. Instead the build script
//! (`build.rs`, which includes this file and `hash.rs`) parses `rules/dict/*.txt` and
//! writes each table as two byte arrays that the library embeds with `include_bytes!`:
//! nothing is parsed or allocated at run time, and only the pages that a document's
//! words touch are ever read from the binary.
//!
//! The format, all integers little-endian:
//! * `slots`: a power-of-two number of `u32`s, at most two-thirds used; linear probing.
//!   0 marks an empty slot; otherwise the low 24 bits are the entry's offset in
//!   `entries` and the high 8 bits a *check*: 8 bits of the key's [`tag`] (its hash),
//!   never 0, so a probe reads the entry only on a likely match.
//! * `entries`: each key's length (one byte), its bytes and its `N` value bytes, so a
//!   hit reads the value from the cache line that held the key.
//!
//! Slots are four bytes because nearly every lookup of a document's word misses the
//! cache in them: the table of 136k words fits in a megabyte instead of two.
//!
//! The hash seed is fixed ([`SEED`]) because the build must agree with the reader. That
//! gives a hostile input nothing to aim at: the table is never written after the build,
//! so no lookup probes further than the longest run of used slots, fixed at build time.

use super::hash::{bytes_eq, home, tag};

/// The seed of every frozen table (any constant would do; see the module docs).
pub(super) const SEED: u64 = 0x5EED_0FD1_C7A8;

/// Offsets into `entries` are stored in 24 bits.
const MAX_ENTRIES: usize = 1 << 24;

/// A read-only hash table from byte strings to `N`-byte values, in the format above.
pub(super) struct FrozenTable<const N: usize> {
    slots: &'static [u8],
    entries: &'static [u8],
}

/// The slots are meaningless to read, so show only the size.
impl<const N: usize> std::fmt::Debug for FrozenTable<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrozenTable")
            .field("slots", &(self.slots.len() / 8))
            .finish_non_exhaustive()
    }
}

impl<const N: usize> FrozenTable<N> {
    /// Wraps a table written by [`build::freeze`]. `slots` must hold a power-of-two
    /// number of slots (the build checks); a mismatched pair finds nothing, or wrong
    /// values, but cannot make a lookup fail or loop.
    pub(super) const fn new(slots: &'static [u8], entries: &'static [u8]) -> FrozenTable<N> {
        FrozenTable { slots, entries }
    }

    /// The value stored for `key`.
    ///
    /// Always inlined: a dictionary lookup is a few probes of this, and nearly every
    /// probe is short (a hit on the first slot or two, or an empty slot), so a call's
    /// saving and restoring of registers cost as much as the probe.
    #[inline(always)]
    pub(super) fn get(&self, key: &[u8]) -> Option<[u8; N]> {
        let tag = tag(SEED, key);
        let check = check_of(tag);
        let n = self.slots.len() / 4;
        let mask = n.wrapping_sub(1);
        let mut i = home(tag) & mask;
        // At most `n` probes, so even a corrupt table full of non-matching slots ends.
        for _ in 0..n {
            let slot = slot_at(self.slots, i);
            if slot == 0 {
                return None;
            }
            if slot >> 24 == check {
                let start = (slot & OFFSET_MASK) as usize;
                if usize::from(*self.entries.get(start)?) == key.len() {
                    let stored = self.entries.get(start + 1..start + 1 + key.len() + N)?;
                    if bytes_eq(&stored[..key.len()], key) {
                        let mut value = [0u8; N];
                        value.copy_from_slice(&stored[key.len()..]);
                        return Some(value);
                    }
                }
            }
            i = (i + 1) & mask;
        }
        None
    }

    /// How many keys the table holds.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        (0..self.slots.len() / 4)
            .filter(|&i| slot_at(self.slots, i) != 0)
            .count()
    }
}

/// The low 24 bits of a slot: the entry's offset.
const OFFSET_MASK: u32 = (MAX_ENTRIES - 1) as u32;

/// A slot's check for `tag`: its top 8 bits, which [`home`] (the low bits) does not
/// use, made odd so that no used slot is 0.
#[inline(always)]
fn check_of(tag: u32) -> u32 {
    (tag >> 24) | 1
}

#[inline(always)]
fn slot_at(slots: &[u8], i: usize) -> u32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&slots[i * 4..i * 4 + 4]);
    u32::from_le_bytes(bytes)
}

/// Parsing the dictionary files and laying out the tables: run by the build script; in
/// the library only by the tests, which check the embedded tables against the files.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) mod build {
    use super::{check_of, home, tag, MAX_ENTRIES, OFFSET_MASK, SEED};

    /// A `(slots, entries)` pair for [`FrozenTable::new`](super::FrozenTable::new).
    /// A key given twice keeps its last value. Panics on a key longer than 255 bytes
    /// or more than 16 MiB of entries (the dictionary is far from either).
    pub(crate) fn freeze<'a, const N: usize>(
        pairs: impl IntoIterator<Item = Pair<'a, N>>,
    ) -> (Vec<u8>, Vec<u8>) {
        let pairs: Vec<_> = pairs.into_iter().collect();
        let size = (pairs.len() * 3 / 2).max(8).next_power_of_two();
        let mask = size - 1;
        let mut slots = vec![0u32; size];
        let mut entries = Vec::new();
        for (key, value) in pairs {
            let len = u8::try_from(key.len()).expect("dictionary key longer than 255 bytes");
            let tag = tag(SEED, key);
            let mut i = home(tag) & mask;
            loop {
                let slot = slots[i];
                if slot == 0 {
                    let start = entries.len();
                    assert!(
                        start + 1 + key.len() + N <= MAX_ENTRIES,
                        "dictionary too large"
                    );
                    entries.push(len);
                    entries.extend_from_slice(key);
                    entries.extend_from_slice(&value);
                    slots[i] = check_of(tag) << 24 | start as u32;
                    break;
                }
                let start = (slot & OFFSET_MASK) as usize;
                if slot >> 24 == check_of(tag)
                    && usize::from(entries[start]) == key.len()
                    && &entries[start + 1..start + 1 + key.len()] == key
                {
                    let value_at = start + 1 + key.len();
                    entries[value_at..value_at + N].copy_from_slice(&value);
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        let slots = slots.iter().flat_map(|s| s.to_le_bytes()).collect();
        (slots, entries)
    }

    /// A key and its value bytes.
    pub(crate) type Pair<'a, const N: usize> = (&'a [u8], [u8; N]);

    /// The `key<TAB>value` lines of `text` as `(key, value)` pairs, or the 1-based
    /// number and text of the first line that has no tab or whose value `parse` rejects.
    pub(crate) fn parse_lines<const N: usize>(
        text: &str,
        parse: impl Fn(&[u8]) -> Option<[u8; N]>,
    ) -> Result<Vec<Pair<'_, N>>, (usize, String)> {
        text.lines()
            .enumerate()
            .map(|(index, line)| {
                line.split_once('\t')
                    .and_then(|(key, value)| Some((key.as_bytes(), parse(value.as_bytes())?)))
                    .ok_or_else(|| (index + 1, line.to_owned()))
            })
            .collect()
    }

    /// A word's Zipf frequency in tenths, from one decimal: `7.6` → 76.
    pub(crate) fn zipf_tenths(value: &[u8]) -> Option<[u8; 1]> {
        Some([u8::try_from(parse_fixed(value, 1)?).ok()?])
    }

    /// A bigram's `log10 P` in hundredths, from two decimals (the sign is implied):
    /// `-3.44` → -344.
    pub(crate) fn logp_hundredths(value: &[u8]) -> Option<[u8; 2]> {
        let hundredths = parse_fixed(value.strip_prefix(b"-").unwrap_or(value), 2)?;
        Some((-i16::try_from(hundredths).ok()?).to_le_bytes())
    }

    /// A non-negative decimal with exactly `decimals` digits after the point, as an
    /// integer: `parse_fixed(b"7.6", 1) == Some(76)`.
    pub(crate) fn parse_fixed(s: &[u8], decimals: usize) -> Option<u32> {
        let point = s.iter().position(|&b| b == b'.')?;
        if point == 0 || point > 4 || s.len() != point + 1 + decimals {
            return None;
        }
        let mut value: u32 = 0;
        for &b in s[..point].iter().chain(&s[point + 1..]) {
            if !b.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::build::*;
    use super::*;

    /// Leaks the built arrays so a test can wrap them like the embedded ones.
    fn frozen<const N: usize>((slots, entries): (Vec<u8>, Vec<u8>)) -> FrozenTable<N> {
        FrozenTable::new(slots.leak(), entries.leak())
    }

    #[test]
    fn finds_every_key_and_nothing_else() {
        let words: Vec<String> = (0..5000)
            .map(|i| format!("w{i}x{}", "y".repeat(i % 40)))
            .collect();
        let table: FrozenTable<2> = frozen(freeze(
            words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.as_bytes(), (i as u16).to_le_bytes())),
        ));
        assert_eq!(table.len(), words.len());
        for (i, word) in words.iter().enumerate() {
            assert_eq!(table.get(word.as_bytes()), Some((i as u16).to_le_bytes()));
        }
        for missing in ["", "w", "w1", "w1y", "x", "w4999xyyyyyyyyyyyyyyyyyyyz"] {
            assert_eq!(table.get(missing.as_bytes()), None, "{missing}");
        }
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let table: FrozenTable<1> = frozen(freeze([(&b"a"[..], [1]), (b"b", [2]), (b"a", [3])]));
        assert_eq!(table.len(), 2);
        assert_eq!(table.get(b"a"), Some([3]));
        assert_eq!(table.get(b"b"), Some([2]));
    }

    #[test]
    fn an_empty_or_mismatched_table_finds_nothing() {
        let empty: FrozenTable<1> = FrozenTable::new(&[], &[]);
        assert_eq!(empty.get(b"the"), None);
        let (slots, _) = freeze([(&b"the"[..], [7u8])]);
        let wrong: FrozenTable<1> = FrozenTable::new(slots.leak(), b"th");
        assert_eq!(wrong.get(b"the"), None);
    }

    #[test]
    fn parsers_reject_malformed_values() {
        assert_eq!(parse_fixed(b"7.6", 1), Some(76));
        assert_eq!(parse_fixed(b"0.0", 1), Some(0));
        assert_eq!(parse_fixed(b"2.09", 2), Some(209));
        for bad in ["7", "7.", ".6", "7.66", "-1.0", "x.1", "1.x", "12345.6"] {
            assert_eq!(parse_fixed(bad.as_bytes(), 1), None, "{bad}");
        }
        assert_eq!(zipf_tenths(b"300.0"), None, "beyond a byte");
        assert_eq!(logp_hundredths(b"-0.25"), Some((-25i16).to_le_bytes()));
        assert_eq!(logp_hundredths(b"-x"), None);

        let ok = parse_lines("a\t1.5\nb c\t2.0\n", zipf_tenths).unwrap();
        assert_eq!(ok, [(&b"a"[..], [15]), (&b"b c"[..], [20])]);
        for (text, line) in [("a\t1.5\nb\t2\n", 2), ("a\t1.5\nd\n", 2), ("x\n", 1)] {
            assert_eq!(
                parse_lines(text, zipf_tenths).unwrap_err().0,
                line,
                "{text:?}"
            );
        }
    }
}
