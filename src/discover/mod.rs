//! `discover`: propose concepts for rules.toml from the code itself.
//!
//! One full index pass (every file parsed, no concepts needed), then linear
//! grouping: class-like definitions that share a name or a CamelCase stem
//! form a cluster; every `from M import N` is resolved to its origin so the
//! cluster knows its import paths, aliases and shims; the definition with the
//! most importers is the proposed canonical home. Every other class the
//! proposed `definition` regex matches is listed as a definition too, and the
//! legacy modules are the shims plus the modules imported as objects to reach
//! the canonical class (`legacy.WebSocketManager`). Clusters are ranked by a
//! fragmentation score (see README) and rendered as evidence plus a ready
//! `[[concept]]` block; `--write-rules` writes them as a rules.toml.

mod build;
mod candidate;
mod cluster;
mod evidence;
mod hints;
mod legacy;
mod names;
mod pattern;
pub mod render;

use std::path::{Path, PathBuf};

pub use candidate::{Candidate, ClusterCounts, ScoreParts};

use crate::audit::Options;
use crate::audit::PathFilter;
use crate::config::{self, Config, ConfigError, Settings};
use crate::index::ProjectIndex;
use crate::lang::Note;
use crate::{scan, Error};

/// The result of one discover run.
pub struct Discovery {
    pub files_scanned: usize,
    /// Candidates with a positive score, before `--top`.
    pub total_candidates: usize,
    /// Ranked, capped at `--top`.
    pub candidates: Vec<Candidate>,
    /// Python copies such as `old_manager.backup.py`, skipped.
    pub leftovers: Vec<String>,
    pub notes: Vec<Note>,
    /// The rules.toml in effect, if any, for its `[settings]`.
    pub config_text: Option<String>,
    /// The project root: the directory of rules.toml, or the current one.
    pub root: PathBuf,
}

/// rules.toml's default `[settings]`, rooted at `root`.
fn default_config(root: PathBuf) -> Result<Config, Error> {
    Ok(Config {
        file: root.join(config::CONFIG_FILE),
        root,
        settings: Settings {
            src: vec![String::new()],
            include: config::default_include(),
            exclude: globset::GlobSet::empty(),
            respect_gitignore: true,
        },
        concepts: Vec::new(),
        text: None,
    })
}

/// `--config`, else the nearest rules.toml, else the current directory with
/// default settings.
fn load_config(config_file: Option<&Path>) -> Result<(Config, Option<String>), Error> {
    let file = match config_file {
        Some(file) => file.to_path_buf(),
        None => {
            let cwd = crate::audit::current_dir()?;
            match config::discover(&cwd) {
                Ok(file) => file,
                Err(ConfigError::NotFound(_)) => return Ok((default_config(cwd)?, None)),
                Err(error) => return Err(error.into()),
            }
        }
    };
    let loaded = config::load(&file)?;
    let text = std::fs::read_to_string(&loaded.file).map_err(|source| Error::Io {
        context: format!("cannot read {}", loaded.file.display()),
        source,
    })?;
    Ok((loaded, Some(text)))
}

/// What `discover` looks at.
#[derive(Debug, Clone, Default)]
pub struct DiscoverOptions {
    pub scan: Options,
    /// Show this many candidates (0: all).
    pub top: usize,
    /// Count test files too.
    pub include_tests: bool,
}

/// Builds the index and ranks the candidates.
pub fn discover(args: &DiscoverOptions) -> Result<(Discovery, Retained), Error> {
    let (config, config_text) = load_config(args.scan.config.as_deref())?;
    let filter = PathFilter::new(&config.root, &args.scan.paths)?;
    let (pool, threads) = crate::audit::thread_pool(args.scan.threads)?;
    let mode = if args.scan.prefilter {
        scan::ParseMode::Skimmed
    } else {
        scan::ParseMode::Everything
    };
    let scanned = scan::scan(&config, &pool, threads, mode, None);
    if args.scan.stats {
        eprintln!("{}", scanned.stats);
    }
    let mut notes = scanned.notes;
    notes.extend(
        scanned
            .files
            .iter()
            .flat_map(|file| file.notes.iter().cloned()),
    );
    notes.retain(|note| filter.contains(&note.path));
    notes.sort();
    let index = ProjectIndex::new(scanned.files, &scanned.crate_roots);
    let files_scanned = index
        .files
        .iter()
        .filter(|file| filter.contains(&file.path))
        .count();

    let mut evidence = evidence::collect(&index, &pool, args.include_tests);
    // Without paths to filter by, only the shown candidates are built in full.
    let best = (args.top > 0 && filter.is_everything()).then_some(args.top);
    let (mut candidates, mut total_candidates) =
        pool.install(|| build::build(&index, &evidence, &config.concepts, best));
    if best.is_none() {
        candidates.retain(|candidate| candidate.files.iter().any(|path| filter.contains(path)));
        total_candidates = candidates.len();
    }
    candidate::rank(&mut candidates);
    if args.top > 0 {
        candidates.truncate(args.top);
    }
    pool.install(|| hints::add_hints(&index, &evidence, &mut candidates));
    let leftovers = std::mem::take(&mut evidence.leftovers);
    // Left to the end of the process, like the index it borrows from.
    std::mem::forget(evidence);
    let discovery = Discovery {
        files_scanned,
        total_candidates,
        candidates,
        // Project-wide, like the settings they go into.
        leftovers,
        notes,
        config_text,
        root: config.root,
    };
    Ok((discovery, Retained { index }))
}

/// What `discover` built on the way: every file's facts (the evidence,
/// which borrows from them, is already left). The command leaves them to
/// the end of the process instead of freeing them piece by piece (~50 ms on
/// 10,000 files, a sixth of the clustering).
pub struct Retained {
    index: ProjectIndex,
}

impl Retained {
    /// Lets the process exit reclaim the memory.
    pub fn leave(self) {
        std::mem::forget(self.index);
    }
}

/// Writes `text` to `path` atomically (see [`crate::fs::write_atomically`]).
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    crate::fs::write_atomically(path, text.as_bytes(), crate::fs::Existing::Replace).map_err(
        |source| Error::Io {
            context: format!("cannot write {}", path.display()),
            source,
        },
    )
}
