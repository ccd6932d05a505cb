//! The invariants everything relies on:
//!
//! * `apply(original, &outcome.changes) == outcome.output`, with changes sorted and
//!   disjoint, so any subset applies cleanly;
//! * cleaning is idempotent: `clean(clean(x)) == clean(x)`.
//!
//! Checked with random stages over random text (proptest), and on every real input in
//! the repository and in the shared benchmark.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use recto::stage::{Context, Document, Proposals, Stage};
use recto::{apply, Applicability, Edit, Fix, FixKind, Pipeline, RuleId, Span};

/// A stage proposing fixes from a script of (start%, len, replacement) picks, resolved
/// against whatever text it is given.
#[derive(Debug, Clone)]
struct RandomStage {
    picks: Vec<(usize, usize, String, bool)>,
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Stage for RandomStage {
    fn name(&self) -> &'static str {
        "random"
    }
    fn run(&self, doc: &Document<'_>, _: &Context, out: &mut Proposals) {
        let text = doc.text();
        for (k, (at, len, rep, two)) in self.picks.iter().enumerate() {
            let s = floor_boundary(text, at % (text.len() + 1));
            let e = floor_boundary(text, s + len);
            let rule = RuleId::new(format!("random.r{k}"));
            let mut fix = Fix::new(rule, Applicability::Safe)
                .with_edit(Edit::new(Span::new(s, e), rep.as_str()));
            if *two {
                // A second, later edit in the same fix (like a move).
                let s2 = floor_boundary(text, e + 3);
                let e2 = floor_boundary(text, s2 + 1);
                if s2 > e {
                    fix = fix.with_edit(Edit::new(Span::new(s2, e2), ""));
                    if k % 2 == 1 {
                        // Recorded as separate, linked changes.
                        fix.kind = FixKind::Move;
                    }
                }
            }
            out.push(fix);
        }
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("a"),
            Just("b"),
            Just(" "),
            Just("\n"),
            Just("é"),
            Just("ﬁ"),
            Just("日")
        ],
        0..40,
    )
    .prop_map(|v| v.concat())
}

fn stage_strategy() -> impl Strategy<Value = RandomStage> {
    proptest::collection::vec(
        (
            0usize..60,
            0usize..5,
            prop_oneof![Just(""), Just("X"), Just("yz"), Just("\n"), Just("ü")],
            any::<bool>(),
        )
            .prop_map(|(a, l, r, t)| (a, l, r.to_owned(), t)),
        0..6,
    )
    .prop_map(|picks| RandomStage { picks })
}

fn check_outcome(original: &str, outcome: &recto::Outcome) -> Result<(), TestCaseError> {
    prop_assert_eq!(apply(original, &outcome.changes), outcome.output.clone());
    for w in outcome.changes.windows(2) {
        prop_assert!(
            w[0].original.end <= w[1].original.start,
            "changes overlap: {:?}",
            w
        );
    }
    // Links are symmetric and point at changes of this outcome.
    for c in &outcome.changes {
        for id in &c.linked {
            let other = outcome.changes.iter().find(|o| &o.id == id);
            prop_assert!(
                other.is_some_and(|o| o.linked.contains(&c.id)),
                "dangling link {:?}",
                c
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_stages_keep_the_invariant(text in text_strategy(), stages in proptest::collection::vec(stage_strategy(), 1..5), mask in any::<u64>()) {
        let mut p = Pipeline::new(Context::default());
        for s in stages {
            p.push(Box::new(s));
        }
        let outcome = p.run(&text);
        check_outcome(&text, &outcome)?;
        // Any subset of the changes applies without panicking and yields valid UTF-8.
        let subset: Vec<_> = outcome.changes.iter().enumerate().filter(|(i, _)| mask >> (i % 64) & 1 == 1).map(|(_, c)| c.clone()).collect();
        let _ = apply(&text, &subset);
    }

    #[test]
    fn default_pipeline_keeps_the_invariant(text in "[a-zA-Z .,\\-\n\u{c}\u{a0}\u{ad}\u{fb01}\u{e9}\u{c3}\u{a9}0-9()\\[\\]TJ*]{0,200}") {
        let p = Pipeline::default_stages();
        check_outcome(&text, &p.run(&text))?;
    }

    /// The character-level stages are idempotent on any text. (The layout, garble and
    /// words stages decide from the document as a whole — is it hard-wrapped, is this
    /// line soup — and random character salad can read differently once repaired; their
    /// idempotence is checked on every real document below.)
    #[test]
    fn character_stages_are_idempotent_on_any_text(text in "[a-zA-Z .,\\-\n\u{c}\u{a0}\u{ad}\u{200b}\u{fb01}\u{e9}\u{c3}\u{a9}\u{e2}\u{80}\u{9c}0-9()\\[\\]*]{0,200}") {
        let mut p = Pipeline::new(Context::default());
        for stage in recto::stages::default_stages(&Context::default()).into_iter().take(3) {
            p.push(stage);
        }
        let once = p.run(&text);
        check_outcome(&text, &once)?;
        let twice = p.run(&once.output);
        prop_assert_eq!(&twice.output, &once.output, "not idempotent: {:?}", twice.changes);
    }
}

/// Inputs that once broke the default pipeline, found by the proptest above in CI and by
/// `examples/fuzz_pipeline.rs`: two content-stream runs on one line that widened over
/// the same glued token overlapped, and the garble stage sliced backwards and panicked.
#[test]
fn inputs_that_once_broke_the_pipeline_keep_the_invariant() {
    let safe = Pipeline::default_stages();
    let mut unsafe_ = Pipeline::default_stages();
    unsafe_.threshold(Applicability::Suggest);
    for text in ["6\u{a0}g)ff)9(", "Tj)a)Td", "ET<:>ET"] {
        check_outcome(text, &safe.run(text)).unwrap();
        check_outcome(text, &unsafe_.run(text)).unwrap();
    }
}

/// Every real input we have: seeds, golden inputs, and the shared benchmark's noisy
/// texts when the benchmark is present beside the repository.
fn real_inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    let mut add = |dir: PathBuf, suffix: &str| {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.to_string_lossy().ends_with(suffix) {
                    files.push(p);
                }
            }
        }
    };
    add(root.join("seeds"), ".txt");
    add(root.join("golden"), ".in.txt");
    add(root.join("../shared/bench/dev"), ".noisy.txt");
    files.sort();
    files
}

#[test]
fn real_inputs_keep_the_invariant_safe_and_unsafe() {
    let safe = Pipeline::default_stages();
    let mut unsafe_ = Pipeline::default_stages();
    unsafe_.threshold(Applicability::Suggest);
    let files = real_inputs();
    assert!(files.len() >= 5);
    for f in files {
        let cleaned = safe.run_bytes(&std::fs::read(&f).unwrap()).unwrap();
        assert_eq!(
            apply(&cleaned.original, &cleaned.outcome.changes),
            cleaned.outcome.output,
            "{}",
            f.display()
        );
        let all = unsafe_.run(&cleaned.original);
        assert_eq!(
            apply(&cleaned.original, &all.changes),
            all.output,
            "{} (unsafe)",
            f.display()
        );
    }
}

/// `clean(clean(x)) == clean(x)` on every real document: seeds, golden inputs and the
/// benchmark's noisy texts.
#[test]
fn real_inputs_are_idempotent() {
    let p = Pipeline::default_stages();
    for f in real_inputs() {
        let once = p.run_bytes(&std::fs::read(&f).unwrap()).unwrap().outcome;
        let twice = p.run(&once.output);
        assert!(
            twice.changes.is_empty(),
            "{}: second run changed {:?}",
            f.display(),
            twice.changes
        );
    }
}
