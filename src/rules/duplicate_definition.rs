//! SSOT001 duplicate-definition.
//!
//! ## What it does
//! Flags a class (Python, at any depth) or a struct / enum / trait / union /
//! type (Rust) whose name matches a concept's `definition` pattern, outside the
//! concept's canonical module. A Rust `pub type X = S;` of a concept symbol
//! is a second name (SSOT002 rename), not a definition.
//!
//! ## Why is this bad?
//! Two definitions of one concept drift apart: a fix lands in one and not the
//! other, and callers cannot tell which one they hold.
//!
//! ## Fix safety
//! No automatic fix: merging two classes needs a person.
//!
//! ## Example
//! ```python
//! # netra_backend/app/websocket_core/connection_manager.py
//! class WebSocketConnectionManager:  # SSOT001: the canonical one is
//!     ...                             # websocket_core.unified_manager
//! ```
//! Files matching the concept's `allow` globs (test mocks) are listed among
//! the concept's definitions with `"allowed": true` but are not violations.

use super::{ConceptContext, ConceptFindings, DefinitionEntry};
use crate::diagnostic::{Code, Via, Violation};

pub fn check(context: &ConceptContext<'_>, findings: &mut ConceptFindings) {
    let concept = context.concept;
    for file in context.files() {
        let allowed = context.is_allowed(file);
        for definition in &file.definitions {
            let name = definition
                .name
                .strip_prefix("r#")
                .unwrap_or(&definition.name);
            if !concept.definition.is_match(name)
                || super::alias_reexport::rust_type_alias(context, file, definition).is_some()
            {
                continue;
            }
            let canonical = context.is_canonical_item(file, &definition.mod_path);
            findings.definitions.push(DefinitionEntry {
                path: file.path.clone(),
                line: definition.name_span.begin.line,
                column: definition.name_span.begin.column,
                name: definition.name.clone(),
                canonical,
                allowed: allowed && !canonical,
            });
            if canonical || allowed {
                continue;
            }
            findings.violations.push(Violation {
                code: Code::DuplicateDefinition,
                via: Via::Definition,
                concept: Some(context.id),
                path: file.path.clone(),
                span: definition.name_span,
                message: format!(
                    "`{}` is a second definition of {}; the canonical one is `{}`",
                    definition.name,
                    concept.name,
                    concept.canonical()
                ),
                severity: concept.severity,
                fix: None,
                fact: None,
            });
        }
    }
}
