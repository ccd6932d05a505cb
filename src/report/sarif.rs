//! SARIF 2.1.0, the format code-scanning tools (GitHub code scanning, IDEs) read.
//!
//! One run, one result per change and proposal, each with its location, the fix as a
//! SARIF `fix` (a replacement of the original region), and the change id as a partial
//! fingerprint so tools can track a finding across commits.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::Subject;
use crate::fix::Applicability;
use crate::registry::Registry;
use crate::span::Span;

fn level(a: Applicability) -> &'static str {
    match a {
        Applicability::Safe => "warning",
        Applicability::Review => "warning",
        Applicability::Suggest => "note",
    }
}

fn region(subject: &Subject<'_>, span: Span) -> Value {
    let a = subject.line_col(span.start);
    let b = subject.line_col(span.end);
    json!({
        "startLine": a.line, "startColumn": a.col,
        "endLine": b.line, "endColumn": b.col,
        "byteOffset": span.start, "byteLength": span.len(),
    })
}

#[allow(clippy::too_many_arguments)]
fn result(
    subject: &Subject<'_>,
    rule: &str,
    applicability: Applicability,
    confidence: f32,
    message: &str,
    span: Span,
    after: &str,
    id: Option<&str>,
) -> Value {
    let uri = subject.path.trim_start_matches("./");
    let text = if message.is_empty() {
        format!("{rule}: {:?} → {:?}", subject.slice(span), after)
    } else {
        message.to_owned()
    };
    let mut r = json!({
        "ruleId": rule,
        "level": level(applicability),
        "message": { "text": text },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": uri },
            "region": region(subject, span),
        }}],
        "fixes": [{
            "description": { "text": format!("{rule} ({applicability})") },
            "artifactChanges": [{
                "artifactLocation": { "uri": uri },
                "replacements": [{
                    "deletedRegion": region(subject, span),
                    "insertedContent": { "text": after },
                }],
            }],
        }],
        "properties": { "applicability": applicability, "confidence": confidence, "applied": id.is_some() },
    });
    if let Some(id) = id {
        r["partialFingerprints"] = json!({ "rectoChangeId/v1": id });
    }
    r
}

/// Writes one SARIF log covering all `subjects`.
///
/// ```
/// let original = "ﬁne";
/// let outcome = recto::clean_str(original);
/// let subjects = [recto::report::Subject::new("a.txt", original, &outcome)];
/// let mut out = Vec::new();
/// recto::report::write_sarif(&mut out, &subjects, &recto::registry::Registry::builtin()).unwrap();
/// let log: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(log["version"], "2.1.0");
/// assert_eq!(log["runs"][0]["results"][0]["ruleId"], "unicode.ligature");
/// ```
pub fn write_sarif(
    out: &mut dyn Write,
    subjects: &[Subject<'_>],
    registry: &Registry,
) -> io::Result<()> {
    let mut results = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for s in subjects {
        for c in &s.outcome.changes {
            let rule = c
                .rules
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join("+");
            for r in &c.rules {
                used.push(r.as_str().to_owned());
            }
            results.push(result(
                s,
                &rule,
                c.applicability,
                c.confidence,
                &c.message,
                c.original,
                &c.replacement,
                Some(c.id.as_str()),
            ));
        }
        for p in &s.outcome.proposals {
            used.push(p.rule.as_str().to_owned());
            results.push(result(
                s,
                p.rule.as_str(),
                p.applicability,
                p.confidence,
                &p.message,
                p.original,
                &p.after,
                None,
            ));
        }
    }
    used.sort();
    used.dedup();
    let rules: Vec<Value> = used
        .iter()
        .map(|id| match registry.get(id) {
            Some(info) => json!({
                "id": id,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.explanation },
                "help": { "text": info.explanation },
                "properties": { "stage": info.stage, "applicability": info.applicability },
            }),
            None => json!({ "id": id }),
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "recto",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}
