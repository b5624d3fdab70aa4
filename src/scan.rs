//! The parallel scan: select the project's files (ripgrep-style ignore rules
//! plus rules.toml globs), read each once, and extract its facts.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{WalkBuilder, WalkState};
use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::cache::{self, CacheEntry, Cached, FactsCache, Kind};
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
    /// What the scan read, parsed and took from the cache.
    pub stats: ScanStats,
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
                let plain = facts.clone();
                lang::python::extract_skimmed(&mut facts, text, stub, Some(packages));
                // A skimmed file parses without the lines that hold no facts,
                // so a syntax error there goes unseen: what looks like a shim
                // (few files) is parsed in full, from the same bytes (a file
                // that does not parse is no shim).
                if facts.is_shim() {
                    facts = plain;
                    lang::python::extract(&mut facts, text, stub);
                }
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

/// A cache entry's decoded outcome back into what reading the file would give.
fn from_cache(
    config: &Config,
    file: &SelectedFile,
    size: u64,
    cached: Cached,
) -> Result<FileFacts, Note> {
    match cached {
        Cached::Parsed(mut facts) => {
            if facts.path != file.relative {
                facts.path.clone_from(&file.relative);
            }
            Ok(*facts)
        }
        Cached::Skipped(note) => Err(note),
        Cached::Unparsed(modules) => {
            let language =
                language_of(&file.relative).map_or(Language::Python, |(language, _)| language);
            let mut facts = path_facts(config, file, language, size);
            facts.parsed = false;
            facts.rust_modules = modules;
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

/// One selected file after the parallel phase.
struct Scanned {
    outcome: Result<FileFacts, Note>,
    /// A new or changed cache entry for it.
    entry: Option<CacheEntry>,
    kept: Kept,
    /// Its bytes were read.
    read: bool,
    /// Its facts came from the cache.
    cached: bool,
}

impl Scanned {
    /// A file read and parsed without the cache.
    fn read(config: &Config, file: &SelectedFile, parse: Parse) -> Self {
        let (outcome, bytes) = read_facts(config, file, parse);
        Self {
            outcome,
            entry: None,
            read: bytes.is_some(),
            kept: bytes.map_or(Kept::Nothing, Kept::Bytes),
            cached: false,
        }
    }
}

/// A file a later pre-filter round searched: where it is among the files,
/// its facts if it is parsed now, the bytes kept of it, whether it was read.
type Reparsed = (usize, Option<FileFacts>, Option<Vec<u8>>, bool);

/// The bytes of files the pre-filter passed over are kept for its later
/// rounds up to this much in all; a later round reads the others again.
/// (Keeping all of them held the whole source in memory until the rounds
/// ended: most files are never parsed.)
const UNPARSED_BYTES_KEPT: usize = 24 << 20;

impl Scanned {
    /// Lets go of the bytes of a file that was not parsed once `budget`
    /// (what may still be kept) is spent.
    fn keep_within(&mut self, budget: &std::sync::atomic::AtomicUsize) {
        use std::sync::atomic::Ordering;
        let unparsed = matches!(&self.outcome, Ok(facts) if !facts.parsed);
        let Kept::Bytes(bytes) = &self.kept else {
            return;
        };
        if !unparsed {
            return;
        }
        let len = bytes.len();
        let fits = budget
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(len)
            })
            .is_ok();
        if !fits {
            self.kept = Kept::Nothing;
        }
    }
}

/// Size and mtime, as [`cache::stamp`] gives them.
type Stamp = (u64, (u64, u32));

/// One file through the cache.
///
/// A file the pre-filter skipped (or that gave only a note) is trusted by
/// its size and mtime alone, as git's index and ruff's cache trust a stat:
/// those entries hold no facts a violation could come from, and re-reading
/// them would cost what the cache saves. Every file whose cached facts are
/// parsed (the only ones that can hold violations, a minority) is read and
/// hashed: when the bytes differ from the ones its facts were made from,
/// even at the same size and mtime, it is parsed again from the bytes just
/// read. Its bytes are kept either way, so nothing reads it again. A
/// changed stamp with the same content hash reuses the entry too.
fn cached_facts(
    config: &Config,
    file: &SelectedFile,
    parse: Parse,
    cache: &FactsCache,
    stamp: Option<Stamp>,
) -> Scanned {
    let Some((size, mtime)) = stamp else {
        return Scanned::read(config, file, parse);
    };
    let previous = cache.get(&file.relative);
    if let Some(entry) = previous.filter(|entry| entry.size == size && entry.mtime == mtime) {
        if matches!(entry.kind, Kind::Unparsed | Kind::Skipped) {
            if let Some(cached) = cache.outcome(entry) {
                return Scanned {
                    outcome: from_cache(config, file, entry.size, cached),
                    entry: None,
                    kept: Kept::Cached(entry.hash),
                    read: false,
                    cached: true,
                };
            }
        }
    }
    let bytes = match sources::read(&file.absolute) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Scanned {
                outcome: Err(skip_note(file, format!("cannot read: {error}"))),
                entry: None,
                kept: Kept::Nothing,
                read: false,
                cached: false,
            };
        }
    };
    let hash = sources::hash(&bytes);
    let len = bytes.len() as u64;
    let same = previous.filter(|entry| entry.size == len && entry.hash == hash);
    if let Some(entry) = same {
        if let Some(cached) = cache.outcome(entry) {
            return Scanned {
                outcome: from_cache(config, file, len, cached),
                entry: (entry.mtime != mtime).then(|| entry.restamped(mtime)),
                kept: Kept::Bytes(bytes),
                read: true,
                cached: true,
            };
        }
    }
    let outcome = facts_from_bytes(config, file, &bytes, parse);
    // Facts too large to cache, for the same bytes: the entry stays as it is.
    let unchanged = same.is_some_and(|entry| entry.kind == Kind::Reparse && entry.mtime == mtime)
        && matches!(&outcome, Ok(facts) if facts.parsed);
    Scanned {
        entry: (!unchanged).then(|| CacheEntry::new(len, mtime, hash, &outcome)),
        outcome,
        kept: Kept::Bytes(bytes),
        read: true,
        cached: false,
    }
}

/// Counts of one scan, printed by `--stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Files selected.
    pub selected: usize,
    /// Files whose bytes were read.
    pub read: usize,
    /// Files parsed in full this run.
    pub parsed: usize,
    /// Files whose facts came from the cache.
    pub cached: usize,
    /// Size of the cache file written, or else loaded; 0 for none.
    pub cache_bytes: u64,
    /// Why the cache could not be written, when it could not (the answer
    /// is the same; the next run is only slower).
    pub cache_not_written: Option<String>,
}

impl std::fmt::Display for ScanStats {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "stats: selected={} read={} parsed={} cached={} cache_bytes={}",
            self.selected, self.read, self.parsed, self.cached, self.cache_bytes
        )
    }
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
pub const MAX_ROUNDS: usize = 8;

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
    let cache_key = match mode {
        ParseMode::Relevant => cache_key,
        ParseMode::Everything | ParseMode::Skimmed => None,
    };
    // With the cache, every file is stat-ed first: the stamps decide which
    // entries are fresh, and their sizes bound the cache file.
    let stamps: Vec<Option<Stamp>> = match cache_key {
        Some(_) => pool.install(|| {
            selection
                .files
                .par_iter()
                .map(|file| {
                    std::fs::symlink_metadata(&file.absolute)
                        .ok()
                        .map(|metadata| cache::stamp(&metadata))
                })
                .collect()
        }),
        None => Vec::new(),
    };
    let source_bytes: u64 = stamps.iter().flatten().map(|(size, _)| size).sum();
    let mut cache = cache_key.map(|key| FactsCache::load(&config.root, key, source_bytes));
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
    use std::sync::atomic::Ordering;
    let budget = std::sync::atomic::AtomicUsize::new(UNPARSED_BYTES_KEPT);
    let results: Vec<Scanned> = pool.install(|| {
        selection
            .files
            .par_iter()
            .enumerate()
            .map(|(id, file)| {
                let mut scanned = match &cache {
                    Some(cache) => {
                        let stamp = stamps.get(id).copied().flatten();
                        cached_facts(config, file, parse, cache, stamp)
                    }
                    None => Scanned::read(config, file, parse),
                };
                scanned.keep_within(&budget);
                scanned
            })
            .collect()
    });
    let mut dirty = false;
    let mut files = Vec::with_capacity(results.len());
    // Per selected file: its bytes were read, its facts came from the cache.
    let mut read = vec![false; results.len()];
    let mut cached = vec![false; results.len()];
    // The selected file and the content of each of `files`.
    let mut origins: Vec<(usize, Kept)> = Vec::with_capacity(results.len());
    for (id, scanned) in results.into_iter().enumerate() {
        if let (Some(cache), Some(entry)) = (cache.as_mut(), scanned.entry) {
            cache.insert(selection.files[id].relative.clone(), entry);
            dirty = true;
        }
        read[id] = scanned.read;
        cached[id] = scanned.cached;
        match scanned.outcome {
            Ok(facts) => {
                files.push(facts);
                origins.push((id, scanned.kept));
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
            // read; a file whose facts came from the cache is read now (and
            // its bytes kept for the rounds after).
            let reparsed: Vec<Reparsed> = pool.install(|| {
                files
                    .par_iter()
                    .zip(origins.par_iter())
                    .enumerate()
                    .filter(|(_, (facts, _))| !facts.parsed)
                    .filter_map(|(at, (_, (id, kept)))| {
                        let file = &selection.files[*id];
                        let (outcome, bytes) = match kept {
                            Kept::Bytes(bytes) => (
                                facts_from_bytes(config, file, bytes, Parse::IfHit(&round)),
                                None,
                            ),
                            Kept::Cached(_) | Kept::Nothing => {
                                read_facts(config, file, Parse::IfHit(&round))
                            }
                        };
                        let parsed = outcome.ok().filter(|facts| facts.parsed);
                        let read_now = bytes.is_some();
                        // Bytes read again are kept for the rounds after
                        // while the budget lasts (always for a parsed file).
                        let bytes = bytes.filter(|bytes| {
                            parsed.is_some()
                                || budget
                                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                                        left.checked_sub(bytes.len())
                                    })
                                    .is_ok()
                        });
                        (parsed.is_some() || read_now).then_some((at, parsed, bytes, read_now))
                    })
                    .collect()
            });
            for (at, parsed, bytes, read_now) in reparsed {
                let id = origins[at].0;
                read[id] |= read_now;
                if let Some(bytes) = bytes {
                    origins[at].1 = Kept::Bytes(bytes);
                }
                let Some(facts) = parsed else {
                    continue;
                };
                if let Some(cache) = cache.as_mut() {
                    cache.set_parsed(&facts.path, &facts);
                }
                cached[id] = false;
                files[at] = facts;
                dirty = true;
            }
        }
    }
    let mut stats = ScanStats {
        selected: selection.files.len(),
        read: read.iter().filter(|&&read| read).count(),
        parsed: files
            .iter()
            .zip(&origins)
            .filter(|(facts, (id, _))| facts.parsed && !cached[*id])
            .count(),
        cached: cached.iter().filter(|&&cached| cached).count(),
        cache_bytes: 0,
        cache_not_written: None,
    };
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
        let loaded = cache.file_bytes;
        if cache.needles != needles {
            cache.needles = needles;
            dirty = true;
        }
        let live: std::collections::HashSet<&str> = selection
            .files
            .iter()
            .map(|file| file.relative.as_str())
            .collect();
        if cache.retain(|path| live.contains(path)) {
            dirty = true;
        }
        let written = if dirty {
            cache
                .save(&config.root, source_bytes)
                .unwrap_or_else(|not_written| {
                    stats.cache_not_written = Some(not_written.to_string());
                    0
                })
        } else {
            0
        };
        stats.cache_bytes = if written > 0 { written } else { loaded };
    }
    notes.sort();
    Scan {
        files,
        notes,
        crate_roots,
        sources,
        stats,
    }
}
