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

mod file;
mod walk;

use file::{cached_facts, Kept, Reparsed, Scanned, Stamp, UNPARSED_BYTES_KEPT};
pub use file::{facts_from_bytes, language_of, read_facts, Parse};
use walk::read_crate_roots;
pub use walk::{relative_path, select_files, SelectedFile, Selection};

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
    /// Reads of a file's bytes, a file read again in a later pre-filter
    /// round counted each time.
    pub reads: usize,
    /// Bytes of the files parsed this run.
    pub parsed_bytes: u64,
    /// Pre-filter rounds after the first that searched files.
    pub rounds: usize,
    /// Wall time of the scan's phases: selecting the files, the first
    /// round (read, pre-filter, parse), the later rounds.
    pub timing: Timing,
}

/// Wall time of a scan's phases, printed by `--stats` on a line of its own
/// (the one part of the output that differs from run to run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    pub select: std::time::Duration,
    pub first_round: std::time::Duration,
    pub later_rounds: std::time::Duration,
}

/// A `--stats` line of phase times: `timing: select=1.2ms first_round=…`.
pub fn timing_line(phases: &[(&str, std::time::Duration)]) -> String {
    let mut line = String::from("timing:");
    for (name, duration) in phases {
        line.push_str(&format!(" {name}={:.1}ms", duration.as_secs_f64() * 1e3));
    }
    line
}

impl std::fmt::Display for Timing {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&timing_line(&[
            ("select", self.select),
            ("first_round", self.first_round),
            ("later_rounds", self.later_rounds),
        ]))
    }
}

impl std::fmt::Display for ScanStats {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "stats: selected={} read={} parsed={} cached={} cache_bytes={} reads={} parsed_bytes={} rounds={}",
            self.selected,
            self.read,
            self.parsed,
            self.cached,
            self.cache_bytes,
            self.reads,
            self.parsed_bytes,
            self.rounds
        )
    }
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
    let started = std::time::Instant::now();
    let selection = select_files(config, threads);
    let mut timing = Timing {
        select: started.elapsed(),
        ..Timing::default()
    };
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
    let budget = sources::ByteBudget::new(UNPARSED_BYTES_KEPT);
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
    timing.first_round = started.elapsed() - timing.select;
    let mut reads = results.iter().filter(|scanned| scanned.read).count();
    let mut rounds = 0;
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
            let linked = prefilter::next_needles(&files, &needles);
            if linked.is_empty() {
                break;
            }
            let round = Prefilter::for_needles(&linked);
            needles.extend(linked);
            rounds += 1;
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
                        let bytes =
                            bytes.filter(|bytes| parsed.is_some() || budget.take(bytes.len()));
                        (parsed.is_some() || read_now).then_some((at, parsed, bytes, read_now))
                    })
                    .collect()
            });
            reads += reparsed.iter().filter(|(.., read_now)| *read_now).count();
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
        reads,
        parsed_bytes: files
            .iter()
            .zip(&origins)
            .filter(|(facts, (id, _))| facts.parsed && !cached[*id])
            .map(|(facts, _)| facts.size)
            .sum(),
        rounds,
        timing: Timing {
            later_rounds: started.elapsed() - timing.select - timing.first_round,
            ..timing
        },
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
