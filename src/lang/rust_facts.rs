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
    // Every declaration holds `mod name;`, which starts with a literal the
    // regex engine finds with memchr; the full pattern starts with optional
    // parts, so it would run its automaton over every byte of every file.
    static DECLARATION: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| {
            regex::Regex::new(r"mod[ \t]+(?:r#)?[A-Za-z_][A-Za-z0-9_]*[ \t]*;").ok()
        });
    let (Some(pattern), Some(declaration)) = (PATTERN.as_ref(), DECLARATION.as_ref()) else {
        return Vec::new();
    };
    if !declaration.is_match(text) {
        return Vec::new();
    }
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

#[cfg(test)]
mod tests {
    use super::mod_declarations;

    fn names(text: &str) -> Vec<(String, Option<String>)> {
        mod_declarations(text)
            .into_iter()
            .map(|decl| (decl.name, decl.path_attr))
            .collect()
    }

    #[test]
    fn declarations_with_visibility_and_path_attributes() {
        let text = "//! mod docs;\nmod a;\npub mod b ;\npub(crate) mod r#c;\n\
                    #[path = \"x/d.rs\"]\npub mod d;\n    mod e;\nmod f { }\nlet mod_g;\n";
        assert_eq!(
            names(text),
            vec![
                ("a".to_string(), None),
                ("b".to_string(), None),
                ("r#c".to_string(), None),
                ("d".to_string(), Some("x/d.rs".to_string())),
                ("e".to_string(), None),
            ]
        );
    }

    #[test]
    fn no_declaration_without_a_mod_statement() {
        assert!(names("fn model() {}\nmod inline { fn f() {} }\n// mod x;\n").is_empty());
        assert!(names("").is_empty());
    }
}
