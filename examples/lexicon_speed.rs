//! Measures the lexicon: dictionary load time, `DocVocab::build` throughput and lookup
//! rate. Run with a release build:
//!
//! ```text
//! cargo run --release --example lexicon_speed -- FILE...
//! ```
//!
//! The files are concatenated and repeated to about 64 MB so the timing is not noise.
//! On Linux each phase also reports the CPU time the thread actually got, which stays
//! meaningful on a loaded machine where wall-clock time does not.

use std::time::{Duration, Instant};

use recto::lexicon::{DocVocab, Lexicon};

fn main() -> std::io::Result<()> {
    let (en, wall, cpu) = timed(Lexicon::english);
    println!("Lexicon::english() first call: {}", show(wall, cpu));

    let ((), wall, cpu) = timed(|| {
        let _ = en.bigram_logp("of", "the");
    });
    println!("bigram table first use: {}", show(wall, cpu));

    let mut sample = String::new();
    for path in std::env::args().skip(1) {
        sample.push_str(&std::fs::read_to_string(path)?);
        sample.push('\n');
    }
    if sample.trim().is_empty() {
        eprintln!("usage: lexicon_speed FILE...");
        std::process::exit(2);
    }
    let text = sample.repeat((64 << 20) / sample.len() + 1);
    let ascii = text.bytes().filter(u8::is_ascii).count() as f64 / text.len() as f64;
    let mb = text.len() as f64 / 1e6;

    let (vocab, wall, cpu) = timed(|| DocVocab::build(&text));
    println!(
        "DocVocab::build: {mb:.1} MB ({:.1}% ASCII bytes), {} distinct words: {}; {:.0} MB/s of CPU time",
        ascii * 100.0,
        vocab.iter().count(),
        show(wall, cpu),
        mb / cpu.unwrap_or(wall).as_secs_f64(),
    );

    let words: Vec<&str> = sample.split_whitespace().collect();
    let (known, wall, cpu) = timed(|| {
        (0..20)
            .map(|_| words.iter().filter(|w| en.contains(w)).count())
            .sum::<usize>()
    });
    let lookups = 20.0 * words.len() as f64;
    println!(
        "Lexicon::contains: {:.1} M lookups per CPU second ({:.0}% of whitespace tokens known): {}",
        lookups / cpu.unwrap_or(wall).as_secs_f64() / 1e6,
        100.0 * known as f64 / lookups,
        show(wall, cpu),
    );
    Ok(())
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration, Option<Duration>) {
    let (wall, cpu) = (Instant::now(), thread_cpu());
    let out = f();
    let cpu = thread_cpu().zip(cpu).map(|(end, start)| end - start);
    (out, wall.elapsed(), cpu)
}

fn show(wall: Duration, cpu: Option<Duration>) -> String {
    match cpu {
        Some(cpu) => format!("{:.1} ms CPU ({:.1} ms wall)", ms(cpu), ms(wall)),
        None => format!("{:.1} ms wall", ms(wall)),
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Time this thread has spent on a CPU (Linux: first field of schedstat, in ns).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(
        stat.split_whitespace().next()?.parse().ok()?,
    ))
}
