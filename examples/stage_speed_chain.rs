//! Where the default pipeline's time goes, stage by stage, on the text each stage really
//! sees: the output of the stages before it (`stage_speed` runs every stage on the raw
//! input instead). For each stage it prints the CPU time of each of its rounds alone
//! (the stage's own work, with the number of fixes it proposed) and of the stage in a
//! pipeline of its own (the rounds plus the pipeline's bookkeeping: selecting,
//! applying and recording the fixes, change ids). Measured on one segment (just under
//! 2 MiB of the benchmark's noisy dev texts), in batches of at least 0.4 s, best of 3.
//!
//! ```text
//! cargo run --release --example stage_speed_chain
//! ONCE=1 cargo run --release --example stage_speed_chain    # the default pipeline once
//! ALONE=11 valgrind --tool=callgrind target/release/examples/stage_speed_chain
//! PERF=11:2 perf record target/release/examples/stage_speed_chain
//! ```
//!
//! `ONCE` runs the default pipeline once on the segment and exits, for an instruction
//! count (`valgrind --tool=callgrind --toggle-collect='*Pipeline::run*'`), which a
//! loaded machine does not disturb. `ALONE=I` runs stage I once in a pipeline of its own
//! on the text it really sees (the stages before it are run first, outside
//! `run_alone`): the instructions of `run_alone` less those of the stage's `run` are the
//! pipeline's bookkeeping for that stage. `PERF=I:R` runs round R of stage I alone for four
//! seconds, for a profiler; `PERF=I:0` runs stage I in a pipeline of its own (its rounds
//! and the bookkeeping).

use std::sync::Arc;
use std::time::{Duration, Instant};

use recto::stage::{Context, Document, Proposals, Stage};
use recto::{Applicability, Pipeline};

#[path = "../benches/support/corpus.rs"]
mod corpus;

fn main() {
    // Everything on one thread of a one-thread pool: its CPU time is the measure, and a
    // pipeline would otherwise clean a long text's segments on other threads.
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool")
        .install(measure);
}

fn measure() {
    let full = corpus::corpus();
    // One segment: cut at a document end below the pipeline's 2 MiB segment size.
    let cut = full[..2_000_000]
        .rfind("\n\u{c}")
        .map_or(full.len(), |i| i + 2);
    let text = &full[..cut];
    let mib = text.len() as f64 / f64::from(1 << 20);
    let cx = Context::default();
    let whole = Pipeline::default_stages();
    if std::env::var_os("ONCE").is_some() {
        std::hint::black_box(whole.run(text));
        return;
    }
    let alone: Option<usize> = std::env::var("ALONE").ok().and_then(|v| v.parse().ok());
    let perf: Option<(usize, usize)> = std::env::var("PERF").ok().and_then(|v| {
        let (stage, round) = v.split_once(':')?;
        Some((stage.parse().ok()?, round.parse().ok()?))
    });
    let time = |f: &mut dyn FnMut()| {
        if perf.is_some() || alone.is_some() {
            Duration::ZERO
        } else {
            best(f)
        }
    };
    let t = time(&mut || {
        std::hint::black_box(whole.run(text));
    });
    println!(
        "default      {t:>9.1?} {:>7.1} MiB/s",
        mib / t.as_secs_f64()
    );
    let mut input = text.to_owned();
    for (i, stage) in recto::stages::default_stages(&cx).into_iter().enumerate() {
        let stage: Arc<dyn Stage> = stage.into();
        let mut rounds = Vec::new();
        let mut current = input.clone();
        if alone.is_some_and(|a| a != i) {
            input = run_alone(&stage, &input);
            continue;
        }
        for round in 1..=4 {
            let run = |out: &mut Proposals| stage.run(&Document::new(&current), &cx, out);
            if perf == Some((i, round)) {
                let start = Instant::now();
                while start.elapsed().as_secs() < 4 {
                    run(&mut Proposals::default());
                }
                return;
            }
            let t = time(&mut || run(&mut Proposals::default()));
            let mut out = Proposals::default();
            run(&mut out);
            rounds.push(format!("{t:.1?} ({} fixes)", out.fixes.len()));
            let applies = out
                .fixes
                .iter()
                .any(|f| f.applicability == Applicability::Safe);
            if !out.wants_another_round() || !applies {
                break;
            }
            // The next round's input: this round's fixes applied.
            let mut once = Pipeline::new(Context::default());
            once.push(Box::new(OneRound(Arc::clone(&stage))));
            current = once.run(&current).output;
        }
        if alone == Some(i) {
            run_alone(&stage, &input);
            return;
        }
        let own = own_pipeline(&stage);
        if perf == Some((i, 0)) {
            let start = Instant::now();
            while start.elapsed().as_secs() < 4 {
                std::hint::black_box(own.run(&input));
            }
            return;
        }
        let t = time(&mut || {
            std::hint::black_box(own.run(&input));
        });
        println!(
            "{:<12} {t:>9.1?} {:>7.1} MiB/s  rounds: {}",
            format!("{}#{i}", own.stage_names()[0]),
            mib / t.as_secs_f64(),
            rounds.join(", ")
        );
        input = own.run(&input).output;
    }
}

/// `stage` once, in a pipeline of its own, on `input`: its output. Not inlined, so
/// that a profiler reports it apart from the rest.
#[inline(never)]
fn run_alone(stage: &Arc<dyn Stage>, input: &str) -> String {
    own_pipeline(stage).run(input).output
}

/// A pipeline of `stage` alone: its rounds and the pipeline's bookkeeping.
fn own_pipeline(stage: &Arc<dyn Stage>) -> Pipeline {
    let mut own = Pipeline::new(Context::default());
    own.push(Box::new(Shared(Arc::clone(stage))));
    own
}

/// The least CPU time per call of `f`, over 3 batches of at least 0.4 s.
fn best(f: &mut dyn FnMut()) -> Duration {
    let timed = |f: &mut dyn FnMut(), batch: u32| {
        let (start, cpu) = (Instant::now(), thread_cpu());
        for _ in 0..batch {
            f();
        }
        let spent = cpu
            .zip(thread_cpu())
            .map_or_else(|| start.elapsed(), |(before, after)| after - before);
        spent / batch
    };
    let once = timed(f, 1).max(Duration::from_micros(100));
    let batch = (0.4 / once.as_secs_f64()).ceil().clamp(1.0, 1000.0) as u32;
    (0..3).map(|_| timed(f, batch)).min().unwrap_or_default()
}

/// CPU time this thread has run, from the scheduler's statistics.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}

/// A stage that runs one round only (its request for another is dropped).
struct OneRound(Arc<dyn Stage>);

impl Stage for OneRound {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let mut own = Proposals::default();
        self.0.run(doc, cx, &mut own);
        out.fixes.append(&mut own.fixes);
        out.diagnostics.append(&mut own.diagnostics);
    }
}

/// A shared stage, as a pipeline's own.
struct Shared(Arc<dyn Stage>);

impl Stage for Shared {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        self.0.run(doc, cx, out)
    }
}
