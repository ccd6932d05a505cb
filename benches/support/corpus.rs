//! The text the speed measurements run on, shared by `benches/pipeline.rs` and
//! `examples/stage_speed.rs`: the concatenated noisy texts of the shared benchmark
//! (`../shared/bench/dev`) when present, else the seed documents, repeated to about
//! 4 MB.

use std::path::Path;

/// The measured text.
pub fn corpus() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("../shared/bench/dev"))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.to_string_lossy().ends_with(".noisy.txt"))
                .collect()
        })
        .unwrap_or_default();
    if files.is_empty() {
        files = std::fs::read_dir(root.join("seeds"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
    }
    files.sort();
    let mut text = String::new();
    while text.len() < 4_000_000 {
        for f in &files {
            text.push_str(&std::fs::read_to_string(f).unwrap());
            text.push_str("\n\u{c}");
        }
    }
    text
}
