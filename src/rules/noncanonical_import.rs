//! SSOT003 noncanonical-import.
//!
//! ## What it does
//! Flags every imported name that reaches a concept through a path other
//! than its canonical module, in any file, scope or guard:
//! - `import`: `from M import S` with `S` a concept symbol and `M` not the
//!   canonical module (a shim, a facade, a legacy module, a module that does
//!   not exist); `import L` / `import L as x` / `from P import n` naming a
//!   legacy module `L`;
//! - `star`: `from L import *` with `L` a legacy module;
//! - `string`: a `patch("M.S")` target string naming the concept through a
//!   module `M` where `S` lives for others: a legacy module, or a module
//!   holding a class `S`, an alias `S = …` or a re-export of `S` (severity
//!   warning). A patch of a consumer's own binding (`M` merely imports `S`)
//!   is where the name is looked up, and no violation.
//!
//! An import from a module in an `allow`ed file that itself defines a class
//! `S` matching the concept (a sanctioned mock) is not flagged.
//!
//! ## Why is this bad?
//! Imports through shims keep the shims alive, and a legacy path that still
//! works is a legacy path that new code copies.
//!
//! ## Fix safety
//! Swapping the module for the canonical one is safe when the index proves the
//! old path names the very canonical object; renames, string paths and shims
//! that bind something else are unsafe.
//!
//! ## Example
//! ```python
//! from netra_backend.app.websocket_core.manager import WebSocketManager  # SSOT003
//! # use instead:
//! from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager
//! ```

use super::{ConceptContext, ConceptFindings};
use crate::config::Severity;
use crate::diagnostic::{Code, FactRef, Via, Violation};
use crate::index::Origin;
use crate::lang::{FileFacts, ImportKind};

pub fn check(context: &ConceptContext<'_>, findings: &mut ConceptFindings) {
    if !context.is_python() {
        rust_uses(context, findings);
        return;
    }
    let concept = context.concept;
    let canonical = concept.canonical_module.as_str();
    for (file_id, file) in context.indexed_files() {
        let violation = |via: Via, span, message: String, severity: Severity, fact| Violation {
            code: Code::NoncanonicalImport,
            via,
            concept: Some(context.id),
            path: file.path.clone(),
            span,
            message,
            severity,
            fix: None,
            fact: Some(fact),
        };
        for (import_id, import) in file.imports.iter().enumerate() {
            let fact = FactRef::Import {
                file: file_id,
                import: import_id,
            };
            let mut legacy: Option<String> = None;
            match import.kind {
                ImportKind::From => {
                    let Some(name) = import.name.as_deref() else {
                        continue;
                    };
                    let resolved = import.resolved.as_deref();
                    if name == "*" {
                        if let Some(module) = resolved.filter(|m| concept.is_legacy_module(m)) {
                            findings.violations.push(violation(
                                Via::Star,
                                import.alias,
                                format!(
                                    "star import from legacy module `{module}`; {} lives in `{canonical}`",
                                    concept.name
                                ),
                                concept.severity,
                                fact,
                            ));
                        }
                    } else if concept.is_symbol(name) {
                        if resolved == Some(canonical) {
                            findings.canonical_imports.push(file.path.clone());
                        } else if !is_sanctioned_mock(context, resolved, name) {
                            let from = resolved.map(str::to_string).unwrap_or_else(|| {
                                relative_text(import.level, import.module.as_deref())
                            });
                            // A class of its own (a duplicate, a subclass):
                            // no import swap can fix that.
                            let manual = if distinct_class(context, resolved, name) {
                                "; it names a class of its own: manual: consolidate the definitions"
                            } else {
                                ""
                            };
                            findings.violations.push(violation(
                                Via::Import,
                                import.alias,
                                format!(
                                    "`{name}` imported from `{from}`, not from the canonical `{canonical}`{manual}"
                                ),
                                concept.severity,
                                fact,
                            ));
                        }
                    } else if let Some(module) = resolved
                        .filter(|_| {
                            concept
                                .legacy_modules
                                .iter()
                                .any(|legacy| legacy.ends_with(name))
                        })
                        .map(|parent| crate::index::join_module(parent, name))
                        .filter(|module| concept.is_legacy_module(module))
                    {
                        legacy = Some(module);
                    }
                }
                ImportKind::Import => {
                    legacy = import
                        .module
                        .as_deref()
                        .filter(|module| concept.is_legacy_module(module))
                        .map(str::to_string);
                }
                ImportKind::Use => {}
            }
            if let Some(module) = legacy {
                findings.violations.push(violation(
                    Via::Import,
                    import.alias,
                    format!(
                        "import of legacy module `{module}`; {} lives in `{canonical}`",
                        concept.name
                    ),
                    concept.severity,
                    fact,
                ));
            }
        }
        for (target_id, target) in file.patch_targets.iter().enumerate() {
            let Some((module, symbol)) = target.value.rsplit_once('.') else {
                continue;
            };
            if module.is_empty()
                || module == canonical
                || !concept.is_symbol(symbol)
                || !context.is_home_of(module, symbol)
            {
                continue;
            }
            findings.violations.push(violation(
                Via::String,
                target.span,
                format!(
                    "patch target `{}` names {} through `{module}`, not `{canonical}`",
                    target.value, concept.name
                ),
                Severity::Warning,
                FactRef::Patch {
                    file: file_id,
                    target: target_id,
                },
            ));
        }
    }
}

/// `from tests.mocks.mock_ws import MockWebSocketManager` where the allowed
/// file itself defines that class.
fn is_sanctioned_mock(context: &ConceptContext<'_>, module: Option<&str>, name: &str) -> bool {
    let Some(file) = module.and_then(|module| context.index.python_module(module)) else {
        return false;
    };
    context.is_allowed(file) && defines_concept_class(context, file, name)
}

fn defines_concept_class(context: &ConceptContext<'_>, file: &FileFacts, name: &str) -> bool {
    file.definitions
        .iter()
        .any(|definition| definition.name == name && context.concept.definition.is_match(name))
}

/// `module.name` resolves to a class that is not the canonical one.
fn distinct_class(context: &ConceptContext<'_>, module: Option<&str>, name: &str) -> bool {
    module.is_some_and(|module| {
        let origin = context.index.reach(module, name);
        matches!(origin, Origin::Class { .. })
            && origin.map(std::borrow::Cow::into_owned) != context.canonical_origin
    })
}

fn relative_text(level: u32, module: Option<&str>) -> String {
    format!("{}{}", ".".repeat(level as usize), module.unwrap_or(""))
}

/// Rust: `use` paths reaching the concept through a re-export, an alias or a
/// legacy module.
fn rust_uses(context: &ConceptContext<'_>, findings: &mut ConceptFindings) {
    let concept = context.concept;
    let canonical = concept.canonical_module.as_str();
    let canonical_is_class = matches!(context.canonical_origin, Origin::Class { .. });
    for (file_id, file) in context.indexed_files() {
        for (import_id, import) in file.imports.iter().enumerate() {
            let (Some(resolved), Some(name)) = (import.resolved.as_deref(), import.name.as_deref())
            else {
                continue;
            };
            let violation = |via: Via, message: String| Violation {
                code: Code::NoncanonicalImport,
                via,
                concept: Some(context.id),
                path: file.path.clone(),
                span: import.alias,
                message,
                severity: concept.severity,
                fix: None,
                fact: Some(FactRef::Import {
                    file: file_id,
                    import: import_id,
                }),
            };
            if name == "*" {
                if concept.is_legacy_module(resolved) {
                    findings.violations.push(violation(
                        Via::Star,
                        format!("glob import from legacy module `{resolved}`; {} lives in `{canonical}`", concept.name),
                    ));
                }
                continue;
            }
            let full = if name == "self" {
                resolved.to_string()
            } else {
                format!("{resolved}::{name}")
            };
            if concept.is_legacy_module(&full) {
                findings.violations.push(violation(
                    Via::Import,
                    format!(
                        "use of legacy module `{full}`; {} lives in `{canonical}`",
                        concept.name
                    ),
                ));
                continue;
            }
            let names_concept = concept.is_symbol(name.strip_prefix("r#").unwrap_or(name))
                || (canonical_is_class
                    && context.index.resolve_rust(&full) == context.canonical_origin);
            if !names_concept {
                continue;
            }
            if resolved == canonical {
                findings.canonical_imports.push(file.path.clone());
            } else {
                findings.violations.push(violation(
                    Via::Import,
                    format!("`{name}` used through `{resolved}`, not the canonical `{canonical}`"),
                ));
            }
        }
    }
}
