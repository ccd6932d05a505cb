//! The built-in stages, in pipeline order: decode → unicode → garble → layout → rules →
//! words. Each module declares its rules (`RULES`) beside the code that implements them.

use crate::registry::RuleInfo;
use crate::stage::{Context, Stage};

pub mod decode;
pub(crate) mod garble;
pub(crate) mod layout;
pub(crate) mod rules;
pub(crate) mod unicode;
pub(crate) mod words;

/// The rules of every built-in stage, in pipeline order, a list per pass (see
/// [`crate::registry`] and [`rules`]).
///
/// The layout stage's passes are taken as its whole list: naming them one by one here
/// once left the passes added later out of the registry (and out of `explain`, review
/// pages, and the rule filter's idea of which stages may act).
static RULES: &[&[&[RuleInfo]]] = &[
    &[decode::RULES],
    &[unicode::RULES],
    &[garble::RULES],
    layout::RULES,
    &[rules::RULES],
    &[words::RULES],
];

/// Every built-in rule, in pipeline order.
pub(crate) fn rules() -> impl Iterator<Item = &'static RuleInfo> {
    RULES
        .iter()
        .flat_map(|passes| passes.iter())
        .flat_map(|rules| rules.iter())
}

/// The default stages for `cx`, in order.
pub fn default_stages(cx: &Context) -> Vec<Box<dyn Stage>> {
    let mut stages: Vec<Box<dyn Stage>> = vec![
        Box::new(decode::Decode),
        Box::new(unicode::Unicode::Invisible),
        Box::new(unicode::Unicode::Characters),
        Box::new(garble::Garble),
    ];
    stages.extend(layout::passes(cx));
    stages.push(Box::new(rules::Rules));
    stages.push(Box::new(words::Words::new((*cx.lexicon).clone())));
    stages
}
