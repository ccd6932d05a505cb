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

#[allow(dead_code)] // the build needs only the layout, not the lookup
#[path = "src/lexicon/quads.rs"]
mod quads;

use frozen::build::{freeze, logp_hundredths, parse_lines, zipf_tenths, Pair};
use quads::build::quad_set;

fn main() {
    for file in [
        "build.rs",
        "src/lexicon/hash.rs",
        "src/lexicon/frozen.rs",
        "src/lexicon/quads.rs",
        "rules/dict/en.words.txt",
        "rules/dict/en.bigrams.txt",
    ] {
        println!("cargo::rerun-if-changed={file}");
    }
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let words = read("en.words");
    let words = parse("en.words", &words, zipf_tenths);
    write_table(&out, "en.words", &words);
    write(
        &out.join("en.words.quads"),
        quad_set(words.iter().map(|&(word, _)| word)),
    );
    let bigrams = read("en.bigrams");
    write_table(
        &out,
        "en.bigrams",
        &parse("en.bigrams", &bigrams, logp_hundredths),
    );
}

/// The text of `rules/dict/NAME.txt`.
fn read(name: &str) -> String {
    let source = format!("rules/dict/{name}.txt");
    std::fs::read_to_string(&source).unwrap_or_else(|err| panic!("cannot read {source}: {err}"))
}

/// The `(key, value)` pairs of `rules/dict/NAME.txt`, whose contents are `text`.
fn parse<'a, const N: usize>(
    name: &str,
    text: &'a str,
    parse: fn(&[u8]) -> Option<[u8; N]>,
) -> Vec<Pair<'a, N>> {
    parse_lines(text, parse).unwrap_or_else(|(line, text)| {
        panic!("rules/dict/{name}.txt:{line}: malformed line {text:?}")
    })
}

/// Freezes the pairs of `rules/dict/NAME.txt` into `OUT_DIR/NAME.slots` and
/// `OUT_DIR/NAME.entries`.
fn write_table<const N: usize>(out: &Path, name: &str, pairs: &[Pair<'_, N>]) {
    let (slots, entries) = freeze(pairs.iter().copied());
    for (extension, bytes) in [("slots", slots), ("entries", entries)] {
        write(&out.join(format!("{name}.{extension}")), bytes);
    }
}

fn write(path: &Path, bytes: Vec<u8>) {
    std::fs::write(path, bytes)
        .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
}
