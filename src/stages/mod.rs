//! The built-in stages, in pipeline order: decode → unicode → garble → layout → rules →
//! words. Each module declares its rules (`RULES`) beside the code that implements them.

use crate::registry::RuleInfo;
use crate::stage::{Context, Stage};

/// The rules of every built-in stage, in pipeline order (see [`crate::registry`]).
pub(crate) static RULES: &[&[RuleInfo]] = &[];

/// The default stages for `cx`, in order.
pub fn default_stages(_cx: &Context) -> Vec<Box<dyn Stage>> {
    Vec::new()
}
