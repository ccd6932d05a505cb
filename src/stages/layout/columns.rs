//! Layout pass: columns (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this pass.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The columns pass.
pub(crate) struct Columns;

impl Stage for Columns {
    fn name(&self) -> &'static str {
        "layout"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
