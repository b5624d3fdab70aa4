//! Fixes of Python imports: `from X import Y` and `import X as m` + `m.Y`,
//! through the canonical module, with the uses of an old name renamed.

use super::*;
use crate::lang::PatchTarget;

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
fn canonical_spelling(file: &FileFacts, concept: &Concept, relative: bool) -> String {
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

/// `from shim import WebSocketManager` -> `from canonical import Unified`,
/// the uses of `WebSocketManager` renamed; with `rename_any` (an SSOT002
/// rename such as `... import Unified as WSManager`), any local name is.
pub(super) fn python_from_import(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    sources: &Sources,
    rename_any: bool,
) -> Option<Fix> {
    let text = sources.get(&file.path)?;
    let name = import.name.as_deref()?;
    if distinct_class(index, concept, import.resolved.as_deref(), name) {
        return None;
    }
    let symbol = &concept.canonical_symbol;
    let mut local = import.asname.as_deref().unwrap_or(name);
    // `from m import X as X`: the redundant alias marks a public re-export.
    let explicit = import.asname.as_deref() == Some(name);
    let mut applicability = if same_object(index, concept, import.resolved.as_deref(), name) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let mut patched = Vec::new();
    // A patch of the old place no longer reaches the name once it is
    // imported from the canonical module.
    if let Some(resolved) = import
        .resolved
        .as_deref()
        .filter(|resolved| *resolved != concept.canonical_module)
    {
        patched.extend(patch_sites(index, resolved, name));
    }
    // `from canonical import New as Old` would bind a second name of the
    // concept again: the file's uses of `Old` are renamed to `New` instead,
    // and so are the patch strings of this module's `Old`.
    let mut renames = Vec::new();
    let mut other_files = Vec::new();
    // The old public name a rename takes from the module, if it is one.
    let mut exported: Option<String> = None;
    if local != symbol && (rename_any || concept.is_symbol(local)) {
        if binds_other_object(index, concept, file, symbol)
            || imported_by_others(index, file, local)
        {
            return None;
        }
        let uses = rename::uses(&text.text, local, symbol, import.statement.start as usize).ok()?;
        renames = uses
            .into_iter()
            .map(|(start, end, replacement)| text.edit(start, end, replacement))
            .collect();
        let module = file.module.as_deref()?;
        let followed = follow_patches(index, sources, module, local, symbol);
        for (path, edit) in followed.rewritten {
            if path == file.path {
                renames.push(edit);
            } else {
                add_edit(&mut other_files, path, edit);
            }
        }
        patched.extend(followed.kept);
        // Another module may import the old public name; none in the project does.
        let public = import.scope == crate::lang::Scope::Module
            && (explicit || file.is_package || file.dunder_all.iter().any(|entry| entry == local));
        exported = public.then(|| local.to_string());
        local = symbol;
    }
    if !patched.is_empty() || exported.is_some() {
        applicability = Applicability::Unsafe;
    }
    let relative = import.level > 0;
    let statement_start = import.statement.start as usize;
    let statement_end = import.statement.end as usize;
    let names = siblings(file, import);
    let mut title = if renames.is_empty() {
        format!("import `{symbol}` from `{}`", concept.canonical_module)
    } else {
        format!(
            "import `{symbol}` from `{}` and rename the uses of `{name}`",
            concept.canonical_module
        )
    };
    title.push_str(&patched_note(&patched));
    if let Some(old) = &exported {
        let module = file.module.as_deref().unwrap_or(&file.path);
        title.push_str(&format!(
            " (unsafe: `{old}` is a public name of `{module}`, which code outside the project may import)"
        ));
    }
    let already = local == symbol
        && file.imports.iter().any(|other| {
            other.statement.start != import.statement.start
                && other.scope == import.scope
                && other.asname.as_deref().or(other.name.as_deref()) == Some(symbol)
                && other.name.as_deref() == Some(symbol)
                && same_object(index, concept, other.resolved.as_deref(), symbol)
        });
    let removal = match names.len() {
        _ if !already => None,
        1 => text.delete_line(statement_start, statement_end),
        _ => list_extent(&names, import).map(|(start, end)| text.edit(start, end, "")),
    };
    // `X as X` is the explicit re-export typed packages rely on: kept.
    let alias = if local == symbol && !explicit {
        symbol.clone()
    } else {
        format!("{symbol} as {local}")
    };
    let module = canonical_spelling(file, concept, relative);
    let mut edits = if let Some(removal) = removal {
        // The file imports the canonical name already: this import goes.
        vec![removal]
    } else if names.len() == 1 {
        // Swap the module and the name in place: comments and layout stay.
        let (module_start, module_end) =
            from_module_range(&text.text, statement_start, statement_end)?;
        vec![
            text.edit(module_start, module_end, module),
            text.edit(
                import.alias.start as usize,
                import.alias.end as usize,
                alias,
            ),
        ]
    } else {
        // Take the name out of the list and import it on a line of its own.
        let (delete_start, delete_end) = list_extent(&names, import)?;
        text.move_to_own_line(
            (delete_start, delete_end),
            (statement_start, statement_end),
            &format!("from {module} import {alias}"),
        )?
    };
    edits.extend(renames);
    Some(Fix {
        applicability,
        edits,
        title,
        other_files,
    })
}

/// The bytes that take `import` (one of `names`, in source order) out of its
/// statement's list, with one comma.
pub(super) fn list_extent(names: &[&ImportFact], import: &ImportFact) -> Option<(usize, usize)> {
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

/// `import legacy as m` + `m.WebSocketManager` -> `from canonical import Unified` + `Unified`.
pub(super) fn python_module_import(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    sources: &Sources,
) -> Option<Fix> {
    let text = sources.get(&file.path)?;
    if siblings(file, import).len() != 1 {
        return None;
    }
    let (legacy, bound, may_be_safe) = match import.kind {
        ImportKind::Import => {
            let module = import.module.as_deref()?.to_string();
            match import.asname.as_deref() {
                Some(asname) => (module, asname.to_string(), true),
                None => (module.clone(), module, false),
            }
        }
        ImportKind::From => {
            let name = import.name.as_deref()?;
            let module = format!("{}.{name}", import.resolved.as_deref()?);
            (
                module,
                import.asname.as_deref().unwrap_or(name).to_string(),
                true,
            )
        }
        ImportKind::Use => return None,
    };
    let uses: Vec<_> = file
        .attribute_uses
        .iter()
        .filter(|used| used.base == bound)
        .collect();
    if uses.is_empty()
        || uses.iter().any(|used| {
            !concept.is_symbol(&used.attr)
                || distinct_class(index, concept, Some(&legacy), &used.attr)
        })
    {
        return None;
    }
    let symbol = &concept.canonical_symbol;
    // `m.Old` is looked up at each use: a patch of `legacy.Old` reached it.
    // When this file's uses are the only lookups of `legacy.Old` at call
    // time, the patch moves with them to this module's new name; otherwise
    // it would no longer reach them, and the fix is unsafe.
    let mut patched: Vec<PatchSite> = Vec::new();
    let mut other_files: Vec<FileEdits> = Vec::new();
    let mut same_file: Vec<Edit> = Vec::new();
    let mut attrs: Vec<&str> = uses.iter().map(|used| used.attr.as_str()).collect();
    attrs.sort_unstable();
    attrs.dedup();
    for attr in attrs {
        let sites = patch_sites(index, &legacy, attr);
        if sites.is_empty() {
            continue;
        }
        let moved = file.module.as_deref().and_then(|module| {
            if !only_lookup(index, sources, file, &legacy, attr) {
                return None;
            }
            let replacement = format!("{module}.{symbol}");
            patch_targets(index, &legacy, attr)
                .map(|(other, target)| {
                    let text = sources.get(&other.path)?;
                    Some((
                        other.path.clone(),
                        patch_literal_edit(text, target, &replacement)?,
                    ))
                })
                .collect::<Option<Vec<_>>>()
        });
        match moved {
            Some(edits) => {
                for (path, edit) in edits {
                    if path == file.path {
                        same_file.push(edit);
                    } else {
                        add_edit(&mut other_files, path, edit);
                    }
                }
            }
            None => patched.extend(sites),
        }
    }
    let safe = may_be_safe
        && patched.is_empty()
        && uses
            .iter()
            .all(|used| same_object(index, concept, Some(&legacy), &used.attr))
        && !binds_elsewhere(file, symbol, &concept.canonical_module);
    let relative = import.kind == ImportKind::From && import.level > 0;
    let mut edits = vec![text.edit(
        import.statement.start as usize,
        import.statement.end as usize,
        canonical_from(file, concept, relative, symbol),
    )];
    for used in uses {
        edits.push(text.edit(
            used.span.start as usize,
            used.span.end as usize,
            symbol.clone(),
        ));
    }
    edits.extend(same_file);
    Some(Fix {
        applicability: if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits,
        title: format!(
            "import `{symbol}` from `{}` and use it directly{}",
            concept.canonical_module,
            patched_note(&patched)
        ),
        other_files,
    })
}

/// Another file imports `name` from this one (or everything, with a star):
/// renaming it here would take away the name they import.
pub(super) fn imported_by_others(index: &ProjectIndex, file: &FileFacts, name: &str) -> bool {
    let Some(module) = file.module.as_deref() else {
        return false;
    };
    index.files.iter().any(|other| {
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

/// Adds `edit` to the edits of `path` among `files`.
fn add_edit(files: &mut Vec<FileEdits>, path: String, edit: Edit) {
    match files.iter_mut().find(|other| other.path == path) {
        Some(other) => other.edits.push(edit),
        None => files.push(FileEdits {
            path,
            edits: vec![edit],
        }),
    }
}

/// `file`'s `m.name` uses are the only lookups of `module.name` made at
/// call time in the project: no other file uses it as an attribute of the
/// module or imports it inside a function, and the module does not read it
/// itself. Then a patch of `module.name` reaches only them.
fn only_lookup(
    index: &ProjectIndex,
    sources: &Sources,
    file: &FileFacts,
    module: &str,
    name: &str,
) -> bool {
    let elsewhere = index.files.iter().any(|other| {
        (other.path != file.path
            && imports_module(other, module)
            && other.attribute_uses.iter().any(|used| used.attr == name))
            || other.imports.iter().any(|import| {
                import.scope != crate::lang::Scope::Module
                    && import.resolved.as_deref() == Some(module)
                    && import.name.as_deref() == Some(name)
            })
    });
    let read_by_module = index
        .python_module(module)
        .and_then(|home| sources.get(&home.path))
        .is_none_or(|text| rename::is_read(&text.text, name) != Some(false));
    !elsewhere && !read_by_module
}

/// A patch string naming a binding, as `path:line`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct PatchSite {
    path: String,
    line: u32,
}

impl PatchSite {
    fn new(file: &FileFacts, target: &PatchTarget) -> Self {
        Self {
            path: file.path.clone(),
            line: target.span.begin.line,
        }
    }
}

/// The patch strings of the project equal to `"{module}.{name}"`.
pub(super) fn patch_sites(index: &ProjectIndex, module: &str, name: &str) -> Vec<PatchSite> {
    patch_targets(index, module, name)
        .map(|(file, target)| PatchSite::new(file, target))
        .collect()
}

fn patch_targets<'i>(
    index: &'i ProjectIndex,
    module: &'i str,
    name: &'i str,
) -> impl Iterator<Item = (&'i FileFacts, &'i PatchTarget)> + 'i {
    index.files.iter().flat_map(move |file| {
        file.patch_targets
            .iter()
            .filter(move |target| {
                target
                    .value
                    .strip_prefix(module)
                    .and_then(|rest| rest.strip_prefix('.'))
                    == Some(name)
            })
            .map(move |target| (file, target))
    })
}

/// The patch strings a rename of `module`'s binding `old` to `new` takes
/// along: the literals rewritten (path, edit), and the sites that cannot be
/// (a string built at run time, a bare `patch.object(module, "old")`).
pub(super) struct FollowedPatches {
    pub rewritten: Vec<(String, Edit)>,
    pub kept: Vec<PatchSite>,
}

pub(super) fn follow_patches(
    index: &ProjectIndex,
    sources: &Sources,
    module: &str,
    old: &str,
    new: &str,
) -> FollowedPatches {
    let mut followed = FollowedPatches {
        rewritten: Vec::new(),
        kept: Vec::new(),
    };
    let replacement = format!("{module}.{new}");
    for (file, target) in patch_targets(index, module, old) {
        match sources
            .get(&file.path)
            .and_then(|text| patch_literal_edit(text, target, &replacement))
        {
            Some(edit) => followed.rewritten.push((file.path.clone(), edit)),
            None => followed.kept.push(PatchSite::new(file, target)),
        }
    }
    // `patch.object(module, "old")` names the binding without its module.
    for file in &index.files {
        for target in file
            .patch_targets
            .iter()
            .filter(|target| target.value == old)
        {
            followed.kept.push(PatchSite::new(file, target));
        }
    }
    followed
}

/// The edit that turns the string literal of `target` into `replacement`,
/// when the literal is spelled plainly (`"a.b"` or `'a.b'`).
pub(super) fn patch_literal_edit(
    text: &SourceText,
    target: &PatchTarget,
    replacement: &str,
) -> Option<Edit> {
    let start = target.span.start as usize;
    let end = target.span.end as usize;
    let literal = text.text.get(start..end)?;
    let quote = literal.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let plain = literal.len() == target.value.len() + 2
        && literal.ends_with(quote)
        && literal.get(1..literal.len() - 1) == Some(target.value.as_str());
    plain.then(|| text.edit(start, end, format!("{quote}{replacement}{quote}")))
}

/// `" (unsafe: the old name is patched at a.py:3, b.py:9)"`, or nothing.
pub(super) fn patched_note(sites: &[PatchSite]) -> String {
    if sites.is_empty() {
        return String::new();
    }
    let mut sites = sites.to_vec();
    sites.sort();
    sites.dedup();
    let listed: Vec<String> = sites
        .iter()
        .map(|site| format!("{}:{}", site.path, site.line))
        .collect();
    format!(
        " (unsafe: the old name is patched at {})",
        listed.join(", ")
    )
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
