//! `history`: the per-concept counts along the first-parent git history.
//!
//! Every sampled commit is audited from its committed tree with the current
//! rules.toml. Files are parsed once per (blob, path): a commit costs the
//! blobs it changed plus one pass of the index and the rules, and a commit
//! whose project tree was audited before (it changed only files outside the
//! project root) costs a tree lookup.

pub mod render;
mod repo;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{IsTerminal, Write as _};

use gix::ObjectId;
use rayon::prelude::*;
use serde::Serialize;

use crate::audit::{self, Audit, PathFilter};
use crate::config::{Config, Language};
use crate::crates::{self, CrateRoot, ManifestError};
use crate::lang::{FileFacts, Note};
use crate::prefilter::{self, Prefilter};
use crate::scan::{self, SelectedFile};
use crate::Error;

pub const VERSION: u32 = 1;

/// What to sample.
#[derive(Debug, Clone, Default)]
pub struct HistoryOptions {
    /// `--since`: a revision or a date.
    pub since: Option<String>,
    /// Keep every Nth first-parent commit, starting with HEAD (0 counts as 1).
    pub every: usize,
    /// At most this many commits, spread evenly over the history (HEAD and
    /// the oldest commit included); overrides `every`.
    pub max_points: Option<usize>,
}

/// The counts of each sampled commit, newest first.
#[derive(Debug, Serialize)]
pub struct History {
    pub version: u32,
    pub concepts: Vec<String>,
    pub commits: Vec<CommitCounts>,
}

#[derive(Debug, Serialize)]
pub struct CommitCounts {
    pub id: String,
    /// Committer date, ISO 8601 with the committer's offset.
    pub date: String,
    pub subject: String,
    pub concepts: Vec<ConceptCounts>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConceptCounts {
    pub name: String,
    pub definition_files: usize,
    pub by_code: BTreeMap<&'static str, usize>,
    pub violations: usize,
    /// None when the commit has no code of the concept yet (no definition,
    /// no import, no violation): no data, not 100%.
    pub compliance: Option<f64>,
}

impl CommitCounts {
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(7)]
    }

    /// `YYYY-MM-DD` in the committer's time zone.
    pub fn day(&self) -> &str {
        &self.date[..self.date.len().min(10)]
    }
}

/// The compliance trend for `report --history`: the whole first-parent
/// history, at most 50 commits spread evenly over it.
pub fn trend(scan: &audit::Options) -> Result<History, Error> {
    let options = HistoryOptions {
        since: None,
        every: 1,
        max_points: Some(50),
    };
    compute_for(scan, &options)
}

/// The counts of the commits `options` samples, with the current rules.toml.
pub fn compute_for(scan: &audit::Options, options: &HistoryOptions) -> Result<History, Error> {
    let config = audit::load_config(scan.config.as_deref())?;
    let filter = PathFilter::new(&config.root, &scan.paths)?;
    let threads = audit::thread_count(scan.threads).0;
    let progress = scan.progress && std::io::stderr().is_terminal();
    let flags = Flags {
        progress,
        prefilter: scan.prefilter,
        stats: scan.stats,
    };
    compute(config, filter, options, threads, flags)
}

/// Which of `commits` (newest first) to audit.
fn sample(commits: Vec<ObjectId>, options: &HistoryOptions) -> Vec<ObjectId> {
    match options.max_points {
        Some(points) if points >= 2 && commits.len() > points => {
            let last = commits.len() - 1;
            let mut picked: Vec<ObjectId> = (0..points)
                .map(|step| commits[(step * last + (points - 1) / 2) / (points - 1)])
                .collect();
            picked.dedup();
            picked
        }
        Some(1) => commits.into_iter().take(1).collect(),
        _ => commits.into_iter().step_by(options.every.max(1)).collect(),
    }
}

/// The facts of every (blob, path) parsed so far: the path matters (module
/// paths, relative imports), so the same blob elsewhere is parsed again.
/// Python facts are lent to one commit's audit and given back afterwards
/// (cloning ten thousand files per commit would cost more than the rules);
/// Rust facts are cloned, as the index resolves them per commit.
#[derive(Default)]
struct FactsStore {
    /// Per path, the facts of each blob seen there.
    facts: HashMap<String, Vec<BlobFacts>>,
    manifests: HashMap<(ObjectId, String), Result<Vec<CrateRoot>, ManifestError>>,
    /// The bytes of blobs not parsed, kept while one commit's pre-filter
    /// rounds search them again (up to [`PENDING_BYTES`] in all; the others
    /// are read from the repository again).
    pending: HashMap<ObjectId, Vec<u8>>,
    /// Blobs read from the repository and blobs parsed, for `--stats`.
    reads: usize,
    parsed: usize,
}

/// Where a `history` run's time went, for `--stats`.
#[derive(Debug, Default)]
struct HistoryStats {
    commits: usize,
    audited: usize,
    rounds: usize,
    list: std::time::Duration,
    parse: std::time::Duration,
    audit: std::time::Duration,
}

/// A blob read for the first time at a path: what it gave, and its bytes
/// when they are kept for the rounds.
type Fetched = (String, ObjectId, Result<FileFacts, Note>, Option<Vec<u8>>);

/// How much of the blobs not parsed is kept through one commit's rounds.
const PENDING_BYTES: usize = 96 << 20;

/// What one blob gave at one path, and how many needle generations (see
/// [`Needles`]) it was searched for when it was not parsed.
type BlobFacts = (ObjectId, Result<FileFacts, Note>, usize);

/// The pre-filter's needles over the whole history: the concepts' first,
/// then each round's linked names, in generations. A blob not parsed was
/// searched for the generations before its count; only the newer ones are
/// searched for when a commit needs it again. With `--no-prefilter`, none:
/// every file is parsed.
struct Needles {
    first: Option<Prefilter>,
    known: BTreeSet<String>,
    generations: Vec<BTreeSet<String>>,
}

impl Needles {
    fn new(config: &Config, prefilter: bool) -> Self {
        let (first, known) = if prefilter {
            let (first, known) = Prefilter::for_concepts(&config.concepts, &BTreeSet::new());
            (Some(first), known)
        } else {
            (None, BTreeSet::new())
        };
        Self {
            first,
            known,
            generations: Vec::new(),
        }
    }

    /// How a blob never seen is parsed.
    fn parse(&self) -> scan::Parse<'_> {
        match &self.first {
            Some(first) => scan::Parse::IfHit(first),
            None => scan::Parse::Full,
        }
    }
}

/// Python facts out on loan, by path: their blob, their own module path and
/// the needle generations they were searched for.
type Lent = HashMap<String, (ObjectId, Option<String>, usize)>;

impl FactsStore {
    /// Parses, in parallel, the files not seen before (as far as the
    /// needles so far say), and searches the files not parsed for the needle
    /// generations they have not been searched for.
    fn parse_new(
        &mut self,
        config: &Config,
        pool: &rayon::ThreadPool,
        shared: &gix::ThreadSafeRepository,
        files: &[(String, ObjectId)],
        needles: &Needles,
    ) {
        let missing: Vec<&(String, ObjectId)> = files
            .iter()
            .filter(|(path, blob)| {
                self.facts
                    .get(path.as_str())
                    .is_none_or(|versions| versions.iter().all(|(seen, _, _)| seen != blob))
            })
            .collect();
        let budget = crate::sources::ByteBudget::new(
            PENDING_BYTES.saturating_sub(self.pending.values().map(Vec::len).sum()),
        );
        let keep = needles.first.is_some();
        let parsed: Vec<Fetched> = pool.install(|| {
            missing
                .par_iter()
                .map_init(
                    || shared.to_thread_local(),
                    |repo, (path, blob)| {
                        let file = SelectedFile {
                            relative: path.clone(),
                            absolute: config.root.join(path),
                        };
                        let (outcome, kept) = match repo.find_blob(*blob) {
                            Ok(object) => {
                                let outcome = scan::facts_from_bytes(
                                    config,
                                    &file,
                                    &object.data,
                                    needles.parse(),
                                );
                                let unparsed = matches!(&outcome, Ok(facts) if !facts.parsed);
                                let fits = keep && unparsed && budget.take(object.data.len());
                                (outcome, fits.then(|| object.data.clone()))
                            }
                            Err(error) => (
                                Err(Note::unreadable(
                                    path.clone(),
                                    format!("cannot read blob {blob}: {error}"),
                                )),
                                None,
                            ),
                        };
                        (path.clone(), *blob, outcome, kept)
                    },
                )
                .collect()
        });
        self.reads += parsed.len();
        // Searched for the concepts' needles only, so far.
        for (path, blob, outcome, kept) in parsed {
            self.parsed += usize::from(matches!(&outcome, Ok(facts) if facts.parsed));
            self.facts.entry(path).or_default().push((blob, outcome, 0));
            if let Some(bytes) = kept {
                self.pending.insert(blob, bytes);
            }
        }
        let generations = needles.generations.len();
        // Each needle generation's own pre-filter; a blob searched up to
        // generation `g` is searched for the union of the ones after.
        let mut rounds: BTreeMap<usize, Prefilter> = BTreeMap::new();
        let stale: Vec<(String, ObjectId, usize)> = files
            .iter()
            .filter_map(|(path, blob)| {
                let versions = self.facts.get(path.as_str())?;
                let (_, facts, searched) = versions.iter().find(|(seen, _, _)| seen == blob)?;
                let unparsed = matches!(facts, Ok(facts) if !facts.parsed);
                (unparsed && *searched < generations).then(|| (path.clone(), *blob, *searched))
            })
            .collect();
        for (_, _, searched) in &stale {
            rounds.entry(*searched).or_insert_with(|| {
                let newer: BTreeSet<String> = needles.generations[*searched..]
                    .iter()
                    .flatten()
                    .cloned()
                    .collect();
                Prefilter::for_needles(&newer)
            });
        }
        let pending = &self.pending;
        self.reads += stale
            .iter()
            .filter(|(_, blob, _)| !pending.contains_key(blob))
            .count();
        let researched: Vec<(String, ObjectId, Option<FileFacts>)> = pool.install(|| {
            stale
                .par_iter()
                .map_init(
                    || shared.to_thread_local(),
                    |repo, (path, blob, searched)| {
                        let file = SelectedFile {
                            relative: path.clone(),
                            absolute: config.root.join(path),
                        };
                        let round = scan::Parse::IfHit(&rounds[searched]);
                        let search = |bytes: &[u8]| {
                            scan::facts_from_bytes(config, &file, bytes, round)
                                .ok()
                                .filter(|facts| facts.parsed)
                        };
                        let parsed = match pending.get(blob) {
                            Some(bytes) => search(bytes),
                            None => repo
                                .find_blob(*blob)
                                .ok()
                                .and_then(|object| search(&object.data)),
                        };
                        (path.clone(), *blob, parsed)
                    },
                )
                .collect()
        });
        for (path, blob, parsed) in researched {
            if let Some(versions) = self.facts.get_mut(path.as_str()) {
                if let Some(version) = versions.iter_mut().find(|(seen, _, _)| *seen == blob) {
                    if let Some(facts) = parsed {
                        self.parsed += 1;
                        version.1 = Ok(facts);
                    }
                    version.2 = generations;
                }
            }
        }
    }

    /// The scan of one commit's listing, every file already parsed.
    fn lend(
        &mut self,
        project: &repo::GitProject,
        listing: repo::FlatListing,
    ) -> (scan::Scan, Lent) {
        let mut notes = listing.notes;
        let mut files = Vec::with_capacity(listing.files.len());
        let mut lent = Lent::new();
        for (path, blob) in listing.files {
            let Some(versions) = self.facts.get_mut(path.as_str()) else {
                continue;
            };
            let Some(at) = versions.iter().position(|(seen, _, _)| *seen == blob) else {
                continue;
            };
            match &versions[at].1 {
                Ok(file) if file.language == Language::Python => {
                    if let (_, Ok(file), searched) = versions.swap_remove(at) {
                        lent.insert(path, (blob, file.module.clone(), searched));
                        files.push(file);
                    }
                }
                Ok(file) => files.push(file.clone()),
                Err(note) => notes.push(note.clone()),
            }
        }
        let mut crate_roots = Vec::new();
        for (path, blob) in listing.manifests {
            let parsed = self
                .manifests
                .entry((blob, path.clone()))
                .or_insert_with(|| read_manifest(project, blob, &path));
            match parsed {
                Ok(roots) => crate_roots.extend(roots.iter().cloned()),
                Err(message) => notes.push(Note::unreadable(
                    path,
                    format!("cannot read Cargo manifest: {message}"),
                )),
            }
        }
        notes.sort();
        let scan = scan::Scan {
            files,
            notes,
            crate_roots,
            sources: crate::sources::Sources::default(),
            stats: scan::ScanStats::default(),
        };
        (scan, lent)
    }

    /// Takes the lent facts back from an audit's index.
    fn give_back(&mut self, files: Vec<FileFacts>, mut lent: Lent) {
        for mut file in files {
            if let Some((blob, module, searched)) = lent.remove(&file.path) {
                // Only a Cargo.toml pointing at a Python file could have
                // changed it: restore what the file's own path says.
                file.module = module;
                match self.facts.get_mut(file.path.as_str()) {
                    Some(versions) => versions.push((blob, Ok(file), searched)),
                    None => {
                        self.facts
                            .insert(file.path.clone(), vec![(blob, Ok(file), searched)]);
                    }
                }
            }
        }
    }
}

/// How `compute` runs: a progress line, the pre-filter, `--stats` at the end.
#[derive(Debug, Clone, Copy)]
pub struct Flags {
    pub progress: bool,
    pub prefilter: bool,
    pub stats: bool,
}

/// Audits each sampled commit's tree with `config` and counts per concept.
pub fn compute(
    config: Config,
    filter: PathFilter,
    options: &HistoryOptions,
    threads: usize,
    flags: Flags,
) -> Result<History, Error> {
    let Flags {
        progress,
        prefilter,
        stats: print_stats,
    } = flags;
    let mut project = repo::GitProject::open(&config.root)?;
    let since = options
        .since
        .as_deref()
        .map(|text| project.since(text))
        .transpose()?;
    let commits = sample(project.first_parent_commits(since)?, options);
    let pool = scan::thread_pool(threads)
        .map_err(|error| Error::Usage(format!("cannot start {threads} threads: {error}")))?;
    let shared = project.shared();

    let mut store = FactsStore::default();
    let mut needles = Needles::new(&config, prefilter);
    let mut config = config;
    let mut counted = Vec::with_capacity(commits.len());
    let mut by_tree: HashMap<ObjectId, Vec<ConceptCounts>> = HashMap::new();
    let mut stats = HistoryStats {
        commits: commits.len(),
        ..HistoryStats::default()
    };
    for (at, id) in commits.iter().enumerate() {
        if progress {
            eprint!("\rhistory: commit {}/{}", at + 1, commits.len());
            let _ = std::io::stderr().flush();
        }
        let commit = project.commit(*id)?;
        let tree = project.project_tree(&commit)?;
        // Commits that did not touch the project (or went back to a tree
        // seen before) count the same: each tree is audited once.
        if let Some(concepts) = tree.and_then(|tree| by_tree.get(&tree)) {
            counted.push(commit_counts(&commit, concepts.clone()));
            continue;
        }
        let started = std::time::Instant::now();
        let listing = match tree {
            Some(tree) => project.list(&config.settings, tree)?,
            None => repo::FlatListing::default(),
        };
        stats.list += started.elapsed();
        let started = std::time::Instant::now();
        // As `check` does: the files the needles hit are parsed, then names
        // bound to needles there become needles, until no new one appears.
        let mut rounds = 0;
        let (scan, lent) = loop {
            store.parse_new(&config, &pool, &shared, &listing.files, &needles);
            let (scan, lent) = store.lend(&project, listing.clone());
            if needles.first.is_none() || rounds == scan::MAX_ROUNDS {
                break (scan, lent);
            }
            let linked = prefilter::next_needles(&scan.files, &needles.known);
            if linked.is_empty() {
                break (scan, lent);
            }
            store.give_back(scan.files, lent);
            needles.known.extend(linked.iter().cloned());
            needles.generations.push(linked);
            rounds += 1;
        };
        store.pending.clear();
        stats.parse += started.elapsed();
        stats.rounds += rounds;
        stats.audited += 1;
        let started = std::time::Instant::now();
        let audit = Audit::from_scan(config, filter.clone(), scan);
        let concepts = concept_counts(&audit);
        if let Some(tree) = tree {
            by_tree.insert(tree, concepts.clone());
        }
        counted.push(commit_counts(&commit, concepts));
        let Audit {
            config: returned,
            index,
            ..
        } = audit;
        config = returned;
        store.give_back(index.files, lent);
        stats.audit += started.elapsed();
    }
    if progress {
        eprint!("\r\x1b[2K");
    }
    if print_stats {
        eprintln!(
            "history: commits={} audited={} reads={} parsed={} rounds={}",
            stats.commits, stats.audited, store.reads, store.parsed, stats.rounds
        );
        let phases = [
            ("list", stats.list),
            ("parse", stats.parse),
            ("audit", stats.audit),
        ];
        eprintln!("{}", scan::timing_line(&phases));
    }
    Ok(History {
        version: VERSION,
        concepts: config
            .concepts
            .iter()
            .map(|concept| concept.name.clone())
            .collect(),
        commits: counted,
    })
}

fn read_manifest(
    project: &repo::GitProject,
    blob: ObjectId,
    path: &str,
) -> Result<Vec<CrateRoot>, ManifestError> {
    let bytes = project.blob(blob).map_err(ManifestError::Blob)?;
    let text = String::from_utf8(bytes).map_err(|_| ManifestError::NotUtf8)?;
    crates::crate_roots(path, &text)
}

fn concept_counts(audit: &Audit) -> Vec<ConceptCounts> {
    crate::summary::concept_summaries(audit)
        .into_iter()
        .map(|summary| ConceptCounts {
            name: summary.name.to_string(),
            definition_files: summary.counts.definition_files,
            violations: summary.counts.violations,
            by_code: summary.counts.by_code,
            compliance: (summary.counts.definition_files > 0
                || summary.counts.violations > 0
                || summary.canonical_imports > 0)
                .then_some(summary.compliance),
        })
        .collect()
}

fn commit_counts(commit: &repo::CommitInfo, concepts: Vec<ConceptCounts>) -> CommitCounts {
    CommitCounts {
        id: commit.id.to_string(),
        date: commit
            .time
            .format_or_unix(gix::date::time::format::ISO8601_STRICT),
        subject: commit.subject.clone(),
        concepts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(count: u8) -> Vec<ObjectId> {
        (0..count)
            .map(|n| ObjectId::from_bytes_or_panic(&[n; 20]))
            .collect()
    }

    #[test]
    fn every_nth_commit_starts_at_head() {
        let options = HistoryOptions {
            every: 3,
            ..Default::default()
        };
        let picked = sample(ids(8), &options);
        assert_eq!(picked, vec![ids(8)[0], ids(8)[3], ids(8)[6]]);
    }

    #[test]
    fn at_most_points_spread_over_the_whole_history() {
        let options = HistoryOptions {
            every: 1,
            max_points: Some(4),
            ..Default::default()
        };
        let all = ids(10);
        let picked = sample(all.clone(), &options);
        assert_eq!(picked.len(), 4);
        assert_eq!(picked.first(), all.first());
        assert_eq!(picked.last(), all.last());
        let few = sample(ids(3), &options);
        assert_eq!(few, ids(3));
    }
}
