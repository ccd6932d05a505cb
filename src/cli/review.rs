//! `recto review`: a person accepts or rejects each proposed fix.
//!
//! Every fix the pipeline would propose — whatever its applicability — is a change to
//! decide on. On a terminal each is shown as a hunk with its rule and evidence, and the
//! answer is read from standard input; with `--html FILE` a self-contained page is
//! written instead, whose "download decisions" button produces the same file. Decisions
//! already in the decisions file are kept, and their changes are not asked again unless
//! `--all` is given.

use std::collections::HashMap;
use std::io::{self, BufRead, IsTerminal, Write};

use anyhow::{Context as _, Result};

use recto::decisions::{Decisions, Verdict};
use recto::report::{self, DiffStyle, Subject};
use recto::{Change, Outcome};

use super::args::ReviewArgs;
use super::session::Session;
use super::{Processed, ERROR, OK};

pub fn review(args: ReviewArgs) -> Result<i32> {
    let mut decisions = if args.decisions.exists() {
        Decisions::load(&args.decisions)?
    } else {
        Decisions::default()
    };
    let mut session = Session::new(&args.pipeline)?;
    let inputs = super::collect(&mut session, &args.pipeline)?;
    let mut done = Vec::new();
    // Review proposes every fix, whatever its applicability.
    session.for_each_file(&inputs, true, |_, p| {
        done.push(p);
        Ok(())
    })?;
    let errors = session.finish(false)?.skipped;
    if let Some(html) = &args.html {
        return write_html(html, &done, &decisions).map(|()| if errors > 0 { ERROR } else { OK });
    }
    let stdin = io::stdin();
    if !stdin.is_terminal() {
        anyhow::bail!(
            "recto review asks on a terminal; standard input is not one (use --html FILE)"
        );
    }
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = io::stdout().lock();
    let mut input = stdin.lock();
    let asked = ask_all(&done, &mut decisions, args.all, color, &mut out, &mut input)?;
    write_decisions(&args.decisions, &decisions)?;
    writeln!(
        out,
        "recto: {} decided this session, {} in {}",
        asked,
        decisions.len(),
        args.decisions.display()
    )?;
    Ok(if errors > 0 { ERROR } else { OK })
}

/// What the person answered.
enum Answer {
    Accept,
    Reject,
    Skip,
    AcceptRule,
    RejectRule,
    Quit,
}

/// Asks about every undecided change; returns how many were decided.
fn ask_all(
    done: &[Processed],
    decisions: &mut Decisions,
    all: bool,
    color: bool,
    out: &mut dyn Write,
    input: &mut dyn BufRead,
) -> Result<usize> {
    let total: usize = done.iter().map(|p| p.outcome.changes.len()).sum();
    let mut by_rule: HashMap<String, Verdict> = HashMap::new();
    let mut decided = 0;
    let mut n = 0;
    for p in done {
        for change in &p.outcome.changes {
            n += 1;
            let rule = rules(change);
            if let Some(&v) = by_rule.get(&rule) {
                record(decisions, p, change, v);
                decided += 1;
                continue;
            }
            if !all && decisions.verdict(&change.id).is_some() {
                continue;
            }
            show(out, p, change, n, total, color)?;
            let answer = loop {
                write!(
                    out,
                    "[a]ccept [r]eject [s]kip [A]ccept all of this rule [R]eject all of this rule [q]uit > "
                )?;
                out.flush()?;
                let mut line = String::new();
                if input.read_line(&mut line)? == 0 {
                    break Answer::Quit;
                }
                match line.trim() {
                    "a" => break Answer::Accept,
                    "r" => break Answer::Reject,
                    "s" | "" => break Answer::Skip,
                    "A" => break Answer::AcceptRule,
                    "R" => break Answer::RejectRule,
                    "q" => break Answer::Quit,
                    other => writeln!(out, "unknown answer {other:?}")?,
                }
            };
            let verdict = match answer {
                Answer::Accept => Verdict::Accepted,
                Answer::Reject => Verdict::Rejected,
                Answer::Skip => continue,
                Answer::AcceptRule => {
                    by_rule.insert(rule, Verdict::Accepted);
                    Verdict::Accepted
                }
                Answer::RejectRule => {
                    by_rule.insert(rule, Verdict::Rejected);
                    Verdict::Rejected
                }
                Answer::Quit => return Ok(decided),
            };
            record(decisions, p, change, verdict);
            decided += 1;
        }
    }
    Ok(decided)
}

/// Records `verdict` on `change` and on the other changes of its move, if it is part of
/// one: the halves of a move stand or fall together.
fn record(decisions: &mut Decisions, p: &Processed, change: &Change, verdict: Verdict) {
    decisions.record(change, verdict, &p.display, &p.original);
    for other in p
        .outcome
        .changes
        .iter()
        .filter(|c| change.linked.contains(&c.id))
    {
        decisions.record(other, verdict, &p.display, &p.original);
    }
}

fn rules(change: &Change) -> String {
    change
        .rules
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

/// Prints one change as a diff hunk with its rule, applicability and evidence.
fn show(
    out: &mut dyn Write,
    p: &Processed,
    change: &Change,
    n: usize,
    total: usize,
    color: bool,
) -> Result<()> {
    let single = Outcome {
        changes: vec![change.clone()],
        ..Outcome::default()
    };
    let subject = Subject::new(&p.display, &p.original, &single);
    let at = subject.line_col(change.original.start);
    writeln!(
        out,
        "\n[{n}/{total}] {}:{at}  {}  ({}, confidence {:.2})",
        p.display,
        rules(change),
        change.applicability,
        change.confidence
    )?;
    if !change.message.is_empty() {
        writeln!(out, "  {}", change.message)?;
    }
    if !change.linked.is_empty() {
        writeln!(
            out,
            "  part of a move: decided together with {}",
            change
                .linked
                .iter()
                .map(|id| id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    report::write_diff(out, &subject, DiffStyle { color, context: 1 })?;
    Ok(())
}

fn write_decisions(path: &std::path::Path, decisions: &Decisions) -> Result<()> {
    std::fs::write(path, decisions.to_toml())
        .with_context(|| format!("{}: cannot write decisions", path.display()))
}

fn write_html(path: &std::path::Path, done: &[Processed], decisions: &Decisions) -> Result<()> {
    let files: Vec<report::ReviewFile<'_>> = done
        .iter()
        .map(|p| report::ReviewFile {
            path: &p.display,
            original: &p.original,
            outcome: &p.outcome,
        })
        .collect();
    let write = || -> io::Result<()> {
        let mut out = io::BufWriter::new(std::fs::File::create(path)?);
        report::write_review_html_with_decisions(
            &mut out,
            &files,
            &recto::registry::Registry::builtin(),
            decisions,
        )?;
        out.flush()
    };
    write().with_context(|| format!("{}: cannot write the review page", path.display()))
}
