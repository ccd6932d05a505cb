//! Writes the garbage spans the garble stage finds, for the benchmark's span scorer.
//!
//! `cargo run --release --example garble_spans -- IN_DIR OUT_DIR` reads every
//! `IN_DIR/*.noisy.txt`, runs the pipeline with only garble rules selected and every
//! applicability applied, and writes `OUT_DIR/NAME.spans.json`: the removed runs as
//! `[[start, end), …]` in code points of the noisy text, without the whitespace each
//! removal takes along. Then: `score.py --spans OUT_DIR`. With `GARBLE_SPANS_VERBOSE`
//! set, every change is listed on stderr with its applicability and confidence.

use std::path::Path;

use recto::pipeline::RuleFilter;
use recto::stage::Context;
use recto::{Applicability, Pipeline};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = &args[..] else {
        eprintln!("usage: garble_spans IN_DIR OUT_DIR");
        std::process::exit(2);
    };
    std::fs::create_dir_all(output)?;
    let mut pipeline = Pipeline::with_default_stages(Context::default());
    pipeline
        .threshold(Applicability::Suggest)
        .filter(RuleFilter::new(vec!["garble".into()], vec![]));
    let verbose = std::env::var_os("GARBLE_SPANS_VERBOSE").is_some();
    let mut total = 0;
    for entry in std::fs::read_dir(input)? {
        let path = entry?.path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".noisy.txt"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path)?;
        let outcome = pipeline.run(&text);
        let spans: Vec<[usize; 2]> = outcome
            .changes
            .iter()
            .filter(|c| c.rules.iter().any(|r| r.group() == "garble"))
            .map(|c| {
                if verbose {
                    let shown: String = text[c.original.range()].chars().take(60).collect();
                    eprintln!(
                        "{name}\t{}\t{:.2}\t{:?}\t{}",
                        c.applicability, c.confidence, shown, c.message
                    );
                }
                let s = &text[c.original.range()];
                let start = c.original.start + (s.len() - s.trim_start().len());
                let end = c.original.end - (s.len() - s.trim_end().len());
                [text[..start].chars().count(), text[..end].chars().count()]
            })
            .collect();
        total += spans.len();
        let file = Path::new(output).join(format!("{name}.spans.json"));
        std::fs::write(file, serde_json::to_string(&spans)?)?;
    }
    eprintln!("{total} spans");
    Ok(())
}
