//! The class-like definitions of every file: the possible homes of a
//! concept, at the module level or nested.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use super::files::{is_importable, is_leftover, is_test_path};
use super::DefinitionSite;
use crate::config::Language;
use crate::index::{rust_item_module, ProjectIndex};
use crate::lang::{DefinitionKind, FileFacts};

/// The definitions of one file that can be a concept's home, each with
/// whether it is at the module level.
fn definition_sites(file: &FileFacts, include_tests: bool) -> Vec<(bool, DefinitionSite<'_>)> {
    let mut sites = Vec::new();
    if !is_importable(file) || is_leftover(file) {
        return sites;
    }
    let Some(file_module) = file.module.as_deref() else {
        return sites;
    };
    let test_file = is_test_path(&file.path);
    for definition in &file.definitions {
        let (module, test) = match (file.language, definition.kind) {
            (Language::Python, DefinitionKind::Class) => (Cow::Borrowed(file_module), test_file),
            (
                Language::Rust,
                DefinitionKind::Struct
                | DefinitionKind::Enum
                | DefinitionKind::Trait
                | DefinitionKind::Union,
            ) => (
                Cow::Owned(rust_item_module(file_module, &definition.mod_path)),
                test_file
                    || definition
                        .mod_path
                        .iter()
                        .any(|part| part == "tests" || part == "test"),
            ),
            _ => continue,
        };
        if test && !include_tests {
            continue;
        }
        let name = definition
            .name
            .strip_prefix("r#")
            .unwrap_or(&definition.name);
        sites.push((
            definition.top_level,
            DefinitionSite {
                language: file.language,
                module,
                name,
                path: &file.path,
                line: definition.name_span.begin.line,
                column: definition.name_span.begin.column,
                test,
            },
        ));
    }
    sites
}

/// The class-like definitions a concept can live in, in file order, and
/// those nested in a function or class: every file's [`definition_sites`],
/// found in parallel.
pub(super) fn collect_definitions<'a>(
    index: &'a ProjectIndex,
    pool: &rayon::ThreadPool,
    include_tests: bool,
) -> (Vec<DefinitionSite<'a>>, Vec<DefinitionSite<'a>>) {
    let per_file: Vec<Vec<(bool, DefinitionSite)>> = pool.install(|| {
        index
            .files
            .par_iter()
            .map(|file| definition_sites(file, include_tests))
            .collect()
    });
    // The first of `x.py` / `x.pyi` (or a class defined twice) is the one kept.
    let mut seen: FxHashSet<(&str, &str)> = FxHashSet::default();
    let first: Vec<bool> = per_file
        .iter()
        .flatten()
        .map(|(top_level, site)| !*top_level || seen.insert((&site.module, site.name)))
        .collect();
    drop(seen);
    let mut definitions = Vec::new();
    let mut nested = Vec::new();
    for ((top_level, site), first) in per_file.into_iter().flatten().zip(first) {
        if !top_level {
            nested.push(site);
        } else if first {
            definitions.push(site);
        }
    }
    (definitions, nested)
}
