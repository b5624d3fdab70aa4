//! Fix passes in memory: each pass re-extracts the facts of the files it
//! rewrote and indexes the project again; nothing is written until the last
//! pass, and a pass that would add a violation is undone.

use std::collections::BTreeSet;

use super::*;

/// At most this many fix passes: a pass's deferred fixes go to the next.
pub(super) const MAX_PASSES: usize = 10;

/// What `fix` did.
pub struct FixOutcome {
    /// The plan before the first pass: each violation's fix as the code was.
    pub plan: RewritePlan,
    /// Violations the safe fixes removed (what `fix` without
    /// `--unsafe-fixes` does).
    pub fixed_safe: usize,
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
    /// Where rules.toml and the code disagree (found before any fix).
    pub warnings: Vec<crate::truth::ConfigWarning>,
}

/// The facts of a scan before indexing, so each pass can index the project
/// again with the files it rewrote.
pub(super) struct Pass {
    files: Vec<FileFacts>,
    crate_roots: Vec<crate::crates::CrateRoot>,
    notes: Vec<crate::lang::Note>,
}

impl Pass {
    /// The facts of each path made again from its bytes, files in parallel
    /// on the parser's large stack. Returns the facts they replaced, to
    /// [`Pass::restore`] them.
    fn set_texts<'a>(
        &mut self,
        config: &Config,
        texts: impl Iterator<Item = (&'a str, &'a [u8])>,
    ) -> Vec<FileFacts> {
        let texts: Vec<(usize, &str, &[u8])> = texts
            .filter_map(|(path, bytes)| {
                let at = self.files.iter().position(|file| file.path == path)?;
                Some((at, path, bytes))
            })
            .collect();
        let made: Vec<(usize, Option<FileFacts>)> = in_parser_pool(|| {
            use rayon::prelude::*;
            texts
                .par_iter()
                .map(|&(at, path, bytes)| {
                    let selected = SelectedFile {
                        relative: path.to_string(),
                        absolute: config.root.join(path),
                    };
                    let facts = on_parser_stack(|| {
                        scan::facts_from_bytes(config, &selected, bytes, Parse::Full).ok()
                    });
                    (at, facts.flatten())
                })
                .collect()
        });
        made.into_iter()
            .filter_map(|(at, facts)| Some(std::mem::replace(&mut self.files[at], facts?)))
            .collect()
    }

    /// Puts back facts [`Pass::set_text`] replaced.
    fn restore(&mut self, facts: FileFacts) {
        if let Some(at) = self.files.iter().position(|file| file.path == facts.path) {
            self.files[at] = facts;
        }
    }

    fn audit(&self, config: Config, filter: PathFilter, sources: Sources) -> Audit {
        let scan = Scan {
            files: self.files.clone(),
            notes: self.notes.clone(),
            crate_roots: self.crate_roots.clone(),
            sources,
            stats: Default::default(),
        };
        let mut audit = Audit::from_scan(config, filter, scan);
        audit.load_sources(false);
        attach_fixes(&mut audit);
        audit
    }
}

/// A fix told apart from the other fixes of its file, as the file is now.
fn fix_key(fix: &Fix) -> String {
    let mut key = fix.title.clone();
    for edit in &fix.edits {
        key.push_str(&format!(
            "|{}..{}={}",
            edit.start, edit.end, edit.replacement
        ));
    }
    key
}

/// Violations per (file, code, via, concept): what a fix must never add to.
pub(super) fn tally(audit: &Audit) -> BTreeMap<Tally<'_>, usize> {
    let mut counts = BTreeMap::new();
    for violation in &audit.violations {
        *counts
            .entry((
                violation.path.as_str(),
                violation.code,
                violation.via,
                violation.concept,
            ))
            .or_default() += 1;
    }
    counts
}

/// A violation's file, code, mechanism and concept.
pub(super) type Tally<'a> = (&'a str, Code, Via, Option<usize>);

/// A file rewritten in memory: path and new text.
type Rewritten = (String, SourceText);

/// One pass's rewrites, and the (fix's file, other file) pairs its fixes
/// link. The fixes of each file that fit together are chosen; a fix whose
/// edits in other files (the patch strings of a renamed binding) do not fit
/// there waits for the next pass; a file that would not parse is refused,
/// and with it every fix that has an edit in it.
fn rewrite_pass(
    sources: &Sources,
    by_file: &BTreeMap<String, Vec<&Fix>>,
    refused: &mut BTreeMap<String, String>,
) -> (Vec<Rewritten>, Vec<(String, String)>) {
    let mut chosen: Vec<(&str, &Fix)> = Vec::new();
    for (path, fixes) in by_file {
        if let Some(text) = sources.get(path) {
            chosen.extend(
                choose(text, fixes)
                    .into_iter()
                    .map(|fix| (path.as_str(), fix)),
            );
        }
    }
    loop {
        // Each file's edits: its own chosen fixes', then the other files'
        // edits of chosen fixes that fit.
        let mut edits: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for (path, fix) in &chosen {
            edits.entry(path).or_default().extend(fix.edits.iter());
        }
        chosen.retain(|(_, fix)| {
            let fit = fix.other_files.iter().all(|other| {
                !refused.contains_key(&other.path)
                    && sources.get(&other.path).is_some_and(|text| {
                        fits(
                            text,
                            edits.get(other.path.as_str()).map_or(&[], Vec::as_slice),
                            &other.edits,
                        )
                    })
            });
            if fit {
                for other in &fix.other_files {
                    edits
                        .entry(other.path.as_str())
                        .or_default()
                        .extend(other.edits.iter());
                }
            }
            fit
        });
        let mut edits: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for (path, fix) in &chosen {
            edits.entry(path).or_default().extend(fix.edits.iter());
            for other in &fix.other_files {
                edits
                    .entry(other.path.as_str())
                    .or_default()
                    .extend(other.edits.iter());
            }
        }
        let mut rewritten = Vec::new();
        let mut failed = false;
        // Each file rewritten and parsed again, in parallel; taken in order.
        let edits: Vec<(&str, Vec<&Edit>)> = edits.into_iter().collect();
        let outcomes: Vec<_> = in_parser_pool(|| {
            use rayon::prelude::*;
            edits
                .par_iter()
                .filter_map(|(path, edits)| {
                    let text = sources.get(path)?;
                    let language = if path.ends_with(".rs") {
                        Language::Rust
                    } else {
                        Language::Python
                    };
                    Some((*path, text, rewrite(text, language, edits)))
                })
                .collect()
        });
        for (path, text, outcome) in outcomes {
            match outcome {
                Ok(new_text) => {
                    let mut bytes = Vec::with_capacity(new_text.len() + 3);
                    if text.encoding.bom {
                        bytes.extend_from_slice(source::BOM.as_bytes());
                    }
                    bytes.extend_from_slice(new_text.as_bytes());
                    if let Some(next) = SourceText::from_bytes(bytes) {
                        rewritten.push((path.to_string(), next));
                    }
                }
                Err(error) => {
                    refused.insert(path.to_string(), error.to_string());
                    failed = true;
                }
            }
        }
        if !failed {
            let mut links: Vec<(String, String)> = chosen
                .iter()
                .flat_map(|(path, fix)| {
                    fix.other_files
                        .iter()
                        .map(|other| (path.to_string(), other.path.clone()))
                })
                .collect();
            links.sort();
            links.dedup();
            return (rewritten, links);
        }
        chosen.retain(|(path, fix)| {
            !refused.contains_key(*path)
                && fix
                    .other_files
                    .iter()
                    .all(|other| !refused.contains_key(&other.path))
        });
    }
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
        ..
    } = scan;
    let mut pass = Pass {
        files,
        crate_roots,
        notes,
    };
    let started = std::time::Instant::now();
    let mut audit = pass.audit(config, filter, sources);
    // A canonical that names nothing would have fixes import it.
    audit.check_config(options.strict)?;
    let warnings = std::mem::take(&mut audit.warnings);
    // What `fix` fixed is what it removed: one fix may remove more than
    // its own violation (an import and the re-export it was), and no pass
    // adds one.
    let initial = audit.violations.len();
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    // Files whose fixes would add a violation, as the project stood.
    let mut grew: BTreeMap<String, String> = BTreeMap::new();
    // The text of each rewritten file before the first pass.
    let mut originals: BTreeMap<String, SourceText> = BTreeMap::new();
    // (file of a fix, file of the patch strings it rewrote), every pass.
    let mut all_links: Vec<(String, String)> = Vec::new();
    // Files whose fixes together would add a violation, tried one fix a
    // pass (safe fixes first), with the fixes that alone would add one: a
    // bad fix does not hold back the good ones of its file.
    let mut one_at_a_time: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    // The plan of the project as it is: each violation's fix now.
    let plan = super::plan(&audit);
    let first_audit = started.elapsed();
    let started = std::time::Instant::now();
    let mut passes = 0;
    // Safe fixes first, to the end; then, with `--unsafe-fixes`, the unsafe
    // ones and what they make possible. `plan` reports both counts.
    let mut fixed_safe = 0;
    for allow_unsafe in [false, true] {
        if allow_unsafe {
            fixed_safe = initial.saturating_sub(audit.violations.len());
            if !unsafe_fixes {
                break;
            }
        }
        for _ in 0..MAX_PASSES {
            let mut by_file: BTreeMap<String, Vec<&Fix>> = BTreeMap::new();
            for violation in &audit.violations {
                let Some(fix) = &violation.fix else { continue };
                if (fix.applicability == Applicability::Safe || allow_unsafe)
                    && !refused.contains_key(&violation.path)
                    && !grew.contains_key(&violation.path)
                    && !one_at_a_time
                        .get(&violation.path)
                        .is_some_and(|bad| bad.contains(&fix_key(fix)))
                {
                    by_file.entry(violation.path.clone()).or_default().push(fix);
                }
            }
            for (path, fixes) in &mut by_file {
                if one_at_a_time.contains_key(path) {
                    fixes.sort_by_key(|fix| fix.applicability != Applicability::Safe);
                    fixes.truncate(1);
                }
            }
            if by_file.is_empty() {
                break;
            }
            passes += 1;
            let (mut rewritten, links) = rewrite_pass(&audit.sources, &by_file, &mut refused);
            if rewritten.is_empty() {
                break;
            }
            // The pass in memory: facts of the rewritten files, the project
            // indexed again, and nothing anywhere may have gained a violation.
            let before: BTreeMap<(String, Code, Via, Option<usize>), usize> = tally(&audit)
                .into_iter()
                .map(|((path, code, via, concept), count)| {
                    ((path.to_string(), code, via, concept), count)
                })
                .collect();
            // The facts the pass replaced, put back when it is undone.
            let mut previous_facts: Vec<FileFacts> = Vec::new();
            // Each fixable file's fixes of this pass.
            let pass_fixes: BTreeMap<String, Vec<String>> = by_file
                .into_iter()
                .map(|(path, fixes)| (path, fixes.into_iter().map(fix_key).collect()))
                .collect();
            let fixable: Vec<&String> = pass_fixes.keys().collect();
            let mut parts = audit.into_parts();
            let mut replaced: Vec<(String, SourceText)> = Vec::new();
            let next = loop {
                let (config, filter, mut sources) = parts;
                for facts in previous_facts.drain(..) {
                    pass.restore(facts);
                }
                for (path, old) in replaced.drain(..) {
                    sources.replace(&path, old);
                }
                previous_facts.extend(
                    pass.set_texts(
                        &config,
                        rewritten
                            .iter()
                            .map(|(path, text)| (path.as_str(), &text.bytes[..])),
                    ),
                );
                for (path, text) in &rewritten {
                    if let Some(old) = sources.get(path) {
                        replaced.push((path.clone(), old.clone()));
                    }
                    sources.replace(path, text.clone());
                }
                let next = pass.audit(config, filter, sources);
                let grown: std::collections::BTreeSet<String> = tally(&next)
                    .into_iter()
                    .filter(|((path, code, via, concept), count)| {
                        *count
                            > before
                                .get(&(path.to_string(), *code, *via, *concept))
                                .copied()
                                .unwrap_or(0)
                    })
                    .map(|((path, _, _, _), _)| path.to_string())
                    .collect();
                if grown.is_empty() {
                    break next;
                }
                // A rewritten file that gained a violation is left as it was;
                // a gain elsewhere undoes the whole pass.
                let mut own: Vec<String> = rewritten
                    .iter()
                    .map(|(path, _)| path.clone())
                    .filter(|path| grown.contains(path))
                    .collect();
                let undo_all = own.len() < grown.len() || own.is_empty();
                // A fix and the patch strings it rewrote elsewhere go together.
                loop {
                    let linked: Vec<String> = links
                        .iter()
                        .filter(|(main, other)| own.contains(main) != own.contains(other))
                        .flat_map(|(main, other)| [main.clone(), other.clone()])
                        .filter(|path| !own.contains(path))
                        .collect();
                    if linked.is_empty() {
                        break;
                    }
                    own.extend(linked);
                }
                rewritten.retain(|(path, _)| !undo_all && !own.contains(path));
                let reason = "its fixes would create a new violation: not rewritten";
                let undone = fixable.iter().filter(|path| undo_all || own.contains(path));
                for path in undone {
                    let fixes = &pass_fixes[*path];
                    match one_at_a_time.get_mut(*path) {
                        Some(bad) => bad.extend(fixes.iter().cloned()),
                        None if fixes.len() > 1 => {
                            one_at_a_time.insert(path.to_string(), BTreeSet::new());
                        }
                        None => {
                            grew.insert(path.to_string(), reason.into());
                        }
                    }
                }
                parts = next.into_parts();
            };
            for (path, old) in replaced {
                originals.entry(path).or_insert(old);
            }
            all_links.extend(links.into_iter().filter(|(main, other)| {
                rewritten.iter().any(|(path, _)| path == main)
                    && rewritten.iter().any(|(path, _)| path == other)
            }));
            // The project changed: a fix that would have added a violation
            // before may not now (its collision was fixed), so it is tried
            // again; a second `fix` then has nothing left to do.
            if !rewritten.is_empty() {
                grew.clear();
            }
            audit = next;
        }
    }
    if options.stats {
        let line = scan::timing_line(&[
            ("rules_and_fixes", first_audit),
            ("passes", started.elapsed()),
        ]);
        eprintln!("{line} ({passes} passes in memory)");
    }
    refused.extend(grew);
    for (path, bad) in &one_at_a_time {
        let left = audit.violations.iter().any(|violation| {
            violation.path == *path
                && violation
                    .fix
                    .as_ref()
                    .is_some_and(|fix| bad.contains(&fix_key(fix)))
        });
        if left && !refused.contains_key(path) {
            refused.insert(
                path.clone(),
                "one of its fixes would create a new violation: not applied".into(),
            );
        }
    }
    let mut changed: Vec<String> = Vec::new();
    if write {
        // A file changed on disk since the scan read it is refused, and so
        // are the files linked to it by a fix: checked for all of them before
        // any is written (and each again right before its rename).
        changed = originals
            .iter()
            .filter(|(path, original)| {
                crate::sources::read(&audit.config.root.join(path))
                    .map_or(true, |bytes| bytes != original.bytes)
            })
            .map(|(path, _)| path.clone())
            .collect();
        for path in &changed {
            refused.insert(
                path.clone(),
                "changed on disk since it was read: not rewritten".into(),
            );
        }
        loop {
            let linked: Vec<String> = all_links
                .iter()
                .filter(|(main, other)| changed.contains(main) != changed.contains(other))
                .flat_map(|(main, other)| [main.clone(), other.clone()])
                .filter(|path| !changed.contains(path))
                .collect();
            if linked.is_empty() {
                break;
            }
            for path in &linked {
                refused.insert(
                    path.clone(),
                    "a file its fixes also edit changed on disk: not rewritten".into(),
                );
            }
            changed.extend(linked);
        }
    }
    let mut diff = String::new();
    let mut files = Vec::new();
    for (path, original) in &originals {
        let Some(current) = audit.sources.get(path) else {
            continue;
        };
        if changed.contains(path) {
            continue;
        }
        if write {
            let absolute = audit.config.root.join(path);
            if let Err(error) = write_atomic(
                &audit.config.root,
                &absolute,
                &original.bytes,
                &current.text,
                current.encoding,
            ) {
                refused.insert(path.clone(), error.to_string());
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
        let kept = originals.iter().filter(|(path, _)| !files.contains(path));
        pass.set_texts(
            &config,
            kept.clone()
                .map(|(path, original)| (path.as_str(), &original.bytes[..])),
        );
        for (path, original) in kept {
            sources.replace(path, original.clone());
        }
        audit = pass.audit(config, filter, sources);
    }
    if !unsafe_fixes {
        fixed_safe = initial.saturating_sub(audit.violations.len());
    }
    Ok(FixOutcome {
        plan,
        fixed_safe,
        fixed: initial.saturating_sub(audit.violations.len()),
        files,
        refused,
        diff,
        remaining: audit,
        warnings,
    })
}

/// A unified diff of one file. Control characters in its lines (other than
/// tabs and line ends) are shown escaped, as in every other output: the
/// diff is for reading, and a line holding an escape sequence stays inert.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let before = crate::escape::snippet(before).text;
    let after = crate::escape::snippet(after).text;
    similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(2)
        .header(&diff_path("a/", path), &diff_path("b/", path))
        .to_string()
}

/// `a/path` in a diff header; a path with control characters, `"` or `\`
/// is quoted the way git quotes it (`"a/x\033[2J.py"`), which `git apply`
/// reads back and a terminal shows inert.
fn diff_path(prefix: &str, path: &str) -> String {
    let special = |c: char| c.is_control() || c == '"' || c == '\\';
    if !path.chars().any(special) {
        return format!("{prefix}{path}");
    }
    let mut out = String::from("\"");
    out.push_str(prefix);
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("\\{byte:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
