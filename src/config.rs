//! Configuration: `recto.toml` (or `[tool.recto]` in `pyproject.toml`), discovered upward
//! from each input, with per-file overrides by glob.
//!
//! ```toml
//! rule-sets = { typography = true, ocr-common = false }  # built-in sets on or off
//! rule-files = ["rules/smith-letters.toml"]              # relative to this file
//! select = ["unicode", "smith-letters"]                  # rule-id prefixes
//! ignore = ["markdown.url-brackets"]
//! garble = "mark"                                        # remove | mark | keep
//! garble-marker = "[…]"
//! words = ["words/names.txt"]                            # user word lists
//! keep-lines = false
//! footnotes = "end"                                      # end | keep
//! margin-text = "restore"                                # restore | drop | keep
//! unsafe = false                                         # also apply review fixes
//! decisions = "review/decisions.json"
//! format = "diff"
//!
//! [[overrides]]
//! files = ["letters/**", "*.md"]                         # globs, relative to this file
//! rule-sets = { markdown = false }
//! keep-lines = true
//! ```
//!
//! The nearest configuration wins; configurations in parent directories are not merged
//! into it (ruff's model: a project's file says everything about the project). Unknown
//! keys and values are errors that name the file, line and column.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::lexicon::Lexicon;
use crate::pipeline::RuleFilter;
use crate::rulefile::{RuleFile, RuleFileError, RuleSet, BUILTIN_SETS};
use crate::span::LineIndex;
use crate::stage::{Context, FootnotePolicy, GarblePolicy, MarginPolicy, Options, Policy};

/// File names looked for in each directory, in order of preference.
const CONFIG_NAMES: &[&str] = &["recto.toml", ".recto.toml", "pyproject.toml"];

/// Output formats a configuration may name (`format = …`).
const FORMATS: &[&str] = &["text", "json", "diff", "github", "sarif"];

/// A loaded configuration file.
#[derive(Clone, Debug)]
pub struct Config {
    path: PathBuf,
    root: PathBuf,
    base: Settings,
    overrides: Vec<Override>,
    decisions: Option<PathBuf>,
    format: Option<String>,
}

/// Settings that overrides may change; `None` and empty leave what is below.
#[derive(Clone, Debug, Default)]
struct Settings {
    rule_sets: Vec<(String, bool)>,
    rule_files: Vec<PathBuf>,
    select: Option<Vec<String>>,
    ignore: Vec<String>,
    garble: Option<GarblePolicy>,
    garble_marker: Option<String>,
    words: Vec<PathBuf>,
    keep_lines: Option<bool>,
    footnotes: Option<FootnotePolicy>,
    margin_text: Option<MarginPolicy>,
    unsafe_fixes: Option<bool>,
}

#[derive(Clone, Debug)]
struct Override {
    globs: GlobSet,
    settings: Settings,
}

/// The options in force for one input file: the configuration's settings with every
/// matching override applied. The CLI applies its flags on top.
///
/// Equal options make equal pipelines, so a caller can build one pipeline per distinct
/// value rather than per file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EffectiveOptions {
    /// Enabled built-in rule sets, in precedence order.
    pub rule_sets: Vec<String>,
    /// User rule files (resolved paths), in precedence order; they precede built-in sets.
    pub rule_files: Vec<PathBuf>,
    /// Rule-id prefixes to select (empty: all).
    pub select: Vec<String>,
    /// Rule-id prefixes to ignore.
    pub ignore: Vec<String>,
    /// What to do with garbled runs.
    pub garble: GarblePolicy,
    /// The marker for [`GarblePolicy::Mark`].
    pub garble_marker: String,
    /// Keep line breaks.
    pub keep_lines: bool,
    /// What to do with footnotes at page bottoms.
    pub footnotes: FootnotePolicy,
    /// What to do with vertical or reversed margin text.
    pub margin_text: MarginPolicy,
    /// User word lists (resolved paths).
    pub words: Vec<PathBuf>,
    /// Apply review and suggest fixes too.
    pub unsafe_fixes: bool,
}

impl Default for EffectiveOptions {
    /// The options without any configuration.
    fn default() -> EffectiveOptions {
        let options = Options::default();
        EffectiveOptions {
            rule_sets: BUILTIN_SETS
                .iter()
                .filter(|s| s.default_enabled)
                .map(|s| s.name.to_owned())
                .collect(),
            rule_files: Vec::new(),
            select: Vec::new(),
            ignore: Vec::new(),
            garble: options.garble,
            garble_marker: options.garble_marker,
            keep_lines: options.keep_lines,
            footnotes: options.footnotes,
            margin_text: options.margin_text,
            words: Vec::new(),
            unsafe_fixes: false,
        }
    }
}

impl EffectiveOptions {
    /// The `select`/`ignore` filter.
    pub fn filter(&self) -> RuleFilter {
        RuleFilter::new(self.select.clone(), self.ignore.clone())
    }

    /// The options the stages see.
    pub fn stage_options(&self) -> Options {
        Options {
            garble: self.garble,
            garble_marker: self.garble_marker.clone(),
            keep_lines: self.keep_lines,
            footnotes: self.footnotes,
            margin_text: self.margin_text,
        }
    }

    /// Loads the user rule files and the enabled built-in sets, drops the rules the
    /// filter excludes (so an ignored rule cannot win an overlap it will not apply), and
    /// compiles them. User files come first: where a user rule and a built-in rule
    /// match the same text, the user's wins.
    pub fn rule_files_and_sets(&self) -> Result<Vec<RuleFile>, RuleFileError> {
        let filter = self.filter();
        let mut files = Vec::new();
        for path in &self.rule_files {
            files.push(RuleFile::load(path)?);
        }
        for name in &self.rule_sets {
            if let Some(set) = BUILTIN_SETS.iter().find(|s| s.name == *name) {
                files.push(set.load());
            }
        }
        for file in &mut files {
            file.retain_rules(|id| filter.allows(id));
        }
        Ok(files)
    }

    /// The compiled rule set of [`rule_files_and_sets`](Self::rule_files_and_sets).
    pub fn compile_rules(&self) -> Result<RuleSet, RuleFileError> {
        RuleSet::compile(self.rule_files_and_sets()?)
    }

    /// A pipeline context for these options: stage options, compiled rules, and the
    /// dictionary extended by the user word lists.
    pub fn context(&self) -> Result<Context, ContextError> {
        let mut words = Vec::new();
        for path in &self.words {
            words.extend(Lexicon::load_word_list(path)?);
        }
        let lexicon = if words.is_empty() {
            Lexicon::english().clone()
        } else {
            Lexicon::english().with_words(words)
        };
        Ok(Context {
            options: self.stage_options(),
            rules: std::sync::Arc::new(self.compile_rules()?),
            lexicon: std::sync::Arc::new(lexicon),
        })
    }
}

/// Why a pipeline context could not be built from options.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// A rule file is wrong.
    #[error(transparent)]
    Rules(#[from] RuleFileError),
    /// A user word list is wrong or unreadable.
    #[error(transparent)]
    Words(#[from] crate::lexicon::LexiconError),
}

impl EffectiveOptions {}

/// A mistake in a configuration file, displayed on one line as `FILE:LINE:COL: message`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The configuration file.
    pub path: PathBuf,
    /// Line and column (1-based), when known.
    pub position: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, col)) = self.position {
            write!(f, ":{line}:{col}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One table of settings, top level or override; which keys each may hold is checked
/// after deserialization, so both share this type and `deny_unknown_fields`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawTable {
    rule_sets: Option<BTreeMap<Spanned<String>, bool>>,
    rule_files: Option<Vec<Spanned<String>>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    garble: Option<Spanned<String>>,
    garble_marker: Option<String>,
    words: Option<Vec<Spanned<String>>>,
    keep_lines: Option<bool>,
    footnotes: Option<Spanned<String>>,
    margin_text: Option<Spanned<String>>,
    #[serde(rename = "unsafe")]
    unsafe_fixes: Option<bool>,
    decisions: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
    files: Option<Spanned<Vec<Spanned<String>>>>,
    overrides: Option<Vec<Spanned<RawTable>>>,
}

#[derive(Deserialize)]
struct PyProject {
    tool: Option<PyTool>,
}

#[derive(Deserialize)]
struct PyTool {
    recto: Option<RawTable>,
}

struct Ctx<'a> {
    path: &'a Path,
    text: &'a str,
    lines: LineIndex,
    root: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, at: Option<usize>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: self.path.to_owned(),
            position: at.map(|at| {
                let lc = self.lines.line_col(self.text, at);
                (lc.line, lc.col)
            }),
            message: message.into().replace('\n', "; "),
        }
    }

    /// A path relative to the configuration's directory that must exist.
    fn existing_path(&self, p: &Spanned<String>, what: &str) -> Result<PathBuf, ConfigError> {
        let path = self.root.join(p.get_ref());
        if path.is_file() {
            Ok(path)
        } else {
            Err(self.err(
                Some(p.span().start),
                format!(
                    "{what} {:?} not found (paths are relative to this file)",
                    p.get_ref()
                ),
            ))
        }
    }
}

impl Config {
    /// Finds the configuration for `start` (a file or directory): the nearest
    /// `recto.toml`, `.recto.toml` or `pyproject.toml` with a `[tool.recto]` table in
    /// its directory or above. Returns the file's path and the configuration.
    pub fn discover(start: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_owned());
        let first = if start.is_dir() {
            Some(start.as_path())
        } else {
            start.parent()
        };
        for dir in first.into_iter().flat_map(Path::ancestors) {
            for name in CONFIG_NAMES {
                let path = dir.join(name);
                if !path.is_file() {
                    continue;
                }
                if let Some(config) = Config::read(&path)? {
                    return Ok(Some((path, config)));
                }
            }
        }
        Ok(None)
    }

    /// Loads a configuration file (`-c/--config`). A `pyproject.toml` must have a
    /// `[tool.recto]` table.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::read(path)?.ok_or_else(|| ConfigError {
            path: path.to_owned(),
            position: None,
            message: "no [tool.recto] table".into(),
        })
    }

    fn read(path: &Path) -> Result<Option<Config>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_owned(),
            position: None,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, &text)
    }

    /// Parses configuration text; `path` locates relative paths and names the file in
    /// errors. `Ok(None)`: a `pyproject.toml` without `[tool.recto]`.
    pub fn parse(path: &Path, text: &str) -> Result<Option<Config>, ConfigError> {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let root = absolute.parent().unwrap_or(Path::new("/")).to_owned();
        let cx = Ctx {
            path,
            text,
            lines: LineIndex::new(text),
            root: &root,
        };
        let de_err = |e: toml::de::Error| cx.err(e.span().map(|s| s.start), e.message());
        let raw = if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            let py: PyProject = toml::from_str(text).map_err(de_err)?;
            match py.tool.and_then(|t| t.recto) {
                Some(raw) => raw,
                None => return Ok(None),
            }
        } else {
            toml::from_str(text).map_err(de_err)?
        };
        if let Some(files) = &raw.files {
            return Err(cx.err(
                Some(files.span().start),
                "`files` belongs in an [[overrides]] table",
            ));
        }
        let decisions = raw.decisions.as_ref().map(|d| root.join(d.get_ref()));
        let format = match &raw.format {
            Some(f) if !FORMATS.contains(&f.get_ref().as_str()) => {
                return Err(cx.err(
                    Some(f.span().start),
                    format!(
                        "unknown format {:?} (expected one of {})",
                        f.get_ref(),
                        FORMATS.join(", ")
                    ),
                ))
            }
            f => f.as_ref().map(|f| f.get_ref().clone()),
        };
        let mut overrides = Vec::new();
        for o in raw.overrides.iter().flatten() {
            let at = o.span().start;
            let o = o.get_ref();
            let nested = o
                .overrides
                .as_ref()
                .and_then(|v| v.first())
                .map(|t| t.span().start);
            for (at, key) in [
                (nested, "overrides"),
                (o.decisions.as_ref().map(|d| d.span().start), "decisions"),
                (o.format.as_ref().map(|f| f.span().start), "format"),
            ] {
                if let Some(at) = at {
                    return Err(cx.err(Some(at), format!("`{key}` cannot be overridden per file")));
                }
            }
            let Some(files) = &o.files else {
                return Err(cx.err(Some(at), "an [[overrides]] table needs `files = [globs]`"));
            };
            overrides.push(Override {
                globs: globs(&cx, files.get_ref())?,
                settings: settings(&cx, o)?,
            });
        }
        Ok(Some(Config {
            path: path.to_owned(),
            base: settings(&cx, &raw)?,
            root,
            overrides,
            decisions,
            format,
        }))
    }

    /// The configuration file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory relative paths and globs are resolved from.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The decisions file (`decisions = …`), resolved.
    pub fn decisions(&self) -> Option<&Path> {
        self.decisions.as_deref()
    }

    /// The output format (`format = …`).
    pub fn format(&self) -> Option<&str> {
        self.format.as_deref()
    }

    /// The options for `path` (`None`: standard input): the settings, then every
    /// override whose globs match the path relative to the configuration's directory,
    /// in file order. Later overrides win for single values; lists of rule files, word
    /// lists and `ignore` accumulate; `select` is replaced; `rule-sets` merge by name.
    pub fn for_file(&self, path: Option<&Path>) -> EffectiveOptions {
        let mut out = EffectiveOptions::default();
        self.base.apply_to(&mut out);
        if let Some(path) = path {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
            let relative = absolute.strip_prefix(&self.root).unwrap_or(&absolute);
            for o in &self.overrides {
                if o.globs.is_match(relative) {
                    o.settings.apply_to(&mut out);
                }
            }
        }
        out
    }
}

impl Settings {
    fn apply_to(&self, out: &mut EffectiveOptions) {
        for (name, on) in &self.rule_sets {
            out.rule_sets.retain(|n| n != name);
            if *on {
                out.rule_sets.push(name.clone());
            }
        }
        // Keep the built-in order: it is the precedence order.
        out.rule_sets
            .sort_by_key(|n| BUILTIN_SETS.iter().position(|s| s.name == *n));
        out.rule_files.extend(self.rule_files.iter().cloned());
        if let Some(select) = &self.select {
            out.select = select.clone();
        }
        out.ignore.extend(self.ignore.iter().cloned());
        if let Some(g) = self.garble {
            out.garble = g;
        }
        if let Some(m) = &self.garble_marker {
            out.garble_marker = m.clone();
        }
        out.words.extend(self.words.iter().cloned());
        if let Some(k) = self.keep_lines {
            out.keep_lines = k;
        }
        if let Some(f) = self.footnotes {
            out.footnotes = f;
        }
        if let Some(m) = self.margin_text {
            out.margin_text = m;
        }
        if let Some(u) = self.unsafe_fixes {
            out.unsafe_fixes = u;
        }
    }
}

/// A policy setting (`garble = "mark"`), checked against the policy's names.
fn policy<P: Policy>(
    cx: &Ctx<'_>,
    value: &Option<Spanned<String>>,
    key: &str,
) -> Result<Option<P>, ConfigError> {
    value
        .as_ref()
        .map(|v| {
            P::from_name(v.get_ref()).ok_or_else(|| {
                cx.err(
                    Some(v.span().start),
                    format!(
                        "unknown {key} policy {:?} (expected {})",
                        v.get_ref(),
                        P::choices("")
                    ),
                )
            })
        })
        .transpose()
}

fn settings(cx: &Ctx<'_>, raw: &RawTable) -> Result<Settings, ConfigError> {
    let mut rule_sets = Vec::new();
    for (name, on) in raw.rule_sets.iter().flatten() {
        if !BUILTIN_SETS.iter().any(|s| s.name == name.get_ref()) {
            let names: Vec<&str> = BUILTIN_SETS.iter().map(|s| s.name).collect();
            return Err(cx.err(
                Some(name.span().start),
                format!(
                    "unknown rule set {:?} (built-in sets: {}; add your own with rule-files)",
                    name.get_ref(),
                    names.join(", ")
                ),
            ));
        }
        rule_sets.push((name.get_ref().clone(), *on));
    }
    let paths =
        |list: &Option<Vec<Spanned<String>>>, what: &str| -> Result<Vec<PathBuf>, ConfigError> {
            list.iter()
                .flatten()
                .map(|p| cx.existing_path(p, what))
                .collect()
        };
    let prefixes =
        |list: &Option<Vec<Spanned<String>>>| -> Result<Option<Vec<String>>, ConfigError> {
            list.as_ref()
            .map(|list| {
                list.iter()
                    .map(|p| {
                        let s = p.get_ref();
                        let ok = s == "ALL"
                            || (!s.is_empty()
                                && s.split('.').all(crate::rulefile::is_name));
                        if ok {
                            Ok(s.clone())
                        } else {
                            Err(cx.err(
                                Some(p.span().start),
                                format!("{s:?} is not a rule-id prefix (like \"layout\" or \"markdown.bold\")"),
                            ))
                        }
                    })
                    .collect()
            })
            .transpose()
        };
    let footnotes = policy(cx, &raw.footnotes, "footnotes")?;
    let margin_text = policy(cx, &raw.margin_text, "margin-text")?;
    let garble = policy(cx, &raw.garble, "garble")?;
    Ok(Settings {
        rule_sets,
        rule_files: paths(&raw.rule_files, "rule file")?,
        select: prefixes(&raw.select)?,
        ignore: prefixes(&raw.ignore)?.unwrap_or_default(),
        garble,
        garble_marker: raw.garble_marker.clone(),
        words: paths(&raw.words, "word list")?,
        keep_lines: raw.keep_lines,
        footnotes,
        margin_text,
        unsafe_fixes: raw.unsafe_fixes,
    })
}

/// Compiles override globs. A glob without `/` matches a file name in any directory
/// (`*.md`), as in `.gitignore`; one with `/` matches the path from the configuration's
/// directory (`letters/**`).
fn globs(cx: &Ctx<'_>, patterns: &[Spanned<String>]) -> Result<GlobSet, ConfigError> {
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        let pattern = p.get_ref();
        let pattern = if pattern.contains('/') {
            pattern.trim_start_matches("./").to_owned()
        } else {
            format!("**/{pattern}")
        };
        let glob = GlobBuilder::new(&pattern)
            .literal_separator(true)
            .build()
            .map_err(|e| cx.err(Some(p.span().start), format!("invalid glob: {}", e.kind())))?;
        set.add(glob);
    }
    set.build()
        .map_err(|e| cx.err(None, format!("invalid globs: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/project/recto.toml"), text).map(Option::unwrap)
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_the_footnote_and_margin_policies() {
        let c = parse("footnotes = \"keep\"\nmargin-text = \"drop\"\n").unwrap();
        let o = c.for_file(None).stage_options();
        assert_eq!(o.footnotes, FootnotePolicy::Keep);
        assert_eq!(o.margin_text, MarginPolicy::Drop);
        let d = EffectiveOptions::default();
        assert_eq!(
            (d.footnotes, d.margin_text),
            (FootnotePolicy::End, MarginPolicy::Restore)
        );
        assert!(err("footnotes = \"bottom\"\n")
            .contains(":1:13: unknown footnotes policy \"bottom\" (expected end or keep)"));
        assert!(err("margin-text = \"hide\"\n").contains("unknown margin-text policy"));
    }

    #[test]
    fn an_empty_configuration_gives_the_defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.for_file(None), EffectiveOptions::default());
        assert_eq!(
            EffectiveOptions::default().rule_sets,
            ["web-residue", "markdown", "ocr-common"]
        );
    }

    #[test]
    fn settings_are_read_and_rule_sets_switch_by_name() {
        let c = parse(
            "rule-sets = { typography = true, ocr-common = false }\n\
             select = [\"unicode\", \"markdown.bold-line\"]\nignore = [\"layout\"]\n\
             garble = \"mark\"\ngarble-marker = \"<?>\"\nkeep-lines = true\nunsafe = true\n\
             decisions = \"d.json\"\nformat = \"diff\"\n",
        )
        .unwrap();
        let o = c.for_file(Some(Path::new("/project/a.txt")));
        assert_eq!(o.rule_sets, ["web-residue", "markdown", "typography"]);
        assert_eq!(o.select, ["unicode", "markdown.bold-line"]);
        assert_eq!(o.ignore, ["layout"]);
        assert_eq!(o.garble, GarblePolicy::Mark);
        assert_eq!(o.garble_marker, "<?>");
        assert!(o.keep_lines && o.unsafe_fixes);
        assert_eq!(c.decisions(), Some(Path::new("/project/d.json")));
        assert_eq!(c.format(), Some("diff"));
        assert!(!o.filter().allows("layout.reflow"));
    }

    #[test]
    fn overrides_apply_by_glob_relative_to_the_config_directory() {
        let c = parse(
            "ignore = [\"layout\"]\n\
             [[overrides]]\nfiles = [\"letters/**\"]\nkeep-lines = true\nignore = [\"words\"]\n\
             [[overrides]]\nfiles = [\"*.md\"]\nrule-sets = { markdown = false }\nselect = [\"unicode\"]\n",
        )
        .unwrap();
        let letter = c.for_file(Some(Path::new("/project/letters/1957/a.txt")));
        assert!(letter.keep_lines);
        assert_eq!(letter.ignore, ["layout", "words"]);
        let md = c.for_file(Some(Path::new("/project/notes/x.md")));
        assert!(!md.keep_lines);
        assert_eq!(md.rule_sets, ["web-residue", "ocr-common"]);
        assert_eq!(md.select, ["unicode"]);
        // Outside the project, `letters/**` does not match.
        assert!(
            !c.for_file(Some(Path::new("/elsewhere/letters/a.txt")))
                .keep_lines
        );
        assert_eq!(
            c.for_file(None),
            c.for_file(Some(Path::new("/project/a.txt")))
        );
    }

    #[test]
    fn pyproject_without_tool_recto_is_not_a_configuration() {
        let p = Path::new("/project/pyproject.toml");
        assert!(Config::parse(p, "[tool.black]\nline-length = 88\n")
            .unwrap()
            .is_none());
        let c = Config::parse(
            p,
            "[project]\nname = \"x\"\n[tool.recto]\nkeep-lines = true\n",
        )
        .unwrap()
        .unwrap();
        assert!(c.for_file(None).keep_lines);
        let e = Config::parse(
            p,
            "[project]\nname = \"x\"\n\n[tool.recto]\nkeep-line = true\n",
        )
        .unwrap_err();
        assert_eq!(e.position, Some((5, 1)), "{e}");
    }

    #[test]
    fn mistakes_are_errors_with_line_and_column() {
        assert!(
            err("rule-set = {}\n").starts_with("/project/recto.toml:1:1: unknown field `rule-set`")
        );
        assert_eq!(
            err("\nrule-sets = { typo = true }\n"),
            "/project/recto.toml:2:15: unknown rule set \"typo\" (built-in sets: web-residue, markdown, ocr-common, typography; add your own with rule-files)"
        );
        assert!(err("garble = \"drop\"\n")
            .starts_with("/project/recto.toml:1:10: unknown garble policy"));
        assert!(err("rule-files = [\"nope.toml\"]\n")
            .contains(":1:15: rule file \"nope.toml\" not found"));
        assert!(
            err("select = [\"layout.\"]\n").contains(":1:11: \"layout.\" is not a rule-id prefix")
        );
        assert!(err("format = \"pdf\"\n").contains(":1:10: unknown format"));
        assert!(err("files = [\"*.md\"]\n").contains(":1:9: `files` belongs in an [[overrides]]"));
        assert!(err("[[overrides]]\nkeep-lines = true\n")
            .contains(":1:1: an [[overrides]] table needs"));
        assert!(err("[[overrides]]\nfiles = [\"a[\"]\n").contains(":2:10: invalid glob"));
        assert!(err("[[overrides]]\nfiles = [\"*\"]\nformat = \"diff\"\n")
            .contains("`format` cannot be overridden"));
        assert!(err("[[overrides]]\nfiles = [\"*\"]\nkeep_lines = true\n")
            .contains(":3:1: unknown field `keep_lines`"));
        assert!(err("keep-lines = \"yes\"\n").contains(":1:14: invalid type"));
    }

    #[test]
    fn discovery_finds_the_nearest_configuration_upward() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let deeper = root.join("sub/deeper");
        std::fs::create_dir_all(&deeper).unwrap();
        std::fs::write(root.join("recto.toml"), "keep-lines = true\n").unwrap();
        std::fs::write(root.join("sub/pyproject.toml"), "[tool.black]\n").unwrap();
        let file = deeper.join("a.txt");
        std::fs::write(&file, "text").unwrap();
        let (path, config) = Config::discover(&file).unwrap().unwrap();
        assert_eq!(path, root.join("recto.toml"));
        assert!(config.for_file(Some(&file)).keep_lines);
        // A pyproject.toml with [tool.recto] nearer the file takes over, whole.
        std::fs::write(
            root.join("sub/pyproject.toml"),
            "[tool.recto]\nunsafe = true\n",
        )
        .unwrap();
        let (path, config) = Config::discover(&deeper).unwrap().unwrap();
        assert_eq!(path, root.join("sub/pyproject.toml"));
        let o = config.for_file(Some(&file));
        assert!(o.unsafe_fixes && !o.keep_lines);
        // A broken configuration on the way up is an error, not skipped.
        std::fs::write(root.join("sub/deeper/recto.toml"), "nonsense = 1\n").unwrap();
        let e = Config::discover(&file).unwrap_err();
        assert!(e.to_string().ends_with("recto.toml:1:1: unknown field `nonsense`, expected one of `rule-sets`, `rule-files`, `select`, `ignore`, `garble`, `garble-marker`, `words`, `keep-lines`, `footnotes`, `margin-text`, `unsafe`, `decisions`, `format`, `files`, `overrides`"), "{e}");
    }

    #[test]
    fn rule_files_resolve_against_the_config_and_compile_with_the_sets() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("rules")).unwrap();
        std::fs::write(
            dir.path().join("rules/smith.toml"),
            "[meta]\ndescription = \"s\"\n[[rule]]\nid = \"teh\"\ndescription = \"d\"\n\
             kind = \"literal\"\npattern = \"teh\"\nreplacement = \"the\"\nwhole-word = true\n",
        )
        .unwrap();
        let path = dir.path().join("recto.toml");
        std::fs::write(
            &path,
            "rule-files = [\"rules/smith.toml\"]\nignore = [\"markdown\"]\n",
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        let options = config.for_file(None);
        let cx = options.context().unwrap();
        assert_eq!(
            cx.rules.names(),
            ["smith", "web-residue", "markdown", "ocr-common"]
        );
        let out = crate::Pipeline::with_default_stages(cx).run("teh\n**bold**\n");
        assert_eq!(out.output, "the\n**bold**\n");
        assert_eq!(out.changes[0].rules[0].as_str(), "smith.teh");
    }
}
