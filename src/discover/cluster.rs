//! Clusters of definitions: their canonical home and `definition` regex
//! (the plan), the definitions outside them the regex matches, their score,
//! and the candidate built from one.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::candidate::{
    canonical_text, ScoreParts, WEIGHT_ALIAS, WEIGHT_DEFINITION, WEIGHT_IMPORTER, WEIGHT_PATH,
};
use super::evidence::{DefinitionSite, Evidence};
use super::names::{self, StemForest};
use super::pattern::{definition_regex, regex_literals, PlanLiterals, PlanPattern};
use crate::config::{Concept, Language};
use crate::index::ProjectIndex;

/// Disjoint sets of origin ids.
pub(super) struct UnionFind(pub(super) Vec<usize>);

impl UnionFind {
    pub(super) fn find(&mut self, mut at: usize) -> usize {
        while self.0[at] != at {
            self.0[at] = self.0[self.0[at]];
            at = self.0[at];
        }
        at
    }

    pub(super) fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        // The smaller id is the root, so clusters do not depend on visit order.
        if a < b {
            self.0[b] = a;
        } else {
            self.0[a] = b;
        }
    }
}

/// Modules a cluster is imported from: the names and the importing files.
#[derive(Default)]
pub(super) struct PathStats<'s> {
    pub(super) names: BTreeSet<&'s str>,
    pub(super) files: BTreeSet<usize>,
}

/// The counts behind one cluster's score.
pub(super) struct Tally<'s> {
    pub(super) defining_modules: FxHashSet<&'s str>,
    pub(super) shim_ids: BTreeSet<usize>,
    pub(super) shim_modules: BTreeSet<&'s str>,
    pub(super) paths: BTreeMap<&'s str, PathStats<'s>>,
    pub(super) importers: BTreeSet<usize>,
    pub(super) canonical_importers: BTreeSet<usize>,
    pub(super) noncanonical_importers: BTreeSet<usize>,
    pub(super) score_parts: ScoreParts,
    pub(super) score: usize,
}

/// A definition outside a cluster that the cluster's `definition` matches:
/// an index into `Evidence::definitions`, or `Evidence::nested` if `nested`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Matched {
    pub(super) nested: bool,
    pub(super) at: usize,
}

/// A cluster with its canonical definition and `definition` regex chosen.
pub(super) struct ClusterPlan {
    pub(super) origins: Vec<usize>,
    pub(super) canonical: usize,
    pub(super) language: Language,
    /// Distinct importing files per definition of the cluster.
    pub(super) importers_per_origin: FxHashMap<usize, usize>,
    pub(super) stem: String,
    pub(super) definition: String,
    /// See [`regex_literals`].
    pub(super) literals: Vec<(Option<String>, String)>,
}

pub(super) struct ClusterContext<'a> {
    pub(super) index: &'a ProjectIndex,
    pub(super) evidence: &'a Evidence<'a>,
    pub(super) imports_of: &'a [Vec<usize>],
    pub(super) aliases_of: &'a [Vec<usize>],
    pub(super) shims_of: &'a [Vec<usize>],
    pub(super) names_of: &'a [BTreeSet<&'a str>],
    pub(super) forests: &'a HashMap<Language, StemForest<'a>>,
    pub(super) clusters_of_name: &'a FxHashMap<(Language, &'a str), BTreeSet<usize>>,
    pub(super) configured: &'a [Concept],
}

impl ClusterContext<'_> {
    pub(super) fn importer_files(&self, origin: usize) -> BTreeSet<usize> {
        self.imports_of[origin]
            .iter()
            .map(|&at| self.evidence.imports[at].file)
            .collect()
    }

    /// A lone definition without aliases whose importers all name its own
    /// module: [`ClusterContext::tally`] finds nothing to score whatever its
    /// `definition` regex matches, so it is not planned at all.
    pub(super) fn unfragmented(&self, origins: &[usize]) -> bool {
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
    pub(super) fn plan(&self, origins: Vec<usize>) -> Option<ClusterPlan> {
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
    pub(super) fn pattern_matches(&self, plans: &[ClusterPlan]) -> Vec<Vec<Matched>> {
        let definitions = &self.evidence.definitions;
        let mut plan_of = vec![usize::MAX; definitions.len()];
        for (at, plan) in plans.iter().enumerate() {
            for &origin in &plan.origins {
                plan_of[origin] = at;
            }
        }
        let mut matched: Vec<Vec<Matched>> = vec![Vec::new(); plans.len()];
        let patterns: Vec<PlanPattern<'_>> = plans
            .iter()
            .map(|plan| PlanPattern {
                language: plan.language,
                definition: &plan.definition,
                literals: &plan.literals,
            })
            .collect();
        let Some(literals) = PlanLiterals::new(&patterns) else {
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
}

impl ClusterContext<'_> {
    pub(super) fn site(&self, definition: Matched) -> &DefinitionSite<'_> {
        if definition.nested {
            &self.evidence.nested[definition.at]
        } else {
            &self.evidence.definitions[definition.at]
        }
    }

    /// The counts behind a cluster's score; `None` when it is no candidate.
    /// A cluster's score and its parts (see README), without the sets a
    /// [`Tally`] keeps; none when the cluster is no candidate.
    pub(super) fn score(
        &self,
        plan: &ClusterPlan,
        matched: &[Matched],
    ) -> Option<(ScoreParts, usize)> {
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

    pub(super) fn tally<'s>(
        &'s self,
        plan: &ClusterPlan,
        matched: &[Matched],
    ) -> Option<Tally<'s>> {
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
    pub(super) fn rank_key(
        &self,
        plan: &ClusterPlan,
        score: usize,
    ) -> (Reverse<usize>, String, String) {
        let site = &self.evidence.definitions[plan.canonical];
        (
            Reverse(score),
            names::kebab(&plan.stem),
            canonical_text(plan.language, &site.module, site.name),
        )
    }
}
