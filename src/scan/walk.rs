//! Which files a scan reads: the walk (ignore files, hidden paths, the
//! include and exclude globs) and the crates' manifests.

use super::*;

/// What the walk found: source files, Cargo manifests, and what could not be read.
#[derive(Debug, Default)]
pub struct Selection {
    pub files: Vec<SelectedFile>,
    pub manifests: Vec<SelectedFile>,
    pub notes: Vec<Note>,
}

/// A file chosen by the selection rules, not yet read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SelectedFile {
    pub relative: String,
    pub absolute: PathBuf,
}

/// `/`-joined path relative to `root`, or None when it is not valid UTF-8.
pub fn relative_path(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        parts.push(component.as_os_str().to_str()?);
    }
    Some(parts.join("/"))
}

pub(super) fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// Walks the project root in parallel and returns the selected files, sorted.
pub fn select_files(config: &Config, threads: usize) -> Selection {
    let root = config.root.clone();
    let respect = config.settings.respect_gitignore;
    let mut builder = WalkBuilder::new(&root);
    builder
        .standard_filters(false)
        .hidden(false)
        .parents(false)
        // The project's ignore files are read by [`IgnoreFiles`] (regular
        // files only), not by the walker, which would block on a FIFO.
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .require_git(false)
        .follow_links(false)
        .threads(threads);
    let ignore_files = respect.then(|| std::sync::Arc::new(IgnoreFiles::new(&root)));
    {
        let root = root.clone();
        let exclude = config.settings.exclude.clone();
        let ignore_files = ignore_files.clone();
        builder.filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            if is_hidden(entry.file_name()) {
                return false;
            }
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            if is_dir {
                if let Some(relative) = relative_path(&root, entry.path()) {
                    if exclude.is_match(&relative) {
                        return false;
                    }
                }
            }
            !ignore_files
                .as_ref()
                .is_some_and(|files| files.skips(entry.path(), is_dir))
        });
    }
    let found = Mutex::new(Selection::default());
    builder.build_parallel().run(|| {
        let root = &root;
        let found = &found;
        let settings = &config.settings;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let note =
                        Note::unreadable(error_path(&error, root), format!("cannot read: {error}"));
                    if let Ok(mut found) = found.lock() {
                        found.notes.push(note);
                    }
                    return WalkState::Continue;
                }
            };
            if !entry.file_type().is_some_and(|kind| kind.is_file()) {
                return WalkState::Continue;
            }
            let path = entry.path();
            let Some(relative) = relative_path(root, path) else {
                let note = Note::unreadable(
                    path.strip_prefix(root)
                        .unwrap_or(path)
                        .to_string_lossy()
                        .replace('\\', "/"),
                    "file name is not valid UTF-8: skipped",
                );
                if let Ok(mut found) = found.lock() {
                    found.notes.push(note);
                }
                return WalkState::Continue;
            };
            let selected = SelectedFile {
                absolute: path.to_path_buf(),
                relative,
            };
            if entry.file_name() == "Cargo.toml" && !settings.exclude.is_match(&selected.relative) {
                if let Ok(mut found) = found.lock() {
                    found.manifests.push(selected);
                }
            } else if settings.include.is_match(&selected.relative)
                && !settings.exclude.is_match(&selected.relative)
            {
                if let Ok(mut found) = found.lock() {
                    found.files.push(selected);
                }
            }
            WalkState::Continue
        })
    });
    let mut selection = found.into_inner().unwrap_or_default();
    if let Some(files) = &ignore_files {
        selection.notes.extend(files.take_notes());
    }
    selection.files.sort();
    selection.manifests.sort();
    selection.notes.sort();
    selection
}

/// Crate roots of the selected manifests; an unreadable manifest is a note.
pub(super) fn read_crate_roots(
    manifests: &[SelectedFile],
    notes: &mut Vec<Note>,
) -> Vec<CrateRoot> {
    let mut roots = Vec::new();
    for manifest in manifests {
        let parsed = std::fs::read_to_string(&manifest.absolute)
            .map_err(crates::ManifestError::Read)
            .and_then(|text| crates::crate_roots(&manifest.relative, &text));
        match parsed {
            Ok(found) => roots.extend(found),
            Err(message) => notes.push(Note::unreadable(
                manifest.relative.clone(),
                format!("cannot read Cargo manifest: {message}"),
            )),
        }
    }
    roots
}

pub(super) fn error_path(error: &ignore::Error, root: &Path) -> String {
    match error {
        ignore::Error::WithPath { path, .. } => {
            relative_path(root, path).unwrap_or_else(|| path.to_string_lossy().into_owned())
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err, root)
        }
        _ => String::new(),
    }
}
