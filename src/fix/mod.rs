//! Fixes: turning violations into edits (the rewrite plan) and applying them
//! safely: atomic writes, BOM / line endings / permissions kept, nothing
//! outside the project root, files changed on disk refused, every rewritten
//! Python file re-parsed before it is written.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::audit::{Audit, PathFilter};
use crate::config::{Concept, Config, Language};
use crate::diagnostic::{Applicability, Code, Edit, FactRef, FileEdits, Fix, Via, Violation};
use crate::index::{Origin, ProjectIndex};
use crate::lang::{FileFacts, ImportFact, ImportKind};
use crate::scan::{self, Parse, Scan, SelectedFile};
use crate::source::{self, Encoding, SourceText};

mod passes;
mod plan;
mod python;
mod rename;
mod retire;
mod rust;
mod write;

use crate::sources::Sources;
pub use passes::{fix_project, unified_diff, FixOutcome};
pub use plan::{
    apply_edits, plan, FilePlan, FixedCounts, PlanTotals, PlannedEdits, PlannedFix, RewritePlan,
};
use python::{python_from_import, python_module_import};
use rust::rust_use;
pub use write::{write_atomic, WriteError};

impl SourceText {
    fn edit(&self, start: usize, end: usize, replacement: impl Into<String>) -> Edit {
        let begin = self.lines.line_col(&self.text, start);
        let finish = self.lines.line_col(&self.text, end);
        Edit {
            start,
            end,
            replacement: replacement.into(),
            line: begin.line,
            column: begin.column,
            end_line: finish.line,
            end_column: finish.column,
        }
    }

    /// Leading whitespace of the line holding `offset`, when nothing but
    /// whitespace precedes `offset` on it.
    fn indent_before(&self, offset: usize) -> Option<&str> {
        let line = self.lines.line_of(offset);
        let start = self.lines.line_start(line);
        let prefix = &self.text[start..offset];
        prefix
            .chars()
            .all(|c| c == ' ' || c == '\t')
            .then_some(prefix)
    }

    /// Deletes `delete` from a statement spanning `statement` and adds `line`
    /// as a statement of its own after it, at its indentation. None when the
    /// statement does not start its line (`x = 1; from a import b`).
    fn move_to_own_line(
        &self,
        delete: (usize, usize),
        statement: (usize, usize),
        line: &str,
    ) -> Option<Vec<Edit>> {
        let indent = self.indent_before(statement.0)?;
        let insert_at = self.line_end(statement.1);
        Some(vec![
            self.edit(delete.0, delete.1, ""),
            self.edit(
                insert_at,
                insert_at,
                format!("{}{indent}{line}", self.newline),
            ),
        ])
    }

    /// Deletes a module-level statement that is alone on its line(s), line
    /// break included. None when anything else shares its lines.
    fn delete_line(&self, start: usize, end: usize) -> Option<Edit> {
        // Only at module level: an indented statement may be its block's only one.
        if !self.indent_before(start)?.is_empty() {
            return None;
        }
        let line_start = self.lines.line_start(self.lines.line_of(start));
        let line_end = self.line_end(end);
        if !self.text[end..line_end].trim().is_empty() {
            return None;
        }
        let after = &self.text[line_end..];
        let eol = if after.starts_with("\r\n") {
            2
        } else {
            usize::from(after.starts_with('\n') || after.starts_with('\r'))
        };
        Some(self.edit(line_start, line_end + eol, ""))
    }

    /// End of the line holding `offset`, before its line break.
    fn line_end(&self, offset: usize) -> usize {
        let line = self.lines.line_of(offset);
        self.lines.line_range(&self.text, line).end
    }
}

/// Computes the fix of every violation that has one, on the text the scan
/// read; a file without text (unreadable, changed since cached) gets none.
pub fn attach_fixes(audit: &mut Audit) {
    // The fixes of one file are made on one parser thread, which parses the
    // file once for all of them (see `rename`); files in parallel.
    use rayon::prelude::*;
    let (index, config, sources) = (&audit.index, &audit.config, &audit.sources);
    let mut groups: Vec<&mut [Violation]> = audit
        .violations
        .chunk_by_mut(|one, other| one.path == other.path)
        .collect();
    let fix_group = |group: &mut &mut [Violation]| {
        let fixes = on_parser_stack(|| {
            group
                .iter()
                .map(|violation| {
                    if !matches!(
                        violation.code,
                        Code::NoncanonicalImport | Code::AliasReexport
                    ) {
                        return None;
                    }
                    let fact = violation.fact?;
                    let concept = violation.concept.and_then(|id| config.concepts.get(id))?;
                    fix_for(index, concept, violation, fact, sources)
                        .filter(|fix| well_formed(fix, &violation.path, sources))
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
        for (violation, fix) in group.iter_mut().zip(fixes) {
            violation.fix = fix;
        }
    };
    in_parser_pool(|| groups.par_iter_mut().for_each(fix_group));
    // A patch string that another fix rewrites (it moves with a renamed
    // binding or a moved lookup) gets no fix of its own: the two would
    // rewrite one literal two ways.
    let moved: std::collections::BTreeSet<(String, usize)> = audit
        .violations
        .iter()
        .filter_map(|violation| Some((violation, violation.fix.as_ref()?)))
        .flat_map(|(violation, fix)| {
            let own = fix
                .edits
                .iter()
                .filter(|_| violation.via != Via::String)
                .map(|edit| (violation.path.clone(), edit.start));
            let others = fix.other_files.iter().flat_map(|other| {
                other
                    .edits
                    .iter()
                    .map(|edit| (other.path.clone(), edit.start))
            });
            own.chain(others).collect::<Vec<_>>()
        })
        .collect();
    for violation in &mut audit.violations {
        if violation.via == Via::String
            && moved.contains(&(violation.path.clone(), violation.span.start as usize))
        {
            violation.fix = None;
        }
    }
}

pub(super) fn fix_for(
    index: &ProjectIndex,
    concept: &Concept,
    violation: &Violation,
    fact: FactRef,
    sources: &Sources,
) -> Option<Fix> {
    let text = sources.get(&violation.path)?;
    match fact {
        FactRef::Import { file, import } => {
            let file = &index.files[file];
            if !file.parsed_cleanly || file.module.as_deref() == Some(&concept.canonical_module) {
                return None;
            }
            let import = &file.imports[import];
            if violation.code == Code::AliasReexport {
                return alias_fix(index, concept, violation, file, import, sources);
            }
            match (import.kind, violation.via) {
                (ImportKind::From, Via::Import) if is_symbol_import(concept, import) => {
                    python_from_import(index, concept, file, import, sources, false)
                }
                (ImportKind::Import | ImportKind::From, Via::Import) => {
                    python_module_import(index, concept, file, import, sources)
                }
                (ImportKind::Use, Via::Import) => rust_use(index, concept, file, import, text),
                _ => None,
            }
        }
        FactRef::Alias { file, alias } => {
            let file = &index.files[file];
            let alias = &file.aliases[alias];
            let statement = (alias.statement.start as usize, alias.statement.end as usize);
            retire::retire(index, file, &alias.target, statement, None, text)
        }
        FactRef::Patch { file, target } => {
            let target = &index.files[file].patch_targets[target];
            let canonical = format!("{}.{}", concept.canonical_module, concept.canonical_symbol);
            let edit = python::patch_literal_edit(text, target, &canonical)?;
            Some(Fix {
                applicability: Applicability::Unsafe,
                edits: vec![edit],
                title: "patch the canonical path (the patched lookup may differ)".into(),
                other_files: Vec::new(),
            })
        }
    }
}

/// SSOT002 of an import: a renamed import of the canonical object gets its
/// uses renamed; a re-export (or rename) nothing uses is retired.
fn alias_fix(
    index: &ProjectIndex,
    concept: &Concept,
    violation: &Violation,
    file: &FileFacts,
    import: &ImportFact,
    sources: &Sources,
) -> Option<Fix> {
    if file.language != Language::Python || import.kind != ImportKind::From {
        return None;
    }
    let name = import.name.as_deref()?;
    let local = import.asname.as_deref().unwrap_or(name);
    if violation.via == Via::Rename && same_object(index, concept, import.resolved.as_deref(), name)
    {
        if let Some(fix) = python_from_import(index, concept, file, import, sources, true) {
            return Some(fix);
        }
    }
    let statement = (
        import.statement.start as usize,
        import.statement.end as usize,
    );
    let text = sources.get(&file.path)?;
    retire::retire(index, file, local, statement, Some(import), text)
}

/// The edit's range lies inside the text, on character boundaries.
fn inside(text: &SourceText, edit: &Edit) -> bool {
    edit.start <= edit.end
        && edit.end <= text.text.len()
        && text.text.is_char_boundary(edit.start)
        && text.text.is_char_boundary(edit.end)
}

/// Every edit of the fix lies inside its file's text and no two overlap:
/// anything else is a fixer bug, and the fix is dropped rather than shown
/// or applied.
fn well_formed(fix: &Fix, path: &str, sources: &Sources) -> bool {
    let fits_alone = |path: &str, edits: &[Edit]| {
        sources.get(path).is_some_and(|text| {
            let mut sorted: Vec<&Edit> = edits.iter().collect();
            sorted.sort();
            // In order, an insertion before an edit at the same offset is fine.
            sorted.iter().all(|edit| inside(text, edit))
                && sorted.windows(2).all(|pair| pair[0].end <= pair[1].start)
        })
    };
    fits_alone(path, &fix.edits)
        && fix
            .other_files
            .iter()
            .all(|other| fits_alone(&other.path, &other.edits))
}

/// `file` imports the module `module` as an object (`import module`,
/// `import module as m`, `from parent import name` where that is `module`).
pub(super) fn imports_module(file: &FileFacts, module: &str) -> bool {
    file.imports.iter().any(|import| match import.kind {
        ImportKind::Import => import.module.as_deref() == Some(module),
        ImportKind::From => import
            .resolved
            .as_deref()
            .zip(import.name.as_deref())
            .is_some_and(|(parent, imported)| {
                crate::index::join_module(parent, imported) == module
            }),
        ImportKind::Use => false,
    })
}

pub(super) fn is_symbol_import(concept: &Concept, import: &ImportFact) -> bool {
    import
        .name
        .as_deref()
        .is_some_and(|name| concept.is_symbol(name))
}

/// The names imported by the same statement, in source order.
pub(super) fn siblings<'a>(file: &'a FileFacts, import: &ImportFact) -> Vec<&'a ImportFact> {
    let mut found: Vec<&ImportFact> = file
        .imports
        .iter()
        .filter(|other| other.statement.start == import.statement.start)
        .collect();
    found.sort_by_key(|other| other.alias.start);
    found
}

/// What the concept's canonical `module:Symbol` finally names.
fn canonical_origin(index: &ProjectIndex, concept: &Concept) -> Origin {
    index.resolve(&concept.canonical_module, &concept.canonical_symbol)
}

pub(super) fn same_object(
    index: &ProjectIndex,
    concept: &Concept,
    module: Option<&str>,
    name: &str,
) -> bool {
    let canonical = canonical_origin(index, concept);
    // Proven identity: the chain ends at the very binding the canonical
    // name ends at, whatever kind of object that is.
    matches!(
        canonical,
        Origin::Class { .. } | Origin::Function { .. } | Origin::Value { .. }
    ) && module.is_some_and(|module| index.resolve(module, name) == canonical)
}

/// `module.name` is a class of its own, not the canonical one (a duplicate,
/// an allowed definition, a subclass): swapping it for the canonical class
/// would change the program, so no fix is offered; the definitions need
/// consolidating by hand.
pub(super) fn distinct_class(
    index: &ProjectIndex,
    concept: &Concept,
    module: Option<&str>,
    name: &str,
) -> bool {
    let canonical = canonical_origin(index, concept);
    module.is_some_and(|module| {
        let origin = index.resolve(module, name);
        matches!(origin, Origin::Class { .. }) && origin != canonical
    })
}

/// Chooses the fixes of one file that can go together: earlier first, a
/// fix that overlaps one already chosen (or reaches out of the text) is
/// deferred to the next pass.
pub fn choose<'f>(text: &SourceText, fixes: &[&'f Fix]) -> Vec<&'f Fix> {
    let mut ordered: Vec<&Fix> = fixes.to_vec();
    ordered.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.start).min().unwrap_or(0));
    let mut edits: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for fix in ordered {
        if fits(text, &edits, &fix.edits) {
            edits.extend(fix.edits.iter());
            chosen.push(fix);
        }
    }
    chosen
}

/// `new` edits lie inside `text` on character boundaries and overlap none
/// of `taken` (two insertions at one offset overlap too: their order would
/// be arbitrary).
pub fn fits(text: &SourceText, taken: &[&Edit], new: &[Edit]) -> bool {
    new.iter().all(|edit| {
        inside(text, edit)
            && !taken.iter().any(|other| {
                (edit.start < other.end && other.start < edit.end)
                    || (edit.start == other.start
                        && (edit.start == edit.end || other.start == other.end))
            })
    })
}

/// Why a file's edits were not applied: the file is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RewriteError {
    /// The rewritten Python file has a syntax error (the parser's message).
    #[error("the rewritten file would not parse ({0}): left unchanged")]
    WouldNotParse(String),
}

/// `text` with `edits` (non-overlapping) applied; an error when a rewritten
/// Python file would no longer parse.
pub fn rewrite(
    text: &SourceText,
    language: Language,
    edits: &[&Edit],
) -> Result<String, RewriteError> {
    let mut edits = edits.to_vec();
    edits.sort();
    let rewritten = apply_edits(&text.text, &edits);
    if language == Language::Python {
        if let Some(error) = python_parse_error(&rewritten) {
            return Err(RewriteError::WouldNotParse(error));
        }
    }
    Ok(rewritten)
}

/// Stack for re-parsing a rewritten file, as large as the scan's: the parser
/// and the drop of its tree recurse per nesting level.
pub(super) const PARSE_STACK: usize = 256 * 1024 * 1024;

/// The first syntax error of `text`, if any, after the same nesting bounds
/// the scan applies. The parse runs on a thread with a large stack: `fix` runs
/// on the main thread (8 MiB on Linux, 1 MiB on Windows), where a file of
/// 200,000 prefix `-` overflowed and aborted the process, and with a 1 MiB
/// stack so did one within the scan's bounds (2,000 brackets around 90,000
/// prefix `-`).
pub(super) fn python_parse_error(text: &str) -> Option<String> {
    if let Some(problem) = crate::lang::python::nesting_problem(text) {
        return Some(problem);
    }
    on_parser_stack(|| {
        let parsed =
            ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
        parsed.errors().first().map(|error| error.error.to_string())
    })
    .unwrap_or_else(|| Some("the parser panicked or could not start".into()))
}

/// Runs `work` (parallel iterators over files) on as many threads as
/// rayon's global pool, each with the parser's stack, on which
/// [`on_parser_stack`] runs its work in place: a thread started per file
/// cost more than the fixes of most files. Without such a pool, `work` runs
/// where it is called (and each parse starts its own thread).
///
/// The pool is made once per process: `plan` and `fix` use it several times
/// a pass.
pub(super) fn in_parser_pool<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .stack_size(PARSE_STACK)
            .start_handler(|_| ON_PARSER_STACK.with(|on| on.set(true)))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

thread_local! {
    /// This thread was started by [`on_parser_stack`] or [`in_parser_pool`].
    static ON_PARSER_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `work` (a parse) on a thread with the scan's large stack; None when
/// the thread cannot start or panics. Called on such a thread, `work` runs
/// right there.
pub(crate) fn on_parser_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Option<T> {
    if ON_PARSER_STACK.with(std::cell::Cell::get) {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, || {
                ON_PARSER_STACK.with(|on| on.set(true));
                work()
            })
            .ok()?
            .join()
            .ok()
    })
}
