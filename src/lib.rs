//! recto repairs text extracted from PDFs and OCR.
//!
//! Text flows one way through a staged [`Pipeline`] — decode → unicode → garble → layout
//! → rules → words. Every stage only *proposes* [`Fix`]es; the pipeline applies them and
//! records each applied edit as a [`Change`] in the coordinates of the original text, so
//! every difference between input and output is attributed to a rule, can be shown as a
//! diff, and can be rejected. The invariant:
//!
//! ```
//! let original = "ﬁnancial caf\u{c3}\u{a9}";
//! let outcome = recto::clean_str(original);
//! assert_eq!(recto::apply(original, &outcome.changes), outcome.output);
//! ```
//!
//! The library knows nothing about files or terminals; the `recto` binary (`src/cli`)
//! reads files, runs the pipeline and hands each [`Outcome`] to a reporter.

pub mod config;
pub mod decisions;
pub mod fix;
pub mod jsonl;
pub mod lexicon;
pub mod pipeline;
pub mod registry;
pub mod report;
pub mod rulefile;
pub mod span;
pub mod stage;
pub mod stages;
#[cfg(test)]
mod testing;

pub use fix::{Applicability, Change, ChangeId, Diagnostic, Edit, Fix, FixKind, RuleId, Severity};
pub use pipeline::{apply, Outcome, Pipeline, Proposal};
pub use span::Span;

/// Cleans `text` with the default pipeline (safe fixes only).
///
/// ```
/// assert_eq!(recto::clean_str("ﬁne").output, "fine");
/// ```
pub fn clean_str(text: &str) -> Outcome {
    Pipeline::default_stages().run(text)
}
