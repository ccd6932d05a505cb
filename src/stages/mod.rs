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

/// The rules of every built-in stage, in pipeline order (see [`crate::registry`]).
pub(crate) static RULES: &[&[RuleInfo]] = &[
    decode::RULES,
    unicode::RULES,
    garble::RULES,
    layout::RULES[0],
    layout::RULES[1],
    layout::RULES[2],
    layout::RULES[3],
    layout::RULES[4],
    rules::RULES,
    words::RULES,
];

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
