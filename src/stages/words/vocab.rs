//! The document's own vocabulary: how often each word occurs whole, counted from the
//! stage's tokens, so the text is scanned once.
//!
//! This is [`crate::lexicon::DocVocab`]'s question asked of the tokens this stage
//! already has: a word the document writes whole elsewhere is a word, whatever the
//! dictionary says. Fragments — the halves of a word broken at a hyphen — are not
//! counted.
//!
//! The same pass also settles which tokens are dictionary words, once per distinct
//! word: running text repeats a few hundred words, and a hit in the document's small
//! table is several times cheaper than a probe of the 136k-word dictionary.

use super::tokens::{Shape, Token};
use crate::lexicon::StrTable;

/// Longest word whose case variants are looked up without allocating.
const STACK_WORD: usize = 32;

/// Word counts of one document.
#[derive(Debug, Default)]
pub(super) struct Vocab<'a> {
    /// The document: the table's keys are slices of it.
    text: &'a str,
    words: StrTable<Entry>,
}

/// What the stage knows of one distinct word.
#[derive(Clone, Copy, Debug, Default)]
struct Entry {
    /// Occurrences whole (not as a fragment).
    count: u32,
    /// Whether the dictionary knows it; asked only for the shapes that can be words.
    known: Known,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Known {
    #[default]
    Unasked,
    No,
    Yes,
}

impl<'a> Vocab<'a> {
    /// Counts the cores of `tokens` (spans of `text`) and returns, per token, whether
    /// its core is a word by `is_word` (the dictionary), asked once per distinct word
    /// and only of plain-letter shapes (`Lower`, `Capitalized`, `MixedCase`).
    pub(super) fn build(
        text: &'a str,
        tokens: &[Token],
        is_word: impl Fn(&str) -> bool,
    ) -> (Vocab<'a>, Vec<bool>) {
        let bytes = text.as_bytes();
        // Vocabulary grows far slower than text (Heaps' law): start small, let it grow.
        let mut words = StrTable::with_capacity((tokens.len() / 16).clamp(256, 8192));
        let mut in_lexicon = Vec::with_capacity(tokens.len());
        for token in tokens {
            let core = token.core();
            if core.is_empty() {
                in_lexicon.push(false);
                continue;
            }
            let entry: &mut Entry = words.entry_stored(bytes, core.start, core.end);
            let fragment = token.after_hyphen || bytes[token.chunk().end - 1] == b'-';
            entry.count += u32::from(!fragment);
            in_lexicon.push(match token.shape {
                Shape::Lower | Shape::Capitalized | Shape::MixedCase => {
                    if entry.known == Known::Unasked {
                        entry.known = if is_word(&text[core.range()]) {
                            Known::Yes
                        } else {
                            Known::No
                        };
                    }
                    entry.known == Known::Yes
                }
                Shape::ConfusableDigit | Shape::Other => false,
            });
        }
        (Vocab { text, words }, in_lexicon)
    }

    /// How often `word` occurs whole, exactly as written.
    pub(super) fn count(&self, word: &str) -> u32 {
        self.words
            .get(self.text.as_bytes(), word.as_bytes())
            .map_or(0, |e| e.count)
    }

    /// How often `word` occurs whole as written, in lowercase, capitalised or in
    /// capitals (the forms running text uses). Non-ASCII words: as written only.
    pub(super) fn count_ci(&self, word: &str) -> u32 {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > STACK_WORD || !word.is_ascii() {
            return self.count(word);
        }
        let n = bytes.len();
        let (mut lower, mut capital, mut upper) =
            ([0; STACK_WORD], [0; STACK_WORD], [0; STACK_WORD]);
        let (lower, capital, upper) = (&mut lower[..n], &mut capital[..n], &mut upper[..n]);
        lower.copy_from_slice(bytes);
        lower.make_ascii_lowercase();
        capital.copy_from_slice(lower);
        capital[0] = capital[0].to_ascii_uppercase();
        upper.copy_from_slice(bytes);
        upper.make_ascii_uppercase();
        let count = |form: &[u8]| std::str::from_utf8(form).map_or(0, |f| self.count(f));
        let mut total = count(lower);
        if capital != lower {
            total += count(capital);
        }
        if upper != capital && upper != lower {
            total += count(upper);
        }
        if ![&*lower, &*capital, &*upper].contains(&bytes) {
            total += count(bytes);
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    #[test]
    fn counts_whole_words_in_any_case_but_not_fragments() {
        let text = "Bauxite, bauxite and BAUXITE. The bau-\nxite of Weipa.";
        let tokens = tokenize(text);
        let (vocab, _) = Vocab::build(text, &tokens, |_| false);
        assert_eq!(vocab.count("bauxite"), 1);
        assert_eq!(vocab.count_ci("bauxite"), 3);
        assert_eq!(vocab.count_ci("Bauxite"), 3);
        assert_eq!(vocab.count("xite"), 0);
        assert_eq!(vocab.count("bau-"), 0);
        let text = "McGrath and MCGRATH";
        let (vocab, _) = Vocab::build(text, &tokenize(text), |_| false);
        assert_eq!(vocab.count_ci("McGrath"), 2);
    }

    #[test]
    fn asks_the_dictionary_once_per_distinct_plain_word() {
        let text = "the cat, the (cat) c1at the-end THE 42";
        let asked = std::cell::RefCell::new(Vec::new());
        let (_, known) = Vocab::build(text, &tokenize(text), |w| {
            asked.borrow_mut().push(w.to_owned());
            w.eq_ignore_ascii_case("the")
        });
        assert_eq!(known, [true, false, true, false, false, false, true, false]);
        assert_eq!(*asked.borrow(), ["the", "cat", "THE"]);
    }
}
