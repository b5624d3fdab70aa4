//! The facts of one Rust file, as the collector finds them.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RustFacts {
    /// Sorted by `item_start`, then source order (the leaves of one item keep
    /// their depth-first, left-to-right order).
    pub uses: Vec<UseLeaf>,
    /// Source order (sorted by `name_start`).
    pub definitions: Vec<TypeDefinition>,
    /// Source order.
    pub modules: Vec<ModDecl>,
}

/// One leaf of a `use` tree: `use a::{b, c as d};` gives two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    /// Start of the `use` item: `pub` / `pub(crate)` when present, else the
    /// `use` token; outer attributes (doc comments too) excluded.
    pub item_start: usize,
    /// Just past the `;`.
    pub item_end: usize,
    /// The segments before the leaf joined with `::`, as written (`r#` kept,
    /// whitespace and comments dropped), a leading `::` kept (also at the start
    /// of a path inside a group: `use {::core::mem::swap};` → `::core::mem`);
    /// `None` when no segment precedes the leaf (`use std;`, `use ::std;`,
    /// `use {a, b};`).
    pub module: Option<String>,
    /// The leaf: `*` for a glob, `self` kept.
    pub name: String,
    /// The `as` rename (`"_"` for `as _`).
    pub asname: Option<String>,
    /// Byte range of the leaf's path as a fixer would rewrite it: from the
    /// first segment of the whole path (its leading `::` included, when it has
    /// one) if the leaf is not inside a group, else from the first segment
    /// inside the innermost group, to the end of the leaf name (the `as X`
    /// excluded). `use a::b::c as d;` → `a::b::c`; `use a::{b::c, d};` →
    /// `b::c` and `d`; `use ::a::b;` → `::a::b`.
    pub leaf_start: usize,
    pub leaf_end: usize,
    /// Of the `use` item.
    pub visibility: Visibility,
    /// Lexically inside a block (fn / method / closure body, `const` / `static`
    /// initialiser, any `{ }` expression), at any depth: the item is not part of
    /// the module tree. Stays true inside an inline `mod` declared in a block.
    pub in_fn: bool,
    /// Names of the enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefKind {
    Struct,
    Enum,
    /// Also a trait alias (`trait A = B;`).
    Trait,
    Union,
    /// `type X = Y;`, and a foreign type (`extern { type X; }`).
    Type,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDefinition {
    pub kind: DefKind,
    pub name: String,
    pub name_start: usize,
    pub name_end: usize,
    pub visibility: Visibility,
    /// For `type X = some::path::Y<...>;`: the aliased path as written, without
    /// generic arguments, joined with `::` (a leading `::` kept), e.g.
    /// `crate::ws::UnifiedManager`; `None` when the type is not a plain path
    /// (`<T as Tr>::X`, `&T`, tuples, ...) and for every other kind.
    pub aliased: Option<String>,
    pub mod_path: Vec<String>,
    /// As [`UseLeaf::in_fn`].
    pub in_fn: bool,
}

/// `mod foo;` (external) or `mod foo { ... }` (inline), at any depth.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModDecl {
    pub name: String,
    pub inline: bool,
    /// The value of a `#[path = "..."]` attribute on the declaration
    /// (`cfg_attr(.., path = ..)` is not evaluated, so not seen).
    pub path_attr: Option<String>,
    /// The enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Visibility {
    Private,
    Pub,
    /// `pub(crate)`, `pub(super)`, `pub(self)`, `pub(in path)`.
    Restricted,
}
