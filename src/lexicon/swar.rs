//! Byte classes of eight bytes at a time, for the scanners' hot loops (the document
//! vocabulary here, the words stage's tokenizer, the layout passes' line and bracket
//! scans): a branch per byte would mispredict at the end of nearly every run, and words
//! are short.
//!
//! Each classifier marks each byte of a little-endian 8-byte load with 0x80 when it is
//! in the class, and clears every other bit. The arithmetic clears the high bits first
//! so that no addition carries into the next byte; a byte then has its high bit set by
//! `+ (0x80 - lo)` iff it is ≥ `lo`.

pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
pub(crate) const HIGH: u64 = ONES * 0x80;

/// The eight bytes at `i` as a little-endian word.
#[inline(always)]
pub(crate) fn load8(bytes: &[u8], i: usize) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&bytes[i..i + 8]);
    u64::from_le_bytes(word)
}

/// The `len` (1 to 8) bytes of `bytes` at `i` as a little-endian word, zero-padded: one
/// load where the text goes on for eight bytes from `i`, as it does for all but its last
/// word (the bytes past `i + len` are masked off). Short words keyed this way compare as
/// one register.
#[inline(always)]
pub(crate) fn load_prefix(bytes: &[u8], i: usize, len: usize) -> u64 {
    debug_assert!((1..=8).contains(&len) && i + len <= bytes.len());
    match bytes.get(i..i + 8) {
        Some(_) => load8(bytes, i) & (u64::MAX >> (64 - 8 * len)),
        None => load_short_tail(&bytes[i..i + len]),
    }
}

/// The `len` (1 to 16) bytes of `bytes` at `i` as two little-endian words, zero-padded
/// (the second 0 for eight bytes or fewer): a short string as a key of two registers.
#[inline(always)]
pub(crate) fn load_prefix16(bytes: &[u8], i: usize, len: usize) -> [u64; 2] {
    debug_assert!((1..=16).contains(&len));
    let low = load_prefix(bytes, i, len.min(8));
    let high = if len > 8 {
        load_prefix(bytes, i + 8, len - 8)
    } else {
        0
    };
    [low, high]
}

/// [`load_prefix`] of the last bytes of a text, fewer than eight from their start.
#[cold]
fn load_short_tail(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    u64::from_le_bytes(word)
}

/// 0x80 in each byte of `w` that is an ASCII letter.
#[inline(always)]
pub(crate) fn ascii_letters(w: u64) -> u64 {
    // Fold case first: then one range, `a..=z`, covers both.
    let x = (w | (ONES * 0x20)) & !HIGH;
    let at_least_a = x + ONES * (0x80 - u64::from(b'a'));
    let above_z = x + ONES * (0x80 - u64::from(b'z') - 1);
    at_least_a & !above_z & !w & HIGH
}

/// 0x80 in each byte of `w` that is an ASCII capital letter.
#[inline(always)]
pub(crate) fn ascii_uppercase(w: u64) -> u64 {
    // A letter is a capital when its 0x20 bit is clear; `<< 2` moves that bit to 0x80
    // within the same byte.
    ascii_letters(w) & !(w << 2)
}

/// 0x80 in each byte of `w` that is an ASCII lowercase letter: one range, without
/// the case fold of [`ascii_letters`].
#[inline(always)]
pub(crate) fn ascii_lowercase(w: u64) -> u64 {
    let x = w & !HIGH;
    let at_least_a = x + ONES * (0x80 - u64::from(b'a'));
    let above_z = x + ONES * (0x80 - u64::from(b'z') - 1);
    at_least_a & !above_z & !w & HIGH
}

/// 0x80 in each byte of `w` that is an ASCII digit.
#[inline(always)]
pub(crate) fn ascii_digits(w: u64) -> u64 {
    let x = w & !HIGH;
    let at_least_0 = x + ONES * (0x80 - u64::from(b'0'));
    let above_9 = x + ONES * (0x80 - u64::from(b'9') - 1);
    at_least_0 & !above_9 & !w & HIGH
}

/// 0x80 in each byte of `w` that is below `n` (at most 0x80).
#[inline(always)]
pub(crate) fn below(w: u64, n: u8) -> u64 {
    let at_least_n = (w & !HIGH) + ONES * (0x80 - u64::from(n));
    !at_least_n & !w & HIGH
}

/// `b` in every byte of a word.
#[inline(always)]
pub(crate) const fn splat(b: u8) -> u64 {
    ONES * b as u64
}

/// 0x80 in each byte of `w` that is zero, exact in every byte: a byte's low seven bits
/// plus 0x7F carry into its high bit unless they are all zero, and never into the next
/// byte. (The shorter `(w - ONES) & !w & HIGH` is exact only up to the first zero.)
#[inline(always)]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    let low = splat(0x7F);
    !(((w & low) + low) | w) & HIGH
}

/// 0x80 in each byte of `w` that equals `b`, exact in every byte (see [`zero_bytes`]).
#[inline(always)]
pub(crate) fn bytes_equal(w: u64, b: u8) -> u64 {
    zero_bytes(w ^ splat(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_its_bytes_zero_padded_at_every_offset() {
        // Offsets near the end of the text take the byte-copy path, the others one load.
        let text = b"internationalisation\xff\x01";
        for i in 0..text.len() {
            for len in 1..=8.min(text.len() - i) {
                let mut padded = [0u8; 8];
                padded[..len].copy_from_slice(&text[i..i + len]);
                assert_eq!(
                    load_prefix(text, i, len),
                    u64::from_le_bytes(padded),
                    "{i} {len}"
                );
            }
        }
    }

    #[test]
    fn classes_match_their_scalar_definitions() {
        for b in 0..=255u8 {
            // Each byte value beside neighbours that could carry into it or borrow.
            let w = u64::from_le_bytes([b'.', b, 0xFF, b'x', b, 0xC3, b, 0]);
            let expect = |f: &dyn Fn(u8) -> bool| {
                let bytes = w.to_le_bytes();
                (0..8).fold(0u64, |m, k| m | (u64::from(f(bytes[k])) << (8 * k + 7)))
            };
            assert_eq!(
                ascii_letters(w),
                expect(&|b| b.is_ascii_alphabetic()),
                "{b:#x}"
            );
            assert_eq!(
                ascii_uppercase(w),
                expect(&|b| b.is_ascii_uppercase()),
                "{b:#x}"
            );
            assert_eq!(ascii_digits(w), expect(&|b| b.is_ascii_digit()), "{b:#x}");
            for n in [1, 0x21, 0x41, 0x80] {
                assert_eq!(below(w, n), expect(&|b| b < n), "{b:#x} < {n:#x}");
            }
        }
        assert_eq!(load8(b"abcdefghi", 1), u64::from_le_bytes(*b"bcdefghi"));
    }

    #[test]
    fn lowercase_marks_exactly_the_lowercase_letters() {
        for b in 0..=255u8 {
            // Each byte value beside neighbours that could carry into it or borrow.
            let w = u64::from_le_bytes([b'`', b, 0xFF, b'{', b, 0xE1, b, 0]);
            let expect = w.to_le_bytes().iter().enumerate().fold(0u64, |m, (k, c)| {
                m | u64::from(c.is_ascii_lowercase()) << (8 * k + 7)
            });
            assert_eq!(ascii_lowercase(w), expect, "{b:#x}");
        }
    }

    #[test]
    fn bytes_equal_marks_exactly_the_equal_bytes() {
        // Every byte of the word is tested, zero and equal bytes next to each other
        // included: a borrow or carry across bytes would mark a neighbour.
        for b in [0u8, 1, b'(', b')', b'[', b']', 0x7f, 0x80, 0xa9, 0xff] {
            for probe in 0..=255u8 {
                let word = u64::from_le_bytes([probe, b, 0, 0xff, b ^ 0x80, 0x7f, b, probe]);
                let marks = |f: &dyn Fn(u8) -> bool| {
                    word.to_le_bytes()
                        .iter()
                        .enumerate()
                        .fold(0u64, |m, (i, &c)| m | u64::from(f(c)) << (8 * i + 7))
                };
                assert_eq!(
                    bytes_equal(word, b),
                    marks(&|c| c == b),
                    "{b:#x} {probe:#x}"
                );
                assert_eq!(zero_bytes(word), marks(&|c| c == 0), "{probe:#x}");
            }
        }
        assert_eq!(splat(b'a'), u64::from_le_bytes([b'a'; 8]));
    }
}
