//! Python bindings for recto: the `recto._recto` extension module.
//!
//! `recto/__init__.py` re-exports what this module defines and `recto/__init__.pyi`
//! types it. This file only converts between Python objects and the library's types;
//! the cleaning itself runs with the GIL released, so other Python threads keep running
//! and `Cleaner.clean_batch` can use every core.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pyo3::exceptions::{PyFileNotFoundError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use rayon::prelude::*;
use recto::config::{Config, EffectiveOptions};
use recto::jsonl::{splice, FieldPath, RecordError};
use recto::pipeline::RuleFilter;
use recto::registry::RuleInfo;
use recto::rulefile::{RuleFile, BUILTIN_SETS};
use recto::stage::Policy;
use recto::{Applicability, Change, Pipeline};

/// Everything that decides what a `Cleaner` does.
///
/// Kept beside the pipeline (which does not expose it) for `repr` and for pickling: a
/// `Cleaner` sent to another process is rebuilt from its configuration file (which must
/// be readable there) and the resolved values of its keyword options.
#[derive(Clone, Debug, Default)]
struct Settings {
    /// The configuration the options start from.
    config: Option<PathBuf>,
    options: EffectiveOptions,
}

impl Settings {
    /// Resolves the arguments shared by `clean` and `Cleaner`: the configuration's
    /// options (or the defaults), each given keyword argument replacing its value.
    fn from_args(config: Option<PathBuf>, keywords: Keywords<'_, '_>) -> PyResult<Settings> {
        let Keywords {
            unsafe_fixes,
            select,
            ignore,
            garble,
            garble_marker,
            keep_lines,
            footnotes,
            margin_text,
        } = keywords;
        let config = config.map(|p| std::path::absolute(&p).unwrap_or(p));
        let mut options = match &config {
            Some(path) => load_config(path)?.for_file(None),
            None => EffectiveOptions::default(),
        };
        if let Some(value) = unsafe_fixes {
            options.unsafe_fixes = value;
        }
        if let Some(value) = select {
            options.select = rule_prefixes("select", value, &options.rule_files)?;
        }
        if let Some(value) = ignore {
            options.ignore = rule_prefixes("ignore", value, &options.rule_files)?;
        }
        if let Some(value) = garble {
            options.garble = policy("garble", value)?;
        }
        if let Some(value) = garble_marker {
            options.garble_marker = value;
        }
        if let Some(value) = keep_lines {
            options.keep_lines = value;
        }
        if let Some(value) = footnotes {
            options.footnotes = policy("footnotes", value)?;
        }
        if let Some(value) = margin_text {
            options.margin_text = policy("margin_text", value)?;
        }
        Ok(Settings { config, options })
    }

    fn pipeline(&self) -> PyResult<Pipeline> {
        let context = self
            .options
            .context()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let mut pipeline = Pipeline::with_default_stages(context);
        pipeline.threshold(if self.options.unsafe_fixes {
            Applicability::Suggest
        } else {
            Applicability::Safe
        });
        pipeline.filter(self.options.filter());
        Ok(pipeline)
    }

    /// The keyword options as `Cleaner` takes them (without `config`).
    fn to_kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let o = &self.options;
        let kwargs = PyDict::new(py);
        kwargs.set_item("unsafe", o.unsafe_fixes)?;
        kwargs.set_item("select", &o.select)?;
        kwargs.set_item("ignore", &o.ignore)?;
        kwargs.set_item("garble", o.garble.name())?;
        kwargs.set_item("garble_marker", &o.garble_marker)?;
        kwargs.set_item("keep_lines", o.keep_lines)?;
        kwargs.set_item("footnotes", o.footnotes.name())?;
        kwargs.set_item("margin_text", o.margin_text.name())?;
        Ok(kwargs)
    }
}

/// Loads `recto.toml` (or a `pyproject.toml` with `[tool.recto]`); for a directory,
/// the configuration the CLI would find for a file in it.
fn load_config(path: &Path) -> PyResult<Config> {
    if !path.exists() {
        return Err(PyFileNotFoundError::new_err(format!(
            "config: {} does not exist",
            path.display()
        )));
    }
    let found = if path.is_dir() {
        Config::discover(path).map(|found| found.map(|(_, config)| config))
    } else {
        Config::load(path).map(Some)
    };
    match found {
        Ok(Some(config)) => Ok(config),
        Ok(None) => Err(PyValueError::new_err(format!(
            "config: no recto.toml, .recto.toml or pyproject.toml with [tool.recto] in {} \
             or above",
            path.display()
        ))),
        Err(e) => Err(PyValueError::new_err(e.to_string())),
    }
}

/// Reads `select` or `ignore`: a list (any iterable) of rule-id prefixes, or one string
/// of comma-separated prefixes as on the command line. A prefix that matches no rule
/// (built-in, in a built-in rule set, or in one of `rule_files`) is an error rather than
/// a silent no-op: `select=["unicod"]` would otherwise disable every rule without a word.
fn rule_prefixes(
    name: &str,
    value: &Bound<'_, PyAny>,
    rule_files: &[PathBuf],
) -> PyResult<Vec<String>> {
    let prefixes: Vec<String> = if let Ok(s) = value.cast::<PyString>() {
        s.to_str()?
            .split(',')
            .map(|p| p.trim().to_owned())
            .collect()
    } else {
        let items = value.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "{name} must be a list of rule-id prefixes or a comma-separated string, \
                 not {}",
                type_name(value)
            ))
        })?;
        items
            .map(|item| {
                let item = item?;
                item.extract::<String>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "{name} must contain str rule-id prefixes, not {}",
                        type_name(&item)
                    ))
                })
            })
            .collect::<PyResult<_>>()?
    };
    let rules = known_rules(rule_files);
    for prefix in &prefixes {
        let filter = RuleFilter::new(vec![prefix.clone()], Vec::new());
        if !rules.iter().any(|rule| filter.allows(&rule.id)) {
            return Err(PyValueError::new_err(format!(
                "{name}: {prefix:?} matches no rule (rule ids are `stage.name`, e.g. \
                 \"unicode\" or \"unicode.ligature\"; see recto.rules())"
            )));
        }
    }
    Ok(prefixes)
}

/// Every rule a pipeline could run: the stages' rules, those of every built-in rule set
/// (on or off) and those of `rule_files` (unreadable files are left to the pipeline to
/// report).
fn known_rules(rule_files: &[PathBuf]) -> Vec<RuleInfo> {
    let mut rules: Vec<RuleInfo> = recto::registry::builtin().into_iter().cloned().collect();
    for set in BUILTIN_SETS {
        rules.extend(set.load().rule_infos());
    }
    for path in rule_files {
        if let Ok(file) = RuleFile::load(path) {
            rules.extend(file.rule_infos());
        }
    }
    rules
}

/// The policy a keyword names (`garble="mark"`).
fn policy<P: Policy>(keyword: &str, value: &str) -> PyResult<P> {
    P::from_name(value).ok_or_else(|| {
        PyValueError::new_err(format!(
            "{keyword} must be {}, not {value:?}",
            P::choices("\"")
        ))
    })
}

/// The keyword options `clean` and `Cleaner` share (`None`: the configuration's value).
struct Keywords<'a, 'py> {
    unsafe_fixes: Option<bool>,
    select: Option<&'a Bound<'py, PyAny>>,
    ignore: Option<&'a Bound<'py, PyAny>>,
    garble: Option<&'a str>,
    garble_marker: Option<String>,
    keep_lines: Option<bool>,
    footnotes: Option<&'a str>,
    margin_text: Option<&'a str>,
}

impl Keywords<'_, '_> {
    fn are_all_default(&self) -> bool {
        self.unsafe_fixes.is_none()
            && self.select.is_none()
            && self.ignore.is_none()
            && self.garble.is_none()
            && self.garble_marker.is_none()
            && self.keep_lines.is_none()
            && self.footnotes.is_none()
            && self.margin_text.is_none()
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// Turns a change into the dict `Cleaner.changes` returns. `chars` must be advanced in
/// ascending order of offsets, which sorted, disjoint changes guarantee.
fn change_dict<'py>(
    py: Python<'py>,
    text: &str,
    change: &Change,
    chars: &mut CharOffsets<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let span = change.original;
    let dict = PyDict::new(py);
    dict.set_item("id", change.id.as_str())?;
    let rules: Vec<&str> = change.rules.iter().map(|r| r.as_str()).collect();
    dict.set_item("rules", rules)?;
    dict.set_item("start", span.start)?;
    dict.set_item("end", span.end)?;
    dict.set_item("char_start", chars.at(span.start))?;
    dict.set_item("char_end", chars.at(span.end))?;
    dict.set_item("before", &text[span.range()])?;
    dict.set_item("after", change.replacement.as_str())?;
    dict.set_item("applicability", change.applicability.as_str())?;
    dict.set_item("confidence", change.confidence)?;
    dict.set_item("message", &*change.message)?;
    let linked: Vec<&str> = change.linked.iter().map(|id| id.as_str()).collect();
    dict.set_item("linked", linked)?;
    Ok(dict)
}

/// Converts byte offsets into a text to code-point offsets (how Python indexes `str`),
/// counting only the bytes between one offset and the next.
struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> CharOffsets<'a> {
        CharOffsets {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The code-point offset of byte offset `byte`, which must not be below the
    /// previous one asked for.
    fn at(&mut self, byte: usize) -> usize {
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }
}

/// Repairs text extracted from PDFs and OCR.
///
/// A `Cleaner` holds one configured pipeline; it is immutable, can be shared by threads
/// and pickled. Build it once and call it many times. Options (keyword-only; `None`
/// means the default):
///
/// - `unsafe`: also apply fixes that need review (default `False`: safe fixes only).
/// - `select`, `ignore`: rule-id prefixes (`"unicode"`, `"layout.reflow"`), a list or a
///   comma-separated string; only selected rules act, ignored ones never do.
/// - `garble`: `"remove"` (default), `"mark"` or `"keep"` garbled runs.
/// - `garble_marker`: the marker for `garble="mark"` (default `"[…]"`).
/// - `keep_lines`: keep the original line breaks (default `False`).
/// - `footnotes`: `"end"` (default: gathered at the end of the text) or `"keep"`.
/// - `margin_text`: `"restore"` (default), `"drop"` or `"keep"` margin stamps printed one
///   character per line or reversed.
/// - `config`: a `recto.toml` (or `pyproject.toml` with `[tool.recto]`), or a directory
///   to find one in as the CLI would; the options above replace its values.
#[pyclass(module = "recto", frozen)]
struct Cleaner {
    settings: Settings,
    pipeline: Pipeline,
}

#[pymethods]
impl Cleaner {
    #[new]
    #[pyo3(signature = (
        config=None, *, r#unsafe=None, select=None, ignore=None, garble=None,
        garble_marker=None, keep_lines=None, footnotes=None, margin_text=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        config: Option<PathBuf>,
        r#unsafe: Option<bool>,
        select: Option<&Bound<'_, PyAny>>,
        ignore: Option<&Bound<'_, PyAny>>,
        garble: Option<&str>,
        garble_marker: Option<String>,
        keep_lines: Option<bool>,
        footnotes: Option<&str>,
        margin_text: Option<&str>,
    ) -> PyResult<Cleaner> {
        let keywords = Keywords {
            unsafe_fixes: r#unsafe,
            select,
            ignore,
            garble,
            garble_marker,
            keep_lines,
            footnotes,
            margin_text,
        };
        let settings = Settings::from_args(config, keywords)?;
        Ok(Cleaner {
            pipeline: settings.pipeline()?,
            settings,
        })
    }

    /// Returns the repaired text.
    fn clean(&self, py: Python<'_>, text: &str) -> String {
        py.detach(|| self.pipeline.run(text).output)
    }

    /// Repairs every text of `texts` in parallel and returns the results in input order.
    fn clean_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let texts = batch("clean_batch", texts)?;
        let cleaned: Vec<String> = py.detach(|| {
            texts
                .par_iter()
                .map(|text| self.pipeline.run(text).output)
                .collect()
        });
        PyList::new(py, cleaned)
    }

    /// Cleans one field of JSON Lines records in parallel, like `recto clean --jsonl`.
    ///
    /// `field` is a dotted path (`"text"`, `"doc.body"`). Each returned line is the
    /// input line with only that string value replaced: every other byte (key order,
    /// number formatting, escapes, the line ending) is kept, and a record whose text
    /// needs no repair comes back identical. Blank lines pass through. A line that is
    /// not JSON, or whose field is missing or not a string, passes through unchanged
    /// with `on_malformed="pass"` (the default) and raises `ValueError` with
    /// `on_malformed="raise"`.
    #[pyo3(signature = (lines, field = "text", *, on_malformed = "pass"))]
    fn clean_jsonl<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        field: &str,
        on_malformed: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let path = FieldPath::parse(field).ok_or_else(|| {
            PyValueError::new_err(format!("field {field:?} is not a dotted path"))
        })?;
        let strict = match on_malformed {
            "pass" => false,
            "raise" => true,
            _ => {
                return Err(PyValueError::new_err(format!(
                    "on_malformed must be \"pass\" or \"raise\", not {on_malformed:?}"
                )))
            }
        };
        let lines = batch("clean_jsonl", lines)?;
        let cleaned: Result<Vec<String>, (usize, RecordError)> = py.detach(|| {
            lines
                .into_par_iter()
                .enumerate()
                .map(|(i, line)| {
                    if line.trim().is_empty() {
                        return Ok(line);
                    }
                    match path.locate(&line) {
                        Ok((span, text)) => {
                            let output = self.pipeline.run(&text).output;
                            // Untouched records keep their bytes, escapes included.
                            Ok(if output == text {
                                line
                            } else {
                                splice(&line, span, &output)
                            })
                        }
                        Err(e) if strict => Err((i, e)),
                        Err(_) => Ok(line),
                    }
                })
                .collect()
        });
        match cleaned {
            Ok(lines) => PyList::new(py, lines),
            Err((i, e)) => Err(PyValueError::new_err(format!("lines[{i}]: {e}"))),
        }
    }

    /// Returns the changes cleaning `text` makes, in text order, as dicts.
    fn changes<'py>(&self, py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyList>> {
        let outcome = py.detach(|| self.pipeline.run(text));
        let mut chars = CharOffsets::new(text);
        let list = PyList::empty(py);
        for change in &outcome.changes {
            list.append(change_dict(py, text, change, &mut chars)?)?;
        }
        Ok(list)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let kwargs = self.settings.to_kwargs(py)?;
        let mut parts = Vec::new();
        if let Some(config) = &self.settings.config {
            parts.push(format!("{:?}", config.display().to_string()));
        }
        for (key, value) in kwargs.iter() {
            parts.push(format!("{key}={}", value.repr()?));
        }
        Ok(format!("Cleaner({})", parts.join(", ")))
    }

    /// Pickle support (Dask, multiprocessing): see [`Settings`].
    fn __getnewargs_ex__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<((Option<PathBuf>,), Bound<'py, PyDict>)> {
        Ok((
            (self.settings.config.clone(),),
            self.settings.to_kwargs(py)?,
        ))
    }
}

/// Copies the texts of a batch out of Python, so the work can run without the GIL.
fn batch(method: &str, texts: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    // A str is iterable too, and cleaning it character by character is never meant.
    if texts.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{method}() takes a list of str, not a str"
        )));
    }
    let items = texts.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{method}() takes a list of str, not {}",
            type_name(texts)
        ))
    })?;
    items
        .enumerate()
        .map(|(i, item)| {
            let item = item?;
            match item.cast::<PyString>() {
                Ok(s) => Ok(s.to_str()?.to_owned()),
                Err(_) => Err(PyTypeError::new_err(format!(
                    "{method}(): item {i} is {}, not str",
                    type_name(&item)
                ))),
            }
        })
        .collect()
}

/// Returns `text` repaired; options as for `Cleaner`.
#[pyfunction]
#[pyo3(signature = (
    text, *, config=None, r#unsafe=None, select=None, ignore=None, garble=None,
    garble_marker=None, keep_lines=None, footnotes=None, margin_text=None,
))]
#[allow(clippy::too_many_arguments)]
fn clean(
    py: Python<'_>,
    text: &str,
    config: Option<PathBuf>,
    r#unsafe: Option<bool>,
    select: Option<&Bound<'_, PyAny>>,
    ignore: Option<&Bound<'_, PyAny>>,
    garble: Option<&str>,
    garble_marker: Option<String>,
    keep_lines: Option<bool>,
    footnotes: Option<&str>,
    margin_text: Option<&str>,
) -> PyResult<String> {
    let keywords = Keywords {
        unsafe_fixes: r#unsafe,
        select,
        ignore,
        garble,
        garble_marker,
        keep_lines,
        footnotes,
        margin_text,
    };
    if config.is_none() && keywords.are_all_default() {
        // The common call, `recto.clean(text)`, shares one pipeline.
        static DEFAULT: OnceLock<Pipeline> = OnceLock::new();
        let pipeline = DEFAULT.get_or_init(Pipeline::default_stages);
        return Ok(py.detach(|| pipeline.run(text).output));
    }
    let settings = Settings::from_args(config, keywords)?;
    let pipeline = settings.pipeline()?;
    Ok(py.detach(|| pipeline.run(text).output))
}

/// Returns every built-in rule, and those of the built-in rule sets, as dicts: id,
/// stage, applicability, summary, explanation.
#[pyfunction]
fn rules(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty(py);
    for rule in known_rules(&[]) {
        let dict = PyDict::new(py);
        dict.set_item("id", &*rule.id)?;
        dict.set_item("stage", &*rule.stage)?;
        dict.set_item("applicability", rule.applicability.as_str())?;
        dict.set_item("summary", &*rule.summary)?;
        dict.set_item("explanation", &*rule.explanation)?;
        list.append(dict)?;
    }
    Ok(list)
}

#[pymodule]
fn _recto(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Cleaner>()?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(rules, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
