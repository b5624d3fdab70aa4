//! SSOT002 alias-reexport.
//!
//! ## What it does
//! Flags every binding outside the canonical module that gives a concept a
//! second name or a second home:
//! - `assignment`: a module-level `X = S`, `X: T = S` or `X = m.S` (also in
//!   module-level `if` / `try` / `with` / `for` / `while` bodies), one per target;
//! - `rename`: `from M import S as X` in any scope; Rust `pub use …::S as X`
//!   and `pub type X = …S`;
//! - `reexport`: a module-scope `from M import S` in a package `__init__` or
//!   listed in `__all__`, or a concept symbol that reaches such a module only
//!   through `from M import *`; Rust `pub use …::S`. Once per module and name.
//!
//! ## Why is this bad?
//! Every extra name is one more path for new code to import the concept
//! through, and one more place a migration has to find.
//!
//! ## Fix safety
//! A renamed import of the canonical object (`from canonical import S as X`)
//! is fixed by importing `S` and renaming the uses of `X`, safe when the
//! scope model proves the rename. An alias or re-export that nothing in the
//! project uses any more is removed by `--unsafe-fixes` (retiring the shim):
//! code outside the project may still import it.
//!
//! ## Example
//! ```python
//! # websocket_core/websocket_manager.py
//! from .unified_manager import UnifiedWebSocketManager
//! WebSocketManager = UnifiedWebSocketManager  # SSOT002 (assignment)
//! ```

use std::collections::HashSet;

use super::{ConceptContext, ConceptFindings};
use crate::diagnostic::{Code, FactRef, Via, Violation};
use crate::lang::{DefinitionKind, ImportKind, Scope};

pub fn check(context: &ConceptContext<'_>, findings: &mut ConceptFindings) {
    let concept = context.concept;
    for (file_id, file) in context.indexed_files() {
        let violation = |via: Via, span, message: String, fact: Option<FactRef>| Violation {
            code: Code::AliasReexport,
            via,
            concept: Some(context.id),
            path: file.path.clone(),
            span,
            message,
            severity: concept.severity,
            fix: None,
            fact,
        };

        if !context.is_python() {
            rust_type_aliases(context, file, findings);
        } else if context.is_canonical(file) {
            continue;
        }
        for (alias_id, alias) in file.aliases.iter().enumerate() {
            let symbol = alias.value.symbol();
            if alias.in_match || !concept.is_symbol(symbol) || alias.target == symbol {
                continue;
            }
            findings.violations.push(violation(
                Via::Assignment,
                alias.target_span,
                format!(
                    "`{}` is a second name for {} symbol `{symbol}`; import `{}` from `{}` instead",
                    alias.target, concept.name, concept.canonical_symbol, concept.canonical_module
                ),
                Some(FactRef::Alias {
                    file: file_id,
                    alias: alias_id,
                }),
            ));
        }

        let mut reexported = HashSet::new();
        for (import_id, import) in file.imports.iter().enumerate() {
            let fact = Some(FactRef::Import {
                file: file_id,
                import: import_id,
            });
            let kind_matches = match import.kind {
                ImportKind::From => context.is_python(),
                ImportKind::Use => !context.is_python(),
                ImportKind::Import => false,
            };
            let Some(name) = import.name.as_deref() else {
                continue;
            };
            if !kind_matches
                || name == "*"
                || !concept.is_symbol(name)
                || context.is_canonical_item(file, &import.mod_path)
            {
                continue;
            }
            match import.asname.as_deref() {
                Some(asname) if asname != name => {
                    let renamed = if context.is_python() {
                        true
                    } else {
                        import.public && import.scope == Scope::Module && asname != "_"
                    };
                    if renamed {
                        findings.violations.push(violation(
                            Via::Rename,
                            import.alias,
                            format!(
                                "`{name}` is renamed to `{asname}`: a second name for {}",
                                concept.name
                            ),
                            fact,
                        ));
                    }
                }
                _ => {
                    let exported = if context.is_python() {
                        import.scope == Scope::Module
                            && (file.is_package
                                || file.dunder_all.iter().any(|entry| entry == name))
                    } else {
                        import.public && import.scope == Scope::Module
                    };
                    let module = context
                        .item_module(file, &import.mod_path)
                        .unwrap_or_else(|| file.path.clone());
                    if exported && reexported.insert((module.clone(), name.to_string())) {
                        findings.violations.push(violation(
                            Via::Reexport,
                            import.alias,
                            reexport_message(context, &module, name),
                            fact,
                        ));
                    }
                }
            }
        }
        if context.is_python() {
            let module = file.module.as_deref().unwrap_or(&file.path);
            for symbol in &concept.symbols {
                let Some(star) = context.star_reexport(file, symbol) else {
                    continue;
                };
                if reexported.insert((module.to_string(), symbol.clone())) {
                    findings.violations.push(violation(
                        Via::Reexport,
                        file.imports[star].alias,
                        reexport_message(context, module, symbol),
                        None,
                    ));
                }
            }
        }
    }
}

fn reexport_message(context: &ConceptContext<'_>, module: &str, name: &str) -> String {
    format!(
        "`{module}` re-exports {} symbol `{name}`: a second home besides `{}`",
        context.concept.name, context.concept.canonical_module
    )
}

/// The concept symbol a Rust `pub type X = path::S;` gives a second name:
/// one SSOT002 rename, and not a definition of its own.
pub(super) fn rust_type_alias<'d>(
    context: &ConceptContext<'_>,
    file: &crate::lang::FileFacts,
    definition: &'d crate::lang::Definition,
) -> Option<&'d str> {
    let aliased = definition.aliased.as_deref()?;
    let symbol = aliased.rsplit("::").next().unwrap_or(aliased);
    let symbol = symbol.strip_prefix("r#").unwrap_or(symbol);
    let renames = definition.public
        && definition.top_level
        && definition.kind == DefinitionKind::Type
        && context.concept.is_symbol(symbol)
        && definition.name != symbol
        && !context.is_canonical_item(file, &definition.mod_path);
    renames.then_some(symbol)
}

/// Rust `pub type X = path::S;` with `S` a concept symbol: a rename.
fn rust_type_aliases(
    context: &ConceptContext<'_>,
    file: &crate::lang::FileFacts,
    findings: &mut ConceptFindings,
) {
    let concept = context.concept;
    for definition in &file.definitions {
        if rust_type_alias(context, file, definition).is_none() {
            continue;
        }
        let aliased = definition.aliased.as_deref().unwrap_or_default();
        findings.violations.push(Violation {
            code: Code::AliasReexport,
            via: Via::Rename,
            concept: Some(context.id),
            path: file.path.clone(),
            span: definition.name_span,
            message: format!(
                "`pub type {} = {aliased}` is a second name for {}",
                definition.name, concept.name
            ),
            severity: concept.severity,
            fix: None,
            fact: None,
        });
    }
}
