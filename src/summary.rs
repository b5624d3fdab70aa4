//! The numbers every output shares, computed from an audit: the whole run's
//! counts, each concept's counts, compliance and top directories, and the
//! sentences that state them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::audit::{Audit, Counts};
use crate::config::{Concept, Language, Severity};
use crate::diagnostic::{Code, Via};
use crate::rules::DefinitionEntry;

/// One concept's numbers.
#[derive(Debug, Serialize)]
pub struct ConceptSummary<'a> {
    pub name: &'a str,
    pub canonical: String,
    pub language: Language,
    pub severity: Severity,
    #[serde(flatten)]
    pub counts: Counts,
    pub canonical_imports: usize,
    pub noncanonical_imports: usize,
    pub compliance: f64,
    pub definitions: &'a [DefinitionEntry],
    pub top_directories: Vec<DirectoryCount>,
}

#[derive(Debug, Serialize)]
pub struct DirectoryCount {
    pub directory: String,
    pub violations: usize,
}

/// The whole run's numbers.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub files_scanned: usize,
    #[serde(flatten)]
    pub counts: Counts,
    pub notes: usize,
}

pub fn summary(audit: &Audit) -> Summary {
    let definition_paths = audit
        .concepts
        .iter()
        .flat_map(|concept| concept.definitions.iter().map(|d| d.path.as_str()));
    Summary {
        files_scanned: audit.files_scanned(),
        counts: Counts::of(audit.violations.iter(), definition_paths),
        notes: audit.notes.len(),
    }
}

/// 100 x canonical / (canonical + non-canonical), two decimals; 100 when empty.
pub fn compliance(canonical: usize, noncanonical: usize) -> f64 {
    let total = canonical + noncanonical;
    if total == 0 {
        return 100.0;
    }
    (10_000.0 * canonical as f64 / total as f64).round() / 100.0
}

pub fn concept_summaries(audit: &Audit) -> Vec<ConceptSummary<'_>> {
    audit
        .config
        .concepts
        .iter()
        .zip(&audit.concepts)
        .enumerate()
        .map(|(id, (concept, result))| {
            let violations: Vec<_> = audit.concept_violations(id).collect();
            let counts = Counts::of(
                violations.iter().copied(),
                result.definitions.iter().map(|d| d.path.as_str()),
            );
            let noncanonical = violations
                .iter()
                .filter(|v| {
                    v.code == Code::NoncanonicalImport && matches!(v.via, Via::Import | Via::Star)
                })
                .count();
            ConceptSummary {
                name: &concept.name,
                canonical: concept.canonical(),
                language: concept.language,
                severity: concept.severity,
                counts,
                canonical_imports: result.canonical_imports,
                noncanonical_imports: noncanonical,
                compliance: compliance(result.canonical_imports, noncanonical),
                definitions: &result.definitions,
                top_directories: top_directories(violations.iter().map(|v| v.path.as_str())),
            }
        })
        .collect()
}

/// Directories with the most violations, most first, at most ten.
fn top_directories<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<DirectoryCount> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for path in paths {
        let directory = path
            .rsplit_once('/')
            .map_or(".", |(directory, _)| directory);
        *counts.entry(directory).or_default() += 1;
    }
    let mut sorted: Vec<_> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    sorted
        .into_iter()
        .take(10)
        .map(|(directory, violations)| DirectoryCount {
            directory: directory.to_string(),
            violations,
        })
        .collect()
}

/// `13 websocket-manager definition files, 451 violations in 185 files (212 fixable)`
pub fn headline(concept: &Concept, counts: &Counts) -> String {
    format!(
        "{} {} definition file{}, {}",
        counts.definition_files,
        concept.name,
        plural(counts.definition_files),
        violation_counts(counts)
    )
}

pub fn violation_counts(counts: &Counts) -> String {
    format!(
        "{} violation{} in {} file{} ({} fixable)",
        counts.violations,
        plural(counts.violations),
        counts.files_with_violations,
        plural(counts.files_with_violations),
        counts.fixable
    )
}

pub fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// `38.46%`, or `n/a` for a commit without code of the concept.
pub fn percent(compliance: Option<f64>) -> String {
    compliance.map_or_else(
        || "n/a".to_string(),
        |compliance| format!("{compliance:.2}%"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_rounds_to_two_decimals() {
        assert_eq!(compliance(0, 0), 100.0);
        assert_eq!(compliance(1, 2), 33.33);
        assert_eq!(compliance(2, 1), 66.67);
        assert_eq!(compliance(0, 5), 0.0);
    }
}
