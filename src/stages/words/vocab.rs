//! The document's own vocabulary: how often each word occurs whole, counted from the
//! stage's tokens, so the text is scanned once.
//!
//! This is [`crate::lexicon::DocVocab`]'s question asked of the tokens this stage
//! already has: a word the document writes whole elsewhere is a word, whatever the
//! dictionary says. Fragments — the halves of a word broken at a hyphen — are not
//! counted.

use std::collections::HashMap;

use super::tokens::Token;

/// Longest word whose case variants are looked up without allocating.
const STACK_WORD: usize = 32;

/// Word counts of one document.
#[derive(Debug, Default)]
pub(super) struct Vocab<'a> {
    counts: HashMap<&'a str, u32, foldhash::fast::RandomState>,
}

impl<'a> Vocab<'a> {
    /// Counts the cores of `tokens` (spans of `text`).
    pub(super) fn build(text: &'a str, tokens: &[Token]) -> Vocab<'a> {
        let mut counts: HashMap<&'a str, u32, _> = HashMap::default();
        for token in tokens {
            let word = &text[token.core().range()];
            let fragment = token.after_hyphen || text[token.chunk().range()].ends_with('-');
            if !word.is_empty() && !fragment {
                *counts.entry(word).or_insert(0) += 1;
            }
        }
        Vocab { counts }
    }

    /// How often `word` occurs whole, exactly as written.
    pub(super) fn count(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
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
        let vocab = Vocab::build(text, &tokens);
        assert_eq!(vocab.count("bauxite"), 1);
        assert_eq!(vocab.count_ci("bauxite"), 3);
        assert_eq!(vocab.count_ci("Bauxite"), 3);
        assert_eq!(vocab.count("xite"), 0);
        assert_eq!(vocab.count("bau-"), 0);
        let vocab = Vocab::build("McGrath and MCGRATH", &tokenize("McGrath and MCGRATH"));
        assert_eq!(vocab.count_ci("McGrath"), 2);
    }
}
