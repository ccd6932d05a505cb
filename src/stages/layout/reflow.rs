//! Layout pass: reflow — line breaks and page breaks turned back into words and
//! paragraphs.
//!
//! Extracted text breaks where the page broke: inside words (`baux-⏎ite`), inside
//! paragraphs (every line of a justified page), and at page ends (`\f`). This pass looks
//! at each *gap* between two non-blank lines — the line break, any blank lines, page
//! breaks and indentation between them — and decides what the gap was in the source:
//!
//! - a word break: the hyphen and the gap go (`layout.dehyphenate`), or, where the
//!   hyphen is part of the word, only the gap goes (`layout.hyphen-kept`);
//! - a wrap inside a paragraph: the gap becomes one space (`layout.reflow`, or
//!   `layout.page-join` when a page break or blank lines split the paragraph);
//! - a paragraph break: the gap becomes exactly one blank line (`layout.paragraph-break`);
//! - a deliberate line break (tables, short verse-like lines): left alone.
//!
//! # Two kinds of input
//!
//! Hard-wrapped text (most extractors) has runs of adjacent lines; text that is already
//! one paragraph per line (a cleaned document, a Markdown export) has blank lines between
//! nearly all lines. In the second kind an adjacent pair of lines is the author's
//! (a two-line heading, a Markdown hard break) and is kept; only word breaks and
//! paragraphs split by a page break are repaired. The kind is decided per document from
//! the share of lines that have a non-blank neighbour below.
//!
//! # Where a line is "short"
//!
//! A line ends a paragraph when the next line's first word would have fitted on it: the
//! typesetter broke early on purpose. Widths are counted in characters against the widest
//! line nearby, so proportional fonts make the test approximate; it is combined with
//! punctuation (a short line that ends a sentence) or used only with a wide margin.

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;

use smol_str::SmolStr;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::evidence::FormCounts;
use super::notes;
use super::order::is_markdown_heading;
use super::prefixes::HyphenatedPrefixes;
use crate::lexicon::{swar, Lexicon};

const DEHYPHENATE: RuleId = RuleId::from_static("layout.dehyphenate");
const HYPHEN_KEPT: RuleId = RuleId::from_static("layout.hyphen-kept");
const REFLOW: RuleId = RuleId::from_static("layout.reflow");
const PAGE_JOIN: RuleId = RuleId::from_static("layout.page-join");
const PARAGRAPH_BREAK: RuleId = RuleId::from_static("layout.paragraph-break");
const ADDRESS_JOIN: RuleId = RuleId::from_static("layout.address-join");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "layout.dehyphenate",
        "layout",
        Applicability::Safe,
        "Joins a word hyphenated across a line or page break.",
        "Typesetters break long words at line ends with a hyphen; the extracted text keeps \
         the hyphen and the break. When the joined word is known — it occurs unbroken \
         elsewhere in the same document, or it is in the lexicon while the hyphenated form \
         is not seen — the hyphen and the break are removed. Soft hyphens (U+00AD) and `¬` \
         at a line end always mark such a break. When neither form is known anywhere, the \
         safe fix only closes the line break and keeps the hyphen (`layout.hyphen-kept`); \
         removing the hyphen is proposed separately, for review — unless neither part is \
         a word anywhere (`prag-⏎mata`, `gitig-⏎nore`: lower case, the first part three \
         letters or more, neither in the lexicon nor used elsewhere in the document), \
         for a compound joins words. A hyphen the extractor \
         set apart from its word (`negli -⏎gence`) is joined only into a known word of two \
         parts of two letters or more; otherwise it is a dash and keeps its spaces. With \
         --keep-lines the \
         rest of the word moves up to the first line and the line break stays after it.\n\n\
         Example: `good baux-⏎ite.` → `good bauxite.` (`bauxite` occurs 2× unbroken).",
    ),
    RuleInfo::builtin(
        "layout.hyphen-kept",
        "layout",
        Applicability::Safe,
        "Joins a hyphenated compound broken after its hyphen, keeping the hyphen.",
        "A line break right after a hyphen that belongs to the word (`Soviet-Yugoslav`, \
         `long-term`, `git-blame`) is removed and the hyphen kept. The hyphenated form wins \
         when it occurs elsewhere in the document more often than the joined one, when the \
         second part starts with a capital letter, when both parts are words and the \
         joined form is not, or when the first part is a prefix the document hyphenates \
         before two or more other words (`non-match`, `non-overlapping`) and the joined \
         form is a rare word, rarer than the second part (`nontrivial`). A hyphen printed \
         at the end of the line and again at the start of the next (`Standard-⏎-defined`, \
         a style that marks a hyphen that stays) is kept once. A long option broken \
         after its dashes (`remove --⏎purge`) is joined the same way when the document \
         writes the option unbroken elsewhere; a `--` in prose keeps its space.\n\n\
         Example: `the Soviet-⏎Yugoslav split` → `the Soviet-Yugoslav split`.",
    ),
    RuleInfo::builtin(
        "layout.reflow",
        "layout",
        Applicability::Safe,
        "Joins hard-wrapped lines of a paragraph with a space.",
        "Extractors end every printed line with a line break. Lines are joined into one \
         paragraph line unless the break is a paragraph break: after a line that is short \
         (the next word would have fitted) and ends a sentence, before list items and \
         numbered notes, at indentation changes and blank lines. Documents that are already \
         one paragraph per line are left alone. Not applied with --keep-lines.\n\n\
         Example: `we must by all means⏎possible be careful` → `we must by all means \
         possible be careful`.",
    ),
    RuleInfo::builtin(
        "layout.page-join",
        "layout",
        Applicability::Safe,
        "Rejoins a paragraph split by a page break or a blank line.",
        "When a page break (form feed) or a blank line falls inside a paragraph, the two \
         parts are joined with a space. It does when the first part stops without \
         sentence-final punctuation and the second continues in lower case (or after a \
         comma, or at full line width across a page break), or when the second closes a \
         bracket the first left open. In text that is already one paragraph per line only \
         the bracket counts: a lower-case paragraph there is as often a lead-in whose \
         example was lost. Not applied with --keep-lines.\n\n\
         Example: `[be prevented from⏎⏎working] in Hungary` → `[be prevented from working] \
         in Hungary`.",
    ),
    RuleInfo::builtin(
        "layout.paragraph-break",
        "layout",
        Applicability::Safe,
        "Makes every paragraph break exactly one blank line.",
        "Between two paragraphs the output has exactly one blank line: a page break, \
         several blank lines, or a bare line break that ends a paragraph in hard-wrapped \
         text become `\\n\\n`. Not applied with --keep-lines.\n\n\
         Example: `derive from it.⏎In connection with this` → `derive from it.⏎⏎In \
         connection with this`.",
    ),
    RuleInfo::builtin(
        "layout.address-join",
        "layout",
        Applicability::Safe,
        "Joins a web address or file name broken at a line end without a space.",
        "A line that ends in an unfinished address — a URL (`https://…`, `www.…`), an \
         e-mail address or a path — before a line that starts with what can only continue \
         it (`.example.com/…`, `/docs`, `_v2.txt`, `?q=1`, or the `…>` that closes a `<` \
         the address opened) is joined without a space: the break is the typesetter's, \
         and a space would cut the address in two. Not applied with --keep-lines.\n\n\
         Example: `see <https://wilson-center⏎.example.com/document/1>` → `see \
         <https://wilson-center.example.com/document/1>`.",
    ),
];

/// The reflow pass.
pub(crate) struct Reflow;

impl Stage for Reflow {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        let lines = Line::split(text);
        if lines.is_empty() {
            return;
        }
        let widths = Widths::new(text, &lines);
        let wrapped = is_hard_wrapped(&lines, &widths);
        // Whether the document is hard-wrapped, and where paragraphs break, are decided
        // from the document as a whole; once this pass has joined lines, the evidence
        // can read differently (indented continuation lines become paragraph starts).
        // Another round settles it, so that cleaning is idempotent.
        let proposed_before = out.fixes.len();
        // In hard-wrapped text nearly every gap gets a fix (a join, a paragraph break):
        // room for one a gap at once, where the vector grew from empty by doubling (a
        // dozen reallocations, each copying every fix so far).
        if wrapped && !cx.options.keep_lines {
            out.fixes.reserve(lines.len());
        }

        // Hyphenated line ends first, so that the document is scanned once for the
        // evidence all of them need — and only once one of them asks: a round on text
        // whose breaks are all settled asks none.
        // Few gaps have one: they are listed apart, with the index of their gap.
        let breaks: Vec<(usize, WordBreak)> = lines
            .windows(2)
            .enumerate()
            .filter_map(|(i, w)| Some((i, WordBreak::find(text, &w[0], &w[1])?)))
            .collect();
        let evidence = Evidence::new(text, &breaks, &cx.lexicon);
        let mut next_break = breaks.iter().peekable();

        let keep_lines = cx.options.keep_lines;
        // Footnotes are paragraphs of their own wherever they are: never joined into the
        // running text, nor the running text into them; and a note's lines are one
        // paragraph (its short lines are no paragraph ends). They are found when the
        // first gap asks (see below): with --keep-lines none does.
        let find_notes = || notes::layout(text, &cx.lexicon).walk();
        let mut notes = None;
        // The paragraph the first line of each gap ends, as decided so far.
        let mut continued = false;
        let open = OpenBrackets::new(text, &lines);
        for (i, pair) in lines.windows(2).enumerate() {
            let (a, b) = (&pair[0], &pair[1]);
            let gap = Gap {
                a,
                b,
                widths: &widths,
                i,
                continued,
                open: &open,
            };
            // What a word break at the gap proposes, if anything. Asked before the notes:
            // a break that proposes nothing leaves the gap to be decided as any other.
            let word_break = next_break
                .next_if(|(at, _)| *at == i)
                .and_then(|(_, wb)| wb.propose(text, &gap, &evidence, wrapped, keep_lines));
            // In text that is not hard-wrapped (where no gap asks whether it lies inside
            // a note), a gap that is a paragraph break by itself stays one whatever the
            // notes say: a round on reflowed text may need no notes at all.
            let plain = (!keep_lines && !wrapped && word_break.is_none())
                .then(|| gap.action(text, wrapped));
            let note_break = !keep_lines
                && plain != Some(Action::Break)
                && notes
                    .get_or_insert_with(find_notes)
                    .breaks_between(a.end, b.indent_start);
            let joined = match word_break {
                _ if note_break => {
                    if let Some(fix) = Action::Break.fix(text, &gap, wrapped) {
                        out.push(fix);
                    }
                    false
                }
                Some((fix, then)) => {
                    out.push(fix);
                    if let Some(fix) = then {
                        out.push(fix);
                    }
                    true
                }
                _ if keep_lines => false,
                _ if wrapped
                    && notes
                        .get_or_insert_with(find_notes)
                        .inside(Span::new(a.start, b.end)) =>
                {
                    if let Some(fix) = Action::Join.fix(text, &gap, wrapped) {
                        out.push(fix);
                    }
                    true
                }
                _ => {
                    let action = plain.unwrap_or_else(|| gap.action(text, wrapped));
                    let joins = matches!(action, Action::Join | Action::PageJoin);
                    if joins && address_continues(a.text(text), b.text(text)) {
                        out.push(
                            Fix::single(
                                ADDRESS_JOIN,
                                Applicability::Safe,
                                Edit::delete(gap.span()),
                            )
                            .with_message(format!(
                                "'{}' is an address that '{}' continues",
                                last_token(a.text(text)),
                                first_token(b.text(text))
                            )),
                        );
                    } else if let Some(fix) = action.fix(text, &gap, wrapped) {
                        out.push(fix);
                    }
                    joins
                }
            };
            continued = joined;
            if !joined {
                open.restart(i + 1);
            }
        }
        if !keep_lines {
            page_breaks_at_the_ends(text, &lines, out);
        }
        if out.fixes.len() > proposed_before {
            out.request_another_round();
        }
    }
}

/// A non-blank line.
#[derive(Clone, Copy, Debug)]
struct Line {
    /// After the line's form feeds, where its indentation starts.
    indent_start: usize,
    /// Where the content starts (after indentation).
    start: usize,
    /// Where the content ends (before trailing white space).
    end: usize,
    /// Where the line ends (its `\n`, or the end of the text).
    raw_end: usize,
}

impl Line {
    /// The non-blank lines of `text`.
    fn split(text: &str) -> Vec<Line> {
        let bytes = text.as_bytes();
        let mut lines = Vec::with_capacity(text.len() / 48 + 1);
        let mut at = 0;
        while at <= bytes.len() {
            let raw_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            let raw = &bytes[at..raw_end];
            let lead_ff = raw.iter().take_while(|&&b| b == b'\x0c').count();
            let ws = raw[lead_ff..]
                .iter()
                .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\r'))
                .count();
            let start = at + lead_ff + ws;
            if start < raw_end {
                let trail = raw
                    .iter()
                    .rev()
                    .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\x0c' | b'\r'))
                    .count();
                let end = raw_end - trail;
                lines.push(Line {
                    indent_start: at + lead_ff,
                    start,
                    end,
                    raw_end,
                });
            }
            at = raw_end + 1;
        }
        lines
    }

    fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    fn indent(&self) -> usize {
        self.start - self.indent_start
    }
}

/// True when the text is hard-wrapped: many lines continue on the next line. Text with
/// a blank line between (nearly) all lines is already one paragraph per line.
///
/// Some extractors put a blank line after every text box, which can be every line; their
/// lines still cluster just under the measure, which one-paragraph-per-line text (lines
/// as long as their paragraphs) does not.
fn is_hard_wrapped(lines: &[Line], widths: &Widths<'_>) -> bool {
    let adjacent = lines
        .windows(2)
        .filter(|w| w[0].raw_end + 1 == w[1].indent_start)
        .count();
    // Text that is one paragraph per line (a round on reflowed text) has few adjacent
    // lines, and its long lines put the measure above any a page has: then the answer
    // is no, whatever the exact widths, and only a few lines need be measured.
    const MAX_MEASURE: u32 = 1600;
    let (n, at) = (lines.len(), lines.len() * 9 / 10);
    if adjacent * 4 <= n && widths.count_wider(MAX_MEASURE, n - at) {
        return false;
    }
    // Wrapping leaves a measure: several lines of about the same width, some thirty
    // characters or more. A few lines of any width are as likely a list, an address or
    // sentences set one per line as a wrapped paragraph.
    let widths = &widths.get().lines;
    if adjacent * 4 > n {
        return has_a_measure(widths);
    }
    let (measure, near_measure) = measure(widths);
    measure >= 300
        && near_measure >= 3
        && (400..=MAX_MEASURE).contains(&measure)
        && near_measure * 2 >= n
}

/// The measure of lines of these widths (the width at the ninetieth percentile) and how
/// many lines are within a fifth of it.
fn measure(widths: &[u32]) -> (u32, usize) {
    let mut sorted = widths.to_vec();
    let measure = *sorted.select_nth_unstable(widths.len() * 9 / 10).1;
    let near = widths.iter().filter(|&&w| w * 5 >= measure * 4).count();
    (measure, near)
}

/// Whether lines of these widths leave a measure of 300 or more with three lines or
/// more near it: [`measure`]'s answer, asked of every hard-wrapped text.
///
/// With 21 lines or more, a tenth of them (three or more) are at the measure or wider,
/// and so near it: only whether the measure is 300 or more is left, which is whether
/// the lines narrower than 300 are no more than those below the measure. A count, not
/// a copy of the widths and a selection.
fn has_a_measure(widths: &[u32]) -> bool {
    let (n, at) = (widths.len(), widths.len() * 9 / 10);
    if n - at < 3 {
        let (measure, near) = measure(widths);
        return measure >= 300 && near >= 3;
    }
    widths.iter().filter(|&&w| w < 300).count() <= at
}

/// The printed widths of the lines and of the text around each gap, measured when a
/// decision first reads one: in text that is one paragraph per line only a gap across
/// a page break does, and most such texts have none.
struct Widths<'a> {
    text: &'a str,
    lines: &'a [Line],
    measured: OnceCell<Measured>,
}

struct Measured {
    /// Of each line's content, in [`visual_width`] units.
    lines: Vec<u32>,
    /// Of the text around each gap ([`local_widths`]).
    local: Vec<u32>,
}

impl<'a> Widths<'a> {
    fn new(text: &'a str, lines: &'a [Line]) -> Self {
        Widths {
            text,
            lines,
            measured: OnceCell::new(),
        }
    }

    /// True when `enough` lines or more are wider than `limit`: the lines' widths are
    /// bounded by their lengths in bytes (see [`visual_width`]), and only lines the
    /// bounds leave in doubt are measured, the longest (most likely wider) first, until
    /// `enough` are found.
    fn count_wider(&self, limit: u32, enough: usize) -> bool {
        let limit = limit as usize;
        // Lines this long are wider than `limit`, lines no longer are not; an ASCII
        // line this long is wider too (a vectorised test tells it from the others).
        let (surely, never) = (limit * 2 / 5, limit / usize::from(MAX_BYTE_WIDTH));
        let surely_ascii = limit / usize::from(MIN_ASCII_BYTE_WIDTH);
        let len = |l: &Line| l.end - l.start;
        let mut found = self.lines.iter().filter(|l| len(l) > surely).count();
        // Most lines of text are some nine units a byte: measure the lines long enough
        // to be that wide first.
        let typical = limit / 9;
        for (from, to) in [(typical, surely), (never, typical)] {
            for line in self
                .lines
                .iter()
                .filter(|l| (from + 1..=to).contains(&len(l)))
            {
                if found >= enough {
                    return true;
                }
                let text = line.text(self.text);
                let wider = (text.len() > surely_ascii && text.is_ascii())
                    || visual_width(text) as usize > limit;
                found += usize::from(wider);
            }
        }
        found >= enough
    }

    fn get(&self) -> &Measured {
        self.measured.get_or_init(|| {
            let lines: Vec<u32> = self
                .lines
                .iter()
                .map(|l| visual_width(l.text(self.text)))
                .collect();
            let local = local_widths(&lines);
            Measured { lines, local }
        })
    }
}

/// For each gap, the width of the text around it: the widest of the nearby lines.
///
/// Some extractors run several printed lines into one now and then; such a line would
/// make every line near it look short, so lines much wider than the document's usual
/// full line do not count. Nor can the width fall far below the usual one: in a list of
/// single words every line is as wide as its neighbours, yet none is full.
fn local_widths(lines: &[u32]) -> Vec<u32> {
    const REACH: usize = 4;
    let mut widths: Vec<u32> = lines.iter().copied().filter(|&w| w >= 300).collect();
    let at = widths.len() * 3 / 4;
    let usual = if at < widths.len() {
        *widths.select_nth_unstable(at).1
    } else {
        u32::MAX
    };
    let cap = usual.saturating_add(usual / 4);
    let floor = if usual == u32::MAX { 0 } else { usual * 3 / 4 };
    // A line too wide to count stands as 0: every line has a character, so every width
    // is above 0, and the widest of the lines that count is the maximum of all.
    let counted: Vec<u32> = lines
        .iter()
        .map(|&w| {
            debug_assert!(w > 0, "a line has a character");
            if w <= cap {
                w
            } else {
                0
            }
        })
        .collect();
    // The maximum of each window of lines, from the maxima within blocks as wide as a
    // window (a few steps a line, not one per line of each window): a window lies in
    // one block, where it starts or ends with the block, or across two, where it is a
    // block's end and the next block's start.
    const WINDOW: usize = 2 * REACH + 2;
    let n = counted.len();
    let (mut from_start, mut to_end) = (counted.clone(), counted.clone());
    for block in (0..n).step_by(WINDOW) {
        let end = (block + WINDOW).min(n);
        for j in block + 1..end {
            from_start[j] = from_start[j].max(from_start[j - 1]);
        }
        for j in (block..end - 1).rev() {
            to_end[j] = to_end[j].max(to_end[j + 1]);
        }
    }
    (0..n.saturating_sub(1))
        .map(|i| {
            let lo = i.saturating_sub(REACH);
            let hi = (i + 1 + REACH).min(n - 1);
            let widest = if lo / WINDOW != hi / WINDOW {
                to_end[lo].max(from_start[hi])
            } else if lo % WINDOW == 0 {
                from_start[hi]
            } else {
                // Only the last window of the text can end a block early: at its end.
                to_end[lo]
            };
            // No line near the gap counts: the usual width, capped, stands for them.
            let widest = if widest == 0 { cap } else { widest };
            // A list of single words is no measure of the column.
            widest.max(floor)
        })
        .collect()
}

/// The space between two consecutive non-blank lines.
struct Gap<'l> {
    a: &'l Line,
    b: &'l Line,
    /// The widths of the lines, measured when first read.
    widths: &'l Widths<'l>,
    /// The gap's index: it follows line `i`.
    i: usize,
    /// The first line continues a paragraph begun on an earlier line.
    continued: bool,
    /// The brackets the paragraph has opened and not closed, by line.
    open: &'l OpenBrackets<'l>,
}

/// What a gap was in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// A wrap inside a paragraph: one space.
    Join,
    /// A paragraph split by a page break or blank lines: one space.
    PageJoin,
    /// A paragraph break: one blank line.
    Break,
    /// A deliberate line break: unchanged.
    Keep,
}

impl Gap<'_> {
    fn span(&self) -> Span {
        Span::new(self.a.end, self.b.start)
    }

    /// The local text width, in [`visual_width`] units.
    fn width(&self) -> u32 {
        self.widths.get().local[self.i]
    }

    fn a_width(&self) -> u32 {
        self.widths.get().lines[self.i]
    }

    fn b_width(&self) -> u32 {
        self.widths.get().lines[self.i + 1]
    }

    // A gap is a few bytes of white space: a plain loop over them beats setting up a
    // vectorised search (`<[u8]>::contains` calls core's memchr, not inlined: some 20
    // instructions a gap).
    #[expect(
        clippy::manual_contains,
        reason = "an inlined loop over a gap's few bytes"
    )]
    fn page_break(&self, text: &str) -> bool {
        text[self.span().range()]
            .as_bytes()
            .iter()
            .any(|&b| b == b'\x0c')
    }

    fn blank_lines(&self, text: &str) -> usize {
        text[self.span().range()]
            .bytes()
            .filter(|&b| b == b'\n')
            .count()
            .saturating_sub(1)
    }

    /// The first word of the second line would have fitted on the first: the break was
    /// made on purpose. `margin` widens the test for proportional fonts.
    fn fits(&self, text: &str, margin: f32) -> bool {
        let first = visual_width(first_token_by(self.b.text(text), |c| c == b' '));
        let room = self.width() as f32 * (1.0 - margin) - 2.0 * EM;
        ((self.a_width() + SPACE + first) as f32) <= room
    }

    /// The paragraph has an open bracket and the second line closes one it did not
    /// open: both belong to one sentence.
    fn closes_open_bracket(&self, b: &str) -> bool {
        // The second line first: nearly every line has no closing bracket at all (a
        // vectorised search says so at once), and then the paragraph's brackets need
        // not be counted.
        memchr::memchr2(b')', b']', b.as_bytes()).is_some()
            && Brackets::of(b).closes > 0
            && self.open.after(self.i) > 0
            && !starts_block(b)
    }

    fn b_very_short(&self) -> bool {
        (self.b_width() as f32) < self.width() as f32 * 0.55
    }

    fn very_short(&self) -> bool {
        (self.a_width() as f32) < self.width() as f32 * 0.55
    }

    /// What the gap was, by the lines around it alone.
    fn action(&self, text: &str, wrapped: bool) -> Action {
        if self.page_break(text) {
            self.across_page(text)
        } else if self.blank_lines(text) > 0 {
            self.across_blank(text, wrapped)
        } else if wrapped {
            self.adjacent(text)
        } else {
            Action::Keep
        }
    }

    /// Two lines with nothing between them, in hard-wrapped text.
    fn adjacent(&self, text: &str) -> Action {
        let (a, b) = (self.a.text(text), self.b.text(text));
        let ends = ends_sentence(a);
        if (starts_block(b) || starts_label(b)) && (ends || self.fits(text, 0.0)) {
            // An option can also be mentioned in running text (`equivalent to the⏎-a
            // option`): only a finished sentence or a short line ends the paragraph.
            if !starts_option(b) || ends || self.very_short() {
                return Action::Break;
            }
        }
        // A short line in the middle of a paragraph that goes on in lower case: the
        // page or column ended there (`[be pre-⏎vented from⏎⟨page⟩⏎working]`). Asked
        // before the brackets, which join too: most gaps of a wrapped paragraph are
        // settled here on a few characters, and the brackets' count is a memo that
        // does not depend on which gaps asked before.
        if self.continued && !ends && !ends_with_closer(a) && starts_lower(b) {
            return Action::Join;
        }
        if self.closes_open_bracket(b) {
            return Action::Join;
        }
        // A heading in capitals wrapped onto a second line (`SEPARATE⏎CHANGES`).
        if self.very_short() && self.b_very_short() && is_caps_heading(a) && is_caps_heading(b) {
            return Action::Join;
        }
        // After a sentence, a short line that does not end one is a heading or a term
        // (`update`, `SYNOPSIS`), not the end of a paragraph.
        if ends && self.b_very_short() && !ends_sentence(b) && !ends_with_closer(b) {
            return Action::Break;
        }
        if self.very_short()
            || (ends && self.fits(text, 0.0))
            || (self.fits(text, 0.2) && !starts_lower(b))
        {
            return Action::Break;
        }
        // Indented deeper than the line before: a new paragraph (first-line indent) —
        // unless both lines are indented alike, as in an indented block.
        if self.b.indent() > self.a.indent() + 1 && ends {
            return Action::Break;
        }
        if is_tabular(a) && is_tabular(b) {
            return Action::Keep;
        }
        Action::Join
    }

    /// Two lines with blank lines between them.
    fn across_blank(&self, text: &str, wrapped: bool) -> Action {
        let (a, b) = (self.a.text(text), self.b.text(text));
        // In text that is one paragraph per line only a second part in lower case can
        // continue the first (see below); nearly every gap of such text is a paragraph
        // break with a capital or a digit after it, settled here on one character.
        if !wrapped && !starts_lower(b) {
            return Action::Break;
        }
        // A blank line inside a paragraph (some extractors emit one between text
        // boxes): the first part does not end a sentence and the second continues it in
        // lower case, after a comma, or by closing a bracket the first part opened.
        if starts_block(b) || ends_sentence(a) || ends_with_closer(a) {
            return Action::Break;
        }
        let continues = if wrapped {
            // Text boxes end wherever the extractor likes, so the first part need not
            // be full: only not a short line such as a heading. An address, a path or
            // a setting at the gap (`found at⏎⏎http://…`, `uncomment⏎⏎key=value`) and a
            // heading underlined on the next line are display, as in every README and
            // manual, not a sentence going on.
            let display = starts_with_code(b)
                || ends_with_address(a)
                || underlined(&text[self.b.raw_end..])
                || is_markdown_heading(a)
                // An indented block (a listing, a quotation) keeps its blank lines.
                || (self.a.indent() >= 4 && self.b.indent() >= 4);
            ((!self.very_short() || self.continued)
                && !display
                && (starts_lower(b) || a.ends_with(',')))
                || self.closes_open_bracket(b)
        } else {
            // One paragraph per line: a lower-case line after a blank line is as often
            // a lead-in whose example was lost (`type⏎⏎to switch`) as a split paragraph,
            // so it takes a bracket opened before the gap and closed after it.
            starts_lower(b) && self.closes_open_bracket(b)
        };
        if continues {
            Action::PageJoin
        } else {
            Action::Break
        }
    }

    /// Two lines with a page break between them.
    fn across_page(&self, text: &str) -> Action {
        let (a, b) = (self.a.text(text), self.b.text(text));
        let ends = ends_sentence(a);
        if starts_block(b) && ends {
            return Action::Break;
        }
        let full = !self.fits(text, 0.0);
        if (full && !ends)
            || (!ends && !ends_with_closer(a) && starts_lower(b))
            || self.closes_open_bracket(b)
        {
            Action::PageJoin
        } else {
            Action::Break
        }
    }
}

impl Action {
    fn fix(self, text: &str, gap: &Gap<'_>, wrapped: bool) -> Option<Fix> {
        let (rule, span, replacement, message): (RuleId, Span, &'static str, &str) = match self {
            Action::Keep => return None,
            Action::Join => (REFLOW, gap.span(), " ", "line break inside a paragraph"),
            Action::PageJoin => (
                PAGE_JOIN,
                gap.span(),
                " ",
                if gap.page_break(text) {
                    "paragraph continues across the page break"
                } else {
                    "paragraph continues across the blank line"
                },
            ),
            Action::Break => {
                // In hard-wrapped text trailing spaces and indentation are layout; in
                // text that is already one paragraph per line they are the author's.
                let span = if wrapped {
                    gap.span()
                } else {
                    Span::new(gap.a.raw_end, gap.b.indent_start)
                };
                (PARAGRAPH_BREAK, span, "\n\n", "paragraph break")
            }
        };
        // A gap is a byte or a few, the replacement one or two: compared byte by byte
        // (inlined), not by a call to memcmp, for each of the tens of thousands of gaps.
        if text[span.range()].bytes().eq(replacement.bytes()) {
            return None;
        }
        // The replacement is static: held by reference, not copied into a new string.
        let replacement = SmolStr::new_static(replacement);
        Some(
            Fix::single(rule, Applicability::Safe, Edit::new(span, replacement))
                .with_message(message),
        )
    }
}

/// Removes form feeds before the first line and after the last one.
fn page_breaks_at_the_ends(text: &str, lines: &[Line], out: &mut Proposals) {
    let (Some(first), Some(last)) = (lines.first(), lines.last()) else {
        return;
    };
    let head = Span::new(0, first.indent_start);
    if text[head.range()].contains('\x0c') {
        out.push(
            Fix::single(PARAGRAPH_BREAK, Applicability::Safe, Edit::delete(head))
                .with_message("page break before the text"),
        );
    }
    let tail = Span::new(last.raw_end, text.len());
    if text[tail.range()].contains('\x0c') {
        let keep = if text[tail.range()].contains('\n') {
            "\n"
        } else {
            ""
        };
        out.push(
            Fix::single(PARAGRAPH_BREAK, Applicability::Safe, Edit::new(tail, keep))
                .with_message("page break after the text"),
        );
    }
}

/// What tells a word from a non-word: the document's own forms, then the lexicon.
///
/// The document's evidence is gathered for every word break at once, on the first
/// question that needs it: each table costs a scan of the whole text, and most rounds
/// after the first (and most texts) ask the prefixes nothing, many ask nothing at all.
/// The tables hold the same counts whenever they are built, as the text does not change.
struct Evidence<'a> {
    text: &'a str,
    breaks: &'a [(usize, WordBreak)],
    lexicon: &'a Lexicon,
    /// The forms of every break (joined, hyphenated, and both parts where neither is
    /// in the lexicon), and the long options broken after their dashes.
    words: OnceCell<(FormCounts, OptionForms)>,
    /// The left parts of the breaks, as hyphenated prefixes.
    prefixes: OnceCell<HyphenatedPrefixes>,
}

impl<'a> Evidence<'a> {
    fn new(text: &'a str, breaks: &'a [(usize, WordBreak)], lexicon: &'a Lexicon) -> Self {
        Evidence {
            text,
            breaks,
            lexicon,
            words: OnceCell::new(),
            prefixes: OnceCell::new(),
        }
    }

    fn forms(&self) -> &FormCounts {
        &self.words().0
    }

    /// Long options (`--purge`) the document writes unbroken.
    fn options(&self) -> &OptionForms {
        &self.words().1
    }

    fn words(&self) -> &(FormCounts, OptionForms) {
        self.words.get_or_init(|| {
            let text = self.text;
            // Two forms a break, and two more for the few whose parts are no words.
            let mut forms = FormCounts::with_capacity(2 * self.breaks.len());
            let mut options = OptionForms::default();
            // Both forms of every break, built in one buffer: a hard-wrapped page breaks
            // a word on every few lines.
            let mut form = String::new();
            for (_, b) in self.breaks {
                if b.option_dashes {
                    options.want(b.right(text));
                    continue;
                }
                let (left, right) = (b.left(text), b.right(text));
                form.clear();
                form.push_str(left);
                form.push_str(right);
                forms.want(&form);
                form.truncate(left.len());
                form.push('-');
                form.push_str(right);
                forms.want(&form);
                // Two fragments that are no words at all may still be words of this
                // document (`ssh-⏎askpass`); asked only of these, which are few.
                if self.lexicon.zipf(left) == 0.0 && self.lexicon.zipf(right) == 0.0 {
                    forms.want(left);
                    forms.want(right);
                }
            }
            forms.scan(text);
            options.scan(text);
            (forms, options)
        })
    }

    fn prefixes(&self) -> &HyphenatedPrefixes {
        self.prefixes.get_or_init(|| {
            // Only a break whose joined form is a rare word, rarer than its second part,
            // asks about the prefix (see [`WordBreak::verdict`]): on the benchmark's
            // 2 MiB segment, one break of 1,971. So only those prefixes are wanted; the
            // words the scan finds after one prefix do not depend on which others are.
            let mut prefixes = HyphenatedPrefixes::default();
            for (_, b) in self.breaks {
                let (text, lexicon) = (self.text, self.lexicon);
                if !b.option_dashes
                    && rarer_than_its_second_part(
                        lexicon.zipf(&b.joined_in(text)),
                        b.right(text),
                        lexicon,
                    )
                {
                    prefixes.want(b.left(text));
                }
            }
            prefixes.scan(self.text);
            prefixes
        })
    }
}

/// The joined form of a break is a word, but a rare one, rarer than the break's second
/// part alone (`nontrivial` against `trivial`): where the document writes the first part
/// hyphenated before other words, the hyphen is the author's habit.
fn rarer_than_its_second_part(z_joined: f32, right: &str, lexicon: &Lexicon) -> bool {
    z_joined > 0.0 && z_joined < 3.0 && lexicon.zipf(right) > z_joined
}

/// How often the document writes each of a few long options (`--purge`, asked for as
/// `purge`) unbroken: `--` at the start of a token, then the name.
///
/// [`FormCounts`] counts words, which never start with dashes; this table is asked only
/// about the rare lines that end in a lone `--`, and is filled by one scan for `--`.
#[derive(Debug, Default)]
struct OptionForms {
    counts: HashMap<Box<str>, u32>,
}

impl OptionForms {
    fn want(&mut self, name: &str) {
        self.counts.entry(name.into()).or_insert(0);
    }

    fn scan(&mut self, text: &str) {
        if self.counts.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        for at in memchr::memmem::find_iter(bytes, b"--") {
            let starts_token =
                at == 0 || !(bytes[at - 1] == b'-' || bytes[at - 1].is_ascii_alphanumeric());
            let name_start = at + 2;
            let name_len = bytes[name_start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count();
            if !starts_token || name_len == 0 {
                continue;
            }
            if let Some(n) = self
                .counts
                .get_mut(&text[name_start..name_start + name_len])
            {
                *n += 1;
            }
        }
    }

    fn get(&self, name: &str) -> u32 {
        self.counts.get(name).copied().unwrap_or(0)
    }
}

/// True when `before` (a line up to its last character, a `-`) ends in a word of two
/// letters or more and one space: the mark stands apart from the word it breaks.
fn is_spaced_mark(before: &str) -> bool {
    let Some(word) = before.strip_suffix(' ') else {
        return false;
    };
    let letters = word.len() - word.trim_end_matches(char::is_alphabetic).len();
    letters >= 2
        && word[..word.len() - letters]
            .chars()
            .next_back()
            .is_none_or(char::is_whitespace)
}

/// True when `before` (a line up to its last character, a `-`) ends in a `-` that
/// starts a token: the line ends in a `--` of its own.
fn is_lone_double_dash(before: &str) -> bool {
    before.strip_suffix('-').is_some_and(|rest| {
        rest.chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '{' | '|'))
    })
}

/// A line that ends with a hyphen-like break mark before a line that starts with a
/// letter (or with the hyphen again, then a letter).
#[derive(Debug)]
struct WordBreak {
    /// The mark: `-`, U+2010, U+00AD or `¬`.
    mark: Span,
    /// The letters before the mark.
    left: Span,
    /// The letters at the start of the next line.
    right: Span,
    /// The whole first token of the next line (up to white space).
    token_end: usize,
    /// The mark only ever means "word continues" (soft hyphen, `¬`).
    soft: bool,
    /// The mark ends a `--` that stands alone at the end of its line: a long option
    /// broken after its dashes (`remove --⏎purge`), or a dash in prose (`the --⏎it`).
    option_dashes: bool,
    /// A space stands between the word and the mark (`negli -⏎gence`).
    spaced: bool,
    /// The next line starts with a hyphen too (`Standard-⏎-defined`): the hyphen is
    /// printed on both sides of the break, and belongs to the word.
    repeated: bool,
}

/// Whether `c` is a mark that breaks a word at a line end, and if so, whether it only
/// ever means "the word continues" (a soft hyphen, `¬`), unlike a hyphen.
fn is_soft_mark(c: char) -> Option<bool> {
    match c {
        '-' | '\u{2010}' => Some(false),
        '\u{ad}' | '¬' => Some(true),
        _ => None,
    }
}

/// The last bytes of the marks in UTF-8 (`-`; U+2010 is E2 80 90, U+00AD C2 AD, `¬`
/// C2 AC): a line that ends in another byte ends in no mark.
const MARK_LAST_BYTES: [u8; 4] = [b'-', 0x90, 0xAD, 0xAC];

/// What the evidence says about a word break.
enum Verdict {
    Join(String),
    KeepHyphen(String),
    Unsure,
}

impl WordBreak {
    fn find(text: &str, a: &Line, b: &Line) -> Option<WordBreak> {
        // Asked of every gap: a line whose last byte ends no mark ends in no mark, and
        // most lines are settled on that byte without decoding their last character.
        let line = &text[a.start..a.end];
        if !MARK_LAST_BYTES.contains(line.as_bytes().last()?) {
            return None;
        }
        let mark = line.chars().next_back()?;
        let soft = is_soft_mark(mark)?;
        let mark_start = a.end - mark.len_utf8();
        let mut before = &text[a.start..mark_start];
        // Some extractors set the hyphen of a justified line apart (`negli -⏎gence`); such
        // a break joins only into a word the evidence knows (see `verdict`).
        let spaced = !soft && is_spaced_mark(before);
        if spaced {
            before = &before[..before.len() - 1];
        }
        let left_len: usize = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric())
            .map(char::len_utf8)
            .sum();
        // No word before the mark: only an option's dash after a bracket (`[-⏎a=arch]`)
        // or a long option's `--` standing alone (`remove --⏎purge`) can still be a break
        // inside a token; the second needs the document's word for it (see `verdict`).
        let option_dashes = !soft && !spaced && left_len == 0 && is_lone_double_dash(before);
        if left_len == 0 && (soft || !(before.ends_with(['[', '(']) || option_dashes)) {
            return None;
        }
        let mut next = &text[b.start..b.end];
        // `Standard-⏎-defined`: some styles repeat a hyphen that stays at the start of
        // the next line.
        let repeated = !soft
            && !spaced
            && left_len > 0
            && next.starts_with('-')
            && next[1..].chars().next().is_some_and(char::is_alphabetic);
        if repeated {
            next = &next[1..];
        }
        let right_start = b.start + usize::from(repeated);
        let right_len: usize = next
            .chars()
            .take_while(|c| c.is_alphanumeric())
            .map(char::len_utf8)
            .sum();
        if right_len == 0 || (spaced && !starts_lower(next)) {
            return None;
        }
        let token_len = next.find([' ', '\t']).unwrap_or(next.len());
        Some(WordBreak {
            mark: Span::new(mark_start, a.end),
            left: Span::new(a.start + before.len() - left_len, a.start + before.len()),
            right: Span::new(right_start, right_start + right_len),
            token_end: right_start + token_len,
            soft,
            option_dashes,
            spaced,
            repeated,
        })
    }

    fn left<'t>(&self, text: &'t str) -> &'t str {
        &text[self.left.range()]
    }

    fn right<'t>(&self, text: &'t str) -> &'t str {
        &text[self.right.range()]
    }

    fn joined_in(&self, text: &str) -> String {
        [self.left(text), self.right(text)].concat()
    }

    fn hyphenated_in(&self, text: &str) -> String {
        [self.left(text), "-", self.right(text)].concat()
    }

    fn verdict(&self, text: &str, known: &Evidence<'_>) -> Verdict {
        let lexicon = known.lexicon;
        let joined = self.joined_in(text);
        if self.soft {
            return Verdict::Join(format!("'{joined}': a soft line-end hyphen"));
        }
        if self.repeated {
            return Verdict::KeepHyphen(format!(
                "'{}': the hyphen is printed on both sides of the line break",
                self.hyphenated_in(text)
            ));
        }
        let (left, right) = (self.left(text), self.right(text));
        if self.spaced {
            // A dash in prose (`the results -⏎which`) looks the same; only a word the
            // document or the lexicon knows, of two real parts, is taken for a break.
            let parts = left.chars().nth(1).is_some() && right.chars().nth(1).is_some();
            let (n_joined, z_joined) = (known.forms().get(&joined), lexicon.zipf(&joined));
            return if parts && n_joined > 0 {
                Verdict::Join(format!(
                    "'{joined}' occurs {n_joined}× unbroken in this document"
                ))
            } else if parts && z_joined > 0.0 {
                Verdict::Join(format!("'{joined}' is a word (zipf {z_joined:.1})"))
            } else {
                Verdict::Unsure
            };
        }
        if self.option_dashes {
            // Only the author's own spelling tells a long option from a dash in prose:
            // `--purge` elsewhere in the manual, where `--⏎it` never occurs unbroken.
            return match known.options().get(right) {
                0 => Verdict::Unsure,
                n => Verdict::KeepHyphen(format!(
                    "'--{right}' occurs {n}× unbroken in this document"
                )),
            };
        }
        if left.is_empty() {
            return Verdict::KeepHyphen(format!("an option's dash before '{right}'"));
        }
        let hyphenated = self.hyphenated_in(text);
        let forms = known.forms();
        let (n_joined, n_hyph) = (forms.get(&joined), forms.get(&hyphenated));
        if n_hyph > n_joined {
            return Verdict::KeepHyphen(format!(
                "'{hyphenated}' occurs {n_hyph}× hyphenated in this document"
            ));
        }
        if n_joined > 0 {
            return Verdict::Join(format!(
                "'{joined}' occurs {n_joined}× unbroken in this document"
            ));
        }
        if left
            .bytes()
            .chain(right.bytes())
            .any(|b| b.is_ascii_digit())
        {
            return Verdict::KeepHyphen(format!("'{hyphenated}': a number or a code"));
        }
        let upper_right = right.chars().next().is_some_and(char::is_uppercase);
        let upper_left = left.chars().all(char::is_uppercase);
        if upper_right && !upper_left {
            return Verdict::KeepHyphen(format!(
                "'{right}' starts with a capital letter: a compound"
            ));
        }
        let z_joined = lexicon.zipf(&joined);
        // `non-⏎trivial` where the author writes `non-match` and `non-overlapping`: the
        // dictionary's rare `nontrivial` does not outweigh the author's habit.
        if rarer_than_its_second_part(z_joined, right, lexicon) {
            let others = known.prefixes().words_after(left, right);
            if others >= 2 {
                return Verdict::KeepHyphen(format!(
                    "this document writes '{left}-' hyphenated before {others} other words, and '{joined}' is rare (zipf {z_joined:.1})"
                ));
            }
        }
        if z_joined > 0.0 {
            return Verdict::Join(format!("'{joined}' is a word (zipf {z_joined:.1})"));
        }
        let (z_left, z_right) = (lexicon.zipf(left), lexicon.zipf(right));
        if left.chars().count() == 1 || (z_left > 0.0 && z_right > 0.0) {
            return Verdict::KeepHyphen(format!(
                "'{joined}' is not a word, '{left}' and '{right}' are"
            ));
        }
        // A compound joins words: where neither part is a word anywhere, in the lexicon
        // or in this document (`prag-⏎mata`, `gitig-⏎nore`), the hyphen split one word.
        // A part of this document's own (`ssh-⏎askpass`, `ssh` used alone) is a word;
        // the one occurrence allowed is the fragment at this break.
        let fragment = |w: &str| w.bytes().all(|b| b.is_ascii_lowercase()) && forms.get(w) <= 1;
        if z_left == 0.0 && z_right == 0.0 && left.len() >= 3 && fragment(left) && fragment(right) {
            return Verdict::Join(format!(
                "neither '{left}' nor '{right}' is a word: the hyphen split '{joined}'"
            ));
        }
        Verdict::Unsure
    }

    /// The fixes for this break (one, or a safe one after one for review); none when
    /// the gap is to be treated as any other.
    ///
    /// Where neither form is known, the safe fix removes only the line break and keeps
    /// the hyphen (`bugward-compatibility` stays right, `sov-narkhoz` is one character
    /// off), and removing the hyphen is a separate fix for review: nothing the text
    /// contains is deleted without evidence.
    fn propose(
        &self,
        text: &str,
        gap: &Gap<'_>,
        known: &Evidence<'_>,
        wrapped: bool,
        keep_lines: bool,
    ) -> Option<(Fix, Option<Fix>)> {
        let across_blank = !gap.page_break(text) && gap.blank_lines(text) > 0;
        // Across blank lines, or between lines of a text that is one paragraph per line,
        // a hyphen is taken for a line-end hyphen only on evidence.
        let needs_evidence = across_blank || !wrapped;
        let (join, message) = match self.verdict(text, known) {
            // A spaced mark is joined across blank lines, or in text that is one
            // paragraph per line, only on the document's word.
            Verdict::Join(_)
                if self.spaced
                    && needs_evidence
                    && known.forms().get(&self.joined_in(text)) == 0 =>
            {
                return None
            }
            Verdict::Join(m) => (true, m),
            // A capital or a lexicon guess does not carry a word across blank lines
            // (`recruit-⏎⏎Minutes of the Plenum` is a running head not yet removed).
            Verdict::KeepHyphen(_)
                if across_blank && known.forms().get(&self.hyphenated_in(text)) == 0 =>
            {
                return None
            }
            Verdict::KeepHyphen(m) => (false, m),
            Verdict::Unsure if needs_evidence || self.option_dashes || self.spaced => return None,
            Verdict::Unsure => {
                let joined = self.joined_in(text);
                let review =
                    Fix::single(DEHYPHENATE, Applicability::Review, Edit::delete(self.mark))
                        .with_confidence(0.65)
                        .with_message(format!(
                            "'{joined}': neither form is known; most line-end hyphens split a word"
                        ));
                return Some((
                    review,
                    Some(
                        Fix::single(
                            HYPHEN_KEPT,
                            Applicability::Safe,
                            self.close_gap(text, gap, gap.a.end, keep_lines),
                        )
                        .with_confidence(0.65)
                        .with_message(format!(
                            "'{joined}': neither form is known; the hyphen stays until reviewed"
                        )),
                    ),
                ));
            }
        };
        let (rule, from) = if join {
            (DEHYPHENATE, self.left.end)
        } else if self.repeated {
            // The second hyphen stays (with --keep-lines it moves up with the word).
            (HYPHEN_KEPT, self.mark.start)
        } else {
            (HYPHEN_KEPT, gap.a.end)
        };
        Some((
            Fix::single(
                rule,
                Applicability::Safe,
                self.close_gap(text, gap, from, keep_lines),
            )
            .with_confidence(0.95)
            .with_message(message),
            None,
        ))
    }

    /// The edit that closes the gap from `from` (the mark, or the end of the first line):
    /// the word ends up whole on the first line.
    fn close_gap(&self, text: &str, gap: &Gap<'_>, from: usize, keep_lines: bool) -> Edit {
        if !keep_lines {
            return Edit::delete(Span::new(from, gap.b.start));
        }
        // Move the rest of the word up; the line break follows it.
        let token = &text[gap.b.start..self.token_end];
        let rest_start = text[self.token_end..gap.b.end]
            .find(|c: char| c != ' ' && c != '\t')
            .map_or(gap.b.end, |i| self.token_end + i);
        if rest_start >= gap.b.end {
            return Edit::new(Span::new(from, self.token_end), token);
        }
        let between = &text[gap.a.end..gap.b.start];
        Edit::new(
            Span::new(from, rest_start),
            [token, between.trim_start_matches([' ', '\t'])].concat(),
        )
    }
}

/// The width of an average lower-case letter in [`visual_width`] units.
const EM: f32 = 10.0;
/// The width of a space.
const SPACE: u32 = 5;
/// The widest a byte can be in [`visual_width`] units (`M`). Every character is at
/// least 2.5 units a byte wide: an ASCII one [`MIN_ASCII_BYTE_WIDTH`] or more, any other
/// 10 or more in at most four bytes.
const MAX_BYTE_WIDTH: u8 = 16;
/// The narrowest an ASCII character is in [`visual_width`] units (`i`, `.`).
const MIN_ASCII_BYTE_WIDTH: u8 = 4;

/// The printed width of `s` in tenths of an average lower-case letter, by a rough model
/// of a proportional font: capitals are wider than lower case, `i l . ,` narrow, `m w`
/// wide. Counting characters instead makes a line of capitals look short and ends its
/// paragraph too early.
fn visual_width(s: &str) -> u32 {
    const fn ascii(b: u8) -> u8 {
        match b {
            b'i' | b'j' | b'l' | b'\'' | b'.' | b',' | b';' | b':' | b'!' | b'|' => 4,
            b'f' | b't' | b'r' | b'I' | b'(' | b')' | b'[' | b']' | b'"' | b' ' | b'-' => 5,
            b'm' | b'w' => 15,
            b'M' | b'W' => 16,
            b'a'..=b'z' | b'0'..=b'9' => 10,
            b'A'..=b'Z' => 13,
            _ => 9,
        }
    }
    // A byte's width; 0 for the bytes of a non-ASCII character, which counts apart.
    const TABLE: [u8; 256] = {
        let mut t = [0u8; 256];
        let mut b = 0;
        while b < 128 {
            t[b] = ascii(b as u8);
            b += 1;
        }
        t
    };
    // The widths of two bytes together, for every pair (the first byte in the low
    // half of the index, as a little-endian load puts it): a line's bytes are summed
    // two at a time, the same sum in half the lookups. A line's pairs are a few hundred
    // of the 65,536, which stay in the cache.
    static PAIR_TABLE: [u8; 1 << 16] = {
        let mut t = [0u8; 1 << 16];
        let mut i = 0;
        while i < 1 << 16 {
            t[i] = TABLE[i & 0xFF] + TABLE[i >> 8];
            i += 1;
        }
        t
    };
    // Nearly every line is ASCII: sums of table entries, four pairs per eight bytes
    // loaded at once, with no other work per byte. Whether the line is ASCII is read
    // from the same loads: no byte has its high bit set in the OR of them all (exactly
    // `str::is_ascii`, which read the line again, its last bytes one at a time).
    let bytes = s.as_bytes();
    let width = |b: u8| u32::from(TABLE[usize::from(b)]);
    let pair = |p: u64| u32::from(PAIR_TABLE[(p & 0xFFFF) as usize]);
    let (mut low, mut high) = (0u32, 0u32);
    let mut any_byte = 0u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
        any_byte |= w;
        low += pair(w) + pair(w >> 16);
        high += pair(w >> 32) + pair(w >> 48);
    }
    let mut ascii_width = low + high;
    for &b in words.remainder() {
        any_byte |= u64::from(b);
        ascii_width += width(b);
    }
    if any_byte & swar::HIGH == 0 {
        return ascii_width;
    }
    ascii_width
        + s.chars()
            .filter(|c| !c.is_ascii())
            .map(|c| if c.is_uppercase() { 13 } else { 10 })
            .sum::<u32>()
}

/// The line ends a sentence (or a heading or lead-in ending in a colon), ignoring
/// closing quotes and brackets and a footnote number after the punctuation.
fn ends_sentence(line: &str) -> bool {
    // Most lines end in a letter: it is the last character, none of those trimmed, and
    // no punctuation.
    if line.as_bytes().last().is_some_and(u8::is_ascii_alphabetic) {
        return false;
    }
    ends_sentence_trimmed(line)
}

/// [`ends_sentence`] by its definition: the last character left once closers, digits
/// and asterisks are trimmed is sentence-final punctuation.
fn ends_sentence_trimmed(line: &str) -> bool {
    let trimmed = line.trim_end_matches(|c: char| c.is_ascii_digit() || is_closer(c) || c == '*');
    matches!(
        trimmed.chars().next_back(),
        Some('.' | '!' | '?' | ':' | ';' | '…')
    )
}

fn is_closer(c: char) -> bool {
    matches!(c, ')' | ']' | '"' | '\'' | '’' | '”' | '»')
}

/// The line ends with a closing bracket or quote: the end of a citation or aside, which
/// rarely continues after a blank line.
fn ends_with_closer(line: &str) -> bool {
    line.chars()
        .next_back()
        .is_some_and(|c| matches!(c, ')' | '"' | '”' | '»'))
}

/// The brackets a paragraph has left open at the end of its lines, counted when a gap
/// first asks (see [`Gap::closes_open_bracket`]).
///
/// Few gaps ask: only those whose second line closes a bracket it did not open. Counting
/// every line as the gaps go by would read the whole text once more each round, for
/// nothing in most rounds after the first, whose lines are whole paragraphs.
struct OpenBrackets<'a> {
    text: &'a str,
    lines: &'a [Line],
    /// The first line of the paragraph the gaps are in now.
    paragraph: Cell<usize>,
    /// The last line of the paragraph counted so far, and the brackets open at its end
    /// (`None`: none counted yet).
    counted: Cell<Option<(usize, u32)>>,
}

impl<'a> OpenBrackets<'a> {
    fn new(text: &'a str, lines: &'a [Line]) -> Self {
        OpenBrackets {
            text,
            lines,
            paragraph: Cell::new(0),
            counted: Cell::new(None),
        }
    }

    /// A new paragraph starts at line `i`: no bracket of the lines before it is open.
    fn restart(&self, i: usize) {
        self.paragraph.set(i);
        self.counted.set(None);
    }

    /// The brackets open at the end of line `i` (of the current paragraph; asked in
    /// line order): a line closes the open ones first (never more than are open), then
    /// leaves its own open ones.
    fn after(&self, i: usize) -> u32 {
        let (mut at, mut open) = self.counted.get().unwrap_or_else(|| {
            let first = self.paragraph.get();
            (first, Brackets::of(self.lines[first].text(self.text)).opens)
        });
        debug_assert!(at <= i, "lines are asked about in order");
        while at < i {
            at += 1;
            let line = Brackets::of(self.lines[at].text(self.text));
            open = open.saturating_sub(line.closes) + line.opens;
        }
        self.counted.set(Some((at, open)));
        open
    }
}

/// The round and square brackets of a line that it does not pair up itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Brackets {
    /// Closing brackets with no opening one before them on the line.
    closes: u32,
    /// Opening brackets still open at the end of the line.
    opens: u32,
}

impl Brackets {
    fn of(line: &str) -> Brackets {
        let mut b = Brackets {
            closes: 0,
            opens: 0,
        };
        // Most lines have no bracket: a test without early exit, which the compiler
        // vectorises, skips them (it also passes `Y` and `_`; the loop sorts those out).
        let maybe = line
            .bytes()
            .fold(false, |acc, c| acc | ((c | 1) == b')') | ((c | 6) == b'_'));
        if !maybe {
            return b;
        }
        // A line joined from a whole paragraph in an earlier round has a few brackets
        // in a long text: blocks that fail the same test are skipped.
        for block in line.as_bytes().chunks(32) {
            if !block
                .iter()
                .fold(false, |acc, &c| acc | ((c | 1) == b')') | ((c | 6) == b'_'))
            {
                continue;
            }
            // Eight bytes at a time, a step per bracket rather than per byte.
            for bytes in block.chunks(8) {
                let word = swar::load_prefix(bytes, 0, bytes.len());
                // `(c | 1) == b')'` is `(` or `)`.
                let mut found = swar::bytes_equal(word | swar::splat(1), b')')
                    | swar::bytes_equal(word, b'[')
                    | swar::bytes_equal(word, b']');
                while found != 0 {
                    let c = bytes[found.trailing_zeros() as usize / 8];
                    found &= found - 1;
                    match c {
                        b'(' | b'[' => b.opens += 1,
                        _ if b.opens > 0 => b.opens -= 1,
                        _ => b.closes += 1,
                    }
                }
            }
        }
        b
    }
}

fn starts_lower(line: &str) -> bool {
    line.chars().next().is_some_and(char::is_lowercase)
}

/// The line starts with an address, a path, a setting or an identifier
/// (`http://…`, `/etc/…`, `key=value`, `pg_dump@…`, `<file>`).
///
/// Narrower than the reading-order pass's [`is_code`](super::order::is_code): a path
/// or a `#` inside running text (`and/or`, `#3`) may still continue a sentence.
fn starts_with_code(line: &str) -> bool {
    let token = line.split(char::is_whitespace).next().unwrap_or("");
    token.contains("://")
        || token.starts_with(['/', '~'])
        || token.starts_with("./")
        || token.contains(['@', '=', '_', '<', '>'])
}

/// The line ends with an address (`…/wiki/Software/cups-pk-helper`, `user@host`).
fn ends_with_address(line: &str) -> bool {
    let token = line.rsplit(char::is_whitespace).next().unwrap_or("");
    token.contains("://") || token.contains('@')
}

/// Line `a` ends in an unfinished address (a URL, an e-mail address, a path) that line
/// `b` continues: `b`'s first token starts with a character no word or sentence starts
/// with (`.example.com/…`, `/index.html`, `_v2`, `?q=1`), or closes the `<` the address
/// opened (`…/116839>`).
fn address_continues(a: &str, b: &str) -> bool {
    let (tail, head) = (last_token(a), first_token(b));
    // Nearly every line starts with a letter: that answers no at once.
    let opened = tail.starts_with('<');
    let after_slash = tail.ends_with('/');
    if !opened
        && !after_slash
        && !head.bytes().next().is_some_and(|c| {
            matches!(
                c,
                b'.' | b'/' | b'_' | b'?' | b'#' | b'=' | b'&' | b'%' | b'~'
            )
        })
    {
        return false;
    }
    let address = tail.trim_start_matches(['<', '(', '[', '"']);
    let url = address.contains("://") || address.starts_with("www.");
    let mail = address.contains('@') && !address.ends_with('@');
    // `src/nfa/x`, `/usr/lib`, `~/x`; not `and/or`.
    let path = (address.starts_with(['/', '~', '.']) || address.matches('/').count() >= 2)
        && address.contains('/')
        && address.bytes().all(|c| c.is_ascii_graphic());
    // Broken right after a `/` (`/etc/apt/⏎sources.list`, `from /⏎var/cache/`), a path
    // goes on with its next name, which may start with a letter like any word.
    if after_slash && (url || path) && names_a_file(head) {
        return true;
    }
    if !(url || mail || path) || !head.is_ascii() || head.contains(['<', '"']) {
        return false;
    }
    // Where the address was opened with `<`, it is unfinished until the `>`.
    if opened {
        if tail.contains('>') {
            return false;
        }
        if head
            .trim_end_matches(['.', ',', ';', ':', ')'])
            .ends_with('>')
        {
            return true;
        }
    }
    let mut chars = head.chars();
    let (Some(first), Some(second)) = (chars.next(), chars.next()) else {
        return false;
    };
    // After a path or an e-mail address only a file extension or more of the name
    // continues (`noncontiguous⏎.rs`); a URL goes on with its path and query too.
    let continues = if url {
        matches!(first, '.' | '/' | '_' | '?' | '#' | '=' | '&' | '%' | '~')
    } else {
        matches!(first, '.' | '_')
    };
    continues && second.is_ascii_alphanumeric() && !tail.ends_with(['.', ',', ';', ':'])
}

/// `token` is a file or directory name, or more of a path (`sources.list.`, `id_ecdsa,`,
/// `dpkg/dpkg.cfg`), not a word: a separator stands inside it between letters or digits.
/// An abbreviation (`e.g.`) has one letter between its dots and is a word.
fn names_a_file(token: &str) -> bool {
    let name = token.trim_end_matches(['.', ',', ';', ':', ')', ']', '\'', '"']);
    if !name
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        || !name.bytes().all(|c| c.is_ascii_graphic())
        || name.contains(['<', '>', '"'])
    {
        return false;
    }
    let bytes = name.as_bytes();
    let inner_separator = (1..bytes.len().saturating_sub(1)).any(|i| {
        matches!(bytes[i], b'.' | b'_' | b'/')
            && bytes[i - 1].is_ascii_alphanumeric()
            && bytes[i + 1].is_ascii_alphanumeric()
    });
    let abbreviation = name.split('.').all(|part| part.len() <= 1);
    inner_separator && !abbreviation
}

// The token functions look for ASCII bytes in a byte loop: a line's first or last
// token is a few bytes away, too close for a character searcher to pay for itself.

fn last_token(line: &str) -> &str {
    let start = line
        .bytes()
        .rposition(|c| c == b' ' || c == b'\t')
        .map_or(0, |i| i + 1);
    &line[start..]
}

fn first_token(line: &str) -> &str {
    first_token_by(line, |c| c == b' ' || c == b'\t')
}

/// `line` up to the first byte that `ends` (an ASCII separator), or all of it.
fn first_token_by(line: &str, ends: impl Fn(u8) -> bool) -> &str {
    &line[..line.bytes().position(ends).unwrap_or(line.len())]
}

/// `rest` (the text after a line) starts with a line that underlines it: `-----`,
/// `=====`.
fn underlined(rest: &str) -> bool {
    let next = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))
        .map_or("", |r| r.split('\n').next().unwrap_or("").trim_end());
    next.len() >= 3 && (next.bytes().all(|b| b == b'-') || next.bytes().all(|b| b == b'='))
}

/// The line starts a list item, a numbered note or a command-line option.
fn starts_block(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let second = chars.next();
    match first {
        '•' | '◦' | '▪' | '‣' | '●' | '○' | '■' | '□' | '·' | '–' | '—' | '*' => {
            second == Some(' ')
        }
        '-' => second.is_some_and(|c| c == ' ' || c == '-' || c.is_alphanumeric()),
        '(' => {
            // `(a) `, `(12) `, `(iv) `
            let inner: String = line[1..].chars().take_while(|c| *c != ')').collect();
            !inner.is_empty()
                && inner.len() <= 4
                && inner.chars().all(char::is_alphanumeric)
                && line[1 + inner.len()..].starts_with(") ")
        }
        c if c.is_ascii_digit() => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            let rest = &line[digits..];
            // `1. `, `12) `, and footnotes set as `1These notes…` (number glued to text).
            digits <= 3
                && (rest.starts_with(". ")
                    || rest.starts_with(") ")
                    || rest.chars().next().is_some_and(char::is_uppercase))
        }
        c if c.is_ascii_alphabetic() => {
            // `a) `, `b. ` — a single letter enumerator.
            matches!(second, Some(')'))
                || (second == Some('.') && line[2..].starts_with(' ') && c.is_ascii_lowercase())
        }
        _ => false,
    }
}

/// The line starts with a command-line option (`-v, --verbose`).
fn starts_option(line: &str) -> bool {
    let b = line.as_bytes();
    b.first() == Some(&b'-')
        && b.get(1)
            .is_some_and(|c| *c == b'-' || c.is_ascii_alphanumeric())
}

/// The line is all capitals and has no sentence punctuation: a heading.
fn is_caps_heading(line: &str) -> bool {
    line.chars().any(char::is_alphabetic)
        && line
            .chars()
            .all(|c| c.is_uppercase() || c == ' ' || c == '-' || c == '&')
}

/// The line starts with a label: one to three words, the first capitalised, and a colon
/// (`Molotov: Maybe you…`, `Note: Some files…`, `Original Language:`).
fn starts_label(line: &str) -> bool {
    // The label's first character is the line's: most lines start in lower case, and
    // are no label whatever their first 32 bytes hold.
    if !line.chars().next().is_some_and(char::is_uppercase) {
        return false;
    }
    let Some(colon) = line
        .get(..line.len().min(32))
        .and_then(|head| head.bytes().position(|c| c == b':'))
    else {
        return false;
    };
    let label = &line[..colon];
    let rest = &line[colon + 1..];
    label.chars().next().is_some_and(char::is_uppercase)
        && label.split(' ').count() <= 3
        && label
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '.' || c == '-')
        && (rest.is_empty() || rest.starts_with(' '))
}

/// The line has internal runs of spaces, as table rows and aligned code do.
fn is_tabular(line: &str) -> bool {
    // Eight bytes at a time, in words that start every six bytes and a last one that
    // ends with the line: three bytes in a row lie whole in one of them. A line is
    // short, too short for a searcher to pay for setting itself up.
    let bytes = line.as_bytes();
    let three_spaces = |word: u64| {
        let spaces = swar::bytes_equal(word, b' ');
        spaces & spaces >> 8 & spaces >> 16 != 0
    };
    let n = bytes.len();
    if n < 8 {
        return n >= 3 && three_spaces(swar::load_prefix(bytes, 0, n));
    }
    let mut at = 0;
    loop {
        let at_or_last = at.min(n - 8);
        if three_spaces(swar::load8(bytes, at_or_last)) {
            return true;
        }
        if at_or_last == n - 8 {
            return false;
        }
        at += 6;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn has_a_measure_answers_as_the_measure_does() {
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        for round in 0..4000 {
            let n = 1 + rng.below(if round % 4 == 0 { 200 } else { 40 });
            // Widths around the thresholds (300, and a fifth below the measure).
            let widths: Vec<u32> = (0..n)
                .map(|_| match rng.below(4) {
                    0 => 290 + rng.below(20) as u32,
                    1 => 1 + rng.below(300) as u32,
                    _ => 200 + rng.below(600) as u32,
                })
                .collect();
            let (measure, near) = measure(&widths);
            assert_eq!(
                has_a_measure(&widths),
                measure >= 300 && near >= 3,
                "{widths:?}"
            );
        }
    }

    use super::*;

    #[test]
    fn tokens_at_the_ends_of_a_line() {
        for (line, first, last) in [
            ("", "", ""),
            ("word", "word", "word"),
            ("a b\tc", "a", "c"),
            (" lead", "", "lead"),
            ("trail\t", "trail", ""),
            ("é ü", "é", "ü"),
        ] {
            assert_eq!(first_token(line), first, "{line:?}");
            assert_eq!(last_token(line), last, "{line:?}");
            assert_eq!(first_token(line), line.split([' ', '\t']).next().unwrap());
            assert_eq!(last_token(line), line.rsplit([' ', '\t']).next().unwrap());
        }
    }

    #[test]
    fn a_name_after_a_slash_continues_the_path_and_a_word_does_not() {
        for name in [
            "sources.list.",
            "id_ecdsa,",
            "dpkg/dpkg.cfg",
            "var/cache/",
            "global.html).",
        ] {
            assert!(names_a_file(name), "{name}");
        }
        for word in [
            "null",
            "and",
            "e.g.",
            "i.e.,",
            "(see",
            "über.txt",
            ".hidden",
            "a",
        ] {
            assert!(!names_a_file(word), "{word}");
        }
        assert!(address_continues(
            "the file /etc/apt/",
            "sources.list is read"
        ));
        assert!(address_continues(
            "everything from /",
            "var/cache/apt/archives/ and"
        ));
        assert!(!address_continues("files under /etc/", "and the rest"));
        assert!(!address_continues("either and/", "or.txt is"));
        // Inside `<…>` the address is unfinished until the `>`, name or not.
        assert!(address_continues(
            "see <https://",
            "www.ietf.org/rfc/rfc1952.txt>, the"
        ));
    }

    #[test]
    fn user_words_count_as_words_for_dehyphenation() {
        // Neither form is known to the shipped dictionary, and `mill` is a word (so the
        // break may be a compound's): the hyphen stays, and removing it is only
        // proposed. A user word list that has the word decides it.
        let text = "The engineers of the mill kept an old mill-\n\
                    gast machine that ran all night long, and they\n\
                    would not let anyone near it until the morning\n\
                    shift came in and the foreman had looked at it.\n";
        let with = |words: &[&str]| {
            let cx = Context {
                lexicon: std::sync::Arc::new(crate::lexicon::Lexicon::english().with_words(words)),
                ..Context::default()
            };
            let mut p = crate::Pipeline::new(cx);
            p.push(Box::new(Reflow));
            p.run(text).output
        };
        assert!(with(&[]).contains("mill-gast"), "{}", with(&[]));
        assert!(
            with(&["millgast"]).contains("millgast machine"),
            "{}",
            with(&["millgast"])
        );
    }

    #[test]
    fn data_cases() {
        crate::stages::layout::testdata::check_cases("reflow", || Box::new(Reflow));
    }

    fn run(text: &str) -> String {
        run_with(text, false)
    }

    fn run_with(text: &str, keep_lines: bool) -> String {
        let mut cx = Context::default();
        cx.options.keep_lines = keep_lines;
        let mut p = crate::Pipeline::new(cx);
        p.threshold(Applicability::Review);
        p.push(Box::new(Reflow));
        p.run(text).output
    }

    const WRAPPED: &str = "It seems to me that in this regard com. Khrushchev's efforts are\n\
                           not entirely successful. We all understand and consider it needed\n\
                           and stimulate those measures which assist the lessening of tension.\n";

    #[test]
    fn joins_wrapped_lines() {
        assert_eq!(
            run(WRAPPED),
            "It seems to me that in this regard com. Khrushchev's efforts are not entirely \
             successful. We all understand and consider it needed and stimulate those \
             measures which assist the lessening of tension.\n"
        );
    }

    #[test]
    fn short_lines_without_a_measure_stay() {
        let t = "The financial report.\nSecond line.\n";
        assert_eq!(run(t), t);
    }

    #[test]
    fn breaks_after_a_short_line_that_ends_a_sentence() {
        let t = "and we must by all means be careful that this policy gives the results\n\
                 that we want.\n\
                 In connection with this, I consider that when com. Khrushchev, in a\n\
                 conversation with the editor of the American newspaper, The New York\n\
                 Times.\n";
        assert_eq!(
            run(t),
            "and we must by all means be careful that this policy gives the results that \
             we want.\n\nIn connection with this, I consider that when com. Khrushchev, in a \
             conversation with the editor of the American newspaper, The New York Times.\n"
        );
    }

    #[test]
    fn dehyphenates_with_document_evidence() {
        let t = format!(
            "{}You have very good baux-\nite. The bauxite deposits are large and we will\n\
             develop them soon, said the man with the long-term plan for the\n\
             long-\nterm future of the region and its people and its lands.\n",
            WRAPPED
        );
        let out = run(&t);
        assert!(out.contains("good bauxite."), "{out}");
        assert!(out.contains("the long-term future"), "{out}");
    }

    #[test]
    fn keeps_the_hyphen_before_a_capital() {
        let t = "Much less is known about the impact of the split between the Soviet-\n\
                 Yugoslav parties and the rest of the world in those difficult years.\n";
        assert!(run(t).contains("Soviet-Yugoslav parties"));
    }

    #[test]
    fn soft_hyphens_always_join() {
        let t = "Much less is known about the impact of the split on the world, baux\u{ad}\n\
                 ite and the rest of the world in those difficult years and months.\n";
        assert!(run(t).contains("world, bauxite and"));
    }

    #[test]
    fn rejoins_a_paragraph_across_a_page_break() {
        let t = "S[talin]: expressed interest in where our oil and bauxite deposits are\n\
                 located and he said that the deposits of the country were very good and\n\
                 \x0c\n\nthat we should develop them as soon as we could, he said to us then.\n";
        let out = run(t);
        assert!(out.contains("good and that we"), "{out:?}");
        assert!(!out.contains('\x0c'));
    }

    #[test]
    fn a_page_break_between_paragraphs_becomes_a_blank_line() {
        let t = "the deposits of the country were very good and we want them developed\n\
                 soon.\n\x0cThe next part of the text starts here on a new page and runs\n\
                 on to the next line.\n";
        let out = run(t);
        assert!(out.contains("soon.\n\nThe next part"), "{out:?}");
    }

    #[test]
    fn one_paragraph_per_line_text_is_left_alone() {
        let t = "\n\nJune 24, 1957\n\n**Minutes of the Meeting of the CPSU CC Plenum on\n\
                 the State of Soviet Foreign Policy**\n\nCitation:\n\n  indented line\n\n\
                 modified: file1\n\nmodified: file2\n\nIf you leave out the commit name, git grep \
                 will search any of the files it manages in your current directory. So\n\n\
                 is a quick way to search just the files that are tracked by Git.\n";
        assert_eq!(run(t), t);
    }

    #[test]
    fn rejoins_a_paragraph_split_by_a_blank_line_in_one_paragraph_per_line_text() {
        let t = "Short one.\n\nMikoian. After all, you demanded that Rakosi, Gero, and Hegedus \
                 [be prevented from\n\nworking] in Hungary.\n\nAnother one.\n\nAnd one more.\n";
        let out = run(t);
        assert!(out.contains("[be prevented from working] in"), "{out:?}");
        assert!(out.contains("Short one.\n\nMikoian"));
    }

    #[test]
    fn list_items_keep_their_lines() {
        let t = "The program reads the files named on its command line, or its standard\n\
                 input when none is named, and writes what it finds to standard output.\n\
                 The following options are accepted by the program and can be combined:\n\
                 1. the first option, which does one thing and then another thing\n\
                 2. the second option.\n\
                 • a bullet item\n";
        let out = run(t);
        assert!(out.contains("combined:\n\n1. the first"), "{out:?}");
        assert!(out.contains("thing\n\n2. the"), "{out:?}");
        assert!(out.contains("option.\n\n• a bullet"), "{out:?}");
    }

    #[test]
    fn keep_lines_moves_the_rest_of_the_word_up() {
        let t = format!("{WRAPPED}You have very good baux-\nite. The bauxite deposits are large\n");
        let out = run_with(&t, true);
        assert!(
            out.contains("very good bauxite.\nThe bauxite deposits"),
            "{out:?}"
        );
        assert!(out.contains("regard com. Khrushchev's efforts are\nnot entirely"));
    }

    #[test]
    fn block_starts() {
        for yes in [
            "1. One",
            "12) Two",
            "(a) three",
            "• four",
            "- five",
            "-v, --verbose",
            "2The Presidium",
            "b) six",
        ] {
            assert!(starts_block(yes), "{yes}");
        }
        for no in [
            "1957 was",
            "I think",
            "a man",
            "(see above)",
            "-",
            "3.5 million",
        ] {
            assert!(!starts_block(no), "{no}");
        }
    }

    #[test]
    fn labels() {
        for yes in [
            "Molotov: Maybe you",
            "Note: Some",
            "Original Language:",
            "Com. Aristov: yes",
        ] {
            assert!(starts_label(yes), "{yes}");
        }
        for no in ["the ratio 3:2", "Dir::Etc::SourceList", "See http://x"] {
            assert!(!starts_label(no), "{no}");
        }
    }

    #[test]
    fn sentence_ends() {
        for yes in [
            "it.",
            "it.\u{201d}",
            "Dej.3",
            "(see above).",
            "Citation:",
            "no?",
        ] {
            assert!(ends_sentence(yes), "{yes}");
        }
        for no in ["the", "it,", "[be prevented from", "1957"] {
            assert!(!ends_sentence(no), "{no}");
        }
    }

    #[test]
    fn sentence_ends_agree_with_the_trimmed_last_character() {
        // The definition, without the shortcut for a line that ends in a letter.
        let by_definition = ends_sentence_trimmed;
        let ends = [
            "", "a", "Z", ".", "!", "?", ":", ";", "…", ")", "”", "*", "3", "é", "ß", ",", " ",
        ];
        for line in sample_lines() {
            for a in ends {
                for b in ends {
                    let line = format!("{line}{a}{b}");
                    assert_eq!(ends_sentence(&line), by_definition(&line), "{line:?}");
                }
            }
        }
    }

    #[test]
    fn widths_are_bounded_by_lengths_in_bytes() {
        // `Widths::count_wider` trusts these bounds to leave lines unmeasured.
        let extremes = ["M", "W", "i", ".", "\u{1}", "一", "😀", "𝕏", "É", "ß"];
        let lines = sample_lines()
            .into_iter()
            .chain(extremes.iter().map(|c| c.repeat(50)));
        for line in lines {
            let (w, n) = (visual_width(&line) as usize, line.len());
            assert!(2 * w >= 5 * n, "{line:?} is {w} wide");
            if line.is_ascii() {
                assert!(
                    w >= usize::from(MIN_ASCII_BYTE_WIDTH) * n,
                    "{line:?} is {w} wide"
                );
            }
            assert!(w <= usize::from(MAX_BYTE_WIDTH) * n, "{line:?} is {w} wide");
        }
    }

    #[test]
    fn counting_wide_lines_agrees_with_measuring_every_line() {
        // Lines of every length around the bounds, wide and narrow characters.
        let mut k = 7usize;
        let mut text = String::new();
        for n in 0..400 {
            let len = [20, 90, 100, 101, 150, 177, 178, 300, 400, 640, 641, 900][n % 12];
            let piece = ["i", "m", "M", "é", "—", "a b"][k % 6];
            k = k.wrapping_mul(31).wrapping_add(n) % 1013;
            text.push_str(&piece.repeat(len / piece.len() + k % 3));
            text.push_str(if k % 4 == 0 { "\n" } else { "\n\n" });
        }
        for lines in [Line::split(&text), Line::split(&text[..text.len() / 3])] {
            let widths = Widths::new(&text, &lines);
            for limit in [0, 99, 1600, 2000, 5000, 20_000] {
                let wider = widths.get().lines.iter().filter(|&&w| w > limit).count();
                for enough in [0, 1, wider / 2, wider, wider + 1, lines.len()] {
                    assert_eq!(
                        Widths::new(&text, &lines).count_wider(limit, enough),
                        wider >= enough,
                        "{limit} {enough}"
                    );
                }
            }
        }
    }

    /// Lines of every length around the four-byte and 32-byte steps of the fast paths,
    /// ASCII and not, with brackets anywhere.
    fn sample_lines() -> Vec<String> {
        let pieces = [
            "a", "M", "i", " ", "(", "]", "É", "—", "ß", "Y", "_", "[x)", "mw", "Ω",
        ];
        let mut k = 0usize;
        (0..200)
            .map(|n| {
                (0..n % 90)
                    .map(|_| {
                        k = k.wrapping_mul(7).wrapping_add(3) % 1009;
                        pieces[k % pieces.len()]
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn local_widths_agree_with_the_widest_line_that_counts() {
        // The widths filtered and maxed one gap at a time, as the comment describes.
        let reference = |lines: &[u32]| -> Vec<u32> {
            let mut widths: Vec<u32> = lines.iter().copied().filter(|&w| w >= 300).collect();
            widths.sort_unstable();
            let usual = widths
                .get(widths.len() * 3 / 4)
                .copied()
                .unwrap_or(u32::MAX);
            let cap = usual.saturating_add(usual / 4);
            let floor = if usual == u32::MAX { 0 } else { usual * 3 / 4 };
            (0..lines.len().saturating_sub(1))
                .map(|i| {
                    let (lo, hi) = (i.saturating_sub(4), (i + 5).min(lines.len() - 1));
                    let near = lines[lo..=hi].iter().copied().filter(|&w| w <= cap);
                    near.max().unwrap_or(cap).max(floor)
                })
                .collect()
        };
        let mut rng = crate::testing::XorShift(17);
        for n in [0, 1, 2, 3, 9, 10, 11, 40, 200] {
            for spread in [4, 300, 800, 5000] {
                let lines: Vec<u32> = (0..n)
                    .map(|_| (4 + rng.below(spread) + rng.below(3) * 700) as u32)
                    .collect();
                assert_eq!(local_widths(&lines), reference(&lines), "{lines:?}");
            }
        }
    }

    #[test]
    fn is_tabular_finds_three_spaces_in_a_row() {
        for (line, tabular) in [
            ("a   b", true),
            ("   ", true),
            ("x  y  z", false),
            ("a \t b", false),
            ("", false),
            ("end   ", true),
        ] {
            assert_eq!(is_tabular(line), tabular, "{line:?}");
        }
        // Three spaces at every offset of lines of every length up to three words, and
        // two spaces (no run) the same.
        for n in 0..26 {
            for at in 0..n {
                for run in [2, 3] {
                    let mut line = vec![b'x'; n];
                    for b in line.iter_mut().skip(at).take(run) {
                        *b = b' ';
                    }
                    let line = String::from_utf8(line).unwrap();
                    assert_eq!(is_tabular(&line), line.contains("   "), "{line:?}");
                }
            }
        }
    }

    /// In text that is one paragraph per line, the notes are looked for only where a gap
    /// is not already a paragraph break: a note start right below a line still gets its
    /// paragraph break, as it did when the notes were always looked for.
    #[test]
    fn a_note_below_a_line_is_its_own_paragraph_in_text_one_paragraph_per_line() {
        let t = "The first paragraph refers to a note here.1 It goes on for a while longer.\n\n\
                 The second paragraph is the last one on the page.\n\
                 1 This refers to the arrest of the driver.\n";
        let out = run(t);
        assert!(out.contains("on the page.\n\n1 This refers"), "{out:?}");
        // Without the note, the adjacent line is the author's, and stays.
        let plain = t.replace("note here.1 ", "note here. ");
        assert_eq!(run(&plain), plain);
    }

    #[test]
    fn a_note_start_outweighs_a_word_break_before_it() {
        // The break's fixes are decided before the notes are asked; a note that starts
        // on the next line still makes the gap a paragraph break.
        let t = "The first paragraph refers to a note here.1 It goes on for a while longer.\n\n\
                 The second paragraph is the last one on the page, and ends in the code AB-\n\
                 1 This refers to the arrest of the driver.\n";
        let out = run(t);
        assert!(out.contains("code AB-\n\n1 This refers"), "{out:?}");
        // Without the note the break is a word's (a number or a code: the hyphen stays).
        let plain = run(&t.replace("note here.1 ", "note here. "));
        assert!(plain.contains("code AB-1 This refers"), "{plain:?}");
    }

    #[test]
    fn widths_count_each_character_once() {
        for line in sample_lines() {
            let expected: u32 = line
                .chars()
                .map(|c| match c {
                    'i' => 4,
                    ' ' | '(' | ')' | '[' | ']' => 5,
                    'm' | 'w' => 15,
                    'M' => 16,
                    '_' => 9,
                    c if c.is_uppercase() => 13,
                    _ => 10,
                })
                .sum();
            assert_eq!(visual_width(&line), expected, "{line:?}");
        }
    }

    #[test]
    fn every_mark_ends_in_one_of_the_marks_last_bytes() {
        // A line is taken for no word break on its last byte: no mark may end otherwise.
        for c in (0..=char::MAX as u32).filter_map(char::from_u32) {
            if is_soft_mark(c).is_some() {
                let last = *c.encode_utf8(&mut [0; 4]).as_bytes().last().unwrap();
                assert!(MARK_LAST_BYTES.contains(&last), "{c:?}");
            }
        }
    }

    #[test]
    fn a_character_that_is_not_ascii_is_counted_wherever_it_stands() {
        // The line is taken for ASCII from its eight-byte loads and its last bytes: a
        // character of two, three or four bytes at any offset, in a load or after the
        // last, must still count.
        let alone = |c: char| visual_width(c.encode_utf8(&mut [0; 4]));
        for c in ['é', 'É', '一', '😀'] {
            for len in 0..30 {
                for at in 0..=len {
                    let mut line = "ab".repeat(len)[..len].to_string();
                    line.insert(at, c);
                    let expected: u32 = line.chars().map(alone).sum();
                    assert_eq!(visual_width(&line), expected, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn widths_read_in_pairs_agree_with_widths_read_a_byte_at_a_time() {
        // A text shorter than eight bytes is summed a byte at a time; in a longer one,
        // every pair of ASCII characters, at every offset in the eight-byte loads, must
        // add up to the same width as its characters alone.
        let alone = |c: char| visual_width(c.encode_utf8(&mut [0; 4]));
        for offset in 0..8 {
            for a in (0..128u8).map(char::from) {
                for b in (0..128u8).map(char::from) {
                    let line: String = "x".repeat(offset) + &format!("{a}{b}") + "yyyyyyyy";
                    let expected: u32 = line.chars().map(alone).sum();
                    assert_eq!(visual_width(&line), expected, "{line:?}");
                }
            }
        }
    }

    #[test]
    fn open_brackets_counted_lazily_agree_with_a_running_count() {
        // Lines with brackets of every kind, paragraphs of various lengths, and lines
        // asked about with gaps between them (or not at all).
        let pieces = ["(a", "b)", "[c", "d]", "e", "(f) (g", "h))", "]] [", "(()"];
        let mut text = String::new();
        for k in 0..60usize {
            text.push_str(pieces[k * 7 % pieces.len()]);
            text.push_str(pieces[k * 5 % pieces.len()]);
            text.push('\n');
        }
        let lines = Line::split(&text);
        for (starts_every, asks_every) in [(1, 1), (3, 1), (4, 2), (7, 3), (60, 1), (60, 5)] {
            let lazy = OpenBrackets::new(&text, &lines);
            let mut open = Brackets::of(lines[0].text(&text)).opens;
            for i in 0..lines.len() - 1 {
                if i % asks_every == 0 {
                    assert_eq!(lazy.after(i), open, "line {i}");
                }
                let joined = (i + 1) % starts_every != 0;
                let next = Brackets::of(lines[i + 1].text(&text));
                open = if joined {
                    open.saturating_sub(next.closes) + next.opens
                } else {
                    lazy.restart(i + 1);
                    next.opens
                };
            }
        }
    }

    #[test]
    fn brackets_pair_up_within_a_line() {
        for line in sample_lines() {
            let (mut opens, mut closes) = (0u32, 0u32);
            for c in line.chars() {
                match c {
                    '(' | '[' => opens += 1,
                    ')' | ']' if opens > 0 => opens -= 1,
                    ')' | ']' => closes += 1,
                    _ => {}
                }
            }
            assert_eq!(Brackets::of(&line), Brackets { closes, opens }, "{line:?}");
        }
    }
}
