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

mod candidate;
mod evidence;
mod names;
mod render;

use std::path::{Path, PathBuf};

pub use candidate::{Candidate, Counts, ScoreParts};

use crate::audit::PathFilter;
use crate::cli::{DiscoverArgs, ReportFormat};
use crate::config::{self, Config, ConfigError, Settings};
use crate::index::ProjectIndex;
use crate::lang::Note;
use crate::{scan, Error, Outcome};

/// Same as rules.toml's defaults (config::validate): discover works without one.
const DEFAULT_INCLUDE: &[&str] = &["**/*.py", "**/*.pyi", "**/*.rs"];

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
    let mut include = globset::GlobSetBuilder::new();
    for pattern in DEFAULT_INCLUDE {
        let glob = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|error| Error::Usage(format!("default glob `{pattern}`: {error}")))?;
        include.add(glob);
    }
    let include = include
        .build()
        .map_err(|error| Error::Usage(format!("default globs: {error}")))?;
    Ok(Config {
        file: root.join(config::CONFIG_FILE),
        root,
        settings: Settings {
            src: vec![String::new()],
            include,
            exclude: globset::GlobSet::empty(),
            respect_gitignore: true,
        },
        concepts: Vec::new(),
    })
}

/// `--config`, else the nearest rules.toml, else the current directory with
/// default settings.
fn load_config(config_file: Option<&Path>) -> Result<(Config, Option<String>), Error> {
    let file = match config_file {
        Some(file) => file.to_path_buf(),
        None => {
            let cwd = std::env::current_dir().map_err(|source| Error::Io {
                context: "cannot read the current directory".into(),
                source,
            })?;
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

/// Builds the index and ranks the candidates.
pub fn discover(args: &DiscoverArgs) -> Result<(Discovery, Retained), Error> {
    let (config, config_text) = load_config(args.common.config.as_deref())?;
    let filter = PathFilter::new(&config.root, &args.common.paths)?;
    let threads = args
        .common
        .threads
        .unwrap_or_else(scan::default_threads)
        .max(1);
    let pool = scan::thread_pool(threads)
        .map_err(|error| Error::Usage(format!("cannot start {threads} threads: {error}")))?;
    let mode = if args.common.no_prefilter {
        scan::ParseMode::Everything
    } else {
        scan::ParseMode::Skimmed
    };
    let scanned = scan::scan(&config, &pool, threads, mode, None);
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
        pool.install(|| candidate::build(&index, &evidence, &config.concepts, best));
    if best.is_none() {
        candidates.retain(|candidate| candidate.files.iter().any(|path| filter.contains(path)));
        total_candidates = candidates.len();
    }
    candidate::rank(&mut candidates);
    if args.top > 0 {
        candidates.truncate(args.top);
    }
    pool.install(|| candidate::add_hints(&index, &evidence, &mut candidates));
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
    fn leave(self) {
        std::mem::forget(self.index);
    }
}

/// Writes `text` to `path` through a temporary file in the same directory
/// (created like any new file, so the umask decides its permissions).
fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let io = |source| Error::Io {
        context: format!("cannot write {}", path.display()),
        source,
    };
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| config::CONFIG_FILE.to_string());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            std::io::Write::write_all(&mut file, text.as_bytes())?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(io(error));
    }
    Ok(())
}

/// The `discover` command: print the ranked candidates, maybe write rules.
pub fn run(args: &DiscoverArgs) -> Result<Outcome, Error> {
    if let Some(path) = &args.write_rules {
        if path.exists() && !args.force {
            return Err(Error::Usage(format!(
                "{} already exists; pass --force to overwrite it",
                path.display()
            )));
        }
    }
    let (discovery, retained) = discover(args)?;
    crate::report::print_notes(&discovery.notes);
    let mut output = match args.format {
        ReportFormat::Human => render::human(&discovery),
        ReportFormat::Json => render::json(&discovery),
    };
    if let Some(path) = &args.write_rules {
        let directory = std::path::absolute(path)
            .ok()
            .and_then(|path| path.parent().map(Path::to_path_buf));
        if directory.as_deref() != Some(discovery.root.as_path()) {
            eprintln!(
                "note: {} is not in the project root {}; its settings are relative to the root",
                path.display(),
                discovery.root.display()
            );
        }
        write_atomically(path, &render::rules_file(&discovery))?;
        let message = format!(
            "wrote {} with {} concept{}\n",
            path.display(),
            discovery.candidates.len(),
            crate::report::plural(discovery.candidates.len())
        );
        match args.format {
            ReportFormat::Human => output.push_str(&message),
            ReportFormat::Json => eprint!("{message}"),
        }
    }
    crate::write_stdout(&output)?;
    retained.leave();
    Ok(Outcome::Clean)
}
