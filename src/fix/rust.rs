//! Fixes of Rust `use` items.

use super::*;

/// `use ws_core::legacy::Manager;` -> `use ws_core::ws::UnifiedManager as Manager;`.
/// A leaf inside a group (`use legacy::{Manager, other};`) is taken out of the
/// group and given a `use` item of its own, with the item's visibility.
pub(super) fn rust_use(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    text: &SourceText,
) -> Option<Fix> {
    if concept.language != Language::Rust {
        return None;
    }
    let name = import.name.as_deref()?;
    let item_start = import.statement.start as usize;
    let leaf_start = import.alias.start as usize;
    let leaf_end = import.alias.end as usize;
    let head = text.text.get(item_start..leaf_start)?;
    let file_crate = file.module.as_deref()?.split("::").next()?;
    let (canonical_crate, rest) = concept
        .canonical_module
        .split_once("::")
        .unwrap_or((concept.canonical_module.as_str(), ""));
    let prefix = if canonical_crate == file_crate {
        "crate"
    } else {
        canonical_crate
    };
    let symbol = &concept.canonical_symbol;
    let mut path = if rest.is_empty() {
        format!("{prefix}::{symbol}")
    } else {
        format!("{prefix}::{rest}::{symbol}")
    };
    let full = format!("{}::{name}", import.resolved.as_deref()?);
    let canonical = index.resolve_rust(&concept.canonical());
    let safe = matches!(canonical, Origin::Class { .. }) && index.resolve_rust(&full) == canonical;
    let applicability = if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let title = format!("use `{}`", concept.canonical());
    let local = import.asname.as_deref().unwrap_or(name);
    if import.public && local != symbol {
        // `pub use canonical::New as Old` would be a second name of the
        // concept (SSOT002 rename): a public re-export is retired by hand.
        return None;
    }
    if !head.contains('{') {
        if import.asname.is_none() && name != symbol {
            path = format!("{path} as {name}");
        }
        return Some(Fix {
            applicability,
            edits: vec![text.edit(leaf_start, leaf_end, path)],
            title,
            other_files: Vec::new(),
        });
    }
    if local != symbol {
        path = format!("{path} as {local}");
    }
    let visibility = head.get(..head.find("use")?)?.trim_end();
    let visibility = if visibility.is_empty() {
        String::new()
    } else {
        format!("{visibility} ")
    };
    if siblings(file, import).len() == 1 {
        // The only leaf: the whole item becomes the canonical `use`.
        return Some(Fix {
            applicability,
            edits: vec![text.edit(
                item_start,
                import.statement.end as usize,
                format!("{visibility}use {path};"),
            )],
            title,
            other_files: Vec::new(),
        });
    }
    let extent = group_leaf_extent(&text.text, leaf_start, leaf_end)?;
    let edits = text.move_to_own_line(
        extent,
        (item_start, import.statement.end as usize),
        &format!("{visibility}use {path};"),
    )?;
    Some(Fix {
        applicability,
        edits,
        title,
        other_files: Vec::new(),
    })
}

/// The bytes to delete to take one leaf (with its `as X` and one comma) out
/// of a `use` group.
pub(super) fn group_leaf_extent(
    text: &str,
    leaf_start: usize,
    leaf_end: usize,
) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    };
    let mut end = leaf_end;
    let after = skip_space(end);
    if text[after..].starts_with("as") && bytes.get(after + 2).is_some_and(u8::is_ascii_whitespace)
    {
        let name_start = skip_space(after + 2);
        let name_end = text[name_start..]
            .find(|c: char| !(c == '_' || c == '#' || c.is_alphanumeric()))
            .map_or(text.len(), |offset| name_start + offset);
        end = name_end;
    }
    let next = skip_space(end);
    if bytes.get(next) == Some(&b',') {
        return Some((leaf_start, skip_space(next + 1)));
    }
    let mut before = leaf_start;
    while before > 0 && bytes[before - 1].is_ascii_whitespace() {
        before -= 1;
    }
    if before > 0 && bytes[before - 1] == b',' {
        return Some((before - 1, end));
    }
    (before > 0 && bytes[before - 1] == b'{').then_some((leaf_start, end))
}
