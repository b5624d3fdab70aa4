//! Python facts with ruff's parser: imports with scope and guard, class
//! definitions, module-level aliases and bindings, `__all__`, `patch("…")`
//! targets and module-alias attribute uses.

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{PySourceType, Stmt};
use rustc_hash::FxHashSet;

use super::skim::{skim_into, Skim, SkimBuffers};
use super::{FileFacts, Note};
use crate::source::LineLookup;

mod collect;
mod depth;
mod modules;

use collect::{Collector, Context, ExpressionFacts};
pub use depth::{max_nesting, nesting_problem, MAX_BRACKET_NESTING, MAX_DEPTH};
pub use modules::{module_path, resolve_relative};

/// A parser message made printable: control characters (a NUL byte in the
/// source shows up in "unexpected token" messages) are escaped.
fn printable(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Extracts the facts of one Python file. `text` has its BOM removed.
pub fn extract(facts: &mut FileFacts, text: &str, stub: bool) {
    extract_from(facts, text, None, stub);
}

/// The same facts as [`extract`], parsing a skimmed copy of `text` (function
/// bodies reduced to the lines that can hold a fact, see [`super::skim`]);
/// with `packages`, attribute uses only of modules in those top-level
/// packages.
/// Falls back to the full parse when the skim gives up or the skimmed text
/// does not parse cleanly, so a file with a syntax error gets the very notes
/// and facts of [`extract`].
pub fn extract_skimmed(
    facts: &mut FileFacts,
    text: &str,
    stub: bool,
    packages: Option<&FxHashSet<String>>,
) {
    thread_local! {
        static BUFFERS: std::cell::RefCell<SkimBuffers> = std::cell::RefCell::new(SkimBuffers::default());
    }
    let skimmed_cleanly = BUFFERS.with(|buffers| {
        let mut buffers = buffers.borrow_mut();
        let clean = match skim_into(text, packages, &mut buffers) {
            Skim::Changed => buffers.text().is_some_and(|skimmed| {
                let mut trial = facts.clone();
                let clean = extract_from(&mut trial, text, Some((skimmed, &buffers)), stub);
                if clean {
                    *facts = trial;
                }
                clean
            }),
            Skim::Unchanged | Skim::GaveUp => false,
        };
        buffers.shrink();
        clean
    });
    if !skimmed_cleanly {
        extract(facts, text, stub);
    }
}

/// Extracts the facts of `text` by parsing it, or a skimmed copy of it
/// (same lines, the lines that hold facts unchanged; offsets mapped back
/// through the buffers). False when a skimmed copy does not parse cleanly
/// (its facts are then not those of `text`).
fn extract_from(
    facts: &mut FileFacts,
    text: &str,
    skimmed: Option<(&str, &SkimBuffers)>,
    stub: bool,
) -> bool {
    let lines = LineLookup::new(text);
    facts.suppressions = super::suppressions(text, &lines, "#");
    let parsed_text = skimmed.map_or(text, |(skimmed, _)| skimmed);
    // The bound protects the parse, so it is checked on the text parsed.
    if let Some(message) = nesting_problem(parsed_text) {
        facts.parsed_cleanly = false;
        facts.notes.push(Note {
            code: Note::PARSE.into(),
            path: facts.path.clone(),
            line: 1,
            column: 1,
            message,
        });
        return true;
    }
    let source_type = if stub {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(parsed_text, source_type);
    if let Some(error) = parsed.errors().first() {
        if skimmed.is_some() {
            return false;
        }
        facts.parsed_cleanly = false;
        let at = lines.line_col(error.location.start().to_usize());
        facts.notes.push(Note {
            code: Note::PARSE.into(),
            path: facts.path.clone(),
            line: at.line,
            column: at.column,
            message: format!("syntax error: {}", printable(&error.error.to_string())),
        });
    }
    let module = parsed.syntax();
    let mut collector = Collector {
        facts,
        lines: &lines,
        offsets: skimmed.map(|(_, buffers)| buffers),
        import_bases: FxHashSet::default(),
    };
    // Room for the module level's facts up front (those the skim read too):
    // growing a vector of import facts copies them each time.
    let imported: usize = module
        .body
        .iter()
        .map(|stmt| match stmt {
            Stmt::Import(import) => import.names.len(),
            Stmt::ImportFrom(import) => import.names.len(),
            _ => 0,
        })
        .sum::<usize>()
        + skimmed.map_or(0, |(_, buffers)| buffers.imported_names());
    collector.facts.imports.reserve(imported);
    collector
        .facts
        .bindings
        .reserve(imported + module.body.len());
    collector.suite(&module.body, Context::module());

    let wants_patch = memchr::memmem::find(text.as_bytes(), b"patch").is_some();
    if wants_patch || !collector.import_bases.is_empty() {
        let mut visitor = ExpressionFacts {
            collector: &mut collector,
            wants_patch,
        };
        for stmt in &module.body {
            visitor.visit_stmt(stmt);
        }
    }
    true
}

#[cfg(test)]
mod tests;
