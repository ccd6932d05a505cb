//! Writing outputs: under an output directory, or in place — atomically, and never
//! over an input unless `--in-place` says so.

use std::path::Path;

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
    let (dest, source) = match &p.input {
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
    // A new file under the output directory: atomic (no half-written file is ever
    // visible), but not synced — nothing is lost if the machine dies, the input is there.
    write_atomically(&dest, p.outcome.output.as_bytes(), None, false)
}

/// Replaces the input file with its output, atomically, keeping its permissions.
/// Unchanged files are not rewritten.
pub fn write_in_place(p: &Processed) -> Result<()> {
    let Input::File { path, .. } = &p.input else {
        anyhow::bail!("--in-place needs files, not standard input");
    };
    if p.outcome.changes.is_empty() {
        return Ok(());
    }
    let permissions = std::fs::metadata(path)
        .with_context(|| format!("{}: cannot read metadata", path.display()))?
        .permissions();
    // Replacing the user's file: synced before the rename, so a crash leaves the old
    // text or the new one, never an empty file.
    write_atomically(path, p.outcome.output.as_bytes(), Some(permissions), true)
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

/// Writes to a temporary file in the destination's directory, then renames it over the
/// destination: readers see the old file or the new one, never half of one.
fn write_atomically(
    dest: &Path,
    bytes: &[u8],
    permissions: Option<std::fs::Permissions>,
    sync: bool,
) -> Result<()> {
    use std::io::Write;
    let mut tmp = temp_beside(dest)?;
    tmp.write_all(bytes)
        .and_then(|()| {
            if sync {
                tmp.as_file().sync_all()
            } else {
                Ok(())
            }
        })
        .with_context(|| format!("{}: cannot write", dest.display()))?;
    if let Some(perm) = permissions {
        std::fs::set_permissions(tmp.path(), perm)
            .with_context(|| format!("{}: cannot set permissions", dest.display()))?;
    }
    tmp.persist(dest)
        .with_context(|| format!("{}: cannot replace", dest.display()))?;
    Ok(())
}
