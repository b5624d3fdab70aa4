//! One audit run: load the config, scan the project, index it, run the rules
//! and keep what falls inside the paths the user asked about.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::diagnostic::{Code, Violation};
use crate::index::ProjectIndex;
use crate::lang::{FileFacts, Note};
use crate::rules::{self, DefinitionEntry};
use crate::scan;
use crate::sources::Sources;
use crate::truth::ConfigWarning;
use crate::Error;

/// Which root-relative paths are reported.
#[derive(Debug, Clone, Default)]
pub struct PathFilter {
    /// Empty: everything. Otherwise files equal to or under one of these.
    prefixes: Vec<String>,
}

impl PathFilter {
    pub fn new(root: &Path, paths: &[PathBuf]) -> Result<Self, Error> {
        let cwd = current_dir()?;
        let mut prefixes = Vec::new();
        for path in paths {
            let absolute = normalise(&cwd.join(path));
            if !absolute.exists() {
                return Err(Error::Usage(format!(
                    "{}: no such file or directory",
                    path.display()
                )));
            }
            let Some(relative) = scan::relative_path(root, &absolute) else {
                return Err(Error::Usage(format!(
                    "{} is outside the project root {}",
                    path.display(),
                    root.display()
                )));
            };
            if relative.is_empty() {
                return Ok(Self::default());
            }
            prefixes.push(relative);
        }
        Ok(Self { prefixes })
    }

    /// No path given: every file is reported.
    pub fn is_everything(&self) -> bool {
        self.prefixes.is_empty()
    }

    pub fn contains(&self, path: &str) -> bool {
        self.prefixes.is_empty()
            || self.prefixes.iter().any(|prefix| {
                path == prefix
                    || (path.len() > prefix.len()
                        && path.starts_with(prefix.as_str())
                        && path.as_bytes()[prefix.len()] == b'/')
            })
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Per-concept results: the definitions of the whole project, the canonical
/// imports inside the reported paths.
#[derive(Debug)]
pub struct ConceptResult {
    pub definitions: Vec<DefinitionEntry>,
    pub canonical_imports: usize,
}

pub struct Audit {
    pub config: Config,
    pub index: ProjectIndex,
    pub filter: PathFilter,
    /// Notes of files inside the reported paths, sorted.
    pub notes: Vec<Note>,
    /// Violations inside the reported paths, in output order.
    pub violations: Vec<Violation>,
    pub concepts: Vec<ConceptResult>,
    /// The text of every file with a violation, as the scan read it.
    pub sources: Sources,
    /// Where rules.toml and the code disagree without stopping the run.
    pub warnings: Vec<ConfigWarning>,
}

/// How a run scans: the plain options every command shares.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Report only these files or directories (the whole project is indexed).
    pub paths: Vec<PathBuf>,
    /// rules.toml; None: the nearest one at or above the current directory.
    pub config: Option<PathBuf>,
    /// Worker threads; None: one per core.
    pub threads: Option<usize>,
    /// Progress may be shown on stderr (a terminal only).
    pub progress: bool,
    /// Parse only the files the concepts' pre-filter hits.
    pub prefilter: bool,
    /// Read and write the facts cache.
    pub cache: bool,
    /// Print the scan's counts ([`scan::ScanStats`]) to stderr.
    pub stats: bool,
    /// Warnings about rules.toml against the code are errors (exit 2).
    pub strict: bool,
}

/// Just the facts, for the `imports` dump.
pub struct Facts {
    pub files: Vec<FileFacts>,
    pub notes: Vec<Note>,
}

/// The current directory, where rules.toml is looked for.
pub fn current_dir() -> Result<PathBuf, Error> {
    std::env::current_dir().map_err(|source| Error::Io {
        context: "cannot read the current directory".into(),
        source,
    })
}

pub fn load_config(file: Option<&Path>) -> Result<Config, Error> {
    let file = match file {
        Some(file) => file.to_path_buf(),
        None => config::discover(&current_dir()?)?,
    };
    Ok(config::load(&file)?)
}

/// At most this many worker threads, whatever `--threads` asks for.
pub const MAX_THREADS: usize = 256;

/// The worker count `--threads` gives, clamped to [1, MAX_THREADS] (0 means
/// one per core), and a note when it was clamped.
pub fn thread_count(asked: Option<usize>) -> (usize, Option<String>) {
    match asked {
        None | Some(0) => (scan::default_threads().min(MAX_THREADS), None),
        Some(threads) if threads > MAX_THREADS => (
            MAX_THREADS,
            Some(format!(
                "--threads {threads} is more than {MAX_THREADS}: using {MAX_THREADS}"
            )),
        ),
        Some(threads) => (threads, None),
    }
}

/// A worker pool of `options.threads` (clamped).
pub fn thread_pool(asked: Option<usize>) -> Result<(rayon::ThreadPool, usize), Error> {
    let (threads, note) = thread_count(asked);
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    let pool = scan::thread_pool(threads)
        .map_err(|error| Error::Usage(format!("cannot start {threads} threads: {error}")))?;
    Ok((pool, threads))
}

/// Loads the config and scans the whole project.
pub fn scan_project(options: &Options) -> Result<(Config, PathFilter, scan::Scan), Error> {
    let config = load_config(options.config.as_deref())?;
    let filter = PathFilter::new(&config.root, &options.paths)?;
    let mode = if options.prefilter {
        scan::ParseMode::Relevant
    } else {
        scan::ParseMode::Everything
    };
    let (pool, threads) = thread_pool(options.threads)?;
    let key = options
        .cache
        .then(|| std::fs::read_to_string(&config.file).ok())
        .flatten()
        .map(|text| crate::cache::key(&text));
    let started = std::time::Instant::now();
    let scan = scan::scan(&config, &pool, threads, mode, key.as_deref());
    if let Some(reason) = &scan.stats.cache_not_written {
        eprintln!(
            "note: {}: {}",
            crate::escape::visible(
                &config
                    .root
                    .join(crate::cache::DIRECTORY)
                    .display()
                    .to_string()
            ),
            reason
        );
    }
    if options.stats {
        eprintln!("{}\n{}", scan.stats, scan.stats.timing);
    }
    if options.progress && std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        let parsed = scan.files.iter().filter(|file| file.parsed).count();
        eprintln!(
            "ssot-audit: indexed {} files ({parsed} parsed) in {:.2}s",
            scan.files.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok((config, filter, scan))
}

impl Audit {
    /// Scans the project and runs the rules; only the text of files with a
    /// violation is kept. Fixes are attached by `fix::attach_fixes`.
    pub fn run(options: &Options) -> Result<Self, Error> {
        let (config, filter, scan) = scan_project(options)?;
        let started = std::time::Instant::now();
        let mut audit = Self::from_scan(config, filter, scan);
        audit.check_config(options.strict)?;
        audit.load_sources(true);
        if options.stats {
            eprintln!("{}", scan::timing_line(&[("rules", started.elapsed())]));
        }
        Ok(audit)
    }

    /// Checks rules.toml against the index: its errors (and with `strict`
    /// its warnings) end the run, its warnings are kept.
    pub fn check_config(&mut self, strict: bool) -> Result<(), Error> {
        self.warnings = crate::truth::check(&self.config, &self.index, strict)?;
        Ok(())
    }

    /// Decodes the text of every file with a violation, and of every file
    /// with a patch string (a fix that renames a binding rewrites the patch
    /// strings naming it), reading a cache-hit file, checked against its
    /// hash; with `drop_rest`, the bytes of every other file are let go.
    pub fn load_sources(&mut self, drop_rest: bool) {
        let paths: Vec<&str> = self
            .violations
            .iter()
            .map(|violation| violation.path.as_str())
            .chain(
                self.index
                    .files
                    .iter()
                    .filter(|file| !file.patch_targets.is_empty())
                    .map(|file| file.path.as_str()),
            )
            .collect();
        let notes = self.sources.load(paths, drop_rest);
        if !notes.is_empty() {
            self.notes.extend(notes);
            self.notes.sort();
            self.notes.dedup();
        }
    }

    /// The rules run over already scanned files (from disk or from a git
    /// commit): index, rules, suppressions, path filter.
    pub fn from_scan(config: Config, filter: PathFilter, scan: scan::Scan) -> Self {
        let mut notes = scan.notes;
        notes.extend(
            scan.files
                .iter()
                .flat_map(|file| file.notes.iter().cloned()),
        );
        notes.retain(|note| filter.contains(&note.path));
        notes.sort();
        let sources = scan.sources;
        let index = ProjectIndex::new(scan.files, &scan.crate_roots);
        let findings = rules::check_all(&index, &config.concepts);

        let mut violations = Vec::new();
        let mut concepts = Vec::new();
        for found in findings {
            violations.extend(
                found
                    .violations
                    .into_iter()
                    .filter(|violation| filter.contains(&violation.path)),
            );
            // Where a concept is defined is a fact of the whole project, even
            // when only some paths are reported.
            let mut definitions: Vec<DefinitionEntry> = found.definitions;
            definitions
                .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
            concepts.push(ConceptResult {
                definitions,
                canonical_imports: found
                    .canonical_imports
                    .iter()
                    .filter(|path| filter.contains(path))
                    .count(),
            });
        }
        let mut violations: Vec<Violation> = crate::suppression::apply(&index, violations)
            .into_iter()
            .filter(|violation| filter.contains(&violation.path))
            .collect();
        violations.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Self {
            config,
            index,
            filter,
            notes,
            violations,
            concepts,
            sources,
            warnings: Vec::new(),
        }
    }

    pub fn facts_only(options: &Options) -> Result<Facts, Error> {
        let options = Options {
            prefilter: false,
            cache: false,
            ..options.clone()
        };
        let (_, filter, scan) = scan_project(&options)?;
        let mut notes = scan.notes;
        let files: Vec<FileFacts> = scan
            .files
            .into_iter()
            .filter(|file| filter.contains(&file.path))
            .collect();
        notes.extend(files.iter().flat_map(|file| file.notes.iter().cloned()));
        notes.retain(|note| filter.contains(&note.path));
        notes.sort();
        Ok(Facts { files, notes })
    }

    /// What a new audit of the same project is built from (`fix` passes).
    pub fn into_parts(self) -> (Config, PathFilter, Sources) {
        (self.config, self.filter, self.sources)
    }

    pub fn retain_codes(&mut self, keep: impl Fn(Code) -> bool) {
        self.violations.retain(|violation| keep(violation.code));
    }

    /// Files scanned: the whole project, whatever paths are reported.
    pub fn files_scanned(&self) -> usize {
        self.index.files.len()
    }

    /// The name of a violation's concept, if it has one.
    pub fn concept_name(&self, violation: &Violation) -> Option<&str> {
        violation
            .concept
            .and_then(|id| self.config.concepts.get(id))
            .map(|concept| concept.name.as_str())
    }

    /// Violations of one concept.
    pub fn concept_violations(&self, concept: usize) -> impl Iterator<Item = &Violation> {
        self.violations
            .iter()
            .filter(move |violation| violation.concept == Some(concept))
    }
}

/// Counts shared by the whole summary and each concept.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub definition_files: usize,
    pub violations: usize,
    pub files_with_violations: usize,
    pub fixable: usize,
    pub by_code: BTreeMap<&'static str, usize>,
}

impl Counts {
    /// Violations of one rule code.
    pub fn of_code(&self, code: Code) -> usize {
        self.by_code.get(code.as_str()).copied().unwrap_or(0)
    }

    pub fn of<'a>(
        violations: impl Iterator<Item = &'a Violation>,
        definition_paths: impl Iterator<Item = &'a str>,
    ) -> Self {
        let mut counts = Counts::default();
        let mut files = std::collections::BTreeSet::new();
        for code in Code::ALL {
            counts.by_code.insert(code.as_str(), 0);
        }
        for violation in violations {
            counts.violations += 1;
            files.insert(violation.path.as_str());
            if violation.fix.is_some() {
                counts.fixable += 1;
            }
            *counts.by_code.entry(violation.code.as_str()).or_default() += 1;
        }
        counts.files_with_violations = files.len();
        counts.definition_files = definition_paths
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        counts
    }
}
