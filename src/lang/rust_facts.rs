//! Rust files into [`FileFacts`]: `use` leaves become import facts, type
//! definitions become definitions. Module paths are filled in by the index.

use std::sync::Arc;

use super::rust::{self, DefKind, Visibility};
use super::{Definition, DefinitionKind, FileFacts, ImportFact, ImportKind, Note, Scope, Span};
use crate::source::LineLookup;

fn span(lines: &LineLookup, start: usize, end: usize) -> Span {
    Span {
        start: start as u32,
        end: end as u32,
        begin: lines.line_col(start),
        finish: lines.line_col(end),
    }
}

/// Extracts the facts of one Rust file. `text` has its BOM removed.
pub fn extract(facts: &mut FileFacts, text: &str) {
    let lines = LineLookup::new(text);
    facts.suppressions = super::suppressions(text, &lines, "//");
    let parsed = match rust::extract(text) {
        Ok(parsed) => parsed,
        Err(error) => {
            facts.parsed_cleanly = false;
            let (line, column, message) =
                match (u32::try_from(error.line), u32::try_from(error.column)) {
                    (Ok(line), Ok(column)) => (line, column, error.message.trim().to_string()),
                    _ => (1, 1, error.to_string()),
                };
            facts.notes.push(Note {
                code: Note::PARSE.into(),
                path: facts.path.clone(),
                line,
                column,
                message: format!("Rust parse error: {message}"),
            });
            return;
        }
    };
    for leaf in parsed.uses {
        facts.imports.push(ImportFact {
            kind: ImportKind::Use,
            module: leaf.module.map(Arc::from),
            level: 0,
            name: Some(leaf.name.into()),
            asname: leaf.asname.map(Arc::from),
            resolved: None,
            scope: if leaf.in_fn {
                Scope::Function
            } else {
                Scope::Module
            },
            guard: None,
            statement: span(&lines, leaf.item_start, leaf.item_end),
            alias: span(&lines, leaf.leaf_start, leaf.leaf_end),
            public: leaf.visibility != Visibility::Private,
            mod_path: leaf.mod_path,
        });
    }
    for definition in parsed.definitions {
        facts.definitions.push(Definition {
            kind: match definition.kind {
                DefKind::Struct => DefinitionKind::Struct,
                DefKind::Enum => DefinitionKind::Enum,
                DefKind::Trait => DefinitionKind::Trait,
                DefKind::Union => DefinitionKind::Union,
                DefKind::Type => DefinitionKind::Type,
            },
            name: definition.name,
            name_span: span(&lines, definition.name_start, definition.name_end),
            top_level: !definition.in_fn,
            aliased: definition.aliased,
            public: definition.visibility != Visibility::Private,
            mod_path: definition.mod_path,
        });
    }
    facts.rust_modules = parsed.modules;
}

/// `mod foo;` declarations found by a cheap pattern, for files the pre-filter
/// did not parse: enough to place their child modules in the module tree.
pub fn mod_declarations(text: &str) -> Vec<rust::ModDecl> {
    static PATTERN: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?m)^[ \t]*(?:#\[path\s*=\s*"([^"]*)"\][ \t]*\r?\n?[ \t]*)?(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+((?:r#)?[A-Za-z_][A-Za-z0-9_]*)[ \t]*;"#,
        )
        .ok()
    });
    let Some(pattern) = PATTERN.as_ref() else {
        return Vec::new();
    };
    pattern
        .captures_iter(text)
        .filter_map(|captures| {
            Some(rust::ModDecl {
                name: captures.get(2)?.as_str().to_string(),
                inline: false,
                path_attr: captures.get(1).map(|path| path.as_str().to_string()),
                mod_path: Vec::new(),
            })
        })
        .collect()
}
