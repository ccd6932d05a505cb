//! Times the garble stage alone and the whole default pipeline on the same text.
//!
//! `cargo run --release --example garble_bench -- DIR [SUFFIX]` concatenates every
//! `DIR/*SUFFIX` (default `.noisy.txt`; use `.clean.txt` for text without garble) and
//! prints MB/s of the garble stage's `run` and of `Pipeline::run`, best of five
//! (`GARBLE_BENCH_STAGE_ONLY=1` skips the pipeline, for profiling;
//! `GARBLE_BENCH_RUNS=N` times N runs instead of five).

use std::time::{Duration, Instant};

use recto::stage::{Context, Document, Proposals};

fn best_of<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args.first().map_or("../shared/bench/dev", String::as_str);
    let suffix = args.get(1).map_or(".noisy.txt", String::as_str);
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    paths.sort();
    let mut text = String::new();
    for p in &paths {
        text.push_str(&std::fs::read_to_string(p)?);
        text.push('\n');
    }
    let cx = Context::default();
    let stages = recto::stages::default_stages(&cx);
    let garble = stages
        .iter()
        .find(|s| s.name() == "garble")
        .expect("a garble stage");
    let pipeline = recto::Pipeline::default_stages();
    let mb = text.len() as f64 / 1e6;
    let stage_only = std::env::var_os("GARBLE_BENCH_STAGE_ONLY").is_some();
    // Warm up: the dictionary and the character model load on first use.
    let mut out = Proposals::default();
    garble.run(&Document::new(&text), &cx, &mut out);
    let runs: usize = std::env::var("GARBLE_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let stage = best_of(runs, || {
        out.clear();
        garble.run(&Document::new(&text), &cx, &mut out);
    });
    let whole = best_of(if stage_only { 0 } else { runs }, || {
        pipeline.run(&text);
    });
    println!(
        "{} files, {mb:.2} MB: garble stage {:.1} MB/s ({} fixes), pipeline {:.1} MB/s, stage share {:.0}%",
        paths.len(),
        mb / stage.as_secs_f64(),
        out.fixes.len(),
        mb / whole.as_secs_f64(),
        100.0 * stage.as_secs_f64() / whole.as_secs_f64(),
    );
    Ok(())
}
