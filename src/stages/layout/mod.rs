//! The layout stage: page structure and line structure.
//!
//! Runs as five passes, each a [`Stage`] of its own so that each sees the text the one
//! before it left (their edits would otherwise collide at the same line ends):
//!
//! 1. [`columns`] — `pdftotext -layout` pages printed as side-by-side columns are split
//!    at the gutter and emitted left column first; layout padding collapses.
//! 2. [`furniture`] — running headers, footers and page numbers (pages from [`pages`]).
//! 3. [`order`] — blocks emitted out of reading order are moved back where their
//!    words and sentences continue.
//! 4. [`spacing`] — letter-spaced words, doubled-glyph bold, missing spaces.
//! 5. [`reflow`] — dehyphenation, hard-wrapped lines joined into paragraphs, paragraphs
//!    split across page and column breaks rejoined.

use crate::registry::RuleInfo;
use crate::stage::{Context, Stage};

pub(crate) mod columns;
mod evidence;
pub(crate) mod furniture;
pub(crate) mod order;
pub(crate) mod pages;
pub(crate) mod reflow;
pub(crate) mod spacing;
#[cfg(test)]
mod testdata;

/// The rules of every layout pass.
pub(crate) static RULES: &[&[RuleInfo]] = &[
    columns::RULES,
    furniture::RULES,
    order::RULES,
    spacing::RULES,
    reflow::RULES,
];

/// The layout passes in order.
pub(crate) fn passes(_cx: &Context) -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(columns::Columns),
        Box::new(furniture::Furniture),
        Box::new(order::Order),
        Box::new(spacing::Spacing),
        Box::new(reflow::Reflow),
    ]
}
