//! The rule registry: each rule is a function from the project index and one
//! concept to violations.

mod alias_reexport;
mod duplicate_definition;
mod noncanonical_import;

use serde::Serialize;

use crate::config::{Concept, Language};
use crate::diagnostic::Violation;
use crate::index::{Origin, ProjectIndex};
use crate::lang::FileFacts;

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
