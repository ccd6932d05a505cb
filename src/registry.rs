//! The registry of rules: one documented entry per rule id.
//!
//! Every built-in rule is declared once, beside the code that implements it, as a
//! [`RuleInfo`] constant; [`builtin`] collects them. `recto explain ID` and `recto rules
//! list` print from here, so the code's documentation and the CLI's are the same text.
//! Rules from rule files are registered at run time ([`Registry::add`]).

use std::borrow::Cow;

use serde::Serialize;

use crate::fix::Applicability;

/// The documentation of one rule.
///
/// ```
/// let info = recto::registry::lookup("unicode.ligature").unwrap();
/// assert_eq!(info.stage, "unicode");
/// assert!(info.explanation.contains("ﬁ"));
/// ```
#[derive(Clone, Debug, Serialize)]
pub struct RuleInfo {
    /// The rule id, `stage.name` or `FILE-STEM.ID`.
    pub id: Cow<'static, str>,
    /// The stage the rule runs in.
    pub stage: Cow<'static, str>,
    /// The applicability of its fixes (the most common one, where it varies).
    pub applicability: Applicability,
    /// One line: what the rule does.
    pub summary: Cow<'static, str>,
    /// Several paragraphs: why, when it fires, when it does not, and an example.
    pub explanation: Cow<'static, str>,
}

impl RuleInfo {
    /// A built-in rule's entry (for `const` declarations beside the code).
    pub const fn builtin(
        id: &'static str,
        stage: &'static str,
        applicability: Applicability,
        summary: &'static str,
        explanation: &'static str,
    ) -> RuleInfo {
        RuleInfo {
            id: Cow::Borrowed(id),
            stage: Cow::Borrowed(stage),
            applicability,
            summary: Cow::Borrowed(summary),
            explanation: Cow::Borrowed(explanation),
        }
    }
}

/// Every built-in rule, in pipeline order.
pub fn builtin() -> Vec<&'static RuleInfo> {
    crate::stages::rules().collect()
}

/// The built-in rule with this id.
pub fn lookup(id: &str) -> Option<&'static RuleInfo> {
    builtin().into_iter().find(|r| r.id == id)
}

/// Built-in rules plus rules registered at run time (from rule files).
///
/// ```
/// use recto::registry::{Registry, RuleInfo};
/// use recto::Applicability;
/// let mut reg = Registry::builtin();
/// reg.add(RuleInfo {
///     id: "mine.fix-teh".into(), stage: "rules".into(),
///     applicability: Applicability::Safe,
///     summary: "teh → the".into(), explanation: "A typo.".into(),
/// });
/// assert!(reg.get("mine.fix-teh").is_some());
/// assert!(reg.get("unicode.ligature").is_some());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    rules: Vec<RuleInfo>,
}

impl Registry {
    /// The built-in rules.
    pub fn builtin() -> Registry {
        Registry {
            rules: builtin().into_iter().cloned().collect(),
        }
    }

    /// Registers a rule (replacing one with the same id).
    pub fn add(&mut self, info: RuleInfo) {
        match self.rules.iter_mut().find(|r| r.id == info.id) {
            Some(slot) => *slot = info,
            None => self.rules.push(info),
        }
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Every rule, built-in first, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &RuleInfo> {
        self.rules.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_pass_has_its_rules_registered() {
        // Regression: the stage list once named the layout passes by index, and the
        // passes added after the fifth (reading order, spacing, reflow…) were missing:
        // `explain` did not know them and `--select layout.reflow` silenced the stage.
        for rules in crate::stages::layout::RULES {
            for rule in *rules {
                assert!(lookup(&rule.id).is_some(), "{} is not registered", rule.id);
            }
        }
        assert!(lookup("layout.reflow").is_some());
    }

    #[test]
    fn every_builtin_rule_is_documented_and_unique() {
        let rules = builtin();
        assert!(!rules.is_empty());
        let mut ids: Vec<&str> = rules.iter().map(|r| &*r.id).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        for r in rules {
            assert!(
                r.id.starts_with(&*r.stage) && r.id.as_bytes().get(r.stage.len()) == Some(&b'.'),
                "{}: id must be stage.name",
                r.id
            );
            assert!(
                !r.summary.is_empty() && !r.summary.contains('\n'),
                "{}: summary",
                r.id
            );
            assert!(
                r.explanation.contains("Example") || r.explanation.contains("example"),
                "{}: explanation needs an example",
                r.id
            );
        }
    }
}
