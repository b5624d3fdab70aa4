//! From evidence to ranked candidate concepts: definitions that share a name
//! or a stem are one cluster; each cluster's canonical home is the definition
//! with the most importers, and its score says how fragmented it is.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::cluster::*;
use super::evidence::Evidence;
use super::names::{self, StemForest, MIN_STEM_WORDS};
use crate::config::{Concept, Language};
use crate::index::ProjectIndex;

/// Score weights; README's "discover" section documents the formula.
pub const WEIGHT_DEFINITION: usize = 4;
pub const WEIGHT_PATH: usize = 2;
pub const WEIGHT_ALIAS: usize = 2;
pub const WEIGHT_IMPORTER: usize = 1;

#[derive(Debug, Clone, Serialize)]
pub struct ClusterCounts {
    /// Modules defining a class of the cluster (canonical included).
    pub definitions: usize,
    /// Distinct modules the cluster's names are imported from.
    pub import_paths: usize,
    pub noncanonical_paths: usize,
    /// Distinct files importing any of the cluster's definitions.
    pub importers: usize,
    pub canonical_importers: usize,
    pub noncanonical_importers: usize,
    pub aliases: usize,
    pub shims: usize,
    /// Proposed legacy modules: the shims and the modules imported as objects
    /// to reach the canonical class through them.
    pub legacy_modules: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterDefinition {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub module: String,
    pub name: String,
    pub canonical: bool,
    /// Distinct files whose imports resolve to this definition.
    pub importers: usize,
    /// In the cluster only because `definition` matches its name: it shares
    /// no name or stem with the rest (`WebSocketConnectionManager` for the
    /// stem `WebSocketManager`). Its importers import another name, which
    /// `check` does not flag, so they are not counted as the cluster's.
    pub pattern_only: bool,
    /// Inside a function or class (always `pattern_only`): no import can
    /// reach it, but `check` counts it.
    pub nested: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImportPath {
    pub module: String,
    /// `canonical`, `definition` (a duplicate's module), `shim`, `legacy`
    /// (a legacy module that is no shim), `facade` (a package `__init__`) or
    /// `reexport` (any other module).
    pub kind: &'static str,
    pub names: Vec<String>,
    pub importers: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AliasEntry {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub module: String,
    pub name: String,
    pub value: String,
}

/// `m.S` in a file that imports a legacy module as an object (`import L as m`).
#[derive(Debug, Clone, Serialize)]
pub struct ModuleUse {
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// `m.S` as written.
    pub expression: String,
}

/// One proposed legacy module and why.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedLegacyModule {
    pub module: String,
    pub path: String,
    /// `shim` (only imports, aliases and `__all__` at module level) or
    /// `module` (has code of its own, binds a concept symbol to the
    /// canonical class and is imported as a module object to reach it).
    pub kind: &'static str,
    /// The concept symbols it binds to the canonical class.
    pub names: Vec<String>,
    /// `kind: module`: the `m.S` uses in other files, first per file and name.
    pub module_uses: Vec<ModuleUse>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedName {
    pub name: String,
    pub path: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScoreParts {
    pub extra_definitions: usize,
    pub noncanonical_paths: usize,
    pub aliases: usize,
    pub noncanonical_importers: usize,
}

/// One proposed concept, with the evidence for it.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub rank: usize,
    pub name: String,
    pub stem: String,
    pub language: Language,
    pub score: usize,
    pub score_parts: ScoreParts,
    pub canonical: String,
    pub canonical_path: String,
    /// Why this canonical (importers, other definitions), then why each
    /// legacy module is one.
    pub evidence: String,
    /// The first part of `evidence`: about the canonical only.
    #[serde(skip)]
    pub canonical_evidence: String,
    pub counts: ClusterCounts,
    /// Every name the cluster is defined, imported or aliased under.
    pub names: Vec<String>,
    /// The names of the canonical definition that name nothing outside the
    /// cluster (the concept's `symbols`).
    pub symbols: Vec<String>,
    pub definition: String,
    pub definitions: Vec<ClusterDefinition>,
    pub paths: Vec<ImportPath>,
    pub aliases: Vec<AliasEntry>,
    /// The legacy modules with their evidence; `legacy_modules` are their names.
    pub legacy: Vec<ProposedLegacyModule>,
    pub legacy_modules: Vec<String>,
    pub allow: Vec<String>,
    /// Class names with the stem's words in order and more in between, which
    /// `definition` does not match (worth a look, not proposed).
    pub related: Vec<RelatedName>,
    /// The configured concept with the same canonical, if any.
    pub existing_concept: Option<String>,
    /// Files the candidate touches (definitions, aliases, shims, importers),
    /// for `PATH...` filtering; not serialised.
    #[serde(skip)]
    pub files: Vec<String>,
}

pub fn canonical_text(language: Language, module: &str, name: &str) -> String {
    match language {
        Language::Python => format!("{module}:{name}"),
        Language::Rust => format!("{module}::{name}"),
    }
}

/// The clusters with a positive score, unranked, and how many there are.
/// With `best`, only the first `best` of them in [`rank`]'s order are built
/// in full (the others are scored and counted).
pub fn build(
    index: &ProjectIndex,
    evidence: &Evidence,
    configured: &[Concept],
    best: Option<usize>,
) -> (Vec<Candidate>, usize) {
    let definitions = &evidence.definitions;
    let count = definitions.len();
    let mut imports_of: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (at, import) in evidence.imports.iter().enumerate() {
        imports_of[import.origin].push(at);
    }
    let mut aliases_of: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (at, alias) in evidence.aliases.iter().enumerate() {
        aliases_of[alias.origin].push(at);
    }
    let mut shims_of: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (at, shim) in evidence.shims.iter().enumerate() {
        for &origin in &shim.origins {
            shims_of[origin].push(at);
        }
    }

    // Every name each definition goes by.
    let names_of: Vec<BTreeSet<&str>> = (0..count)
        .into_par_iter()
        .map(|origin| {
            let mut names = BTreeSet::new();
            names.insert(definitions[origin].name);
            names.extend(
                imports_of[origin]
                    .iter()
                    .map(|&at| evidence.imports[at].name),
            );
            names.extend(
                aliases_of[origin]
                    .iter()
                    .map(|&at| evidence.aliases[at].target.as_str()),
            );
            names
        })
        .collect();

    let mut forests: HashMap<Language, StemForest> = HashMap::new();
    for language in [Language::Python, Language::Rust] {
        let names: FxHashSet<&str> = (0..count)
            .filter(|&origin| definitions[origin].language == language)
            .flat_map(|origin| names_of[origin].iter().copied())
            .collect();
        forests.insert(language, StemForest::new(&names));
    }

    // Definitions sharing a name of two words or more, a stem, or their own
    // one-word name are one cluster. A one-word alias links nothing: `Manager`
    // may name different things in different modules.
    let keys_of: Vec<Vec<&str>> = (0..count)
        .into_par_iter()
        .map(|origin| {
            let site = &definitions[origin];
            let forest = &forests[&site.language];
            names_of[origin]
                .iter()
                .filter_map(|&name| {
                    if names::word_count(name) >= MIN_STEM_WORDS {
                        Some(forest.root(name))
                    } else {
                        (name == site.name).then_some(name)
                    }
                })
                .collect()
        })
        .collect();
    let mut sets = UnionFind((0..count).collect());
    let mut first_with_key: FxHashMap<(Language, &str), usize> = FxHashMap::default();
    for (origin, keys) in keys_of.iter().enumerate() {
        let language = definitions[origin].language;
        for &key in keys {
            match first_with_key.get(&(language, key)) {
                Some(&first) => sets.union(first, origin),
                None => {
                    first_with_key.insert((language, key), origin);
                }
            }
        }
    }
    let mut clusters: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for origin in 0..count {
        let root = sets.find(origin);
        clusters.entry(root).or_default().push(origin);
    }

    // Which clusters each name is used for: a name of two clusters is no symbol.
    let mut clusters_of_name: FxHashMap<(Language, &str), BTreeSet<usize>> = FxHashMap::default();
    for (&cluster, origins) in &clusters {
        for &origin in origins {
            for &name in &names_of[origin] {
                clusters_of_name
                    .entry((definitions[origin].language, name))
                    .or_default()
                    .insert(cluster);
            }
        }
    }

    let context = ClusterContext {
        index,
        evidence,
        imports_of: &imports_of,
        aliases_of: &aliases_of,
        shims_of: &shims_of,
        names_of: &names_of,
        forests: &forests,
        clusters_of_name: &clusters_of_name,
        configured,
    };
    // Clusters are independent: planned and scored in parallel (on the
    // caller's pool), in cluster order.
    let clusters: Vec<Vec<usize>> = clusters.into_values().collect();
    let plans: Vec<ClusterPlan> = clusters
        .into_par_iter()
        .filter(|origins| !context.unfragmented(origins))
        .filter_map(|origins| context.plan(origins))
        .collect();
    let matched = context.pattern_matches(&plans);
    // Every cluster is scored; only those shown are tallied in full.
    let scores: Vec<(usize, usize)> = plans
        .par_iter()
        .zip(&matched)
        .enumerate()
        .filter_map(|(at, (plan, matched))| {
            context.score(plan, matched).map(|(_, score)| (at, score))
        })
        .collect();
    let total = scores.len();
    let chosen: Vec<usize> = match best {
        None => scores.iter().map(|&(at, _)| at).collect(),
        Some(best) => {
            // Ranked by `rank_key` after the score, whose strings only the
            // clusters scoring at least the `best`-th highest need.
            let mut ranked: Vec<usize> = scores.iter().map(|&(_, score)| score).collect();
            let threshold = match best.checked_sub(1) {
                Some(nth) if nth < ranked.len() => {
                    *ranked.select_nth_unstable_by(nth, |a, b| b.cmp(a)).1
                }
                _ => 0,
            };
            let mut keyed: Vec<_> = scores
                .par_iter()
                .filter(|&&(_, score)| score >= threshold)
                .map(|&(at, score)| (context.rank_key(&plans[at], score), at))
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            keyed.truncate(best);
            keyed.into_iter().map(|(_, at)| at).collect()
        }
    };
    let candidates = chosen
        .into_iter()
        .filter_map(|at| {
            let (plan, matched) = (&plans[at], matched[at].as_slice());
            let tally = context.tally(plan, matched)?;
            Some(context.candidate(plan, matched, tally))
        })
        .collect();
    (candidates, total)
}

/// Score descending, then name, then canonical; ranks set. Names are made
/// unique by the canonical module: a name already taken by a higher-ranked
/// candidate gets the module's last component in front (`ws-dispatcher`),
/// then more of the module path, so every name says where its concept lives.
pub fn rank(candidates: &mut [Candidate]) {
    candidates.sort_by(|a, b| {
        (Reverse(a.score), &a.name, &a.canonical).cmp(&(Reverse(b.score), &b.name, &b.canonical))
    });
    let mut taken: HashSet<String> = HashSet::new();
    for (at, candidate) in candidates.iter_mut().enumerate() {
        candidate.rank = at + 1;
        let base = candidate.name.clone();
        let module: Vec<String> = canonical_module_of(candidate)
            .into_iter()
            .map(|segment| {
                segment
                    .trim_start_matches("r#")
                    .replace('_', "-")
                    .to_lowercase()
            })
            .collect();
        let mut prefix = 0;
        let mut counter = 1;
        while taken.contains(&candidate.name) {
            if prefix < module.len() {
                prefix += 1;
                candidate.name = format!("{}-{base}", module[module.len() - prefix..].join("-"));
            } else {
                // The same symbol in the same module path of two languages.
                counter += 1;
                candidate.name = format!("{}-{base}-{counter}", module.join("-"));
            }
        }
        taken.insert(candidate.name.clone());
    }
}

/// The module path of a candidate's canonical, as segments.
fn canonical_module_of(candidate: &Candidate) -> Vec<&str> {
    match candidate.language {
        Language::Python => candidate
            .canonical
            .split_once(':')
            .map_or_else(Vec::new, |(module, _)| module.split('.').collect()),
        Language::Rust => {
            let mut segments: Vec<&str> = candidate.canonical.split("::").collect();
            segments.pop();
            segments
        }
    }
}

/// `\` before every globset metacharacter, so a path matches only itself.
pub fn glob_escape(path: &str) -> String {
    let mut escaped = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | '!') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
