//! The criterion bench's `pipeline` group (`benches/pipeline.rs`) timed in CPU time:
//! the default pipeline, decode+unicode, and each stage alone, on the same ~4 MB text
//! (the shared bench's noisy dev texts, concatenated and repeated). Each is run in
//! batches of at least half a second, and the best of `RUNS` (default 3) batches is
//! reported as CPU time per run: the CPU time the thread got (Linux; wall-clock time
//! elsewhere) stays meaningful on a loaded machine where criterion's wall-clock numbers
//! do not, and batching hides the scheduler tick it is counted in. Release build:
//!
//! ```text
//! cargo run --release --example stage_speed [-- FILTER]
//! ```
//!
//! Only the benchmarks whose name contains FILTER run (e.g. `stage/words`).

use std::time::{Duration, Instant};

use recto::stage::Context;
use recto::Pipeline;

#[path = "../benches/support/corpus.rs"]
mod corpus;
use corpus::corpus;

fn main() {
    let filter = std::env::args().nth(1).unwrap_or_default();
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let text = corpus();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let mut benches: Vec<(String, Pipeline)> = vec![("default".into(), Pipeline::default_stages())];
    let mut first_two = Pipeline::new(Context::default());
    for stage in recto::stages::default_stages(&Context::default())
        .into_iter()
        .take(2)
    {
        first_two.push(stage);
    }
    benches.push(("decode+unicode".into(), first_two));
    let mut seen = std::collections::HashMap::new();
    for stage in recto::stages::default_stages(&Context::default()) {
        let n = seen
            .entry(stage.name())
            .and_modify(|n| *n += 1)
            .or_insert(1);
        let name = format!("stage/{}#{n}", stage.name());
        let mut alone = Pipeline::new(Context::default());
        alone.push(stage);
        benches.push((name, alone));
    }
    for (name, pipeline) in benches.iter().filter(|(n, _)| n.contains(&filter)) {
        // On one thread, whose CPU time is the measure: a text over 2 MiB is cleaned
        // a segment at a time, and the segments would otherwise run on other threads.
        let time = |batch: u32| {
            one_thread.install(|| {
                let (start, cpu) = (Instant::now(), thread_cpu());
                for _ in 0..batch {
                    std::hint::black_box(pipeline.run(&text));
                }
                let spent = cpu
                    .zip(thread_cpu())
                    .map_or_else(|| start.elapsed(), |(before, after)| after - before);
                spent / batch
            })
        };
        let once = time(1).max(Duration::from_micros(100));
        let batch = (0.5 / once.as_secs_f64()).ceil().clamp(1.0, 10_000.0) as u32;
        let best = (0..runs).map(|_| time(batch)).min().unwrap_or_default();
        let mibps = text.len() as f64 / (1 << 20) as f64 / best.as_secs_f64();
        println!("{name:<24} {best:>12.2?}  {mibps:>8.1} MiB/s");
    }
}

/// CPU time this thread has run, from the scheduler's statistics.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}
