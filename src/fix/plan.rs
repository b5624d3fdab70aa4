//! The rewrite plan: every fix as its edits and the lines they touch.

use super::*;

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
    /// The fix's edits in other files (patch strings of a renamed binding).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_files: Vec<PlannedEdits>,
}

/// A fix's edits in another file, with the lines they touch.
#[derive(Debug, Serialize)]
pub struct PlannedEdits {
    pub path: String,
    pub edits: Vec<Edit>,
    pub before: String,
    pub after: String,
}

#[derive(Debug, Default, Serialize)]
pub struct PlanTotals {
    pub safe: usize,
    pub r#unsafe: usize,
    pub files: usize,
    /// The violations `fix` removes, from a run in memory (the `plan`
    /// command): the listed fixes and what they make possible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violations_fixed: Option<FixedCounts>,
}

/// Violations removed by `fix` and by `fix --unsafe-fixes`.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub struct FixedCounts {
    pub safe: usize,
    pub r#unsafe: usize,
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
    let mut touched: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
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
            let mut other_files = Vec::new();
            for other in &fix.other_files {
                let Some(other_text) = audit.sources.get(&other.path) else {
                    continue;
                };
                let (before, after) = touched_lines(other_text, &other.edits);
                touched.insert(other.path.clone());
                other_files.push(PlannedEdits {
                    path: other.path.clone(),
                    edits: other.edits.clone(),
                    before,
                    after,
                });
            }
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
                other_files,
            });
        }
        touched.insert(path.to_string());
        plan.files.push(FilePlan {
            path: path.to_string(),
            fixes,
        });
    }
    plan.totals.files = touched.len();
    plan
}

/// The lines one fix's edits touch, before and after the fix alone: each
/// run of touched lines once, in order (a rename far below its import shows
/// as its own line, not as everything in between).
pub(super) fn touched_lines(text: &SourceText, edits: &[Edit]) -> (String, String) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
