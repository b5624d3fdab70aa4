//! What the index says about every class-like definition: where it is
//! defined, through which modules and names it is imported, which aliases
//! name it and which shim modules re-export it. One pass over the facts; the
//! per-file part runs in parallel. The evidence borrows its names and paths
//! from the index: tens of thousands of imports copy no string.

mod collector;
mod definitions;
mod files;

use std::borrow::Cow;

use rustc_hash::FxHashSet;

use crate::config::Language;
pub use collector::collect;
pub use files::is_test_path;

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
