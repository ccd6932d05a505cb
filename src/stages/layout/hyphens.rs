//! Layout pass helper: hyphens the extractor lost — a compound or a long option the
//! document writes with its hyphens everywhere else, and once without.
//!
//! Some extractors join a word hyphenated at a line end themselves, and drop the hyphen
//! whether it was the typesetter's or the word's: plain `pdftotext` turns `MS-⏎DOS` into
//! `MSDOS` and `non-⏎pipe` into `nonpipe`, and where a long option was broken after
//! its dashes it keeps one of them (`--⏎only-matching` → `-only-matching`). The line
//! break is gone, so the place gives no clue; the document does. A token that is not a
//! word, spelt with the same letters and a hyphen elsewhere in the document, is that
//! compound with its hyphen lost (`layout.hyphen-restored`); an option written once
//! with one dash and at least twice with two is that option.
//!
//! The author's own spelling is the only evidence taken: a compound the lexicon would
//! allow (`non-pipe` from `non` and `pipe`) but the document never writes is left alone,
//! and so is a token that is a word (`filename` stays, though `file-name` occurs).

use std::collections::HashMap;

use crate::fix::{Applicability, Edit, Fix, RuleId};
use crate::lexicon::Lexicon;
use crate::registry::RuleInfo;
use crate::span::Span;

/// The pass's maps, probed with every token of a document: foldhash, not std's SipHash,
/// which cost most of the pass.
type Counts<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

const HYPHEN_RESTORED: RuleId = RuleId::from_static("layout.hyphen-restored");

/// The rule of this helper (run by the spacing pass).
pub(crate) const RULES: &[RuleInfo] = &[RuleInfo::builtin(
    "layout.hyphen-restored",
    "layout",
    Applicability::Safe,
    "Restores a hyphen the extractor dropped from a compound or a long option.",
    "Some extractors join words hyphenated at a line end themselves and drop the hyphen \
     even where it belongs to the word (`MS-⏎DOS` → `MSDOS`), or keep only one dash of a \
     long option broken after its dashes (`--⏎only-matching` → `-only-matching`). A \
     token that is not a word, while the document writes the same letters with a hyphen \
     elsewhere, gets its hyphen back; an option written once with one dash and at least \
     twice with two gets its second dash. Only in text that reads like such an \
     extractor's: still hard-wrapped (forty lines or more continued mid-clause), no \
     line ending in a hyphenated word, and not with --keep-lines. Safe when the \
     form without the hyphen occurs once and the hyphenated one at least twice; review \
     when the hyphenated form is merely the more frequent. A word the lexicon knows is \
     never changed.\n\n\
     Example: `On MSDOS systems` → `On MS-DOS systems` (`MS-DOS` occurs 3× in the \
     document).",
)];

/// How the document writes a run of letters hyphenated: the form (without leading
/// dashes) and how often.
#[derive(Debug, Default)]
struct Spellings {
    /// Letters of a hyphenated form (hyphens removed) → the form and its count, or
    /// `None` when two different hyphenations of the same letters occur.
    compounds: Counts<Box<str>, Option<(Box<str>, u32)>>,
    /// A name after `--` → how often it occurs so.
    long_options: Counts<Box<str>, u32>,
}

/// One token of the text: a maximal run of letters, digits and hyphens.
#[derive(Clone, Copy, Debug)]
struct Token {
    span: Span,
    /// Leading dashes.
    dashes: usize,
}

impl Token {
    fn name<'t>(&self, text: &'t str) -> &'t str {
        &text[self.span.start + self.dashes..self.span.end]
    }
}

/// The fixes that restore lost hyphens in `text`.
pub(crate) fn restore(text: &str, lexicon: &Lexicon) -> Vec<Fix> {
    // Documents without a single hyphenated compound (most prose) cost one memchr pass.
    if memchr::memchr(b'-', text.as_bytes()).is_none() || !joins_its_own_hyphens(text) {
        return Vec::new();
    }
    let tokens = tokens(text);
    let spellings = spellings(text, &tokens);
    if spellings.compounds.is_empty() && spellings.long_options.is_empty() {
        return Vec::new();
    }
    // How often each candidate is written without its hyphen: the token itself counts.
    let mut unbroken: Counts<&str, u32> = Counts::default();
    let mut single_dash: Counts<&str, u32> = Counts::default();
    for token in &tokens {
        let name = token.name(text);
        if token.dashes == 0 && !name.contains('-') && spellings.compounds.contains_key(name) {
            *unbroken.entry(name).or_default() += 1;
        }
        if token.dashes == 1 && spellings.long_options.contains_key(name) {
            *single_dash.entry(name).or_default() += 1;
        }
    }
    let mut fixes = Vec::new();
    for token in &tokens {
        let name = token.name(text);
        if token.dashes == 0 {
            let Some(&n_unbroken) = unbroken.get(name) else {
                continue;
            };
            let Some(Some((form, n_form))) = spellings.compounds.get(name) else {
                continue;
            };
            if lexicon.contains(name) {
                continue;
            }
            // An author who writes both forms tends to write each more than once
            // (`CDROM` beside `CD-ROM`); a hyphen lost once is the safe case.
            if *n_form <= n_unbroken {
                continue;
            }
            let (applicability, confidence) = if n_unbroken == 1 && *n_form >= 2 {
                (Applicability::Safe, 0.9)
            } else {
                (Applicability::Review, 0.6)
            };
            fixes.push(
                Fix::single(
                    HYPHEN_RESTORED,
                    applicability,
                    Edit::new(token.span, form.as_ref()),
                )
                .with_confidence(confidence)
                .with_message(format!(
                    "'{form}' occurs {n_form}× in this document, '{name}' {n_unbroken}×"
                )),
            );
        } else if token.dashes == 1 && name.len() >= 4 {
            let (Some(&n_single), Some(&n_double)) =
                (single_dash.get(name), spellings.long_options.get(name))
            else {
                continue;
            };
            if n_single != 1 || n_double < 2 {
                continue;
            }
            fixes.push(
                Fix::single(
                    HYPHEN_RESTORED,
                    Applicability::Safe,
                    Edit::insert(token.span.start, "-"),
                )
                .with_confidence(0.9)
                .with_message(format!(
                    "'--{name}' occurs {n_double}× in this document, '-{name}' only here"
                )),
            );
        }
    }
    fixes
}

/// Whether `text` reads like the output of an extractor that joins hyphenated line ends
/// itself: still hard-wrapped (many lines that end mid-clause and continue in lower
/// case on the next), and not one line ends in a letter and a hyphen. A typeset text of
/// that length has hyphenated line ends, unless something removed them; text whose
/// hyphens are still at its line ends says that the hyphen-less forms are the author's.
///
/// Asking for wrapped lines also keeps cleaning idempotent: once reflow has joined the
/// lines (and their hyphens) into paragraphs, a second run finds no wrapped text and
/// proposes nothing, whatever the first run found.
fn joins_its_own_hyphens(text: &str) -> bool {
    const MIN_WRAPS: usize = 40;
    let mut wraps = 0;
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            previous = None;
            continue;
        }
        let mut end = line.chars().rev();
        match (end.next(), end.next()) {
            (Some('-'), Some(c)) if c.is_alphabetic() => return false,
            _ => {}
        }
        let continues = previous.is_some_and(|p| {
            p.ends_with(|c: char| c.is_alphabetic() || c == ',')
                && line.starts_with(|c: char| c.is_lowercase())
        });
        wraps += usize::from(continues);
        previous = Some(line);
    }
    wraps >= MIN_WRAPS
}

/// The tokens of `text` that could be a compound or an option: maximal runs of ASCII
/// letters, digits and hyphens holding a letter, not glued to other word characters
/// (`é`, `_`, `.` inside a file name or a version make the run part of something else).
fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let is_part = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    let glued = |b: u8| !b.is_ascii() || matches!(b, b'_' | b'/' | b'\\' | b'@' | b'=');
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if !is_part(bytes[at]) {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && is_part(bytes[at]) {
            at += 1;
        }
        let end = at;
        // `1.5-2`, `foo.bar-baz`: a dot between word characters joins the run to more.
        let dotted = |i: usize, j: usize| {
            bytes.get(i) == Some(&b'.') && bytes.get(j).is_some_and(u8::is_ascii_alphanumeric)
        };
        if (start > 0 && glued(bytes[start - 1]))
            || (end < bytes.len() && glued(bytes[end]))
            || (start >= 2 && dotted(start - 1, start - 2))
            || dotted(end, end + 1)
        {
            continue;
        }
        let dashes = bytes[start..end].iter().take_while(|&&b| b == b'-').count();
        let name = &bytes[start + dashes..end];
        // A name starts and ends with a letter or digit, and holds a letter.
        if name.is_empty()
            || name.ends_with(b"-")
            || name.windows(2).any(|w| w == b"--")
            || !name.iter().any(u8::is_ascii_alphabetic)
        {
            continue;
        }
        tokens.push(Token {
            span: Span::new(start, end),
            dashes,
        });
    }
    tokens
}

/// How the document writes its hyphenated compounds and its long options.
fn spellings(text: &str, tokens: &[Token]) -> Spellings {
    let mut spellings = Spellings::default();
    for token in tokens {
        let name = token.name(text);
        if token.dashes == 2 {
            *spellings.long_options.entry(name.into()).or_default() += 1;
        }
        if token.dashes != 0 || !name.contains('-') {
            continue;
        }
        // Both sides of every hyphen are letters: `MS-DOS`, `non-pipe`, not `2-3`.
        let letters_around = name
            .as_bytes()
            .windows(3)
            .all(|w| w[1] != b'-' || (w[0].is_ascii_alphabetic() && w[2].is_ascii_alphabetic()));
        if !letters_around {
            continue;
        }
        let letters: String = name.chars().filter(|&c| c != '-').collect();
        // Two different hyphenations of the same letters say nothing.
        let slot = spellings
            .compounds
            .entry(letters.into())
            .or_insert_with(|| Some((name.into(), 0)));
        match slot {
            Some((form, n)) if form.as_ref() == name => *n += 1,
            _ => *slot = None,
        }
    }
    spellings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::Applicability::{Review, Safe};

    /// Wrapped lines enough for a document whose extractor joined its hyphenated line
    /// ends.
    const BODY: &str = "a line of the text that goes on\n";

    /// Each fix applied on its own to `text` (set among [`BODY`] lines), with its
    /// applicability.
    fn fixes(text: &str) -> Vec<(String, Applicability)> {
        let text = &format!("{text}\n{}", BODY.repeat(42));
        restore(text, Lexicon::english())
            .into_iter()
            .map(|fix| {
                let edit = &fix.edits[0];
                let mut out = text.to_owned();
                out.replace_range(edit.span.range(), &edit.replacement);
                (
                    out[..out.len() - 42 * BODY.len() - 1].to_owned(),
                    fix.applicability,
                )
            })
            .collect()
    }

    #[test]
    fn a_compound_written_elsewhere_gets_its_hyphen_back() {
        let text = "On MS-DOS and OS/2 systems. On MS-DOS, quote. Some MSDOS versions.";
        let fixed = text.replace("MSDOS", "MS-DOS");
        assert_eq!(fixes(text), [(fixed, Safe)]);
    }

    #[test]
    fn a_form_written_without_more_than_once_is_only_offered() {
        let text = "A non-pipe, a non-pipe, a non-pipe. As with nonpipe or nonpipe input.";
        let offered: Vec<Applicability> = fixes(text).into_iter().map(|(_, a)| a).collect();
        assert_eq!(offered, [Review, Review]);
    }

    #[test]
    fn a_word_is_never_changed() {
        // `filename` is English; the document's `file-name` does not make it wrong.
        let text = "The file-name is printed, and the file-name again. Each filename.";
        assert!(fixes(text).is_empty());
    }

    #[test]
    fn two_hyphenations_of_the_same_letters_say_nothing() {
        let text = "co-op and coo-p and coop-x, then coop.";
        assert!(fixes(text).is_empty());
    }

    #[test]
    fn parts_of_names_paths_and_versions_are_left_alone() {
        // The letters of `ab-cd` inside a path, a file name, a version or a non-ASCII
        // word are not tokens of their own.
        let text = "ab-cd ab-cd /usr/abcd abcd.txt x.abcd abcd_x abcdé";
        assert!(fixes(text).is_empty());
    }

    #[test]
    fn a_long_option_that_lost_a_dash_gets_it_back() {
        let text = "-o, --only-matching prints. With --only-matching, or -only-matching.";
        let fixed = text.replace("or -only", "or --only");
        assert_eq!(fixes(text), [(fixed, Safe)]);
    }

    #[test]
    fn an_option_written_with_one_dash_twice_is_that_option() {
        // `find -name` and `--name` can both be options of one program.
        let text = "Use -name or -name again; --name and --name are others.";
        assert!(fixes(text).is_empty());
    }

    #[test]
    fn text_whose_line_ends_keep_their_hyphens_is_the_author_s() {
        // `systemwide` beside `system-wide`: the extractor keeps hyphens (`con-⏎sole`),
        // so the unhyphenated form was written so.
        let text = format!(
            "The system-wide file, the system-wide keys, a con-\nsole. The systemwide one.\n{}",
            BODY.repeat(42)
        );
        assert!(restore(&text, Lexicon::english()).is_empty());
    }

    #[test]
    fn a_form_written_as_often_without_is_left_alone() {
        let text = "autoremove and autoremove, auto-remove and auto-remove.";
        assert!(fixes(text).is_empty());
    }

    #[test]
    fn text_without_hyphens_costs_nothing() {
        assert!(fixes("Plain prose without a single compound in it.").is_empty());
    }
}
