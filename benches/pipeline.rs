//! Throughput of the pipeline on realistic input: the concatenated noisy texts of the
//! shared benchmark (`../shared/bench/dev`) when present, else the seed documents
//! repeated to a similar size. Criterion reports bytes per second per core (the
//! pipeline runs on one thread here).
//!
//! `cargo bench --bench pipeline` — groups:
//! * `default`: the full default pipeline (safe fixes), as `recto clean` runs it;
//! * `decode+unicode`: the first two stages only, the ASCII-fast-path floor;
//! * `stage/NAME`: each stage alone on the same text, to see where the time goes.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "support/corpus.rs"]
mod corpus;
use corpus::corpus;
use recto::stage::Context;
use recto::Pipeline;

fn bench(c: &mut Criterion) {
    // One thread, so that the numbers are per core: a text over 2 MiB is cleaned a
    // segment at a time, and the segments would otherwise run on every core.
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let text = corpus();
    let run = |p: &Pipeline| one_thread.install(|| p.run(&text));
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(10);
    let default = Pipeline::default_stages();
    group.bench_function("default", |b| b.iter(|| run(&default)));
    let mut first_two = Pipeline::new(Context::default());
    for stage in recto::stages::default_stages(&Context::default())
        .into_iter()
        .take(2)
    {
        first_two.push(stage);
    }
    group.bench_function("decode+unicode", |b| b.iter(|| run(&first_two)));
    let mut stages_seen = std::collections::HashMap::new();
    for stage in recto::stages::default_stages(&Context::default()) {
        let name = format!(
            "{}#{}",
            stage.name(),
            stages_seen
                .entry(stage.name())
                .and_modify(|n| *n += 1)
                .or_insert(1)
        );
        let mut alone = Pipeline::new(Context::default());
        alone.push(stage);
        group.bench_function(format!("stage/{name}"), |b| b.iter(|| run(&alone)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
