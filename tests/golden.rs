//! Golden tests: every `golden/NAME.in.txt` and every seed document `seeds/NAME.txt` is
//! cleaned with the default pipeline; the output must equal `NAME.out.txt` and the
//! attributed diff must equal `NAME.diff` (seeds' expectations live in `golden/seeds/`).
//!
//! `GOLDEN=overwrite cargo test --test golden` rewrites the expectations. A person reads
//! every rewritten line before committing them: a golden file is a claim that the output
//! is right, not a record of what the code happened to do.

use std::path::{Path, PathBuf};

use recto::report::{write_diff, DiffStyle, Subject};
use recto::Pipeline;

fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(root.join("golden")).unwrap() {
        let path = entry.unwrap().path();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
            if let Some(stem) = name.strip_suffix(".in.txt") {
                cases.push((path.clone(), root.join("golden").join(stem)));
            }
        }
    }
    for entry in std::fs::read_dir(root.join("seeds")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "txt") {
            let stem = path.file_stem().unwrap().to_owned();
            cases.push((path.clone(), root.join("golden/seeds").join(stem)));
        }
    }
    cases.sort();
    assert!(cases.len() >= 5, "no golden cases found");
    cases
}

fn with_ext(base: &Path, ext: &str) -> PathBuf {
    let mut s = base.as_os_str().to_owned();
    s.push(ext);
    PathBuf::from(s)
}

#[test]
fn golden_outputs_and_diffs() {
    let overwrite = std::env::var("GOLDEN").is_ok_and(|v| v == "overwrite");
    let pipeline = Pipeline::default_stages();
    let mut failures = Vec::new();
    for (input, base) in cases() {
        let bytes = std::fs::read(&input).unwrap();
        let cleaned = pipeline.run_bytes(&bytes).unwrap();
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let subject = Subject::new(&name, &cleaned.original, &cleaned.outcome);
        let mut diff = Vec::new();
        let style = DiffStyle {
            color: false,
            context: 3,
        };
        write_diff(&mut diff, &subject, style).unwrap();
        let diff = String::from_utf8(diff).unwrap();
        for (ext, actual) in [(".out.txt", &cleaned.outcome.output), (".diff", &diff)] {
            let path = with_ext(&base, ext);
            if overwrite {
                std::fs::write(&path, actual).unwrap();
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(expected) if &expected == actual => {}
                Ok(_) => failures.push(format!("{}: differs", path.display())),
                Err(_) => failures.push(format!("{}: missing", path.display())),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (GOLDEN=overwrite to rewrite, then read every line):\n{}",
        failures.join("\n")
    );
}
