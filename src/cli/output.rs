//! Writing outputs: under an output directory, or in place — atomically, and never
//! over an input unless `--in-place` says so.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use super::inputs::{Input, Processed};

/// True when `a` and `b` name the same existing file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes `p`'s output to `dir/<relative path>` (stdin goes to `dir/stdin.txt`).
pub fn write_under(dir: &Path, p: &Processed) -> Result<()> {
    let mut file = AtomicFile::under(dir, &p.input)?;
    file.write(p.outcome.output.as_bytes())?;
    file.commit()
}

/// Replaces the input file with its output, atomically, keeping its permissions.
/// Unchanged files are not rewritten.
pub fn write_in_place(p: &Processed) -> Result<()> {
    if p.outcome.changes.is_empty() {
        return match p.input {
            Input::File { .. } => Ok(()),
            Input::Stdin => anyhow::bail!("--in-place needs files, not standard input"),
        };
    }
    let mut file = AtomicFile::in_place(&p.input)?;
    file.write(p.outcome.output.as_bytes())?;
    file.commit()
}

/// A temporary file in `dest`'s directory, so that the final rename cannot cross
/// devices.
pub fn temp_beside(dest: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot create a temporary file", dir.display()))
}

/// An output file written a piece at a time into a temporary file in the destination's
/// directory and renamed over the destination by [`commit`](AtomicFile::commit):
/// readers see the old file or the new one, never half of one. Dropped without a
/// commit, it leaves the destination as it was.
pub struct AtomicFile {
    tmp: io::BufWriter<tempfile::NamedTempFile>,
    dest: PathBuf,
    /// For a replaced input: its permissions, kept.
    permissions: Option<std::fs::Permissions>,
    /// Synced before the rename: a crash leaves the old text or the new one, never an
    /// empty file.
    sync: bool,
}

impl AtomicFile {
    /// The output of `input` under `dir`: `dir/<relative path>` (stdin goes to
    /// `dir/stdin.txt`), never the input itself.
    ///
    /// Not synced — nothing is lost if the machine dies, the input is there.
    pub fn under(dir: &Path, input: &Input) -> Result<AtomicFile> {
        let (dest, source) = match input {
            Input::Stdin => (dir.join("stdin.txt"), None),
            Input::File { path, relative } => (dir.join(relative), Some(path)),
        };
        if source.is_some_and(|s| same_file(s, &dest)) {
            anyhow::bail!(
                "{}: output would overwrite the input (use --in-place to mean that)",
                dest.display()
            );
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create directory", parent.display()))?;
        }
        AtomicFile::new(dest, None, false)
    }

    /// The replacement of the input file itself (`--in-place`), keeping its permissions;
    /// synced before the rename, since it replaces the user's file.
    pub fn in_place(input: &Input) -> Result<AtomicFile> {
        let Input::File { path, .. } = input else {
            anyhow::bail!("--in-place needs files, not standard input");
        };
        let permissions = std::fs::metadata(path)
            .with_context(|| format!("{}: cannot read metadata", path.display()))?
            .permissions();
        AtomicFile::new(path.clone(), Some(permissions), true)
    }

    fn new(
        dest: PathBuf,
        permissions: Option<std::fs::Permissions>,
        sync: bool,
    ) -> Result<AtomicFile> {
        Ok(AtomicFile {
            tmp: io::BufWriter::new(temp_beside(&dest)?),
            dest,
            permissions,
            sync,
        })
    }

    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.tmp
            .write_all(bytes)
            .with_context(|| format!("{}: cannot write", self.dest.display()))
    }

    /// Renames the written file over the destination.
    pub fn commit(self) -> Result<()> {
        let dest = self.dest;
        let tmp = self
            .tmp
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|tmp| {
                if self.sync {
                    tmp.as_file().sync_all()?;
                }
                Ok(tmp)
            })
            .with_context(|| format!("{}: cannot write", dest.display()))?;
        if let Some(perm) = self.permissions {
            std::fs::set_permissions(tmp.path(), perm)
                .with_context(|| format!("{}: cannot set permissions", dest.display()))?;
        }
        tmp.persist(&dest)
            .with_context(|| format!("{}: cannot replace", dest.display()))?;
        Ok(())
    }
}
