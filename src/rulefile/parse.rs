//! Rule files from TOML: deserialization with spans, then validation.
//!
//! Every error names the file and a line; errors inside a `[[rule]]` also name the rule.
//! serde reports unknown keys and wrong types with a byte span but knows nothing of
//! rules, so for those a second, tolerant pass finds which `[[rule]]` table the span falls
//! in (see [`rule_at`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use regex::RegexBuilder;
use serde::Deserialize;
use toml::Spanned;

use super::{
    Example, MatchOptions, Matcher, Rule, RuleFile, RuleFileError, Template, TemplatePart,
};
use crate::fix::{Applicability, RuleId};
use crate::span::LineIndex;

/// The stage names, which rule files may not take: their rule ids would pass for
/// built-in ones.
const RESERVED_NAMES: &[&str] = &["decode", "unicode", "garble", "layout", "rules", "words"];

/// The compiled size a rule's regex may reach. Rule files come from users and from
/// other people's repositories: a regex like `\w{1000}{1000}` must be an error, not a
/// gigabyte of automaton.
pub(crate) const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    meta: Option<Spanned<RawMeta>>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    description: String,
    link: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawRule {
    id: Spanned<String>,
    description: Spanned<String>,
    explanation: Option<String>,
    kind: Spanned<Kind>,
    pattern: Option<Spanned<String>>,
    swap: Option<Spanned<BTreeMap<String, String>>>,
    replacement: Option<Spanned<String>>,
    applicability: Option<Spanned<String>>,
    confidence: Option<Spanned<f64>>,
    #[serde(default)]
    case_insensitive: bool,
    #[serde(default)]
    whole_word: bool,
    #[serde(default)]
    whole_line: bool,
    #[serde(default)]
    example: Vec<Spanned<RawExample>>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Literal,
    Swap,
    Regex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExample {
    input: String,
    output: Option<String>,
}

/// Only what locating a rule needs, tolerant of everything else.
#[derive(Deserialize)]
struct LooseFile {
    #[serde(default)]
    rule: Vec<Spanned<LooseRule>>,
}

#[derive(Deserialize)]
struct LooseRule {
    id: Option<toml::Value>,
}

/// Builds errors for one file.
struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
    stem: &'a str,
}

impl Ctx<'_> {
    fn err(
        &self,
        at: Option<usize>,
        rule: Option<&str>,
        message: impl Into<String>,
    ) -> RuleFileError {
        RuleFileError {
            path: self.path.to_owned(),
            line: at.map(|at| self.lines.line_col(self.text, at).line),
            rule: rule.map(|id| format!("{}.{id}", self.stem)),
            message: one_line(&message.into()),
        }
    }

    fn line(&self, at: usize) -> usize {
        self.lines.line_col(self.text, at).line
    }
}

pub(super) fn parse(path: &Path, text: &str) -> Result<RuleFile, RuleFileError> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let cx = Ctx {
        path,
        text,
        lines: LineIndex::new(text),
        stem,
    };
    if !is_name(stem) {
        return Err(cx.err(
            None,
            None,
            format!(
                "the file name {stem:?} cannot prefix rule ids: use letters, digits, '-' and '_' \
                 (the rule set is named after the file)"
            ),
        ));
    }
    if RESERVED_NAMES.contains(&stem) {
        return Err(cx.err(
            None,
            None,
            format!("a rule file may not be named {stem:?}, the name of a built-in stage: its rule ids would pass for built-in ones"),
        ));
    }
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let at = e.span().map(|s| s.start);
        let rule = at.and_then(|at| rule_at(text, at));
        cx.err(at, rule.as_deref(), e.message())
    })?;
    let Some(meta) = raw.meta else {
        return Err(cx.err(Some(0), None, "missing [meta] table with a description"));
    };
    let meta_span = meta.span();
    let meta = meta.into_inner();
    if meta.description.trim().is_empty() {
        return Err(cx.err(Some(meta_span.start), None, "[meta] description is empty"));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rules = Vec::with_capacity(raw.rule.len());
    for raw_rule in raw.rule {
        let rule = rule(&cx, raw_rule.into_inner())?;
        let local = rule.id.as_str()[stem.len() + 1..].to_owned();
        if let Some(first) = seen.insert(local.clone(), rule.line) {
            return Err(cx.err(
                Some(cx.lines.line_start(rule.line).unwrap_or(0)),
                Some(&local),
                format!("duplicate rule id (first defined on line {first})"),
            ));
        }
        rules.push(rule);
    }
    Ok(RuleFile {
        path: path.to_owned(),
        name: stem.to_owned(),
        description: meta.description.trim().to_owned(),
        link: meta.link,
        rules,
    })
}

fn rule(cx: &Ctx<'_>, raw: RawRule) -> Result<Rule, RuleFileError> {
    let id = raw.id.get_ref().as_str();
    let id_at = raw.id.span().start;
    let err = |at: usize, message: String| cx.err(Some(at), Some(id), message);
    if !is_name(id) {
        return Err(err(
            id_at,
            format!("invalid id {id:?}: use letters, digits, '-' and '_'"),
        ));
    }
    if raw.description.get_ref().trim().is_empty() {
        return Err(err(
            raw.description.span().start,
            "empty description".into(),
        ));
    }
    let applicability = match &raw.applicability {
        None => Applicability::Safe,
        Some(a) => a.get_ref().parse().map_err(|m| err(a.span().start, m))?,
    };
    let confidence = match &raw.confidence {
        None => 1.0,
        Some(c) if (0.0..=1.0).contains(c.get_ref()) => *c.get_ref() as f32,
        Some(c) => {
            return Err(err(
                c.span().start,
                format!("confidence {} is outside 0.0..=1.0", c.get_ref()),
            ))
        }
    };
    let options = MatchOptions {
        case_insensitive: raw.case_insensitive,
        whole_word: raw.whole_word,
        whole_line: raw.whole_line,
    };
    let kind_at = raw.kind.span().start;
    let forbid = |field: &Option<Spanned<_>>, name: &str, kind: &str| match field {
        Some(f) => Err(err(
            f.span().start,
            format!("`{name}` is not used by kind = \"{kind}\""),
        )),
        None => Ok(()),
    };
    let require = |field: Option<Spanned<String>>, name: &str, kind: &str| {
        field.ok_or_else(|| err(kind_at, format!("kind = \"{kind}\" needs `{name}`")))
    };
    let matcher = match *raw.kind.get_ref() {
        Kind::Literal => {
            forbid_swap(&raw.swap, &err, "literal")?;
            let pattern = require(raw.pattern, "pattern", "literal")?;
            let replacement = require(raw.replacement, "replacement", "literal")?;
            if pattern.get_ref().is_empty() {
                return Err(err(pattern.span().start, "empty pattern".into()));
            }
            Matcher::Literal {
                pattern: pattern.into_inner(),
                replacement: replacement.into_inner(),
            }
        }
        Kind::Swap => {
            forbid(&raw.pattern, "pattern", "swap")?;
            forbid(&raw.replacement, "replacement", "swap")?;
            let swap = raw.swap.ok_or_else(|| {
                err(
                    kind_at,
                    "kind = \"swap\" needs `swap = { from = \"to\", … }`".into(),
                )
            })?;
            let at = swap.span().start;
            let pairs: Vec<(String, String)> = swap.into_inner().into_iter().collect();
            if pairs.is_empty() {
                return Err(err(at, "empty swap table".into()));
            }
            if pairs.iter().any(|(from, _)| from.is_empty()) {
                return Err(err(at, "empty key in swap table".into()));
            }
            Matcher::Swap(pairs)
        }
        Kind::Regex => {
            forbid_swap(&raw.swap, &err, "regex")?;
            let pattern = require(raw.pattern, "pattern", "regex")?;
            let replacement = require(raw.replacement, "replacement", "regex")?;
            let regex = compile_regex(pattern.get_ref(), options.case_insensitive)
                .map_err(|m| err(pattern.span().start, m))?;
            let template = parse_template(replacement.get_ref(), &regex)
                .map_err(|m| err(replacement.span().start, m))?;
            Matcher::Regex {
                regex,
                template,
                replacement: replacement.into_inner(),
            }
        }
    };
    let examples = raw
        .example
        .into_iter()
        .map(|e| {
            let line = cx.line(e.span().start);
            let e = e.into_inner();
            Example {
                input: e.input,
                output: e.output,
                line,
            }
        })
        .collect();
    Ok(Rule {
        id: RuleId::new(format!("{}.{id}", cx.stem)),
        description: raw.description.into_inner().trim().to_owned(),
        explanation: raw.explanation.map(|e| e.trim().to_owned()),
        matcher,
        applicability,
        confidence,
        options,
        examples,
        line: cx.line(id_at),
    })
}

fn forbid_swap(
    swap: &Option<Spanned<BTreeMap<String, String>>>,
    err: &impl Fn(usize, String) -> RuleFileError,
    kind: &str,
) -> Result<(), RuleFileError> {
    match swap {
        Some(s) => Err(err(
            s.span().start,
            format!("`swap` is not used by kind = \"{kind}\""),
        )),
        None => Ok(()),
    }
}

/// Compiles a rule's regex: `^`/`$` match at line ends, size limited.
pub(crate) fn compile_regex(pattern: &str, case_insensitive: bool) -> Result<regex::Regex, String> {
    RegexBuilder::new(pattern)
        .multi_line(true)
        .case_insensitive(case_insensitive)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(limit) => {
                format!("regex exceeds the size limit ({limit} bytes compiled); simplify it")
            }
            regex::Error::Syntax(s) => {
                // The syntax error is drawn over several lines with a caret; keep its
                // last line, the reason.
                let reason = s
                    .lines()
                    .rev()
                    .find_map(|l| l.strip_prefix("error: "))
                    .unwrap_or(&s);
                format!("invalid regex: {reason}")
            }
            other => format!("invalid regex: {other}"),
        })
}

/// Parses a replacement template: `$1`, `${1}`, `$name`, `${name}`, `$$` for a dollar.
/// A group the regex does not have is an error (`$5.00` meant as money is the classic
/// trap), not the silent empty string the regex crate would substitute.
pub(crate) fn parse_template(s: &str, regex: &regex::Regex) -> Result<Template, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        text.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        let (name, after) = if let Some(r) = rest.strip_prefix('{') {
            match r.find('}') {
                Some(j) => (&r[..j], &r[j + 1..]),
                None => return Err("unclosed `${` in replacement".into()),
            }
        } else if let Some(r) = rest.strip_prefix('$') {
            text.push('$');
            rest = r;
            continue;
        } else {
            let n = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            (&rest[..n], &rest[n..])
        };
        if name.is_empty() {
            // A lone `$` is a dollar sign, as in the regex crate.
            text.push('$');
            continue;
        }
        let group = match name.parse::<usize>() {
            Ok(n) if n < regex.captures_len() => n,
            Ok(n) => {
                return Err(format!(
                    "replacement refers to group ${n}, but the regex has {} (write $$ for a dollar sign)",
                    regex.captures_len() - 1
                ))
            }
            Err(_) => regex
                .capture_names()
                .position(|g| g == Some(name))
                .ok_or_else(|| format!("replacement refers to group `{name}`, which the regex does not define"))?,
        };
        if !text.is_empty() {
            parts.push(TemplatePart::Text(std::mem::take(&mut text)));
        }
        parts.push(TemplatePart::Group(group));
        rest = after;
    }
    text.push_str(rest);
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    Ok(Template(parts))
}

/// The id of the `[[rule]]` table containing byte `at`, if the file parses loosely.
fn rule_at(text: &str, at: usize) -> Option<String> {
    let loose: LooseFile = toml::from_str(text).ok()?;
    // A table's span can stop short of its sub-tables (`[[rule.example]]`), so take the
    // last rule starting before `at` rather than one whose span contains it.
    let rule = loose.rule.iter().rev().find(|r| r.span().start <= at)?;
    match &rule.get_ref().id {
        Some(toml::Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// A rule-set or rule name: ASCII letters, digits, `-`, `_`; not empty.
pub(crate) fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex(p: &str) -> regex::Regex {
        regex::Regex::new(p).unwrap()
    }

    #[test]
    fn templates_resolve_numbers_names_and_dollars() {
        let re = regex(r"(?P<word>\w+) (\d+)");
        let t = parse_template("${word}: $2 costs $$5 $", &re).unwrap();
        assert_eq!(
            t.0,
            vec![
                TemplatePart::Group(1),
                TemplatePart::Text(": ".into()),
                TemplatePart::Group(2),
                TemplatePart::Text(" costs $5 $".into()),
            ]
        );
        assert_eq!(
            parse_template("$word", &re).unwrap().0,
            vec![TemplatePart::Group(1)]
        );
    }

    #[test]
    fn templates_reject_groups_the_regex_lacks() {
        let re = regex(r"(\d+)");
        assert!(parse_template("$5.00", &re)
            .unwrap_err()
            .contains("group $5"));
        assert!(parse_template("${nope}", &re)
            .unwrap_err()
            .contains("`nope`"));
        assert!(parse_template("${1", &re).unwrap_err().contains("unclosed"));
    }

    #[test]
    fn regex_errors_are_one_line_reasons() {
        let e = compile_regex("(abc", false).unwrap_err();
        assert_eq!(e, "invalid regex: unclosed group");
        let e = compile_regex(r"\w{1000}{1000}", false).unwrap_err();
        assert!(e.contains("size limit"), "{e}");
    }
}
