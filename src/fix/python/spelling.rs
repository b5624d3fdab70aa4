//! How the rewritten import is written: the canonical module as the file
//! spells it, the module of a `from` statement, one name out of a list.

use crate::config::Concept;
use crate::lang::python::resolve_relative;
use crate::lang::{FileFacts, ImportFact};

/// `from <canonical> import Canonical [as local]`, relative when the file's
/// import was relative and the canonical module shares its top package.
pub(super) fn canonical_from(
    file: &FileFacts,
    concept: &Concept,
    relative: bool,
    local: &str,
) -> String {
    let module = canonical_spelling(file, concept, relative);
    let symbol = &concept.canonical_symbol;
    if local == symbol {
        format!("from {module} import {symbol}")
    } else {
        format!("from {module} import {symbol} as {local}")
    }
}

/// The canonical module as this file writes it: relative when its import
/// was and the canonical module shares the file's top package.
pub(super) fn canonical_spelling(file: &FileFacts, concept: &Concept, relative: bool) -> String {
    relative
        .then(|| relative_spelling(file, &concept.canonical_module))
        .flatten()
        .unwrap_or_else(|| concept.canonical_module.clone())
}

pub(super) fn relative_spelling(file: &FileFacts, target: &str) -> Option<String> {
    let module = file.module.as_deref()?;
    let mut package: Vec<&str> = module.split('.').filter(|part| !part.is_empty()).collect();
    if !file.is_package {
        package.pop();
    }
    let target_parts: Vec<&str> = target.split('.').collect();
    let common = package
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let level = package.len() - common + 1;
    let rest = target_parts[common..].join(".");
    let rest = (!rest.is_empty()).then_some(rest);
    // Only a spelling that resolves back to the target is used.
    (resolve_relative(Some(module), file.is_package, level as u32, rest.as_deref()).as_deref()
        == Some(target))
    .then(|| format!("{}{}", ".".repeat(level), rest.unwrap_or_default()))
}

/// Byte range of `X` in `from X import ...` (dots included).
pub(super) fn from_module_range(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let statement = text.get(start..end)?;
    let after_from = statement.strip_prefix("from")?;
    let keyword = find_import_keyword(after_from)?;
    let inner = &after_from[..keyword];
    let leading = inner.len() - inner.trim_start_matches(is_space_or_continuation).len();
    let trailing = inner.trim_end_matches(is_space_or_continuation).len();
    (leading < trailing).then(|| (start + 4 + leading, start + 4 + trailing))
}

pub(super) fn is_space_or_continuation(c: char) -> bool {
    c.is_whitespace() || c == '\\'
}

pub(super) fn find_import_keyword(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("import") {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + 6).copied();
        let boundary = |b: Option<u8>| {
            b.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
        };
        if boundary(before) && boundary(after) {
            return Some(at);
        }
        from = at + 6;
    }
    None
}

/// The bytes that take `import` (one of `names`, in source order) out of its
/// statement's list, with one comma.
pub(in crate::fix) fn list_extent(
    names: &[&ImportFact],
    import: &ImportFact,
) -> Option<(usize, usize)> {
    let position = names
        .iter()
        .position(|other| other.alias.start == import.alias.start)?;
    Some(if position + 1 < names.len() {
        (
            import.alias.start as usize,
            names[position + 1].alias.start as usize,
        )
    } else {
        (
            names.get(position.checked_sub(1)?)?.alias.end as usize,
            import.alias.end as usize,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_range_skips_continuations() {
        let text = "from a.b \\\n    import c";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 8)));
        let text = "from . import x";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 6)));
        let text = "from .importer import x";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 14)));
    }
}
