//! The rule registry: each rule is a function from the project index and one
//! concept to violations.

mod alias_reexport;
mod duplicate_definition;
mod noncanonical_import;

use serde::Serialize;

use crate::config::{Concept, Language};
use crate::diagnostic::Violation;
use crate::index::{Origin, ProjectIndex};
use crate::lang::{DefinitionKind, FileFacts, ImportKind, Scope};

/// One rule's entry point.
type Rule = fn(&ConceptContext<'_>, &mut ConceptFindings);

/// The rules, in code order.
const RULES: &[Rule] = &[
    duplicate_definition::check,
    alias_reexport::check,
    noncanonical_import::check,
];

/// Everything a rule needs to judge one concept.
pub struct ConceptContext<'a> {
    pub id: usize,
    pub concept: &'a Concept,
    pub index: &'a ProjectIndex,
    /// What the canonical `module:Symbol` finally names.
    pub canonical_origin: Origin,
}

impl ConceptContext<'_> {
    /// Files this concept's rules look at.
    pub fn files(&self) -> impl Iterator<Item = &FileFacts> {
        let language = self.concept.language;
        self.index
            .files
            .iter()
            .filter(move |file| file.language == language)
    }

    /// Files this concept's rules look at, with their index in `index.files`.
    pub fn indexed_files(&self) -> impl Iterator<Item = (usize, &FileFacts)> {
        let language = self.concept.language;
        self.index
            .files
            .iter()
            .enumerate()
            .filter(move |(_, file)| file.language == language)
    }

    /// The file is (one of) the canonical module's files.
    pub fn is_canonical(&self, file: &FileFacts) -> bool {
        file.module.as_deref() == Some(self.concept.canonical_module.as_str())
    }

    /// The module an item lives in: the file's, plus inline `mod`s in Rust.
    pub fn item_module(&self, file: &FileFacts, mod_path: &[String]) -> Option<String> {
        let module = file.module.as_deref()?;
        Some(match file.language {
            Language::Python => module.to_string(),
            Language::Rust => crate::index::rust_item_module(module, mod_path),
        })
    }

    /// The item is in the canonical module.
    pub fn is_canonical_item(&self, file: &FileFacts, mod_path: &[String]) -> bool {
        self.item_module(file, mod_path).as_deref() == Some(self.concept.canonical_module.as_str())
    }

    pub fn is_allowed(&self, file: &FileFacts) -> bool {
        self.concept.allow.is_match(&file.path)
    }

    pub fn is_python(&self) -> bool {
        self.concept.language == Language::Python
    }

    /// The Python `file` re-exports `name` by an import: a module-scope
    /// `from M import name` (or `name as name`) in a package `__init__`, or
    /// with `name` in its `__all__`.
    pub fn reexports_import(&self, file: &FileFacts, name: &str) -> bool {
        let exported = file.is_package || file.dunder_all.iter().any(|entry| entry == name);
        exported
            && file.imports.iter().any(|import| {
                import.kind == ImportKind::From
                    && import.scope == Scope::Module
                    && import.name.as_deref() == Some(name)
                    && import.asname.as_deref().is_none_or(|asname| asname == name)
            })
    }

    /// The star import (its index in `file.imports`) through which alone
    /// `name` reaches the Python `file`, when the file re-exports what it
    /// brings in: a package `__init__`, or `name` listed in its `__all__`.
    /// The first star import that resolves the name wins, as in the index.
    pub fn star_reexport(&self, file: &FileFacts, name: &str) -> Option<usize> {
        let module = file.module.as_deref()?;
        if !(file.is_package || file.dunder_all.iter().any(|entry| entry == name))
            || file.binding(name).is_some()
            || self.index.has_python_submodule(module, name)
        {
            return None;
        }
        file.imports.iter().position(|import| {
            import.kind == ImportKind::From
                && import.scope == Scope::Module
                && import.name.as_deref() == Some("*")
                && import.resolved.as_deref().is_some_and(|source| {
                    !matches!(self.index.reach(source, name), Origin::Unresolved { .. })
                })
        })
    }

    /// `module` is a place where the concept symbol `name` lives for others,
    /// so a patch of `"module.name"` patches the shim, not a consumer's own
    /// binding: a legacy module, or a non-canonical module holding a
    /// module-level class `name`, an alias assignment `name = …` of a
    /// concept symbol, or a re-export of `name` (an import binding it that
    /// the module exports, renamed or not, or a star import bringing it).
    pub fn is_home_of(&self, module: &str, name: &str) -> bool {
        if self.concept.is_legacy_module(module) {
            return true;
        }
        let Some(file) = self.index.python_module(module) else {
            return false;
        };
        if self.is_canonical(file) {
            return false;
        }
        let class = file.definitions.iter().any(|definition| {
            definition.top_level
                && definition.kind == DefinitionKind::Class
                && definition.name == name
        });
        let alias = file.aliases.iter().any(|alias| {
            alias.target == name && !alias.in_match && self.concept.is_symbol(alias.value.symbol())
        });
        // An import that binds the name where the module exports it (a
        // package `__init__`, or `__all__`), renamed or not: a shim's
        // `from canonical import New as Old` with `__all__ = ["Old"]`.
        let exported = (file.is_package || file.dunder_all.iter().any(|entry| entry == name))
            && file.imports.iter().any(|import| {
                import.kind == ImportKind::From
                    && import.scope == Scope::Module
                    && import.asname.as_deref().or(import.name.as_deref()) == Some(name)
            });
        class || alias || exported || self.star_reexport(file, name).is_some()
    }
}

/// A definition matching the concept's `definition` pattern.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionEntry {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub name: String,
    pub canonical: bool,
    pub allowed: bool,
}

impl DefinitionEntry {
    /// `canonical`, `allowed` or `duplicate`.
    pub fn status(&self) -> &'static str {
        if self.canonical {
            "canonical"
        } else if self.allowed {
            "allowed"
        } else {
            "duplicate"
        }
    }
}

/// What the rules found for one concept, before path filtering.
#[derive(Debug, Default)]
pub struct ConceptFindings {
    pub violations: Vec<Violation>,
    pub definitions: Vec<DefinitionEntry>,
    /// The path of each canonical import (one entry per imported name).
    pub canonical_imports: Vec<String>,
}

/// Runs every rule on every concept.
pub fn check_all(index: &ProjectIndex, concepts: &[Concept]) -> Vec<ConceptFindings> {
    concepts
        .iter()
        .enumerate()
        .map(|(id, concept)| {
            let context = ConceptContext {
                id,
                concept,
                index,
                canonical_origin: index
                    .resolve(&concept.canonical_module, &concept.canonical_symbol),
            };
            let mut findings = ConceptFindings::default();
            for rule in RULES {
                rule(&context, &mut findings);
            }
            findings
        })
        .collect()
}
