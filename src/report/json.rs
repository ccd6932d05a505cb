//! The JSON Lines report: one object per change, proposal and diagnostic.
//!
//! The format is the machine-readable record of a run (`--report FILE`, `check
//! --format json`). Each line is an object with a `"type"` of `"change"`,
//! `"proposal"` or `"diagnostic"`; positions are byte offsets into the original
//! (decoded) text plus 1-based line and character column.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Subject;
use crate::fix::{Change, Diagnostic};
use crate::pipeline::Proposal;
use crate::span::Span;

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

/// The report object of an applied change.
pub fn change_record(subject: &Subject<'_>, c: &Change) -> Value {
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
        // Only moves have linked changes; other records keep their shape.
        record["linked"] = json!(c.linked);
    }
    record
}

/// The report object of a fix that was proposed but not applied.
pub fn proposal_record(subject: &Subject<'_>, p: &Proposal) -> Value {
    merge(
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
    )
}

/// The report object of a diagnostic.
pub fn diagnostic_record(subject: &Subject<'_>, d: &Diagnostic) -> Value {
    let base = json!({
        "type": "diagnostic",
        "path": subject.path,
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
    });
    match d.span {
        Some(span) => merge(base, position(subject, span)),
        None => base,
    }
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
    for c in &subject.outcome.changes {
        writeln!(out, "{}", change_record(subject, c))?;
    }
    for p in &subject.outcome.proposals {
        writeln!(out, "{}", proposal_record(subject, p))?;
    }
    for d in &subject.outcome.diagnostics {
        writeln!(out, "{}", diagnostic_record(subject, d))?;
    }
    Ok(())
}
