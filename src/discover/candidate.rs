//! From evidence to ranked candidate concepts: definitions that share a name
//! or a stem are one cluster; each cluster's canonical home is the definition
//! with the most importers, and its score says how fragmented it is.

use std::cmp::Reverse;
use std::collections::HashSet;

use serde::Serialize;

use crate::config::Language;

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
