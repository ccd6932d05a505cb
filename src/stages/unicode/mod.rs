//! The unicode stage: ligatures, invisible characters, spaces, NFC, mojibake (not yet implemented).

mod mojibake;

use crate::registry::RuleInfo;
use crate::stage::{Context, Document, Proposals, Stage};

/// The rules of this stage.
pub(crate) const RULES: &[RuleInfo] = &[];

/// The unicode stage.
pub(crate) struct Unicode;

impl Stage for Unicode {
    fn name(&self) -> &'static str {
        "unicode"
    }

    fn run(&self, _doc: &Document<'_>, _cx: &Context, _out: &mut Proposals) {}
}
