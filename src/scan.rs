//! The parallel scan: select the project's files (ripgrep-style ignore rules
//! plus rules.toml globs), read each once, and extract its facts.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::cache::{self, CacheEntry, Cached, FactsCache};
use crate::config::{Config, Language};
use crate::crates::{self, CrateRoot};
use crate::ignore_files::IgnoreFiles;
use crate::lang::{self, FileFacts, Note};
use crate::prefilter::{self, Prefilter};
use crate::source;
use crate::sources::{self, Sources};

/// Parser threads recurse on nesting: give them room.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// The files of the project and what could not be read.
#[derive(Debug, Default)]
pub struct Scan {
    /// Sorted by path string.
    pub files: Vec<FileFacts>,
    /// Files that were selected but yielded no facts (I/O, encoding).
    pub notes: Vec<Note>,
    /// Rust crate roots from every `Cargo.toml` in the project.
    pub crate_roots: Vec<CrateRoot>,
    /// The content of the parsed files, as read.
    pub sources: Sources,
}

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

pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(STACK_SIZE)
        .build()
}

/// Default thread count: the machine's parallelism.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
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

fn is_hidden(name: &std::ffi::OsStr) -> bool {
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
fn read_crate_roots(manifests: &[SelectedFile], notes: &mut Vec<Note>) -> Vec<CrateRoot> {
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

fn error_path(error: &ignore::Error, root: &Path) -> String {
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

/// The language a selected file is parsed as, by extension.
pub fn language_of(path: &str) -> Option<(Language, bool)> {
    if path.ends_with(".py") {
        Some((Language::Python, false))
    } else if path.ends_with(".pyi") {
        Some((Language::Python, true))
    } else if path.ends_with(".rs") {
        Some((Language::Rust, false))
    } else {
        None
    }
}

/// How a file that was read is parsed.
#[derive(Clone, Copy)]
pub enum Parse<'p> {
    /// In full.
    Full,
    /// Only when the pre-filter hits: a file that cannot matter keeps only
    /// its path facts.
    IfHit(&'p Prefilter),
    /// In full, Python function bodies skimmed first (the same facts, see
    /// `lang::skim`; attribute uses only of modules in these top-level
    /// packages).
    Skimmed(&'p FxHashSet<String>),
}

/// Reads one file (through the one read of [`sources::read`]) and extracts
/// its facts; the bytes come back with them.
pub fn read_facts(
    config: &Config,
    file: &SelectedFile,
    parse: Parse,
) -> (Result<FileFacts, Note>, Option<Vec<u8>>) {
    match sources::read(&file.absolute) {
        Ok(bytes) => (facts_from_bytes(config, file, &bytes, parse), Some(bytes)),
        Err(error) => (Err(skip_note(file, format!("cannot read: {error}"))), None),
    }
}

fn skip_note(file: &SelectedFile, message: String) -> Note {
    Note::unreadable(file.relative.clone(), message)
}

pub fn facts_from_bytes(
    config: &Config,
    file: &SelectedFile,
    bytes: &[u8],
    parse: Parse,
) -> Result<FileFacts, Note> {
    let (language, stub) = language_of(&file.relative)
        .ok_or_else(|| skip_note(file, "not a Python or Rust file: skipped".into()))?;
    let size = bytes.len() as u64;
    let text = std::str::from_utf8(bytes).map_err(|error| {
        skip_note(
            file,
            format!("not valid UTF-8 (byte {}): skipped", error.valid_up_to()),
        )
    })?;
    let text = text.strip_prefix(source::BOM).unwrap_or(text);
    let mut facts = path_facts(config, file, language, size);
    if let Parse::IfHit(prefilter) = parse {
        if !prefilter.hits(text, language, facts.module.as_deref()) {
            facts.parsed = false;
            if language == Language::Rust {
                facts.rust_modules = lang::rust_facts::mod_declarations(text);
            }
            return Ok(facts);
        }
    }
    match language {
        Language::Python => match parse {
            Parse::Skimmed(packages) => {
                lang::python::extract_skimmed(&mut facts, text, stub, Some(packages))
            }
            _ => lang::python::extract(&mut facts, text, stub),
        },
        Language::Rust => lang::rust_facts::extract(&mut facts, text),
    }
    Ok(facts)
}

/// What is known of a file without reading it: path, language, module.
fn path_facts(config: &Config, file: &SelectedFile, language: Language, size: u64) -> FileFacts {
    let mut facts = FileFacts::new(file.relative.clone(), language);
    facts.size = size;
    if language == Language::Python {
        if let Some((module, is_package)) =
            lang::python::module_path(&file.relative, &config.settings.src)
        {
            facts.module = Some(module);
            facts.is_package = is_package;
        }
    }
    facts
}

/// A cache entry back into what reading the file would give.
fn from_cache(config: &Config, file: &SelectedFile, entry: &CacheEntry) -> Result<FileFacts, Note> {
    match &entry.outcome {
        Cached::Parsed(facts) => Ok(facts.as_ref().clone()),
        Cached::Skipped(note) => Err(note.clone()),
        Cached::Unparsed(modules) => {
            let language =
                language_of(&file.relative).map_or(Language::Python, |(language, _)| language);
            let mut facts = path_facts(config, file, language, entry.size);
            facts.parsed = false;
            facts.rust_modules = modules.clone();
            Ok(facts)
        }
    }
}

/// What the scan holds of a file's content once its facts are made.
enum Kept {
    /// The bytes it read.
    Bytes(Vec<u8>),
    /// Facts from the cache, made from bytes of this hash: not read.
    Cached(u64),
    Nothing,
}

/// One file through the cache: unchanged size and mtime reuse the entry
/// without reading; a changed stamp with the same content hash reuses it too.
fn cached_facts(
    config: &Config,
    file: &SelectedFile,
    parse: Parse,
    cache: &FactsCache,
) -> (Result<FileFacts, Note>, Option<CacheEntry>, Kept) {
    let Ok(metadata) = std::fs::symlink_metadata(&file.absolute) else {
        let (outcome, bytes) = read_facts(config, file, parse);
        return (outcome, None, bytes.map_or(Kept::Nothing, Kept::Bytes));
    };
    let (size, mtime) = cache::stamp(&metadata);
    let previous = cache.entries.get(&file.relative);
    if let Some(entry) = previous.filter(|entry| entry.size == size && entry.mtime == mtime) {
        return (
            from_cache(config, file, entry),
            None,
            Kept::Cached(entry.hash),
        );
    }
    let bytes = match sources::read(&file.absolute) {
        Ok(bytes) => bytes,
        Err(error) => {
            let note = skip_note(file, format!("cannot read: {error}"));
            return (Err(note), None, Kept::Nothing);
        }
    };
    let hash = sources::hash(&bytes);
    let outcome =
        match previous.filter(|entry| entry.size == bytes.len() as u64 && entry.hash == hash) {
            Some(entry) => from_cache(config, file, entry),
            None => facts_from_bytes(config, file, &bytes, parse),
        };
    let entry = CacheEntry {
        size: bytes.len() as u64,
        mtime,
        hash,
        outcome: Cached::of(&outcome),
    };
    (outcome, Some(entry), Kept::Bytes(bytes))
}

/// How much of the project to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseMode {
    /// Every file (the facts dump).
    Everything,
    /// Every file, Python function bodies skimmed (discover).
    Skimmed,
    /// Only files the concepts' pre-filter hits (check, report, fix, ...).
    Relevant,
}

/// The first components of the selected Python files' modules.
fn top_packages(config: &Config, files: &[SelectedFile]) -> FxHashSet<String> {
    let mut packages = FxHashSet::default();
    for file in files {
        if !matches!(language_of(&file.relative), Some((Language::Python, _))) {
            continue;
        }
        let Some((module, _)) = lang::python::module_path(&file.relative, &config.settings.src)
        else {
            continue;
        };
        let top = module.split('.').next().unwrap_or(&module);
        if !packages.contains(top) {
            packages.insert(top.to_string());
        }
    }
    packages
}

/// At most this many pre-filter rounds; re-export chains are short.
const MAX_ROUNDS: usize = 8;

/// Selects, reads and parses the files of the project. With a cache key
/// (pre-filtered scans only), unchanged files come from the facts cache.
pub fn scan(
    config: &Config,
    pool: &rayon::ThreadPool,
    threads: usize,
    mode: ParseMode,
    cache_key: Option<&str>,
) -> Scan {
    let selection = select_files(config, threads);
    let mut notes = selection.notes;
    let crate_roots = read_crate_roots(&selection.manifests, &mut notes);
    let mut cache = match (mode, cache_key) {
        (ParseMode::Relevant, Some(key)) => Some(FactsCache::load(&config.root, key)),
        _ => None,
    };
    let (first, mut needles) = match mode {
        ParseMode::Everything | ParseMode::Skimmed => (None, Default::default()),
        ParseMode::Relevant => {
            let extra = cache
                .as_ref()
                .map(|cache| cache.needles.clone())
                .unwrap_or_default();
            let (prefilter, needles) = Prefilter::for_concepts(&config.concepts, &extra);
            (Some(prefilter), needles)
        }
    };
    let packages = match mode {
        ParseMode::Skimmed => top_packages(config, &selection.files),
        _ => FxHashSet::default(),
    };
    let parse = match (&first, mode) {
        (Some(prefilter), _) => Parse::IfHit(prefilter),
        (None, ParseMode::Skimmed) => Parse::Skimmed(&packages),
        (None, _) => Parse::Full,
    };
    let results: Vec<(Result<FileFacts, Note>, Option<CacheEntry>, Kept)> = pool.install(|| {
        selection
            .files
            .par_iter()
            .map(|file| match &cache {
                Some(cache) => cached_facts(config, file, parse, cache),
                None => {
                    let (outcome, bytes) = read_facts(config, file, parse);
                    (outcome, None, bytes.map_or(Kept::Nothing, Kept::Bytes))
                }
            })
            .collect()
    });
    let mut dirty = false;
    let mut files = Vec::with_capacity(results.len());
    // The selected file and the content of each of `files`.
    let mut origins: Vec<(usize, Kept)> = Vec::with_capacity(results.len());
    for (id, (result, entry, kept)) in results.into_iter().enumerate() {
        if let (Some(cache), Some(entry)) = (cache.as_mut(), entry) {
            cache
                .entries
                .insert(selection.files[id].relative.clone(), entry);
            dirty = true;
        }
        match result {
            Ok(facts) => {
                files.push(facts);
                origins.push((id, kept));
            }
            Err(note) => notes.push(note),
        }
    }
    if first.is_some() {
        for _ in 0..MAX_ROUNDS {
            let mut linked = prefilter::linked_names(&files, &needles);
            linked.extend(prefilter::star_sources(&files, &needles));
            if linked.is_empty() {
                break;
            }
            let round = Prefilter::for_needles(&linked);
            needles.extend(linked);
            // Files not parsed yet are searched again, in the bytes already
            // read; a file whose facts came from the cache is read now.
            let reparsed: Vec<(usize, FileFacts, Option<Vec<u8>>)> = pool.install(|| {
                files
                    .par_iter()
                    .zip(origins.par_iter())
                    .enumerate()
                    .filter(|(_, (facts, _))| !facts.parsed)
                    .filter_map(|(at, (_, (id, kept)))| {
                        let file = &selection.files[*id];
                        let (outcome, read) = match kept {
                            Kept::Bytes(bytes) => (
                                facts_from_bytes(config, file, bytes, Parse::IfHit(&round)),
                                None,
                            ),
                            Kept::Cached(_) | Kept::Nothing => {
                                read_facts(config, file, Parse::IfHit(&round))
                            }
                        };
                        outcome
                            .ok()
                            .filter(|facts| facts.parsed)
                            .map(|facts| (at, facts, read))
                    })
                    .collect()
            });
            for (at, facts, read) in reparsed {
                if let Some(entry) = cache
                    .as_mut()
                    .and_then(|cache| cache.entries.get_mut(&facts.path))
                {
                    entry.outcome = Cached::Parsed(Box::new(facts.clone()));
                }
                if let Some(bytes) = read {
                    origins[at].1 = Kept::Bytes(bytes);
                }
                files[at] = facts;
                dirty = true;
            }
        }
    }
    // Only parsed files can hold a violation: their content is kept, the
    // rest is dropped here.
    let mut sources = Sources::new(&config.root);
    for (facts, (_, kept)) in files.iter().zip(origins) {
        if !facts.parsed {
            continue;
        }
        match kept {
            Kept::Bytes(bytes) => sources.insert_read(facts.path.clone(), bytes),
            Kept::Cached(hash) => sources.insert_cached(facts.path.clone(), hash),
            Kept::Nothing => {}
        }
    }
    if let Some(cache) = cache.as_mut() {
        if cache.needles != needles {
            cache.needles = needles;
            dirty = true;
        }
        let live: std::collections::HashSet<&str> = selection
            .files
            .iter()
            .map(|file| file.relative.as_str())
            .collect();
        let before = cache.entries.len();
        cache.entries.retain(|path, _| live.contains(path.as_str()));
        if dirty || cache.entries.len() != before {
            cache.save(&config.root);
        }
    }
    notes.sort();
    Scan {
        files,
        notes,
        crate_roots,
        sources,
    }
}
