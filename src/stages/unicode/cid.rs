//! `(cid:NN)` glyph codes: what pdfminer and its family (pdfplumber) print for a glyph
//! whose font has no Unicode mapping.
//!
//! The number is an index into the font, not a character, so in general nothing can be
//! recovered from it and the code is only reported. One use is recognisable by position
//! alone: a list bullet. A symbol font's bullet carries no mapping more often than any
//! letter does, and a list puts the same code at the start of line after line, each
//! time before the item's text (`(cid:127) Avoids copying…`). That code is turned into
//! `•`; every other code is reported for a person to look at.

use crate::fix::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::Proposals;

const CID_BULLET: RuleId = RuleId::from_static("unicode.cid-bullet");

/// The rule of this module.
pub(crate) const RULE: RuleInfo = RuleInfo::builtin(
    "unicode.cid-bullet",
    "unicode",
    Applicability::Safe,
    "An unmapped glyph `(cid:NN)` that opens list items becomes a bullet `•`.",
    "pdfminer and pdfplumber print `(cid:NN)` for a glyph the font does not map to \
     Unicode. A code that opens lines, before the item's text, and wherever it occurs \
     stands alone (never inside a word or before another code) is a list bullet from a \
     symbol font: it becomes `•`. Safe when the code opens two lines or more and at \
     least half of its occurrences do (the others are where an extractor ran two \
     columns together); Review when it opens only one line. Any other `(cid:NN)` is \
     reported (unicode.cid-code), never changed: its character cannot be known.\n\n\
     Example: `(cid:127) Avoids copying⏎(cid:127) Converts UTF-16` → `• Avoids copying⏎• \
     Converts UTF-16`.",
);

/// One `(cid:NN)` code in the text.
struct Code<'t> {
    span: Span,
    /// The digits.
    number: &'t str,
    /// A token of its own (`(cid:127) Avoids`), not part of a word or of a run of codes.
    alone: bool,
    /// Alone, and at the start of a line (after indentation).
    opens_line: bool,
}

/// Proposes bullets for the codes that open list items and reports every other code.
pub(crate) fn cid_codes(text: &str, out: &mut Proposals) {
    let bytes = text.as_bytes();
    let finder = memchr::memmem::Finder::new(b"(cid:");
    let codes: Vec<Code<'_>> = finder
        .find_iter(bytes)
        .filter_map(|at| {
            let rest = &bytes[at + 5..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || rest.get(digits) != Some(&b')') {
                return None;
            }
            let span = Span::new(at, at + 6 + digits);
            let (alone, opens_line) = position(text, span);
            Some(Code {
                span,
                number: &text[at + 5..at + 5 + digits],
                alone,
                opens_line,
            })
        })
        .collect();
    for code in &codes {
        let same = || codes.iter().filter(|c| c.number == code.number);
        let opening = same().filter(|c| c.opens_line).count();
        // Every occurrence stands before text, and most open lines (the others are
        // where an extractor ran two columns together).
        let bullet = code.alone && same().all(|c| c.alone) && 2 * opening >= same().count();
        if bullet && (opening >= 2 || code.opens_line) {
            let (applicability, confidence, why) = if opening >= 2 {
                (
                    Applicability::Safe,
                    0.9,
                    format!("opens {opening} lines before their text, and stands nowhere else but before text: a list bullet"),
                )
            } else {
                (
                    Applicability::Review,
                    0.6,
                    "opens a line before its text: probably a list bullet".to_owned(),
                )
            };
            out.push(
                Fix::single(CID_BULLET, applicability, Edit::new(code.span, "•"))
                    .with_confidence(confidence)
                    .with_message(format!("unmapped glyph (cid:{}) {why}", code.number)),
            );
            if applicability == Applicability::Safe {
                continue;
            }
        }
        out.diagnostic(
            Diagnostic::new(
                "unicode.cid-code",
                Severity::Warning,
                format!(
                    "unmapped glyph {}: the extractor could not recover this character",
                    &text[code.span.range()]
                ),
            )
            .with_span(code.span),
        );
    }
}

/// Whether the code is a token of its own, not before another code, and whether it
/// also opens its line (after indentation).
fn position(text: &str, span: Span) -> (bool, bool) {
    let before = &text[..span.start];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let indent_only = before[line_start..]
        .bytes()
        .all(|b| b == b' ' || b == b'\t');
    let after = &text[span.end..];
    let item = after.trim_start_matches([' ', '\t']);
    // A bullet whose item the extractor put on the next line stands before a line end.
    let alone = (before.is_empty() || before.ends_with([' ', '\t', '\n']))
        && (after.is_empty() || after.starts_with([' ', '\t', '\n', '\r']))
        && !item.starts_with("(cid:");
    (alone, alone && indent_only)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Proposals {
        let mut out = Proposals::default();
        cid_codes(text, &mut out);
        out
    }

    #[test]
    fn codes_that_open_list_items_become_bullets() {
        let out = run("Features:\n(cid:127) Avoids copying\n  (cid:127) Converts UTF-16\n");
        assert_eq!(out.fixes.len(), 2);
        assert!(out
            .fixes
            .iter()
            .all(|f| f.applicability == Applicability::Safe && &*f.edits[0].replacement == "•"));
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn a_bullet_run_into_the_middle_of_a_line_by_merged_columns_is_one_too() {
        let out = run(
            "(cid:127) Avoids copying and (cid:127) Maps the\n(cid:127) Converts\n(cid:127)\nx\n",
        );
        assert_eq!(out.fixes.len(), 4);
        assert!(out.diagnostics.is_empty());
    }

    #[test]
    fn a_single_opening_code_is_for_review_and_still_reported() {
        let out = run("(cid:127) Avoids copying\n");
        assert_eq!(out.fixes.len(), 1);
        assert_eq!(out.fixes[0].applicability, Applicability::Review);
        assert_eq!(out.diagnostics.len(), 1);
    }

    #[test]
    fn codes_inside_text_or_of_an_unmapped_font_are_only_reported() {
        // Used inside a word as well as at line starts: a letter, not a bullet.
        let out = run("(cid:36) cat\n(cid:36) dog and b(cid:36)d\n(cid:12)(cid:345) x\n");
        assert!(out.fixes.is_empty());
        assert_eq!(out.diagnostics.len(), 5);
        // A run of codes at a line start is not a bullet before text.
        let out = run("(cid:40) (cid:41)(cid:42)\n(cid:40) (cid:43)\n");
        assert!(out.fixes.is_empty());
    }
}
