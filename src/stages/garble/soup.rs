//! Letter soup: runs of tokens that are not words, found by segmenting each line into
//! text and garble with a two-state hidden Markov model.
//!
//! Every whitespace-separated token gets a log-likelihood ratio — how much more likely
//! it is under "garble" than under "text" — from the dictionary, the character model
//! ([`CharModel`]) and a few shapes prose does not have (digits inside words, a case
//! change inside a lowercase word, an operator name glued to letters, a bracket opened
//! at a word's end). Leaked content-stream runs ([`operators`]) enter as single tokens
//! with overwhelming garble evidence, so a run that mixes both kinds is one segment.
//!
//! The Viterbi pass charges for entering and leaving the garble state, so one odd token
//! — a name, an identifier, a transliteration — never fires alone: a segment needs
//! several unlike-text tokens in a row, one of them with a shape prose does not have.
//! Its boundaries fall between tokens, so the sentence before a run keeps its last
//! character. Names, transliterations and foreign words are unknown to the dictionary
//! too, which is why unknown-ness alone weighs little: what soup has and they lack is
//! shape, and English function words among the fragments.
//!
//! One place is a shape of its own: a line of a hard-wrapped document that runs far
//! past the document's measure, and is restored by taking out a stretch of tokens
//! mostly unlike text, had that stretch spliced into it ([`spliced_run`]).
//!
//! Cost: since every reported segment holds a shape or an operator run, a line is
//! scored only around tokens that may have a shape ([`may_have_shape`]), or in full
//! when it is overlong; a line of prose costs one pass over its bytes and a
//! dictionary lookup per long word.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use crate::lexicon::swar::{self, load_prefix};
use crate::lexicon::Lexicon;
use crate::span::Span;

use super::model::CharModel;
use super::operators::{self, OperatorRun};
use super::{GarbleRun, RunKind};

/// Log-probability of entering the garble state at a token (from text).
const ENTER: f32 = -2.0;
/// Log-probability of leaving it.
const LEAVE: f32 = -0.5;
/// Log-probability of staying in it: runs are long.
const STAY: f32 = -0.2;

/// A segment is reported only with at least this much summed evidence…
const MIN_SCORE: f32 = 3.5;
/// …and, unless it holds an operator run, at least this many tokens, this many of them
/// with a shape prose does not have (see [`Evidence::shape`]).
const MIN_TOKENS: usize = 3;
const MIN_STRONG: usize = 1;

/// Finds garble runs in `text`: letter soup and content-stream syntax.
pub(crate) fn find(text: &str) -> Vec<GarbleRun> {
    let operator_runs = operators::find(text);
    let model = CharModel::english();
    let lexicon = Lexicon::english();
    let scorer = Scorer {
        text,
        lexicon,
        model,
        recurring: RefCell::default(),
        evidence: RefCell::new(EvidenceMemo::take(lexicon, model)),
        fragments: RefCell::default(),
    };
    let mut found: Vec<GarbleRun> = Vec::new();
    let mut tokens = Vec::new();
    let mut trial = Vec::new();
    let mut next_op = 0;
    let mut long_words = LineWords::with_memo(WordMemo::take(scorer.lexicon));
    // Every line is read once, by the prefilter, which finds its end too: the lengths
    // of the lines give the document's measure, which the units below need.
    // (Prose runs to some 50 bytes a line: room for most documents' lines at once.)
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    while start < text.len() {
        let (end, candidate) = scan_line(text, start, scorer.lexicon, &mut long_words);
        lines.push((end, candidate));
        start = end + 1;
    }
    let mut line_start = 0;
    let measure = Measure::of_lengths(lines.iter().map(|&(end, _)| {
        let len = end - line_start;
        line_start = end + 1;
        len
    }));
    let mut lines = lines.into_iter();
    let mut start = 0;
    while start < text.len() {
        // The line that starts at `start`: the one after the last unit's lines.
        let Some((mut end, candidate)) = lines.find(|&(end, _)| end >= start) else {
            break;
        };
        // A unit is a line, or several when an operator run crosses line breaks. The
        // runs are in order, so only the next ones are looked at.
        let mut ops_end = next_op;
        while let Some(r) = operator_runs.get(ops_end).filter(|r| r.span.start < end) {
            if r.span.end > end {
                end = line_end(text, r.span.end);
            }
            ops_end += 1;
        }
        // A line far longer than the document's measure may hold a spliced run without
        // a shape, which the prefilter would miss (see [`spliced_run`]).
        let overlong = next_op == ops_end
            && measure.is_some_and(|m| m.overlong(end - start))
            && !text[start..end].contains('\t');
        if next_op == ops_end && !overlong && !candidate {
            // Prose: nothing worth scoring on this line.
            start = end + 1;
            continue;
        }
        tokens.clear();
        tokenize(
            text,
            start,
            end,
            &operator_runs[next_op..ops_end],
            &mut tokens,
        );
        next_op = ops_end;
        for (from, to) in windows(text, scorer.lexicon, &tokens, &mut long_words) {
            let paragraph_start = blank_line_before(text, start);
            let paragraph = paragraph_start && blank_line_after(text, end);
            let whole = from == 0 && to == tokens.len();
            let window = &mut tokens[from..to];
            if !score_window(text, &scorer, window) {
                continue;
            }
            // A whole line is judged as one when it is a paragraph of its own, or when
            // content-stream marks recur in it: a garbage line inside a paragraph.
            let alone = |window: &[Token<'_>]| {
                paragraph || window.iter().filter(|t| t.syntax).count() >= MARKED_LINE
            };
            let decide = |window: &[Token<'_>], out: &mut Vec<GarbleRun>| match whole_paragraph(
                text, window,
            )
            .filter(|_| whole && alone(window))
            {
                Some(run) => out.push(run),
                None => segment(text, window, paragraph_start && from == 0, out),
            };
            // Whether the document reuses a word costs a scan of the document, so it is
            // asked only where something would otherwise be reported.
            trial.clear();
            decide(window, &mut trial);
            if !trial.is_empty() && discount_recurring(text, &scorer, window) {
                decide(window, &mut found);
            } else {
                found.append(&mut trial);
            }
        }
        if let Some(measure) = measure.filter(|_| overlong) {
            score_window(text, &scorer, &mut tokens);
            discount_recurring(text, &scorer, &mut tokens);
            if let Some(run) = spliced_run(text, &tokens, Span::new(start, end), measure) {
                // It replaces the runs found on the line that it covers, as its edges
                // are the line's own; a run it does not cover stays, and it goes.
                let on_line = found
                    .iter()
                    .rposition(|r| r.span.end <= start)
                    .map_or(0, |i| i + 1);
                let covered = found[on_line..]
                    .iter()
                    .all(|r| run.span.start <= r.span.start && r.span.end <= run.span.end);
                if covered {
                    let confidence = found[on_line..]
                        .iter()
                        .fold(run.confidence, |c, r| c.max(r.confidence));
                    found.truncate(on_line);
                    found.push(GarbleRun { confidence, ..run });
                }
            }
        }
        start = end + 1;
    }
    long_words.memo.keep();
    scorer.evidence.into_inner().keep();
    take_line_tails(text, &operator_runs, scorer.lexicon, &mut found);
    merge_adjacent_lines(text, &mut found);
    found
}

/// A line-final stretch of at most this many words can be the end of a run.
const MAX_TAIL: usize = 3;

/// Extends each sure run of letter soup over the few words left between it and the end
/// of its line when they do not go on into the next line: `… done messthe ce)] …
/// clearor;f-6line only erroneous the` / `by scrolling …` loses `only erroneous the`
/// with its run.
///
/// Soup keeps real words (it is cut from the document's text), and where they end a
/// run the segmentation hands them back to the text. But a line of hard-wrapped prose
/// goes on into the next: its last word and the next line's first form a pair of
/// English (`the` / `Work`), where the last words of a run do not (`the` / `by`,
/// `pro` / `Work`). So the tail goes with the run when it ends no phrase (no
/// punctuation), its last word does not pair with the next line's first, and the text
/// before the run does: the run starts its line, which a short real tail could end
/// only as the last line of a paragraph — with its full stop, and no next line — or
/// the word before the run pairs with the next line's first (`the` / `Work`), so the
/// sentence reads on without the tail. The next line's first word must be one the
/// dictionary knows, or no pair could be seen. Content-stream runs are left as they
/// are: they are leaked into the middle of real lines, which go on after them.
fn take_line_tails(
    text: &str,
    operator_runs: &[OperatorRun],
    lexicon: &Lexicon,
    runs: &mut [GarbleRun],
) {
    for k in 0..runs.len() {
        let run = &runs[k];
        if run.confidence < super::SAFE_CONFIDENCE || run.kind != RunKind::LetterSoup {
            continue;
        }
        let end = line_end(text, run.span.end);
        let next_run_on_line = runs.get(k + 1).is_some_and(|r| r.span.start < end);
        // The operator runs are in order and apart: the first that ends after the
        // run's start is the only one that may overlap it.
        let first = operator_runs.partition_point(|o| o.span.end <= run.span.start);
        let has_operator = operator_runs
            .get(first)
            .is_some_and(|o| o.span.start < run.span.end);
        if next_run_on_line || has_operator || end == text.len() {
            continue;
        }
        let tail = &text[run.span.end..end];
        let words: Vec<&str> = tail.split_whitespace().collect();
        let Some(&last) = words.last() else { continue };
        let plain = |w: &str| w.chars().all(|c| c.is_alphabetic() || c == '\'');
        if words.len() > MAX_TAIL || !words.iter().all(|w| plain(w)) {
            continue;
        }
        let next_line = &text[end + 1..line_end(text, end + 1)];
        let Some(next) = next_line
            .split_whitespace()
            .next()
            .map(core)
            // A word the dictionary does not know pairs with nothing, which tells
            // nothing (`… fMxaddfN and` / `fMxaddfNx functions`).
            .filter(|w| plain(w) && lexicon.zipf(w) > 0.0)
        else {
            continue;
        };
        let line_start = text[..run.span.start].rfind('\n').map_or(0, |i| i + 1);
        let before = text[line_start..run.span.start]
            .split_whitespace()
            .next_back();
        let reads_on = before.is_none_or(|b| pairs(lexicon, core(b), next));
        if pairs(lexicon, last, next) || !reads_on {
            continue;
        }
        let run = &mut runs[k];
        run.span.end += tail.trim_end().len();
        run.evidence = format!(
            "{}; with the end of its line, which does not go on into the next",
            run.evidence
        );
    }
}

/// Whether `b` follows `a` in English more often than it occurs on its own: a pair
/// of the shipped table whose conditional probability is above `b`'s frequency (the
/// table holds frequent pairs of frequent words that go together no better than
/// chance, `the by`).
fn pairs(lexicon: &Lexicon, a: &str, b: &str) -> bool {
    // Zipf is log10 of the frequency per billion words.
    const ZIPF_TO_LOG10: f32 = 9.0;
    lexicon
        .bigram_logp(a, b)
        .is_some_and(|p| p > lexicon.zipf(b) - ZIPF_TO_LOG10)
}

/// Tokens with content-stream marks that make a line a candidate to be garble as a
/// whole (see [`whole_paragraph`]) even inside a paragraph.
const MARKED_LINE: usize = 2;

/// Tokens of context scored on each side of a token that may carry a shape.
const CONTEXT: usize = 8;

/// Whether a line has a token that may carry a shape (see [`may_have_shape`]): the
/// test every line of prose must pass (see [`scan_line`]).
#[cfg(test)]
fn has_candidate(line: &str, lexicon: &Lexicon, words: &mut LineWords) -> bool {
    scan_line(line, 0, lexicon, words).1
}

/// The end of the line that starts at `start` (its line break, or the end of the text),
/// and whether the line has a token that may carry a shape (see [`may_have_shape`]).
///
/// Every line of prose must pass this test, so most lines are read 64 bytes at a time
/// ([`scan_line_by_chunks`]); the others a byte at a time ([`scan_line_bytewise`]).
/// Either way it asks [`may_have_shape`] only about the few tokens it cannot clear by
/// their bytes alone (see [`TokenBytes::suspicious`]). A hyphenated word, a number, a
/// word in parentheses — the bulk of prose's punctuation — are cleared here.
///
/// The dictionary is asked last, about the pieces (see [`PIECE_CHECK`]), and only while
/// the pieces left could still make [`UNKNOWN_LINE`] unknown ones: a line of fewer
/// pieces asks nothing, and most lines stop after the first few known words.
fn scan_line(text: &str, start: usize, lexicon: &Lexicon, words: &mut LineWords) -> (usize, bool) {
    scan_line_by_chunks(text, start, lexicon, words)
        .unwrap_or_else(|| scan_line_bytewise(text, start, lexicon, words))
}

/// [`scan_line`] a token at a time, for any line.
fn scan_line_bytewise(
    text: &str,
    start: usize,
    lexicon: &Lexicon,
    words: &mut LineWords,
) -> (usize, bool) {
    let bytes = text.as_bytes();
    let mut i = start;
    words.pieces.clear();
    loop {
        // Whitespace up to the line's break, in one compare of each byte against a
        // set (`CLASS`'s spaces less the line break) rather than a table lookup and
        // a second test.
        while let Some(b' ' | b'\t' | b'\r' | 0x0b | 0x0c) = bytes.get(i) {
            i += 1;
        }
        if matches!(bytes.get(i), None | Some(b'\n')) {
            break;
        }
        let token = i;
        while i < bytes.len() && CLASS[bytes[i] as usize] != SPACE {
            i += 1;
        }
        if token_may_have_shape(text, token..i, lexicon, words) {
            return (line_end(text, i), true);
        }
    }
    (i, many_unknown_pieces(text, lexicon, words))
}

/// Whether the token `text[token]` (its bytes up to a space as [`CLASS`] has them, or
/// the end of the text) may have a shape; a lowercase word of [`PIECE_CHECK`] to
/// eight letters is added to the line's pieces instead.
fn token_may_have_shape(
    text: &str,
    token: Range<usize>,
    lexicon: &Lexicon,
    words: &mut LineWords,
) -> bool {
    let bytes = text.as_bytes();
    let (start, end) = (token.start, token.end);
    // The fast path, for most words: an optional capital, lowercase letters and
    // closing punctuation (`the`, `Moscow,`, `period.`).
    let capital = CLASS[bytes[start] as usize] == UPPER;
    // Never past the token: a space is not a lowercase letter.
    let letters_end = lowercase_run_end(bytes, start + usize::from(capital));
    if !closing_punctuation(&bytes[letters_end..end]) {
        return words.odd_token_may_have_shape(text, token, lexicon);
    }
    word_may_have_shape(text, token, letters_end, capital, lexicon, words)
}

/// Whether `bytes` are all closing punctuation, which may end a word of the fast path.
#[inline]
fn closing_punctuation(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b'.' | b',' | b':' | b'!' | b'?'))
}

/// [`token_may_have_shape`] of a word of the fast path, `text[word]`: an optional
/// capital (`capital`), lowercase letters up to `letters_end`, closing punctuation.
/// Inlined: the chunked scan asks it of most words of four letters or more, and a call
/// costs as much as the answer.
#[inline(always)]
fn word_may_have_shape(
    text: &str,
    word: Range<usize>,
    letters_end: usize,
    capital: bool,
    lexicon: &Lexicon,
    words: &mut LineWords,
) -> bool {
    // Only a lowercase word can be words run together; any word can be too long.
    let letters = letters_end - word.start;
    if capital {
        false
    } else if word.len() > TOO_LONG {
        may_have_shape(&text[word], lexicon)
    } else if letters >= RUN_TOGETHER_CHECK {
        words.long_may_have_shape(text, word, lexicon)
    } else {
        if (PIECE_CHECK..RUN_TOGETHER_CHECK).contains(&letters) {
            words.pieces.push((word.start, letters_end));
        }
        false
    }
}

/// Whether [`UNKNOWN_LINE`] of the line's pieces are unknown to the dictionary: soup
/// without shapes is many unknown lowercase words (see [`Scorer::is_fragment`]); one
/// is a command or a term.
///
/// A line of fewer pieces asks nothing, and is answered without a call: the
/// prefilter asks this of every line of prose.
#[inline(always)]
fn many_unknown_pieces(text: &str, lexicon: &Lexicon, words: &mut LineWords) -> bool {
    words.pieces.len() >= UNKNOWN_LINE && look_up_pieces(text, lexicon, words)
}

/// [`many_unknown_pieces`] of a line of [`UNKNOWN_LINE`] pieces or more.
#[inline(never)]
fn look_up_pieces(text: &str, lexicon: &Lexicon, words: &mut LineWords) -> bool {
    let pieces = words.pieces.len();
    let mut unknown = 0;
    for k in 0..pieces {
        if unknown + (pieces - k) < UNKNOWN_LINE {
            break;
        }
        let (start, end) = words.pieces[k];
        if words.short_unknown(text, start..end, lexicon) {
            unknown += 1;
            if unknown >= UNKNOWN_LINE {
                return true;
            }
        }
    }
    false
}

/// [`scan_line`] of an ordinary line, 64 bytes at a time; `None` for a line it does
/// not take: one with a control byte other than a space before its break (a tab, a
/// NUL), a token of 63 bytes or more, or one that ends within 64 bytes of the end of
/// the text.
///
/// Nearly every token of prose is a word of lowercase letters, perhaps capitalised,
/// and such a token matters only when it is a lowercase word of [`PIECE_CHECK`]
/// letters or more (a piece, or a word to look up). So each chunk's bytes are classed
/// eight at a time into bit masks ([`ChunkMasks`]), and only two kinds of token are
/// visited: those with any other byte (a digit, a bracket, closing punctuation, a
/// capital inside), which [`token_may_have_shape`] judges as the bytewise scan
/// does, and the lowercase words of four letters or more. Every other token is a
/// capitalised word or a lowercase one of up to three letters, which the bytewise
/// scan clears without a question: what it makes of a token depends on the token's
/// bytes alone.
fn scan_line_by_chunks(
    text: &str,
    start: usize,
    lexicon: &Lexicon,
    words: &mut LineWords,
) -> Option<(usize, bool)> {
    let candidate = |at: usize| Some((line_end(text, at), true));
    words.pieces.clear();
    let mut at = start;
    loop {
        let chunk = ChunkMasks::at(text.as_bytes(), at)?;
        let tokens = chunk.tokens;
        let starts = tokens & !(tokens << 1);
        // A byte is plain when it is a lowercase letter or a capital starting its
        // token; a token of plain bytes is a word the fast path takes whole.
        let capitals = chunk.capitals(starts);
        let plain = tokens & (chunk.lowercase | capitals);
        let odd = tokens & !plain;
        // Adding a token's start bit to its run of plain bits carries up to its first
        // odd byte, or past its end when it has none: the first odd byte of each
        // token that has one. Tokens end before bit 63, so nothing carries out.
        let mut first_odd = plain.wrapping_add(starts) & odd;
        while first_odd != 0 {
            let at_odd = first_odd.trailing_zeros();
            first_odd &= first_odd - 1;
            let from = 63 - (starts & (u64::MAX >> (63 - at_odd))).leading_zeros();
            let to = at_odd + (!tokens >> at_odd).trailing_zeros();
            let token = at + from as usize..at + to as usize;
            let end = token.end;
            // The bytes before the first odd one are a word's letters (a capital,
            // lowercase ones), so a word of the fast path is one whose odd bytes are
            // all closing punctuation (`period.`, `Moscow,`); the others are the
            // tokens token_may_have_shape sends to the memo of odd tokens, and go
            // there directly.
            let letters_end = at + at_odd as usize;
            let shape = if closing_punctuation(&text.as_bytes()[letters_end..end]) {
                let capital = capitals >> from & 1 != 0;
                word_may_have_shape(text, token, letters_end, capital, lexicon, words)
            } else {
                words.odd_token_may_have_shape(text, token, lexicon)
            };
            if shape {
                return candidate(end);
            }
        }
        // Words of four lowercase letters or more; the odd tokens among them are done.
        let lower = chunk.lowercase;
        let mut four = starts & lower & (lower >> 1) & (lower >> 2) & (lower >> 3);
        while four != 0 {
            let from = four.trailing_zeros();
            four &= four - 1;
            let len = (!tokens >> from).trailing_zeros();
            if odd >> from & (u64::MAX >> (64 - len)) != 0 {
                continue;
            }
            // All lowercase letters, read by their masks.
            let word = at + from as usize..at + (from + len) as usize;
            let end = word.end;
            if word_may_have_shape(text, word, end, false, lexicon, words) {
                return candidate(end);
            }
        }
        match chunk.line_break {
            Some(end) => {
                return Some((at + end as usize, many_unknown_pieces(text, lexicon, words)))
            }
            None => at += chunk.whole as usize,
        }
    }
}

/// The bytes of a chunk of a line, up to 64 from `at`, as bit masks (bit `k` for the
/// byte at `at + k`).
struct ChunkMasks<'b> {
    /// The chunk's 64 bytes.
    bytes: &'b [u8; 64],
    /// The bytes of the chunk's whole tokens: not a space, before the line's break or
    /// before the chunk's last space.
    tokens: u64,
    /// ASCII lowercase letters.
    lowercase: u64,
    /// The line's break, when it is in the chunk.
    line_break: Option<u32>,
    /// Where the next chunk starts when it is not: the chunk's last space.
    whole: u32,
}

impl<'b> ChunkMasks<'b> {
    /// The masks of the chunk at `at`, or `None` when a control byte other than a
    /// space comes before the line's break, no space past the chunk's first byte ends
    /// a token, or the text ends within 64 bytes.
    #[inline]
    fn at(bytes: &'b [u8], at: usize) -> Option<ChunkMasks<'b>> {
        let chunk: &[u8; 64] = bytes.get(at..at + 64)?.try_into().ok()?;
        // The high bit of each of eight bytes, gathered into eight bits.
        let bits = |marks: u64| (marks >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        let (mut blank, mut lowercase) = (0u64, 0u64);
        let mut line_break = None;
        for (k, word) in chunk.chunks_exact(8).enumerate() {
            let word = u64::from_le_bytes(word.try_into().unwrap_or_default());
            let below_space = swar::below(word, b' ' + 1);
            blank |= bits(below_space) << (8 * k);
            lowercase |= bits(swar::ascii_lowercase(word)) << (8 * k);
            let controls = swar::below(word, b' ');
            if controls != 0 {
                let breaks = swar::bytes_equal(word, b'\n');
                let first_break = breaks & breaks.wrapping_neg();
                // The bytes before the first break (all of them when there is none).
                let before = (first_break >> 7).wrapping_sub(1);
                if controls & !breaks & before != 0 {
                    return None;
                }
                if first_break != 0 {
                    line_break = Some(8 * k as u32 + first_break.trailing_zeros() / 8);
                    break;
                }
            }
        }
        let whole = match line_break {
            Some(end) => end,
            // The chunk's last space, past its first byte: the tokens before it are
            // whole.
            None => match 63u32.checked_sub(blank.leading_zeros()) {
                Some(last) if last > 0 => last,
                _ => return None,
            },
        };
        Some(ChunkMasks {
            bytes: chunk,
            tokens: !blank & u64::MAX.checked_shr(64 - whole).unwrap_or(0),
            lowercase,
            line_break,
            whole,
        })
    }

    /// The bits of `starts` (token starts) at capital letters. Only the few starts
    /// that are not lowercase letters are looked at, a byte each: cheaper than a
    /// mask of capitals over every byte.
    #[inline]
    fn capitals(&self, starts: u64) -> u64 {
        let mut others = starts & !self.lowercase;
        let mut capitals = 0;
        while others != 0 {
            let k = others.trailing_zeros();
            others &= others - 1;
            if self.bytes[k as usize].is_ascii_uppercase() {
                capitals |= 1 << k;
            }
        }
        capitals
    }
}

/// The end of the run of ASCII lowercase letters starting at `i`, eight bytes at a
/// time.
#[inline]
fn lowercase_run_end(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_le_bytes([0x80; 8]);
    while let Some(chunk) = bytes.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        // The high bit of each byte below `a` or above `z` (exact for the lowest
        // such byte, which is all that is used): the classic SWAR range test.
        let below = x.wrapping_sub(ONES * u64::from(b'a')) & !x & HIGH;
        let above = (x.wrapping_add(ONES * u64::from(127 - b'z')) | x) & HIGH;
        let outside = below | above;
        if outside != 0 {
            return i + (outside.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && bytes[i].is_ascii_lowercase() {
        i += 1;
    }
    i
}

/// What [`scan_line`] remembers of a document's words: prose repeats its words
/// (`which`, `government`), and finding an answer in a small table costs far less than
/// asking the dictionary, whose table is large enough for most lookups to miss the
/// cache.
///
/// The lowercase words asked about are short, so each table keys a word by its bytes
/// themselves — one `u64` for the pieces (four to eight letters), three for the long
/// words (at most [`TOO_LONG`] bytes) — and no two words share a key. A table is
/// direct-mapped: a word evicts the one that had its slot. ASCII leaves each key's top
/// bit free, and it holds the answer.
///
/// The other tokens [`may_have_shape`] is asked about — non-ASCII words, capitalised
/// words, words with digits or brackets — recur too (`don’t`, `DESCRIPTION`,
/// `dpkg(1)`), and are remembered by their text.
#[derive(Default)]
struct LineWords {
    /// The answers, which outlive the document (see [`WordMemo`]).
    memo: WordMemo,
    /// The pieces of the line being looked at, as byte ranges.
    pieces: Vec<(usize, usize)>,
}

impl LineWords {
    fn with_memo(memo: WordMemo) -> Self {
        LineWords {
            memo,
            pieces: Vec::new(),
        }
    }

    /// [`may_have_shape`] of the lowercase word at `text[word]`, of at least
    /// [`RUN_TOGETHER_CHECK`] letters, with closing punctuation, at most [`TOO_LONG`]
    /// bytes.
    ///
    /// Inlined, as [`LineWords::odd_token_may_have_shape`] is: the chunked scan asks
    /// it of every long word, and nearly always finds the answer in the table.
    #[inline(always)]
    fn long_may_have_shape(&mut self, text: &str, word: Range<usize>, lexicon: &Lexicon) -> bool {
        let key = WordTable::<3>::key(text.as_bytes(), word.clone());
        match self.memo.long.get(key) {
            Some(known) => known,
            None => self.ask_long_word(text, word, key, lexicon),
        }
    }

    /// [`LineWords::long_may_have_shape`] of a word not in the table (`key`: its key
    /// there), remembered.
    #[inline(never)]
    fn ask_long_word(
        &mut self,
        text: &str,
        word: Range<usize>,
        key: [u64; 3],
        lexicon: &Lexicon,
    ) -> bool {
        debug_assert!(self.memo.holds_answers_of(lexicon));
        let answer = may_have_shape(&text[word], lexicon);
        self.memo.long.insert(key, answer);
        answer
    }

    /// Whether the dictionary does not know the lowercase word at `text[word]`, of
    /// [`PIECE_CHECK`] to eight letters.
    fn short_unknown(&mut self, text: &str, word: Range<usize>, lexicon: &Lexicon) -> bool {
        debug_assert!(self.memo.holds_answers_of(lexicon));
        self.memo.short.answer(text.as_bytes(), word.clone(), || {
            lexicon.zipf(&text[word]) == 0.0
        })
    }

    /// Whether a token off the fast path (`text[token]`, followed by whitespace or
    /// the end of the text) may have a shape: its bytes are suspicious (see
    /// [`TokenBytes::suspicious`]) and [`may_have_shape`] says so.
    ///
    /// Prose repeats these tokens from one document to the next (`GNU`, `(see`, `1.`,
    /// `apt-get`), and a lookup costs less than reading the token's bytes one by one,
    /// so the verdict is remembered. It depends on the token's bytes alone: the bytes
    /// [`TokenBytes::push`] looks at around a token's ends are the whitespace around it.
    ///
    /// Inlined, the lookup of a short token costs a few dozen instructions, where a
    /// call and its frame would cost as much again: the chunked scan asks it of
    /// about one token in five.
    #[inline(always)]
    fn odd_token_may_have_shape(
        &mut self,
        text: &str,
        token: Range<usize>,
        lexicon: &Lexicon,
    ) -> bool {
        let short = OddTokenTable::key(text.as_bytes(), token.clone());
        match short.and_then(|key| self.memo.short_odd_tokens.get(key)) {
            Some(known) => known,
            None => self.ask_odd_token(text, token, short, lexicon),
        }
    }

    /// [`LineWords::odd_token_may_have_shape`] of a token that is not in the table of
    /// short tokens (`short`: its key there, if it is short), remembered.
    #[inline(never)]
    fn ask_odd_token(
        &mut self,
        text: &str,
        token: Range<usize>,
        short: Option<OddTokenKey>,
        lexicon: &Lexicon,
    ) -> bool {
        debug_assert!(self.memo.holds_answers_of(lexicon));
        let bytes = text.as_bytes();
        if short.is_none() {
            if let Some(&known) = self.memo.odd_tokens.get(&text[token.clone()]) {
                return known;
            }
        }
        let mut t = TokenBytes::default();
        for i in token.clone() {
            t.push(bytes, i);
        }
        let answer = t.suspicious(&bytes[token.clone()])
            && self.may_have_shape(&text[token.clone()], lexicon);
        if let Some(key) = short {
            self.memo.short_odd_tokens.insert(key, answer);
            return answer;
        }
        let odd_tokens = &mut self.memo.odd_tokens;
        if odd_tokens.len() >= KEPT_TOKENS {
            odd_tokens.clear();
        }
        odd_tokens.insert(text[token].into(), answer);
        answer
    }

    /// [`may_have_shape`] of any other token.
    fn may_have_shape(&mut self, token: &str, lexicon: &Lexicon) -> bool {
        debug_assert!(self.memo.holds_answers_of(lexicon));
        let shapes = &mut self.memo.shapes;
        if let Some(&known) = shapes.get(token) {
            return known;
        }
        let answer = may_have_shape(token, lexicon);
        if shapes.len() >= KEPT_TOKENS {
            shapes.clear();
        }
        shapes.insert(token.into(), answer);
        answer
    }
}

/// [`scan_line`]'s answers, kept by each thread from one document to the next.
///
/// An answer depends on the token's bytes and the dictionary alone, never on the
/// document, so a table filled by earlier documents gives the answers asking would.
/// Kept, the tables cost nothing per document: made afresh they were zeroed for every
/// document (half a megabyte, though the average document is 23 KB), and a short
/// document repeats too few of its words to pay for that. English prose repeats its
/// long words across documents too (`information`, `government`), so a corpus cleaned
/// one document at a time asks the dictionary about as seldom as one long text does.
struct WordMemo {
    /// The dictionary the answers are from.
    lexicon: Option<&'static Lexicon>,
    /// Lowercase words of [`RUN_TOGETHER_CHECK`] letters or more (with any closing
    /// punctuation): whether they may have a shape.
    long: WordTable<3>,
    /// Lowercase words of [`PIECE_CHECK`] to eight letters: whether the dictionary
    /// does not know them.
    short: WordTable<1>,
    /// Other tokens: whether they may have a shape (at most [`KEPT_TOKENS`]).
    shapes: HashMap<Box<str>, bool, foldhash::fast::RandomState>,
    /// Tokens off [`scan_line`]'s fast path: whether they are suspicious and may have
    /// a shape (at most [`KEPT_TOKENS`]; see [`LineWords::odd_token_may_have_shape`]).
    odd_tokens: HashMap<Box<str>, bool, foldhash::fast::RandomState>,
    /// The same for tokens of at most [`OddTokenTable::MAX_LEN`] bytes, nearly all of
    /// them: found by their bytes, with no hashing of a string.
    short_odd_tokens: OddTokenTable,
}

/// The most tokens a thread remembers in a map (see [`WordMemo`], [`EvidenceMemo`]);
/// a full map is emptied.
const KEPT_TOKENS: usize = 1 << 15;

thread_local! {
    /// The [`WordMemo`] of the thread's last [`find`], while no `find` holds it.
    static WORD_MEMO: Cell<Option<WordMemo>> = const { Cell::new(None) };
}

impl Default for WordMemo {
    /// Empty tables, for any dictionary (tests).
    fn default() -> Self {
        WordMemo {
            lexicon: None,
            long: WordTable::default(),
            short: WordTable::default(),
            shapes: HashMap::default(),
            odd_tokens: HashMap::default(),
            short_odd_tokens: OddTokenTable::default(),
        }
    }
}

impl WordMemo {
    /// The thread's memo of `lexicon`'s answers, or empty tables when the thread has
    /// none (its first document, or another dictionary's memo).
    fn take(lexicon: &'static Lexicon) -> WordMemo {
        match WORD_MEMO.take() {
            Some(memo) if memo.lexicon.is_some_and(|l| std::ptr::eq(l, lexicon)) => memo,
            _ => WordMemo {
                lexicon: Some(lexicon),
                ..WordMemo::default()
            },
        }
    }

    /// Gives the memo back to the thread for its next [`find`].
    fn keep(self) {
        WORD_MEMO.set(Some(self));
    }

    /// Whether the answers are `lexicon`'s (a memo made for tests answers for any).
    fn holds_answers_of(&self, lexicon: &Lexicon) -> bool {
        self.lexicon.is_none_or(|l| std::ptr::eq(l, lexicon))
    }
}

/// [`token_evidence`]'s answers, kept by each thread from one document to the next.
///
/// The evidence of a token depends on its text, the brackets of its window, the
/// dictionary and the character model, never on the rest of the document (the
/// document's own witnesses, [`Scorer::recurs`] and [`Scorer::is_fragment`], are
/// asked afterwards), so answers from earlier documents are the answers scoring
/// would give. The windows scored are mostly prose around a suspicious token, whose
/// words other documents use too.
#[derive(Default)]
struct EvidenceMemo {
    /// The dictionary and model the answers are from (`None`: made for a test, with
    /// the built-in ones).
    sources: Option<(&'static Lexicon, &'static CharModel)>,
    /// A token's evidence in balanced and in unbalanced brackets (at most
    /// [`KEPT_TOKENS`] tokens).
    tokens: HashMap<Box<str>, [Option<Evidence>; 2], foldhash::fast::RandomState>,
}

thread_local! {
    /// The [`EvidenceMemo`] of the thread's last [`find`], while no `find` holds it.
    static EVIDENCE_MEMO: Cell<Option<EvidenceMemo>> = const { Cell::new(None) };
}

impl EvidenceMemo {
    /// The thread's memo of evidence from `lexicon` and `model`, or an empty one.
    fn take(lexicon: &'static Lexicon, model: &'static CharModel) -> EvidenceMemo {
        match EVIDENCE_MEMO.take() {
            Some(memo)
                if memo
                    .sources
                    .is_some_and(|(l, m)| std::ptr::eq(l, lexicon) && std::ptr::eq(m, model)) =>
            {
                memo
            }
            _ => EvidenceMemo {
                sources: Some((lexicon, model)),
                tokens: HashMap::default(),
            },
        }
    }

    /// Gives the memo back to the thread for its next [`find`].
    fn keep(self) {
        EVIDENCE_MEMO.set(Some(self));
    }

    /// Whether the answers are from `lexicon` and `model` (a memo made for tests
    /// answers for any).
    fn holds_answers_of(&self, lexicon: &Lexicon, model: &CharModel) -> bool {
        self.sources
            .is_none_or(|(l, m)| std::ptr::eq(l, lexicon) && std::ptr::eq(m, model))
    }

    fn get(&self, token: &str, brackets: Brackets) -> Option<Evidence> {
        self.tokens.get(token)?[brackets as usize]
    }

    fn insert(&mut self, token: &str, brackets: Brackets, evidence: Evidence) {
        if let Some(known) = self.tokens.get_mut(token) {
            known[brackets as usize] = Some(evidence);
            return;
        }
        if self.tokens.len() >= KEPT_TOKENS {
            self.tokens.clear();
        }
        let mut known = [None; 2];
        known[brackets as usize] = Some(evidence);
        self.tokens.insert(token.into(), known);
    }
}

/// A direct-mapped table from tokens of at most [`OddTokenTable::MAX_LEN`] bytes (any
/// bytes: non-ASCII, NULs) to a yes or no, keyed by their bytes and length: a token's
/// zero-padded bytes alone do not tell its length when it ends in NULs.
struct OddTokenTable {
    /// The token's bytes, zero-padded, little-endian, and its length times two plus
    /// the answer; zero when empty (no token is empty).
    slots: Box<[([u64; 2], u8)]>,
}

/// An [`OddTokenTable`] key: the token's bytes, zero-padded, and its length.
#[derive(Clone, Copy)]
struct OddTokenKey {
    bytes: [u64; 2],
    len: u8,
}

impl Default for OddTokenTable {
    fn default() -> Self {
        OddTokenTable {
            slots: vec![([0; 2], 0); 1 << Self::BITS].into_boxed_slice(),
        }
    }
}

impl OddTokenTable {
    const BITS: u32 = 14;
    const MAX_LEN: usize = 16;

    /// The key of the token `bytes[token]`, when it is short enough for the table.
    #[inline]
    fn key(bytes: &[u8], token: Range<usize>) -> Option<OddTokenKey> {
        let len = token.len();
        if !(1..=Self::MAX_LEN).contains(&len) {
            return None;
        }
        Some(OddTokenKey {
            bytes: swar::load_prefix16(bytes, token.start, len),
            len: len as u8,
        })
    }

    #[inline]
    fn slot(key: OddTokenKey) -> usize {
        let mix =
            (key.bytes[0] ^ u64::from(key.len)).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ key.bytes[1];
        (mix.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::BITS)) as usize
    }

    #[inline]
    fn get(&self, key: OddTokenKey) -> Option<bool> {
        let (bytes, tag) = self.slots[Self::slot(key)];
        (bytes == key.bytes && tag >> 1 == key.len).then_some(tag & 1 != 0)
    }

    fn insert(&mut self, key: OddTokenKey, answer: bool) {
        self.slots[Self::slot(key)] = (key.bytes, key.len << 1 | u8::from(answer));
    }
}

/// A direct-mapped table from ASCII words of at most `8 * N` bytes, without NULs, to a
/// yes or no.
struct WordTable<const N: usize> {
    /// The word's bytes, zero-padded, little-endian; the top bit of the last word is
    /// the answer. All zeros: empty (no word is empty).
    slots: Box<[[u64; N]]>,
}

impl<const N: usize> Default for WordTable<N> {
    fn default() -> Self {
        WordTable {
            slots: vec![[0; N]; Self::SLOTS].into_boxed_slice(),
        }
    }
}

impl<const N: usize> WordTable<N> {
    /// Slots: enough for the vocabulary of a 2 MiB segment of prose to mostly stay.
    const SLOTS: usize = 1 << Self::BITS;
    const BITS: u32 = 14;
    const ANSWER: u64 = 1 << 63;

    /// The remembered answer for the word `bytes[word]`, or `ask()`'s, remembered. The
    /// word must be ASCII, without NULs, and at most `8 * N` bytes long.
    #[inline]
    fn answer(&mut self, bytes: &[u8], word: Range<usize>, ask: impl FnOnce() -> bool) -> bool {
        let key = Self::key(bytes, word);
        if let Some(known) = self.get(key) {
            return known;
        }
        let answer = ask();
        self.insert(key, answer);
        answer
    }

    /// The key of the word `bytes[word]`: its bytes, zero-padded, little-endian.
    #[inline(always)]
    fn key(bytes: &[u8], word: Range<usize>) -> [u64; N] {
        debug_assert!({
            let w = &bytes[word.clone()];
            w.is_ascii() && !w.is_empty() && w.len() <= 8 * N && !w.contains(&0)
        });
        let mut key = [0u64; N];
        for (k, key) in key.iter_mut().enumerate() {
            let from = word.start + 8 * k;
            if from < word.end {
                *key = load_prefix(bytes, from, (word.end - from).min(8));
            }
        }
        key
    }

    #[inline(always)]
    fn slot(key: [u64; N]) -> usize {
        let mix = key
            .iter()
            .fold(0u64, |h, &k| (h ^ k).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        (mix >> (64 - Self::BITS)) as usize
    }

    /// The remembered answer for the word of `key`, if it is remembered.
    #[inline(always)]
    fn get(&self, key: [u64; N]) -> Option<bool> {
        let mut stored = self.slots[Self::slot(key)];
        let answer = stored[N - 1] & Self::ANSWER != 0;
        stored[N - 1] &= !Self::ANSWER;
        (stored == key).then_some(answer)
    }

    /// Remembers `answer` for the word of `key`, in place of the word in its slot.
    fn insert(&mut self, mut key: [u64; N], answer: bool) {
        let slot = Self::slot(key);
        key[N - 1] |= if answer { Self::ANSWER } else { 0 };
        self.slots[slot] = key;
    }
}

/// Lowercase words this long and shorter than [`RUN_TOGETHER_CHECK`] are looked up
/// in case they are pieces cut from the document's words…
const PIECE_CHECK: usize = 4;
/// …and a line with this many unknown ones is scored.
const UNKNOWN_LINE: usize = 3;

/// Words this long are looked up in case they are words run together (see
/// [`may_have_shape`]).
const RUN_TOGETHER_CHECK: usize = 9;
/// Tokens longer than this are not words.
const TOO_LONG: usize = 20;

// Byte classes for [`scan_line`].
const SPACE: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 3;
const BRACKET: u8 = 4;
const SEMICOLON: u8 = 5;
const HYPHEN: u8 = 6;
const NON_ASCII: u8 = 7;
const OTHER: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => SPACE,
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'0'..=b'9' => DIGIT,
            b'(' | b')' | b'[' | b']' => BRACKET,
            b';' => SEMICOLON,
            b'-' => HYPHEN,
            0x80..=0xff => NON_ASCII,
            _ => OTHER,
        };
        b += 1;
    }
    t
};

/// What one pass over a token's bytes learns about it.
#[derive(Default)]
struct TokenBytes {
    letters: usize,
    lower_run: usize,
    alnum_seen: bool,
    /// A bracket after a letter or digit, waiting for one after it.
    open_bracket: bool,
    digit: bool,
    hyphen: bool,
    /// The first letter or digit is a capital (see [`has_inner_capital`]).
    starts_upper: bool,
    /// A mark that needs a closer look: an inner capital, a bracket inside the word,
    /// a glued semicolon, a text operator's name, a non-ASCII character.
    mark: bool,
}

impl TokenBytes {
    #[inline]
    fn push(&mut self, bytes: &[u8], i: usize) {
        let b = bytes[i];
        let class = CLASS[b as usize];
        let alnum = matches!(class, LOWER | UPPER | DIGIT);
        if alnum && self.open_bracket {
            self.mark = true;
        }
        match class {
            LOWER => {
                self.letters += 1;
                self.lower_run += 1;
            }
            UPPER => {
                self.letters += 1;
                self.starts_upper |= !self.alnum_seen;
                // An inner capital, or a text operator's name (`TJ`, `Tf`, `T*`).
                self.mark |= (self.lower_run >= 2 && !self.starts_upper)
                    || (b == b'T'
                        && matches!(
                            bytes.get(i + 1),
                            Some(b'J' | b'j' | b'*' | b'f' | b'd' | b'm')
                        ));
                self.lower_run = 0;
            }
            DIGIT => {
                self.digit = true;
                self.lower_run = 0;
            }
            BRACKET => {
                self.open_bracket |= self.alnum_seen;
                // A string opened inside an array: `[(`.
                self.mark |= b == b'[' && bytes.get(i + 1) == Some(&b'(');
                self.lower_run = 0;
            }
            SEMICOLON => {
                // Between two capitals it is an abbreviation's (`TL;DR`), not a leaked
                // operator's.
                let capitals = i > 0
                    && CLASS[bytes[i - 1] as usize] == UPPER
                    && bytes
                        .get(i + 1)
                        .is_some_and(|&n| CLASS[n as usize] == UPPER);
                self.mark |= self.alnum_seen
                    && !capitals
                    && bytes
                        .get(i + 1)
                        .is_some_and(|&n| matches!(CLASS[n as usize], LOWER | UPPER | DIGIT));
                self.lower_run = 0;
            }
            HYPHEN => {
                self.hyphen = true;
                self.lower_run = 0;
            }
            NON_ASCII => self.mark = true,
            _ => self.lower_run = 0,
        }
        self.alnum_seen |= alnum;
    }

    /// Whether [`may_have_shape`] could say yes: a mark; digits with letters (inside a
    /// word, glued to it, hyphenated to it); a bracket that ends the token open; a
    /// token too long for a word; or a word of nine letters or more, which may be
    /// words run together.
    fn suspicious(&self, token: &[u8]) -> bool {
        self.mark
            || (self.digit && self.letters > 0)
            || matches!(token.last(), Some(b'(' | b'['))
            || token.ends_with(b"(.")
            || (token.len() > TOO_LONG && !self.starts_upper && !self.hyphen)
            || (self.letters >= RUN_TOGETHER_CHECK && !self.hyphen)
    }
}

/// A lowercase word of [`PIECE_CHECK`] letters or more the dictionary does not know,
/// which may be a piece of a longer word (see [`Scorer::is_fragment`]).
fn unknown_piece(word: &str, lexicon: &Lexicon) -> bool {
    word.len() >= PIECE_CHECK
        && word.bytes().all(|b| b.is_ascii_lowercase())
        && lexicon.zipf(word) == 0.0
}

/// The ranges of a unit's tokens worth scoring in full: around each operator run, each
/// token that may carry a shape and each unknown lowercase word.
///
/// A unit's line was scored because some token may have a shape, and the same tokens
/// recur on such lines from one document to the next (`GNU`, `apt-get`, `(1)`), so a
/// token that takes more than a glance is asked through the thread's memo
/// ([`LineWords::may_have_shape`]), whose answers are [`may_have_shape`]'s.
fn windows(
    text: &str,
    lexicon: &Lexicon,
    tokens: &[Token<'_>],
    words: &mut LineWords,
) -> Vec<(usize, usize)> {
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let worth_scoring = t.operator.is_some() || {
            let token = &text[t.span.range()];
            // A short word of letters alone is answered in a few comparisons.
            let at_a_glance =
                token.len() < RUN_TOGETHER_CHECK && token.bytes().all(|b| b.is_ascii_alphabetic());
            let shape = if at_a_glance {
                may_have_shape(token, lexicon)
            } else {
                words.may_have_shape(token, lexicon)
            };
            shape || unknown_piece(core(token), lexicon)
        };
        if !worth_scoring {
            continue;
        }
        let (from, to) = (
            i.saturating_sub(CONTEXT),
            (i + CONTEXT + 1).min(tokens.len()),
        );
        match windows.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => windows.push((from, to)),
        }
    }
    windows
}

/// The prefilter: whether a token may have a shape prose does not have (see
/// [`Evidence::shape`]). Every reported run holds an operator run or such a token, so
/// lines without one are skipped; this is the only test most words meet.
///
/// A word of ASCII letters, lowercase after its first, costs a few byte comparisons,
/// and dictionary lookups only when it is long enough to be words run together (the
/// word, and when it is unknown the pieces [`run_together`] splits it into). The
/// gate is nine letters, not the seven [`run_together`] scores: a shorter run-together
/// word is scored when another token opens the window, which soup always has nearby.
fn may_have_shape(token: &str, lexicon: &Lexicon) -> bool {
    let core = core(token);
    let bytes = core.as_bytes();
    let Some((&first, rest)) = bytes.split_first() else {
        return false;
    };
    let odd_edges = token.len() != core.len()
        && token
            .bytes()
            .any(|b| matches!(b, b'(' | b')' | b'[' | b']'))
        && syntax_llr(token, core) > 0.0;
    if first.is_ascii_alphabetic() && rest.iter().all(u8::is_ascii_lowercase) {
        return odd_edges
            || bytes.len() > TOO_LONG
            || (bytes.len() >= RUN_TOGETHER_CHECK
                && first.is_ascii_lowercase()
                && lexicon.zipf(core) == 0.0
                && run_together(core, lexicon) > 0.0);
    }
    if odd_edges {
        return true;
    }
    if is_technical(core) || is_numeric(core) {
        return false;
    }
    syntax_llr(token, core) > 0.0
        || digits_llr(core) > 0.0
        || hyphen_number(core) > 0.0
        || has_inner_capital(core)
        || (core.chars().count() > TOO_LONG && !long_name(core))
        || (core.contains('T') && OPERATOR_NAMES.iter().any(|op| token.contains(op)))
}

/// Scores every token of a window in full; false when no segment of it could reach
/// the reporting threshold.
fn score_window<'t>(text: &'t str, scorer: &Scorer<'t>, window: &mut [Token<'_>]) -> bool {
    let brackets = Brackets::of(
        window
            .iter()
            .filter(|t| t.operator.is_none())
            .map(|t| &text[t.span.range()]),
    );
    for t in window.iter_mut() {
        t.llr = match &t.operator {
            Some(run) => 4.0 + run.evidence,
            None => {
                let ev = scorer.evidence(&text[t.span.range()], brackets);
                t.shape = ev.shape;
                t.syntax = ev.syntax;
                t.marks = ev.marks;
                t.unknown_word = ev.unknown_word;
                t.known_word = ev.known_word;
                ev.llr
            }
        };
    }
    for t in window.iter_mut().filter(|t| t.unknown_word) {
        let span = t.span;
        let word = core(&text[span.range()]);
        if word.bytes().all(|b| b.is_ascii_lowercase())
            && scorer.is_fragment(word, span.start)
            && !split_word(text, span, word, scorer.lexicon)
        {
            t.llr += FRAGMENT;
            t.shape = true;
            t.fragment = true;
        }
    }
    let has_operator = window.iter().any(|t| t.operator.is_some());
    // Most windows of prose are hopeless even with every word's context weighing
    // against it; they are not weighed.
    let most = |window: &[Token<'_>], shift: f32| -> f32 {
        window.iter().map(|t| (t.llr + shift).max(0.0)).sum()
    };
    if !has_operator && most(window, MAX_CONTEXT_SHIFT) < MIN_SCORE {
        return false;
    }
    weigh_context(text, scorer.lexicon, window);
    discount_letter_spacing(text, window);
    has_operator || most(window, 0.0) >= MIN_SCORE
}

/// The largest shift [`weigh_context`] gives a word.
const MAX_CONTEXT_SHIFT: f32 = 1.0;

/// Weighs each known word by its neighbours: in prose nearly every word forms a common
/// pair with the known word before or after it (`of the`, `limited to`), while the
/// real words a scrambled run carries (`he shell t last`, `hen see orc`) sit among
/// fragments and pair with nothing. Measured on the dev split's extractor output: 12%
/// of short prose words and 30% of longer ones pair with no known neighbour, against
/// nearly 90% of the words inside injected garbage. A word without a known neighbour
/// tells nothing (between identifiers, numbers) unless both its neighbours are
/// unknown lowercase words, as in soup, where it counts as unpaired.
///
/// The shifts are about half those log-likelihood ratios, as the pair table is sparse
/// and words are not independent witnesses.
fn weigh_context(text: &str, lexicon: &Lexicon, tokens: &mut [Token<'_>]) {
    const SHORT: usize = 3;
    // (unpaired, paired) shifts for words of up to three letters and longer ones.
    const SHORT_SHIFT: (f32, f32) = (MAX_CONTEXT_SHIFT, -0.5);
    const LONG_SHIFT: (f32, f32) = (0.5, -0.3);
    // A pair is expected only within a phrase: not across a comma, a full stop, a
    // bracket. Whether a token is a known word was asked with its evidence (see
    // [`Token::known_word`]), which most tokens have from the memo.
    let words: Vec<(Option<&str>, Ends)> = tokens
        .iter()
        .map(|t| {
            let token = &text[t.span.range()];
            let ends = Ends {
                open_start: !token.starts_with(|c: char| !c.is_alphanumeric()),
                open_end: !token.ends_with(|c: char| !c.is_alphanumeric()),
            };
            (t.known_word.then(|| core(token)), ends)
        })
        .collect();
    // A single letter (a variable, a key name, an initial) pairs with little, so it is
    // nobody's partner; a lowercase one is still weighed (`t` among soup).
    let partner = |k: usize| words[k].0.filter(|w| w.len() >= 2);
    let ends = |k: usize| words[k].1;
    let n = tokens.len();
    for i in 0..n {
        let Some(word) = words[i].0 else { continue };
        let before = i
            .checked_sub(1)
            .filter(|&k| ends(k).open_end && ends(i).open_start)
            .and_then(partner);
        let after = Some(i + 1)
            .filter(|&k| k < n && ends(i).open_end && ends(k).open_start)
            .and_then(partner);
        let paired = if before.is_none() && after.is_none() {
            // Between two unknown lowercase words in one phrase (`cermsymmetr the
            // allpeci`): 0.2% of short prose words, 7% of those in garbage.
            let soup = |k: usize| {
                let word = core(&text[tokens[k].span.range()]);
                word.len() >= 2
                    && word.bytes().all(|b| b.is_ascii_lowercase())
                    && words[k].0.is_none()
            };
            let among_soup = i > 0
                && i + 1 < n
                && ends(i - 1).open_end
                && ends(i).open_start
                && ends(i).open_end
                && ends(i + 1).open_start
                && soup(i - 1)
                && soup(i + 1);
            if !among_soup {
                continue;
            }
            false
        } else {
            before.is_some_and(|b| lexicon.bigram_logp(b, word).is_some())
                || after.is_some_and(|a| lexicon.bigram_logp(word, a).is_some())
        };
        let (unpaired_shift, paired_shift) = if word.len() <= SHORT {
            SHORT_SHIFT
        } else {
            LONG_SHIFT
        };
        tokens[i].llr += if paired { paired_shift } else { unpaired_shift };
    }
}

/// Whether a token opens onto its neighbours: no punctuation at its start, at its end.
#[derive(Clone, Copy)]
struct Ends {
    open_start: bool,
    open_end: bool,
}

/// Whether `token` is a word [`weigh_context`] weighs by its neighbours: its core is
/// letters (and apostrophes) the dictionary knows, of two letters or more unless a
/// single lowercase one.
fn is_known_word(token: &str, lexicon: &Lexicon) -> bool {
    let word = core(token);
    (word.len() >= 2 || word.bytes().all(|b| b.is_ascii_lowercase()))
        && !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphabetic() || b == b'\'')
        && lexicon.zipf(word) > 0.0
}

/// Whether the line starting at `start` is the first of the text or follows a blank one.
fn blank_line_before(text: &str, start: usize) -> bool {
    let Some(before) = start.checked_sub(1).map(|b| &text[..b]) else {
        return true;
    };
    let prev_line = before.rfind('\n').map_or(before, |i| &before[i + 1..]);
    prev_line.trim().is_empty()
}

/// Whether the line ending at `end` is the last of the text or precedes a blank one.
fn blank_line_after(text: &str, end: usize) -> bool {
    if end >= text.len() {
        return true;
    }
    let next = end + 1;
    text[next..line_end(text, next)].trim().is_empty()
}

fn line_end(text: &str, from: usize) -> usize {
    memchr::memchr(b'\n', &text.as_bytes()[from..]).map_or(text.len(), |i| from + i)
}

#[derive(Debug)]
struct Token<'r> {
    span: Span,
    operator: Option<&'r OperatorRun>,
    llr: f32,
    shape: bool,
    /// See [`Evidence::syntax`]; true for operator runs.
    syntax: bool,
    /// See [`Evidence::marks`].
    marks: u8,
    unknown_word: bool,
    /// See [`Evidence::known_word`]; false for operator runs.
    known_word: bool,
    /// A piece cut from a longer word of the document (see [`Scorer::is_fragment`]).
    fragment: bool,
}

/// Splits `start..end` at whitespace, keeping each operator run whole.
fn tokenize<'r>(
    text: &str,
    start: usize,
    end: usize,
    runs: &'r [OperatorRun],
    out: &mut Vec<Token<'r>>,
) {
    let bytes = text.as_bytes();
    let mut runs = runs.iter().peekable();
    let mut i = start;
    while i < end {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if let Some(run) = runs.next_if(|r| r.span.start <= i) {
            out.push(Token {
                span: run.span,
                operator: Some(run),
                llr: 0.0,
                shape: true,
                syntax: true,
                marks: 0,
                unknown_word: false,
                known_word: false,
                fragment: false,
            });
            i = run.span.end;
            continue;
        }
        let limit = runs.peek().map_or(end, |r| r.span.start);
        let mut j = i;
        while j < limit && !bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        // Unicode spaces end a token too; they are rare, so check only non-ASCII tokens.
        let word = &text[i..j];
        let j = if word.is_ascii() {
            j
        } else {
            match word.char_indices().find(|(_, c)| c.is_whitespace()) {
                // A Unicode space before the token (a no-break space): skip it.
                Some((0, c)) => {
                    i += c.len_utf8();
                    continue;
                }
                Some((k, _)) => i + k,
                None => j,
            }
        };
        out.push(Token {
            span: Span::new(i, j),
            operator: None,
            llr: 0.0,
            shape: false,
            syntax: false,
            marks: 0,
            unknown_word: false,
            known_word: false,
            fragment: false,
        });
        i = j;
    }
}

/// The token without the punctuation that prose puts around words.
fn core(token: &str) -> &str {
    const OPEN: [char; 12] = ['"', '\'', '“', '‘', '(', '[', '{', '<', '*', '_', '«', '„'];
    const CLOSE: [char; 17] = [
        '"', '\'', '”', '’', ')', ']', '}', '>', '.', ',', ';', ':', '!', '?', '*', '_', '»',
    ];
    // Byte loops for the ASCII marks; the rare non-ASCII quote takes the char path.
    let bytes = token.as_bytes();
    let (mut start, mut end) = (0, bytes.len());
    if bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return token;
    }
    while start < end {
        let b = bytes[start];
        if b.is_ascii() && OPEN.contains(&(b as char)) {
            start += 1;
        } else if !b.is_ascii() && token[start..].starts_with(OPEN) {
            start += token[start..].chars().next().map_or(1, char::len_utf8);
        } else {
            break;
        }
    }
    while end > start {
        let b = bytes[end - 1];
        if b.is_ascii() && CLOSE.contains(&(b as char)) {
            end -= 1;
        } else if !b.is_ascii() && token[start..end].ends_with(CLOSE) {
            end -= token[start..end]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
        } else {
            break;
        }
    }
    &token[start..end]
}

/// Digits with the separators of numbers, dates, references and footnote markers.
fn is_numeric(s: &str) -> bool {
    s.chars().any(|c| c.is_numeric())
        && s.chars()
            .all(|c| c.is_numeric() || matches!(c, '.' | ',' | ':' | '-' | '/' | '–' | '%' | '+'))
}

/// A version number with its suffixes, as package changelogs and release notes write
/// them: `1.0.5-2ubuntu1`, `2:4.2.1+dfsg-1`, `1.46.6~rc1-1`, `15.10-0+deb12u1`. It
/// opens with an optional epoch and at least two numbers joined by dots, and only a
/// separator follows them; digits glued into scrambled letters (`0.0y3lenkov`) are
/// letters straight after the number, and start after letters (`sitt0.0y3`).
fn is_version(core: &str) -> bool {
    let bytes = core.as_bytes();
    let number = |i: usize| {
        let end = i + bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        (end > i).then_some(end)
    };
    let Some(mut i) = number(0) else {
        return false;
    };
    if bytes.get(i) == Some(&b':') {
        let Some(end) = number(i + 1) else {
            return false;
        };
        i = end;
    }
    let mut parts = 1;
    while bytes.get(i) == Some(&b'.') {
        // `1.2.13.dfsg`: a dot before letters is a separator.
        let Some(end) = number(i + 1) else { break };
        i = end;
        parts += 1;
    }
    parts >= 2
        && (i == bytes.len() || matches!(bytes[i], b'-' | b'+' | b'~' | b'.'))
        && bytes[i..]
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'~'))
}

/// A capital after two lowercase letters in a word that starts lowercase (`toNagy`,
/// `rightsNo`): prose capitalises only at a word's start, acronyms are all capitals,
/// names such as `McDonald` or `TsKhSD` have a single lowercase letter before the
/// capital, and a word that starts with a capital and has more (`StrictHostKeyChecking`,
/// `OpenSSH`, `LaTeX`) is a name or an identifier.
fn has_inner_capital(s: &str) -> bool {
    if s.starts_with(char::is_uppercase) {
        return false;
    }
    let mut lower_run = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            lower_run += 1;
        } else if c.is_uppercase() {
            if lower_run >= 2 {
                return true;
            }
            lower_run = 0;
        } else {
            lower_run = 0;
        }
    }
    false
}

/// Text-showing and text-state operator names: never words, and glued to letters they
/// are the marks of a scrambled content stream (`rcldTJ`, `WorTf`).
const OPERATOR_NAMES: [&str; 6] = ["TJ", "Tj", "T*", "Tf", "Td", "Tm"];

/// The evidence of one token.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Evidence {
    /// log P(token | garble) − log P(token | text).
    llr: f32,
    /// The token has a shape prose does not have (digits inside letters, a capital
    /// inside a lowercase word, an operator name, a misplaced bracket, words run
    /// together) — as opposed to merely being unknown, which names and foreign words
    /// are too.
    shape: bool,
    /// The shape is one of the marks of a scrambled content stream — digits inside
    /// letters, a misplaced bracket, a glued semicolon, a kerning number hyphenated to
    /// a word, an operator name — which neither prose nor names nor other languages
    /// have (a capital inside a word or words run together, the other shapes, they
    /// sometimes do).
    syntax: bool,
    /// How many different content-stream marks the token carries: `notks43(` has two,
    /// digits glued into letters and a bracket opened at its end. Each is a witness of
    /// its own, as the shapes of identifiers (`secp256r1`, `printf(`) come one at a
    /// time.
    marks: u8,
    /// An alphabetic word of four letters or more the dictionary does not know, or a
    /// name with digits inside (`mke2fs`): if the document uses it again, it is the
    /// document's own term, not a scrambled fragment.
    unknown_word: bool,
    /// The token is a word the dictionary knows (see [`is_known_word`]), which
    /// [`weigh_context`] weighs by its neighbours. Not evidence in itself: it is set by
    /// [`Scorer::evidence`] so that the memo answers it too, as the same prose words
    /// are weighed in window after window.
    known_word: bool,
}

impl Evidence {
    const fn text(llr: f32) -> Evidence {
        Evidence {
            llr,
            shape: false,
            syntax: false,
            marks: 0,
            unknown_word: false,
            known_word: false,
        }
    }

    fn add_shape(&mut self, llr: f32) {
        if llr > 0.0 {
            self.llr += llr;
            self.shape = true;
        }
    }

    fn add_syntax(&mut self, llr: f32) {
        if llr > 0.0 {
            self.add_shape(llr);
            self.syntax = true;
            self.marks += 1;
        }
    }
}

/// Whether the brackets of a stretch of text pair up, as in code and mathematics
/// (`print(reverse(sort num (values(%array))));`), or not, as in a cut content stream
/// (`dernr)43(docum … tlt(.`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Brackets {
    Balanced,
    Unbalanced,
}

impl Brackets {
    fn of<'a>(tokens: impl Iterator<Item = &'a str>) -> Brackets {
        let (mut round, mut square) = (0i32, 0i32);
        for b in tokens.flat_map(str::bytes) {
            match b {
                b'(' => round += 1,
                b')' => round -= 1,
                b'[' => square += 1,
                b']' => square -= 1,
                _ => {}
            }
        }
        if round == 0 && square == 0 {
            Brackets::Balanced
        } else {
            Brackets::Unbalanced
        }
    }
}

/// The evidence of one token; `brackets` tells whether the brackets of the tokens
/// around it pair up, in which case a bracket inside this one is code, not syntax.
fn token_evidence(token: &str, cx: &Scorer<'_>, brackets: Brackets) -> Evidence {
    if is_inline_code(token) {
        return Evidence::text(-0.5);
    }
    let core = core(token);
    let mut ev = Evidence::default();
    if brackets == Brackets::Unbalanced {
        ev.add_syntax(syntax_llr(token, core));
        ev.add_syntax(kerning_before_string(token, cx.lexicon));
    } else {
        ev.add_syntax(glued_semicolon(core));
    }
    if core.is_empty() || is_numeric(core) {
        return ev;
    }
    if is_version(core) {
        return Evidence::text(-0.5);
    }
    if has_pair(core, b':', b'/') || core.starts_with("www.") || is_email(core) {
        return Evidence::text(-1.0);
    }
    if is_manual_reference(core) || is_technical(core) || is_formula(core) || is_call(token) {
        return Evidence::text(ev.llr - 0.5);
    }
    let bare = token.trim_matches(|c: char| !c.is_alphanumeric() && c != '*');
    if OPERATOR_NAMES.contains(&bare) {
        ev.add_syntax(2.5);
        return ev;
    }
    if bare.contains('T') && OPERATOR_NAMES.iter().any(|op| bare.contains(op)) {
        ev.add_syntax(1.5);
    }
    if !is_ocr_confusion(core, cx.lexicon) {
        let digits = digits_llr(core);
        ev.add_syntax(digits);
        // A name with digits (`mke2fs`, `sha256sum`, `ppc64el`, `ldbl-128ibm`) recurs
        // in its document; a number glued into scrambled letters does not.
        ev.unknown_word = digits > 0.0 && is_name(core);
    }
    let hyphenated = hyphen_number(core);
    ev.add_syntax(hyphenated);
    // So does a name hyphenated to a number (`ldbl-128`, `latin-9`), where a kerning
    // value left after a fragment (`pohavon-27`) does not.
    ev.unknown_word |= hyphenated > 0.0 && is_name(core);
    let letters_only = core
        .chars()
        .all(|c| c.is_alphabetic() || c == '\'' || c == '’');
    if letters_only {
        let w = word_evidence(core, token, cx);
        ev.llr += w.llr;
        ev.shape |= w.shape;
        ev.unknown_word = w.unknown_word;
        return ev;
    }
    // Compounds: score the parts, `Gheorghiu-Dej`, `sovetsko-iugoslavskogo`.
    let mut parts = 0;
    let mut sum = Evidence::default();
    for part in core
        .split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .filter(|p| !p.is_empty())
    {
        let w = word_evidence(part, part, cx);
        sum.llr += w.llr;
        sum.shape |= w.shape;
        parts += 1;
    }
    if parts > 0 {
        let words = sum.llr / parts as f32;
        // Glued to a kerning number or a bracket, a real word is still garble:
        // `group43(`, `program;f-6`.
        ev.llr += if ev.syntax { words.max(0.0) } else { words };
        ev.shape |= sum.shape;
    }
    ev
}

/// Code quoted in backticks, as Markdown writes it: `` `Xoshiro128PlusPlus`, ``,
/// ``(`armv6k-nintendo-3ds`)``. Quoted on purpose, it is the author's, never a
/// scrambled fragment (TeX's opening quotes, two backticks, close with apostrophes).
fn is_inline_code(token: &str) -> bool {
    let quoted = token
        .trim_start_matches(['(', '[', '"', '\''])
        .trim_end_matches([')', ']', ',', '.', ';', ':', '!', '?', '"', '\'']);
    quoted.len() > 2
        && quoted
            .strip_prefix('`')
            .and_then(|q| q.strip_suffix('`'))
            .is_some_and(|inner| !inner.is_empty() && !inner.contains('`'))
}

/// A word OCR misread with a digit for a letter (`c0mmittee`, `fi1e`, `5tate`): with
/// the look-alike letters back it is a word, so its digits are not scrambled syntax.
fn is_ocr_confusion(core: &str, lexicon: &Lexicon) -> bool {
    if !core.bytes().any(|b| b.is_ascii_digit()) || core.len() > 32 {
        return false;
    }
    let letters: String = core
        .chars()
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '5' => 's',
            '8' => 'B',
            '6' => 'b',
            '9' => 'g',
            c => c,
        })
        .collect();
    let word = letters.trim_matches(|c: char| !c.is_alphabetic());
    word.chars().all(char::is_alphabetic)
        && (lexicon.contains(word) || {
            // `1` for `i` as often as for `l`.
            let i = word.replace('l', "i");
            lexicon.contains(&i)
        })
}

/// A function named with its call parentheses, `xmlAddChild()`, `DumpScreen2RGB()`
/// (the core has lost the closing one).
fn is_call(token: &str) -> bool {
    token
        .trim_end_matches([',', '.', ';', ':'])
        .strip_suffix("()")
        .is_some_and(|name| {
            name.bytes().any(|b| b.is_ascii_alphabetic())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':'))
        })
}

/// `grep(1)`, `pcre2(3)`, `read(2p)`: a manual page and its section (the core has lost
/// its closing parenthesis to [`core`]).
fn is_manual_reference(core: &str) -> bool {
    let Some((name, section)) = core.split_once('(') else {
        return false;
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | ':'))
        && section.starts_with(|c: char| c.is_ascii_digit())
        && section.len() <= 3
        && section.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Options, paths, identifiers and file names: `--ungzip`, `~/.ssh/id_ed25519.pub`,
/// `Debug::pkgProblemResolver`, `.gitignore`, `lesskey.ini`, `KEY=value`. Their
/// letters are not words, by design.
fn is_technical(core: &str) -> bool {
    let mut chars = core.chars();
    let (first, second) = (chars.next(), chars.next());
    if matches!(first, Some('~' | '/' | '$' | '%' | '@' | '+'))
        || (matches!(first, Some('-' | '.'))
            && second.is_some_and(|c| c.is_alphabetic() || c == '-'))
    {
        return true;
    }
    if core.contains([
        '/', '_', '=', '\\', '{', '}', '<', '>', '$', '|', '&', '#', '@', '"',
    ]) || has_pair(core, b':', b':')
        || has_pair(core, b'(', b')')
    {
        return true;
    }
    // `name.ext`: a short lowercase extension after a dot between letters.
    core.rsplit_once('.').is_some_and(|(stem, ext)| {
        stem.ends_with(|c: char| c.is_ascii_alphanumeric())
            && ext.starts_with(|c: char| c.is_ascii_lowercase())
            && (1..=4).contains(&ext.len())
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    })
}

/// A chemical formula: element symbols with counts, `H2O`, `C6H12O6`, `NaCl`.
fn is_formula(core: &str) -> bool {
    let bytes = core.as_bytes();
    let mut i = 0;
    let mut elements = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_uppercase() {
            return false;
        }
        i += 1;
        if i < bytes.len() && bytes[i].is_ascii_lowercase() {
            i += 1;
        }
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        elements += 1;
    }
    elements >= 2 && bytes.iter().any(u8::is_ascii_digit) || (elements == 2 && core.len() == 4)
}

/// A long token that is a name or a compound, not soup: capitalised
/// (`StrictHostKeyChecking`) or hyphenated (`architecture-independent`).
fn long_name(core: &str) -> bool {
    core.starts_with(char::is_uppercase) || core.contains('-')
}

/// Whether `a` is directly followed by `b` somewhere in `s` (without building a
/// substring searcher, as `str::contains` does).
fn has_pair(s: &str, a: u8, b: u8) -> bool {
    s.as_bytes().windows(2).any(|w| w[0] == a && w[1] == b)
}

fn is_email(s: &str) -> bool {
    s.split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
}

/// The evidence of one alphabetic word.
///
/// The character model cannot tell soup from names: soup is cut from English words,
/// so its fragments are as English-like as `Gheorghiu` or `mirovaia`. What tells them
/// apart is shape. Soup is lowercase fragments too short to be words (`ge`, `ium`,
/// `xt`) and words run together (`enginerewar`, `contityindividual`); names are
/// capitalised, and a name or a transliterated term recurs in its document, while a
/// scrambled fragment almost never does.
fn word_evidence(word: &str, token: &str, cx: &Scorer<'_>) -> Evidence {
    let letters = word.chars().count();
    let zipf = cx.lexicon.zipf(word);
    if zipf > 0.0 {
        return Evidence::text(match letters {
            1 => {
                if zipf >= 5.0 || token.ends_with('.') {
                    -0.5
                } else {
                    0.5
                }
            }
            2 if zipf >= 4.0 => -0.8,
            2 if zipf >= 3.0 => -0.3,
            2 => 0.6,
            3 if zipf >= 3.0 => -1.2,
            3 => -0.3,
            _ => -1.5,
        });
    }
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    let all_upper = word.chars().all(|c| !c.is_lowercase());
    if letters == 1 {
        // An initial (`V. N. Chernukha`) or a list marker.
        return Evidence::text(if token.ends_with('.') || token.ends_with(')') {
            -0.5
        } else {
            0.8
        });
    }
    if all_upper {
        // Acronyms: `AVPRF`, `CWIHP`, `GSSAPI`.
        return Evidence::text(0.2);
    }
    if first_upper && letters == 2 {
        // Too short for a name, except a few (`Hu`, `Xi`): `Um at varng thw`.
        return Evidence::text(0.5);
    }
    let glued = !first_upper && glued_the(word, cx.lexicon);
    if !first_upper && !glued && letters >= 6 && missing_spaces(word, cx.lexicon) {
        // `immediatelyfollowingtheoption`: an extractor dropped the spaces of real
        // words (the words stage puts them back); soup glues fragments.
        return Evidence::text(0.0);
    }
    let mut ev = Evidence::text(if first_upper {
        -0.3
    } else if !word.is_ascii() {
        // Lowercase with diacritics: another language (`résultats`), not a fragment.
        0.0
    } else {
        // A lowercase word a large dictionary does not know is rare in prose (a few in
        // a thousand tokens, and those recur: commands, terms) and common in soup.
        1.0
    });
    if has_inner_capital(word) {
        ev.add_shape(1.5);
    }
    let (logp, _) = cx.model.score(word);
    if logp < -3.6 {
        ev.llr += 0.8;
    }
    if !first_upper {
        ev.add_shape(run_together(word, cx.lexicon));
    }
    if letters > TOO_LONG && !long_name(word) {
        ev.add_shape(1.0);
    }
    ev.unknown_word = letters >= 4;
    ev
}

/// A prefix and a word: `un`+`configured`, `de`+`install`, `pre`+`formatted`.
fn derived(lower: &str, lexicon: &Lexicon) -> bool {
    const PREFIXES: &[&str] = &[
        "anti", "auto", "co", "counter", "de", "dis", "im", "in", "inter", "mis", "multi", "non",
        "over", "pre", "re", "semi", "sub", "super", "trans", "un", "under",
    ];
    PREFIXES.iter().any(|p| {
        lower
            .strip_prefix(p)
            .is_some_and(|rest| rest.len() >= 4 && lexicon.zipf(rest) > 0.0)
    })
}

/// `the` glued after a fragment (`statthe`, `codethethe`), as soup is made. After a
/// function word (`withthe`, `fromthe`) it is a dropped space instead.
fn glued_the(word: &str, lexicon: &Lexicon) -> bool {
    const FUNCTION_ZIPF: f32 = 5.5;
    let lower = word.to_ascii_lowercase();
    lower.strip_suffix("the").is_some_and(|head| {
        head.len() >= 3
            && word.len() >= 7
            && !head.ends_with(['e', 'a'])
            && lexicon.zipf(&lower) == 0.0
            && lexicon.zipf(head) < FUNCTION_ZIPF
    })
}

/// Whether `word` is whole words written without spaces: it splits into pieces that
/// are each a word of four letters or more, or a common short word (`if`, `the`, `a`).
/// The dictionary knows the clitics of tokenised text (`re`, `t`, `s`) as frequent
/// words, so short pieces must be more frequent still.
fn missing_spaces(word: &str, lexicon: &Lexicon) -> bool {
    const MAX_LEN: usize = 48;
    // The least frequency of a piece of 2, 3, and 4 or more letters.
    const ZIPF: [f32; 3] = [6.0, 5.0, 3.0];
    let bytes = word.as_bytes();
    if bytes.len() > MAX_LEN || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    // reach[i]: whether the first i letters split into words.
    let mut reach = [false; MAX_LEN + 1];
    reach[0] = true;
    for end in 1..=lower.len() {
        reach[end] = (0..end).rev().any(|start| {
            let piece = &lower[start..end];
            reach[start]
                && match piece.len() {
                    1 => piece == "a",
                    n => lexicon.zipf(piece) >= ZIPF[(n - 2).min(2)],
                }
        });
    }
    reach[lower.len()]
}

/// Evidence that an unknown lowercase word is words run together: a common word of
/// five letters or more at one end and, at the other, a piece of four letters or more
/// that is not a word (`enginerewar`), or `the` glued to a fragment (`statthe`). A
/// piece that is an affix (`non`+`recursive`) makes an ordinary derived word, and a
/// short piece before a word is how identifiers are made (`gitignore`).
fn run_together(word: &str, lexicon: &Lexicon) -> f32 {
    const AFFIXES: &[&str] = &[
        "able", "ation", "anti", "auto", "counter", "dom", "ful", "hood", "ible", "ical", "inter",
        "less", "ment", "meta", "micro", "multi", "ness", "over", "post", "semi", "ship", "self",
        "super", "under", "ward", "wards", "wise", "ings", "ness",
    ];
    if word.len() < 7 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return 0.0;
    }
    if glued_the(word, lexicon) {
        return 1.2;
    }
    let lower = word.to_ascii_lowercase();
    if derived(&lower, lexicon) || missing_spaces(&lower, lexicon) {
        // `uncompress`, `preformatted`; `filesystem`, `makeprocesswrites`.
        return 0.0;
    }
    for cut in 4..=lower.len() - 4 {
        let (head, tail) = lower.split_at(cut);
        for (long, short) in [(head, tail), (tail, head)] {
            if long.len() < 5 || lexicon.zipf(long) < 3.0 || AFFIXES.contains(&short) {
                continue;
            }
            if lexicon.zipf(short) == 0.0 {
                return 1.2;
            }
        }
    }
    0.0
}

/// What token scoring consults: the dictionary, the character model and the
/// document itself.
struct Scorer<'t> {
    text: &'t str,
    lexicon: &'static Lexicon,
    model: &'static CharModel,
    /// Words already looked up with [`Scorer::recurs`].
    recurring: RefCell<HashMap<&'t str, bool>>,
    /// Tokens already scored with [`Scorer::evidence`], in this document or earlier
    /// ones.
    evidence: RefCell<EvidenceMemo>,
    /// Words already looked up with [`Scorer::is_fragment`], and how many scans of the
    /// text are left to answer new ones.
    fragments: RefCell<Fragments<'t>>,
}

/// The answers of [`Scorer::is_fragment`] and the scans it may still make.
struct Fragments<'t> {
    known: HashMap<&'t str, bool>,
    budget: usize,
}

impl Default for Fragments<'_> {
    fn default() -> Self {
        Fragments {
            known: HashMap::new(),
            budget: FRAGMENT_LOOKUPS,
        }
    }
}

/// How many distinct words per document [`Scorer::is_fragment`] scans the text for:
/// each scan costs up to twice [`RECURRENCE_RADIUS`] bytes, so a long input full of
/// odd words stays linear; past the budget a word is simply not called a fragment.
const FRAGMENT_LOOKUPS: usize = 512;

/// Words longer than this are not looked up as the source of a fragment.
const MAX_WORD: usize = 32;

/// How far around a word [`Scorer::recurs`] looks for it again.
const RECURRENCE_RADIUS: usize = 64 * 1024;

impl<'t> Scorer<'t> {
    /// [`token_evidence`], remembered: the tokens of the windows scored are mostly the
    /// prose around a suspicious token, and prose repeats its words.
    fn evidence(&self, token: &'t str, brackets: Brackets) -> Evidence {
        debug_assert!(self
            .evidence
            .borrow()
            .holds_answers_of(self.lexicon, self.model));
        if let Some(known) = self.evidence.borrow().get(token, brackets) {
            return known;
        }
        let ev = Evidence {
            known_word: is_known_word(token, self.lexicon),
            ..token_evidence(token, self, brackets)
        };
        self.evidence.borrow_mut().insert(token, brackets, ev);
        ev
    }

    /// Whether `word`, found at byte `at`, occurs as a whole word at least twice in
    /// the document — in the [`RECURRENCE_RADIUS`] bytes around `at`, which is the
    /// whole of most documents.
    ///
    /// A scan of the text per word, so it is asked only about the unknown words of
    /// lines that might hold garble, within a bounded stretch, so that a long input
    /// with much garble stays linear; answers are cached.
    fn recurs(&self, word: &'t str, at: usize) -> bool {
        if let Some(&known) = self.recurring.borrow().get(word) {
            return known;
        }
        let mut lo = at.saturating_sub(RECURRENCE_RADIUS);
        while !self.text.is_char_boundary(lo) {
            lo -= 1;
        }
        let mut hi = (at + RECURRENCE_RADIUS).min(self.text.len());
        while !self.text.is_char_boundary(hi) {
            hi += 1;
        }
        let bytes = &self.text.as_bytes()[..hi];
        let is_letter = |i: usize| {
            self.text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        };
        let count = memchr::memmem::find_iter(&bytes[lo..], word.as_bytes())
            .map(|found| lo + found)
            .filter(|&at| {
                let end = at + word.len();
                !is_letter(at)
                    && !self.text[end..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric)
            })
            .take(2)
            .count();
        self.recurring.borrow_mut().insert(word, count >= 2);
        count >= 2
    }

    /// Whether `word`, an unknown lowercase word found at byte `at`, is a piece cut
    /// from a longer word of the same document (`ommit` from `commit`, `ecur` from
    /// `secure`) and never occurs whole anywhere else: the signature of letter soup,
    /// which scramblers and broken extractors build from the document's own text. A
    /// real unknown word — a command, a transliteration — is used whole, or is not
    /// part of another word at all.
    ///
    /// One scan of the text around `at` (see [`Scorer::recurs`]); answers are cached
    /// and new questions are answered only within [`FRAGMENT_LOOKUPS`].
    fn is_fragment(&self, word: &'t str, at: usize) -> bool {
        let mut fragments = self.fragments.borrow_mut();
        if let Some(&known) = fragments.known.get(word) {
            return known;
        }
        if fragments.budget == 0 {
            return false;
        }
        fragments.budget -= 1;
        let (lo, hi) = self.around(at);
        let bytes = self.text.as_bytes();
        let letter = |b: Option<&u8>| b.is_some_and(u8::is_ascii_alphabetic);
        let (mut whole, mut inside) = (0usize, false);
        for found in memchr::memmem::find_iter(&bytes[lo..hi], word.as_bytes()) {
            let start = lo + found;
            let end = start + word.len();
            let before = start.checked_sub(1).and_then(|i| bytes.get(i));
            if letter(before) || letter(bytes.get(end)) {
                // Cut from a word the dictionary knows: a name that is part of a
                // longer name (`perlref`, `perlreftut`) is no fragment.
                if !inside {
                    let from = bytes[..start]
                        .iter()
                        .rposition(|b| !b.is_ascii_alphabetic())
                        .map_or(0, |i| i + 1);
                    let to = bytes[end..]
                        .iter()
                        .position(|b| !b.is_ascii_alphabetic())
                        .map_or(bytes.len(), |i| end + i);
                    inside = to - from <= MAX_WORD
                        && self.lexicon.zipf(&self.text[from..to].to_ascii_lowercase()) > 0.0;
                }
            } else {
                whole += 1;
                if whole >= 2 {
                    break;
                }
            }
        }
        let fragment = inside && whole < 2;
        fragments.known.insert(word, fragment);
        fragment
    }

    /// The char-boundary range of [`RECURRENCE_RADIUS`] bytes around `at`.
    fn around(&self, at: usize) -> (usize, usize) {
        let mut lo = at.saturating_sub(RECURRENCE_RADIUS);
        while !self.text.is_char_boundary(lo) {
            lo -= 1;
        }
        let mut hi = (at + RECURRENCE_RADIUS).min(self.text.len());
        while !self.text.is_char_boundary(hi) {
            hi += 1;
        }
        (lo, hi)
    }
}

/// Digits inside letters: `hifos46Am`, `sitt0.0y3lenkov`, `27alin`. A number with a
/// short suffix (`1950s`, `2nd`, `53ob`), a name with a number (`x86`, `F60`,
/// `ed25519`) are ordinary.
fn digits_llr(core: &str) -> f32 {
    if alternations(core) >= 3 {
        return 2.0;
    }
    let mut best: f32 = 0.0;
    for piece in core.split(|c: char| !c.is_ascii_alphanumeric()) {
        // Hex literals and hashes: `0x1f`, `9f86d081`.
        let hex = piece.starts_with("0x")
            || (piece.len() >= 6 && piece.bytes().all(|b| b.is_ascii_hexdigit()));
        if hex {
            continue;
        }
        let bytes = piece.as_bytes();
        let Some(first_digit) = bytes.iter().position(u8::is_ascii_digit) else {
            continue;
        };
        let last_digit = bytes.iter().rposition(u8::is_ascii_digit).unwrap_or(0);
        let letter_before = bytes[..last_digit].iter().any(u8::is_ascii_alphabetic);
        let letter_after = bytes[first_digit..].iter().any(u8::is_ascii_alphabetic);
        let inside = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_digit())
            .any(|(k, _)| {
                bytes[..k].iter().any(u8::is_ascii_alphabetic)
                    && bytes[k..].iter().any(u8::is_ascii_alphabetic)
            });
        let trailing_letters = bytes.len() - 1 - last_digit;
        // Letters between numbers: `2iflodJgo67`.
        let enclosed = bytes[first_digit..last_digit]
            .iter()
            .filter(|b| b.is_ascii_alphabetic())
            .count()
            >= 3;
        best = best.max(if inside || enclosed {
            2.0
        } else if !letter_before && letter_after && trailing_letters >= 4 {
            1.0
        } else {
            0.0
        });
    }
    best
}

/// How often letters and digits alternate in `core` across the dots between them:
/// three times in `no0.0y3` and `por0.0y3` (a number glued into a word), once in
/// `v1.2.3` or `x86`. Hex strings and hyphenated identifiers (`123e4567-e89b`) are
/// not counted.
fn alternations(core: &str) -> usize {
    let bytes = core.as_bytes();
    if bytes.contains(&b'-') || bytes.starts_with(b"0x") {
        return 0;
    }
    let hex = core
        .split('.')
        .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex {
        return 0;
    }
    let mut last: Option<bool> = None;
    let mut count = 0;
    for &b in bytes {
        let digit = if b.is_ascii_digit() {
            true
        } else if b.is_ascii_alphabetic() {
            false
        } else if b == b'.' {
            continue;
        } else {
            return 0;
        };
        if last.is_some_and(|l| l != digit) {
            count += 1;
        }
        last = Some(digit);
    }
    count
}

/// A lowercase word hyphenated to a number (`pohavon-27`, `f-6ctiura`): kerning values
/// of a scrambled `TJ` array. `utf-8`, `COVID-19`, `MiG-21` are short or capitalised.
fn hyphen_number(core: &str) -> f32 {
    let bytes = core.as_bytes();
    // A version after the hyphen (`Apache-2.0`, `python-3.11`) is a name's; soup glues
    // digits into letters (`f-6ctiura`) or after them (`pohavon-27`).
    let glued = bytes.windows(2).enumerate().any(|(k, w)| {
        w[0] == b'-'
            && w[1].is_ascii_digit()
            && k >= 4
            && bytes[k - 4..k].iter().all(u8::is_ascii_lowercase)
            && !is_version_number(&bytes[k + 1..])
    });
    if glued {
        1.0
    } else {
        0.0
    }
}

/// Digits with at least one inner dot, and nothing else: `2.0`, `3.11.4`.
fn is_version_number(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(u8::is_ascii_digit)
        && bytes.last().is_some_and(u8::is_ascii_digit)
        && bytes.contains(&b'.')
        && bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.')
}

/// Brackets where prose never has them: opened at a word's end (`tlt(.`), or
/// unbalanced inside it (`toth[(undignified`), and a semicolon glued between letters
/// (`igniblaadce;f-6`). Balanced editorial insertions (`B[el]g[ra]de`, `S[talin]:`)
/// and `lesskey(1)` are ordinary.
fn syntax_llr(token: &str, core: &str) -> f32 {
    let mut llr = 0.0;
    let mut depth_round = 0i32;
    let mut depth_square = 0i32;
    for c in token.chars() {
        match c {
            '(' => depth_round += 1,
            ')' => depth_round -= 1,
            '[' => depth_square += 1,
            ']' => depth_square -= 1,
            _ => {}
        }
    }
    let inner = core.trim_matches(|c: char| !c.is_alphanumeric());
    let unbalanced = (inner.contains(['(', ')', '[', ']'])
        && (depth_round != 0 || depth_square != 0))
        || token.ends_with('(')
        || token.ends_with("(.")
        || token.ends_with('[');
    if unbalanced {
        llr += 1.5;
    }
    if has_pair(token, b'[', b'(') {
        // A string opened inside an array: `TJ` operand syntax (`for[ta* [(ri`).
        llr += 1.5;
    }
    llr + glued_semicolon(core)
}

/// A kerning number between a string's end and the next string's start, as a `TJ`
/// array writes them (`(notks)43(`), left as `notks43(`: two digits or more after a
/// piece of a word of four letters or more the dictionary does not know (shorter
/// ones are the names of functions, `sha256(`, `utf16(`), and a bracket opened after
/// them.
/// Asked only where the brackets around do not pair up; a call in code (`log10(x)`)
/// closes its bracket.
fn kerning_before_string(token: &str, lexicon: &Lexicon) -> f32 {
    let Some(head) = token.strip_suffix('(') else {
        return 0.0;
    };
    let letters = head.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = head.len() - letters.len();
    let word = letters.trim_start_matches(|c: char| !c.is_ascii_alphabetic());
    let glued = digits >= 2
        && word.len() >= 4
        && word.bytes().all(|b| b.is_ascii_lowercase())
        && lexicon.zipf(word) == 0.0;
    if glued {
        0.5
    } else {
        0.0
    }
}

/// A semicolon glued between letters or digits (`igniblaadce;f-6`).
fn glued_semicolon(core: &str) -> f32 {
    let inner = core.trim_matches(|c: char| !c.is_alphanumeric());
    // Between two capitals it is an abbreviation's (`TL;DR`).
    let glued = inner.as_bytes().windows(3).any(|w| {
        w[1] == b';'
            && w[0].is_ascii_alphanumeric()
            && w[2].is_ascii_alphanumeric()
            && !(w[0].is_ascii_uppercase() && w[2].is_ascii_uppercase())
    });
    if glued {
        1.5
    } else {
        0.0
    }
}

/// A short paragraph that is garble as a whole: most tokens unlike text, several with
/// shapes prose does not have. Scrambled paragraphs keep some real words (`treaty
/// with`, `claims on Hungary`: the scrambler cuts from real text), which would split a
/// token-level segmentation, but a paragraph that is mostly soup is soup throughout.
fn whole_paragraph(text: &str, tokens: &[Token<'_>]) -> Option<GarbleRun> {
    const MAX_TOKENS: usize = 40;
    const MIN_SCORE: f32 = 3.0;
    const MIN_SHAPES: usize = 2;
    // A row of a table is judged cell by cell (see [`cells`]).
    if tokens.is_empty()
        || tokens.len() > MAX_TOKENS
        || tokens.windows(2).any(|w| wide_gap(text, &w[0], &w[1]))
    {
        return None;
    }
    let score: f32 = tokens.iter().map(|t| t.llr).sum();
    let shapes = tokens.iter().filter(|t| t.shape).count();
    let unlike = tokens.iter().filter(|t| t.llr > 0.0).count();
    // One shape suffices when nearly every token is unlike text (`Alb tua d -1vTJht`).
    let enough_shapes = shapes >= MIN_SHAPES || (shapes == 1 && unlike * 4 >= tokens.len() * 3);
    if score < MIN_SCORE || !enough_shapes || unlike * 2 < tokens.len() {
        return None;
    }
    Some(run_of(text, tokens))
}

/// An unknown word the document uses again is its own term — a name, a command, a
/// transliteration — not a fragment: `Gheorghiu`, `perlreftut`, `dpkg`.
/// Returns whether any token changed.
fn discount_recurring<'t>(text: &'t str, scorer: &Scorer<'t>, tokens: &mut [Token<'_>]) -> bool {
    const RECURRING: f32 = -1.0;
    let mut changed = false;
    for t in tokens
        .iter_mut()
        .filter(|t| t.unknown_word && t.llr > RECURRING)
    {
        let word = without_possessive(core(&text[t.span.range()]));
        if scorer.recurs(word, t.span.start) {
            t.llr = RECURRING;
            t.shape = false;
            t.syntax = false;
            t.marks = 0;
            t.fragment = false;
            changed = true;
        }
    }
    changed
}

/// The evidence of a piece cut from a longer word of the document (see
/// [`Scorer::is_fragment`]), which also counts as a shape prose does not have.
const FRAGMENT: f32 = 1.0;

/// Letters, digits and inner hyphens, as names with numbers are written (`mke2fs`,
/// `ldbl-128`), with or without a possessive ending.
fn is_name(core: &str) -> bool {
    without_possessive(core)
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A name without the possessive ending prose gives it: `e2fsck's` is `e2fsck`.
fn without_possessive(core: &str) -> &str {
    core.strip_suffix("'s")
        .or_else(|| core.strip_suffix("\u{2019}s"))
        .filter(|name| !name.is_empty())
        .unwrap_or(core)
}

/// Whether `word` (the core of the token at `span`) is half of a word split in two, by
/// OCR or a line break (`informa tion`, `con-` / `tinue`): glued to the word before or
/// after it, it is a word the dictionary knows. Such halves are pieces of a longer word
/// of the document too, but of the word right beside them.
fn split_word(text: &str, span: Span, word: &str, lexicon: &Lexicon) -> bool {
    const MAX_LEN: usize = 40;
    fn piece(s: &str) -> Option<&str> {
        let c = core(s.trim_end_matches('-'));
        (!c.is_empty() && c.len() <= MAX_LEN && c.bytes().all(|b| b.is_ascii_alphabetic()))
            .then_some(c)
    }
    let before = text[..span.start]
        .trim_end()
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .and_then(piece);
    let after = text[span.end..]
        .trim_start()
        .split(|c: char| c.is_whitespace())
        .next()
        .and_then(piece);
    let known = |a: &str, b: &str| {
        let mut joined = String::with_capacity(a.len() + b.len());
        joined.push_str(a);
        joined.push_str(b);
        joined.make_ascii_lowercase();
        lexicon.zipf(&joined) > 0.0
    };
    before.is_some_and(|b| known(b, word)) || after.is_some_and(|a| known(word, a))
}

/// Single letters next to single letters are a letter-spaced heading
/// (`D e b u g : : p k g`), which the layout stage joins, not soup.
fn discount_letter_spacing(text: &str, tokens: &mut [Token<'_>]) {
    // A char is at most four bytes, so a longer token is no single letter and its chars
    // need not be counted.
    let single = |t: &Token<'_>| {
        t.operator.is_none() && t.span.len() <= 4 && text[t.span.range()].chars().count() == 1
    };
    // Whether the tokens before, at and after `i` are single letters, slid along: the
    // loop changes only scores, never what makes a token a single letter.
    let (mut before, mut this) = (false, tokens.first().is_some_and(single));
    for i in 0..tokens.len() {
        let after = tokens.get(i + 1).is_some_and(single);
        if this && (before || after) {
            tokens[i].llr = tokens[i].llr.min(-0.5);
        }
        (before, this) = (this, after);
    }
}

/// Viterbi over one unit's tokens; pushes the garble segments worth reporting.
fn segment(text: &str, tokens: &[Token<'_>], paragraph_start: bool, out: &mut Vec<GarbleRun>) {
    let n = tokens.len();
    if n == 0 {
        return;
    }
    // back[i] = (best predecessor state for text, for garble) at token i.
    let mut back: Vec<(bool, bool)> = Vec::with_capacity(n);
    let (mut text_score, mut garble_score) = (0.0f32, ENTER + tokens[0].llr);
    back.push((false, false));
    for t in &tokens[1..] {
        let text_from_text = text_score;
        let text_from_garble = garble_score + LEAVE;
        let garble_from_text = text_score + ENTER;
        let garble_from_garble = garble_score + STAY;
        let text_prev_garble = text_from_garble > text_from_text;
        let garble_prev_garble = garble_from_garble >= garble_from_text;
        text_score = text_from_text.max(text_from_garble);
        garble_score = garble_from_text.max(garble_from_garble) + t.llr;
        back.push((text_prev_garble, garble_prev_garble));
    }
    let mut state_garble = garble_score + LEAVE > text_score;
    let mut states = vec![false; n];
    for i in (0..n).rev() {
        states[i] = state_garble;
        state_garble = if state_garble { back[i].1 } else { back[i].0 };
    }
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        if !states[i] {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < n && states[j] {
            j += 1;
        }
        let (from, to) = trim(tokens, i, j);
        if from < to {
            segments.push((from, to));
        }
        i = j;
    }
    for (from, to) in bridge(tokens, segments) {
        let (first, last) = snap(text, tokens, from, to, paragraph_start);
        for (a, b) in cells(text, tokens, first, last) {
            report(text, &tokens[a..b], out);
        }
    }
}

/// Splits the segment `[i, j)` where a wide gap — a tab or four spaces and more —
/// separates two tokens: the cells of a table or the columns of a page laid out side
/// by side (`gnat-12          libgnat-12`), which a run of garble spliced into text
/// never spans, as its tokens are joined by single spaces.
fn cells(text: &str, tokens: &[Token<'_>], i: usize, j: usize) -> Vec<(usize, usize)> {
    let mut cells = Vec::new();
    let mut from = i;
    for k in i + 1..j {
        if wide_gap(text, &tokens[k - 1], &tokens[k]) {
            cells.push((from, k));
            from = k;
        }
    }
    cells.push((from, j));
    cells
}

/// Whether a tab or four spaces and more separate two tokens of text (see [`cells`]).
fn wide_gap(text: &str, a: &Token<'_>, b: &Token<'_>) -> bool {
    const WIDE: usize = 4;
    if a.operator.is_some() || b.operator.is_some() {
        return false;
    }
    let gap = &text.as_bytes()[a.span.end..b.span.start];
    gap.contains(&b'\t')
        || gap
            .split(|&b| b == b'\n')
            .any(|part| part.iter().filter(|&&b| b == b' ').count() >= WIDE)
}

/// Joins segments separated by at most three tokens when each side holds strong
/// evidence on its own: a scrambled run keeps a few real words (`… dernr)43(docum
/// iodginelow on the 27alin tlt(.`), and the Viterbi path may step out for them.
fn bridge(tokens: &[Token<'_>], segments: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    const MAX_GAP: usize = 3;
    const STRONG_SIDE: f32 = 3.0;
    let score = |(a, b): (usize, usize)| tokens[a..b].iter().map(|t| t.llr).sum::<f32>();
    let mut joined: Vec<(usize, usize)> = Vec::with_capacity(segments.len());
    for seg in segments {
        match joined.last_mut() {
            Some(prev)
                if seg.0 - prev.1 <= MAX_GAP
                    && score(*prev) >= STRONG_SIDE
                    && score(seg) >= STRONG_SIDE =>
            {
                prev.1 = seg.1;
            }
            _ => joined.push(seg),
        }
    }
    joined
}

/// Narrows a segment `[i, j)` to start and end on tokens unlike text: the path may
/// carry a neutral token (a number) at its ends for free, and next to an operator run
/// it may carry up to two weakly unlike ones that are prose (`[Ne vydumyvaete], /F3 11
/// Tf…`), since the run's evidence pays for them.
fn trim(tokens: &[Token<'_>], mut i: usize, mut j: usize) -> (usize, usize) {
    const NEAR: usize = 2;
    const WEAK: f32 = 1.5;
    let weak = |t: &Token<'_>| t.operator.is_none() && !t.shape && t.llr < WEAK;
    while i < j && tokens[i].operator.is_none() && tokens[i].llr <= 0.0 {
        i += 1;
    }
    while j > i && tokens[j - 1].operator.is_none() && tokens[j - 1].llr <= 0.0 {
        j -= 1;
    }
    if let Some(k) = (i..j.min(i + NEAR + 1)).find(|&k| tokens[k].operator.is_some()) {
        if tokens[i..k].iter().all(weak) {
            i = k;
        }
    }
    if let Some(k) = (j.saturating_sub(NEAR + 1).max(i)..j)
        .rev()
        .find(|&k| tokens[k].operator.is_some())
    {
        if tokens[k + 1..j].iter().all(weak) {
            j = k + 1;
        }
    }
    (i, j)
}

/// Widens a segment `[i, j)` over at most two short tokens that separate it from the
/// start of its sentence or the end of its line, when those tokens lean towards garble
/// themselves: `… period. Um at varng thw …` starts at `Um`.
fn snap(
    text: &str,
    tokens: &[Token<'_>],
    i: usize,
    j: usize,
    paragraph_start: bool,
) -> (usize, usize) {
    const MAX_GAP: usize = 2;
    const SHORT: usize = 4;
    const LEANS: f32 = -0.5;
    let short = |t: &Token<'_>| {
        let s = &text[t.span.range()];
        t.operator.is_none()
            && s.len() <= SHORT
            && !(s.len() == 1 && s.chars().all(char::is_uppercase))
    };
    let mut first = i;
    for k in 1..=MAX_GAP.min(i) {
        let gap = &tokens[i - k..i];
        if !gap.iter().all(short) {
            break;
        }
        let starts_sentence = if i - k == 0 {
            paragraph_start
        } else {
            text[tokens[i - k - 1].span.range()].ends_with(['.', '?', '!'])
        };
        if starts_sentence && gap.iter().map(|t| t.llr).sum::<f32>() > LEANS {
            first = i - k;
            break;
        }
    }
    let mut last = j;
    let gap = &tokens[j..];
    if !gap.is_empty()
        && gap.len() <= MAX_GAP
        && gap.iter().all(short)
        && gap.iter().map(|t| t.llr).sum::<f32>() > LEANS
    {
        last = tokens.len();
    }
    (first, last)
}

/// A run of unknown words this long without any trace of English and with at most one
/// odd shape is another language (`Las negociaciones se concluyeron en Moscú…`), not
/// soup: soup is cut from the English around it.
const FOREIGN_TOKENS: usize = 6;

/// Whether a segment shows that it was cut from English: it keeps an English function
/// word (`of`, `the`, `is`), English words glued together (`anythe`, `statthe`), or
/// several stubs of words — two or three lowercase letters that are not a word
/// (`es`, `th`, `xt`, `od`) — where another language has its own short words, which
/// the dictionary knows from borrowed phrases (`de`, `la`, `die`, `con`).
fn cut_from_english(text: &str, seg: &[Token<'_>]) -> bool {
    const FUNCTION_ZIPF: f32 = 5.5;
    const STUB_ZIPF: f32 = 2.0;
    const STUBS: usize = 2;
    let lexicon = Lexicon::english();
    let mut stubs = 0;
    for t in seg.iter().filter(|t| t.operator.is_none()) {
        let word = core(&text[t.span.range()]);
        let zipf = lexicon.zipf(word);
        if word.len() <= 5 && zipf >= FUNCTION_ZIPF {
            return true;
        }
        let lower = word.bytes().all(|b| b.is_ascii_lowercase());
        if lower && word.len() >= 6 && zipf == 0.0 && missing_spaces(word, lexicon) {
            return true;
        }
        if lower && (2..=3).contains(&word.len()) && zipf < STUB_ZIPF {
            stubs += 1;
        }
    }
    stubs >= STUBS
}

/// The measure of a hard-wrapped document: most of its lines of text are about as long
/// as its longest.
#[derive(Clone, Copy, Debug)]
struct Measure {
    /// The length in bytes that 95% of the lines of text (20 bytes and more) do not
    /// exceed.
    width: usize,
    /// Half of them are at least this long.
    median: usize,
}

impl Measure {
    /// [`Measure::of_lengths`] of the lines of `text` (the pass takes the lengths from
    /// its prefilter, which finds every line's end).
    #[cfg(test)]
    fn of(text: &str) -> Option<Measure> {
        let mut start = 0;
        Measure::of_lengths(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .chain([text.len()])
                .map(|end| {
                    let len = end - start;
                    start = end + 1;
                    len
                }),
        )
    }

    /// The measure of a text whose lines have the lengths `lengths`, in bytes, in
    /// order, if it is hard-wrapped: its lines of text are many and regular, the median
    /// at least 80% of the width. Text written a paragraph per line has none.
    fn of_lengths(lengths: impl Iterator<Item = usize>) -> Option<Measure> {
        const MIN_LINE: usize = 20;
        const MIN_LINES: usize = 40;
        let mut text_lines = Vec::with_capacity(lengths.size_hint().0);
        text_lines.extend(lengths.filter(|&len| len >= MIN_LINE));
        let mut lengths = text_lines;
        if lengths.len() < MIN_LINES {
            return None;
        }
        // Two selections, not a sort: this runs on every document.
        let rank = |q: f32| ((lengths.len() - 1) as f32 * q) as usize;
        let (high, middle) = (rank(0.95), rank(0.5));
        let (below, &mut width, _) = lengths.select_nth_unstable(high);
        let median = *below.select_nth_unstable(middle).1;
        (median * 5 >= width * 4).then_some(Measure { width, median })
    }

    /// Whether a line of `len` bytes runs far past the measure: a third longer, and
    /// twenty bytes at least.
    fn overlong(self, len: usize) -> bool {
        const PAST: usize = 20;
        len > self.width + PAST && len * 3 > self.width * 4
    }
}

/// The run spliced into an overlong line of a hard-wrapped document, if there is one:
/// the tokens whose removal brings the line back to an ordinary line of the document
/// — within the measure, and not much shorter than the median — with the most
/// evidence, when that is enough, most of them are unlike text and none is an
/// operator run. `… on MS-DOS like back od srngio into on inc bethtothere
/// tosetconsidis this:` in a document set 58 bytes wide: soup without a single shape
/// prose lacks, but where it stands is its shape.
///
/// Prose lines of a hard-wrapped document do not run a third past its measure, except
/// to hold a token that cannot be broken — a URL, a long identifier — which is then
/// the excess, and is text, so the tokens taken out must be mostly unlike text.
fn spliced_run(
    text: &str,
    tokens: &[Token<'_>],
    line: Span,
    measure: Measure,
) -> Option<GarbleRun> {
    const SLACK: usize = 5;
    let len = line.len();
    let fits = |removed: usize| {
        let left = len.saturating_sub(removed + 1);
        left <= measure.width + SLACK && left * 4 >= measure.median * 3
    };
    // Runs start and end on tokens unlike text.
    let mut best: Option<(f32, usize, usize)> = None;
    for i in (0..tokens.len()).filter(|&i| tokens[i].llr > 0.0) {
        let mut score = 0.0;
        for j in i + 1..=tokens.len() {
            let t = &tokens[j - 1];
            if t.operator.is_some() {
                break;
            }
            score += t.llr;
            let removed = t.span.end - tokens[i].span.start;
            if removed + 1 + measure.median * 3 / 4 > len {
                break;
            }
            if t.llr > 0.0 && fits(removed) && best.is_none_or(|(b, _, _)| score > b) {
                best = Some((score, i, j));
            }
        }
    }
    let (score, i, j) = best?;
    let seg = &tokens[i..j];
    let unlike = seg.iter().filter(|t| t.llr > 0.0).count();
    if score < SPLICED_MIN_SCORE || seg.len() < MIN_TOKENS || unlike * 2 <= seg.len() {
        return None;
    }
    if !seg.iter().any(|t| t.syntax) && seg.len() >= FOREIGN_TOKENS && !cut_from_english(text, seg)
    {
        return None;
    }
    let mut run = run_of(text, seg);
    run.confidence = run.confidence.max(logistic(
        (score - SPLICED_MIN_SCORE) / 0.8 + SPLICED_PLACEMENT,
    ));
    run.evidence = format!(
        "{}, spliced into a line longer than the document's",
        run.evidence
    );
    Some(run)
}

/// The least summed evidence of a spliced run (see [`spliced_run`])…
const SPLICED_MIN_SCORE: f32 = 3.0;
/// …and what its place is worth, in log-odds: a run at that score whose removal
/// restores its line is as sure as one with content-stream marks and a score of 4.2.
const SPLICED_PLACEMENT: f32 = 2.0;

/// Pushes the run of segment `seg` if its evidence is enough.
fn report(text: &str, seg: &[Token<'_>], out: &mut Vec<GarbleRun>) {
    let score: f32 = seg.iter().map(|t| t.llr).sum();
    let has_operator = seg.iter().any(|t| t.operator.is_some());
    let shapes = seg.iter().filter(|t| t.shape).count();
    let syntax = seg.iter().any(|t| t.syntax);
    // Two tokens suffice when one carries syntax marks: `lely-27sectionpea mal`.
    let min_tokens = if syntax { MIN_TOKENS - 1 } else { MIN_TOKENS };
    if score < MIN_SCORE || (!has_operator && (seg.len() < min_tokens || shapes < MIN_STRONG)) {
        return;
    }
    // Another language has no content-stream marks.
    if !syntax && shapes < 2 && seg.len() >= FOREIGN_TOKENS && !cut_from_english(text, seg) {
        return;
    }
    out.push(run_of(text, seg));
}

/// The run that covers the tokens of `seg`.
fn run_of(text: &str, seg: &[Token<'_>]) -> GarbleRun {
    let score: f32 = seg.iter().map(|t| t.llr).sum();
    let operator_evidence: f32 = seg
        .iter()
        .filter_map(|t| t.operator.map(|r| r.evidence))
        .sum();
    let has_operator = operator_evidence > 0.0;
    let span = Span::new(seg[0].span.start, seg[seg.len() - 1].span.end);
    let soup_tokens = seg.iter().filter(|t| t.operator.is_none()).count();
    let soup_chars: usize = seg
        .iter()
        .filter(|t| t.operator.is_none())
        .map(|t| t.span.len())
        .sum();
    let kind = if has_operator && soup_chars * 2 < span.len() {
        RunKind::ContentStream
    } else {
        RunKind::LetterSoup
    };
    let decoded = seg
        .iter()
        .filter_map(|t| t.operator.map(|r| r.decoded.as_str()))
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Decoded operands are kept only when the run is nothing but content stream.
    let decoded = if soup_tokens == 0 {
        decoded
    } else {
        String::new()
    };
    let unlike = seg.iter().filter(|t| t.llr > 0.0).count();
    let fragments = seg.iter().filter(|t| t.fragment).count();
    let evidence = match kind {
        RunKind::ContentStream => format!(
            "content-stream operators with their operands (evidence {operator_evidence:.1}, score {score:.1})"
        ),
        RunKind::LetterSoup if fragments > 0 => format!(
            "{unlike} of {} tokens unlike text, {fragments} of them pieces cut from longer words of the document (score {score:.1})",
            seg.len()
        ),
        RunKind::LetterSoup => format!(
            "{unlike} of {} tokens unlike text (score {score:.1})",
            seg.len()
        ),
    };
    GarbleRun {
        span,
        kind,
        confidence: match kind {
            RunKind::ContentStream => operator_confidence(operator_evidence),
            RunKind::LetterSoup => soup_confidence(
                score,
                seg.iter().filter(|t| t.shape).count(),
                seg.iter().map(|t| usize::from(t.marks)).sum(),
                fragments,
                interrupts_word(text, span, Lexicon::english()),
            ),
        },
        decoded,
        evidence,
    }
}

/// The confidence of a content-stream run from its grammar evidence: one operator with
/// its operands (3) is a coin toss short of sure, two pieces of grammar (≥ 5) are sure.
fn operator_confidence(evidence: f32) -> f32 {
    logistic((evidence - 2.4) / 0.7)
}

/// The confidence of a soup run from its summed evidence and the shapes of its tokens.
///
/// Content-stream marks (see [`Evidence::syntax`]) are what names, identifiers and
/// other languages never have, so a run with one is sure from a score of about 4.5;
/// without one, two shapes and a score of about 8 are needed, and a run with a single
/// shape of the kinds prose sometimes has (a capital inside a word, words run
/// together) stays below the threshold of removal without review. Two marks — on
/// two tokens, or of two kinds on one (`notks43(`) — are two independent witnesses,
/// worth half a unit of log-odds more.
///
/// Without marks, so is every piece cut from a longer word of the document (see
/// [`Scorer::is_fragment`]): names, identifiers and foreign words are used whole, so
/// each such piece is a witness of its own that the run was made from the document's
/// text by cutting it up — and with one, a single shape is not a shape of prose.
///
/// A run that interrupts a word (see [`interrupts_word`]) was put into the text from
/// outside, which is worth four witnesses: prose never does that.
fn soup_confidence(
    score: f32,
    shapes: usize,
    marks: usize,
    fragments: usize,
    interrupts: bool,
) -> f32 {
    const WITNESS: f32 = 0.5;
    const MAX_FRAGMENT_WITNESSES: usize = 3;
    let pieces = WITNESS * fragments.min(MAX_FRAGMENT_WITNESSES) as f32;
    let inserted = if interrupts { 4.0 * WITNESS } else { 0.0 };
    if marks > 0 {
        let witnesses = if marks >= 2 { WITNESS } else { 0.0 };
        logistic((score - 2.6) / 0.8 + witnesses + inserted)
    } else {
        let shape_factor = if shapes >= 2 || fragments > 0 || interrupts {
            1.0
        } else {
            0.9
        };
        logistic((score - 4.5) / 1.5 + pieces + inserted) * shape_factor
    }
}

/// Whether the lines of `run` stand between the two halves of a word hyphenated at a
/// line break: `ven-` ends the line before, `dors` starts the line after, and
/// `vendors` is a word. The run was spliced into the text, as broken extractors splice
/// a content stream's scraps; prose continues a hyphenated word on the next line, and
/// what else an extractor puts between two lines of a page — a running head, a
/// footnote — comes with the page break (a form feed), which is not crossed here.
fn interrupts_word(text: &str, run: Span, lexicon: &Lexicon) -> bool {
    const MAX_HALF: usize = 24;
    let before = &text[..run.start];
    let after = &text[run.end..];
    // The run fills its lines: a line break (and only blanks) on each side.
    let Some(before) = before.trim_end_matches([' ', '\t']).strip_suffix('\n') else {
        return false;
    };
    let Some(after) = after.trim_start_matches([' ', '\t']).strip_prefix('\n') else {
        return false;
    };
    let Some(stem) = before.strip_suffix('-') else {
        return false;
    };
    // Counted in bytes, so that a non-ASCII letter before the head (`©`) is no cut
    // inside a character.
    let head_len = stem
        .bytes()
        .rev()
        .take_while(u8::is_ascii_alphabetic)
        .count();
    let head = &stem[stem.len() - head_len..];
    let tail_end = after
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(after.len());
    let tail = &after[..tail_end];
    if head.len() < 2 || tail.len() < 2 || head.len() + tail.len() > MAX_HALF {
        return false;
    }
    let word = format!("{head}{tail}").to_ascii_lowercase();
    lexicon.zipf(&word) > 0.0
}

fn logistic(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Joins runs that fill consecutive lines into one (a run across several short lines).
fn merge_adjacent_lines(text: &str, runs: &mut Vec<GarbleRun>) {
    let bytes = text.as_bytes();
    let mut merged: Vec<GarbleRun> = Vec::with_capacity(runs.len());
    for run in runs.drain(..) {
        if let Some(prev) = merged.last_mut() {
            let between = &bytes[prev.span.end..run.span.start];
            // Whitespace first: it fails at once on the text between distant runs.
            let one_break = between.iter().all(u8::is_ascii_whitespace)
                && between.iter().filter(|&&b| b == b'\n').count() == 1;
            if one_break && prev.decoded.is_empty() && run.decoded.is_empty() {
                prev.span.end = run.span.end;
                prev.confidence = prev.confidence.max(run.confidence);
                if prev.kind != run.kind {
                    prev.kind = RunKind::LetterSoup;
                }
                prev.evidence = format!("{}; {}", prev.evidence, run.evidence);
                continue;
            }
        }
        merged.push(run);
    }
    *runs = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        find(text).iter().map(|r| &text[r.span.range()]).collect()
    }

    /// The memos a thread keeps between documents hold answers that do not depend on
    /// the document: finding runs with the memos earlier documents filled gives what
    /// finding them with empty memos does.
    #[test]
    fn memos_kept_from_other_documents_change_no_answer() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/garble");
        let mut texts = Vec::new();
        for kind in ["fire", "nofire", "safe"] {
            for entry in std::fs::read_dir(format!("{dir}/{kind}")).unwrap() {
                texts.push(std::fs::read_to_string(entry.unwrap().path()).unwrap());
            }
        }
        texts.sort();
        assert!(texts.len() >= 20);
        let forget = || {
            WORD_MEMO.take();
            EVIDENCE_MEMO.take();
        };
        forget();
        let cold: Vec<Vec<GarbleRun>> = texts
            .iter()
            .map(|text| {
                forget();
                find(text)
            })
            .collect();
        // Each document after all the others, the memos filled by them.
        for (text, runs) in texts.iter().zip(&cold).rev() {
            assert_eq!(&find(text), runs, "{text}");
        }
        for (text, runs) in texts.iter().zip(&cold) {
            assert_eq!(&find(text), runs, "{text}");
        }
        assert!(cold.iter().any(|runs| !runs.is_empty()));
    }

    #[test]
    fn soup_after_a_sentence_is_found_and_the_sentence_keeps_its_end() {
        let t = "The meetings figure in the historiography on this period. Um at varng thw \
                 (BotTa3[goslav])TJ T* [(tlt O ns and dernr)43(docum iodginelow on the 27alin tlt(.";
        let f = found(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].starts_with("Um at"), "{f:?}");
        assert!(f[0].ends_with("tlt(."));
    }

    #[test]
    fn a_whole_line_of_soup_is_found() {
        let t = "A sentence.\n\nAs a and bel waped bea loy hifos46Am rcldTJ arocum archean \
                 igniblaadce;f-6ctiuraregardingmisrepanotaitih ontotf sitt0.0y3lenkov\n\nNext.";
        assert_eq!(
            found(t),
            [
                "As a and bel waped bea loy hifos46Am rcldTJ arocum archean \
              igniblaadce;f-6ctiuraregardingmisrepanotaitih ontotf sitt0.0y3lenkov"
            ]
        );
    }

    #[test]
    fn numbers_glued_into_words_are_marks_and_versions_are_not() {
        for soup in ["no0.0y3", "por0.0y3", "2iflodJgo67", "hifos46Am"] {
            assert!(digits_llr(soup) > 0.0, "{soup}");
        }
        for ordinary in [
            "v1.2.3", "x86", "1950s", "53ob", "ed25519", "9f86d081", "utf-8",
        ] {
            assert_eq!(digits_llr(ordinary), 0.0, "{ordinary}");
        }
    }

    #[test]
    fn versions_are_numbers_and_digits_glued_into_letters_are_not() {
        for v in [
            "1.0.5-2ubuntu1",
            "2:4.2.1+dfsg-1",
            "1:1.2.13.dfsg-1",
            "1.46.6~rc1-1",
            "15.10-0+deb12u1",
            "0.0.2+dfsg-3",
            "3.24.38",
        ] {
            assert!(is_version(v), "{v}");
        }
        for soup in [
            "0.0y3lenkov",
            "sitt0.0y3",
            "27alin",
            "2iflodJgo67",
            "4.5x",
            "12",
        ] {
            assert!(!is_version(soup), "{soup}");
        }
    }

    #[test]
    fn ocr_digit_confusions_are_words() {
        let en = Lexicon::english();
        for word in ["c0mmittee", "fi1e", "5tate"] {
            assert!(is_ocr_confusion(word, en), "{word}");
        }
        for soup in ["hifos46Am", "no0.0y3", "gigle3tool"] {
            assert!(!is_ocr_confusion(soup, en), "{soup}");
        }
    }

    #[test]
    fn words_written_without_spaces_split_into_words() {
        let en = Lexicon::english();
        for glued in ["immediatelyfollowingtheoption", "iftheoption", "filesystem"] {
            assert!(missing_spaces(glued, en), "{glued}");
        }
        // Clitics the dictionary knows (`re`, `t`) are no pieces.
        for soup in ["enginerewar", "giveistoptional", "contityindividual"] {
            assert!(!missing_spaces(soup, en), "{soup}");
        }
    }

    #[test]
    fn run_together_needs_a_piece_that_is_no_word() {
        let en = Lexicon::english();
        for soup in ["enginerewar", "urcepurpose", "statthe"] {
            assert!(run_together(soup, en) > 0.0, "{soup}");
        }
        for word in ["uncompress", "preformatted", "filesystem", "withthe"] {
            assert_eq!(run_together(word, en), 0.0, "{word}");
        }
    }

    #[test]
    fn a_kerning_number_glued_before_a_string_is_a_second_mark() {
        let en = Lexicon::english();
        assert!(kerning_before_string("notks43(", en) > 0.0);
        for other in ["log10(", "sha256(", "utf16(", "notks4(", "notks43", "(43("] {
            assert_eq!(kerning_before_string(other, en), 0.0, "{other}");
        }
        let scorer = english_scorer("the notks43( Warranty");
        let ev = token_evidence("notks43(", &scorer, Brackets::Unbalanced);
        assert_eq!(ev.marks, 2, "{ev:?}");
    }

    #[test]
    fn code_in_backticks_is_quoted_on_purpose() {
        for code in [
            "`Xoshiro128PlusPlus`,",
            "(`armv6k-nintendo-3ds`)",
            "`vec![`",
        ] {
            assert!(is_inline_code(code), "{code}");
        }
        for other in ["``quoted''", "`", "``", "hifos46Am", "`open"] {
            assert!(!is_inline_code(other), "{other}");
        }
    }

    #[test]
    fn brackets_that_pair_up_across_tokens_are_balanced() {
        let of = |s: &str| Brackets::of(s.split_whitespace());
        assert_eq!(
            of("print(reverse(sort num (values(%array))));"),
            Brackets::Balanced
        );
        assert_eq!(of("dernr)43(docum iodginelow tlt(."), Brackets::Unbalanced);
    }

    #[test]
    fn the_lowercase_run_ends_at_the_first_other_byte() {
        for (s, end) in [
            ("abc", 3),
            ("abcdefghij", 10),
            ("abcdefghijK", 10),
            ("abcdefgh ij", 8),
            ("abcdefg\u{e9}", 7),
            ("Abc", 0),
            ("", 0),
        ] {
            assert_eq!(lowercase_run_end(s.as_bytes(), 0), end, "{s:?}");
        }
    }

    /// The byte prefilter must pass every line [`may_have_shape`] would pass.
    #[test]
    fn the_prefilter_passes_every_token_that_may_have_a_shape() {
        let en = Lexicon::english();
        let tokens = [
            "toNagy",
            "rcldTJ",
            "hifos46Am",
            "tlt(.",
            "toth[(undignified",
            "ce)]",
            "igniblaadce;f-6",
            "pohavon-27",
            "enginerewar",
            "contityindividual",
            "interfaceslibrpkgpkgto",
            "no0.0y3",
            "group43(",
            "beT*",
            "Mátyás",
            "(1956)",
            "well-known",
            "Moscow,",
            "the",
            "F.",
            "53-53ob;",
        ];
        for t in tokens {
            if may_have_shape(t, en) {
                let mut cache = LineWords::default();
                assert!(has_candidate(&format!("a {t} b"), en, &mut cache), "{t}");
            }
        }
        let mut cache = LineWords::default();
        assert!(!has_candidate(
            "The well-known report (1956) of the Presidium, p. 12.",
            en,
            &mut cache
        ));
    }

    /// A remembered verdict on a token off the fast path is the verdict its bytes get
    /// afresh, wherever the token stands: at the text's start or end, before a line
    /// break, with tokens that would complete an operator name or a mark beside it.
    #[test]
    fn odd_token_verdicts_remembered_are_the_verdicts_found_afresh() {
        let en = Lexicon::english();
        let tokens = [
            "beT",
            "T",
            "x[",
            "[",
            "a;",
            ";a",
            "A;",
            "dpkg(1)",
            "(see",
            "Mátyás",
            "no0.0y3",
            "hifos46Am",
            "rcldTJ",
            "53-53ob;",
            "group43(",
            "well-known",
            "1.",
            "GNU",
        ];
        let contexts = [
            "{}", "a {}", "{} b", "a {} Jd", "(x {} (y", "A {}\nB", "A; {} ;A",
        ];
        let lines: Vec<String> = tokens
            .iter()
            .flat_map(|t| contexts.iter().map(move |c| c.replace("{}", t)))
            .collect();
        let mut warm = LineWords::default();
        for line in &lines {
            has_candidate(line, en, &mut warm);
        }
        let mut answered = [0, 0];
        for line in &lines {
            let fresh = has_candidate(line, en, &mut LineWords::default());
            assert_eq!(has_candidate(line, en, &mut warm), fresh, "{line:?}");
            answered[usize::from(fresh)] += 1;
        }
        assert!(answered[0] > 0 && answered[1] > 0, "{answered:?}");
        assert!(warm
            .memo
            .short_odd_tokens
            .slots
            .iter()
            .any(|&(_, tag)| tag != 0));
    }

    #[test]
    fn word_tables_key_words_by_their_bytes_and_ask_once_per_word() {
        let mut table = WordTable::<1>::default();
        let mut asked = 0;
        let mut ask = |word: &str, answer: bool, table: &mut WordTable<1>| {
            table.answer(word.as_bytes(), 0..word.len(), || {
                asked += 1;
                answer
            })
        };
        assert!(ask("abcdefgh", true, &mut table));
        assert!(!ask("abcdefg", false, &mut table));
        // Remembered: the second answer offered is not taken.
        assert!(ask("abcdefgh", false, &mut table));
        assert!(!ask("abcdefg", true, &mut table));
        assert_eq!(asked, 2);
        let mut long = WordTable::<3>::default();
        let mut ask = |text: &str, word: &str, answer: bool| {
            let start = text.find(word).unwrap();
            long.answer(text.as_bytes(), start..start + word.len(), || answer)
        };
        assert!(ask("internationalization", "internationalization", true));
        assert!(!ask("internationalizatio", "internationalizatio", false));
        // Keyed by the word's bytes alone, not by the text after it.
        assert!(ask("internationalization,", "internationalization", false));
        assert!(!ask("internationalizations", "internationalizatio", true));
    }

    /// [`scan_line`] as it was before [`scan_line_by_chunks`], a token at a time with
    /// the fast path's words read inline: the reference the scans are checked against.
    ///
    /// Every line of prose must pass this test, so it is one pass over the bytes, one table
    /// lookup each, which also finds the line's end; it asks [`may_have_shape`] only about
    /// the few tokens it cannot clear by their bytes alone (see [`TokenBytes::suspicious`]).
    /// A hyphenated word, a number, a word in parentheses — the bulk of prose's
    /// punctuation — are cleared here.
    ///
    /// The dictionary is asked last, about the pieces (see [`PIECE_CHECK`]), and only while
    /// the pieces left could still make [`UNKNOWN_LINE`] unknown ones: a line of fewer
    /// pieces asks nothing, and most lines stop after the first few known words.
    fn scan_line_reference(
        text: &str,
        start: usize,
        lexicon: &Lexicon,
        words: &mut LineWords,
    ) -> (usize, bool) {
        let bytes = text.as_bytes();
        let candidate = |at: usize| (line_end(text, at), true);
        let mut i = start;
        words.pieces.clear();
        loop {
            // Whitespace up to the line's break, in one compare of each byte against a
            // set (`CLASS`'s spaces less the line break) rather than a table lookup and
            // a second test.
            while let Some(b' ' | b'\t' | b'\r' | 0x0b | 0x0c) = bytes.get(i) {
                i += 1;
            }
            if matches!(bytes.get(i), None | Some(b'\n')) {
                break;
            }
            let start = i;
            // The fast path, for most words: an optional capital, lowercase letters and
            // closing punctuation (`the`, `Moscow,`, `period.`).
            let capital = CLASS[bytes[i] as usize] == UPPER;
            i += usize::from(capital);
            i = lowercase_run_end(bytes, i);
            let letters = i - start;
            while i < bytes.len() && matches!(bytes[i], b'.' | b',' | b':' | b'!' | b'?') {
                i += 1;
            }
            if i == bytes.len() || CLASS[bytes[i] as usize] == SPACE {
                // Only a lowercase word can be words run together; any word can be too
                // long.
                if i - start > TOO_LONG && !capital {
                    if may_have_shape(&text[start..i], lexicon) {
                        return candidate(i);
                    }
                } else if !capital
                    && letters >= RUN_TOGETHER_CHECK
                    && words.long_may_have_shape(text, start..i, lexicon)
                {
                    return candidate(i);
                } else if !capital && (PIECE_CHECK..RUN_TOGETHER_CHECK).contains(&letters) {
                    words.pieces.push((start, start + letters));
                }
                continue;
            }
            while i < bytes.len() && CLASS[bytes[i] as usize] != SPACE {
                i += 1;
            }
            if words.odd_token_may_have_shape(text, start..i, lexicon) {
                return candidate(i);
            }
        }
        // Soup without shapes is many unknown lowercase words (see [`Scorer::is_fragment`]);
        // one is a command or a term.
        let pieces = words.pieces.len();
        let mut unknown = 0;
        for k in 0..pieces {
            if unknown + (pieces - k) < UNKNOWN_LINE {
                break;
            }
            let (start, end) = words.pieces[k];
            if words.short_unknown(text, start..end, lexicon) {
                unknown += 1;
                if unknown >= UNKNOWN_LINE {
                    return (i, true);
                }
            }
        }
        (i, false)
    }

    /// A small deterministic generator (xorshift64*) for the scans' random lines.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
    }

    /// Random text of the tokens and gaps that decide the scans' paths: words of every
    /// length the prefilter tells apart (known and unknown, lowercase, capitalised,
    /// run together, too long), digits, brackets, operators, closing and other
    /// punctuation, non-ASCII letters, tokens of 63 bytes and more, and gaps of
    /// spaces, tabs, carriage returns, NULs and line breaks.
    fn random_text(rng: &mut Rng, len: usize) -> String {
        const TOKENS: &[&str] = &[
            "the",
            "a",
            "of",
            "and",
            "word",
            "words",
            "report",
            "period",
            "xqzv",
            "bvtq",
            "zzkq",
            "qwpl",
            "government",
            "information",
            "enginerewar",
            "contityindividual",
            "interfaceslibrpkgpkgto",
            "abcdefghijklmnopqrstuvwxy",
            "The",
            "Moscow",
            "GNU",
            "McDonald",
            "TJ",
            "Tf",
            "beT*",
            "BT",
            "ET",
            "(see",
            "dpkg(1)",
            "x[",
            "[(",
            "a;b",
            "TL;DR",
            "1956",
            "(1956)",
            "no0.0y3",
            "hifos46Am",
            "group43(",
            "tlt(.",
            "well-known",
            "53-53ob;",
            "don't",
            "Mátyás",
            "é",
            ",",
            ".",
            "...",
            "word,",
            "period.",
            "Moscow,",
            "what?",
            "A.",
            "xqzv,",
            "enginerewar.",
            "-",
            "--",
            "/",
            "\\",
            "#",
            "%",
            "*",
            "=",
        ];
        const GAPS: &[&str] = &[
            " ", " ", " ", " ", " ", " ", " ", " ", "  ", "\n", "\n", "\n\n", "\t", " \t ", "\r\n",
            "\0", "\x01", "\x0b", "\x0c",
        ];
        let mut text = String::new();
        while text.len() < len {
            match rng.below(40) {
                0 => {
                    // A token of 60 to 70 bytes, around the chunk's limit.
                    let n = 60 + rng.below(11);
                    text.extend((0..n).map(|k| (b'a' + (k * 7 % 26) as u8) as char));
                }
                1 => {
                    // Two tokens glued together.
                    let t = TOKENS[rng.below(TOKENS.len())];
                    text.push_str(t);
                    text.push_str(TOKENS[rng.below(TOKENS.len())]);
                }
                _ => text.push_str(TOKENS[rng.below(TOKENS.len())]),
            }
            text.push_str(GAPS[rng.below(GAPS.len())]);
        }
        text
    }

    /// Each line of `text` through [`scan_line`] and the reference, from the
    /// line's start, with memos of their own; the lines the chunks took.
    fn scans_agree(text: &str) -> usize {
        let en = Lexicon::english();
        let (mut fast, mut reference) = (LineWords::default(), LineWords::default());
        let mut by_chunks = 0;
        let mut start = 0;
        while start < text.len() {
            let expected = scan_line_reference(text, start, en, &mut reference);
            assert_eq!(
                scan_line(text, start, en, &mut fast),
                expected,
                "{:?}",
                &text[start..expected.0]
            );
            let mut words = LineWords::default();
            if let Some(answer) = scan_line_by_chunks(text, start, en, &mut words) {
                assert_eq!(answer, expected, "{:?}", &text[start..expected.0]);
                by_chunks += 1;
            }
            start = expected.0 + 1;
        }
        by_chunks
    }

    /// The chunked scan answers as the reference does, on every line of the garble
    /// test documents (and takes most of them), and on random lines of every kind
    /// of token and gap.
    #[test]
    fn scanning_by_chunks_gives_the_answers_of_the_reference() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/garble");
        let (mut lines, mut by_chunks) = (0, 0);
        for kind in ["fire", "nofire", "safe"] {
            for entry in std::fs::read_dir(format!("{dir}/{kind}")).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                lines += text.lines().count();
                by_chunks += scans_agree(&text);
            }
        }
        assert!(by_chunks * 2 > lines, "{by_chunks} of {lines}");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut answered = [0, 0];
        for _ in 0..400 {
            let len = 50 + rng.below(400);
            let text = random_text(&mut rng, len);
            scans_agree(&text);
            answered[usize::from(has_candidate(
                &text,
                Lexicon::english(),
                &mut LineWords::default(),
            ))] += 1;
        }
        assert!(answered[0] > 20 && answered[1] > 20, "{answered:?}");
    }

    #[test]
    fn scan_line_finds_the_end_of_the_line_whatever_its_answer() {
        let en = Lexicon::english();
        let mut words = LineWords::default();
        let text = "The report of the Presidium.\nno0.0y3 hifos46Am rcldTJ\nlast";
        let first = text.find('\n').unwrap();
        assert_eq!(scan_line(text, 0, en, &mut words), (first, false));
        let second = text[first + 1..].find('\n').unwrap() + first + 1;
        assert_eq!(scan_line(text, first + 1, en, &mut words), (second, true));
        assert_eq!(
            scan_line(text, second + 1, en, &mut words),
            (text.len(), false)
        );
        // Three unknown pieces make a candidate; two do not.
        assert!(has_candidate("the xqzv and bvtq for zzkq", en, &mut words));
        assert!(!has_candidate("the xqzv and bvtq for", en, &mut words));
    }

    #[test]
    fn a_fragment_is_a_piece_of_a_longer_word_never_used_whole_twice() {
        let text = "We commit the change. Then ommit and sshd and sshd again; perlre, perlretut.";
        let scorer = Scorer {
            text,
            lexicon: Lexicon::english(),
            model: CharModel::english(),
            recurring: RefCell::default(),
            evidence: RefCell::default(),
            fragments: RefCell::default(),
        };
        let at = |w: &str| text.find(w).unwrap();
        // `ommit` is cut from `commit`; `sshd` is used whole twice.
        assert!(scorer.is_fragment("ommit", at("ommit")));
        assert!(!scorer.is_fragment("sshd", at("sshd")));
        // A name that is a piece of a longer name is none.
        assert!(!scorer.is_fragment("perlre", at("perlre")));
        assert!(!scorer.is_fragment("change", at("change")));
    }

    #[test]
    fn a_no_break_space_before_a_token_is_skipped() {
        // It used to end the token inside the space's own bytes.
        let t = "text \u{a0}hifos46Am rcldTJ \u{a0}arocum archean igniblaadce;f-6ctiura";
        let mut tokens = Vec::new();
        tokenize(t, 0, t.len(), &[], &mut tokens);
        let words: Vec<&str> = tokens.iter().map(|k| &t[k.span.range()]).collect();
        assert_eq!(words[1], "hifos46Am");
        assert_eq!(words[3], "arocum");
        assert!(!find(t).is_empty());
    }

    #[test]
    fn known_words_among_fragments_lean_to_garble_and_in_phrases_to_text() {
        fn weights(t: &str) -> Vec<(&str, f32)> {
            let mut tokens = Vec::new();
            tokenize(t, 0, t.len(), &[], &mut tokens);
            for k in &mut tokens {
                k.known_word = is_known_word(&t[k.span.range()], Lexicon::english());
            }
            weigh_context(t, Lexicon::english(), &mut tokens);
            tokens.iter().map(|k| (&t[k.span.range()], k.llr)).collect()
        }
        // `the` pairs with `of`; `hen` and `see` pair with no neighbour.
        let prose = weights("one of the best");
        assert!(prose[2].1 < 0.0, "{prose:?}");
        let soup = weights("tso46 hen see orc prgrss");
        assert!(soup[1].1 > 0.0 && soup[2].1 > 0.0, "{soup:?}");
        // No known neighbour, or one across punctuation: nothing to tell.
        let alone = weights("mke2fs and tune2fs. So mke2fs");
        assert!(alone.iter().all(|(_, llr)| *llr == 0.0), "{alone:?}");
    }

    #[test]
    fn pieces_of_the_documents_words_make_soup_sure() {
        let t = "The committee will consider the harbour development proposal next \
                 week. Members who support the proposal should write to the \
                 committee before the harbour meeting, and the development office \
                 will answer them. The proposal keeps the harbour open for ommittee \
                 tho arbour to velopmen posa ecur as lfor and the office \
                 will publish the answers.";
        let runs = find(t);
        assert_eq!(runs.len(), 1, "{runs:?}");
        let run = &runs[0];
        assert!(t[run.span.range()].starts_with("ommittee"), "{run:?}");
        assert!(t[run.span.range()].ends_with("lfor"), "{run:?}");
        assert!(
            run.evidence.contains("pieces cut from longer words"),
            "{run:?}"
        );
        assert!(run.confidence >= 0.9, "{run:?}");
        // Without the pieces, the same score is not sure.
        assert!(soup_confidence(6.0, 1, 0, 0, false) < 0.9);
        assert!(soup_confidence(6.0, 1, 0, 2, false) > soup_confidence(6.0, 2, 0, 0, false));
    }

    #[test]
    fn a_line_end_that_does_not_go_on_into_the_next_line_goes_with_its_run() {
        let soup = "bortks43( Harbour es cene";
        let case = |tail: &str, next: &str| {
            let t = format!("The records name the {soup} {tail}\n{next} as the owner.");
            let f = found(&t).iter().map(|s| s.to_string()).collect::<Vec<_>>();
            assert_eq!(f.len(), 1, "{t}: {f:?}");
            f[0].strip_prefix(soup).unwrap().trim().to_owned()
        };
        // `pro` / `board` is no pair, `the` / `board` is: the tail was spliced in.
        assert_eq!(case("either pro", "board"), "either pro");
        // The end of a real line goes on into the next (`the` / `board`), ends its
        // phrase, or meets a word the dictionary does not know, which pairs with
        // nothing: it stays.
        assert_eq!(case("of the", "board"), "");
        assert_eq!(case("either pro.", "board"), "");
        assert_eq!(case("either pro", "bortrackets"), "");
        // Longer than a tail.
        assert_eq!(case("of the long pro", "board"), "");
        let en = Lexicon::english();
        assert!(pairs(en, "the", "board") && pairs(en, "done", "by"));
        // Frequent, and in the table, but no better together than apart.
        assert!(en.bigram_logp("the", "by").is_some() && !pairs(en, "the", "by"));
    }

    #[test]
    fn a_run_between_the_halves_of_a_hyphenated_word_is_sure() {
        const SOUP: &str = "ance they developmentrax quor";
        let split = format!(
            "The committee decided that the cost of mainte-\n{SOUP}\nnance would be \
             shared by all members of the association.\n"
        );
        let whole = format!(
            "The committee decided that the cost of maintenance\n{SOUP}\nwould be \
             shared by all members of the association.\n"
        );
        let run = |text: &str| {
            let runs = find(text);
            assert_eq!(runs.len(), 1, "{runs:?}");
            assert_eq!(&text[runs[0].span.range()], SOUP);
            runs[0].confidence
        };
        assert!(run(&split) >= 0.9, "{}", run(&split));
        assert!(run(&whole) < 0.9, "{}", run(&whole));
        let en = Lexicon::english();
        let at = split.find(SOUP).unwrap();
        assert!(interrupts_word(&split, Span::new(at, at + SOUP.len()), en));
        // A compound's halves are not one word; nor does a run inside a line
        // interrupt anything.
        let compound = "a well-\nance they developmentrax quor\nknown rule";
        let at = compound.find(SOUP).unwrap();
        assert!(!interrupts_word(
            compound,
            Span::new(at, at + SOUP.len()),
            en
        ));
        let inline = "the mainte- ance they developmentrax quor nance";
        let at = inline.find(SOUP).unwrap();
        assert!(!interrupts_word(inline, Span::new(at, at + SOUP.len()), en));
        // A non-ASCII letter glued before the hyphenated half is no place to cut (the
        // property test found `©mainte-` panicking on a byte inside `©`).
        let glued = format!("the ©mainte-\n{SOUP}\nnance");
        let at = glued.find(SOUP).unwrap();
        assert!(interrupts_word(&glued, Span::new(at, at + SOUP.len()), en));
    }

    #[test]
    fn hard_wrapped_text_has_a_measure_and_a_paragraph_per_line_none() {
        let wrapped = "a line of text wrapped at the measure\n".repeat(50);
        let m = Measure::of(&wrapped).expect("wrapped text has a measure");
        assert_eq!(m.width, 37);
        assert!(m.overlong(60) && !m.overlong(50));
        let paragraphs: String = (1..60)
            .map(|n| format!("{}\n", "a paragraph on one line ".repeat(n % 7 + 1)))
            .collect();
        assert!(Measure::of(&paragraphs).is_none());
        assert!(Measure::of("short\n").is_none());
    }

    #[test]
    fn a_word_split_in_two_is_not_soup() {
        let en = Lexicon::english();
        let split = |text: &str, word: &str| {
            let start = text.find(word).unwrap();
            split_word(text, Span::new(start, start + word.len()), word, en)
        };
        assert!(split("the informa tion was", "informa"));
        assert!(split("the informa tion was", "tion"));
        assert!(split("sent to the commit-\ntee by", "tee"));
        assert!(!split("for rsof ommit as", "ommit"));
    }

    #[test]
    fn a_name_hyphenated_to_a_number_that_recurs_is_the_documents_own() {
        let name = "Functions for ldbl-128 / ldbl-128ibm share one implementation.";
        assert_eq!(found(name), ["ldbl-128 / ldbl-128ibm"]);
        let twice = format!("{name}\nThe ldbl-128 and ldbl-128ibm formats differ.");
        assert!(found(&twice).is_empty(), "{:?}", found(&twice));
        // Names are written with letters, digits and hyphens; a glued semicolon is an
        // operator's, never a name's.
        assert!(is_name("ldbl-128") && is_name("e2fsck's") && !is_name("clearor;f-6line"));
    }

    #[test]
    fn names_references_and_commands_are_text() {
        for t in [
            "Gheorghe Gheorghiu-Dej [dogovorit'sia] Mátyás Rákosi Shifrtelegramma Lavrent'ev",
            "TsKhSD, F. 3, Op. 12, D. 1005, Ll. 53-53ob; AVPRF, f. 0144, op. 30, p. 118, d. 15, l. 76",
            "tar -xzvf archive.tar.gz --no-install-recommends s/regex/repl/g ~/.ssh/id_rsa.pub",
            "Vtoraia mirovaia voina: Aktual'nye problemy, Kholodnaia voina: novye podkhody",
        ] {
            assert!(found(t).is_empty(), "{t}: {:?}", found(t));
        }
    }
}

/// A scorer with the built-in dictionary and character model, for the tracing tests.
#[cfg(test)]
fn english_scorer(text: &str) -> Scorer<'_> {
    Scorer {
        text,
        lexicon: Lexicon::english(),
        model: CharModel::english(),
        recurring: RefCell::default(),
        evidence: RefCell::default(),
        fragments: RefCell::default(),
    }
}

/// Prints every token's evidence for the lines of `$GARBLE_EXPLAIN` (a file):
/// `cargo test --lib garble::soup::explain -- --ignored --nocapture`.
#[cfg(test)]
#[test]
#[ignore]
fn explain() {
    let path = std::env::var("GARBLE_EXPLAIN").expect("set GARBLE_EXPLAIN to a file");
    let text = std::fs::read_to_string(path).unwrap();
    let scorer = english_scorer(&text);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let scored: Vec<String> = line
            .split_whitespace()
            .map(|t| {
                let ev = token_evidence(t, &scorer, Brackets::of(line.split_whitespace()));
                format!("{t}[{:.1}{}]", ev.llr, if ev.shape { "!" } else { "" })
            })
            .collect();
        println!("{}\n  => {:?}\n", scored.join(" "), found(line));
    }
    fn found(text: &str) -> Vec<&str> {
        find(text).iter().map(|r| &text[r.span.range()]).collect()
    }
}

/// Prints the lines of `$GARBLE_EXPLAIN` that pass the prefilter.
#[cfg(test)]
#[test]
#[ignore]
fn candidates() {
    let path = std::env::var("GARBLE_EXPLAIN").expect("set GARBLE_EXPLAIN to a file");
    let text = std::fs::read_to_string(path).unwrap();
    let mut long_words = LineWords::default();
    let (mut lines, mut hits, mut bytes) = (0, 0, 0);
    for line in text.lines() {
        lines += 1;
        if has_candidate(line, Lexicon::english(), &mut long_words) {
            hits += 1;
            bytes += line.len();
            let shaped: Vec<&str> = line
                .split_whitespace()
                .filter(|t| may_have_shape(t, Lexicon::english()))
                .collect();
            println!("{shaped:?}");
        }
    }
    println!("{hits} of {lines} lines, {bytes} of {} bytes", text.len());
}

/// Prints the evidence of every token of the lines of `$GARBLE_DOC` (a file) that
/// contain `$GARBLE_FIND`, scored with the whole document as context, and the runs
/// found on them: `cargo test --lib garble::soup::trace -- --ignored --nocapture`.
#[cfg(test)]
#[test]
#[ignore]
fn trace() {
    let path = std::env::var("GARBLE_DOC").expect("set GARBLE_DOC to a file");
    let needle = std::env::var("GARBLE_FIND").unwrap_or_default();
    let text = std::fs::read_to_string(path).unwrap();
    let scorer = english_scorer(&text);
    let runs = find(&text);
    let ops = operators::find(&text);
    let mut start = 0;
    while start < text.len() {
        let end = line_end(&text, start);
        let line = &text[start..end];
        if needle.split('|').any(|n| line.contains(n)) {
            // Only lines where a needle is a whole token are shown.
            let mut tokens = Vec::new();
            tokenize(&text, start, end, &ops, &mut tokens);
            score_window(&text, &scorer, &mut tokens);
            let _ = discount_recurring(&text, &scorer, &mut tokens);
            let hits: Vec<usize> = (0..tokens.len())
                .filter(|&i| {
                    let s = &text[tokens[i].span.range()];
                    needle.split('|').any(|n| s == n)
                })
                .collect();
            let near = |i: usize| hits.iter().any(|&h| i + 12 >= h && i <= h + 12);
            let shown: Vec<String> = tokens
                .iter()
                .enumerate()
                .filter(|&(i, _)| near(i))
                .map(|(_, t)| {
                    format!(
                        "{}[{:.1}{}{}]",
                        &text[t.span.range()],
                        t.llr,
                        if t.shape { "!" } else { "" },
                        if t.syntax { "#" } else { "" }
                    )
                })
                .collect();
            println!("{}", shown.join(" "));
            let (lo, hi) = (
                hits.first()
                    .map_or(start, |&h| tokens[h.saturating_sub(12)].span.start),
                hits.last()
                    .map_or(end, |&h| tokens[(h + 12).min(tokens.len() - 1)].span.end),
            );
            for r in runs.iter().filter(|r| r.span.start < hi && r.span.end > lo) {
                println!("  => {:.2} {:?}", r.confidence, &text[r.span.range()]);
            }
            println!();
        }
        start = end + 1;
    }
}
