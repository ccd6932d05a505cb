//! The command line: parse flags, find inputs, run the pipeline, hand outcomes to
//! reporters, write outputs. Exit codes: 0 success, 1 findings (`check`, `diff`),
//! 2 error. A closed output pipe ends the run quietly with 0.

mod args;
mod inputs;
mod jsonl;
mod output;
mod review;
mod session;

use std::io::{self, Write};
use std::path::Path;

use anyhow::Result;
use clap::Parser;

use recto::decisions::{self, Decisions};
use recto::report::{self, DiffStyle, Subject};

use args::{
    CheckFormat, Cli, ColorChoice, Command, DiffFormat, ListFormat, PipelineArgs, RulesCommand,
};
use inputs::{Input, Processed};
use session::{Session, Stats};

/// Exit code: nothing to report.
pub(crate) const OK: i32 = 0;
/// Exit code: `check`/`diff` found something that would change.
const FINDINGS: i32 = 1;
/// Exit code: an error (bad usage, unreadable or binary input, failed write).
pub(crate) const ERROR: i32 = 2;

pub fn main() -> i32 {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => OK,
        Err(e) => {
            eprintln!("recto: {e:#}");
            ERROR
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Clean(args) => clean(args),
        Command::Check(args) => check(args),
        Command::Diff(args) => diff(args),
        Command::Review(args) => review::review(args),
        Command::Apply(args) => apply_decisions(args),
        Command::Explain { rule } => explain(&rule),
        Command::Rules(RulesCommand::List { format }) => list_rules(format),
        Command::Rules(RulesCommand::Test { files }) => test_rules(&files),
    }
}

/// Collects the inputs of a command; paths that cannot be walked are skipped (and
/// reported) like unreadable files.
fn collect(session: &mut Session, args: &PipelineArgs) -> Result<Vec<Input>> {
    let (inputs, errors) = inputs::collect(&args.paths, &args.globs)?;
    for e in errors {
        session.skip(e);
    }
    Ok(inputs)
}

/// The `format` of the configuration that applies to the first input (or to the
/// current directory, for standard input).
fn configured_format(session: &mut Session, inputs: &[Input]) -> Result<Option<String>> {
    Ok(match inputs.first() {
        Some(first) => session
            .config_for(first)?
            .and_then(|c| c.format().map(str::to_owned)),
        None => None,
    })
}

fn exit_code(stats: &Stats, findings: bool) -> i32 {
    if stats.skipped > 0 {
        ERROR
    } else if findings {
        FINDINGS
    } else {
        OK
    }
}

/// Where cleaned texts go: standard output (one input), under a directory, or in place.
#[derive(Clone, Copy)]
enum Destination<'a> {
    Stdout,
    Dir(&'a Path),
    InPlace,
}

impl<'a> Destination<'a> {
    fn choose(
        output: &'a args::OutputArgs,
        inputs: &[Input],
        pipeline: &PipelineArgs,
    ) -> Result<Self> {
        let several = inputs.len() > 1 || pipeline.paths.iter().any(|p| p.is_dir());
        Ok(if output.in_place {
            Destination::InPlace
        } else if let Some(dir) = &output.output_dir {
            Destination::Dir(dir)
        } else if several {
            anyhow::bail!(
                "several inputs: choose where the outputs go with -o/--output-dir DIR or --in-place"
            );
        } else {
            Destination::Stdout
        })
    }

    fn write(self, p: &Processed) -> Result<()> {
        match self {
            Destination::Stdout => {
                let mut stdout = io::stdout().lock();
                stdout.write_all(p.outcome.output.as_bytes())?;
                stdout.flush()?;
                Ok(())
            }
            Destination::Dir(dir) => output::write_under(dir, p),
            Destination::InPlace => output::write_in_place(p),
        }
    }
}

fn clean(args: args::CleanArgs) -> Result<i32> {
    let threshold = session::threshold(&args.pipeline);
    let mut session = Session::new(&args.pipeline)?;
    let inputs = collect(&mut session, &args.pipeline)?;
    // A decisions file from the flag, or named by the configuration that applies to
    // the first input.
    let decisions_path = match &args.decisions {
        Some(path) => Some(path.clone()),
        None => match inputs.first() {
            Some(first) => session
                .config_for(first)?
                .and_then(|c| c.decisions().map(Path::to_path_buf)),
            None => None,
        },
    };
    let decisions = match &decisions_path {
        Some(path) => Some(Decisions::load(path)?),
        None => None,
    };
    // Decisions may accept any proposed fix: propose them all, then choose.
    let force_unsafe = decisions.is_some();
    if args.jsonl.jsonl {
        jsonl::clean(&mut session, &inputs, &args, decisions.as_ref(), threshold)?;
    } else {
        let to = Destination::choose(&args.output, &inputs, &args.pipeline)?;
        if inputs.len() > 1 {
            session.start_progress(Some(inputs.len() as u64), "files");
        }
        // Large files are streamed a segment at a time, between runs of the others in
        // parallel; either way outputs and the report follow input order.
        let large: Vec<bool> = inputs.iter().map(is_large).collect();
        let mut at = 0;
        while at < inputs.len() {
            if large[at] {
                clean_large(&mut session, &inputs[at], to, decisions.as_ref(), threshold)?;
                at += 1;
                continue;
            }
            let end = (at..inputs.len())
                .find(|&i| large[i])
                .unwrap_or(inputs.len());
            session.for_each_file(&inputs[at..end], force_unsafe, |_, mut p| {
                if let Some(d) = &decisions {
                    p.keep(d.select(&p.outcome.changes, decisions::applies_by_default(threshold)));
                }
                to.write(&p)
            })?;
            at = end;
        }
    }
    let summary = args.jsonl.jsonl
        || inputs.len() > 1
        || args.output.output_dir.is_some()
        || args.output.in_place;
    let stats = session.finish(summary)?;
    Ok(exit_code(&stats, false))
}

/// Files larger than this are cleaned a segment at a time and written as they go
/// ([`clean_large`]), the size from which [`Pipeline::run`](recto::Pipeline::run) cuts
/// a text into segments anyway.
const LARGE_FILE: u64 = 2 << 20;

fn is_large(input: &Input) -> bool {
    input
        .path()
        .and_then(|p| std::fs::metadata(p).ok())
        .is_some_and(|m| m.len() > LARGE_FILE)
}

/// `clean` of one large file: each segment's output is written as soon as it is ready
/// (with the decisions, if any, applied to that segment's changes: a move never
/// crosses segments), so memory stays near the size of the file however many changes
/// there are.
fn clean_large(
    session: &mut Session,
    input: &Input,
    to: Destination<'_>,
    decisions: Option<&Decisions>,
    threshold: recto::Applicability,
) -> Result<()> {
    enum Sink {
        Stdout(io::Stdout),
        File(output::AtomicFile),
    }
    let mut sink = match to {
        Destination::Stdout => Sink::Stdout(io::stdout()),
        Destination::Dir(dir) => Sink::File(output::AtomicFile::under(dir, input)?),
        Destination::InPlace => Sink::File(output::AtomicFile::in_place(input)?),
    };
    let mut changed = false;
    let cleaned = session.stream_file(input, decisions.is_some(), |original, span, part| {
        let piece = match decisions {
            Some(d) => {
                let mut keep = d.select(&part.changes, decisions::applies_by_default(threshold));
                for c in &mut keep {
                    c.original = recto::Span::new(
                        c.original.start - span.start,
                        c.original.end - span.start,
                    );
                }
                changed |= !keep.is_empty();
                std::borrow::Cow::Owned(recto::apply(&original[span.range()], &keep))
            }
            None => {
                changed |= !part.changes.is_empty();
                std::borrow::Cow::Borrowed(part.output.as_str())
            }
        };
        match &mut sink {
            Sink::Stdout(out) => Ok(out.write_all(piece.as_bytes())?),
            Sink::File(file) => file.write(piece.as_bytes()),
        }
    })?;
    match sink {
        Sink::Stdout(mut out) => Ok(out.flush()?),
        // An unchanged file is not rewritten in place (as for small files).
        Sink::File(file) if cleaned && (changed || !matches!(to, Destination::InPlace)) => {
            file.commit()
        }
        Sink::File(_) => Ok(()),
    }
}

fn apply_decisions(args: args::ApplyArgs) -> Result<i32> {
    let decisions = Decisions::load(&args.decisions)?;
    let mut session = Session::new(&args.pipeline)?;
    let inputs = collect(&mut session, &args.pipeline)?;
    let to = Destination::choose(&args.output, &inputs, &args.pipeline)?;
    session.for_each_file(&inputs, true, |_, mut p| {
        p.keep(decisions.select(&p.outcome.changes, |_| false));
        to.write(&p)
    })?;
    let summary = inputs.len() > 1 || args.output.output_dir.is_some() || args.output.in_place;
    let stats = session.finish(summary)?;
    Ok(exit_code(&stats, false))
}

fn check(args: args::CheckArgs) -> Result<i32> {
    let mut session = Session::new(&args.pipeline)?;
    let inputs = collect(&mut session, &args.pipeline)?;
    let format = match args.format {
        Some(f) => f,
        None => match configured_format(&mut session, &inputs)?.as_deref() {
            Some("json") => CheckFormat::Json,
            Some("github") => CheckFormat::Github,
            Some("sarif") => CheckFormat::Sarif,
            _ => CheckFormat::Text,
        },
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut findings = false;
    // SARIF is one document for the whole run: gather, then write.
    let mut sarif: Vec<Processed> = Vec::new();
    session.for_each_file(&inputs, false, |_, p| {
        findings |= p
            .outcome
            .changes
            .iter()
            .any(|c| c.applicability >= args.fail_on)
            || p.outcome
                .proposals
                .iter()
                .any(|c| c.applicability >= args.fail_on);
        let subject = p.subject();
        match format {
            CheckFormat::Text => report::write_check(&mut out, &subject)?,
            CheckFormat::Json => report::write_jsonl(&mut out, &subject)?,
            CheckFormat::Github => report::write_github(&mut out, &subject)?,
            CheckFormat::Sarif => sarif.push(p),
        }
        Ok(())
    })?;
    if format == CheckFormat::Sarif {
        let subjects: Vec<Subject<'_>> = sarif.iter().map(Processed::subject).collect();
        report::write_sarif(&mut out, &subjects, &recto::registry::Registry::builtin())?;
    }
    out.flush()?;
    let stats = session.finish(format == CheckFormat::Text)?;
    Ok(exit_code(&stats, findings))
}

fn diff(args: args::DiffArgs) -> Result<i32> {
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            use std::io::IsTerminal;
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let style = DiffStyle {
        color,
        context: args.context,
    };
    let mut session = Session::new(&args.pipeline)?;
    let inputs = collect(&mut session, &args.pipeline)?;
    let format = match args.format {
        Some(f) => f,
        None => match configured_format(&mut session, &inputs)?.as_deref() {
            Some("json") => DiffFormat::Json,
            Some("github") => DiffFormat::Github,
            _ => DiffFormat::Text,
        },
    };
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut findings = false;
    session.for_each_file(&inputs, false, |_, p| {
        let subject = p.subject();
        findings |= !p.outcome.changes.is_empty();
        match format {
            DiffFormat::Text => report::write_diff(&mut out, &subject, style)?,
            DiffFormat::Json => report::write_jsonl(&mut out, &subject)?,
            DiffFormat::Github => report::write_github(&mut out, &subject)?,
        }
        Ok(())
    })?;
    out.flush()?;
    let stats = session.finish(false)?;
    Ok(exit_code(&stats, findings))
}

/// Every rule a user can meet: the built-in rules, every built-in rule set (on or off)
/// and the rule files named by the configuration found from the current directory.
fn registry() -> Result<recto::registry::Registry> {
    let mut registry = recto::registry::Registry::builtin();
    for set in recto::rulefile::BUILTIN_SETS {
        for info in set.load().rule_infos() {
            registry.add(info);
        }
    }
    let here = std::env::current_dir().unwrap_or_default();
    if let Some((_, config)) = recto::config::Config::discover(&here)? {
        for file in config.for_file(None).rule_files {
            for info in recto::rulefile::RuleFile::load(&file)?.rule_infos() {
                registry.add(info);
            }
        }
    }
    Ok(registry)
}

fn explain(rule: &str) -> Result<i32> {
    let registry = registry()?;
    let Some(info) = registry.get(rule) else {
        let close: Vec<&str> = registry
            .iter()
            .map(|r| &*r.id)
            .filter(|id| id.contains(rule) || rule.contains(*id))
            .collect();
        if close.is_empty() {
            anyhow::bail!("unknown rule {rule:?} (see `recto rules list`)");
        }
        anyhow::bail!("unknown rule {rule:?}; did you mean {}?", close.join(", "));
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{} ({} stage, {})\n",
        info.id, info.stage, info.applicability
    )?;
    writeln!(out, "{}\n", info.summary)?;
    writeln!(out, "{}", info.explanation)?;
    Ok(OK)
}

fn list_rules(format: ListFormat) -> Result<i32> {
    let registry = registry()?;
    let rules: Vec<_> = registry.iter().collect();
    let mut out = io::stdout().lock();
    match format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rules)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in rules {
                writeln!(
                    out,
                    "{:width$}  {:7}  {}",
                    r.id,
                    r.applicability.as_str(),
                    r.summary
                )?;
            }
        }
    }
    Ok(OK)
}

/// `recto rules test FILE…`: runs every example; prints each failure; exit 1 if any.
fn test_rules(files: &[std::path::PathBuf]) -> Result<i32> {
    let mut out = io::stdout().lock();
    let (mut examples, mut failed) = (0, 0);
    for path in files {
        let file = recto::rulefile::RuleFile::load(path)?;
        examples += file
            .rules()
            .iter()
            .map(|r| r.examples().len())
            .sum::<usize>();
        for failure in recto::rulefile::test_examples(&file)? {
            failed += 1;
            writeln!(out, "{failure}")?;
        }
    }
    writeln!(out, "{examples} examples, {failed} failed")?;
    Ok(if failed > 0 { FINDINGS } else { OK })
}

impl Processed {
    fn subject(&self) -> Subject<'_> {
        Subject::new(&self.display, &self.original, &self.outcome)
    }

    /// Keeps only `changes` (a subset of the outcome's): the output becomes the original
    /// with exactly those applied.
    fn keep(&mut self, changes: Vec<recto::Change>) {
        self.outcome.output = recto::apply(&self.original, &changes);
        self.outcome.changes = changes;
    }
}
