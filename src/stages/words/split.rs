//! Glued words: finding the known words a non-word token is made of (`thesame` →
//! `the same`, whole lines of `wanttosaysomethingfurther` from extractors that lose
//! spaces).
//!
//! The segmentation is the most probable sequence of known words under a unigram model
//! (Viterbi over the token's letters, each word costing `-log10 P(word)`), which
//! prefers few, long, common words. Whether to *act* on it is decided separately, from
//! the evidence at each boundary: a boundary is *attested* when the two words around
//! it are a known English bigram (`the same`), and a boundary between two words that
//! merely exist is not enough — `git|workflows` and `sub|processes` are real words
//! each, yet the tokens are identifiers and compounds.

use super::vocab::Vocab;
use crate::lexicon::{Lexicon, PieceScreen};

/// Longest part tried: longer English words are too rare to matter.
const MAX_PART: usize = 24;

/// A segmentation of a token and the evidence for it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Split {
    /// Byte offsets inside the token where a space goes, ascending.
    pub(super) cuts: Vec<usize>,
    /// The parts, for the report.
    pub(super) parts: Vec<String>,
    /// Boundaries whose two words are a known bigram.
    pub(super) attested: usize,
    /// Parts that are function words (`the`, `of`, `on`; see [`FUNCTION_WORDS`]).
    pub(super) function_words: usize,
    /// A one-letter part between two others (`valid|a|table`, `look|a|heads`): how
    /// compounds most often fall apart into words.
    pub(super) inner_letter: bool,
}

/// Closed-class words: articles, prepositions, conjunctions, pronouns, auxiliaries.
///
/// Glued text nearly always contains one — they are a third of running English, and
/// the narrow spaces around short words are the ones extractors lose — while a closed
/// compound almost never ends or starts with one (`name|space`, `bug|fixes`,
/// `file|system`). So a short split must produce one.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "into", "as",
    "about", "after", "before", "over", "under", "between", "through", "during", "without", "and",
    "or", "but", "if", "that", "than", "then", "when", "where", "what", "how", "is", "are", "was",
    "were", "be", "been", "has", "have", "had", "do", "does", "did", "it", "its", "this", "these",
    "those", "there", "here", "we", "he", "she", "they", "you", "me", "him", "us", "them", "his",
    "her", "their", "our", "your", "my", "not", "no", "all", "any", "each", "some", "such", "can",
    "will", "would", "should", "may", "which", "who",
];

pub(super) fn is_function_word(part: &str) -> bool {
    part.len() <= 7 && FUNCTION_WORDS.iter().any(|f| f.eq_ignore_ascii_case(part))
}

impl Split {
    pub(super) fn boundaries(&self) -> usize {
        self.cuts.len()
    }
}

/// How likely `part` is as a word of running English, as `log10 P`; `None` when it may
/// not be a part at all.
///
/// Short parts are where segmentations go wrong (every 1–2 letter string is some
/// abbreviation), so they must be very common words. A part has no capital after its
/// first letter (see [`segment`], which asks about no other).
///
/// `may_be_english`: whether the dictionary may know the part (`false` is certain, see
/// [`PieceScreen`]): most pieces of a token are no word, and are told so without a
/// probe.
fn part_logp(
    part: &str,
    may_be_english: bool,
    lexicon: &Lexicon,
    vocab: &Vocab<'_>,
) -> Option<f32> {
    let bytes = part.as_bytes();
    debug_assert!(!bytes[1..].iter().any(u8::is_ascii_uppercase), "{part}");
    let zipf = if may_be_english {
        lexicon.zipf(part)
    } else {
        0.0
    };
    let min = match part.len() {
        1 => {
            return matches!(part, "a" | "A" | "I").then_some(zipf - 9.0);
        }
        2 => 5.0,
        3 => 3.5,
        _ => 2.5,
    };
    if zipf >= min {
        return Some(zipf - 9.0);
    }
    // A word this document uses whole elsewhere is a word, even if the dictionary
    // lacks it (terms, names).
    // (No count is more than 0 where the outline says so.)
    if part.len() >= 4 && vocab.may_count_ci(part.len(), |k| bytes[k]) && vocab.count(part) >= 2 {
        return Some(3.0 - 9.0);
    }
    None
}

/// The best segmentation of `token` (ASCII letters) into two or more known words, with
/// its evidence, or `None` when there is none.
pub(super) fn segment(token: &str, lexicon: &Lexicon, vocab: &Vocab<'_>) -> Option<Split> {
    let n = token.len();
    if n < 4 || !token.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let screen: PieceScreen<'_> = lexicon.piece_screen(token);
    // best[i]: the best log-probability of token[..i] and where its last part starts.
    let mut best: Vec<Option<(f32, usize)>> = vec![None; n + 1];
    best[0] = Some((0.0, 0));
    // The last capital of `token[..end]` (0 when none).
    let mut last_capital = 0;
    for end in 1..=n {
        if token.as_bytes()[end - 1].is_ascii_uppercase() {
            last_capital = end - 1;
        }
        // A capital is allowed only on a part's first letter (`Alice` may be a part,
        // `aLice` may not): a part ending at `end` starts at the last capital before it
        // or after, and no other is asked about.
        for start in end.saturating_sub(MAX_PART).max(last_capital)..end {
            let Some((before, _)) = best[start] else {
                continue;
            };
            // The whole token as one part is the reading being replaced, not a split.
            if start == 0 && end == n {
                continue;
            }
            let part = &token[start..end];
            let may_be_english = screen.may_contain(start, end);
            let Some(logp) = part_logp(part, may_be_english, lexicon, vocab) else {
                continue;
            };
            let score = before + logp;
            if best[end].is_none_or(|(s, _)| score > s) {
                best[end] = Some((score, start));
            }
        }
    }
    best[n]?;
    let mut cuts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        if start > 0 {
            cuts.push(start);
        }
        end = start;
    }
    cuts.reverse();
    let mut bounds = Vec::with_capacity(cuts.len() + 2);
    bounds.push(0);
    bounds.extend(&cuts);
    bounds.push(n);
    let parts: Vec<String> = bounds
        .windows(2)
        .map(|w| token[w[0]..w[1]].to_owned())
        .collect();
    let attested = parts
        .windows(2)
        .filter(|pair| lexicon.bigram_logp(&pair[0], &pair[1]).is_some())
        .count();
    let function_words = parts.iter().filter(|p| is_function_word(p)).count();
    let inner_letter = parts.len() > 2 && parts[1..parts.len() - 1].iter().any(|p| p.len() == 1);
    Some(Split {
        cuts,
        parts,
        attested,
        function_words,
        inner_letter,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(token: &str) -> Option<Vec<String>> {
        segment(token, Lexicon::english(), &Vocab::default()).map(|s| s.parts)
    }

    #[test]
    fn splits_glued_words() {
        assert_eq!(parts("thesame").unwrap(), ["the", "same"]);
        assert_eq!(
            parts("wanttosaysomethingfurther").unwrap(),
            ["want", "to", "say", "something", "further"]
        );
    }

    #[test]
    fn glued_common_words_are_attested() {
        let split = segment("ofthe", Lexicon::english(), &Vocab::default()).unwrap();
        assert_eq!(split.attested, 1);
    }

    #[test]
    fn compounds_of_real_words_have_no_function_word() {
        for token in ["gitworkflows", "subprocesses", "namespace", "bugfixes"] {
            if let Some(split) = segment(token, Lexicon::english(), &Vocab::default()) {
                assert_eq!(split.function_words, 0, "{token}");
            }
        }
    }

    #[test]
    fn inner_single_letters_are_flagged() {
        let split = segment("validatable", Lexicon::english(), &Vocab::default());
        assert!(split.is_none_or(|s| s.inner_letter || s.function_words == 0));
    }

    #[test]
    fn capitals_start_parts() {
        assert_eq!(parts("thatAlicehas").unwrap(), ["that", "Alice", "has"]);
        assert_eq!(parts("ofThe").unwrap(), ["of", "The"]);
        assert!(parts("tHe").is_none() && parts("thEsame").is_none_or(|p| p[0] != "the"));
        // No part holds a capital after its first letter, however the capitals fall.
        for token in [
            "ThisGeneralPublicLicense",
            "sAMEthing",
            "AndTHEsame",
            "wantTOsay",
        ] {
            for part in parts(token).into_iter().flatten() {
                assert!(
                    !part[1..].bytes().any(|b| b.is_ascii_uppercase()),
                    "{token}: {part}"
                );
            }
        }
    }

    #[test]
    fn no_split_into_rare_fragments() {
        assert_eq!(parts("xqztvw"), None);
    }
}
