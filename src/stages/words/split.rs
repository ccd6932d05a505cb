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

use std::cell::RefCell;
use std::collections::HashMap;

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
/// not be a part at all. `zipf` is the part's frequency in the dictionary (see
/// [`PieceZipfs`]).
///
/// Short parts are where segmentations go wrong (every 1–2 letter string is some
/// abbreviation), so they must be very common words. A part has no capital after its
/// first letter (see [`segment`], which asks about no other).
fn part_logp(part: &str, zipf: f32, vocab: &Vocab<'_>) -> Option<f32> {
    let bytes = part.as_bytes();
    debug_assert!(!bytes[1..].iter().any(u8::is_ascii_uppercase), "{part}");
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
    let mut zipfs = PieceZipfs::new(token, lexicon);
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
            let Some(logp) = part_logp(part, zipfs.get(start, end), vocab) else {
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

/// The dictionary's Zipf frequency of the pieces of a token that [`segment`] asks
/// about, each found once: 0.0 for most, which hold four letters in a row that no word
/// holds (see [`PieceScreen`]), else a lookup.
///
/// Under the built-in dictionary each thread keeps them from one document to the next,
/// as it keeps the OCR readings (`confusion::for_each_reading`): they depend on the
/// token and the dictionary alone, so a kept one is the one a lookup gives, and a corpus
/// repeats its non-words across documents. Which pieces `segment` asks about depends on
/// the document (on the parts its vocabulary makes words), so they are kept as asked,
/// per piece. A dictionary with user words belongs to one stage: nothing is kept.
struct PieceZipfs<'t> {
    token: &'t str,
    lexicon: &'t Lexicon,
    /// Made at the first piece to look up (none where every piece asked is kept).
    screen: Option<PieceScreen<'t>>,
    /// Per piece (see [`piece_index`]): its frequency, `NaN` until asked.
    kept: Vec<f32>,
    /// Whether `kept` goes back to the thread's memo when dropped.
    builtin: bool,
}

/// The most pieces whose frequencies a thread keeps (4 MiB); a full memo is emptied.
const KEPT_PIECES: usize = 1 << 20;

/// Per token, the frequencies of its pieces as asked (see [`PieceZipfs`]).
type KeptZipfs = HashMap<Box<str>, Vec<f32>, foldhash::fast::RandomState>;

thread_local! {
    /// The frequencies of pieces of tokens this thread has segmented under the built-in
    /// dictionary, and how many pieces that is.
    static KEPT_ZIPFS: RefCell<(KeptZipfs, usize)> = RefCell::default();
}

/// Where the piece `start..end` (1 to [`MAX_PART`] bytes) of a token is in the list of
/// its pieces' frequencies.
fn piece_index(start: usize, end: usize) -> usize {
    (end - 1) * MAX_PART + (end - start - 1)
}

impl<'t> PieceZipfs<'t> {
    fn new(token: &'t str, lexicon: &'t Lexicon) -> PieceZipfs<'t> {
        let builtin = lexicon.is_builtin();
        let pieces = token.len() * MAX_PART;
        // Taken out of the memo while in use, and put back when dropped.
        let kept = builtin
            .then(|| {
                KEPT_ZIPFS.with_borrow_mut(|(memo, kept_pieces)| {
                    let kept = memo.remove(token)?;
                    *kept_pieces -= kept.len();
                    Some(kept)
                })
            })
            .flatten()
            .filter(|kept| kept.len() == pieces)
            .unwrap_or_else(|| vec![f32::NAN; pieces]);
        PieceZipfs {
            token,
            lexicon,
            screen: None,
            kept,
            builtin,
        }
    }

    /// The frequency of `token[start..end]`.
    fn get(&mut self, start: usize, end: usize) -> f32 {
        let k = piece_index(start, end);
        if self.kept[k].is_nan() {
            let screen = self
                .screen
                .get_or_insert_with(|| self.lexicon.piece_screen(self.token));
            self.kept[k] = if screen.may_contain(start, end) {
                self.lexicon.zipf(&self.token[start..end])
            } else {
                0.0
            };
        }
        self.kept[k]
    }
}

impl Drop for PieceZipfs<'_> {
    /// Leaves the frequencies to the thread's memo.
    fn drop(&mut self) {
        if !self.builtin {
            return;
        }
        let kept = std::mem::take(&mut self.kept);
        // Nothing is kept while the thread's locals are being destroyed.
        let _ = KEPT_ZIPFS.try_with(|memo| {
            let (memo, pieces) = &mut *memo.borrow_mut();
            if *pieces + kept.len() > KEPT_PIECES {
                memo.clear();
                *pieces = 0;
            }
            *pieces += kept.len();
            if let Some(old) = memo.insert(self.token.into(), kept) {
                *pieces -= old.len();
            }
        });
    }
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

    #[test]
    fn kept_piece_frequencies_give_the_segmentation_lookups_give() {
        use super::super::tokens::tokenize_marked;
        use super::super::vocab::{Dictionary, VocabCounter};
        let english = Lexicon::english();
        // The same words with a user word no token holds: nothing kept, nothing screened.
        let looked_up = english.with_words(["qqqzzzx"]);
        // A document whose words make more pieces parts (and so asked about).
        let text = "something something furtherthe furtherthe Alicehas Alicehas";
        let mut ask = |_: &str, _| false;
        let mut counter = VocabCounter::new(text, Dictionary::asking(&mut ask));
        tokenize_marked(text, &mut counter);
        let used = counter.finish();
        let tokens = [
            "thesame",
            "wanttosaysomethingfurther",
            "ThisGeneralPublicLicense",
            "xqztvw",
            "ofthe",
            "thatAlicehas",
            "somethingfurtherthe",
            "inthebeginningwasthewordandthewordwaswithgodandthewordwasgod",
        ];
        // Twice under each vocabulary: the second time from the thread's memo.
        for round in 0..2 {
            for vocab in [&used, &Vocab::default(), &used] {
                for token in tokens {
                    assert_eq!(
                        segment(token, english, vocab),
                        segment(token, &looked_up, vocab),
                        "{round} {token}"
                    );
                }
            }
        }
        KEPT_ZIPFS.with_borrow(|(memo, pieces)| {
            assert_eq!(memo.len(), tokens.len());
            assert_eq!(*pieces, memo.values().map(Vec::len).sum::<usize>());
            for (token, kept) in memo {
                for end in 1..=token.len() {
                    for start in end.saturating_sub(MAX_PART)..end {
                        let zipf = kept[piece_index(start, end)];
                        let piece = &token[start..end];
                        assert!(zipf.is_nan() || zipf == english.zipf(piece), "{piece}");
                    }
                }
            }
        });
    }
}
