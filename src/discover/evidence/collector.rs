//! The pass over every file's facts: the imports, aliases and shims that
//! reach a definition, run by run in parallel and merged in file order.

use std::borrow::Cow;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::definitions::collect_definitions;
use super::files::{is_importable, is_leftover};
use super::{AliasSite, AttributeSite, Evidence, ImportSite, Shim};
use crate::config::Language;
use crate::index::{rust_item_module, Origin, ProjectIndex};
use crate::lang::{AliasValue, BindingKind, DefinitionKind, FileFacts, ImportFact, ImportKind};

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
        if file.is_shim() {
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
