//! What the index holds for a concept: the modules it provides, the homes
//! of a symbol, the names a canonical module binds, and whether any file
//! refers to the concept.

use super::rust_items::rust_items;
use crate::config::{Concept, Config, Language};
use crate::index::{rust_item_module, Origin, ProjectIndex};
use crate::lang::BindingKind;

/// Whether a scanned file provides `module` (a Python package directory
/// with modules below it counts).
pub(super) fn provides(index: &ProjectIndex, language: Language, module: &str) -> bool {
    match language {
        Language::Python => {
            index.has_python_module(module)
                || index.python_module_names().any(|name| {
                    name.len() > module.len()
                        && name.starts_with(module)
                        && name.as_bytes()[module.len()] == b'.'
                })
        }
        Language::Rust => index.has_rust_module(module),
    }
}

pub(super) fn module_names(index: &ProjectIndex, language: Language) -> Vec<&str> {
    let mut names: Vec<&str> = match language {
        Language::Python => index.python_module_names().collect(),
        Language::Rust => index.rust_module_names().collect(),
    };
    names.sort_unstable();
    names
}

/// The modules defining a class, function, Rust type or value named `symbol`
/// (not importing it), sorted.
pub(super) fn homes_of(index: &ProjectIndex, language: Language, symbol: &str) -> Vec<String> {
    let mut homes = Vec::new();
    for file in index.files.iter().filter(|file| file.language == language) {
        let Some(module) = &file.module else { continue };
        match language {
            Language::Python => {
                let defines = file.bindings.iter().any(|binding| {
                    *binding.name == *symbol
                        && matches!(
                            binding.kind,
                            BindingKind::Class | BindingKind::Function | BindingKind::Other
                        )
                });
                if defines {
                    homes.push(module.clone());
                }
            }
            Language::Rust => {
                for definition in &file.definitions {
                    if definition.top_level && definition.name.trim_start_matches("r#") == symbol {
                        homes.push(rust_item_module(module, &definition.mod_path));
                    }
                }
            }
        }
    }
    homes.sort();
    homes.dedup();
    homes
}

/// None when the canonical module defines or binds the canonical symbol;
/// otherwise the names it does bind, sorted, for a suggestion.
pub(super) fn canonical_names(
    config: &Config,
    index: &ProjectIndex,
    concept: &Concept,
) -> Option<Vec<String>> {
    let module = concept.canonical_module.as_str();
    let symbol = concept.canonical_symbol.as_str();
    let mut names: Vec<String> = match concept.language {
        Language::Python => {
            let file = index.python_module(module)?;
            if !file.parsed
                || file.binding(symbol).is_some()
                || !matches!(index.resolve(module, symbol), Origin::Unresolved { .. })
            {
                return None;
            }
            file.bindings
                .iter()
                .map(|binding| binding.name.to_string())
                .collect()
        }
        Language::Rust => {
            if index.rust_names(module).any(|name| name == symbol) || index.rust_has_glob(module) {
                return None;
            }
            let mut names: Vec<String> = index.rust_names(module).map(str::to_string).collect();
            // Functions, constants, statics and macros are not in the facts:
            // the file itself says whether it has such an item.
            if let Some(file) = index.rust_module_file(module) {
                let items = rust_items(&config.root, file);
                if items.glob || items.names.iter().any(|name| name == symbol) {
                    return None;
                }
                names.extend(items.names);
            }
            names
        }
    };
    names.sort();
    names.dedup();
    Some(names)
}

/// Whether any scanned file other than the canonical module's refers to the
/// concept: a symbol imported, defined, bound, aliased, patched or used as an
/// attribute, or a legacy module provided or imported.
pub(super) fn referred_to(index: &ProjectIndex, concept: &Concept) -> bool {
    if concept
        .legacy_modules
        .iter()
        .any(|legacy| provides(index, concept.language, legacy))
    {
        return true;
    }
    let canonical_file = match concept.language {
        Language::Python => index.python_module(&concept.canonical_module),
        Language::Rust => index.rust_module_file(&concept.canonical_module),
    }
    .map(|file| file.path.as_str());
    let is_symbol = |name: &str| concept.is_symbol(name.trim_start_matches("r#"));
    index
        .files
        .iter()
        .filter(|file| file.parsed && file.language == concept.language)
        .filter(|file| Some(file.path.as_str()) != canonical_file)
        .any(|file| {
            file.imports.iter().any(|import| {
                import.name.as_deref().is_some_and(is_symbol)
                    || [&import.resolved, &import.module]
                        .into_iter()
                        .flatten()
                        .any(|module| concept.is_legacy_module(module))
            }) || file
                .definitions
                .iter()
                .any(|definition| is_symbol(&definition.name))
                || file.bindings.iter().any(|binding| is_symbol(&binding.name))
                || file
                    .aliases
                    .iter()
                    .any(|alias| is_symbol(alias.value.symbol()))
                || file.attribute_uses.iter().any(|used| is_symbol(&used.attr))
                || file.patch_targets.iter().any(|target| {
                    target
                        .value
                        .rsplit_once('.')
                        .is_some_and(|(_, name)| is_symbol(name))
                })
        })
}
