//! The words stage: OCR confusions, glued words and broken words (not yet implemented).

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The words stage.
pub(crate) struct Words;

impl Stage for Words {
    fn name(&self) -> &'static str {
        "words"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
