//! Configuration files end to end: every kind of mistake gives its one-line
//! `file:line:col: message` error.
//!
//! Bad files live in `tests/data/config/bad/`; each starts with a comment `# error: …`
//! holding the exact message expected (`GOLDEN=overwrite` rewrites them — read every
//! rewritten line).

use std::fs;
use std::path::Path;

use recto::config::Config;

#[test]
fn bad_configurations_give_one_line_errors_with_file_line_and_column() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/config/bad");
    let overwrite = std::env::var_os("GOLDEN").is_some_and(|v| v == "overwrite");
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    assert!(paths.len() >= 12, "the bad configurations are missing");
    let mut mismatches = Vec::new();
    for path in paths {
        let text = fs::read_to_string(&path).unwrap();
        let (expected, body) = match text.strip_prefix("# error: ") {
            Some(rest) => rest.split_once('\n').unwrap(),
            None => ("", text.as_str()),
        };
        let name = path.file_name().unwrap().to_str().unwrap();
        // Parsed under its bare name, so messages do not depend on the checkout's path;
        // relative paths in it resolve against the current directory, where they do not
        // exist either.
        let got = match Config::parse(Path::new(name), &text) {
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
