//! Lays out the English dictionary's hash tables at compile time, from the word lists
//! checked in under `rules/dict/` (see `src/lexicon/frozen.rs` for why and for the
//! format). Reads only those files; nothing is downloaded.

use std::path::{Path, PathBuf};

#[allow(dead_code)] // the build needs only the hash, not the comparison
#[path = "src/lexicon/hash.rs"]
mod hash;

#[allow(dead_code)] // the build needs only the layout, not the lookup
#[path = "src/lexicon/frozen.rs"]
mod frozen;

use frozen::build::{freeze, logp_hundredths, parse_lines, zipf_tenths};

fn main() {
    for file in [
        "build.rs",
        "src/lexicon/hash.rs",
        "src/lexicon/frozen.rs",
        "rules/dict/en.words.txt",
        "rules/dict/en.bigrams.txt",
    ] {
        println!("cargo::rerun-if-changed={file}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_table(&out, "en.words", zipf_tenths);
    write_table(&out, "en.bigrams", logp_hundredths);
}

/// Freezes `rules/dict/NAME.txt` into `OUT_DIR/NAME.slots` and `OUT_DIR/NAME.entries`.
fn write_table<const N: usize>(out: &Path, name: &str, parse: fn(&[u8]) -> Option<[u8; N]>) {
    let source = format!("rules/dict/{name}.txt");
    let text = std::fs::read_to_string(&source)
        .unwrap_or_else(|err| panic!("cannot read {source}: {err}"));
    let pairs = parse_lines(&text, parse)
        .unwrap_or_else(|(line, text)| panic!("{source}:{line}: malformed line {text:?}"));
    let (slots, entries) = freeze(pairs);
    for (extension, bytes) in [("slots", slots), ("entries", entries)] {
        let path = out.join(format!("{name}.{extension}"));
        std::fs::write(&path, bytes)
            .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
    }
}
