//! The string hash and key comparison shared by the lexicon's two tables: the growable
//! [`StrTable`](super::table::StrTable) that counts a document's words, and the
//! [`FrozenTable`](super::frozen::FrozenTable)s of the dictionary, which the build script
//! lays out at compile time with this same code (it includes this file), so a key hashes
//! to the same slot when the table is built and when it is read.
//!
//! Keys are words, nearly all under 16 bytes, so the hash reads a short key with two
//! overlapping loads instead of a loop and a padded copy, and the comparison of short
//! keys is done in registers rather than through a `memcmp` call.

/// 32 well-mixed bits of `key`'s hash under `seed`, never 0 (0 marks an empty slot).
///
/// Mixes with a folded multiply (the construction of foldhash and wyhash).
#[inline(always)]
pub(super) fn tag(seed: u64, key: &[u8]) -> u32 {
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

/// Where a key's probe sequence starts. The tag's low bit is always set, so skip it.
#[inline(always)]
pub(super) fn home(tag: u32) -> usize {
    (tag >> 1) as usize
}

/// Byte equality without a `memcmp` call for keys up to 16 bytes (nearly all words):
/// two overlapping loads compare the whole key.
#[inline(always)]
pub(super) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
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

#[inline(always)]
fn fold(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

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
