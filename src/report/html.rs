//! The HTML review page: one self-contained file in which a person looks at every change,
//! accepts or rejects it, and downloads the decisions for `recto apply`.
//!
//! # Why the page is built the way it is
//!
//! The documents under review are untrusted text (scraped PDFs, OCR output), and the page
//! is published and opened by people who trust it, so document text must never become
//! markup. The Rust side therefore writes no document text into HTML at all: the page is a
//! fixed template, and everything about the changes travels as one JSON object inside a
//! `<script type="application/json">` element, in which every `<` is written `\u003c` so
//! that no `</script>` or `<!--` in a document can end the element. The script
//! (`review.js`) builds the DOM with `textContent` only. A Content-Security-Policy with a
//! fresh nonce allows the page's own script and style and nothing else — no network, no
//! inline event handlers — as a second line of defence.
//!
//! The document itself is not embedded: each change carries only its surrounding context,
//! so a page for a 100 MB input with few changes stays small, and one with 10,000 changes
//! stays a few megabytes. The script renders the cards lazily, a page of them at a time.

use std::borrow::Cow;
use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, Write};

use serde::Serialize;

use super::Subject;
use crate::decisions::{context_after, context_before, decision_context, Decisions, Verdict};
use crate::fix::Change;
use crate::pipeline::Outcome;
use crate::registry::Registry;

/// One document to review: its path as shown, its original text and what the pipeline
/// made of it.
pub struct ReviewFile<'a> {
    /// The path shown to the user and written to the decisions file.
    pub path: &'a str,
    /// The original (decoded) text the changes refer to.
    pub original: &'a str,
    /// The pipeline's outcome; every change in it is offered for review.
    pub outcome: &'a Outcome,
}

/// Characters of original text shown on each side of a change.
const CONTEXT_CHARS: usize = 40;
/// Beyond this many bytes, the before or after text of one change is shortened in the
/// middle for display (a garbled block replaced whole can be long; the decision is about
/// the change, not about reading all of it).
const MAX_SHOWN_BYTES: usize = 2000;

const TEMPLATE: &str = include_str!("review.html");
const SCRIPT: &str = include_str!("review.js");
const STYLE: &str = include_str!("review.css");

#[derive(Serialize)]
struct Page<'a> {
    files: Vec<FileData<'a>>,
    rules: BTreeMap<&'a str, RuleData<'a>>,
}

#[derive(Serialize)]
struct FileData<'a> {
    path: &'a str,
    changes: Vec<ChangeData<'a>>,
}

#[derive(Serialize)]
struct RuleData<'a> {
    stage: &'a str,
    applicability: &'static str,
    summary: &'a str,
    explanation: &'a str,
}

#[derive(Serialize)]
struct ChangeData<'a> {
    id: &'a str,
    line: usize,
    col: usize,
    rules: Vec<&'a str>,
    applicability: &'static str,
    confidence: f32,
    message: &'a str,
    /// Original text just before the change, on the same line.
    pre: &'a str,
    before: Cow<'a, str>,
    after: Cow<'a, str>,
    /// Original text just after the change, on the same line.
    post: &'a str,
    /// A one-line `before → after` snippet for the decisions file.
    context: String,
    /// `accepted` or `rejected` when a decisions file already decides the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    decided: Option<&'static str>,
    /// The other changes of the same move: the page decides them together.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    linked: Vec<&'a str>,
}

/// Writes the self-contained review page for these files.
///
/// Every change starts *undecided*; the page says so and offers "accept all safe changes"
/// as one key (`S`), so nothing reaches the decisions file that a person did not choose.
///
/// ```
/// use recto::report::{write_review_html, ReviewFile};
/// let original = "The ﬁnancial report";
/// let outcome = recto::clean_str(original);
/// let file = ReviewFile { path: "a.txt", original, outcome: &outcome };
/// let mut out = Vec::new();
/// write_review_html(&mut out, &[file], &recto::registry::Registry::builtin()).unwrap();
/// let html = String::from_utf8(out).unwrap();
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// assert!(html.contains("unicode.ligature"));
/// ```
pub fn write_review_html(
    out: &mut dyn Write,
    files: &[ReviewFile<'_>],
    registry: &Registry,
) -> io::Result<()> {
    write_review_html_with_decisions(out, files, registry, &Decisions::default())
}

/// Writes the review page with the changes that `decisions` decides shown accepted or
/// rejected, so a review can be continued where it was left.
pub fn write_review_html_with_decisions(
    out: &mut dyn Write,
    files: &[ReviewFile<'_>],
    registry: &Registry,
    decisions: &Decisions,
) -> io::Result<()> {
    let subjects: Vec<Subject<'_>> = files
        .iter()
        .map(|f| Subject::new(f.path, f.original, f.outcome))
        .collect();
    let page = page_data(&subjects, registry, decisions);
    let json = serde_json::to_string(&page).map_err(io::Error::other)?;
    let nonce = nonce();

    // The template has three holes; everything else in it is fixed text.
    let (head, rest) = split_once_or_panic(TEMPLATE, "{{STYLE}}");
    let (middle, rest) = split_once_or_panic(rest, "{{DATA}}");
    let (scripted, tail) = split_once_or_panic(rest, "{{SCRIPT}}");
    out.write_all(head.replace("{{NONCE}}", &nonce).as_bytes())?;
    out.write_all(STYLE.as_bytes())?;
    out.write_all(middle.replace("{{NONCE}}", &nonce).as_bytes())?;
    write_script_safe_json(out, &json)?;
    out.write_all(scripted.replace("{{NONCE}}", &nonce).as_bytes())?;
    out.write_all(SCRIPT.as_bytes())?;
    out.write_all(tail.as_bytes())
}

fn split_once_or_panic<'t>(template: &'t str, hole: &str) -> (&'t str, &'t str) {
    // The template is a compile-time constant checked by a unit test, so a missing hole
    // is a bug in this file, not a run-time condition.
    template
        .split_once(hole)
        .unwrap_or_else(|| panic!("review.html lacks {hole}"))
}

/// A fresh random CSP nonce: the hash of nothing under a randomly keyed hasher, which is
/// what the standard library offers without a dependency. A document cannot predict it,
/// so even markup that somehow reached the DOM could not run a script.
fn nonce() -> String {
    let a = RandomState::new().build_hasher().finish();
    let b = RandomState::new().build_hasher().finish();
    format!("{a:016x}{b:016x}")
}

/// Writes JSON so that it cannot end the `<script>` element it sits in: `<` becomes
/// `\u003c` (it only ever occurs inside JSON strings, where the escape means the same).
/// U+2028 and U+2029 need no escape: the JSON is read with `JSON.parse`, not as script.
fn write_script_safe_json(out: &mut dyn Write, json: &str) -> io::Result<()> {
    for (i, part) in json.split('<').enumerate() {
        if i > 0 {
            out.write_all(br"\u003c")?;
        }
        out.write_all(part.as_bytes())?;
    }
    Ok(())
}

fn page_data<'a>(
    subjects: &'a [Subject<'a>],
    registry: &'a Registry,
    decisions: &Decisions,
) -> Page<'a> {
    let mut rules = BTreeMap::new();
    let files = subjects
        .iter()
        .map(|s| FileData {
            path: s.path,
            changes: s
                .outcome
                .changes
                .iter()
                .map(|c| {
                    for rule in &c.rules {
                        let id = rule.as_str();
                        rules.entry(id).or_insert_with(|| match registry.get(id) {
                            Some(info) => RuleData {
                                stage: &info.stage,
                                applicability: info.applicability.as_str(),
                                summary: &info.summary,
                                explanation: &info.explanation,
                            },
                            // A rule the registry does not know (a rule file that was not
                            // loaded): still reviewable, just without documentation.
                            None => RuleData {
                                stage: rule.group(),
                                applicability: c.applicability.as_str(),
                                summary: "",
                                explanation: "",
                            },
                        });
                    }
                    change_data(s, c, decisions)
                })
                .collect(),
        })
        .collect();
    Page { files, rules }
}

fn change_data<'a>(s: &'a Subject<'a>, c: &'a Change, decisions: &Decisions) -> ChangeData<'a> {
    let at = s.line_col(c.original.start);
    let before = s.slice(c.original);
    let pre = context_before(&s.original[..c.original.start], CONTEXT_CHARS);
    let post = context_after(&s.original[c.original.end..], CONTEXT_CHARS);
    ChangeData {
        id: c.id.as_str(),
        line: at.line,
        col: at.col,
        rules: c.rules.iter().map(|r| r.as_str()).collect(),
        applicability: c.applicability.as_str(),
        confidence: c.confidence,
        message: &c.message,
        pre,
        before: shorten(before),
        after: shorten(&c.replacement),
        post,
        context: decision_context(pre, before, &c.replacement, post),
        decided: decisions.verdict(&c.id).map(|v| match v {
            Verdict::Accepted => "accepted",
            Verdict::Rejected => "rejected",
        }),
        linked: c.linked.iter().map(|id| id.as_str()).collect(),
    }
}

/// `text`, or its start and end around a `… N bytes …` marker when it is too long to show.
fn shorten(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_SHOWN_BYTES {
        return Cow::Borrowed(text);
    }
    let half = MAX_SHOWN_BYTES / 2;
    let head = floor_char_boundary(text, half);
    let tail = ceil_char_boundary(text, text.len() - half);
    Cow::Owned(format!(
        "{} … {} bytes not shown … {}",
        &text[..head],
        tail - head,
        &text[tail..]
    ))
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Applicability, Pipeline};

    fn page(original: &str) -> String {
        let outcome = Pipeline::default_stages()
            .threshold(Applicability::Suggest)
            .run(original);
        let file = ReviewFile {
            path: "doc.txt",
            original,
            outcome: &outcome,
        };
        let mut out = Vec::new();
        write_review_html(&mut out, &[file], &Registry::builtin()).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The page's only data: the JSON between the data element's tags.
    fn data_json(html: &str) -> &str {
        let start = html
            .find(r#"<script type="application/json" id="recto-data">"#)
            .unwrap();
        let from = &html[start..];
        let open = from.find('>').unwrap() + 1;
        let close = from.find("</script>").unwrap();
        &from[open..close]
    }

    #[test]
    fn document_markup_stays_inside_the_json_and_escaped() {
        let hostile =
            "<script>alert(1)</script> ﬁ \"><img src=x onerror=alert(2)>\n</script><!-- ﬂow";
        let html = page(hostile);
        // The change is there (the ligatures), so the hostile text is in the page …
        assert!(html.contains("unicode.ligature"));
        let json = data_json(&html);
        assert!(
            json.contains(r"\u003cscript>alert(1)\u003c/script>"),
            "{json}"
        );
        assert!(
            json.contains(r"\u003cimg src=x onerror=alert(2)>"),
            "{json}"
        );
        // … but only there, and only escaped.
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("<img"));
        assert!(!json.contains('<'));
        // The JSON is intact: it parses and carries the context verbatim.
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let change = &value["files"][0]["changes"][0];
        assert_eq!(change["before"], "ﬁ");
        assert_eq!(change["after"], "fi");
        assert_eq!(change["pre"], "<script>alert(1)</script> ");
        assert_eq!(change["post"], " \"><img src=x onerror=alert(2)>");
        assert_eq!(value["files"][0]["changes"][1]["pre"], "</script><!-- ");
    }

    #[test]
    fn the_page_references_nothing_outside_itself() {
        let html = page("A ﬁne day at http://example.com/x.png and https://example.org.");
        let lower = html.to_ascii_lowercase();
        for attr in ["src=", "href=", "url(", "@import"] {
            for (at, _) in lower.match_indices(attr) {
                let target = lower[at + attr.len()..].trim_start_matches(['"', '\'', ' ']);
                assert!(
                    !target.starts_with("http") && !target.starts_with("//"),
                    "external reference at {at}: {}",
                    &html[at..(at + 60).min(html.len())]
                );
            }
        }
        assert!(lower.contains("content-security-policy"));
        assert!(lower.contains("default-src 'none'"));
    }

    #[test]
    fn prior_decisions_are_carried_into_the_page() {
        let original = "ﬁrst ﬂoor ﬀ";
        let outcome = crate::clean_str(original);
        let mut decisions = Decisions::default();
        decisions.record(&outcome.changes[0], Verdict::Accepted, "a.txt", original);
        decisions.record(&outcome.changes[2], Verdict::Rejected, "a.txt", original);
        let file = ReviewFile {
            path: "a.txt",
            original,
            outcome: &outcome,
        };
        let mut out = Vec::new();
        write_review_html_with_decisions(&mut out, &[file], &Registry::builtin(), &decisions)
            .unwrap();
        let html = String::from_utf8(out).unwrap();
        let value: serde_json::Value = serde_json::from_str(data_json(&html)).unwrap();
        let decided: Vec<_> = value["files"][0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.get("decided").and_then(|d| d.as_str()))
            .collect();
        assert_eq!(decided, [Some("accepted"), None, Some("rejected")]);
    }

    #[test]
    fn the_template_has_every_hole_once() {
        for hole in ["{{STYLE}}", "{{DATA}}", "{{SCRIPT}}"] {
            assert_eq!(TEMPLATE.matches(hole).count(), 1, "{hole}");
        }
        assert!(TEMPLATE.matches("{{NONCE}}").count() >= 2);
        let html = page("ﬁne");
        assert!(!html.contains("{{"), "unfilled hole");
    }

    #[test]
    fn context_stays_on_the_line_and_within_bounds() {
        assert_eq!(context_before("first line\nsecond", 40), "second");
        assert_eq!(context_before("abcdef", 3), "def");
        assert_eq!(context_before("ab", 3), "ab");
        assert_eq!(context_before("ééé", 2), "éé");
        assert_eq!(context_after("tail\nnext", 40), "tail");
        assert_eq!(context_after("tail\r\nnext", 40), "tail");
        assert_eq!(context_after("abcdef", 3), "abc");
        assert_eq!(context_after("", 3), "");
    }

    #[test]
    fn decision_context_shows_before_and_after_briefly() {
        let c = decision_context("The ", "ﬁ", "fi", "nancial report");
        assert_eq!(c, "The ﬁnancial report → The financial report");
        let long = "word ".repeat(100);
        let c = decision_context(&long, "ﬁ", "fi", &long);
        assert!(
            c.chars().count() <= crate::decisions::DECISION_CONTEXT_CHARS,
            "{c}"
        );
        assert!(c.contains("ﬁ") && c.contains("→ ") && c.contains("fi"));
        // Invisible characters are named, so the context says what changed.
        let c = decision_context("a", "\u{ad}", "", "b");
        assert_eq!(c, "a<U+00AD>b → ab");
    }

    #[test]
    fn long_changes_are_shortened_on_char_boundaries() {
        let text = "é".repeat(MAX_SHOWN_BYTES);
        let shown = shorten(&text);
        assert!(shown.len() < text.len());
        assert!(shown.contains("bytes not shown"));
        assert_eq!(shorten("short"), "short");
    }
}
