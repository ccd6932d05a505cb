//! The rules stage: fixes declared in rule files (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The rules stage.
pub(crate) struct Rules;

impl Stage for Rules {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
