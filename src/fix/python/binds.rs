//! What else in the project holds a name a fix renames or imports.

use super::super::same_object;
use crate::config::Concept;
use crate::index::ProjectIndex;
use crate::lang::{FileFacts, ImportFact};

/// Another file imports `name` from this one (or everything, with a star):
/// renaming it here would take away the name they import.
pub(super) fn imported_by_others(index: &ProjectIndex, file: &FileFacts, name: &str) -> bool {
    let Some(module) = file.module.as_deref() else {
        return false;
    };
    let joined = crate::index::join_module(module, name);
    let mut candidates = index
        .files_importing(module)
        .chain(index.files_importing(&joined));
    candidates.any(|other| {
        other.imports.iter().any(|import| {
            (import.resolved.as_deref() == Some(module)
                && matches!(import.name.as_deref(), Some(imported) if imported == name || imported == "*"))
                || import.module.as_deref().is_some_and(|imported| {
                    imported
                        .strip_prefix(module)
                        .and_then(|rest| rest.strip_prefix('.'))
                        == Some(name)
                })
        })
    })
}

/// The file binds the canonical `symbol` to something that is not the
/// canonical object (an import of the same object through another path is
/// fine: it is fixed too).
pub(super) fn binds_other_object(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    symbol: &str,
) -> bool {
    binds(file, symbol, &concept.canonical_module, |import| {
        import
            .name
            .as_deref()
            .is_some_and(|name| same_object(index, concept, import.resolved.as_deref(), name))
    })
}

/// The file binds `name` to something other than the canonical import.
pub(super) fn binds_elsewhere(file: &FileFacts, name: &str, canonical_module: &str) -> bool {
    binds(file, name, canonical_module, |_| false)
}

/// `name` is defined, assigned or imported (other than from
/// `canonical_module`, or by an import `harmless` accepts) in the file.
fn binds(
    file: &FileFacts,
    name: &str,
    canonical_module: &str,
    harmless: impl Fn(&ImportFact) -> bool,
) -> bool {
    file.definitions
        .iter()
        .any(|definition| definition.name == name)
        || file.aliases.iter().any(|alias| alias.target == name)
        || file.imports.iter().any(|import| {
            let bound = import.asname.as_deref().or(import.name.as_deref());
            bound == Some(name)
                && import.resolved.as_deref() != Some(canonical_module)
                && !harmless(import)
        })
}
