//! Fix passes in memory: each pass re-extracts the facts of the files it
//! rewrote and indexes the project again; nothing is written until the last
//! pass, and a pass that would add a violation is undone.

use super::*;

/// At most this many fix passes: a pass's deferred fixes go to the next.
pub(super) const MAX_PASSES: usize = 10;

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
pub(super) struct Pass {
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
pub(super) fn tally(audit: &Audit) -> BTreeMap<(&str, Code, Option<usize>), usize> {
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
        let fixable: Vec<String> = by_file.into_keys().collect();
        let mut parts = audit.into_parts();
        let mut replaced: Vec<(String, SourceText)> = Vec::new();
        let next = loop {
            let (config, filter, mut sources) = parts;
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
            let undone = fixable.iter().filter(|path| undo_all || own.contains(path));
            for path in undone {
                refused.insert(path.clone(), reason.into());
            }
            parts = next.into_parts();
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
        let (config, filter, mut sources) = audit.into_parts();
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
