//! `recto clean --jsonl`: stream JSON Lines corpora of any size.
//!
//! A reader thread cuts the input into batches of whole lines (decompressing gzip or
//! zstd, recognised by their magic bytes); each batch is cleaned in parallel on the
//! worker threads and written in input order while the next batch is being read. Memory
//! is bounded by a few batches, whatever the size of the stream. Only the chosen field
//! changes: every other byte of a record passes through as it was
//! ([`recto::jsonl::splice`]). A record that is not JSON or lacks the field is reported
//! with its line number and passed through or dropped (`--on-malformed`); the run goes on.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::{Context as _, Result};
use rayon::prelude::*;
use serde_json::json;

use recto::decisions::{self, Decisions};
use recto::jsonl::FieldPath;
use recto::report::Subject;
use recto::{Applicability, Outcome};

use super::args::{CleanArgs, Compression, Malformed};
use super::inputs::Input;
use super::output;
use super::session::Session;

/// A batch holds at most this many bytes of input…
const BATCH_BYTES: usize = 4 << 20;
/// …and at most this many records.
const BATCH_RECORDS: usize = 4096;

/// One input line.
struct Line {
    number: usize,
    bytes: Vec<u8>,
    /// `\n`, `\r\n`, or nothing (last line).
    ending: &'static [u8],
}

/// What became of one record.
struct Cleaned {
    /// The line to write (without ending), or `None` to drop it.
    out: Option<Vec<u8>>,
    /// For the report and the totals: the field's text and its outcome.
    record: Option<(String, Outcome, serde_json::Value)>,
    /// Why the record was not cleaned.
    problem: Option<String>,
}

pub fn clean(
    session: &mut Session,
    inputs: &[Input],
    args: &CleanArgs,
    decisions: Option<&Decisions>,
    threshold: Applicability,
) -> Result<()> {
    let field = FieldPath::parse(&args.jsonl.field)
        .with_context(|| format!("--field {:?}: not a dotted path", args.jsonl.field))?;
    let id_field = match &args.jsonl.id_field {
        Some(f) => Some(
            FieldPath::parse(f).with_context(|| format!("--id-field {f:?}: not a dotted path"))?,
        ),
        None => None,
    };
    if inputs.len() > 1 && args.output.output_dir.is_none() && !args.output.in_place {
        anyhow::bail!(
            "several inputs: choose where the outputs go with -o/--output-dir DIR or --in-place"
        );
    }
    session.start_progress(None, "records");
    for input in inputs {
        let display = match input {
            Input::Stdin => "-".to_owned(),
            Input::File { path, .. } => path.display().to_string(),
        };
        if let Err(e) = clean_one(
            session,
            input,
            &display,
            args,
            &field,
            id_field.as_ref(),
            decisions,
            threshold,
        ) {
            if e.chain().any(|c| {
                c.downcast_ref::<io::Error>()
                    .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            }) {
                return Err(e);
            }
            session.skip(format!("{e:#}"));
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn clean_one(
    session: &mut Session,
    input: &Input,
    display: &str,
    args: &CleanArgs,
    field: &FieldPath,
    id_field: Option<&FieldPath>,
    decisions: Option<&Decisions>,
    threshold: Applicability,
) -> Result<()> {
    let raw: Box<dyn Read + Send> = match input {
        Input::Stdin => Box::new(io::stdin()),
        Input::File { path, .. } => {
            Box::new(std::fs::File::open(path).with_context(|| format!("{display}: cannot read"))?)
        }
    };
    let (reader, input_compression) = decompress(BufReader::with_capacity(1 << 16, raw))
        .with_context(|| format!("{display}: cannot read"))?;
    let compression = args.jsonl.compress.unwrap_or(match input {
        Input::Stdin => Compression::None,
        Input::File { .. } if args.output.output_dir.is_some() || args.output.in_place => {
            input_compression
        }
        Input::File { .. } => Compression::None,
    });
    let mut sink = Sink::open(input, args, compression)?;

    let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<Line>>>(2);
    let read_display = display.to_owned();
    let reader_thread = std::thread::spawn(move || read_batches(reader, tx, &read_display));
    let pipeline = session.pipeline_for(input, decisions.is_some())?;
    let pipeline = &*pipeline;
    let clean = |batch: &[Line]| -> Vec<Cleaned> {
        batch
            .par_iter()
            .map(|line| {
                clean_record(
                    pipeline,
                    line,
                    field,
                    id_field,
                    decisions,
                    threshold,
                    args.jsonl.on_malformed,
                )
            })
            .collect()
    };
    // Why a batch is written while the next is cleaned: writing is one thread's work
    // (the report, and compressing the output: gzip took a third of a run), and the
    // other threads waited for it between batches (`-j2` on a gzipped corpus was 1.35
    // to 1.42 times as fast as `-j1`). One more batch is held (at most 4 MiB of input).
    let pool = session.pool();
    let mut written: Option<(Vec<Line>, Vec<Cleaned>)> = None;
    for batch in rx {
        let batch = match batch {
            Ok(batch) => batch,
            Err(e) => {
                // What was read before the error is written, as it always was.
                if let Some((lines, cleaned)) = written.take() {
                    write_batch(session, &mut sink, display, args, &lines, cleaned)?;
                }
                return Err(e).with_context(|| format!("{display}: cannot read"));
            }
        };
        let (results, wrote) = pool.install(|| {
            rayon::join(
                || clean(&batch),
                || match written.take() {
                    Some((lines, cleaned)) => {
                        write_batch(session, &mut sink, display, args, &lines, cleaned)
                    }
                    None => Ok(()),
                },
            )
        });
        wrote?;
        written = Some((batch, results));
    }
    if let Some((lines, cleaned)) = written {
        write_batch(session, &mut sink, display, args, &lines, cleaned)?;
    }
    reader_thread
        .join()
        .map_err(|_| anyhow::anyhow!("{display}: reader thread panicked"))?;
    sink.finish()
        .with_context(|| format!("{display}: cannot write output"))?;
    session.stats.inputs += 1;
    Ok(())
}

/// Hands on a cleaned batch in input order: counts it, reports malformed records and
/// every record's changes, and writes the records out.
fn write_batch(
    session: &mut Session,
    sink: &mut Sink,
    display: &str,
    args: &CleanArgs,
    batch: &[Line],
    results: Vec<Cleaned>,
) -> Result<()> {
    for (line, cleaned) in batch.iter().zip(results) {
        session.stats.records += 1;
        session.stats.bytes += line.bytes.len() as u64;
        if let Some(problem) = cleaned.problem {
            let what = match args.jsonl.on_malformed {
                Malformed::Pass => "passed through",
                Malformed::Drop => "dropped",
            };
            session.skip(format!(
                "{display}:{}: {problem} (record {what})",
                line.number
            ));
        }
        if let Some((text, outcome, id)) = &cleaned.record {
            session.stats.add(0, outcome);
            let extra = serde_json::Map::from_iter([
                ("line".to_owned(), json!(line.number)),
                ("record_id".to_owned(), json!(id)),
            ]);
            session.report(&Subject::new(display, text, outcome), &extra)?;
        }
        if let Some(out) = cleaned.out {
            sink.write_all(&out)?;
            sink.write_all(line.ending)?;
        }
    }
    session.tick(batch.len() as u64);
    Ok(())
}

fn clean_record(
    pipeline: &recto::Pipeline,
    line: &Line,
    field: &FieldPath,
    id_field: Option<&FieldPath>,
    decisions: Option<&Decisions>,
    threshold: Applicability,
    on_malformed: Malformed,
) -> Cleaned {
    let malformed = |problem: String| Cleaned {
        out: match on_malformed {
            Malformed::Pass => Some(line.bytes.clone()),
            Malformed::Drop => None,
        },
        record: None,
        problem: Some(problem),
    };
    let Ok(text) = std::str::from_utf8(&line.bytes) else {
        return malformed("not valid UTF-8".to_owned());
    };
    if text.trim().is_empty() {
        return Cleaned {
            out: Some(line.bytes.clone()),
            record: None,
            problem: None,
        };
    }
    let (span, value) = match field.locate(text) {
        Ok(found) => found,
        Err(e) => return malformed(e.to_string()),
    };
    let mut outcome = pipeline.run(&value);
    if let Some(d) = decisions {
        let kept = d.select(&outcome.changes, decisions::applies_by_default(threshold));
        outcome.output = recto::apply(&value, &kept);
        outcome.changes = kept;
    }
    let out = if outcome.output == value {
        line.bytes.clone()
    } else {
        recto::jsonl::splice(text, span, &outcome.output).into_bytes()
    };
    let id = id_field
        .and_then(|f| record_id(text, f))
        .unwrap_or(serde_json::Value::Null);
    Cleaned {
        out: Some(out),
        record: Some((value, outcome, id)),
        problem: None,
    }
}

/// The value at `path` in the record, whatever its type.
fn record_id(line: &str, path: &FieldPath) -> Option<serde_json::Value> {
    let mut value: serde_json::Value = serde_json::from_str(line).ok()?;
    for key in path.segments() {
        value = value.get_mut(key)?.take();
    }
    Some(value)
}

fn read_batches(
    mut reader: Box<dyn BufRead + Send>,
    tx: mpsc::SyncSender<io::Result<Vec<Line>>>,
    _display: &str,
) {
    let mut number = 0;
    loop {
        let mut batch = Vec::new();
        let mut bytes = 0;
        while batch.len() < BATCH_RECORDS && bytes < BATCH_BYTES {
            let mut buf = Vec::new();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {
                    number += 1;
                    let ending: &'static [u8] = if buf.ends_with(b"\r\n") {
                        b"\r\n"
                    } else if buf.ends_with(b"\n") {
                        b"\n"
                    } else {
                        b""
                    };
                    buf.truncate(buf.len() - ending.len());
                    bytes += buf.len();
                    batch.push(Line {
                        number,
                        bytes: buf,
                        ending,
                    });
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
        }
        if batch.is_empty() {
            return;
        }
        if tx.send(Ok(batch)).is_err() {
            return;
        }
    }
}

/// Wraps `reader` in a decompressor when its first bytes are a gzip or zstd magic number.
fn decompress(
    mut reader: BufReader<Box<dyn Read + Send>>,
) -> io::Result<(Box<dyn BufRead + Send>, Compression)> {
    let head = reader.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        (
            Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(reader))),
            Compression::Gzip,
        )
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        (
            Box::new(BufReader::new(zstd::stream::read::Decoder::with_buffer(
                reader,
            )?)),
            Compression::Zstd,
        )
    } else {
        (Box::new(reader), Compression::None)
    })
}

/// Where a cleaned stream goes, compressed or not.
struct Sink {
    encoder: Encoder,
    /// For files: the temporary file to rename over the destination at the end.
    commit: Option<(tempfile::TempPath, PathBuf)>,
}

enum Encoder {
    Plain(Box<dyn Write + Send>),
    Gzip(flate2::write::GzEncoder<Box<dyn Write + Send>>),
    Zstd(zstd::stream::write::Encoder<'static, Box<dyn Write + Send>>),
}

impl Sink {
    fn open(input: &Input, args: &CleanArgs, compression: Compression) -> Result<Sink> {
        let (writer, commit): (Box<dyn Write + Send>, Option<(tempfile::TempPath, PathBuf)>) =
            match (input, &args.output.output_dir, args.output.in_place) {
                (Input::File { path, .. }, _, true) => {
                    let (file, tmp) = output::temp_beside(path)?.into_parts();
                    let permissions = std::fs::metadata(path)
                        .with_context(|| format!("{}: cannot read metadata", path.display()))?
                        .permissions();
                    file.set_permissions(permissions)
                        .with_context(|| format!("{}: cannot set permissions", path.display()))?;
                    (
                        Box::new(io::BufWriter::new(file)),
                        Some((tmp, path.clone())),
                    )
                }
                (_, Some(dir), _) => {
                    let dest = match input {
                        Input::Stdin => dir.join("stdin.jsonl"),
                        Input::File { relative, path } => {
                            let dest = dir.join(relative);
                            if output::same_file(path, &dest) {
                                anyhow::bail!(
                                    "{}: output would overwrite the input (use --in-place to mean that)",
                                    dest.display()
                                );
                            }
                            dest
                        }
                    };
                    if let Some(parent) = dest.parent() {
                        std::fs::create_dir_all(parent).with_context(|| {
                            format!("{}: cannot create directory", parent.display())
                        })?;
                    }
                    let (file, tmp) = output::temp_beside(&dest)?.into_parts();
                    (Box::new(io::BufWriter::new(file)), Some((tmp, dest)))
                }
                (Input::Stdin, None, true) => {
                    anyhow::bail!("--in-place needs files, not standard input")
                }
                _ => (Box::new(io::BufWriter::new(io::stdout())), None),
            };
        let encoder = match compression {
            Compression::None => Encoder::Plain(writer),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                writer,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::stream::write::Encoder::new(writer, 3)?),
        };
        Ok(Sink { encoder, commit })
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.encoder {
            Encoder::Plain(w) => w.write_all(bytes),
            Encoder::Gzip(w) => w.write_all(bytes),
            Encoder::Zstd(w) => w.write_all(bytes),
        }
    }

    /// Finishes the compressed stream, flushes, and for files renames the temporary
    /// file over the destination (atomically).
    fn finish(self) -> io::Result<()> {
        let mut writer = match self.encoder {
            Encoder::Plain(w) => w,
            Encoder::Gzip(w) => w.finish()?,
            Encoder::Zstd(w) => w.finish()?,
        };
        writer.flush()?;
        drop(writer);
        if let Some((tmp, dest)) = self.commit {
            tmp.persist(&dest).map_err(|e| e.error)?;
        }
        Ok(())
    }
}
