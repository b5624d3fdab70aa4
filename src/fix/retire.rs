//! Retiring shims (`--unsafe-fixes`): an alias, re-export or `__all__`
//! entry that nothing in the project uses any more is removed, so a
//! migration run to its end leaves no second name behind. Unsafe: code
//! outside the project may still import it.

use super::*;

/// The fix that removes the binding `name` of `file` made by the statement
/// spanning `statement` (an alias assignment, or the import `import`), when
/// nothing in the project uses it.
pub(super) fn retire(
    index: &ProjectIndex,
    file: &FileFacts,
    name: &str,
    statement: (usize, usize),
    import: Option<&ImportFact>,
    text: &SourceText,
) -> Option<Fix> {
    let module = file.module.as_deref()?;
    if !file.parsed_cleanly || used_elsewhere(index, file, module, name) {
        return None;
    }
    let retired = match super::rename::retire(&text.text, name, statement.0) {
        Ok(edits) => edits,
        // The file still uses an imported name it lists in `__all__`: the
        // entry goes, the import stays (a package `__init__` re-exports its
        // imports whatever `__all__` says).
        Err(_)
            if import.is_some()
                && !file.is_package
                && file.dunder_all.iter().any(|entry| entry == name) =>
        {
            let edits = super::rename::unexport(&text.text, name).ok()?;
            if edits.is_empty() {
                return None;
            }
            return Some(Fix {
                applicability: Applicability::Unsafe,
                edits: edits
                    .into_iter()
                    .map(|(start, end, replacement)| text.edit(start, end, replacement))
                    .collect(),
                title: format!(
                    "remove `{name}` from `{module}.__all__`: nothing in the project imports it from there (code outside may)"
                ),
                other_files: Vec::new(),
            });
        }
        Err(_) => return None,
    };
    let mut edits: Vec<Edit> = retired
        .into_iter()
        .map(|(start, end, replacement)| text.edit(start, end, replacement))
        .collect();
    let names = match import {
        Some(import) => siblings(file, import),
        None => Vec::new(),
    };
    let removal = match import {
        Some(import) if names.len() > 1 => {
            let (start, end) = python::list_extent(&names, import)?;
            text.edit(start, end, "")
        }
        _ => text.delete_line(statement.0, statement.1)?,
    };
    edits.push(removal);
    let what = if import.is_some() {
        "re-export"
    } else {
        "alias"
    };
    Some(Fix {
        applicability: Applicability::Unsafe,
        edits,
        title: format!(
            "remove the {what} `{name}` of `{module}`: nothing in the project uses it (code outside may)"
        ),
        other_files: Vec::new(),
    })
}

/// Another file imports `module.name` (or all of `module`), uses it as an
/// attribute of the module, or patches it.
fn used_elsewhere(index: &ProjectIndex, file: &FileFacts, module: &str, name: &str) -> bool {
    index.files_referring_to(module).any(|other| {
        let imported = other.path != file.path
            && other.imports.iter().any(|import| {
                import.resolved.as_deref() == Some(module)
                    && matches!(import.name.as_deref(), Some(imported) if imported == name || imported == "*")
            });
        let attribute = other.attribute_uses.iter().any(|used| used.attr == name)
            && imports_module(other, module);
        let patched = other.patch_targets.iter().any(|target| {
            target.value == name
                || target
                    .value
                    .strip_prefix(module)
                    .and_then(|rest| rest.strip_prefix('.'))
                    == Some(name)
        });
        imported || attribute || patched
    })
}
