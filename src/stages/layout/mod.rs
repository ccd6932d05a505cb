//! The layout stage: page structure and line structure.
//!
//! Runs as four passes, each a [`Stage`] of its own so that each sees the text the one
//! before it left (their edits would otherwise collide at the same line ends):
//!
//! 1. [`columns`] — `pdftotext -layout` pages printed as side-by-side columns are split
//!    at the gutter and emitted left column first; layout padding collapses.
//! 2. [`furniture`] — running headers, footers and page numbers (pages from [`pages`]).
//! 3. [`spacing`] — letter-spaced words, doubled-glyph bold, missing spaces.
//! 4. [`reflow`] — dehyphenation, hard-wrapped lines joined into paragraphs, paragraphs
//!    split across page and column breaks rejoined.

use crate::registry::RuleInfo;
use crate::stage::{Context, Stage};

pub(crate) mod columns;
mod evidence;
pub(crate) mod furniture;
pub(crate) mod pages;
pub(crate) mod reflow;
pub(crate) mod spacing;
#[cfg(test)]
mod testdata;

/// The rules of every layout pass.
pub(crate) static RULES: &[&[RuleInfo]] = &[
    columns::RULES,
    furniture::RULES,
    spacing::RULES,
    reflow::RULES,
];

/// The layout passes in order.
pub(crate) fn passes(_cx: &Context) -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(columns::Columns),
        Box::new(furniture::Furniture),
        Box::new(spacing::Spacing),
        Box::new(reflow::Reflow),
    ]
}
