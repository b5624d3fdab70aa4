//! The project index: module <-> file, module-level bindings, and re-export
//! chains followed to the object they finally name.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use std::collections::BTreeMap;

use crate::config::Language;
use crate::crates::{self, CrateRoot};
use crate::lang::{AliasValue, BindingKind, DefinitionKind, FileFacts, ImportKind, Scope};

/// What a `(module, name)` pair finally names once re-exports are followed:
/// owned, or (from [`ProjectIndex::reach`]) borrowed from the index where it
/// can be.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin<S = String> {
    /// A class (or Rust type) defined in `module`.
    Class { module: S, name: S },
    /// A function defined in `module` (a factory bound to a concept's name).
    Function { module: S, name: S },
    /// Something else bound by an assignment that is not an alias.
    Value { module: S, name: S },
    /// A module object.
    Module(S),
    /// The chain leaves the project or names nothing.
    Unresolved { module: S, name: S },
    /// The chain loops back on itself.
    Cycle,
}

/// A resolution that copies no string the index already holds.
pub type Reached<'s> = Origin<Cow<'s, str>>;

impl<S> Origin<S> {
    /// The same origin with each of its strings turned by `text`.
    pub fn map<T>(self, text: impl Fn(S) -> T) -> Origin<T> {
        match self {
            Origin::Class { module, name } => Origin::Class {
                module: text(module),
                name: text(name),
            },
            Origin::Function { module, name } => Origin::Function {
                module: text(module),
                name: text(name),
            },
            Origin::Value { module, name } => Origin::Value {
                module: text(module),
                name: text(name),
            },
            Origin::Module(module) => Origin::Module(text(module)),
            Origin::Unresolved { module, name } => Origin::Unresolved {
                module: text(module),
                name: text(name),
            },
            Origin::Cycle => Origin::Cycle,
        }
    }
}

pub struct ProjectIndex {
    /// All scanned files, sorted by path.
    pub files: Vec<FileFacts>,
    python_modules: FxHashMap<String, usize>,
    /// Rust module path (`crate_name::a::b`, inline modules too) -> file.
    rust_modules: BTreeMap<String, usize>,
    /// Module-level names of each Rust module.
    rust_bindings: HashMap<String, Vec<RustBinding>>,
    /// The files whose imports name a module, by that module: a `from`
    /// import's module and the module its name may be (`from a import b`:
    /// `a` and `a.b`), an `import`'s module.
    importers: FxHashMap<std::sync::Arc<str>, Vec<usize>>,
    /// The files with patch strings.
    patchers: Vec<usize>,
}

/// A name bound at module level in Rust.
#[derive(Debug, Clone)]
struct RustBinding {
    name: String,
    target: RustTarget,
}

#[derive(Debug, Clone)]
enum RustTarget {
    /// struct / enum / trait / union defined here.
    Definition,
    /// `type X = path;`
    TypeAlias(String),
    /// `use path;` / `use path as name;` (absolute path).
    Use(String),
    /// `use path::*;` (absolute module).
    Glob(String),
}

/// A chain is never longer than this; anything longer is treated as a cycle.
const MAX_CHAIN: usize = 64;

/// The (module, name) pairs one resolution has passed: a handful, so a list.
struct Visited<S>(Vec<(S, S)>);

impl<S: AsRef<str>> Visited<S> {
    fn new() -> Self {
        Self(Vec::new())
    }

    /// Records the pair (made by `pair` only when it is new); false when it
    /// was passed before (a cycle) or the chain is too long.
    fn first_visit(&mut self, module: &str, name: &str, pair: impl FnOnce() -> (S, S)) -> bool {
        if self.0.len() >= MAX_CHAIN
            || self.0.iter().any(|(seen_module, seen_name)| {
                seen_module.as_ref() == module && seen_name.as_ref() == name
            })
        {
            return false;
        }
        self.0.push(pair());
        true
    }
}

thread_local! {
    /// `module.name` for the submodule lookups of [`ProjectIndex::reach`].
    static SUBMODULE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl ProjectIndex {
    pub fn new(mut files: Vec<FileFacts>, crate_roots: &[CrateRoot]) -> Self {
        let rust_modules = crates::assign_modules(&mut files, crate_roots);
        let crate_names: HashSet<&str> =
            crate_roots.iter().map(|root| root.name.as_str()).collect();
        let rust_bindings = resolve_rust_uses(&mut files, &rust_modules, &crate_names);
        let mut python_modules: FxHashMap<String, usize> = FxHashMap::default();
        for (id, file) in files.iter().enumerate() {
            if file.language != Language::Python {
                continue;
            }
            let Some(module) = &file.module else { continue };
            match python_modules.get(module) {
                // A package beats a module of the same name, and a `.py`
                // beats its `.pyi` stub, as at import time.
                Some(&existing) if !prefer(file, &files[existing]) => {}
                _ => {
                    python_modules.insert(module.clone(), id);
                }
            }
        }
        let mut importers: FxHashMap<std::sync::Arc<str>, Vec<usize>> = FxHashMap::default();
        let mut patchers = Vec::new();
        for (id, file) in files.iter().enumerate() {
            if !file.patch_targets.is_empty() {
                patchers.push(id);
            }
            for import in &file.imports {
                let joined = import
                    .resolved
                    .as_deref()
                    .zip(import.name.as_deref())
                    .map(|(parent, name)| std::sync::Arc::from(join_module(parent, name)));
                let named = [import.resolved.clone(), import.module.clone(), joined];
                for module in named.into_iter().flatten() {
                    let ids = importers.entry(module).or_default();
                    if ids.last() != Some(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        Self {
            files,
            python_modules,
            rust_modules,
            rust_bindings,
            importers,
            patchers,
        }
    }

    /// Every file with an import naming `module` (see `importers`), then
    /// every file with a patch string: the files that can use `module`'s
    /// names from outside it.
    pub fn files_referring_to<'a>(&'a self, module: &str) -> impl Iterator<Item = &'a FileFacts> {
        self.files_importing(module).chain(self.files_patching())
    }

    /// Every file with an import naming `module` (see `importers`), in
    /// path order.
    pub fn files_importing<'a>(&'a self, module: &str) -> impl Iterator<Item = &'a FileFacts> {
        self.importers
            .get(module)
            .into_iter()
            .flatten()
            .map(|&id| &self.files[id])
    }

    /// Every file with a patch string, in path order.
    pub fn files_patching(&self) -> impl Iterator<Item = &FileFacts> {
        self.patchers.iter().map(|&id| &self.files[id])
    }

    pub fn has_rust_module(&self, module: &str) -> bool {
        self.rust_modules.contains_key(module)
    }

    /// Every Rust module of the project (inline `mod`s too), sorted.
    pub fn rust_module_names(&self) -> impl Iterator<Item = &str> {
        self.rust_modules.keys().map(String::as_str)
    }

    /// The file holding a Rust module.
    pub fn rust_module_file(&self, module: &str) -> Option<&FileFacts> {
        self.rust_modules.get(module).map(|&id| &self.files[id])
    }

    /// The names a Rust module binds at its top level: its items and the
    /// leaves of its `use` trees (renamed ones by their new name).
    pub fn rust_names(&self, module: &str) -> impl Iterator<Item = &str> {
        self.rust_bindings
            .get(module)
            .into_iter()
            .flatten()
            .map(|binding| binding.name.as_str())
    }

    /// Whether a Rust module has a `use …::*` at its top level.
    pub fn rust_has_glob(&self, module: &str) -> bool {
        self.rust_bindings
            .get(module)
            .into_iter()
            .flatten()
            .any(|binding| matches!(binding.target, RustTarget::Glob(_)))
    }

    /// Every Python module a scanned file provides (unordered).
    pub fn python_module_names(&self) -> impl Iterator<Item = &str> {
        self.python_modules.keys().map(String::as_str)
    }

    /// Follows a Rust path (`crate_name::legacy::Manager`) to what it names.
    pub fn resolve_rust(&self, path: &str) -> Origin {
        let mut visited = Visited::new();
        self.resolve_rust_inner(path, &mut visited)
    }

    fn resolve_rust_inner(&self, path: &str, visited: &mut Visited<String>) -> Origin {
        let (module, name) = path.rsplit_once("::").unwrap_or(("", path));
        if !visited.first_visit(module, name, || (module.to_string(), name.to_string())) {
            return Origin::Cycle;
        }
        let bindings = self
            .rust_bindings
            .get(module)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if let Some(binding) = bindings.iter().rev().find(|binding| binding.name == name) {
            return match &binding.target {
                RustTarget::Definition => Origin::Class {
                    module: module.to_string(),
                    name: name.to_string(),
                },
                RustTarget::TypeAlias(target) | RustTarget::Use(target) => {
                    self.resolve_rust_inner(target, visited)
                }
                RustTarget::Glob(_) => Origin::Cycle,
            };
        }
        if self.has_rust_module(path) {
            return Origin::Module(path.to_string());
        }
        for binding in bindings {
            if let RustTarget::Glob(source) = &binding.target {
                let origin = self.resolve_rust_inner(&format!("{source}::{name}"), visited);
                if !matches!(origin, Origin::Unresolved { .. }) {
                    return origin;
                }
            }
        }
        Origin::Unresolved {
            module: module.to_string(),
            name: name.to_string(),
        }
    }

    pub fn python_module(&self, module: &str) -> Option<&FileFacts> {
        self.python_modules.get(module).map(|&id| &self.files[id])
    }

    pub fn has_python_module(&self, module: &str) -> bool {
        self.python_modules.contains_key(module)
    }

    /// Whether `module.name` is a module of the project (without building
    /// the name anew for each lookup).
    pub fn has_python_submodule(&self, module: &str, name: &str) -> bool {
        SUBMODULE.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            buffer.clear();
            push_joined(&mut buffer, module, name);
            self.has_python_module(&buffer)
        })
    }

    /// Follows `from module import name` to what it finally names.
    pub fn resolve(&self, module: &str, name: &str) -> Origin {
        self.reach(module, name).map(Cow::into_owned)
    }

    /// [`ProjectIndex::resolve`], borrowing the names it ends at from the
    /// index or the arguments: no string is copied on the way (the modules
    /// a dotted alias names excepted).
    pub fn reach<'s>(&'s self, module: &'s str, name: &'s str) -> Reached<'s> {
        let mut visited = Visited::new();
        self.reach_inner(Cow::Borrowed(module), Cow::Borrowed(name), &mut visited)
    }

    fn reach_inner<'s>(
        &'s self,
        module: Cow<'s, str>,
        name: Cow<'s, str>,
        visited: &mut Visited<Cow<'s, str>>,
    ) -> Reached<'s> {
        if !visited.first_visit(&module, &name, || (module.clone(), name.clone())) {
            return Origin::Cycle;
        }
        let submodule = |module: &str, name: &str| {
            self.has_python_submodule(module, name)
                .then(|| Origin::Module(Cow::Owned(join_module(module, name))))
        };
        let Some(file) = self.python_module(&module) else {
            return submodule(&module, &name).unwrap_or(Origin::Unresolved { module, name });
        };
        let Some(binding) = file.binding(&name) else {
            if let Some(origin) = submodule(&module, &name) {
                return origin;
            }
            // A name a star import brings in.
            for import in &file.imports {
                if import.kind == ImportKind::From
                    && import.scope == Scope::Module
                    && import.name.as_deref() == Some("*")
                {
                    if let Some(source) = &import.resolved {
                        let origin = self.reach_inner(Cow::Borrowed(source), name.clone(), visited);
                        if !matches!(origin, Origin::Unresolved { .. }) {
                            return origin;
                        }
                    }
                }
            }
            return Origin::Unresolved { module, name };
        };
        match &binding.kind {
            BindingKind::Class => Origin::Class { module, name },
            BindingKind::Function => Origin::Function { module, name },
            BindingKind::Other => Origin::Value { module, name },
            BindingKind::FromImport { import } => {
                let source = file
                    .imports
                    .get(*import)
                    .and_then(|fact| Some((fact.resolved.as_deref()?, fact.name.as_deref()?)));
                match source {
                    Some((source, imported)) => {
                        self.reach_inner(Cow::Borrowed(source), Cow::Borrowed(imported), visited)
                    }
                    None => Origin::Unresolved { module, name },
                }
            }
            BindingKind::ModuleImport { module: target } => Origin::Module(Cow::Borrowed(target)),
            BindingKind::Alias(AliasValue::Name(source)) => {
                self.reach_inner(module, Cow::Borrowed(source), visited)
            }
            BindingKind::Alias(AliasValue::Attribute { base, attr }) => {
                match self.reach_dotted(module.clone(), base, visited) {
                    Some(target) => self.reach_inner(target, Cow::Borrowed(attr), visited),
                    None => Origin::Unresolved { module, name },
                }
            }
        }
    }

    /// The module a dotted expression such as `m` or `pkg.sub` names inside `module`.
    fn reach_dotted<'s>(
        &'s self,
        module: Cow<'s, str>,
        dotted: &'s str,
        visited: &mut Visited<Cow<'s, str>>,
    ) -> Option<Cow<'s, str>> {
        let (first, rest) = match dotted.split_once('.') {
            Some((first, rest)) => (first, Some(rest)),
            None => (dotted, None),
        };
        let Origin::Module(target) = self.reach_inner(module, Cow::Borrowed(first), visited) else {
            return None;
        };
        Some(match rest {
            Some(rest) => Cow::Owned(join_module(&target, rest)),
            None => target,
        })
    }

    /// The module `name` names when imported from `module` (`from pkg import legacy`).
    pub fn module_named(&self, module: &str, name: &str) -> Option<String> {
        match self.resolve(module, name) {
            Origin::Module(target) => Some(target),
            _ => None,
        }
    }
}

/// The module a Rust item lives in: the file's module plus inline `mod`s.
pub fn rust_item_module(file_module: &str, mod_path: &[String]) -> String {
    let mut module = file_module.to_string();
    for inline in mod_path {
        module.push_str("::");
        module.push_str(inline.strip_prefix("r#").unwrap_or(inline));
    }
    module
}

/// Makes a `use` path absolute from the module it appears in: `crate`,
/// `self`, `super`, a leading `::`, workspace crate names and child modules.
/// Paths into other crates (std, dependencies) are returned as written.
pub fn absolute_rust_path(
    current: &str,
    path: &str,
    modules: &BTreeMap<String, usize>,
    crate_names: &HashSet<&str>,
) -> String {
    let path = path.strip_prefix("::").unwrap_or(path);
    let mut segments = path
        .split("::")
        .map(|segment| segment.strip_prefix("r#").unwrap_or(segment));
    let Some(first) = segments.next() else {
        return String::new();
    };
    let mut base: Vec<&str> = match first {
        "crate" => current.split("::").take(1).collect(),
        "self" => current.split("::").collect(),
        "super" => {
            let mut parts: Vec<&str> = current.split("::").collect();
            parts.pop();
            parts
        }
        other => {
            let child = format!("{current}::{other}");
            if modules.contains_key(&child) && !crate_names.contains(other) {
                let mut parts: Vec<&str> = current.split("::").collect();
                parts.push(other);
                parts
            } else {
                vec![other]
            }
        }
    };
    for segment in segments {
        if segment == "super" {
            base.pop();
        } else if segment != "self" {
            base.push(segment);
        }
    }
    base.join("::")
}

/// Fills `resolved` on every Rust `use` fact of a file with a known module,
/// and collects each module's bindings.
fn resolve_rust_uses(
    files: &mut [FileFacts],
    modules: &BTreeMap<String, usize>,
    crate_names: &HashSet<&str>,
) -> HashMap<String, Vec<RustBinding>> {
    let mut bindings: HashMap<String, Vec<RustBinding>> = HashMap::new();
    for file in files.iter_mut() {
        if file.language != Language::Rust {
            continue;
        }
        let Some(file_module) = file.module.clone() else {
            continue;
        };
        for import in &mut file.imports {
            let current = rust_item_module(&file_module, &import.mod_path);
            let Some(module) = &import.module else {
                continue;
            };
            let resolved = absolute_rust_path(&current, module, modules, crate_names);
            let Some(name) = import.name.as_deref().map(str::to_string) else {
                continue;
            };
            if import.scope == Scope::Module {
                let (bound, target) = match name.as_str() {
                    "*" => (String::new(), RustTarget::Glob(resolved.clone())),
                    "self" => (
                        resolved
                            .rsplit("::")
                            .next()
                            .unwrap_or(&resolved)
                            .to_string(),
                        RustTarget::Use(resolved.clone()),
                    ),
                    _ => (name.clone(), RustTarget::Use(format!("{resolved}::{name}"))),
                };
                let bound = match import.asname.as_deref() {
                    Some("_") => None,
                    Some(asname) => Some(asname.to_string()),
                    None => Some(bound),
                };
                if let Some(bound) = bound {
                    bindings.entry(current).or_default().push(RustBinding {
                        name: bound,
                        target,
                    });
                }
            }
            import.resolved = Some(resolved.into());
        }
        for definition in &file.definitions {
            if !definition.top_level {
                continue;
            }
            let current = rust_item_module(&file_module, &definition.mod_path);
            let target =
                match (&definition.kind, &definition.aliased) {
                    (DefinitionKind::Type, Some(aliased)) => RustTarget::TypeAlias(
                        absolute_rust_path(&current, aliased, modules, crate_names),
                    ),
                    _ => RustTarget::Definition,
                };
            bindings.entry(current).or_default().push(RustBinding {
                name: definition
                    .name
                    .strip_prefix("r#")
                    .unwrap_or(&definition.name)
                    .to_string(),
                target,
            });
        }
    }
    bindings
}

/// `module.name`, or `name` inside the root package (empty module path).
pub fn join_module(module: &str, name: &str) -> String {
    let mut joined = String::with_capacity(module.len() + 1 + name.len());
    push_joined(&mut joined, module, name);
    joined
}

/// [`join_module`] onto the end of `text`.
fn push_joined(text: &mut String, module: &str, name: &str) {
    if !module.is_empty() {
        text.push_str(module);
        text.push('.');
    }
    text.push_str(name);
}

fn prefer(candidate: &FileFacts, existing: &FileFacts) -> bool {
    let rank = |file: &FileFacts| (file.is_package, !file.path.ends_with(".pyi"));
    rank(candidate) > rank(existing)
}

#[cfg(test)]
mod tests;
