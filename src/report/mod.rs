//! Reporters: turn an [`Outcome`] into something a person or a program reads.
//!
//! Reporters only read; the pipeline has already decided everything. Each takes a
//! [`Subject`] — a path, the original text and its outcome — and writes to any
//! `io::Write`, so the binary, tests and other front ends share them.

mod diff;
mod html;
mod json;
mod sarif;
mod text;

pub use diff::{write_diff, DiffStyle};
pub use html::{write_review_html, write_review_html_with_decisions, ReviewFile};
pub use json::{change_record, diagnostic_record, proposal_record, write_jsonl, write_jsonl_with};
pub use sarif::write_sarif;
pub use text::{write_check, write_github};

use std::cell::OnceCell;

use crate::pipeline::Outcome;
use crate::span::{LineCol, LineIndex, Span};

/// One document's outcome, with what a reporter needs to locate it.
///
/// ```
/// let original = "ﬁne";
/// let outcome = recto::clean_str(original);
/// let subject = recto::report::Subject::new("a.txt", original, &outcome);
/// let mut out = Vec::new();
/// recto::report::write_check(&mut out, &subject).unwrap();
/// assert!(String::from_utf8(out).unwrap().starts_with("a.txt:1:1: unicode.ligature"));
/// ```
pub struct Subject<'a> {
    /// The path shown to the user (`-` for standard input).
    pub path: &'a str,
    /// The original text (decoded).
    pub original: &'a str,
    /// What the pipeline made of it.
    pub outcome: &'a Outcome,
    /// The original's line index, given or built on first use: a front end makes a
    /// subject for every document it may report on, and most runs write no report.
    given: Option<&'a LineIndex>,
    built: OnceCell<LineIndex>,
}

impl<'a> Subject<'a> {
    /// A subject that indexes `original` for line and column lookups when first asked.
    pub fn new(path: &'a str, original: &'a str, outcome: &'a Outcome) -> Subject<'a> {
        Subject {
            path,
            original,
            outcome,
            given: None,
            built: OnceCell::new(),
        }
    }

    /// Like [`new`](Subject::new), with the line index of `original` already built: the
    /// outcome of each segment of a long text ([`Pipeline::run_segmented`]) is reported
    /// against the whole original without indexing it again.
    ///
    /// [`Pipeline::run_segmented`]: crate::Pipeline::run_segmented
    ///
    /// ```
    /// use recto::span::LineIndex;
    /// let original = "line one\nﬁne";
    /// let index = LineIndex::new(original);
    /// let outcome = recto::clean_str(original);
    /// let subject = recto::report::Subject::with_index("a.txt", original, &outcome, &index);
    /// assert_eq!(subject.line_col(9).line, 2);
    /// ```
    pub fn with_index(
        path: &'a str,
        original: &'a str,
        outcome: &'a Outcome,
        index: &'a LineIndex,
    ) -> Subject<'a> {
        Subject {
            path,
            original,
            outcome,
            given: Some(index),
            built: OnceCell::new(),
        }
    }

    /// Line and column of a byte offset of the original.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index().line_col(self.original, offset)
    }

    pub(crate) fn index(&self) -> &LineIndex {
        match self.given {
            Some(index) => index,
            None => self.built.get_or_init(|| LineIndex::new(self.original)),
        }
    }

    pub(crate) fn slice(&self, span: Span) -> &'a str {
        &self.original[span.range()]
    }
}

/// Shortens `s` for one-line display: at most `max` characters; line breaks, tabs and
/// form feeds as `\n`, `\t`, `\f`; invisible or look-alike characters (controls,
/// no-break and other Unicode spaces, zero-width characters, soft hyphens) as `<U+00A0>`
/// so a person can see what changed.
pub(crate) fn snippet(s: &str, max: usize) -> String {
    let mut out = String::new();
    let count = s.chars().count();
    let take = |n: usize, out: &mut String, it: &mut dyn Iterator<Item = char>| {
        for c in it.take(n) {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\u{c}' => out.push_str("\\f"),
                c if c.is_control() || is_invisible(c) => {
                    out.push_str(&format!("<U+{:04X}>", c as u32))
                }
                c => out.push(c),
            }
        }
    };
    if count <= max {
        take(max, &mut out, &mut s.chars());
    } else {
        let half = max / 2;
        take(half, &mut out, &mut s.chars());
        out.push('…');
        take(half, &mut out, &mut s.chars().skip(count - half));
    }
    out
}

/// Characters a reader cannot tell from a space or from nothing.
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{a0}' | '\u{ad}' | '\u{1680}' | '\u{2000}'..='\u{200f}' | '\u{2028}'..='\u{202f}'
        | '\u{205f}'..='\u{2064}' | '\u{3000}' | '\u{feff}')
}
