//! Per-file facts, the only thing kept of a source file once it is parsed.

pub mod python;
pub mod rust;
pub mod rust_facts;
pub mod skim;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Language;

pub use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Import,
    From,
    Use,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Module,
    Function,
    Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Guard {
    TypeChecking,
    Try,
}

/// One imported name: `import a, b` gives two. The names of one statement
/// share their modules, and a bound name shares its text with the binding
/// (reference-counted strings: a code base holds hundreds of thousands).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportFact {
    pub kind: ImportKind,
    pub module: Option<Arc<str>>,
    pub level: u32,
    pub name: Option<Arc<str>>,
    pub asname: Option<Arc<str>>,
    /// The absolute module (Python), or for Rust the path with `crate`/`self`/
    /// `super` resolved where the file's module path is known.
    pub resolved: Option<Arc<str>>,
    pub scope: Scope,
    pub guard: Option<Guard>,
    /// The whole statement / `use` item.
    pub statement: Span,
    /// The imported name as written (`X as Y` for a renamed import, the leaf
    /// path for Rust).
    pub alias: Span,
    /// Rust: the item is `pub` (a re-export).
    pub public: bool,
    /// Rust: the enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefinitionKind {
    Class,
    Struct,
    Enum,
    Trait,
    Union,
    Type,
}

/// A class, struct, enum, trait, union or type alias definition, at any depth.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Definition {
    pub kind: DefinitionKind,
    pub name: String,
    pub name_span: Span,
    /// Defined directly in the module (not nested in a function or class).
    pub top_level: bool,
    /// Rust `type X = path::Y;`: the aliased path.
    pub aliased: Option<String>,
    pub public: bool,
    /// Rust: the enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

/// The right-hand side of a module-level alias assignment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AliasValue {
    /// `X = S`
    Name(String),
    /// `X = m.S` (base is the dotted name before the last attribute).
    Attribute { base: String, attr: String },
}

impl AliasValue {
    pub fn symbol(&self) -> &str {
        match self {
            AliasValue::Name(name) => name,
            AliasValue::Attribute { attr, .. } => attr,
        }
    }
}

/// A module-level `X = S`, `X: T = S` or `X = m.S`, one per target name.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AliasAssignment {
    pub target: String,
    pub target_span: Span,
    pub value: AliasValue,
    pub statement: Span,
    /// Inside a `match` case: bound at module level but not counted as an alias.
    pub in_match: bool,
}

/// How a module-level name is bound, for following re-export chains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BindingKind {
    Class,
    Function,
    /// `from module import name`: the index in the file's `imports` of the
    /// fact that binds it (its `resolved` module, None when unresolvable,
    /// and its `name`), so the strings are not kept twice.
    FromImport {
        import: usize,
    },
    /// `import a.b.c` binds `a`; `import a.b as m` binds `m` to `a.b`.
    ModuleImport {
        module: String,
    },
    Alias(AliasValue),
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binding {
    pub name: Arc<str>,
    pub kind: BindingKind,
}

/// A string argument of `patch(...)` / `mock.patch(...)` / `patch.object(...)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PatchTarget {
    pub value: String,
    pub span: Span,
}

/// `m.Name` where `m` was bound by an `import` statement in the same file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeUse {
    pub base: String,
    pub attr: String,
    /// The `m.Name` expression.
    pub span: Span,
}

/// An `ssot: ignore[...]` / `ssot: ignore-file[...]` comment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Suppression {
    pub span: Span,
    /// `ignore-file`: the whole file.
    pub file_level: bool,
    pub codes: Vec<String>,
    /// Why the comment is malformed, if it is.
    pub problem: Option<String>,
}

/// Suppression comments of a file: `comment` is `#` (Python) or `//` (Rust).
pub fn suppressions(
    text: &str,
    lines: &crate::source::LineLookup,
    comment: &str,
) -> Vec<Suppression> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    for at in memchr::memmem::find_iter(bytes, b"ssot:") {
        let (line, line_start) = lines.line_of(at);
        let before = text[line_start..at].trim_end();
        let Some(marker) = before.strip_suffix(comment).map(str::len) else {
            continue;
        };
        let start = line_start + marker;
        let line_end = lines.line_end(at);
        let rest = text[at + 5..line_end].trim_start();
        let (file_level, after) = if let Some(after) = rest.strip_prefix("ignore-file") {
            (true, after)
        } else if let Some(after) = rest.strip_prefix("ignore") {
            (false, after)
        } else {
            continue;
        };
        let mut problem = None;
        let mut codes = Vec::new();
        let form = format!("write `{comment} ssot: ignore[SSOT003] reason` (or ignore-file[...] in the first 10 lines)");
        match after
            .strip_prefix('[')
            .and_then(|inner| inner.split_once(']'))
        {
            Some((list, _)) => {
                for code in list
                    .split(',')
                    .map(str::trim)
                    .filter(|code| !code.is_empty())
                {
                    if crate::diagnostic::Code::parse(code).is_some() {
                        codes.push(code.to_ascii_uppercase());
                    } else {
                        problem =
                            Some(format!("unknown rule code `{code}` in suppression; {form}"));
                    }
                }
                if codes.is_empty() && problem.is_none() {
                    problem = Some(format!("suppression names no rule code; {form}"));
                }
            }
            None => problem = Some(format!("suppression without a rule code; {form}")),
        }
        if file_level && line >= 10 && problem.is_none() {
            problem =
                Some("`ssot: ignore-file[...]` only counts in the first 10 lines".to_string());
        }
        let end = line_end;
        found.push(Suppression {
            span: Span {
                start: start as u32,
                end: end as u32,
                begin: lines.line_col(start),
                finish: lines.line_col(end),
            },
            file_level,
            codes,
            problem,
        });
    }
    found
}

/// A note about a file that could not be read or parsed completely.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Note {
    pub code: std::borrow::Cow<'static, str>,
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl Note {
    /// A file that is only partly understood: a syntax error or nesting
    /// beyond the parser's bounds.
    pub const PARSE: &'static str = "SSOT900";
    /// A file (or directory) that could not be read or is not source text.
    pub const UNREADABLE: &'static str = "SSOT910";

    /// An SSOT910 note about the whole of `path`.
    pub fn unreadable(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: Self::UNREADABLE.into(),
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

/// Everything the audit needs from one file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileFacts {
    /// Root-relative path with `/` separators.
    pub path: String,
    pub language: Language,
    /// Dotted module path (Python) or `crate::a::b` path (Rust), when known.
    pub module: Option<String>,
    /// `__init__.py` / `__init__.pyi`.
    pub is_package: bool,
    pub imports: Vec<ImportFact>,
    pub definitions: Vec<Definition>,
    pub aliases: Vec<AliasAssignment>,
    pub bindings: Vec<Binding>,
    /// Module-level `__all__` entries, in order.
    pub dunder_all: Vec<String>,
    pub patch_targets: Vec<PatchTarget>,
    pub attribute_uses: Vec<AttributeUse>,
    /// Rust `mod` declarations, for module resolution.
    pub rust_modules: Vec<rust::ModDecl>,
    pub suppressions: Vec<Suppression>,
    pub notes: Vec<Note>,
    /// The file parsed completely (no syntax errors).
    pub parsed_cleanly: bool,
    /// The file was parsed; false when the pre-filter proved it cannot
    /// matter (then only its path, module and Rust `mod` declarations are known).
    pub parsed: bool,
    pub size: u64,
}

impl FileFacts {
    /// Only imports, aliases and `__all__` at module level, re-exporting something.
    pub fn is_shim(&self) -> bool {
        self.parsed_cleanly
            && !self.is_package
            && self
                .definitions
                .iter()
                .all(|definition| !definition.top_level)
            && self.bindings.iter().all(|binding| {
                matches!(
                    binding.kind,
                    BindingKind::FromImport { .. }
                        | BindingKind::ModuleImport { .. }
                        | BindingKind::Alias(_)
                )
            })
            && self.bindings.iter().any(|binding| {
                matches!(
                    binding.kind,
                    BindingKind::FromImport { .. } | BindingKind::Alias(_)
                )
            })
    }

    pub fn new(path: String, language: Language) -> Self {
        Self {
            path,
            language,
            module: None,
            is_package: false,
            imports: Vec::new(),
            definitions: Vec::new(),
            aliases: Vec::new(),
            bindings: Vec::new(),
            dunder_all: Vec::new(),
            patch_targets: Vec::new(),
            attribute_uses: Vec::new(),
            rust_modules: Vec::new(),
            suppressions: Vec::new(),
            notes: Vec::new(),
            parsed_cleanly: true,
            parsed: true,
            size: 0,
        }
    }

    pub fn binding(&self, name: &str) -> Option<&Binding> {
        // The last module-level binding of a name is the one importers see.
        self.bindings
            .iter()
            .rev()
            .find(|binding| *binding.name == *name)
    }
}
