//! Rule files end to end: every kind of bad rule file gives its one-line
//! `file:line: rule ID: message` error, and the built-in sets leave clean text alone.
//!
//! Bad files live in `tests/data/rulefiles/bad/`; each starts with a comment
//! `# error: …` holding the exact message expected (`GOLDEN=overwrite` rewrites them —
//! read every rewritten line).

use std::fs;
use std::path::{Path, PathBuf};

use recto::rulefile::{test_examples, RuleFile, RuleSet, BUILTIN_SETS};
use recto::Applicability;

fn data(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/rulefiles")
        .join(dir)
}

fn files(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    v.sort();
    v
}

#[test]
fn bad_rule_files_give_one_line_errors_with_file_and_line() {
    let overwrite = std::env::var_os("GOLDEN").is_some_and(|v| v == "overwrite");
    let bad = files(&data("bad"), "toml");
    assert!(bad.len() >= 15, "the bad files are missing");
    let mut mismatches = Vec::new();
    for path in bad {
        let text = fs::read_to_string(&path).unwrap();
        let (expected, body) = match text.strip_prefix("# error: ") {
            Some(rest) => rest.split_once('\n').unwrap(),
            None => ("", text.as_str()),
        };
        // Parse the text as the file holds it, the expectation comment included, so that
        // line numbers are the file's own.
        let name = path.file_name().unwrap().to_str().unwrap();
        let got = match RuleFile::parse(name, &text) {
            Ok(_) => "(no error)".to_owned(),
            Err(e) => e.to_string(),
        };
        assert!(!got.contains('\n'), "{name}: error spans lines: {got}");
        if overwrite {
            fs::write(&path, format!("# error: {got}\n{body}")).unwrap();
        } else if got != expected {
            mismatches.push(format!("{name}\n  expected: {expected}\n  got:      {got}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

/// The benchmark's dev split, beside the repository (as in CI); `None` where absent.
fn bench_dev() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/dev");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} not found", dir.display());
        None
    }
}

/// Do no harm: gold text is clean text, and no built-in set — including typography's
/// neighbours that are on by default — may apply a fix to it. (Typography rewrites
/// quotes by design and is off by default, so it is not held to this.)
#[test]
fn default_sets_apply_nothing_to_clean_text() {
    let Some(dev) = bench_dev() else { return };
    let set = RuleSet::builtin_defaults();
    let mut harmed = Vec::new();
    for path in files(&dev, "txt") {
        let name = path.file_name().unwrap().to_str().unwrap();
        let clean_only = name.contains("__clean.");
        if !name.ends_with(".clean.txt") && !clean_only {
            continue;
        }
        let text = fs::read_to_string(&path).unwrap();
        for fix in set.fixes(&text) {
            if fix.applicability == Applicability::Safe {
                let span = fix.span();
                harmed.push(format!(
                    "{name}: {} at {:?}: {:?}",
                    fix.rule,
                    span,
                    &text[span.range()]
                ));
            }
        }
    }
    assert!(harmed.is_empty(), "{}", harmed.join("\n"));
}

fn seed(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let path = files(&dir, "txt")
        .into_iter()
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .unwrap();
    fs::read_to_string(path).unwrap()
}

/// Seed 003 is a Wilson Center page printed to text: search box, banner, citation and
/// share widgets and a language tab surround the document.
#[test]
fn seed_003_loses_its_scrape_residue_and_keeps_its_text() {
    let input = seed("003");
    let out = recto::clean_str(&input);
    for residue in [
        "Search in",
        "Digital Archive International History Declassified",
        "• Citation",
        "get citation",
        "• share document",
        "English HTML",
    ] {
        assert!(input.lines().any(|l| l.trim() == residue));
        assert!(
            !out.output.lines().any(|l| l.trim() == residue),
            "{residue:?} survived"
        );
    }
    for kept in [
        "November 27, 1956",
        "Translator Notes",
        "I. From Bucharest.",
    ] {
        assert!(
            out.output.lines().any(|l| l.trim() == kept),
            "{kept:?} lost"
        );
    }
    // Paragraphs that residue separated stay separate.
    assert!(out.output.contains("p. 400\n\n"), "{}", &out.output[..800]);
}

/// Seed 004 is the Markdown of an archive page: bold labels and a bold heading over
/// three lines with hard breaks, a <sup> footnote mark.
#[test]
fn seed_004_loses_its_markdown_markers_and_keeps_its_text() {
    let input = seed("004");
    let out = recto::clean_str(&input);
    assert!(input.contains("**") && input.contains("<sup>"));
    assert!(!out.output.contains("**"));
    assert!(!out.output.contains("<sup>"));
    assert!(!out.output.lines().any(|l| l.ends_with("  ")));
    for kept in [
        "Citation:",
        "December 3, 1962",
        "Original Language:",
        "János Beck",
    ] {
        assert!(
            out.output.lines().any(|l| l.trim() == kept),
            "{kept:?} lost"
        );
    }
    assert!(out.output.contains("Mátyás Rákosi[1] and"));
    let fixed_by: Vec<&str> = out
        .changes
        .iter()
        .flat_map(|c| c.rules.iter().map(|r| r.as_str()))
        .collect();
    for rule in [
        "markdown.bold-line",
        "markdown.sup-tag",
        "markdown.hard-break",
    ] {
        assert!(fixed_by.contains(&rule), "{rule} made no change");
    }
}

/// The whole journey of a user's rule file: its examples pass, the project's
/// configuration enables it, and its fixes come out attributed to its rules.
#[test]
fn a_user_rule_file_is_tested_enabled_by_config_and_attributed() {
    let project = data("project");
    let rules = RuleFile::load(project.join("rules/smith-letters.toml")).unwrap();
    let failures = test_examples(&rules).unwrap();
    assert!(failures.is_empty(), "{failures:?}");

    let letter = project.join("letters/1956-11.txt");
    let (path, config) = recto::config::Config::discover(&letter).unwrap().unwrap();
    assert_eq!(path, project.join("recto.toml"));
    let options = config.for_file(Some(&letter));
    assert!(options.unsafe_fixes, "the letters/** override applies");
    let mut pipeline = recto::Pipeline::with_default_stages(options.context().unwrap());
    pipeline.threshold(Applicability::Suggest);
    let input = fs::read_to_string(&letter).unwrap();
    let out = pipeline.run(&input);
    assert_eq!(
        out.output,
        "Such was the first \"letter\", written 1956-11-3 — in Budapest.\n"
    );
    let mut rules: Vec<&str> = out.changes.iter().map(|c| c.rules[0].as_str()).collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "smith-letters.dates",
            "smith-letters.long-s",
            "smith-letters.stamp",
            "typography.quotes"
        ]
    );
    assert_eq!(recto::apply(&input, &out.changes), out.output);
}

#[test]
fn every_builtin_set_passes_its_examples() {
    for set in BUILTIN_SETS {
        let failures = test_examples(&set.load()).unwrap();
        assert!(failures.is_empty(), "{}: {failures:?}", set.name);
    }
}

fn rules_only(sets: &[&str]) -> recto::Pipeline {
    let files = sets
        .iter()
        .map(|s| recto::rulefile::builtin_set(s).unwrap())
        .collect();
    let cx = recto::stage::Context {
        rules: std::sync::Arc::new(RuleSet::compile(files).unwrap()),
        ..Default::default()
    };
    let mut p = recto::Pipeline::new(cx);
    for stage in recto::stages::default_stages(&recto::stage::Context::default()) {
        if stage.name() == "rules" {
            p.push(stage);
        }
    }
    p.threshold(Applicability::Suggest);
    p
}

/// Text made of the pieces the built-in rules react to, in every arrangement.
fn rule_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    proptest::collection::vec(
        prop_oneof![
            Just("**"),
            Just("*"),
            Just(" "),
            Just("  "),
            Just("\n"),
            Just("\n\n"),
            Just("a"),
            Just("Search in"),
            Just("• "),
            Just("Citation"),
            Just("<sup>"),
            Just("</sup>"),
            Just("<https://x.org>"),
            Just("tlie"),
            Just("- "),
            Just("“"),
            Just("…"),
        ],
        0..30,
    )
    .prop_map(|v| v.concat())
}

proptest::proptest! {
    /// Whatever the text, the rules' fixes are well-formed, the record replays, and a
    /// second pass finds nothing more (all applicabilities applied, all sets on).
    #[test]
    fn builtin_rules_keep_the_invariants(text in rule_text()) {
        let p = rules_only(&["web-residue", "markdown", "ocr-common", "typography"]);
        let once = p.run(&text);
        proptest::prop_assert_eq!(recto::apply(&text, &once.changes), once.output.clone());
        let twice = p.run(&once.output);
        proptest::prop_assert_eq!(&twice.output, &once.output, "not idempotent on {:?}", text);
    }
}
