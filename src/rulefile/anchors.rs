//! Where literal patterns can start, found by a rare piece of each.
//!
//! The literal automaton reads every byte of the text, some seventeen instructions a
//! byte. But the built-in literals are misreadings that are never words (`tlie`,
//! `wbich`, `conld`), and each holds three characters in a row that English seldom
//! has. [`Anchors`] picks such a trigram for every pattern — its anchor — and a packed
//! SIMD searcher (aho-corasick's Teddy) finds the anchors, a few bytes an instruction;
//! each anchor found is checked against the patterns that hold it. What comes out is the
//! start of every occurrence of every pattern, and the automaton is run from those
//! starts only (see `RuleSet::literal_candidates`).
//!
//! The anchors are picked from the patterns alone, by how common their trigrams are in
//! English words (the garble stage's character model), so the choice is the same for
//! every text; it decides only the speed. Patterns without a rare piece (`the`, `. .`)
//! get no anchors, and the automaton reads every byte, as before.

use std::collections::BTreeMap;

use aho_corasick::packed;

use crate::stages::garble::model::CharModel;

/// The length of an anchor. All anchors are as long, so two found at one position are
/// the same anchor and no occurrence hides another (see [`Anchors::starts`]).
const ANCHOR_LEN: usize = 3;

/// Teddy's own limit: with more patterns it refuses to build.
const MAX_ANCHORS: usize = 64;

/// Up to this many anchors, slim Teddy's eight buckets hold them; beyond, two anchors
/// share a bucket and mix their bytes into false candidates, which fat Teddy's sixteen
/// buckets avoid (31 anchors over the 2 MiB dev segment: 17.4M instructions slim, 5.6M
/// fat).
const SLIM_MAX_ANCHORS: usize = 16;

/// The share of English trigrams assumed for a piece of a pattern that is not three
/// letters (spaces, digits, punctuation, non-ASCII): common.
const NOT_LETTERS: f32 = 1.0 / 64.0;

/// Above this share of English trigrams, summed over the anchors, one position in so
/// many is a candidate that the automaton would have read for less.
const MAX_SHARE: f32 = 1.0 / 64.0;

/// Added to an anchor's share when weighing it against the patterns it covers: one more
/// anchor costs the searcher more than a few more occurrences of one it has.
const ANCHOR_COST: f32 = 1e-4;

/// A searcher for the anchors, and what each anchor found means.
pub(super) struct Anchors {
    searcher: packed::Searcher,
    /// Per anchor (the searcher's pattern id), the patterns holding it: each pattern's
    /// bytes and the offset of its anchor in it.
    holders: Vec<Vec<(Box<[u8]>, usize)>>,
}

impl Anchors {
    /// Anchors for `patterns`, or `None` when some pattern has no rare piece (or is
    /// shorter than an anchor) or the searcher cannot be built.
    pub(super) fn build<P: AsRef<[u8]>>(patterns: &[P]) -> Option<Anchors> {
        let patterns: Vec<&[u8]> = patterns.iter().map(AsRef::as_ref).collect();
        if patterns.is_empty() || patterns.iter().any(|p| p.len() < ANCHOR_LEN) {
            return None;
        }
        let chosen = choose(&patterns)?;
        let mut holders = vec![Vec::new(); chosen.len()];
        for pattern in &patterns {
            // The first chosen anchor the pattern holds, at its first offset: every
            // occurrence of the pattern has that anchor there.
            let (anchor, offset) = chosen.iter().enumerate().find_map(|(a, anchor)| {
                pattern
                    .windows(ANCHOR_LEN)
                    .position(|w| w == *anchor)
                    .map(|offset| (a, offset))
            })?;
            holders[anchor].push((Box::from(*pattern), offset));
        }
        let build = |fat: Option<bool>| {
            packed::Config::new()
                .match_kind(packed::MatchKind::LeftmostFirst)
                .only_teddy_fat(fat)
                .builder()
                .extend(&chosen)
                .build()
        };
        // Fat Teddy needs AVX2; without it, Teddy's own choice.
        let searcher = (chosen.len() > SLIM_MAX_ANCHORS)
            .then(|| build(Some(true)))
            .flatten()
            .or_else(|| build(None))?;
        Some(Anchors { searcher, holders })
    }

    /// The start of every occurrence of every pattern in `text`, in increasing order,
    /// each once.
    pub(super) fn starts(&self, text: &[u8]) -> Vec<usize> {
        let mut starts = Vec::new();
        let mut at = 0;
        while let Some(m) = self
            .searcher
            .find_in(text, aho_corasick::Span::from(at..text.len()))
        {
            for (pattern, offset) in &self.holders[m.pattern().as_usize()] {
                if let Some(start) = m.start().checked_sub(*offset) {
                    if text[start..].starts_with(pattern) {
                        starts.push(start);
                    }
                }
            }
            // Anchors may overlap (`tli` and `lie`): the next may start at the next
            // byte. Two found at one position are one anchor, as all are as long.
            at = m.start() + 1;
        }
        // Anchors found in order give starts out of order when their offsets differ.
        starts.sort_unstable();
        starts.dedup();
        starts
    }
}

/// Picks the anchors: greedily, the piece that covers the most patterns not yet covered
/// for its share of English trigrams, until every pattern is covered. `None` when the
/// anchors would be too many or too common to be worth searching for.
fn choose<'p>(patterns: &[&'p [u8]]) -> Option<Vec<&'p [u8]>> {
    let model = CharModel::english();
    let share = |piece: &[u8]| -> f32 {
        let gram: [u8; ANCHOR_LEN] = piece.try_into().unwrap_or_default();
        let Some(share) = model.share(gram) else {
            return NOT_LETTERS;
        };
        // The model folds case; a capital starts only names and sentences, and one
        // inside a word is rarer still.
        if gram[1..].iter().any(u8::is_ascii_uppercase) {
            share / 100.0
        } else if gram[0].is_ascii_uppercase() {
            share / 10.0
        } else {
            share
        }
    };
    // Every piece of every pattern, in byte order (so that the choice depends on the
    // patterns only), with the patterns holding it.
    let mut holding: BTreeMap<&[u8], Vec<usize>> = BTreeMap::new();
    for (i, pattern) in patterns.iter().enumerate() {
        for piece in pattern.windows(ANCHOR_LEN) {
            let holders = holding.entry(piece).or_default();
            if holders.last() != Some(&i) {
                holders.push(i);
            }
        }
    }
    let pieces: Vec<(&[u8], f32, Vec<usize>)> = holding
        .into_iter()
        .map(|(piece, holders)| (piece, share(piece), holders))
        .collect();
    let mut covered = vec![false; patterns.len()];
    let mut left = patterns.len();
    let mut chosen: Vec<&[u8]> = Vec::new();
    let mut total = 0.0;
    while left > 0 {
        let mut best: Option<(f32, usize)> = None;
        for (k, (_, share, holders)) in pieces.iter().enumerate() {
            let gain = holders.iter().filter(|&&i| !covered[i]).count();
            let weight = gain as f32 / (share + ANCHOR_COST);
            if gain > 0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, k));
            }
        }
        let (piece, share, holders) = &pieces[best?.1];
        for &i in holders {
            left -= usize::from(!covered[i]);
            covered[i] = true;
        }
        total += *share;
        chosen.push(*piece);
        if chosen.len() > MAX_ANCHORS || total > MAX_SHARE {
            return None;
        }
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every start of every pattern, one position at a time.
    fn naive_starts(patterns: &[&str], text: &str) -> Vec<usize> {
        (0..text.len())
            .filter(|&i| {
                patterns
                    .iter()
                    .any(|p| text.as_bytes()[i..].starts_with(p.as_bytes()))
            })
            .collect()
    }

    #[test]
    fn every_start_of_every_pattern_is_found() {
        let patterns = "tlie|Tlie|wliich|tliat|lie|tbe|conld|shonld|Search in";
        let patterns: Vec<&str> = patterns.split('|').collect();
        let anchors = Anchors::build(&patterns).expect("rare pieces");
        let pieces = concat!(
            "tlie|Tlie|wliich|tliat|conld|shonld|Search in|tbe",
            "| |\n|the|lie|tli|tlieir|wl|é|conl|Searc|x"
        );
        let pieces: Vec<&str> = pieces.split('|').collect();
        // Texts of pieces in the orders a xorshift generator gives: overlapping
        // occurrences, patterns inside patterns, and near misses.
        let mut rng = crate::testing::XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..500 {
            let mut text = String::new();
            for _ in 0..12 {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            assert_eq!(
                anchors.starts(text.as_bytes()),
                naive_starts(&patterns, &text),
                "{text:?}"
            );
        }
        // A text longer than the searcher's block, with occurrences at both ends.
        let long = format!("tlie{}conld", " the".repeat(100));
        assert_eq!(
            anchors.starts(long.as_bytes()),
            naive_starts(&patterns, &long)
        );
    }

    #[test]
    fn anchors_are_rare_pieces_shared_where_they_can_be() {
        let patterns = ["tlie", "tliat", "tliis"];
        let chosen = choose(&patterns.map(str::as_bytes)).unwrap();
        assert_eq!(chosen, [b"tli"]);
    }

    #[test]
    fn common_or_short_patterns_get_no_anchors() {
        assert!(Anchors::build(&["the", "and", "ing", "ion"]).is_none());
        assert!(Anchors::build(&["tlie", "a, b"]).is_none());
        assert!(Anchors::build(&["tlie", "ab"]).is_none());
        assert!(Anchors::build::<&str>(&[]).is_none());
    }
}
