//! One line per finding: `path:line:col: RULE message`, and GitHub annotations.

use std::io::{self, Write};

use super::{snippet, Subject};
use crate::fix::RuleId;

fn rules(rules: &[RuleId]) -> String {
    rules
        .iter()
        .map(RuleId::as_str)
        .collect::<Vec<_>>()
        .join("+")
}

/// A one-line description of a change: the message, or what it replaces.
fn describe(message: &str, before: &str, after: &str) -> String {
    let what = if after.is_empty() {
        format!("remove “{}”", snippet(before, 60))
    } else {
        format!("“{}” → “{}”", snippet(before, 40), snippet(after, 40))
    };
    if message.is_empty() {
        what
    } else {
        format!("{message}: {what}")
    }
}

/// Writes `path:line:col: RULE [applicability] message` for each change and proposal,
/// and `path:line:col: warning CODE message` for each warning diagnostic.
///
/// ```
/// let original = "One line.\n\nThe ﬁnal line.\n";
/// let outcome = recto::clean_str(original);
/// let mut out = Vec::new();
/// recto::report::write_check(&mut out, &recto::report::Subject::new("a.txt", original, &outcome)).unwrap();
/// let out = String::from_utf8(out).unwrap();
/// assert!(out.starts_with("a.txt:3:5: unicode.ligature [safe]"), "{out}");
/// ```
pub fn write_check(out: &mut dyn Write, subject: &Subject<'_>) -> io::Result<()> {
    // Changes and proposals interleaved in the order of the text, as a reader scans it.
    let mut lines: Vec<(usize, String)> = Vec::new();
    for c in &subject.outcome.changes {
        lines.push((
            c.original.start,
            format!(
                "{} [{}] {}",
                rules(&c.rules),
                c.applicability,
                describe(&c.message, subject.slice(c.original), &c.replacement)
            ),
        ));
    }
    for p in &subject.outcome.proposals {
        lines.push((
            p.original.start,
            format!(
                "{} [{}, not applied] {}",
                p.rule,
                p.applicability,
                describe(&p.message, &p.before, &p.after)
            ),
        ));
    }
    lines.sort_by_key(|(at, _)| *at);
    for (at, line) in lines {
        writeln!(out, "{}:{}: {line}", subject.path, subject.line_col(at))?;
    }
    for d in &subject.outcome.diagnostics {
        if d.severity < crate::Severity::Warning {
            continue;
        }
        let at = d.span.map_or_else(
            || "1:1".to_owned(),
            |s| subject.line_col(s.start).to_string(),
        );
        writeln!(
            out,
            "{}:{}: warning {} {}",
            subject.path, at, d.code, d.message
        )?;
    }
    Ok(())
}

/// Escapes a value for a GitHub workflow command (`%`, CR, LF; plus `:` and `,` in
/// properties).
fn gh_escape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Writes GitHub Actions annotations (`::warning file=…,line=…::…`): one per change
/// and proposal (notice level for proposals) and per warning diagnostic.
///
/// ```
/// let original = "ﬁne";
/// let outcome = recto::clean_str(original);
/// let mut out = Vec::new();
/// recto::report::write_github(&mut out, &recto::report::Subject::new("a.txt", original, &outcome)).unwrap();
/// assert!(String::from_utf8(out).unwrap().starts_with("::warning file=a.txt,line=1,col=1,endLine=1,endColumn=2,title=unicode.ligature::"));
/// ```
pub fn write_github(out: &mut dyn Write, subject: &Subject<'_>) -> io::Result<()> {
    let path = gh_escape(subject.path, true);
    let mut emit = |level: &str, span: crate::Span, title: &str, message: String| {
        let a = subject.line_col(span.start);
        let b = subject.line_col(span.end);
        writeln!(
            out,
            "::{level} file={path},line={},col={},endLine={},endColumn={},title={}::{}",
            a.line,
            a.col,
            b.line,
            b.col,
            gh_escape(title, true),
            gh_escape(&message, false)
        )
    };
    for c in &subject.outcome.changes {
        emit(
            "warning",
            c.original,
            &rules(&c.rules),
            describe(&c.message, subject.slice(c.original), &c.replacement),
        )?;
    }
    for p in &subject.outcome.proposals {
        emit(
            "notice",
            p.original,
            p.rule.as_str(),
            describe(&p.message, &p.before, &p.after),
        )?;
    }
    for d in &subject.outcome.diagnostics {
        if d.severity >= crate::Severity::Warning {
            let span = d.span.unwrap_or_default();
            emit("warning", span, d.code, d.message.clone())?;
        }
    }
    Ok(())
}
