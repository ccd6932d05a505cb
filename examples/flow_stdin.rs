//! Runs the default pipeline from stdin to stdout (a stand-in until `recto clean` lands).
use std::io::{Read, Write};

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let outcome = recto::Pipeline::default_stages().run(&input);
    std::io::stdout()
        .write_all(outcome.output.as_bytes())
        .unwrap();
}
