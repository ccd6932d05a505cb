//! What stages propose and what the pipeline records.
//!
//! A stage looks at text and proposes [`Fix`]es: each one logical repair made of one or
//! more [`Edit`]s, attributed to one rule, with an [`Applicability`] that says whether it
//! may be applied without a person looking at it. The [`Pipeline`](crate::Pipeline)
//! applies fixes and records each applied edit as a [`Change`] in the coordinates of the
//! *original* text; everything a person sees (diff, report, review) is built from changes.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use smallvec::{smallvec, SmallVec};
use smol_str::SmolStr;

use crate::span::Span;

/// How safe it is to apply a fix without a person looking at it (ruff's model).
///
/// The order is `Suggest < Review < Safe`: a threshold of `Review` applies `Review` and
/// `Safe` fixes.
///
/// ```
/// use recto::Applicability;
/// assert!(Applicability::Safe > Applicability::Review);
/// assert_eq!("review".parse::<Applicability>().unwrap(), Applicability::Review);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// A plausible repair with real doubt (several candidates, weak evidence). Applied
    /// only with `--unsafe` or when accepted in review.
    Suggest,
    /// Very likely right, but a wrong application would lose or alter content. Applied
    /// only with `--unsafe` or when accepted in review.
    Review,
    /// Cannot reasonably be wrong. Applied by `clean`.
    Safe,
}

impl Applicability {
    /// Lower-case name, as used on the command line and in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Applicability::Suggest => "suggest",
            Applicability::Review => "review",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Applicability {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "suggest" => Ok(Applicability::Suggest),
            "review" => Ok(Applicability::Review),
            "safe" => Ok(Applicability::Safe),
            _ => Err(format!(
                "unknown applicability {s:?} (expected safe, review or suggest)"
            )),
        }
    }
}

impl Serialize for Applicability {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The id of a rule: `stage.name` for built-in rules (`unicode.ligature`),
/// `FILE-STEM.ID` for rules from rule files (`web-residue.search-in`).
///
/// Built-in ids are `'static` and cost nothing to clone; ids of rules loaded at run time
/// share one allocation.
///
/// ```
/// use recto::RuleId;
/// let id = RuleId::from_static("unicode.ligature");
/// assert_eq!(id.as_str(), "unicode.ligature");
/// assert_eq!(id, RuleId::new("unicode.ligature"));
/// ```
#[derive(Clone)]
pub struct RuleId(RuleIdRepr);

#[derive(Clone)]
enum RuleIdRepr {
    Static(&'static str),
    Shared(Arc<str>),
}

impl RuleId {
    /// A rule id known at compile time.
    pub const fn from_static(id: &'static str) -> RuleId {
        RuleId(RuleIdRepr::Static(id))
    }

    /// A rule id made at run time.
    pub fn new(id: impl Into<Arc<str>>) -> RuleId {
        RuleId(RuleIdRepr::Shared(id.into()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            RuleIdRepr::Static(s) => s,
            RuleIdRepr::Shared(s) => s,
        }
    }

    /// The stage or rule file the rule belongs to: the part before the first dot.
    ///
    /// ```
    /// assert_eq!(recto::RuleId::new("layout.reflow").group(), "layout");
    /// ```
    pub fn group(&self) -> &str {
        let s = self.as_str();
        s.split_once('.').map_or(s, |(g, _)| g)
    }
}

impl PartialEq for RuleId {
    fn eq(&self, other: &RuleId) -> bool {
        self.as_str() == other.as_str()
    }
}
impl Eq for RuleId {}
impl PartialOrd for RuleId {
    fn partial_cmp(&self, other: &RuleId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for RuleId {
    fn cmp(&self, other: &RuleId) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}
impl std::hash::Hash for RuleId {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}
impl Borrow<str> for RuleId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}
impl fmt::Debug for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}
impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Replace the bytes under `span` with `replacement`. An empty replacement deletes; an
/// empty span inserts.
///
/// The replacement is a [`SmolStr`]: nearly every repair puts back a few bytes (a space,
/// a paragraph break, a ligature's letters), which it holds inline, so that a stage
/// proposing a fix per line of a document does not allocate per line.
///
/// ```
/// use recto::{Edit, Span};
/// let e = Edit::new(Span::new(0, 3), "fi");
/// assert_eq!(&*e.replacement, "fi");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// What is replaced, in the coordinates of the text the stage was given.
    pub span: Span,
    /// What replaces it.
    pub replacement: SmolStr,
}

impl Edit {
    /// An edit replacing `span` with `replacement`.
    pub fn new(span: Span, replacement: impl Into<SmolStr>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// An edit deleting `span`.
    ///
    /// ```
    /// assert!(recto::Edit::delete(recto::Span::new(1, 2)).replacement.is_empty());
    /// ```
    pub fn delete(span: Span) -> Edit {
        Edit::new(span, "")
    }

    /// An edit inserting `text` at `at`.
    pub fn insert(at: usize, text: impl Into<SmolStr>) -> Edit {
        Edit::new(Span::empty(at), text)
    }
}

/// One logical repair proposed by a stage: its edits are applied together or not at all.
///
/// ```
/// use recto::{Applicability, Edit, Fix, RuleId, Span};
/// let fix = Fix::new(RuleId::from_static("unicode.ligature"), Applicability::Safe)
///     .with_edit(Edit::new(Span::new(0, 3), "fi"))
///     .with_message("expand ligature ﬁ");
/// assert_eq!(fix.span(), Span::new(0, 3));
/// ```
#[derive(Clone, Debug)]
pub struct Fix {
    /// The rule that proposes the fix.
    pub rule: RuleId,
    /// The edits, sorted by position and pairwise non-overlapping. Held inline when
    /// there is one, as for most fixes.
    pub edits: SmallVec<[Edit; 1]>,
    /// Whether the fix may be applied without review.
    pub applicability: Applicability,
    /// How sure the rule is, in `0.0..=1.0`.
    pub confidence: f32,
    /// Why, for a person: evidence and candidates. Most rules say the same thing every
    /// time (`line break inside a paragraph`), and a stage may propose a fix per line:
    /// a static message is borrowed, not copied.
    pub message: Cow<'static, str>,
    /// Whether the edits are one replacement or a move of text (see [`Fix::moved`]).
    pub kind: FixKind,
}

/// What a fix's edits do together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FixKind {
    /// The edits are one repair, recorded as one change covering all of them.
    #[default]
    Replace,
    /// The edits take text out of one place and put it in another: recorded as
    /// separate changes that are accepted or rejected together, so that repairs made
    /// later inside the text between them stay changes of their own.
    Move,
}

impl Fix {
    /// A fix with no edits yet, full confidence and no message.
    pub fn new(rule: RuleId, applicability: Applicability) -> Fix {
        Fix {
            rule,
            edits: SmallVec::new(),
            applicability,
            confidence: 1.0,
            message: Cow::Borrowed(""),
            kind: FixKind::Replace,
        }
    }

    /// A fix that moves `text[from]` to position `to` (a position outside `from`, not at
    /// its edges: moving text next to itself changes nothing).
    ///
    /// ```
    /// use recto::{Applicability, Fix, FixKind, RuleId, Span};
    /// let text = "B. A. ";
    /// let f = Fix::moved(RuleId::from_static("x.y"), Applicability::Review, text, Span::new(3, 6), 0);
    /// assert_eq!(f.kind, FixKind::Move);
    /// let mut out = text.to_owned();
    /// for e in f.edits.iter().rev() {
    ///     out.replace_range(e.span.range(), &e.replacement);
    /// }
    /// assert_eq!(out, "A. B. ");
    /// ```
    pub fn moved(
        rule: RuleId,
        applicability: Applicability,
        text: &str,
        from: Span,
        to: usize,
    ) -> Fix {
        debug_assert!(to < from.start || to > from.end, "a move must go somewhere");
        let mut fix = Fix::new(rule, applicability)
            .with_edit(Edit::delete(from))
            .with_edit(Edit::insert(to, &text[from.range()]));
        fix.kind = FixKind::Move;
        fix
    }

    /// A fix made of one edit.
    ///
    /// ```
    /// use recto::{Applicability, Edit, Fix, RuleId, Span};
    /// let f = Fix::single(RuleId::from_static("x.y"), Applicability::Safe, Edit::delete(Span::new(0, 1)));
    /// assert_eq!(f.edits.len(), 1);
    /// ```
    pub fn single(rule: RuleId, applicability: Applicability, edit: Edit) -> Fix {
        // Built whole: most fixes are single edits, tens of thousands a document, and
        // `with_edit`'s sorted insert into an empty vector is a cost for nothing here.
        Fix {
            edits: smallvec![edit],
            ..Fix::new(rule, applicability)
        }
    }

    /// Adds an edit (kept sorted by position).
    pub fn with_edit(mut self, edit: Edit) -> Fix {
        let at = self.edits.partition_point(|e| e.span <= edit.span);
        self.edits.insert(at, edit);
        self
    }

    /// Sets the confidence, clamped to `0.0..=1.0`.
    pub fn with_confidence(mut self, confidence: f32) -> Fix {
        self.confidence = confidence.clamp(0.0, 1.0);
        self
    }

    /// Sets the message.
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Fix {
        self.message = message.into();
        self
    }

    /// The span from the first edit's start to the last edit's end.
    pub fn span(&self) -> Span {
        match (self.edits.first(), self.edits.last()) {
            (Some(a), Some(b)) => a.span.cover(b.span),
            _ => Span::empty(0),
        }
    }

    /// True when the edits are sorted, disjoint, on char boundaries of `text` and the
    /// fix changes something.
    pub fn is_well_formed(&self, text: &str) -> bool {
        let within = |e: &Edit| {
            e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        };
        // Nearly every fix is one edit, asked about once for each fix a stage proposes:
        // the checks below, with nothing to order.
        if let [edit] = self.edits.as_slice() {
            return within(edit) && text[edit.span.range()] != *edit.replacement;
        }
        !self.edits.is_empty()
            && self.edits.iter().all(within)
            && self
                .edits
                .windows(2)
                .all(|w| w[0].span.end <= w[1].span.start && !w[0].span.touches_empty(w[1].span))
            && self
                .edits
                .iter()
                .any(|e| text[e.span.range()] != *e.replacement)
    }
}

impl Span {
    /// Two insertions at one position, or an insertion at a replaced span's edge, have
    /// no defined order: the pipeline treats them as a conflict.
    pub(crate) const fn touches_empty(self, other: Span) -> bool {
        (self.is_empty() || other.is_empty()) && self.end == other.start
    }
}

/// A stable identifier of a change: a hash of its rules, the text it replaces, its
/// replacement and a little surrounding text — never of its offsets — so a decision
/// recorded for it survives edits elsewhere in the document.
///
/// Printed as 16 hex digits, with `-N` appended for the N-th identical change. Held
/// inline, as a [`SmolStr`]: a document can have a change on every line.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChangeId(pub(crate) SmolStr);

impl ChangeId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Wraps an id read from a decisions file.
    pub fn from_string(id: impl Into<SmolStr>) -> ChangeId {
        ChangeId(id.into())
    }
}

impl fmt::Display for ChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for ChangeId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// An applied edit in the coordinates of the original text.
///
/// The changes of an [`Outcome`](crate::Outcome) are sorted and pairwise disjoint (edits
/// of later stages that touch an earlier change are merged into it), so any subset of them
/// applies cleanly to the original with [`apply`](crate::apply).
#[derive(Clone, Debug)]
pub struct Change {
    /// Stable identifier; see [`ChangeId`].
    pub id: ChangeId,
    /// The replaced bytes of the original text.
    pub original: Span,
    /// The text that replaces them in the output (inline when short, as nearly all are).
    pub replacement: SmolStr,
    /// Every rule whose edits were merged into this change, in the order they applied
    /// (inline when it is one, as for nearly all changes).
    pub rules: SmallVec<[RuleId; 1]>,
    /// The least safe applicability among the merged fixes.
    pub applicability: Applicability,
    /// The lowest confidence among the merged fixes.
    pub confidence: f32,
    /// The messages of the merged fixes, joined by `"; "` (borrowed when it is one
    /// rule's static message, as for most changes).
    pub message: Cow<'static, str>,
    /// The other changes of the same move (see [`FixKind::Move`]): this change is
    /// accepted or rejected together with them. Empty for every other change.
    pub linked: Vec<ChangeId>,
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (the encoding that was detected).
    Info,
    /// Something in the input a person should look at (`(cid:12)`, U+FFFD).
    Warning,
}

/// Something a stage noticed but did not, or could not, repair.
///
/// ```
/// use recto::{Diagnostic, Severity, Span};
/// let d = Diagnostic::new("unicode.replacement-char", Severity::Warning, "U+FFFD in input")
///     .with_span(Span::new(4, 7));
/// assert_eq!(d.span, Some(Span::new(4, 7)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// What kind of finding, e.g. `decode.invalid-utf8`.
    pub code: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Where, in original-text coordinates (after a stage reports it, the pipeline lifts
    /// it from the stage's text to the original).
    pub span: Option<Span>,
    /// What, for a person.
    pub message: String,
}

impl Diagnostic {
    /// A diagnostic with no position.
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            span: None,
            message: message.into(),
        }
    }

    /// Sets the position.
    pub fn with_span(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `is_well_formed` says, read off its definition for any number of edits.
    fn well_formed_by_definition(edits: &[Edit], text: &str) -> bool {
        let within = |e: &Edit| e.span.end <= text.len() && text.get(e.span.range()).is_some();
        !edits.is_empty()
            && edits.iter().all(within)
            && edits
                .windows(2)
                .all(|w| w[0].span.end <= w[1].span.start && !w[0].span.touches_empty(w[1].span))
            && edits.iter().any(|e| text[e.span.range()] != *e.replacement)
    }

    #[test]
    fn fixes_of_one_edit_are_judged_as_by_the_definition() {
        // Spans in and past the text, on and off the boundaries of its two-byte
        // characters; replacements that are and are not what they replace.
        let text = "ﬁne é day";
        let mut rng = crate::testing::XorShift(0x5851_f42d_4c95_7f2d);
        let (mut good, mut bad) = (0, 0);
        for _ in 0..20_000 {
            let mut fix = Fix::new(RuleId::from_static("t.t"), Applicability::Safe);
            for _ in 0..1 + rng.below(3) {
                let start = rng.below(text.len() + 2);
                let end = start + rng.below(4);
                let replacement = match text.get(start..end) {
                    Some(same) if rng.below(2) == 0 => same.to_owned(),
                    _ => ["", "x", "é"][rng.below(3)].to_owned(),
                };
                fix.edits
                    .push(Edit::new(Span::new(start, end), replacement));
            }
            let expected = well_formed_by_definition(&fix.edits, text);
            assert_eq!(fix.is_well_formed(text), expected, "{:?}", fix.edits);
            if expected {
                good += 1;
            } else {
                bad += 1;
            }
        }
        assert!(good > 1000 && bad > 1000, "{good} well-formed, {bad} not");
    }
}
