//! The unicode stage: characters that are encoding debris rather than text.
//!
//! Repairs mojibake (UTF-8 read as windows-1252 or Latin-1, see [`mojibake`]), expands
//! the typographic ligatures PDF fonts leave behind (`ﬁ` → `fi`), removes soft hyphens
//! and zero-width characters, turns Unicode spaces into ASCII spaces, puts text in NFC,
//! and turns glyph names that extractors printed for unmapped glyphs back into
//! characters (`/quotesingle.ts1` → `'`, see [`glyphs`]) and glyph codes that open
//! list items into bullets (see [`cid`]). It *reports* — never deletes — what it cannot
//! repair: other `(cid:NN)` glyph codes, U+FFFD replacement characters and private-use
//! characters each mean text was lost at extraction, and only a person can decide what
//! to do.
//!
//! The author's typography is not this stage's business: curly quotes, dashes,
//! ellipses and superscript digits pass through (the `typography` rule set, off by
//! default, normalises them for those who want it).

mod accents;
mod cid;
mod glyphs;
mod mojibake;

use crate::fix::{Applicability, Diagnostic, Edit, Fix, RuleId, Severity};
use crate::registry::RuleInfo;
use crate::span::Span;
use crate::stage::{Context, Document, Proposals, Stage};

const MOJIBAKE: RuleId = RuleId::from_static("unicode.mojibake");
const LIGATURE: RuleId = RuleId::from_static("unicode.ligature");
const SOFT_HYPHEN: RuleId = RuleId::from_static("unicode.soft-hyphen");
const INVISIBLE: RuleId = RuleId::from_static("unicode.invisible");
const SPACE: RuleId = RuleId::from_static("unicode.space");
const NFC: RuleId = RuleId::from_static("unicode.nfc");
const CONTROL: RuleId = RuleId::from_static("unicode.control-char");

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[
    mojibake::RULE,
    glyphs::RULE,
    cid::RULE,
    accents::RULE,
    RuleInfo::builtin(
        "unicode.ligature",
        "unicode",
        Applicability::Safe,
        "Typographic ligatures U+FB00–U+FB06 are expanded (`ﬁ` → `fi`).",
        "PDF fonts draw `fi`, `fl`, `ff`, `ffi`, `ffl` and `st` as single glyphs, and \
         extractors copy the glyph's code point. The letters are what the author wrote; \
         the ligature is typesetting.\n\n\
         Example: `ﬁnancial eﬀort` → `financial effort`.",
    ),
    RuleInfo::builtin(
        "unicode.soft-hyphen",
        "unicode",
        Applicability::Safe,
        "Soft hyphens (U+00AD) inside lines are removed.",
        "A soft hyphen marks where a word *may* break; inside a line it is invisible and \
         only breaks searches and word counts. A soft hyphen at the end of a line is a real \
         line-break hyphenation and is left for the layout stage, which joins the word.\n\n\
         Example: `re\\u{ad}pair` → `repair`.",
    ),
    RuleInfo::builtin(
        "unicode.invisible",
        "unicode",
        Applicability::Safe,
        "Zero-width spaces, joiners, word joiners and stray byte-order marks are removed.",
        "U+200B, U+2060 and U+FEFF carry no text. U+200C and U+200D (non-joiner, \
         joiner) are removed between Latin, Greek or Cyrillic letters, where they are \
         extraction debris, but kept next to letters of scripts that need them (Arabic, \
         Persian, Indic) and inside emoji sequences.\n\n\
         Example: `zero\\u{200b}width` → `zerowidth`.",
    ),
    RuleInfo::builtin(
        "unicode.space",
        "unicode",
        Applicability::Safe,
        "No-break and other Unicode space characters become an ASCII space.",
        "NBSP (U+00A0), the typographic spaces U+2000–U+200A, narrow NBSP (U+202F), \
         medium mathematical space (U+205F), ideographic space (U+3000) and Ogham space \
         (U+1680) become U+0020, so that words split and compare as they read.\n\n\
         Example: `10\\u{a0}km` → `10 km`.",
    ),
    RuleInfo::builtin(
        "unicode.nfc",
        "unicode",
        Applicability::Safe,
        "Decomposed characters are composed (Unicode NFC).",
        "A letter followed by a combining accent (`e` + U+0301) and the precomposed \
         letter (`é`) are the same text to a reader but not to a search. NFC keeps one \
         form. Compatibility characters are not touched (that would be NFKC, which also \
         rewrites superscripts and fractions).\n\n\
         Example: `Mate\\u{301}` → `Maté`.",
    ),
    RuleInfo::builtin(
        "unicode.control-char",
        "unicode",
        Applicability::Safe,
        "C1 control characters left after mojibake repair are removed.",
        "The decode stage leaves a C1 control (U+0080–U+009F) that follows a Latin-1 \
         letter, because it may be a byte of mojibake. When the mojibake rule does not \
         claim it, it is debris and goes.\n\n\
         Example: `x\\u{e9}\\u{85}y` → `xéy`.",
    ),
];

/// The unicode stage, in two passes.
///
/// Invisible characters go first, in a pass of their own, because they can sit inside
/// mojibake and hide it: `Ã\u{ad}©` is `é` once the soft hyphen is gone. Removing them in
/// the same pass as the mojibake repair would leave that repair to the *next* run of
/// recto, and cleaning must be idempotent. No-break spaces and C1 controls, on the other
/// hand, are often *bytes* of mojibake (`Ã\u{a0}` is `à`), so the second pass looks for
/// mojibake before it normalises them.
pub(crate) enum Unicode {
    /// Soft hyphens inside lines, zero-width characters, stray byte-order marks.
    Invisible,
    /// Mojibake, ligatures, spaces, NFC, C1 controls; diagnostics.
    Characters,
}

impl Stage for Unicode {
    fn name(&self) -> &'static str {
        "unicode"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let text = doc.text();
        if matches!(self, Unicode::Characters) {
            cid::cid_codes(text, out);
            glyphs::find_glyph_names(text, &cx.lexicon, out);
        }
        if text.is_ascii() {
            return;
        }
        let repairs = match self {
            Unicode::Invisible => Vec::new(),
            Unicode::Characters => mojibake::find_mojibake(text),
        };
        if !repairs.is_empty() {
            // A repaired run can form new mojibake with its neighbours (`Ã\u{a0}©©`
            // → `à©©`, itself three mis-decoded bytes): look again once it is applied.
            out.request_another_round();
        }
        let mut claimed: Vec<Span> = Vec::with_capacity(repairs.len());
        for r in repairs {
            claimed.push(r.span);
            out.push(
                Fix::single(
                    MOJIBAKE,
                    Applicability::Safe,
                    Edit::new(r.span, r.replacement),
                )
                .with_message(format!(
                    "UTF-8 read as windows-1252/Latin-1{}",
                    if r.layers > 1 {
                        format!(", {} layers", r.layers)
                    } else {
                        String::new()
                    }
                )),
            );
        }
        let in_mojibake = |at: usize| {
            let i = claimed.partition_point(|s| s.end <= at);
            claimed.get(i).is_some_and(|s| s.start <= at)
        };
        let mut problems = ProblemRuns::default();
        let bytes = text.as_bytes();
        let mut at = 0;
        while let Some(start) = next_non_ascii(bytes, at) {
            // Combining marks attach to the character before them, which may be ASCII.
            let seg_from = if start > 0 { start - 1 } else { start };
            let mut end = start;
            let mut chars = text[start..].char_indices();
            for (off, c) in chars.by_ref() {
                if c.is_ascii() {
                    break;
                }
                end = start + off + c.len_utf8();
            }
            match self {
                Unicode::Invisible => remove_invisible(text, start, end, out),
                Unicode::Characters => {
                    scan_run(text, seg_from, start, end, &in_mojibake, out, &mut problems);
                    accents::find_spacing_accents(text, start, end, &in_mojibake, out);
                }
            }
            at = end;
        }
        problems.flush(out);
        // Any repair here (a space, a removed control) can complete mojibake next to a
        // lead letter `Â`..`ô` (all encoded C3 xx): `aÃ` + a repaired space is `aà`.
        if matches!(self, Unicode::Characters)
            && !out.fixes.is_empty()
            && memchr::memchr(0xC3, text.as_bytes()).is_some()
        {
            out.request_another_round();
        }
    }
}

/// Proposes fixes for the non-ASCII run `start..end` (`seg_from` is where its first
/// combining sequence may begin).
fn scan_run(
    text: &str,
    seg_from: usize,
    start: usize,
    end: usize,
    in_mojibake: &dyn Fn(usize) -> bool,
    out: &mut Proposals,
    problems: &mut ProblemRuns,
) {
    let run = &text[start..end];
    // The quick check settles almost every run without normalising anything.
    use unicode_normalization::{is_nfc_quick, IsNormalized};
    if is_nfc_quick(text[seg_from..end].chars()) != IsNormalized::Yes
        && !unicode_normalization::is_nfc(&text[seg_from..end])
    {
        propose_nfc(text, seg_from, end, in_mojibake, out);
    }
    for (off, c) in run.char_indices() {
        let i = start + off;
        if in_mojibake(i) {
            continue;
        }
        let span = Span::new(i, i + c.len_utf8());
        match c {
            '\u{FB00}'..='\u{FB06}' => out.push(
                Fix::single(LIGATURE, Applicability::Safe, Edit::new(span, ligature(c)))
                    .with_message(format!("expanded ligature {c}")),
            ),
            c if is_unicode_space(c) => out.push(
                Fix::single(SPACE, Applicability::Safe, Edit::new(span, " "))
                    .with_message(format!("U+{:04X} → space", c as u32)),
            ),
            '\u{80}'..='\u{9F}' => out.push(
                Fix::single(CONTROL, Applicability::Safe, Edit::delete(span))
                    .with_message(format!("removed C1 control U+{:04X}", c as u32)),
            ),
            '\u{FFFD}' => problems.note(Problem::Replacement, span),
            '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}' => {
                problems.note(Problem::PrivateUse, span)
            }
            _ => {}
        }
    }
}

/// Proposes the removal of soft hyphens inside lines and of invisible characters in
/// the non-ASCII run `start..end`.
fn remove_invisible(text: &str, start: usize, end: usize, out: &mut Proposals) {
    for (off, c) in text[start..end].char_indices() {
        let span = Span::new(start + off, start + off + c.len_utf8());
        match c {
            '\u{AD}' if !(at_line_end(text, span.end) && after_letter(text, span.start)) => out
                .push(Fix::single(
                    SOFT_HYPHEN,
                    Applicability::Safe,
                    Edit::delete(span),
                )),
            '\u{200B}' | '\u{2060}' | '\u{FEFF}' => out.push(
                Fix::single(INVISIBLE, Applicability::Safe, Edit::delete(span))
                    .with_message(format!("removed U+{:04X}", c as u32)),
            ),
            '\u{200C}' | '\u{200D}' if !joiner_is_meaningful(text, span) => out.push(
                Fix::single(INVISIBLE, Applicability::Safe, Edit::delete(span))
                    .with_message(format!("removed U+{:04X}", c as u32)),
            ),
            _ => {}
        }
    }
}

/// Proposes one NFC fix per combining sequence in `from..end` that is not in NFC.
fn propose_nfc(
    text: &str,
    from: usize,
    end: usize,
    in_mojibake: &dyn Fn(usize) -> bool,
    out: &mut Proposals,
) {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    let mut iter = text[from..end].char_indices().peekable();
    while let Some((off, first)) = iter.next() {
        let start = from + off;
        let mut seq_end = start + first.len_utf8();
        while let Some(&(o, c)) = iter.peek() {
            if !is_combining_mark(c) {
                break;
            }
            iter.next();
            seq_end = from + o + c.len_utf8();
        }
        let seq = &text[start..seq_end];
        // A Unicode space becomes an ASCII space (`unicode.space`), which NFC would only
        // get in the way of (U+2000 is NFC U+2002, still not a space to a search).
        if !seq.is_ascii()
            && !is_unicode_space(first)
            && !unicode_normalization::is_nfc(seq)
            && !in_mojibake(start)
        {
            let composed: String = seq.nfc().collect();
            out.push(
                Fix::single(
                    NFC,
                    Applicability::Safe,
                    Edit::new(Span::new(start, seq_end), composed),
                )
                .with_message("composed to NFC"),
            );
        }
    }
}

fn ligature(c: char) -> &'static str {
    match c {
        '\u{FB00}' => "ff",
        '\u{FB01}' => "fi",
        '\u{FB02}' => "fl",
        '\u{FB03}' => "ffi",
        '\u{FB04}' => "ffl",
        _ => "st", // U+FB05 (long s + t) and U+FB06
    }
}

/// The space characters `unicode.space` turns into an ASCII space.
fn is_unicode_space(c: char) -> bool {
    matches!(
        c,
        '\u{A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// True when the character before `at` is a letter: a soft hyphen there can be a word
/// broken at the line end; after a space or punctuation it breaks nothing.
fn after_letter(text: &str, at: usize) -> bool {
    text[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphabetic)
}

/// True when only spaces or tabs stand between `at` and the end of the line.
fn at_line_end(text: &str, at: usize) -> bool {
    text[at..]
        .bytes()
        .find(|&b| b != b' ' && b != b'\t')
        .is_none_or(|b| b == b'\n' || b == b'\x0c')
}

/// ZWJ/ZWNJ shape Arabic, Persian and Indic text and build emoji sequences; between
/// Latin, Greek or Cyrillic letters or at word edges they are debris.
fn joiner_is_meaningful(text: &str, span: Span) -> bool {
    let needs_joiner = |c: char| {
        let u = c as u32;
        (c.is_alphabetic() && u > 0x052F && !(0x1E00..=0x1FFF).contains(&u))
            || (0x1F000..=0x1FAFF).contains(&u)
            || (0x2600..=0x27BF).contains(&u)
            || c == '\u{FE0F}'
            || unicode_normalization::char::is_combining_mark(c)
    };
    let prev = text[..span.start].chars().next_back();
    let next = text[span.end..].chars().next();
    prev.is_some_and(needs_joiner) || next.is_some_and(needs_joiner)
}

/// Byte index of the first non-ASCII byte at or after `from`.
///
/// Most text is ASCII between its few accented letters and dashes, so this is the
/// loop the stage spends its time in. A 32-byte block is tested by OR-ing its bytes
/// together, which the compiler turns into a few vector instructions; only the block
/// that holds a high byte is read byte by byte.
fn next_non_ascii(bytes: &[u8], from: usize) -> Option<usize> {
    const BLOCK: usize = 32;
    let rest = &bytes[from..];
    let mut blocks = rest.chunks_exact(BLOCK);
    let mut at = 0;
    for block in &mut blocks {
        if block.iter().fold(0, |any, &b| any | b) >= 0x80 {
            break;
        }
        at += BLOCK;
    }
    rest[at..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|p| from + at + p)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Problem {
    Replacement,
    PrivateUse,
}

/// Groups adjacent problem characters into one diagnostic each.
#[derive(Default)]
struct ProblemRuns {
    current: Option<(Problem, Span, usize)>,
    done: Vec<Diagnostic>,
}

impl ProblemRuns {
    fn note(&mut self, kind: Problem, span: Span) {
        match &mut self.current {
            Some((k, s, n)) if *k == kind && s.end == span.start => {
                s.end = span.end;
                *n += 1;
            }
            _ => {
                self.finish();
                self.current = Some((kind, span, 1));
            }
        }
    }

    fn finish(&mut self) {
        if let Some((kind, span, n)) = self.current.take() {
            let (code, what) = match kind {
                Problem::Replacement => (
                    "unicode.replacement-char",
                    "U+FFFD replacement character(s): text was lost before recto saw it",
                ),
                Problem::PrivateUse => (
                    "unicode.private-use",
                    "private-use character(s): a font-specific glyph with no standard meaning",
                ),
            };
            self.done.push(
                Diagnostic::new(code, Severity::Warning, format!("{n} {what}")).with_span(span),
            );
        }
    }

    fn flush(mut self, out: &mut Proposals) {
        self.finish();
        for d in self.done {
            out.diagnostic(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> crate::Outcome {
        crate::pipeline::run_stages(
            vec![Box::new(Unicode::Invisible), Box::new(Unicode::Characters)],
            Applicability::Safe,
            text,
        )
    }

    /// The stage's output for `text`, for the tests of its parts.
    pub(super) fn clean(text: &str) -> String {
        run(text).output
    }

    #[test]
    fn a_ligature_right_after_mojibake_is_still_expanded() {
        // Found by proptest: the run "Ã\u{a0}ﬁ" starts with mojibake ("à"), and the
        // ligature after it was skipped with it, so a second run changed the output.
        assert_eq!(run("Ã\u{a0}ﬁ").output, "àfi");
    }

    #[test]
    fn an_invisible_character_inside_mojibake_does_not_hide_it() {
        // Found by proptest: the soft hyphen was removed in the same pass that missed
        // "Ã©", so a second run of recto repaired it.
        assert_eq!(run("AÃ\u{ad}© x").output, "Aé x");
    }

    #[test]
    fn ligatures_expand() {
        assert_eq!(
            run("ﬁnancial eﬀort ﬂow oﬃce baﬄe").output,
            "financial effort flow office baffle"
        );
    }

    #[test]
    fn soft_hyphen_at_a_line_end_after_a_space_breaks_no_word_and_goes() {
        // Found by proptest: reflow joined the line and the soft hyphen, now inside it,
        // went only on a second run.
        assert_eq!(run("0] \u{ad}\u{c}\na").output, "0] \u{c}\na");
    }

    #[test]
    fn soft_hyphen_inside_line_goes_but_at_line_end_stays_for_layout() {
        assert_eq!(
            run("re\u{ad}pair baux\u{ad}\nite").output,
            "repair baux\u{ad}\nite"
        );
    }

    #[test]
    fn invisible_characters_go_but_meaningful_joiners_stay() {
        assert_eq!(
            run("zero\u{200b}width\u{feff} a\u{200d}b").output,
            "zerowidth ab"
        );
        // Persian: ZWNJ between letters is spelling.
        let persian = "می\u{200c}خواهم";
        assert_eq!(run(persian).output, persian);
        // Emoji ZWJ sequence.
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(run(family).output, family);
    }

    #[test]
    fn unicode_spaces_become_ascii() {
        assert_eq!(run("10\u{a0}km\u{2009}and\u{3000}x").output, "10 km and x");
    }

    #[test]
    fn nfc_composes_including_after_ascii_base() {
        assert_eq!(run("Mate\u{301} cafe\u{301}").output, "Maté café");
        assert_eq!(run("Mate\u{301} cafe\u{301}").changes.len(), 2);
    }

    #[test]
    fn author_typography_and_diacritics_are_untouched() {
        let text = "“Quoted” — it’s… x² Mátyás Rákosi Árpád ½ °C ß Øre";
        let out = run(text);
        assert_eq!(out.output, text);
        assert!(out.changes.is_empty());
    }

    #[test]
    fn cid_codes_replacement_and_private_use_are_reported_not_removed() {
        let text = "a (cid:12) b \u{fffd}\u{fffd} c \u{e001}";
        let out = run(text);
        assert_eq!(out.output, text);
        let codes: Vec<_> = out.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "unicode.cid-code",
                "unicode.replacement-char",
                "unicode.private-use"
            ]
        );
        assert!(out.diagnostics[1].message.starts_with("2 "));
    }

    #[test]
    fn next_non_ascii_finds_first_high_byte_in_any_lane() {
        // Lengths around the block size, high bytes in every position of the first
        // blocks and the tail, searched from every start before and after them.
        for len in [0, 1, 7, 31, 32, 33, 63, 64, 65, 100] {
            for pos in 0..len {
                let mut v = vec![b'a'; len];
                v[pos] = 0xC3;
                for from in 0..=len {
                    let expected = (from <= pos).then_some(pos);
                    assert_eq!(
                        next_non_ascii(&v, from),
                        expected,
                        "len {len} pos {pos} from {from}"
                    );
                }
            }
            assert_eq!(next_non_ascii(&vec![b'a'; len], 0), None);
        }
    }
}
