//! Layout pass: line-interleaved columns — two columns an extractor emitted alternately,
//! one line of each in turn, are taken apart again.
//!
//! A line-level cue is noisy on its own: in a single-column man page up to half the line
//! joins look broken (a label, an option, a heading). So this pass never asks "is this
//! join broken?" but compares two readings of the same run of lines: as given (line
//! `i` → `i + 1`) and de-interleaved (line `i` → `i + 2`, the even lines and the odd lines
//! each read on their own). Two columns woven together read badly as given and well
//! de-interleaved; a single column is the other way round.
//!
//! # Evidence
//!
//! Each join is read with the cues of the reorder pass ([`super::order`]): a word cut by
//! a hyphen and completed by the next line into a word known to the dictionary or the
//! document (`imple-` + `mentation`) — the strongest evidence there is; a clause left
//! open and continued in lower case by a common word pair; a lower-case start after a
//! finished sentence, a hyphen followed by a capital — broken joins. The run is taken
//! apart only when
//!
//! - it is a whole block (a run of at least [`MIN_LINES`] lines between blank lines);
//! - no join as given completes a hyphenated word (contrary evidence vetoes);
//! - at least [`MIN_COMPLETIONS`] hyphenated words are completed in the de-interleaved
//!   reading, by both columns or with a margin of evidenced joins in each;
//! - the joins as given cost clearly more than the de-interleaved ones ([`MIN_MARGIN`]).
//!
//! The fix is one move (`layout.deinterleave-columns`): the odd lines go, in order, after
//! the last even line, as a block of their own. It is safe: two completed words on two
//! lines each that only the de-interleaved reading makes do not happen by chance.
//!
//! # Limits
//!
//! Plain `pdftotext` interleaves the lines of two columns whose baselines are offset
//! (seen on the first page of a two-column pdflatex manual), but it also drops the
//! hyphen at every line end, glues the lines of both columns into one where the
//! baselines meet (`alternate option synK or Y Like k`), and slips a line every ten or
//! so. Without hyphens the cues left (finished sentences, lower-case starts) tell such a
//! page from a one-column definition list no better than chance, so this pass leaves it.

use crate::fix::{Applicability, Edit, Fix, FixKind, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::evidence::FormCounts;
// A line starts and ends the way a block does; the cues are the reading-order pass's.
use super::order::{is_code, known, starts_lower, End, Start};
use super::pages;

const DEINTERLEAVE: RuleId = RuleId::from_static("layout.deinterleave-columns");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[RuleInfo::builtin(
    "layout.deinterleave-columns",
    "layout",
    Applicability::Safe,
    "Separates two columns that the extractor emitted alternately, line by line.",
    "Some extractors emit a two-column page one line of each column in turn. Within a \
     block of at least eight lines, the joins of the lines as given are compared with \
     the joins of every other line: when hyphenated words are completed into known \
     words only by reading every other line, no hyphenated word is completed by the \
     next line, and the lines as given break clearly more sentences, the odd lines are \
     moved after the even ones as a block of their own. Single-column text, lists, \
     tables and code are left alone: their lines continue each other, or say nothing.\n\n\
     Example: `The imple-` ⏎ `Results were` ⏎ `mentation of` ⏎ `good in each` becomes \
     `The imple-` ⏎ `mentation of` ⏎⏎ `Results were` ⏎ `good in each`.",
)];

/// A block must hold at least this many lines to be read as two columns.
const MIN_LINES: usize = 8;

/// At least this many hyphenated words must be completed only by the de-interleaved
/// reading.
const MIN_COMPLETIONS: usize = 2;

/// The joins as given must cost this much more than the de-interleaved ones, and at
/// least [`MIN_MARGIN_PER_LINE`] per line.
const MIN_MARGIN: f32 = 2.0;

/// See [`MIN_MARGIN`].
const MIN_MARGIN_PER_LINE: f32 = 0.12;

/// Read apart, the columns must make at least this many more evidenced joins (completed
/// words, common word pairs) than the lines as given.
const MIN_MORE_EVIDENCED: usize = 3;

/// A word pair at least this likely (`log10 P(b | a)`) continues a sentence.
const MIN_BIGRAM_LOGP: f32 = -3.5;

/// The line-interleave pass.
pub(crate) struct Interleave;

impl Stage for Interleave {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        // With --keep-lines only words are repaired.
        if cx.options.keep_lines {
            return;
        }
        for fix in deinterleave(doc.text(), &doc.lines(), &cx.lexicon) {
            out.push(fix);
        }
    }
}

/// One non-blank line with its cues.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// The line without its line break.
    span: Span,
    start: Start,
    end: End,
    /// The first word, when the line starts in lower case.
    head: Span,
    /// The last word (before the hyphen, for [`End::Hyphen`]), when the line is open.
    tail: Span,
}

impl Line {
    fn new(text: &str, span: Span) -> Line {
        let raw = &text[span.range()];
        let trimmed = raw.trim();
        let first = span.start + (raw.len() - raw.trim_start().len());
        let last = first + trimmed.len();
        let head_len = trimmed
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(trimmed.len());
        let start = match trimmed.split_whitespace().next() {
            Some(w) if is_code(w) => Start::Code,
            Some(_) if starts_lower(trimmed) => Start::Lower,
            _ => Start::Fresh,
        };
        let mut rev = trimmed.chars().rev();
        let (end, tail_end) = match (rev.next(), rev.next()) {
            _ if trimmed.split_whitespace().next_back().is_some_and(is_code) => (End::Code, last),
            (Some('-'), Some(c)) if c.is_alphabetic() => (End::Hyphen, last - 1),
            (Some(','), _) => (End::Open, last - 1),
            (Some(c), _) if c.is_alphabetic() => (End::Open, last),
            (Some('.' | '!' | '?' | ';' | ':'), _) => (End::Closed, last),
            _ => (End::Code, last),
        };
        let tail_start = text[..tail_end]
            .trim_end_matches(char::is_alphanumeric)
            .len()
            .max(first);
        Line {
            span,
            start,
            end,
            head: Span::new(first, first + head_len),
            tail: Span::new(tail_start, tail_end),
        }
    }
}

/// What a join between two lines says.
#[derive(Clone, Copy, Debug, Default)]
struct Reading {
    /// How broken the joins look, summed.
    cost: f32,
    /// Hyphenated words completed into known words.
    completions: usize,
    /// Open clauses continued by a common word pair.
    pairs: usize,
}

/// The fixes for `text`.
fn deinterleave(text: &str, lines: &[pages::Line], lexicon: &Lexicon) -> Vec<Fix> {
    let blocks = blocks(text, lines);
    if blocks.is_empty() {
        return Vec::new();
    }
    // A block is decided for real only if it could be two columns at all: read with
    // every candidate completion taken for a word where it speaks for the columns
    // (apart) and for no word where it speaks against them (as given), it must pass.
    // Every test of `decide` only gets harder as completions as given become words or
    // completions apart stop being ones, so a block that fails this reading fails
    // every reading. In running text nearly every block fails it, and the document's
    // vocabulary — a scan of the whole text — is never needed.
    let as_given = |w: &str| known(lexicon, w);
    let candidates: Vec<Vec<Line>> = blocks
        .iter()
        .filter(|block| hyphens_may_decide(text, block, &as_given))
        .map(|block| {
            block
                .iter()
                .map(|l| Line::new(text, l.span))
                .collect::<Vec<Line>>()
        })
        .filter(|lines| decide(text, lines, lexicon, &as_given, &|_: &str| true).is_some())
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    // Completions the dictionary does not know are asked of the document, in one scan.
    let mut forms = FormCounts::default();
    for lines in &candidates {
        let given = lines
            .windows(2)
            .filter_map(|w| completion(text, &w[0], &w[1]));
        let apart = lines
            .windows(3)
            .filter_map(|w| completion(text, &w[0], &w[2]));
        for word in given.chain(apart) {
            if !known(lexicon, &word) {
                forms.want(&word);
            }
        }
    }
    forms.scan(text);
    let is_word = |w: &str| known(lexicon, w) || forms.get(w) > 0;
    candidates
        .iter()
        .filter_map(|lines| {
            decide(text, lines, lexicon, &is_word, &is_word)
                .map(|verdict| take_apart(text, lines, verdict))
        })
        .collect()
}

/// The first test of [`decide`] (with `given_word` and every completion apart taken
/// for a word), read from the lines it needs: those that may end in a hyphen, and the
/// two after each. In running text a hyphenated word is completed by the next line,
/// which vetoes the block before the rest of its lines are read.
fn hyphens_may_decide(
    text: &str,
    block: &[pages::Line],
    given_word: &impl Fn(&str) -> bool,
) -> bool {
    let mut apart = 0;
    for (k, span) in block.iter().map(|l| l.span).enumerate() {
        // A line that ends in a hyphen once trimmed ends in `-` or, before trailing
        // white space outside ASCII, in a byte of a multi-byte character. (ASCII white
        // space as `str::trim` has it, with the vertical tab.)
        let last = text.as_bytes()[span.range()]
            .iter()
            .rev()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'));
        if !last.is_some_and(|&b| b == b'-' || b >= 0x80) {
            continue;
        }
        let a = Line::new(text, span);
        if a.end != End::Hyphen {
            continue;
        }
        let after = |n: usize| block.get(k + n).map(|l| Line::new(text, l.span));
        if after(1).is_some_and(|b| completion(text, &a, &b).is_some_and(|w| given_word(&w))) {
            return false;
        }
        apart += usize::from(after(2).is_some_and(|c| completion(text, &a, &c).is_some()));
    }
    apart >= MIN_COMPLETIONS
}

/// The blocks (their lines) of at least [`MIN_LINES`] lines in which some lines end in
/// a hyphen (the evidence this pass needs); a form feed ends a block. Lines are read for
/// their cues only in such blocks: most text never gets that far.
///
/// A block is a run of `lines`, which is where it is returned: its lines are not copied.
fn blocks<'l>(text: &str, lines: &'l [pages::Line]) -> Vec<&'l [pages::Line]> {
    let mut blocks = Vec::new();
    // The block's first line, and how many of its lines end in a hyphen.
    let mut first = 0;
    let mut hyphens = 0;
    let mut flush = |block: &'l [pages::Line], hyphens: &mut usize| {
        if block.len() >= MIN_LINES && *hyphens >= MIN_COMPLETIONS {
            blocks.push(block);
        }
        *hyphens = 0;
    };
    // The form feeds in one search of the text, not one per line: most texts have none.
    let mut form_feeds = memchr::memchr_iter(b'\x0c', text.as_bytes()).peekable();
    for (k, line) in lines.iter().enumerate() {
        let span = line.span;
        let body = &text.as_bytes()[span.range()];
        // The form feeds before this line were in the lines before it (none is a break).
        while form_feeds.next_if(|&ff| ff < span.start).is_some() {}
        let form_feed = form_feeds.peek().is_some_and(|&ff| ff < span.end);
        let trimmed = body.trim_ascii_end();
        if trimmed.is_empty() || body.ends_with(b"\r") || form_feed {
            flush(&lines[first..k], &mut hyphens);
            first = k + 1;
            continue;
        }
        // A letter (or any non-ASCII character) and a hyphen; Line::new reads it exactly.
        if let [.., c, b'-'] = trimmed {
            hyphens += usize::from(c.is_ascii_alphabetic() || !c.is_ascii());
        }
    }
    flush(&lines[first..], &mut hyphens);
    blocks
}

/// The word that `a`'s hyphenated last word makes with `b`'s first, when both parts are
/// long enough to mean something (two letters complete some word by chance).
fn completion(text: &str, a: &Line, b: &Line) -> Option<String> {
    if a.end != End::Hyphen || b.start != Start::Lower {
        return None;
    }
    let (stem, rest) = (&text[a.tail.range()], &text[b.head.range()]);
    (stem.chars().nth(1).is_some() && rest.chars().nth(2).is_some())
        .then(|| format!("{stem}{rest}"))
}

/// Adds the join of `a` with `b` to `reading`.
fn read_join(
    text: &str,
    a: &Line,
    b: &Line,
    lexicon: &Lexicon,
    is_word: &impl Fn(&str) -> bool,
    reading: &mut Reading,
) {
    reading.cost += match (a.end, b.start) {
        (End::Code, _) | (_, Start::Code) => 0.0,
        (End::Hyphen, Start::Lower) => match completion(text, a, b) {
            Some(w) if is_word(&w) => {
                reading.completions += 1;
                0.0
            }
            _ => 0.5,
        },
        (End::Hyphen, Start::Fresh) => 1.2,
        (End::Closed, Start::Lower) => 1.0,
        (End::Closed, Start::Fresh) => 0.0,
        // A capital after an open clause may be a name.
        (End::Open, Start::Fresh) => 0.5,
        (End::Open, Start::Lower) => {
            let pair = lexicon.bigram_logp(&text[a.tail.range()], &text[b.head.range()]);
            if pair.is_some_and(|p| p >= MIN_BIGRAM_LOGP) {
                reading.pairs += 1;
                0.0
            } else {
                0.3
            }
        }
    };
}

/// What the two readings of a block showed, when the columns apart read clearly better.
#[derive(Clone, Copy, Debug)]
struct Verdict {
    /// Hyphenated words completed apart.
    completions: usize,
    /// Common word pairs apart, and as given.
    pairs: usize,
    given_pairs: usize,
    /// The cost of the broken joins as given, and apart.
    given_cost: f32,
    split_cost: f32,
}

/// Whether the two columns of `lines` read clearly better apart.
///
/// `given_word` tells the words completed by the lines as given, `apart_word` those
/// completed by every other line (the same test but for [`deinterleave`]'s first,
/// optimistic reading).
fn decide(
    text: &str,
    lines: &[Line],
    lexicon: &Lexicon,
    given_word: &impl Fn(&str) -> bool,
    apart_word: &impl Fn(&str) -> bool,
) -> Option<Verdict> {
    // The hyphens first, which are cheap to read and decide most blocks: a word the
    // lines as given complete vetoes, and the columns apart must complete a few.
    let completes = |a: &Line, b: &Line, is_word: &dyn Fn(&str) -> bool| {
        completion(text, a, b).is_some_and(|w| is_word(&w))
    };
    if lines
        .windows(2)
        .any(|w| completes(&w[0], &w[1], given_word))
        || lines
            .windows(3)
            .filter(|w| completes(&w[0], &w[2], apart_word))
            .count()
            < MIN_COMPLETIONS
    {
        return None;
    }
    let mut given = Reading::default();
    for w in lines.windows(2) {
        read_join(text, &w[0], &w[1], lexicon, given_word, &mut given);
    }
    // The two columns, read each on its own.
    let mut columns = [Reading::default(); 2];
    for (i, w) in lines.windows(3).enumerate() {
        read_join(text, &w[0], &w[2], lexicon, apart_word, &mut columns[i % 2]);
    }
    let completions = columns[0].completions + columns[1].completions;
    let split = columns[0].cost + columns[1].cost;
    let margin = given.cost - split;
    // Both columns must read better on their own: each shows a completion or a pair.
    let both = columns.iter().all(|c| c.completions + c.pairs > 0);
    let min_margin = MIN_MARGIN.max(MIN_MARGIN_PER_LINE * lines.len() as f32);
    // And the evidenced joins: clearly more apart than as given.
    let pairs = columns[0].pairs + columns[1].pairs;
    let more = completions + pairs >= given.pairs + MIN_MORE_EVIDENCED;
    if completions < MIN_COMPLETIONS || !both || !more || margin < min_margin {
        return None;
    }
    Some(Verdict {
        completions,
        pairs,
        given_pairs: given.pairs,
        given_cost: given.cost,
        split_cost: split,
    })
}

/// The move that takes the two columns of `lines` apart: the odd lines go, in order,
/// after the last even line.
fn take_apart(text: &str, lines: &[Line], verdict: Verdict) -> Fix {
    let Verdict {
        completions,
        pairs,
        given_pairs,
        given_cost,
        split_cost,
    } = verdict;
    let n = lines.len();
    let moved: Vec<&str> = lines
        .iter()
        .skip(1)
        .step_by(2)
        .map(|l| &text[l.span.range()])
        .collect();
    let moved = format!("\n\n{}", moved.join("\n"));
    let mut fix = Fix::new(DEINTERLEAVE, Applicability::Safe);
    for i in (1..n).step_by(2) {
        // The odd line with the line break before it.
        let span = Span::new(lines[i - 1].span.end, lines[i].span.end);
        fix = if i == n - 1 {
            fix.with_edit(Edit::new(span, moved.as_str()))
        } else {
            fix.with_edit(Edit::delete(span))
        };
    }
    if n % 2 == 1 {
        fix = fix.with_edit(Edit::insert(lines[n - 1].span.end, moved));
    }
    fix.kind = FixKind::Move;
    let first_line =
        memchr::memchr_iter(b'\n', &text.as_bytes()[..lines[0].span.start]).count() + 1;
    fix.with_message(format!(
        "lines {first_line}–{} alternate between two columns: read every other line, \
         {completions} hyphenated words are completed (none as given) and {pairs} common \
         word pairs continue ({given_pairs} as given); broken joins cost {given_cost:.1} \
         as given, {split_cost:.1} apart",
        first_line + n - 1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<Fix> {
        deinterleave(text, &pages::all_lines(text), Lexicon::english())
    }

    fn apply(text: &str, fix: &Fix) -> String {
        assert!(fix.is_well_formed(text));
        crate::pipeline::apply_edits(text, &fix.edits)
    }

    const LEFT: &[&str] = &[
        "The committee examined the national imple-",
        "mentation of the treaty and found that the",
        "provisions on reporting had been followed",
        "by most of the members, although the admin-",
        "istration of the fund was slow to start.",
    ];

    const RIGHT: &[&str] = &[
        "Results of the second survey were pub-",
        "lished in the spring, and they showed a",
        "marked improvement in the quality of the",
        "data collected by the regional offices in",
        "the north.",
    ];

    fn weave(left: &[&str], right: &[&str]) -> String {
        let mut out = String::new();
        for i in 0..left.len().max(right.len()) {
            for col in [left, right] {
                if let Some(line) = col.get(i) {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out
    }

    #[test]
    fn takes_woven_columns_apart() {
        let text = weave(LEFT, RIGHT);
        let fixes = run(&text);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        assert_eq!(fixes[0].kind, FixKind::Move);
        let want = format!("{}\n\n{}\n", LEFT.join("\n"), RIGHT.join("\n"));
        assert_eq!(apply(&text, &fixes[0]), want);
    }

    #[test]
    fn odd_line_count_ends_on_the_left_column() {
        let text = weave(LEFT, &RIGHT[..4]);
        let fixes = run(&text);
        assert_eq!(fixes.len(), 1, "{fixes:?}");
        let want = format!("{}\n\n{}\n", LEFT.join("\n"), RIGHT[..4].join("\n"));
        assert_eq!(apply(&text, &fixes[0]), want);
    }

    #[test]
    fn leaves_single_column_alone() {
        let text = format!("{}\n{}\n", LEFT.join("\n"), RIGHT.join("\n"));
        assert!(run(&text).is_empty());
    }

    #[test]
    fn short_runs_are_not_read() {
        let text = weave(&LEFT[..3], &RIGHT[..3]);
        assert!(run(&text).is_empty());
    }

    #[test]
    fn a_completion_as_given_vetoes() {
        // Two woven columns, but the first column's first word is completed by the
        // line after it as given: the reading is not clear.
        let mut right = RIGHT.to_vec();
        right[0] = "mentation and the results were pub-";
        let mut left = LEFT.to_vec();
        left[0] = "The committee examined the imple-";
        let text = weave(&left, &right);
        assert!(run(&text).is_empty());
    }

    #[test]
    fn data_cases() {
        super::super::testdata::check_cases("interleave", || Box::new(Interleave));
    }
}
