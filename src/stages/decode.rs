//! The decode stage: bytes to text, line endings, control characters (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The decode stage.
pub(crate) struct Decode;

impl Stage for Decode {
    fn name(&self) -> &'static str {
        "decode"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
