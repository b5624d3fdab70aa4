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
use crate::diagnostic::{Applicability, Code, Edit, FactRef, Fix, Via, Violation};
use crate::index::{Origin, ProjectIndex};
use crate::lang::python::resolve_relative;
use crate::lang::{FileFacts, ImportFact, ImportKind};
use crate::scan::{self, Parse, Scan, SelectedFile};
use crate::source::{self, Encoding, SourceText};

mod rename;
use crate::sources::Sources;

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
    for violation in &mut audit.violations {
        if violation.code != Code::NoncanonicalImport {
            continue;
        }
        let Some(fact) = violation.fact else { continue };
        let Some(text) = audit.sources.get(&violation.path) else {
            continue;
        };
        let Some(concept) = violation
            .concept
            .and_then(|id| audit.config.concepts.get(id))
        else {
            continue;
        };
        violation.fix = fix_for(&audit.index, concept, violation, fact, text);
    }
}

fn fix_for(
    index: &ProjectIndex,
    concept: &Concept,
    violation: &Violation,
    fact: FactRef,
    text: &SourceText,
) -> Option<Fix> {
    match fact {
        FactRef::Import { file, import } => {
            let file = &index.files[file];
            if !file.parsed_cleanly || file.module.as_deref() == Some(&concept.canonical_module) {
                return None;
            }
            let import = &file.imports[import];
            match (import.kind, violation.via) {
                (ImportKind::From, Via::Import) if is_symbol_import(concept, import) => {
                    python_from_import(index, concept, file, import, text)
                }
                (ImportKind::Import | ImportKind::From, Via::Import) => {
                    python_module_import(index, concept, file, import, text)
                }
                (ImportKind::Use, Via::Import) => rust_use(index, concept, file, import, text),
                _ => None,
            }
        }
        FactRef::Patch { file, target } => {
            let target = &index.files[file].patch_targets[target];
            let start = target.span.start as usize;
            let end = target.span.end as usize;
            let literal = text.text.get(start..end)?;
            let quote = literal.chars().next().filter(|q| *q == '"' || *q == '\'')?;
            if literal != format!("{quote}{}{quote}", target.value) {
                return None;
            }
            Some(Fix {
                applicability: Applicability::Unsafe,
                edits: vec![text.edit(
                    start,
                    end,
                    format!(
                        "{quote}{}.{}{quote}",
                        concept.canonical_module, concept.canonical_symbol
                    ),
                )],
                title: "patch the canonical path (the patched lookup may differ)".into(),
            })
        }
    }
}

fn is_symbol_import(concept: &Concept, import: &ImportFact) -> bool {
    import
        .name
        .as_deref()
        .is_some_and(|name| concept.is_symbol(name))
}

/// `from <canonical> import Canonical [as local]`, relative when the file's
/// import was relative and the canonical module shares its top package.
fn canonical_from(file: &FileFacts, concept: &Concept, relative: bool, local: &str) -> String {
    let module = if relative {
        relative_spelling(file, &concept.canonical_module)
            .unwrap_or_else(|| concept.canonical_module.clone())
    } else {
        concept.canonical_module.clone()
    };
    let symbol = &concept.canonical_symbol;
    if local == symbol {
        format!("from {module} import {symbol}")
    } else {
        format!("from {module} import {symbol} as {local}")
    }
}

fn relative_spelling(file: &FileFacts, target: &str) -> Option<String> {
    let module = file.module.as_deref()?;
    let mut package: Vec<&str> = module.split('.').filter(|part| !part.is_empty()).collect();
    if !file.is_package {
        package.pop();
    }
    let target_parts: Vec<&str> = target.split('.').collect();
    let common = package
        .iter()
        .zip(&target_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let level = package.len() - common + 1;
    let rest = target_parts[common..].join(".");
    let rest = (!rest.is_empty()).then_some(rest);
    // Only a spelling that resolves back to the target is used.
    (resolve_relative(Some(module), file.is_package, level as u32, rest.as_deref()).as_deref()
        == Some(target))
    .then(|| format!("{}{}", ".".repeat(level), rest.unwrap_or_default()))
}

/// The names imported by the same statement, in source order.
fn siblings<'a>(file: &'a FileFacts, import: &ImportFact) -> Vec<&'a ImportFact> {
    let mut found: Vec<&ImportFact> = file
        .imports
        .iter()
        .filter(|other| other.statement.start == import.statement.start)
        .collect();
    found.sort_by_key(|other| other.alias.start);
    found
}

/// Byte range of `X` in `from X import ...` (dots included).
fn from_module_range(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let statement = text.get(start..end)?;
    let after_from = statement.strip_prefix("from")?;
    let keyword = find_import_keyword(after_from)?;
    let inner = &after_from[..keyword];
    let leading = inner.len() - inner.trim_start_matches(is_space_or_continuation).len();
    let trailing = inner.trim_end_matches(is_space_or_continuation).len();
    (leading < trailing).then(|| (start + 4 + leading, start + 4 + trailing))
}

fn is_space_or_continuation(c: char) -> bool {
    c.is_whitespace() || c == '\\'
}

fn find_import_keyword(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("import") {
        let at = from + found;
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + 6).copied();
        let boundary = |b: Option<u8>| {
            b.is_none_or(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80))
        };
        if boundary(before) && boundary(after) {
            return Some(at);
        }
        from = at + 6;
    }
    None
}

fn same_object(index: &ProjectIndex, concept: &Concept, module: Option<&str>, name: &str) -> bool {
    let canonical = index.resolve(&concept.canonical_module, &concept.canonical_symbol);
    matches!(canonical, Origin::Class { .. })
        && module.is_some_and(|module| index.resolve(module, name) == canonical)
}

/// `from shim import WebSocketManager` -> `from canonical import Unified as WebSocketManager`.
fn python_from_import(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    text: &SourceText,
) -> Option<Fix> {
    let name = import.name.as_deref()?;
    let symbol = &concept.canonical_symbol;
    let mut local = import.asname.as_deref().unwrap_or(name);
    // `from canonical import New as Old` would bind a second name of the
    // concept again: the file's uses of `Old` are renamed to `New` instead.
    let mut renames = Vec::new();
    if local != symbol && concept.is_symbol(local) {
        if binds_other_object(index, concept, file, symbol) || imported_from(index, file, local) {
            return None;
        }
        let uses = rename::uses(&text.text, local, import.statement.start as usize)?;
        renames = uses
            .into_iter()
            .map(|(start, end)| text.edit(start, end, symbol.clone()))
            .collect();
        local = symbol;
    }
    let applicability = if same_object(index, concept, import.resolved.as_deref(), name) {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let relative = import.level > 0;
    let statement_start = import.statement.start as usize;
    let statement_end = import.statement.end as usize;
    let names = siblings(file, import);
    let title = if renames.is_empty() {
        format!("import `{symbol}` from `{}`", concept.canonical_module)
    } else {
        format!(
            "import `{symbol}` from `{}` and rename the uses of `{name}`",
            concept.canonical_module
        )
    };
    let already = local == symbol
        && file.imports.iter().any(|other| {
            other.statement.start != import.statement.start
                && other.scope == import.scope
                && other.asname.as_deref().or(other.name.as_deref()) == Some(symbol)
                && other.name.as_deref() == Some(symbol)
                && other.resolved.as_deref() == Some(concept.canonical_module.as_str())
        });
    let removal = match names.len() {
        _ if !already => None,
        1 => text.delete_line(statement_start, statement_end),
        _ => list_extent(&names, import).map(|(start, end)| text.edit(start, end, "")),
    };
    if let Some(removal) = removal {
        // The file imports the canonical name already: this import goes.
        let mut edits = vec![removal];
        edits.extend(renames);
        return Some(Fix {
            applicability,
            edits,
            title,
        });
    }
    if names.len() == 1 {
        // Swap the module and the name in place: comments and layout stay.
        let (module_start, module_end) =
            from_module_range(&text.text, statement_start, statement_end)?;
        let module = if relative {
            relative_spelling(file, &concept.canonical_module)
                .unwrap_or_else(|| concept.canonical_module.clone())
        } else {
            concept.canonical_module.clone()
        };
        let alias = if local == symbol {
            symbol.clone()
        } else {
            format!("{symbol} as {local}")
        };
        let mut edits = vec![
            text.edit(module_start, module_end, module),
            text.edit(
                import.alias.start as usize,
                import.alias.end as usize,
                alias,
            ),
        ];
        edits.extend(renames);
        return Some(Fix {
            applicability,
            edits,
            title,
        });
    }
    // Take the name out of the list and import it on a line of its own.
    let (delete_start, delete_end) = list_extent(&names, import)?;
    let line = canonical_from(file, concept, relative, local);
    let mut edits = text.move_to_own_line(
        (delete_start, delete_end),
        (statement_start, statement_end),
        &line,
    )?;
    edits.extend(renames);
    Some(Fix {
        applicability,
        edits,
        title,
    })
}

/// The bytes that take `import` (one of `names`, in source order) out of its
/// statement's list, with one comma.
fn list_extent(names: &[&ImportFact], import: &ImportFact) -> Option<(usize, usize)> {
    let position = names
        .iter()
        .position(|other| other.alias.start == import.alias.start)?;
    Some(if position + 1 < names.len() {
        (
            import.alias.start as usize,
            names[position + 1].alias.start as usize,
        )
    } else {
        (
            names.get(position.checked_sub(1)?)?.alias.end as usize,
            import.alias.end as usize,
        )
    })
}

/// `import legacy as m` + `m.WebSocketManager` -> `from canonical import Unified` + `Unified`.
fn python_module_import(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    text: &SourceText,
) -> Option<Fix> {
    if siblings(file, import).len() != 1 {
        return None;
    }
    let (legacy, bound, may_be_safe) = match import.kind {
        ImportKind::Import => {
            let module = import.module.as_deref()?.to_string();
            match import.asname.as_deref() {
                Some(asname) => (module, asname.to_string(), true),
                None => (module.clone(), module, false),
            }
        }
        ImportKind::From => {
            let name = import.name.as_deref()?;
            let module = format!("{}.{name}", import.resolved.as_deref()?);
            (
                module,
                import.asname.as_deref().unwrap_or(name).to_string(),
                true,
            )
        }
        ImportKind::Use => return None,
    };
    let uses: Vec<_> = file
        .attribute_uses
        .iter()
        .filter(|used| used.base == bound)
        .collect();
    if uses.is_empty() || uses.iter().any(|used| !concept.is_symbol(&used.attr)) {
        return None;
    }
    let symbol = &concept.canonical_symbol;
    let safe = may_be_safe
        && uses
            .iter()
            .all(|used| same_object(index, concept, Some(&legacy), &used.attr))
        && !binds_elsewhere(file, symbol, &concept.canonical_module);
    let relative = import.kind == ImportKind::From && import.level > 0;
    let mut edits = vec![text.edit(
        import.statement.start as usize,
        import.statement.end as usize,
        canonical_from(file, concept, relative, symbol),
    )];
    for used in uses {
        edits.push(text.edit(
            used.span.start as usize,
            used.span.end as usize,
            symbol.clone(),
        ));
    }
    Some(Fix {
        applicability: if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits,
        title: format!(
            "import `{symbol}` from `{}` and use it directly",
            concept.canonical_module
        ),
    })
}

/// Another file imports `name` from this one: renaming it here would take
/// away the name they import.
fn imported_from(index: &ProjectIndex, file: &FileFacts, name: &str) -> bool {
    let Some(module) = file.module.as_deref() else {
        return false;
    };
    index.files.iter().any(|other| {
        other.imports.iter().any(|import| {
            (import.resolved.as_deref() == Some(module) && import.name.as_deref() == Some(name))
                || import.module.as_deref().is_some_and(|imported| {
                    imported
                        .strip_prefix(module)
                        .and_then(|rest| rest.strip_prefix('.'))
                        == Some(name)
                })
        })
    }) || index.files.iter().any(|other| {
        other.patch_targets.iter().any(|target| {
            target
                .value
                .strip_prefix(module)
                .and_then(|rest| rest.strip_prefix('.'))
                == Some(name)
        })
    })
}

/// The file binds the canonical `symbol` to something that is not the
/// canonical object (an import of the same object through another path is
/// fine: it is fixed too).
fn binds_other_object(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    symbol: &str,
) -> bool {
    file.definitions
        .iter()
        .any(|definition| definition.name == symbol)
        || file.aliases.iter().any(|alias| alias.target == symbol)
        || file.imports.iter().any(|import| {
            let bound = import.asname.as_deref().or(import.name.as_deref());
            bound == Some(symbol)
                && import.resolved.as_deref() != Some(concept.canonical_module.as_str())
                && !import.name.as_deref().is_some_and(|name| {
                    same_object(index, concept, import.resolved.as_deref(), name)
                })
        })
}

/// The file binds `name` to something other than the canonical import.
fn binds_elsewhere(file: &FileFacts, name: &str, canonical_module: &str) -> bool {
    file.definitions
        .iter()
        .any(|definition| definition.name == name)
        || file.aliases.iter().any(|alias| alias.target == name)
        || file.imports.iter().any(|import| {
            let bound = import.asname.as_deref().or(import.name.as_deref());
            bound == Some(name) && import.resolved.as_deref() != Some(canonical_module)
        })
}

/// `use ws_core::legacy::Manager;` -> `use ws_core::ws::UnifiedManager as Manager;`.
/// A leaf inside a group (`use legacy::{Manager, other};`) is taken out of the
/// group and given a `use` item of its own, with the item's visibility.
fn rust_use(
    index: &ProjectIndex,
    concept: &Concept,
    file: &FileFacts,
    import: &ImportFact,
    text: &SourceText,
) -> Option<Fix> {
    if concept.language != Language::Rust {
        return None;
    }
    let name = import.name.as_deref()?;
    let item_start = import.statement.start as usize;
    let leaf_start = import.alias.start as usize;
    let leaf_end = import.alias.end as usize;
    let head = text.text.get(item_start..leaf_start)?;
    let file_crate = file.module.as_deref()?.split("::").next()?;
    let (canonical_crate, rest) = concept
        .canonical_module
        .split_once("::")
        .unwrap_or((concept.canonical_module.as_str(), ""));
    let prefix = if canonical_crate == file_crate {
        "crate"
    } else {
        canonical_crate
    };
    let symbol = &concept.canonical_symbol;
    let mut path = if rest.is_empty() {
        format!("{prefix}::{symbol}")
    } else {
        format!("{prefix}::{rest}::{symbol}")
    };
    let full = format!("{}::{name}", import.resolved.as_deref()?);
    let canonical = index.resolve_rust(&concept.canonical());
    let safe = matches!(canonical, Origin::Class { .. }) && index.resolve_rust(&full) == canonical;
    let applicability = if safe {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let title = format!("use `{}`", concept.canonical());
    if !head.contains('{') {
        if import.asname.is_none() && name != symbol {
            path = format!("{path} as {name}");
        }
        return Some(Fix {
            applicability,
            edits: vec![text.edit(leaf_start, leaf_end, path)],
            title,
        });
    }
    let local = import.asname.as_deref().unwrap_or(name);
    if local != symbol {
        path = format!("{path} as {local}");
    }
    let visibility = head.get(..head.find("use")?)?.trim_end();
    let visibility = if visibility.is_empty() {
        String::new()
    } else {
        format!("{visibility} ")
    };
    if siblings(file, import).len() == 1 {
        // The only leaf: the whole item becomes the canonical `use`.
        return Some(Fix {
            applicability,
            edits: vec![text.edit(
                item_start,
                import.statement.end as usize,
                format!("{visibility}use {path};"),
            )],
            title,
        });
    }
    let extent = group_leaf_extent(&text.text, leaf_start, leaf_end)?;
    let edits = text.move_to_own_line(
        extent,
        (item_start, import.statement.end as usize),
        &format!("{visibility}use {path};"),
    )?;
    Some(Fix {
        applicability,
        edits,
        title,
    })
}

/// The bytes to delete to take one leaf (with its `as X` and one comma) out
/// of a `use` group.
fn group_leaf_extent(text: &str, leaf_start: usize, leaf_end: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let skip_space = |mut at: usize| {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    };
    let mut end = leaf_end;
    let after = skip_space(end);
    if text[after..].starts_with("as") && bytes.get(after + 2).is_some_and(u8::is_ascii_whitespace)
    {
        let name_start = skip_space(after + 2);
        let name_end = text[name_start..]
            .find(|c: char| !(c == '_' || c == '#' || c.is_alphanumeric()))
            .map_or(text.len(), |offset| name_start + offset);
        end = name_end;
    }
    let next = skip_space(end);
    if bytes.get(next) == Some(&b',') {
        return Some((leaf_start, skip_space(next + 1)));
    }
    let mut before = leaf_start;
    while before > 0 && bytes[before - 1].is_ascii_whitespace() {
        before -= 1;
    }
    if before > 0 && bytes[before - 1] == b',' {
        return Some((before - 1, end));
    }
    (before > 0 && bytes[before - 1] == b'{').then_some((leaf_start, end))
}

/// One file's planned fixes, for `plan` and the JSON `plan` field.
#[derive(Debug, Serialize)]
pub struct FilePlan {
    pub path: String,
    pub fixes: Vec<PlannedFix>,
}

#[derive(Debug, Serialize)]
pub struct PlannedFix {
    pub code: &'static str,
    pub rule: &'static str,
    pub concept: String,
    pub applicability: Applicability,
    pub title: String,
    pub line: u32,
    pub column: u32,
    pub edits: Vec<Edit>,
    /// The lines the edits touch, before and after this fix alone.
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default, Serialize)]
pub struct PlanTotals {
    pub safe: usize,
    pub r#unsafe: usize,
    pub files: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct RewritePlan {
    pub files: Vec<FilePlan>,
    pub totals: PlanTotals,
}

/// Applies `edits` (sorted, non-overlapping) to `text`.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.start]);
        out.push_str(&edit.replacement);
        at = edit.end;
    }
    out.push_str(&text[at..]);
    out
}

pub fn plan(audit: &Audit) -> RewritePlan {
    let mut by_file: BTreeMap<&str, Vec<&Violation>> = BTreeMap::new();
    for violation in &audit.violations {
        if violation.fix.is_some() {
            by_file.entry(&violation.path).or_default().push(violation);
        }
    }
    let mut plan = RewritePlan::default();
    for (path, violations) in by_file {
        let Some(text) = audit.sources.get(path) else {
            continue;
        };
        let mut fixes = Vec::new();
        for violation in violations {
            let Some(fix) = &violation.fix else { continue };
            if fix.edits.is_empty() {
                continue;
            }
            let (before, after) = touched_lines(text, &fix.edits);
            match fix.applicability {
                Applicability::Safe => plan.totals.safe += 1,
                Applicability::Unsafe => plan.totals.r#unsafe += 1,
            }
            fixes.push(PlannedFix {
                code: violation.code.as_str(),
                rule: violation.code.rule(),
                concept: audit
                    .concept_name(violation)
                    .unwrap_or_default()
                    .to_string(),
                applicability: fix.applicability,
                title: fix.title.clone(),
                line: violation.span.begin.line,
                column: violation.span.begin.column,
                edits: fix.edits.clone(),
                before,
                after,
            });
        }
        plan.files.push(FilePlan {
            path: path.to_string(),
            fixes,
        });
    }
    plan.totals.files = plan.files.len();
    plan
}

/// The lines one fix's edits touch, before and after the fix alone: each
/// run of touched lines once, in order (a rename far below its import shows
/// as its own line, not as everything in between).
fn touched_lines(text: &SourceText, edits: &[Edit]) -> (String, String) {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort();
    // Runs of lines, as byte ranges of whole lines, with their edits.
    let mut regions: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for edit in edits {
        let start = text.lines.line_start(text.lines.line_of(edit.start));
        let end = text.line_end(edit.end);
        match regions.last_mut() {
            Some(region) if start <= region.1 => {
                region.1 = region.1.max(end);
                region.2.push(edit);
            }
            _ => regions.push((start, end, vec![edit])),
        }
    }
    let mut before = Vec::new();
    let mut after = Vec::new();
    for (start, end, edits) in regions {
        let region = &text.text[start..end];
        let shifted: Vec<Edit> = edits
            .iter()
            .map(|edit| Edit {
                start: edit.start - start,
                end: edit.end - start,
                ..(*edit).clone()
            })
            .collect();
        before.push(region.to_string());
        after.push(apply_edits(region, &shifted.iter().collect::<Vec<_>>()));
    }
    (before.join(text.newline), after.join(text.newline))
}

/// What applying fixes to one file gave.
#[derive(Debug)]
pub struct FileRewrite {
    pub path: String,
    pub original: String,
    pub rewritten: String,
    pub fixed: usize,
    pub deferred: usize,
}

/// Chooses non-overlapping fixes of one file (earlier first; a fix that
/// overlaps one already chosen is deferred to the next pass) and applies them.
pub fn rewrite(
    text: &SourceText,
    language: Language,
    fixes: &[&Fix],
) -> Result<(String, usize, usize), String> {
    let mut ordered: Vec<&Fix> = fixes.to_vec();
    ordered.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.start).min().unwrap_or(0));
    let mut chosen: Vec<&Edit> = Vec::new();
    let mut fixed = 0;
    let mut deferred = 0;
    for fix in ordered {
        let overlaps = fix.edits.iter().any(|edit| {
            chosen.iter().any(|other| {
                (edit.start < other.end && other.start < edit.end)
                    || (edit.start == other.start
                        && (edit.start == edit.end || other.start == other.end))
            })
        });
        let in_bounds = fix.edits.iter().all(|edit| {
            edit.start <= edit.end
                && edit.end <= text.text.len()
                && text.text.is_char_boundary(edit.start)
                && text.text.is_char_boundary(edit.end)
        });
        if overlaps || !in_bounds {
            deferred += 1;
            continue;
        }
        chosen.extend(fix.edits.iter());
        fixed += 1;
    }
    chosen.sort();
    let rewritten = apply_edits(&text.text, &chosen);
    if language == Language::Python {
        if let Some(error) = python_parse_error(&rewritten) {
            return Err(format!(
                "the rewritten file would not parse ({error}): left unchanged"
            ));
        }
    }
    Ok((rewritten, fixed, deferred))
}

/// Stack for re-parsing a rewritten file, as large as the scan's: the parser
/// and the drop of its tree recurse per nesting level.
const PARSE_STACK: usize = 256 * 1024 * 1024;

/// The first syntax error of `text`, if any, after the same nesting bounds
/// the scan applies. The parse runs on a thread with a large stack: `fix` runs
/// on the main thread (8 MiB on Linux, 1 MiB on Windows), where a file of
/// 200,000 prefix `-` overflowed and aborted the process, and with a 1 MiB
/// stack so did one within the scan's bounds (2,000 brackets around 90,000
/// prefix `-`).
fn python_parse_error(text: &str) -> Option<String> {
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

/// Runs `work` (a parse) on a thread with the scan's large stack; None when
/// the thread cannot start or panics.
pub(crate) fn on_parser_stack<T: Send>(work: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(PARSE_STACK)
            .spawn_scoped(scope, work)
            .ok()?
            .join()
            .ok()
    })
}

/// Gives the temporary file the original's owner and group. It belongs to
/// whoever runs `fix`, so renaming it over the file handed the file to them:
/// `fix` run as root on someone's checkout left every rewritten file root's.
/// When that cannot be done (only root may give a file away), the file is
/// refused rather than silently changing hands.
#[cfg(unix)]
fn keep_owner(temporary: &std::fs::File, original: &std::fs::Metadata) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let current = temporary
        .metadata()
        .map_err(|error| format!("cannot stat the temporary file: {error}"))?;
    if (current.uid(), current.gid()) == (original.uid(), original.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(temporary, Some(original.uid()), Some(original.gid()))
        .map_err(|error| format!("cannot keep the file's owner ({error}): not rewritten"))
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) -> Result<(), String> {
    Ok(())
}

/// Replaces `path` with `text` atomically, keeping BOM and permissions;
/// refuses symlinks, read-only files, files outside `root` and files whose
/// bytes are no longer `expected`.
pub fn write_atomic(
    root: &Path,
    path: &Path,
    expected: &[u8],
    text: &str,
    encoding: Encoding,
) -> Result<(), String> {
    let metadata =
        std::fs::symlink_metadata(path).map_err(|error| format!("cannot stat: {error}"))?;
    if metadata.file_type().is_symlink() {
        return Err("is a symlink: not rewritten".into());
    }
    let canonical_root = std::fs::canonicalize(root)
        .map_err(|error| format!("cannot resolve the project root: {error}"))?;
    let canonical =
        std::fs::canonicalize(path).map_err(|error| format!("cannot resolve: {error}"))?;
    if !canonical.starts_with(&canonical_root) {
        return Err("outside the project root: not rewritten".into());
    }
    if metadata.permissions().readonly() {
        return Err("read-only: not rewritten".into());
    }
    let directory: PathBuf = canonical
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| canonical_root.clone());
    let mut temporary = tempfile::Builder::new()
        .prefix(".ssot-audit-")
        .tempfile_in(&directory)
        .map_err(|error| format!("cannot create a temporary file: {error}"))?;
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if encoding.bom {
        bytes.extend_from_slice(source::BOM.as_bytes());
    }
    bytes.extend_from_slice(text.as_bytes());
    temporary
        .write_all(&bytes)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|error| format!("cannot write: {error}"))?;
    keep_owner(temporary.as_file(), &metadata)?;
    std::fs::set_permissions(temporary.path(), metadata.permissions())
        .map_err(|error| format!("cannot keep permissions: {error}"))?;
    // Checked last, right before the rename: an edit made while `fix` ran
    // is never overwritten (the window left is the rename itself).
    let current = crate::sources::open_regular(&canonical)
        .and_then(|mut file| {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes)
        })
        .map_err(|error| format!("cannot read: {error}"))?;
    if current != expected {
        return Err("changed on disk since it was read: not rewritten".into());
    }
    temporary
        .persist(&canonical)
        .map_err(|error| format!("cannot replace the file: {}", error.error))?;
    Ok(())
}

/// At most this many fix passes: a pass's deferred fixes go to the next.
const MAX_PASSES: usize = 10;

/// What `fix` did.
pub struct FixOutcome {
    /// Violations fixed (or that would be, without writes).
    pub fixed: usize,
    /// Files rewritten (or that would be).
    pub files: Vec<String>,
    /// Files left as they were, with the reason.
    pub refused: BTreeMap<String, String>,
    /// Unified diff of every file against its text before `fix`.
    pub diff: String,
    /// The audit after the fixes.
    pub remaining: Audit,
}

/// The facts of a scan before indexing, so each pass can index the project
/// again with the files it rewrote.
struct Pass {
    files: Vec<FileFacts>,
    crate_roots: Vec<crate::crates::CrateRoot>,
    notes: Vec<crate::lang::Note>,
}

impl Pass {
    /// The facts of `path` made again from `bytes` (on the parser's large
    /// stack: `fix` runs on the main thread).
    fn set_text(&mut self, config: &Config, path: &str, bytes: &[u8]) {
        let Some(at) = self.files.iter().position(|file| file.path == path) else {
            return;
        };
        let selected = SelectedFile {
            relative: path.to_string(),
            absolute: config.root.join(path),
        };
        let facts =
            on_parser_stack(|| scan::facts_from_bytes(config, &selected, bytes, Parse::Full).ok());
        if let Some(Some(facts)) = facts {
            self.files[at] = facts;
        }
    }

    fn audit(&self, config: Config, filter: PathFilter, sources: Sources) -> Audit {
        let scan = Scan {
            files: self.files.clone(),
            notes: self.notes.clone(),
            crate_roots: self.crate_roots.clone(),
            sources,
        };
        let mut audit = Audit::from_scan(config, filter, scan);
        audit.load_sources(false);
        attach_fixes(&mut audit);
        audit
    }
}

/// Violations per (file, code, concept): what a fix must never add to.
fn tally(audit: &Audit) -> BTreeMap<(&str, Code, Option<usize>), usize> {
    let mut counts = BTreeMap::new();
    for violation in &audit.violations {
        *counts
            .entry((violation.path.as_str(), violation.code, violation.concept))
            .or_default() += 1;
    }
    counts
}

/// Runs fix passes in memory until nothing applicable is left, each pass
/// indexing the project again with its rewritten files. A pass whose edits
/// would add a violation anywhere is dropped. With `write`, each rewritten
/// file is written once at the end, refused if it changed on disk since the
/// scan read it.
pub fn fix_project(
    options: &crate::audit::Options,
    unsafe_fixes: bool,
    write: bool,
) -> Result<FixOutcome, crate::Error> {
    let (config, filter, scan) = crate::audit::scan_project(options)?;
    let Scan {
        files,
        notes,
        crate_roots,
        sources,
    } = scan;
    let mut pass = Pass {
        files,
        crate_roots,
        notes,
    };
    let mut audit = pass.audit(config, filter, sources);
    let mut fixed = 0;
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    // The text of each rewritten file before the first pass.
    let mut originals: BTreeMap<String, SourceText> = BTreeMap::new();
    let mut fixed_in: BTreeMap<String, usize> = BTreeMap::new();
    for _ in 0..MAX_PASSES {
        let mut by_file: BTreeMap<String, Vec<&Fix>> = BTreeMap::new();
        for violation in &audit.violations {
            let Some(fix) = &violation.fix else { continue };
            if (fix.applicability == Applicability::Safe || unsafe_fixes)
                && !refused.contains_key(&violation.path)
            {
                by_file.entry(violation.path.clone()).or_default().push(fix);
            }
        }
        if by_file.is_empty() {
            break;
        }
        let mut rewritten: Vec<(String, SourceText, usize)> = Vec::new();
        for (path, fixes) in &by_file {
            let Some(text) = audit.sources.get(path) else {
                continue;
            };
            let language = if path.ends_with(".rs") {
                Language::Rust
            } else {
                Language::Python
            };
            match rewrite(text, language, fixes) {
                Ok((new_text, count, _)) if count > 0 => {
                    let mut bytes = Vec::with_capacity(new_text.len() + 3);
                    if text.encoding.bom {
                        bytes.extend_from_slice(source::BOM.as_bytes());
                    }
                    bytes.extend_from_slice(new_text.as_bytes());
                    if let Some(next) = SourceText::from_bytes(bytes) {
                        rewritten.push((path.clone(), next, count));
                    }
                }
                Ok(_) => {}
                Err(message) => {
                    refused.insert(path.clone(), message);
                }
            }
        }
        if rewritten.is_empty() {
            break;
        }
        // The pass in memory: facts of the rewritten files, the project
        // indexed again, and nothing anywhere may have gained a violation.
        let before: BTreeMap<(String, Code, Option<usize>), usize> = tally(&audit)
            .into_iter()
            .map(|((path, code, concept), count)| ((path.to_string(), code, concept), count))
            .collect();
        let previous_files = pass.files.clone();
        let mut config_filter_sources = {
            let Audit {
                config,
                filter,
                sources,
                ..
            } = audit;
            (config, filter, sources)
        };
        let mut replaced: Vec<(String, SourceText)> = Vec::new();
        let next = loop {
            let (config, filter, mut sources) = config_filter_sources;
            pass.files.clone_from(&previous_files);
            for (path, old) in replaced.drain(..) {
                sources.replace(&path, old);
            }
            for (path, text, _) in &rewritten {
                pass.set_text(&config, path, &text.bytes);
                if let Some(old) = sources.get(path) {
                    replaced.push((path.clone(), old.clone()));
                }
                sources.replace(path, text.clone());
            }
            let next = pass.audit(config, filter, sources);
            let grown: std::collections::BTreeSet<String> = tally(&next)
                .into_iter()
                .filter(|((path, code, concept), count)| {
                    *count
                        > before
                            .get(&(path.to_string(), *code, *concept))
                            .copied()
                            .unwrap_or(0)
                })
                .map(|((path, _, _), _)| path.to_string())
                .collect();
            if grown.is_empty() {
                break next;
            }
            // A rewritten file that gained a violation is left as it was;
            // a gain elsewhere undoes the whole pass.
            let own: Vec<String> = rewritten
                .iter()
                .map(|(path, _, _)| path.clone())
                .filter(|path| grown.contains(path))
                .collect();
            let undo_all = own.len() < grown.len() || own.is_empty();
            rewritten.retain(|(path, _, _)| !undo_all && !own.contains(path));
            let reason = "its fixes would create a new violation: not rewritten";
            let undone = by_file.keys().filter(|path| undo_all || own.contains(path));
            for path in undone {
                refused.insert(path.clone(), reason.into());
            }
            let Audit {
                config,
                filter,
                sources,
                ..
            } = next;
            config_filter_sources = (config, filter, sources);
        };
        for (path, old) in replaced {
            originals.entry(path).or_insert(old);
        }
        for (path, _, count) in &rewritten {
            *fixed_in.entry(path.clone()).or_default() += count;
            fixed += count;
        }
        audit = next;
    }
    let mut diff = String::new();
    let mut files = Vec::new();
    for (path, original) in &originals {
        let Some(current) = audit.sources.get(path) else {
            continue;
        };
        if write {
            let absolute = audit.config.root.join(path);
            if let Err(message) = write_atomic(
                &audit.config.root,
                &absolute,
                &original.bytes,
                &current.text,
                current.encoding,
            ) {
                refused.insert(path.clone(), message);
                continue;
            }
        }
        diff.push_str(&unified_diff(path, &original.text, &current.text));
        files.push(path.clone());
    }
    if files.len() != originals.len() {
        // Files refused at write time keep their text: the remaining
        // violations are those of the project as it now is on disk.
        let Audit {
            config,
            filter,
            mut sources,
            ..
        } = audit;
        for (path, original) in &originals {
            if files.contains(path) {
                continue;
            }
            fixed -= fixed_in.get(path).copied().unwrap_or(0);
            pass.set_text(&config, path, &original.bytes);
            sources.replace(path, original.clone());
        }
        audit = pass.audit(config, filter, sources);
    }
    Ok(FixOutcome {
        fixed,
        files,
        refused,
        diff,
        remaining: audit,
    })
}

pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_range_skips_continuations() {
        let text = "from a.b \\\n    import c";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 8)));
        let text = "from . import x";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 6)));
        let text = "from .importer import x";
        assert_eq!(from_module_range(text, 0, text.len()), Some((5, 14)));
    }

    #[test]
    fn edits_apply_in_order() {
        let edit = |start, end, text: &str| Edit {
            start,
            end,
            replacement: text.into(),
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
        };
        let a = edit(0, 1, "X");
        let b = edit(2, 2, "Y");
        assert_eq!(apply_edits("abc", &[&a, &b]), "XbYc");
    }
}
