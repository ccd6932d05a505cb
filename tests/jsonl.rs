//! `recto clean --jsonl` through the real binary: only the text field changes, every
//! other byte of every record passes through, order is kept, malformed records are
//! reported with their line numbers and passed through or dropped, and gzip/zstd
//! streams come back compressed the same way.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Records: (line as written, expected line after cleaning, malformed?).
fn corpus() -> Vec<(String, String, bool)> {
    let mut v = Vec::new();
    for i in 0..300 {
        let line = format!(
            r#"{{"id": {i}, "score": 1.50e3, "meta": {{"lang": "en", "tags": ["a", "b"]}}, "text": "The \ufb01nancial report n\u00ba{i} — caf\u00c3\u00a9.\n", "z": null}}"#
        );
        let expected = format!(
            r#"{{"id": {i}, "score": 1.50e3, "meta": {{"lang": "en", "tags": ["a", "b"]}}, "text": "The financial report nº{i} — café.\n", "z": null}}"#
        );
        v.push((line, expected, false));
        if i % 100 == 7 {
            v.push(("{not json".to_owned(), "{not json".to_owned(), true));
            v.push((
                r#"{"id": "no text"}"#.to_owned(),
                r#"{"id": "no text"}"#.to_owned(),
                true,
            ));
            v.push((
                r#"{"text": 42}"#.to_owned(),
                r#"{"text": 42}"#.to_owned(),
                true,
            ));
        }
        if i % 100 == 50 {
            // A clean record passes through byte for byte, odd spacing included.
            let clean = r#"{ "text":"Already clean." ,  "id":"x\u00e9"}"#.to_owned();
            v.push((clean.clone(), clean, false));
        }
    }
    v
}

fn recto(dir: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recto"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn joined(lines: impl Iterator<Item = String>) -> String {
    lines.map(|l| l + "\n").collect()
}

#[test]
fn stdin_to_stdout_changes_only_the_text_field_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus();
    let input = joined(c.iter().map(|r| r.0.clone()));
    let out = recto(dir.path(), &["clean", "--jsonl", "-q"], input.as_bytes());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        joined(c.iter().map(|r| r.1.clone()))
    );
    // Malformed records were passed through, reported with their line numbers, and the
    // exit code says something was not cleaned.
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("recto: -:9: not valid JSON"), "{err}");
    assert!(
        err.contains("recto: -:10: no field \"text\" (record passed through)"),
        "{err}"
    );
    assert!(
        err.contains("recto: -:11: field \"text\" is not a string"),
        "{err}"
    );
}

#[test]
fn malformed_records_can_be_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus();
    let input = joined(c.iter().map(|r| r.0.clone()));
    let out = recto(
        dir.path(),
        &["clean", "--jsonl", "-q", "--on-malformed", "drop"],
        input.as_bytes(),
    );
    let expected = joined(c.iter().filter(|r| !r.2).map(|r| r.1.clone()));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn nested_field_crlf_and_invalid_utf8_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = b"{\"doc\": {\"body\": \"\xef\xac\x81ne\"}, \"k\": 1}\r\n".to_vec();
    input.extend_from_slice(b"{\"doc\": {\"body\": \"bad \xff byte\"}}\n");
    input.extend_from_slice(b"\n{\"doc\": {\"body\": \"last, no newline\"}}");
    let out = recto(
        dir.path(),
        &["clean", "--jsonl", "--field", "doc.body", "-q"],
        &input,
    );
    let mut expected = b"{\"doc\": {\"body\": \"fine\"}, \"k\": 1}\r\n".to_vec();
    expected.extend_from_slice(b"{\"doc\": {\"body\": \"bad \xff byte\"}}\n");
    expected.extend_from_slice(b"\n{\"doc\": {\"body\": \"last, no newline\"}}");
    assert_eq!(out.stdout, expected);
    assert!(String::from_utf8_lossy(&out.stderr).contains("-:2: not valid UTF-8"));
}

#[test]
fn gzip_and_zstd_files_keep_their_compression_under_output_dir() {
    let dir = tempfile::tempdir().unwrap();
    let c = corpus();
    let plain = joined(c.iter().map(|r| r.0.clone()));
    let expected = joined(c.iter().map(|r| r.1.clone()));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(plain.as_bytes()).unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    std::fs::write(dir.path().join("in/a.jsonl.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("in/b.jsonl.zst"),
        zstd::encode_all(plain.as_bytes(), 3).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("in/c.jsonl"), &plain).unwrap();
    let out = recto(
        dir.path(),
        &[
            "clean",
            "--jsonl",
            "-q",
            "in",
            "-o",
            "out",
            "--id-field",
            "id",
            "--report",
            "r.jsonl",
        ],
        b"",
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::new();
    flate2::read::MultiGzDecoder::new(
        std::fs::File::open(dir.path().join("out/a.jsonl.gz")).unwrap(),
    )
    .read_to_string(&mut text)
    .unwrap();
    assert_eq!(text, expected);
    let zst =
        zstd::decode_all(std::fs::File::open(dir.path().join("out/b.jsonl.zst")).unwrap()).unwrap();
    assert_eq!(String::from_utf8(zst).unwrap(), expected);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/c.jsonl")).unwrap(),
        expected
    );
    // The report names each record by line and id.
    let report = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(report.lines().next().unwrap()).unwrap();
    assert_eq!(first["path"], "in/a.jsonl.gz");
    assert_eq!(first["line"], 1);
    assert_eq!(first["record_id"], 0);
    assert_eq!(first["before"], "ﬁ");
}

/// Record `i` of a long stream as written and as cleaned (a ligature in its text).
fn numbered_record(i: usize) -> (String, String) {
    (
        format!("{{\"id\": {i}, \"text\": \"a \\ufb01le n{i}\"}}\n"),
        format!("{{\"id\": {i}, \"text\": \"a file n{i}\"}}\n"),
    )
}

#[test]
fn records_of_many_batches_come_back_in_order_with_their_reports() {
    // 9,001 lines make three batches (4,096 records each at most); each batch is
    // written while the next is cleaned, and all must still come out in input order,
    // their report records too.
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    let mut expected = String::new();
    for i in 0..9000 {
        if i == 5000 {
            input.push_str("{not json\n");
            expected.push_str("{not json\n");
        }
        let (written, cleaned) = numbered_record(i);
        input.push_str(&written);
        expected.push_str(&cleaned);
    }
    let out = recto(
        dir.path(),
        &[
            "clean",
            "--jsonl",
            "-q",
            "-j",
            "2",
            "--id-field",
            "id",
            "--report",
            "r.jsonl",
        ],
        input.as_bytes(),
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("recto: -:5001: not valid JSON"), "{err}");
    let report = std::fs::read_to_string(dir.path().join("r.jsonl")).unwrap();
    let lines: Vec<(u64, u64)> = report
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["record_id"].as_u64().unwrap(),
            )
        })
        .collect();
    let wanted: Vec<(u64, u64)> = (0..9000u64)
        .map(|i| (if i < 5000 { i + 1 } else { i + 2 }, i))
        .collect();
    assert_eq!(lines, wanted);
}

#[test]
fn what_was_read_before_a_read_error_is_written() {
    // A gzip stream cut short fails in its third batch: the two whole batches before
    // it (4,096 records each) are written, in order, and the exit code says the input
    // could not all be read.
    let dir = tempfile::tempdir().unwrap();
    let (plain, expected): (Vec<String>, Vec<String>) = (0..9000).map(numbered_record).unzip();
    let plain = plain.concat();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(plain.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let cut = &gz[..gz.len() * 19 / 20];
    let out = recto(dir.path(), &["clean", "--jsonl", "-q", "-j", "2"], cut);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cannot read"), "{err}");
    let written = String::from_utf8(out.stdout).unwrap();
    assert_eq!(written, expected[..2 * 4096].concat());
}
