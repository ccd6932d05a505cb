//! The active rule files compiled into one matcher, and matches turned into fixes.
//!
//! # Order and precedence
//!
//! In one pass every rule looks at the same text and no rule sees another's fixes, so a
//! rule file reads the same whatever else is enabled (the rules stage runs further passes
//! while fixes apply; see `stages::rules`). Where two matches overlap, one wins: the
//! leftmost, then the longest, then the one whose rule comes first (rule files in the
//! order given to [`RuleSet::compile`], rules in file order). That is aho-corasick's
//! leftmost-longest semantics, which the literal rules get from their shared automaton,
//! extended to regex rules; "leftmost" and "longest" measure what a fix changes, not the
//! context its regex consumed. Fixes are resolved per edit, not
//! per match, so a bold heading's `**` and the hard breaks inside it all apply.
//!
//! # Speed
//!
//! All literal and swap patterns share one aho-corasick automaton (two, when some are
//! case-insensitive: aho-corasick folds case per automaton, not per pattern), so literal
//! rules cost one pass whatever their number. When every case-sensitive pattern holds a
//! piece English seldom has, as OCR misreadings do, that pass is a SIMD search for
//! those pieces, and the automaton runs only where a pattern starts (see
//! `super::anchors`). Regexes are compiled once, at parse time; with many of them a
//! [`RegexSet`] pass first finds which can match at all.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};
use smallvec::SmallVec;

use super::anchors::Anchors;
use super::parse::REGEX_SIZE_LIMIT;
use super::{MatchOptions, Matcher, RuleFile, RuleFileError, Template, TemplatePart};
use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::span::Span;

/// Up to this many bytes of literal patterns, the automaton is a DFA (see
/// `Literals::build`).
const DFA_MAX_PATTERN_BYTES: usize = 64 * 1024;

/// After this many bytes of text read by the literal automaton alone, the anchors are
/// chosen (see `super::anchors`). Choosing costs about 1.3M instructions, what the
/// automaton spends on some 80 KB: a process that cleans one short document does not
/// pay for it.
const ANCHORS_AFTER: usize = 128 * 1024;

/// With more regex rules than this, a [`RegexSet`] pass decides which to run. Below it,
/// each regex's own literal prefilter is faster than the set's combined automaton.
const REGEX_SET_MIN: usize = 16;

/// Rule files compiled for matching.
///
/// ```
/// use recto::rulefile::{builtin_set, RuleSet};
/// let set = RuleSet::compile(vec![builtin_set("markdown").unwrap()]).unwrap();
/// let fixes = set.fixes("**Citation:**\n");
/// assert_eq!(fixes.len(), 1);
/// assert_eq!(fixes[0].rule.as_str(), "markdown.bold-line");
/// ```
#[derive(Default)]
pub struct RuleSet {
    rules: Vec<RuleMeta>,
    names: Vec<String>,
    exact: Option<Literals>,
    folded: Option<Literals>,
    regexes: Vec<RegexRule>,
    prefilter: Option<RegexSet>,
}

/// What a fix of a rule carries.
struct RuleMeta {
    id: RuleId,
    applicability: Applicability,
    confidence: f32,
    message: Box<str>,
    options: MatchOptions,
}

/// An automaton over literal patterns and, per pattern, its rule and replacement.
struct Literals {
    automaton: AhoCorasick,
    targets: Vec<(usize, Box<str>)>,
    /// Every pattern belongs to a whole-line rule: a match rejected for text before it on
    /// its line lets the scan skip to the next line (see `resume_after`), which would
    /// hide other rules' matches later on the line.
    whole_line_only: bool,
    /// Where the patterns start, found faster than by the automaton (case-sensitive
    /// patterns only, and only when each has a rare piece); chosen once
    /// [`ANCHORS_AFTER`] bytes have been read without them.
    anchors: OnceLock<Option<Anchors>>,
    /// The patterns the anchors are chosen for (none when case-insensitive).
    anchored_patterns: Vec<String>,
    /// The bytes read so far without anchors.
    read_without_anchors: AtomicUsize,
}

struct RegexRule {
    rule: usize,
    regex: Regex,
    template: Template,
    /// A case-insensitive literal the automaton could not fold: its replacement follows
    /// the matched case, as in the automaton.
    literal: bool,
    /// Whether the template refers to groups (else the match alone makes the fix).
    needs_groups: bool,
}

/// A match that became a fix, before overlaps are resolved.
struct Candidate {
    span: Span,
    rule: usize,
    fix: Fix,
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleSet")
            .field("sets", &self.names)
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl RuleSet {
    /// An empty set: proposes nothing.
    pub fn empty() -> RuleSet {
        RuleSet::default()
    }

    /// Compiles rule files; earlier files take precedence where matches tie (see the
    /// module docs). Two files with one name are an error: their rule ids would collide.
    pub fn compile(files: Vec<RuleFile>) -> Result<RuleSet, RuleFileError> {
        let mut set = RuleSet::default();
        let mut exact: Vec<(String, usize, Box<str>)> = Vec::new();
        let mut folded: Vec<(String, usize, Box<str>)> = Vec::new();
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        for file in files {
            if let Some(first) = paths
                .iter()
                .find(|p| p.file_stem() == file.path.file_stem())
            {
                return Err(RuleFileError {
                    path: file.path.clone(),
                    line: None,
                    rule: None,
                    message: format!(
                        "{} is also the name of {}; rule ids would collide (rename one file)",
                        file.name,
                        first.display()
                    ),
                });
            }
            paths.push(file.path.clone());
            set.names.push(file.name.clone());
            for rule in file.rules {
                let index = set.rules.len();
                set.rules.push(RuleMeta {
                    id: rule.id,
                    applicability: rule.applicability,
                    confidence: rule.confidence,
                    message: rule.description.into(),
                    options: rule.options,
                });
                let ci = rule.options.case_insensitive;
                let mut literal = |pattern: String, replacement: String| {
                    if !ci {
                        exact.push((pattern, index, replacement.into()));
                    } else if pattern.is_ascii() {
                        folded.push((pattern, index, replacement.into()));
                    } else {
                        // aho-corasick folds ASCII only; the regex engine folds Unicode.
                        let regex = super::parse::compile_regex(&regex::escape(&pattern), true)
                            .expect("an escaped literal is a valid regex");
                        set.regexes.push(RegexRule {
                            rule: index,
                            regex,
                            template: Template(vec![TemplatePart::Text(replacement)]),
                            literal: true,
                            needs_groups: false,
                        });
                    }
                };
                match rule.matcher {
                    Matcher::Literal {
                        pattern,
                        replacement,
                    } => literal(pattern, replacement),
                    Matcher::Swap(pairs) => {
                        for (from, to) in pairs {
                            literal(from, to);
                        }
                    }
                    Matcher::Regex {
                        regex, template, ..
                    } => set.regexes.push(RegexRule {
                        rule: index,
                        needs_groups: template
                            .0
                            .iter()
                            .any(|p| matches!(p, TemplatePart::Group(_))),
                        regex,
                        template,
                        literal: false,
                    }),
                }
            }
        }
        set.exact = Literals::build(exact, false, &set.rules)?;
        set.folded = Literals::build(folded, true, &set.rules)?;
        if set.regexes.len() >= REGEX_SET_MIN {
            // Case-insensitive rules carry their flag in the builder, not the pattern.
            let patterns = set.regexes.iter().map(|r| {
                if set.rules[r.rule].options.case_insensitive {
                    format!("(?i:{})", r.regex.as_str())
                } else {
                    r.regex.as_str().to_owned()
                }
            });
            set.prefilter = RegexSetBuilder::new(patterns)
                .multi_line(true)
                .size_limit(REGEX_SIZE_LIMIT * 16)
                .build()
                .ok();
        }
        Ok(set)
    }

    /// The built-in sets that are on by default, compiled once per process.
    pub fn builtin_defaults() -> std::sync::Arc<RuleSet> {
        static SET: std::sync::OnceLock<std::sync::Arc<RuleSet>> = std::sync::OnceLock::new();
        SET.get_or_init(|| {
            let files = super::BUILTIN_SETS
                .iter()
                .filter(|s| s.default_enabled)
                .map(super::BuiltinSet::load)
                .collect();
            std::sync::Arc::new(
                RuleSet::compile(files).expect("the built-in sets compile together"),
            )
        })
        .clone()
    }

    /// The number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// True when the set has no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The names of the compiled rule files, in precedence order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The fixes the rules propose for `text`: sorted by position, their edits pairwise
    /// disjoint (overlaps are resolved as the module docs say).
    pub fn fixes(&self, text: &str) -> Vec<Fix> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let mut candidates = Vec::new();
        for literals in [&self.exact, &self.folded].into_iter().flatten() {
            self.literal_candidates(literals, text, &mut candidates);
        }
        let matching = self.prefilter.as_ref().map(|set| set.matches(text));
        for (i, r) in self.regexes.iter().enumerate() {
            if matching.as_ref().is_some_and(|m| !m.matched(i)) {
                continue;
            }
            self.regex_candidates(r, text, &mut candidates);
        }
        resolve(candidates)
    }

    /// Applies every fix, whatever its applicability (for examples and tests).
    pub(crate) fn apply_all(&self, text: &str) -> String {
        let mut edits: Vec<Edit> = self.fixes(text).into_iter().flat_map(|f| f.edits).collect();
        edits.sort_by_key(|e| e.span);
        crate::pipeline::apply_edits(text, &edits)
    }

    fn literal_candidates(&self, literals: &Literals, text: &str, out: &mut Vec<Candidate>) {
        let starts = literals.anchors(text).map(|a| a.starts(text.as_bytes()));
        let mut next_start = 0;
        let mut at = 0;
        while at < text.len() {
            // No pattern starts before the next start at or after `at`, so the
            // automaton finds the same leftmost-longest match from there as from `at`,
            // without reading the bytes between.
            let from = match &starts {
                Some(starts) => {
                    next_start += starts[next_start..].partition_point(|&s| s < at);
                    match starts.get(next_start) {
                        Some(&start) => start,
                        None => break,
                    }
                }
                None => at,
            };
            let Some(m) = literals
                .automaton
                .find(Input::new(text).span(from..text.len()))
            else {
                break;
            };
            let (rule, replacement) = &literals.targets[m.pattern().as_usize()];
            let meta = &self.rules[*rule];
            let span = Span::new(m.start(), m.end());
            if !accepts(meta.options, text, span) {
                at = if literals.whole_line_only {
                    resume_after(meta.options, text, span)
                } else {
                    next_boundary(text, span.start)
                };
                continue;
            }
            at = m.end();
            let replacement = if meta.options.case_insensitive {
                follow_case(&text[span.range()], replacement)
            } else {
                replacement.to_string()
            };
            let edits = match line_deletion(meta.options, text, span, &replacement) {
                Some(whole) => vec![Edit::delete(whole)],
                None => vec![Edit::new(span, replacement)],
            };
            self.push(out, *rule, edits, text);
        }
    }

    fn regex_candidates(&self, r: &RegexRule, text: &str, out: &mut Vec<Candidate>) {
        let meta = &self.rules[r.rule];
        let mut locs = r.regex.capture_locations();
        let mut at = 0;
        while at <= text.len() {
            // Find first, capture only what is kept: the capturing engines are far
            // slower than the DFA that finds, and most candidates need no groups or
            // are rejected by the line and word checks.
            let Some(m) = r.regex.find_at(text, at) else {
                break;
            };
            let span = Span::new(m.start(), m.end());
            let next = if span.is_empty() {
                next_boundary(text, span.end)
            } else {
                span.end
            };
            if !accepts(meta.options, text, span) {
                at = resume_after(meta.options, text, span);
                continue;
            }
            at = next;
            if r.needs_groups {
                // The leftmost-first match from its own start is the same match.
                r.regex.captures_read_at(&mut locs, text, span.start);
            }
            let group = |i: usize| locs.get(i).map(|(s, e)| Span::new(s, e));
            let mut edits = template_edits(&r.template, text, span, group);
            if r.literal {
                for e in &mut edits {
                    e.replacement = follow_case(&text[span.range()], &e.replacement).into();
                }
            }
            let replacement_is_empty = edits
                .iter()
                .map(|e| e.replacement.len() as isize - e.span.len() as isize)
                .sum::<isize>()
                == -(span.len() as isize);
            let edits = match line_deletion(meta.options, text, span, "")
                .filter(|_| replacement_is_empty)
            {
                Some(whole) => vec![Edit::delete(whole)],
                None => edits,
            };
            self.push(out, r.rule, edits, text);
        }
    }

    fn push(&self, out: &mut Vec<Candidate>, rule: usize, edits: Vec<Edit>, text: &str) {
        let edits: SmallVec<[Edit; 1]> = edits
            .into_iter()
            .filter(|e| text[e.span.range()] != *e.replacement)
            .collect();
        if edits.is_empty() {
            return;
        }
        let meta = &self.rules[rule];
        let mut fix = Fix::new(meta.id.clone(), meta.applicability)
            .with_confidence(meta.confidence)
            .with_message(String::from(&*meta.message));
        fix.edits = edits;
        // Precedence goes by what the fix changes, not by what the pattern matched: a
        // regex that consumes a character of context must not win for it.
        out.push(Candidate {
            span: fix.span(),
            rule,
            fix,
        });
    }
}

impl Literals {
    fn build(
        patterns: Vec<(String, usize, Box<str>)>,
        fold: bool,
        rules: &[RuleMeta],
    ) -> Result<Option<Literals>, RuleFileError> {
        if patterns.is_empty() {
            return Ok(None);
        }
        // A DFA scans several times faster than the NFA aho-corasick picks by itself for
        // a hundred-odd patterns (ocr-common: 8 ms against 32 ms on the 2.8 MB dev
        // set); its memory grows with the patterns, so very large user lists keep the
        // automatic choice.
        let total: usize = patterns.iter().map(|(p, _, _)| p.len()).sum();
        let kind = (total <= DFA_MAX_PATTERN_BYTES).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(kind)
            .ascii_case_insensitive(fold)
            .build(patterns.iter().map(|(p, _, _)| p))
            .map_err(|e| RuleFileError {
                path: "<rules>".into(),
                line: None,
                rule: None,
                message: format!("too many literal patterns: {e}"),
            })?;
        let whole_line_only = patterns
            .iter()
            .all(|(_, r, _)| rules[*r].options.whole_line);
        // aho-corasick folds case, the anchor searcher does not.
        let anchored_patterns = if fold {
            Vec::new()
        } else {
            patterns.iter().map(|(p, _, _)| p.clone()).collect()
        };
        let targets = patterns.into_iter().map(|(_, r, t)| (r, t)).collect();
        Ok(Some(Literals {
            automaton,
            targets,
            whole_line_only,
            anchors: OnceLock::new(),
            anchored_patterns,
            read_without_anchors: AtomicUsize::new(0),
        }))
    }

    /// The anchors, to search `text` with; chosen on the first call after
    /// [`ANCHORS_AFTER`] bytes have been read without them.
    fn anchors(&self, text: &str) -> Option<&Anchors> {
        if let Some(anchors) = self.anchors.get() {
            return anchors.as_ref();
        }
        let read = self
            .read_without_anchors
            .fetch_add(text.len(), Ordering::Relaxed);
        if read + text.len() < ANCHORS_AFTER {
            return None;
        }
        self.anchors
            .get_or_init(|| Anchors::build(&self.anchored_patterns))
            .as_ref()
    }
}

/// Keeps the winners of overlapping candidates (leftmost, longest, first rule) and
/// returns their fixes in position order.
fn resolve(mut candidates: Vec<Candidate>) -> Vec<Fix> {
    candidates.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.len().cmp(&a.span.len()))
            .then(a.rule.cmp(&b.rule))
    });
    // Claimed edit spans, by start; disjoint, so their ends rise with their starts.
    let mut claimed: BTreeMap<usize, usize> = BTreeMap::new();
    let mut fixes = Vec::with_capacity(candidates.len());
    for c in candidates {
        let conflict = c.fix.edits.iter().any(|e| {
            claimed
                .range(..=e.span.end)
                .rev()
                .take_while(|(_, &end)| end >= e.span.start)
                .any(|(&s, &end)| {
                    let t = Span::new(s, end);
                    t.overlaps(e.span)
                        || t.touches_empty(e.span)
                        || e.span.touches_empty(t)
                        || t == e.span
                })
        });
        if conflict {
            continue;
        }
        for e in &c.fix.edits {
            claimed.insert(e.span.start, e.span.end);
        }
        fixes.push(c.fix);
    }
    fixes.sort_by_key(|f| f.span());
    fixes
}

/// Whether a match at `span` satisfies the rule's whole-word and whole-line options.
fn accepts(options: MatchOptions, text: &str, span: Span) -> bool {
    if options.whole_word {
        let matched = &text[span.range()];
        let starts_word = matched.chars().next().is_some_and(is_word_char);
        let ends_word = matched.chars().next_back().is_some_and(is_word_char);
        if starts_word
            && text[..span.start]
                .chars()
                .next_back()
                .is_some_and(is_word_char)
        {
            return false;
        }
        if ends_word && text[span.end..].chars().next().is_some_and(is_word_char) {
            return false;
        }
    }
    if options.whole_line {
        let bytes = text.as_bytes();
        let spaces_only = |b: &u8| *b == b' ' || *b == b'\t';
        let line_before = bytes[..span.start]
            .iter()
            .rev()
            .take_while(|&&b| b != b'\n');
        let line_after = bytes[span.end..].iter().take_while(|&&b| b != b'\n');
        if !line_before.clone().all(spaces_only) || !line_after.clone().all(spaces_only) {
            return false;
        }
    }
    true
}

/// Where to search again after a match at `span` failed the rule's options. A rejected
/// match may hide one that starts inside it, so the search resumes at its next
/// character — except where the match failed a whole-line rule by starting after text on
/// its line: no later start on that line can pass, and skipping to the next line keeps
/// the scan linear (`a.*` over one long line would otherwise be quadratic).
fn resume_after(options: MatchOptions, text: &str, span: Span) -> usize {
    let bytes = text.as_bytes();
    if options.whole_line {
        let line_start = memchr::memrchr(b'\n', &bytes[..span.start]).map_or(0, |i| i + 1);
        if !is_blank(&bytes[line_start..span.start]) {
            return memchr::memchr(b'\n', &bytes[span.start..])
                .map_or(text.len() + 1, |i| span.start + i + 1);
        }
    }
    next_boundary(text, span.start)
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// For a whole-line rule whose match is deleted: the whole line with its line break, and
/// — when the line before it is blank or there is none — the blank lines after it too, so
/// that deleting residue between paragraphs leaves one paragraph break, not three, and
/// deleting residue right after a paragraph does not glue it to the next.
fn line_deletion(options: MatchOptions, text: &str, span: Span, replacement: &str) -> Option<Span> {
    if !options.whole_line || !replacement.is_empty() {
        return None;
    }
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..span.start]).map_or(0, |i| i + 1);
    let Some(nl) = memchr::memchr(b'\n', &bytes[span.end..]) else {
        return Some(Span::new(start, text.len()));
    };
    let mut end = span.end + nl + 1;
    let prev_blank = start == 0 || {
        let prev_start = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |i| i + 1);
        is_blank(&bytes[prev_start..start - 1])
    };
    if prev_blank {
        while end < bytes.len() {
            let line_end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |i| end + i);
            if !is_blank(&bytes[end..line_end]) {
                break;
            }
            end = (line_end + 1).min(bytes.len());
        }
    }
    Some(Span::new(start, end))
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| b == b' ' || b == b'\t')
}

/// The edits that turn the match at `span` into the template's expansion, keeping in
/// place every group the template reproduces in order. `**$1**` → `$1` deletes the two
/// markers and leaves the emphasised text alone, so fixes inside it (a hard break in a
/// bold heading) do not collide with it.
fn template_edits(
    template: &Template,
    text: &str,
    span: Span,
    group: impl Fn(usize) -> Option<Span>,
) -> Vec<Edit> {
    let mut edits: Vec<Edit> = Vec::new();
    let mut at = span.start;
    let mut pending = String::new();
    let emit = |edits: &mut Vec<Edit>, from: usize, to: usize, pending: &mut String| {
        let replacement = std::mem::take(pending);
        match edits.last_mut() {
            // Edits that meet are one edit: a fix's edits may not touch.
            Some(last) if last.span.end == from => {
                let mut joined = last.replacement.to_string();
                joined.push_str(&replacement);
                *last = Edit::new(Span::new(last.span.start, to), joined);
            }
            _ => edits.push(Edit::new(Span::new(from, to), replacement)),
        }
    };
    for part in &template.0 {
        match part {
            TemplatePart::Text(s) => pending.push_str(s),
            TemplatePart::Group(g) => match group(*g) {
                None => {}
                Some(g) if g.start >= at && !g.is_empty() => {
                    if g.start > at || !pending.is_empty() {
                        emit(&mut edits, at, g.start, &mut pending);
                    }
                    at = g.end;
                }
                Some(g) => pending.push_str(&text[g.range()]),
            },
        }
    }
    if span.end > at || !pending.is_empty() {
        emit(&mut edits, at, span.end, &mut pending);
    }
    edits
}

/// The replacement of a case-insensitive literal in the case of the matched text:
/// `TEH` → `THE`, `Teh` → `The`, `teh` → `the`.
fn follow_case(matched: &str, replacement: &str) -> String {
    let mut letters = matched.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return replacement.to_owned();
    };
    let rest_upper = letters.clone().all(char::is_uppercase);
    let has_rest = letters.next().is_some();
    if first.is_uppercase() && has_rest && rest_upper {
        replacement.to_uppercase()
    } else if first.is_uppercase() {
        let mut chars = replacement.chars();
        match chars.next() {
            Some(c) => c.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    } else {
        replacement.to_owned()
    }
}

fn next_boundary(text: &str, at: usize) -> usize {
    let mut i = at + 1;
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(rules: &str) -> RuleSet {
        let text = format!("[meta]\ndescription = \"test\"\n{rules}");
        RuleSet::compile(vec![RuleFile::parse("t.toml", &text).unwrap()]).unwrap()
    }

    fn literal(id: &str, pattern: &str, replacement: &str, extra: &str) -> String {
        format!(
            "[[rule]]\nid = \"{id}\"\ndescription = \"d\"\nkind = \"literal\"\n\
             pattern = {pattern:?}\nreplacement = {replacement:?}\n{extra}\n"
        )
    }

    fn regex(id: &str, pattern: &str, replacement: &str, extra: &str) -> String {
        format!(
            "[[rule]]\nid = \"{id}\"\ndescription = \"d\"\nkind = \"regex\"\n\
             pattern = '{pattern}'\nreplacement = {replacement:?}\n{extra}\n"
        )
    }

    #[test]
    fn literals_of_all_rules_match_leftmost_longest() {
        let s = set(&(literal("a", "ab", "X", "") + &literal("b", "abc", "Y", "")));
        assert_eq!(s.apply_all("abc ab"), "Y X");
        let f = s.fixes("abc ab");
        assert_eq!(f[0].rule.as_str(), "t.b");
        assert_eq!(f[1].rule.as_str(), "t.a");
    }

    #[test]
    fn a_tie_goes_to_the_rule_listed_first() {
        let s = set(&(literal("first", "ab", "X", "") + &regex("second", "a.", "Y", "")));
        assert_eq!(s.fixes("ab")[0].rule.as_str(), "t.first");
        let s = set(&(regex("first", "a.", "Y", "") + &literal("second", "ab", "X", "")));
        assert_eq!(s.fixes("ab")[0].rule.as_str(), "t.first");
    }

    #[test]
    fn precedence_goes_by_the_changed_text_not_the_consumed_context() {
        let s = set(&(regex("ctx", r"(\s)\*\*(\w+)\*\*", "$1$2", "")
            + &regex("plain", r"\*\*(\w+)\*\*", "[$1]", "")));
        assert_eq!(s.fixes("a\n**b**")[0].rule.as_str(), "t.ctx");
        let s = set(&(regex("plain", r"\*\*(\w+)\*\*", "[$1]", "")
            + &regex("ctx", r"(\s)\*\*(\w+)\*\*", "$1$2", "")));
        assert_eq!(s.fixes("a\n**b**")[0].rule.as_str(), "t.plain");
    }

    #[test]
    fn whole_word_rejects_matches_inside_words_and_finds_the_next() {
        let s = set(&literal("teh", "teh", "the", "whole-word = true"));
        assert_eq!(s.apply_all("tehran teh; _teh teh"), "tehran the; _teh the");
    }

    #[test]
    fn case_insensitive_literals_follow_the_matched_case() {
        let s = set(&literal(
            "teh",
            "teh",
            "the",
            "case-insensitive = true\nwhole-word = true",
        ));
        assert_eq!(s.apply_all("teh Teh TEH"), "the The THE");
        // Non-ASCII literals fold through the regex engine.
        let s = set(&literal("e", "été", "summer", "case-insensitive = true"));
        assert_eq!(s.apply_all("ÉTÉ été"), "SUMMER summer");
    }

    #[test]
    fn whole_line_deletion_takes_the_line_break_and_keeps_paragraphs_apart() {
        let s = set(&literal("x", "Search in", "", "whole-line = true"));
        assert_eq!(s.apply_all("Search in\n\nText"), "Text");
        assert_eq!(s.apply_all("A\n\n  Search in \n\nB"), "A\n\nB");
        // After a paragraph line: the blank lines that separate it from the next stay.
        assert_eq!(s.apply_all("A\nSearch in\n\nB"), "A\n\nB");
        assert_eq!(s.apply_all("A\n\nSearch in"), "A\n\n");
        assert_eq!(
            s.apply_all("Search in here\nnot Search in"),
            "Search in here\nnot Search in"
        );
    }

    #[test]
    fn regex_fixes_keep_reproduced_groups_in_place() {
        let s = set(&regex("bold", r"\*\*([^*]+)\*\*", "$1", ""));
        let f = s.fixes("a **bold** b");
        assert_eq!(
            f[0].edits[..],
            [
                Edit::delete(Span::new(2, 4)),
                Edit::delete(Span::new(8, 10))
            ]
        );
        // A group the template moves is copied; the one it keeps in order stays put.
        let s = set(&regex("swap", r"(\w+) (\w+)", "$2 $1", ""));
        assert_eq!(s.apply_all("ab cd"), "cd ab");
        assert_eq!(
            s.fixes("ab cd")[0].edits[..],
            [Edit::delete(Span::new(0, 3)), Edit::insert(5, " ab")]
        );
    }

    #[test]
    fn fixes_inside_a_kept_group_apply_alongside_it() {
        let s =
            set(&(regex("bold", r"\*\*([^*]+)\*\*", "$1", "") + &regex("hb", r" {2,}$", "", "")));
        assert_eq!(s.apply_all("**a  \nb**"), "a\nb");
    }

    #[test]
    fn whole_line_rejections_skip_to_the_next_line() {
        let s = set(&regex("x", "a.*", "", "whole-line = true"));
        assert_eq!(s.apply_all("ba aaa\n  a b\nxa\n"), "ba aaa\nxa\n");
        // Linear: one long line of candidates is one rejection, not one per character.
        let long = "b".to_owned() + &"a".repeat(200_000);
        assert_eq!(s.fixes(&long).len(), 0);
    }

    #[test]
    fn a_rejected_whole_line_literal_hides_no_other_rules_match_on_its_line() {
        // The shared automaton skipped to the next line after rejecting "Search in" for
        // the text before it, and so missed the swap word after it on that line.
        let s = set(&(literal("x", "Search in", "", "whole-line = true")
            + &literal("w", "tlie", "the", "whole-word = true")));
        assert_eq!(
            s.apply_all("see Search in tlie index\ntlie"),
            "see Search in the index\nthe"
        );
        assert_eq!(s.apply_all("Search in\n\ntlie"), "the");
    }

    #[test]
    fn empty_regex_matches_do_not_loop() {
        let s = set(&regex("start", "^", "> ", ""));
        assert_eq!(s.apply_all("a\nb"), "> a\n> b");
    }

    #[test]
    fn many_regexes_use_the_prefilter_and_agree_with_running_each() {
        let mut rules = String::new();
        for i in 0..REGEX_SET_MIN + 2 {
            rules += &regex(&format!("r{i}"), &format!("x{i}y"), &format!("<{i}>"), "");
        }
        let s = set(&rules);
        assert!(s.prefilter.is_some());
        assert_eq!(s.apply_all("x3y x17y x99y"), "<3> <17> x99y");
    }

    #[test]
    fn the_anchored_literal_scan_agrees_with_reading_every_byte() {
        let files = ["web-residue", "markdown", "ocr-common"]
            .map(|name| super::super::builtin_set(name).unwrap())
            .to_vec();
        let mut s = RuleSet::compile(files).unwrap();
        let long = "x".repeat(ANCHORS_AFTER);
        assert!(s.exact.as_ref().is_some_and(|l| l.anchors(&long).is_some()));
        // Misreadings alone, glued into words, after text on a whole-line rule's
        // line, overlapping (`tliere` holds `tlie`), and near misses.
        let pieces = concat!(
            "tlie|Tliere|wbich|conld|Search in|Digital Archive|the| |  ",
            "|\n|\n\n|,|x|é|tli|witli|sucli|**|tbe"
        );
        let pieces: Vec<&str> = pieces.split('|').collect();
        let mut texts = Vec::new();
        let mut rng = crate::testing::XorShift(0x9e37_79b9_7f4a_7c15);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..10 {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            texts.push(text);
        }
        let anchored: Vec<String> = texts.iter().map(|t| format!("{:?}", s.fixes(t))).collect();
        s.exact.as_mut().unwrap().anchors = OnceLock::from(None);
        for (text, anchored) in texts.iter().zip(&anchored) {
            assert_eq!(&format!("{:?}", s.fixes(text)), anchored, "{text:?}");
        }
        assert!(anchored.iter().filter(|f| f.contains("li-for-h")).count() > 100);
    }

    #[test]
    fn follow_case_handles_single_letters_and_caseless_text() {
        assert_eq!(follow_case("I", "me"), "Me");
        assert_eq!(follow_case("12", "x"), "x");
        assert_eq!(follow_case("TeH", "the"), "The");
    }

    #[test]
    fn files_named_like_stages_or_like_each_other_are_rejected() {
        let f = |name: &str| RuleFile::parse(name, "[meta]\ndescription = \"x\"\n").unwrap();
        let e = RuleFile::parse("layout.toml", "[meta]\ndescription = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("built-in stage"), "{e}");
        let e = RuleSet::compile(vec![f("a/x.toml"), f("b/x.toml")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "b/x.toml: x is also the name of a/x.toml; rule ids would collide (rename one file)"
        );
    }
}
