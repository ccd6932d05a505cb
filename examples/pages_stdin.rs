//! Runs the default pipeline from stdin to stdout (until the `recto clean` CLI lands).
use std::io::{Read, Write};

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("utf-8 stdin");
    let out = recto::Pipeline::default_stages().run(&input).output;
    std::io::stdout().write_all(out.as_bytes()).expect("stdout");
}
