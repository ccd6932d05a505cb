//! OCR confusion candidates: the known words a non-word may have been before an OCR
//! engine misread a few glyphs (`cach` → `each`, `previons` → `previous`, `hhold` →
//! `hold`).
//!
//! The substitutions come from a weighted table (`rules/words/confusions.tsv`); besides
//! them, a doubled letter may be a misprint of one (`hhold`) and a single letter may be
//! one the engine lost (`diferent`, `wll`). Only one mistake per token is undone: two
//! independent misreadings in one short word make the evidence too weak to act on, and
//! generating them would multiply the candidates that merely happen to be words.

use std::sync::OnceLock;

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

/// A candidate repair of one token.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Candidate {
    /// The repaired token.
    pub(super) word: String,
    /// What was undone, for the report: `rn→m`, `+l`, `-h`.
    pub(super) how: String,
    /// The penalty of the mistake undone (see the table).
    pub(super) cost: f32,
    /// The repair adds a letter the engine lost. Such repairs are never automatic: a
    /// lost letter is also how a rare or technical word differs from a common one
    /// (`repo`/`repro`, `umask`/`unmask`, `sid`/`said`), and how an author's own
    /// spelling (`occured`) differs from the dictionary's.
    pub(super) restores_letter: bool,
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
        if from.is_empty() || to.is_empty() || !(0.0..=5.0).contains(&cost) {
            return Err(n + 1);
        }
        out.push(Confusion { from, to, cost });
    }
    Ok(out)
}

/// Calls `each` with every string one mistake away from `token` under the table and
/// the letter rules, cheapest mistake first per position. The same string may come
/// more than once (by different mistakes); callers keep the cheapest.
pub(super) fn candidates(token: &str, mut each: impl FnMut(Candidate)) {
    let bytes = token.as_bytes();
    let mut word = String::with_capacity(token.len() + 2);
    for confusion in table() {
        for (at, _) in token.match_indices(confusion.from) {
            word.clear();
            word.push_str(&token[..at]);
            word.push_str(confusion.to);
            word.push_str(&token[at + confusion.from.len()..]);
            each(Candidate {
                word: word.clone(),
                how: format!("{}→{}", confusion.from, confusion.to),
                cost: confusion.cost,
                restores_letter: false,
            });
        }
    }
    for at in 0..bytes.len() {
        let letter = bytes[at];
        if !letter.is_ascii_alphabetic() {
            continue;
        }
        // A letter printed twice: drop one.
        if at + 1 < bytes.len() && bytes[at + 1] == letter {
            word.clear();
            word.push_str(&token[..at]);
            word.push_str(&token[at + 1..]);
            each(Candidate {
                word: word.clone(),
                how: format!("-{}", letter as char),
                cost: DOUBLING_COST,
                restores_letter: false,
            });
        } else {
            // A doubled letter printed once: double it.
            word.clear();
            word.push_str(&token[..=at]);
            word.push_str(&token[at..]);
            each(Candidate {
                word: word.clone(),
                how: format!("+{}", letter as char),
                cost: DOUBLING_COST,
                restores_letter: true,
            });
        }
    }
    // A lost letter between two others (not at the edges: an edge letter is as often
    // a word boundary as a lost glyph).
    for at in 1..bytes.len() {
        if !(bytes[at - 1].is_ascii_lowercase() && bytes[at].is_ascii_lowercase()) {
            continue;
        }
        for letter in b'a'..=b'z' {
            if letter == bytes[at - 1] || letter == bytes[at] {
                continue; // a doubling, generated above
            }
            word.clear();
            word.push_str(&token[..at]);
            word.push(letter as char);
            word.push_str(&token[at..]);
            each(Candidate {
                word: word.clone(),
                how: format!("+{}", letter as char),
                cost: LOST_LETTER_COST,
                restores_letter: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(token: &str) -> Vec<String> {
        let mut out = Vec::new();
        candidates(token, |c| out.push(c.word));
        out
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
    fn undoes_one_mistake_only() {
        // Two confusions (rn→m and c→e) are not undone together.
        assert!(!all("rnodcrn").contains(&"modern".to_owned()));
    }
}
