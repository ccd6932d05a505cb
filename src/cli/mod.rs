//! The command line: parse flags, find inputs, run the pipeline, hand outcomes to
//! reporters, write outputs. Exit codes: 0 success, 1 findings (`check`, `diff`),
//! 2 error. A closed output pipe ends the run quietly with 0.

mod args;
mod inputs;
mod output;
mod review;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use anyhow::{Context as _, Result};
use clap::Parser;
use rayon::prelude::*;

use recto::decisions::{self, Decisions};
use recto::pipeline::RuleFilter;
use recto::report::{self, DiffStyle, Subject};
use recto::stage::{Context, GarblePolicy, Options};
use recto::{Applicability, Pipeline};

use args::{
    CheckFormat, Cli, ColorChoice, Command, DiffFormat, GarbleArg, ListFormat, PipelineArgs,
    RulesCommand,
};
use inputs::Processed;

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
    }
}

fn threshold(args: &PipelineArgs) -> Applicability {
    if args.unsafe_fixes {
        Applicability::Suggest
    } else {
        Applicability::Safe
    }
}

fn pipeline(args: &PipelineArgs) -> Pipeline {
    let options = Options {
        garble: match args.garble {
            GarbleArg::Remove => GarblePolicy::Remove,
            GarbleArg::Mark => GarblePolicy::Mark,
            GarbleArg::Keep => GarblePolicy::Keep,
        },
        garble_marker: args.garble_marker.clone(),
        keep_lines: args.keep_lines,
    };
    let mut p = Pipeline::with_default_stages(Context {
        options,
        ..Context::default()
    });
    p.threshold(threshold(args));
    p.filter(RuleFilter::new(args.select.clone(), args.ignore.clone()));
    p
}

/// Reads, decodes and cleans every input in parallel; results come back in input order.
/// Per-input errors are printed and counted, not fatal.
pub(crate) fn process_all(args: &PipelineArgs) -> Result<(Vec<Processed>, usize)> {
    let (inputs, mut errors) = inputs::collect(&args.paths);
    let pipeline = pipeline(args);
    let work = || -> Vec<Result<Processed>> {
        inputs
            .par_iter()
            .map(|input| inputs::process(input, &pipeline))
            .collect()
    };
    let results = match args.jobs {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
            .context("cannot start worker threads")?
            .install(work),
        None => work(),
    };
    let mut done = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => done.push(p),
            Err(e) => {
                eprintln!("recto: {e:#}");
                errors += 1;
            }
        }
    }
    Ok((done, errors))
}

/// Writes the `--report` file, if one was asked for.
fn write_report_if_asked(args: &PipelineArgs, done: &[Processed]) -> Result<()> {
    match &args.report {
        Some(path) => write_report(path, done),
        None => Ok(()),
    }
}

fn write_report(path: &Path, done: &[Processed]) -> Result<()> {
    if done
        .iter()
        .any(|p| p.input.path().is_some_and(|i| output::same_file(i, path)))
    {
        anyhow::bail!("{}: the report would overwrite an input", path.display());
    }
    let file = std::fs::File::create(path)
        .with_context(|| format!("{}: cannot create report", path.display()))?;
    let mut w = io::BufWriter::new(file);
    for p in done {
        report::write_jsonl(&mut w, &p.subject())
            .with_context(|| format!("{}: cannot write report", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("{}: cannot write report", path.display()))?;
    Ok(())
}

fn exit_code(errors: usize, findings: bool) -> i32 {
    if errors > 0 {
        ERROR
    } else if findings {
        FINDINGS
    } else {
        OK
    }
}

fn clean(mut args: args::CleanArgs) -> Result<i32> {
    let decisions = match &args.decisions {
        Some(path) => Some(Decisions::load(path)?),
        None => None,
    };
    let threshold = threshold(&args.pipeline);
    if decisions.is_some() {
        // Decisions may accept any proposed fix: propose them all, then choose.
        args.pipeline.unsafe_fixes = true;
    }
    let (mut done, errors) = process_all(&args.pipeline)?;
    if let Some(d) = &decisions {
        for p in &mut done {
            p.keep(d.select(&p.outcome.changes, decisions::applies_by_default(threshold)));
        }
    }
    write_outputs(&args.output, &args.pipeline, &done, errors)
}

fn apply_decisions(mut args: args::ApplyArgs) -> Result<i32> {
    let decisions = Decisions::load(&args.decisions)?;
    args.pipeline.unsafe_fixes = true;
    let (mut done, errors) = process_all(&args.pipeline)?;
    for p in &mut done {
        p.keep(decisions.select(&p.outcome.changes, |_| false));
    }
    write_outputs(&args.output, &args.pipeline, &done, errors)
}

/// Writes cleaned texts where `output` says: stdout (one input), under a directory, or
/// in place.
fn write_outputs(
    output: &args::OutputArgs,
    pipeline: &PipelineArgs,
    done: &[Processed],
    errors: usize,
) -> Result<i32> {
    write_report_if_asked(pipeline, done)?;
    let several = done.len() + errors > 1 || pipeline.paths.iter().any(|p| p.is_dir());
    if output.in_place {
        for p in done {
            output::write_in_place(p)?;
        }
    } else if let Some(dir) = &output.output_dir {
        for p in done {
            output::write_under(dir, p)?;
        }
    } else if several {
        anyhow::bail!(
            "several inputs: choose where the outputs go with -o/--output-dir DIR or --in-place"
        );
    } else if let Some(p) = done.first() {
        let mut stdout = io::stdout().lock();
        stdout.write_all(p.outcome.output.as_bytes())?;
        stdout.flush()?;
    }
    if !pipeline.quiet && (several || output.in_place || output.output_dir.is_some()) {
        eprintln!("recto: {}", summary(done, errors));
    }
    Ok(exit_code(errors, false))
}

fn check(args: args::CheckArgs) -> Result<i32> {
    let (done, errors) = process_all(&args.pipeline)?;
    write_report_if_asked(&args.pipeline, &done)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    let findings = done.iter().any(|p| {
        p.outcome
            .changes
            .iter()
            .any(|c| c.applicability >= args.fail_on)
            || p.outcome
                .proposals
                .iter()
                .any(|c| c.applicability >= args.fail_on)
    });
    if args.format == CheckFormat::Sarif {
        let subjects: Vec<Subject<'_>> = done.iter().map(Processed::subject).collect();
        report::write_sarif(&mut out, &subjects, &recto::registry::Registry::builtin())?;
    }
    for p in &done {
        let subject = p.subject();
        match args.format {
            CheckFormat::Text => report::write_check(&mut out, &subject)?,
            CheckFormat::Json => report::write_jsonl(&mut out, &subject)?,
            CheckFormat::Github => report::write_github(&mut out, &subject)?,
            CheckFormat::Sarif => {}
        }
    }
    out.flush()?;
    if !args.pipeline.quiet && args.format == CheckFormat::Text {
        eprintln!("recto: {}", summary(&done, errors));
    }
    Ok(exit_code(errors, findings))
}

fn diff(args: args::DiffArgs) -> Result<i32> {
    let (done, errors) = process_all(&args.pipeline)?;
    write_report_if_asked(&args.pipeline, &done)?;
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
    let mut out = io::BufWriter::new(io::stdout().lock());
    let mut findings = false;
    for p in &done {
        let subject = p.subject();
        findings |= !p.outcome.changes.is_empty();
        match args.format {
            DiffFormat::Text => report::write_diff(&mut out, &subject, style)?,
            DiffFormat::Json => report::write_jsonl(&mut out, &subject)?,
            DiffFormat::Github => report::write_github(&mut out, &subject)?,
        }
    }
    out.flush()?;
    Ok(exit_code(errors, findings))
}

/// `N files, M changes (rule a × 3, rule b × 1), K proposals not applied`.
fn summary(done: &[Processed], errors: usize) -> String {
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut changes = 0;
    let mut proposals = 0;
    for p in done {
        changes += p.outcome.changes.len();
        proposals += p.outcome.proposals.len();
        for c in &p.outcome.changes {
            for r in &c.rules {
                *per_rule.entry(r.as_str()).or_default() += 1;
            }
        }
    }
    let rules = per_rule
        .iter()
        .map(|(r, n)| format!("{r} × {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut s = format!(
        "{} file{}, {changes} change{}",
        done.len(),
        if done.len() == 1 { "" } else { "s" },
        if changes == 1 { "" } else { "s" }
    );
    if !rules.is_empty() {
        s.push_str(&format!(" ({rules})"));
    }
    if proposals > 0 {
        s.push_str(&format!(
            ", {proposals} proposed for review (not applied; see --unsafe)"
        ));
    }
    if errors > 0 {
        s.push_str(&format!(
            ", {errors} input{} skipped",
            if errors == 1 { "" } else { "s" }
        ));
    }
    s
}

fn explain(rule: &str) -> Result<i32> {
    let Some(info) = recto::registry::lookup(rule) else {
        let known = recto::registry::builtin();
        let close: Vec<&str> = known
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
    let rules = recto::registry::builtin();
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
