//! Writing a rewritten file: atomically, keeping BOM, owner and
//! permissions, never through a symlink or outside the root, and never over
//! bytes that changed since the scan read them.

use super::*;

/// Why a rewritten file was not written; the file is left as it was.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot stat: {0}")]
    Stat(std::io::Error),
    #[error("is a symlink: not rewritten")]
    Symlink,
    #[error("cannot resolve the project root: {0}")]
    ResolveRoot(std::io::Error),
    #[error("cannot resolve: {0}")]
    Resolve(std::io::Error),
    #[error("outside the project root: not rewritten")]
    OutsideRoot,
    #[error("read-only: not rewritten")]
    ReadOnly,
    #[error("cannot create a temporary file: {0}")]
    CreateTemporary(std::io::Error),
    #[error("cannot write: {0}")]
    Write(std::io::Error),
    #[error("cannot stat the temporary file: {0}")]
    StatTemporary(std::io::Error),
    #[error("cannot keep the file's owner ({0}): not rewritten")]
    KeepOwner(std::io::Error),
    #[error("cannot keep permissions: {0}")]
    KeepPermissions(std::io::Error),
    #[error("cannot read: {0}")]
    Read(std::io::Error),
    #[error("changed on disk since it was read: not rewritten")]
    Changed,
    #[error("cannot replace the file: {0}")]
    Replace(std::io::Error),
}

/// Gives the temporary file the original's owner and group. It belongs to
/// whoever runs `fix`, so renaming it over the file handed the file to them:
/// `fix` run as root on someone's checkout left every rewritten file root's.
/// When that cannot be done (only root may give a file away), the file is
/// refused rather than silently changing hands.
#[cfg(unix)]
pub(super) fn keep_owner(
    temporary: &std::fs::File,
    original: &std::fs::Metadata,
) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let current = temporary.metadata().map_err(WriteError::StatTemporary)?;
    if (current.uid(), current.gid()) == (original.uid(), original.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(temporary, Some(original.uid()), Some(original.gid()))
        .map_err(WriteError::KeepOwner)
}

#[cfg(not(unix))]
pub(super) fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> Result<(), WriteError> {
    Ok(())
}

/// Replaces `path` with `text` atomically, keeping BOM and permissions;
/// refuses symlinks, read-only files, files outside `root` and files whose
/// bytes are no longer `expected`.
pub fn write_atomic(
    root: &Path,
    path: &Path,
    expected: &[u8],
    text: &str,
    encoding: Encoding,
) -> Result<(), WriteError> {
    let metadata = std::fs::symlink_metadata(path).map_err(WriteError::Stat)?;
    if metadata.file_type().is_symlink() {
        return Err(WriteError::Symlink);
    }
    let canonical_root = std::fs::canonicalize(root).map_err(WriteError::ResolveRoot)?;
    let canonical = std::fs::canonicalize(path).map_err(WriteError::Resolve)?;
    if !canonical.starts_with(&canonical_root) {
        return Err(WriteError::OutsideRoot);
    }
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    let directory: PathBuf = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| canonical_root.clone());
    let mut temporary = tempfile::Builder::new()
        .prefix(".ssot-audit-")
        .tempfile_in(&directory)
        .map_err(WriteError::CreateTemporary)?;
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if encoding.bom {
        bytes.extend_from_slice(source::BOM.as_bytes());
    }
    bytes.extend_from_slice(text.as_bytes());
    temporary
        .write_all(&bytes)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(WriteError::Write)?;
    keep_owner(temporary.as_file(), &metadata)?;
    std::fs::set_permissions(temporary.path(), metadata.permissions())
        .map_err(WriteError::KeepPermissions)?;
    // Checked last, right before the rename: an edit made while `fix` ran
    // is never overwritten (the window left is the rename itself).
    let current = crate::sources::open_regular(&canonical)
        .and_then(|mut file| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes)
        })
        .map_err(WriteError::Read)?;
    if current != expected {
        return Err(WriteError::Changed);
    }
    temporary
        .persist(&canonical)
        .map_err(|error| WriteError::Replace(error.error))?;
    Ok(())
}
