//! Inline suppressions: `# ssot: ignore[SSOT003] reason` on the line of a
//! violation, `# ssot: ignore-file[SSOT001]` in a file's first 10 lines
//! (`//` in Rust). Unused ones are SSOT901, malformed ones SSOT902.

use crate::config::Severity;
use crate::diagnostic::{Code, Via, Violation};
use crate::index::ProjectIndex;

/// Removes suppressed violations and adds SSOT901 / SSOT902 findings.
pub fn apply(index: &ProjectIndex, violations: Vec<Violation>) -> Vec<Violation> {
    let mut used: Vec<Vec<Vec<bool>>> = index
        .files
        .iter()
        .map(|file| {
            file.suppressions
                .iter()
                .map(|s| vec![false; s.codes.len()])
                .collect()
        })
        .collect();
    let mut kept = Vec::with_capacity(violations.len());
    for violation in violations {
        let Ok(file_id) = index
            .files
            .binary_search_by(|file| file.path.as_str().cmp(&violation.path))
        else {
            kept.push(violation);
            continue;
        };
        let file = &index.files[file_id];
        let code = violation.code.as_str();
        let line = violation.span.begin.line;
        let mut suppressed = false;
        for (id, suppression) in file.suppressions.iter().enumerate() {
            if suppression.problem.is_some() {
                continue;
            }
            let applies = suppression.file_level || suppression.span.begin.line == line;
            if !applies {
                continue;
            }
            if let Some(position) = suppression.codes.iter().position(|c| c == code) {
                used[file_id][id][position] = true;
                suppressed = true;
            }
        }
        if !suppressed {
            kept.push(violation);
        }
    }
    for (file_id, file) in index.files.iter().enumerate() {
        for (id, suppression) in file.suppressions.iter().enumerate() {
            if let Some(problem) = &suppression.problem {
                kept.push(Violation {
                    code: Code::InvalidSuppression,
                    via: Via::Suppression,
                    concept: None,
                    path: file.path.clone(),
                    span: suppression.span,
                    message: problem.clone(),
                    severity: Severity::Error,
                    fix: None,
                    fact: None,
                });
                continue;
            }
            for (position, code) in suppression.codes.iter().enumerate() {
                if used[file_id][id][position] || code.starts_with("SSOT9") {
                    continue;
                }
                kept.push(Violation {
                    code: Code::UnusedSuppression,
                    via: Via::Suppression,
                    concept: None,
                    path: file.path.clone(),
                    span: suppression.span,
                    message: format!(
                        "unused suppression: no {code} violation on this {}",
                        if suppression.file_level {
                            "file"
                        } else {
                            "line"
                        }
                    ),
                    severity: Severity::Warning,
                    fix: None,
                    fact: None,
                });
            }
        }
    }
    kept
}
