//! The garble stage: runs of text that are not text — leaked PDF content-stream syntax
//! and letter soup — found, and removed, marked or reported.
//!
//! Two detectors feed one decision. [`operators`] parses content-stream grammar and
//! yields runs with their evidence (and the text of well-formed `TJ` operands);
//! [`soup`] scores every token against a model of what text looks like and segments
//! each line into text and garble with a two-state Viterbi pass, with the operator runs
//! as tokens of overwhelming garble evidence. Each garble segment becomes one fix whose
//! span [`edit`] widens over the whitespace that joined it to the text, so removal
//! leaves `sentence.` and not `sentence. `, and a garbage line goes with its line break.

pub(crate) mod model;
mod operators;
mod soup;

use crate::fix::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, GarblePolicy, Proposals, Stage};

const CONTENT_STREAM: RuleId = RuleId::from_static("garble.content-stream");
const DECODED_TJ: RuleId = RuleId::from_static("garble.decoded-tj");
const LETTER_SOUP: RuleId = RuleId::from_static("garble.letter-soup");

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[
    RuleInfo::builtin(
        "garble.content-stream",
        "garble",
        Applicability::Safe,
        "remove leaked PDF content-stream syntax (operators, operands, TJ arrays)",
        "A broken extractor can dump the page's drawing program into the text: text \
         operators (`BT`, `Tf`, `Td`, `Tm`, `TJ`, `Tj`, `T*`, `ET`), graphics state and \
         painting operators (`q`, `Q`, `cm`, `re`, `rg`), names (`/F3`), hex strings and \
         kerned string arrays. The rule parses that grammar and fires only on evidence \
         of it: an operator preceded by the operands it takes (`/F3 11 Tf`, `73.8 617.3 \
         Td`), or kerning glued between strings (`)-28(`). A letter that is also an \
         operator — `a`, `f`, `Q`, `n` — counts only with its operands, so `Q&A`, `f(x)` \
         and `s/regex/repl/g` are left alone. Runs with strong evidence are removed \
         (applicability safe); weaker ones are proposed for review.\n\n\
         Example: `… the crises ET Q q 0 0 0 rg BT 295.7 47.2 Td /F3 11 Tf[<04>4<112d>]TJ \
         in Eastern Europe` becomes `… the crises in Eastern Europe`.",
    ),
    RuleInfo::builtin(
        "garble.decoded-tj",
        "garble",
        Applicability::Safe,
        "replace a leaked, well-formed TJ/Tj operand with the text it shows",
        "Where leaked content-stream syntax contains a complete text-showing operand — \
         `[(…) n (…)]TJ` or `(…)Tj` with plain strings — the strings are the text the \
         page shows, so the run is replaced by that text instead of being deleted. In a \
         `TJ` array a kerning value below −200 (thousandths of an em) is a word space; \
         smaller ones are letter spacing. Hex strings and strings with octal escapes are \
         glyph ids of a font subset and cannot be decoded without the font: such runs are \
         removed by `garble.content-stream`. Like that rule, applied when the run's \
         grammar evidence is strong, proposed for review otherwise.\n\n\
         Example: `as [(Ho)-28(w)-333(ev)28(er,)]TJ the` becomes `as How ever, the`.",
    ),
    RuleInfo::builtin(
        "garble.letter-soup",
        "garble",
        Applicability::Safe,
        "remove runs of scrambled letters (letter soup) left by broken extractors",
        "Extractors that misread a font's encoding or the order of glyphs produce runs \
         of word fragments, glued words, digits inside words and stray operator names: \
         `hifos46Am rcldTJ arocum archean igniblaadce;f-6ctiura`. Every token is scored \
         against a model of English text (the dictionary, a character trigram model \
         trained on the shipped word-frequency list and the repository's clean seed \
         documents, and shapes prose does not have: digits inside words, capitals \
         inside lowercase words, operator names, misplaced brackets, words run \
         together, pieces cut from longer words of the same document), weighs each \
         known word by whether it forms a common pair with a neighbour (prose words \
         do, the stray words soup carries do not), and a two-state hidden Markov \
         model segments each line into text and garble, so a run is found only where \
         several tokens in a row are unlike text, and the real sentence before it \
         keeps its last character. A run spliced into a line of hard-wrapped text \
         shows where it stands even without a shape: the line runs far past the \
         document's measure, and taking the run out restores it; and the few words \
         between a sure run and the end of its line go with it when they do not go \
         on into the next line, as the text before the run does. Names, \
         transliterations (`Gheorghiu-Dej`, `[dogovorit'sia]`), archival references \
         (`F. 3, Op. 12, D. 1005`), numbers, URLs, command-line options and other \
         languages are pronounceable or regular, so they stay; so do words written \
         without spaces (`iftheoption`), OCR's digits for letters (`c0mmittee`) and \
         code whose brackets pair up. Runs with strong evidence — above all the \
         marks of a content stream: numbers glued into words, operator names, \
         brackets that do not pair up — are removed (safe); weaker ones are proposed \
         for review.\n\n\
         Example: `… on this period. As a and bel waped bea loy hifos46Am rcldTJ arocum` \
         becomes `… on this period.`",
    ),
];

/// The garble stage.
pub(crate) struct Garble;

impl Stage for Garble {
    fn name(&self) -> &'static str {
        "garble"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        let code = fenced_code(text);
        for run in soup::find(text) {
            let letters = &text[run.span.range()];
            if run.kind == RunKind::LetterSoup && (is_list_of_names(letters) || is_list(letters)) {
                continue;
            }
            if code
                .iter()
                .any(|block| block.start <= run.span.start && run.span.end <= block.end)
            {
                continue;
            }
            propose(text, &run, cx, out);
        }
    }
}

/// The fenced code blocks of a Markdown document (between lines that open with three
/// backticks or tildes): code quoted on purpose, whose brackets open on one line and
/// close on another (`assert_eq!(matches, vec![`), is never garble. Extractors do not
/// write fences, so text from PDFs has none.
fn fenced_code(text: &str) -> Vec<Span> {
    let mut blocks = Vec::new();
    // One scan for the fences' rare bytes: no three in a row, no fence.
    let bytes = text.as_bytes();
    let has_fence = memchr::memchr2_iter(b'`', b'~', bytes).any(|i| {
        let c = bytes[i];
        bytes.get(i..i + 3) == Some(&[c, c, c][..])
    });
    if !has_fence {
        return blocks;
    }
    let mut open: Option<(usize, &str)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let body = &line[indent..];
        let fence = ["```", "~~~"]
            .into_iter()
            .find(|f| indent <= 3 && body.starts_with(f));
        match (open, fence) {
            (None, Some(f)) => open = Some((at + line.len(), f)),
            (Some((start, f)), Some(g))
                if f == g
                    && body
                        .trim_end()
                        .trim_start_matches(f.as_bytes()[0] as char)
                        .is_empty() =>
            {
                blocks.push(Span::new(start, at));
                open = None;
            }
            _ => {}
        }
        at += line.len();
    }
    blocks
}

/// True when `run` is a list of names — package names, manual pages, identifiers —
/// separated by commas (and a final `and` / `or`): `libc6, libgcc-s1, zlib1g, libssl3`,
/// `perlreftut, perllol, perlref and perldsc`; or a pair of identifiers written as
/// code, with a digit, an inner capital, an underscore or call parentheses each:
/// `secp384r1 and secp521r1`, `` `Ipv4Ttl` and `Ipv6Ttl` ``, `py3compile, py3clean`.
///
/// Such names are unknown to the dictionary and unlike English letter by letter, so the
/// model scores them like soup; but scrambled text does not come out as a tidy list of
/// single tokens, each followed by a comma, nor as two lone tokens joined by a
/// conjunction. Found on Debian's own documentation and Rust crates' change logs.
fn is_list_of_names(run: &str) -> bool {
    let items: Vec<&str> = run
        .split(',')
        .flat_map(|item| item.split(" and ").flat_map(|i| i.split(" or ")))
        .map(|item| {
            let item = item.trim();
            let item = item.strip_prefix("and ").unwrap_or(item);
            let item = item.strip_prefix("or ").unwrap_or(item);
            // Names are often quoted as code: `` `aarch64`, `s390x` ``.
            item.trim_end_matches(['.', ';', ':'])
                .trim_matches(['`', '\'', '"', '‘', '’', '“', '”'])
        })
        .filter(|item| !item.is_empty())
        .collect();
    let joined = run.trim_end_matches([',', '.', ';', ':']);
    let separators = joined.matches(',').count()
        + joined.matches(" and ").count()
        + joined.matches(" or ").count();
    let pair_of_code = items.len() == 2 && separators == 1 && items.iter().all(|i| is_code(i));
    (pair_of_code || (items.len() >= 3 && run.matches(',').count() >= 2))
        && items.iter().all(|item| {
            (1..=40).contains(&item.len())
                && item.bytes().any(|b| b.is_ascii_alphabetic())
                && item.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(b, b'-' | b'_' | b'.' | b'+' | b'(' | b')')
                })
        })
}

/// True when `run` is written as a list: at least a third of its tokens, and two at
/// least, end with a comma (`fadd, faddl, daddl and corresponding fMaddfN, fMaddfNx`,
/// `by R, u8, u8R, u, uR, U, UR, L, or LR.`). Release notes and manuals list the names
/// of functions, targets and options so, names that are unlike English letter by
/// letter; letter soup is fragments joined by spaces — none of the 628 tokens of the
/// dev split's injected runs ends with a comma, and the runs of seed 002 have one at
/// most.
fn is_list(run: &str) -> bool {
    let (mut tokens, mut commas) = (0usize, 0usize);
    for token in run.split_whitespace() {
        tokens += 1;
        commas += usize::from(token.ends_with(','));
    }
    commas >= 2 && commas * 3 >= tokens
}

/// An identifier as code writes it: with a digit (`secp384r1`), a capital after a
/// lowercase letter (`vxCpuLib`), an underscore, or call parentheses (`xmlAddChild()`).
fn is_code(item: &str) -> bool {
    let bytes = item.as_bytes();
    bytes.iter().any(u8::is_ascii_digit)
        || bytes.contains(&b'_')
        || item.ends_with("()")
        || bytes
            .windows(2)
            .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
}

/// A run the detectors agree is not text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GarbleRun {
    /// The run, without surrounding whitespace.
    pub span: Span,
    /// What kind of garble it mostly is.
    pub kind: RunKind,
    /// How sure the detectors are, in `0.0..=1.0`.
    pub confidence: f32,
    /// Text decoded from well-formed `TJ`/`Tj` operands inside the run; kept in place of
    /// the run when not empty.
    pub decoded: String,
    /// The evidence, for the message.
    pub evidence: String,
}

/// Which detector dominates a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunKind {
    ContentStream,
    LetterSoup,
}

/// Runs at least this sure are removed without review.
const SAFE_CONFIDENCE: f32 = 0.9;

fn propose(text: &str, run: &GarbleRun, cx: &Context, out: &mut Proposals) {
    let shown = shorten(&text[run.span.range()]);
    if cx.options.garble == GarblePolicy::Keep {
        out.diagnostic(
            Diagnostic::new(
                "garble.kept",
                Severity::Warning,
                format!("garble kept ({}): {shown}", run.evidence),
            )
            .with_span(run.span),
        );
        return;
    }
    let (rule, replacement) = match (cx.options.garble, run.decoded.is_empty()) {
        (GarblePolicy::Mark, _) => (rule_of(run), cx.options.garble_marker.as_str()),
        (_, false) => (DECODED_TJ, run.decoded.as_str()),
        (_, true) => (rule_of(run), ""),
    };
    let applicability = if run.confidence >= SAFE_CONFIDENCE {
        Applicability::Safe
    } else {
        Applicability::Review
    };
    let verb = match (replacement.is_empty(), rule == DECODED_TJ) {
        (true, _) => "removed".to_owned(),
        (false, true) => format!("decoded to '{replacement}'"),
        (false, false) => "marked".to_owned(),
    };
    out.push(
        Fix::single(rule, applicability, edit(text, run.span, replacement))
            .with_confidence(run.confidence)
            .with_message(format!("{verb} {shown}: {}", run.evidence)),
    );
}

fn rule_of(run: &GarbleRun) -> RuleId {
    match run.kind {
        RunKind::ContentStream => CONTENT_STREAM,
        RunKind::LetterSoup => LETTER_SOUP,
    }
}

/// The run quoted for a message: whole if short, else its ends.
fn shorten(s: &str) -> String {
    const KEEP: usize = 24;
    if s.chars().count() <= 2 * KEEP + 1 {
        return format!("'{s}'");
    }
    let head: String = s.chars().take(KEEP).collect();
    let tail: String = {
        let mut t: Vec<char> = s.chars().rev().take(KEEP).collect();
        t.reverse();
        t.into_iter().collect()
    };
    format!("'{head}…{tail}'")
}

/// The edit that replaces `run` with `replacement`, widened over the whitespace that
/// joined the run to its text:
///
/// - a run that fills its lines is deleted with its line break;
/// - a run that ends its line takes the spaces before it (`sentence. GARBAGE` →
///   `sentence.`);
/// - a run between two words takes the spaces after it, leaving the ones before: one
///   space stays between the halves of the sentence.
///
/// A replacement (a marker, decoded text) keeps the whitespace as it was.
fn edit(text: &str, run: Span, replacement: &str) -> Edit {
    if !replacement.is_empty() {
        return Edit::new(run, replacement);
    }
    let bytes = text.as_bytes();
    // Not form feeds: they are page breaks, which the layout stage reads.
    let is_blank = |b: u8| b == b' ' || b == b'\t' || b == b'\r';
    let mut before = run.start;
    while before > 0 && is_blank(bytes[before - 1]) {
        before -= 1;
    }
    let mut after = run.end;
    while after < bytes.len() && is_blank(bytes[after]) {
        after += 1;
    }
    let starts_line = before == 0 || bytes[before - 1] == b'\n';
    let ends_line = after == bytes.len() || bytes[after] == b'\n';
    let span = match (starts_line, ends_line) {
        // A paragraph of its own: take one of the blank lines around it too, so the
        // paragraphs before and after stay one blank line apart.
        (true, true)
            if blank_line_at(bytes, after + 1)
                && before >= 1
                && blank_line_ends_at(bytes, before - 1) =>
        {
            Span::new(before, next_line(bytes, after + 1))
        }
        (true, true) if after < bytes.len() => Span::new(before, after + 1),
        // The last line: take the line break before it instead.
        (true, true) if before > 0 => Span::new(before - 1, after),
        (true, true) => Span::new(before, after),
        (false, true) => Span::new(before, after),
        (true, false) => Span::new(before, after),
        (false, false) if before < run.start && after > run.end => Span::new(run.start, after),
        (false, false) => run,
    };
    Edit::delete(span)
}

/// Whether the line starting at `at` holds only blanks (and is not past the end).
fn blank_line_at(bytes: &[u8], at: usize) -> bool {
    at < bytes.len()
        && bytes[at..next_line(bytes, at)]
            .iter()
            .all(u8::is_ascii_whitespace)
}

/// Whether the line ending at the line break at `at` (exclusive) holds only blanks.
fn blank_line_ends_at(bytes: &[u8], at: usize) -> bool {
    let start = bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    bytes[start..at].iter().all(u8::is_ascii_whitespace)
}

/// The start of the line after the one containing `at` (or the end of the text).
fn next_line(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn removed(text: &str, core: &str) -> String {
        let start = text.find(core).unwrap();
        let e = edit(text, Span::new(start, start + core.len()), "");
        format!("{}{}", &text[..e.span.start], &text[e.span.end..])
    }

    #[test]
    fn removal_takes_the_whitespace_that_joined_the_run() {
        assert_eq!(
            removed("sentence. GARB X\nnext", "GARB X"),
            "sentence.\nnext"
        );
        assert_eq!(removed("one\nGARB X\ntwo", "GARB X"), "one\ntwo");
        assert_eq!(removed("one\n\nGARB X\n\ntwo", "GARB X"), "one\n\ntwo");
        assert_eq!(removed("one\nGARB X", "GARB X"), "one");
        assert_eq!(
            removed("half of GARB X the sentence", "GARB X"),
            "half of the sentence"
        );
        assert_eq!(removed("GARB X rest", "GARB X"), "rest");
        assert_eq!(removed("glued.GARB X rest", "GARB X"), "glued. rest");
    }

    const LEAK: &str = "The effects of the crises\n)-4<04>4<112d>]TJ ET Q q 0 0 0 rg BT 295.7 47.2 Td /F3 11 Tf[<1f>1( )1(!)]TJ\nin Eastern Europe.";

    fn proposals(text: &str, policy: GarblePolicy) -> Proposals {
        let mut cx = Context::default();
        cx.options.garble = policy;
        cx.options.garble_marker = "[garbled]".to_owned();
        let mut out = Proposals::default();
        Garble.run(&Document::new(text), &cx, &mut out);
        out
    }

    #[test]
    fn remove_policy_deletes_the_run_with_its_line_break() {
        let out = proposals(LEAK, GarblePolicy::Remove);
        assert_eq!(out.fixes.len(), 1);
        let fix = &out.fixes[0];
        assert_eq!(fix.rule, CONTENT_STREAM);
        assert_eq!(fix.applicability, Applicability::Safe);
        let e = &fix.edits[0];
        let after = format!("{}{}", &LEAK[..e.span.start], &LEAK[e.span.end..]);
        assert_eq!(after, "The effects of the crises\nin Eastern Europe.");
    }

    #[test]
    fn mark_policy_replaces_the_run_with_the_marker() {
        let out = proposals(LEAK, GarblePolicy::Mark);
        assert_eq!(out.fixes.len(), 1);
        assert_eq!(&*out.fixes[0].edits[0].replacement, "[garbled]");
        assert!(LEAK[out.fixes[0].edits[0].span.range()].starts_with(")-4<04>"));
    }

    #[test]
    fn keep_policy_reports_without_fixing() {
        let out = proposals(LEAK, GarblePolicy::Keep);
        assert!(out.fixes.is_empty());
        assert_eq!(out.diagnostics.len(), 1);
        assert_eq!(out.diagnostics[0].code, "garble.kept");
        assert_eq!(out.diagnostics[0].severity, Severity::Warning);
    }

    #[test]
    fn well_formed_tj_operands_are_kept_as_text() {
        let text =
            "as\n[(Ho)-28(w)-333(ev)28(er,)-333(the)]TJ 0 -12 Td [(rule)-333(holds)]TJ\nthen.";
        let out = proposals(text, GarblePolicy::Remove);
        assert_eq!(out.fixes.len(), 1);
        assert_eq!(out.fixes[0].rule, DECODED_TJ);
        assert_eq!(
            &*out.fixes[0].edits[0].replacement,
            "How ever, the rule holds"
        );
    }

    #[test]
    fn pairs_of_identifiers_are_lists_of_names_and_pairs_of_soup_are_not() {
        for names in [
            "secp384r1 and secp521r1,",
            "`Ipv4Ttl` and `Ipv6Ttl`",
            "py3compile, py3clean",
            "xmlRemoveID() or xmlRemoveRef()",
        ] {
            assert!(is_list_of_names(names), "{names}");
        }
        for soup in [
            "hifos46Am rcldTJ arocum",
            "waped and bea",
            "no0.0y3 to3 ot oNewAPT",
            "secp384r1 and secp521r1 and x25519",
        ] {
            assert!(!is_list_of_names(soup), "{soup}");
        }
    }

    #[test]
    fn runs_written_as_lists_are_names_and_soup_is_not() {
        for list in [
            "fadd, faddl, daddl and corresponding fMaddfN, fMaddfNx, fMxaddfN",
            "by R, u8, u8R, u, uR, U, UR, L, or LR.",
            "borna-blazevic, caoxia2008cxx,",
        ] {
            assert!(is_list(list), "{list}");
        }
        for soup in [
            "Alb tua d -1vTJht, aons.",
            "ob0, notrtg T* Jv5II waputrtg T* Jv",
            "hifos46Am, rcldTJ arocum archean igniblaadce;f-6 ontotf, sitt0.0y3",
        ] {
            assert!(!is_list(soup), "{soup}");
        }
    }

    #[test]
    fn runs_inside_fenced_code_are_left_alone() {
        let text = "Example:\n\n```rust\nassert_eq!(matches, vec![\n    1, 2,\n]);\n```\n\nEnd.\n";
        let blocks = fenced_code(text);
        assert_eq!(blocks.len(), 1);
        assert!(text[blocks[0].range()].starts_with("assert_eq!"));
        assert!(text[blocks[0].range()].ends_with("]);\n"));
        assert!(fenced_code("no fences here").is_empty());
        assert!(fenced_code("`code`, ``x``, ~/.profile, ~~x~~\n``").is_empty());
        assert_eq!(fenced_code("~~~\ncode\n~~~\n").len(), 1);
        // An unclosed fence is no block.
        assert!(fenced_code("```\ncode").is_empty());
    }

    #[test]
    fn every_rule_is_documented_with_an_example() {
        for r in RULES {
            assert!(r.explanation.contains("Example"), "{}", r.id);
            assert!(r.id.starts_with("garble."));
        }
    }
}
