//! Review and decisions through the real binary: `recto apply` applies exactly the
//! accepted changes, `clean --decisions` keeps rejected changes out, `check` formats for
//! CI, and the terminal review works through a pseudo-terminal.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;
use recto::decisions::{Decisions, Verdict};
use recto::{Applicability, Pipeline};

fn recto(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_recto"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// A text with many independent fixes of several rules.
const RICH: &str = "The ﬁnancial eﬀort\u{a0}was suﬃcient.\r\nCaf\u{c3}\u{a9} and \u{e2}\u{80}\u{9c}quotes\u{e2}\u{80}\u{9d}.\r\nZero\u{200b}width and soft\u{ad}hyphen, ﬂow and oﬃce.\r\n";

fn all_changes(text: &str) -> Vec<recto::Change> {
    let mut p = Pipeline::default_stages();
    p.threshold(Applicability::Suggest);
    p.run(text).changes
}

fn decisions_file(dir: &Path, text: &str, accept: impl Fn(usize) -> Option<bool>) {
    let mut d = Decisions::default();
    for (i, c) in all_changes(text).iter().enumerate() {
        match accept(i) {
            Some(true) => d.record(c, Verdict::Accepted, "a.txt", text),
            Some(false) => d.record(c, Verdict::Rejected, "a.txt", text),
            None => {}
        }
    }
    std::fs::write(dir.join("d.toml"), d.to_toml()).unwrap();
}

#[test]
fn apply_with_everything_accepted_equals_clean_unsafe_and_with_nothing_the_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<_> = std::fs::read_dir(root.join("seeds"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("golden")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().ends_with(".txt") && !p.to_string_lossy().ends_with(".out.txt")
        })
        .collect();
    inputs.sort();
    for input in inputs {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(&input).unwrap();
        std::fs::write(dir.path().join("a.txt"), &bytes).unwrap();
        let original = Pipeline::default_stages()
            .run_bytes(&bytes)
            .unwrap()
            .original;
        let unsafe_out = recto(dir.path(), &["clean", "--unsafe", "a.txt"]);
        decisions_file(dir.path(), &original, |_| Some(true));
        let all = recto(dir.path(), &["apply", "--decisions", "d.toml", "a.txt"]);
        assert_eq!(all.stdout, unsafe_out.stdout, "{}", input.display());
        decisions_file(dir.path(), &original, |_| Some(false));
        let none = recto(dir.path(), &["apply", "--decisions", "d.toml", "a.txt"]);
        assert_eq!(
            String::from_utf8(none.stdout).unwrap(),
            original,
            "{}",
            input.display()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// With any mix of decisions, exactly the accepted changes appear.
    #[test]
    fn apply_applies_exactly_the_accepted_changes(mask in any::<u32>()) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), RICH).unwrap();
        let changes = all_changes(RICH);
        prop_assume!(changes.len() >= 6);
        decisions_file(dir.path(), RICH, |i| Some(mask >> i & 1 == 1));
        let out = recto(dir.path(), &["apply", "--decisions", "d.toml", "a.txt"]);
        let accepted: Vec<_> = changes.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, c)| c.clone()).collect();
        prop_assert_eq!(String::from_utf8(out.stdout).unwrap(), recto::apply(RICH, &accepted));
    }
}

#[test]
fn clean_with_decisions_keeps_rejected_changes_out() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), RICH).unwrap();
    // Reject the first change (the first ligature); decide nothing else.
    decisions_file(
        dir.path(),
        RICH,
        |i| if i == 0 { Some(false) } else { None },
    );
    let out = recto(dir.path(), &["clean", "--decisions", "d.toml", "a.txt"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("The ﬁnancial effort was sufficient.\n"),
        "{text}"
    );
    assert!(text.contains("Café"));
}

#[test]
fn check_fail_on_levels_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "The ﬁnancial report.\n").unwrap();
    // The only finding is safe: failing on `safe` fails, and so does the default.
    assert_eq!(
        recto(dir.path(), &["check", "-q", "--fail-on", "safe", "a.txt"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        recto(dir.path(), &["check", "-q", "a.txt"]).status.code(),
        Some(1)
    );
    let sarif = recto(dir.path(), &["check", "--format", "sarif", "a.txt"]);
    let log: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "unicode.ligature");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        5
    );
    assert_eq!(
        result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "fi"
    );
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"][0]["id"],
        "unicode.ligature"
    );
}

#[test]
fn a_bad_decisions_file_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "x\n").unwrap();
    std::fs::write(
        dir.path().join("d.toml"),
        "version = 1\n[[accepted]]\nid = 3\n",
    )
    .unwrap();
    let out = recto(dir.path(), &["apply", "--decisions", "d.toml", "a.txt"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("recto: d.toml:3:"), "{err}");
}

/// The terminal review, driven through a pseudo-terminal as a person would.
#[cfg(unix)]
#[test]
fn terminal_review_records_answers_and_rule_wide_decisions() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.txt"), "ﬁrst ﬂoor\u{a0}x and ﬁnal ﬁx\n").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_recto"));
    command
        .args(["review", "a.txt"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(command, Some(20_000)).unwrap();
    // Change 1: the ligature of "ﬁrst" — reject it.
    p.exp_string("[1/5]").unwrap();
    p.exp_string("unicode.ligature").unwrap();
    p.exp_string("[q]uit > ").unwrap();
    p.send_line("r").unwrap();
    // Change 2: "ﬂoor" — accept.
    p.exp_string("[2/5]").unwrap();
    p.exp_string("[q]uit > ").unwrap();
    p.send_line("a").unwrap();
    // Change 3: the no-break space — skip.
    p.exp_string("[3/5]").unwrap();
    p.exp_string("unicode.space").unwrap();
    p.exp_string("[q]uit > ").unwrap();
    p.send_line("s").unwrap();
    // Change 4: a ligature again — accept every remaining one of this rule.
    p.exp_string("[4/5]").unwrap();
    p.exp_string("[q]uit > ").unwrap();
    p.send_line("A").unwrap();
    p.exp_string("decided this session").unwrap();
    p.exp_eof().unwrap();

    let d = Decisions::load(&dir.path().join("recto-decisions.toml")).unwrap();
    let changes = all_changes("ﬁrst ﬂoor\u{a0}x and ﬁnal ﬁx\n");
    let verdicts: Vec<_> = changes.iter().map(|c| d.verdict(&c.id)).collect();
    assert_eq!(
        verdicts,
        [
            Some(Verdict::Rejected),
            Some(Verdict::Accepted),
            None,
            Some(Verdict::Accepted),
            Some(Verdict::Accepted)
        ]
    );
}
