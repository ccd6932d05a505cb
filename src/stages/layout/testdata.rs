//! The data-file tests of the layout passes: `tests/data/layout/<pass>/<case>.in.txt`
//! run through the pass alone must give `<case>.out.txt`.
//!
//! A case whose name ends in `-keep-lines` runs with `--keep-lines`. Only safe fixes are
//! applied, as by `recto clean`. `RECTO_BLESS=1` rewrites the expected outputs (read every
//! rewritten line before committing it).

use std::path::PathBuf;

use crate::stage::{Context, Stage};
use crate::Pipeline;

/// Runs every case of `tests/data/layout/<pass>` through the stage `make` builds.
pub(crate) fn check_cases(pass: &str, make: impl Fn() -> Box<dyn Stage>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/layout")
        .join(pass);
    let bless = std::env::var_os("RECTO_BLESS").is_some();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".in.txt"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty(), "no cases in {}", dir.display());
    let mut failures = Vec::new();
    for input in &inputs {
        let name = input
            .to_string_lossy()
            .trim_end_matches(".in.txt")
            .to_owned();
        let expected_path = PathBuf::from(format!("{name}.out.txt"));
        let mut cx = Context::default();
        cx.options.keep_lines = name.ends_with("-keep-lines");
        let mut pipeline = Pipeline::new(cx);
        pipeline.push(make());
        let text = std::fs::read_to_string(input).expect("case input");
        let outcome = pipeline.run(&text);
        assert_eq!(
            crate::apply(&text, &outcome.changes),
            outcome.output,
            "{name}"
        );
        if bless {
            std::fs::write(&expected_path, &outcome.output).expect("write expected output");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        if outcome.output != expected {
            failures.push(format!(
                "{name}\n--- expected\n{expected}\n--- got\n{}",
                outcome.output
            ));
        }
        // Idempotence: the output of a pass is a fixed point of it.
        let again = pipeline.run(&outcome.output).output;
        if again != outcome.output {
            failures.push(format!("{name}: not idempotent\n--- second run\n{again}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
