//! One run of the command: the pipeline, the worker threads, the report file, the
//! progress bar and the running totals for the summary line.
//!
//! Inputs are cleaned in parallel but *handed on in input order*, a chunk at a time, so
//! outputs, reports and printed findings are deterministic and memory stays bounded by
//! the chunk, not by the corpus.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};

use std::collections::HashMap;
use std::sync::Arc;

use recto::config::{Config, EffectiveOptions};
use recto::report;
use recto::span::LineIndex;
use recto::stage::{FootnotePolicy, GarblePolicy, MarginPolicy};
use recto::{Applicability, Outcome, Pipeline, Span};

use super::args::{FootnotesArg, GarbleArg, MarginTextArg, PipelineArgs};
use super::inputs::{self, Input, Processed};
use super::output;

/// Running totals for the summary line.
#[derive(Debug)]
pub struct Stats {
    pub inputs: usize,
    pub records: usize,
    pub bytes: u64,
    pub changes: usize,
    pub proposals: usize,
    /// Changes by rule id. Hashed, not ordered: this is counted on the thread that
    /// hands the documents on in order, once per rule of every change (a `BTreeMap`
    /// compared whole names, five times the cost); [`summary`](Stats::summary) sorts.
    pub per_rule: HashMap<String, usize, foldhash::fast::RandomState>,
    /// Inputs (files or records) that could not be cleaned.
    pub skipped: usize,
    started: Instant,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            inputs: 0,
            records: 0,
            bytes: 0,
            changes: 0,
            proposals: 0,
            per_rule: HashMap::default(),
            skipped: 0,
            started: Instant::now(),
        }
    }

    pub fn add(&mut self, bytes: usize, outcome: &Outcome) {
        self.bytes += bytes as u64;
        self.changes += outcome.changes.len();
        self.proposals += outcome.proposals.len();
        // A document's changes come from a few rules, each id mostly one static string
        // or one shared one: counted first against the ids met so far, compared by
        // address, and looked up by name once per id. The list is short, and bounded
        // for ids that are each a string of their own.
        const MOST_IDS: usize = 64;
        let mut counted: Vec<(&str, usize)> = Vec::new();
        for r in outcome.changes.iter().flat_map(|c| &c.rules) {
            let rule = r.as_str();
            match counted.iter().position(|&(id, _)| std::ptr::eq(id, rule)) {
                Some(i) => counted[i].1 += 1,
                None if counted.len() < MOST_IDS => counted.push((rule, 1)),
                None => self.count_rule(rule, 1),
            }
        }
        for (rule, n) in counted {
            self.count_rule(rule, n);
        }
    }

    /// Counts `n` more changes by `rule`.
    fn count_rule(&mut self, rule: &str, n: usize) {
        // A rule's name is allocated once, not once per change.
        match self.per_rule.get_mut(rule) {
            Some(count) => *count += n,
            None => {
                self.per_rule.insert(rule.to_owned(), n);
            }
        }
    }

    /// `12 files, 3.4 MB, 120 changes (rule × n, …), 0.52 s, 6.5 MB/s`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let secs = self.started.elapsed().as_secs_f64();
        let mut s = if self.records > 0 {
            plural(self.records, "record")
        } else {
            plural(self.inputs, "file")
        };
        s.push_str(&format!(
            ", {:.1} MB, {}",
            self.bytes as f64 / 1e6,
            plural(self.changes, "change")
        ));
        if !self.per_rule.is_empty() {
            let mut counted: Vec<(&String, &usize)> = self.per_rule.iter().collect();
            counted.sort_unstable();
            let rules: Vec<String> = counted
                .into_iter()
                .map(|(r, n)| format!("{r} × {n}"))
                .collect();
            s.push_str(&format!(" ({})", rules.join(", ")));
        }
        if self.proposals > 0 {
            s.push_str(&format!(
                ", {} proposed for review (not applied; see --unsafe)",
                self.proposals
            ));
        }
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        s.push_str(&format!(
            ", {secs:.2} s, {:.1} MB/s",
            self.bytes as f64 / 1e6 / secs.max(1e-9)
        ));
        s
    }
}

/// The report file (`--report`), written in input order.
struct ReportFile {
    path: PathBuf,
    out: BufWriter<File>,
}

pub struct Session {
    configs: Configs,
    /// One pipeline per distinct set of effective options.
    pipelines: HashMap<EffectiveOptions, Arc<Pipeline>>,
    flags: Flags,
    pool: Arc<rayon::ThreadPool>,
    report: Option<ReportFile>,
    pub stats: Stats,
    progress: Option<ProgressBar>,
    pub quiet: bool,
}

/// The flags that override a configuration.
#[derive(Clone, Debug)]
struct Flags {
    unsafe_fixes: bool,
    select: Vec<String>,
    ignore: Vec<String>,
    garble: Option<GarblePolicy>,
    garble_marker: Option<String>,
    keep_lines: bool,
    footnotes: Option<FootnotePolicy>,
    margin_text: Option<MarginPolicy>,
}

impl Flags {
    fn apply(&self, o: &mut EffectiveOptions) {
        o.unsafe_fixes |= self.unsafe_fixes;
        if !self.select.is_empty() {
            o.select = self.select.clone();
        }
        o.ignore.extend(self.ignore.iter().cloned());
        if let Some(g) = self.garble {
            o.garble = g;
        }
        if let Some(m) = &self.garble_marker {
            o.garble_marker = m.clone();
        }
        o.keep_lines |= self.keep_lines;
        if let Some(f) = self.footnotes {
            o.footnotes = f;
        }
        if let Some(m) = self.margin_text {
            o.margin_text = m;
        }
    }
}

/// Where configuration comes from.
enum Configs {
    /// `--no-config`.
    Off,
    /// `-c FILE`.
    Explicit(Arc<Config>),
    /// `recto.toml` (or `pyproject.toml`) found from each input upward, cached by
    /// directory.
    Discover(HashMap<PathBuf, Option<Arc<Config>>>),
}

impl Configs {
    fn for_input(&mut self, input: &Input) -> Result<Option<Arc<Config>>> {
        match self {
            Configs::Off => Ok(None),
            Configs::Explicit(c) => Ok(Some(c.clone())),
            Configs::Discover(cache) => {
                let dir = match input.path() {
                    Some(p) => std::path::absolute(p)
                        .unwrap_or_else(|_| p.to_owned())
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_default(),
                    None => std::env::current_dir().unwrap_or_default(),
                };
                if let Some(found) = cache.get(&dir) {
                    return Ok(found.clone());
                }
                let found = Config::discover(&dir)?.map(|(_, c)| Arc::new(c));
                cache.insert(dir, found.clone());
                Ok(found)
            }
        }
    }
}

/// The applicability threshold the flags ask for.
pub fn threshold(args: &PipelineArgs) -> Applicability {
    if args.unsafe_fixes {
        Applicability::Suggest
    } else {
        Applicability::Safe
    }
}

fn build_pipeline(options: &EffectiveOptions) -> Result<Pipeline> {
    let context = options.context()?;
    let mut pipeline = Pipeline::with_default_stages(context);
    pipeline.threshold(if options.unsafe_fixes {
        Applicability::Suggest
    } else {
        Applicability::Safe
    });
    pipeline.filter(options.filter());
    Ok(pipeline)
}

impl Session {
    pub fn new(args: &PipelineArgs) -> Result<Session> {
        let flags = Flags {
            unsafe_fixes: args.unsafe_fixes,
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            garble: args.garble.map(|g| match g {
                GarbleArg::Remove => GarblePolicy::Remove,
                GarbleArg::Mark => GarblePolicy::Mark,
                GarbleArg::Keep => GarblePolicy::Keep,
            }),
            garble_marker: args.garble_marker.clone(),
            keep_lines: args.keep_lines,
            footnotes: args.footnotes.map(|f| match f {
                FootnotesArg::End => FootnotePolicy::End,
                FootnotesArg::Keep => FootnotePolicy::Keep,
            }),
            margin_text: args.margin_text.map(|m| match m {
                MarginTextArg::Restore => MarginPolicy::Restore,
                MarginTextArg::Drop => MarginPolicy::Drop,
                MarginTextArg::Keep => MarginPolicy::Keep,
            }),
        };
        let configs = if args.no_config {
            Configs::Off
        } else if let Some(path) = &args.config {
            Configs::Explicit(Arc::new(Config::load(path)?))
        } else {
            Configs::Discover(HashMap::new())
        };
        let mut base = EffectiveOptions::default();
        flags.apply(&mut base);
        // The pipeline for inputs without configuration, built up front.
        let mut pipelines = HashMap::new();
        pipelines.insert(base.clone(), Arc::new(build_pipeline(&base)?));
        let mut pool = rayon::ThreadPoolBuilder::new();
        if let Some(n) = args.jobs {
            pool = pool.num_threads(n.max(1));
        }
        let pool = Arc::new(pool.build().context("cannot start worker threads")?);
        let report = match &args.report {
            Some(path) => Some(ReportFile {
                path: path.clone(),
                out: BufWriter::new(
                    File::create(path)
                        .with_context(|| format!("{}: cannot create report", path.display()))?,
                ),
            }),
            None => None,
        };
        Ok(Session {
            configs,
            pipelines,
            flags,
            pool,
            report,
            stats: Stats::new(),
            progress: None,
            quiet: args.quiet,
        })
    }

    /// The configuration that applies to `input`, if any.
    pub fn config_for(&mut self, input: &Input) -> Result<Option<Arc<Config>>> {
        self.configs.for_input(input)
    }

    /// The pipeline for `input`: its configuration's options (with overrides for its
    /// path), then the flags. `force_unsafe` proposes every fix (for decisions).
    pub fn pipeline_for(&mut self, input: &Input, force_unsafe: bool) -> Result<Arc<Pipeline>> {
        let mut options = match self.configs.for_input(input)? {
            Some(config) => config.for_file(input.path()),
            None => EffectiveOptions::default(),
        };
        self.flags.apply(&mut options);
        options.unsafe_fixes |= force_unsafe;
        if let Some(p) = self.pipelines.get(&options) {
            return Ok(p.clone());
        }
        let p = Arc::new(build_pipeline(&options)?);
        self.pipelines.insert(options, p.clone());
        Ok(p)
    }

    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// The worker threads (a handle, so that work on them can borrow the session).
    pub fn pool(&self) -> Arc<rayon::ThreadPool> {
        self.pool.clone()
    }

    /// Shows a progress bar on stderr when it is a terminal and the run is not quiet.
    pub fn start_progress(&mut self, total: Option<u64>, unit: &str) {
        if self.quiet || !io::stderr().is_terminal() {
            return;
        }
        let bar = match total {
            Some(n) => ProgressBar::new(n).with_style(
                ProgressStyle::with_template(&format!(
                    "{{bar:30}} {{pos}}/{{len}} {unit} {{elapsed}} {{msg}}"
                ))
                .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} {{pos}} {unit} {{elapsed}} {{msg}}"
                ))
                .expect("valid template"),
            ),
        };
        bar.enable_steady_tick(Duration::from_millis(200));
        self.progress = Some(bar);
    }

    pub fn tick(&self, n: u64) {
        if let Some(bar) = &self.progress {
            bar.inc(n);
            let secs = self.stats.started.elapsed().as_secs_f64().max(1e-9);
            bar.set_message(format!("{:.1} MB/s", self.stats.bytes as f64 / 1e6 / secs));
        }
    }

    /// Reports an input that could not be cleaned; the run goes on.
    pub fn skip(&mut self, message: impl std::fmt::Display) {
        self.stats.skipped += 1;
        match &self.progress {
            Some(bar) => bar.suspend(|| eprintln!("recto: {message}")),
            None => eprintln!("recto: {message}"),
        }
    }

    /// Adds a cleaned document to the report, each record with the fields of `extra`
    /// after its own (a JSON Lines record's line and id).
    pub fn report(
        &mut self,
        subject: &report::Subject<'_>,
        extra: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<()> {
        let Some(r) = &mut self.report else {
            return Ok(());
        };
        report::write_jsonl_with(&mut r.out, subject, extra)
            .with_context(|| format!("{}: cannot write report", r.path.display()))
    }

    /// True when `path` is the report file.
    pub fn is_report(&self, path: &Path) -> bool {
        self.report
            .as_ref()
            .is_some_and(|r| output::same_file(&r.path, path))
    }

    /// Cleans every input in parallel and hands each cleaned document to `each` in input
    /// order (after adding it to the totals and the report). Unreadable and binary inputs
    /// are reported and skipped.
    ///
    /// Why not rayon's `par_iter` over chunks: a chunk waits for its slowest file before
    /// the next one starts, which on two cores cost a fifth of the throughput. Here each
    /// worker takes the next input as soon as it is free, and the results are put back
    /// in order as they arrive; a worker runs at most [`AHEAD`] inputs ahead of the
    /// oldest one not yet handed on, so the documents waiting in memory stay bounded
    /// whatever one slow file does.
    pub fn for_each_file(
        &mut self,
        inputs: &[Input],
        force_unsafe: bool,
        mut each: impl FnMut(&mut Session, Processed) -> Result<()>,
    ) -> Result<()> {
        /// How many inputs beyond the next to hand on a worker may start, per thread.
        const AHEAD: usize = 4;
        self.refuse_report_over_input(inputs)?;
        if inputs.len() > 1 && self.progress.is_none() {
            self.start_progress(Some(inputs.len() as u64), "files");
        }
        let pipelines = inputs
            .iter()
            .map(|i| self.pipeline_for(i, force_unsafe))
            .collect::<Result<Vec<_>>>()?;
        let threads = self.threads().min(inputs.len()).max(1);
        let window = threads * AHEAD;
        let next = AtomicUsize::new(0);
        // The index of the next input to hand on, and whether the run has stopped.
        let gate = (Mutex::new((0usize, false)), Condvar::new());
        let (done_tx, done_rx) = mpsc::channel::<(usize, Result<Processed>)>();
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let (next, gate, pipelines) = (&next, &gate, &pipelines);
                scope.spawn(move || loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= inputs.len() {
                        return;
                    }
                    let (lock, wake) = gate;
                    let mut state = lock.lock().expect("gate lock");
                    while !state.1 && i >= state.0 + window {
                        state = wake.wait(state).expect("gate lock");
                    }
                    if state.1 {
                        return;
                    }
                    drop(state);
                    let result = inputs::process(&inputs[i], &pipelines[i]);
                    if done_tx.send((i, result)).is_err() {
                        return;
                    }
                });
            }
            drop(done_tx);
            let mut pending: BTreeMap<usize, Result<Processed>> = BTreeMap::new();
            let mut handed = 0;
            let outcome = (|| -> Result<()> {
                for (i, result) in done_rx.iter() {
                    pending.insert(i, result);
                    while let Some(result) = pending.remove(&handed) {
                        match result {
                            Ok(p) => {
                                self.stats.inputs += 1;
                                self.stats.add(p.bytes, &p.outcome);
                                self.report(&p.subject(), &serde_json::Map::new())?;
                                each(self, p)?;
                            }
                            Err(e) => self.skip(format!("{e:#}")),
                        }
                        self.tick(1);
                        handed += 1;
                        let (lock, wake) = &gate;
                        lock.lock().expect("gate lock").0 = handed;
                        wake.notify_all();
                    }
                }
                Ok(())
            })();
            // On an error, stop the workers that wait for room, and let those that are
            // cleaning find the channel closed.
            let (lock, wake) = &gate;
            lock.lock().expect("gate lock").1 = true;
            wake.notify_all();
            drop(done_rx);
            outcome
        })
    }

    /// Cleans one large file a segment at a time ([`Pipeline::run_segmented`]): each
    /// segment's outcome is added to the totals and the report and handed to `each`
    /// (with the whole original and the segment's span) as soon as it is ready, then
    /// dropped. Memory holds the file and the segments being cleaned, not the whole
    /// outcome: a change every few words on a large file would otherwise outweigh the
    /// text many times over. Returns false when the file was skipped (unreadable,
    /// binary), as [`for_each_file`](Session::for_each_file) reports it.
    ///
    /// The report lists a segment's changes, proposals and diagnostics before the next
    /// segment's, not all changes of the file first.
    pub fn stream_file(
        &mut self,
        input: &Input,
        force_unsafe: bool,
        mut each: impl FnMut(&str, Span, Outcome) -> Result<()> + Send,
    ) -> Result<bool> {
        self.refuse_report_over_input(std::slice::from_ref(input))?;
        let pipeline = self.pipeline_for(input, force_unsafe)?;
        let decoded = match inputs::read(input).and_then(|(display, bytes)| {
            let size = bytes.len();
            recto::stages::decode::decode_owned(bytes)
                .map(|decoded| (display.clone(), size, decoded))
                .with_context(|| format!("{display}: not cleaned"))
        }) {
            Ok(d) => d,
            Err(e) => {
                self.skip(format!("{e:#}"));
                self.tick(1);
                return Ok(false);
            }
        };
        let (display, size, decoded) = decoded;
        let original = decoded.text.as_str();
        let index = self.report.is_some().then(|| LineIndex::new(original));
        let pool = self.pool.clone();
        let report = |session: &mut Session, outcome: &Outcome| match &index {
            Some(index) => {
                let subject = report::Subject::with_index(&display, original, outcome, index);
                session.report(&subject, &serde_json::Map::new())
            }
            None => Ok(()),
        };
        // Decoding came first: its findings go first.
        let found_in_decoding = Outcome {
            diagnostics: decoded.diagnostics,
            ..Outcome::default()
        };
        report(self, &found_in_decoding)?;
        self.stats.inputs += 1;
        self.stats.bytes += size as u64;
        pool.install(|| {
            pipeline.run_segmented(original, |span, part| {
                self.stats.add(0, &part);
                report(self, &part)?;
                each(original, span, part)
            })
        })?;
        self.tick(1);
        Ok(true)
    }

    /// Refuses a run whose report file is one of its inputs.
    fn refuse_report_over_input(&self, inputs: &[Input]) -> Result<()> {
        match inputs
            .iter()
            .find(|i| i.path().is_some_and(|p| self.is_report(p)))
        {
            Some(input) => anyhow::bail!(
                "{}: the report would overwrite an input",
                input.path().unwrap().display()
            ),
            None => Ok(()),
        }
    }

    /// Flushes the report, clears the progress bar and prints the summary (unless quiet
    /// or `summary` is false).
    pub fn finish(mut self, summary: bool) -> Result<Stats> {
        if let Some(bar) = self.progress.take() {
            bar.finish_and_clear();
        }
        if let Some(r) = &mut self.report {
            r.out
                .flush()
                .with_context(|| format!("{}: cannot write report", r.path.display()))?;
        }
        if summary && !self.quiet {
            eprintln!("recto: {}", self.stats.summary());
        }
        Ok(self.stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use recto::fix::{Change, ChangeId, RuleId};

    #[test]
    fn rules_are_counted_once_per_change_whatever_the_runs() {
        // Runs of one rule, a rule coming back after another, a change by two rules,
        // and one id given as two strings (a static one and a shared copy) that must
        // count as one rule.
        let change = |rules: &[RuleId]| Change {
            id: ChangeId::from_string("x"),
            original: Span::new(0, 1),
            replacement: "y".into(),
            rules: rules.iter().cloned().collect(),
            applicability: Applicability::Safe,
            confidence: 1.0,
            message: "".into(),
            linked: Vec::new(),
        };
        let join = RuleId::from_static("layout.reflow");
        let join_copy = RuleId::new("layout.reflow");
        let lig = RuleId::from_static("unicode.ligature");
        let outcome = Outcome {
            output: String::new(),
            changes: vec![
                change(std::slice::from_ref(&join)),
                change(std::slice::from_ref(&join)),
                change(std::slice::from_ref(&join_copy)),
                change(std::slice::from_ref(&lig)),
                change(&[lig.clone(), join.clone()]),
                change(std::slice::from_ref(&join)),
            ],
            proposals: Vec::new(),
            diagnostics: Vec::new(),
        };
        let mut stats = Stats::new();
        stats.add(10, &outcome);
        stats.add(10, &outcome);
        // More ids than the list holds, each its own copy of one name.
        let copies: Vec<RuleId> = (0..100).map(|_| RuleId::new("many.copies")).collect();
        let outcome = Outcome {
            changes: copies
                .iter()
                .map(|r| change(std::slice::from_ref(r)))
                .collect(),
            ..outcome
        };
        stats.add(10, &outcome);
        let mut counted: Vec<(&str, usize)> = stats
            .per_rule
            .iter()
            .map(|(r, &n)| (r.as_str(), n))
            .collect();
        counted.sort_unstable();
        assert_eq!(
            counted,
            [
                ("layout.reflow", 10),
                ("many.copies", 100),
                ("unicode.ligature", 4)
            ]
        );
        assert_eq!(stats.changes, 112);
    }
}
