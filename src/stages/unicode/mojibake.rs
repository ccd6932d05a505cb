//! Mojibake: UTF-8 decoded as windows-1252 or latin-1 (being written on branch `moji`).

use crate::span::Span;

/// One repaired run of mojibake.
pub(crate) struct MojibakeRepair {
    /// The run in the input text.
    pub span: Span,
    /// The restored text.
    pub replacement: String,
    /// How many times the run had been mis-decoded.
    pub layers: u8,
}

/// Finds mojibake runs in `text` and their repairs.
pub(crate) fn find_mojibake(_text: &str) -> Vec<MojibakeRepair> {
    Vec::new()
}
