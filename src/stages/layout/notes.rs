//! Layout pass: footnotes — note blocks at page bottoms gathered at the end of the text.
//!
//! Typeset footnotes sit at the bottom of the page that refers to them; extractors emit
//! them there, between the last line of one page's running text and the first line of
//! the next, where they split paragraphs and read as part of the text. A publication's
//! text (and the benchmark's gold) keeps its notes together at the end, in order, each
//! with its marker.
//!
//! # What is a note
//!
//! A *note start* is a line that begins with a marker: `1 Text`, `1Text` (a superscript
//! that lost its raise, glued to a capital), `¹ Text`, `(1) Text`. Markers alone prove
//! nothing — `27 November 1956` opens lines too, and numbered paragraphs are common — so
//! a run of notes (an *area*) is accepted only with structural evidence:
//!
//! - *place*: the area ends its page (nothing but notes below it), or, in extractors that
//!   put a blank line between text blocks, it is a block of its own;
//! - *numbering*: its markers count up by one (a repeated number is tolerated);
//! - *reference*: every number is referred to earlier in the running text by a marker
//!   glued to a word or a punctuation mark (`advisable.2`, `Dej.³`, `60)(1)`) — or,
//!   where OCR lost those, the area holds two or more notes whose markers are all glued
//!   to their text (`1These`, `2The`), which numbered paragraphs never are.
//!
//! A note continued on the next page (its first part ends mid-sentence; the rest opens
//! the next page's note area) is joined to its first part.
//!
//! # What is done
//!
//! With `footnotes = "end"` (the default) every note moves to the end of the document,
//! after the last page's notes, ordered by number (or in document order when the
//! numbering restarts on every page), as one move (`layout.footnotes`) that review can
//! reject. With `footnotes = "keep"` nothing moves. Either way the reflow pass asks
//! [`layout`] where notes begin and end, so that a note is never joined into a running
//! paragraph nor a paragraph into a note, and each note is one paragraph.

use crate::fix::{Applicability, Edit, Fix, FixKind, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, FootnotePolicy, Proposals, Stage};

use super::pages::{self, Line};

const FOOTNOTES: RuleId = RuleId::from_static("layout.footnotes");

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[RuleInfo::builtin(
    "layout.footnotes",
    "layout",
    Applicability::Safe,
    "Gathers footnotes from page bottoms at the end of the text, in order.",
    "A run of lines at the bottom of a page (or a text block of its own) that begin with \
     note markers — `1 Text`, `1Text`, `¹ Text`, `(1) Text` — counting up by one, each \
     number referred to earlier in the running text (`advisable.2`, `word¹`), or, where \
     OCR lost the references, two or more markers glued to their text, is a page's \
     footnotes. They are moved, markers kept, to the end of the document after the last \
     page's notes, ordered by number (in document order when numbering restarts on every \
     page); a note continued on the next page is joined to its first part. One move per \
     document, shown in `recto diff` and rejected as a whole in review. Numbered lists \
     (`1. `) and numbered paragraphs without references are not notes. Off with \
     `--footnotes keep`, which leaves notes in place (still never joined into the \
     running text).\n\n\
     Example: `…into the bus.4⏎4 This refers to the arrest.⏎\\f Instructions to…` → \
     `…into the bus.4⏎\\f Instructions to…⏎⏎4 This refers to the arrest.`",
)];

/// The footnotes pass.
pub(crate) struct Notes;

impl Stage for Notes {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        if cx.options.footnotes != FootnotePolicy::End {
            return;
        }
        let text = doc.text();
        if !has_marker_one(text) {
            return;
        }
        let refs = References::new();
        let markers = marker_lines(text);
        if !may_have_notes(text, &markers, &cx.lexicon, &refs) {
            return;
        }
        // This pass runs before the furniture pass, on pages as it finds them (pages
        // inferred from running heads cannot be found once those are gone); the lines
        // that pass will delete are looked past. Finding them is the costlier part, and
        // only a page with a marker line can hold notes.
        let pages = doc.pages();
        if !pages.iter().any(|p| has_marker(&markers, p.span)) {
            return;
        }
        let furniture = super::furniture::furniture_lines(text, &doc.lines(), &pages);
        let found = find_unchecked(text, &pages, &markers, &furniture, &cx.lexicon, &refs);
        if let Some(fix) = gather(text, &found, &furniture) {
            out.push(fix);
        }
    }
}

/// A note marker at the start of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Marker {
    number: u32,
    /// Glued to its text (`1These`) or raised (`¹`): a form numbered paragraphs never take.
    glued: bool,
}

/// Reads the note marker a line (without its indentation) begins with.
///
/// ```text
/// "1 These notes" → 1      "4This refers" → 4 (glued)     "¹ See" → 1 (glued)
/// "(2) Ibid."     → 2      "1. First item" → None          "1956, in" → None
/// ```
fn marker(line: &str) -> Option<Marker> {
    let bytes = line.as_bytes();
    let first = *bytes.first()?;
    let (number, rest, glued) = if first.is_ascii_digit() {
        let n = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if n > 3 {
            return None;
        }
        (line[..n].parse().ok()?, &line[n..], false)
    } else if first == b'(' {
        let n = bytes[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > 3 || bytes.get(1 + n) != Some(&b')') {
            return None;
        }
        let rest = &line[2 + n..];
        if !rest.starts_with(' ') {
            return None;
        }
        (line[1..1 + n].parse().ok()?, rest, false)
    } else {
        let digits: String = line.chars().map_while(superscript_digit).collect();
        if digits.is_empty() || digits.len() > 3 {
            return None;
        }
        let len: usize = line.chars().take(digits.len()).map(char::len_utf8).sum();
        (digits.parse().ok()?, &line[len..], true)
    };
    if number == 0 {
        return None;
    }
    let mut chars = rest.chars();
    let next = chars.next()?;
    let opens_text = |c: char| c.is_alphabetic() || matches!(c, '“' | '"' | '‘' | '«');
    if next == ' ' {
        // `1 These`, `¹ See`: the text begins after one space, with a capital — a line
        // that begins `2 above on a medium` continues a sentence (`Sections 1 and`).
        chars
            .next()
            .filter(|&c| c.is_uppercase() || matches!(c, '“' | '"' | '‘' | '«'))?;
        Some(Marker { number, glued })
    } else if first.is_ascii_digit() && (next.is_uppercase() || matches!(next, '“' | '"' | '‘'))
    {
        // `1These`: a superscript set down on the line, glued to a capital; `3rd`,
        // `64bit` start lower case.
        Some(Marker {
            number,
            glued: true,
        })
    } else if glued && opens_text(next) {
        Some(Marker { number, glued })
    } else {
        None
    }
}

fn superscript_digit(c: char) -> Option<char> {
    Some(match c {
        '⁰' => '0',
        '¹' => '1',
        '²' => '2',
        '³' => '3',
        '⁴' => '4',
        '⁵' => '5',
        '⁶' => '6',
        '⁷' => '7',
        '⁸' => '8',
        '⁹' => '9',
        _ => return None,
    })
}

/// One footnote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Note {
    /// Its marker's number.
    number: u32,
    /// Its text in document order: runs of non-blank lines, each with its line break
    /// (when it has one). The first begins with the marker; a later one may be the
    /// note's continuation on the next page.
    pieces: Vec<Span>,
}

/// The notes at the bottom of one page, or in one text block.
#[derive(Clone, Debug)]
struct Area {
    /// Whole lines, from the first line of the area to the end of its last line.
    span: Span,
    /// The indices (into [`Found::notes`]) of the notes that begin in the area.
    notes: std::ops::Range<usize>,
    /// Whether all of its notes are referred to in the text before it.
    referenced: bool,
}

/// The footnotes of a text.
#[derive(Debug, Default)]
pub(crate) struct Found {
    notes: Vec<Note>,
    areas: Vec<Area>,
}

/// A line of a page, with what the note scan needs to know about it.
#[derive(Clone, Copy, Debug)]
struct PageLine {
    line: Line,
    blank: bool,
    marker: Option<Marker>,
}

/// What an area holds, top to bottom, before notes are assembled.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// A line that starts a note.
    Start(Marker, Line),
    /// A line continuing the note above it.
    Line(Line),
    /// A block (after a blank line) continuing the last note of the area before.
    Carried(Span),
}

/// The note references of a text ([`references`]), found once when first needed.
type References = std::cell::OnceCell<Vec<(usize, u32)>>;

/// The line starts of `text` (and the page starts after its form feeds, which may fall
/// inside a line) whose line begins with a note marker, in text order: the lines the
/// note search can start from, found in one byte scan.
///
/// A page's line is a prefix of the line found here at the same position (a page ends
/// at a form feed, a line only at a line break), and [`marker`] reads a marker from a
/// prefix only when it reads the same one from the whole line: a form feed or a line
/// break is none of the characters a marker is made of or is followed by.
fn marker_lines(text: &str) -> Vec<(usize, Marker)> {
    let starts = std::iter::once(0)
        .chain(memchr::memchr2_iter(b'\n', b'\x0c', text.as_bytes()).map(|i| i + 1));
    starts
        .filter_map(|at| marker_at(text, at).map(|m| (at, m)))
        .collect()
}

/// The marker of the line that starts at `at` (at the start of the text, or after a line
/// break or a form feed), read past its indentation: what [`marker_lines`] finds there.
#[inline]
fn marker_at(text: &str, at: usize) -> Option<Marker> {
    let bytes = text.as_bytes();
    let mut i = at;
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\x0c')) {
        i += 1;
    }
    // A marker begins with a digit, `(` or a superscript digit (`¹²³` are U+00Bx,
    // the others U+207x): most lines are passed over on their first byte.
    if !matches!(bytes.get(i), Some(b'0'..=b'9' | b'(' | 0xC2 | 0xE2)) {
        return None;
    }
    let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
    marker(&text[i..end])
}

/// True when some line of `text` begins with note marker 1: when [`marker_lines`] finds
/// one. Without one [`may_have_notes`] is false, and most texts have none; this finds
/// out from the text's ones, which are far fewer than its lines.
///
/// The number of a marker is read from at most three digits, ASCII or superscript, so
/// marker 1 is written `1`, `01` or `001` (`¹`, `⁰¹`, `⁰⁰¹`), bare or in brackets: its
/// last digit is a `1` or a `¹` with nothing but zeros, `(`, and indentation (spaces,
/// tabs and form feeds) between it and its line's start. The last line start before
/// that digit (after a line break or a form feed) is then the line's start, or a form
/// feed in its indentation, from where the same marker is read; so reading the marker
/// at the last line start before every `1` and `¹` of the text finds marker 1 if any
/// line begins with it. Most of them are inside a line: the bytes before such a digit
/// are read back only as far as they may belong to a marker's start (`0` and `⁰`, `(`,
/// spaces and tabs); a line start is looked for only where that reaches one.
fn has_marker_one(text: &str) -> bool {
    let bytes = text.as_bytes();
    // `¹` is `C2 B9` and `⁰` is `E2 81 B0` in UTF-8; a `B9` after another byte is part
    // of another character.
    let may_lead = |b: u8| matches!(b, b'0' | b'(' | b' ' | b'\t' | 0xE2 | 0x81 | 0xB0);
    memchr::memchr2_iter(b'1', 0xB9, bytes)
        .filter_map(|i| match bytes[i] {
            b'1' => Some(i),
            _ => (i > 0 && bytes[i - 1] == 0xC2).then(|| i - 1),
        })
        .any(|digit| {
            let at = bytes[..digit]
                .iter()
                .rposition(|&b| !may_lead(b))
                .map_or(Some(0), |k| {
                    matches!(bytes[k], b'\n' | b'\x0c').then_some(k + 1)
                });
            at.is_some_and(|at| marker_at(text, at).is_some_and(|m| m.number == 1))
        })
}

/// True when a line of `span` begins with a marker ([`marker_lines`]): a page
/// without one holds no notes, nor the rest of one (which [`bottom_area`] takes only
/// above a note start).
fn has_marker(markers: &[(usize, Marker)], span: Span) -> bool {
    let k = markers.partition_point(|&(at, _)| at < span.start);
    markers.get(k).is_some_and(|&(at, _)| at < span.end)
}

/// True when the text may hold footnotes: most texts have none, and this look at the
/// lines that start with a marker ([`marker_lines`]), and at the references only when
/// it must, spares them the search.
///
/// Every note area [`find`] keeps begins at note 1 or continues the numbering of one it
/// keeps (see [`Found::numbered_through`]); numbers only count up within an area, so
/// some kept area begins with a note 1. [`Found::accept`] keeps it only when the note
/// is referred to before it, or when the area holds two or more notes, all with glued
/// markers. So a text holds notes only if some line starts with marker 1 that is
/// referred to earlier, or is glued while another marker is too.
///
/// The references, when they had to be found, are left in `refs` for the search.
fn may_have_notes(
    text: &str,
    markers: &[(usize, Marker)],
    lexicon: &Lexicon,
    refs: &References,
) -> bool {
    let mut ones = markers.iter().filter(|(_, m)| m.number == 1).peekable();
    if ones.peek().is_none() {
        return false;
    }
    let glued = markers.iter().filter(|(_, m)| m.glued).count();
    if glued >= 2 && markers.iter().any(|(_, m)| m.number == 1 && m.glued) {
        return true;
    }
    // Some marker 1 after the first reference to a note 1.
    let refs = refs.get_or_init(|| references(text, lexicon));
    let Some(first_ref) = refs.iter().find(|&&(_, n)| n == 1).map(|&(at, _)| at) else {
        return false;
    };
    ones.any(|&(line, _)| first_ref < line)
}

/// Finds the footnotes of `text`, looking past the lines in `furniture` (sorted spans of
/// whole lines that another pass deletes), on pages split at form feeds only.
fn find(text: &str, furniture: &[Span], lexicon: &Lexicon) -> Found {
    if !has_marker_one(text) {
        return Found::default();
    }
    let refs = References::new();
    let markers = marker_lines(text);
    if !may_have_notes(text, &markers, lexicon, &refs) {
        return Found::default();
    }
    let pages = pages::split_at_form_feeds(text);
    find_unchecked(text, &pages, &markers, furniture, lexicon, &refs)
}

/// [`find`], on `pages`, for a text [`may_have_notes`] let through; `markers` are its
/// [`marker_lines`].
fn find_unchecked(
    text: &str,
    pages: &[pages::Page],
    markers: &[(usize, Marker)],
    furniture: &[Span],
    lexicon: &Lexicon,
    refs: &References,
) -> Found {
    let mut found = Found::default();
    let is_furniture = |l: &Line| {
        let k = furniture.partition_point(|s| s.end <= l.span.start);
        furniture
            .get(k)
            .is_some_and(|s| s.start <= l.full.start && l.span.end <= s.end)
    };
    // Only pages whose bottom looks like notes need the references.
    let refs = || refs.get_or_init(|| references(text, lexicon)).as_slice();
    let mut page_lines: Vec<PageLine> = Vec::new();
    for page in pages.iter().filter(|p| has_marker(markers, p.span)) {
        page_lines.clear();
        page_lines.extend(
            pages::lines(text, page.span)
                .filter(|l| !is_furniture(l))
                .map(|line| {
                    let s = text[line.span.range()].trim_start_matches([' ', '\t', '\x0c']);
                    PageLine {
                        line,
                        // What `s.trim().is_empty()` says (`s` is the line less some
                        // of its leading white space), without reading all of `s`.
                        blank: line.is_blank(text),
                        marker: marker(s),
                    }
                }),
        );
        // The bottom area first, to know where the blocks above it end; then again once
        // the blocks' notes are known, since its top may continue one of them.
        let cut =
            bottom_area(text, &page_lines, &found, false).map_or(page_lines.len(), |(k, _)| k);
        for (first, items) in block_areas(text, &page_lines[..cut]) {
            found.accept(refs(), items, line_above(text, &page_lines, first));
        }
        // Below the notes just found: their last block may be followed by the rest of one.
        let done = found.areas.last().map_or(0, |a| a.span.end);
        let from = page_lines
            .iter()
            .position(|l| l.line.full.start >= done)
            .unwrap_or(page_lines.len());
        if let Some((first, items)) = bottom_area(text, &page_lines[from..], &found, from > 0) {
            found.accept(refs(), items, line_above(text, &page_lines, from + first));
        }
    }
    found.numbered_through();
    found
}

/// The few non-blank lines above line `k` of a page (blank lines between paragraphs
/// aside: a list cleaned once has them).
fn line_above<'t>(text: &'t str, lines: &[PageLine], k: usize) -> Vec<&'t str> {
    lines[..k.min(lines.len())]
        .iter()
        .rev()
        .filter(|l| !l.blank)
        .take(4)
        .map(|l| l.line.trimmed(text))
        .collect()
}

/// True when a note ends mid-sentence: its rest is on the next page.
fn unfinished(text: &str, note: &Note) -> bool {
    let last = note
        .pieces
        .last()
        .map_or("", |s| text[s.range()].trim_end());
    !ends_sentence(last)
}

/// A block that can only continue something: it begins in lower case, with a digit that
/// is no marker (`89, Op. 2`), or with punctuation.
fn continues(text: &str, line: &Line) -> bool {
    let s = line.trimmed(text);
    s.chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c.is_ascii_digit() || !c.is_alphanumeric())
}

/// The notes that end a page: scanning up from its last line, note starts whose numbers
/// count down, the lines between them, and at most one block that continues the last
/// note of the page before. Returns the index of the area's first line and its items.
///
/// `after_text` says there is text above `lines` on the page, so that their first block
/// may continue a note too.
fn bottom_area(
    text: &str,
    lines: &[PageLine],
    found: &Found,
    after_text: bool,
) -> Option<(usize, Vec<Item>)> {
    let previous_unfinished = found.notes.last().is_some_and(|n| unfinished(text, n));
    // Read from the bottom up, and usually only a block or two: the page's other blocks
    // are never looked for.
    let mut blocks = blocks_rev(lines).peekable();
    let mut below: Option<u32> = None;
    let mut starts: Vec<usize> = Vec::new();
    let mut carried: Option<std::ops::Range<usize>> = None;
    while let Some(block) = blocks.next() {
        for k in block.clone().rev() {
            let Some(m) = lines[k].marker else { continue };
            if below.is_none_or(|n| m.number <= n && m.number + 1 >= n) {
                below = Some(m.number);
                starts.push(k);
            }
        }
        let top = starts.last().copied();
        if top == Some(block.start) {
            continue;
        }
        // The block (or its part above its first start) does not open with a start: the
        // running text above the notes, or the rest of the previous page's last note.
        below?;
        let part = block.start..top.filter(|t| block.contains(t)).unwrap_or(block.end);
        let may_carry = carried.is_none()
            && (after_text || blocks.peek().is_some())
            && !found.notes.is_empty()
            && (previous_unfinished || continues(text, &lines[block.start].line));
        if !may_carry {
            break;
        }
        carried = Some(part);
    }
    // No note starts here, no area: measuring widths would be wasted.
    let top = *starts.last()?;
    if carried.is_none() && previous_unfinished {
        carried = carried_by_width(text, lines, &starts, found);
    }
    let first = carried.as_ref().map_or(top, |c| c.start.min(top));
    let mut items = Vec::new();
    for (k, l) in lines.iter().enumerate().skip(first) {
        if l.blank {
            continue;
        }
        match &carried {
            Some(c) if k == c.start => {
                let span = Span::new(
                    lines[c.start].line.full.start,
                    lines[c.end - 1].line.full.end,
                );
                items.push(Item::Carried(span));
                continue;
            }
            Some(c) if c.contains(&k) => continue,
            _ => {}
        }
        match l.marker {
            Some(m) if starts.contains(&k) => items.push(Item::Start(m, l.line)),
            _ => items.push(Item::Line(l.line)),
        }
    }
    Some((first, items))
}

/// The rest of the last note of the page before, found by its width where no blank line
/// sets it apart (pymupdf, pypdf): notes are set smaller than the running text, so their
/// lines hold more characters. Directly above one of the area's `starts` (given bottom
/// up), a run of lines as wide as the notes (the one next to the start may be short: it
/// ends the note) below a line as narrow as the running text.
fn carried_by_width(
    text: &str,
    lines: &[PageLine],
    starts: &[usize],
    found: &Found,
) -> Option<std::ops::Range<usize>> {
    let width = |s: &str| s.trim().chars().count();
    let median = |mut v: Vec<usize>| {
        v.sort_unstable();
        v.get(v.len() / 2).copied()
    };
    // Full lines of the last notes: every line of a piece but its last.
    let note_lines: Vec<usize> = found
        .notes
        .iter()
        .rev()
        .take(SAMPLE_NOTES)
        .flat_map(|n| &n.pieces)
        .flat_map(|p| {
            let lines: Vec<&str> = text[p.range()].lines().collect();
            let full = lines.len().saturating_sub(1);
            lines.into_iter().take(full).map(width)
        })
        .collect();
    // The running text just before this page (a bounded sample: this runs per page).
    let page_start = lines.first()?.line.full.start;
    let from = text[..page_start]
        .bytes()
        .rev()
        .enumerate()
        .filter(|&(_, b)| b == b'\n')
        .nth(SAMPLE_LINES)
        .map_or(0, |(k, _)| page_start - k);
    let body_lines: Vec<usize> = pages::lines(text, Span::new(from, page_start))
        .filter(|l| {
            !l.is_blank(text)
                && !found
                    .areas
                    .iter()
                    .rev()
                    .take_while(|a| a.span.end > from)
                    .any(|a| a.span.start <= l.full.start && l.full.start < a.span.end)
        })
        .map(|l| width(&text[l.span.range()]))
        .collect();
    if note_lines.len() < 5 || body_lines.len() < 5 {
        return None;
    }
    let (note, body) = (median(note_lines)?, median(body_lines)?);
    // Only where the two measures clearly differ.
    if body * 100 > note * 92 {
        return None;
    }
    let threshold = (note + body) / 2;
    for &start in starts.iter().rev() {
        let mut k = start;
        while k > 0 {
            let l = &lines[k - 1];
            let next_to_start = k == start;
            if l.blank || starts.contains(&(k - 1)) {
                break;
            }
            if !next_to_start && width(l.line.trimmed(text)) < threshold {
                break;
            }
            k -= 1;
        }
        let above = k.checked_sub(1).map(|a| &lines[a]);
        let narrow_above = above.is_some_and(|a| {
            !a.blank && !starts.contains(&(k - 1)) && width(a.line.trimmed(text)) < threshold
        });
        if start - k >= 2 && narrow_above {
            return Some(k..start);
        }
    }
    None
}

/// How many of the last notes, and of the lines before a page, measure the two widths.
const SAMPLE_NOTES: usize = 20;
const SAMPLE_LINES: usize = 200;

/// The blocks of a page ([`blocks`]), last first, found as they are asked for.
fn blocks_rev(lines: &[PageLine]) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let mut end = lines.len();
    std::iter::from_fn(move || {
        end = lines[..end].iter().rposition(|l| !l.blank)? + 1;
        let start = lines[..end]
            .iter()
            .rposition(|l| l.blank)
            .map_or(0, |k| k + 1);
        let block = start..end;
        end = start;
        Some(block)
    })
}

/// The blocks of a page: runs of non-blank lines, as index ranges.
#[cfg(test)]
fn blocks(lines: &[PageLine]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (k, l) in lines.iter().enumerate() {
        match (l.blank, start) {
            (false, None) => start = Some(k),
            (true, Some(s)) => {
                out.push(s..k);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(s..lines.len());
    }
    out
}

/// Notes that are text blocks of their own above a page's bottom area: a line with a
/// marker, then starts counting up and the lines between them, ended by a blank line
/// before a block that neither opens with the next start nor continues the last note
/// (which ended mid-sentence, or the block begins in lower case), or by the end of
/// `lines`. Returns each area's first line and items.
fn block_areas(text: &str, lines: &[PageLine]) -> Vec<(usize, Vec<Item>)> {
    let mut areas = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(m) = lines[i].marker else {
            i += 1;
            continue;
        };
        let mut items = vec![Item::Start(m, lines[i].line)];
        let mut last = m.number;
        let mut j = i + 1;
        let mut closed = true;
        let mut out_of_step = false;
        while j < lines.len() {
            let l = &lines[j];
            if l.blank {
                let Some(n) = lines[j..].iter().position(|l| !l.blank).map(|p| j + p) else {
                    break;
                };
                let next = &lines[n];
                let opens_next = next
                    .marker
                    .is_some_and(|nm| nm.number == last || nm.number == last + 1);
                let before = &lines[j - 1];
                let continued = next.marker.is_none()
                    && (continues(text, &next.line) || !ends_sentence(before.line.trimmed(text)));
                if !opens_next && !continued {
                    closed = true;
                    break;
                }
                j = n;
                continue;
            }
            match l.marker {
                Some(nm) if nm.number == last || nm.number == last + 1 => {
                    last = nm.number;
                    items.push(Item::Start(nm, l.line));
                }
                // Numbers out of step at line starts (`10 Output`, `100 Lots`): a table
                // or a list, not notes.
                Some(_) => out_of_step = true,
                None => items.push(Item::Line(l.line)),
            }
            j += 1;
        }
        if closed && !out_of_step {
            areas.push((i, items));
        }
        i = j.max(i + 1);
    }
    areas
}

/// True when a line ends a sentence (or a quotation or aside that ends one).
fn ends_sentence(line: &str) -> bool {
    matches!(
        line.chars().next_back(),
        Some('.' | '!' | '?' | '”' | '"' | ')' | '’' | ':' | ';')
    )
}

impl Found {
    /// Assembles the notes of `items` and keeps them when the evidence holds.
    ///
    /// `above` holds the lines just above the area.
    fn accept(&mut self, refs: &[(usize, u32)], items: Vec<Item>, above: Vec<&str>) {
        let Some(start) = items.iter().find_map(|it| match it {
            Item::Start(_, l) => Some(l.full.start),
            _ => None,
        }) else {
            return;
        };
        let first = items
            .first()
            .map(|it| match it {
                Item::Start(_, l) | Item::Line(l) => l.full.start,
                Item::Carried(s) => s.start,
            })
            .unwrap_or(start);
        let end = items
            .iter()
            .map(|it| match it {
                Item::Start(_, l) | Item::Line(l) => l.full.end,
                Item::Carried(s) => s.end,
            })
            .max()
            .unwrap_or(start);
        let markers: Vec<Marker> = items
            .iter()
            .filter_map(|it| match it {
                Item::Start(m, _) => Some(*m),
                _ => None,
            })
            .collect();
        let referenced = markers
            .iter()
            .all(|m| refs.iter().any(|&(at, n)| n == m.number && at < first));
        let glued = markers.len() >= 2 && markers.iter().all(|m| m.glued);
        if !referenced && !glued {
            return;
        }
        // An item numbered one less just above (`0 Success`, wrapped, then `1 Error`):
        // a numbered list, not notes.
        if let Some(m) = markers.first() {
            let listed = above.iter().any(|above| {
                let digits = above.bytes().take_while(u8::is_ascii_digit).count();
                digits > 0
                    && above[..digits].parse::<u32>().ok() == m.number.checked_sub(1)
                    && above[digits..].starts_with(' ')
            });
            if listed {
                return;
            }
        }
        let carried_to = self.notes.len().checked_sub(1);
        if carried_to.is_none() && items.iter().any(|it| matches!(it, Item::Carried(_))) {
            return;
        }
        let begin = self.notes.len();
        for item in items {
            match item {
                Item::Start(m, l) => self.notes.push(Note {
                    number: m.number,
                    pieces: vec![l.full],
                }),
                Item::Line(l) => {
                    if let Some(note) = self.notes[begin..].last_mut() {
                        extend(note, l.full);
                    }
                }
                Item::Carried(span) => {
                    if let Some(k) = carried_to {
                        self.notes[k].pieces.push(span);
                    }
                }
            }
        }
        self.areas.push(Area {
            span: Span::new(first, end),
            notes: begin..self.notes.len(),
            referenced,
        });
    }
}

impl Found {
    /// Drops the areas whose numbering comes from nowhere: notes are numbered through
    /// the document (or from 1 on every page), so an area that begins at `n > 1` needs
    /// a note `n - 1` in some area it keeps. A lone `2 Above all…` is no note.
    fn numbered_through(&mut self) {
        let mut keep = vec![true; self.areas.len()];
        loop {
            let numbers: std::collections::HashSet<u32> = self
                .areas
                .iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .flat_map(|(a, _)| self.notes[a.notes.clone()].iter().map(|n| n.number))
                .collect();
            let mut changed = false;
            for (a, k) in self.areas.iter().zip(keep.iter_mut()) {
                let first = self.notes[a.notes.start].number;
                if *k && first != 1 && !numbers.contains(&(first - 1)) {
                    *k = false;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if keep.iter().all(|&k| k) {
            return;
        }
        let old = std::mem::take(self);
        for (area, _) in old.areas.into_iter().zip(keep).filter(|(_, k)| *k) {
            let begin = self.notes.len();
            self.notes
                .extend(old.notes[area.notes.clone()].iter().cloned());
            self.areas.push(Area {
                notes: begin..self.notes.len(),
                ..area
            });
        }
    }
}

/// Adds a line to a note: to its last piece when adjacent, else as a piece of its own.
fn extend(note: &mut Note, line: Span) {
    match note.pieces.last_mut() {
        Some(last) if last.end == line.start => last.end = line.end,
        _ => note.pieces.push(line),
    }
}

/// Where the running text refers to notes: `(position, number)` for every number set
/// like a note reference — digits glued to a word or after closing punctuation and
/// followed by no letter or digit (`advisable.2 We`, `60)1`), superscript digits, and
/// `(1)` after a word.
fn references(text: &str, lexicon: &Lexicon) -> Vec<(usize, u32)> {
    let bytes = text.as_bytes();
    let mut refs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let n = bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            let head = &text[..i];
            let before = head.chars().next_back();
            let after = text[i + n..].chars().next();
            // The word before the digits is looked up only for a number that could be a
            // reference by its length and what follows it.
            let glued_after = || match before {
                // `Presidium2`, but not `ver1`, `bzip2`: the word must be one; and not
                // `__git_ps1`, `PS1`, `sha1`: a short word, or one inside an
                // identifier, is a name with a digit, not a word with a reference.
                Some(c) if c.is_alphabetic() => {
                    let start = head
                        .char_indices()
                        .rev()
                        .take_while(|(_, c)| c.is_alphabetic())
                        .last()
                        .map_or(head.len(), |(k, _)| k);
                    let word = &head[start..];
                    let in_identifier = head[..start].ends_with(['_', '$', '/', '-']);
                    word.chars().count() >= 3 && !in_identifier && lexicon.contains(word)
                }
                // `advisable.2`, but not `1.17.2` or `1,5`.
                Some('.' | ',') => !head[..head.len() - 1].ends_with(|c: char| c.is_ascii_digit()),
                Some(';' | ':' | ')' | '”' | '"' | '’') => true,
                _ => false,
            };
            let paren = before == Some('(') && after == Some(')');
            let ends = after.is_none_or(|c| !c.is_alphanumeric());
            if n <= 3 && (paren || (ends && after != Some('.') && glued_after())) {
                if let Ok(v) = text[i..i + n].parse() {
                    refs.push((i, v));
                }
            }
            i += n;
        } else if b >= 0x80 {
            let c = text[i..].chars().next().unwrap_or(' ');
            if let Some(d) = superscript_digit(c) {
                let mut v = 0u32;
                let mut k = i;
                let mut d = Some(d);
                while let Some(digit) = d {
                    v = v * 10 + digit.to_digit(10).unwrap_or(0);
                    k += text[k..].chars().next().map_or(1, char::len_utf8);
                    d = text[k..].chars().next().and_then(superscript_digit);
                }
                refs.push((i, v));
                i = k;
            } else {
                i += c.len_utf8();
            }
        } else {
            i += 1;
            // Nearly every byte is neither a digit nor part of a non-ASCII character:
            // skip such bytes 16 at a time, by a test without early exit that the
            // compiler vectorises.
            while let Some(block) = bytes.get(i..i + 16) {
                if block
                    .iter()
                    .fold(false, |acc, &b| acc | b.is_ascii_digit() | (b >= 0x80))
                {
                    break;
                }
                i += 16;
            }
        }
    }
    refs
}

/// Where the notes of a text are, for the reflow pass.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Positions where a paragraph must break because a note begins or ends there: the
    /// start of every piece of every note, and the end of every area. Sorted.
    pub(crate) breaks: Vec<usize>,
    /// The pieces of the notes (runs of adjacent lines), sorted: the lines inside one
    /// are one paragraph.
    pub(crate) pieces: Vec<Span>,
}

impl Layout {
    /// A walk through the notes for questions asked in text order.
    pub(crate) fn walk(self) -> Walk {
        Walk {
            layout: self,
            breaks: 0,
            pieces: 0,
        }
    }
}

/// Answers questions about a [`Layout`] asked at positions that never go back, as the
/// reflow pass asks them, gap after gap: a binary search per gap cost more than the
/// gap's other tests.
#[derive(Debug)]
pub(crate) struct Walk {
    layout: Layout,
    /// The number of breaks at or before the last `a_end` asked about.
    breaks: usize,
    /// The number of pieces that start at or before the last span start asked about.
    pieces: usize,
}

impl Walk {
    /// True when a note begins or ends between `a_end` (the end of one line's text) and
    /// `b_start` (the start of the next line). `a_end` is no less than the last one.
    pub(crate) fn breaks_between(&mut self, a_end: usize, b_start: usize) -> bool {
        let breaks = &self.layout.breaks;
        debug_assert!(self.breaks == 0 || breaks[self.breaks - 1] <= a_end);
        while breaks.get(self.breaks).is_some_and(|&p| p <= a_end) {
            self.breaks += 1;
        }
        breaks.get(self.breaks).is_some_and(|&p| p <= b_start)
    }

    /// True when `span` lies inside one piece of a note. `span` starts no earlier than
    /// the last one.
    pub(crate) fn inside(&mut self, span: Span) -> bool {
        let pieces = &self.layout.pieces;
        debug_assert!(self.pieces == 0 || pieces[self.pieces - 1].start <= span.start);
        while pieces
            .get(self.pieces)
            .is_some_and(|p| p.start <= span.start)
        {
            self.pieces += 1;
        }
        self.pieces > 0 && span.end <= pieces[self.pieces - 1].end
    }
}

/// The notes of `text` as the reflow pass needs them.
pub(crate) fn layout(text: &str, lexicon: &Lexicon) -> Layout {
    // Furniture is gone by the time reflow asks: only form feeds still mark pages.
    let found = find(text, &[], lexicon);
    let mut layout = Layout::default();
    for note in &found.notes {
        for piece in &note.pieces {
            layout.breaks.push(piece.start);
            layout.breaks.push(piece.end);
            layout.pieces.push(*piece);
        }
    }
    for area in &found.areas {
        layout.breaks.push(area.span.start);
        layout.breaks.push(area.span.end);
    }
    layout.breaks.sort_unstable();
    layout.breaks.dedup();
    layout.pieces.sort_unstable();
    layout
}

/// The move that gathers the notes at the end: every area outside the last one is
/// deleted, and its notes inserted into the last area (when it ends the document) or
/// after the text, ordered by number.
/// `furniture` as for [`find`].
fn gather(text: &str, found: &Found, furniture: &[Span]) -> Option<Fix> {
    let last = found.areas.last()?;
    // The end of the text: before the blank lines and furniture that close it.
    let lines: Vec<Line> = pages::lines(text, Span::new(last.span.end, text.len())).collect();
    let end = lines
        .iter()
        .rev()
        .take_while(|l| {
            l.is_blank(text)
                || furniture
                    .iter()
                    .any(|s| s.start <= l.full.start && l.span.end <= s.end)
        })
        .last()
        .map_or(text.len(), |l| l.full.start);
    let at_end = last.span.end >= end;
    // Numbering that restarts on every page cannot be sorted.
    let per_page = found.areas.len() >= 2
        && found
            .areas
            .iter()
            .all(|a| found.notes[a.notes.start].number == 1);
    let (target, moved): (Option<&Area>, &[Area]) = if at_end {
        (Some(last), &found.areas[..found.areas.len() - 1])
    } else {
        (None, &found.areas[..])
    };
    let target_notes = target.map_or(0..0, |a| a.notes.clone());
    // Carried pieces inside the target area belong to moved notes: they move with them.
    let mut deletions: Vec<Span> = moved.iter().map(|a| a.span).collect();
    let mut moving: Vec<usize> = moved.iter().flat_map(|a| a.notes.clone()).collect();
    if let Some(t) = target {
        for &k in &moving {
            for piece in &found.notes[k].pieces[1..] {
                if t.span.start <= piece.start && piece.end <= t.span.end {
                    deletions.push(*piece);
                }
            }
        }
    }
    if moving.is_empty() {
        return None;
    }
    if !per_page {
        moving.sort_by_key(|&k| found.notes[k].number);
    }
    // Where each moving note goes: before the first note of the target with the same or a
    // greater number (a moved note comes earlier in the document, so it goes first among
    // equals; in document order: before the target's first note), else at its end.
    let mut inserts: Vec<(usize, String)> = Vec::new();
    for &k in &moving {
        let note = &found.notes[k];
        let before = target_notes
            .clone()
            .find(|&t| per_page || found.notes[t].number >= note.number);
        let (at, sep_before) = match (before, target) {
            (Some(t), _) => (found.notes[t].pieces[0].start, false),
            (None, Some(t)) => (t.span.end, !text[..t.span.end].ends_with('\n')),
            (None, None) => (end, true),
        };
        let mut body = String::new();
        for piece in &note.pieces {
            let s = text[piece.range()].trim_end_matches(['\n', ' ', '\t', '\x0c']);
            for line in s.lines().filter(|l| !l.trim().is_empty()) {
                body.push_str(line.trim_start_matches('\x0c'));
                body.push('\n');
            }
        }
        match inserts.last_mut() {
            Some((p, s)) if *p == at => {
                s.push('\n');
                s.push_str(&body);
            }
            _ => {
                let mut s = String::new();
                if sep_before || target.is_none() {
                    if !text[..at].ends_with('\n') {
                        s.push('\n');
                    }
                    s.push('\n');
                }
                s.push_str(&body);
                inserts.push((at, s));
            }
        }
    }
    // An insertion before a target note is followed by a blank line, as notes are.
    for (at, s) in &mut inserts {
        if *at < text.len() && target.is_some_and(|t| *at < t.span.end) {
            s.push('\n');
        }
    }
    let mut edits: Vec<Edit> = Vec::new();
    deletions.sort_unstable();
    deletions.dedup();
    for d in deletions {
        edits.push(Edit::delete(d));
    }
    for (at, s) in inserts {
        // An insertion at the edge of a deletion merges into it.
        if let Some(e) = edits
            .iter_mut()
            .find(|e| e.span.start == at || e.span.end == at)
        {
            e.replacement = format!("{}{s}", e.replacement).into();
        } else {
            edits.push(Edit::insert(at, s));
        }
    }
    let count = moving.len();
    let numbers: Vec<String> = moving
        .iter()
        .map(|&k| found.notes[k].number.to_string())
        .collect();
    let referenced = moved.iter().all(|a| a.referenced);
    let mut fix = Fix::new(FOOTNOTES, Applicability::Safe)
        .with_confidence(if referenced { 0.9 } else { 0.8 })
        .with_message(format!(
            "{count} footnote{} ({}) gathered at the end from the bottoms of pages; {}",
            if count == 1 { "" } else { "s" },
            numbers.join(", "),
            if referenced {
                "each number is referred to in the text"
            } else {
                "markers glued to their text count up"
            }
        ));
    for e in edits {
        fix = fix.with_edit(e);
    }
    fix.kind = FixKind::Move;
    fix.is_well_formed(text).then_some(fix)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks found from the bottom up are the page's blocks, last first: for every
    /// pattern of blank and non-blank lines up to nine lines long.
    #[test]
    fn blocks_from_the_bottom_are_the_blocks_reversed() {
        for n in 0..10 {
            for pattern in 0u32..1 << n {
                let lines: Vec<PageLine> = (0..n)
                    .map(|k| PageLine {
                        line: Line {
                            span: Span::new(k, k),
                            full: Span::new(k, k + 1),
                        },
                        blank: pattern & 1 << k != 0,
                        marker: None,
                    })
                    .collect();
                let mut expected = blocks(&lines);
                expected.reverse();
                let found: Vec<_> = blocks_rev(&lines).collect();
                assert_eq!(found, expected, "{pattern:0n$b}");
            }
        }
    }

    /// The walk answers as a search of the whole layout would, for positions asked in
    /// order (each gap between lines of a text, as reflow asks).
    #[test]
    fn a_walk_answers_as_a_search_does() {
        let layout = Layout {
            breaks: vec![3, 10, 11, 20, 40],
            pieces: vec![Span::new(3, 10), Span::new(11, 20), Span::new(11, 25)],
        };
        let breaks_between = |a_end: usize, b_start: usize| {
            let k = layout.breaks.partition_point(|&p| p <= a_end);
            layout.breaks.get(k).is_some_and(|&p| p <= b_start)
        };
        let inside = |span: Span| {
            let k = layout.pieces.partition_point(|p| p.start <= span.start);
            k > 0 && span.end <= layout.pieces[k - 1].end
        };
        let expected: Vec<(bool, bool)> = (0..45)
            .map(|a| (breaks_between(a, a + 2), inside(Span::new(a, a + 4))))
            .collect();
        let mut walk = Layout {
            breaks: layout.breaks.clone(),
            pieces: layout.pieces.clone(),
        }
        .walk();
        for (a, &(between, within)) in expected.iter().enumerate() {
            assert_eq!(walk.breaks_between(a, a + 2), between, "at {a}");
            assert_eq!(walk.inside(Span::new(a, a + 4)), within, "at {a}");
        }
        assert!(expected.iter().any(|&(b, _)| b) && expected.iter().any(|&(_, i)| i));
    }

    #[test]
    fn data_cases() {
        super::super::testdata::check_cases("notes", || Box::new(Notes));
    }

    #[test]
    fn reads_markers() {
        let m = |s| marker(s).map(|m| (m.number, m.glued));
        assert_eq!(m("1 These notes"), Some((1, false)));
        assert_eq!(m("4This refers"), Some((4, true)));
        assert_eq!(m("¹ See above"), Some((1, true)));
        assert_eq!(m("(2) Ibid."), Some((2, false)));
        for s in [
            "1. First item",
            "1956, in",
            "95-96.",
            "3rd edition",
            "2 above on",
            "0 Ok",
        ] {
            assert_eq!(marker(s), None, "{s:?}");
        }
    }

    #[test]
    fn marker_one_is_found_where_the_marker_lines_hold_it() {
        let pieces = [
            "1 See", "01 The", "001 A", "0001 B", "(1) Ibid", "(01) X", "1These", "¹ See", "⁰¹ X",
            "¹See", "11 Word", "21 X", "1. item", "1 and", "a1 B", "й", "⁹ Z", "2 The", " ", "\t",
            "\x0c", "\n", "\n", "word ", "(", "0", "1",
        ];
        let mut rng = crate::testing::XorShift(0x0DDB_1A5E_5BAD_5EEDu64);
        let mut ones = 0;
        for _ in 0..20_000 {
            let text: String = (0..rng.below(8))
                .map(|_| pieces[rng.below(pieces.len())])
                .collect();
            let expected = marker_lines(&text).iter().any(|(_, m)| m.number == 1);
            assert_eq!(has_marker_one(&text), expected, "{text:?}");
            ones += usize::from(expected);
        }
        assert!(ones > 2000, "{ones}");
    }

    #[test]
    fn the_prefilter_lets_through_what_notes_need() {
        let lex = Lexicon::english();
        let yes = |t: &str| may_have_notes(t, &marker_lines(t), lex, &References::new());
        // Note 1, referred to before it.
        assert!(yes(
            "It was not advisable.1 We went on.\n1 See the protocol.\n"
        ));
        // Two glued markers: references lost.
        assert!(yes(
            "Text.\n1These notes were kept.\n2The telegram was sent.\n"
        ));
        // Note 1 on a page that begins inside a line, after a form feed.
        assert!(yes("It was not advisable.1 We\x0c1 See the protocol.\n"));
        // A numbered paragraph without reference, a lone glued marker, no note 1.
        assert!(!yes(
            "Intro.\n1 The first clause applies.\n2 The second too.\n"
        ));
        assert!(!yes("Text.\n1These notes were kept.\n"));
        assert!(!yes("Dej.2 We\n2 The telegram was sent.\n"));
        // A reference after the note is none.
        assert!(!yes(
            "1 See the protocol.\nIt was not advisable.1 We went on.\n"
        ));
    }

    #[test]
    fn finds_references() {
        let refs: Vec<u32> = references(
            "advisable.2 We; Dej.3\n60)1 H2O x¹ (4) dpkg 1.17.2 ver1 “telegram2 ",
            Lexicon::english(),
        )
        .into_iter()
        .map(|(_, n)| n)
        .collect();
        assert_eq!(refs, [2, 3, 1, 1, 4, 2]);
    }

    #[test]
    fn keep_moves_nothing() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/layout/notes/continued-note.in.txt"
        ))
        .unwrap();
        let mut cx = Context::default();
        cx.options.footnotes = FootnotePolicy::Keep;
        let mut out = Proposals::default();
        Notes.run(&Document::new(&text), &cx, &mut out);
        assert!(out.fixes.is_empty());
        assert!(!layout(&text, Lexicon::english()).breaks.is_empty());
    }
}
