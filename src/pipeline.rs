//! The pipeline: runs stages in order, applies their fixes, and keeps the record.
//!
//! This is the one place where text changes. Each stage sees the text as the stages
//! before it left it and proposes [`Fix`]es; the pipeline picks a non-overlapping set,
//! applies it, and folds every applied edit into a list of [`Change`]s kept in the
//! coordinates of the *original* text. The invariant everything else relies on:
//!
//! ```text
//! apply(original, &outcome.changes) == outcome.output
//! ```
//!
//! # Why changes are folded, not stacked
//!
//! DESIGN.md sketches an offset map per stage, composed at the end. We keep the same
//! information in a different shape: after every stage the record *is* the composed map —
//! a sorted list of pieces, each an original span and where its replacement sits in the
//! current text. Folding a stage's edits into it is one linear merge, positions of later
//! diagnostics and proposals are lifted with one binary search, and there is never a
//! chain of maps to walk. An edit that touches an earlier change (overlaps it or meets
//! it end to start) is merged into it, so the final changes are pairwise disjoint and
//! any subset of them applies cleanly to the original — which is what review needs.
//!
//! # Long texts
//!
//! A text over 2 MiB is cleaned a segment at a time, cut where a document breaks anyway
//! (after a blank line) into the fewest segments of even lengths, which threads clean
//! in parallel. What the stages build per document is then bounded by the segment, and
//! so is the time of a pass that is slow on very long lines; the changes are shifted
//! into the whole original's coordinates and their ids computed over it.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use smallvec::{smallvec, SmallVec};
use smol_str::SmolStr;
use xxhash_rust::xxh3::xxh3_64;

use crate::fix::{Applicability, Change, ChangeId, Diagnostic, Edit, Fix, FixKind, RuleId};
use crate::span::Span;
use crate::stage::{Analyses, Context, Document, Proposals, Stage};
use crate::stages::decode::{DecodeError, Encoding};

/// How many rounds a stage that asks for more may run (see
/// [`Proposals::request_another_round`]). Each layer of double-encoded mojibake that a
/// repair reveals needs one; three layers is already far beyond real documents.
const MAX_ROUNDS: usize = 4;

/// The result of running the pipeline over one text.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// The repaired text.
    pub output: String,
    /// Every applied change, in original coordinates, sorted and disjoint.
    pub changes: Vec<Change>,
    /// Fixes that were proposed but not applied because their applicability is below
    /// the pipeline's threshold, in original coordinates.
    pub proposals: Vec<Proposal>,
    /// Everything the stages noticed, in original coordinates.
    pub diagnostics: Vec<Diagnostic>,
}

/// A decoded document and what the pipeline made of it.
#[derive(Clone, Debug)]
pub struct Cleaned {
    /// The decoded text: the original that the changes refer to.
    pub original: String,
    /// How the bytes were decoded.
    pub encoding: Encoding,
    /// The pipeline's outcome.
    pub outcome: Outcome,
}

/// A fix that was proposed but not applied (its applicability is below the threshold).
///
/// Later stages ran on text without it, so it cannot be merged with the applied changes;
/// it is kept as the stage saw it, with its position lifted to the original text.
#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    /// Where the fix would apply, in original coordinates.
    pub original: Span,
    /// The text the stage would replace (as the stage saw it).
    pub before: String,
    /// What it would become.
    pub after: String,
    /// The proposing rule.
    pub rule: RuleId,
    /// Its applicability.
    pub applicability: Applicability,
    /// Its confidence.
    pub confidence: f32,
    /// Its message.
    pub message: String,
}

/// Which rules may produce fixes: ruff-style `select` / `ignore` lists of rule-id
/// prefixes. A prefix matches whole dot-separated segments (`layout` matches
/// `layout.reflow`, not `layouts.x`).
///
/// ```
/// use recto::pipeline::RuleFilter;
/// let f = RuleFilter::new(vec!["unicode".into()], vec!["unicode.nfc".into()]);
/// assert!(f.allows("unicode.ligature"));
/// assert!(!f.allows("unicode.nfc"));
/// assert!(!f.allows("layout.reflow"));
/// ```
#[derive(Clone, Debug, Default)]
pub struct RuleFilter {
    select: Vec<String>,
    ignore: Vec<String>,
}

impl RuleFilter {
    /// Allows rules matching a `select` prefix (all rules when `select` is empty) that
    /// match no `ignore` prefix. The longest matching prefix wins, so
    /// `ignore = ["layout"]`, `select = ["layout.reflow"]` keeps only reflow of layout.
    pub fn new(select: Vec<String>, ignore: Vec<String>) -> RuleFilter {
        RuleFilter { select, ignore }
    }

    /// True when a fix of `rule` may be applied or proposed.
    pub fn allows(&self, rule: &str) -> bool {
        if self.select.is_empty() && self.ignore.is_empty() {
            // The default: every rule (asked once per proposed fix).
            return true;
        }
        fn best(prefixes: &[String], rule: &str) -> Option<usize> {
            prefixes
                .iter()
                .filter(|p| {
                    p.as_str() == "ALL"
                        || rule == p.as_str()
                        || (rule.starts_with(p.as_str())
                            && rule.as_bytes().get(p.len()) == Some(&b'.'))
                })
                .map(|p| if p == "ALL" { 0 } else { p.len() })
                .max()
        }
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select, rule)
        };
        match (selected, best(&self.ignore, rule)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }
}

/// A sequence of stages and the policy for applying their fixes.
///
/// ```
/// use recto::{Applicability, Pipeline};
/// let pipeline = Pipeline::default_stages();
/// let outcome = pipeline.run("ﬁnancial");
/// assert_eq!(outcome.output, "financial");
/// assert_eq!(recto::apply("ﬁnancial", &outcome.changes), outcome.output);
/// ```
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
    threshold: Applicability,
    filter: RuleFilter,
    /// Built-in stages all of whose rules the filter excludes: not run at all.
    silenced: Vec<&'static str>,
    context: Context,
    /// Texts longer than this are cleaned a segment at a time ([`SEGMENT`]; shorter in
    /// tests).
    segment: usize,
}

impl Pipeline {
    /// An empty pipeline applying only safe fixes.
    pub fn new(context: Context) -> Pipeline {
        Pipeline {
            stages: Vec::new(),
            threshold: Applicability::Safe,
            filter: RuleFilter::default(),
            silenced: Vec::new(),
            context,
            segment: SEGMENT,
        }
    }

    /// The built-in stages in their order, with default options.
    pub fn default_stages() -> Pipeline {
        Pipeline::with_default_stages(Context::default())
    }

    /// The built-in stages in their order, with the given context.
    pub fn with_default_stages(context: Context) -> Pipeline {
        let mut p = Pipeline::new(context);
        for stage in crate::stages::default_stages(&p.context) {
            p.stages.push(stage);
        }
        p
    }

    /// Appends a stage.
    pub fn push(&mut self, stage: Box<dyn Stage>) -> &mut Pipeline {
        self.stages.push(stage);
        self
    }

    /// Applies fixes of at least `threshold` (default `Safe`); the rest become proposals.
    pub fn threshold(&mut self, threshold: Applicability) -> &mut Pipeline {
        self.threshold = threshold;
        self
    }

    /// Restricts which rules may act.
    pub fn filter(&mut self, filter: RuleFilter) -> &mut Pipeline {
        self.silenced = silenced_stages(&filter);
        self.filter = filter;
        self
    }

    fn may_act(&self, name: &str) -> bool {
        !self.silenced.contains(&name)
    }

    /// The context the stages see.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The names of the stages, in order.
    pub fn stage_names(&self) -> Vec<&'static str> {
        self.stages.iter().map(|s| s.name()).collect()
    }

    /// Decodes `bytes` (see [`decode`](crate::stages::decode::decode)) and runs the
    /// pipeline over the text. Decoding diagnostics join the outcome's.
    ///
    /// ```
    /// let p = recto::Pipeline::default_stages();
    /// let cleaned = p.run_bytes(b"\xef\xbb\xbf\xef\xac\x81ne\r\n").unwrap();
    /// assert_eq!(cleaned.original, "\u{fb01}ne\r\n");
    /// assert_eq!(cleaned.outcome.output, "fine\n");
    /// assert!(p.run_bytes(b"%PDF-1.7\n").is_err());
    /// ```
    pub fn run_bytes(&self, bytes: &[u8]) -> Result<Cleaned, DecodeError> {
        self.finish_decoded(crate::stages::decode::decode(bytes)?)
    }

    /// Like [`run_bytes`](Pipeline::run_bytes), taking ownership of the bytes so that
    /// UTF-8 input becomes the original text without a copy (large files: one copy of
    /// the input fewer at the memory peak).
    pub fn run_owned_bytes(&self, bytes: Vec<u8>) -> Result<Cleaned, DecodeError> {
        self.finish_decoded(crate::stages::decode::decode_owned(bytes)?)
    }

    fn finish_decoded(
        &self,
        decoded: crate::stages::decode::Decoded,
    ) -> Result<Cleaned, DecodeError> {
        let mut outcome = self.run(&decoded.text);
        if !decoded.diagnostics.is_empty() {
            // Decoding came first: its findings go first among equals.
            let mut diagnostics = decoded.diagnostics;
            diagnostics.append(&mut outcome.diagnostics);
            diagnostics.sort_by_key(|d| d.span);
            outcome.diagnostics = diagnostics;
        }
        Ok(Cleaned {
            original: decoded.text,
            encoding: decoded.encoding,
            outcome,
        })
    }

    /// Runs every stage over `original` and returns the repaired text with its record.
    ///
    /// A text longer than 2 MiB is cleaned a segment at a time, in the fewest segments
    /// of about 2 MiB at most and of even lengths, cut after a blank line where there is
    /// one (see [`run_segmented`](Pipeline::run_segmented)),
    /// so that what the stages build per document — tokens, proposed fixes — is bounded
    /// by the segment, not by the file, and a pass that is slow on very long lines is
    /// bounded too. Each segment is a document of its own to the stages; the changes are
    /// in the whole original's coordinates as always.
    pub fn run(&self, original: &str) -> Outcome {
        if original.len() <= self.segment {
            let (mut outcome, links) = self.run_segment(original);
            assign_ids(original, &mut outcome.changes);
            link_moves(&mut outcome.changes, &links);
            return outcome;
        }
        let mut outcome = Outcome {
            output: String::with_capacity(original.len()),
            ..Outcome::default()
        };
        let done: Result<(), std::convert::Infallible> =
            self.run_segmented(original, |_, mut part| {
                outcome.output.push_str(&part.output);
                outcome.changes.append(&mut part.changes);
                outcome.proposals.append(&mut part.proposals);
                outcome.diagnostics.append(&mut part.diagnostics);
                Ok(())
            });
        let Ok(()) = done;
        outcome
    }

    /// Cleans `original` a segment at a time and hands each segment's outcome to `each`
    /// in order, with the segment's span: the outcome's output is the segment's part of
    /// the whole output, and its changes, proposals and diagnostics are in the whole
    /// original's coordinates with their final ids — exactly the pieces of what
    /// [`run`](Pipeline::run) returns, which is built on this. A text of at most 2 MiB
    /// is one segment.
    ///
    /// This is how a file far larger than memory would like is cleaned: the caller
    /// writes each part out and drops it, so besides the original only a few segments'
    /// worth of work is alive at a time. Segments are cleaned in parallel on the current
    /// rayon pool, and on the calling thread while the next part to hand on is not
    /// ready; `each` runs on the calling thread. An error from `each` stops the run.
    ///
    /// ```
    /// let p = recto::Pipeline::default_stages();
    /// let mut output = String::new();
    /// p.run_segmented("\u{fb01}ne", |span, part| {
    ///     assert_eq!(span, recto::Span::new(0, 5));
    ///     output.push_str(&part.output);
    ///     Ok::<(), std::io::Error>(())
    /// })
    /// .unwrap();
    /// assert_eq!(output, "fine");
    /// ```
    pub fn run_segmented<E>(
        &self,
        original: &str,
        mut each: impl FnMut(Span, Outcome) -> Result<(), E>,
    ) -> Result<(), E> {
        let spans = segments(original, self.segment);
        let clean = |i: usize| {
            let at = spans[i].start;
            let (mut part, links) = self.run_segment(&original[spans[i].range()]);
            for c in &mut part.changes {
                c.original = c.original.shift(at);
            }
            for p in &mut part.proposals {
                p.original = p.original.shift(at);
            }
            for d in &mut part.diagnostics {
                d.span = d.span.map(|s| s.shift(at));
            }
            // Ids read the context around a change in the whole original, across
            // seams; repeats are numbered over the whole text as parts are handed on.
            let hashes = hash_ids(original, &part.changes);
            HashedSegment {
                part,
                links,
                hashes,
            }
        };
        let mut ids = IdAssigner::default();
        let mut hand_on = |span: Span, mut cleaned: HashedSegment| {
            ids.number(&mut cleaned.part.changes, &cleaned.hashes);
            // A move never crosses a seam (each segment is a document): its links
            // resolve here.
            link_moves(&mut cleaned.part.changes, &cleaned.links);
            each(span, cleaned.part)
        };
        let threads = rayon::current_num_threads().clamp(1, spans.len());
        if threads == 1 {
            for (i, &span) in spans.iter().enumerate() {
                hand_on(span, clean(i))?;
            }
            return Ok(());
        }
        // Why not `par_iter` over batches of a segment per thread: a batch waits for
        // its slowest segment, and the ids and `each` of a batch (writing it out) ran
        // while the other threads waited; with 128 KiB segments, `-j2` was 1.2 times
        // as fast as `-j1`. Here every thread takes the next segment as soon as it is
        // free, the caller among them, and the caller hands parts on in order as they
        // come. At most one segment per thread is claimed and not yet handed on, as in
        // a batch: a segment's outcome can weigh several times its text (a change every
        // 20 bytes), and two per thread took a 100 MB file's `-j2 --report` run from
        // 283 MB to 361 MB.
        let queue = SegmentQueue::new(spans.len(), threads);
        rayon::in_place_scope(|scope| {
            for _ in 1..threads {
                scope.spawn(|_| {
                    let _stop_on_panic = StopOnPanic(&queue);
                    while let Some(i) = queue.claim(true) {
                        queue.finish(i, clean(i));
                    }
                });
            }
            // A panic here (in `clean` or `each`) must not leave workers waiting for
            // room that handing on would have made.
            let _stop_on_panic = StopOnPanic(&queue);
            let handed = (|| {
                for (i, &span) in spans.iter().enumerate() {
                    let part = loop {
                        match queue.take(i) {
                            Taken::Ready(part) => break part,
                            // A worker panicked: the scope raises its panic.
                            Taken::Stopped => return Ok(()),
                            Taken::Pending => match queue.claim(false) {
                                Some(j) => queue.finish(j, clean(j)),
                                None => queue.wait(i),
                            },
                        }
                    };
                    hand_on(span, part)?;
                    queue.handed(i + 1);
                }
                Ok(())
            })();
            // On an error, workers stop at their next claim.
            queue.stop();
            handed
        })
    }

    /// [`run`](Pipeline::run) on one segment; change ids are left to the caller, with the
    /// move links of each change for [`link_moves`] (numbered within the segment).
    fn run_segment(&self, original: &str) -> CleanedSegment {
        let mut next_link = 0;
        let mut text = original.to_owned();
        // Each applied round writes the next text into the spare buffer and swaps: two
        // allocations per segment, not one the size of the text per round.
        let mut spare = String::with_capacity(original.len() + original.len() / 16);
        let mut record = Record::default();
        let mut proposals = Vec::new();
        let mut diagnostics = Vec::new();
        let mut proposed = Proposals::default();
        // What the stages work out about the current text, for the next stage to reuse
        // while no round changes it (see `Analyses`).
        let mut analyses = Analyses::default();
        for stage in &self.stages {
            if !self.may_act(stage.name()) {
                // Every rule of the stage is filtered out: running it would only cost time.
                continue;
            }
            // A stage may ask for another round after its fixes are applied (see
            // `Proposals::request_another_round`); what it noticed and proposed is kept
            // from its last round only, which saw the final text.
            let (diag_mark, proposal_mark) = (diagnostics.len(), proposals.len());
            for _round in 0..MAX_ROUNDS {
                diagnostics.truncate(diag_mark);
                proposals.truncate(proposal_mark);
                proposed.clear();
                stage.run(
                    &Document::with_analyses(&text, &analyses),
                    &self.context,
                    &mut proposed,
                );
                for mut d in proposed.diagnostics.drain(..) {
                    d.span = d.span.map(|s| record.lift(s));
                    diagnostics.push(d);
                }
                let (apply, rest) = self.select(&text, std::mem::take(&mut proposed.fixes));
                for fix in rest {
                    let span = fix.span();
                    proposals.push(Proposal {
                        original: record.lift(span),
                        before: text[span.range()].to_owned(),
                        after: render_fix(&text, &fix),
                        rule: fix.rule,
                        applicability: fix.applicability,
                        confidence: fix.confidence,
                        message: fix.message.into(),
                    });
                }
                if apply.is_empty() {
                    break;
                }
                let (nodes, edits) = nodes_and_edits(apply, &mut next_link);
                apply_edits_into(&text, &edits, &mut spare);
                std::mem::swap(&mut text, &mut spare);
                analyses = Analyses::default();
                // The replacements are in the text now: free them before the record grows.
                drop(edits);
                record.fold(nodes);
                if !proposed.wants_another_round() {
                    break;
                }
            }
        }
        proposals.sort_by_key(|p| p.original);
        diagnostics.sort_by_key(|d| d.span);
        let (changes, links) = record.into_changes(original, &text);
        let outcome = Outcome {
            changes,
            output: text,
            proposals,
            diagnostics,
        };
        (outcome, links)
    }

    /// Splits a stage's fixes into those to apply now (allowed, at or above the threshold,
    /// well-formed, not overlapping a better fix) and those to only propose.
    ///
    /// Conflicts are resolved greedily by preference: safer first, then more confident,
    /// then earlier, then longer. A losing fix is dropped, not proposed: the text it was
    /// made for will not exist.
    fn select(&self, text: &str, mut fixes: Vec<Fix>) -> (Vec<Fix>, Vec<Fix>) {
        fixes.retain(|f| self.filter.allows(f.rule.as_str()) && f.is_well_formed(text));
        // Usually every fix is to be applied: they then stay in the stage's own vector.
        // Otherwise they are split into two vectors of the sizes counted first
        // (`partition` grows both by doubling, copying a stage's thousands of 112-byte
        // fixes several times over).
        let below = fixes
            .iter()
            .filter(|f| f.applicability < self.threshold)
            .count();
        let (mut apply, rest) = if below == 0 {
            (fixes, Vec::new())
        } else {
            let mut apply = Vec::with_capacity(fixes.len() - below);
            let mut rest = Vec::with_capacity(below);
            for fix in fixes {
                if fix.applicability >= self.threshold {
                    apply.push(fix);
                } else {
                    rest.push(fix);
                }
            }
            (apply, rest)
        };
        if !any_clash(&apply) {
            // The common case: a stage's fixes do not overlap; keep them all.
            return (apply, rest);
        }
        apply.sort_by(|a, b| {
            b.applicability
                .cmp(&a.applicability)
                .then(b.confidence.total_cmp(&a.confidence))
                .then(a.span().start.cmp(&b.span().start))
                .then(b.span().len().cmp(&a.span().len()))
        });
        // Edit spans of accepted fixes, keyed by (start, end): disjoint, so a new span
        // can only clash with the few taken spans just before its end.
        let mut taken: BTreeMap<(usize, usize), ()> = BTreeMap::new();
        let mut accepted = Vec::with_capacity(apply.len());
        for fix in apply {
            let clashes = fix.edits.iter().any(|e| {
                taken
                    .range(..=(e.span.end, usize::MAX))
                    .rev()
                    .map(|(&(s, e), _)| Span::new(s, e))
                    .take_while(|t| t.end >= e.span.start)
                    .any(|t| clash(t, e.span))
            });
            if clashes {
                continue;
            }
            for e in &fix.edits {
                taken.insert((e.span.start, e.span.end), ());
            }
            accepted.push(fix);
        }
        (accepted, rest)
    }
}

/// Two edit spans cannot both apply: they share a byte, are the same span, or one is an
/// insertion at the other's edge (the order of the two would be undefined).
fn clash(a: Span, b: Span) -> bool {
    a.overlaps(b) || a.touches_empty(b) || b.touches_empty(a) || a == b
}

/// True when some edits of `fixes` might clash (exactly: no false negatives).
fn any_clash(fixes: &[Fix]) -> bool {
    let spans = || fixes.iter().flat_map(|f| f.edits.iter().map(|e| e.span));
    // Stages mostly propose their fixes in text order: their spans are then sorted as
    // they come, and are checked without copying and sorting them.
    if spans().is_sorted() {
        return any_clash_sorted(spans());
    }
    let mut sorted: Vec<Span> = spans().collect();
    sorted.sort_unstable();
    any_clash_sorted(sorted.into_iter())
}

/// [`any_clash`] over sorted spans.
fn any_clash_sorted(spans: impl Iterator<Item = Span>) -> bool {
    let mut reach = 0; // the furthest end so far
    let mut previous: Option<Span> = None;
    spans.into_iter().any(|span| {
        let clashes = previous.is_some_and(|p| {
            reach = reach.max(p.end);
            span.start < reach || clash(p, span)
        });
        previous = Some(span);
        clashes
    })
}

/// The built-in stages all of whose rules `filter` excludes, computed once per filter
/// (not per document). Rule files carry their own ids (and drop filtered rules when they
/// are compiled), and stages from elsewhere declare no rules here: both always run.
fn silenced_stages(filter: &RuleFilter) -> Vec<&'static str> {
    let mut stages: Vec<&'static str> = Vec::new();
    for rule in crate::stages::rules() {
        if let std::borrow::Cow::Borrowed(stage) = rule.stage {
            if stage != "rules" && !stages.contains(&stage) {
                stages.push(stage);
            }
        }
    }
    stages
        .retain(|stage| !crate::stages::rules().any(|r| r.stage == *stage && filter.allows(&r.id)));
    stages
}

/// What the fix's span reads after the fix, for a proposal's `after`.
fn render_fix(text: &str, fix: &Fix) -> String {
    let span = fix.span();
    let mut out = String::new();
    let mut at = span.start;
    for e in &fix.edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..span.end]);
    out
}

/// The metadata an applied edit carries into the record.
#[derive(Clone, Debug)]
struct EditMeta {
    rule: RuleId,
    applicability: Applicability,
    confidence: f32,
    message: Cow<'static, str>,
    /// For the edits of a move: a number shared by its edits (unique within a run).
    link: Option<u32>,
}

/// What the record folds: one node per applied fix, covering all of its edits — or, for
/// a move, one node per edit.
///
/// A fix's edits are one repair (`**bold**` loses both markers), so they become one
/// change: accepting one marker's deletion without the other would make no sense. The
/// text between them is inside the change; another fix's edit in there (a hard break
/// inside the bold heading) overlaps the node and merges into the same change.
///
/// A move is the exception. Its edits are far apart (a block taken from the bottom of a
/// page and put at its top), and covering the text between them would swallow every
/// later repair of that text into one change nobody could review. So each edit of a
/// move is a node of its own; the nodes carry a shared link, and the changes they end
/// up in are accepted or rejected together ([`Change::linked`]).
struct Node {
    span: Span,
    /// Σ(replacement − span) over the fix's edits.
    growth: isize,
    meta: EditMeta,
}

/// Splits the applied fixes into the record's nodes and the edits to apply, both sorted
/// by position; `links` numbers moves across the segment. The fixes are consumed:
/// rule ids and messages move into the nodes and replacements into the edits, so a
/// document with a change on every line copies none of them.
fn nodes_and_edits(fixes: Vec<Fix>, links: &mut u32) -> (Vec<Node>, Vec<Edit>) {
    let growth = |e: &Edit| e.replacement.len() as isize - e.span.len() as isize;
    let mut nodes = Vec::with_capacity(fixes.len());
    let mut edits = Vec::with_capacity(fixes.len());
    for fix in fixes {
        let span = fix.span();
        let mut meta = EditMeta {
            rule: fix.rule,
            applicability: fix.applicability,
            confidence: fix.confidence,
            message: fix.message,
            link: None,
        };
        match fix.kind {
            FixKind::Replace => nodes.push(Node {
                span,
                growth: fix.edits.iter().map(growth).sum(),
                meta,
            }),
            FixKind::Move => {
                meta.link = Some(*links);
                *links += 1;
                nodes.extend(fix.edits.iter().map(|e| Node {
                    span: e.span,
                    growth: growth(e),
                    meta: meta.clone(),
                }));
            }
        }
        // Nearly every fix is one edit: pushed as it is, not through `extend`'s general
        // loop over a `SmallVec`'s iterator.
        let mut fix_edits = fix.edits;
        match fix_edits.len() {
            1 => edits.push(fix_edits.pop().expect("one edit")),
            _ => edits.extend(fix_edits),
        }
    }
    nodes.sort_by_key(|n| n.span);
    edits.sort_by_key(|e| e.span);
    (nodes, edits)
}

/// Applies sorted, disjoint edits to `text`.
pub(crate) fn apply_edits<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    apply_edits_into(text, edits, &mut out);
    out
}

/// [`apply_edits`] into `out` (emptied first), reusing its allocation.
fn apply_edits_into<'a>(text: &str, edits: impl IntoIterator<Item = &'a Edit>, out: &mut String) {
    out.clear();
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
}

/// Applies a subset of an outcome's changes to the original text.
///
/// `changes` must be sorted and disjoint, as the changes of an [`Outcome`] are; any
/// subset of them (such as the ones a reviewer accepted) qualifies. Keep the halves of
/// a move ([`Change::linked`]) together, as [`Decisions::select`] does: half a move
/// applies cleanly but duplicates or drops the moved text.
///
/// [`Decisions::select`]: crate::decisions::Decisions::select
///
/// ```
/// use recto::{apply, Pipeline};
/// let original = "ﬁrst and ﬂoor";
/// let outcome = Pipeline::default_stages().run(original);
/// assert_eq!(apply(original, &outcome.changes), "first and floor");
/// assert_eq!(apply(original, &outcome.changes[..1]), "first and ﬂoor");
/// ```
pub fn apply(original: &str, changes: &[Change]) -> String {
    let mut out = String::with_capacity(original.len());
    let mut at = 0;
    for c in changes {
        debug_assert!(
            c.original.start >= at,
            "changes must be sorted and disjoint"
        );
        out.push_str(&original[at..c.original.start]);
        out.push_str(&c.replacement);
        at = c.original.end;
    }
    out.push_str(&original[at..]);
    out
}

/// One entry of the record: an original span, where its replacement is now, and which
/// of the record's [`Provenance`]s says what made it.
///
/// Kept small and `Copy` on purpose: every applied round folds the whole record into a
/// new vector, and on a text with a change on every line that is tens of thousands of
/// pieces a round. What made a piece is read only when pieces merge and at the end, so
/// it lives apart, in [`Record::provenance`], and a fold moves 40 bytes a piece instead
/// of the 120 it moved when the rules and message were part of the piece.
#[derive(Clone, Copy, Debug)]
struct Piece {
    orig: Span,
    cur: Span,
    /// Index into [`Record::provenance`].
    made_by: u32,
}

/// What made a piece: its rules, the least applicability and confidence among its
/// repairs, their messages, and the moves it holds part of.
#[derive(Debug)]
struct Provenance {
    rules: SmallVec<[RuleId; 1]>,
    applicability: Applicability,
    confidence: f32,
    message: Cow<'static, str>,
    /// Where in `message` each message joined into it is, once it holds more than one
    /// (empty while it is one message).
    parts: Vec<Span>,
    /// The links of the moves whose edits are in this piece (usually none).
    links: Vec<u32>,
}

impl Provenance {
    fn of(meta: EditMeta) -> Provenance {
        Provenance {
            rules: smallvec![meta.rule],
            applicability: meta.applicability,
            confidence: meta.confidence,
            message: meta.message,
            parts: Vec::new(),
            links: meta.link.into_iter().collect(),
        }
    }

    fn absorb(&mut self, meta: EditMeta) {
        if !self.rules.contains(&meta.rule) {
            self.rules.push(meta.rule);
        }
        if let Some(link) = meta.link {
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }
        self.join(meta.applicability, meta.confidence, &meta.message);
    }

    fn merge(&mut self, other: &Provenance) {
        for r in &other.rules {
            if !self.rules.contains(r) {
                self.rules.push(r.clone());
            }
        }
        for &link in &other.links {
            if !self.links.contains(&link) {
                self.links.push(link);
            }
        }
        self.join(other.applicability, other.confidence, &other.message);
    }

    /// Joins a repair's applicability, confidence and message: the message is appended
    /// (after `"; "`) unless the joined message already contains it.
    fn join(&mut self, applicability: Applicability, confidence: f32, message: &str) {
        self.applicability = self.applicability.min(applicability);
        self.confidence = self.confidence.min(confidence);
        if message.is_empty() || self.contains_message(message) {
            return;
        }
        if self.message.is_empty() {
            self.message = Cow::Owned(message.to_owned());
        } else {
            // Room for both at once: a borrowed message copied by `to_mut` has none, and
            // the two pushes below would each grow it.
            if let Cow::Borrowed(first) = self.message {
                let mut owned = String::with_capacity(first.len() + 2 + message.len());
                owned.push_str(first);
                self.message = Cow::Owned(owned);
            }
            let joined = self.message.to_mut();
            if self.parts.is_empty() {
                self.parts.push(Span::new(0, joined.len()));
            }
            joined.push_str("; ");
            let start = joined.len();
            joined.push_str(message);
            self.parts.push(Span::new(start, joined.len()));
        }
    }

    /// True when the joined message contains `message` anywhere.
    fn contains_message(&self, message: &str) -> bool {
        // A piece that gathers a moved block absorbs the same few messages ("line break
        // inside a paragraph") hundreds of times into a message of kilobytes: one joined
        // before is a part of it, found without building a searcher for it.
        let joined = &*self.message;
        if message.len() > joined.len() {
            return false;
        }
        if joined == message || self.parts.iter().any(|p| &joined[p.range()] == message) {
            return true;
        }
        contains_bytes(joined.as_bytes(), message.as_bytes())
    }
}

/// True when `needle` (not empty) occurs in `haystack`.
///
/// A joined message is mostly a few hundred bytes, where building a `memmem` searcher
/// (some five thousand instructions: it ranks the needle's bytes and sets up Two-Way)
/// costs many times the search: each place the needle's first byte occurs is compared
/// instead. A long one — a moved block's, of kilobytes — is left to `memmem`, which
/// searches it several times faster than `str::contains`.
fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    /// From this length of haystack the searcher pays for itself.
    const MEMMEM_FROM: usize = 2048;
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    if haystack.len() < needle.len() {
        return false;
    }
    if haystack.len() >= MEMMEM_FROM {
        return memchr::memmem::find(haystack, needle).is_some();
    }
    let starts = &haystack[..=haystack.len() - needle.len()];
    memchr::memchr_iter(first, starts).any(|i| &haystack[i + 1..i + needle.len()] == rest)
}

/// Merges what made piece `from` into what made piece `into`: two pieces never share a
/// provenance, so the two entries are distinct. (`get_disjoint_mut` says this in one
/// call, but is newer than the crate's minimum Rust.)
fn merge_provenance(provenance: &mut [Provenance], into: u32, from: u32) {
    let (into, from) = (into as usize, from as usize);
    assert_ne!(into, from, "two pieces never share a provenance");
    let (into, from) = if into < from {
        let (low, high) = provenance.split_at_mut(from);
        (&mut low[into], &high[0])
    } else {
        let (low, high) = provenance.split_at_mut(into);
        (&mut high[0], &low[from])
    };
    into.merge(from);
}

/// The composed map from the current text back to the original: sorted, disjoint pieces.
#[derive(Debug, Default)]
struct Record {
    pieces: Vec<Piece>,
    /// Where a fold copies the pieces it merges, kept for the next fold's copy: a
    /// document with a change on every line has tens of thousands of pieces.
    spare: Vec<Piece>,
    /// What made each piece, indexed by [`Piece::made_by`]. A piece merged into another
    /// leaves its entry behind, unread: entries are never removed, so an index stays
    /// valid, and there are at most as many as the fixes applied.
    provenance: Vec<Provenance>,
}

impl Record {
    /// Maps a position of the current text to the original. A position strictly inside
    /// a replacement maps to that replacement's original start (`Left`) or end (`Right`).
    fn lift_pos(&self, x: usize, side: Side) -> usize {
        // Pieces are sorted by cur; find the last piece starting at or before x.
        let i = self.pieces.partition_point(|p| p.cur.start <= x);
        if i == 0 {
            return x;
        }
        let p = &self.pieces[i - 1];
        if x >= p.cur.end {
            // After piece p: shift by p's end offset.
            return p.orig.end + (x - p.cur.end);
        }
        if x == p.cur.start {
            return p.orig.start;
        }
        match side {
            Side::Left => p.orig.start,
            Side::Right => p.orig.end,
        }
    }

    /// Maps a span of the current text to the smallest original span that produced it.
    fn lift(&self, s: Span) -> Span {
        let start = self.lift_pos(s.start, Side::Left);
        let end = self.lift_pos(s.end, Side::Right).max(start);
        Span::new(start, end)
    }

    /// Folds the edits one stage applied (sorted, disjoint, in current coordinates) into
    /// the record. See the module docs for why touching edits merge.
    ///
    /// Only pieces a node can reach are looked at closely. A piece that ends before the
    /// next node starts is a cluster of its own (no node can merge into it, and pieces
    /// join a cluster only through a node), which the fold only moves by the growth of
    /// the nodes before it. The pieces before the first node do not even move: they stay
    /// where they are. A round of a few edits on a document with a change on every line
    /// thus costs a copy of the pieces after its first edit, not a merge of them all.
    fn fold(&mut self, nodes: Vec<Node>) {
        let Some(first) = nodes.first() else {
            return;
        };
        let untouched = self
            .pieces
            .partition_point(|p| p.cur.end < first.span.start);
        // The pieces after them are folded from a copy into the record's own vector,
        // after the untouched ones. Pieces are `Copy`; nodes are moved, not cloned.
        let mut old = std::mem::take(&mut self.spare);
        old.clear();
        old.extend_from_slice(&self.pieces[untouched..]);
        self.pieces.truncate(untouched);
        self.pieces.reserve(old.len() + nodes.len());
        let out = &mut self.pieces;
        // `old_delta`: Σ(cur.len − orig.len) over old pieces left of the sweep (maps a
        // current position outside pieces to the original); after a piece that is
        // `cur.end − orig.end`, which is where the record maps the piece's end.
        // `new_shift`: Σ(replacement − span) over nodes left of the sweep (maps a current
        // position to the next text).
        let mut old_delta: isize = out
            .last()
            .map_or(0, |p| p.cur.end as isize - p.orig.end as isize);
        let mut new_shift: isize = 0;
        let mut next_old = 0; // index into `old` of the next old piece
        self.provenance.reserve(nodes.len());
        let mut nodes = nodes.into_iter().peekable();
        // The next node in (start, nodes-before-pieces) order is a node.
        fn node_next(
            nodes: &mut std::iter::Peekable<std::vec::IntoIter<Node>>,
            old: Option<&Piece>,
        ) -> bool {
            match (nodes.peek(), old) {
                (Some(n), Some(p)) => n.span.start <= p.cur.start,
                (Some(_), None) => true,
                (None, _) => false,
            }
        }
        loop {
            // Old pieces that end before the next node starts: clusters of their own,
            // whose original span stays and whose current span moves by `new_shift`.
            let reach = nodes.peek().map_or(usize::MAX, |n| n.span.start);
            while let Some(&p) = old.get(next_old).filter(|p| p.cur.end < reach) {
                next_old += 1;
                let delta_before = old_delta;
                old_delta += p.cur.len() as isize - p.orig.len() as isize;
                debug_assert_eq!(
                    (
                        p.cur.start as isize - delta_before,
                        p.cur.end as isize - old_delta
                    ),
                    (p.orig.start as isize, p.orig.end as isize),
                    "a piece maps its own ends"
                );
                let cur = Span::new(
                    (p.cur.start as isize + new_shift) as usize,
                    (p.cur.end as isize + new_shift) as usize,
                );
                out.push(Piece { cur, ..p });
            }
            if next_old == old.len() && nodes.peek().is_none() {
                break;
            }
            // The next node opens a cluster.
            let delta_before = old_delta;
            let mut cluster: Piece;
            let cluster_cur_start: usize;
            // The cluster's end, and whether a member ending there is empty (an insertion
            // or a deletion point); the same for the nodes alone.
            let mut end = Reach::default();
            let mut node_end: Option<Reach> = None;
            let mut growth: isize = 0; // Σ(replacement − span) of the cluster's nodes
            if node_next(&mut nodes, old.get(next_old)) {
                let Node {
                    span,
                    growth: g,
                    meta,
                } = nodes.next().expect("peeked");
                cluster = Piece {
                    orig: Span::empty(0),
                    cur: span,
                    made_by: self.provenance.len() as u32,
                };
                self.provenance.push(Provenance::of(meta));
                cluster_cur_start = span.start;
                end.extend(span);
                node_end = Some(Reach::of(span));
                growth += g;
            } else {
                let p = old[next_old];
                next_old += 1;
                cluster_cur_start = p.cur.start;
                end.extend(p.cur);
                old_delta += p.cur.len() as isize - p.orig.len() as isize;
                cluster = p;
            }
            // Grow the cluster while the next node touches it. Nodes that share a byte
            // always merge; nodes that merely meet merge only when one of them is empty,
            // because only then is the order of the two in the original ambiguous. An
            // old piece joins only through a node: pieces that abut stay separate, as
            // they already were.
            loop {
                if node_next(&mut nodes, old.get(next_old)) {
                    let span = nodes.peek().expect("peeked").span;
                    if !end.joins(span) {
                        break;
                    }
                    let Node {
                        growth: g, meta, ..
                    } = nodes.next().expect("peeked");
                    self.provenance[cluster.made_by as usize].absorb(meta);
                    end.extend(span);
                    node_end.get_or_insert_with(Reach::default).extend(span);
                    growth += g;
                } else if old
                    .get(next_old)
                    .is_some_and(|p| node_end.is_some_and(|r| r.joins(p.cur)))
                {
                    let p = old[next_old];
                    next_old += 1;
                    old_delta += p.cur.len() as isize - p.orig.len() as isize;
                    end.extend(p.cur);
                    merge_provenance(&mut self.provenance, cluster.made_by, p.made_by);
                } else {
                    break;
                }
            }
            let cluster_cur_end = end.at;
            // Both ends of the cluster lie outside every old piece or on a piece's edge,
            // where `cur − delta` is exact (see `lift_pos`).
            cluster.orig = Span::new(
                (cluster_cur_start as isize - delta_before) as usize,
                (cluster_cur_end as isize - old_delta) as usize,
            );
            let start = (cluster_cur_start as isize + new_shift) as usize;
            let end = (cluster_cur_end as isize + new_shift + growth) as usize;
            cluster.cur = Span::new(start, end);
            new_shift += growth;
            out.push(cluster);
        }
        self.spare = old;
    }

    /// The record as changes, replacements read from the final text, each with the
    /// links of the moves it holds; ids and `linked` are filled in later (see
    /// [`assign_ids`] and [`link_moves`]).
    fn into_changes(self, original: &str, output: &str) -> (Vec<Change>, Vec<Vec<u32>>) {
        // Sized up front: on a text with a change on every line the changes are most of
        // the memory, and growing by doubling would hold up to twice what they need.
        let mut changes = Vec::with_capacity(self.pieces.len());
        let mut links = Vec::with_capacity(self.pieces.len());
        let mut provenance = self.provenance;
        for p in self.pieces {
            if original[p.orig.range()] == output[p.cur.range()] {
                continue;
            }
            // Each piece has a provenance of its own: taking its parts leaves nothing
            // another piece reads.
            let made_by = &mut provenance[p.made_by as usize];
            changes.push(Change {
                id: ChangeId(SmolStr::default()),
                original: p.orig,
                replacement: SmolStr::new(&output[p.cur.range()]),
                rules: std::mem::take(&mut made_by.rules),
                applicability: made_by.applicability,
                confidence: made_by.confidence,
                message: std::mem::take(&mut made_by.message),
                linked: Vec::new(),
            });
            links.push(std::mem::take(&mut made_by.links));
        }
        (changes, links)
    }
}

/// Fills [`Change::linked`]: changes that share a move's link (directly, or through a
/// chain of changes each sharing one with the next) stand or fall together.
fn link_moves(changes: &mut [Change], links: &[Vec<u32>]) {
    // Only the changes that hold a move's edit can be linked: union-find over those
    // alone, so that a document with a change on every line and one move pays for the
    // move, not for every change.
    let holders: Vec<usize> = (0..links.len()).filter(|&i| !links[i].is_empty()).collect();
    if holders.is_empty() {
        return;
    }
    // Union-find over positions in `holders`; the first holder seen with a link is its
    // root.
    let mut parent: Vec<usize> = (0..holders.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with: HashMap<u32, usize> = HashMap::new();
    for (k, &i) in holders.iter().enumerate() {
        for &l in &links[i] {
            let j = *first_with.entry(l).or_insert(k);
            let (a, b) = (root(&mut parent, k), root(&mut parent, j));
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &i) in holders.iter().enumerate() {
        let r = root(&mut parent, k);
        groups.entry(r).or_default().push(i);
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        for &i in members {
            changes[i].linked = members
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| changes[j].id.clone())
                .collect();
        }
    }
}

/// Gives every change its id: the hash of its rules, text and context (see
/// [`change_hash`]), with `-2`, `-3` … appended to repeats of the same hash.
fn assign_ids(original: &str, changes: &mut [Change]) {
    IdAssigner::default().assign(original, changes);
}

/// Assigns ids to the changes of one text a part at a time, in order, numbering repeats
/// over all the parts.
#[derive(Default)]
struct IdAssigner {
    seen: HashMap<u64, u32, foldhash::fast::RandomState>,
}

impl IdAssigner {
    fn assign(&mut self, original: &str, changes: &mut [Change]) {
        let hashes = hash_ids(original, changes);
        self.number(changes, &hashes);
    }

    /// Gives `changes` their ids from their [`hash_ids`], the `n`th change of a hash
    /// over all the parts so far with `-n` appended (`n > 1`).
    fn number(&mut self, changes: &mut [Change], hashes: &[u64]) {
        // Sized once for the part's changes, most of them distinct: growing by doubling
        // moved every entry about twice over.
        self.seen.reserve(changes.len());
        for (c, &hash) in changes.iter_mut().zip(hashes) {
            let n = self.seen.entry(hash).or_insert(0);
            *n += 1;
            c.id = ChangeId(id_text(hash, *n));
        }
    }
}

/// The hash of each of `changes` (in `original`'s coordinates), for
/// [`IdAssigner::number`] to make ids of in order.
///
/// Why apart from the numbering: building each change's key and hashing it is half
/// an id's cost and needs only the original, so the threads that clean a long text's
/// segments do it in parallel; only the count of repeats must follow the text's order.
fn hash_ids(original: &str, changes: &[Change]) -> Vec<u64> {
    // The bytes of the change being hashed (see [`change_hash`]): one allocation for
    // all the changes.
    let mut key = Vec::new();
    changes
        .iter()
        .map(|c| change_hash(original, c.original, &c.replacement, &c.rules, &mut key))
        .collect()
}

/// A change id's text: the hash in 16 hex digits, then `-n` for the `n`th repeat
/// (`n > 1`). Built on the stack; at most 27 bytes, held inline by the id.
fn id_text(hash: u64, n: u32) -> SmolStr {
    /// Each byte's two hex digits.
    const HEX_PAIRS: [[u8; 2]; 256] = {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut pairs = [[0; 2]; 256];
        let mut byte = 0;
        while byte < 256 {
            pairs[byte] = [HEX[byte >> 4], HEX[byte & 0xf]];
            byte += 1;
        }
        pairs
    };
    /// 16 hex digits, `-`, and at most 10 decimal digits; aligned to a word, so that
    /// `from_utf8` checks the digits a word at a time instead of a byte at a time.
    #[repr(align(8))]
    struct Digits([u8; 27]);
    let mut buf = Digits([0; 27]);
    let buf = &mut buf.0;
    for (pair, byte) in buf[..16].chunks_exact_mut(2).zip(hash.to_be_bytes()) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    let mut len = 16;
    if n > 1 {
        buf[16] = b'-';
        len = 17;
        let mut digits = [0u8; 10];
        let mut at = digits.len();
        let mut rest = n;
        while rest > 0 {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let digits = &digits[at..];
        buf[len..len + digits.len()].copy_from_slice(digits);
        len += digits.len();
    }
    SmolStr::new(std::str::from_utf8(&buf[..len]).expect("ASCII"))
}

/// What [`Pipeline::run_segmented`]'s threads share: which segment is the next to
/// clean, the parts cleaned and not yet handed on, and how far handing on has got.
struct SegmentQueue {
    state: std::sync::Mutex<QueueState>,
    /// Signalled when a part is ready, handing on moves, or the run stops.
    changed: std::sync::Condvar,
    segments: usize,
    /// How many segments may be claimed and not yet handed on.
    window: usize,
}

/// A segment's outcome, with the move links of each change ([`Pipeline::run_segment`]).
type CleanedSegment = (Outcome, Vec<Vec<u32>>);

/// A segment's outcome in the whole text's coordinates, with its changes' move links
/// and id hashes ([`hash_ids`]): all but the numbering of repeats and the links.
struct HashedSegment {
    part: Outcome,
    links: Vec<Vec<u32>>,
    hashes: Vec<u64>,
}

struct QueueState {
    /// The next segment to claim.
    next: usize,
    /// How many parts have been handed on.
    handed: usize,
    stopped: bool,
    ready: BTreeMap<usize, HashedSegment>,
}

/// A part asked for by [`SegmentQueue::take`].
enum Taken {
    Ready(HashedSegment),
    Pending,
    Stopped,
}

impl SegmentQueue {
    fn new(segments: usize, window: usize) -> SegmentQueue {
        SegmentQueue {
            state: std::sync::Mutex::new(QueueState {
                next: 0,
                handed: 0,
                stopped: false,
                ready: BTreeMap::new(),
            }),
            changed: std::sync::Condvar::new(),
            segments,
            window,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        // A panic never leaves the state half-changed: take it as it is.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next segment to clean; `None` when all are claimed or the run stopped. When
    /// the window is full, a worker (`wait`) waits for room; the caller, which makes
    /// room, does not.
    fn claim(&self, wait: bool) -> Option<usize> {
        let mut state = self.lock();
        loop {
            if state.stopped || state.next >= self.segments {
                return None;
            }
            if state.next < state.handed + self.window {
                state.next += 1;
                return Some(state.next - 1);
            }
            if !wait {
                return None;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finish(&self, i: usize, part: HashedSegment) {
        self.lock().ready.insert(i, part);
        self.changed.notify_all();
    }

    fn take(&self, i: usize) -> Taken {
        let mut state = self.lock();
        match state.ready.remove(&i) {
            Some(part) => Taken::Ready(part),
            None if state.stopped => Taken::Stopped,
            None => Taken::Pending,
        }
    }

    /// Waits until part `i` is ready or the run stopped (it has been claimed: the
    /// caller found nothing left to claim).
    fn wait(&self, i: usize) {
        let mut state = self.lock();
        while !state.stopped && !state.ready.contains_key(&i) {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn handed(&self, handed: usize) {
        self.lock().handed = handed;
        self.changed.notify_all();
    }

    fn stop(&self) {
        self.lock().stopped = true;
        self.changed.notify_all();
    }
}

/// Stops a [`SegmentQueue`] when a worker unwinds, so that the caller does not wait
/// for a part that will never come.
struct StopOnPanic<'q>(&'q SegmentQueue);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.stop();
        }
    }
}

/// Texts longer than this many bytes are cleaned a segment at a time.
const SEGMENT: usize = 2 << 20;

/// Cuts `text` into the fewest segments of about `size` bytes at most, of even lengths,
/// where a document would break anyway: after a blank line and the white space following
/// it, so that no paragraph and no run of blank lines is cut; failing that after a line
/// break, then after a space; a text without any is cut between two characters.
///
/// Why even lengths: segments are cleaned in parallel, and a text cut greedily into
/// `size`-byte pieces and a remainder (a 2.8 MB file into 2 MiB and 0.7 MB) keeps one
/// thread busy long after the other has finished (measured: `-j2` 1.21 times as fast
/// as `-j1` on the 2.8 MB of concatenated benchmark inputs). So a text of `n` bytes is
/// cut into `k = ⌈n / size⌉` segments, the `i`-th ending at the last break before its
/// share's end `i·n/k` and no earlier than half a share before it. The cuts depend on
/// the text and `size` alone, never on the number of threads, so the output does not
/// either. A segment is about one share long, and at most one and a half (and the white
/// space after a blank line) where breaks are far apart.
fn segments(text: &str, size: usize) -> Vec<Span> {
    let bytes = text.as_bytes();
    let count = text.len().div_ceil(size.max(1)).max(1);
    let share = text.len() / count;
    let mut out = Vec::with_capacity(count);
    let mut start = 0;
    for i in 1..count {
        // `i * n / k` without overflow for any length a `usize` can hold.
        let end = (text.len() as u128 * i as u128 / count as u128) as usize;
        // Not capped at `start + size`: a cut held short of its share's end by the cap
        // would hold the next one short too, until a window too narrow to hold a blank
        // line cut a paragraph (seen with paragraphs a fifth of a share long).
        let (lo, hi) = (end.saturating_sub(share / 2).max(start), end.max(start));
        let window = &bytes[lo..hi];
        let mut cut = if let Some(i) = memchr::memmem::rfind(window, b"\n\n") {
            let mut cut = lo + i + 2;
            while cut < bytes.len() && matches!(bytes[cut], b' ' | b'\t' | b'\r' | b'\n' | 0x0c) {
                cut += 1;
            }
            cut
        } else if let Some(i) = memchr::memrchr(b'\n', window) {
            lo + i + 1
        } else if let Some(i) = memchr::memrchr3(b' ', b'\t', 0x0c, window) {
            lo + i + 1
        } else {
            hi
        };
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        // Only a run of white space longer than a share can carry a cut past the next
        // share's end, or a run of multi-byte characters hold it at the start: that
        // segment is merged with its neighbour rather than left empty.
        if cut <= start || cut >= text.len() {
            continue;
        }
        out.push(Span::new(start, cut));
        start = cut;
    }
    out.push(Span::new(start, text.len()));
    out
}

/// How far a cluster reaches, and whether a member ending exactly there is empty.
#[derive(Clone, Copy, Debug, Default)]
struct Reach {
    at: usize,
    empty_at_end: bool,
}

impl Reach {
    fn of(span: Span) -> Reach {
        Reach {
            at: span.end,
            empty_at_end: span.is_empty(),
        }
    }

    fn extend(&mut self, span: Span) {
        if span.end > self.at {
            *self = Reach::of(span);
        } else if span.end == self.at {
            self.empty_at_end |= span.is_empty();
        }
    }

    /// True when a node at `span` (starting at or after the cluster's start) must merge.
    fn joins(self, span: Span) -> bool {
        span.start < self.at || (span.start == self.at && (span.is_empty() || self.empty_at_end))
    }
}

#[derive(Clone, Copy)]
enum Side {
    Left,
    Right,
}

/// How many bytes of context on each side go into a change id.
const ID_CONTEXT: usize = 24;

/// Where the context of a change id begins and ends: up to [`ID_CONTEXT`] bytes of
/// `original` on each side of `span`, cut inwards to char boundaries.
fn id_context(original: &str, span: Span) -> (usize, usize) {
    let mut lo = span.start.saturating_sub(ID_CONTEXT);
    while !original.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (span.end + ID_CONTEXT).min(original.len());
    while !original.is_char_boundary(hi) {
        hi -= 1;
    }
    (lo, hi)
}

/// The offset-free hash behind a [`ChangeId`]: rules, replaced text, replacement, and up
/// to [`ID_CONTEXT`] bytes of original text on each side (cut at char boundaries),
/// hashed as one key built in `key` (emptied first).
pub(crate) fn change_hash(
    original: &str,
    span: Span,
    replacement: &str,
    rules: &[RuleId],
    key: &mut Vec<u8>,
) -> u64 {
    let (lo, hi) = id_context(original, span);
    // The key is short (a rule id, 48 bytes of context, the change): built in a buffer
    // the caller keeps and hashed in one call, it costs a fraction of streaming its
    // eight parts through a hasher. The hash is the same: xxh3 streamed is xxh3 of the
    // concatenation.
    key.clear();
    for r in rules {
        key.extend_from_slice(r.as_str().as_bytes());
        key.push(b'\x01');
    }
    let bytes = original.as_bytes();
    key.extend_from_slice(&bytes[lo..span.start]);
    key.push(b'\x02');
    key.extend_from_slice(&bytes[span.range()]);
    key.push(b'\x02');
    key.extend_from_slice(&bytes[span.end..hi]);
    key.push(b'\x03');
    key.extend_from_slice(replacement.as_bytes());
    xxh3_64(key)
}

/// Runs `stages` alone over `text`, applying fixes of at least `threshold`, and checks
/// the invariant on the way: the one harness every stage's unit tests share.
#[cfg(test)]
pub(crate) fn run_stages(
    stages: Vec<Box<dyn Stage>>,
    threshold: Applicability,
    text: &str,
) -> Outcome {
    let mut p = Pipeline::new(Context::default());
    p.threshold(threshold);
    for stage in stages {
        p.push(stage);
    }
    let outcome = p.run(text);
    assert_eq!(
        apply(text, &outcome.changes),
        outcome.output,
        "apply(original, changes) != output"
    );
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stage::Context;

    /// A stage that proposes a fixed list of edits (one fix each) on whatever it sees.
    struct Scripted(&'static str, Vec<(usize, usize, &'static str)>);

    impl Stage for Scripted {
        fn name(&self) -> &'static str {
            self.0
        }
        fn run(&self, doc: &Document<'_>, _: &Context, out: &mut Proposals) {
            for &(s, e, r) in &self.1 {
                if e <= doc.text().len() {
                    out.push(Fix::single(
                        RuleId::from_static(self.0),
                        Applicability::Safe,
                        Edit::new(Span::new(s, e), r),
                    ));
                }
            }
        }
    }

    fn run(original: &str, stages: Vec<Scripted>) -> Outcome {
        let mut p = Pipeline::new(Context::default());
        for s in stages {
            p.push(Box::new(s));
        }
        p.run(original)
    }

    /// A stage that moves one span of whatever it sees to a position.
    struct Moving(Span, usize);

    impl Stage for Moving {
        fn name(&self) -> &'static str {
            "m"
        }
        fn run(&self, doc: &Document<'_>, _: &Context, out: &mut Proposals) {
            out.push(Fix::moved(
                RuleId::from_static("m.move"),
                Applicability::Safe,
                doc.text(),
                self.0,
                self.1,
            ));
        }
    }

    #[test]
    fn change_hashes_are_those_of_the_key_streamed_part_by_part() {
        // How ids were hashed before the key was built in one buffer: they must not change.
        fn streamed(original: &str, span: Span, replacement: &str, rules: &[RuleId]) -> u64 {
            let (lo, hi) = id_context(original, span);
            let mut key = xxhash_rust::xxh3::Xxh3Default::new();
            for r in rules {
                key.update(r.as_str().as_bytes());
                key.update(b"\x01");
            }
            let bytes = original.as_bytes();
            key.update(&bytes[lo..span.start]);
            key.update(b"\x02");
            key.update(&bytes[span.range()]);
            key.update(b"\x02");
            key.update(&bytes[span.end..hi]);
            key.update(b"\x03");
            key.update(replacement.as_bytes());
            key.digest()
        }
        // Multi-byte characters at the context's edges, spans and replacements long
        // enough for xxh3's long-input path, one rule or several.
        let original = "Ünïcödé ﬁrst líne\nsecond line, and a third one ".repeat(12);
        let rules = [
            RuleId::from_static("layout.reflow"),
            RuleId::new("web-residue.search-in"),
        ];
        let mut rng = crate::testing::XorShift(0x2545_f491_4f6c_dd1d);
        let mut key = Vec::new();
        for _ in 0..500 {
            let mut start = rng.below(original.len());
            while !original.is_char_boundary(start) {
                start -= 1;
            }
            let most = if rng.below(4) == 0 { 400 } else { 8 };
            let mut end = (start + rng.below(most)).min(original.len());
            while !original.is_char_boundary(end) {
                end -= 1;
            }
            let span = Span::new(start, end.max(start));
            let long = "x".repeat(300);
            let replacement = ["", " ", "fi", &long][rng.below(4)];
            let rules = &rules[..1 + rng.below(2)];
            assert_eq!(
                change_hash(&original, span, replacement, rules, &mut key),
                streamed(&original, span, replacement, rules),
                "{span:?}"
            );
        }
    }

    #[test]
    fn the_message_search_finds_what_memmem_finds() {
        // Haystacks of a few letters, so that needles often occur, partly occur or
        // occur at either end; short ones searched by first bytes, long ones by memmem.
        let mut rng = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        let draw = |rng: &mut crate::testing::XorShift, most: usize| -> Vec<u8> {
            let len = rng.below(most + 1);
            (0..len).map(|_| b"ab; "[rng.below(4)]).collect()
        };
        for round in 0..20_000 {
            let most = if round % 50 == 0 { 3000 } else { 40 };
            let haystack = draw(&mut rng, most);
            let needle = draw(&mut rng, 6);
            assert_eq!(
                contains_bytes(&haystack, &needle),
                memchr::memmem::find(&haystack, &needle).is_some(),
                "{:?} in {:?}",
                String::from_utf8_lossy(&needle),
                String::from_utf8_lossy(&haystack)
            );
        }
    }

    #[test]
    fn change_ids_read_as_the_hash_in_hex_and_the_repeat() {
        for (hash, n) in [
            (0, 1),
            (0xdead_beef, 2),
            (u64::MAX, 10),
            (0x0123_4567_89ab_cdef, u32::MAX),
        ] {
            let expected = if n == 1 {
                format!("{hash:016x}")
            } else {
                format!("{hash:016x}-{n}")
            };
            assert_eq!(&*id_text(hash, n), expected);
        }
    }

    #[test]
    fn a_move_is_two_linked_changes_and_repairs_between_them_stay_apart() {
        // The second paragraph moves before the first; then a repair inside the first
        // ("teh" → "the") must remain a change of its own, not part of the move.
        let original = "teh first.\nSecond.\n";
        let mut p = Pipeline::new(Context::default());
        p.push(Box::new(Moving(Span::new(11, 19), 0)));
        p.push(Box::new(Scripted("b.typo", vec![(8, 11, "the")])));
        let out = p.run(original);
        assert_eq!(out.output, "Second.\nthe first.\n");
        assert_eq!(apply(original, &out.changes), out.output);
        let rules: Vec<&str> = out.changes.iter().map(|c| c.rules[0].as_str()).collect();
        assert_eq!(rules, ["m.move", "b.typo", "m.move"]);
        assert_eq!(out.changes[0].linked, [out.changes[2].id.clone()]);
        assert_eq!(out.changes[2].linked, [out.changes[0].id.clone()]);
        assert!(out.changes[1].linked.is_empty());
        // Rejecting the move keeps the repair: the typo fix alone applies cleanly.
        assert_eq!(apply(original, &out.changes[1..2]), "the first.\nSecond.\n");
    }

    #[test]
    fn later_edit_inside_earlier_change_merges_into_it() {
        // "ab" -> "xyz" (stage a), then "y" -> "" (stage b): one change "ab" -> "xz".
        let out = run(
            "ab cd",
            vec![
                Scripted("a.one", vec![(0, 2, "xyz")]),
                Scripted("b.two", vec![(1, 2, "")]),
            ],
        );
        assert_eq!(out.output, "xz cd");
        assert_eq!(out.changes.len(), 1);
        assert_eq!(out.changes[0].original, Span::new(0, 2));
        assert_eq!(out.changes[0].rules.len(), 2);
        assert_eq!(apply("ab cd", &out.changes), out.output);
    }

    #[test]
    fn edits_apart_from_earlier_changes_stay_separate_and_map_through_shifts() {
        let out = run(
            "aaa bbb ccc",
            vec![
                Scripted("a.one", vec![(0, 3, "A")]),
                // In "A bbb ccc", "ccc" is at 6..9 → original 8..11.
                Scripted("b.two", vec![(6, 9, "C")]),
            ],
        );
        assert_eq!(out.output, "A bbb C");
        assert_eq!(out.changes.len(), 2);
        assert_eq!(out.changes[1].original, Span::new(8, 11));
    }

    #[test]
    fn an_edit_that_only_meets_earlier_changes_stays_a_change_of_its_own() {
        let out = run(
            "ab-cd",
            vec![
                Scripted("a.one", vec![(0, 1, "A"), (4, 5, "D")]),
                Scripted("b.two", vec![(1, 4, "")]),
            ],
        );
        assert_eq!(out.output, "AD");
        let spans: Vec<Span> = out.changes.iter().map(|c| c.original).collect();
        assert_eq!(spans, [Span::new(0, 1), Span::new(1, 4), Span::new(4, 5)]);
        // Any subset applies: reject the deletion, keep the capitals.
        assert_eq!(
            apply("ab-cd", &[out.changes[0].clone(), out.changes[2].clone()]),
            "Ab-cD"
        );
    }

    #[test]
    fn an_edit_overlapping_two_changes_merges_all_three() {
        let out = run(
            "ab-cd",
            vec![
                Scripted("a.one", vec![(0, 1, "A"), (4, 5, "D")]),
                Scripted("b.two", vec![(0, 5, "x")]),
            ],
        );
        assert_eq!(out.output, "x");
        assert_eq!(out.changes.len(), 1);
        assert_eq!(out.changes[0].original, Span::new(0, 5));
    }

    #[test]
    fn an_insertion_at_a_deletion_point_merges_with_it() {
        // Stage a deletes "bb"; stage b inserts at the same point: the order of the two
        // in the original would be ambiguous, so they become one change.
        let out = run(
            "a bb c",
            vec![
                Scripted("a.one", vec![(2, 4, "")]),
                Scripted("b.two", vec![(2, 2, "X")]),
            ],
        );
        assert_eq!(out.output, "a X c");
        assert_eq!(out.changes.len(), 1);
        assert_eq!(out.changes[0].original, Span::new(2, 4));
    }

    #[test]
    fn overlapping_fixes_in_one_stage_keep_the_first() {
        let out = run(
            "abcdef",
            vec![Scripted("a.one", vec![(0, 3, "X"), (2, 4, "Y")])],
        );
        assert_eq!(out.output, "Xdef");
    }

    #[test]
    fn change_ids_do_not_depend_on_offsets() {
        let a = run("ﬁ one", vec![Scripted("a.one", vec![(0, 3, "fi")])]);
        let b = run(
            "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz ﬁ one",
            vec![Scripted("a.one", vec![(37, 40, "fi")])],
        );
        // Context differs on the left here, so ids differ; same context ⇒ same id:
        let c = run("xx ﬁ one", vec![Scripted("a.one", vec![(3, 6, "fi")])]);
        let d = run(
            "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy xx ﬁ one",
            vec![Scripted("a.one", vec![(39, 42, "fi")])],
        );
        assert_ne!(a.changes[0].id, b.changes[0].id);
        assert_eq!(apply("xx ﬁ one", &c.changes), "xx fi one");
        assert_eq!(d.changes[0].original, Span::new(39, 42));
        // d's 24-byte left context is "yyyyyyyyyyyyyyyyyyyy xx " vs c's "xx ": the ids
        // differ only because the context differs; with identical context they agree.
        let e = run(
            "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy xx ﬁ one",
            vec![Scripted("a.one", vec![(58, 61, "fi")])],
        );
        assert_eq!(d.changes[0].id, e.changes[0].id);
    }

    #[test]
    fn stages_share_pages_until_a_round_changes_the_text() {
        use crate::stages::layout::pages::{self, Page};
        use std::borrow::Cow;
        use std::sync::{Arc, Mutex};
        /// What a stage saw: the pages it was handed, where they lived (when borrowed
        /// from the pipeline's analyses), and the pages of its text found afresh.
        type Seen = Arc<Mutex<Vec<(Vec<Page>, Option<usize>, Vec<Page>)>>>;
        struct PageReader(Seen);
        impl Stage for PageReader {
            fn name(&self) -> &'static str {
                "reader"
            }
            fn run(&self, doc: &Document<'_>, _: &Context, _: &mut Proposals) {
                let handed = doc.pages();
                let at = match &handed {
                    Cow::Borrowed(p) => Some(p.as_ptr() as usize),
                    Cow::Owned(_) => None,
                };
                let fresh = pages::pages(doc.text());
                self.0
                    .lock()
                    .unwrap()
                    .push((handed.into_owned(), at, fresh));
            }
        }
        let seen = Seen::default();
        let mut p = Pipeline::new(Context::default());
        p.push(Box::new(PageReader(seen.clone())));
        p.push(Box::new(PageReader(seen.clone())));
        // Turns the line break after `one` into a form feed: two pages, not one.
        p.push(Box::new(Scripted("a.page", vec![(3, 4, "\x0c")])));
        p.push(Box::new(PageReader(seen.clone())));
        p.run("one\ntwo\n");
        let seen = seen.lock().unwrap();
        for (handed, _, fresh) in seen.iter() {
            assert_eq!(handed, fresh);
        }
        let counts: Vec<usize> = seen.iter().map(|(h, _, _)| h.len()).collect();
        assert_eq!(counts, [1, 1, 2], "the third reader sees the form feed");
        assert!(seen[0].1.is_some(), "pages come from the shared analyses");
        assert_eq!(
            seen[0].1, seen[1].1,
            "the second reader is handed the first's"
        );
    }

    #[test]
    fn a_document_made_alone_finds_its_own_pages() {
        let doc = Document::new("one\x0ctwo");
        assert_eq!(doc.pages().len(), 2);
    }

    #[test]
    fn a_built_in_stage_whose_rules_are_all_ignored_is_not_run() {
        use std::sync::atomic::{AtomicBool, Ordering};
        static RAN: AtomicBool = AtomicBool::new(false);
        struct Spy;
        impl Stage for Spy {
            fn name(&self) -> &'static str {
                "decode"
            }
            fn run(&self, _: &Document<'_>, _: &Context, _: &mut Proposals) {
                RAN.store(true, Ordering::SeqCst);
            }
        }
        let mut p = Pipeline::new(Context::default());
        p.push(Box::new(Spy));
        p.filter(RuleFilter::new(vec![], vec!["decode".into()]));
        p.run("text");
        assert!(!RAN.load(Ordering::SeqCst));
        p.filter(RuleFilter::new(vec![], vec!["decode.control-char".into()]));
        p.run("text");
        assert!(
            RAN.load(Ordering::SeqCst),
            "decode.line-ending is still allowed"
        );
    }

    #[test]
    fn segments_end_after_blank_lines_then_line_breaks_then_spaces() {
        fn cuts(text: &str, size: usize) -> Vec<&str> {
            segments(text, size)
                .into_iter()
                .map(|s| &text[s.range()])
                .collect()
        }
        // 14 bytes in segments of 10 at most: two shares of 7, the first cut searched
        // for in bytes 4..7. After the blank line and the white space that follows it.
        assert_eq!(cuts("aaaaa\n\n  bb\ndd", 10), ["aaaaa\n\n  ", "bb\ndd"]);
        // Else after a line break, else after a space.
        assert_eq!(cuts("aaaa\nb ccccccc", 10), ["aaaa\n", "b ccccccc"]);
        assert_eq!(cuts("aaaaaa\nb cc dd", 10), ["aaaaaa\n", "b cc dd"]);
        assert_eq!(cuts("aaaa bbb\ncc dd", 10), ["aaaa ", "bbb\ncc dd"]);
        // A blank line before the window does not count: it would leave the halves
        // uneven.
        assert_eq!(cuts("a\n\nbbb cccc dd", 10), ["a\n\nbbb ", "cccc dd"]);
        // No white space at all: between two characters, never inside one.
        assert_eq!(cuts("ééééééé", 5), ["éé", "éé", "ééé"]);
        assert_eq!(cuts("short", 10), ["short"]);
        assert_eq!(cuts("", 10), [""]);
        // Paragraphs a fifth of a share long: every cut after one (cuts once capped at
        // `size` bytes from the last lagged behind their shares until a window too
        // narrow to hold a blank line cut a paragraph in two).
        let para = "The \u{fb01}rst line of a para-\ngraph that wraps\nonto a second line.\n\n";
        let text = para.repeat(40);
        let spans = segments(&text, 300);
        assert_eq!(spans.len(), 9);
        assert!(spans.iter().all(|s| s.start % para.len() == 0), "{spans:?}");
    }

    #[test]
    fn segments_are_few_and_even_whatever_the_text() {
        // Regression: a 2.8 MB file was cut into 2 MiB and 0.7 MB, and with two threads
        // the second finished long before the first (`-j2` 1.21 times `-j1`).
        let mut rng = crate::testing::XorShift(0x5eed_5e65);
        const PIECES: [&str; 7] = ["word", "é", " ", "\n", "\n\n", "\n\n   \n", "x"];
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..rng.below(400) {
                text.push_str(PIECES[rng.below(PIECES.len())]);
            }
            let size = 4 + rng.below(120);
            let spans = segments(&text, size);
            // The pieces cover the text in order, each cut on a character boundary.
            assert_eq!(spans[0].start, 0);
            assert_eq!(spans.last().unwrap().end, text.len());
            for pair in spans.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
            }
            assert!(spans.iter().all(|s| !s.is_empty() || text.is_empty()));
            assert!(spans.iter().all(|s| text.is_char_boundary(s.start)));
            // The fewest segments of about `size` bytes: at most one and a half shares
            // but for the white space a cut after a blank line skips (and a character
            // the cut backs off). Only a run of white space can merge two.
            let count = text.len().div_ceil(size).max(1);
            let share = text.len() / count;
            assert!(spans.len() <= count, "{text:?} {size}");
            let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n' | '\x0c');
            let (last, rest) = spans.split_last().unwrap();
            for s in rest {
                let kept = text[s.range()].trim_end_matches(blank);
                assert!(
                    kept.len() <= share + share / 2 + 4,
                    "{text:?} {size} {spans:?}"
                );
            }
            let longest_blank_run = text
                .split(|c: char| !blank(c))
                .map(str::len)
                .max()
                .unwrap_or(0);
            if longest_blank_run <= share / 2 {
                // Each cut within half a share (and a character) before its share's end,
                // or after it by the white space it skipped; so the last segment is at
                // most one and a half shares.
                assert_eq!(spans.len(), count, "{text:?} {size} {spans:?}");
                for (i, s) in rest.iter().enumerate() {
                    let end = text.len() * (i + 1) / count;
                    assert!(s.end + share / 2 + 3 >= end, "{text:?} {size} {spans:?}");
                    assert!(
                        s.end <= end + longest_blank_run,
                        "{text:?} {size} {spans:?}"
                    );
                }
                assert!(
                    last.len() <= share + share / 2 + 4,
                    "{text:?} {size} {spans:?}"
                );
            }
        }
    }

    #[test]
    fn a_long_text_is_cleaned_a_segment_at_a_time() {
        let para = "The ﬁrst line of a para-\ngraph that wraps\nonto a second line.\n\n";
        let text = para.repeat(40);
        let mut p = Pipeline::default_stages();
        p.segment = 300;
        let outcome = p.run(&text);
        assert_eq!(apply(&text, &outcome.changes), outcome.output);
        // Each segment is cleaned as a document of its own.
        let parts: String = segments(&text, 300)
            .into_iter()
            .map(|s| Pipeline::default_stages().run(&text[s.range()]).output)
            .collect();
        assert_eq!(outcome.output, parts);
        assert!(outcome.output.starts_with("The first line of a paragraph"));
        // Ids are assigned over the whole text: repeats across segments are numbered.
        let mut ids: Vec<&str> = outcome.changes.iter().map(|c| c.id.as_str()).collect();
        let n = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert!(ids.iter().any(|id| id.ends_with("-40")), "{ids:?}");
    }

    #[test]
    fn segmented_parts_are_the_pieces_of_the_whole_outcome() {
        let para = "The ﬁrst line of a para-\ngraph that wraps\nonto a second line.\n\n";
        let text = para.repeat(40);
        let mut p = Pipeline::default_stages();
        p.segment = 300;
        let whole = p.run(&text);
        let (mut output, mut changes, mut spans) = (String::new(), Vec::new(), Vec::new());
        p.run_segmented(&text, |span, part| {
            assert!(part
                .changes
                .iter()
                .all(|c| span.start <= c.original.start && c.original.end <= span.end));
            spans.push(span);
            output.push_str(&part.output);
            changes.extend(part.changes);
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(spans, segments(&text, 300));
        assert_eq!(output, whole.output);
        let key = |c: &Change| (c.id.clone(), c.original, c.replacement.clone());
        assert_eq!(
            changes.iter().map(key).collect::<Vec<_>>(),
            whole.changes.iter().map(key).collect::<Vec<_>>()
        );
        // An error from the callback stops the run at once.
        let mut calls = 0;
        let stopped = p.run_segmented(&text, |_, _| {
            calls += 1;
            Err("disk full")
        });
        assert_eq!((stopped, calls), (Err("disk full"), 1));
    }

    #[test]
    fn segments_cleaned_on_many_threads_come_out_as_on_one() {
        let para = "The \u{fb01}rst line of a para-\ngraph that wraps\nonto a second line.\n\n";
        let text = format!(
            "{}Sovi\u{e9}t-era text.\n\n{}",
            para.repeat(30),
            para.repeat(31)
        );
        let mut p = Pipeline::default_stages();
        p.segment = 200;
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut parts = Vec::new();
            pool.install(|| {
                p.run_segmented(&text, |span, part| {
                    let changes: Vec<_> = part
                        .changes
                        .iter()
                        .map(|c| (c.id.clone(), c.original, c.replacement.clone()))
                        .collect();
                    parts.push((span, part.output, changes));
                    Ok::<(), ()>(())
                })
            })
            .unwrap();
            parts
        };
        let one = on(1);
        assert!(one.len() > 10);
        for threads in [2, 3, 8] {
            assert_eq!(on(threads), one, "{threads} threads");
        }
        // An error from the callback stops the run, whichever thread cleaned what.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let mut calls = 0;
        let stopped = pool.install(|| {
            p.run_segmented(&text, |_, _| {
                calls += 1;
                Err("disk full")
            })
        });
        assert_eq!((stopped, calls), (Err("disk full"), 1));
    }

    /// Panics on a text holding `PANIC`.
    struct Panicking;

    impl Stage for Panicking {
        fn name(&self) -> &'static str {
            "p"
        }
        fn run(&self, doc: &Document<'_>, _: &Context, _: &mut Proposals) {
            assert!(!doc.text().contains("PANIC"), "a stage failed");
        }
    }

    #[test]
    fn a_panic_in_any_segment_reaches_the_caller_and_nothing_waits_forever() {
        // Whether the caller or a worker cleans the failing segment, and whatever the
        // others are doing then, the run ends with the panic: the caller must not wait
        // for a part that will not come, nor a worker for room that will not be made.
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            every_failing_segment_panics_through();
            done.send(()).unwrap();
        });
        finished
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("every run ends in its segment's panic, within two minutes");
    }

    fn every_failing_segment_panics_through() {
        let words = "word ".repeat(30) + "\n\n";
        for failing in [0, 1, 5, 19] {
            let mut text = String::new();
            for i in 0..20 {
                text.push_str(if i == failing {
                    "PANIC here\n\n"
                } else {
                    &words
                });
            }
            let mut p = Pipeline::new(Context::default());
            p.push(Box::new(Panicking));
            p.segment = 100;
            for threads in [1, 2, 4] {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    pool.install(|| p.run_segmented(&text, |_, _| Ok::<(), ()>(())))
                }));
                assert!(run.is_err(), "segment {failing}, {threads} threads");
            }
        }
    }

    #[test]
    fn moves_in_different_segments_stay_apart() {
        // Every segment moves its own second line to its start: each move links its own
        // two halves, never a half of another segment's move.
        let text = "aaaa\nbbbb\n\n".repeat(30);
        let mut p = Pipeline::new(Context::default());
        p.push(Box::new(Moving(Span::new(5, 10), 0)));
        p.segment = 60;
        let out = p.run(&text);
        assert_eq!(apply(&text, &out.changes), out.output);
        let moves: Vec<&Change> = out
            .changes
            .iter()
            .filter(|c| !c.linked.is_empty())
            .collect();
        assert_eq!(moves.len(), 2 * segments(&text, 60).len());
        for pair in moves.chunks(2) {
            assert_eq!(pair[0].linked, [pair[1].id.clone()]);
            assert_eq!(pair[1].linked, [pair[0].id.clone()]);
        }
    }

    #[test]
    fn joined_messages_are_those_of_a_search_of_the_whole_message() {
        // The reference: every message is searched for in the whole joined message.
        fn reference(messages: &[&'static str]) -> String {
            let mut joined = String::new();
            for m in messages {
                if !m.is_empty() && !joined.contains(m) {
                    if !joined.is_empty() {
                        joined.push_str("; ");
                    }
                    joined.push_str(m);
                }
            }
            joined
        }
        // Messages that repeat, contain one another, and span a join ("b; c").
        const MESSAGES: [&str; 8] = [
            "",
            "line break inside a paragraph",
            "paragraph break",
            "break",
            "b",
            "c",
            "b; c",
            "line break inside a paragraph; paragraph break",
        ];
        let meta = |message: &'static str| EditMeta {
            rule: RuleId::from_static("x.y"),
            applicability: Applicability::Safe,
            confidence: 1.0,
            message: Cow::Borrowed(message),
            link: None,
        };
        let mut rng = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let n = 1 + rng.below(12);
            let messages: Vec<&'static str> = (0..n)
                .map(|_| MESSAGES[rng.below(MESSAGES.len())])
                .collect();
            // Absorbed one at a time, and merged as two provenances joined.
            let mut one = Provenance::of(meta(messages[0]));
            for &m in &messages[1..] {
                one.absorb(meta(m));
            }
            assert_eq!(one.message, reference(&messages), "{messages:?}");
            let cut = 1 + rng.below(n);
            let (left, right) = messages.split_at(cut);
            let mut a = Provenance::of(meta(left[0]));
            for &m in &left[1..] {
                a.absorb(meta(m));
            }
            if let Some((&first, rest)) = right.split_first() {
                let mut b = Provenance::of(meta(first));
                for &m in rest {
                    b.absorb(meta(m));
                }
                a.merge(&b);
                let b_joined: &'static str = Box::leak(b.message.into_owned().into_boxed_str());
                assert_eq!(
                    a.message,
                    reference(&[reference(left).leak(), b_joined]),
                    "{left:?} + {right:?}"
                );
            }
        }
    }

    #[test]
    fn clashes_are_found_alike_in_fixes_in_text_order_and_out_of_it() {
        // The reference: all the spans sorted, then each against the furthest end
        // before it and its neighbour.
        fn reference(fixes: &[Fix]) -> bool {
            let mut spans: Vec<Span> = fixes
                .iter()
                .flat_map(|f| f.edits.iter().map(|e| e.span))
                .collect();
            spans.sort_unstable();
            let mut reach = 0;
            spans.windows(2).any(|w| {
                reach = reach.max(w[0].end);
                w[1].start < reach || clash(w[0], w[1])
            })
        }
        let mut rng = crate::testing::XorShift(0x1234_5678_9abc_def1);
        for round in 0..3000 {
            let n = 1 + rng.below(6);
            let mut fixes: Vec<Fix> = (0..n)
                .map(|_| {
                    let start = rng.below(40);
                    let span = Span::new(start, start + rng.below(4));
                    Fix::single(
                        RuleId::from_static("x.y"),
                        Applicability::Safe,
                        Edit::delete(span),
                    )
                })
                .collect();
            if round % 2 == 0 {
                fixes.sort_by_key(|f| f.span());
            }
            assert_eq!(
                any_clash(&fixes),
                reference(&fixes),
                "{:?}",
                fixes.iter().map(|f| f.span()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn rule_filter_prefixes_match_whole_segments() {
        let f = RuleFilter::new(vec![], vec!["layout".into()]);
        assert!(!f.allows("layout.reflow"));
        assert!(f.allows("layouts.reflow"));
        let g = RuleFilter::new(vec!["layout.reflow".into()], vec!["layout".into()]);
        assert!(g.allows("layout.reflow"));
        assert!(!g.allows("layout.dehyphenate"));
    }
}
