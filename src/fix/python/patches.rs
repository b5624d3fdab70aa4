//! The `patch("module.name")` strings a fix moves along or is made unsafe
//! by, and the edits it makes in other files.

use super::super::{imports_module, rename};
use crate::diagnostic::{Edit, FileEdits};
use crate::index::ProjectIndex;
use crate::lang::{FileFacts, PatchTarget};
use crate::source::SourceText;
use crate::sources::Sources;

/// Adds `edit` to the edits of `path` among `files`.
pub(super) fn add_edit(files: &mut Vec<FileEdits>, path: String, edit: Edit) {
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
pub(super) fn only_lookup(
    index: &ProjectIndex,
    sources: &Sources,
    file: &FileFacts,
    module: &str,
    name: &str,
) -> bool {
    let elsewhere = index.files_importing(module).any(|other| {
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

pub(super) fn patch_targets<'i>(
    index: &'i ProjectIndex,
    module: &'i str,
    name: &'i str,
) -> impl Iterator<Item = (&'i FileFacts, &'i PatchTarget)> + 'i {
    index.files_patching().flat_map(move |file| {
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
pub(in crate::fix) fn patch_literal_edit(
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
