//! Finding inputs and turning each into a cleaned [`Processed`] document.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use recto::{Outcome, Pipeline};

/// Where a document comes from.
#[derive(Clone, Debug)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file; `relative` is its path relative to the directory argument it was found
    /// under (or its file name, when it was named directly), for `-o DIR`.
    File { path: PathBuf, relative: PathBuf },
}

impl Input {
    /// The file path, if the input is a file.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::Stdin => None,
            Input::File { path, .. } => Some(path),
        }
    }

    fn display(&self) -> String {
        match self {
            Input::Stdin => "-".to_owned(),
            Input::File { path, .. } => path.display().to_string(),
        }
    }
}

/// A cleaned document.
pub struct Processed {
    pub input: Input,
    /// Size of the input in bytes.
    pub bytes: usize,
    /// The path as shown to the user.
    pub display: String,
    /// The decoded original text.
    pub original: String,
    pub outcome: Outcome,
}

/// Expands the path arguments into inputs, walking directories in sorted order,
/// honouring `.gitignore` and the `--glob` patterns (ripgrep's syntax: `*.txt` includes,
/// `!*.log` excludes). Returns the inputs and a message for each path that could not
/// be walked.
pub fn collect(paths: &[PathBuf], globs: &[String]) -> Result<(Vec<Input>, Vec<String>)> {
    if paths.is_empty() {
        return Ok((vec![Input::Stdin], Vec::new()));
    }
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in paths {
        if arg.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if arg.is_dir() {
            let mut overrides = ignore::overrides::OverrideBuilder::new(arg);
            for g in globs {
                overrides
                    .add(g)
                    .with_context(|| format!("--glob {g:?}: invalid pattern"))?;
            }
            let walk = ignore::WalkBuilder::new(arg)
                .overrides(overrides.build().context("invalid --glob patterns")?)
                .sort_by_file_name(|a, b| a.cmp(b))
                .build();
            for entry in walk {
                match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                        let path = e.into_path();
                        let relative = path.strip_prefix(arg).unwrap_or(&path).to_path_buf();
                        inputs.push(Input::File { path, relative });
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(format!("{}: {e}", arg.display())),
                }
            }
        } else {
            let relative = arg.file_name().map_or_else(|| arg.clone(), PathBuf::from);
            inputs.push(Input::File {
                path: arg.clone(),
                relative,
            });
        }
    }
    Ok((inputs, errors))
}

/// Reads one input whole; returns the path as shown to the user and the bytes. Errors
/// name the input.
pub fn read(input: &Input) -> Result<(String, Vec<u8>)> {
    // Why no `BufReader`: the whole document is needed at once, and `fs::read` sizes
    // the buffer from the file's metadata in one allocation.
    let display = input.display();
    let bytes = match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .context("<stdin>: cannot read")?;
            buf
        }
        Input::File { path, .. } => {
            std::fs::read(path).with_context(|| format!("{display}: cannot read"))?
        }
    };
    Ok((display, bytes))
}

/// Reads, decodes and cleans one input. Errors name the input.
pub fn process(input: &Input, pipeline: &Pipeline) -> Result<Processed> {
    let (display, bytes) = read(input)?;
    let size = bytes.len();
    let cleaned = pipeline
        .run_owned_bytes(bytes)
        .with_context(|| format!("{display}: not cleaned"))?;
    Ok(Processed {
        bytes: size,
        input: input.clone(),
        display,
        original: cleaned.original,
        outcome: cleaned.outcome,
    })
}
