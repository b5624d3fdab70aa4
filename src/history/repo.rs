//! The git side of `history`, read with gix: the first-parent commits of
//! HEAD, and the project's files in one commit's tree, selected like a scan
//! selects them on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gix::ObjectId;

use crate::config::Settings;
use crate::lang::Note;
use crate::Error;

fn git_error(context: impl std::fmt::Display, error: impl std::fmt::Display) -> Error {
    Error::Git(format!("{context}: {error}"))
}

/// The repository holding a project root, and where the root lies in it.
pub struct GitProject {
    repo: gix::Repository,
    /// The project root's path inside the work tree, one entry per directory.
    prefix: Vec<String>,
    /// Selected files per (tree, directory path): an unchanged directory is
    /// listed once, however many commits share it.
    listings: HashMap<(ObjectId, String), Arc<Listing>>,
}

/// One sampled commit.
#[derive(Debug, Clone)]
pub struct CommitInfo {
    pub id: ObjectId,
    /// Committer time: when the commit landed on the first-parent line.
    pub time: gix::date::Time,
    pub subject: String,
    pub tree: ObjectId,
}

/// Where `--since` stops the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This commit, inclusive.
    Commit(ObjectId),
    /// Commits whose committer time is at or after these epoch seconds.
    Time(i64),
}

/// The selected files of one directory of one tree, and of its
/// subdirectories by reference (they are shared between commits).
#[derive(Debug, Default)]
pub struct Listing {
    /// Project-root-relative path and blob of each selected source file.
    pub files: Vec<(String, ObjectId)>,
    /// `Cargo.toml` files, for crate roots.
    pub manifests: Vec<(String, ObjectId)>,
    /// Names that are not valid UTF-8.
    pub notes: Vec<Note>,
    pub subdirectories: Vec<Arc<Listing>>,
}

impl Listing {
    /// Every file of this directory and below: (sources, manifests, notes).
    pub fn flatten(&self) -> FlatListing {
        let mut flat = FlatListing::default();
        let mut stack = vec![self];
        while let Some(listing) = stack.pop() {
            flat.files.extend(listing.files.iter().cloned());
            flat.manifests.extend(listing.manifests.iter().cloned());
            flat.notes.extend(listing.notes.iter().cloned());
            stack.extend(listing.subdirectories.iter().map(Arc::as_ref));
        }
        flat.files.sort();
        flat.manifests.sort();
        flat.notes.sort();
        flat
    }
}

/// All selected files of a commit, sorted by path.
#[derive(Debug, Default, Clone)]
pub struct FlatListing {
    pub files: Vec<(String, ObjectId)>,
    pub manifests: Vec<(String, ObjectId)>,
    pub notes: Vec<Note>,
}

impl GitProject {
    /// Opens the repository whose work tree holds `root`.
    pub fn open(root: &Path) -> Result<Self, Error> {
        let mut repo = gix::discover(root).map_err(|error| {
            Error::Git(format!(
                "{} is not inside a git repository: {error}",
                root.display()
            ))
        })?;
        let workdir = repo.workdir().map(Path::to_path_buf).ok_or_else(|| {
            Error::Git(format!(
                "the repository holding {} has no work tree",
                root.display()
            ))
        })?;
        let prefix = inner_path(&workdir, root)?;
        // Trees of neighbouring commits share most objects.
        repo.object_cache_size_if_unset(16 << 20);
        Ok(Self {
            repo,
            prefix,
            listings: HashMap::new(),
        })
    }

    /// A handle other threads can open their own repository from.
    pub fn shared(&self) -> gix::ThreadSafeRepository {
        self.repo.clone().into_sync()
    }

    /// Resolves `--since`: a revision if it names one, else a date.
    pub fn since(&self, text: &str) -> Result<Since, Error> {
        if let Ok(id) = self.repo.rev_parse_single(text) {
            let commit = id
                .object()
                .and_then(|object| object.peel_to_commit())
                .map_err(|error| git_error(format!("--since {text}: not a commit"), error))?;
            return Ok(Since::Commit(commit.id));
        }
        let now = gix::date::Zoned::now();
        match gix::date::parse(text, Some(now)) {
            Ok(time) => Ok(Since::Time(time.seconds)),
            Err(_) => Err(Error::Usage(format!(
                "--since {text}: neither a revision of this repository nor a date \
                 (write e.g. `v1.2`, `HEAD~50`, `2024-01-31` or `3 months ago`)"
            ))),
        }
    }

    /// The first-parent commits of HEAD, newest first, down to `since`.
    pub fn first_parent_commits(&self, since: Option<Since>) -> Result<Vec<ObjectId>, Error> {
        let head = self
            .repo
            .head_id()
            .map_err(|error| git_error("HEAD does not name a commit", error))?;
        let walk = self
            .repo
            .rev_walk([head.detach()])
            .first_parent_only()
            .all()
            .map_err(|error| git_error("cannot walk the history", error))?;
        let mut commits = Vec::new();
        for info in walk {
            let info = info.map_err(|error| git_error("cannot walk the history", error))?;
            match since {
                Some(Since::Time(seconds)) => {
                    if self.commit(info.id)?.time.seconds < seconds {
                        break;
                    }
                    commits.push(info.id);
                }
                Some(Since::Commit(stop)) => {
                    commits.push(info.id);
                    if info.id == stop {
                        return Ok(commits);
                    }
                }
                None => commits.push(info.id),
            }
        }
        if let Some(Since::Commit(stop)) = since {
            return Err(Error::Usage(format!(
                "--since {stop}: not on the first-parent history of HEAD"
            )));
        }
        Ok(commits)
    }

    pub fn commit(&self, id: ObjectId) -> Result<CommitInfo, Error> {
        let context = || format!("cannot read commit {id}");
        let commit = self
            .repo
            .find_commit(id)
            .map_err(|error| git_error(context(), error))?;
        let time = commit.time().map_err(|error| git_error(context(), error))?;
        let subject = commit
            .message()
            .map(|message| message.summary().to_string())
            .unwrap_or_default();
        let tree = commit
            .tree_id()
            .map_err(|error| git_error(context(), error))?
            .detach();
        Ok(CommitInfo {
            id,
            time,
            subject,
            tree,
        })
    }

    /// A blob's bytes.
    pub fn blob(&self, id: ObjectId) -> Result<Vec<u8>, Error> {
        self.repo
            .find_blob(id)
            .map(|mut blob| blob.take_data())
            .map_err(|error| git_error(format_args!("cannot read blob {id}"), error))
    }

    /// The tree of the project root in a commit; None when the project root
    /// did not exist yet.
    pub fn project_tree(&self, commit: &CommitInfo) -> Result<Option<ObjectId>, Error> {
        let mut tree = commit.tree;
        for name in &self.prefix {
            let found = self
                .repo
                .find_tree(tree)
                .map_err(|error| git_error(format!("cannot read tree {tree}"), error))?
                .find_entry(name.as_str())
                .filter(|entry| entry.mode().is_tree())
                .map(|entry| entry.object_id());
            match found {
                Some(id) => tree = id,
                None => return Ok(None),
            }
        }
        Ok(Some(tree))
    }

    /// The selected files of a project tree (see [`Self::project_tree`]).
    pub fn list(&mut self, settings: &Settings, tree: ObjectId) -> Result<FlatListing, Error> {
        Ok(self.list_tree(settings, tree, String::new())?.flatten())
    }

    fn list_tree(
        &mut self,
        settings: &Settings,
        tree: ObjectId,
        directory: String,
    ) -> Result<Arc<Listing>, Error> {
        let key = (tree, directory);
        if let Some(listing) = self.listings.get(&key) {
            return Ok(Arc::clone(listing));
        }
        let (tree, directory) = key;
        let object = self
            .repo
            .find_tree(tree)
            .map_err(|error| git_error(format!("cannot read tree {tree}"), error))?;
        let decoded = object
            .decode()
            .map_err(|error| git_error(format!("cannot decode tree {tree}"), error))?;
        let mut listing = Listing::default();
        let mut subtrees = Vec::new();
        for entry in &decoded.entries {
            let Ok(name) = std::str::from_utf8(entry.filename) else {
                listing.notes.push(Note::unreadable(
                    format!("{directory}/{}", entry.filename),
                    "file name is not valid UTF-8: skipped",
                ));
                continue;
            };
            // Hidden files and directories are skipped, as in a scan.
            if name.starts_with('.') {
                continue;
            }
            let path = if directory.is_empty() {
                name.to_string()
            } else {
                format!("{directory}/{name}")
            };
            let mode = entry.mode;
            if mode.is_tree() {
                if !settings.exclude.is_match(&path) {
                    subtrees.push((entry.oid.to_owned(), path));
                }
            } else if mode.is_blob() {
                // Symlinks are not followed and submodules are not files.
                if settings.exclude.is_match(&path) {
                    continue;
                }
                if name == "Cargo.toml" {
                    listing.manifests.push((path, entry.oid.to_owned()));
                } else if settings.include.is_match(&path) {
                    listing.files.push((path, entry.oid.to_owned()));
                }
            }
        }
        drop(decoded);
        drop(object);
        for (id, path) in subtrees {
            let child = self.list_tree(settings, id, path)?;
            listing.subdirectories.push(child);
        }
        let listing = Arc::new(listing);
        self.listings
            .insert((tree, directory), Arc::clone(&listing));
        Ok(listing)
    }
}

/// `root`'s path inside `workdir`, as names (both made canonical first).
fn inner_path(workdir: &Path, root: &Path) -> Result<Vec<String>, Error> {
    let canonical = |path: &Path| -> Result<PathBuf, Error> {
        path.canonicalize().map_err(|source| Error::Io {
            context: format!("cannot resolve {}", path.display()),
            source,
        })
    };
    let workdir = canonical(workdir)?;
    let root = canonical(root)?;
    let inner = root.strip_prefix(&workdir).map_err(|_| {
        Error::Git(format!(
            "{} is outside the work tree {}",
            root.display(),
            workdir.display()
        ))
    })?;
    inner
        .components()
        .map(|component| {
            component
                .as_os_str()
                .to_str()
                .map(str::to_string)
                .ok_or_else(|| Error::Git(format!("{} is not a UTF-8 path", root.display())))
        })
        .collect()
}
