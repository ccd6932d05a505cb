//! Byte spans into UTF-8 text.
//!
//! Every position recto reports — in fixes, changes, diagnostics and reports — is a
//! byte offset into a `str`, so a [`Span`] can slice the text it came from directly.
//! Line and column numbers are derived on demand with [`LineIndex`], only where a person
//! reads them.

use serde::Serialize;

/// A half-open byte range `start..end` into a UTF-8 string.
///
/// `Span` is `Copy` and ordered by `(start, end)`, so sorted lists of spans are sorted
/// by position.
///
/// ```
/// use recto::Span;
/// let text = "ﬁnancial";
/// let lig = Span::new(0, 3);
/// assert_eq!(&text[lig.range()], "ﬁ");
/// assert_eq!(lig.len(), 3);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    /// First byte of the span.
    pub start: usize,
    /// One past the last byte of the span.
    pub end: usize,
}

impl Span {
    /// Creates a span; panics in debug builds if `start > end`.
    ///
    /// ```
    /// let s = recto::Span::new(2, 5);
    /// assert_eq!((s.start, s.end), (2, 5));
    /// ```
    #[inline]
    pub const fn new(start: usize, end: usize) -> Span {
        debug_assert!(start <= end);
        Span { start, end }
    }

    /// An empty span at `at`: the position of an insertion.
    ///
    /// ```
    /// assert!(recto::Span::empty(4).is_empty());
    /// ```
    #[inline]
    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// Number of bytes covered.
    ///
    /// ```
    /// assert_eq!(recto::Span::new(3, 7).len(), 4);
    /// ```
    #[inline]
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// True when the span covers no byte.
    ///
    /// ```
    /// assert!(!recto::Span::new(0, 1).is_empty());
    /// ```
    #[inline]
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The span as a `Range`, for slicing.
    ///
    /// ```
    /// assert_eq!(&"hello"[recto::Span::new(1, 3).range()], "el");
    /// ```
    #[inline]
    pub const fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// True when the two spans share at least one byte, or when one is an empty span
    /// strictly inside the other. Adjacent spans do not overlap.
    ///
    /// ```
    /// use recto::Span;
    /// assert!(Span::new(0, 4).overlaps(Span::new(3, 6)));
    /// assert!(!Span::new(0, 3).overlaps(Span::new(3, 6)));
    /// assert!(Span::new(0, 4).overlaps(Span::empty(2)));
    /// ```
    #[inline]
    pub const fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
            || (self.is_empty() && other.start < self.start && self.start < other.end)
            || (other.is_empty() && self.start < other.start && other.start < self.end)
    }

    /// True when the spans overlap or meet end to start.
    ///
    /// ```
    /// use recto::Span;
    /// assert!(Span::new(0, 3).touches(Span::new(3, 6)));
    /// assert!(!Span::new(0, 3).touches(Span::new(4, 6)));
    /// ```
    #[inline]
    pub const fn touches(self, other: Span) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// The smallest span covering both.
    ///
    /// ```
    /// use recto::Span;
    /// assert_eq!(Span::new(2, 3).cover(Span::new(5, 9)), Span::new(2, 9));
    /// ```
    #[inline]
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The span moved right by `by` bytes.
    ///
    /// ```
    /// assert_eq!(recto::Span::new(1, 2).shift(10), recto::Span::new(11, 12));
    /// ```
    #[inline]
    pub const fn shift(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

/// A 1-based line and column, the column counted in characters (Unicode scalar values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
}

impl std::fmt::Display for LineCol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Maps byte offsets of one text to line and column numbers.
///
/// Building the index is one `memchr` pass over the text; each lookup is a binary search.
///
/// ```
/// use recto::span::{LineIndex, LineCol};
/// let text = "ab\nçd\n";
/// let index = LineIndex::new(text);
/// assert_eq!(index.line_col(text, 5), LineCol { line: 2, col: 2 });
/// ```
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = Vec::with_capacity(text.len() / 64 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { line_starts }
    }

    /// Line and column of byte `offset` in `text` (the text this index was built from).
    /// An offset inside a multi-byte character counts as that character.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let mut col_end = offset;
        while !text.is_char_boundary(col_end) {
            col_end -= 1;
        }
        LineCol {
            line: line + 1,
            col: text[start..col_end].chars().count() + 1,
        }
    }

    /// Byte offset at which 1-based `line` starts, if the text has that line.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        line.checked_sub(1)
            .and_then(|l| self.line_starts.get(l).copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_span_inside_other_overlaps_but_at_edges_does_not() {
        let s = Span::new(2, 6);
        assert!(s.overlaps(Span::empty(3)));
        assert!(!s.overlaps(Span::empty(2)));
        assert!(!s.overlaps(Span::empty(6)));
        assert!(!Span::empty(2).overlaps(Span::empty(2)));
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "x\nÁrpád y";
        let index = LineIndex::new(text);
        let y = text.find('y').unwrap();
        assert_eq!(index.line_col(text, y), LineCol { line: 2, col: 7 });
        assert_eq!(index.line_col(text, 0), LineCol { line: 1, col: 1 });
        assert_eq!(
            index.line_col(text, text.len()),
            LineCol { line: 2, col: 8 }
        );
    }
}
