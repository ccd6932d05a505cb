//! Layout pass: reading order — blocks an extractor emitted out of sequence are put back
//! where the text says they belong.
//!
//! On a two-column page, `pdftotext` and pdfminer emit text *blocks* (runs of lines
//! between blank lines) in an order of their own: the lower part of the left column after
//! the right column, the top of the left column in the middle of the page. The geometry
//! is gone, but the text still shows where it was cut: a block that ends on `imple-` or
//! mid-clause, and another that starts with `mentation` or a lower-case word after a
//! finished sentence. This pass segments each page into blocks, reads those cues at every
//! *join* (the end of one block against the start of the next), and moves blocks so that
//! the joins continue words and sentences.
//!
//! # Cost of an order
//!
//! Each join costs by how broken it looks. A finished sentence followed by a fresh start
//! costs nothing; a lower-case start after a finished sentence, or an unfinished clause
//! followed by a capitalised start, costs one. A hyphenated word completed by the next
//! block costs nothing when the joined word is known (to the document, or to the
//! dictionary) — the strongest evidence there is. A clause continued in lower case costs
//! nothing when the word pair is a common bigram, but only on a page with few broken
//! ends and starts ([`FEW_CANDIDATES`]): among many, some likely pair turns up by chance.
//! Otherwise it costs almost as much as a break, and less where the extractor put the
//! two blocks together. Code, names and blocks of a word or two (`Dir::Etc::main`,
//! OCR debris) are neutral: they say nothing about the sentence around them.
//!
//! A page's order is improved by moving one short run of blocks at a time to where it
//! lowers the page's cost most, provided the run fits its new place at both ends and
//! the move gains at least [`MIN_GAIN`] — more than one broken join repaired. Each round
//! is quadratic in a page's blocks, and rounds are bounded. Pages too large to be pages
//! (no page breaks found) are left alone.
//!
//! A run that starts mid-sentence and moves to continue its sentence carries along the
//! blocks the extractor emitted after it, up to the next broken join, when that gains
//! as much: extractors emit a piece of a column at a time (pdfminer hoists the top of
//! the right column into the left one), and where the piece ends the text breaks —
//! `…metacharacters;` before a fresh start. Without such a break the run moves alone.
//!
//! # Moves
//!
//! The final order is compared with the extractor's: the blocks on a heaviest (by bytes)
//! common subsequence stay, the rest move — so the moved text is the smaller side. Each
//! moved run is one fix ([`Fix::moved`]) of `layout.reorder-blocks`, safe when a join it
//! makes or mends is evidenced (a known word completed, a common word pair), otherwise
//! for review; its message names the evidence. Text that is not hard-wrapped (one
//! paragraph per line, as after cleaning) is never reordered: its blank lines are the
//! author's. The reflow pass then joins the words and sentences the moves brought
//! together.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, HashSet};

use crate::fix::{Applicability, Edit, Fix, FixKind, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::evidence::FormCounts;
use super::pages;

const REORDER: RuleId = RuleId::from_static("layout.reorder-blocks");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[RuleInfo::builtin(
    "layout.reorder-blocks",
    "layout",
    Applicability::Safe,
    "Moves a block of text that the extractor emitted out of reading order.",
    "Extractors read two-column pages block by block and sometimes emit the blocks out of \
     sequence: the lower part of the left column after the right column, a column's top \
     in the middle of the page. Within each page, blocks (runs of lines between blank \
     lines) are moved so that their joins continue words and sentences: a block ending in \
     a hyphenated word goes before the block that completes it, a block cut mid-clause \
     before the block that goes on in lower case. A move is made only when it repairs \
     clearly more broken joins than it makes and the moved blocks fit their new place at \
     both ends; a run that starts mid-sentence carries the blocks emitted after it up to \
     the next broken join (a piece of a column emitted as one); the blocks that stay are \
     the larger part of the page, so the smaller part is what moves. Safe when a join \
     the move makes or mends completes a word known to the document or the dictionary, \
     or, on a page with few broken joins, continues a common word pair; otherwise proposed for review. Code, names and blocks of a word \
     or two are never evidence. Text that is one paragraph per line is never reordered.\n\n\
     Example: a page emitted as `…national imple-` (bottom of the left column) after \
     `mentation thereof…` (top of the right column): the shorter of the two blocks \
     moves, so that `imple-` is followed by `mentation`.",
)];

/// A move must lower a page's cost by this much: more than one broken join repaired.
const MIN_GAIN: f32 = 1.5;

/// A moved run holds at most this many blocks.
const MAX_RUN: usize = 4;

/// A run that starts mid-sentence carries at most this many blocks after it; see
/// [`Scorer::best_order`].
const MAX_CARRIED: usize = 16;

/// Pages with more blocks than this are left alone (the search is cubic in the worst
/// case; real pages hold a few dozen blocks at most).
const MAX_BLOCKS: usize = 160;

/// The cost of a join that continues a clause in lower case without a known word pair.
const UNEVIDENCED: f32 = 0.8;

/// The same, where the extractor emitted the two blocks in this order.
const UNEVIDENCED_KEPT: f32 = 0.4;

/// At most this many passes over the pages ask the document about words not counted yet
/// (see [`Scorer::writes`]); then every candidate is counted, in one costly scan. Most
/// texts need one pass, those whose searches ask about a word two.
const SPECULATIVE_PASSES: usize = 2;

/// The cost of a word cut by a hyphen whose start of a rest makes no known word with it.
const NOT_COMPLETED: f32 = 0.9;

/// The cost of a list item after a clause left open (`…; and` ⏎ `(d) If…`).
const ITEM: f32 = 0.3;

/// Pages longer than this are not pages: the document has no page breaks, or they were
/// not found. Reordering blocks across a whole document would follow chance likenesses.
const MAX_PAGE_BYTES: usize = 10 * 1024;

/// The cost of a join next to code.
const CODE: f32 = 0.6;

/// A moved run's joins at its new place may cost at most this much: it must fit there.
const MAX_FIT: f32 = 0.5;

/// A word pair at least this likely (`log10 P(b | a)`) continues a sentence.
const MIN_BIGRAM_LOGP: f32 = -3.5;

/// At most this many pairs of a broken open end and a broken lower-case start make a
/// page's candidates few; see [`Scorer::continues_clause`].
const FEW_CANDIDATES: usize = 4;

/// The reading-order pass.
pub(crate) struct Order;

impl Stage for Order {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        // With --keep-lines only words are repaired.
        if cx.options.keep_lines {
            return;
        }
        for fix in reorder(doc, &cx.lexicon) {
            out.push(fix);
        }
    }
}

/// How a block (or, for the de-interleaving pass, a line) begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Start {
    /// With a lower-case word: mid-sentence, or the rest of a hyphenated word.
    Lower,
    /// Any other way: a capital, a digit, an option, a bullet.
    Fresh,
    /// With code or a name (`Dir::Etc`, `/etc/apt.conf`, `$foo`), which says nothing
    /// about the sentence around it.
    Code,
}

/// How a block (or a line) ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    /// With a word and a hyphen at the end of a full line: a word waiting for its rest.
    Hyphen,
    /// With a word or a comma at the end of a full line, no sentence punctuation.
    Open,
    /// With sentence punctuation, or on a short line (a heading, a label).
    Closed,
    /// With code or a name; see [`Start::Code`].
    Code,
}

/// A run of non-blank lines of one page, with its cues.
#[derive(Clone, Debug)]
struct Block {
    /// From the start of the first line to the end of the last (without its line break).
    span: Span,
    start: Start,
    end: End,
    /// The first word, when the block starts in lower case.
    head: Span,
    /// The last word (before the hyphen, for [`End::Hyphen`]), when the block is open.
    tail: Span,
    /// Where the extractor put the block: its rank among the document's blocks.
    rank: usize,
    /// The block starts a list item, a numbered clause or an option (`(d) `, `2. `,
    /// `• `, `-v`), which may follow a clause left open (`…; and`).
    item: bool,
}

/// The reorder fixes for `text`.
fn reorder(doc: &Document<'_>, lexicon: &Lexicon) -> Vec<Fix> {
    reorder_with(doc, lexicon, SPECULATIVE_PASSES)
}

/// The reorder fixes for `text`, after at most `speculative_passes` passes over its
/// pages that ask the document about words not counted yet ([`Scorer::writes`]); then
/// every word it may be asked about is counted.
fn reorder_with(doc: &Document<'_>, lexicon: &Lexicon, speculative_passes: usize) -> Vec<Fix> {
    let text = doc.text();
    // The text's lines are read once: for the typical width, then cut into each page's.
    let all = doc.lines();
    let lines = text_lines(text, &all);
    let Some(width) = typical_width(&lines) else {
        return Vec::new();
    };
    let pages = doc.pages();
    // A page longer than MAX_PAGE_BYTES keeps the order it has (`Scorer::reorder_page`
    // searches no other, and asks the document about no word): when every page is, no
    // block moves, and the blocks need not be read. Text without form feeds is often one
    // such page once the furniture pass has taken away what its pages were inferred from.
    if pages.iter().all(|p| p.span.len() > MAX_PAGE_BYTES) {
        return Vec::new();
    }
    reorder_blocks(
        text,
        &all,
        &lines,
        &pages,
        width,
        lexicon,
        speculative_passes,
    )
}

/// The reorder fixes for `text`, whose lines are `all` and `lines` ([`text_lines`]),
/// pages `pages` and typical width `width`: its pages' blocks, read and searched.
fn reorder_blocks(
    text: &str,
    all: &[pages::Line],
    lines: &[TextLine],
    pages: &[pages::Page],
    width: usize,
    lexicon: &Lexicon,
    speculative_passes: usize,
) -> Vec<Fix> {
    let mut blocks: Vec<Vec<Block>> = pages
        .iter()
        .map(|p| blocks_of(text, page_lines(text, all, lines, p.span), width))
        .collect();
    for (rank, block) in blocks.iter_mut().flatten().enumerate() {
        block.rank = rank;
    }
    // Nothing is out of order unless some block starts in lower case.
    let suspicious = blocks.iter().flatten().any(|b| b.start == Start::Lower);
    if !suspicious {
        return Vec::new();
    }
    let scorer = Scorer::new(text, &blocks, lexicon);
    if speculative_passes == 0 {
        scorer.count(scorer.candidates().iter().cloned().collect());
    }
    let mut passes = 0;
    loop {
        let fixes = scorer.reorder_pages(pages);
        passes += 1;
        // The last pass asked only about words counted before it.
        if !scorer.count_uncounted(passes >= speculative_passes) {
            return fixes;
        }
    }
}

/// The first block after page `p`: the context a page's order ends on.
fn next_block(blocks: &[Vec<Block>], p: usize) -> Option<&Block> {
    blocks[p + 1..].iter().find_map(|b| b.first())
}

/// At most [`FEW_CANDIDATES`] pairs of a broken open end and a broken lower-case start
/// are on `page`, between the block `before` it and the one `after` it; see
/// [`Scorer::continues_clause`].
fn few_candidates(page: &[Block], before: Option<&Block>, after: Option<&Block>) -> bool {
    // Broken ends and starts: an open end followed by a fresh start, a lower-case start
    // after a finished block. (Code next to an open end says nothing.)
    let next = |i: usize| page.get(i + 1).or(after);
    let prev = |i: usize| i.checked_sub(1).map(|p| &page[p]).or(before);
    let open = (0..page.len())
        .filter(|&i| matches!(page[i].end, End::Open | End::Hyphen))
        .filter(|&i| next(i).is_none_or(|n| n.start == Start::Fresh))
        .count();
    let lower = (0..page.len())
        .filter(|&i| page[i].start == Start::Lower)
        .filter(|&i| prev(i).is_none_or(|p| p.end == End::Closed))
        .count();
    open * lower <= FEW_CANDIDATES
}

/// A line of a text as [`pages::lines`] gives it: the line without its line break,
/// whether it holds nothing but white space, and its [`width`] once trimmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct TextLine {
    span: Span,
    blank: bool,
    width: usize,
}

impl TextLine {
    /// The line `span` of `text`, trimmed once for both questions.
    fn new(text: &str, span: Span) -> TextLine {
        let trimmed = pages::trim(&text[span.range()]);
        TextLine {
            span,
            blank: trimmed.is_empty(),
            width: width(trimmed),
        }
    }
}

/// The lines of `text`, whose lines are `all` ([`pages::all_lines`]), each trimmed once.
fn text_lines(text: &str, all: &[pages::Line]) -> Vec<TextLine> {
    all.iter()
        .map(|line| TextLine::new(text, line.span))
        .collect()
}

/// The lines of `page` as `pages::lines(text, page)` gives them, cut from the text's
/// lines `all` by [`pages::lines_within`]; `lines` are their [`text_lines`], which a
/// whole line reuses. A line a page cuts (at a form feed inside it) is read again.
fn page_lines<'a>(
    text: &'a str,
    all: &'a [pages::Line],
    lines: &'a [TextLine],
    page: Span,
) -> impl Iterator<Item = TextLine> + 'a {
    pages::lines_within(all, page)
        .zip(&lines[pages::lines_meeting(all, page)])
        .map(move |(cut, whole)| {
            if cut.span == whole.span {
                *whole
            } else {
                TextLine::new(text, cut.span)
            }
        })
}

/// The width of a typical line in characters (the median of the non-blank lines), or
/// `None` when the text is not hard-wrapped: when most lines stand alone between blank
/// lines, blank lines are paragraph breaks the author made, and order is not ours to
/// change. `lines` are the text's [`text_lines`].
fn typical_width(lines: &[TextLine]) -> Option<usize> {
    let mut widths = Vec::new();
    let mut adjacent = 0usize;
    let mut prev_blank = true;
    for line in lines {
        if line.blank {
            prev_blank = true;
            continue;
        }
        if !prev_blank {
            adjacent += 1;
        }
        prev_blank = false;
        widths.push(line.width);
    }
    if widths.len() < 4 || adjacent * 2 < widths.len() {
        return None;
    }
    let mid = widths.len() / 2;
    Some(*widths.select_nth_unstable(mid).1)
}

/// The width of `line` in characters: its length, when it is ASCII (most lines are, and
/// the test is cheaper than counting characters).
fn width(line: &str) -> usize {
    if line.is_ascii() {
        line.len()
    } else {
        line.chars().count()
    }
}

/// The blocks of one page, read from the page's lines.
#[cfg(test)]
fn page_blocks(text: &str, page: Span, width: usize) -> Vec<Block> {
    let lines = pages::lines(text, page).map(|line| TextLine::new(text, line.span));
    blocks_of(text, lines, width)
}

/// The blocks of the page whose lines are `lines`: its runs of non-blank lines.
fn blocks_of(text: &str, lines: impl Iterator<Item = TextLine>, width: usize) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut first: Option<Span> = None;
    let mut last = Span::empty(0);
    for line in lines {
        if line.blank {
            if let Some(f) = first.take() {
                blocks.push(Block::new(text, f, last, width));
            }
        } else {
            first.get_or_insert(line.span);
            last = line.span;
        }
    }
    if let Some(f) = first {
        blocks.push(Block::new(text, f, last, width));
    }
    blocks
}

impl Block {
    fn new(text: &str, first: Span, last: Span, width: usize) -> Block {
        let span = Span::new(first.start, last.end);
        let first_line = text[first.range()].trim_start();
        let head_start = first.end - first_line.len();
        let head_len = first_line
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(first_line.len());
        let head = Span::new(head_start, head_start + head_len);
        // A block of a word or two (OCR debris, a stray label) says nothing reliable
        // about the sentence it belongs to: it is as neutral as code.
        let fragment = text[span.range()].split_whitespace().nth(2).is_none();
        let start = if fragment || first_line.split_whitespace().next().is_some_and(is_code) {
            Start::Code
        } else if starts_lower(first_line) {
            Start::Lower
        } else {
            Start::Fresh
        };
        let last_line = text[last.range()].trim_end();
        let line_end = last.start + last_line.len();
        let last_line = last_line.trim_start();
        let full = self::width(last_line) * 3 >= width * 2;
        let (end, tail_end) = match classify_end(last_line, line_end, full) {
            (End::Open | End::Hyphen, tail_end) if fragment => (End::Code, tail_end),
            classified => classified,
        };
        let before_tail = text[..tail_end]
            .trim_end_matches(char::is_alphanumeric)
            .len();
        let tail = if matches!(end, End::Closed | End::Code) {
            Span::empty(tail_end)
        } else {
            Span::new(before_tail.max(last.start), tail_end)
        };
        Block {
            span,
            start,
            end,
            head,
            tail,
            rank: 0,
            item: starts_item(first_line),
        }
    }
}

/// How a block whose last line is `line` (ending at byte `line_end`) ends, and where its
/// last word ends.
fn classify_end(line: &str, line_end: usize, full: bool) -> (End, usize) {
    // A page number glued to the last line (`imple-1-`): the line ends before it.
    let folio = line
        .strip_suffix('-')
        .map(|s| s.trim_end_matches(|c: char| c.is_ascii_digit()))
        .filter(|s| s.len() + 1 < line.len() && s.len() + 5 >= line.len())
        .filter(|s| s.ends_with('-') && s[..s.len() - 1].ends_with(char::is_alphabetic));
    let (line, line_end) = match folio {
        Some(s) => (s, line_end - (line.len() - s.len())),
        None => (line, line_end),
    };
    if line.split_whitespace().next_back().is_some_and(is_code) {
        return (End::Code, line_end);
    }
    // A Markdown heading (`## Policy`) is a heading however long it is: text that turns
    // up in lower case elsewhere does not continue it.
    if is_markdown_heading(line) {
        return (End::Closed, line_end);
    }
    // A comma never ends a heading or a paragraph, however short the line.
    if line.ends_with(',') {
        return (End::Open, line_end - 1);
    }
    // A semicolon after a word at the end of a full line leaves the sentence open
    // (`…metacharacters;` ⏎ `that is, …`); after a quote or a bracket it ends a
    // statement of code or a list entry.
    if full && line.ends_with(';') && line[..line.len() - 1].ends_with(char::is_alphabetic) {
        return (End::Open, line_end - 1);
    }
    if !full || letter_spaced(line) {
        return (End::Closed, line_end);
    }
    let mut rev = line.chars().rev();
    match (rev.next(), rev.next()) {
        (Some('-'), Some(c)) if c.is_alphabetic() => (End::Hyphen, line_end - 1),
        (Some(c), _) if c.is_alphabetic() => (End::Open, line_end),
        _ => (End::Closed, line_end),
    }
}

/// A token of code or a name rather than a word of running text: it holds characters
/// that words and their punctuation do not (`Dir::Etc::main`, `/usr/bin`, `$foo);`).
pub(super) fn is_code(token: &str) -> bool {
    // Read as bytes, in place: `str::contains` would build a substring searcher for every
    // token.
    let bytes = token.as_bytes();
    bytes.windows(2).any(|pair| pair == b"::")
        || bytes.iter().any(|&b| {
            matches!(
                b,
                b'/' | b'_' | b'=' | b'$' | b'@' | b'{' | b'}' | b'<' | b'>' | b'\\' | b'|' | b'#'
            )
        })
}

/// A Markdown heading: `## Policy`.
pub(super) fn is_markdown_heading(line: &str) -> bool {
    line.split_once(' ').is_some_and(|(marks, _)| {
        (1..=6).contains(&marks.len()) && marks.bytes().all(|b| b == b'#')
    })
}

/// Most tokens of the line are single characters: a letter-spaced heading (`D e b u g`).
fn letter_spaced(line: &str) -> bool {
    let (mut tokens, mut single) = (0, 0);
    if line.is_ascii() {
        // Byte by byte, most last lines being ASCII: the white space of `split_whitespace`
        // in ASCII, and a token of one byte is one character.
        let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r');
        for t in line.as_bytes().split(space).filter(|t| !t.is_empty()) {
            tokens += 1;
            single += usize::from(t.len() == 1);
        }
    } else {
        for t in line.split_whitespace() {
            tokens += 1;
            single += usize::from(t.chars().nth(1).is_none());
        }
    }
    tokens >= 3 && single * 5 >= tokens * 3
}

/// The line starts a list item, a numbered clause or a command-line option.
fn starts_item(line: &str) -> bool {
    let mut chars = line.chars();
    let (Some(first), Some(second)) = (chars.next(), chars.next()) else {
        return false;
    };
    match first {
        '•' | '◦' | '▪' | '‣' | '●' | '○' | '■' | '□' | '·' | '–' | '—' | '*' => {
            second == ' '
        }
        '-' => second == '-' || second.is_alphanumeric(),
        '(' => line[1..].split_once(')').is_some_and(|(label, _)| {
            (1..=4).contains(&label.len()) && label.chars().all(char::is_alphanumeric)
        }),
        c if c.is_ascii_digit() => {
            let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(". ") || rest.starts_with(") ")
        }
        _ => false,
    }
}

/// The line starts with a lower-case word that is not an enumerator (`a) `, `b. `) or a
/// one-letter label (`w Like ESC-v`, `q or Q`): no running word but `a` is one letter.
pub(super) fn starts_lower(line: &str) -> bool {
    let mut chars = line.chars();
    let (Some(first), second) = (chars.next(), chars.next()) else {
        return false;
    };
    first.is_lowercase()
        && !matches!(second, Some(')' | '.'))
        && (first == 'a' || !second.is_some_and(char::is_whitespace))
}

/// The word that `a`'s last word, cut by a hyphen, makes with `b`'s first word — when
/// both parts are long enough to mean something: two letters on either side complete
/// some word by chance (`re-` + `ds`).
fn joined_word(text: &str, a: &Block, b: &Block) -> Option<String> {
    let (stem, rest) = (&text[a.tail.range()], &text[b.head.range()]);
    (stem.chars().nth(1).is_some() && rest.chars().nth(2).is_some())
        .then(|| format!("{stem}{rest}"))
}

/// The dictionary knows `word`, as written or in lower case.
pub(super) fn known(lexicon: &Lexicon, word: &str) -> bool {
    lexicon.contains(word) || lexicon.contains(&word.to_lowercase())
}

/// A candidate move in the search for a page's order: the blocks at positions
/// `run.0..=run.1` (1-based) go just before position `to`.
struct Move {
    /// How much the page's cost falls.
    gain: f32,
    /// The page's first block stays first.
    keeps_first: bool,
    /// The bytes moved.
    bytes: usize,
    run: (usize, usize),
    to: usize,
}

impl Move {
    /// Greater gain wins; among equal gains, the move that keeps the page's first block
    /// first (text that interrupts a sentence goes after it, not before the sentence's
    /// start), then the one that moves less text.
    fn beats(&self, other: &Move) -> bool {
        self.gain > other.gain + TIE
            || (self.gain > other.gain - TIE
                && (self.keeps_first, other.bytes) > (other.keeps_first, self.bytes))
    }
}

/// Scores joins between blocks.
struct Scorer<'t> {
    text: &'t str,
    lexicon: &'t Lexicon,
    /// The document's blocks, page by page.
    blocks: &'t [Vec<Block>],
    /// Every word unknown to the dictionary that a block ending in a hyphen makes with a
    /// block starting in lower case on its page or the pages beside: the words the
    /// document is asked about (any other counts as not written). Found when first
    /// needed: in most texts no search asks.
    candidates: OnceCell<HashSet<String>>,
    /// How often the document writes, unbroken, each candidate counted so far.
    counts: RefCell<HashMap<String, u32>>,
    /// The candidates asked about since the last count that are not counted yet, in the
    /// order asked; see [`Scorer::writes`].
    uncounted: RefCell<Vec<String>>,
    /// Each page's order as a pass that asked only about counted words found it.
    settled: RefCell<Vec<Option<Settled>>>,
    /// Where the text's lines start, for messages; built for the first one.
    line_starts: OnceCell<Vec<usize>>,
    /// The page being ordered has at most [`FEW_CANDIDATES`] pairs of a broken open end
    /// and a broken lower-case start.
    few_candidates: Cell<bool>,
}

/// A page's order, as a pass found it asking only about counted words.
struct Settled {
    /// The rank of the block before the page.
    before: Option<usize>,
    order: Vec<usize>,
    fixes: Vec<Fix>,
}

/// What the dictionary says of the word a block ending in a hyphen makes with a block
/// starting in lower case.
enum Completion {
    /// None: a part is too short to mean something ([`joined_word`]).
    None,
    /// A word the dictionary knows.
    Known,
    /// A word the dictionary does not know; the document may.
    Unknown(String),
}

/// Bounds on the cost of a join.
#[derive(Clone, Copy, Debug)]
struct Bounds {
    low: f32,
    high: f32,
}

impl Bounds {
    fn exact(cost: f32) -> Bounds {
        Bounds {
            low: cost,
            high: cost,
        }
    }
}

/// What a join between two blocks looks like.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Join {
    cost: f32,
    /// The join continues a word or a sentence with positive evidence.
    evidenced: bool,
}

impl<'t> Scorer<'t> {
    fn new(text: &'t str, blocks: &'t [Vec<Block>], lexicon: &'t Lexicon) -> Scorer<'t> {
        Scorer {
            text,
            lexicon,
            blocks,
            candidates: OnceCell::new(),
            counts: RefCell::default(),
            uncounted: RefCell::default(),
            settled: RefCell::new(blocks.iter().map(|_| None).collect()),
            line_starts: OnceCell::new(),
            few_candidates: Cell::new(false),
        }
    }

    /// The words [`Scorer::candidates`] describes.
    fn candidates(&self) -> &HashSet<String> {
        self.candidates.get_or_init(|| {
            let blocks = self.blocks;
            let mut candidates = HashSet::new();
            for (p, page) in blocks.iter().enumerate() {
                let near = &blocks[p.saturating_sub(1)..(p + 2).min(blocks.len())];
                for a in page.iter().filter(|a| a.end == End::Hyphen) {
                    for b in near.iter().flatten().filter(|b| b.start == Start::Lower) {
                        if let Completion::Unknown(word) = self.completion(a, b) {
                            candidates.insert(word);
                        }
                    }
                }
            }
            candidates
        })
    }

    /// The document writes `word` (unknown to the dictionary) unbroken.
    ///
    /// Counting words takes a scan of the whole text: cheap for a few words, as costly
    /// for a hundred as for all (see [`FormCounts::scan`]). The candidates are many, but
    /// the searches ask about a handful, so a pass over the pages asks first: a candidate
    /// not counted yet is taken as not written, and noted ([`Scorer::uncounted`]). If
    /// any was, the pass may have gone wrong, and runs again once the words noted are
    /// counted ([`Scorer::count_uncounted`]); the pass that notes none had every answer
    /// right.
    fn writes(&self, word: String) -> bool {
        if !self.candidates().contains(&word) {
            return false;
        }
        if let Some(&count) = self.counts.borrow().get(&word) {
            return count > 0;
        }
        self.uncounted.borrow_mut().push(word);
        false
    }

    /// Counts the words asked about but not counted since the last count — or, with
    /// `every`, every candidate not counted yet; false when there was none to count.
    fn count_uncounted(&self, every: bool) -> bool {
        let mut words = std::mem::take(&mut *self.uncounted.borrow_mut());
        if words.is_empty() {
            return false;
        }
        if every {
            words.extend(self.candidates().iter().cloned());
        }
        self.count(words);
        true
    }

    /// Counts `words` (candidates) not counted yet.
    fn count(&self, mut words: Vec<String>) {
        let mut counts = self.counts.borrow_mut();
        words.retain(|word| !counts.contains_key(word));
        let mut forms = FormCounts::default();
        for word in &words {
            forms.want(word);
        }
        forms.scan(self.text);
        for word in words {
            let count = forms.get(&word);
            counts.insert(word, count);
        }
    }

    /// The reorder fixes of every page (`pages`, the pages of the text whose blocks the
    /// scorer holds).
    fn reorder_pages(&self, pages: &[pages::Page]) -> Vec<Fix> {
        let blocks = self.blocks;
        let mut fixes = Vec::new();
        // The block before each page, as the pages before it were ordered.
        let mut before: Option<&Block> = None;
        for (p, page) in blocks.iter().enumerate() {
            if page.is_empty() {
                continue;
            }
            let before_rank = before.map(|b| b.rank);
            // A page an earlier pass ordered after the same block, asking only about
            // words counted by then, is ordered alike: the same search, the same answers.
            let settled = self.settled.borrow()[p]
                .as_ref()
                .filter(|settled| settled.before == before_rank)
                .map(|settled| (settled.order.clone(), settled.fixes.clone()));
            let (order, page_fixes) = match settled {
                Some(settled) => settled,
                None => {
                    let asked = self.uncounted.borrow().len();
                    let (order, page_fixes) = self.reorder_page(p, pages, before);
                    if self.uncounted.borrow().len() == asked {
                        self.settled.borrow_mut()[p] = Some(Settled {
                            before: before_rank,
                            order: order.clone(),
                            fixes: page_fixes.clone(),
                        });
                    }
                    (order, page_fixes)
                }
            };
            fixes.extend(page_fixes);
            before = order.last().map(|&i| &page[i]);
        }
        fixes
    }

    /// The order of page `p` after the block `before` it, and the fixes that make it.
    fn reorder_page(
        &self,
        p: usize,
        pages: &[pages::Page],
        before: Option<&Block>,
    ) -> (Vec<usize>, Vec<Fix>) {
        let page = &self.blocks[p];
        let after = next_block(self.blocks, p);
        self.few_candidates.set(few_candidates(page, before, after));
        let order = if page.len() <= MAX_BLOCKS && pages[p].span.len() <= MAX_PAGE_BYTES {
            self.best_order::<true>(page, before, after)
        } else {
            (0..page.len()).collect()
        };
        // An order the search left as it was moves nothing (every block is on the
        // heaviest common subsequence, the order itself).
        if order.iter().enumerate().all(|(i, &b)| i == b) {
            return (order, Vec::new());
        }
        let fixes = self.moves(page, pages[p].span.end, &order, before, after);
        (order, fixes)
    }

    /// The 1-based number of the line holding byte `pos`.
    fn line_of(&self, pos: usize) -> usize {
        let starts = self.line_starts.get_or_init(|| {
            memchr::memchr_iter(b'\n', self.text.as_bytes())
                .map(|nl| nl + 1)
                .collect()
        });
        starts.partition_point(|&s| s <= pos) + 1
    }

    /// The join of `a`'s end with `b`'s start; `None` stands for the document's edge.
    fn join(&self, a: Option<&Block>, b: Option<&Block>) -> Join {
        let cost = |cost| Join {
            cost,
            evidenced: false,
        };
        match (a.map(|a| a.end), b.map(|b| b.start)) {
            // Code neither continues nor breaks a sentence; a moved block never lands
            // next to it (see MAX_FIT).
            (Some(End::Code), _) | (_, Some(Start::Code)) => cost(CODE),
            (None | Some(End::Closed), None | Some(Start::Fresh)) => cost(0.0),
            (None | Some(End::Closed), Some(Start::Lower)) => cost(1.0),
            (Some(End::Open), Some(Start::Fresh)) if b.is_some_and(|b| b.item) => cost(ITEM),
            (Some(End::Open), None | Some(Start::Fresh)) => cost(1.0),
            (Some(End::Hyphen), None | Some(Start::Fresh)) => cost(1.2),
            // Where the extractor's own order already continues a clause, it is
            // preferred to an unevidenced continuation elsewhere.
            (Some(End::Open), Some(Start::Lower))
                if a.zip(b).is_some_and(|(a, b)| a.rank + 1 == b.rank)
                    && !self.continues_clause(a.unwrap(), b.unwrap()) =>
            {
                cost(UNEVIDENCED_KEPT)
            }
            (Some(End::Hyphen), Some(Start::Lower)) => {
                let (a, b) = (a.unwrap(), b.unwrap());
                if self.completes_word(a, b) {
                    Join {
                        cost: 0.0,
                        evidenced: true,
                    }
                } else {
                    cost(NOT_COMPLETED)
                }
            }
            (Some(End::Open), Some(Start::Lower)) => {
                if self.continues_clause(a.unwrap(), b.unwrap()) {
                    Join {
                        cost: 0.0,
                        evidenced: true,
                    }
                } else {
                    // Unevidenced, a continuation in lower case is only a little better
                    // than a break: lower-case paragraph starts (command names) and
                    // open ends (code, labels) are common.
                    cost(UNEVIDENCED)
                }
            }
        }
    }

    /// True when the join of `a`'s end with `b`'s start costs 1.0 or more
    /// ([`Scorer::join`]): read from the cues alone, since every join that evidence
    /// decides costs less either way.
    fn broken(&self, a: Option<&Block>, b: Option<&Block>) -> bool {
        match (a.map(|a| a.end), b.map(|b| b.start)) {
            (Some(End::Code), _) | (_, Some(Start::Code)) => false,
            (None | Some(End::Closed), Some(Start::Lower)) => true,
            (Some(End::Open), Some(Start::Fresh)) if b.is_some_and(|b| b.item) => false,
            (Some(End::Open | End::Hyphen), None | Some(Start::Fresh)) => true,
            _ => false,
        }
    }

    /// `b`'s first word commonly follows the word `a` ends with, on a page with few
    /// open ends and lower-case starts ([`Scorer::few_candidates`]). Where there are
    /// many (OCR debris, an extractor's many small boxes), some likely pair turns up by
    /// chance, and word pairs are no evidence: only completed words are.
    fn continues_clause(&self, a: &Block, b: &Block) -> bool {
        self.few_candidates.get()
            && self
                .lexicon
                .bigram_logp(&self.text[a.tail.range()], &self.text[b.head.range()])
                .is_some_and(|lp| lp >= MIN_BIGRAM_LOGP)
    }

    /// `a` ends in `stem-` and `b` starts with the rest of a word the document or the
    /// dictionary knows.
    fn completes_word(&self, a: &Block, b: &Block) -> bool {
        match self.completion(a, b) {
            Completion::None => false,
            Completion::Known => true,
            Completion::Unknown(word) => self.writes(word),
        }
    }

    /// What the dictionary says of the word `a`, ending in `stem-`, makes with `b`.
    fn completion(&self, a: &Block, b: &Block) -> Completion {
        match joined_word(self.text, a, b) {
            None => Completion::None,
            Some(word) if known(self.lexicon, &word) => Completion::Known,
            Some(word) => Completion::Unknown(word),
        }
    }

    /// Bounds on the cost of the join of `a`'s end with `b`'s start ([`Scorer::join`])
    /// that the cues and the dictionary tell without the document's words: the cost
    /// itself, but for a hyphenated word the dictionary does not know, which costs
    /// nothing when the document writes it and [`NOT_COMPLETED`] otherwise.
    fn join_bounds(&self, a: Option<&Block>, b: Option<&Block>) -> Bounds {
        if let (Some(a), Some(b)) = (a, b) {
            if a.end == End::Hyphen && b.start == Start::Lower {
                // The arm of `join` that `completes_word` decides.
                return match self.completion(a, b) {
                    Completion::None => Bounds::exact(NOT_COMPLETED),
                    Completion::Known => Bounds::exact(0.0),
                    Completion::Unknown(_) => Bounds {
                        low: 0.0,
                        high: NOT_COMPLETED,
                    },
                };
            }
        }
        Bounds::exact(self.join(a, b).cost)
    }

    /// The order of `page`'s blocks (indices) that the moves reach, between the block
    /// before the page and the one after it.
    ///
    /// `PRUNE` passes over the moves that provably gain too little without computing
    /// their gain; the search without it is the reference the tests hold it to.
    fn best_order<const PRUNE: bool>(
        &self,
        page: &[Block],
        before: Option<&Block>,
        after: Option<&Block>,
    ) -> Vec<usize> {
        let n = page.len();
        let mut order: Vec<usize> = (0..n).collect();
        if n < 2 {
            return order;
        }
        let node = |x: usize| node(page, before, after, x);
        // Only a clearly broken join is worth a search; most pages have none, and are
        // spared the search (and the document's words, which it may ask).
        if (0..=n).all(|x| !self.broken(node(x), node(x + 1))) {
            return order;
        }
        let mut joins = Joins::new(self, (0..n + 2).map(node).collect());
        let mut adjacent: Vec<f32> = Vec::with_capacity(n + 1);
        for _round in 0..n {
            let Some(mut best) = best_move::<PRUNE>(page, &order, &mut joins, &mut adjacent) else {
                break;
            };
            // The node at position k of the current order (the context at 0 and n + 1),
            // and the cost of the join of the nodes at two positions.
            let at = |k: usize| position_node(&order, k);
            let mut cost = |x: usize, y: usize| joins.cost(at(x), at(y));
            // A run that starts mid-sentence and now continues the block it belongs
            // after carries along the blocks the extractor emitted after it, up to the
            // next broken join: extractors emit a piece of a column at a time, and the
            // piece ends where the text breaks.
            let (i, j, k) = (best.run.0, best.run.1, best.to);
            if page[order[i - 1]].start == Start::Lower && cost(k - 1, i) == 0.0 {
                let limit = if k > j { k - 1 } else { n + 1 };
                let mut end = j + 1;
                while end < limit && end - i < MAX_CARRIED && cost(end - 1, end) == 0.0 {
                    let broken = cost(end, end + 1);
                    if broken > 0.0 {
                        let out_of = cost(end, k);
                        let gain = cost(i - 1, i) + broken + cost(k - 1, k)
                            - cost(i - 1, end + 1)
                            - cost(k - 1, i)
                            - out_of;
                        // The run's new end may be no worse a join than its old one.
                        if out_of <= broken && gain > best.gain - 1e-3 {
                            best.run.1 = end;
                        }
                        break;
                    }
                    end += 1;
                }
            }
            let Move {
                run: (i, j), to: k, ..
            } = best;
            let run: Vec<usize> = order[i - 1..j].to_vec();
            order.drain(i - 1..j);
            let at = if k > j { k - 1 - (j - i + 1) } else { k - 1 };
            order.splice(at..at, run);
        }
        order
    }

    /// The fixes that turn the extractor's order of `page` (which ends at `page_end`)
    /// into `order`: the blocks outside the heaviest common subsequence move.
    fn moves(
        &self,
        page: &[Block],
        page_end: usize,
        order: &[usize],
        before: Option<&Block>,
        after: Option<&Block>,
    ) -> Vec<Fix> {
        let stays = heaviest_increasing(order, |i| page[i].span.len());
        let mut fixes: Vec<Fix> = Vec::new();
        let mut taken: Vec<Span> = Vec::new();
        let mut k = 0;
        while k < order.len() {
            if stays[k] {
                k += 1;
                continue;
            }
            // A group of moved blocks between two blocks that stay.
            let g0 = k;
            while k < order.len() && !stays[k] {
                k += 1;
            }
            let group = &order[g0..k];
            let anchor_before = g0.checked_sub(1).map(|p| order[p]);
            let anchor_after = order.get(k).copied();
            // Runs of the group that are consecutive in the original too.
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for &b in group {
                match runs.last_mut() {
                    Some((_, last)) if *last + 1 == b => *last = b,
                    _ => runs.push((b, b)),
                }
            }
            let count = runs.len();
            for (r, &(first, last)) in runs.iter().enumerate() {
                // The first run goes after the block before the group, the last before
                // the block after it; a run between them would need a third position.
                let mut options: Vec<(Span, usize)> = Vec::new();
                if r == 0 {
                    if let (Some(a), Some(prev)) = (anchor_before, first.checked_sub(1)) {
                        options.push((
                            Span::new(page[prev].span.end, page[last].span.end),
                            page[a].span.end,
                        ));
                    }
                }
                if r + 1 == count {
                    // The run with the separator after it: up to the next block, or to
                    // the page's end when a blank line ends the page.
                    let until = match page.get(last + 1) {
                        Some(next) => Some(next.span.start),
                        None => {
                            let rest = &self.text[page[last].span.end..page_end];
                            (memchr::memchr_iter(b'\n', rest.as_bytes()).count() >= 2)
                                .then_some(page_end)
                        }
                    };
                    if let (Some(c), Some(until)) = (anchor_after, until) {
                        options
                            .push((Span::new(page[first].span.start, until), page[c].span.start));
                    }
                }
                // At a page's edge the run may have no separator on the side its new
                // place needs: then the separator moves from one side to the other.
                let blocks = Span::new(page[first].span.start, page[last].span.end);
                let moved = &self.text[blocks.range()];
                let mut reshaped: Vec<(Span, usize, String)> = Vec::new();
                if let (0, Some(a)) = (r, anchor_before) {
                    let until = page.get(last + 1).map_or(blocks.end, |n| n.span.start);
                    reshaped.push((
                        Span::new(blocks.start, until),
                        page[a].span.end,
                        format!("\n\n{moved}"),
                    ));
                }
                if let (true, Some(c)) = (r + 1 == count, anchor_after) {
                    let since = first
                        .checked_sub(1)
                        .map_or(blocks.start, |p| page[p].span.end);
                    reshaped.push((
                        Span::new(since, blocks.end),
                        page[c].span.start,
                        format!("{moved}\n\n"),
                    ));
                }
                let free = |from: Span, to: usize| {
                    (to < from.start || to > from.end)
                        && !taken
                            .iter()
                            .any(|&t| clash(t, from) || clash(t, Span::empty(to)))
                };
                let exact = options.into_iter().find(|&(from, to)| free(from, to));
                let chosen = exact.map(|(from, to)| (from, to, None)).or_else(|| {
                    reshaped
                        .into_iter()
                        .find(|(from, to, _)| free(*from, *to))
                        .map(|(from, to, insert)| (from, to, Some(insert)))
                });
                let Some((from, to, insert)) = chosen else {
                    continue;
                };
                taken.push(from);
                taken.push(Span::empty(to));
                // Evidence: the joins the moved run makes at its new place.
                let pos = order.iter().position(|&b| b == first).unwrap_or(0);
                let end_pos = order.iter().position(|&b| b == last).unwrap_or(0);
                let pred = pos.checked_sub(1).map(|p| &page[order[p]]).or(before);
                let succ = order.get(end_pos + 1).map(|&s| &page[s]).or(after);
                let into = self.join(pred, Some(&page[first]));
                let out_of = self.join(Some(&page[last]), succ);
                // The run's old neighbours, when they now stand together.
                let old_pred = first.checked_sub(1).map(|p| &page[p]).or(before);
                let old_succ = page.get(last + 1).or(after);
                let closed = old_pred.zip(old_succ).and_then(|(p, s)| {
                    let together = order
                        .windows(2)
                        .any(|w| page[w[0]].rank == p.rank && page[w[1]].rank == s.rank);
                    together.then(|| self.join(Some(p), Some(s)))
                });
                let evidenced =
                    into.evidenced || out_of.evidenced || closed.is_some_and(|j| j.evidenced);
                let applicability = if evidenced {
                    Applicability::Safe
                } else {
                    Applicability::Review
                };
                let message = self.message(
                    &page[first],
                    [
                        (pred, Some(&page[first])),
                        (Some(&page[last]), succ),
                        if closed.is_some() {
                            (old_pred, old_succ)
                        } else {
                            (None, None)
                        },
                    ],
                );
                let fix = match insert {
                    None => Fix::moved(REORDER, applicability, self.text, from, to),
                    Some(insert) => {
                        let mut fix = Fix::new(REORDER, applicability)
                            .with_edit(Edit::delete(from))
                            .with_edit(Edit::insert(to, insert));
                        fix.kind = FixKind::Move;
                        fix
                    }
                };
                fixes.push(
                    fix.with_confidence(if evidenced { 0.9 } else { 0.6 })
                        .with_message(message),
                );
            }
        }
        fixes
    }

    /// Why a run of blocks moved: the evidenced joins it makes at its new place, or
    /// the one it leaves behind.
    fn message(&self, first: &Block, joins: [(Option<&Block>, Option<&Block>); 3]) -> String {
        let text = self.text;
        let line_of = |pos: usize| self.line_of(pos);
        let mut why = Vec::new();
        for (k, (a, b)) in joins.into_iter().enumerate() {
            let (Some(a), Some(b)) = (a, b) else { continue };
            if !self.join(Some(a), Some(b)).evidenced {
                continue;
            }
            let (head, tail) = (&text[b.head.range()], &text[a.tail.range()]);
            let evidence = if a.end == End::Hyphen {
                format!("“{tail}-” + “{head}” is the known word “{tail}{head}”")
            } else {
                format!("“{tail} {head}” is a common word pair")
            };
            let a_end = excerpt(&text[a.span.range()], false);
            let b_start = excerpt(&text[b.span.range()], true);
            why.push(match k {
                0 => format!(
                    "continues {a_end:?} (line {}): {evidence}",
                    line_of(a.span.end)
                ),
                1 => format!(
                    "is continued by {b_start:?} (line {}): {evidence}",
                    line_of(b.span.start)
                ),
                _ => {
                    format!("stood between {a_end:?} and its continuation {b_start:?}: {evidence}")
                }
            });
        }
        if why.is_empty() {
            why.push("ends and starts sentences where its new neighbours do".to_owned());
        }
        format!(
            "block starting {:?} (line {}) {}",
            excerpt(&text[first.span.range()], true),
            line_of(first.span.start),
            why.join("; ")
        )
    }
}

/// Node `x` of a page's joins: 0 is the block `before` the page, 1..=n the page's
/// blocks, n + 1 the block `after` it.
fn node<'b>(
    page: &'b [Block],
    before: Option<&'b Block>,
    after: Option<&'b Block>,
    x: usize,
) -> Option<&'b Block> {
    match x {
        0 => before,
        x if x == page.len() + 1 => after,
        x => Some(&page[x - 1]),
    }
}

/// The node at position `k` of `order`, a page's blocks in some order: the context at 0
/// and n + 1 (see [`node`]).
fn position_node(order: &[usize], k: usize) -> usize {
    match k {
        0 => 0,
        k if k == order.len() + 1 => k,
        k => order[k - 1] + 1,
    }
}

/// The costs of the joins between a page's nodes (see [`node`]), each computed when
/// first asked: first its [bounds](Scorer::join_bounds), which the cues and the
/// dictionary tell, then its cost, which may ask the document, only where needed.
struct Joins<'s, 't> {
    scorer: &'s Scorer<'t>,
    nodes: Vec<Option<&'t Block>>,
    /// The bounds of the join of nodes `x` and `y` at `x * nodes + y`, exact once its
    /// cost is known.
    known: Vec<Option<Bounds>>,
}

impl<'s, 't> Joins<'s, 't> {
    fn new(scorer: &'s Scorer<'t>, nodes: Vec<Option<&'t Block>>) -> Joins<'s, 't> {
        let n = nodes.len();
        Joins {
            scorer,
            nodes,
            known: vec![None; n * n],
        }
    }

    /// Bounds on the cost of the join of nodes `x` and `y`.
    fn bounds(&mut self, x: usize, y: usize) -> Bounds {
        let at = x * self.nodes.len() + y;
        *self.known[at].get_or_insert_with(|| self.scorer.join_bounds(self.nodes[x], self.nodes[y]))
    }

    /// The cost of the join of nodes `x` and `y`.
    fn cost(&mut self, x: usize, y: usize) -> f32 {
        let bounds = self.bounds(x, y);
        if bounds.low == bounds.high {
            return bounds.low;
        }
        let cost = self.scorer.join(self.nodes[x], self.nodes[y]).cost;
        self.known[x * self.nodes.len() + y] = Some(Bounds::exact(cost));
        cost
    }
}

/// Among equal gains (within this much), other tests decide; see [`Move::beats`].
const TIE: f32 = 1e-3;

/// The move a round of [`Scorer::best_order`] makes on `page` in `order`, or `None`.
/// `adjacent` is scratch space.
///
/// `PRUNE` passes over the moves that provably cannot be the best without computing
/// their gain exactly: from the costs of the joins a move removes and the bounds of
/// those it makes, at most a gain too small. The document's words are asked about only
/// for a move that may be the best.
fn best_move<const PRUNE: bool>(
    page: &[Block],
    order: &[usize],
    joins: &mut Joins<'_, '_>,
    adjacent: &mut Vec<f32>,
) -> Option<Move> {
    let n = order.len();
    let at = |k: usize| position_node(order, k);
    // Moving positions i..=j (1-based) to just before position k (k outside i..=j+1)
    // removes the joins (i-1,i), (j,j+1), (k-1,k) and makes (i-1,j+1), (k-1,i), (j,k).
    let mut best: Option<Move> = None;
    // No join costs less than nothing, so a move gains at most the cost of the joins it
    // removes: a run whose own two joins, with the costliest join of the order, fall
    // short of MIN_GAIN has no place to go. Most runs of a page sit between joins that
    // cost nothing, and are passed over here. The same for each place a run may go: the
    // cost of the join it breaks, `adjacent[k - 1]` for the join at position k.
    // (The joins of the order at their highest: exact, where the document is not asked.)
    adjacent.clear();
    adjacent.extend((1..=n + 1).map(|k| joins.bounds(at(k - 1), at(k)).high));
    let costliest = adjacent.iter().copied().fold(0.0, f32::max);
    // Every place, and those where the join a run would break costs something: a run
    // whose own joins fall short of MIN_GAIN can only go there.
    let every: Vec<usize> = (1..=n + 1).collect();
    let costly: Vec<usize> = every
        .iter()
        .copied()
        .filter(|&k| adjacent[k - 1] > 0.0)
        .collect();
    for i in 1..=n {
        for j in i..(i + MAX_RUN).min(n + 1) {
            if j - i + 1 == n {
                break;
            }
            let out_high = adjacent[i - 1] + adjacent[j];
            if PRUNE && out_high + costliest < MIN_GAIN {
                continue;
            }
            let places = if PRUNE && out_high < MIN_GAIN {
                &costly
            } else {
                &every
            };
            let mut closed_low = None;
            let bytes = order[i - 1..j].iter().map(|&b| page[b].span.len()).sum();
            for k in places.iter().copied().filter(|&k| k < i || k > j + 1) {
                if PRUNE && out_high + adjacent[k - 1] < MIN_GAIN {
                    continue;
                }
                let closed_low =
                    *closed_low.get_or_insert_with(|| joins.bounds(at(i - 1), at(j + 1)).low);
                // The run must fit its new place at both ends.
                let into_low = joins.bounds(at(k - 1), at(i)).low;
                let out_of_low = joins.bounds(at(j), at(k)).low;
                if into_low > MAX_FIT || out_of_low > MAX_FIT {
                    continue;
                }
                // The most the move can gain (f32 arithmetic is monotone): when it cannot
                // be the best, its exact gain is not needed.
                let most = out_high + adjacent[k - 1] - closed_low - into_low - out_of_low;
                if PRUNE && (most < MIN_GAIN || best.as_ref().is_some_and(|b| most <= b.gain - TIE))
                {
                    continue;
                }
                let into = joins.cost(at(k - 1), at(i));
                let out_of = joins.cost(at(j), at(k));
                if into > MAX_FIT || out_of > MAX_FIT {
                    continue;
                }
                let out_cost = joins.cost(at(i - 1), at(i)) + joins.cost(at(j), at(j + 1));
                let gain = out_cost + joins.cost(at(k - 1), at(k))
                    - joins.cost(at(i - 1), at(j + 1))
                    - into
                    - out_of;
                let candidate = Move {
                    gain,
                    keeps_first: i != 1 && k != 1,
                    bytes,
                    run: (i, j),
                    to: k,
                };
                if gain >= MIN_GAIN && best.as_ref().is_none_or(|b| candidate.beats(b)) {
                    best = Some(candidate);
                }
            }
        }
    }
    best
}

/// The first (or last) few words of `s`, with an ellipsis where it was cut.
fn excerpt(s: &str, head: bool) -> String {
    const CHARS: usize = 24;
    let n = s.chars().count();
    if n <= CHARS {
        return s.replace('\n', " ");
    }
    let cut: String = if head {
        s.chars().take(CHARS).collect()
    } else {
        s.chars().skip(n - CHARS).collect()
    };
    let cut = cut.replace('\n', " ");
    if head {
        format!("{cut}…")
    } else {
        format!("…{cut}")
    }
}

/// Two edit spans of moves the pipeline could not both apply (as it judges clashes).
fn clash(a: Span, b: Span) -> bool {
    (a.start < b.end && b.start < a.end)
        || a == b
        || ((a.is_empty() || b.is_empty()) && (a.end == b.start || b.end == a.start))
}

/// Marks the entries of `seq` on an increasing subsequence of greatest total `weight`.
fn heaviest_increasing(seq: &[usize], weight: impl Fn(usize) -> usize) -> Vec<bool> {
    let n = seq.len();
    let mut best = vec![0usize; n];
    let mut prev = vec![None::<usize>; n];
    for i in 0..n {
        best[i] = weight(seq[i]);
        for j in 0..i {
            if seq[j] < seq[i] && best[j] + weight(seq[i]) > best[i] {
                best[i] = best[j] + weight(seq[i]);
                prev[i] = Some(j);
            }
        }
    }
    let mut stays = vec![false; n];
    let mut at = (0..n).max_by_key(|&i| (best[i], std::cmp::Reverse(i)));
    while let Some(i) = at {
        stays[i] = true;
        at = prev[i];
    }
    stays
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lines_are_the_lines_of_the_page() {
        // Form feeds and cuts fall at line starts, inside lines and on line breaks.
        let mut rng = crate::testing::XorShift(0x1234_5678_9ABC_DEF1u64);
        let mut cut = 0;
        for _ in 0..3000 {
            let text = crate::testing::line_soup(&mut rng);
            let all = pages::all_lines(&text);
            let lines = text_lines(&text, &all);
            let expected = |page: Span| -> Vec<TextLine> {
                pages::lines(&text, page)
                    .map(|l| {
                        let line = TextLine::new(&text, l.span);
                        assert_eq!(line.blank, l.is_blank(&text), "{text:?} {l:?}");
                        line
                    })
                    .collect()
            };
            // Pages at the form feeds, and pages cut at random character boundaries,
            // some with a byte left out between them as a form feed is.
            let mut splits: Vec<Vec<Span>> = vec![pages::split_at_form_feeds(&text)
                .iter()
                .map(|p| p.span)
                .collect()];
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let mut random = Vec::new();
            let mut start = 0;
            while start < text.len() {
                let end = bounds[rng.below(bounds.len())].max(start);
                random.push(Span::new(start, end));
                start = if end < text.len() && text.as_bytes()[end] == b'\x0c' && rng.below(2) == 0
                {
                    end + 1
                } else if end == start {
                    bounds
                        .iter()
                        .copied()
                        .find(|&b| b > end)
                        .unwrap_or(text.len())
                } else {
                    end
                };
            }
            splits.push(random);
            for page in splits.into_iter().flatten() {
                let got: Vec<TextLine> = page_lines(&text, &all, &lines, page).collect();
                assert_eq!(got, expected(page), "{text:?} {page:?}");
                cut += got.iter().filter(|l| !lines.contains(l)).count();
            }
        }
        // Lines cut by a page edge were among those compared.
        assert!(cut > 1000, "{cut}");
    }

    fn run(text: &str) -> String {
        let mut p = crate::Pipeline::new(Context::default());
        p.push(Box::new(Order));
        p.run(text).output
    }

    #[test]
    fn data_cases() {
        super::super::testdata::check_cases("order", || Box::new(Order));
    }

    #[test]
    fn broken_joins_are_those_that_cost_one_or_more() {
        let text = "The end.\n\nthe rest of a long line that goes on\n\nFresh start of imple-\n\n\
                    mentation here and there ok\n\n(a) An item that is listed here\n\nFoo::bar";
        let width = 30;
        let blocks = vec![page_blocks(text, Span::new(0, text.len()), width)];
        let scorer = Scorer::new(text, &blocks, Lexicon::english());
        let nodes: Vec<Option<&Block>> = std::iter::once(None)
            .chain(blocks[0].iter().map(Some))
            .collect();
        for &a in &nodes {
            for &b in &nodes {
                assert_eq!(
                    scorer.broken(a, b),
                    scorer.join(a, b).cost >= 1.0,
                    "{:?} {:?}",
                    a.map(|a| a.end),
                    b.map(|b| b.start)
                );
            }
        }
    }

    #[test]
    fn the_pruned_search_finds_the_orders_of_the_full_search() {
        // Blocks with every kind of start and end, in many orders: broken joins, words
        // completed across blocks, clauses continued, code, list items.
        let pool = [
            "The committee met in the spring of that year and it decided on the imple-",
            "mentation of the plan that had been drafted by the members of the staff.",
            "which was not what the members of the committee had expected at all, and",
            "the report that followed it was sent to every member of the committee and",
            "A fresh paragraph starts here and it runs on for a while to fill the line.",
            "(a) An item of the list that follows a clause left open by the line above;",
            "Dir::Etc::main is the main configuration file and it is read by the tool",
            "above",
            "continued in lower case after a finished sentence, as a column's top does.",
            "Short heading",
            "inter-",
            "national trade was the subject of the second part of the meeting that day",
            "The end of the story.",
            "$HOME is where the shell starts, and it is set by the login program for",
            "it goes on with the words of the clause that the line above left open so",
            "that nothing of the sentence is lost when the columns are read in order.",
            "• A bullet item that says something about the text around it and goes on",
            "and so the sentence goes on in the next block of the page, which the eye",
            "follows",
            // A word unknown to the dictionary, which only the document completes.
            "The daemon keeps its state in a file that it names after the frobni-",
            "cator and that it reads back at startup and writes out when it exits.",
            "Every frobnicator writes its settings to a file of its own on the disk.",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15u64);
        let mut next = |n: usize| rng.below(n);
        let mut searched = 0;
        for _ in 0..1000 {
            let count = 2 + next(9);
            let text: Vec<&str> = (0..count).map(|_| pool[next(pool.len())]).collect();
            let text = text.join("\n\n") + "\n";
            let blocks = vec![page_blocks(&text, Span::new(0, text.len()), 60)];
            let scorer = Scorer::new(&text, &blocks, Lexicon::english());
            scorer.count(scorer.candidates().iter().cloned().collect());
            let page = &blocks[0];
            scorer.few_candidates.set(next(2) == 0);
            for (before, after) in [(None, None), (page.last(), page.first())] {
                let pruned = scorer.best_order::<true>(page, before, after);
                let full = scorer.best_order::<false>(page, before, after);
                assert_eq!(pruned, full, "{text}");
                searched += usize::from(pruned.iter().enumerate().any(|(i, &b)| i != b));
            }
        }
        // The pages are no sham: many of them are reordered.
        assert!(searched > 50, "{searched}");
    }

    /// A text whose every page is longer than MAX_PAGE_BYTES is not read for blocks:
    /// the blocks read and searched would move nothing either. On pages of every size
    /// around the limit, the fixes are the blocks' fixes.
    #[test]
    fn pages_too_long_to_reorder_are_not_read() {
        let pool = [
            "The committee met in the spring of that year and it decided on the imple-",
            "mentation of the plan that had been drafted by the members of the staff.",
            "which was not what the members of the committee had expected at all, and",
            "A fresh paragraph starts here and it runs on for a while to fill the line.",
            "continued in lower case after a finished sentence, as a column's top does.",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15u64);
        let mut next = |n: usize| rng.below(n);
        let lexicon = Lexicon::english();
        let (mut long, mut moved) = (0, 0);
        for _ in 0..120 {
            // Blocks of some 150 bytes: up to 110 of them make pages of up to 16 KiB.
            let pages: Vec<String> = (0..1 + next(2))
                .map(|_| {
                    let blocks: Vec<String> = (0..2 + next(110))
                        .map(|_| pool[next(pool.len())])
                        .map(|block| format!("{block}\n{block}"))
                        .collect();
                    blocks.join("\n\n")
                })
                .collect();
            let text = pages.join("\n\u{c}") + "\n";
            let doc = Document::new(&text);
            let all = doc.lines();
            let lines = text_lines(&text, &all);
            let width = typical_width(&lines).expect("hard-wrapped");
            let pages = doc.pages();
            let fixes = format!("{:?}", reorder_with(&doc, lexicon, SPECULATIVE_PASSES));
            let read = reorder_blocks(
                &text,
                &all,
                &lines,
                &pages,
                width,
                lexicon,
                SPECULATIVE_PASSES,
            );
            assert_eq!(fixes, format!("{read:?}"), "{text}");
            long += usize::from(pages.iter().all(|p| p.span.len() > MAX_PAGE_BYTES));
            moved += usize::from(!read.is_empty());
        }
        // Both kinds of text are met, and the short pages are no sham.
        assert!(long > 10 && moved > 10, "{long} {moved}");
    }

    #[test]
    fn speculative_passes_find_the_moves_of_counting_every_word_first() {
        // Pages whose searches ask the document about words it writes (`frobnicator`,
        // `regit`) and words it does not (`frobniwhich`), in many orders.
        let pool = [
            "The daemon keeps its state in a file that it names after the frobni-",
            "cator and that it reads back at startup and writes out when it exits.",
            "Every frobnicator writes its settings to a file of its own on the disk,",
            "which is read by the tool when it starts and written when it stops.",
            "The output is piped through the program that the manual calls the re-",
            "git tool, which every regit user knows from the chapter on the shell.",
            "A fresh paragraph starts here and it runs on for a while to fill the line.",
            "the rest of the sentence goes on in lower case after a finished one here.",
            "Short heading",
        ];
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1Du64);
        let mut next = |n: usize| rng.below(n);
        let lexicon = Lexicon::english();
        let mut moved = 0;
        for _ in 0..300 {
            let pages: Vec<String> = (0..1 + next(3))
                .map(|_| {
                    let count = 2 + next(6);
                    // Each block twice over, on two lines: the text reads as hard-wrapped.
                    let blocks: Vec<String> = (0..count)
                        .map(|_| pool[next(pool.len())])
                        .map(|block| format!("{block}\n{block}"))
                        .collect();
                    blocks.join("\n\n")
                })
                .collect();
            let text = pages.join("\n\u{c}") + "\n";
            let fixes = |passes: usize| {
                let fixes = reorder_with(&Document::new(&text), lexicon, passes);
                format!("{fixes:?}")
            };
            let reference = fixes(0);
            assert_eq!(fixes(SPECULATIVE_PASSES), reference, "{text}");
            assert_eq!(fixes(usize::MAX), reference, "{text}");
            moved += usize::from(reference.contains("Move"));
        }
        // The pages are no sham: many are reordered.
        assert!(moved > 30, "{moved}");
    }

    #[test]
    fn heaviest_subsequence_keeps_the_larger_side() {
        // 0 2 1: keep whichever of 1 and 2 is heavier.
        let heavy_two = heaviest_increasing(&[0, 2, 1], |i| if i == 2 { 10 } else { 1 });
        assert_eq!(heavy_two, [true, true, false]);
        let heavy_one = heaviest_increasing(&[0, 2, 1], |i| if i == 1 { 10 } else { 1 });
        assert_eq!(heavy_one, [true, false, true]);
    }

    #[test]
    fn reads_block_cues() {
        let text = "the rest of a sentence that goes on\nuntil it is cut by the imple-\n";
        let b = &page_blocks(text, Span::new(0, text.len()), 30)[0];
        assert_eq!((b.start, b.end), (Start::Lower, End::Hyphen));
        assert_eq!(&text[b.head.range()], "the");
        assert_eq!(&text[b.tail.range()], "imple");
        // Short against a typical line of 60: a heading.
        let text = "Results of the Meeting\n";
        let b = &page_blocks(text, Span::new(0, text.len()), 60)[0];
        assert_eq!((b.start, b.end), (Start::Fresh, End::Closed));
        // A word or two is debris or a label: its start is neutral, its end closed or
        // neutral.
        let text = "above\n";
        let b = &page_blocks(text, Span::new(0, text.len()), 30)[0];
        assert_eq!((b.start, b.end), (Start::Code, End::Closed));
        let text = "which the\n";
        let b = &page_blocks(text, Span::new(0, text.len()), 8)[0];
        assert_eq!((b.start, b.end), (Start::Code, End::Code));
        // Code says nothing about sentences.
        let text = "Dir::Etc::main is the main configuration file and it is\nread by $tool\n";
        let b = &page_blocks(text, Span::new(0, text.len()), 30)[0];
        assert_eq!((b.start, b.end), (Start::Code, End::Code));
    }

    #[test]
    fn a_letter_spaced_heading_is_closed() {
        assert_eq!(
            classify_end("D e b u g : : A c q u i r e", 27, true).0,
            End::Closed
        );
        assert_eq!(
            classify_end("the letters of the word", 23, true).0,
            End::Open
        );
    }

    #[test]
    fn letter_spacing_is_read_alike_in_ascii_and_beyond() {
        for line in [
            "D e b u g : : A c q u i r e",
            "S\tE\x0bC\x0cT I O N",
            "the letters of the word",
            "a b cc dd",
            "a b c dd ee",
            "x\x1cy z w",
            "  ",
        ] {
            // The same line with a character outside ASCII that changes no token's
            // length in characters takes the general path.
            let wide = line.replace('x', "é");
            assert_eq!(letter_spaced(line), letter_spaced(&wide), "{line:?}");
            let reference = {
                let tokens: Vec<&str> = line.split_whitespace().collect();
                let single = tokens.iter().filter(|t| t.chars().count() == 1).count();
                tokens.len() >= 3 && single * 5 >= tokens.len() * 3
            };
            assert_eq!(letter_spaced(line), reference, "{line:?}");
        }
        assert!(letter_spaced("D e b u g : : A c q u i r e"));
        assert!(!letter_spaced("the letters of the word"));
    }

    #[test]
    fn list_items_follow_open_clauses() {
        for item in ["(d) If the Work", "2. Waiver", "• Space", "-v, --verbose"] {
            assert!(starts_item(item), "{item}");
        }
        for text in ["(Here N is grep's", "2000 files", "Word"] {
            assert!(!starts_item(text), "{text}");
        }
    }

    #[test]
    fn a_chance_completion_of_two_letters_is_no_evidence() {
        // `re-` + `ds` makes `reds`, a word; but two letters match something by chance.
        let text = "a long line of text that ends with the word re-\n\nds, however, since it\n";
        let page = page_blocks(text, Span::new(0, text.len()), 40);
        let scorer = Scorer::new(text, std::slice::from_ref(&page), Lexicon::english());
        assert_eq!(page[0].end, End::Hyphen);
        assert!(!scorer.completes_word(&page[0], &page[1]));
    }

    #[test]
    fn a_semicolon_after_a_word_leaves_a_full_line_open() {
        let line = "Don't interpret regular expression metacharacters;";
        assert_eq!(
            classify_end(line, line.len(), true),
            (End::Open, line.len() - 1)
        );
        // On a short line, or after a quote or a bracket (code, a list entry), it ends.
        assert_eq!(classify_end("Two words;", 10, false).0, End::Closed);
        assert_eq!(
            classify_end("Fix-Broken \"true\";", 18, true).0,
            End::Closed
        );
        assert_eq!(
            classify_end("the caveat (see above);", 23, true).0,
            End::Closed
        );
    }

    #[test]
    fn a_glued_page_number_does_not_hide_the_hyphen() {
        assert_eq!(
            classify_end("national imple-1-", 17, true),
            (End::Hyphen, 14)
        );
        assert_eq!(classify_end("options -1-", 11, true).0, End::Closed);
    }

    #[test]
    fn a_one_letter_label_is_not_a_continuation() {
        assert!(starts_lower("a text file with CR/LF pairs"));
        assert!(!starts_lower("w Like ESC-v, but if N is specified"));
        assert!(!starts_lower("b) the second case"));
        assert!(starts_lower("mentation of the layout"));
    }

    #[test]
    fn one_paragraph_per_line_is_never_reordered() {
        let text =
            "First paragraph ends without a stop\n\nSecond one.\n\nthird starts low.\n\nFourth.\n";
        assert_eq!(run(text), text);
    }
}
