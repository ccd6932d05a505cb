//! The rules stage: the fixes of the active rule files ([`crate::rulefile`]).
//!
//! The compiled [`RuleSet`](crate::rulefile::RuleSet) is a shared resource of the
//! [`Context`] (`cx.rules`): configuration decides which files are active, and one set
//! serves every document and thread. Rule ids are `FILE-STEM.ID`, not `rules.*`; their
//! documentation comes from the files themselves ([`RuleFile::rule_infos`]).
//!
//! [`RuleFile::rule_infos`]: crate::rulefile::RuleFile::rule_infos

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage: none of its own; see the rule files.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The rules stage.
pub(crate) struct Rules;

impl Stage for Rules {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn run(&self, doc: &Document<'_>, cx: &Context, out: &mut Proposals) {
        let fixes = cx.rules.fixes(doc.text());
        // One rule's fix can complete another's pattern: a bold `**Search in**` line is
        // a residue line once its markers go. Another round follows that through, so
        // cleaning stays idempotent (the pipeline bounds the rounds, which stops a rule
        // whose replacement matches itself, `a` → `aa`).
        if !fixes.is_empty() {
            out.request_another_round();
        }
        out.fixes.extend(fixes);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::rulefile::{builtin_set, RuleSet};
    use crate::stage::Context;
    use crate::{apply, Pipeline};

    fn pipeline(sets: &[&str]) -> Pipeline {
        let files = sets.iter().map(|s| builtin_set(s).unwrap()).collect();
        let mut p = Pipeline::new(Context {
            rules: Arc::new(RuleSet::compile(files).unwrap()),
            ..Context::default()
        });
        p.push(Box::new(super::Rules));
        p
    }

    #[test]
    fn rule_fixes_flow_through_the_pipeline_attributed_to_their_rule() {
        let input = "Search in\n\n**Citation:**\n\nTlie notes\n";
        let out = pipeline(&["web-residue", "markdown", "ocr-common"]).run(input);
        assert_eq!(out.output, "Citation:\n\nThe notes\n");
        let mut rules: Vec<&str> = out.changes.iter().map(|c| c.rules[0].as_str()).collect();
        rules.dedup(); // bold-line deletes two markers: two changes
        assert_eq!(
            rules,
            [
                "web-residue.search-in",
                "markdown.bold-line",
                "ocr-common.li-for-h"
            ]
        );
        assert_eq!(apply(input, &out.changes), out.output);
    }

    #[test]
    fn a_fix_that_completes_another_rules_pattern_is_followed_through() {
        let out = pipeline(&["web-residue", "markdown"]).run("**Search in**\n\nText\n");
        assert_eq!(out.output, "Text\n");
        assert_eq!(out.changes.len(), 1);
        let mut rules: Vec<&str> = out.changes[0].rules.iter().map(|r| r.as_str()).collect();
        rules.sort();
        assert_eq!(rules, ["markdown.bold-line", "web-residue.search-in"]);
    }

    #[test]
    fn review_rules_are_proposed_not_applied() {
        let out = pipeline(&["markdown"]).run("see <https://example.org/x> now");
        assert_eq!(out.output, "see <https://example.org/x> now");
        assert_eq!(out.proposals.len(), 1);
        assert_eq!(out.proposals[0].rule.as_str(), "markdown.url-brackets");
    }

    #[test]
    fn the_default_context_runs_the_default_sets() {
        let out = Pipeline::default_stages().run("Search in\n\nText\n");
        assert!(!out.output.contains("Search in"), "{:?}", out.output);
    }
}
