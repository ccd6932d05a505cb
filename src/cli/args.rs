//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Repairs text extracted from PDFs and OCR. Every fix is attributed to a rule, can be
/// shown as a diff, and can be rejected.
#[derive(Debug, Parser)]
#[command(name = "recto", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the cleaned text (stdin → stdout when no path or `-`).
    Clean(CleanArgs),
    /// Write nothing; list what would change (exit 1 if anything would).
    Check(CheckArgs),
    /// Print an attributed unified diff of what would change (exit 1 if anything would).
    Diff(DiffArgs),
    /// Review every proposed fix: accept or reject each, on the terminal or in an HTML
    /// page; decisions go to a decisions file.
    Review(ReviewArgs),
    /// Apply exactly the accepted changes of a decisions file to the inputs.
    Apply(ApplyArgs),
    /// Explain a rule: what it does, when it fires, an example.
    Explain {
        /// The rule id, e.g. `unicode.ligature`.
        rule: String,
    },
    /// List rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List every rule with its stage, applicability and summary (built-in rules, the
    /// built-in rule sets, and the rule files the configuration names).
    List {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Run the examples of rule files; exit 1 when one fails.
    Test {
        /// Rule files (TOML).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// Options shared by every command that runs the pipeline.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Files or directories (directories are walked, honouring .gitignore); `-` or
    /// nothing reads standard input.
    pub paths: Vec<PathBuf>,

    /// Also apply fixes that need review (applicability `review` and `suggest`).
    #[arg(long = "unsafe")]
    pub unsafe_fixes: bool,

    /// Only these rules (comma-separated rule-id prefixes, e.g. `unicode,layout.reflow`).
    #[arg(long, value_delimiter = ',', value_name = "PREFIXES")]
    pub select: Vec<String>,

    /// Never these rules (comma-separated rule-id prefixes).
    #[arg(long, value_delimiter = ',', value_name = "PREFIXES")]
    pub ignore: Vec<String>,

    /// What to do with garbled runs (leaked PDF syntax, letter soup) [default: remove].
    #[arg(long, value_enum)]
    pub garble: Option<GarbleArg>,

    /// The marker that replaces garbled runs with `--garble mark` [default: […]].
    #[arg(long, value_name = "TEXT")]
    pub garble_marker: Option<String>,

    /// What to do with footnotes found at page bottoms: gather them at the end of the
    /// text, in order, or leave them in place [default: end].
    #[arg(long, value_enum)]
    pub footnotes: Option<FootnotesArg>,

    /// What to do with margin text printed one character per line or reversed (an arXiv
    /// stamp up the side of a page): restore it as a line, drop it, or keep it as it is
    /// [default: restore].
    #[arg(long, value_enum)]
    pub margin_text: Option<MarginTextArg>,

    /// Use this configuration file instead of looking for `recto.toml` (or
    /// `[tool.recto]` in `pyproject.toml`) from each input upward.
    #[arg(short = 'c', long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore configuration files.
    #[arg(long)]
    pub no_config: bool,

    /// Keep the original line breaks: repair words only, do not reflow paragraphs.
    #[arg(long)]
    pub keep_lines: bool,

    /// Only walk files matching GLOB (`*.txt`); `!GLOB` excludes. Repeatable.
    #[arg(long = "glob", short = 'g', value_name = "GLOB")]
    pub globs: Vec<String>,

    /// Write a JSON Lines report of every change and diagnostic to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Worker threads (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Print no summary or per-file notes on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GarbleArg {
    /// Delete garbled runs (they are in the report).
    Remove,
    /// Replace them with a visible marker.
    Mark,
    /// Leave them in place; report only.
    Keep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FootnotesArg {
    /// Gather footnotes at the end of the text, in order, markers kept.
    End,
    /// Leave them where they are (still never joined into the running text).
    Keep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MarginTextArg {
    /// Put the characters back into one line that reads forwards.
    Restore,
    /// Delete the margin text.
    Drop,
    /// Leave it as it is.
    Keep,
}

/// Where outputs go (for commands that write cleaned text).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write outputs under DIR, mirroring the inputs' relative paths.
    #[arg(short, long, value_name = "DIR", conflicts_with = "in_place")]
    pub output_dir: Option<PathBuf>,

    /// Overwrite each input with its cleaned text (atomically; permissions kept).
    #[arg(long)]
    pub in_place: bool,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Write a self-contained HTML review page to FILE instead of asking on the terminal.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    /// The decisions file to read and update.
    #[arg(long, value_name = "FILE", default_value = "recto-decisions.toml")]
    pub decisions: PathBuf,

    /// Ask again about changes the decisions file already decides.
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// The decisions file (from `recto review` or the HTML page).
    #[arg(long, value_name = "FILE")]
    pub decisions: PathBuf,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Honour a decisions file: rejected changes stay out, accepted ones go in.
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,

    #[command(flatten)]
    pub jsonl: JsonlArgs,
}

/// JSON Lines corpora.
#[derive(Debug, Args)]
pub struct JsonlArgs {
    /// Inputs are JSON Lines: clean one string field of each record, pass the rest through
    /// byte for byte. gzip and zstd inputs are recognised by their magic bytes.
    #[arg(long)]
    pub jsonl: bool,

    /// The field to clean (dotted path for nested fields: `doc.text`).
    #[arg(long, value_name = "PATH", default_value = "text", requires = "jsonl")]
    pub field: String,

    /// A field identifying each record in the report (dotted path).
    #[arg(long, value_name = "PATH", requires = "jsonl")]
    pub id_field: Option<String>,

    /// What to do with a record that is not JSON or lacks the field: pass it through
    /// unchanged, or drop it. Either way it is reported with its line number.
    #[arg(long, value_enum, default_value_t = Malformed::Pass, requires = "jsonl")]
    pub on_malformed: Malformed,

    /// Compress the output: by default, files under -o keep their input's compression
    /// and standard output is not compressed.
    #[arg(long, value_enum, requires = "jsonl")]
    pub compress: Option<Compression>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Malformed {
    Pass,
    Drop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// `path:line:col: RULE message`, one line per finding.
    Text,
    /// JSON Lines, as in `--report`.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0 (code-scanning tools).
    Sarif,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Output format.
    /// Output format [default: the configuration's `format`, else text].
    #[arg(long, value_enum)]
    pub format: Option<CheckFormat>,

    /// Exit 1 only for findings at least this safe: `suggest` (any finding), `review`
    /// (review or safe), `safe` (only what `clean` would apply by itself).
    #[arg(long, value_name = "LEVEL", default_value = "suggest", value_parser = parse_applicability)]
    pub fail_on: recto::Applicability,
}

fn parse_applicability(s: &str) -> Result<recto::Applicability, String> {
    s.parse()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Unified diff with rule ids in hunk headers.
    Text,
    /// JSON Lines, as in `--report`.
    Json,
    /// GitHub Actions annotations.
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub pipeline: PipelineArgs,

    /// Output format.
    /// Output format [default: the configuration's `format`, else text].
    #[arg(long, value_enum)]
    pub format: Option<DiffFormat>,

    /// Lines of context around each change.
    #[arg(short = 'U', long, default_value_t = 3, value_name = "N")]
    pub context: usize,

    /// Colour and word-level highlight (auto: when standard output is a terminal).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}
