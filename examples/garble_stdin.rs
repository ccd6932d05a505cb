//! Reads text on stdin, runs the default pipeline, prints the output (until the CLI
//! lands; for the benchmark's `--cmd`). `GARBLE_UNSAFE=1` applies every proposal.

use std::io::{Read, Write};

fn main() -> std::io::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let mut pipeline = recto::Pipeline::default_stages();
    if std::env::var_os("GARBLE_UNSAFE").is_some() {
        pipeline.threshold(recto::Applicability::Suggest);
    }
    let outcome = pipeline.run(&text);
    std::io::stdout().write_all(outcome.output.as_bytes())
}
