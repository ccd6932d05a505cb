//! What the words stage costs: the default pipeline with and without it, run document
//! by document (as `recto clean` runs files) over the given files, three rounds, best
//! round reported. Times are the CPU time the thread got (Linux; wall-clock time
//! elsewhere), which stays meaningful on a loaded machine. Release build:
//!
//! ```text
//! cargo run --release --example words_speed -- ../shared/bench/dev/*.noisy.txt
//! ```

use std::time::{Duration, Instant};

use recto::stage::Context;
use recto::Pipeline;

fn pipeline(with_words: bool) -> Pipeline {
    let cx = Context::default();
    let mut stages = recto::stages::default_stages(&cx);
    let words = stages
        .pop()
        .expect("the default pipeline ends with the words stage");
    assert_eq!(words.name(), "words");
    if with_words {
        stages.push(words);
    }
    let mut pipeline = Pipeline::new(cx);
    for stage in stages {
        pipeline.push(stage);
    }
    pipeline
}

fn best_of_three(pipeline: &Pipeline, docs: &[String]) -> Duration {
    (0..3)
        .map(|_| {
            let (start, cpu) = (Instant::now(), thread_cpu());
            for doc in docs {
                std::hint::black_box(pipeline.run(doc));
            }
            cpu.zip(thread_cpu())
                .map_or_else(|| start.elapsed(), |(before, after)| after - before)
        })
        .min()
        .unwrap_or_default()
}

fn main() -> std::io::Result<()> {
    let docs: Vec<String> = std::env::args()
        .skip(1)
        .map(std::fs::read_to_string)
        .collect::<Result<_, _>>()?;
    let bytes: usize = docs.iter().map(String::len).sum();
    // Warm up: the dictionary and the bigram table load on first use.
    let start = Instant::now();
    let _ = recto::lexicon::Lexicon::english().bigram_logp("of", "the");
    println!("dictionary + bigram table load: {:?}", start.elapsed());
    let with = best_of_three(&pipeline(true), &docs);
    let without = best_of_three(&pipeline(false), &docs);
    let mbps = |d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!("{} documents, {:.2} MB", docs.len(), bytes as f64 / 1e6);
    println!("without words: {without:?} ({:.1} MB/s)", mbps(without));
    println!("with words:    {with:?} ({:.1} MB/s)", mbps(with));
    let share = 1.0 - without.as_secs_f64() / with.as_secs_f64();
    println!("words stage share of the pipeline: {:.1}%", share * 100.0);
    Ok(())
}

/// CPU time this thread has run, from the scheduler's statistics.
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}
