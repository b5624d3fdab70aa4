//! From evidence to ranked candidate concepts: definitions that share a name
//! or a stem are one cluster; each cluster's canonical home is the definition
//! with the most importers, and its score says how fragmented it is.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use std::fmt::Write as _;

use aho_corasick::AhoCorasick;
use rayon::prelude::*;
use regex::{Regex, RegexBuilder};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::evidence::{is_test_path, DefinitionSite, Evidence};
use super::names::{self, StemForest, MIN_STEM_WORDS};
use crate::config::{Concept, Language};
use crate::index::{Origin, ProjectIndex};
use crate::lang::{DefinitionKind, Scope};

/// Score weights; README's "discover" section documents the formula.
pub const WEIGHT_DEFINITION: usize = 4;
pub const WEIGHT_PATH: usize = 2;
pub const WEIGHT_ALIAS: usize = 2;
pub const WEIGHT_IMPORTER: usize = 1;

/// First words of test doubles that `allow` tolerates (`MockWebSocketManager`).
const TEST_DOUBLE_WORDS: &[&str] = &["Dummy", "Fake", "Mock", "Spy", "Stub"];

/// Modules of test doubles: `tests/mocks/…`, `tests/mock_ws.py`, `tests/fake_bus.py`.
fn is_test_double_module(path: &str) -> bool {
    let mut components = path.split('/');
    let file = components.next_back().unwrap_or(path);
    components.any(|directory| matches!(directory, "doubles" | "fakes" | "mocks" | "stubs"))
        || ["dummy_", "fake_", "mock_", "stub_"]
            .iter()
            .any(|prefix| file.starts_with(prefix))
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
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
pub struct DefinitionEntry {
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
pub struct LegacyModule {
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
    pub counts: Counts,
    /// Every name the cluster is defined, imported or aliased under.
    pub names: Vec<String>,
    /// The names of the canonical definition that name nothing outside the
    /// cluster (the concept's `symbols`).
    pub symbols: Vec<String>,
    pub definition: String,
    pub definitions: Vec<DefinitionEntry>,
    pub paths: Vec<ImportPath>,
    pub aliases: Vec<AliasEntry>,
    /// The legacy modules with their evidence; `legacy_modules` are their names.
    pub legacy: Vec<LegacyModule>,
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

/// Disjoint sets of origin ids.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, mut at: usize) -> usize {
        while self.0[at] != at {
            self.0[at] = self.0[self.0[at]];
            at = self.0[at];
        }
        at
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The smaller id is the root, so clusters do not depend on visit order.
        if a < b {
            self.0[b] = a;
        } else {
            self.0[a] = b;
        }
    }
}

/// The literal parts of one root's pattern: for a root of two words or more
/// the words but the last (`WebSocket`) and the last word (`Manager`); for a
/// one-word root no head and the name itself.
fn root_parts(root: &str) -> (Option<&str>, &str) {
    let starts = names::word_starts(root);
    match starts.last() {
        Some(&last) if starts.len() >= MIN_STEM_WORDS => {
            (Some(root[..last].trim_end_matches('_')), &root[last..])
        }
        _ => (None, root),
    }
}

/// Words inserted before the last one: they start a word (an upper-case
/// letter, a digit or `_`, matched case-sensitively), so `StreamScheduler`'s
/// regex takes `StreamAuditScheduler` but not `StreamingAuditScheduler`.
const INFIX: &str = r"(?-i:[A-Z0-9_]\w*)?";

/// The regex of a cluster: `(?i)^\w*WebSocket(?-i:[A-Z0-9_]\w*)?Manager$` for
/// a stem of two words or more (any prefix, and words inserted before the
/// last one: `UnifiedWebSocketManager`, `WebSocketConnectionManager`), the
/// exact name for a one-word stem (`\w*Config` would match every *Config);
/// variant markers seen in the cluster (`V2`) may follow.
fn definition_regex(roots: &[String], extensions: &BTreeSet<String>) -> String {
    let alternatives: Vec<String> = roots
        .iter()
        .map(|root| match root_parts(root) {
            (Some(head), last) => {
                format!(r"\w*{}{INFIX}{}", regex::escape(head), regex::escape(last))
            }
            (None, name) => regex::escape(name),
        })
        .collect();
    let body = if alternatives.len() == 1 {
        alternatives[0].clone()
    } else {
        format!("(?:{})", alternatives.join("|"))
    };
    let extension = if extensions.is_empty() {
        String::new()
    } else {
        format!(
            "(?:{})?",
            extensions
                .iter()
                .map(|extension| regex::escape(extension))
                .collect::<Vec<_>>()
                .join("|")
        )
    };
    format!("(?i)^{body}{extension}$")
}

/// What a name [`definition_regex`] matches must contain, lowercased: a
/// `tail` it ends with and, before it, a `head` (or, without a head, nothing:
/// the name is the tail). A cheap pre-filter; the regex decides.
fn regex_literals(
    roots: &[String],
    extensions: &BTreeSet<String>,
) -> Vec<(Option<String>, String)> {
    let mut literals = Vec::new();
    for root in roots {
        let (head, last) = root_parts(root);
        let head = head.map(str::to_lowercase);
        let last = last.to_lowercase();
        for extension in extensions {
            literals.push((head.clone(), format!("{last}{}", extension.to_lowercase())));
        }
        literals.push((head, last));
    }
    literals
}

fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
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

/// Modules a cluster is imported from: the names and the importing files.
#[derive(Default)]
struct PathStats<'s> {
    names: BTreeSet<&'s str>,
    files: BTreeSet<usize>,
}

/// The counts behind one cluster's score.
struct Tally<'s> {
    defining_modules: FxHashSet<&'s str>,
    shim_ids: BTreeSet<usize>,
    shim_modules: BTreeSet<&'s str>,
    paths: BTreeMap<&'s str, PathStats<'s>>,
    importers: BTreeSet<usize>,
    canonical_importers: BTreeSet<usize>,
    noncanonical_importers: BTreeSet<usize>,
    score_parts: ScoreParts,
    score: usize,
}

/// A definition outside a cluster that the cluster's `definition` matches:
/// an index into `Evidence::definitions`, or `Evidence::nested` if `nested`.
#[derive(Debug, Clone, Copy)]
struct Matched {
    nested: bool,
    at: usize,
}

/// A cluster with its canonical definition and `definition` regex chosen.
struct ClusterPlan {
    origins: Vec<usize>,
    canonical: usize,
    language: Language,
    /// Distinct importing files per definition of the cluster.
    importers_per_origin: FxHashMap<usize, usize>,
    stem: String,
    definition: String,
    /// See [`regex_literals`].
    literals: Vec<(Option<String>, String)>,
}

/// The plans' `definition` regexes by their literal parts: two automata find
/// the literal tails that end a lowercase name and the heads in it; only the
/// plans whose head precedes their tail can match, and for an ASCII name the
/// literals decide without running the regex.
struct PlanLiterals<'p> {
    plans: &'p [ClusterPlan],
    tails: AhoCorasick,
    heads: AhoCorasick,
    /// (tail, head) -> plans; no head: the name is the tail.
    plans_of: FxHashMap<(usize, Option<usize>), Vec<usize>>,
    /// Compiled only for names that are not ASCII, at most once per plan.
    regexes: Vec<OnceLock<Option<Regex>>>,
}

impl<'p> PlanLiterals<'p> {
    /// `None` if an automaton cannot be built.
    fn new(plans: &'p [ClusterPlan]) -> Option<Self> {
        /// Interns `text` in `texts`.
        fn intern<'t>(
            ids: &mut FxHashMap<&'t str, usize>,
            texts: &mut Vec<&'t str>,
            text: &'t str,
        ) -> usize {
            *ids.entry(text).or_insert_with(|| {
                texts.push(text);
                texts.len() - 1
            })
        }
        let (mut tail_ids, mut tails) = (FxHashMap::default(), Vec::new());
        let (mut head_ids, mut heads) = (FxHashMap::default(), Vec::new());
        let mut plans_of: FxHashMap<(usize, Option<usize>), Vec<usize>> = FxHashMap::default();
        for (at, plan) in plans.iter().enumerate() {
            for (head, tail) in &plan.literals {
                let tail = intern(&mut tail_ids, &mut tails, tail);
                let head = head
                    .as_deref()
                    .map(|head| intern(&mut head_ids, &mut heads, head));
                plans_of.entry((tail, head)).or_default().push(at);
            }
        }
        Some(Self {
            plans,
            tails: AhoCorasick::new(&tails).ok()?,
            heads: AhoCorasick::new(&heads).ok()?,
            plans_of,
            regexes: plans.iter().map(|_| OnceLock::new()).collect(),
        })
    }

    /// The plans but `own_plan` whose `definition` matches `site`'s name, in
    /// order.
    fn matching(&self, site: &DefinitionSite, own_plan: usize) -> Vec<usize> {
        let lower = site.name.to_lowercase();
        // Lower-casing keeps an ASCII name's offsets, and every byte of it is
        // a `\w`: the regex's verdict follows from the literals.
        let ascii = site
            .name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
        let mut hits = Vec::new();
        let mut heads_found: Option<Vec<(usize, usize)>> = None;
        for found in self.tails.find_overlapping_iter(&lower) {
            if found.end() != lower.len() {
                continue;
            }
            let tail = found.pattern().as_usize();
            let heads = heads_found.get_or_insert_with(|| {
                self.heads
                    .find_overlapping_iter(&lower)
                    .map(|head| (head.pattern().as_usize(), head.end()))
                    .collect()
            });
            let candidates = heads
                .iter()
                .filter(|&&(_, end)| end <= found.start())
                .map(|&(head, end)| (Some(head), end))
                .chain((found.start() == 0).then_some((None, 0)));
            for (head, head_end) in candidates {
                // An ASCII name is decided here: the words between head and
                // tail (`INFIX`) start with [A-Z0-9_].
                if ascii && head_end != found.start() {
                    let next = site.name.as_bytes()[head_end];
                    if !(next.is_ascii_uppercase() || next.is_ascii_digit() || next == b'_') {
                        continue;
                    }
                }
                for &plan in self.plans_of.get(&(tail, head)).into_iter().flatten() {
                    if plan != own_plan && self.plans[plan].language == site.language {
                        hits.push(plan);
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits.retain(|&plan| {
            ascii || {
                let regex = self.regexes[plan]
                    .get_or_init(|| Regex::new(&self.plans[plan].definition).ok());
                regex
                    .as_ref()
                    .is_some_and(|regex| regex.is_match(site.name))
            }
        });
        hits
    }
}

struct ClusterContext<'a> {
    index: &'a ProjectIndex,
    evidence: &'a Evidence<'a>,
    imports_of: &'a [Vec<usize>],
    aliases_of: &'a [Vec<usize>],
    shims_of: &'a [Vec<usize>],
    names_of: &'a [BTreeSet<&'a str>],
    forests: &'a HashMap<Language, StemForest<'a>>,
    clusters_of_name: &'a FxHashMap<(Language, &'a str), BTreeSet<usize>>,
    configured: &'a [Concept],
}

impl ClusterContext<'_> {
    fn importer_files(&self, origin: usize) -> BTreeSet<usize> {
        self.imports_of[origin]
            .iter()
            .map(|&at| self.evidence.imports[at].file)
            .collect()
    }

    /// A lone definition without aliases whose importers all name its own
    /// module: [`ClusterContext::tally`] finds nothing to score whatever its
    /// `definition` regex matches, so it is not planned at all.
    fn unfragmented(&self, origins: &[usize]) -> bool {
        let &[origin] = origins else {
            return false;
        };
        let module = &self.evidence.definitions[origin].module;
        self.aliases_of[origin].is_empty()
            && self.imports_of[origin]
                .iter()
                .all(|&at| self.evidence.imports[at].module == *module)
    }

    /// The canonical definition (the one with the most importers; then
    /// outside tests; then by path), the stem and the `definition` regex.
    fn plan(&self, origins: Vec<usize>) -> Option<ClusterPlan> {
        let definitions = &self.evidence.definitions;
        let importers_per_origin: FxHashMap<usize, usize> = origins
            .iter()
            .map(|&origin| (origin, self.importer_files(origin).len()))
            .collect();
        let canonical = *origins.iter().max_by_key(|&&origin| {
            let site: &DefinitionSite = &definitions[origin];
            (
                importers_per_origin[&origin],
                !site.test,
                Reverse((&site.path, site.line)),
            )
        })?;
        let canonical_site = &definitions[canonical];
        if canonical_site.module.is_empty() {
            return None;
        }
        let language = canonical_site.language;
        let forest = &self.forests[&language];
        let stem = forest.root(canonical_site.name).to_string();
        let mut roots = vec![stem.clone()];
        let mut extensions = BTreeSet::new();
        let mut other_roots = BTreeSet::new();
        for &origin in &origins {
            let name = definitions[origin].name;
            other_roots.insert(forest.root(name).to_string());
            extensions.extend(forest.extension(name));
        }
        other_roots.remove(&stem);
        roots.extend(other_roots);
        Some(ClusterPlan {
            definition: definition_regex(&roots, &extensions),
            literals: regex_literals(&roots, &extensions),
            origins,
            canonical,
            language,
            importers_per_origin,
            stem,
        })
    }

    /// Per plan, the definitions outside it whose name its `definition`
    /// matches, so that what `check` would count as a definition is listed
    /// as one (see [`PlanLiterals`]). The definitions are matched in
    /// parallel (on the caller's pool) and handed out in their order.
    fn pattern_matches(&self, plans: &[ClusterPlan]) -> Vec<Vec<Matched>> {
        let definitions = &self.evidence.definitions;
        let mut plan_of = vec![usize::MAX; definitions.len()];
        for (at, plan) in plans.iter().enumerate() {
            for &origin in &plan.origins {
                plan_of[origin] = at;
            }
        }
        let mut matched: Vec<Vec<Matched>> = vec![Vec::new(); plans.len()];
        let Some(literals) = PlanLiterals::new(plans) else {
            return matched;
        };
        let sites: Vec<(Matched, &DefinitionSite)> = definitions
            .iter()
            .enumerate()
            .map(|(at, site)| (Matched { nested: false, at }, site))
            .chain(
                self.evidence
                    .nested
                    .iter()
                    .enumerate()
                    .map(|(at, site)| (Matched { nested: true, at }, site)),
            )
            .collect();
        let hits_per_site: Vec<Vec<usize>> = sites
            .par_iter()
            .map(|&(definition, site)| {
                let own_plan = if definition.nested {
                    usize::MAX
                } else {
                    plan_of[definition.at]
                };
                literals.matching(site, own_plan)
            })
            .collect();
        for ((definition, _), hits) in sites.into_iter().zip(hits_per_site) {
            for plan in hits {
                matched[plan].push(definition);
            }
        }
        matched
    }

    /// The legacy modules of a cluster: its shims, and the modules that bind
    /// a concept symbol to the canonical class and that another file imports
    /// as a module object to use `m.S` (not the canonical module, not a
    /// package `__init__`).
    fn legacy_modules(
        &self,
        plan: &ClusterPlan,
        symbols: &[String],
        shim_ids: &BTreeSet<usize>,
    ) -> Vec<LegacyModule> {
        let evidence = self.evidence;
        let canonical_site = &evidence.definitions[plan.canonical];
        let canonical_module = canonical_site.module.as_ref();
        // The symbols `module` binds to the canonical class.
        let bound = |module: &str| -> Vec<String> {
            if plan.language != Language::Python {
                return Vec::new();
            }
            symbols
                .iter()
                .filter(|symbol| {
                    matches!(
                        self.index.resolve(module, symbol),
                        Origin::Class { module, name }
                            if module == canonical_module && name == canonical_site.name
                    )
                })
                .cloned()
                .collect()
        };
        let mut legacy: BTreeMap<String, LegacyModule> = BTreeMap::new();
        for &at in shim_ids {
            let shim = &evidence.shims[at];
            legacy
                .entry(shim.module.clone())
                .or_insert_with(|| LegacyModule {
                    module: shim.module.clone(),
                    path: self.index.files[shim.file].path.clone(),
                    kind: "shim",
                    names: bound(&shim.module),
                    module_uses: Vec::new(),
                });
        }
        if plan.language == Language::Python {
            for &at in &self.imports_of[plan.canonical] {
                let import = &evidence.imports[at];
                let Some(attribute) = &import.attribute else {
                    continue;
                };
                if import.module == canonical_module
                    || !symbols.iter().any(|symbol| symbol == import.name)
                {
                    continue;
                }
                let Some(file) = self.index.python_module(&import.module) else {
                    continue;
                };
                let importer = &self.index.files[import.file];
                if file.is_package || file.path == importer.path {
                    continue;
                }
                let entry =
                    legacy
                        .entry(import.module.to_string())
                        .or_insert_with(|| LegacyModule {
                            module: import.module.to_string(),
                            path: file.path.clone(),
                            kind: "module",
                            names: bound(&import.module),
                            module_uses: Vec::new(),
                        });
                entry.module_uses.push(ModuleUse {
                    path: importer.path.clone(),
                    line: attribute.line,
                    column: attribute.column,
                    expression: format!("{}.{}", attribute.base, import.name),
                });
            }
        }
        if plan.language == Language::Rust {
            self.rust_reexporters(canonical_module, canonical_site.name, &mut legacy);
        }
        let mut legacy: Vec<LegacyModule> = legacy.into_values().collect();
        for module in &mut legacy {
            module
                .module_uses
                .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        }
        legacy
    }

    /// Every Rust module but the canonical one that re-exports the
    /// canonical type (`pub use`, at its top level, renamed or not, through
    /// any chain). Crate roots are left out: like a package `__init__` they
    /// are the crate's facade, and a crate name as a legacy module would make
    /// every file that names the crate one to parse.
    fn rust_reexporters(
        &self,
        canonical_module: &str,
        canonical_name: &str,
        legacy: &mut BTreeMap<String, LegacyModule>,
    ) {
        let mut found: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
        for file in self
            .index
            .files
            .iter()
            .filter(|file| file.language == Language::Rust)
        {
            let Some(file_module) = file.module.as_deref() else {
                continue;
            };
            for import in &file.imports {
                let (Some(resolved), Some(name)) =
                    (import.resolved.as_deref(), import.name.as_deref())
                else {
                    continue;
                };
                if !import.public || import.scope != Scope::Module || name == "*" {
                    continue;
                }
                let module = crate::index::rust_item_module(file_module, &import.mod_path);
                if module == canonical_module || !module.contains("::") {
                    continue;
                }
                let reaches = matches!(
                    self.index.resolve_rust(&format!("{resolved}::{name}")),
                    Origin::Class { module, name }
                        if module == canonical_module && name == canonical_name
                );
                if reaches {
                    let bound = import.asname.as_deref().unwrap_or(name).to_string();
                    found
                        .entry(module)
                        .or_insert_with(|| (file.path.clone(), BTreeSet::new()))
                        .1
                        .insert(bound);
                }
            }
            // `pub type X = …::Canonical;` re-exports under a second name.
            for definition in &file.definitions {
                if !definition.public || !definition.top_level || definition.aliased.is_none() {
                    continue;
                }
                let module = crate::index::rust_item_module(file_module, &definition.mod_path);
                if module == canonical_module || !module.contains("::") {
                    continue;
                }
                let name = definition.name.trim_start_matches("r#");
                let reaches = matches!(
                    self.index.resolve_rust(&format!("{module}::{name}")),
                    Origin::Class { module, name }
                        if module == canonical_module && name == canonical_name
                );
                if reaches {
                    found
                        .entry(module)
                        .or_insert_with(|| (file.path.clone(), BTreeSet::new()))
                        .1
                        .insert(name.to_string());
                }
            }
        }
        for (module, (path, names)) in found {
            legacy
                .entry(module.clone())
                .or_insert_with(|| LegacyModule {
                    module,
                    path,
                    kind: "reexport",
                    names: names.into_iter().collect(),
                    module_uses: Vec::new(),
                });
        }
    }

    fn site(&self, definition: Matched) -> &DefinitionSite<'_> {
        if definition.nested {
            &self.evidence.nested[definition.at]
        } else {
            &self.evidence.definitions[definition.at]
        }
    }

    /// The counts behind a cluster's score; `None` when it is no candidate.
    /// A cluster's score and its parts (see README), without the sets a
    /// [`Tally`] keeps; none when the cluster is no candidate.
    fn score(&self, plan: &ClusterPlan, matched: &[Matched]) -> Option<(ScoreParts, usize)> {
        let evidence = self.evidence;
        let origins = plan.origins.as_slice();
        let canonical = plan.canonical;
        let canonical_module = evidence.definitions[canonical].module.as_ref();
        let mut other_paths: Vec<&str> = Vec::new();
        let mut noncanonical_importers: Vec<usize> = Vec::new();
        for &origin in origins {
            for &at in &self.imports_of[origin] {
                let import = &evidence.imports[at];
                if import.module != canonical_module {
                    other_paths.push(import.module.as_ref());
                }
                if origin != canonical || import.module != canonical_module {
                    noncanonical_importers.push(import.file);
                }
            }
        }
        other_paths.sort_unstable();
        other_paths.dedup();
        noncanonical_importers.sort_unstable();
        noncanonical_importers.dedup();
        let score_parts = ScoreParts {
            extra_definitions: origins.len() - 1 + matched.len(),
            noncanonical_paths: other_paths.len(),
            aliases: origins
                .iter()
                .map(|&origin| self.aliases_of[origin].len())
                .sum(),
            noncanonical_importers: noncanonical_importers.len(),
        };
        let score = WEIGHT_DEFINITION * score_parts.extra_definitions
            + WEIGHT_PATH * score_parts.noncanonical_paths
            + WEIGHT_ALIAS * score_parts.aliases
            + WEIGHT_IMPORTER * score_parts.noncanonical_importers;
        // A cluster is a candidate on its own evidence: names that only the
        // regex links (`UserService`, `UserAuthService`) are no
        // fragmentation by themselves, but count once the cluster is one.
        (score != WEIGHT_DEFINITION * matched.len()).then_some((score_parts, score))
    }

    fn tally<'s>(&'s self, plan: &ClusterPlan, matched: &[Matched]) -> Option<Tally<'s>> {
        let (score_parts, score) = self.score(plan, matched)?;
        let evidence = self.evidence;
        let definitions = &evidence.definitions;
        let origins = plan.origins.as_slice();
        let canonical = plan.canonical;
        let canonical_module = definitions[canonical].module.as_ref();
        let defining_modules: FxHashSet<&str> = origins
            .iter()
            .copied()
            .chain(
                matched
                    .iter()
                    .filter(|definition| !definition.nested)
                    .map(|definition| definition.at),
            )
            .map(|origin| definitions[origin].module.as_ref())
            .collect();
        let mut shim_ids: BTreeSet<usize> = BTreeSet::new();
        for &origin in origins {
            shim_ids.extend(self.shims_of[origin].iter().copied());
        }
        let shim_modules: BTreeSet<&str> = shim_ids
            .iter()
            .map(|&at| evidence.shims[at].module.as_str())
            .collect();

        let mut paths: BTreeMap<&str, PathStats<'_>> = BTreeMap::new();
        let mut importers = BTreeSet::new();
        let mut canonical_importers = BTreeSet::new();
        let mut noncanonical_importers = BTreeSet::new();
        for &origin in origins {
            for &at in &self.imports_of[origin] {
                let import = &evidence.imports[at];
                let stats = paths.entry(import.module.as_ref()).or_default();
                stats.names.insert(import.name);
                stats.files.insert(import.file);
                importers.insert(import.file);
                if origin == canonical && import.module == canonical_module {
                    canonical_importers.insert(import.file);
                } else {
                    noncanonical_importers.insert(import.file);
                }
            }
        }
        Some(Tally {
            defining_modules,
            shim_ids,
            shim_modules,
            paths,
            importers,
            canonical_importers,
            noncanonical_importers,
            score_parts,
            score,
        })
    }

    /// What [`rank`] sorts by, without building the candidate.
    fn rank_key(&self, plan: &ClusterPlan, score: usize) -> (Reverse<usize>, String, String) {
        let site = &self.evidence.definitions[plan.canonical];
        (
            Reverse(score),
            names::kebab(&plan.stem),
            canonical_text(plan.language, &site.module, site.name),
        )
    }

    fn candidate(&self, plan: &ClusterPlan, matched: &[Matched], tally: Tally<'_>) -> Candidate {
        let evidence = self.evidence;
        let definitions = &evidence.definitions;
        let origins = plan.origins.as_slice();
        let canonical = plan.canonical;
        let importers_per_origin = &plan.importers_per_origin;
        let canonical_site = &definitions[canonical];
        let language = plan.language;
        let canonical_module = canonical_site.module.as_ref();
        let Tally {
            defining_modules,
            shim_ids,
            shim_modules,
            paths,
            importers,
            canonical_importers,
            noncanonical_importers,
            score_parts,
            score,
        } = tally;
        let noncanonical_paths = score_parts.noncanonical_paths;
        let mut aliases: Vec<AliasEntry> = origins
            .iter()
            .flat_map(|&origin| self.aliases_of[origin].iter())
            .map(|&at| {
                let alias = &evidence.aliases[at];
                AliasEntry {
                    path: self.index.files[alias.file].path.clone(),
                    line: alias.line,
                    column: alias.column,
                    module: alias.module.clone(),
                    name: alias.target.clone(),
                    value: alias.value.clone(),
                }
            })
            .collect();
        aliases.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));

        // Names, symbols and legacy modules.
        let mut all_names: BTreeSet<&str> = BTreeSet::new();
        for &origin in origins {
            all_names.extend(self.names_of[origin].iter().copied());
        }
        all_names.extend(matched.iter().map(|&definition| self.site(definition).name));
        // The names the canonical object itself goes by; a variant class is
        // caught by `definition`, not by its name.
        let canonical_name = canonical_site.name;
        let mut symbols = vec![canonical_name.to_string()];
        symbols.extend(
            self.names_of[canonical]
                .iter()
                .filter(|&&name| name != canonical_name)
                .filter(|&&name| {
                    !evidence.foreign_names.contains(&(language, name))
                        && self
                            .clusters_of_name
                            .get(&(language, name))
                            .is_none_or(|clusters| clusters.len() == 1)
                })
                .map(|name| name.to_string()),
        );
        let legacy = self.legacy_modules(plan, &symbols, &shim_ids);

        let mut path_entries: Vec<ImportPath> = paths
            .iter()
            .map(|(&module, stats)| ImportPath {
                module: module.to_string(),
                kind: if module == canonical_module {
                    "canonical"
                } else if defining_modules.contains(module) {
                    "definition"
                } else if shim_modules.contains(module) {
                    "shim"
                } else if legacy.iter().any(|legacy| legacy.module == module) {
                    "legacy"
                } else if language == Language::Python
                    && self
                        .index
                        .python_module(module)
                        .is_some_and(|file| file.is_package)
                {
                    "facade"
                } else {
                    "reexport"
                },
                names: stats.names.iter().map(|name| name.to_string()).collect(),
                importers: stats.files.len(),
            })
            .collect();
        // The canonical path first, then the busiest.
        path_entries.sort_by(|a, b| {
            (a.kind != "canonical", Reverse(a.importers), &a.module).cmp(&(
                b.kind != "canonical",
                Reverse(b.importers),
                &b.module,
            ))
        });

        let entry = |site: &DefinitionSite, importers: usize| DefinitionEntry {
            path: site.path.to_string(),
            line: site.line,
            column: site.column,
            module: site.module.to_string(),
            name: site.name.to_string(),
            canonical: false,
            importers,
            pattern_only: false,
            nested: false,
        };
        let mut definition_entries: Vec<DefinitionEntry> = origins
            .iter()
            .map(|&origin| DefinitionEntry {
                canonical: origin == canonical,
                ..entry(&definitions[origin], importers_per_origin[&origin])
            })
            .chain(matched.iter().map(|&definition| {
                let importers = if definition.nested {
                    0
                } else {
                    self.importer_files(definition.at).len()
                };
                DefinitionEntry {
                    pattern_only: true,
                    nested: definition.nested,
                    ..entry(self.site(definition), importers)
                }
            }))
            .collect();
        definition_entries
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));

        let canonical_text = canonical_text(language, canonical_module, canonical_name);
        let existing_concept = self
            .configured
            .iter()
            .find(|concept| concept.canonical() == canonical_text)
            .map(|concept| concept.name.clone());
        let others = definition_entries.len() - 1;
        let canonical_evidence = format!(
            "{} resolve{} to it; {} elsewhere",
            plural(importers_per_origin[&canonical], "importer", "importers"),
            if importers_per_origin[&canonical] == 1 {
                "s"
            } else {
                ""
            },
            plural(others, "definition", "definitions"),
        );
        let mut evidence_text = canonical_evidence.clone();
        for module in &legacy {
            let _ = write!(
                evidence_text,
                "; legacy {}: {}",
                module.module,
                legacy_reason(module)
            );
        }

        let mut files: BTreeSet<String> = BTreeSet::new();
        files.extend(definition_entries.iter().map(|entry| entry.path.clone()));
        files.extend(aliases.iter().map(|alias| alias.path.clone()));
        files.extend(legacy.iter().map(|module| module.path.clone()));
        files.extend(
            importers
                .iter()
                .map(|&file| self.index.files[file].path.clone()),
        );

        Candidate {
            rank: 0,
            name: names::kebab(&plan.stem),
            stem: plan.stem.clone(),
            language,
            score,
            score_parts,
            canonical: canonical_text,
            canonical_path: canonical_site.path.to_string(),
            evidence: evidence_text,
            canonical_evidence,
            counts: Counts {
                definitions: definition_entries.len(),
                import_paths: paths.len(),
                noncanonical_paths,
                importers: importers.len(),
                canonical_importers: canonical_importers.len(),
                noncanonical_importers: noncanonical_importers.len(),
                aliases: aliases.len(),
                shims: shim_modules.len(),
                legacy_modules: legacy.len(),
            },
            names: all_names.iter().map(|name| name.to_string()).collect(),
            symbols,
            definition: plan.definition.clone(),
            definitions: definition_entries,
            paths: path_entries,
            aliases,
            legacy_modules: legacy.iter().map(|module| module.module.clone()).collect(),
            legacy,
            allow: Vec::new(),
            related: Vec::new(),
            existing_concept,
            files: files.into_iter().collect(),
        }
    }
}

/// Why a module is proposed as legacy, for the evidence line.
pub fn legacy_reason(module: &LegacyModule) -> String {
    match module.kind {
        "shim" => "a shim (only imports, aliases and `__all__`)".to_string(),
        "reexport" => format!(
            "re-exports it (`pub use`, `pub type`) as {}",
            module.names.join(", ")
        ),
        _ => {
            let files: BTreeSet<&str> = module
                .module_uses
                .iter()
                .map(|module_use| module_use.path.as_str())
                .collect();
            let example = module
                .module_uses
                .first()
                .map(|module_use| module_use.expression.as_str())
                .unwrap_or("m.S");
            format!(
                "binds {} to it and {} import{} it as a module (`{example}`)",
                module.names.join(", "),
                plural(files.len(), "file", "files"),
                if files.len() == 1 { "s" } else { "" },
            )
        }
    }
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

/// A candidate's `definition` regex, compiled when a name is first tested:
/// for an ASCII name without the Unicode tables (the same verdict on ASCII,
/// for a fraction of the compile time), for the others with them.
struct LazyPattern {
    source: String,
    ascii: OnceLock<Option<Regex>>,
    unicode: OnceLock<Option<Regex>>,
}

impl LazyPattern {
    fn new(source: String) -> Self {
        Self {
            source,
            ascii: OnceLock::new(),
            unicode: OnceLock::new(),
        }
    }

    fn is_match(&self, name: &str) -> bool {
        let unicode = || Regex::new(&self.source).ok();
        let regex = if name.is_ascii() {
            self.ascii.get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .unicode(false)
                    .build()
                    .ok()
                    .or_else(unicode)
            })
        } else {
            self.unicode.get_or_init(unicode)
        };
        regex.as_ref().is_some_and(|regex| regex.is_match(name))
    }
}

/// Whether `word` lower-cased is `lower`.
fn lower_case_is(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(lower)
    } else {
        word.to_lowercase() == lower
    }
}

/// Per candidate, the globs of the test files that define a test double its
/// `definition` matches (`MockWebSocketManager`, or any match in a mock
/// module such as `tests/mocks/ws.py`).
fn test_double_globs(
    index: &ProjectIndex,
    candidates: &[Candidate],
    patterns: &[LazyPattern],
) -> Vec<BTreeSet<String>> {
    let allowed: Vec<(usize, String)> = index
        .files
        .par_iter()
        .filter(|file| is_test_path(&file.path))
        .flat_map_iter(|file| {
            let double_module = is_test_double_module(&file.path);
            let mut found = Vec::new();
            for definition in &file.definitions {
                if matches!(definition.kind, DefinitionKind::Type) {
                    continue;
                }
                let name = definition
                    .name
                    .strip_prefix("r#")
                    .unwrap_or(&definition.name);
                let first = names::words(name).first().copied().unwrap_or("");
                if !double_module && !TEST_DOUBLE_WORDS.contains(&first) {
                    continue;
                }
                for (at, pattern) in patterns.iter().enumerate() {
                    if candidates[at].language == file.language && pattern.is_match(name) {
                        found.push((at, glob_escape(&file.path)));
                    }
                }
            }
            found
        })
        .collect();
    let mut allow: Vec<BTreeSet<String>> = vec![BTreeSet::new(); candidates.len()];
    for (at, glob) in allowed {
        allow[at].insert(glob);
    }
    allow
}

/// Per stem (its lower-cased words; none for a stem too short to relate
/// names), the definitions whose names share its first and last word, in
/// definition order.
fn sharing_stem_ends(evidence: &Evidence, stem_words: &[Vec<String>]) -> Vec<Vec<usize>> {
    let sharing_ends: Vec<(usize, usize)> = evidence
        .definitions
        .par_iter()
        .enumerate()
        .flat_map_iter(|(origin, site)| {
            let words = names::words(site.name);
            let ends = words.first().copied().zip(words.last().copied());
            stem_words
                .iter()
                .enumerate()
                .filter(move |(_, stem)| {
                    let (Some((first, last)), Some(stem_first), Some(stem_last)) =
                        (ends, stem.first(), stem.last())
                    else {
                        return false;
                    };
                    lower_case_is(first, stem_first) && lower_case_is(last, stem_last)
                })
                .map(move |(at, _)| (at, origin))
        })
        .collect();
    let mut sharing: Vec<Vec<usize>> = vec![Vec::new(); stem_words.len()];
    for (at, origin) in sharing_ends {
        sharing[at].push(origin);
    }
    sharing
}

/// Fills `allow` (files in tests defining a test double the concept's
/// `definition` matches: `MockWebSocketManager`, or any match in a mock
/// module such as `tests/mocks/ws.py`) and `related` names. Files and
/// definitions are read in parallel (on the caller's pool).
pub fn add_hints(index: &ProjectIndex, evidence: &Evidence, candidates: &mut [Candidate]) {
    // One regex per candidate (a set of thousands, `--top 0`, exceeds the
    // regex size limit), compiled only if a name is tested against it.
    let patterns: Vec<LazyPattern> = candidates
        .iter()
        .map(|candidate| LazyPattern::new(candidate.definition.clone()))
        .collect();
    let mut allow = test_double_globs(index, candidates, &patterns);
    let stem_words: Vec<Vec<String>> = candidates
        .iter()
        .map(|candidate| {
            let words: Vec<String> = names::words(&candidate.stem)
                .iter()
                .map(|word| word.to_lowercase())
                .collect();
            if words.len() < MIN_STEM_WORDS {
                Vec::new()
            } else {
                words
            }
        })
        .collect();
    let sharing = sharing_stem_ends(evidence, &stem_words);
    for (at, candidate) in candidates.iter_mut().enumerate() {
        candidate.allow = std::mem::take(&mut allow[at]).into_iter().collect();
        let regex = &patterns[at];
        let stem_words = &stem_words[at];
        let mut related = Vec::new();
        for &origin in &sharing[at] {
            let site = &evidence.definitions[origin];
            if site.language != candidate.language || regex.is_match(site.name) {
                continue;
            }
            let words: Vec<String> = names::words(site.name)
                .iter()
                .map(|word| word.to_lowercase())
                .collect();
            // The stem's words, in order, with others in between.
            let mut wanted = stem_words.iter().peekable();
            for word in &words {
                if wanted.peek() == Some(&word) {
                    wanted.next();
                }
            }
            if wanted.peek().is_none() && words.len() > stem_words.len() {
                related.push(RelatedName {
                    name: site.name.to_string(),
                    path: site.path.to_string(),
                    line: site.line,
                });
            }
        }
        related.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
        candidate.related = related;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_patterns() {
        let roots = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        // All words but the last, then words that start with an upper-case
        // letter, a digit or `_`, then the last word.
        assert_eq!(
            definition_regex(&roots(&["WebSocketManager"]), &BTreeSet::new()),
            r"(?i)^\w*WebSocket(?-i:[A-Z0-9_]\w*)?Manager$"
        );
        assert_eq!(
            definition_regex(&roots(&["Config"]), &BTreeSet::new()),
            "(?i)^Config$"
        );
        assert_eq!(
            definition_regex(&roots(&["_Private_Thing"]), &BTreeSet::new()),
            r"(?i)^\w*_Private(?-i:[A-Z0-9_]\w*)?Thing$"
        );
        let extensions: BTreeSet<String> = ["V2".to_string()].into();
        assert_eq!(
            definition_regex(&roots(&["EventBus", "Config"]), &extensions),
            r"(?i)^(?:\w*Event(?-i:[A-Z0-9_]\w*)?Bus|Config)(?:V2)?$"
        );
    }

    /// The literal pre-filter of `pattern_matches` (a head before a tail
    /// that ends the name) lets through every name the regex matches.
    #[test]
    fn literals_cover_the_regex() {
        let roots: Vec<String> = vec!["WebSocketManager".into(), "Config".into()];
        let extensions: BTreeSet<String> = ["V2".to_string()].into();
        let regex = Regex::new(&definition_regex(&roots, &extensions)).unwrap();
        let literals = regex_literals(&roots, &extensions);
        let passes = |name: &str| {
            let lower = name.to_lowercase();
            lower.char_indices().any(|(at, _)| {
                literals.iter().any(|(head, tail)| {
                    lower[at..] == *tail
                        && match head {
                            Some(head) => lower[..at].contains(head.as_str()),
                            None => at == 0,
                        }
                })
            })
        };
        for name in [
            "WebSocketManager",
            "UnifiedWebSocketManager",
            "WebSocketConnectionManager",
            "WebsocketSessionManager",
            "WEBSOCKET_MANAGER",
            "WebSocketManagerV2",
            "Config",
            "ConfigV2",
            "SocketManager",
            "WebSocketManagerFactory",
            "AppConfig",
            "WebManager",
            "WebSocketsManager",
            "Web_Socket_Manager",
        ] {
            assert!(passes(name) || !regex.is_match(name), "{name}");
        }
        assert!(regex.is_match("WebSocketConnectionManager"));
        assert!(regex.is_match("InlineWebsocketSessionManager"));
        assert!(regex.is_match("WEBSOCKET_CONNECTION_MANAGER"));
        // An inserted word starts a word: `WebSockets` is no `WebSocket`.
        assert!(!regex.is_match("WebSocketsManager"));
        assert!(!regex.is_match("SocketManager"));
        assert!(!regex.is_match("WebSocketManagerFactory"));
        assert!(!regex.is_match("AppConfig"));
    }

    #[test]
    fn allow_globs_match_only_their_path() {
        assert_eq!(
            glob_escape("tests/[a]/mock_*.py"),
            r"tests/\[a\]/mock_\*.py"
        );
        assert!(is_test_double_module("tests/mocks/ws.py"));
        assert!(is_test_double_module("tests/unit/fake_bus.py"));
        assert!(!is_test_double_module("tests/test_bus.py"));
    }
}
