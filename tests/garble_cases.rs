//! The garble stage against the cases in `tests/data/garble/` (see its README): runs
//! marked `⟦…⟧` in `fire/` must be removed and nothing else, those in `safe/` too by
//! the fixes applied without review, and `nofire/` must pass through untouched.

use std::path::Path;

use recto::pipeline::RuleFilter;
use recto::stage::Context;
use recto::{Applicability, Outcome, Pipeline};

const OPEN: char = '⟦';
const CLOSE: char = '⟧';

/// Every garble proposal at least as sure as `threshold` applied, no other rule.
fn garble_only(text: &str, threshold: Applicability) -> Outcome {
    let mut pipeline = Pipeline::with_default_stages(Context::default());
    pipeline
        .threshold(threshold)
        .filter(RuleFilter::new(vec!["garble".into()], vec![]));
    pipeline.run(text)
}

fn cases(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/garble")
        .join(dir);
    let mut cases: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let body: String = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                body,
            )
        })
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", dir.display());
    cases
}

/// The text without markers and the marked byte ranges in it.
fn unmark(marked: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            OPEN => open = Some(text.len()),
            CLOSE => spans.push((open.take().expect("unbalanced marker"), text.len())),
            c => text.push(c),
        }
    }
    (text, spans)
}

#[test]
fn marked_runs_are_removed_and_nothing_else() {
    let failures = removal_failures("fire", Applicability::Suggest);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn sure_runs_are_removed_without_review() {
    let failures = removal_failures("safe", Applicability::Safe);
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// What the cases of `dir` with fixes applied down to `threshold` get wrong: marked
/// runs not removed, text removed that is not marked.
fn removal_failures(dir: &str, threshold: Applicability) -> Vec<String> {
    let mut failures = Vec::new();
    for (name, marked) in cases(dir) {
        let (text, marked_spans) = unmark(&marked);
        let outcome = garble_only(&text, threshold);
        let mut removed = vec![false; text.len()];
        for change in &outcome.changes {
            assert!(change.rules.iter().all(|r| r.group() == "garble"));
            removed[change.original.range()].fill(true);
        }
        for &(start, end) in &marked_spans {
            if !removed[start..end].iter().all(|&r| r) {
                failures.push(format!("{name}: not removed: {:?}", &text[start..end]));
            }
        }
        let outside: String = text
            .char_indices()
            .filter(|&(i, c)| {
                removed[i]
                    && !c.is_whitespace()
                    && !marked_spans.iter().any(|&(s, e)| (s..e).contains(&i))
            })
            .map(|(_, c)| c)
            .collect();
        if !outside.is_empty() {
            failures.push(format!("{name}: removed unmarked text {outside:?}"));
        }
    }
    failures
}

#[test]
fn text_without_garble_passes_through() {
    let mut failures = Vec::new();
    for (name, text) in cases("nofire") {
        let outcome = garble_only(&text, Applicability::Suggest);
        for change in &outcome.changes {
            failures.push(format!(
                "{name}: {:?} → {:?} ({})",
                &text[change.original.range()],
                change.replacement,
                change.message
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
