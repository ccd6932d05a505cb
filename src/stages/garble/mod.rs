//! The garble stage: leaked PDF content-stream syntax and letter soup (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The garble stage.
pub(crate) struct Garble;

impl Stage for Garble {
    fn name(&self) -> &'static str {
        "garble"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
