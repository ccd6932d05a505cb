//! OCR confusion candidates: the known words a non-word may have been before an OCR
//! engine misread a few glyphs (`cach` → `each`, `previons` → `previous`, `hhold` →
//! `hold`).
//!
//! The substitutions come from a weighted table (`rules/words/confusions.tsv`); besides
//! them, a doubled letter may be a misprint of one (`hhold`) and a single letter may be
//! one the engine lost (`diferent`, `wll`). Only one mistake per token is undone: two
//! independent misreadings in one short word make the evidence too weak to act on, and
//! generating them would multiply the candidates that merely happen to be words.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use super::keeps_case;
use super::vocab::Outline;
use crate::lexicon::Lexicon;

const TABLE: &str = include_str!("../../../rules/words/confusions.tsv");

/// Cost of restoring a letter the engine printed once where the page had it twice
/// (`diferent` → `different`), or of removing one it printed twice (`hhold` → `hold`).
const DOUBLING_COST: f32 = 0.6;

/// Cost of restoring any other lost letter (`wll` → `will`). Dearer than a doubling:
/// almost any short word is one letter away from several others.
const LOST_LETTER_COST: f32 = 1.3;

/// One table entry: `from` on the page as printed, `to` as it probably was.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Confusion {
    pub(super) from: &'static str,
    pub(super) to: &'static str,
    pub(super) cost: f32,
}

/// The one mistake a candidate undoes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Mistake {
    /// A table entry: the engine printed `from` for `to`.
    Confusion(&'static Confusion),
    /// The engine printed this letter twice.
    Doubled(u8),
    /// The engine printed this letter once where the page had it twice.
    Undoubled(u8),
    /// The engine lost this letter.
    Lost(u8),
}

impl Mistake {
    /// The penalty of the mistake (see the table).
    pub(super) fn cost(self) -> f32 {
        match self {
            Mistake::Confusion(c) => c.cost,
            Mistake::Doubled(_) | Mistake::Undoubled(_) => DOUBLING_COST,
            Mistake::Lost(_) => LOST_LETTER_COST,
        }
    }

    /// The repair adds a letter the engine lost. Such repairs are never automatic: a
    /// lost letter is also how a rare or technical word differs from a common one
    /// (`repo`/`repro`, `umask`/`unmask`, `sid`/`said`), and how an author's own
    /// spelling (`occured`) differs from the dictionary's.
    pub(super) fn restores_letter(self) -> bool {
        matches!(self, Mistake::Undoubled(_) | Mistake::Lost(_))
    }
}

/// For the report: `rn→m`, `-h` (a doubled `h` removed), `+i` (a lost `i` restored).
impl std::fmt::Display for Mistake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mistake::Confusion(c) => write!(f, "{}→{}", c.from, c.to),
            Mistake::Doubled(b) => write!(f, "-{}", *b as char),
            Mistake::Undoubled(b) | Mistake::Lost(b) => write!(f, "+{}", *b as char),
        }
    }
}

/// One reading of a token: the token with the `removed` bytes at `at` replaced by
/// `inserted`. Most readings are no word, and a caller can tell many of them so from
/// these parts, without building the string ([`Reading::append_to`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Reading<'t> {
    pub(super) token: &'t str,
    pub(super) at: usize,
    pub(super) removed: usize,
    pub(super) inserted: &'t str,
}

impl Reading<'_> {
    /// Appends the reading to `out`.
    fn append_to(&self, out: &mut String) {
        out.push_str(&self.token[..self.at]);
        out.push_str(self.inserted);
        out.push_str(&self.token[self.at + self.removed..]);
    }
}

/// The parsed confusion table.
pub(super) fn table() -> &'static [Confusion] {
    static TABLE_PARSED: OnceLock<Vec<Confusion>> = OnceLock::new();
    TABLE_PARSED.get_or_init(|| parse(TABLE).unwrap_or_default())
}

/// Parses `from<TAB>to<TAB>cost` lines; `#` starts a comment line. Returns the first
/// malformed line (1-based) as the error; the shipped table is checked by a test.
fn parse(text: &'static str) -> Result<Vec<Confusion>, usize> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(from), Some(to), Some(cost), None) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(n + 1);
        };
        let cost: f32 = cost.parse().map_err(|_| n + 1)?;
        // ASCII only, so that the readings of an ASCII token are ASCII.
        if from.is_empty() || to.is_empty() || !(from.is_ascii() && to.is_ascii()) {
            return Err(n + 1);
        }
        if !(0.0..=5.0).contains(&cost) {
            return Err(n + 1);
        }
        out.push(Confusion { from, to, cost });
    }
    Ok(out)
}

/// Where `pattern` (not empty) first occurs in `bytes`, by comparing bytes: the table's
/// patterns are one or two ASCII letters or digits, too short for a substring searcher
/// to pay off, and compared as one or two bytes rather than as slices.
fn find(bytes: &[u8], pattern: &[u8]) -> Option<usize> {
    match *pattern {
        [a] => bytes.iter().position(|&b| b == a),
        [a, b] => bytes.windows(2).position(|w| w[0] == a && w[1] == b),
        _ => bytes.windows(pattern.len()).position(|w| w == pattern),
    }
}

/// Letters an engine loses: narrow glyphs that merge into a neighbour (`i l t r f j`)
/// and `n`, whose arch vanishes at low resolution. Restoring only these, rather than
/// any letter, keeps the candidates few — both for speed and because almost every
/// short word is one arbitrary letter away from several others.
const LOST_LETTERS: &str = "iltrfjn";

/// Longest token in which a lost letter is looked for.
const MAX_LOST_LETTER_TOKEN: usize = 10;

/// Calls `each(reading, mistake)` with every reading one mistake away from `token`
/// (ASCII) under the table and the letter rules. The same string may come more than
/// once, by different mistakes; callers keep the cheapest.
pub(super) fn candidates<'t>(token: &'t str, mut each: impl FnMut(Reading<'t>, Mistake)) {
    let bytes = token.as_bytes();
    let mut emit = |at: usize, removed: usize, inserted: &'t str, mistake: Mistake| {
        each(
            Reading {
                token,
                at,
                removed,
                inserted,
            },
            mistake,
        );
    };
    for confusion in table() {
        // Each place `from` occurs, left to right and without overlaps (as
        // `match_indices` finds them).
        let from = confusion.from.as_bytes();
        let mut at = 0;
        while let Some(k) = find(&bytes[at..], from) {
            let found = at + k;
            at = found + from.len();
            emit(
                found,
                from.len(),
                confusion.to,
                Mistake::Confusion(confusion),
            );
        }
    }
    for at in 0..bytes.len() {
        let letter = bytes[at];
        if !letter.is_ascii_alphabetic() {
            continue;
        }
        if bytes.get(at + 1) == Some(&letter) {
            emit(at, 1, "", Mistake::Doubled(letter));
        } else if bytes.get(at.wrapping_sub(1)) != Some(&letter) {
            emit(at + 1, 0, &token[at..=at], Mistake::Undoubled(letter));
        }
    }
    // A lost letter between two others (not at the edges: an edge letter is as often
    // a word boundary as a lost glyph). Long tokens are skipped: the candidates grow
    // with the length, and a long non-word is more often glued or garbled.
    if bytes.len() > MAX_LOST_LETTER_TOKEN {
        return;
    }
    for at in 1..bytes.len() {
        if !(bytes[at - 1].is_ascii_lowercase() && bytes[at].is_ascii_lowercase()) {
            continue;
        }
        for (k, letter) in LOST_LETTERS.bytes().enumerate() {
            if letter == bytes[at - 1] || letter == bytes[at] {
                continue; // a doubling, generated above
            }
            emit(at, 0, &LOST_LETTERS[k..=k], Mistake::Lost(letter));
        }
    }
}

/// The readings of a token, with the dictionary's frequency of each: all that the
/// token's OCR candidates owe to the token and the dictionary. Which of them a document
/// uses is asked per document.
struct Readings {
    /// The readings, back to back.
    spelled: String,
    /// Per reading, in the order [`candidates`] makes them: where it ends in
    /// `spelled`, the mistake it undoes, its Zipf frequency (`0.0`: no word of the
    /// dictionary) and its outline. Only readings cased like a word the token could
    /// have been ([`keeps_case`]).
    readings: Vec<(u32, Mistake, f32, Outline)>,
}

/// Readings of a token of average length, for the first allocation: growing costs
/// more than the few bytes left unused.
const READINGS_PER_TOKEN: usize = 64;

impl Readings {
    /// The readings of `token` ([`candidates`]) cased like a word the token could have
    /// been ([`keeps_case`]), with their frequencies in `lexicon`; `each` is called
    /// with each as it is made that `may_be_used` lets through (see
    /// [`Readings::for_each`]).
    fn of(
        token: &str,
        lexicon: &Lexicon,
        may_be_used: impl Fn(Outline) -> bool,
        mut each: impl FnMut(&[u8], Mistake, f32),
    ) -> Readings {
        // Most readings hold four letters in a row that no dictionary word holds, and
        // are told no word without a probe (see `Lexicon::screen`).
        let screen = lexicon.screen(token);
        let mut spelled = String::with_capacity(READINGS_PER_TOKEN * (token.len() + 1));
        let mut readings = Vec::with_capacity(READINGS_PER_TOKEN);
        candidates(token, |reading, mistake| {
            let start = spelled.len();
            reading.append_to(&mut spelled);
            let word = &spelled[start..];
            if !keeps_case(token, word) {
                spelled.truncate(start);
                return;
            }
            let zipf =
                if screen.may_contain(reading.at, reading.removed, reading.inserted.as_bytes()) {
                    lexicon.zipf(word)
                } else {
                    0.0
                };
            let outline = Outline::of(word.as_bytes());
            let end = u32::try_from(spelled.len()).expect("a token's readings fit in 4 GiB");
            readings.push((end, mistake, zipf, outline));
            if zipf != 0.0 || may_be_used(outline) {
                each(word.as_bytes(), mistake, zipf);
            }
        });
        Readings { spelled, readings }
    }

    /// Calls `each` with each reading (UTF-8), the mistake it undoes and its Zipf
    /// frequency, in the order [`candidates`] makes them, if the dictionary knows it
    /// or `may_be_used` lets its outline through; the same string may come more than
    /// once, by different mistakes.
    fn for_each(
        &self,
        may_be_used: impl Fn(Outline) -> bool,
        mut each: impl FnMut(&[u8], Mistake, f32),
    ) {
        let spelled = self.spelled.as_bytes();
        let mut start = 0;
        for &(end, mistake, zipf, outline) in &self.readings {
            if zipf != 0.0 || may_be_used(outline) {
                each(&spelled[start..end as usize], mistake, zipf);
            }
            start = end as usize;
        }
    }
}

/// The most tokens whose readings a thread keeps; a full memo is emptied. A token's
/// readings take about a kilobyte and a half.
const KEPT_TOKENS: usize = 1 << 12;

thread_local! {
    /// The [`Readings`] of the built-in dictionary that this thread has made, by token.
    static KEPT_READINGS: RefCell<HashMap<Box<str>, Readings, foldhash::fast::RandomState>> =
        RefCell::default();
}

/// Calls `each` with every reading of `token` ([`candidates`]) cased like a word the
/// token could have been ([`keeps_case`]) that is a word of `lexicon` or whose
/// [`Outline`] `may_be_used` lets through, as bytes (UTF-8), with the mistake it undoes
/// and its Zipf frequency in `lexicon`, in the order [`candidates`] makes them; the
/// same string may come more than once, by different mistakes.
///
/// Nearly every reading is neither a word nor used by the document, and the outline,
/// worked out once per reading and kept with it, lets the document's vocabulary say so
/// with one bit (see [`Vocab::may_count_ci_outlined`]) without handing the reading on.
///
/// [`Vocab::may_count_ci_outlined`]: super::vocab::Vocab::may_count_ci_outlined
///
/// Under the built-in dictionary, each thread keeps the readings from one document to
/// the next: they depend on the token and the dictionary alone, so kept ones are the
/// ones making them would give, and a corpus repeats its non-words across documents
/// (the terms the dictionary lacks, `gzip`, `dpkg`, `config`; an engine's usual
/// misreadings), each some 50 readings to screen and probe. A dictionary with user
/// words belongs to one stage, not to the thread: its readings are made afresh.
pub(super) fn for_each_reading(
    token: &str,
    lexicon: &Lexicon,
    may_be_used: impl Fn(Outline) -> bool,
    mut each: impl FnMut(&[u8], Mistake, f32),
) {
    if !lexicon.is_builtin() {
        Readings::of(token, lexicon, may_be_used, each);
        return;
    }
    KEPT_READINGS.with_borrow_mut(|kept| {
        if let Some(readings) = kept.get(token) {
            readings.for_each(may_be_used, each);
            return;
        }
        if kept.len() >= KEPT_TOKENS {
            kept.clear();
        }
        let readings = Readings::of(token, lexicon, may_be_used, &mut each);
        kept.insert(token.into(), readings);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(token: &str) -> Vec<String> {
        let mut out = Vec::new();
        candidates(token, |reading, _| {
            let mut word = String::new();
            reading.append_to(&mut word);
            out.push(word);
        });
        out
    }

    #[test]
    fn patterns_are_found_where_str_finds_them() {
        for text in ["", "r", "rn", "modern", "rnrnm", "c1ear", "aaa"] {
            for pattern in ["r", "rn", "m", "nr", "1", "aa", "ern"] {
                assert_eq!(
                    find(text.as_bytes(), pattern.as_bytes()),
                    text.find(pattern)
                );
            }
        }
    }

    #[test]
    fn kept_readings_are_the_candidates_with_their_frequencies() {
        let english = Lexicon::english();
        for token in [
            "cach", "hhold", "c1ear", "wll", "modem", "Tbe", "0pen", "previons",
        ] {
            let mut expected = Vec::new();
            candidates(token, |reading, mistake| {
                let mut word = String::new();
                reading.append_to(&mut word);
                if keeps_case(token, &word) {
                    let zipf = english.zipf(&word);
                    expected.push((word, mistake.to_string(), zipf));
                }
            });
            assert!(expected.iter().any(|(_, _, zipf)| *zipf > 0.0), "{token}");
            // Made, then kept (asked twice: the second time from the thread's memo);
            // with every outline let through, and with none (then only the words of
            // the dictionary), and with the outlines of two readings of no word.
            let unknown: Vec<Outline> = expected
                .iter()
                .filter(|(_, _, zipf)| *zipf == 0.0)
                .map(|(word, _, _)| Outline::of(word.as_bytes()))
                .filter(|&outline| outline != Outline::of(b"abc"))
                .take(2)
                .collect();
            assert_eq!(unknown.len(), 2, "{token}");
            let filters: [&dyn Fn(Outline) -> bool; 3] =
                [&|_| true, &|_| false, &|outline| unknown.contains(&outline)];
            for may_be_used in filters {
                let wanted: Vec<_> = expected
                    .iter()
                    .filter(|(word, _, zipf)| {
                        *zipf != 0.0 || may_be_used(Outline::of(word.as_bytes()))
                    })
                    .cloned()
                    .collect();
                for _ in 0..2 {
                    let mut given = Vec::new();
                    for_each_reading(token, english, may_be_used, |word, mistake, zipf| {
                        let word = String::from_utf8(word.to_vec()).unwrap();
                        given.push((word, mistake.to_string(), zipf));
                    });
                    assert_eq!(given, wanted, "{token}");
                }
            }
            let mut kept = Vec::new();
            Readings::of(token, english, |_| false, |_, _, _| {}).for_each(
                |_| true,
                |word, mistake, zipf| {
                    let word = String::from_utf8(word.to_vec()).unwrap();
                    kept.push((word, mistake.to_string(), zipf));
                },
            );
            assert_eq!(kept, expected, "{token}");
        }
    }

    #[test]
    fn shipped_table_parses() {
        let parsed = parse(TABLE).expect("malformed line in rules/words/confusions.tsv");
        assert!(parsed.len() > 20);
        assert_eq!(table().len(), parsed.len());
    }

    #[test]
    fn malformed_lines_are_reported_by_number() {
        assert_eq!(parse("# c\nrn\tm\t0.5\nrn\tm\n"), Err(3));
        assert_eq!(parse("rn\tm\tcheap\n"), Err(1));
        assert_eq!(parse("rn\tm\t0.5\nrn\tµ\t0.5\n"), Err(2));
    }

    #[test]
    fn undoes_table_confusions() {
        assert!(all("modem").contains(&"modern".to_owned()));
        assert!(all("cach").contains(&"each".to_owned()));
        assert!(all("previons").contains(&"previous".to_owned()));
        assert!(all("c1ear").contains(&"clear".to_owned()));
    }

    #[test]
    fn undoes_doubled_and_lost_letters() {
        assert!(all("hhold").contains(&"hold".to_owned()));
        assert!(all("diferent").contains(&"different".to_owned()));
        assert!(all("wll").contains(&"will".to_owned()));
    }

    #[test]
    fn mistakes_read_as_edits() {
        let mut seen = Vec::new();
        candidates("hhold", |reading, mistake| {
            let mut word = String::new();
            reading.append_to(&mut word);
            seen.push(format!("{word} {mistake}"))
        });
        assert!(seen.contains(&"hold -h".to_owned()), "{seen:?}");
    }

    #[test]
    fn undoes_one_mistake_only() {
        // Two confusions (rn→m and c→e) are not undone together.
        assert!(!all("rnodcrn").contains(&"modern".to_owned()));
    }
}
