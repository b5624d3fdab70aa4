//! SARIF 2.1.0 output (`check --format sarif`) for code-scanning services
//! such as GitHub code scanning: one run, one rule per code, one result per
//! violation with a fingerprint that survives edits above it, and the
//! autofix edits as SARIF `fixes`.

mod log;
mod rules;
#[cfg(test)]
mod tests;
mod uri;

use std::collections::{BTreeMap, HashMap};

use crate::audit::Audit;
use crate::diagnostic::{Code, Edit, Fix, Violation};
use crate::lang::Note;
use crate::source::LineCol;
use log::{
    ArtifactChange, ArtifactContent, ArtifactLocation, DescriptorReference, Driver, FixProperties,
    Invocation, Location, Log, Message, Notification, PhysicalLocation, Region, Replacement,
    ResultProperties, Run, SarifFix, SarifResult, Tool,
};
use rules::{level, rules};
pub use uri::{directory_uri, percent_encode_path};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base id every artifact URI is relative to: the project root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key; bump the version when the hash input changes.
pub const FINGERPRINT_KEY: &str = "ssotAudit/v1";

/// Hashes what identifies a violation apart from where it sits in the file
/// (code, path, concept, mechanism, message), so lines added above it keep
/// its fingerprint. Fields are NUL-separated so that no two inputs collide
/// by concatenation.
fn fingerprint_hash(violation: &Violation, concept: Option<&str>) -> u64 {
    crate::fnv::hash_parts(&[
        violation.code.as_str(),
        violation.path.as_str(),
        concept.unwrap_or(""),
        violation.via.as_str(),
        violation.message.as_str(),
    ])
}

fn fix(violation: &Violation, fix: &Fix) -> Option<SarifFix> {
    let mut artifact_changes = vec![artifact_change(&violation.path, &fix.edits)?];
    for other in &fix.other_files {
        artifact_changes.push(artifact_change(&other.path, &other.edits)?);
    }
    Some(SarifFix {
        description: Message::new(fix.title.clone()),
        artifact_changes,
        properties: FixProperties {
            applicability: fix.applicability,
        },
    })
}

/// One file's edits as SARIF replacements. SARIF wants at least one; an
/// edit without a position cannot be expressed, and then neither can the
/// fix as a whole.
fn artifact_change(path: &str, edits: &[Edit]) -> Option<ArtifactChange> {
    let replacements: Vec<Replacement> = edits
        .iter()
        .filter_map(|edit| {
            let region = Region::new(
                LineCol {
                    line: edit.line,
                    column: edit.column,
                },
                LineCol {
                    line: edit.end_line,
                    column: edit.end_column,
                },
            )?;
            Some(Replacement {
                deleted_region: region,
                inserted_content: (!edit.replacement.is_empty()).then(|| ArtifactContent {
                    text: edit.replacement.clone(),
                }),
            })
        })
        .collect();
    if replacements.is_empty() || replacements.len() != edits.len() {
        return None;
    }
    Some(ArtifactChange {
        artifact_location: ArtifactLocation::in_project(path),
        replacements,
    })
}

fn results(audit: &Audit) -> Vec<SarifResult<'_>> {
    // Identical findings in one file (the same import written twice) share a
    // hash; the occurrence number keeps their fingerprints apart, the way
    // code scanning's own `primaryLocationLineHash` does.
    let mut occurrences: HashMap<u64, u32> = HashMap::new();
    audit
        .violations
        .iter()
        .map(|violation| {
            let concept = audit.concept_name(violation);
            let hash = fingerprint_hash(violation, concept);
            let occurrence = occurrences.entry(hash).or_insert(0);
            *occurrence += 1;
            let rule_index = Code::ALL
                .iter()
                .position(|code| *code == violation.code)
                .unwrap_or_default();
            SarifResult {
                rule_id: violation.code.as_str(),
                rule_index,
                level: level(violation.severity),
                message: Message::new(violation.message.clone()),
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation::in_project(&violation.path),
                        region: Region::new(violation.span.begin, violation.span.finish),
                    },
                }],
                partial_fingerprints: BTreeMap::from([(
                    FINGERPRINT_KEY,
                    format!("{hash:016x}:{occurrence}"),
                )]),
                properties: ResultProperties {
                    concept,
                    via: violation.via.as_str(),
                },
                fixes: violation
                    .fix
                    .as_ref()
                    .and_then(|found| fix(violation, found))
                    .into_iter()
                    .collect(),
            }
        })
        .collect()
}

/// Files that could not be audited completely (parse errors, skipped files)
/// are tool execution notifications, not results.
fn notifications(notes: &[Note]) -> Vec<Notification<'_>> {
    notes
        .iter()
        .map(|note| Notification {
            descriptor: DescriptorReference { id: &note.code },
            level: "warning",
            message: Message::new(note.message.clone()),
            locations: if note.path.is_empty() {
                Vec::new()
            } else {
                vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation::in_project(&note.path),
                        region: Region::new(
                            LineCol {
                                line: note.line,
                                column: note.column,
                            },
                            LineCol {
                                line: note.line,
                                column: note.column,
                            },
                        ),
                    },
                }]
            },
        })
        .collect()
}

/// `check --format sarif`: the whole log, pretty-printed, newline-terminated.
pub fn check(audit: &Audit) -> String {
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "ssot-audit",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: rules(),
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications(&audit.notes),
            }],
            original_uri_base_ids: BTreeMap::from([(
                SRCROOT,
                ArtifactLocation {
                    uri: directory_uri(&audit.config.root),
                    uri_base_id: None,
                    description: Some(Message::new(
                        "The project root: the directory holding rules.toml",
                    )),
                },
            )]),
            column_kind: "unicodeCodePoints",
            results: results(audit),
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)
        .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialise the report: {error}\"}}"));
    text.push('\n');
    text
}
