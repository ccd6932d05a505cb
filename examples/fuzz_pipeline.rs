//! Feeds the default pipeline generated text, under every combination of its options
//! that changes what runs, until something breaks; then shrinks the input and saves it.
//!
//! ```text
//! cargo run --release --example fuzz_pipeline -- [--seed N] [--seconds N | --cases N]
//! ```
//!
//! "Breaks" means a panic, or an outcome that breaks the invariants everything relies
//! on: the changes are sorted and disjoint, and applying them to the input gives the
//! output. The proptests in `tests/invariants.rs` check the same on short strings of a
//! dozen characters, 2,000 cases a run; one of them caught a panic in the garble stage
//! (`g)ff)9(`, two operator runs widened into each other) only after many runs, in CI.
//! This runs millions of cases on three kinds of text:
//!
//! * characters of the proptest's alphabet, up to 200 (PDF syntax, form feeds,
//!   no-break and soft hyphens, ligatures, mojibake bytes);
//! * tokens: content-stream operators, page furniture, hyphenated breaks, letter-spaced
//!   and doubled-glyph words, list markers, URLs, control and combining characters;
//! * pieces of the real inputs (the shared benchmark's noisy texts and the seeds), cut
//!   at random, spliced, and mutated by deleting, inserting tokens and duplicating.
//!
//! Why not cargo-fuzz: it needs a nightly toolchain and libFuzzer, which the machines
//! this project builds on do not have. Coverage guidance matters less here than it does
//! for a parser of a binary format: the pipeline's input is any text, and the generators
//! above aim at what its stages look for.
//!
//! A seed and a number of cases make a reproducible run: `scripts/test.sh` runs one in
//! CI, so every submission meets the same generated inputs (the proptests draw new
//! ones each run). A run by time, with a new seed, is the search.
//!
//! On a failure the input is shrunk (characters removed while it still fails) and both
//! forms are written to `target/fuzz-failures/`; the exit code is 1.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use recto::config::EffectiveOptions;
use recto::stage::{FootnotePolicy, GarblePolicy, MarginPolicy};
use recto::{apply, Applicability, Pipeline};

/// The tokens of the second generator.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "BT", "ET", "Tf", "TJ", "Tj", "Td", "T*", "(", ")", "[", "]", "<", ">", "<<", ">>",
    "/F1", "-28", "12", "0.5", " ", "  ", "\n", "\n\n", "\u{c}", "-\n", "a", "word", "The",
    "ﬁ", "â€œ", "1957.", "C o p y ", "\t", "¬\n", "•", "1.", "I.", "Page 3", "- 9 -",
    "\u{ad}", "rn", "Soviet-", "Yugo", "slav", "“", "”", "'", "\"", "%", "\\", "{", "}",
    "q", "Q", "cm", "re", "f", "n", "*", "#", "**", "_", "http://x.y/z", "recto.toml",
    "N.S.", "Khrushchev", "日本", "é", "ü", "\u{200b}", "\r\n", "TThhee", "  SSoovviieett",
    "|", "---", "a)", "(1)", "[1]", "1", "9 of 40", "iv", "Chapter", "CONFIDENTIAL",
    "\u{feff}", "\u{0}", "\u{7f}", "\u{301}", "(cid:127)", "-", ".", ",",
];

/// The characters of the first generator: those of `tests/invariants.rs`.
const CHARACTERS: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,-\n\u{c}\u{a0}\u{ad}\u{fb01}\u{e9}\u{c3}\u{a9}0123456789()[]TJ*";

/// A small, fast, seeded generator (xorshift64): the runs are reproducible by seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What to run.
#[derive(clap::Parser)]
struct Args {
    /// The seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Stop after this many seconds (default 60 when no --cases).
    #[arg(long, conflicts_with = "cases")]
    seconds: Option<u64>,
    /// Stop after this many cases.
    #[arg(long)]
    cases: Option<u64>,
}

fn main() {
    let args = <Args as clap::Parser>::parse();
    let seed = args.seed;
    let documents = real_documents();
    let pipelines = pipelines();
    let characters: Vec<char> = CHARACTERS.chars().collect();
    let mut rng = Rng(seed.max(1));
    let started = Instant::now();
    let deadline = match (args.cases, args.seconds) {
        (Some(_), _) => None,
        (None, seconds) => Some(Instant::now() + Duration::from_secs(seconds.unwrap_or(60))),
    };
    let budget = args.cases.unwrap_or(u64::MAX);
    // Panics are expected and reported here, not by the default hook.
    std::panic::set_hook(Box::new(|_| {}));
    let mut cases = 0u64;
    while cases < budget && deadline.is_none_or(|d| Instant::now() < d) {
        for _ in 0..100.min(budget - cases) {
            let text = match cases % 3 {
                0 => (0..rng.below(200)).map(|_| rng.pick(&characters)).collect(),
                1 => (0..rng.below(120)).map(|_| rng.pick(TOKENS)).collect(),
                _ => spliced(&documents, &mut rng),
            };
            let pipeline = &pipelines[(cases / 3) as usize % pipelines.len()];
            if let Some(problem) = breaks(pipeline, &text) {
                let shrunk = shrink(pipeline, text.clone());
                let saved = save(seed, cases, &text, &shrunk);
                println!(
                    "case {cases} (seed {seed}, options {}): {problem}\nshrunk: {shrunk:?}\nsaved: {}",
                    (cases / 3) as usize % pipelines.len(),
                    saved.display()
                );
                std::process::exit(1);
            }
            cases += 1;
        }
    }
    println!(
        "{cases} cases, no failure (seed {seed}, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

/// The default pipeline under each option that changes which fixes run or apply.
fn pipelines() -> Vec<Pipeline> {
    let variants: [fn(&mut EffectiveOptions); 6] = [
        |_| {},
        |o| o.unsafe_fixes = true,
        |o| o.keep_lines = true,
        |o| {
            o.garble = GarblePolicy::Mark;
            o.footnotes = FootnotePolicy::Keep;
            o.margin_text = MarginPolicy::Drop;
        },
        |o| {
            o.garble = GarblePolicy::Keep;
            o.margin_text = MarginPolicy::Keep;
        },
        |o| {
            o.unsafe_fixes = true;
            o.keep_lines = true;
        },
    ];
    variants
        .iter()
        .map(|set| {
            let mut options = EffectiveOptions::default();
            set(&mut options);
            let mut pipeline =
                Pipeline::with_default_stages(options.context().expect("default options"));
            if options.unsafe_fixes {
                pipeline.threshold(Applicability::Suggest);
            }
            pipeline
        })
        .collect()
}

/// The benchmark's noisy texts and the seeds, whichever are present.
fn real_documents() -> Vec<String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut documents = Vec::new();
    for (dir, suffix) in [("../shared/bench/dev", ".noisy.txt"), ("seeds", ".txt")] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for path in entries.flatten().map(|e| e.path()) {
            if path.to_string_lossy().ends_with(suffix) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    documents.push(text);
                }
            }
        }
    }
    // In a fixed order, so that a seed names the same run wherever the inputs are the
    // same.
    documents.sort();
    documents
}

/// Up to four random pieces of real documents, each mutated a few times.
fn spliced(documents: &[String], rng: &mut Rng) -> String {
    let mut text = String::new();
    if documents.is_empty() {
        return text;
    }
    for _ in 0..1 + rng.below(4) {
        let document = &documents[rng.below(documents.len())];
        let start = floor(document, rng.below(document.len() + 1));
        let end = floor(document, start + rng.below(4000));
        text.push_str(&document[start..end]);
        for _ in 0..rng.below(4) {
            let at = floor(&text, rng.below(text.len() + 1));
            match rng.below(3) {
                0 => {
                    let end = floor(&text, at + rng.below(20));
                    text.replace_range(at..end, "");
                }
                1 => {
                    let token = rng.pick(TOKENS);
                    text.insert_str(at, token);
                }
                _ => {
                    let end = floor(&text, at + rng.below(200));
                    let copy = text[at..end].to_owned();
                    text.insert_str(end, &copy);
                }
            }
        }
    }
    text
}

/// The largest character boundary of `text` at or before `i`.
fn floor(text: &str, i: usize) -> usize {
    (0..=i.min(text.len()))
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// What is wrong with the outcome of `text`, if anything.
fn breaks(pipeline: &Pipeline, text: &str) -> Option<String> {
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| pipeline.run(text))) {
        Ok(outcome) => outcome,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            return Some(format!("panic: {message}"));
        }
    };
    if let Some(w) = outcome
        .changes
        .windows(2)
        .find(|w| w[0].original.end > w[1].original.start)
    {
        return Some(format!("changes overlap: {:?} and {:?}", w[0], w[1]));
    }
    (apply(text, &outcome.changes) != outcome.output)
        .then(|| "applying the changes does not give the output".to_owned())
}

/// Removes characters from `text` while it still breaks the pipeline.
fn shrink(pipeline: &Pipeline, text: String) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    loop {
        let before = chars.len();
        let mut i = 0;
        while i < chars.len() {
            let mut fewer = chars.clone();
            fewer.remove(i);
            if breaks(pipeline, &fewer.iter().collect::<String>()).is_some() {
                chars = fewer;
            } else {
                i += 1;
            }
        }
        if chars.len() == before {
            return chars.into_iter().collect();
        }
    }
}

/// Writes the failing input and its shrunk form; returns the directory.
fn save(seed: u64, case: u64, text: &str, shrunk: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    std::fs::create_dir_all(&dir).expect("create target/fuzz-failures");
    let stem = format!("seed{seed}-case{case}");
    std::fs::write(dir.join(format!("{stem}.txt")), text).expect("write the input");
    std::fs::write(dir.join(format!("{stem}.shrunk.txt")), shrunk).expect("write the input");
    dir
}
