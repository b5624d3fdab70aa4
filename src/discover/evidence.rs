//! What the index says about every class-like definition: where it is
//! defined, through which modules and names it is imported, which aliases
//! name it and which shim modules re-export it. One pass over the facts; the
//! per-file part runs in parallel. The evidence borrows its names and paths
//! from the index: tens of thousands of imports copy no string.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::Language;
use crate::index::{rust_item_module, Origin, ProjectIndex};
use crate::lang::{AliasValue, BindingKind, DefinitionKind, FileFacts, ImportFact, ImportKind};

/// A module-level class (Python) or struct / enum / trait / union (Rust):
/// one possible home of a concept.
#[derive(Debug, Clone)]
pub struct DefinitionSite<'a> {
    pub language: Language,
    pub module: Cow<'a, str>,
    pub name: &'a str,
    pub path: &'a str,
    pub line: u32,
    pub column: u32,
    pub test: bool,
}

/// One import that reaches a definition: `from module import name`,
/// `m.name` after `import module as m`, or a Rust `use module::name`.
#[derive(Debug, Clone)]
pub struct ImportSite<'a> {
    pub origin: usize,
    /// The module imported from (absolute).
    pub module: Cow<'a, str>,
    pub name: &'a str,
    /// Index of the importing file in `ProjectIndex::files`.
    pub file: usize,
    /// Set for `m.name` after `import module as m` (the module imported as
    /// an object): the first such use in the file.
    pub attribute: Option<AttributeSite<'a>>,
}

/// The first `m.name` use behind an [`ImportSite`]: `m` as written and where.
#[derive(Debug, Clone)]
pub struct AttributeSite<'a> {
    pub base: &'a str,
    pub line: u32,
    pub column: u32,
}

/// A module-level `X = S` / `X = m.S` (Python) or `type X = S;` (Rust) that
/// names a definition.
#[derive(Debug, Clone)]
pub struct AliasSite {
    pub origin: usize,
    pub file: usize,
    pub module: String,
    pub target: String,
    pub value: String,
    pub line: u32,
    pub column: u32,
}

/// A module whose module-level statements are only imports, aliases and
/// `__all__`, with the definitions it re-exports.
#[derive(Debug, Clone)]
pub struct Shim {
    pub module: String,
    pub file: usize,
    pub origins: Vec<usize>,
}

#[derive(Debug, Default)]
pub struct Evidence<'a> {
    /// Indexed by origin id.
    pub definitions: Vec<DefinitionSite<'a>>,
    /// Class-like definitions inside a function or class: no import reaches
    /// them, but `check` counts them when `definition` matches.
    pub nested: Vec<DefinitionSite<'a>>,
    pub imports: Vec<ImportSite<'a>>,
    pub aliases: Vec<AliasSite>,
    pub shims: Vec<Shim>,
    /// Names also imported from outside the project.
    pub foreign_names: FxHashSet<(Language, &'a str)>,
    /// Python copies such as `old_manager.backup.py`: not importable, skipped.
    pub leftovers: Vec<String>,
}

/// `tests` / `test` directory components, `test_*.py` and `*_test.py` names.
pub fn is_test_path(path: &str) -> bool {
    let mut components = path.split('/');
    let file = components.next_back().unwrap_or(path);
    if components.any(|directory| directory == "tests" || directory == "test") {
        return true;
    }
    let stem = file
        .strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))
        .or_else(|| file.strip_suffix(".rs"));
    stem.is_some_and(|stem| stem.starts_with("test_") || stem.ends_with("_test"))
}

fn is_identifier(text: &str) -> bool {
    if text.is_ascii() {
        let bytes = text.as_bytes();
        return bytes
            .first()
            .is_some_and(|&first| first == b'_' || first.is_ascii_alphabetic())
            && bytes
                .iter()
                .all(|&byte| byte == b'_' || byte.is_ascii_alphanumeric());
    }
    let mut chars = text.chars();
    matches!(chars.next(), Some(first) if first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Every `.`-separated part of `dotted` an identifier (and there is one):
/// an ASCII name in one pass over its bytes.
fn is_dotted_identifier(dotted: &str) -> bool {
    if !dotted.is_ascii() {
        return dotted.split('.').all(is_identifier);
    }
    let mut part_starts = true;
    for &byte in dotted.as_bytes() {
        match byte {
            b'.' if !part_starts => part_starts = true,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => part_starts = false,
            b'0'..=b'9' if !part_starts => {}
            _ => return false,
        }
    }
    !part_starts
}

fn python_stem(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))
        .unwrap_or(file)
}

/// `old_manager.backup.py`: a copy no import statement can reach and no one
/// runs as a script.
pub fn is_leftover(file: &FileFacts) -> bool {
    file.language == Language::Python && python_stem(&file.path).contains('.')
}

/// A module an import statement can name: every component an identifier.
fn is_importable(file: &FileFacts) -> bool {
    let Some(module) = file.module.as_deref() else {
        return false;
    };
    match file.language {
        Language::Python => {
            is_dotted_identifier(module)
                && (file.is_package || is_identifier(python_stem(&file.path)))
        }
        Language::Rust => true,
    }
}

/// The (module, name) of a `from module import name` (not `*`).
fn from_import(import: &ImportFact) -> Option<(&str, &str)> {
    if import.kind != ImportKind::From {
        return None;
    }
    let (Some(module), Some(name)) = (import.resolved.as_deref(), import.name.as_deref()) else {
        return None;
    };
    (name != "*").then_some((module, name))
}

/// What one file contributes; merged in file order.
#[derive(Default)]
struct FileEvidence<'a> {
    imports: Vec<ImportSite<'a>>,
    aliases: Vec<AliasSite>,
    shim: Option<Shim>,
}

/// What a run of files holds beyond their [`FileEvidence`]: the names they
/// import from outside the project, and what `from module import name`
/// reached for each pair met so far. A name is imported from the same module
/// by many files (10k files hold ~110k such imports of ~6k pairs), and
/// resolving it walks bindings and re-export chains through other files'
/// facts: each pair is resolved once per run.
#[derive(Default)]
struct RunState<'a> {
    foreign: FxHashSet<(Language, &'a str)>,
    reached: FxHashMap<(&'a str, &'a str), (bool, Option<usize>)>,
}

/// `'a` borrows from the index, `'d` from the definitions.
struct Collector<'a, 'd> {
    index: &'a ProjectIndex,
    origins: FxHashMap<(&'d str, &'d str), usize>,
    /// First components of the project's Python modules: an import from a
    /// missing `pkg.gone` is still the project's, one from `typing` is not.
    top_packages: FxHashSet<&'a str>,
}

impl<'a> Collector<'a, '_> {
    fn is_project_package(&self, module: &str) -> bool {
        self.top_packages
            .contains(module.split('.').next().unwrap_or(module))
    }

    fn origin_of<S: AsRef<str>>(&self, origin: &Origin<S>) -> Option<usize> {
        match origin {
            Origin::Class { module, name } => {
                self.origins.get(&(module.as_ref(), name.as_ref())).copied()
            }
            _ => None,
        }
    }

    /// Whether `from module import name` names a module of the project
    /// (`module` or `module.name`), and the definition it reaches.
    fn reach(&self, module: &str, name: &str) -> (bool, Option<usize>) {
        let known =
            self.index.has_python_module(module) || self.index.has_python_submodule(module, name);
        let origin = if known {
            self.origin_of(&self.index.reach(module, name))
        } else {
            None
        };
        (known, origin)
    }

    fn python(&self, id: usize, file: &'a FileFacts, run: &mut RunState<'a>) -> FileEvidence<'a> {
        let mut found = FileEvidence::default();
        // Whether the module last met is in a package of the project: the
        // names of one statement share their module's text.
        let mut last_module: Option<(*const u8, bool)> = None;
        for (module, name) in file.imports.iter().filter_map(from_import) {
            let of_project = match last_module {
                Some((text, of_project)) if text == module.as_ptr() => of_project,
                _ => {
                    let of_project = module.is_empty() || self.is_project_package(module);
                    last_module = Some((module.as_ptr(), of_project));
                    of_project
                }
            };
            // A name from outside the project means something else too.
            // Functions and values bound to the name inside it do not
            // count: a factory or an `except ImportError: X = None` fallback
            // stands for the concept. (Neither a module outside the
            // project's packages nor its `module.name` is one of its
            // modules.)
            if !of_project {
                run.foreign.insert((Language::Python, name));
                continue;
            }
            let (known, origin) = *run
                .reached
                .entry((module, name))
                .or_insert_with(|| self.reach(module, name));
            // Past the test above, only the root package's `from . import x`
            // is outside the project's packages.
            if !known && module.is_empty() {
                run.foreign.insert((Language::Python, name));
            }
            if let Some(origin) = origin {
                found.imports.push(ImportSite {
                    origin,
                    module: Cow::Borrowed(module),
                    name,
                    file: id,
                    attribute: None,
                });
            }
        }
        // `import a.b as m` ... `m.Name`: the module behind each import-bound name.
        if !file.attribute_uses.is_empty() {
            let mut bound: FxHashMap<&str, (&str, bool)> = FxHashMap::default();
            for import in &file.imports {
                if import.kind != ImportKind::Import {
                    continue;
                }
                let Some(module) = import.module.as_deref() else {
                    continue;
                };
                match import.asname.as_deref() {
                    Some(asname) => bound.insert(asname, (module, true)),
                    None => {
                        bound.insert(module.split('.').next().unwrap_or(module), (module, false))
                    }
                };
            }
            let mut seen = FxHashSet::default();
            for attribute in &file.attribute_uses {
                let first = attribute.base.split('.').next().unwrap_or(&attribute.base);
                let Some(&(target, renamed)) = bound.get(first) else {
                    continue;
                };
                let module: Cow<'a, str> = if renamed {
                    Cow::Owned(format!("{target}{}", &attribute.base[first.len()..]))
                } else {
                    Cow::Borrowed(&attribute.base)
                };
                if !self.index.has_python_module(&module)
                    || !seen.insert((module.clone(), attribute.attr.as_str()))
                {
                    continue;
                }
                let origin = self.origin_of(&self.index.reach(&module, &attribute.attr));
                if let Some(origin) = origin {
                    found.imports.push(ImportSite {
                        origin,
                        module,
                        name: &attribute.attr,
                        file: id,
                        attribute: Some(AttributeSite {
                            base: &attribute.base,
                            line: attribute.span.begin.line,
                            column: attribute.span.begin.column,
                        }),
                    });
                }
            }
        }
        if !is_importable(file) {
            return found;
        }
        let Some(module) = file.module.as_deref() else {
            return found;
        };
        for alias in &file.aliases {
            if alias.in_match {
                continue;
            }
            let origin = self.origin_of(&self.index.reach(module, &alias.target));
            if let Some(origin) = origin {
                found.aliases.push(AliasSite {
                    origin,
                    file: id,
                    module: module.to_string(),
                    target: alias.target.clone(),
                    value: match &alias.value {
                        AliasValue::Name(name) => name.clone(),
                        AliasValue::Attribute { base, attr } => format!("{base}.{attr}"),
                    },
                    line: alias.target_span.begin.line,
                    column: alias.target_span.begin.column,
                });
            }
        }
        if is_shim(file) {
            let mut origins: Vec<usize> = file
                .bindings
                .iter()
                .filter(|binding| {
                    matches!(
                        binding.kind,
                        BindingKind::FromImport { .. } | BindingKind::Alias(_)
                    )
                })
                .filter_map(|binding| self.origin_of(&self.index.reach(module, &binding.name)))
                .collect();
            origins.sort_unstable();
            origins.dedup();
            if !origins.is_empty() {
                found.shim = Some(Shim {
                    module: module.to_string(),
                    file: id,
                    origins,
                });
            }
        }
        found
    }

    fn rust(&self, id: usize, file: &'a FileFacts, run: &mut RunState<'a>) -> FileEvidence<'a> {
        let mut found = FileEvidence::default();
        let language = Language::Rust;
        for import in &file.imports {
            let (Some(resolved), Some(name)) = (import.resolved.as_deref(), import.name.as_deref())
            else {
                continue;
            };
            if import.kind != ImportKind::Use || name == "*" || name == "self" {
                continue;
            }
            let name = name.strip_prefix("r#").unwrap_or(name);
            let origin = self.index.resolve_rust(&format!("{resolved}::{name}"));
            match self.origin_of(&origin) {
                Some(origin) => found.imports.push(ImportSite {
                    origin,
                    module: Cow::Borrowed(resolved),
                    name,
                    file: id,
                    attribute: None,
                }),
                None if matches!(origin, Origin::Unresolved { .. }) => {
                    let root = resolved.split("::").next().unwrap_or(resolved);
                    if !self.index.has_rust_module(root) {
                        run.foreign.insert((language, name));
                    }
                }
                None => {}
            }
        }
        let Some(file_module) = file.module.as_deref() else {
            return found;
        };
        for definition in &file.definitions {
            let (DefinitionKind::Type, Some(aliased), true) =
                (definition.kind, &definition.aliased, definition.top_level)
            else {
                continue;
            };
            let module = rust_item_module(file_module, &definition.mod_path);
            let name = definition
                .name
                .strip_prefix("r#")
                .unwrap_or(&definition.name);
            let origin = self.index.resolve_rust(&format!("{module}::{name}"));
            if let Some(origin) = self.origin_of(&origin) {
                found.aliases.push(AliasSite {
                    origin,
                    file: id,
                    module,
                    target: name.to_string(),
                    value: aliased.clone(),
                    line: definition.name_span.begin.line,
                    column: definition.name_span.begin.column,
                });
            }
        }
        found
    }
}

/// Only imports, aliases and `__all__` at module level, re-exporting something.
pub(super) fn is_shim(file: &FileFacts) -> bool {
    file.parsed_cleanly
        && !file.is_package
        && file
            .definitions
            .iter()
            .all(|definition| !definition.top_level)
        && file.bindings.iter().all(|binding| {
            matches!(
                binding.kind,
                BindingKind::FromImport { .. }
                    | BindingKind::ModuleImport { .. }
                    | BindingKind::Alias(_)
            )
        })
        && file.bindings.iter().any(|binding| {
            matches!(
                binding.kind,
                BindingKind::FromImport { .. } | BindingKind::Alias(_)
            )
        })
}

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
fn collect_definitions<'a>(
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

pub fn collect<'a>(
    index: &'a ProjectIndex,
    pool: &rayon::ThreadPool,
    include_tests: bool,
) -> Evidence<'a> {
    let (definitions, nested) = collect_definitions(index, pool, include_tests);
    let collector = Collector {
        index,
        origins: definitions
            .iter()
            .enumerate()
            .map(|(id, site)| ((site.module.as_ref(), site.name), id))
            .collect(),
        top_packages: index
            .files
            .iter()
            .filter(|file| file.language == Language::Python)
            .filter_map(|file| file.module.as_deref())
            .filter_map(|module| module.split('.').next())
            .filter(|top| !top.is_empty())
            .collect(),
    };
    // Runs of files in parallel, two per thread so that none waits long
    // for the others; each run in file order.
    let run_length = index
        .files
        .len()
        .div_ceil(pool.current_num_threads().max(1) * 2)
        .max(1);
    let runs: Vec<(Vec<FileEvidence>, RunState)> = pool.install(|| {
        index
            .files
            .par_chunks(run_length)
            .enumerate()
            .map(|(run_at, files)| {
                let mut run = RunState::default();
                let found = files
                    .iter()
                    .enumerate()
                    .map(|(offset, file)| {
                        let id = run_at * run_length + offset;
                        if is_leftover(file) {
                            return FileEvidence::default();
                        }
                        match file.language {
                            Language::Python => collector.python(id, file, &mut run),
                            Language::Rust => collector.rust(id, file, &mut run),
                        }
                    })
                    .collect();
                (found, run)
            })
            .collect()
    });
    let mut evidence = Evidence {
        leftovers: index
            .files
            .iter()
            .filter(|file| is_leftover(file))
            .map(|file| file.path.clone())
            .collect(),
        ..Evidence::default()
    };
    // Each list in one piece: tens of thousands of sites are copied once.
    let files = || runs.iter().flat_map(|(found, _)| found);
    evidence
        .imports
        .reserve_exact(files().map(|found| found.imports.len()).sum());
    evidence
        .aliases
        .reserve_exact(files().map(|found| found.aliases.len()).sum());
    for (found, run) in runs {
        for found in found {
            evidence.imports.extend(found.imports);
            evidence.aliases.extend(found.aliases);
            evidence.shims.extend(found.shim);
        }
        evidence.foreign_names.extend(run.foreign);
    }
    evidence.definitions = definitions;
    evidence.nested = nested;
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for (text, expected) in [
            ("manager", true),
            ("_private", true),
            ("v2_api", true),
            ("2fa", false),
            ("old-manager", false),
            ("", false),
            ("modulé", true),
            ("ünicode", true),
            ("a b", false),
        ] {
            assert_eq!(is_identifier(text), expected, "{text:?}");
        }
        for (text, expected) in [
            ("pkg.mod", true),
            ("pkg", true),
            ("_a.b2.c_", true),
            ("pkg.2fa", false),
            ("pkg..mod", false),
            (".pkg", false),
            ("pkg.", false),
            ("", false),
            ("old-pkg.mod", false),
            ("paquet.modulé", true),
            ("paquet.é2", true),
            ("paquet.2é", false),
        ] {
            assert_eq!(is_dotted_identifier(text), expected, "{text:?}");
            assert_eq!(
                is_dotted_identifier(text),
                !text.is_empty() && text.split('.').all(is_identifier),
                "{text:?}"
            );
        }
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("tests/mocks/mock_ws.py"));
        assert!(is_test_path("pkg/test/helpers.py"));
        assert!(is_test_path("pkg/test_routes.py"));
        assert!(is_test_path("pkg/routes_test.py"));
        assert!(!is_test_path("pkg/testing.py"));
        assert!(!is_test_path("pkg/contest/routes.py"));
    }
}
