//! Fixes of Python imports: `from X import Y` and `import X as m` + `m.Y`,
//! through the canonical module, with the uses of an old name renamed.

mod binds;
mod patches;
mod spelling;

use super::*;
use binds::{binds_elsewhere, binds_other_object, imported_by_others};
pub(super) use patches::patch_literal_edit;
use patches::{
    add_edit, follow_patches, only_lookup, patch_sites, patch_targets, patched_note, PatchSite,
};
pub(super) use spelling::list_extent;
use spelling::{canonical_from, canonical_spelling, from_module_range};

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
