//! Rule files: fixes a user declares in TOML, and the built-in sets under `rules/`.
//!
//! A rule file teaches recto about one corpus: a `[meta]` table and `[[rule]]` tables,
//! each a literal, swap or regex rule with the examples that prove it. This module parses
//! them (with an error naming file, line and rule for every mistake), runs their examples,
//! and documents them for `recto explain`; [`RuleSet`] compiles the active files into one
//! matcher that the rules stage runs.
//!
//! ```toml
//! [meta]
//! description = "Typos of the Smith letters"
//!
//! [[rule]]
//! id = "teh"
//! description = "teh → the"
//! explanation = "Optional: why, and when it does not fire (for `recto explain`)."
//! kind = "literal"
//! pattern = "teh"
//! replacement = "the"
//! whole-word = true
//!
//! [[rule.example]]
//! input = "teh letter"
//! output = "the letter"
//!
//! [[rule.example]]
//! input = "Tehran"        # no output: must not change
//! ```
//!
//! A rule's full id is `FILE-STEM.ID` (`smith.teh` for `smith.toml`), so `--select`,
//! `--ignore` and `recto explain` treat a rule file like a stage.

use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;

use crate::fix::{Applicability, RuleId};
use crate::registry::RuleInfo;

mod anchors;
mod compile;
mod parse;

pub use compile::RuleSet;
pub(crate) use parse::is_name;

/// A parsed and validated rule file.
#[derive(Clone, Debug)]
pub struct RuleFile {
    path: PathBuf,
    name: String,
    description: String,
    link: Option<String>,
    rules: Vec<Rule>,
}

/// One rule of a rule file.
#[derive(Clone, Debug)]
pub struct Rule {
    id: RuleId,
    description: String,
    /// Why the rule is shaped as it is, for `recto explain` (optional).
    explanation: Option<String>,
    matcher: Matcher,
    applicability: Applicability,
    confidence: f32,
    options: MatchOptions,
    examples: Vec<Example>,
    line: usize,
}

/// What a rule looks for and what it puts instead.
#[derive(Clone, Debug)]
pub(crate) enum Matcher {
    /// One literal string.
    Literal {
        pattern: String,
        replacement: String,
    },
    /// Several literal strings, each with its own replacement.
    Swap(Vec<(String, String)>),
    /// A regular expression and a replacement template (`$1`, `${name}`).
    Regex {
        regex: Regex,
        template: Template,
        replacement: String,
    },
}

/// Where a match counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MatchOptions {
    /// Letters match regardless of case; literal replacements follow the matched case.
    pub(crate) case_insensitive: bool,
    /// A match may not start or end inside a word.
    pub(crate) whole_word: bool,
    /// A match must be all of its line(s), apart from spaces and tabs around it.
    pub(crate) whole_line: bool,
}

/// A replacement template of a regex rule, resolved against the regex's groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Template(pub(crate) Vec<TemplatePart>);

/// A piece of a [`Template`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TemplatePart {
    Text(String),
    Group(usize),
}

/// An example of a rule: what it makes of `input`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    /// The text the rule is run on.
    pub input: String,
    /// What the rule must make of it; `None`: it must leave the input unchanged.
    pub output: Option<String>,
    /// The line of the example in its file.
    pub line: usize,
}

impl RuleFile {
    /// Parses and validates a rule file. `path` names the file in messages; its stem is
    /// the prefix of the rule ids.
    ///
    /// ```
    /// let file = recto::rulefile::RuleFile::parse("smith.toml", r#"
    /// [meta]
    /// description = "Smith letters"
    /// [[rule]]
    /// id = "teh"
    /// description = "teh → the"
    /// kind = "literal"
    /// pattern = "teh"
    /// replacement = "the"
    /// "#).unwrap();
    /// assert_eq!(file.rules()[0].id().as_str(), "smith.teh");
    ///
    /// let err = recto::rulefile::RuleFile::parse("smith.toml", "[meta]\ndescription = 1\n")
    ///     .unwrap_err();
    /// assert!(err.to_string().starts_with("smith.toml:2: "));
    /// ```
    pub fn parse(path: impl AsRef<Path>, text: &str) -> Result<RuleFile, RuleFileError> {
        parse::parse(path.as_ref(), text)
    }

    /// Reads and parses a rule file.
    pub fn load(path: impl AsRef<Path>) -> Result<RuleFile, RuleFileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| RuleFileError {
            path: path.to_owned(),
            line: None,
            rule: None,
            message: format!("cannot read: {e}"),
        })?;
        RuleFile::parse(path, &text)
    }

    /// The path the file was read from (for built-in sets, `rules/NAME.toml`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rule-set name: the file stem, the prefix of every rule id.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `[meta] description`.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// `[meta] link`, if any.
    pub fn link(&self) -> Option<&str> {
        self.link.as_deref()
    }

    /// The rules, in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Keeps only the rules `keep` accepts (by full id); for `select`/`ignore`.
    pub fn retain_rules(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.rules.retain(|r| keep(r.id.as_str()));
    }

    /// Registry entries for the rules, for `recto explain` and `recto rules list`.
    ///
    /// ```
    /// let file = recto::rulefile::builtin_set("web-residue").unwrap();
    /// let infos = file.rule_infos();
    /// let info = infos.iter().find(|i| i.id == "web-residue.search-in").unwrap();
    /// assert_eq!(info.stage, "rules");
    /// assert!(info.explanation.contains("Example"));
    /// ```
    pub fn rule_infos(&self) -> Vec<RuleInfo> {
        self.rules.iter().map(|r| r.info(self)).collect()
    }
}

impl Rule {
    /// The full id, `FILE-STEM.ID`.
    pub fn id(&self) -> &RuleId {
        &self.id
    }

    /// One line: what the rule does.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The applicability of its fixes.
    pub fn applicability(&self) -> Applicability {
        self.applicability
    }

    /// Its confidence, `0.0..=1.0`.
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// Its examples.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The line of its `[[rule]]` id in its file.
    pub fn line(&self) -> usize {
        self.line
    }

    /// `literal`, `swap` or `regex`.
    pub fn kind(&self) -> &'static str {
        match self.matcher {
            Matcher::Literal { .. } => "literal",
            Matcher::Swap(_) => "swap",
            Matcher::Regex { .. } => "regex",
        }
    }

    fn info(&self, file: &RuleFile) -> RuleInfo {
        use std::fmt::Write;
        let mut ex = String::new();
        if let Some(why) = &self.explanation {
            let _ = writeln!(ex, "{why}\n");
        }
        let _ = writeln!(
            ex,
            "From the rule set `{}` ({}): {}.",
            file.name,
            file.path.display(),
            file.description.trim_end_matches('.')
        );
        match &self.matcher {
            Matcher::Literal {
                pattern,
                replacement,
            } => {
                let _ = writeln!(ex, "Replaces the literal {pattern:?} with {replacement:?}.");
            }
            Matcher::Swap(pairs) => {
                let _ = writeln!(ex, "Replaces each literal with its counterpart:");
                for (from, to) in pairs {
                    let _ = writeln!(ex, "  {from:?} → {to:?}");
                }
            }
            Matcher::Regex {
                regex, replacement, ..
            } => {
                let _ = writeln!(
                    ex,
                    "Replaces matches of the regex `{}` with {replacement:?}.",
                    regex.as_str()
                );
            }
        }
        let o = self.options;
        let flags: Vec<&str> = [
            (o.case_insensitive, "case-insensitive"),
            (o.whole_word, "whole words only"),
            (
                o.whole_line,
                "whole lines only (a deleted line goes with its line break)",
            ),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, s)| *s)
        .collect();
        if !flags.is_empty() {
            let _ = writeln!(ex, "Options: {}.", flags.join(", "));
        }
        let _ = writeln!(
            ex,
            "Applicability: {}; confidence {}.",
            self.applicability, self.confidence
        );
        if let Some(link) = &file.link {
            let _ = writeln!(ex, "See {link}");
        }
        for e in &self.examples {
            let _ = writeln!(ex, "\nExample:\n  input:  {:?}", e.input);
            match &e.output {
                Some(out) => {
                    let _ = writeln!(ex, "  output: {out:?}");
                }
                None => {
                    let _ = writeln!(ex, "  (left unchanged)");
                }
            }
        }
        RuleInfo {
            id: self.id.as_str().to_owned().into(),
            stage: "rules".into(),
            applicability: self.applicability,
            summary: self.description.clone().into(),
            explanation: ex.trim_end().to_owned().into(),
        }
    }
}

/// A mistake in a rule file, or a conflict between rule files.
///
/// Displayed on one line: `FILE:LINE: rule ID: message` (the line and the rule when
/// known).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct RuleFileError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the mistake has one.
    pub line: Option<usize>,
    /// The full id of the rule, when the mistake is inside one.
    pub rule: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(rule) = &self.rule {
            write!(f, ": rule {rule}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A built-in rule set, embedded in the binary and enabled by name.
#[derive(Clone, Copy, Debug)]
pub struct BuiltinSet {
    /// The set's name (its file stem under `rules/`).
    pub name: &'static str,
    /// One line: what the set does (its `[meta] description`).
    pub description: &'static str,
    /// Whether the set is on when no configuration says otherwise.
    pub default_enabled: bool,
    source: &'static str,
}

/// The built-in rule sets, in the order their rules take precedence.
///
/// `web-residue`, `markdown` and `ocr-common` are on by default: their safe rules never
/// fire on clean text (every gold file of the benchmark passes through them unchanged).
/// `typography` rewrites the author's typography and is off unless asked for.
pub const BUILTIN_SETS: &[BuiltinSet] = &[
    BuiltinSet {
        name: "web-residue",
        description: "Lines left behind by web pages of document archives (search boxes, citation and share widgets, bullets)",
        default_enabled: true,
        source: include_str!("../../rules/web-residue.toml"),
    },
    BuiltinSet {
        name: "markdown",
        description: "Markdown markup left in text scraped from web archives",
        default_enabled: true,
        source: include_str!("../../rules/markdown.toml"),
    },
    BuiltinSet {
        name: "ocr-common",
        description: "OCR misreadings that are never words (tlie → the, wliich → which)",
        default_enabled: true,
        source: include_str!("../../rules/ocr-common.toml"),
    },
    BuiltinSet {
        name: "typography",
        description: "Typographic quotes, dashes and ellipses to plain ASCII",
        default_enabled: false,
        source: include_str!("../../rules/typography.toml"),
    },
];

impl BuiltinSet {
    /// Parses the set. Built-in sets are checked by the test suite, so this cannot fail
    /// in a released binary.
    pub fn load(&self) -> RuleFile {
        let path = format!("rules/{}.toml", self.name);
        RuleFile::parse(&path, self.source)
            .unwrap_or_else(|e| panic!("built-in rule set is invalid: {e}"))
    }
}

/// The built-in rule set called `name`.
///
/// ```
/// assert!(recto::rulefile::builtin_set("markdown").is_some());
/// assert!(recto::rulefile::builtin_set("nonesuch").is_none());
/// ```
pub fn builtin_set(name: &str) -> Option<RuleFile> {
    BUILTIN_SETS
        .iter()
        .find(|s| s.name == name)
        .map(BuiltinSet::load)
}

/// An example that did not come out as its rule file says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExampleFailure {
    /// The rule file.
    pub path: PathBuf,
    /// The line of the example.
    pub line: usize,
    /// The rule.
    pub rule: RuleId,
    /// The example's input.
    pub input: String,
    /// What the example says the rule makes of it (the input itself when it must not
    /// change).
    pub expected: String,
    /// What the rule made of it.
    pub got: String,
}

impl fmt::Display for ExampleFailure {
    /// `FILE:LINE: rule ID: example failed`, then a line diff of expected and got.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}: rule {}: example failed",
            self.path.display(),
            self.line,
            self.rule
        )?;
        writeln!(f, "  input:    {:?}", self.input)?;
        writeln!(f, "  expected: {:?}", self.expected)?;
        write!(f, "  got:      {:?}", self.got)?;
        if self.expected.contains('\n') || self.got.contains('\n') {
            let diff = similar::TextDiff::from_lines(&self.expected, &self.got);
            write!(
                f,
                "\n{}",
                diff.unified_diff()
                    .header("expected", "got")
                    .context_radius(2)
            )?;
        }
        Ok(())
    }
}

/// Runs the examples of every rule of `file` and returns those that fail.
///
/// Each example runs its own rule alone, applying its fixes whatever their
/// applicability, so an example tests the rule itself and not its neighbours.
///
/// Fails only if the file's rules cannot be compiled at all (more patterns than an
/// automaton can hold).
///
/// ```
/// let file = recto::rulefile::builtin_set("markdown").unwrap();
/// assert!(recto::rulefile::test_examples(&file).unwrap().is_empty());
/// ```
pub fn test_examples(file: &RuleFile) -> Result<Vec<ExampleFailure>, RuleFileError> {
    let mut failures = Vec::new();
    for rule in &file.rules {
        if rule.examples.is_empty() {
            continue;
        }
        let single = RuleFile {
            rules: vec![rule.clone()],
            ..file.clone()
        };
        let set = RuleSet::compile(vec![single])?;
        for ex in &rule.examples {
            let got = set.apply_all(&ex.input);
            let expected = ex.output.as_ref().unwrap_or(&ex.input);
            if &got != expected {
                failures.push(ExampleFailure {
                    path: file.path.clone(),
                    line: ex.line,
                    rule: rule.id.clone(),
                    input: ex.input.clone(),
                    expected: expected.clone(),
                    got,
                });
            }
        }
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_sets_parse_and_their_descriptions_match_their_files() {
        for set in BUILTIN_SETS {
            let file = set.load();
            assert_eq!(file.name(), set.name);
            assert_eq!(file.description(), set.description, "{}", set.name);
            assert!(!file.rules().is_empty());
        }
    }

    #[test]
    fn every_builtin_rule_has_examples_and_they_pass() {
        for set in BUILTIN_SETS {
            let file = set.load();
            for rule in file.rules() {
                assert!(
                    rule.examples().iter().any(|e| e.output.is_some())
                        && rule.examples().iter().any(|e| e.output.is_none()),
                    "{}: needs an example that changes and one that must not",
                    rule.id()
                );
            }
            let failures = test_examples(&file).unwrap();
            let report: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
            assert!(failures.is_empty(), "{}", report.join("\n"));
        }
    }

    #[test]
    fn a_failing_example_is_reported_with_its_line_and_both_texts() {
        let file = RuleFile::parse(
            "t.toml",
            r#"[meta]
description = "t"

[[rule]]
id = "x"
description = "x → y"
kind = "literal"
pattern = "x"
replacement = "y"

[[rule.example]]
input = "x"
output = "z"

[[rule.example]]
input = "a x"
"#,
        )
        .unwrap();
        let failures = test_examples(&file).unwrap();
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[0].line, 11);
        assert_eq!((&*failures[0].expected, &*failures[0].got), ("z", "y"));
        assert_eq!((&*failures[1].expected, &*failures[1].got), ("a x", "a y"));
        assert!(failures[0]
            .to_string()
            .starts_with("t.toml:11: rule t.x: example failed"));
    }

    /// ocr-common is safe only while every misreading it fixes is no word and every
    /// fix is one: checked against the shipped English lexicon.
    #[test]
    fn ocr_common_turns_non_words_into_words() {
        let lexicon = crate::lexicon::Lexicon::english();
        let file = builtin_set("ocr-common").unwrap();
        for rule in file.rules() {
            let Matcher::Swap(pairs) = &rule.matcher else {
                panic!("{}: ocr-common holds swaps only", rule.id());
            };
            for (from, to) in pairs {
                assert!(!lexicon.contains(from), "{}: {from:?} is a word", rule.id());
                assert!(lexicon.contains(to), "{}: {to:?} is no word", rule.id());
            }
        }
    }

    #[test]
    fn rule_infos_explain_the_rule_with_its_examples() {
        let file = builtin_set("ocr-common").unwrap();
        for info in file.rule_infos() {
            assert_eq!(info.stage, "rules");
            assert!(info.id.starts_with("ocr-common."));
            assert!(info.explanation.contains("Example:"), "{}", info.id);
            assert!(!info.summary.contains('\n'));
        }
    }
}
