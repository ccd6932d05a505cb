//! The layout stage: page structure and line structure.
//!
//! Runs as eight passes, each a [`Stage`] of its own so that each sees the text the one
//! before it left (their edits would otherwise collide at the same line ends):
//!
//! 0. [`margins`] — margin stamps printed one character per line, or reversed, restored
//!    (or dropped) first, so that no later pass reads their letters as lines of text.
//! 1. [`columns`] — `pdftotext -layout` pages printed as side-by-side columns are split
//!    at the gutter and emitted left column first; layout padding collapses.
//! 2. [`notes`] — footnotes at page bottoms gathered at the end of the text (before
//!    furniture goes: pages inferred from running heads are gone with them).
//! 3. [`furniture`] — running headers, footers and page numbers (pages from [`pages`]).
//! 4. [`interleave`] — two columns emitted alternately, line by line, taken apart.
//! 5. [`order`] — blocks emitted out of reading order are moved back where their
//!    words and sentences continue.
//! 6. [`spacing`] — letter-spaced words, doubled-glyph bold, missing spaces, and
//!    hyphens the extractor lost ([`hyphens`]).
//! 7. [`reflow`] — dehyphenation, hard-wrapped lines joined into paragraphs, paragraphs
//!    split across page and column breaks rejoined.

use crate::registry::RuleInfo;
use crate::stage::{Context, Stage};

pub(crate) mod columns;
mod evidence;
pub(crate) mod furniture;
pub(crate) mod hyphens;
pub(crate) mod interleave;
pub(crate) mod margins;
pub(crate) mod notes;
pub(crate) mod order;
pub(crate) mod pages;
mod prefixes;
pub(crate) mod reflow;
pub(crate) mod spacing;
#[cfg(test)]
mod testdata;

/// The rules of every layout pass.
pub(crate) static RULES: &[&[RuleInfo]] = &[
    margins::RULES,
    columns::RULES,
    notes::RULES,
    furniture::RULES,
    interleave::RULES,
    order::RULES,
    spacing::RULES,
    hyphens::RULES,
    reflow::RULES,
];

/// The layout passes in order.
pub(crate) fn passes(_cx: &Context) -> Vec<Box<dyn Stage>> {
    vec![
        Box::new(margins::Margins),
        Box::new(columns::Columns),
        Box::new(notes::Notes),
        Box::new(furniture::Furniture),
        Box::new(interleave::Interleave),
        Box::new(order::Order),
        Box::new(spacing::Spacing),
        Box::new(reflow::Reflow),
    ]
}
