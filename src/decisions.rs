//! Review decisions: which changes a person accepted or rejected.
//!
//! A decisions file (`recto-decisions.toml`) records change ids — stable hashes of a
//! change's rules, text and context, never of offsets (see [`ChangeId`]) — so a decision
//! survives edits elsewhere in the document and applies again on the next run:
//!
//! ```toml
//! version = 1
//!
//! [[accepted]]
//! id = "cf22eed4eb08f361"
//! rule = "unicode.ligature"
//! path = "a.txt"
//! context = "The ﬁnancial report → The financial report"
//!
//! [[rejected]]
//! id = "0b4e7a1d9c2f3e58"
//! rule = "garble.letter-soup"
//! path = "a.txt"
//! context = "…"
//! ```
//!
//! `rule`, `path` and `context` are for the person reading the file; only `id` decides.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fix::{Applicability, Change, ChangeId};

/// The verdict on one change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Apply it.
    Accepted,
    /// Never apply it.
    Rejected,
}

/// One recorded decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The change id.
    pub id: String,
    /// The change's rules, for people (`a+b` when merged).
    #[serde(default)]
    pub rule: String,
    /// The file it was found in, for people.
    #[serde(default)]
    pub path: String,
    /// A short before → after snippet, for people.
    #[serde(default)]
    pub context: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    accepted: Vec<Decision>,
    #[serde(default)]
    rejected: Vec<Decision>,
}

/// Why a decisions file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DecisionsError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a valid decisions file.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Accepted and rejected change ids.
///
/// ```
/// use recto::decisions::{Decisions, Verdict};
/// let original = "ﬁrst ﬂoor";
/// let outcome = recto::clean_str(original);
/// let mut d = Decisions::default();
/// d.record(&outcome.changes[1], Verdict::Rejected, "a.txt", original);
/// let kept = d.select(&outcome.changes, |_| true);
/// assert_eq!(recto::apply(original, &kept), "first ﬂoor");
///
/// // The file round-trips.
/// let again = Decisions::parse(&d.to_toml(), "recto-decisions.toml".as_ref()).unwrap();
/// assert_eq!(again.verdict(&outcome.changes[1].id), Some(Verdict::Rejected));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Decisions {
    order: Vec<(Verdict, Decision)>,
    index: HashMap<String, usize>,
}

impl Decisions {
    /// Reads a decisions file.
    pub fn load(path: &Path) -> Result<Decisions, DecisionsError> {
        let text = std::fs::read_to_string(path).map_err(|source| DecisionsError::Io {
            path: path.to_owned(),
            source,
        })?;
        Decisions::parse(&text, path)
    }

    /// Parses decisions from TOML text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Decisions, DecisionsError> {
        let invalid = |line: usize, message: String| DecisionsError::Invalid {
            path: path.to_owned(),
            line,
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            invalid(line, e.message().to_owned())
        })?;
        if file.version != 1 {
            return Err(invalid(1, format!("unsupported version {}", file.version)));
        }
        let mut d = Decisions::default();
        for (verdict, list) in [
            (Verdict::Accepted, file.accepted),
            (Verdict::Rejected, file.rejected),
        ] {
            for decision in list {
                if let Some(&i) = d.index.get(&decision.id) {
                    if d.order[i].0 != verdict {
                        let line = text
                            .lines()
                            .position(|l| l.contains(&decision.id))
                            .map_or(1, |i| i + 1);
                        return Err(invalid(
                            line,
                            format!("change {} is both accepted and rejected", decision.id),
                        ));
                    }
                    continue;
                }
                d.index.insert(decision.id.clone(), d.order.len());
                d.order.push((verdict, decision));
            }
        }
        Ok(d)
    }

    /// The verdict recorded for `id`, if any.
    pub fn verdict(&self, id: &ChangeId) -> Option<Verdict> {
        self.index.get(id.as_str()).map(|&i| self.order[i].0)
    }

    /// Records (or replaces) the verdict on `change`, found in `path` whose original
    /// text is `original`.
    pub fn record(&mut self, change: &Change, verdict: Verdict, path: &str, original: &str) {
        let decision = Decision {
            id: change.id.as_str().to_owned(),
            rule: change
                .rules
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join("+"),
            path: path.to_owned(),
            context: context(change, original),
        };
        match self.index.get(change.id.as_str()) {
            Some(&i) => self.order[i] = (verdict, decision),
            None => {
                self.index.insert(decision.id.clone(), self.order.len());
                self.order.push((verdict, decision));
            }
        }
    }

    /// Number of recorded decisions.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The changes to apply: every accepted change, and every undecided change for which
    /// `by_default` says yes. Rejected changes never.
    ///
    /// The changes of a move ([`Change::linked`]) are decided as one: rejecting any of
    /// them rejects the move, accepting one accepts it, and undecided they apply only
    /// when `by_default` says yes to all of them — half a move would duplicate or lose
    /// text.
    pub fn select(&self, changes: &[Change], by_default: impl Fn(&Change) -> bool) -> Vec<Change> {
        let verdict_of = |c: &Change| -> Option<bool> {
            match self.verdict(&c.id) {
                Some(Verdict::Accepted) => Some(true),
                Some(Verdict::Rejected) => Some(false),
                None => None,
            }
        };
        changes
            .iter()
            .filter(|c| {
                if c.linked.is_empty() {
                    return verdict_of(c).unwrap_or_else(|| by_default(c));
                }
                let group: Vec<&Change> = std::iter::once(*c)
                    .chain(changes.iter().filter(|o| c.linked.contains(&o.id)))
                    .collect();
                let verdicts: Vec<Option<bool>> = group.iter().map(|m| verdict_of(m)).collect();
                if verdicts.contains(&Some(false)) {
                    false
                } else if verdicts.contains(&Some(true)) {
                    true
                } else {
                    group.iter().all(|m| by_default(m))
                }
            })
            .cloned()
            .collect()
    }

    /// The decisions as a TOML document.
    pub fn to_toml(&self) -> String {
        let mut file = File {
            version: 1,
            ..File::default()
        };
        for (verdict, d) in &self.order {
            match verdict {
                Verdict::Accepted => file.accepted.push(d.clone()),
                Verdict::Rejected => file.rejected.push(d.clone()),
            }
        }
        let body = toml::to_string(&file).expect("decisions serialise");
        format!(
            "# recto review decisions — `recto apply --decisions FILE PATHS…` applies the accepted\n\
             # changes; `decisions = \"FILE\"` in recto.toml keeps rejected changes rejected.\n{body}"
        )
    }
}

/// A one-line `before → after` snippet of a change with a little of its line around it.
fn context(change: &Change, original: &str) -> String {
    decision_context(
        context_before(&original[..change.original.start], DECISION_CONTEXT_CHARS),
        &original[change.original.range()],
        &change.replacement,
        context_after(&original[change.original.end..], DECISION_CONTEXT_CHARS),
    )
}

/// The length, in characters, of a decision's `context`.
pub(crate) const DECISION_CONTEXT_CHARS: usize = 80;

/// At most `n` characters at the end of `text`, not reaching back past a line break.
pub(crate) fn context_before(text: &str, n: usize) -> &str {
    let line = text.rfind('\n').map_or(text, |at| &text[at + 1..]);
    match line.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((at, _)) => &line[at..],
        None => line,
    }
}

/// At most `n` characters at the start of `text`, not reaching past a line break (nor
/// the carriage return of a CRLF one).
pub(crate) fn context_after(text: &str, n: usize) -> &str {
    let line = text.find('\n').map_or(text, |at| {
        let line = &text[..at];
        line.strip_suffix('\r').unwrap_or(line)
    });
    match line.char_indices().nth(n) {
        Some((at, _)) => &line[..at],
        None => line,
    }
}

/// `pre before post → pre after post` in at most about [`DECISION_CONTEXT_CHARS`]
/// characters: what a person reading the decisions file needs to recognise the change.
/// The change itself gets the room it needs (up to a third each side of the arrow); the
/// surrounding text is trimmed to what is left.
pub(crate) fn decision_context(pre: &str, before: &str, after: &str, post: &str) -> String {
    let part = DECISION_CONTEXT_CHARS / 3;
    let before = crate::report::snippet(before, part);
    let after = crate::report::snippet(after, part);
    let used = before.chars().count() + after.chars().count() + 3;
    // Each side's context appears twice, once before the arrow and once after it.
    let side = DECISION_CONTEXT_CHARS.saturating_sub(used) / 4;
    let pre = crate::report::snippet(context_before(pre, side), side);
    let post = crate::report::snippet(context_after(post, side), side);
    format!("{pre}{before}{post} → {pre}{after}{post}")
}

/// Whether `clean` applies a change when no decision covers it: its applicability
/// reaches the threshold.
pub fn applies_by_default(threshold: Applicability) -> impl Fn(&Change) -> bool {
    move |c| c.applicability >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_conflicts_are_errors_with_lines() {
        let e = Decisions::parse(
            "version = 1\n[[accepted]]\nid = \"x\"\nwho = 1\n",
            "d.toml".as_ref(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("d.toml:4:"), "{e}");
        let e = Decisions::parse(
            "version = 1\n[[accepted]]\nid = \"x\"\n[[rejected]]\nid = \"x\"\n",
            "d.toml".as_ref(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("both accepted and rejected"), "{e}");
        let e = Decisions::parse("version = 2\n", "d.toml".as_ref())
            .unwrap_err()
            .to_string();
        assert!(e.contains("unsupported version 2"), "{e}");
    }

    #[test]
    fn the_changes_of_a_move_are_selected_together() {
        let change = |id: &str, linked: &[&str]| Change {
            id: ChangeId::from_string(id),
            original: crate::Span::new(0, 0),
            replacement: Default::default(),
            rules: smallvec::smallvec![crate::RuleId::from_static("layout.x")],
            applicability: crate::Applicability::Review,
            confidence: 1.0,
            message: std::borrow::Cow::Borrowed(""),
            linked: linked.iter().map(|&l| ChangeId::from_string(l)).collect(),
        };
        let changes = [change("a", &["b"]), change("b", &["a"]), change("c", &[])];
        let ids = |picked: Vec<Change>| -> Vec<String> {
            picked.iter().map(|c| c.id.to_string()).collect()
        };
        let mut d = Decisions::default();
        // Undecided and not applied by default: neither half.
        assert!(d.select(&changes, |_| false).is_empty());
        // Accepting one half accepts the move.
        d.record(&changes[1], Verdict::Accepted, "p", "");
        assert_eq!(ids(d.select(&changes, |_| false)), ["a", "b"]);
        // Rejecting any half rejects it, whatever the other says.
        d.record(&changes[0], Verdict::Rejected, "p", "");
        assert_eq!(ids(d.select(&changes, |_| true)), ["c"]);
    }

    #[test]
    fn special_characters_in_context_round_trip() {
        let original = "say \"ﬁ\" \\ back\tslash";
        let outcome = crate::clean_str(original);
        let mut d = Decisions::default();
        d.record(
            &outcome.changes[0],
            Verdict::Accepted,
            "we\"ird.txt",
            original,
        );
        let again = Decisions::parse(&d.to_toml(), "x".as_ref()).unwrap();
        assert_eq!(again.order, d.order);
    }
}
