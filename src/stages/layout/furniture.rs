//! Layout pass: furniture (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The furniture pass.
pub(crate) struct Furniture;

impl Stage for Furniture {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
