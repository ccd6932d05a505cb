//! Layout pass: page furniture — running headers, running footers and page numbers.
//!
//! Typeset pages carry lines that are not part of the text: a running title at the top,
//! a page number at the bottom, sometimes both on one line. Extractors emit them in the
//! middle of the text, once per page, where they split sentences and paragraphs.
//!
//! Furniture is recognised by *recurrence at page edges*, never by its wording: a line
//! among the first or last [`EDGE`] non-blank lines of a page whose key (digits, spacing
//! and case normalised, see [`pages::line_key`]) recurs at the edges of other pages, and
//! a bare page number at a page edge. Pages come from [`pages`]: form feeds, or inferred.
//!
//! Whole lines are deleted with their line break. Form feeds stay: the reflow pass reads
//! them as page breaks to rejoin paragraphs split across pages.

use std::collections::{HashMap, HashSet};

use smallvec::SmallVec;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

use super::pages::{self, KeyMap, KeySet, Line};

const RUNNING_HEADER: RuleId = RuleId::from_static("layout.running-header");
const RUNNING_FOOTER: RuleId = RuleId::from_static("layout.running-footer");
const PAGE_NUMBER: RuleId = RuleId::from_static("layout.page-number");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "layout.running-header",
        "layout",
        Applicability::Safe,
        "Delete a running header: a line recurring at the top of pages.",
        "A line among the first three non-blank lines of a page is a running header when the \
         same line (digits, spacing and case aside, or within a small edit distance) opens \
         other pages too. The line is deleted with its line break; a form feed after it stays.\n\n\
         Safe when the line recurs exactly on three or more pages and always at the top; \
         Review when it recurs on only two pages, also appears at page bottoms, or matches \
         only approximately (OCR). A line that occurs once is never deleted.\n\n\
         On the first page the occurrence is kept as the document's title when the running \
         copies on later pages carry a page number and the first one does not: a title set \
         above the text, not a running head.\n\n\
         Example: `GNU make manual page   3` opening pages 1 to 5 (with 1 … 5) is deleted \
         on every page.",
    ),
    RuleInfo::builtin(
        "layout.running-footer",
        "layout",
        Applicability::Safe,
        "Delete a running footer: a line recurring at the bottom of pages.",
        "The mirror of layout.running-header for the last three non-blank lines of a page: \
         a copyright line, a document title or a chapter name set at the foot of every page. \
         Safe and Review as for headers.\n\n\
         Example: `Company Confidential — 12` closing every page is deleted.",
    ),
    RuleInfo::builtin(
        "layout.page-number",
        "layout",
        Applicability::Safe,
        "Delete a bare page number at the top or bottom of a page.",
        "A line that is nothing but a page number — `9`, `- 9 -`, `[9]`, `Page 9`, \
         `Page 9 of 40`, `9 of 40`, `9/40`, a roman numeral — among the first or last three \
         non-blank lines of a page. Safe when the numbers count up with the pages (another \
         page's number differs by as much as the pages do; numbers missing on some pages \
         are allowed); Review for a lone number that fits no \
         sequence, which may be content (an exit status, a list item).\n\n\
         A decorated number glued to the end of a page's last line (`…the Package \
         Rela—4—`, where the extractor ran the folio into the text) is deleted, Safe, when \
         it is written as the document's other page numbers are and counts up with them; \
         a number with a label only before it (`Page 4`), which ends many a sentence, only \
         where the label is run into a word (`…The interPage 1`). \
         A bare number is taken off a line only where every cue agrees: three or more \
         pages end in their bare number in one sequence, this page has none, its last \
         line ends in exactly the number the sequence gives it right after a letter \
         (`…the recruit4`) or after a letter and a space with the next page going on in \
         lower case (`…URI com 5` ⏎ `ponent`). Extractors that do this take the \
         line-end hyphen of a broken word along (`imple-⏎-1-` comes out `imple-1-`), so \
         after a letter the number is replaced by a hyphen that the reflow pass joins or \
         keeps on its evidence.\n\n\
         Example: `- 2 -` at the bottom of page 2 and `- 3 -` at the bottom of page 3 are \
         deleted; a `3` in the middle of a page is not a candidate.",
    ),
];

/// How many non-blank lines at the top and at the bottom of a page count as its edge.
/// Three, because pdfminer sometimes emits a line of the body before the number.
const EDGE: usize = 3;

/// Running lines are short.
const MAX_RUNNING_LINE: usize = 120;

/// The furniture pass.
pub(crate) struct Furniture;

impl Stage for Furniture {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, _cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        for fix in furniture(text, &doc.lines(), &doc.pages(), true) {
            out.push(fix);
        }
    }
}

/// The lines the furniture pass deletes (whole lines with their line breaks, Safe fixes
/// only), sorted: what the footnotes pass, which runs first, must look past at page
/// edges. `lines` and `pages` are the text's [`pages::all_lines`] and [`pages::pages`].
pub(crate) fn furniture_lines(text: &str, lines: &[Line], pages: &[pages::Page]) -> Vec<Span> {
    let mut spans: Vec<Span> = furniture(text, lines, pages, false)
        .into_iter()
        .filter(|f| f.applicability == Applicability::Safe)
        .flat_map(|f| f.edits.into_iter().map(|e| e.span))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    spans
}

/// A line at a page edge.
#[derive(Clone, Copy, Debug)]
struct EdgeLine {
    page: usize,
    line: Line,
    /// Rank among the page's first non-blank lines (0 = first), if among the first [`EDGE`].
    top: Option<usize>,
    /// Rank among the page's last non-blank lines (0 = last), if among the last [`EDGE`].
    bottom: Option<usize>,
}

/// Which edge of its page a line is at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Top,
    Bottom,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Top => "top",
            Side::Bottom => "bottom",
        }
    }
}

impl EdgeLine {
    /// The nearer edge (a line of a short page may be near both).
    fn side(&self) -> Side {
        match (self.top, self.bottom) {
            (Some(t), Some(b)) if b < t => Side::Bottom,
            (Some(_), _) => Side::Top,
            _ => Side::Bottom,
        }
    }

    /// Distance from the nearer edge in non-blank lines (0 = the outermost line).
    fn rank(&self) -> usize {
        self.top
            .into_iter()
            .chain(self.bottom)
            .min()
            .unwrap_or(EDGE)
    }
}

/// The fixes deleting the furniture of `text`, whose lines are `lines` and pages `pages`. Without
/// `explain`, the running lines' fixes carry no message ([`furniture_lines`] reads only
/// the spans, and there are as many of them as pages).
fn furniture(text: &str, lines: &[Line], pages: &[pages::Page], explain: bool) -> Vec<Fix> {
    let (edges, interiors) = edge_lines(text, lines, pages);
    let mut fixes = Vec::new();
    let numbered_pages = page_numbers(text, &edges, explain, &mut fixes);
    glued_page_numbers(text, &edges, &numbered_pages, &mut fixes);
    let mut with_text: Vec<usize> = edges.iter().map(|e| e.page).collect();
    with_text.dedup();
    if with_text.len() >= 2 {
        running_lines(
            text,
            &interiors,
            &edges,
            &numbered_pages,
            with_text.len(),
            explain,
            &mut fixes,
        );
    }
    run_in_bare_page_numbers(text, &edges, &numbered_pages, &mut fixes);
    absorb_blank_lines_at_the_start(text, &mut fixes);
    fixes
}

/// Furniture removed from the top of the text takes the blank lines after it along.
///
/// A first page that opens with a running title and a page number leaves, once they
/// are gone, the blank lines that separated them from the text: output that starts with
/// empty lines. Elsewhere the blank lines around removed furniture are paragraph breaks
/// for reflow to judge, but before the first line of text they separate nothing. Blank
/// lines the input itself starts with are the author's and stay.
fn absorb_blank_lines_at_the_start(text: &str, fixes: &mut [Fix]) {
    let mut at = text.len() - text.trim_start().len();
    while let Some(fix) = fixes
        .iter_mut()
        .find(|f| f.edits.len() == 1 && f.edits[0].span.start == at)
    {
        let edit = &mut fix.edits[0];
        let mut end = edit.span.end;
        while let Some(line_len) = text[end..].find('\n').map(|n| n + 1) {
            if !text[end..end + line_len].trim().is_empty() {
                break;
            }
            end += line_len;
        }
        edit.span = Span::new(edit.span.start, end);
        at = end;
    }
}

/// The first and last [`EDGE`] non-blank lines of every page, and each page's interior:
/// the lines between them, which hold its other non-blank lines. `lines` are the
/// text's [`pages::all_lines`].
///
/// A page is read from its two ends: its interior is read only by [`inside_pages`], and
/// only when some line recurs at page edges.
fn edge_lines<'a>(
    text: &str,
    lines: &'a [Line],
    pages: &[pages::Page],
) -> (Vec<EdgeLine>, Vec<&'a [Line]>) {
    let mut edges = Vec::new();
    let mut interiors = Vec::with_capacity(pages.len());
    let (mut top, mut bottom) = (Vec::with_capacity(EDGE), Vec::with_capacity(EDGE));
    for (page, p) in pages.iter().enumerate() {
        top.clear();
        top.extend(
            pages::lines_within(lines, p.span)
                .filter(|l| !l.is_blank(text))
                .take(EDGE),
        );
        bottom.clear();
        bottom.extend(
            pages::lines_within(lines, p.span)
                .rev()
                .filter(|l| !l.is_blank(text))
                .take(EDGE),
        );
        let edge = |line, top, bottom| EdgeLine {
            page,
            line,
            top,
            bottom,
        };
        match (top.last(), bottom.last()) {
            // More than 2 × EDGE non-blank lines, or exactly: the two ends are apart.
            (Some(t), Some(b)) if top.len() == EDGE && b.span.start > t.span.start => {
                edges.extend(top.iter().enumerate().map(|(i, &l)| edge(l, Some(i), None)));
                edges.extend(
                    bottom
                        .iter()
                        .enumerate()
                        .rev()
                        .map(|(i, &l)| edge(l, None, Some(i))),
                );
                // From one line's start to another's: whole lines of the text.
                interiors
                    .push(&lines[pages::lines_meeting(lines, Span::new(t.full.end, b.full.start))]);
            }
            // Fewer: the two ends hold every non-blank line of the page between them.
            (last_top, _) => {
                let after_top = last_top.map_or(p.span.start, |t| t.span.start);
                let rest = bottom.iter().rev().filter(|b| b.span.start > after_top);
                let all: Vec<Line> = top.iter().chain(rest).copied().collect();
                let n = all.len();
                edges.extend(all.into_iter().enumerate().map(|(i, l)| {
                    let top = (i < EDGE).then_some(i);
                    let bottom = (n - 1 - i < EDGE).then_some(n - 1 - i);
                    edge(l, top, bottom)
                }));
                interiors.push(&[]);
            }
        }
    }
    (edges, interiors)
}

/// True when `s` holds at least `n` alphabetic characters; ASCII is read byte by byte,
/// and the count stops at `n`.
fn has_letters(s: &str, n: usize) -> bool {
    if s.is_ascii() {
        return s.bytes().filter(u8::is_ascii_alphabetic).take(n).count() == n;
    }
    s.chars().filter(|c| c.is_alphabetic()).take(n).count() == n
}

/// Which of `keys` occur on lines inside pages (not at their edges): in the pages'
/// `interiors` ([`edge_lines`]). `edge_keys` are the edge lines' [`pages::line_key`]s, for
/// the candidates to running lines.
fn inside_pages(
    text: &str,
    interiors: &[&[Line]],
    edges: &[EdgeLine],
    edge_keys: &[Option<u64>],
    keys: &KeySet,
) -> KeySet {
    // The edge lines in the clusters hold every key searched for.
    let search = pages::KeySearch::new(edges.iter().zip(edge_keys).filter_map(|(e, key)| {
        key.filter(|k| keys.contains(k))
            .map(|k| (e.line.trimmed(text), k))
    }));
    let mut found = KeySet::default();
    for &interior in interiors {
        for line in interior {
            if line.span.len() > MAX_RUNNING_LINE * 2 {
                continue;
            }
            let Some(lead) = line.lead(text) else {
                continue;
            };
            if !search.may_match(lead) {
                continue;
            }
            if let Some(key) = search.find(lead) {
                found.insert(key);
            }
        }
    }
    found
}

/// Proposes deleting bare page numbers at page edges; returns, for each edge line, whether
/// it is a page number that counts up with its neighbours (used to tell running heads
/// that carry the page's number). Without `explain`, the fixes carry no message.
fn page_numbers(text: &str, edges: &[EdgeLine], explain: bool, fixes: &mut Vec<Fix>) -> Vec<bool> {
    let candidates: Vec<(usize, usize, pages::PageNumber)> = edges
        .iter()
        .enumerate()
        .filter_map(|(i, e)| pages::page_number(e.line.trimmed(text)).map(|p| (i, e.page, p)))
        .collect();
    // In sequence: another page's number is as far from this one as the pages are —
    // the same number minus page index — so numbers missing on some pages (a full-page
    // figure, a chapter opening, an extractor that dropped them) do not matter.
    let mut offsets: HashMap<i64, usize> = HashMap::new();
    let offset = |page: usize, value: u32| i64::from(value) - page as i64;
    for &(_, page, n) in &candidates {
        *offsets.entry(offset(page, n.value)).or_default() += 1;
    }
    let in_sequence: Vec<bool> = candidates
        .iter()
        .map(|&(_, page, n)| offsets[&offset(page, n.value)] >= 2)
        .collect();
    let mut counted = vec![false; edges.len()];
    let explained = |fix: Fix, message: &dyn Fn() -> String| {
        if explain {
            fix.with_message(message())
        } else {
            fix
        }
    };
    for (&(i, _, number), &ok) in candidates.iter().zip(&in_sequence) {
        let e = &edges[i];
        let shown = e.line.trimmed(text);
        let value = number.value;
        let (side, page) = (e.side().as_str(), e.page + 1);
        let fix = if number.decorated && e.rank() == 0 && !ok {
            explained(
                Fix::new(PAGE_NUMBER, Applicability::Safe).with_confidence(0.9),
                &|| format!("{shown:?} at the {side} of page {page} can only be a page number"),
            )
        } else if ok {
            counted[i] = true;
            explained(
                Fix::new(PAGE_NUMBER, Applicability::Safe).with_confidence(0.95),
                &|| {
                    format!(
                    "page number {shown:?} ({value}) at the {side} of page {page}, in sequence with its neighbours"
                )
                },
            )
        } else if e.rank() < 2 {
            explained(
                Fix::new(PAGE_NUMBER, Applicability::Review).with_confidence(0.6),
                &|| {
                    format!(
                    "{shown:?} alone at the {side} of page {page} looks like a page number, but fits no sequence"
                )
                },
            )
        } else {
            continue;
        };
        fixes.push(fix.with_edit(Edit::delete(e.line.full)));
    }
    counted
}

/// Proposes deleting page numbers glued to the end of a page's last line (`…Rela—4—`,
/// `…The interPage 1`): only numbers decorated as the document's page numbers on lines
/// of their own are (`—1—`, `—2—`; `Page 2`, `Page 3`) and in sequence with them, so
/// that no number that is text is taken off a line. A number with a label before it and
/// nothing after (`Page 4`) ends many a sentence (`see Page 4`): it is taken only where
/// the label is run into a word (`interPage 1`), as no text writes it.
fn glued_page_numbers(text: &str, edges: &[EdgeLine], counted: &[bool], fixes: &mut Vec<Fix>) {
    // The decorations around the page numbers that stand alone at a page edge (`—`,
    // `—`), each one's offset (number minus page index), and whether it is a label
    // before the number alone (`Page `).
    let mut styles: Vec<(&str, &str, i64, bool)> = Vec::new();
    for (e, &c) in edges.iter().zip(counted) {
        let shown = e.line.trimmed(text);
        if !c && (e.rank() > 0 || !pages::page_number(shown).is_some_and(|n| n.decorated)) {
            continue;
        }
        let Some(start) = shown.find(|c: char| c.is_ascii_digit()) else {
            continue;
        };
        let end = start
            + shown[start..]
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
        let (before, after) = (&shown[..start], &shown[end..]);
        // Marks on both sides (`—4—`, `[4]`), or a label before (`Page 4`): a bare `4`
        // at the end of a line can as well be the text's.
        let labelled = after.is_empty() && before.starts_with(char::is_alphabetic);
        if before.trim().is_empty() || (after.trim().is_empty() && !labelled) {
            continue;
        }
        let Ok(value) = shown[start..end].parse::<i64>() else {
            continue;
        };
        styles.push((before, after, value - e.page as i64, labelled));
    }
    for e in edges.iter().filter(|e| e.bottom == Some(0)) {
        let shown = e.line.trimmed(text);
        for &(before, after, offset, labelled) in &styles {
            let Some(rest) = shown.strip_suffix(after) else {
                continue;
            };
            let digits = rest.bytes().rev().take_while(u8::is_ascii_digit).count();
            let Some(body) = rest[..rest.len() - digits].strip_suffix(before) else {
                continue;
            };
            let value: Option<i64> = rest[rest.len() - digits..].parse().ok();
            // Text before the number, and the number the page should have.
            if digits == 0
                || body.trim().is_empty()
                || value.map(|v| v - e.page as i64) != Some(offset)
                || (labelled && !body.ends_with(char::is_alphabetic))
            {
                continue;
            }
            let end = e.line.span.start + text[e.line.span.range()].trim_end().len();
            let start = end - (shown.len() - body.len());
            // An extractor that runs the folio into the line has taken the line-end
            // hyphen of a broken word with it (`imple-⏎-1-` → `imple-1-`): a word cut
            // off before the folio gets its hyphen back, for the reflow pass to judge.
            let (replacement, hyphen) = if body.ends_with(char::is_alphabetic) {
                ("-", "; the hyphen of the word broken before it goes back")
            } else {
                ("", "")
            };
            fixes.push(
                Fix::single(
                    PAGE_NUMBER,
                    Applicability::Safe,
                    Edit::new(Span::new(start, end), replacement),
                )
                .with_confidence(0.9)
                .with_message(format!(
                    "page number {:?} glued to the last line of page {}, written as the other page numbers and in sequence with them{hyphen}",
                    &text[start..end],
                    e.page + 1
                )),
            );
            break;
        }
    }
}

/// Proposes deleting a bare page number run into the end of a page's last line, where
/// a word broken at the page end lost its hyphen to it (`…the recruit4`, `…URI com 5`).
///
/// Plain `pdftotext` on LibreOffice PDFs prints most folios as a line of their own at
/// the foot of the page (`1`, `2`, `3`), but on a page that ends in a hyphenated word
/// it drops the hyphen and runs the folio into the word, glued or after a space. A
/// bare number is text far more often than a decorated one, so every cue must agree:
/// at least three pages end in a bare folio in one sequence; this page has none; its
/// last line ends in exactly the number the sequence gives it, right after a letter;
/// and, where a space stands between, the next page goes on in lower case (the rest
/// of the word). The hyphen goes back (`recruit-`), for the reflow pass to judge the
/// word on its usual evidence.
fn run_in_bare_page_numbers(
    text: &str,
    edges: &[EdgeLine],
    counted: &[bool],
    fixes: &mut Vec<Fix>,
) {
    /// Pages with a bare folio of their own that make a sequence.
    const MIN_FOLIOS: usize = 3;
    let mut offsets: Vec<(i64, usize)> = Vec::new();
    let mut numbered = Vec::new();
    for (e, _) in edges.iter().zip(counted).filter(|&(_, &c)| c) {
        numbered.push(e.page);
        let shown = e.line.trimmed(text);
        if e.bottom != Some(0) || !shown.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(value) = shown.parse::<i64>() else {
            continue;
        };
        let offset = value - e.page as i64;
        match offsets.iter_mut().find(|(o, _)| *o == offset) {
            Some((_, n)) => *n += 1,
            None => offsets.push((offset, 1)),
        }
    }
    let Some(&(offset, folios)) = offsets.iter().max_by_key(|&&(_, n)| n) else {
        return;
    };
    if folios < MIN_FOLIOS {
        return;
    }
    let deleted = |span: Span| {
        fixes
            .iter()
            .flat_map(|f| &f.edits)
            .any(|e| e.span.start <= span.start && span.end <= e.span.end)
    };
    let touched = |span: Span| {
        fixes
            .iter()
            .flat_map(|f| &f.edits)
            .any(|e| e.span.start < span.end && span.start < e.span.end)
    };
    let mut found = Vec::new();
    for (k, e) in edges.iter().enumerate() {
        // (`numbered` is in page order.)
        if e.bottom != Some(0) || numbered.binary_search(&e.page).is_ok() {
            continue;
        }
        let shown = e.line.trimmed(text);
        let digits = shown.bytes().rev().take_while(u8::is_ascii_digit).count();
        let body = &shown[..shown.len() - digits];
        let expected = e.page as i64 + offset;
        // The fixes are searched last: few lines end in the expected number.
        if digits == 0
            || shown[body.len()..].parse::<i64>().ok() != Some(expected)
            || touched(e.line.span)
        {
            continue;
        }
        let word = body.trim_end_matches(' ');
        let spaced = match body.len() - word.len() {
            _ if !word.ends_with(char::is_alphabetic) => continue,
            0 => false,
            1 => true,
            _ => continue,
        };
        // After a space the number could close a sentence (`see chapter 5`): only
        // the rest of a word on the next page shows that a word was broken.
        if spaced {
            let next = edges[k + 1..]
                .iter()
                .filter(|n| n.page == e.page + 1 && n.top.is_some() && !deleted(n.line.span))
                .min_by_key(|n| n.top);
            if !next.is_some_and(|n| n.line.trimmed(text).starts_with(|c: char| c.is_lowercase())) {
                continue;
            }
        }
        let end = e.line.span.start + text[e.line.span.range()].trim_end().len();
        let start = end - (shown.len() - word.len());
        found.push(
            Fix::single(PAGE_NUMBER, Applicability::Safe, Edit::new(Span::new(start, end), "-"))
                .with_confidence(0.85)
                .with_message(format!(
                    "page number {:?} run into the last line of page {}, where {folios} pages end in their bare number in sequence and this one has none; the hyphen of the word broken before it goes back",
                    text[start..end].trim(),
                    e.page + 1
                )),
        );
    }
    fixes.extend(found);
}

/// A group of edge lines sharing a key.
#[derive(Default)]
struct Cluster {
    /// Indices into the edge lines, exact key matches. Most keys are a single line's (a
    /// page's first line of text, say): they are held without an allocation.
    exact: SmallVec<[usize; 2]>,
    /// Indices of approximate matches (OCR errors).
    fuzzy: Vec<usize>,
}

/// Proposes deleting running headers and footers.
fn running_lines(
    text: &str,
    interiors: &[&[Line]],
    edges: &[EdgeLine],
    numbered: &[bool],
    page_count: usize,
    explain: bool,
    fixes: &mut Vec<Fix>,
) {
    // Each candidate edge line is keyed once, for the clusters and for the search
    // inside pages; the others are in no cluster, and are not keyed.
    let edge_keys: Vec<Option<u64>> = edges
        .iter()
        .map(|e| {
            let s = e.line.trimmed(text);
            let candidate =
                s.len() <= MAX_RUNNING_LINE && has_letters(s, 4) && pages::page_number(s).is_none();
            candidate.then(|| pages::line_key(s))
        })
        .collect();
    let mut clusters: KeyMap<Cluster> = KeyMap::default();
    for (i, key) in edge_keys.iter().enumerate() {
        if let Some(key) = key {
            clusters.entry(*key).or_default().exact.push(i);
        }
    }
    attach_fuzzy_matches(text, edges, &mut clusters);
    clusters.retain(|_, c| {
        let first = edges[c.exact[0]].page;
        c.exact
            .iter()
            .chain(&c.fuzzy)
            .any(|&i| edges[i].page != first)
    });
    if clusters.is_empty() {
        return;
    }
    let interior = inside_pages(
        text,
        interiors,
        edges,
        &edge_keys,
        &clusters.keys().copied().collect(),
    );

    // Where the counted page numbers are, found once for every cluster that asks.
    let numbered_at = std::cell::OnceCell::new();
    let mut keys: Vec<u64> = clusters.keys().copied().collect();
    keys.sort_unstable_by_key(|k| clusters[k].exact[0]);
    for key in keys {
        let cluster = &clusters[&key];
        let members: Vec<usize> = cluster
            .exact
            .iter()
            .chain(&cluster.fuzzy)
            .copied()
            .collect();
        let pages_of = |ids: &[usize]| {
            let mut p: Vec<usize> = ids.iter().map(|&i| edges[i].page).collect();
            p.sort_unstable();
            p.dedup();
            p.len()
        };
        let page_total = pages_of(&members);
        if page_total < 2 {
            continue;
        }
        let exact_pages = pages_of(&cluster.exact);
        let tops = members
            .iter()
            .filter(|&&i| edges[i].side() == Side::Top)
            .count();
        let bottoms = members.len() - tops;
        let header = tops >= bottoms;
        let one_side = tops == 0 || bottoms == 0;
        // Twice in a two-page document is strong too when it is the same line at the
        // same place on every page.
        let same_place = cluster
            .exact
            .iter()
            .all(|&i| edges[i].rank() == edges[cluster.exact[0]].rank() && edges[i].rank() <= 1);
        // A line that also occurs inside a page is content that happens to recur; it is
        // only proposed, and only when it recurs at page edges often.
        let inside = interior.contains(&key);
        if inside && exact_pages < 3 {
            continue;
        }
        // Numbers in running heads are page numbers: they keep step with the pages. Lines
        // whose numbers do not (`Chapter 3` opening the page a chapter begins on) are
        // headings, only proposed.
        let pages_in_step = numbers_keep_step(text, edges, &cluster.exact);
        let strong = !inside
            && one_side
            && pages_in_step
            && (exact_pages >= 3 || (exact_pages == page_count && same_place));

        let keep_title = title_on_first_page(text, edges, numbered, &numbered_at, &members);
        let (rule, where_) = if header {
            (RUNNING_HEADER, "top")
        } else {
            (RUNNING_FOOTER, "bottom")
        };
        let shown = edges[cluster.exact[0]].line.trimmed(text);
        let tagged = cluster
            .exact
            .iter()
            .map(|&i| (i, true))
            .chain(cluster.fuzzy.iter().map(|&i| (i, false)));
        for (i, exact) in tagged {
            if Some(i) == keep_title {
                continue;
            }
            let (app, confidence) = if strong && exact {
                (Applicability::Safe, 0.95)
            } else {
                (Applicability::Review, 0.7)
            };
            let e = &edges[i];
            let how = if exact { "recurs" } else { "nearly recurs" };
            let fix = Fix::new(rule.clone(), app)
                .with_edit(Edit::delete(e.line.full))
                .with_confidence(confidence);
            fixes.push(if explain {
                fix.with_message(format!(
                    "{shown:?} {how} at the {where_} of {page_total} of {page_count} pages (here page {})",
                    e.page + 1
                ))
            } else {
                fix
            });
        }
    }
}

/// The first-page occurrence to keep as the document's title, if any: when at least two
/// thirds of the later occurrences carry the page's number (within the line, where the
/// number changes from page to page, or as a counted page number next to it) and the
/// first-page one does not, it is a title set above the text rather than a running head.
/// False when the lines carry numbers that change from line to line without keeping step
/// with their pages (number minus page index the same for two thirds of them).
fn numbers_keep_step(text: &str, edges: &[EdgeLine], members: &[usize]) -> bool {
    let numbers: Vec<(usize, u32)> = members
        .iter()
        .filter_map(|&i| pages::running_number(edges[i].line.trimmed(text)).map(|n| (i, n)))
        .collect();
    let Some(&(_, first)) = numbers.first() else {
        return true;
    };
    if numbers.iter().all(|&(_, n)| n == first) {
        return true;
    }
    let mut offsets: HashMap<i64, usize> = HashMap::new();
    for &(i, n) in &numbers {
        *offsets
            .entry(i64::from(n) - edges[i].page as i64)
            .or_default() += 1;
    }
    let best = offsets.values().copied().max().unwrap_or(0);
    best * 3 >= numbers.len() * 2
}

/// `numbered_at` holds (once asked for) the page, side and rank of the edge lines that
/// are `numbered`.
fn title_on_first_page(
    text: &str,
    edges: &[EdgeLine],
    numbered: &[bool],
    numbered_at: &std::cell::OnceCell<HashSet<(usize, Side, usize)>>,
    members: &[usize],
) -> Option<usize> {
    let first = *members.iter().find(|&&i| edges[i].page == 0)?;
    let trailing: Vec<Option<u32>> = members
        .iter()
        .map(|&i| pages::running_number(edges[i].line.trimmed(text)))
        .collect();
    let mut numbers = trailing.iter().flatten();
    let numbers_vary = numbers
        .next()
        .is_some_and(|first| numbers.any(|n| n != first));
    let numbered_at = numbered_at.get_or_init(|| {
        edges
            .iter()
            .zip(numbered)
            .filter(|(_, &n)| n)
            .map(|(f, _)| (f.page, f.side(), f.rank()))
            .collect()
    });
    let carries = |at: usize| {
        let e = &edges[members[at]];
        (numbers_vary && trailing[at].is_some())
            || [e.rank().wrapping_sub(1), e.rank() + 1]
                .iter()
                .any(|&r| numbered_at.contains(&(e.page, e.side(), r)))
    };
    let later: Vec<usize> = (0..members.len())
        .filter(|&at| edges[members[at]].page != 0)
        .collect();
    let carrying = later.iter().filter(|&&at| carries(at)).count();
    let first_at = members.iter().position(|&i| i == first)?;
    (carrying * 3 >= later.len() * 2 && !later.is_empty() && !carries(first_at)).then_some(first)
}

/// Attaches edge lines whose key occurs once to a recurring cluster they nearly match
/// (edit distance at most one in ten characters): running heads misread by OCR.
fn attach_fuzzy_matches(text: &str, edges: &[EdgeLine], clusters: &mut KeyMap<Cluster>) {
    // Only clusters already recurring on three or more edges, and at most a few of them:
    // the pass stays linear in the number of pages.
    let mut strong: Vec<(u64, String)> = clusters
        .iter()
        .filter(|(_, c)| c.exact.len() >= 3)
        .map(|(&k, c)| (k, normalise(edges[c.exact[0]].line.trimmed(text))))
        .collect();
    strong.sort_by_key(|(k, _)| std::cmp::Reverse(clusters[k].exact.len()));
    strong.truncate(8);
    if strong.is_empty() {
        return;
    }
    let singles: Vec<u64> = clusters
        .iter()
        .filter(|(_, c)| c.exact.len() == 1)
        .map(|(&k, _)| k)
        .collect();
    // Normalising only shortens a line (it collapses spaces and digits), so a line much
    // shorter than every candidate, or far longer, cannot match one.
    let shortest = strong.iter().map(|(_, r)| r.len()).min().unwrap_or(0);
    let longest = strong.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
    // Nor can a normalised line longer than `cap`: its length `n` is more than ten
    // ninths of `longest` and more than two above it, so it is more than `n / 10` (and
    // more than one) longer than every candidate. A line is normalised only that far.
    let cap = longest + longest / 9 + 2;
    for key in singles {
        let i = clusters[&key].exact[0];
        let raw = edges[i].line.trimmed(text);
        if raw.len() + shortest / 10 + 1 < shortest || raw.len() > 4 * longest {
            continue;
        }
        let Some(s) = normalise_within(raw, cap) else {
            continue;
        };
        let found = strong.iter().find(|(_, rep)| {
            let limit = (rep.len().max(s.len()) / 10).max(1);
            rep.len().abs_diff(s.len()) <= limit && within_distance(rep, &s, limit)
        });
        if let Some(&(target, _)) = found {
            clusters.remove(&key);
            clusters.get_mut(&target).expect("strong key").fuzzy.push(i);
        }
    }
    for c in clusters.values_mut() {
        c.fuzzy.sort_unstable();
    }
}

/// The text [`pages::line_key`] hashes.
fn normalise(s: &str) -> String {
    normalise_within(s, usize::MAX).expect("no normalised line is longer than usize::MAX")
}

/// [`normalise`]`(s)` when it is at most `cap` bytes long, else `None`: normalising
/// only appends, so it stops once the text is longer.
fn normalise_within(s: &str, cap: usize) -> Option<String> {
    let s = s.trim();
    if !s.is_ascii() {
        return normalise_chars(s, cap);
    }
    // An ASCII line, byte by byte: each byte is a character, and the output is ASCII
    // too, its last character the last byte written (`last`, at first a byte that is
    // neither `#` nor a space).
    let mut out = Vec::with_capacity(s.len().min(cap.saturating_add(1)));
    let mut last = 0;
    for &b in s.as_bytes() {
        let m = NORMAL_ASCII[usize::from(b)];
        if m == last && (m == b'#' || m == b' ') {
            continue;
        }
        out.push(m);
        last = m;
        if out.len() > cap {
            return None;
        }
    }
    Some(String::from_utf8(out).expect("ASCII in, ASCII out"))
}

/// How [`normalise_chars`] writes each ASCII character: a digit as `#`, white space (by
/// `char::is_whitespace`, which is [`pages::is_ascii_space`]) as a space, a letter in
/// lower case, anything else as it is. Read a byte at a time for ASCII lines.
static NORMAL_ASCII: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if c.is_ascii_digit() {
            b'#'
        } else if pages::is_ascii_space(c) {
            b' '
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    table
};

/// [`normalise_within`], a character at a time: for lines that are not ASCII.
fn normalise_chars(s: &str, cap: usize) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = if c.is_ascii_digit() {
            '#'
        } else if c.is_whitespace() {
            ' '
        } else {
            c.to_ascii_lowercase()
        };
        if (c == '#' || c == ' ') && out.ends_with(c) {
            continue;
        }
        out.push(c);
        if out.len() > cap {
            return None;
        }
    }
    Some(out)
}

/// True when the Levenshtein distance between `a` and `b` (in chars) is at most `limit`.
fn within_distance(a: &str, b: &str, limit: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        if cur.iter().min().copied().unwrap_or(0) > limit {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= limit
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::run_stages;
    use crate::Applicability;

    /// ASCII lines normalised byte by byte are the lines normalised a character at a
    /// time, and both give up exactly when the result is longer than the cap: on random
    /// runs of letters, digits, `#`, punctuation, every kind of ASCII
    /// white space (the vertical tab among them) and a separator that
    /// `char::is_whitespace` does not count (`\u{1c}`).
    #[test]
    fn ascii_lines_normalise_as_characters_do() {
        const PIECES: [&str; 14] = [
            "Word", "page", "12", "7", " ", "  ", "\t", "\u{b}", "\u{c}", "\r", "\u{1c}", "#", "-",
            ".,",
        ];
        let mut rng = crate::testing::XorShift(0xA076_1D64_78BD_642F);
        for _ in 0..5_000 {
            let line: String = (0..rng.below(12))
                .map(|_| PIECES[rng.below(PIECES.len())])
                .collect();
            let whole = normalise(&line);
            assert_eq!(
                Some(whole.clone()),
                normalise_chars(&line, usize::MAX),
                "{line:?}"
            );
            // Given up exactly when longer than the cap.
            let cap = rng.below(whole.len() + 2);
            let within = (whole.len() <= cap).then_some(whole);
            assert_eq!(normalise_within(&line, cap), within, "{line:?} {cap}");
            assert_eq!(normalise_chars(&line, cap), within, "{line:?} {cap}");
        }
    }

    #[test]
    fn data_cases() {
        super::pages::check_data_cases("furniture", true, |text| {
            run_stages(vec![Box::new(Furniture)], Applicability::Safe, text).output
        });
    }

    fn clean(text: &str) -> String {
        run_stages(vec![Box::new(Furniture)], Applicability::Safe, text).output
    }

    /// Six distinct lines of prose (body lines must not share a key).
    fn body(page: usize) -> String {
        const WORDS: [&str; 8] = [
            "alpha", "bravo", "cocoa", "delta", "ember", "fjord", "gamma", "hotel",
        ];
        (0..6)
            .map(|i| {
                format!(
                    "The {} and the {} went on.\n",
                    WORDS[(page + i) % 8],
                    WORDS[(page * 3 + i * 5) % 8].repeat(i + 1)
                )
            })
            .collect()
    }

    #[test]
    fn has_letters_counts_letters_in_any_script() {
        assert!(has_letters("Page", 4));
        assert!(!has_letters("- 12 -", 4));
        assert!(!has_letters("ab1c", 4));
        assert!(has_letters("a1b2c3d4", 4));
        assert!(has_letters("Œuvre", 4));
        assert!(!has_letters("Éta 9", 4));
        assert!(has_letters("Глава 3", 4));
        assert!(!has_letters("§ 1.2", 1));
    }

    /// The footnotes pass sees the same lines deleted as the furniture pass deletes
    /// Safe, whether or not the fixes are explained.
    #[test]
    fn furniture_lines_are_the_safe_deletions() {
        let text: String = (1..=4)
            .map(|p| format!("Annual Report\n{}\nA Line Twice\n- {p} -\n\x0c", body(p)))
            .collect();
        let (lines, pages) = (pages::all_lines(&text), pages::pages(&text));
        let mut safe: Vec<Span> = furniture(&text, &lines, &pages, true)
            .into_iter()
            .filter(|f| f.applicability == Applicability::Safe)
            .map(|f| f.edits[0].span)
            .collect();
        safe.sort_unstable();
        assert!(!safe.is_empty());
        assert_eq!(furniture_lines(&text, &lines, &pages), safe);
    }

    #[test]
    fn removes_headers_and_numbers_between_form_feeds() {
        let text: String = (1..=4)
            .map(|p| format!("Annual Report {p}\n\n{}\n- {p} -\n\x0c", body(p)))
            .collect();
        // The blank line after the first header goes with it: nothing precedes it.
        let want: String = (1..=4)
            .map(|p| format!("{}{}\n\x0c", if p == 1 { "" } else { "\n" }, body(p)))
            .collect();
        assert_eq!(clean(&text), want);
    }

    #[test]
    fn keeps_content_that_occurs_once_and_numbers_inside_pages() {
        let text = format!("Title\n{}\x0c{}\n7\n{}\x0c", body(1), body(2), body(3));
        assert_eq!(clean(&text), text);
    }

    #[test]
    fn a_header_on_two_of_three_pages_is_proposed_for_review() {
        let text = format!(
            "Short Story\n{}\x0cShort Story\n{}\x0c{}",
            body(1),
            body(2),
            body(3)
        );
        let outcome = run_stages(vec![Box::new(Furniture)], Applicability::Safe, &text);
        assert_eq!(outcome.output, text);
        assert_eq!(outcome.proposals.len(), 2);
        assert_eq!(outcome.proposals[0].rule, RUNNING_HEADER);
    }

    #[test]
    fn a_header_on_both_pages_of_two_is_deleted() {
        let text = format!("Short Story\n{}\x0cShort Story\n{}\x0c", body(1), body(2));
        assert_eq!(clean(&text), format!("{}\x0c{}\x0c", body(1), body(2)));
    }

    #[test]
    fn a_decorated_number_ending_a_single_page_is_deleted() {
        let text = format!("{}\n- 1 -\n", body(1));
        assert_eq!(clean(&text), format!("{}\n", body(1)));
        let plain = format!("{}\n1\n", body(1));
        assert_eq!(clean(&plain), plain);
    }

    #[test]
    fn a_line_that_also_occurs_inside_a_page_is_content() {
        let text = format!(
            "See below.\n{}\x0cSee below.\n{}See below.\n{}\x0c{}\x0c",
            body(1),
            body(2),
            body(3),
            body(4)
        );
        let outcome = run_stages(vec![Box::new(Furniture)], Applicability::Safe, &text);
        assert_eq!(outcome.output, text);
        assert!(outcome.proposals.is_empty());
    }

    #[test]
    fn chapter_headings_opening_pages_are_not_running_heads() {
        // Chapters 1 to 4 begin on pages 1, 3, 6 and 9.
        let mut pages: Vec<String> = (0..10)
            .map(|p| format!("{}Remark {}.\n", body(p), "z".repeat(p + 1)))
            .collect();
        for (chapter, page) in [(1, 0), (2, 2), (3, 5), (4, 8)] {
            pages[page] = format!("Chapter {chapter}\n{}", pages[page]);
        }
        let text = pages.join("\x0c");
        assert_eq!(clean(&text), text);
    }

    #[test]
    fn keeps_the_title_on_page_one_when_running_heads_carry_numbers() {
        let mut text = format!("A Study of Things\n\n{}\x0c", body(1));
        for p in 2..=4 {
            text.push_str(&format!("A Study of Things {p}\n{}\x0c", body(p)));
        }
        let out = clean(&text);
        assert!(out.starts_with("A Study of Things\n\n"), "{out}");
        assert_eq!(out.matches("A Study of Things").count(), 1);
    }

    #[test]
    fn matches_headers_misread_by_ocr_for_review() {
        let mut text = String::new();
        for p in 1..=4 {
            let head = if p == 3 {
                "GNU rnake manual page"
            } else {
                "GNU make manual page"
            };
            text.push_str(&format!("{head}\n{}\x0c", body(p)));
        }
        let outcome = run_stages(vec![Box::new(Furniture)], Applicability::Safe, &text);
        assert!(!outcome.output.contains("GNU make"));
        assert!(outcome.output.contains("GNU rnake"));
        assert!(outcome
            .proposals
            .iter()
            .any(|p| p.before.contains("rnake") && p.applicability == Applicability::Review));
    }

    #[test]
    fn a_lone_number_is_only_proposed() {
        let text = format!("{}\x0c{}3\n\x0c{}", body(1), body(2), body(3));
        let outcome = run_stages(vec![Box::new(Furniture)], Applicability::Safe, &text);
        assert_eq!(outcome.output, text);
        assert_eq!(outcome.proposals.len(), 1);
        assert_eq!(outcome.proposals[0].rule, PAGE_NUMBER);
    }

    #[test]
    fn edit_distance_is_bounded() {
        assert!(within_distance("manual page", "rnanual page", 2));
        assert!(!within_distance("manual page", "other thing", 2));
        assert!(within_distance("", "a", 1));
    }
}
