//! The letter quadgrams of the dictionary's words: a filter that tells most strings
//! that are no word from the few that may be one, without a probe of the dictionary.
//!
//! The words stage asks the dictionary about strings that are mostly no word at all:
//! every reading of a non-word one OCR mistake away (`cach` → `eaeh`, `cacl`, `each` …,
//! some 50 per token, of which one or two are words), and every piece of a token that
//! may be glued words. A probe of the 136k-word table costs a hash, a cache miss and
//! the case rules' second and third forms; most of these strings fail a far cheaper
//! test: they hold four letters in a row, counting the word's start and end, that no
//! dictionary word holds (`^eae`, `aeh$`).
//!
//! A *quad* is four consecutive symbols of `^word$`, where each ASCII letter is its
//! position in the alphabet in either case (`b & 0x1F`: 1 to 26) and `^`, `$` are 0.
//! Folding case makes the filter hold for every form the lookup tries (as written,
//! lower case, capitalised): they are the same letters. A quad is 20 bits, five per
//! symbol, and the set is a bit per possible quad (128 KiB), laid out by `build.rs`
//! from the dictionary's words of two or more ASCII letters: 54k quads of the 1M
//! possible, against which about four readings in five of a non-word fail.
//!
//! Only strings of two or more ASCII letters are filtered. A string with any other
//! byte (an apostrophe, a digit, a letter outside ASCII) may be found by rules that
//! change it (a possessive is looked up without its `'s`), so the filter lets it pass,
//! as it does a single letter (which has no quad).

/// Bits per quad: four symbols of five bits.
const QUAD_BITS: u32 = 20;

/// A quad's bits: the last four symbols read.
const QUAD_MASK: usize = (1 << QUAD_BITS) - 1;

/// Bytes of the bit set: one bit per possible quad.
pub(super) const SET_BYTES: usize = (1 << QUAD_BITS) / 8;

/// A set of quads, as laid out by [`build::quad_set`].
pub(super) struct QuadSet {
    bits: &'static [u8],
}

/// The bits are meaningless to read, so show only the size.
impl std::fmt::Debug for QuadSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuadSet")
            .field("bytes", &self.bits.len())
            .finish()
    }
}

impl QuadSet {
    /// Wraps a set written by [`build::quad_set`]. A set too short lets the quads it
    /// lacks pass, so a mismatch cannot make a word unknown.
    pub(super) const fn new(bits: &'static [u8]) -> QuadSet {
        QuadSet { bits }
    }

    /// A set that lets every string pass.
    pub(super) const fn everything() -> QuadSet {
        QuadSet { bits: &[] }
    }

    /// Whether a word whose letters are `word` may be in the set's dictionary: `false`
    /// is certain (one of its quads is in no word of the dictionary), `true` may be
    /// wrong, and always is the answer for a string that is not two or more ASCII
    /// letters. (The definition [`EditScreen`] is tested against.)
    #[cfg(test)]
    pub(super) fn may_contain(&self, word: &[u8]) -> bool {
        for_each_quad(word, |quad| self.has(quad))
    }

    /// `QuadSet::may_contain` of every edit of `token` (see [`EditScreen`]).
    pub(super) fn screen<'a>(&'a self, token: &'a [u8]) -> EditScreen<'a> {
        let n = token.len();
        // The token's quads that are certainly in no word, by where they end and start
        // in `^token$`: the quad at `start` is symbols `start..start + 4`, bytes
        // `start - 1..start + 3` (a quad over a byte that is no letter is no quad).
        let mut first_bad_end = usize::MAX;
        let mut last_bad_start = None;
        for start in 0..(n + 2).saturating_sub(3) {
            let bytes = &token[start.saturating_sub(1)..(start + 3).min(n)];
            if !bytes.iter().all(u8::is_ascii_alphabetic) {
                continue;
            }
            let quad = (start..start + 4).fold(0, |quad, k| quad << 5 | symbol_at(token, k));
            if !self.has(quad) {
                first_bad_end = first_bad_end.min(start + 3);
                last_bad_start = Some(start);
            }
        }
        EditScreen {
            set: self,
            token,
            first_other: token
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(n),
            last_other_end: token
                .iter()
                .rposition(|b| !b.is_ascii_alphabetic())
                .map_or(0, |k| k + 1),
            first_bad_end,
            last_bad_start,
        }
    }

    #[inline(always)]
    fn has(&self, quad: usize) -> bool {
        self.bits
            .get(quad / 8)
            .is_none_or(|byte| byte & (1 << (quad % 8)) != 0)
    }
}

/// `QuadSet::may_contain` of the strings one edit away from a token, each answered
/// without building the string: `token[..at]`, then `inserted`, then
/// `token[at + removed..]`.
///
/// Why it gives the same answer: every quad of the edited string lies in its first
/// part (`^` and `token[..at]`), in its last part (`token[at + removed..]` and `$`),
/// or in the window of at most three symbols before the edit, the inserted ones and
/// at most three after it. The quads of the first and last parts are the token's own,
/// at known places, so which of them are bad was found once per token; only the
/// window's few quads are read per edit.
pub(crate) struct EditScreen<'a> {
    set: &'a QuadSet,
    token: &'a [u8],
    /// Where the token's first byte that is no ASCII letter is (its length if none).
    first_other: usize,
    /// Just after its last byte that is no ASCII letter (0 if none).
    last_other_end: usize,
    /// The least index in `^token$` at which a bad quad of the token ends.
    first_bad_end: usize,
    /// The greatest index in `^token$` at which a bad quad of the token starts.
    last_bad_start: Option<usize>,
}

impl EditScreen<'_> {
    /// `QuadSet::may_contain` of `token[..at] + inserted + token[at + removed..]`.
    #[inline]
    pub(crate) fn may_contain(&self, at: usize, removed: usize, inserted: &[u8]) -> bool {
        let token = self.token;
        let resumes = at + removed;
        let len = token.len() - removed + inserted.len();
        let letters_only = self.first_other >= at
            && self.last_other_end <= resumes
            && inserted.iter().all(u8::is_ascii_alphabetic);
        if len < 2 || !letters_only {
            return true; // not judged, as `for_each_quad` says
        }
        // In `^token$`, `token[k]` is symbol `k + 1`: the first part is symbols
        // `..=at`, the last part symbols `resumes + 1..`.
        if self.first_bad_end <= at || self.last_bad_start.is_some_and(|s| s > resumes) {
            return false;
        }
        // The window: up to three symbols of the first part, the inserted ones, up to
        // three of the last part.
        let mut quad = 0usize;
        let mut read = 0;
        let mut visit = |symbol: usize| {
            quad = (quad << 5 | symbol) & QUAD_MASK;
            read += 1;
            read < 4 || self.set.has(quad)
        };
        let before = (at + 1).saturating_sub(3)..=at;
        let after = resumes + 1..=(resumes + 3).min(token.len() + 1);
        before.map(|k| symbol_at(token, k)).all(&mut visit)
            && inserted.iter().all(|&b| visit(usize::from(b & 0x1F)))
            && after.map(|k| symbol_at(token, k)).all(&mut visit)
    }
}

/// `QuadSet::may_contain` of every piece `token[start..end]` of a token of ASCII
/// letters, each answered in a few steps: the pieces that may be glued words of a
/// token are a quadratic number of strings, and most hold a quad no word holds.
///
/// Why it gives the same answer: a piece's quads are the one at its start (`^` and
/// its first three letters), the ones inside it (four of the token's letters in a
/// row), and the one at its end (its last three letters and `$`); a piece of two
/// letters has the one quad `^ab$`. Which starts, insides and ends are in no word is
/// found once per token; a piece is then judged by its start, its end, and whether
/// the first bad inside at or after its start lies wholly within it.
pub(crate) struct PieceScreen<'a> {
    set: &'a QuadSet,
    token: &'a [u8],
    /// Whether every byte of the token is an ASCII letter; if not, nothing is judged.
    letters: bool,
    /// Per `start`: whether `^` and `token[start..start + 3]` make a quad of the set.
    good_start: Vec<bool>,
    /// Per `end`: whether `token[end - 3..end]` and `$` make a quad of the set.
    good_end: Vec<bool>,
    /// Per `start`: the least `k >= start` whose quad `token[k..k + 4]` is in no word
    /// (the token's length if none).
    next_bad_inside: Vec<usize>,
}

impl QuadSet {
    /// The [`PieceScreen`] of `token`.
    pub(super) fn piece_screen<'a>(&'a self, token: &'a [u8]) -> PieceScreen<'a> {
        let n = token.len();
        let letters = token.iter().all(u8::is_ascii_alphabetic);
        let symbol = |k: usize| usize::from(token[k] & 0x1F);
        let quad = |a: usize, b: usize, c: usize, d: usize| a << 15 | b << 10 | c << 5 | d;
        let (mut good_start, mut good_end, mut next_bad_inside) =
            (vec![true; n + 1], vec![true; n + 1], vec![n; n + 1]);
        if letters {
            for k in 0..n.saturating_sub(2) {
                good_start[k] = self.has(quad(0, symbol(k), symbol(k + 1), symbol(k + 2)));
                good_end[k + 3] = self.has(quad(symbol(k), symbol(k + 1), symbol(k + 2), 0));
            }
            for k in (0..n.saturating_sub(3)).rev() {
                let inside = quad(symbol(k), symbol(k + 1), symbol(k + 2), symbol(k + 3));
                next_bad_inside[k] = if self.has(inside) {
                    next_bad_inside[k + 1]
                } else {
                    k
                };
            }
        }
        PieceScreen {
            set: self,
            token,
            letters,
            good_start,
            good_end,
            next_bad_inside,
        }
    }
}

impl PieceScreen<'_> {
    /// `QuadSet::may_contain` of `token[start..end]` (`start <= end <= token.len()`).
    #[inline]
    pub(crate) fn may_contain(&self, start: usize, end: usize) -> bool {
        if !self.letters || end - start < 2 {
            return true; // not judged, as `for_each_quad` says
        }
        if end - start == 2 {
            let symbol = |k: usize| usize::from(self.token[k] & 0x1F);
            return self.set.has(symbol(start) << 10 | symbol(start + 1) << 5);
        }
        self.good_start[start] && self.good_end[end] && self.next_bad_inside[start] + 4 > end
    }
}

/// Calls `visit` with each quad of `word`, left to right, while it returns `true`;
/// returns whether every call did. A string that is not two or more ASCII letters
/// has no quads: `visit` is not called and the answer is `true`.
///
/// The build and the lookup both read quads through this one function, so they cannot
/// disagree on what a quad is.
#[cfg_attr(not(test), allow(dead_code))] // the build's, and the tests'
#[inline(always)]
fn for_each_quad(word: &[u8], mut visit: impl FnMut(usize) -> bool) -> bool {
    if word.len() < 2 || !word.iter().all(u8::is_ascii_alphabetic) {
        return true;
    }
    // `^` is 0, so the quad before the first letter is all `^`; the first two letters
    // complete no quad yet.
    let mut quad = 0usize;
    for (k, &b) in word.iter().enumerate() {
        quad = (quad << 5 | usize::from(b & 0x1F)) & QUAD_MASK;
        if k >= 2 && !visit(quad) {
            return false;
        }
    }
    // The last three letters and `$` (0).
    visit((quad << 5) & QUAD_MASK)
}

/// Symbol `k` of `^token$`: 0 for `^` and `$`, a letter's place in the alphabet.
/// (Only read where every byte is an ASCII letter.)
#[inline(always)]
fn symbol_at(token: &[u8], k: usize) -> usize {
    match k.checked_sub(1).and_then(|i| token.get(i)) {
        Some(&b) => usize::from(b & 0x1F),
        None => 0,
    }
}

/// Laying out the set: run by the build script; in the library only by the tests,
/// which check the embedded set against the dictionary file.
#[cfg_attr(not(test), allow(dead_code))]
pub(super) mod build {
    use super::{for_each_quad, SET_BYTES};

    /// The bit set of the quads of `words` (see the module docs): [`SET_BYTES`] bytes,
    /// quad `q` in bit `q % 8` of byte `q / 8`.
    pub(crate) fn quad_set<'a>(words: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
        let mut bits = vec![0u8; SET_BYTES];
        for word in words {
            for_each_quad(word, |quad| {
                bits[quad / 8] |= 1 << (quad % 8);
                true
            });
        }
        bits
    }
}

#[cfg(test)]
mod tests {
    use super::build::quad_set;
    use super::*;

    fn set(words: &[&str]) -> QuadSet {
        QuadSet::new(quad_set(words.iter().map(|w| w.as_bytes())).leak())
    }

    #[test]
    fn every_word_and_its_case_forms_pass() {
        let words = [
            "at",
            "the",
            "bauxite",
            "Moscow",
            "NASA",
            "internationalisation",
        ];
        let quads = set(&words);
        for word in words {
            for form in [
                word.to_owned(),
                word.to_ascii_lowercase(),
                word.to_ascii_uppercase(),
            ] {
                assert!(quads.may_contain(form.as_bytes()), "{form}");
            }
        }
    }

    #[test]
    fn strings_with_a_foreign_quad_fail() {
        let quads = set(&["the", "bauxite", "each"]);
        // `^th$`: no word of two letters starts with `th`; `eae` is in no word.
        for string in ["th", "eaeh", "bauxitee", "thee", "he", "ach"] {
            assert!(!quads.may_contain(string.as_bytes()), "{string}");
        }
    }

    /// `token` as round `round` of a randomised test takes it, in turn: as it is, with
    /// one byte changed to one of `alphabet` (most often a non-word), or replaced by
    /// fewer than `max_bytes` bytes of `alphabet`.
    fn vary(
        mut token: Vec<u8>,
        round: usize,
        alphabet: &[u8],
        max_bytes: usize,
        rng: &mut crate::testing::XorShift,
    ) -> Vec<u8> {
        match round % 3 {
            0 => token,
            1 => {
                let at = rng.below(token.len());
                token[at] = alphabet[rng.below(alphabet.len())];
                token
            }
            _ => (0..rng.below(max_bytes))
                .map(|_| alphabet[rng.below(alphabet.len())])
                .collect(),
        }
    }

    #[test]
    fn a_screened_edit_is_judged_as_the_edited_string() {
        let words = [
            "the", "bauxite", "each", "modern", "clear", "hold", "will", "at",
        ];
        let quads = set(&words);
        let everything = QuadSet::everything();
        let mut rng = crate::testing::XorShift(0x5EED_1234);
        let alphabet = b"abcdehilmnortwxAE1-";
        let mut judged = [0usize; 2];
        for round in 0..3000 {
            // A word, or a word with a byte changed (most often a non-word), or bytes.
            let token = words[rng.below(words.len())].as_bytes().to_vec();
            let token = vary(token, round, alphabet, 8, &mut rng);
            for set in [&quads, &everything] {
                let screen = set.screen(&token);
                for at in 0..=token.len() {
                    for removed in 0..=(token.len() - at).min(2) {
                        let inserted: Vec<u8> = (0..rng.below(3))
                            .map(|_| alphabet[rng.below(alphabet.len())])
                            .collect();
                        let edited = [&token[..at], &inserted, &token[at + removed..]].concat();
                        let expected = set.may_contain(&edited);
                        assert_eq!(
                            screen.may_contain(at, removed, &inserted),
                            expected,
                            "{:?} -> {:?}",
                            String::from_utf8_lossy(&token),
                            String::from_utf8_lossy(&edited)
                        );
                        judged[usize::from(expected)] += 1;
                    }
                }
            }
        }
        // Both answers were tested often.
        assert!(judged.iter().all(|&n| n > 10_000), "{judged:?}");
    }

    #[test]
    fn a_screened_piece_is_judged_as_the_piece() {
        let words = [
            "the", "bauxite", "each", "modern", "clear", "hold", "will", "at", "same",
        ];
        let quads = set(&words);
        let everything = QuadSet::everything();
        let mut rng = crate::testing::XorShift(0x5EED_4321);
        let alphabet = b"abcdehilmnortwxAE1";
        let mut judged = [0usize; 2];
        for round in 0..2000 {
            // Glued words, or glued words with a byte changed, or bytes.
            let token: Vec<u8> = (0..1 + rng.below(4))
                .flat_map(|_| words[rng.below(words.len())].bytes())
                .collect();
            let token = vary(token, round, alphabet, 12, &mut rng);
            // A token with a byte that is no letter is not judged at all.
            let letters = token.iter().all(u8::is_ascii_alphabetic);
            for set in [&quads, &everything] {
                let screen = set.piece_screen(&token);
                for start in 0..=token.len() {
                    for end in start..=token.len() {
                        let expected = !letters || set.may_contain(&token[start..end]);
                        assert_eq!(
                            screen.may_contain(start, end),
                            expected,
                            "{:?}",
                            String::from_utf8_lossy(&token[start..end])
                        );
                        judged[usize::from(expected)] += 1;
                    }
                }
            }
        }
        // Both answers were tested often.
        assert!(judged.iter().all(|&n| n > 10_000), "{judged:?}");
    }

    #[test]
    fn strings_the_filter_does_not_judge_pass() {
        let quads = set(&["the"]);
        for string in ["", "x", "I", "c1ear", "don't", "naïve", "x-ray", "the's"] {
            assert!(quads.may_contain(string.as_bytes()), "{string}");
        }
        // A set too short judges nothing it lacks; the empty set nothing at all.
        let broken = QuadSet::new(&[0u8; 16]);
        assert!(broken.may_contain(b"xqzt"));
        assert!(QuadSet::everything().may_contain(b"xqzt"));
    }
}
