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
