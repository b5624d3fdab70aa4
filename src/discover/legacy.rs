//! A cluster's legacy modules: its shims, the modules importers reach the
//! canonical class through, and Rust re-exporters.

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{ModuleUse, ProposedLegacyModule};
use super::cluster::{ClusterContext, ClusterPlan};
use crate::config::Language;
use crate::index::Origin;
use crate::lang::Scope;
use crate::summary::plural;

impl ClusterContext<'_> {
    /// The legacy modules of a cluster: its shims, and the modules that bind
    /// a concept symbol to the canonical class and that another file imports
    /// as a module object to use `m.S` (not the canonical module, not a
    /// package `__init__`).
    pub(super) fn legacy_modules(
        &self,
        plan: &ClusterPlan,
        symbols: &[String],
        shim_ids: &BTreeSet<usize>,
    ) -> Vec<ProposedLegacyModule> {
        let evidence = self.evidence;
        let canonical_site = &evidence.definitions[plan.canonical];
        let canonical_module = canonical_site.module.as_ref();
        // The symbols `module` binds to the canonical class.
        let bound = |module: &str| -> Vec<String> {
            if plan.language != Language::Python {
                return Vec::new();
            }
            symbols
                .iter()
                .filter(|symbol| {
                    matches!(
                        self.index.resolve(module, symbol),
                        Origin::Class { module, name }
                            if module == canonical_module && name == canonical_site.name
                    )
                })
                .cloned()
                .collect()
        };
        let mut legacy: BTreeMap<String, ProposedLegacyModule> = BTreeMap::new();
        for &at in shim_ids {
            let shim = &evidence.shims[at];
            legacy
                .entry(shim.module.clone())
                .or_insert_with(|| ProposedLegacyModule {
                    module: shim.module.clone(),
                    path: self.index.files[shim.file].path.clone(),
                    kind: "shim",
                    names: bound(&shim.module),
                    module_uses: Vec::new(),
                });
        }
        if plan.language == Language::Python {
            for &at in &self.imports_of[plan.canonical] {
                let import = &evidence.imports[at];
                let Some(attribute) = &import.attribute else {
                    continue;
                };
                if import.module == canonical_module
                    || !symbols.iter().any(|symbol| symbol == import.name)
                {
                    continue;
                }
                let Some(file) = self.index.python_module(&import.module) else {
                    continue;
                };
                let importer = &self.index.files[import.file];
                if file.is_package || file.path == importer.path {
                    continue;
                }
                let entry = legacy.entry(import.module.to_string()).or_insert_with(|| {
                    ProposedLegacyModule {
                        module: import.module.to_string(),
                        path: file.path.clone(),
                        kind: "module",
                        names: bound(&import.module),
                        module_uses: Vec::new(),
                    }
                });
                entry.module_uses.push(ModuleUse {
                    path: importer.path.clone(),
                    line: attribute.line,
                    column: attribute.column,
                    expression: format!("{}.{}", attribute.base, import.name),
                });
            }
        }
        if plan.language == Language::Rust {
            self.rust_reexporters(canonical_module, canonical_site.name, &mut legacy);
        }
        let mut legacy: Vec<ProposedLegacyModule> = legacy.into_values().collect();
        for module in &mut legacy {
            module
                .module_uses
                .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        }
        legacy
    }

    /// Every Rust module but the canonical one that re-exports the
    /// canonical type (`pub use`, at its top level, renamed or not, through
    /// any chain). Crate roots are left out: like a package `__init__` they
    /// are the crate's facade, and a crate name as a legacy module would make
    /// every file that names the crate one to parse.
    pub(super) fn rust_reexporters(
        &self,
        canonical_module: &str,
        canonical_name: &str,
        legacy: &mut BTreeMap<String, ProposedLegacyModule>,
    ) {
        let mut found: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
        for file in self
            .index
            .files
            .iter()
            .filter(|file| file.language == Language::Rust)
        {
            let Some(file_module) = file.module.as_deref() else {
                continue;
            };
            for import in &file.imports {
                let (Some(resolved), Some(name)) =
                    (import.resolved.as_deref(), import.name.as_deref())
                else {
                    continue;
                };
                if !import.public || import.scope != Scope::Module || name == "*" {
                    continue;
                }
                let module = crate::index::rust_item_module(file_module, &import.mod_path);
                if module == canonical_module || !module.contains("::") {
                    continue;
                }
                let reaches = matches!(
                    self.index.resolve_rust(&format!("{resolved}::{name}")),
                    Origin::Class { module, name }
                        if module == canonical_module && name == canonical_name
                );
                if reaches {
                    let bound = import.asname.as_deref().unwrap_or(name).to_string();
                    found
                        .entry(module)
                        .or_insert_with(|| (file.path.clone(), BTreeSet::new()))
                        .1
                        .insert(bound);
                }
            }
            // `pub type X = …::Canonical;` re-exports under a second name.
            for definition in &file.definitions {
                if !definition.public || !definition.top_level || definition.aliased.is_none() {
                    continue;
                }
                let module = crate::index::rust_item_module(file_module, &definition.mod_path);
                if module == canonical_module || !module.contains("::") {
                    continue;
                }
                let name = definition.name.trim_start_matches("r#");
                let reaches = matches!(
                    self.index.resolve_rust(&format!("{module}::{name}")),
                    Origin::Class { module, name }
                        if module == canonical_module && name == canonical_name
                );
                if reaches {
                    found
                        .entry(module)
                        .or_insert_with(|| (file.path.clone(), BTreeSet::new()))
                        .1
                        .insert(name.to_string());
                }
            }
        }
        for (module, (path, names)) in found {
            legacy
                .entry(module.clone())
                .or_insert_with(|| ProposedLegacyModule {
                    module,
                    path,
                    kind: "reexport",
                    names: names.into_iter().collect(),
                    module_uses: Vec::new(),
                });
        }
    }
}

/// Why a module is proposed as legacy, for the evidence line.
pub fn legacy_reason(module: &ProposedLegacyModule) -> String {
    match module.kind {
        "shim" => "a shim (only imports, aliases and `__all__`)".to_string(),
        "reexport" => format!(
            "re-exports it (`pub use`, `pub type`) as {}",
            module.names.join(", ")
        ),
        _ => {
            let files: BTreeSet<&str> = module
                .module_uses
                .iter()
                .map(|module_use| module_use.path.as_str())
                .collect();
            let example = module
                .module_uses
                .first()
                .map(|module_use| module_use.expression.as_str())
                .unwrap_or("m.S");
            format!(
                "binds {} to it and {} file{} import{} it as a module (`{example}`)",
                module.names.join(", "),
                files.len(),
                plural(files.len()),
                if files.len() == 1 { "s" } else { "" },
            )
        }
    }
}
