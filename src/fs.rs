//! Writing the files the tool owns (a rules.toml from `discover`, the
//! baseline, the facts cache): whole or not at all, never through a symlink.
//! Rewritten source files go through the fixer's checked writer
//! (`fix::write_atomic`), which also verifies their bytes and owner.

use std::io::Write as _;
use std::path::Path;

/// Whether [`write_atomically`] may replace a file already at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Replace,
    /// Leave a file already there (another run may have written it).
    Keep,
}

/// Writes `bytes` to `path` through a temporary file in the same directory,
/// renamed over it: a reader sees the old file or the new one, never a part.
/// A symlink at `path` is refused. A replaced file keeps its permissions; a
/// new one gets the umask's, like any new file.
pub fn write_atomically(path: &Path, bytes: &[u8], existing: Existing) -> std::io::Result<()> {
    let old = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "is a symlink: not written",
            ));
        }
        Ok(metadata) => Some(metadata),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Err(error),
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".ssot-audit-");
    #[cfg(unix)]
    let new_file_mode = {
        use std::os::unix::fs::PermissionsExt;
        std::fs::Permissions::from_mode(0o666)
    };
    #[cfg(unix)]
    builder.permissions(new_file_mode);
    let mut temporary = builder.tempfile_in(directory)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    if let Some(old) = &old {
        std::fs::set_permissions(temporary.path(), old.permissions())?;
    }
    match existing {
        Existing::Replace => temporary.persist(path).map(drop),
        Existing::Keep => temporary.persist_noclobber(path).map(drop),
    }
    .map_err(|error| error.error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_and_refuses_symlinks() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("rules.toml");
        write_atomically(&path, b"one\n", Existing::Replace)?;
        write_atomically(&path, b"two\n", Existing::Replace)?;
        assert_eq!(std::fs::read(&path)?, b"two\n");
        assert!(write_atomically(&path, b"three\n", Existing::Keep).is_err());
        assert_eq!(std::fs::read(&path)?, b"two\n");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.toml");
            std::os::unix::fs::symlink(&path, &link)?;
            assert!(write_atomically(&link, b"four\n", Existing::Replace).is_err());
            assert_eq!(std::fs::read(&path)?, b"two\n");
        }
        let leftovers = std::fs::read_dir(dir.path())?
            .filter_map(Result::ok)
            .filter(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".ssot-audit-")
            })
            .count();
        assert_eq!(leftovers, 0);
        Ok(())
    }
}
