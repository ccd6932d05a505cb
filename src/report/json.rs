//! The JSON Lines report: one object per change, proposal and diagnostic.
//!
//! The format is the machine-readable record of a run (`--report FILE`, `check
//! --format json`). Each line is an object with a `"type"` of `"change"`,
//! `"proposal"` or `"diagnostic"`; positions are byte offsets into the original
//! (decoded) text plus 1-based line and character column.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::Subject;
use crate::fix::{Applicability, Change, ChangeId, Diagnostic, RuleId, Severity};
use crate::pipeline::Proposal;
use crate::span::Span;

// The records are written straight from these borrowed structs. Why not `json!`: it
// built a map of owned keys and values for every record, then printed it; with a
// change every 20 bytes, a 100 MB file's report took 15 of a 17 s run (measured with
// `-j2 --report`). The structs' field order is the records' key order.

#[derive(Serialize)]
struct Offsets {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct LineCol {
    line: usize,
    col: usize,
}

/// Where a record is: byte offsets into the original, and 1-based line and character
/// column of both ends.
#[derive(Serialize)]
struct Position {
    span: Offsets,
    start: LineCol,
    end: LineCol,
}

impl Position {
    fn of(subject: &Subject<'_>, span: Span) -> Position {
        let (start, end) = (subject.line_col(span.start), subject.line_col(span.end));
        Position {
            span: Offsets {
                start: span.start,
                end: span.end,
            },
            start: LineCol {
                line: start.line,
                col: start.col,
            },
            end: LineCol {
                line: end.line,
                col: end.col,
            },
        }
    }
}

/// An applied change or a proposed fix: a proposal has no id and no linked changes.
#[derive(Serialize)]
struct FixRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a ChangeId>,
    rules: &'a [RuleId],
    applicability: Applicability,
    /// As the `f64` the `f32` is, to the last digit (`0.949999988079071`), as reports
    /// have always written it.
    confidence: f64,
    before: &'a str,
    after: &'a str,
    message: &'a str,
    #[serde(flatten)]
    position: Position,
    /// Only moves have linked changes; other records keep their shape.
    #[serde(skip_serializing_if = "<[ChangeId]>::is_empty")]
    linked: &'a [ChangeId],
}

impl<'a> FixRecord<'a> {
    fn change(subject: &Subject<'a>, c: &'a Change) -> FixRecord<'a> {
        FixRecord {
            kind: "change",
            path: subject.path,
            id: Some(&c.id),
            rules: &c.rules,
            applicability: c.applicability,
            confidence: f64::from(c.confidence),
            before: subject.slice(c.original),
            after: &c.replacement,
            message: &c.message,
            position: Position::of(subject, c.original),
            linked: &c.linked,
        }
    }

    fn proposal(subject: &Subject<'a>, p: &'a Proposal) -> FixRecord<'a> {
        FixRecord {
            kind: "proposal",
            path: subject.path,
            id: None,
            rules: std::slice::from_ref(&p.rule),
            applicability: p.applicability,
            confidence: f64::from(p.confidence),
            before: &p.before,
            after: &p.after,
            message: &p.message,
            position: Position::of(subject, p.original),
            linked: &[],
        }
    }
}

#[derive(Serialize)]
struct DiagnosticRecord<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    path: &'a str,
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    position: Option<Position>,
}

impl<'a> DiagnosticRecord<'a> {
    fn of(subject: &Subject<'a>, d: &'a Diagnostic) -> DiagnosticRecord<'a> {
        DiagnosticRecord {
            kind: "diagnostic",
            path: subject.path,
            code: d.code,
            severity: d.severity,
            message: &d.message,
            position: d.span.map(|span| Position::of(subject, span)),
        }
    }
}

/// A record with `extra` fields after its own (a JSON Lines record's `line` and
/// `record_id`); their names must differ from the record's.
#[derive(Serialize)]
struct WithExtra<'a, R> {
    #[serde(flatten)]
    record: R,
    #[serde(flatten)]
    extra: &'a Map<String, Value>,
}

/// Writes `record` and a line break, with `extra`'s fields after its own.
fn write_line(
    out: &mut dyn Write,
    record: impl Serialize,
    extra: &Map<String, Value>,
) -> io::Result<()> {
    if extra.is_empty() {
        serde_json::to_writer(&mut *out, &record)?;
    } else {
        serde_json::to_writer(&mut *out, &WithExtra { record, extra })?;
    }
    out.write_all(b"\n")
}

fn to_value(record: impl Serialize) -> Value {
    serde_json::to_value(record).expect("a record has string keys and finite numbers or null")
}

/// The report object of an applied change.
pub fn change_record(subject: &Subject<'_>, c: &Change) -> Value {
    to_value(FixRecord::change(subject, c))
}

/// The report object of a fix that was proposed but not applied.
pub fn proposal_record(subject: &Subject<'_>, p: &Proposal) -> Value {
    to_value(FixRecord::proposal(subject, p))
}

/// The report object of a diagnostic.
pub fn diagnostic_record(subject: &Subject<'_>, d: &Diagnostic) -> Value {
    to_value(DiagnosticRecord::of(subject, d))
}

/// Writes every change, proposal and diagnostic of `subject` as JSON Lines, each
/// record followed by the fields of `extra` (which must not repeat a record's own).
///
/// ```
/// let original = "ﬁne";
/// let outcome = recto::clean_str(original);
/// let subject = recto::report::Subject::new("-", original, &outcome);
/// let mut extra = serde_json::Map::new();
/// extra.insert("line".into(), 7.into());
/// let mut out = Vec::new();
/// recto::report::write_jsonl_with(&mut out, &subject, &extra).unwrap();
/// let line: serde_json::Value = serde_json::from_slice(&out[..out.iter().position(|&b| b == b'\n').unwrap()]).unwrap();
/// assert_eq!(line["after"], "fi");
/// assert_eq!(line["line"], 7);
/// ```
pub fn write_jsonl_with(
    out: &mut dyn Write,
    subject: &Subject<'_>,
    extra: &Map<String, Value>,
) -> io::Result<()> {
    for c in &subject.outcome.changes {
        write_line(out, FixRecord::change(subject, c), extra)?;
    }
    for p in &subject.outcome.proposals {
        write_line(out, FixRecord::proposal(subject, p), extra)?;
    }
    for d in &subject.outcome.diagnostics {
        write_line(out, DiagnosticRecord::of(subject, d), extra)?;
    }
    Ok(())
}

/// Writes every change, proposal and diagnostic of `subject` as JSON Lines.
///
/// ```
/// let original = "ﬁne";
/// let outcome = recto::clean_str(original);
/// let mut out = Vec::new();
/// recto::report::write_jsonl(&mut out, &recto::report::Subject::new("-", original, &outcome)).unwrap();
/// let line: serde_json::Value = serde_json::from_slice(&out[..out.iter().position(|&b| b == b'\n').unwrap()]).unwrap();
/// assert_eq!(line["before"], "ﬁ");
/// assert_eq!(line["after"], "fi");
/// assert_eq!(line["start"]["line"], 1);
/// ```
pub fn write_jsonl(out: &mut dyn Write, subject: &Subject<'_>) -> io::Result<()> {
    write_jsonl_with(out, subject, &Map::new())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// How records were built before they were written from structs: with `json!`, the
    /// position merged in, and the extra fields inserted last. Reports must not change.
    fn built_with_json(subject: &Subject<'_>, extra: &Map<String, Value>) -> String {
        fn position(subject: &Subject<'_>, span: Span) -> Value {
            let start = subject.line_col(span.start);
            let end = subject.line_col(span.end);
            json!({
                "span": { "start": span.start, "end": span.end },
                "start": { "line": start.line, "col": start.col },
                "end": { "line": end.line, "col": end.col },
            })
        }
        fn merge(mut base: Value, extra: Value) -> Value {
            if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
                b.extend(e);
            }
            base
        }
        let mut records = Vec::new();
        for c in &subject.outcome.changes {
            let mut record = merge(
                json!({
                    "type": "change",
                    "path": subject.path,
                    "id": c.id,
                    "rules": c.rules,
                    "applicability": c.applicability,
                    "confidence": c.confidence,
                    "before": subject.slice(c.original),
                    "after": c.replacement,
                    "message": c.message,
                }),
                position(subject, c.original),
            );
            if !c.linked.is_empty() {
                record["linked"] = json!(c.linked);
            }
            records.push(record);
        }
        for p in &subject.outcome.proposals {
            records.push(merge(
                json!({
                    "type": "proposal",
                    "path": subject.path,
                    "rules": [p.rule],
                    "applicability": p.applicability,
                    "confidence": p.confidence,
                    "before": p.before,
                    "after": p.after,
                    "message": p.message,
                }),
                position(subject, p.original),
            ));
        }
        for d in &subject.outcome.diagnostics {
            let base = json!({
                "type": "diagnostic",
                "path": subject.path,
                "code": d.code,
                "severity": d.severity,
                "message": d.message,
            });
            records.push(match d.span {
                Some(span) => merge(base, position(subject, span)),
                None => base,
            });
        }
        let mut out = String::new();
        for mut v in records {
            if let Value::Object(o) = &mut v {
                for (k, val) in extra {
                    o.insert(k.clone(), val.clone());
                }
            }
            out.push_str(&format!("{v}\n"));
        }
        out
    }

    #[test]
    fn records_are_written_as_they_were_built_with_json() {
        // Changes of every kind (a move with its linked halves, merged rules and
        // messages), proposals, diagnostics with and without a span; text to escape.
        let texts = [
            "ﬁne \"quoted\"\tand\\back\u{7}slash\n",
            "The ﬁrst line of a para-\ngraph that wraps\nonto a second line.\n\n(cid:12) x",
            "4 This refers to the arrest.\nInstructions to the Soviet am-\nbassador.\u{c}\n\
             Page 2\n\nInto the bus.4\nMore text here.\n",
            "hifos46Am rcldTJ arocum [(tlt O ns)43(docum)]TJ T* 1957.Search in C o p y\n",
            // Notes at a page's foot move to the end: linked changes.
            "The first page says it is not advisable.1 We should inform them.\n\
             It was a mistake to go into the bus.2\n\
             1 The Presidium is discussing a telegram.\n\
             2 This refers to the manner in which they\n\
             \u{c}Instructions to the Foreign Ministry follow here.3\n\n\
             were arrested, on the bus.\n\
             3 The surname is omitted in this line.\n",
        ];
        let mut unsafe_too = crate::Pipeline::default_stages();
        unsafe_too.threshold(Applicability::Suggest);
        let pipelines = [crate::Pipeline::default_stages(), unsafe_too];
        let mut extra = Map::new();
        extra.insert("line".into(), json!(12));
        extra.insert("record_id".into(), json!("doc-\"7\""));
        let mut kinds = std::collections::BTreeSet::new();
        for text in texts {
            for pipeline in &pipelines {
                let outcome = pipeline.run(text);
                let subject = Subject::new("dir/a \"b\".txt", text, &outcome);
                for extra in [&Map::new(), &extra] {
                    let mut written = Vec::new();
                    write_jsonl_with(&mut written, &subject, extra).unwrap();
                    let written = String::from_utf8(written).unwrap();
                    assert_eq!(written, built_with_json(&subject, extra), "{text:?}");
                    for line in written.lines() {
                        let v: Value = serde_json::from_str(line).unwrap();
                        kinds.insert(format!("{}{}", v["type"], v.get("linked").is_some()));
                    }
                }
            }
        }
        // Every kind of record was compared, a move's among them.
        assert!(kinds.contains("\"change\"true"), "{kinds:?}");
        assert!(kinds.contains("\"proposal\"false"), "{kinds:?}");
        assert!(kinds.contains("\"diagnostic\"false"), "{kinds:?}");
    }
}
