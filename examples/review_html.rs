//! Writes the HTML review page for the files given as arguments, every proposed fix
//! offered as a change (the threshold is `suggest`), to standard output:
//!
//! ```text
//! cargo run --example review_html -- FILE... > review.html
//! ```
//!
//! The browser test (`tests/browser/`) uses it to make pages; it does what `recto review
//! --html` does, without the command line around it.

use std::io::{self, BufWriter, Write};

use recto::report::{write_review_html, ReviewFile};
use recto::{Applicability, Pipeline};

fn main() -> io::Result<()> {
    let mut pipeline = Pipeline::default_stages();
    pipeline.threshold(Applicability::Suggest);
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let texts = paths
        .iter()
        .map(std::fs::read_to_string)
        .collect::<io::Result<Vec<String>>>()?;
    let outcomes: Vec<_> = texts.iter().map(|t| pipeline.run(t)).collect();
    let files: Vec<ReviewFile<'_>> = paths
        .iter()
        .zip(&texts)
        .zip(&outcomes)
        .map(|((path, original), outcome)| ReviewFile {
            path,
            original,
            outcome,
        })
        .collect();
    let mut out = BufWriter::new(io::stdout().lock());
    write_review_html(&mut out, &files, &recto::registry::Registry::builtin())?;
    out.flush()
}
