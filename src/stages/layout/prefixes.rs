//! Which short words a document writes as hyphenated prefixes (`non-match`,
//! `non-overlapping`, `self-test`), for the reflow pass to tell `non-⏎trivial` (the
//! author's `non-trivial`) from `pre-⏎cisely` (a word broken at the line end).
//!
//! The dictionary knows `nontrivial` as a word and cannot say that this author hyphenates
//! `non-`; the document can. A left part the document hyphenates before several other
//! words is one the author treats as a prefix with a hyphen.

use std::collections::HashSet;

/// The longest left part looked for: prefixes are short (`non`, `self`, `multi`).
const MAX_PREFIX: usize = 6;

/// For a few left parts chosen in advance, the distinct words the document writes
/// hyphenated after them, on one line (`non-match`).
#[derive(Debug, Default)]
pub(crate) struct HyphenatedPrefixes {
    /// The left parts asked about, lower case.
    wanted: HashSet<String>,
    /// `(left, right)` pairs seen, lower case.
    seen: HashSet<(String, String)>,
}

impl HyphenatedPrefixes {
    /// Registers a left part (ASCII letters, at most [`MAX_PREFIX`] of them; any other is
    /// ignored and never counts as a prefix).
    pub(crate) fn want(&mut self, left: &str) {
        if is_candidate(left) {
            self.wanted.insert(left.to_ascii_lowercase());
        }
    }

    /// Records every `left-word` of `text` whose left part was registered: one pass over
    /// the hyphens of the text.
    pub(crate) fn scan(&mut self, text: &str) {
        if self.wanted.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        for at in memchr::memchr_iter(b'-', bytes) {
            let left_len = bytes[..at]
                .iter()
                .rev()
                .take(MAX_PREFIX + 1)
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            // A whole word before the hyphen: nothing word-like glued to its start.
            let start = at - left_len;
            if left_len == 0
                || left_len > MAX_PREFIX
                || start
                    .checked_sub(1)
                    .is_some_and(|p| bytes[p].is_ascii_alphanumeric() || bytes[p] == b'-')
            {
                continue;
            }
            let right_len = bytes[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            if right_len == 0 {
                continue;
            }
            // Lower-cased on the stack: most hyphens of a text follow no wanted word.
            let mut buf = [0u8; MAX_PREFIX];
            buf[..left_len].copy_from_slice(&bytes[start..at]);
            buf.make_ascii_lowercase();
            let left = std::str::from_utf8(&buf[..left_len]).unwrap_or_default();
            if self.wanted.contains(left) {
                let right = text[at + 1..at + 1 + right_len].to_ascii_lowercase();
                self.seen.insert((left.to_owned(), right));
            }
        }
    }

    /// How many different words other than `except` the document writes hyphenated
    /// after `left`.
    pub(crate) fn words_after(&self, left: &str, except: &str) -> usize {
        if !is_candidate(left) {
            return 0;
        }
        let (left, except) = (left.to_ascii_lowercase(), except.to_ascii_lowercase());
        self.seen
            .iter()
            .filter(|(l, r)| *l == left && *r != except)
            .count()
    }
}

fn is_candidate(left: &str) -> bool {
    !left.is_empty() && left.len() <= MAX_PREFIX && left.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_distinct_words_after_a_wanted_left_part() {
        let mut p = HyphenatedPrefixes::default();
        p.want("non");
        p.want("pre");
        p.scan("a non-match, a Non-overlapping non-match and non-⏎ and co-op, x-non-y, anon-z");
        assert_eq!(p.words_after("non", "trivial"), 2);
        assert_eq!(p.words_after("NON", "match"), 1);
        assert_eq!(p.words_after("pre", "cisely"), 0);
        // Never registered, or not a candidate.
        assert_eq!(p.words_after("co", "operate"), 0);
        assert_eq!(p.words_after("nonsense", "x"), 0);
    }
}
