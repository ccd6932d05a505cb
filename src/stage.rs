//! The contract between the pipeline and a stage.
//!
//! A stage is a pure function from text to proposals: it reads a [`Document`], consults
//! the shared [`Context`], and pushes [`Fix`]es and [`Diagnostic`]s into [`Proposals`].
//! It never edits text, never prints and never fails: input it cannot handle becomes a
//! diagnostic.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use crate::fix::{Diagnostic, Fix};
use crate::lexicon::Lexicon;
use crate::rulefile::RuleSet;
use crate::stages::layout::pages::{self, Line, Page};

/// The text a stage works on: the output of the stages before it.
///
/// ```
/// let doc = recto::stage::Document::new("one\ntwo");
/// assert_eq!(doc.text(), "one\ntwo");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    text: &'a str,
    /// What the pipeline has already worked out about `text`, shared by the stages that
    /// read it; `None` for a document made with [`Document::new`].
    analyses: Option<&'a Analyses>,
}

impl<'a> Document<'a> {
    /// Wraps text.
    pub fn new(text: &'a str) -> Document<'a> {
        Document {
            text,
            analyses: None,
        }
    }

    /// Wraps text with the analyses the pipeline keeps for it. `analyses` must have been
    /// made for exactly this text (or be fresh): the pipeline forgets them whenever a
    /// round changes the text.
    pub(crate) fn with_analyses(text: &'a str, analyses: &'a Analyses) -> Document<'a> {
        Document {
            text,
            analyses: Some(analyses),
        }
    }

    /// The whole text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The text's pages, as [`pages::pages`] finds them.
    ///
    /// Four layout passes (columns, notes, furniture, order) read the pages, and page
    /// inference is among the costlier things they do. Most passes change nothing in
    /// most documents, so the pipeline hands each pass the pages the previous one
    /// already found for the same text, instead of every pass finding them again.
    pub(crate) fn pages(&self) -> Cow<'a, [Page]> {
        match self.analyses {
            Some(analyses) => Cow::Borrowed(
                analyses
                    .pages
                    .get_or_init(|| pages::pages_of(self.text, &self.lines())),
            ),
            None => Cow::Owned(pages::pages(self.text)),
        }
    }

    /// The text's lines, as [`pages::all_lines`] finds them.
    ///
    /// Most layout passes read a text line by line, and finding the line breaks is a
    /// search a line (some 65 instructions each on prose). The pipeline finds them once
    /// for each text, and the passes cut the lines of a page or of any other span from
    /// them with [`pages::lines_within`].
    pub(crate) fn lines(&self) -> Cow<'a, [Line]> {
        match self.analyses {
            Some(analyses) => {
                Cow::Borrowed(analyses.lines.get_or_init(|| pages::all_lines(self.text)))
            }
            None => Cow::Owned(pages::all_lines(self.text)),
        }
    }
}

/// Facts about one text that more than one stage needs, each worked out at most once,
/// on first use.
///
/// Every fact here is a pure function of the text alone, which is what makes sharing
/// it exact: a stage that reads it gets what it would have computed itself. The
/// pipeline keeps one `Analyses` while the text stays the same and starts a fresh one
/// when a round's edits change it.
// `OnceLock`, not `OnceCell`, so that a `Document` holding a reference to it stays
// `Send` and `Sync`, as it was when it held only the text.
#[derive(Debug, Default)]
pub(crate) struct Analyses {
    lines: OnceLock<Vec<Line>>,
    pages: OnceLock<Vec<Page>>,
}

/// What to do with runs the garble stage finds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GarblePolicy {
    /// Delete them (the removed text is in the report).
    #[default]
    Remove,
    /// Replace them with a visible marker.
    Mark,
    /// Leave them; report only.
    Keep,
}

/// What to do with footnotes found at the bottoms of pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FootnotePolicy {
    /// Gather them at the end of the document, in order, markers kept.
    #[default]
    End,
    /// Leave them where they are (never joined into the running text all the same).
    Keep,
}

/// What to do with text printed in a page margin one character per line, or reversed
/// (an arXiv identifier stamped up the side of page one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MarginPolicy {
    /// Put the characters back into one line that reads forwards.
    #[default]
    Restore,
    /// Delete the margin text.
    Drop,
    /// Leave it; report only.
    Keep,
}

/// A policy option's names, as configuration files, flags and the Python keywords spell
/// them: one table per policy, so that every front end accepts and prints the same words.
///
/// ```
/// use recto::stage::{GarblePolicy, Policy};
/// assert_eq!(GarblePolicy::from_name("mark"), Some(GarblePolicy::Mark));
/// assert_eq!(GarblePolicy::Keep.name(), "keep");
/// assert_eq!(GarblePolicy::choices("\""), "\"remove\", \"mark\" or \"keep\"");
/// ```
pub trait Policy: Copy + PartialEq + 'static {
    /// Every value with its name, in the order the documentation lists them.
    const NAMES: &'static [(&'static str, Self)];

    /// The value called `name`.
    fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, v)| v)
    }

    /// The name of this value.
    fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|&&(_, v)| v == self)
            .map_or("", |&(n, _)| n)
    }

    /// The names for an error message, each between `quote`: `remove, mark or keep`.
    fn choices(quote: &str) -> String {
        let names: Vec<String> = Self::NAMES
            .iter()
            .map(|(n, _)| format!("{quote}{n}{quote}"))
            .collect();
        match names.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl Policy for GarblePolicy {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("remove", GarblePolicy::Remove),
        ("mark", GarblePolicy::Mark),
        ("keep", GarblePolicy::Keep),
    ];
}

impl Policy for FootnotePolicy {
    const NAMES: &'static [(&'static str, Self)] =
        &[("end", FootnotePolicy::End), ("keep", FootnotePolicy::Keep)];
}

impl Policy for MarginPolicy {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("restore", MarginPolicy::Restore),
        ("drop", MarginPolicy::Drop),
        ("keep", MarginPolicy::Keep),
    ];
}

/// Options that change what stages propose.
#[derive(Clone, Debug)]
pub struct Options {
    /// What to do with garbled runs.
    pub garble: GarblePolicy,
    /// The marker for [`GarblePolicy::Mark`].
    pub garble_marker: String,
    /// Keep the original line breaks: repair words only, do not reflow.
    pub keep_lines: bool,
    /// What to do with footnotes at page bottoms.
    pub footnotes: FootnotePolicy,
    /// What to do with vertical or reversed margin text.
    pub margin_text: MarginPolicy,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            garble: GarblePolicy::Remove,
            garble_marker: "[…]".to_owned(),
            keep_lines: false,
            footnotes: FootnotePolicy::End,
            margin_text: MarginPolicy::Restore,
        }
    }
}

/// Everything a stage may consult besides the text: options and shared resources.
///
/// Built once per run and shared by all documents and threads.
#[derive(Clone, Debug)]
pub struct Context {
    /// Options.
    pub options: Options,
    /// The compiled rule files the rules stage runs (by default, the built-in sets that
    /// are on by default).
    pub rules: Arc<RuleSet>,
    /// The dictionary every stage trusts: the shipped English lexicon, extended by user
    /// word lists (a listed word is never "repaired", and counts as a word wherever the
    /// layout passes ask, e.g. to join a hyphenated word).
    pub lexicon: Arc<Lexicon>,
}

impl Default for Context {
    fn default() -> Context {
        Context {
            options: Options::default(),
            rules: RuleSet::builtin_defaults(),
            lexicon: Arc::new(Lexicon::english().clone()),
        }
    }
}

/// Where a stage puts what it finds.
#[derive(Debug, Default)]
pub struct Proposals {
    /// Proposed fixes, in any order; the pipeline sorts and resolves overlaps.
    pub fixes: Vec<Fix>,
    /// Findings that are not fixes.
    pub diagnostics: Vec<Diagnostic>,
    again: bool,
}

impl Proposals {
    /// Proposes a fix.
    pub fn push(&mut self, fix: Fix) {
        self.fixes.push(fix);
    }

    /// Reports a finding.
    pub fn diagnostic(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Asks the pipeline to run the stage once more after applying these fixes,
    /// because they may reveal more of its own work (a mojibake repair that forms a
    /// second layer of mojibake with its neighbours). Cleaning must be idempotent: what
    /// a second run of recto would do, this run does. The pipeline grants a few rounds.
    pub fn request_another_round(&mut self) {
        self.again = true;
    }

    /// True when the stage asked for another round.
    pub fn wants_another_round(&self) -> bool {
        self.again
    }

    /// Empties both lists and the request, keeping their allocations.
    pub fn clear(&mut self) {
        self.fixes.clear();
        self.diagnostics.clear();
        self.again = false;
    }
}

/// One step of the pipeline.
///
/// ```
/// use recto::stage::{Context, Document, Proposals, Stage};
/// use recto::{Applicability, Edit, Fix, RuleId, Span};
///
/// /// Deletes a trailing space at the very end of the text.
/// struct TrimEnd;
/// impl Stage for TrimEnd {
///     fn name(&self) -> &'static str { "example" }
///     fn run(&self, doc: &Document<'_>, _: &Context, out: &mut Proposals) {
///         let t = doc.text();
///         if t.ends_with(' ') {
///             out.push(Fix::single(RuleId::from_static("example.trim"), Applicability::Safe,
///                 Edit::delete(Span::new(t.len() - 1, t.len()))));
///         }
///     }
/// }
///
/// let mut p = recto::Pipeline::new(Context::default());
/// p.push(Box::new(TrimEnd));
/// assert_eq!(p.run("text ").output, "text");
/// ```
pub trait Stage: Send + Sync {
    /// The stage's name (`unicode`, `layout`, …); also the prefix of its rule ids.
    fn name(&self) -> &'static str;

    /// Looks at `doc` and proposes fixes.
    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Document` was `Send` and `Sync` when it held only its text; the analyses it
    /// carries now must not take that away (this fails to compile if they do).
    #[test]
    fn a_document_stays_send_and_sync() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<Document<'static>>();
    }
}
