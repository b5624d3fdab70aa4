//! The project's `.ignore` and `.gitignore` files, read through
//! [`crate::sources::open_regular`]: a named pipe, a device or a socket where
//! an ignore file is expected is noted and counts as empty, instead of
//! blocking the walk on its open. Matching is the `ignore` crate's
//! [`Gitignore`] with the precedence its walker gives: in each directory
//! from the entry's own upwards, the first file of a kind that matches
//! decides for that kind, and `.ignore` decides before `.gitignore`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;
use rustc_hash::FxHashMap;

use crate::lang::Note;

/// The ignore files of one directory, and its parent directory's.
struct Level {
    ignore: Gitignore,
    gitignore: Gitignore,
    parent: Option<Arc<Level>>,
}

/// Every directory's ignore files seen so far during a (parallel) walk.
pub struct IgnoreFiles {
    root: PathBuf,
    levels: Mutex<FxHashMap<PathBuf, Arc<Level>>>,
    notes: Mutex<Vec<Note>>,
}

impl IgnoreFiles {
    /// Reads the root's ignore files.
    pub fn new(root: &Path) -> Self {
        let files = Self {
            root: root.to_path_buf(),
            levels: Mutex::new(FxHashMap::default()),
            notes: Mutex::new(Vec::new()),
        };
        let level = files.read_level(root, None);
        if let Ok(mut levels) = files.levels.lock() {
            levels.insert(root.to_path_buf(), level);
        }
        files
    }

    /// Whether the walk skips `path` (a directory when `is_dir`). Reads a
    /// directory's own ignore files when it is not skipped, before the walk
    /// lists it.
    pub fn skips(&self, path: &Path, is_dir: bool) -> bool {
        let parent = path.parent().and_then(|parent| self.level(parent));
        if parent
            .as_ref()
            .is_some_and(|level| level.matched(path, is_dir))
        {
            return true;
        }
        if is_dir {
            let level = self.read_level(path, parent);
            if let Ok(mut levels) = self.levels.lock() {
                levels.insert(path.to_path_buf(), level);
            }
        }
        false
    }

    /// What reading the ignore files gave to note.
    pub fn take_notes(&self) -> Vec<Note> {
        self.notes
            .lock()
            .map(|mut notes| std::mem::take(&mut *notes))
            .unwrap_or_default()
    }

    fn level(&self, directory: &Path) -> Option<Arc<Level>> {
        self.levels.lock().ok()?.get(directory).cloned()
    }

    fn read_level(&self, directory: &Path, parent: Option<Arc<Level>>) -> Arc<Level> {
        Arc::new(Level {
            ignore: self.read(directory, ".ignore"),
            gitignore: self.read(directory, ".gitignore"),
            parent,
        })
    }

    /// One ignore file of `directory` (empty when there is none).
    fn read(&self, directory: &Path, name: &str) -> Gitignore {
        let mut builder = GitignoreBuilder::new(directory);
        let path = directory.join(name);
        // Most directories have no ignore file: a stat is cheaper than an
        // open that fails.
        if std::fs::symlink_metadata(&path).is_ok() {
            match read_text(&path) {
                Ok(text) => {
                    for line in text.lines() {
                        if let Err(error) = builder.add_line(Some(path.clone()), line) {
                            self.note(&path, format!("ignore file line skipped: {error}"));
                        }
                    }
                }
                Err(error) => self.note(&path, format!("cannot read: {error}; ignored")),
            }
        }
        builder.build().unwrap_or_else(|_| Gitignore::empty())
    }

    fn note(&self, path: &Path, message: String) {
        let relative = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if let Ok(mut notes) = self.notes.lock() {
            notes.push(Note::unreadable(relative, message));
        }
    }
}

impl Level {
    fn matched(&self, path: &Path, is_dir: bool) -> bool {
        let mut ignore = Match::None;
        let mut gitignore = Match::None;
        let mut level = Some(self);
        while let Some(current) = level {
            if ignore.is_none() {
                ignore = current.ignore.matched(path, is_dir).map(|_| ());
            }
            if gitignore.is_none() {
                gitignore = current.gitignore.matched(path, is_dir).map(|_| ());
            }
            level = current.parent.as_deref();
        }
        match ignore {
            Match::None => gitignore.is_ignore(),
            decided => decided.is_ignore(),
        }
    }
}

/// An ignore file's text (regular files only; invalid UTF-8 replaced, as
/// git reads patterns as bytes).
fn read_text(path: &Path) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    crate::sources::open_regular(path)?.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, path: &str, text: &str) -> std::io::Result<()> {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, text)
    }

    #[test]
    fn nested_files_and_precedence() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        write(root, ".gitignore", "*.log\nbuild/\n")?;
        write(root, "pkg/.gitignore", "!keep.log\n")?;
        write(root, ".ignore", "secret.py\n")?;
        write(root, "pkg/.ignore", "!secret.py\n")?;
        let files = IgnoreFiles::new(root);
        assert!(files.skips(&root.join("a.log"), false));
        assert!(files.skips(&root.join("build"), true));
        assert!(!files.skips(&root.join("build"), false));
        assert!(files.skips(&root.join("secret.py"), false));
        assert!(!files.skips(&root.join("pkg"), true));
        assert!(!files.skips(&root.join("pkg/keep.log"), false));
        assert!(files.skips(&root.join("pkg/other.log"), false));
        assert!(!files.skips(&root.join("pkg/secret.py"), false));
        assert!(files.take_notes().is_empty());
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_counts_as_empty_with_a_note() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        let name = std::ffi::CString::new(root.join(".gitignore").as_os_str().as_encoded_bytes())?;
        // SAFETY: a valid NUL-terminated path and a plain mode.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        let files = IgnoreFiles::new(root);
        assert!(!files.skips(&root.join("a.py"), false));
        let notes = files.take_notes();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].path, ".gitignore");
        Ok(())
    }
}
