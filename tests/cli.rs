//! The `recto` binary, exercised as a user would: the cases are data files under
//! `tests/cmd/` (arguments, stdin, expected stdout/stderr/exit code, and for file-writing
//! commands the expected directory tree), plus the few behaviours a case file cannot
//! express.

use std::io::Read;
use std::process::{Command, Stdio};

#[test]
fn cli_cases() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}

/// A reader that goes away mid-stream must not turn into an error or a panic message
/// (`recto clean big.txt | head -1`).
#[test]
fn closed_output_pipe_exits_quietly() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recto"))
        .arg("clean")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // close the read end before recto writes
    let line = "The ﬁnancial report of the year.\n".repeat(200_000);
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || {
        use std::io::Write;
        let _ = stdin.write_all(line.as_bytes());
    });
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

/// `-o` must never write over an input, even when the output directory is the input's.
#[test]
fn output_dir_refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(&input, "The ﬁrst.\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_recto"))
        .args(["clean", "a.txt", "-o", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("would overwrite the input"));
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "The ﬁrst.\n");
}

/// `--in-place` keeps the file's permissions.
#[cfg(unix)]
#[test]
fn in_place_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("a.txt");
    std::fs::write(&input, "The ﬁrst.\n").unwrap();
    std::fs::set_permissions(&input, std::fs::Permissions::from_mode(0o640)).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_recto"))
        .args(["clean", "-q", "--in-place"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "The first.\n");
    let mode = std::fs::metadata(&input).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

/// A file over 2 MiB is cleaned and written a segment at a time, so that memory stays
/// near the file's size however many changes it has (issue 7: a 100 MB file with a
/// change on every line took 7× its size while every change was held to the end). The
/// output, the report and decisions must be exactly those of a whole run.
#[test]
fn a_large_file_is_streamed_with_the_result_of_a_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..28_000)
        .map(|i| {
            format!(
                "Paragraph {i} has a ﬁne hyphen-\nated word that wraps\nonto a second line.\n\n"
            )
        })
        .collect();
    assert!(text.len() > 2 << 20);
    let input = dir.path().join("big.txt");
    std::fs::write(&input, &text).unwrap();
    let whole = recto::Pipeline::default_stages().run(&text);
    let recto = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_recto"))
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    // To a directory, with a report.
    recto(&["clean", "big.txt", "-o", "out", "--report", "r.jsonl"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/big.txt")).unwrap(),
        whole.output
    );
    let report = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let mut reported: Vec<String> = report
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["type"] == "change")
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect();
    let mut ids: Vec<String> = whole.changes.iter().map(|c| c.id.to_string()).collect();
    assert_eq!(reported.len(), ids.len());
    reported.sort();
    ids.sort();
    assert_eq!(reported, ids);

    // To standard output: a rejected change stays rejected in its segment; the rest of the output is as before.
    let rejected = &whole.changes[whole.changes.len() / 2];
    std::fs::write(
        dir.path().join("d.toml"),
        format!("version = 1\n\n[[rejected]]\nid = \"{}\"\n", rejected.id),
    )
    .unwrap();
    let kept: Vec<recto::Change> = whole
        .changes
        .iter()
        .filter(|c| c.id != rejected.id)
        .cloned()
        .collect();
    assert_eq!(
        recto(&["clean", "big.txt", "--decisions", "d.toml"]),
        recto::apply(&text, &kept)
    );

    recto(&["clean", "big.txt", "--in-place"]);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), whole.output);
}
