//! Times the default pipeline over each file given as an argument (exploration).
use std::time::Instant;

fn main() {
    let texts: Vec<String> = std::env::args()
        .skip(1)
        .map(|p| std::fs::read_to_string(&p).expect("utf-8 file"))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let pipeline = recto::Pipeline::default_stages();
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    let start = Instant::now();
    let mut out = 0;
    for _ in 0..runs {
        for t in &texts {
            out += pipeline.run(t).output.len();
        }
    }
    let secs = start.elapsed().as_secs_f64() / runs as f64;
    println!(
        "{} files, {:.2} MB in {:.4} s: {:.1} MB/s ({} bytes out)",
        texts.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        out / runs
    );
}
