//! From evidence to candidates: definitions that share a name or a stem are
//! one cluster; each cluster is planned, matched, scored, and the best are
//! built in full.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::candidate::{
    canonical_text, AliasEntry, Candidate, ClusterCounts, ClusterDefinition, ImportPath,
};
use super::cluster::{ClusterContext, ClusterPlan, Matched, Tally, UnionFind};
use super::evidence::{DefinitionSite, Evidence};
use super::legacy::legacy_reason;
use super::names::{self, StemForest, MIN_STEM_WORDS};
use crate::config::{Concept, Language};
use crate::index::ProjectIndex;
use crate::summary::plural;

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

impl ClusterContext<'_> {
    pub(super) fn candidate(
        &self,
        plan: &ClusterPlan,
        matched: &[Matched],
        tally: Tally<'_>,
    ) -> Candidate {
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

        let entry = |site: &DefinitionSite, importers: usize| ClusterDefinition {
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
        let mut definition_entries: Vec<ClusterDefinition> = origins
            .iter()
            .map(|&origin| ClusterDefinition {
                canonical: origin == canonical,
                ..entry(&definitions[origin], importers_per_origin[&origin])
            })
            .chain(matched.iter().map(|&definition| {
                let importers = if definition.nested {
                    0
                } else {
                    self.importer_files(definition.at).len()
                };
                ClusterDefinition {
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
        let importers_of_canonical = importers_per_origin[&canonical];
        let canonical_evidence = format!(
            "{importers_of_canonical} importer{} resolve{} to it; {others} definition{} elsewhere",
            plural(importers_of_canonical),
            if importers_of_canonical == 1 { "s" } else { "" },
            plural(others),
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
            counts: ClusterCounts {
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
