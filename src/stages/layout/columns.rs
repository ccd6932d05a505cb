//! Layout pass: side-by-side columns and layout padding in `pdftotext -layout` output.
//!
//! `pdftotext -layout` reproduces the page as a character grid: two text columns come
//! out side by side, each output line holding a line of the left column, a run of spaces
//! (the gutter), and a line of the right column; centred and right-aligned lines are
//! pushed into place with long runs of spaces. Read as text, every line interleaves two
//! unrelated sentences.
//!
//! This pass finds, on each page, a gutter: a band of character columns that (almost) no
//! line writes into, near the middle of the page, with text on both sides of it on many
//! lines. The page is rewritten as the left column's lines followed by the right
//! column's; lines that cross the gutter (a centred running head, a page number, a
//! heading set across both columns) stay where they are and separate the blocks before
//! and after them. Then layout padding collapses (see [`PADDING`]).
//!
//! Everything here runs only on documents that look like layout output (see
//! [`looks_like_layout`]); plain text never pays for it and is never touched by it.

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::pages::{self, Line};

const COLUMNS: RuleId = RuleId::from_static("layout.columns");
const PADDING: RuleId = RuleId::from_static("layout.padding");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "layout.columns",
        "layout",
        Applicability::Safe,
        "Unweave a page printed as two side-by-side columns: left column first, then right.",
        "`pdftotext -layout` prints a two-column page as one grid, so each line holds a line \
         of the left column, a gutter of spaces, and a line of the right column. When a page \
         has a gutter — a band of character columns near the middle that no line writes into, \
         with text on both sides on many lines, and left-column lines that reach close to \
         it — the page is rewritten as the left column's lines followed by the right \
         column's. Lines that cross the gutter (a centred running head, a page number, a \
         title across both columns) stay in place between the blocks. Padding inside the \
         rewritten page collapses as for layout.padding. One fix per page.\n\n\
         Safe when at least 40% of the page's lines have text left of the gutter and 40% \
         right of it, or (a page whose right column ends early) when another page of the document \
         has a strong gutter in the same place; Review when 20% of the lines lie on each \
         side but no other page confirms it. A table whose first column is narrow is not \
         a gutter: the gutter must lie in the middle half of the page and the left column \
         must be filled.\n\n\
         Example: `make - GNU make utility to   or doing anything else. If` becomes \
         `make - GNU make utility to` … followed later by `or doing anything else. If`.",
    ),
    RuleInfo::builtin(
        "layout.padding",
        "layout",
        Applicability::Safe,
        "Collapse layout padding: centring runs, gaps inside lines, trailing spaces.",
        "In text that looks like `pdftotext -layout` output (several lines pushed right by \
         long runs of spaces), spaces that only placed text on the page grid go: a leading \
         run of eight or more spaces (centring, right alignment), runs of two or more spaces \
         between words (a header's title and its page number), and trailing spaces. \
         Indentation of fewer than eight spaces stays: it marks paragraphs and list \
         bodies. Lines whose gaps line up with a neighbour's (an option table, aligned \
         code) keep their inner spacing, since there the alignment is content. Plain text \
         is never touched.\n\n\
         Example: `GNU make manual page                          3` becomes \
         `GNU make manual page 3`.",
    ),
];

/// A leading run at least this long is centring or alignment, not indentation.
const CENTRING: usize = 8;

/// The columns pass.
pub(crate) struct Columns;

impl Stage for Columns {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, _cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        if !looks_like_layout(text) {
            return;
        }
        // A grid only for pages where a gutter is possible: a few lines must have a gap
        // inside or text pushed right (a right-column line), beyond a header and folio.
        let all_lines = doc.lines();
        let pages: Vec<(Span, Vec<Line>, Option<Grid>)> = doc
            .pages()
            .iter()
            .map(|page| {
                if !may_hold_layout(&text.as_bytes()[page.span.range()]) {
                    // No gap, no padding: nothing to read line by line.
                    return (page.span, Vec::new(), None);
                }
                let lines: Vec<Line> = pages::lines_within(&all_lines, page.span).collect();
                let gapped = lines
                    .iter()
                    .filter(|l| has_gap(&text[l.span.range()]))
                    .count();
                let grid = (gapped >= 4).then(|| Grid::new(text, &lines));
                (page.span, lines, grid)
            })
            .collect();
        let gutters: Vec<Option<Gutter>> = pages
            .iter()
            .map(|(_, _, g)| g.as_ref().and_then(find_gutter))
            .collect();
        let mut strong: Vec<usize> = gutters
            .iter()
            .flatten()
            .filter(|g| g.is_strong())
            .map(|g| g.start)
            .collect();
        strong.sort_unstable();
        for (i, (span, lines, grid)) in pages.iter().enumerate() {
            let (Some(gutter), Some(grid)) = (gutters[i], grid) else {
                pad(text, lines, out);
                continue;
            };
            // A page whose right column is short (the last page of a section) is still
            // safe to unweave when other pages of the document have a strong gutter in
            // the same place. (A strong page needs no echo, so it may find itself.)
            let near = strong.partition_point(|&s| s + 6 < gutter.start);
            let echoed = strong.get(near).is_some_and(|&s| s <= gutter.start + 6);
            if !gutter.is_plausible() && !echoed {
                pad(text, lines, out);
                continue;
            }
            let confirmed = gutter.is_strong() || echoed;
            if let Some(fix) = unweave(text, *span, lines, grid, gutter, confirmed) {
                out.push(fix);
            }
        }
    }
}

/// True when `text` has the long space runs of layout output: at least three lines, and
/// one in a hundred, with a run of 8+ spaces between words or 20+ before the first.
fn looks_like_layout(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Plain text has no run of eight spaces at all: one vectorised search settles it.
    let eight_spaces = memchr::memmem::Finder::new(b"        ");
    let mut padded = 0usize;
    // The end of the last line looked at: the search goes on from there, so a line with
    // many runs (a grid of columns, a run of forty spaces) is found once, not once per
    // run. (No run holds a line's end, so the first one after it is the one a search of
    // the whole text for every run would find next there.)
    let mut last_line_end = 0;
    while let Some(found) = eight_spaces.find(&bytes[last_line_end..]) {
        let at = last_line_end + found;
        let line_start = memchr::memrchr2(b'\n', b'\x0c', &bytes[last_line_end..at])
            .map_or(last_line_end, |i| last_line_end + i + 1);
        let line_end =
            memchr::memchr2(b'\n', b'\x0c', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        last_line_end = line_end;
        let line = &bytes[line_start..line_end];
        let Some(first) = line.iter().position(|&b| b != b' ') else {
            continue;
        };
        let last = line.iter().rposition(|&b| b != b' ').unwrap_or(first);
        let inner = line[first..=last]
            .split(|&b| b != b' ')
            .any(|run| run.len() >= 8);
        if first >= 20 || inner {
            padded += 1;
        }
    }
    if padded < 3 {
        return false;
    }
    let lines = memchr::memchr2_iter(b'\n', b'\x0c', bytes).count() + 1;
    padded * 100 >= lines
}

/// A page's lines as rows of characters, trailing whitespace dropped. One buffer per
/// page: rows are slices of it.
struct Grid {
    cells: Vec<char>,
    bounds: Vec<(usize, usize)>,
}

impl Grid {
    fn new(text: &str, lines: &[Line]) -> Grid {
        let mut cells = Vec::with_capacity(lines.iter().map(|l| l.span.len()).sum());
        let bounds = lines
            .iter()
            .map(|l| {
                let start = cells.len();
                cells.extend(text[l.span.range()].trim_end().chars());
                (start, cells.len())
            })
            .collect();
        Grid { cells, bounds }
    }

    fn row(&self, r: usize) -> &[char] {
        let (start, end) = self.bounds[r];
        &self.cells[start..end]
    }

    fn rows(&self) -> impl Iterator<Item = &[char]> + '_ {
        (0..self.bounds.len()).map(|r| self.row(r))
    }

    fn len(&self) -> usize {
        self.bounds.len()
    }

    fn is_ink(&self, row: usize, x: usize) -> bool {
        self.row(row).get(x).is_some_and(|c| !c.is_whitespace())
    }
}

/// The gutter of a page: character columns `start..end` that no column line writes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Gutter {
    start: usize,
    end: usize,
    /// Lines with text left of the gutter.
    left: usize,
    /// Lines with text right of the gutter.
    right: usize,
    /// Non-blank lines of the page.
    nonblank: usize,
}

impl Gutter {
    /// How many rows, not crossing the gutter, have text left of it and right of it.
    fn sides(&self, grid: &Grid) -> (usize, usize) {
        let (mut left, mut right) = (0, 0);
        for (r, row) in grid.rows().enumerate() {
            if row.is_empty() || self.crossed_by(grid, r) {
                continue;
            }
            left += usize::from(
                row[..self.start.min(row.len())]
                    .iter()
                    .any(|c| !c.is_whitespace()),
            );
            right += usize::from(row.len() > self.end);
        }
        (left, right)
    }

    /// True when the gutter alone is convincing: 40% of the page's lines, and at least
    /// eight, lie on each side of it.
    fn is_strong(&self) -> bool {
        self.support() * 10 >= self.nonblank * 4 && self.support() >= 8
    }

    /// True when the gutter is worth proposing on its own: 20% of the page's lines, and at
    /// least six, lie on each side of it.
    fn is_plausible(&self) -> bool {
        self.support() * 5 >= self.nonblank && self.support() >= 6
    }

    /// The evidence for the gutter: the rows on its thinner side.
    fn support(&self) -> usize {
        self.left.min(self.right)
    }

    /// True when the row writes into the gutter.
    fn crossed_by(&self, grid: &Grid, row: usize) -> bool {
        (self.start..self.end).any(|x| grid.is_ink(row, x))
    }

    /// Where to cut `row` into its left- and right-column parts: `(left_end,
    /// right_start)`, or `None` when the row spans both columns.
    ///
    /// Most rows leave the gutter blank. A left-column line may run into it (a long word
    /// at the end of a ragged line), sometimes up to one space before the right column;
    /// such a row is cut at the right column's margin or at the space run nearest the
    /// gutter — but only when it starts near the left margin, so a centred running head
    /// that happens to have a space there is never cut.
    fn cut(&self, grid: &Grid, row: usize) -> Option<(usize, usize)> {
        if !self.crossed_by(grid, row) {
            return Some((self.start, self.end));
        }
        let r = grid.row(row);
        let first = r.iter().position(|c| !c.is_whitespace())?;
        if first + 2 >= self.end {
            // A right-column line set out a little (a bullet, a hanging number).
            return Some((first, first));
        }
        if first * 2 >= self.start {
            return None;
        }
        if r.len() <= self.end {
            // A left-column line running into the gutter, nothing on its right.
            return Some((r.len(), r.len()));
        }
        // A run of two or more spaces that meets the gutter; the right part keeps its
        // indentation from the right column's margin.
        let mut x = first;
        while x < r.len() {
            if r[x] != ' ' {
                x += 1;
                continue;
            }
            let gap_start = x;
            while x < r.len() && r[x] == ' ' {
                x += 1;
            }
            if x - gap_start >= 2 && x >= self.start && gap_start <= self.end && x < r.len() {
                return Some((gap_start, x.min(self.end)));
            }
        }
        // Only a single space before the right column's margin.
        if r.len() > self.end && r[self.end - 1] == ' ' && !r[self.end].is_whitespace() {
            return Some((self.end - 1, self.end));
        }
        None
    }
}

/// Finds the gutter of a two-column page, if it has one.
///
/// Rows of the two columns do not always share a baseline, so many rows hold text on one
/// side only; what marks a gutter is that many rows have text left of it, many have text
/// right of it, and (almost) none write into it.
fn find_gutter(grid: &Grid) -> Option<Gutter> {
    let width = grid.rows().map(<[char]>::len).max().unwrap_or(0);
    let nonblank = grid.rows().filter(|r| !r.is_empty()).count();
    if nonblank < 4 || width < 40 {
        return None;
    }
    let mut ink = vec![0usize; width];
    for row in grid.rows() {
        for (x, c) in row.iter().enumerate() {
            if !c.is_whitespace() {
                ink[x] += 1;
            }
        }
    }
    // Lines crossing the gutter (running head, page number, a spanning title) are few.
    let tolerance = (nonblank / 15).max(2);
    let (lo, hi) = (width / 4, width * 3 / 4);
    let mut best: Option<Gutter> = None;
    let mut x = lo;
    while x < hi {
        if ink[x] > tolerance {
            x += 1;
            continue;
        }
        let start = x;
        while x < hi && ink[x] <= tolerance {
            x += 1;
        }
        // Widen to the whole blank band: the right column starts where ink rises. A short
        // right column never raises it much, so the band may run into it; its margin is
        // then where two or more lines begin inside the band.
        let mut end = x;
        while end < width && ink[end] <= tolerance {
            end += 1;
        }
        end = right_margin(grid, start, end).unwrap_or(end);
        // One blank column is a space between words, not a gutter.
        if end - start < 2 {
            continue;
        }
        let candidate = Gutter {
            start,
            end,
            left: 0,
            right: 0,
            nonblank,
        };
        let (left, right) = candidate.sides(grid);
        let candidate = Gutter {
            left,
            right,
            ..candidate
        };
        if best.is_none_or(|b| candidate.support() > b.support()) {
            best = Some(candidate);
        }
    }
    let gutter = best?;
    if gutter.support() < 2 {
        return None;
    }
    // The left column must be a column of text, not a table's first column: it is wide,
    // and a good share of its lines (a quarter: option lists have many short ones) run
    // to within a few characters of the gutter.
    if gutter.start < 30 {
        return None;
    }
    let full = (0..grid.len())
        .filter(|&r| !gutter.crossed_by(grid, r))
        .filter(|&r| {
            let row = &grid.row(r)[..grid.row(r).len().min(gutter.start)];
            row.iter()
                .rposition(|c| !c.is_whitespace())
                .is_some_and(|e| e + 12 >= gutter.start)
        })
        .count();
    if full * 4 < gutter.left {
        return None;
    }
    // The right column is text too, as wide as the left in its full lines (the longest
    // quarter: option names and last lines of paragraphs are short): comments aligned
    // after code, or a column of short values, are not a second column.
    let mut right_widths: Vec<usize> = (0..grid.len())
        .filter(|&r| !gutter.crossed_by(grid, r))
        .map(|r| {
            let right = grid.row(r).get(gutter.end..).unwrap_or(&[]);
            right.len() - right.iter().take_while(|c| c.is_whitespace()).count()
        })
        .filter(|&w| w > 0)
        .collect();
    right_widths.sort_unstable();
    if right_widths[right_widths.len() * 3 / 4] * 2 < gutter.start {
        return None;
    }
    Some(gutter)
}

/// The leftmost column inside `start..end` where two or more lines begin (after a space),
/// not counting lines that run in from the left of `start`.
fn right_margin(grid: &Grid, start: usize, end: usize) -> Option<usize> {
    let mut begins = vec![0u8; end.saturating_sub(start)];
    for row in grid.rows() {
        let from = row.get(start..).unwrap_or(&[]);
        if let Some(at) = from.iter().position(|c| !c.is_whitespace()) {
            if at >= 2 && start + at < end {
                begins[at] = begins[at].saturating_add(1);
            }
        }
    }
    begins.iter().position(|&n| n >= 2).map(|at| start + at)
}

/// The fix rewriting a two-column page as its left column, then its right column.
fn unweave(
    text: &str,
    span: Span,
    lines: &[Line],
    grid: &Grid,
    gutter: Gutter,
    confirmed: bool,
) -> Option<Fix> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len() + 2);
    let mut left: Vec<String> = Vec::new();
    let mut right: Vec<String> = Vec::new();
    let flush = |out: &mut Vec<String>, left: &mut Vec<String>, right: &mut Vec<String>| {
        for column in [&mut *left, &mut *right] {
            while column.last().is_some_and(String::is_empty) {
                column.pop();
            }
            let start = column.iter().take_while(|l| l.is_empty()).count();
            out.extend(column.drain(..).skip(start));
        }
    };
    for (r, row) in grid.rows().enumerate() {
        if row.is_empty() {
            for column in [&mut left, &mut right] {
                if column.last().is_some_and(|l| !l.is_empty()) {
                    column.push(String::new());
                }
            }
            if left.is_empty() && right.is_empty() && out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
        } else if let Some((left_end, right_start)) = gutter.cut(grid, r) {
            let l = &row[..left_end.min(row.len())];
            if l.iter().any(|c| !c.is_whitespace()) {
                left.push(collapse(l, false));
            }
            let rt = row.get(right_start..).unwrap_or(&[]);
            if rt.iter().any(|c| !c.is_whitespace()) {
                right.push(collapse(rt, false));
            }
        } else {
            flush(&mut out, &mut left, &mut right);
            out.push(collapse(row, false));
        }
    }
    flush(&mut out, &mut left, &mut right);
    // Keep the page's own ending: its last line break, or none.
    let original = &text[span.range()];
    let mut new = out.join("\n");
    let ending = original.len() - original.trim_end_matches(['\n', ' ']).len();
    if ending > 0 {
        new.push('\n');
    }
    if new == original || lines.is_empty() {
        return None;
    }
    let app = if confirmed {
        Applicability::Safe
    } else {
        Applicability::Review
    };
    Some(
        Fix::new(COLUMNS, app)
            .with_edit(Edit::new(span, new))
            .with_confidence(if app == Applicability::Safe { 0.9 } else { 0.6 })
            .with_message(format!(
                "two columns side by side: gutter at character columns {}–{}; of {} lines, {} have text left of it and {} right of it",
                gutter.start + 1,
                gutter.end,
                gutter.nonblank,
                gutter.left,
                gutter.right
            )),
    )
}

/// A row with layout padding collapsed: no trailing spaces, a leading run of
/// [`CENTRING`] or more removed, inner runs of spaces reduced to one unless `aligned`.
fn collapse(row: &[char], aligned: bool) -> String {
    let end = row
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(0, |e| e + 1);
    let lead = row[..end].iter().take_while(|c| **c == ' ').count();
    let mut s = String::with_capacity(end);
    if lead < CENTRING {
        s.extend(&row[..lead]);
    }
    let mut prev_space = false;
    for &c in &row[lead..end] {
        if c == ' ' && prev_space && !aligned {
            continue;
        }
        prev_space = c == ' ';
        s.push(c);
    }
    s
}

/// Proposes collapsing the padding of a one-column page, one fix per line.
fn pad(text: &str, lines: &[Line], out: &mut Proposals) {
    let row = |r: usize| -> Vec<char> { text[lines[r].span.range()].trim_end().chars().collect() };
    for (r, line) in lines.iter().enumerate() {
        let current = &text[line.span.range()];
        if !has_padding(current) {
            continue;
        }
        let chars = row(r);
        let gaps = gap_ends(&chars);
        let aligned = !gaps.is_empty()
            && [r.wrapping_sub(1), r + 1]
                .into_iter()
                .filter(|&n| n < lines.len())
                .any(|n| gap_ends(&row(n)).iter().any(|x| gaps.contains(x)));
        let new = collapse(&chars, aligned);
        if new == current {
            continue;
        }
        out.push(
            Fix::new(PADDING, Applicability::Safe)
                .with_edit(Edit::new(line.span, new))
                .with_confidence(0.95)
                .with_message("layout padding: spaces that only placed text on the page grid"),
        );
    }
}

/// False when no line of `page` can have a gap ([`has_gap`]) or padding
/// ([`has_padding`]): it has no two spaces in a row (which a gap, a centring run and
/// inner padding all hold) and no line that ends in white space.
///
/// Why: a text that mixes documents (a file of many, cut into segments) passes
/// [`looks_like_layout`] when some of them are layout output, and then every page was
/// read line by line; most pages of such a text hold neither, and two vectorised reads
/// of the page's bytes say so.
fn may_hold_layout(page: &[u8]) -> bool {
    // A line's last byte is before a line break or at the page's end; white space there
    // is what `has_padding` asks about (a line never ends in its own `\n`).
    let white = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | 0x0c);
    has_two_spaces(page)
        || page.last().is_some_and(white)
        || memchr::memchr_iter(b'\n', page).any(|i| i > 0 && white(&page[i - 1]))
}

/// True when `line` has a run of two spaces after its first word, or starts far right:
/// the marks of two columns side by side.
fn has_gap(line: &str) -> bool {
    let b = line.trim_ascii_end().as_bytes();
    let text = b.trim_ascii_start();
    b.len() - text.len() >= 10 || has_two_spaces(text)
}

/// True when `b` holds two spaces in a row. (Lines are short: a searcher built per line,
/// or a search restarted at every space, costs more than reading the bytes.)
///
/// Every line of a layout document is read here, twice (for gaps, then for padding): the
/// pairs of neighbouring bytes are tested a block at a time, with no early exit inside a
/// block, which the compiler vectorises; only the last, partial block is read pair by
/// pair. The answer is [`has_two_spaces_bytewise`]'s.
fn has_two_spaces(b: &[u8]) -> bool {
    const BLOCK: usize = 16;
    let Some(pairs) = b.len().checked_sub(1) else {
        return false;
    };
    // Pair `i` is `(firsts[i], seconds[i])`: bytes `i` and `i + 1`.
    let (firsts, seconds) = (&b[..pairs], &b[1..]);
    let mut firsts = firsts.chunks_exact(BLOCK);
    let mut seconds = seconds.chunks_exact(BLOCK);
    let both_spaces = |(&x, &y): (&u8, &u8)| (x == b' ') & (y == b' ');
    for (x, y) in firsts.by_ref().zip(seconds.by_ref()) {
        if x.iter()
            .zip(y)
            .fold(false, |acc, pair| acc | both_spaces(pair))
        {
            return true;
        }
    }
    firsts
        .remainder()
        .iter()
        .zip(seconds.remainder())
        .any(both_spaces)
}

/// [`has_two_spaces`], read pair by pair: what the blockwise test must agree with.
#[cfg(test)]
fn has_two_spaces_bytewise(b: &[u8]) -> bool {
    b.windows(2).any(|w| w == b"  ")
}

/// True when `line` may hold padding: a centring run, two spaces inside, or trailing
/// whitespace.
fn has_padding(line: &str) -> bool {
    let b = line.as_bytes();
    b.last().is_some_and(|c| c.is_ascii_whitespace())
        || b.starts_with(&[b' '; CENTRING])
        || has_two_spaces(b.trim_ascii_start())
}

/// Where the text after each inner run of two or more spaces begins.
fn gap_ends(row: &[char]) -> Vec<usize> {
    let Some(first) = row.iter().position(|c| *c != ' ') else {
        return Vec::new();
    };
    let mut ends = Vec::new();
    let mut run = 0;
    for (x, &c) in row.iter().enumerate().skip(first) {
        if c == ' ' {
            run += 1;
        } else {
            if run >= 2 {
                ends.push(x);
            }
            run = 0;
        }
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::run_stages;
    use crate::Applicability;

    #[test]
    fn data_cases() {
        super::pages::check_data_cases("columns", true, |text| {
            run_stages(vec![Box::new(Columns)], Applicability::Safe, text).output
        });
    }

    fn clean(text: &str) -> String {
        run_stages(vec![Box::new(Columns)], Applicability::Safe, text).output
    }

    #[test]
    fn finds_two_spaces_in_a_row() {
        for (s, want) in [
            ("a  b", true),
            ("a b c", false),
            ("", false),
            (" ", false),
            ("ab  ", true),
        ] {
            assert_eq!(has_two_spaces(s.as_bytes()), want, "{s:?}");
        }
    }

    #[test]
    fn two_spaces_blockwise_agree_with_bytewise() {
        // Every placement of one or two spaces (adjacent or not) in lines of every length
        // around the block size, on both sides of block boundaries.
        for len in 0..40 {
            for i in 0..len {
                for j in i..len {
                    let mut line = vec![b'x'; len];
                    line[i] = b' ';
                    line[j] = b' ';
                    assert_eq!(
                        has_two_spaces(&line),
                        has_two_spaces_bytewise(&line),
                        "{:?}",
                        String::from_utf8_lossy(&line)
                    );
                }
            }
        }
        for s in [
            "  ",
            " x ",
            "a\t b",
            "word  ",
            " \u{a0} ",
            "é  é",
            "x x x x x x x x x x  ",
        ] {
            assert_eq!(
                has_two_spaces(s.as_bytes()),
                has_two_spaces_bytewise(s.as_bytes()),
                "{s:?}"
            );
        }
    }

    #[test]
    fn plain_text_is_not_layout() {
        assert!(!looks_like_layout("A paragraph.\n    indented code\n"));
        let centred = "                         Title\n".repeat(3);
        assert!(looks_like_layout(&centred));
    }

    #[test]
    fn a_line_counts_once_however_many_runs_it_has() {
        // Regression: each run of spaces used to search back to its line's start, which
        // made a long line without line breaks quadratic; the line is looked at once.
        let gappy = "word        ".repeat(1000);
        assert!(!looks_like_layout(&format!("{gappy}\n{gappy}\nplain\n")));
        assert!(looks_like_layout(&format!("{gappy}\n{gappy}\n\x0c{gappy}")));
    }

    /// What `looks_like_layout` counts, line by line: lines (split at line breaks and
    /// form feeds) pushed right by 20 spaces or holding 8 between words.
    fn looks_like_layout_line_by_line(text: &str) -> bool {
        let lines: Vec<&str> = text.split(['\n', '\x0c']).collect();
        let padded = lines
            .iter()
            .filter(|line| {
                let body = line.trim_matches(' ');
                let first = line.len() - line.trim_start_matches(' ').len();
                !body.is_empty() && (first >= 20 || body.contains("        "))
            })
            .count();
        padded >= 3 && padded * 100 >= lines.len()
    }

    #[test]
    fn layout_is_told_as_line_by_line() {
        const PIECES: [&str; 8] = [" ", "        ", "word", "\n", "\x0c", "é", "\t", "x"];
        let mut rng = crate::testing::XorShift(0xC01_D5EED_u64);
        let mut layout = 0;
        for _ in 0..3000 {
            let text: String = (0..rng.below(120))
                .map(|_| PIECES[rng.below(PIECES.len())].repeat(1 + rng.below(4)))
                .collect();
            assert_eq!(
                looks_like_layout(&text),
                looks_like_layout_line_by_line(&text),
                "{text:?}"
            );
            layout += usize::from(looks_like_layout(&text));
        }
        assert!(layout > 100, "{layout}");
    }

    #[test]
    fn a_page_without_gap_or_padding_is_told_by_its_bytes() {
        // Whenever `may_hold_layout` says no, no line of the page has a gap or padding:
        // skipping the page changes nothing. Spaces, tabs, carriage returns and form
        // feeds come single (mostly) and at line ends, where only the page test's line
        // end check catches them.
        const PIECES: [&str; 9] = [" ", "word", "\n", "\x0c", "é", "\t", "\r", "x", "  "];
        let mut rng = crate::testing::XorShift(0x9a6e_5eed);
        let (mut skipped, mut kept) = (0, 0);
        for _ in 0..20_000 {
            let page: String = (0..rng.below(24))
                .map(|_| {
                    // The double space (last) only one time in eight.
                    let rare_double = usize::from(rng.below(8) > 0);
                    PIECES[rng.below(PIECES.len() - rare_double)]
                })
                .collect();
            let any_line = page.split('\n').any(|l| has_gap(l) || has_padding(l));
            if may_hold_layout(page.as_bytes()) {
                kept += 1;
            } else {
                assert!(!any_line, "{page:?}");
                skipped += 1;
            }
        }
        assert!(skipped > 1000 && kept > 1000, "{skipped} {kept}");
    }

    #[test]
    fn collapse_keeps_indentation_and_drops_centring() {
        let row: Vec<char> = "   two  words  ".chars().collect();
        assert_eq!(collapse(&row, false), "   two words");
        assert_eq!(collapse(&row, true), "   two  words");
        let row: Vec<char> = "            Title      3".chars().collect();
        assert_eq!(collapse(&row, false), "Title 3");
    }

    #[test]
    fn comments_aligned_after_code_are_not_a_column() {
        let code = [
            ("let total = values.iter().sum::<u64>();", "// the sum"),
            ("let count = values.len() as u64;", "// how many"),
            ("let mean = total / count.max(1);", "// no zero"),
            ("let spread = max_of(values) - min_of(values);", "// range"),
            ("println!(\"{mean} {spread}\");", "// report"),
            ("let rest = values.split_off(count / 2);", "// halves"),
            ("let first = values.first().copied();", "// maybe"),
            ("let last = rest.last().copied();", "// maybe"),
        ];
        let mut text = String::new();
        for _ in 0..3 {
            text.push_str(&format!("{:>40}\n\n", "Listing"));
            for (line, comment) in code {
                text.push_str(&format!("    {line:<48}{comment}\n"));
            }
            text.push('\x0c');
        }
        // Not unwoven, and the alignment (content) kept; the centring of the title goes.
        let out = clean(&text);
        assert!(out.starts_with("Listing\n\n    let total = values.iter().sum::<u64>();         // the sum\n    let count"), "{out}");
    }

    #[test]
    fn aligned_gaps_are_content() {
        let text = "                         Manual\n                         Manual\n                         Manual\n-a        all\n-b        brief\nplain  gap here\n";
        let out = clean(text);
        assert!(out.contains("-a        all\n-b        brief\n"), "{out}");
        assert!(out.contains("plain gap here"), "{out}");
        assert!(out.starts_with("Manual\n"), "{out}");
    }
}
