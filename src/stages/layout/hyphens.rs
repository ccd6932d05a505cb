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
use crate::lexicon::{swar, Lexicon};
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
     line ending in a hyphenated word but a page's last (such extractors join a broken \
     word within a page only), and not with --keep-lines. Safe when the \
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
    /// The name (after the leading dashes) holds a hyphen: `MS-DOS`, `only-matching`.
    hyphenated: bool,
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
    // Every form the spellings are read from holds a hyphen (`MS-DOS`, `--purge`), and
    // so does every option that lost a dash (`-purge`): these few tokens are found from
    // the text's hyphens, not by reading every token.
    let with_hyphens = tokens_with_a_hyphen(text);
    let spellings = spellings(text, &with_hyphens);
    if spellings.compounds.is_empty() && spellings.long_options.is_empty() {
        return Vec::new();
    }
    // How often each candidate is written without its hyphen: the token itself counts.
    // Only these tokens can be fixed, so they are kept, in order, for the fixes.
    let mut unbroken: Counts<&str, u32> = Counts::default();
    let mut single_dash: Counts<&str, u32> = Counts::default();
    let mut candidates: Vec<Token> = Vec::new();
    for token in &with_hyphens {
        let name = token.name(text);
        if token.dashes == 1 && spellings.long_options.contains_key(name) {
            *single_dash.entry(name).or_default() += 1;
            candidates.push(*token);
        }
    }
    // A compound written without its hyphen is a token with no hyphen at all: only the
    // runs of a length and first letter some compound's letters have are read as tokens.
    if !spellings.compounds.is_empty() {
        let compound_letters = NameFilter::of(spellings.compounds.keys());
        for token in plain_tokens(text, &compound_letters) {
            let name = token.name(text);
            if spellings.compounds.contains_key(name) {
                *unbroken.entry(name).or_default() += 1;
                candidates.push(token);
            }
        }
    }
    // In text order, as the fixes were always made (the two kinds were found apart).
    candidates.sort_unstable_by_key(|token| token.span.start);
    let mut fixes = Vec::new();
    for token in &candidates {
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
///
/// The two conditions are independent, so each is asked on its own terms: the hyphens
/// by a search for `-` (a few per line at most, where reading every line would trim
/// and decode each), and the wraps only in text without a hyphenated line end, and
/// only until there are enough of them.
fn joins_its_own_hyphens(text: &str) -> bool {
    const MIN_WRAPS: usize = 40;
    !has_hyphenated_line_end(text) && has_wrapped_lines(text, MIN_WRAPS)
}

/// Whether a line of `text`, trimmed, ends in a letter and a hyphen (`con-⏎sole`),
/// within a page: the last line of a page (white space and a form feed, or the end of
/// the text, after it) does not count.
///
/// Such a line has a `-` after a letter with nothing but white space after it up to the
/// line break (or the end of the text); the letter, being no white space, is inside the
/// trimmed line. `-` is ASCII, so every match is a character of its own.
///
/// Extractors that join a word broken at a line end join it only within a page: the
/// break before the next page keeps its hyphen (`argu-⏎\f` … `ments`), and so does one
/// whose folio the furniture pass took off the page's last line.
fn has_hyphenated_line_end(text: &str) -> bool {
    memchr::memchr_iter(b'-', text.as_bytes()).any(|at| {
        let ends_line = text[at + 1..]
            .chars()
            .take_while(|&c| c != '\n')
            .all(char::is_whitespace);
        ends_line
            && text[..at]
                .chars()
                .next_back()
                .is_some_and(char::is_alphabetic)
            && !ends_page(&text[at + 1..])
    })
}

/// Whether `rest`, the text after a line's last character, holds only white space up to
/// a form feed or the end of the text.
fn ends_page(rest: &str) -> bool {
    rest.trim_start_matches(|c: char| c.is_whitespace() && c != '\x0c')
        .chars()
        .next()
        .is_none_or(|c| c == '\x0c')
}

/// Whether at least `min` lines of `text` continue the line before mid-clause: it ends
/// in a letter or a comma, and this one (after a line that is not blank) starts in
/// lower case.
fn has_wrapped_lines(text: &str, min: usize) -> bool {
    let mut wraps = 0;
    let mut previous: Option<&str> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() {
            previous = None;
            continue;
        }
        let continues = previous.is_some_and(|p| {
            p.ends_with(|c: char| c.is_alphabetic() || c == ',')
                && line.starts_with(|c: char| c.is_lowercase())
        });
        wraps += usize::from(continues);
        if wraps >= min {
            return true;
        }
        previous = Some(line);
    }
    false
}

/// Whether a byte belongs to a run that [`token_at`] reads: an ASCII letter, digit or
/// `-`.
fn is_run_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

/// The token of the maximal run `start..end` of [`is_run_byte`]s in `bytes`, if it is one
/// that could be a compound or an option: a run holding a letter, not glued to other
/// word characters (`é`, `_`, `.` inside a file name or a version make the run part of
/// something else).
#[inline]
fn token_at(bytes: &[u8], start: usize, end: usize) -> Option<Token> {
    let glued = |b: u8| !b.is_ascii() || matches!(b, b'_' | b'/' | b'\\' | b'@' | b'=');
    // `1.5-2`, `foo.bar-baz`: a dot between word characters joins the run to more.
    let dotted = |i: usize, j: usize| {
        bytes.get(i) == Some(&b'.') && bytes.get(j).is_some_and(u8::is_ascii_alphanumeric)
    };
    if (start > 0 && glued(bytes[start - 1]))
        || (end < bytes.len() && glued(bytes[end]))
        || (start >= 2 && dotted(start - 1, start - 2))
        || dotted(end, end + 1)
    {
        return None;
    }
    let dashes = bytes[start..end].iter().take_while(|&&b| b == b'-').count();
    let name = &bytes[start + dashes..end];
    // A name starts and ends with a letter or digit, and holds a letter. Most names
    // have no hyphen, which eight bytes at a time tell.
    let hyphenated = (start + dashes..end)
        .step_by(8)
        .any(|at| swar::bytes_equal(swar::load_prefix(bytes, at, (end - at).min(8)), b'-') != 0);
    if name.is_empty()
        || name.ends_with(b"-")
        || (hyphenated && name.windows(2).any(|w| w == b"--"))
        || !name.iter().any(u8::is_ascii_alphabetic)
    {
        return None;
    }
    Some(Token {
        span: Span::new(start, end),
        dashes,
        hyphenated,
    })
}

/// The tokens (see [`token_at`]) of `text` whose runs hold a `-`, in order: the run
/// around each hyphen not in a run already read. A text has a few hyphens a line at
/// most, where it has a dozen tokens.
fn tokens_with_a_hyphen(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    // The end of the last run read: the hyphens before it are in runs read.
    let mut read = 0;
    for at in memchr::memchr_iter(b'-', bytes) {
        if at < read {
            continue;
        }
        let start = bytes[..at]
            .iter()
            .rposition(|&b| !is_run_byte(b))
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|&b| !is_run_byte(b))
            .map_or(bytes.len(), |i| at + i);
        read = end;
        tokens.extend(token_at(bytes, start, end));
    }
    tokens
}

/// The tokens (see [`token_at`]) of `text` that hold no `-` and that `filter` may hold,
/// in order.
///
/// Every run of [`for_each_run`] is tested on its length and first byte alone, and only
/// the few that pass are kept to be read as tokens afterwards: the test is all the
/// block reader's loop does, and stays inlined in it.
fn plain_tokens(text: &str, filter: &NameFilter) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for_each_run(bytes, |start, end| {
        if filter.may_hold(&bytes[start..end]) {
            runs.push((start, end));
        }
    });
    // A run without a hyphen is its token's name, when it is a token.
    runs.into_iter()
        .filter_map(|(start, end)| token_at(bytes, start, end))
        .filter(|token| token.dashes == 0 && !token.hyphenated)
        .collect()
}

/// Every token of `text` (see [`token_at`]), in order.
#[cfg(test)]
fn tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for_each_run(text.as_bytes(), |start, end| {
        tokens.extend(token_at(text.as_bytes(), start, end));
    });
    tokens
}

/// Calls `f(start, end)` with the byte range of each maximal run of ASCII letters,
/// digits and `-` in `bytes`, in order.
///
/// The text is read 64 bytes at a time into a mask with a bit per byte of a run (eight
/// bytes at a time by word arithmetic, see [`swar`]), and the runs are found at the
/// mask's edges: a loop that tested byte by byte cost more than the rest of the pass.
fn for_each_run(bytes: &[u8], mut f: impl FnMut(usize, usize)) {
    // The start of a run that goes on from an earlier block.
    let mut open: Option<usize> = None;
    // Whether the byte before the block is in a run (0 or 1).
    let mut carry = 0u64;
    let mut base = 0;
    while base < bytes.len() {
        let mask = run_bytes(bytes, base);
        // Bit `i` is set where a run starts at byte `i`, or ends before it.
        let before = mask << 1 | carry;
        let mut starts = mask & !before;
        let mut ends = !mask & before;
        // Each end closes the run open from an earlier block or the next start here.
        while ends != 0 {
            let end = ends.trailing_zeros() as usize;
            ends &= ends - 1;
            let start = open.take().unwrap_or_else(|| {
                let start = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                base + start
            });
            f(start, base + end);
        }
        // A start left has no end here: its run goes on into the next block.
        if starts != 0 {
            open = Some(base + starts.trailing_zeros() as usize);
        }
        carry = mask >> 63;
        base += 64;
    }
    // The bytes past the end of a short last block are of no run, and end the last run
    // there; only in a text of whole blocks can it reach the end unclosed.
    if let Some(start) = open {
        f(start, bytes.len());
    }
}

/// A bit per byte of the 64 bytes of `bytes` at `base` that is an ASCII letter, digit
/// or `-` (bytes past the end are none).
#[inline(always)]
fn run_bytes(bytes: &[u8], base: usize) -> u64 {
    let mut mask = 0;
    for k in 0..8 {
        let at = base + 8 * k;
        let w = match bytes.get(at..at + 8) {
            Some(_) => swar::load8(bytes, at),
            None => tail_word(bytes, at),
        };
        let part = swar::ascii_letters(w) | swar::ascii_digits(w) | swar::bytes_equal(w, b'-');
        // The eight high bits gathered into the low byte.
        mask |= ((part >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// The bytes from `at` (fewer than eight, or none), zero-padded to a word.
#[cold]
fn tail_word(bytes: &[u8], at: usize) -> u64 {
    let mut word = [0u8; 8];
    if let Some(rest) = bytes.get(at..) {
        word[..rest.len()].copy_from_slice(rest);
    }
    u64::from_le_bytes(word)
}

/// The lengths of a set of names by their first bytes: a name of a length no name with
/// its first byte has is none of them, which one bit test tells before the name is
/// hashed. (Lengths and first bytes apart let through a token of one name's length and
/// another's first letter: some ten times as many, in a document of a hundred names.)
struct NameFilter {
    /// Entry `b` (127 for any byte ≥ 127): bit `n` for a name of `n` bytes (`n < 64`;
    /// bit 63 for all longer ones) that starts with the byte `b`.
    lengths_by_initial: [u64; 128],
}

impl NameFilter {
    fn of<'n>(names: impl Iterator<Item = &'n Box<str>>) -> NameFilter {
        let mut filter = NameFilter {
            lengths_by_initial: [0; 128],
        };
        for name in names {
            if let Some(&initial) = name.as_bytes().first() {
                filter.lengths_by_initial[NameFilter::slot(initial)] |=
                    NameFilter::length_bit(name.as_bytes());
            }
        }
        filter
    }

    /// False only when `name` is none of the names.
    #[inline]
    fn may_hold(&self, name: &[u8]) -> bool {
        name.first().is_some_and(|&initial| {
            self.lengths_by_initial[NameFilter::slot(initial)] & NameFilter::length_bit(name) != 0
        })
    }

    #[inline]
    fn slot(initial: u8) -> usize {
        usize::from(initial.min(127))
    }

    #[inline]
    fn length_bit(name: &[u8]) -> u64 {
        1 << name.len().min(63)
    }
}

/// How the document writes its hyphenated compounds and its long options.
fn spellings(text: &str, tokens: &[Token]) -> Spellings {
    let mut spellings = Spellings::default();
    for token in tokens {
        let name = token.name(text);
        if token.dashes == 2 {
            *spellings.long_options.entry(name.into()).or_default() += 1;
        }
        if token.dashes != 0 || !token.hyphenated {
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
    fn a_hyphen_kept_at_a_page_end_is_the_extractor_s_too() {
        // Extractors join a broken word within a page only: the last line of a page
        // keeps its hyphen (`argu-⏎\f`), and says nothing about the others.
        let text = "On MS-DOS and OS/2 systems. On MS-DOS, quote. Some MSDOS versions. The argu-";
        for page_break in ["\n\x0cments", "\n\n\x0c\nments", "\n \x0cments"] {
            let fixed: Vec<String> = fixes(&format!("{text}{page_break}"))
                .into_iter()
                .map(|(out, _)| out)
                .collect();
            assert_eq!(
                fixed,
                [format!("{text}{page_break}").replace("MSDOS", "MS-DOS")],
                "{page_break:?}"
            );
        }
        // Within a page, the hyphen says the extractor keeps them.
        assert!(fixes(&format!("{text}\nments")).is_empty());
    }

    #[test]
    fn a_form_written_as_often_without_is_left_alone() {
        let text = "autoremove and autoremove, auto-remove and auto-remove.";
        assert!(fixes(text).is_empty());
    }

    /// [`joins_its_own_hyphens`] by its definition: every line read, trimmed, in order.
    fn joins_its_own_hyphens_by_every_line(text: &str) -> bool {
        let mut wraps = 0;
        let mut previous: Option<&str> = None;
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                previous = None;
                continue;
            }
            let mut end = line.chars().rev();
            if let (Some('-'), Some(c)) = (end.next(), end.next()) {
                // The last line of a page: only blank lines follow, up to one with a
                // form feed before anything else, or to the end.
                let last_of_page = lines[i + 1..]
                    .iter()
                    .map(|l| l.trim_start_matches(|c: char| c.is_whitespace() && c != '\x0c'))
                    .find(|l| !l.is_empty())
                    .is_none_or(|l| l.starts_with('\x0c'));
                if c.is_alphabetic() && !last_of_page {
                    return false;
                }
            }
            let continues = previous.is_some_and(|p| {
                p.ends_with(|c: char| c.is_alphabetic() || c == ',')
                    && line.starts_with(|c: char| c.is_lowercase())
            });
            wraps += usize::from(continues);
            previous = Some(line);
        }
        wraps >= 40
    }

    #[test]
    fn the_hyphen_search_and_the_early_wrap_count_agree_with_reading_every_line() {
        // Lines that wrap, that end in hyphens after letters or not, with white space
        // (ASCII, `\r`, no-break and ideographic spaces) around them, blank lines, and
        // hyphens inside lines; sometimes hundreds of lines, so that the wraps are many.
        let pieces = [
            "a line of the text that goes on",
            "continued here,",
            "Capital start",
            "con-",
            "con- ",
            "con-\r",
            "con-\u{3000}",
            "con-\u{a0}",
            "é-",
            "2-",
            " -",
            "-",
            "--",
            "a-b",
            "a- b",
            "  ",
            "",
            "\r",
            "x",
            "ü",
            " -x- ",
            "\x0c",
            "\x0cnext page",
            " \x0c",
        ];
        let mut rng = crate::testing::XorShift(0x9E37_79B9_7F4A_7C15);
        let mut joined = 0;
        for round in 0..600 {
            let lines = 1 + rng.below(if round % 3 == 0 { 300 } else { 100 });
            let mut text = String::new();
            for k in 0..lines {
                // Mostly wrapping lines, so that both verdicts come up.
                let piece = if rng.below(16) == 0 {
                    pieces[rng.below(pieces.len())]
                } else {
                    pieces[k % 2]
                };
                text.push_str(piece);
                if k + 1 < lines || rng.below(2) == 0 {
                    text.push('\n');
                }
            }
            let expected = joins_its_own_hyphens_by_every_line(&text);
            assert_eq!(joins_its_own_hyphens(&text), expected, "{text:?}");
            joined += usize::from(expected);
        }
        assert!(
            joined > 50 && joined < 550,
            "{joined} of 600 texts join their hyphens"
        );
    }

    #[test]
    fn the_name_filter_passes_every_name_it_holds() {
        let names: Vec<Box<str>> = ["msdos", "nonpipe", "x", "a1b2", &"long".repeat(20)]
            .into_iter()
            .map(Into::into)
            .collect();
        let filter = NameFilter::of(names.iter());
        for name in &names {
            assert!(filter.may_hold(name.as_bytes()), "{name}");
        }
        // Another length, another first byte, and one name's length with another's first
        // byte.
        for other in [
            "ms", "msd", "onpipe", "y", "b1b2", "n", "xsdos", "mspipe", "",
        ] {
            assert!(!filter.may_hold(other.as_bytes()), "{other}");
        }
    }

    /// [`tokens`] as it was written first, byte by byte.
    fn tokens_byte_by_byte(text: &str) -> Vec<(usize, usize, usize, bool)> {
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
            if name.is_empty()
                || name.ends_with(b"-")
                || name.windows(2).any(|w| w == b"--")
                || !name.iter().any(u8::is_ascii_alphabetic)
            {
                continue;
            }
            tokens.push((start, end, dashes, name.contains(&b'-')));
        }
        tokens
    }

    #[test]
    fn tokens_read_a_block_at_a_time_or_from_hyphens_are_those_read_byte_by_byte() {
        // Runs of every kind across the 64-byte block edges, at every offset, and texts
        // that end inside a run, after one, and on a block edge.
        let pieces = [
            "MS-DOS",
            " ",
            "--only-matching",
            "-x",
            "a--b",
            "2-3",
            "é",
            "abc_d",
            "v1.2-3",
            "\n",
            "x.",
            ".y",
            "/usr",
            "-",
            "--",
            "word",
            "Z9",
            "=",
            "a-",
            "ü-b",
            "@",
            "\\",
        ];
        // Names some plain tokens of the pieces have, and some they do not.
        let names: Vec<Box<str>> = ["word", "Z9", "abc", "y", "x", "usr", "wordword", "MS"]
            .into_iter()
            .map(Into::into)
            .collect();
        let filter = NameFilter::of(names.iter());
        let mut rng = crate::testing::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..300 {
            let mut text = String::new();
            for _ in 0..rng.below(80) {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            for cut in 0..text.len().min(70) {
                let Some(t) = text.get(cut..) else { continue };
                let fast: Vec<(usize, usize, usize, bool)> = tokens(t)
                    .iter()
                    .map(|k| (k.span.start, k.span.end, k.dashes, k.hyphenated))
                    .collect();
                let expected = tokens_byte_by_byte(t);
                assert_eq!(fast, expected, "{t:?}");
                // The tokens restore reads: those with a hyphen, found from the
                // hyphens, and the others a filter of names may hold.
                let with_hyphens: Vec<(usize, usize, usize, bool)> = tokens_with_a_hyphen(t)
                    .iter()
                    .map(|k| (k.span.start, k.span.end, k.dashes, k.hyphenated))
                    .collect();
                let has_a_hyphen = |k: &(usize, usize, usize, bool)| k.2 > 0 || k.3;
                let expected_with: Vec<_> = expected.iter().copied().filter(has_a_hyphen).collect();
                assert_eq!(with_hyphens, expected_with, "{t:?}");
                let plain: Vec<(usize, usize)> = plain_tokens(t, &filter)
                    .iter()
                    .map(|k| (k.span.start, k.span.end))
                    .collect();
                let expected_plain: Vec<(usize, usize)> = expected
                    .iter()
                    .filter(|k| !has_a_hyphen(k) && filter.may_hold(&t.as_bytes()[k.0..k.1]))
                    .map(|k| (k.0, k.1))
                    .collect();
                assert_eq!(plain, expected_plain, "{t:?}");
            }
        }
        for len in [63, 64, 65, 127, 128, 129] {
            let t = "a".repeat(len);
            assert_eq!(tokens(&t).len(), 1, "{len}");
            assert_eq!(tokens(&t)[0].span.end, len);
        }
    }

    #[test]
    fn text_without_hyphens_costs_nothing() {
        assert!(fixes("Plain prose without a single compound in it.").is_empty());
    }
}
