//! Pages of a document: split at form feeds, or inferred from page furniture.
//!
//! Extractors disagree about pages. poppler and pdfminer end every page with a form feed;
//! pypdf, PyMuPDF and OCR tools usually concatenate pages with nothing between them. The
//! layout passes need pages for one thing — to know which lines sit at a page's top or
//! bottom edge — so when there are no form feeds we infer the boundaries from what page
//! edges carry: a *running line* (the same short line recurring every page or so) and
//! *page numbers* that count up.
//!
//! Everything here is a pure function of the text: a line scan with `memchr`, a hash map
//! of line keys, and linear passes over them.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use memchr::memchr_iter;

use crate::span::Span;

/// A hasher for keys that are hashes already ([`line_key`]): it passes them through.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by [`line_key`]s.
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;
/// A set of [`line_key`]s.
pub(crate) type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

/// One page of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Page {
    /// The page's text, without the form feed that ends it.
    pub(crate) span: Span,
    /// True when the boundary before this page was inferred rather than a form feed.
    pub(crate) inferred: bool,
}

/// One line of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    /// The line without its line break.
    pub(crate) span: Span,
    /// The line with its line break (`\n`), when it has one.
    pub(crate) full: Span,
}

impl Line {
    /// The line's text with surrounding whitespace removed.
    pub(crate) fn trimmed<'a>(&self, text: &'a str) -> &'a str {
        trim(&text[self.span.range()])
    }

    /// The part of this line of a text inside `span`, which it meets, as [`lines`] cuts
    /// it from `span`: its line break is the line's when the break is inside `span`;
    /// otherwise the line ends where `span` does, without one.
    #[inline]
    fn cut_to(&self, span: Span) -> Line {
        let start = self.span.start.max(span.start);
        if self.span.end < span.end {
            // A line of the text without a line break ends the text, so no span goes
            // past its end: this line has its break, inside `span`.
            Line {
                span: Span::new(start, self.span.end),
                full: Span::new(start, self.full.end),
            }
        } else {
            let end = Span::new(start, span.end);
            Line {
                span: end,
                full: end,
            }
        }
    }

    /// True when the line holds nothing but whitespace.
    pub(crate) fn is_blank(&self, text: &str) -> bool {
        self.lead(text).is_none()
    }

    /// The line from its first character that is not white space on; `None` when the
    /// line is blank. What a test of a line's first letters reads, without looking for
    /// the line's end as [`trimmed`](Line::trimmed) does: a line's key, prefix and
    /// starts are the same from here as from the trimmed line, since they trim it.
    #[inline]
    pub(crate) fn lead<'a>(&self, text: &'a str) -> Option<&'a str> {
        // The first byte that is no ASCII white space decides, unless it begins a
        // non-ASCII character (which may be white space too).
        let line = &text[self.span.range()];
        match line.bytes().position(|b| !is_ascii_space(b)) {
            None => None,
            Some(i) if line.as_bytes()[i] < 0x80 => Some(&line[i..]),
            Some(i) => Some(line[i..].trim_start()).filter(|rest| !rest.is_empty()),
        }
    }
}

/// White space in ASCII by `char::is_whitespace`, which (unlike
/// `u8::is_ascii_whitespace`) includes the vertical tab.
#[inline]
pub(crate) const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

/// `s.trim()`, with ASCII white space taken off byte by byte first: the passes trim
/// every line several times, and [`str::trim`] decodes a character at each end.
#[inline]
pub(crate) fn trim(s: &str) -> &str {
    let ascii_space = |&b: &u8| is_ascii_space(b);
    let bytes = s.as_bytes();
    let start = bytes
        .iter()
        .position(|b| !ascii_space(b))
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !ascii_space(b))
        .map_or(start, |i| i + 1);
    // Both ends are at character boundaries: only ASCII bytes were taken off.
    let rest = &s[start..end];
    match (rest.as_bytes().first(), rest.as_bytes().last()) {
        // A non-ASCII character at either end may be white space too.
        (Some(&first), Some(&last)) if first >= 0x80 || last >= 0x80 => rest.trim(),
        _ => rest,
    }
}

/// The lines of `text[span]`, split at `\n`. A final line without a line break is a line;
/// an empty remainder after a final `\n` is not.
pub(crate) fn lines(text: &str, span: Span) -> impl Iterator<Item = Line> + '_ {
    let bytes = &text.as_bytes()[span.range()];
    let mut start = span.start;
    let mut breaks = memchr_iter(b'\n', bytes).map(move |i| i + span.start);
    let end = span.end;
    std::iter::from_fn(move || {
        if start >= end {
            return None;
        }
        let line = match breaks.next() {
            Some(nl) => Line {
                span: Span::new(start, nl),
                full: Span::new(start, nl + 1),
            },
            None => Line {
                span: Span::new(start, end),
                full: Span::new(start, end),
            },
        };
        start = line.full.end;
        Some(line)
    })
}

/// Every line of `text`, as [`lines`] gives them over the whole text: what
/// [`Document::lines`](crate::stage::Document::lines) shares between the passes, which
/// then cut the lines of a page or any other span from it with [`lines_within`].
pub(crate) fn all_lines(text: &str) -> Vec<Line> {
    // Lines of prose run some 50 bytes, OCR and verse shorter: room for lines of 32
    // bytes saves nearly every regrowth, and holds as many bytes as the text.
    let mut all = Vec::with_capacity(text.len() / 32 + 1);
    all.extend(lines(text, Span::new(0, text.len())));
    all
}

/// The lines of `text[span]` as [`lines`] gives them, cut from `all`, the text's
/// [`all_lines`], without searching the span for line breaks again; last first with
/// `.rev()`, so that a page's bottom is read without reading the rest of the page.
///
/// A span's line breaks are the text's inside it, so its lines are the text's lines
/// that meet it, cut to it: a span may begin or end inside a line (after a form feed),
/// and its first or last line is then the part of the text's line inside it.
pub(crate) fn lines_within(all: &[Line], span: Span) -> impl DoubleEndedIterator<Item = Line> + '_ {
    all[lines_meeting(all, span)]
        .iter()
        .map(move |l| l.cut_to(span))
}

/// Where in `all`, a text's [`all_lines`], the lines that meet `span` are: those that
/// [`lines_within`] cuts to it. A span from one line's start to another's holds whole
/// lines, which need no cutting.
pub(crate) fn lines_meeting(all: &[Line], span: Span) -> std::ops::Range<usize> {
    let first = all.partition_point(|l| l.full.end <= span.start);
    // An empty span has no lines, though the line around it meets it.
    let last = if span.is_empty() {
        first
    } else {
        first + all[first..].partition_point(|l| l.span.start < span.end)
    };
    first..last
}

/// The pages of `text`: at form feeds when it has any, otherwise inferred from recurring
/// running lines and page numbers. Always at least one page.
///
/// A trailing form feed does not start an empty last page. A form feed lost from the
/// text (two pages run together) is restored when the running line that opens, or closes,
/// most pages recurs inside one; see [`restore_lost_breaks`].
pub(crate) fn pages(text: &str) -> Vec<Page> {
    pages_of(text, &all_lines(text))
}

/// [`pages`] of `text`, whose lines are `all` ([`all_lines`]).
pub(crate) fn pages_of(text: &str, all: &[Line]) -> Vec<Page> {
    if memchr::memchr(b'\x0c', text.as_bytes()).is_some() {
        restore_lost_breaks(text, all, split_at_form_feeds(text))
    } else {
        infer(text, all)
    }
}

/// The pages of `text` at its form feeds only (one page when it has none): what a pass
/// that runs after furniture is gone can still see of them, cheaply.
pub(crate) fn split_at_form_feeds(text: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut start = 0;
    for ff in memchr_iter(b'\x0c', text.as_bytes()) {
        pages.push(Page {
            span: Span::new(start, ff),
            inferred: false,
        });
        start = ff + 1;
    }
    if start < text.len() {
        pages.push(Page {
            span: Span::new(start, text.len()),
            inferred: false,
        });
    }
    pages
}

/// Splits pages that hold two pages' worth of furniture.
///
/// A line that opens three or more pages (their first non-blank line: a running head), or
/// closes them (their last: a folio), and recurs at least [`MIN_PAGE_LINES`] non-blank
/// lines inside another page marks a page boundary whose form feed was lost.
// Out of line, as `infer` is: a profile tells the two ways to pages apart.
#[inline(never)]
fn restore_lost_breaks(text: &str, all: &[Line], pages: Vec<Page>) -> Vec<Page> {
    let Some(running) = RunningLines::of(text, all, &pages) else {
        return pages;
    };
    let mut out = Vec::with_capacity(pages.len());
    let mut cuts: Vec<usize> = Vec::new();
    for page in &pages {
        cuts.clear();
        // Only a line with at least MIN_PAGE_LINES non-blank lines before it and after it
        // on the page may cut it: the lines from the one after the page's first
        // MIN_PAGE_LINES non-blank lines up to its last MIN_PAGE_LINES, found from the
        // two ends. The lines between are read once each, and neither end's are tested.
        let range = lines_meeting(all, page.span);
        let is_nonblank = |&i: &usize| !all[i].cut_to(page.span).is_blank(text);
        let (Some(last_of_head), Some(first_of_foot)) = (
            range.clone().filter(is_nonblank).nth(MIN_PAGE_LINES - 1),
            range
                .clone()
                .rev()
                .filter(is_nonblank)
                .nth(MIN_PAGE_LINES - 1),
        ) else {
            out.push(*page);
            continue;
        };
        for line in (last_of_head + 1..first_of_foot).map(|i| all[i].cut_to(page.span)) {
            if !running.search.may_match_line(text, &line) {
                continue;
            }
            let lead = line.lead(text).expect("a line that may match is not blank");
            if let Some(cut) = running.cut(text, &line, lead) {
                cuts.push(cut);
            }
        }
        split_page(text, page, &cuts, &mut out);
    }
    out
}

/// The running lines of pages split at form feeds, for [`restore_lost_breaks`]: the
/// keys of lines that open three or more pages, of those that close three or more, and
/// a search for both.
struct RunningLines {
    openers: KeyMap<usize>,
    closers: KeyMap<usize>,
    search: KeySearch,
}

impl RunningLines {
    /// The running lines of `pages` (at least three of them) of `text`, whose lines are
    /// `all`; `None` when there are none.
    fn of(text: &str, all: &[Line], pages: &[Page]) -> Option<RunningLines> {
        if pages.len() < 3 {
            return None;
        }
        // Each page's first and last non-blank lines, read from its two ends, and keyed.
        let ends: Vec<[(Line, u64); 2]> = pages
            .iter()
            .filter_map(|p| {
                let first = lines_within(all, p.span).find(|l| !l.is_blank(text))?;
                let last = lines_within(all, p.span).rfind(|l| !l.is_blank(text))?;
                Some([first, last].map(|l| (l, line_key(l.trimmed(text)))))
            })
            .collect();
        let mut openers: KeyMap<usize> = KeyMap::default();
        let mut closers: KeyMap<usize> = KeyMap::default();
        for [(first, first_key), (last, last_key)] in &ends {
            if is_running_line(text, first) {
                *openers.entry(*first_key).or_default() += 1;
            }
            if is_running_line(text, last) {
                *closers.entry(*last_key).or_default() += 1;
            }
        }
        openers.retain(|_, n| *n >= 3);
        closers.retain(|_, n| *n >= 3);
        if openers.is_empty() && closers.is_empty() {
            return None;
        }
        // Look inside the pages for the keys of the running lines.
        let search = KeySearch::new(
            ends.iter()
                .flatten()
                .filter(|(_, key)| openers.contains_key(key) || closers.contains_key(key))
                .map(|(l, key)| (l.trimmed(text), *key)),
        );
        Some(RunningLines {
            openers,
            closers,
            search,
        })
    }

    /// Where `line` inside a page (its `lead`, from its first character that is not
    /// white space) cuts the page: before it when it repeats a running head, after it
    /// when it repeats a folio.
    fn cut(&self, text: &str, line: &Line, lead: &str) -> Option<usize> {
        let key = self.search.find(lead)?;
        if self.openers.contains_key(&key) && is_running_line(text, line) {
            Some(line.full.start)
        } else if self.closers.contains_key(&key) && is_running_line(text, line) {
            Some(line.full.end)
        } else {
            None
        }
    }
}

/// True when `line` of `text` may be page furniture: short, with a letter, or a
/// decorated page number.
fn is_running_line(text: &str, line: &Line) -> bool {
    let s = line.trimmed(text);
    s.len() <= MAX_RUNNING_LINE
        && (s.bytes().any(|b| b.is_ascii_alphabetic())
            || page_number(s).is_some_and(|p| p.decorated))
}

/// Pushes `page` onto `out` split at `cuts` (in order), but for cuts that would leave a
/// page of nothing but white space.
fn split_page(text: &str, page: &Page, cuts: &[usize], out: &mut Vec<Page>) {
    let mut start = page.span.start;
    for &cut in cuts {
        if text[start..cut].trim().is_empty() {
            continue;
        }
        out.push(Page {
            span: Span::new(start, cut),
            inferred: page.inferred,
        });
        start = cut;
    }
    out.push(Page {
        span: Span::new(start, page.span.end),
        inferred: start != page.span.start || page.inferred,
    });
}

/// [`restore_lost_breaks`] as it was first written, line by line: every line of a page
/// counted, and every non-blank one after the first [`MIN_PAGE_LINES`] tested, the
/// last ones too. What the reading from both ends must agree with.
#[cfg(test)]
fn restore_lost_breaks_line_by_line(text: &str, all: &[Line], pages: Vec<Page>) -> Vec<Page> {
    let Some(running) = RunningLines::of(text, all, &pages) else {
        return pages;
    };
    let mut out = Vec::with_capacity(pages.len());
    let mut candidates: Vec<(usize, Line, &str)> = Vec::new();
    for page in &pages {
        candidates.clear();
        let mut nonblank = 0;
        for line in lines_within(all, page.span) {
            let Some(lead) = line.lead(text) else {
                continue;
            };
            if nonblank >= MIN_PAGE_LINES && running.search.may_match(lead) {
                candidates.push((nonblank, line, lead));
            }
            nonblank += 1;
        }
        let inside = MIN_PAGE_LINES..nonblank.saturating_sub(MIN_PAGE_LINES);
        let cuts: Vec<usize> = candidates
            .iter()
            .filter(|(k, ..)| inside.contains(k))
            .filter_map(|(_, line, lead)| running.cut(text, line, lead))
            .collect();
        split_page(text, page, &cuts, &mut out);
    }
    out
}

/// The longest [`page_number`] line, trimmed, in bytes.
const MAX_PAGE_NUMBER: usize = 24;

/// A line that is nothing but a page number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageNumber {
    /// The page's number.
    pub(crate) value: u32,
    /// True for forms that can only be page numbers (`- 9 -`, `Page 9`, `9 of 40`), false
    /// for a bare `9` or `ix`, which could also be content.
    pub(crate) decorated: bool,
}

/// Reads a line that is nothing but a page number: `9`, `- 9 -`, `— 9 —`, `[9]`,
/// `Page 9`, `Page 9 of 40`, `9 of 40`, `9/40`, or a roman numeral (`ix`, `XIV`).
///
/// ```text
/// "- 12 -" → 12      "Page 3 of 9" → 3      "xiv" → 14      "1957." → None
/// ```
pub(crate) fn page_number(line: &str) -> Option<PageNumber> {
    // Most lines are longer than any page number: told by their length, trimmed without
    // decoding a character at either end unless it is not ASCII.
    let s = trim(line);
    if s.is_empty() || s.len() > MAX_PAGE_NUMBER {
        return None;
    }
    // Most lines start with a letter that cannot begin a page number.
    if !matches!(
        s.as_bytes()[0],
        b'0'..=b'9'
            | b'-'
            | b'['
            | b'P'
            | b'p'
            | b'i'
            | b'v'
            | b'x'
            | b'l'
            | b'c'
            | b'd'
            | b'm'
            | b'I'
            | b'V'
            | b'X'
            | b'L'
            | b'C'
            | b'D'
            | b'M'
            | 0xe2
    ) {
        return None;
    }
    // Nor can a line be one that holds an ASCII byte no page number has: one of its
    // digits, dashes, brackets, white space, roman numerals, or the letters of `Page`,
    // `p.` and `of` (other white space and dashes are not ASCII).
    if s.bytes()
        .any(|b| b < 0x80 && !PAGE_NUMBER_BYTES[usize::from(b)])
    {
        return None;
    }
    read_page_number(s)
}

/// [`page_number`] of a trimmed line of at most [`MAX_PAGE_NUMBER`] bytes, read in full.
fn read_page_number(s: &str) -> Option<PageNumber> {
    // Decorations around the number: dashes (with or without spaces) or brackets.
    let bare = s;
    let s = strip_pair(s, &["-", "–", "—"]).unwrap_or(s);
    let s = s
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
        .unwrap_or(s)
        .trim();
    let s = s
        .strip_prefix("Page ")
        .or_else(|| s.strip_prefix("page "))
        .or_else(|| s.strip_prefix("PAGE "))
        .or_else(|| s.strip_prefix("p. "))
        .unwrap_or(s)
        .trim_start();
    // "9 of 40", "9/40": the page's own number is the first one.
    let first = match s.split_once(" of ").or_else(|| s.split_once('/')) {
        Some((a, b)) if b.trim().bytes().all(|c| c.is_ascii_digit()) && !b.trim().is_empty() => {
            a.trim()
        }
        _ => s,
    };
    let decorated = first.len() != bare.len();
    let value =
        if !first.is_empty() && first.len() <= 5 && first.bytes().all(|c| c.is_ascii_digit()) {
            first.parse().ok()
        } else if first.len() == s.len() {
            roman(first)
        } else {
            None
        }?;
    Some(PageNumber { value, decorated })
}

/// The ASCII bytes a [`page_number`] line may hold.
static PAGE_NUMBER_BYTES: [bool; 128] = {
    let mut t = [false; 128];
    let allowed = b"0123456789 \t\n\x0b\x0c\r-[]/PpageAGE.ofivxlcdmIVXLCDM";
    let mut i = 0;
    while i < allowed.len() {
        t[allowed[i] as usize] = true;
        i += 1;
    }
    t
};

/// `s` without one of `marks` on both ends (`- 9 -` → `9`).
fn strip_pair<'a>(s: &'a str, marks: &[&str]) -> Option<&'a str> {
    marks.iter().find_map(|m| {
        s.strip_prefix(m)
            .and_then(|r| r.strip_suffix(m))
            .map(str::trim)
    })
}

/// The value of a well-formed roman numeral in one case (`xiv`, `XIV`), up to 3999.
fn roman(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 12 {
        return None;
    }
    let lower = s.bytes().all(|b| b.is_ascii_lowercase());
    let upper = s.bytes().all(|b| b.is_ascii_uppercase());
    if !lower && !upper {
        return None;
    }
    let digit = |b: u8| match b.to_ascii_lowercase() {
        b'i' => Some(1),
        b'v' => Some(5),
        b'x' => Some(10),
        b'l' => Some(50),
        b'c' => Some(100),
        b'd' => Some(500),
        b'm' => Some(1000),
        _ => None,
    };
    let values: Option<Vec<u32>> = s.bytes().map(digit).collect();
    let values = values?;
    let mut total = 0;
    for (i, &v) in values.iter().enumerate() {
        match values.get(i + 1) {
            Some(&next) if next > v => total -= v as i64,
            _ => total += v as i64,
        }
    }
    let total = u32::try_from(total).ok().filter(|&t| t > 0 && t < 4000)?;
    // Only the canonical spelling: rejects "iiii", "vx", "mix"-like accidents.
    (to_roman(total).eq_ignore_ascii_case(s)).then_some(total)
}

fn to_roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// A hash of a line's *key*: the trimmed line with whitespace runs collapsed, digit runs
/// replaced by one `#` and ASCII letters lower-cased, so that `GNU make manual page   3`
/// and `GNU make manual page 4` share a key. Computed without allocating; only the first
/// [`KEY_BYTES`] bytes of the key count (running lines are far shorter).
///
/// A number at either end of the line is left out: a running head printed on the outer
/// side of facing pages carries its page number last on one page and first on the next
/// (`Notes of the Meeting 1`, `2 Notes of the Meeting`).
pub(crate) fn line_key(line: &str) -> u64 {
    let mut buf = [0u8; KEY_BYTES];
    let n = KeyWriter::of_line(line).fill(&mut buf);
    hash_key(&buf[..n])
}

/// The hash of a key's bytes: what [`line_key`] gives.
#[inline]
fn hash_key(key: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(key)
}

/// The first eight bytes of a line's key, packed: a cheap filter before [`line_key`].
///
/// The bytes are mixed (one-to-one, so that equal prefixes stay equal and unequal ones
/// unequal): [`KeyMap`] and [`KeySet`] take their keys for hashes, and raw text would
/// put every line that begins alike into one bucket.
pub(crate) fn line_prefix(line: &str) -> u64 {
    // Most lines begin with eight plain bytes: their prefix is read off them.
    if let Some(prefix) = plain_prefix(line) {
        return prefix;
    }
    let mut buf = [0u8; 8];
    let n = KeyWriter::of_line(line).fill(&mut buf);
    key_prefix(&buf, n)
}

/// The [`line_prefix`] of a key whose first `n` bytes (all of them when `n` is less than
/// eight) begin `buf`: the bytes after the key may hold a repeat that was not kept, and
/// count as zeros.
fn key_prefix(buf: &[u8], n: usize) -> u64 {
    let mut eight = [0u8; 8];
    let kept = n.min(8);
    eight[..kept].copy_from_slice(&buf[..kept]);
    mix(u64::from_le_bytes(eight))
}

/// A search for the lines whose key is one of a few (those of running lines) among all
/// the lines of a text. Most lines are passed over on their first letters
/// ([`KeyStarts`]), most of the others on the first eight bytes of their key
/// ([`line_prefix`]), then on its first 16, 32 and 64; a line is normalised only as far
/// as it agrees with some key, and hashed whole only when it may be one.
pub(crate) struct KeySearch {
    keys: KeySet,
    prefixes: KeySet,
    /// For each of [`LEVELS`], the hashes of the keys' first that many bytes (of the keys
    /// that long).
    levels: [KeySet; LEVELS.len()],
    starts: KeyStarts,
    /// The length of the longest key, in bytes.
    longest: usize,
}

/// The lengths of key beginnings a [`KeySearch`] compares between the prefix and the
/// whole key.
const LEVELS: [usize; 3] = [16, 32, 64];

impl KeySearch {
    /// A search for the keys of `lines`: each line (trimmed, or from its first
    /// character that is not white space on) with its [`line_key`].
    pub(crate) fn new<'a>(lines: impl IntoIterator<Item = (&'a str, u64)>) -> KeySearch {
        let mut search = KeySearch {
            keys: KeySet::default(),
            prefixes: KeySet::default(),
            levels: Default::default(),
            starts: KeyStarts::empty(),
            longest: 0,
        };
        let mut buf = [0u8; KEY_BYTES];
        for (line, key) in lines {
            // Lines with one key share its bytes, and so its prefix and starts: one of
            // them is read.
            if !search.keys.insert(key) {
                continue;
            }
            let n = KeyWriter::of_line(line).fill(&mut buf);
            let bytes = &buf[..n];
            debug_assert_eq!(hash_key(bytes), key, "{line:?}");
            search.prefixes.insert(key_prefix(bytes, n));
            for (&level, set) in LEVELS.iter().zip(&mut search.levels) {
                if let Some(start) = bytes.get(..level) {
                    set.insert(hash_key(start));
                }
            }
            search.starts.add(bytes);
            search.longest = search.longest.max(n);
        }
        search
    }

    /// False when `line` (trimmed, or from its first character that is not white space
    /// on) cannot have one of the keys: a test of its first bytes, for every line.
    #[inline]
    pub(crate) fn may_match(&self, line: &str) -> bool {
        self.starts.may_match(line)
    }

    /// [`may_match`](KeySearch::may_match) of the lead of `line` of `text`
    /// ([`Line::lead`]); false when the line is blank. Most lines begin with a letter,
    /// and are tested on their first bytes without looking for their lead.
    #[inline]
    pub(crate) fn may_match_line(&self, text: &str, line: &Line) -> bool {
        match text.as_bytes()[line.span.range()] {
            [a, b, ref rest @ ..] if is_inner_byte(a) && a != b'#' => {
                self.starts.may_begin(a, b, rest.first().copied())
            }
            _ => line.lead(text).is_some_and(|lead| self.may_match(lead)),
        }
    }

    /// The [`line_key`] of `line` (as for [`may_match`](KeySearch::may_match)) when it
    /// is one of the keys searched for.
    pub(crate) fn find(&self, line: &str) -> Option<u64> {
        let plain = plain_prefix(line);
        if plain.is_some_and(|prefix| !self.prefixes.contains(&prefix)) {
            return None;
        }
        let mut writer = KeyWriter::of_line(line);
        let mut buf = [0u8; KEY_BYTES];
        if plain.is_none() {
            let n = writer.fill(&mut buf[..8]);
            if !self.prefixes.contains(&key_prefix(&buf, n)) {
                return None;
            }
        }
        // A key that has `level` bytes begins as one of the keys that long, or is none
        // of the keys; a shorter one is whole.
        for (&level, starts) in LEVELS.iter().zip(&self.levels) {
            if writer.fill(&mut buf[..level]) < level {
                break;
            }
            if !starts.contains(&hash_key(&buf[..level])) {
                return None;
            }
        }
        // A key longer than the longest one searched for is none of them: the line is
        // normalised one byte past that length at most. Shorter, the key is whole, as
        // `line_key` writes it, unless it fills `KEY_BYTES`, where `line_key` cuts it too.
        let n = writer.fill(&mut buf[..(self.longest + 1).min(KEY_BYTES)]);
        if n > self.longest {
            return None;
        }
        let key = hash_key(&buf[..n]);
        self.keys.contains(&key).then_some(key)
    }
}

/// The [`line_prefix`] of `line` (as for [`KeySearch::may_match`]) when it is found
/// cheaply, as most lines' are: when the line begins with a byte that is no edge and
/// has another one from its eighth byte on (so that [`without_edge_numbers`] takes
/// nothing off its first eight), and those eight bytes are plain ([`key_plain_eight`]),
/// the prefix is those bytes in lower case.
#[inline]
fn plain_prefix(line: &str) -> Option<u64> {
    let bytes = line.as_bytes();
    let eight = bytes.get(..8)?;
    if !is_inner_byte(bytes[0]) || !bytes[7..].iter().rev().any(|&b| is_inner_byte(b)) {
        return None;
    }
    let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
    key_plain_eight(word, b' ').map(mix)
}

/// The first two bytes of the keys of some lines, and their first three where those are
/// letters: a test that passes over most other lines before their [`line_prefix`] is
/// computed.
///
/// A line that begins with two ASCII letters has a key that begins with them in lower
/// case (no edge number is stripped before a letter), so unless those two bytes begin
/// one of the keys, the line's key is none of them; the same holds for three letters,
/// which tell apart lines that begin alike more often than two do, and for a line
/// whose edge numbers are taken off before such bytes ([`KeyStarts::may_match`]).
///
/// Pairs and triples are kept hashed into small bit sets ([`StartBits`]): two starts
/// may share a bit, so a line may pass that begins no key (a search then compares its
/// whole key), but a line that begins a key always finds its bit set. Exact sets (a bit
/// per pair of bytes, per three letters) took 10 kB to zero for every search, and a
/// search is built several times a document, for a few keys.
pub(crate) struct KeyStarts {
    /// The pairs of bytes keys begin with.
    pairs: StartBits,
    /// The three lower-case ASCII letters keys begin with ([`triple`]).
    triples: StartBits,
    /// Some key is shorter than two bytes: every line may match.
    any: bool,
}

/// A set of numbers hashed into 4096 bits: a number added is always found; another may
/// be found too, when it shares a bit with one added.
struct StartBits([u64; 64]);

impl StartBits {
    /// The bit of `n` (Fibonacci hashing: the top 12 bits of `n` times 2^32/φ, which
    /// scatters numbers that differ in a letter or in its case).
    #[inline]
    fn bit(n: usize) -> usize {
        // (`n` is below 2^24: a pair of bytes, or three letters; the product wraps.)
        ((n as u32).wrapping_mul(0x9E37_79B9) >> 20) as usize
    }

    fn insert(&mut self, n: usize) {
        let bit = Self::bit(n);
        self.0[bit / 64] |= 1 << (bit % 64);
    }

    #[inline]
    fn may_contain(&self, n: usize) -> bool {
        let bit = Self::bit(n);
        self.0[bit / 64] & 1 << (bit % 64) != 0
    }
}

/// The index of three lower-case ASCII letters.
#[inline]
fn triple(a: u8, b: u8, c: u8) -> usize {
    let letter = |x: u8| usize::from(x - b'a');
    (letter(a) * 26 + letter(b)) * 26 + letter(c)
}

impl KeyStarts {
    /// The starts of no key: no line matches.
    fn empty() -> KeyStarts {
        KeyStarts {
            pairs: StartBits([0; 64]),
            triples: StartBits([0; 64]),
            any: false,
        }
    }

    /// The starts of the keys of `lines` (each trimmed).
    #[cfg(test)]
    fn new<'a>(lines: impl IntoIterator<Item = &'a str>) -> KeyStarts {
        let mut starts = KeyStarts::empty();
        for line in lines {
            let mut buf = [0u8; 3];
            let n = KeyWriter::of_line(line).fill(&mut buf);
            starts.add(&buf[..n]);
        }
        starts
    }

    /// Adds the start of `key` (its bytes, or at least its first three).
    fn add(&mut self, key: &[u8]) {
        let &[a, b, ref rest @ ..] = key else {
            // A key shorter than two bytes: any line may share its prefix.
            self.any = true;
            return;
        };
        self.pairs.insert(usize::from(u16::from_le_bytes([a, b])));
        if let Some(&c) = rest.first() {
            if [a, b, c].iter().all(u8::is_ascii_lowercase) {
                self.triples.insert(triple(a, b, c));
            }
        }
    }

    /// False when the trimmed `line` (or the line from its first character that is not
    /// white space on) cannot have the key of one of the lines the starts were taken
    /// from; every caller then compares whole keys ([`KeySearch::find`]).
    ///
    /// The key begins where [`without_edge_numbers`] leaves the line: at its first byte
    /// that is no ASCII edge, when that byte is ASCII (a letter, or punctuation as in
    /// `(a)`, `*`), with the byte after it, as [`KEY_BYTE`] writes them. (Were that the
    /// key's only byte, the rest of the line being edges it takes off the end, the key
    /// would be shorter than every key, as `any` is false.) A `#` is passed over: a
    /// digit after it joins its `#` in the key.
    #[inline]
    pub(crate) fn may_match(&self, line: &str) -> bool {
        if self.any {
            return true;
        }
        let bytes = line.as_bytes();
        let Some(start) = bytes
            .iter()
            .position(|&b| !b.is_ascii() || is_inner_byte(b))
        else {
            // Nothing but edges: the whole line is the key.
            return true;
        };
        match bytes[start..] {
            [a, b, ref rest @ ..] if is_inner_byte(a) && a != b'#' => {
                self.may_begin(a, b, rest.first().copied())
            }
            _ => true,
        }
    }

    /// [`may_match`](KeyStarts::may_match) of a line whose key begins at its byte `a`,
    /// which [`is_inner_byte`] and is no `#`, followed by `b` and, when the line goes on,
    /// `c`: as every line that begins with such a byte does (that byte is no white space,
    /// so the line is its own lead, and no edge, so the key starts there).
    #[inline]
    fn may_begin(&self, a: u8, b: u8, c: Option<u8>) -> bool {
        if self.any {
            return true;
        }
        let (a, b) = (KEY_BYTE[usize::from(a)], KEY_BYTE[usize::from(b)]);
        if !self
            .pairs
            .may_contain(usize::from(u16::from_le_bytes([a, b])))
        {
            return false;
        }
        match c {
            Some(c)
                if a.is_ascii_lowercase() && b.is_ascii_lowercase() && c.is_ascii_alphabetic() =>
            {
                self.triples
                    .may_contain(triple(a, b, c.to_ascii_lowercase()))
            }
            _ => true,
        }
    }
}

/// The finaliser of SplitMix64: a bijection on `u64` whose every output bit depends on
/// every input bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// `line` trimmed of digits, spaces and dashes at both ends — unless that is all it is
/// (a bare page number keeps its own key). Trimmed of white space in any case.
fn without_edge_numbers(line: &str) -> &str {
    let line = trim(line);
    let edge = |c: char| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '–' | '—');
    // Read from each end up to the first byte that is no ASCII edge (a digit, white
    // space or `-`): without a scan character by character, as `trim_matches` does,
    // unless that byte begins or ends a non-ASCII character, which may be an edge too
    // (`—`, a wide space).
    let bytes = line.as_bytes();
    let ascii_edge = |b: u8| b.is_ascii() && !is_inner_byte(b);
    let Some(first) = bytes.iter().position(|&b| !ascii_edge(b)) else {
        // Nothing but edges: a bare number.
        return line;
    };
    let last = bytes
        .iter()
        .rposition(|&b| !ascii_edge(b))
        .expect("a byte that is no ASCII edge");
    // A non-ASCII byte after ASCII bytes begins a character; before them, ends one.
    let inner_first = bytes[first].is_ascii() || line[first..].starts_with(|c| !edge(c));
    let inner_last = bytes[last].is_ascii() || line[..=last].ends_with(|c| !edge(c));
    if inner_first && inner_last {
        return &line[first..=last];
    }
    match line.trim_matches(edge) {
        "" => line,
        inner => inner,
    }
}

/// True for an ASCII byte that [`without_edge_numbers`] never strips: an ASCII
/// character is an edge exactly when it is a digit, white space or `-`.
#[inline]
fn is_inner_byte(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_digit() && !is_ascii_space(b) && b != b'-'
}

const KEY_BYTES: usize = 256;

/// Writes `line` (trimmed) into `buf` (as much as fits) as key bytes; returns how many.
#[cfg(test)]
fn normalise_into(line: &str, buf: &mut [u8]) -> usize {
    KeyWriter::new(trim(line)).fill(buf)
}

/// Writes a line's key into a buffer a part at a time: [`normalise_into`], resumed
/// where it stopped, so that a line is normalised only as far as it is compared.
///
/// Every line inside a page that may begin like a running line is keyed, so the loop has
/// no branch per byte: a table maps each byte, and the write position advances unless
/// the byte repeats a digit run's `#` or a space. Most of a line is words between single
/// spaces, which only lower-casing changes: such runs are keyed eight bytes at a time
/// ([`key_plain_eight`]); eight bytes that are not plain go byte by byte. What is
/// written, and where, is what [`normalise_bytewise`] writes.
struct KeyWriter<'a> {
    /// The trimmed line.
    bytes: &'a [u8],
    /// The next byte of `bytes` to read.
    read: usize,
    /// The key bytes written so far.
    written: usize,
    /// The last key byte written (a space before the first).
    prev: u8,
}

impl<'a> KeyWriter<'a> {
    /// A writer of the key of `line`: its text [`without_edge_numbers`].
    fn of_line(line: &'a str) -> KeyWriter<'a> {
        // Edge numbers go with the white space around them: what is left is trimmed.
        KeyWriter::new(without_edge_numbers(line))
    }

    /// A writer of the key bytes of `trimmed`, a trimmed line.
    fn new(trimmed: &'a str) -> KeyWriter<'a> {
        KeyWriter {
            bytes: trimmed.as_bytes(),
            read: 0,
            written: 0,
            prev: b' ',
        }
    }

    /// Writes on into `buf`, which holds the key bytes written so far, until it is full
    /// or the key ends; returns the number of key bytes in it.
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        let bytes = self.bytes;
        let (mut i, mut n, mut prev) = (self.read, self.written, self.prev);
        while i < bytes.len() && n < buf.len() {
            // Where the byte-by-byte steps stop: after these eight bytes when they are
            // not plain (testing them again from the next byte on would mostly fail
            // again), at the end when fewer than eight are left, or room for fewer than
            // eight.
            let bytewise_end = match (bytes.get(i..i + 8), buf.get_mut(n..n + 8)) {
                (Some(eight), Some(out)) => {
                    let word = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
                    if let Some(key) = key_plain_eight(word, prev) {
                        out.copy_from_slice(&key.to_le_bytes());
                        prev = key.to_le_bytes()[7];
                        (i, n) = (i + 8, n + 8);
                        continue;
                    }
                    i + 8
                }
                _ => bytes.len(),
            };
            while i < bytewise_end && n < buf.len() {
                let m = KEY_BYTE[usize::from(bytes[i])];
                // Written even when it is a repeat; then the next byte overwrites it.
                buf[n] = m;
                n += usize::from(m != prev || (m != b'#' && m != b' '));
                prev = m;
                i += 1;
            }
        }
        (self.read, self.written, self.prev) = (i, n, prev);
        n
    }
}

/// The key bytes of eight line bytes (little-endian in a `u64`) after a key byte `prev`,
/// when each is kept and only ASCII capitals change (to lower case): no digit, `#` or
/// control character (ASCII white space but the space is one) is among them, and no
/// space follows a space. `None` otherwise.
#[inline]
fn key_plain_eight(word: u64, prev: u8) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let seven = word & !HIGH;
    // The high bit of each ASCII byte (high bit clear in `word`) that is at least `lo`:
    // a sum that never carries from one byte into the next.
    let at_least = |lo: u8| (seven + ONES * u64::from(0x80 - lo)) & HIGH & !word;
    let in_range = |lo: u8, hi: u8| at_least(lo) & !at_least(hi + 1);
    // The high bit of each byte equal to `c`: zero after the exclusive or.
    let equal = |c: u8| {
        let x = word ^ (ONES * u64::from(c));
        !(((x & !HIGH) + !HIGH) | x) & HIGH
    };
    let control = !at_least(b' ') & !word & HIGH;
    let spaces = equal(b' ');
    let repeated_space = (spaces & (spaces << 8)) | (u64::from(prev == b' ') * (spaces & 0x80));
    if (in_range(b'0', b'9') | equal(b'#') | control | repeated_space) != 0 {
        return None;
    }
    Some(word | (in_range(b'A', b'Z') >> 2))
}

/// [`normalise_into`], byte by byte: what the eight-byte steps must agree with.
#[cfg(test)]
fn normalise_bytewise(line: &str, buf: &mut [u8]) -> usize {
    let mut n = 0;
    let mut prev = b' ';
    for &b in trim(line).as_bytes() {
        if n == buf.len() {
            break;
        }
        let m = KEY_BYTE[usize::from(b)];
        buf[n] = m;
        n += usize::from(m != prev || (m != b'#' && m != b' '));
        prev = m;
    }
    n
}

/// The page number a running line carries: the number that starts it, if one does
/// (facing pages print the folio on the outer side: `2 Notes of the Meeting, 4 May
/// 1962`), else its last number (`Notes of the Meeting, 4 May 1962 1`, `Page 3`). A
/// line that starts with a number that is not the folio (`3 December 1962 … 5`) starts
/// with the same one on every page, which keeps step as well as a folio does.
pub(crate) fn running_number(line: &str) -> Option<u32> {
    let line = line.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '–' | '—'));
    let bytes = line.as_bytes();
    if bytes.first().is_some_and(u8::is_ascii_digit) {
        let end = bytes
            .iter()
            .position(|b| !b.is_ascii_digit())
            .unwrap_or(bytes.len());
        return if end <= 5 {
            line[..end].parse().ok()
        } else {
            None
        };
    }
    last_number(line)
}

/// What each byte becomes in a line key: ASCII digits `#`, ASCII white space a space,
/// ASCII letters lower case, every other byte itself.
static KEY_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_digit() {
            b'#'
        } else if c.is_ascii_whitespace() {
            b' '
        } else {
            c.to_ascii_lowercase()
        };
        b += 1;
    }
    t
};

/// The last run of ASCII digits in `line`, as a number.
fn last_number(line: &str) -> Option<u32> {
    let bytes = line.as_bytes();
    let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    if end - start > 5 {
        return None;
    }
    line[start..end].parse().ok()
}

/// Fewest non-blank lines between two occurrences of the same running line: a page has
/// at least this much text. Guards against taking a repeated content line (a refrain, a
/// repeated option description) for furniture.
const MIN_PAGE_LINES: usize = 8;

/// Running lines are short: a title, an author, a chapter name.
const MAX_RUNNING_LINE: usize = 100;

/// How a page-edge line relates to the page boundary next to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// Opens a page: the boundary goes before it.
    Header,
    /// Closes a page: the boundary goes after it.
    Footer,
    /// Could be either.
    Unknown,
}

/// Infers page boundaries in text without form feeds.
///
/// Marker lines are (a) page numbers that count up by one, at least [`MIN_PAGE_LINES`]
/// apart, three or more in a row, and (b) running lines: short lines whose key recurs
/// three or more times, [`MIN_PAGE_LINES`] apart, that either sit next to such page
/// numbers, carry a number that counts up themselves (`Title 3`), or open or close the
/// document (a running head is usually on page 1 too). Adjacent markers form one group —
/// the footer of one page and the header of the next — and the boundary goes before the
/// group's first header line, or after its last footer line.
#[inline(never)]
fn infer(text: &str, all: &[Line]) -> Vec<Page> {
    let nonblank = nonblank_lines(text, all);
    let n = nonblank.len();
    let whole = vec![Page {
        span: Span::new(0, text.len()),
        inferred: false,
    }];
    if n < 2 * MIN_PAGE_LINES {
        return whole;
    }
    let mut role = number_roles(&nonblank);
    let is_number = role.iter().map(Option::is_some).collect::<Vec<_>>();
    let writes = running_line_roles(&nonblank, &is_number)
        .unwrap_or_else(|| running_line_roles_by_prefix(&nonblank, &is_number));
    for (k, r) in writes {
        role[k] = Some(r);
    }

    // Boundaries, one per group of adjacent markers.
    let mut pages = Vec::new();
    let mut start = 0;
    let mut k = 0;
    while k < n {
        if role[k].is_none() {
            k += 1;
            continue;
        }
        let first = k;
        while k + 1 < n && role[k + 1].is_some() {
            k += 1;
        }
        let last = k;
        k += 1;
        let cut = match (first..=last).find(|&j| role[j] == Some(Role::Header)) {
            Some(h) => Some(nonblank[h].0.start),
            None => (first..=last)
                .rev()
                .find(|&j| role[j] == Some(Role::Footer))
                .map(|f| nonblank[f].0.end),
        }
        .unwrap_or(nonblank[first].0.start);
        if cut > start && text[start..cut].bytes().any(|b| !b.is_ascii_whitespace()) {
            pages.push(Page {
                span: Span::new(start, cut),
                inferred: !pages.is_empty(),
            });
            start = cut;
        }
    }
    if pages.is_empty() {
        return whole;
    }
    if start < text.len() {
        pages.push(Page {
            span: Span::new(start, text.len()),
            inferred: true,
        });
    }
    pages
}

/// The non-blank lines of `text`, whose lines are `all` (trimmed to nothing is blank):
/// each with its line break, and trimmed once for all the tests of [`infer`].
fn nonblank_lines<'a>(text: &'a str, all: &[Line]) -> Vec<(Span, &'a str)> {
    // Room for every line: most are not blank, and the vector is not grown line by line.
    let mut nonblank = Vec::with_capacity(all.len());
    nonblank.extend(all.iter().filter_map(|l| {
        let s = l.trimmed(text);
        (!s.is_empty()).then_some((l.full, s))
    }));
    nonblank
}

/// The roles of the page numbers among `nonblank` that count up ([`infer`]'s markers
/// (a)); `None` for every other line.
///
/// Bare numbers must count up three times; `Page 1`, `Page 2` can only be page numbers.
fn number_roles(nonblank: &NonBlank) -> Vec<Option<Role>> {
    let n = nonblank.len();
    let line = |k: usize| nonblank[k].1;
    // A line longer than any page number is passed over without a call.
    let found: Vec<(usize, PageNumber)> = (0..n)
        .filter(|&k| line(k).len() <= MAX_PAGE_NUMBER)
        .filter_map(|k| page_number(line(k)).map(|p| (k, p)))
        .collect();
    let numbers: Vec<(usize, u32)> = found.iter().map(|&(k, p)| (k, p.value)).collect();
    let min_chain = if found.iter().all(|(_, p)| p.decorated) {
        2
    } else {
        3
    };
    let in_chain = counting_chains(&numbers, min_chain, MIN_PAGE_LINES..=usize::MAX);
    let mut role = vec![None::<Role>; n];
    let numbers_end_document = numbers
        .iter()
        .zip(&in_chain)
        .filter(|(_, &c)| c)
        .any(|(&(k, _), _)| k + 3 >= n);
    for (&(k, _), &c) in numbers.iter().zip(&in_chain) {
        if c {
            role[k] = Some(if numbers_end_document {
                Role::Footer
            } else {
                Role::Unknown
            });
        }
    }
    role
}

/// The non-blank lines of a text, trimmed, with their spans (line break included): what
/// [`infer`] reads.
type NonBlank<'a> = [(Span, &'a str)];

/// The roles the running lines of `nonblank` take, as `(line, role)` writes, when they
/// do not depend on the order the lines' groups are taken in; `None` when they might
/// (then [`running_line_roles_by_prefix`] gives them). `is_number` marks the counted
/// page numbers.
///
/// The slow way keys every short line whose prefix recurs and judges every group of
/// lines with one key ([`group_roles`]). Most of those groups cannot take a role: a
/// group does only when it opens or closes the document, when lines of it sit beside
/// counted page numbers (all three ask that some line of the group is within three
/// lines of an end, or beside a number: a *seed*), or when every line of it carries a
/// number that counts up. So the groups judged here are
/// - those of the seeds' keys, each found whole among all the lines by a
///   [`KeySearch`] for those few keys; and
/// - those of the other lines that carry an ASCII digit, keyed where three of them
///   share a prefix (a counting group has three lines, which share their key's prefix),
///   which can take a role only when no line without a digit shares their key (then
///   the group is whole as found; a search for the few keys that passed tells).
///
/// Every group that can take a role is judged, with all its lines, as the slow way
/// judges it. What is left to the slow way is the order of the groups, where two of
/// them give one line different roles.
fn running_line_roles(nonblank: &NonBlank, is_number: &[bool]) -> Option<Vec<(usize, Role)>> {
    let n = nonblank.len();
    let line = |k: usize| nonblank[k].1;
    let eligible = |s: &str| s.len() <= MAX_RUNNING_LINE && has_ascii_letter(s);
    let mut seeds: Vec<usize> = (0..3.min(n)).chain(n.saturating_sub(3)..n).collect();
    for (j, _) in is_number.iter().enumerate().filter(|(_, &number)| number) {
        seeds.extend((j.saturating_sub(2)..(j + 3).min(n)).filter(|&k| k != j));
    }
    seeds.sort_unstable();
    seeds.dedup();
    let seed_search = KeySearch::new(
        seeds
            .iter()
            .map(|&k| line(k))
            .filter(|s| eligible(s))
            .map(|s| (s, line_key(s))),
    );
    // The groups of the seeds' keys, whole; the other lines with a digit, with their
    // prefixes.
    let mut groups: KeyMap<Vec<usize>> = KeyMap::default();
    let mut numbered: Vec<(usize, u64)> = Vec::new();
    for k in 0..n {
        let s = line(k);
        if s.len() > MAX_RUNNING_LINE {
            continue;
        }
        if seed_search.may_match(s) && has_ascii_letter(s) {
            if let Some(key) = seed_search.find(s) {
                groups.entry(key).or_default().push(k);
                continue;
            }
        }
        if has_ascii_digit(s) && has_ascii_letter(s) {
            numbered.push((k, line_prefix(s)));
        }
    }
    let mut writes: Vec<(usize, Role)> = Vec::new();
    for occurrences in groups.values() {
        writes.extend(
            group_roles(nonblank, is_number, occurrences)
                .into_iter()
                .flatten(),
        );
    }
    // Groups of numbered lines only: those that would take a role if whole.
    let mut prefix_counts: KeyMap<u32> = KeyMap::default();
    for &(_, prefix) in &numbered {
        *prefix_counts.entry(prefix).or_default() += 1;
    }
    let mut numbered_groups: KeyMap<Vec<usize>> = KeyMap::default();
    for &(k, prefix) in &numbered {
        if prefix_counts[&prefix] >= 3 {
            numbered_groups
                .entry(line_key(line(k)))
                .or_default()
                .push(k);
        }
    }
    let mut counting: KeyMap<Vec<(usize, Role)>> = numbered_groups
        .iter()
        .filter_map(|(&key, occurrences)| {
            group_roles(nonblank, is_number, occurrences).map(|w| (key, w))
        })
        .collect();
    if !counting.is_empty() {
        // A line without a digit that shares such a group's key belongs to the group,
        // which then does not count throughout.
        let search = KeySearch::new(
            counting
                .keys()
                .map(|key| (line(numbered_groups[key][0]), *key)),
        );
        for k in 0..n {
            let s = line(k);
            if eligible(s) && !has_ascii_digit(s) && search.may_match(s) {
                if let Some(key) = search.find(s) {
                    counting.remove(&key);
                }
            }
        }
        writes.extend(counting.into_values().flatten());
    }
    // Two groups that give a line different roles would give it the role of whichever
    // is taken last: the slow way's order decides.
    writes.sort_unstable_by_key(|&(k, _)| k);
    if writes
        .windows(2)
        .any(|w| w[0].0 == w[1].0 && w[0].1 != w[1].1)
    {
        return None;
    }
    Some(writes)
}

/// The roles the running lines of `nonblank` take, as `(line, role)` writes to make in
/// order: every short line whose key's first eight bytes recur is keyed, and every group
/// of lines with one key judged ([`group_roles`]), in the order of a hash map of them.
/// What [`running_line_roles`] must agree with.
#[inline(never)]
fn running_line_roles_by_prefix(nonblank: &NonBlank, is_number: &[bool]) -> Vec<(usize, Role)> {
    let n = nonblank.len();
    let line = |k: usize| nonblank[k].1;
    // Lines whose key begins like another line's, then keys among those: most lines are
    // neither hashed in full nor given a list of occurrences.
    let prefixes: Vec<Option<u64>> = (0..n)
        .map(|k| (line(k).len() <= MAX_RUNNING_LINE).then(|| line_prefix(line(k))))
        .collect();
    let mut prefix_counts: KeyMap<u32> = KeyMap::with_capacity_and_hasher(n, Default::default());
    for p in prefixes.iter().flatten() {
        *prefix_counts.entry(*p).or_default() += 1;
    }
    let mut groups: KeyMap<Vec<usize>> = KeyMap::default();
    for (k, p) in prefixes.iter().enumerate() {
        let Some(p) = p else { continue };
        let s = line(k);
        if prefix_counts[p] >= 2 && has_ascii_letter(s) {
            groups.entry(line_key(s)).or_default().push(k);
        }
    }
    groups
        .values()
        .filter_map(|occurrences| group_roles(nonblank, is_number, occurrences))
        .flatten()
        .collect()
}

/// The roles a group of lines with one key (`occurrences`, in order) gives as running
/// lines, as `(line, role)` writes to make in order; `None` when it is no running line.
/// It is one when its lines are [`MIN_PAGE_LINES`] apart and three or more: beside the
/// counted page numbers (`is_number`) for the most part, carrying a number that counts
/// up, or opening or closing the document; twice is enough when it opens the document
/// and both copies carry the page's number.
fn group_roles(
    nonblank: &NonBlank,
    is_number: &[bool],
    occurrences: &[usize],
) -> Option<Vec<(usize, Role)>> {
    let n = nonblank.len();
    let line = |k: usize| nonblank[k].1;
    let near_number =
        |k: usize| (k.saturating_sub(2)..(k + 3).min(n)).any(|j| j != k && is_number[j]);
    if occurrences.len() < 2 || occurrences.windows(2).any(|w| w[1] - w[0] < MIN_PAGE_LINES) {
        return None;
    }
    let opens = occurrences[0] < 3;
    let closes = occurrences[occurrences.len() - 1] + 3 >= n;
    if occurrences.len() == 2 {
        // Twice is enough for a two-page document when the line opens it and both
        // copies carry the page's number, in the line or on the line next to it.
        if !opens {
            return None;
        }
        let numbers_beside: Vec<Option<(usize, u32)>> = occurrences
            .iter()
            .map(|&k| {
                [k.wrapping_sub(1), k + 1]
                    .into_iter()
                    .filter(|&j| j < n)
                    .find_map(|j| page_number(line(j)).map(|p| (j, p.value)))
            })
            .collect();
        let trailing: Vec<Option<u32>> = occurrences
            .iter()
            .map(|&k| running_number(line(k)))
            .collect();
        let counts =
            |a: Option<u32>, b: Option<u32>| matches!((a, b), (Some(a), Some(b)) if b == a + 1);
        let mut writes = Vec::new();
        if let [Some((j1, v1)), Some((j2, v2))] = numbers_beside[..] {
            if !counts(Some(v1), Some(v2)) {
                return None;
            }
            writes.extend([(j1, Role::Unknown), (j2, Role::Unknown)]);
        } else if !counts(trailing[0], trailing[1]) {
            return None;
        }
        writes.extend(occurrences.iter().map(|&k| (k, Role::Header)));
        return Some(writes);
    }
    let beside_numbers = occurrences.iter().filter(|&&k| near_number(k)).count();
    let numbered: Vec<(usize, u32)> = occurrences
        .iter()
        .filter_map(|&k| running_number(line(k)).map(|v| (k, v)))
        .collect();
    let counting = numbered.len() == occurrences.len()
        && counting_chains(&numbered, 3, MIN_PAGE_LINES..=usize::MAX)
            .iter()
            .filter(|&&c| c)
            .count()
            * 3
            >= occurrences.len() * 2;
    if beside_numbers * 3 >= occurrences.len() * 2 || counting || opens || closes {
        let r = if opens || !closes {
            Role::Header
        } else {
            Role::Footer
        };
        return Some(occurrences.iter().map(|&k| (k, r)).collect());
    }
    None
}

/// True when `s` holds an ASCII letter.
#[inline]
fn has_ascii_letter(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_alphabetic())
}

/// True when `s` holds an ASCII digit: read sixteen bytes at a time, without a branch
/// per byte (most short lines hold none, and are read to their end). The sixteen are an
/// array, so that the test of all of them compiles to a few vector instructions.
#[inline]
fn has_ascii_digit(s: &str) -> bool {
    let mut chunks = s.as_bytes().chunks_exact(16);
    let any_digit = |chunk: &[u8; 16]| chunk.iter().fold(false, |any, b| any | b.is_ascii_digit());
    chunks.any(|chunk| any_digit(chunk.try_into().expect("sixteen bytes")))
        || chunks.remainder().iter().any(u8::is_ascii_digit)
}

/// For each `(position, value)` (in position order): whether it belongs to a chain of at
/// least `min_len` entries whose values count up by one, each `gap` positions after the
/// one before.
pub(crate) fn counting_chains(
    entries: &[(usize, u32)],
    min_len: usize,
    gap: std::ops::RangeInclusive<usize>,
) -> Vec<bool> {
    // Longest chain ending at each entry, through the latest entry with value - 1.
    let mut best_by_value: HashMap<u32, usize> = HashMap::new();
    let mut len = vec![1usize; entries.len()];
    let mut prev = vec![None::<usize>; entries.len()];
    for (i, &(pos, value)) in entries.iter().enumerate() {
        if let Some(&j) = value.checked_sub(1).and_then(|v| best_by_value.get(&v)) {
            if gap.contains(&(pos - entries[j].0)) {
                len[i] = len[j] + 1;
                prev[i] = Some(j);
            }
        }
        match best_by_value.get(&value) {
            Some(&j) if len[j] > len[i] => {}
            _ => {
                best_by_value.insert(value, i);
            }
        }
    }
    let mut member = vec![false; entries.len()];
    for (end, &chain) in len.iter().enumerate() {
        if chain >= min_len {
            let mut at = Some(end);
            while let Some(i) = at {
                if member[i] {
                    break;
                }
                member[i] = true;
                at = prev[i];
            }
        }
    }
    member
}

/// The data-driven tests of the layout passes: every `tests/data/layout/<dir>/NAME.in.txt`
/// run through `run` must give `NAME.out.txt`, and, when `idempotent`, running again must
/// change nothing.
/// With `RECTO_BLESS=1` in the environment the outputs are written instead (review them
/// before committing).
#[cfg(test)]
pub(crate) fn check_data_cases(dir: &str, idempotent: bool, run: impl Fn(&str) -> String) {
    use std::fs;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/layout")
        .join(dir);
    let bless = std::env::var_os("RECTO_BLESS").is_some();
    let mut inputs: Vec<_> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".in.txt"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no cases in {}", root.display());
    let mut failures = Vec::new();
    for input in inputs {
        let name = input.to_string_lossy().replace(".in.txt", "");
        let text = fs::read_to_string(&input).expect("readable case");
        let got = run(&text);
        let expected_path = format!("{name}.out.txt");
        if bless {
            fs::write(&expected_path, &got).expect("writable case");
            continue;
        }
        let expected = fs::read_to_string(&expected_path).expect("expected output");
        if got != expected {
            failures.push(format!("{name}: got\n{got}\n--- expected\n{expected}"));
        } else if idempotent && run(&got) != got {
            failures.push(format!("{name}: a second run changes the output"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys written eight bytes at a time are the keys written byte by byte, byte for
    /// byte (the unkept byte after the key too), for lines mixing words, capitals,
    /// digits, `#`, runs of spaces, tabs and other white space, and non-ASCII
    /// characters, into buffers of every size the passes use and some others.
    #[test]
    fn keys_in_eights_are_keys_byte_by_byte() {
        const PIECES: [&str; 16] = [
            "word", "Word", "WORD", " ", "  ", "\t", "12", "#", "-", "é", "—", "\n", "\u{b}", "x",
            "Page ", "@[`{",
        ];
        const PLAIN: [&str; 7] = ["word", "Word", "WORD", " ", "x", "Page ", "é"];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next_u64();
        for _ in 0..20_000 {
            let len = (next() % 60) as usize;
            // Half the lines mostly words and single spaces, so that eight bytes of them are
            // plain, and broken now and then.
            let plain = next() % 2 == 0;
            let line: String = (0..len)
                .map(|_| {
                    let k = (next() % 64) as usize;
                    match k {
                        _ if plain && k > 4 => PLAIN[k % PLAIN.len()],
                        _ => PIECES[k % PIECES.len()],
                    }
                })
                .collect();
            for size in [1, 2, 3, 8, 15, 16, 17, 31, 32, 33, KEY_BYTES] {
                let (mut fast, mut slow) = (vec![0u8; size], vec![0u8; size]);
                let n = normalise_into(&line, &mut fast);
                assert_eq!(n, normalise_bytewise(&line, &mut slow), "{line:?} {size}");
                assert_eq!(fast, slow, "{line:?} {size}");
            }
            // Written a part at a time, as a key search writes it, the key is the same.
            let mut whole = [0u8; KEY_BYTES];
            let n = normalise_bytewise(&line, &mut whole);
            let mut parts = [0u8; KEY_BYTES];
            let mut writer = KeyWriter::new(trim(&line));
            let mut upto = 0;
            while upto < KEY_BYTES {
                upto = (upto + 1 + (next() % 20) as usize).min(KEY_BYTES);
                let written = writer.fill(&mut parts[..upto]);
                assert_eq!(written, n.min(upto), "{line:?} {upto}");
                assert_eq!(parts[..written], whole[..written], "{line:?} {upto}");
            }
        }
    }

    /// A prefix read off eight plain bytes ([`plain_prefix`]) is the prefix the key
    /// writer gives, for lines that begin plainly or not, with edge numbers and without.
    #[test]
    fn plain_prefixes_are_written_prefixes() {
        const PIECES: [&str; 12] = [
            "Annual", "report", " ", "  ", "12", "- ", "x", "THE", "é", "#", "\t", ".",
        ];
        let mut rng = crate::testing::XorShift(0x7A5C_E11E_D0C5_1D3B);
        let mut plain = 0;
        for _ in 0..20_000 {
            let len = rng.below(8);
            let line: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            let mut buf = [0u8; 8];
            let n = KeyWriter::of_line(&line).fill(&mut buf);
            assert_eq!(line_prefix(&line), key_prefix(&buf, n), "{line:?}");
            plain += usize::from(plain_prefix(&line).is_some());
        }
        assert!(plain > 1000, "{plain}");
    }

    /// Edge numbers found from the last byte that is no edge are those `trim_matches`
    /// finds character by character, for lines mixing letters, digits, stops, dashes
    /// of three widths and white space of several kinds, at either end.
    #[test]
    fn edge_numbers_read_from_the_bytes_are_edge_numbers() {
        fn slowly(line: &str) -> &str {
            let line = line.trim();
            let edge =
                |c: char| c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '–' | '—');
            match line.trim_matches(edge) {
                "" => line,
                inner => inner,
            }
        }
        const PIECES: [&str; 14] = [
            "a", "Report", "12", "-", "–", "—", " ", "  ", "\t", "\u{a0}", "é", ".", "“", "#",
        ];
        let mut rng = crate::testing::XorShift(0x1234_5678_9ABC_DEF1);
        for _ in 0..20_000 {
            let len = rng.below(8);
            let line: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            assert_eq!(without_edge_numbers(&line), slowly(&line), "{line:?}");
        }
    }

    #[test]
    fn eight_plain_bytes_are_lower_cased() {
        let key = |s: &[u8; 8], prev: u8| {
            key_plain_eight(u64::from_le_bytes(*s), prev).map(u64::to_le_bytes)
        };
        assert_eq!(key(b"The Cat ", b'x'), Some(*b"the cat "));
        assert_eq!(key(b"AZ@[`az{", b' '), Some(*b"az@[`az{"));
        assert_eq!(
            key(b"\xc3\xa9t\xc3\xa9 AB", b'x'),
            Some(*b"\xc3\xa9t\xc3\xa9 ab")
        );
        assert_eq!(key(b"~}|!\"/:?", b'x'), Some(*b"~}|!\"/:?"));
        assert_eq!(key(b" leading", b' '), None);
        assert_eq!(key(b" leading", b'x'), Some(*b" leading"));
        for bad in [
            b"two  spc",
            b"digit 1x",
            b"digit 9x",
            b"digit 0x",
            b"hash # x",
            b"tab\tchar",
            b"nl\nchars",
            b"vt\x0bchars",
            b"nul\0char",
        ] {
            assert_eq!(key(bad, b'x'), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    /// Pages rendered for the data cases: each page's text, then a line saying how the
    /// page began.
    fn render(text: &str) -> String {
        pages(text)
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let how = match (i, p.inferred) {
                    (0, _) => "document start",
                    (_, true) => "inferred",
                    (_, false) => "form feed",
                };
                format!("{}<<< page {} ({how})\n", &text[p.span.range()], i + 1)
            })
            .collect()
    }

    #[test]
    fn data_cases() {
        check_data_cases("pages", false, render);
    }

    fn page_texts(text: &str) -> Vec<&str> {
        pages(text).iter().map(|p| &text[p.span.range()]).collect()
    }

    #[test]
    fn splits_at_form_feeds_and_keeps_them_out() {
        assert_eq!(page_texts("one\n\x0ctwo\n\x0c"), ["one\n", "two\n"]);
        assert_eq!(page_texts("one\x0ctwo"), ["one", "two"]);
        assert_eq!(page_texts("\x0cone"), ["", "one"]);
    }

    #[test]
    fn restores_a_lost_form_feed() {
        let page = |p: usize| format!("Manual\n{}- {p} -\n", body(p));
        let text = format!("{}\x0c{}{}\x0c{}\x0c", page(1), page(2), page(3), page(4));
        let got = page_texts(&text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(got[2].starts_with("Manual\n") && got[2].ends_with("- 3 -\n"));
    }

    /// Restoring lost breaks from the lines between each page's first and last
    /// [`MIN_PAGE_LINES`] non-blank ones agrees with counting every line of the page: on
    /// pages of running heads and folios (some lost inside a page, some indented, in
    /// another case or with another number), prose, blank and white lines, lines of one
    /// byte, lines opening with `#`, a digit or a non-ASCII letter, and form feeds inside
    /// lines, of every length around twice [`MIN_PAGE_LINES`].
    #[test]
    fn restoring_breaks_from_the_inner_lines_agrees_with_every_line() {
        const LINES: [&str; 16] = [
            "Annual Report",
            "ANNUAL report 1962",
            "  Annual Report",
            "- 4 -",
            "Page 12",
            "Body line of prose that goes on here.",
            "Another line, with more words.",
            "",
            "   ",
            "\t\u{b}",
            "x",
            "#3 Annual Report",
            "12 Annual Report",
            "Éditions du Seuil",
            "\u{2003}Annual Report",
            "an",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        let (mut split, mut texts) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            for page in 0..3 + rng.below(4) {
                let lines = rng.below(4 * MIN_PAGE_LINES);
                let head = rng.below(3) > 0;
                if head {
                    text.push_str("Annual Report\n");
                }
                for _ in 0..lines {
                    text.push_str(LINES[rng.below(LINES.len())]);
                    text.push('\n');
                }
                if rng.below(3) > 0 {
                    text.push_str(&format!("- {page} -"));
                }
                // Mostly a line break before the form feed; sometimes the feed ends a
                // line, or is lost.
                match rng.below(6) {
                    0 => text.push('\x0c'),
                    1 => text.push('\n'),
                    _ => text.push_str("\n\x0c"),
                }
            }
            let all = all_lines(&text);
            let pages = split_at_form_feeds(&text);
            let slowly = restore_lost_breaks_line_by_line(&text, &all, pages.clone());
            texts += 1;
            split += usize::from(slowly.len() > pages.len());
            assert_eq!(restore_lost_breaks(&text, &all, pages), slowly, "{text:?}");
        }
        // The texts must restore breaks often for the agreement to mean something.
        assert!(split * 10 > texts, "{split} of {texts} texts split");
    }

    #[test]
    fn text_without_furniture_is_one_page() {
        let text = "A paragraph.\n\nAnother one.\n";
        assert_eq!(page_texts(text), [text]);
    }

    /// A key search finds a line exactly when the line's key is one of those searched
    /// for: for running lines and the lines inside pages that nearly repeat them (other
    /// numbers, spacing, case, a word more or less, indentation), among lines of prose.
    #[test]
    fn a_key_search_finds_the_lines_with_one_of_its_keys() {
        const WORDS: [&str; 17] = [
            "Annual", "report", "the", "Thé", "12", "- 4 -", "—", "x", "Chapter", "  ", "\t",
            "1962", "(a)", "#", "*", "\u{b}", "(",
        ];
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        let phrase = |rng: &mut crate::testing::XorShift, words: usize| -> String {
            (0..words)
                .map(|_| WORDS[rng.below(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let (mut found, mut missed) = (0, 0);
        for round in 0..400 {
            let running: Vec<String> = (0..1 + round % 4)
                .map(|_| {
                    let words = 1 + rng.below(8);
                    phrase(&mut rng, words)
                })
                .collect();
            let search = KeySearch::new(running.iter().map(|s| (trim(s), line_key(s))));
            let keys: KeySet = running.iter().map(|s| line_key(s)).collect();
            for _ in 0..50 {
                let base = &running[rng.below(running.len())];
                let line = match rng.below(8) {
                    0 => base.to_uppercase(),
                    6 => format!("{base}{}", [" ", " \t", "-", " 7", "\u{a0}"][rng.below(5)]),
                    7 => format!(
                        "{}{base}",
                        ["- ", "3 ", "\u{2003}", "x", "(", "12 *", "#"][rng.below(7)]
                    ),
                    1 => format!("{base} {}", rng.below(300)),
                    2 => format!("  {}", base.replace(' ', "   ")),
                    3 => format!("{base} {}", phrase(&mut rng, 1)),
                    4 => {
                        let mut half = base.len() / 2;
                        while !base.is_char_boundary(half) {
                            half -= 1;
                        }
                        base[..half].to_owned()
                    }
                    _ => {
                        let words = 1 + rng.below(10);
                        phrase(&mut rng, words)
                    }
                };
                let Some(lead) = (Line {
                    span: Span::new(0, line.len()),
                    full: Span::new(0, line.len()),
                })
                .lead(&line) else {
                    continue;
                };
                let key = line_key(&line);
                let expected = keys.contains(&key).then_some(key);
                let got = search.may_match(lead).then(|| search.find(lead)).flatten();
                assert_eq!(got, expected, "{line:?} among {running:?}");
                if got.is_some() {
                    found += 1;
                } else {
                    missed += 1;
                }
            }
        }
        assert!(found > 1000 && missed > 1000, "{found} {missed}");
    }

    #[test]
    fn key_starts_pass_every_line_with_a_matching_prefix() {
        let running = ["GNU make manual", "12 Annual report", "— 3 —", "x"];
        let starts = KeyStarts::new(running.iter().copied().take(3));
        for line in ["gnu Make  Manual 4", "Annual report 13", "— 4 —", "7"] {
            assert!(starts.may_match(line), "{line:?}");
        }
        assert!(!starts.may_match("Body text of the page."));
        // A key of one byte: nothing can be passed over.
        let all = KeyStarts::new(running);
        assert!(all.may_match("Body text of the page."));
        for (line, other) in [("Ab cd", "ab CD 7"), ("The end.", "the  end.")] {
            assert_eq!(line_prefix(line), line_prefix(other));
            assert!(KeyStarts::new([line]).may_match(other));
        }
    }

    #[test]
    fn key_starts_tell_lines_apart_by_three_letters() {
        let starts = KeyStarts::new(["The Annual Report", "Ab", "xy 12"]);
        // Three letters that begin a key, in any case, and lines whose third byte is no
        // letter (a digit, a space or the end may be stripped or collapsed) pass.
        for line in [
            "THE ANNUAL REPORT 4",
            "Then again",
            "Ab",
            "Ab 7",
            "ab.",
            "Xy 13",
            "Xy",
        ] {
            assert!(starts.may_match(line), "{line:?}");
        }
        // Three letters that begin no key: their key's prefix is none of these.
        for line in ["Thy word", "Abc", "Xyz 12", "Body text"] {
            assert!(!starts.may_match(line), "{line:?}");
        }
    }

    /// Regression guard for the shared lines (`Document::lines`): the passes cut a
    /// page's lines from the text's, so the cut must give exactly what `lines` finds in
    /// the page, forwards and backwards, for spans that begin and end at line starts,
    /// inside lines, on line breaks and at the text's ends.
    #[test]
    fn lines_within_are_the_lines_of_the_span() {
        let mut rng = crate::testing::XorShift(0x0DDB_1A5E_5BAD_5EEDu64);
        for _ in 0..3000 {
            let text = crate::testing::line_soup(&mut rng);
            let all = all_lines(&text);
            assert_eq!(
                all,
                lines(&text, Span::new(0, text.len())).collect::<Vec<_>>()
            );
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            for _ in 0..8 {
                let a = bounds[rng.below(bounds.len())];
                let b = bounds[rng.below(bounds.len())];
                let span = Span::new(a.min(b), a.max(b));
                let expected: Vec<Line> = lines(&text, span).collect();
                let got: Vec<Line> = lines_within(&all, span).collect();
                assert_eq!(got, expected, "{text:?} {span:?}");
                let mut backward: Vec<Line> = lines_within(&all, span).rev().collect();
                backward.reverse();
                assert_eq!(backward, expected, "{text:?} {span:?}");
            }
        }
    }

    /// A digit is found in any of the sixteen-byte chunks and in the bytes after them.
    #[test]
    fn digits_are_found_at_every_offset() {
        for len in 0..48 {
            let plain = "x".repeat(len);
            assert!(!has_ascii_digit(&plain));
            for at in 0..len {
                let mut line = plain.clone().into_bytes();
                line[at] = b'0' + (at % 10) as u8;
                let line = String::from_utf8(line).expect("ASCII");
                assert!(has_ascii_digit(&line), "{line:?}");
            }
        }
        assert!(!has_ascii_digit("é/:\u{2003}x٣"));
    }

    #[test]
    fn lines_split_at_line_breaks() {
        let text = "a\n\nbc";
        let got: Vec<&str> = lines(text, Span::new(0, text.len()))
            .map(|l| &text[l.full.range()])
            .collect();
        assert_eq!(got, ["a\n", "\n", "bc"]);
    }

    #[test]
    fn recognises_page_numbers() {
        for (s, v) in [
            ("9", 9),
            ("  - 9 -  ", 9),
            ("-12-", 12),
            ("— 3 —", 3),
            ("[4]", 4),
            ("Page 9", 9),
            ("Page 9 of 40", 9),
            ("9 of 40", 9),
            ("9/40", 9),
            ("xiv", 14),
            ("IV", 4),
        ] {
            assert_eq!(page_number(s).map(|p| p.value), Some(v), "{s:?}");
        }
        for s in [
            "1957.", "9a", "Page", "iiii", "mix it", "Vi", "", "- -", "123456",
        ] {
            assert_eq!(page_number(s), None, "{s:?}");
        }
    }

    /// A line with an ASCII byte that no page number holds is not read as one: such
    /// lines, of the bytes page numbers are made of and some others, are none in full.
    #[test]
    fn page_numbers_hold_only_their_bytes() {
        const PIECES: [&str; 24] = [
            "1", "42", " ", "-", "–", "—", "[", "]", "Page ", "page ", "PAGE ", "p. ", " of ", "/",
            "x", "iv", "XL", "\u{a0}", "\t", "e", "n", ".", ",", "é",
        ];
        let mut rng = crate::testing::XorShift(0x0DDB_1A5E_5BAD_5EED);
        let (mut numbers, mut foreign) = (0, 0);
        for _ in 0..50_000 {
            let len = 1 + rng.below(5);
            let line: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            let s = trim(&line);
            if s.is_empty() || s.len() > MAX_PAGE_NUMBER {
                continue;
            }
            let has_foreign = s
                .bytes()
                .any(|b| b < 0x80 && !PAGE_NUMBER_BYTES[usize::from(b)]);
            let read = read_page_number(s);
            assert!(!(has_foreign && read.is_some()), "{s:?}");
            numbers += usize::from(read.is_some());
            foreign += usize::from(has_foreign);
        }
        assert!(numbers > 1000 && foreign > 1000, "{numbers} {foreign}");
    }

    #[test]
    fn tells_decorated_page_numbers() {
        assert!(page_number("- 4 -").unwrap().decorated);
        assert!(page_number("Page 4").unwrap().decorated);
        assert!(!page_number("4").unwrap().decorated);
        assert!(!page_number("iv").unwrap().decorated);
    }

    #[test]
    fn two_pages_are_inferred_from_decorated_numbers() {
        let text = format!("Guide\n{}Page 1\nGuide\n{}Page 2\n", body(1), body(2));
        let got = page_texts(&text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].starts_with("Guide\n"));
    }

    #[test]
    fn two_pages_are_inferred_from_a_title_with_bare_numbers() {
        let text = format!("Notes\n1\n{}Notes\n2\n{}", body(1), body(2));
        let got = page_texts(&text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[1].starts_with("Notes\n2\n"));
        let text = format!("Notes 1\n{}Notes 2\n{}", body(1), body(2));
        assert_eq!(pages(&text).len(), 2);
        // Not counting up: no pages.
        let text = format!("Notes\n1\n{}Notes\n7\n{}", body(1), body(2));
        assert_eq!(pages(&text).len(), 1);
    }

    #[test]
    fn line_keys_ignore_numbers_spacing_and_case() {
        assert_eq!(
            line_key("GNU make manual page     12"),
            line_key("  gnu make manual page 3")
        );
        assert_ne!(
            line_key("GNU make manual page"),
            line_key("GNU tar manual page")
        );
        // Facing pages print the number on the outer side.
        assert_eq!(
            line_key("Notes of the Meeting, 4 May   1"),
            line_key("2   Notes of the Meeting, 4 May")
        );
        assert_eq!(
            line_prefix("— 3 — Annual report"),
            line_prefix("Annual report — 4 —")
        );
        // A bare number keeps a key of its own.
        assert_ne!(line_key("12"), line_key("Annual report"));
    }

    #[test]
    fn the_folio_of_a_running_line_is_at_its_outer_end() {
        assert_eq!(
            running_number("Hungarian Embassy, 3 December 1962   1"),
            Some(1)
        );
        assert_eq!(
            running_number("2   Hungarian Embassy, 3 December 1962"),
            Some(2)
        );
        assert_eq!(running_number("— 7 — Annual report"), Some(7));
        assert_eq!(running_number("Page 9 of the report"), Some(9));
        assert_eq!(running_number("The report"), None);
    }

    #[test]
    fn trims_as_str_trim_does() {
        for s in [
            "",
            " ",
            "\t a b \r",
            "\x0b x\x0b",
            "\u{a0}x\u{3000}",
            " \u{2003} x é ",
            "é",
            "\u{85}",
            " \u{a0} ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        // Runs of spaces (read eight at a time) around and inside lines, with other
        // white space and characters at their edges.
        const PIECES: [&str; 9] = [
            " ", "        ", "     ", "\t", "\u{a0}", "x", "é", "\r", "7",
        ];
        let mut rng = crate::testing::XorShift(0x5DEE_CE66_D1CE_4E5B);
        for _ in 0..20_000 {
            let len = rng.below(12);
            let s: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
            assert_eq!(trim(&s), s.trim(), "{s:?}");
            let line = Line {
                span: Span::new(0, s.len()),
                full: Span::new(0, s.len()),
            };
            let lead = Some(s.trim_start()).filter(|rest| !rest.is_empty());
            assert_eq!(line.lead(&s), lead, "{s:?}");
        }
    }

    #[test]
    fn lines_with_one_key_have_one_prefix() {
        // The prefix filters lines before they are keyed: it must not tell apart lines
        // that share a key, however their digit runs and spaces repeat.
        let same = [
            ("ab12", "ab1"),
            ("x  1", "X 22"),
            ("Ch 1 2", "ch 3  4"),
            ("a\t\t", "A"),
        ];
        for (a, b) in same {
            assert_eq!(line_key(a), line_key(b), "{a:?} {b:?}");
            assert_eq!(line_prefix(a), line_prefix(b), "{a:?} {b:?}");
        }
        assert_eq!(line_prefix("AB 12 x"), line_prefix("ab # x"));
        assert_eq!(
            line_prefix("Running head, page 1"),
            line_prefix("running heading")
        );
        assert_ne!(line_prefix("ab#x"), line_prefix("ab#"));
    }

    /// The running lines' roles found from their seeds and their numbered lines are the
    /// roles the slow way finds by keying every line whose prefix recurs: on documents
    /// whose pages open or close with a running line (plain, numbered at either end,
    /// sometimes left out or misnumbered), page numbers of several forms, and body lines
    /// that begin alike, carry numbers, and repeat.
    #[test]
    fn running_line_roles_agree_with_the_slow_way() {
        const HEADS: [&str; 5] = [
            "Report title",
            "GNU make manual",
            "Notes of the Meeting",
            "Chapter",
            "A Study",
        ];
        const WORDS: [&str; 8] = [
            "the", "Body", "text", "goes", "on", "Section", "chapter", "report",
        ];
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        let documents = 600;
        let (mut fast, mut with_running_lines) = (0, 0);
        for _ in 0..documents {
            let head = HEADS[rng.below(HEADS.len())];
            let (head_form, number_form) = (rng.below(5), rng.below(6));
            let first_page = 1 + rng.below(3);
            let mut text = String::new();
            for page in first_page..first_page + 2 + rng.below(6) {
                let shown = if rng.below(8) == 0 {
                    page + 1 + rng.below(3)
                } else {
                    page
                };
                if rng.below(6) != 0 {
                    match head_form {
                        0 => {}
                        1 => text.push_str(&format!("{head}\n")),
                        2 => text.push_str(&format!("{head} {shown}\n")),
                        3 => text.push_str(&format!("{shown} {head}\n")),
                        _ => text.push_str(&format!("{head}, page {shown} of the report\n")),
                    }
                }
                for _ in 0..6 + rng.below(10) {
                    let words = 1 + rng.below(6);
                    let mut line = (0..words)
                        .map(|_| WORDS[rng.below(WORDS.len())])
                        .collect::<Vec<_>>()
                        .join(" ");
                    if rng.below(4) == 0 {
                        line.push_str(&format!(" {}", rng.below(12)));
                    }
                    if rng.below(3) == 0 {
                        line.push('\n');
                    }
                    text.push_str(&line);
                    text.push('\n');
                }
                if rng.below(7) != 0 {
                    match number_form {
                        0 => {}
                        1 => text.push_str(&format!("{shown}\n")),
                        2 => text.push_str(&format!("- {shown} -\n")),
                        3 => text.push_str(&format!("Page {shown}\n")),
                        4 => text.push_str(&format!("{head} {shown}\n")),
                        _ => text.push_str(&format!("{}\n", to_roman(shown as u32))),
                    }
                }
            }
            let nonblank = nonblank_lines(&text, &all_lines(&text));
            let numbers = number_roles(&nonblank);
            let is_number: Vec<bool> = numbers.iter().map(Option::is_some).collect();
            let roles = |writes: Vec<(usize, Role)>| {
                let mut role = numbers.clone();
                for (k, r) in writes {
                    role[k] = Some(r);
                }
                role
            };
            let slow = running_line_roles_by_prefix(&nonblank, &is_number);
            with_running_lines += usize::from(!slow.is_empty());
            if let Some(writes) = running_line_roles(&nonblank, &is_number) {
                fast += 1;
                assert_eq!(roles(writes), roles(slow), "{text}");
            }
        }
        // Most documents are judged the fast way, and many have running lines.
        assert!(fast * 10 >= documents * 9, "{fast} of {documents}");
        assert!(with_running_lines * 3 >= documents, "{with_running_lines}");
    }

    fn body(page: usize) -> String {
        (0..10)
            .map(|i| format!("Body line {i} of page {page} goes on here.\n"))
            .collect()
    }

    #[test]
    fn infers_pages_from_a_header_and_footer_numbers() {
        // PyMuPDF style: header at the top of each page, page number at the bottom.
        let text: String = (1..=4)
            .map(|p| format!("Report title\n{}{p}\n", body(p)))
            .collect();
        let got = page_texts(&text);
        assert_eq!(got.len(), 4);
        for (i, page) in got.iter().enumerate() {
            assert!(page.starts_with("Report title\n"), "{page:?}");
            assert!(page.ends_with(&format!("\n{}\n", i + 1)), "{page:?}");
        }
    }

    #[test]
    fn infers_pages_from_headers_carrying_the_number() {
        // pypdf style: "Title N" opens each page.
        let text: String = (1..=3).map(|p| format!("Title {p}\n{}", body(p))).collect();
        let got = page_texts(&text);
        assert_eq!(got.len(), 3);
        assert!(got[2].starts_with("Title 3\n"));
    }

    #[test]
    fn infers_pages_from_page_numbers_alone() {
        let text: String = (1..=3).map(|p| format!("{}- {p} -\n", body(p))).collect();
        let got = page_texts(&text);
        assert_eq!(got.len(), 3);
        assert!(got[0].ends_with("- 1 -\n"));
    }

    #[test]
    fn a_repeated_content_line_does_not_make_pages() {
        // Recurs three times, but not at the document's edges and beside no page number.
        let text: String = (1..=3)
            .map(|p| format!("{}Will process triggers.\n{}", body(p), body(p)))
            .collect();
        assert_eq!(pages(&text).len(), 1);
    }

    #[test]
    fn numbers_that_do_not_count_up_make_no_pages() {
        let text: String = [5, 2, 9]
            .iter()
            .map(|p| format!("{}{p}\n", body(*p)))
            .collect();
        assert_eq!(pages(&text).len(), 1);
    }

    #[test]
    fn counting_chains_need_distance_and_succession() {
        let e = [(0, 1), (20, 2), (40, 3), (41, 4), (70, 9)];
        assert_eq!(
            counting_chains(&e, 3, 8..=usize::MAX),
            [true, true, true, false, false]
        );
    }
}
