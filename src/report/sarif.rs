//! SARIF 2.1.0 output (`check --format sarif`) for code-scanning services
//! such as GitHub code scanning: one run, one rule per code, one result per
//! violation with a fingerprint that survives edits above it, and the
//! autofix edits as SARIF `fixes`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path};

use serde::Serialize;

use crate::audit::Audit;
use crate::config::Severity;
use crate::diagnostic::{Applicability, Code, Edit, Fix, Violation};
use crate::lang::Note;
use crate::source::LineCol;

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base id every artifact URI is relative to: the project root.
pub const SRCROOT: &str = "%SRCROOT%";
/// The `partialFingerprints` key; bump the version when the hash input changes.
pub const FINGERPRINT_KEY: &str = "ssotAudit/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    invocations: [Invocation<'a>; 1],
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    descriptor: DescriptorReference<'a>,
    level: &'static str,
    message: Message,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct DescriptorReference<'a> {
    id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Message>,
}

impl ArtifactLocation {
    /// A root-relative `/` path, as the violations carry it.
    fn in_project(path: &str) -> Self {
        Self {
            uri: percent_encode_path(path),
            uri_base_id: Some(SRCROOT),
            description: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    concept: Option<&'a str>,
    via: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

/// Lines and columns are 1-based; columns count code points (the run's
/// `columnKind`) and `endColumn` is exclusive, as in our spans.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

impl Region {
    /// None for a position that names no line (SARIF lines start at 1).
    fn new(begin: LineCol, finish: LineCol) -> Option<Self> {
        if begin.line == 0 {
            return None;
        }
        let start_column = begin.column.max(1);
        let (end_line, end_column) = if (finish.line, finish.column) < (begin.line, start_column) {
            (begin.line, start_column)
        } else {
            (finish.line, finish.column.max(1))
        };
        Some(Self {
            start_line: begin.line,
            start_column,
            end_line,
            end_column,
        })
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Message,
    artifact_changes: Vec<ArtifactChange>,
    properties: FixProperties,
}

#[derive(Serialize)]
struct FixProperties {
    applicability: Applicability,
}

#[derive(Serialize)]
struct ArtifactChange {
    #[serde(rename = "artifactLocation")]
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    /// Absent for a pure deletion.
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<ArtifactContent>,
}

#[derive(Serialize)]
struct ArtifactContent {
    text: String,
}

/// What a rule is about, in a sentence or two, and how to fix it (markdown).
struct RuleText {
    description: &'static str,
    fix: &'static str,
}

fn rule_text(code: Code) -> RuleText {
    match code {
        Code::DuplicateDefinition => RuleText {
            description: "A class, struct, enum, trait or type whose name matches a concept's \
                `definition` pattern is defined outside the concept's canonical module. Two \
                definitions of one concept drift apart: callers get different behaviour \
                depending on which one they import.",
            fix: "Delete the duplicate and import the canonical definition instead, or move \
                the behaviour it adds into the canonical module. Test doubles can be \
                sanctioned with the concept's `allow` globs in `rules.toml`.",
        },
        Code::AliasReexport => RuleText {
            description: "A concept is given a second name (`X = Canonical`, \
                `from canon import C as X`, `pub use ... as X`, `pub type X = C`) or a second \
                home (a re-export from a package `__init__`, `__all__`, a shim module, \
                `pub use`). Every extra name or path is one more way to import the concept \
                that has to be kept in sync.",
            fix: "Remove the alias or re-export once its importers use the canonical path \
                (`ssot-audit fix` rewrites those imports), then delete the shim.",
        },
        Code::NoncanonicalImport => RuleText {
            description: "A concept is imported through a path other than its canonical \
                module: a legacy module, a shim, an alias, an `__init__` facade, a relative \
                import that resolves elsewhere, or a `patch(\"...\")` target string.",
            fix: "Import the concept from its canonical module. `ssot-audit fix` applies the \
                safe rewrites; `ssot-audit fix --unsafe-fixes` also renames and rewrites \
                patch targets.",
        },
        Code::UnusedSuppression => RuleText {
            description: "An `ssot: ignore[...]` comment suppresses no violation: the code \
                it names no longer occurs on its line (or in its file).",
            fix: "Delete the suppression comment, or the codes in it that match nothing.",
        },
        Code::InvalidSuppression => RuleText {
            description: "An `ssot: ignore[...]` comment cannot be read: an unknown or missing \
                rule code, or an `ignore-file` below the first 10 lines.",
            fix: "Write `# ssot: ignore[SSOT003] reason` on the violation's line (`//` in \
                Rust), or `# ssot: ignore-file[SSOT001]` in the first 10 lines.",
        },
    }
}

/// The level a rule has unless a concept's severity says otherwise.
fn default_level(code: Code) -> &'static str {
    match code {
        Code::UnusedSuppression => "warning",
        _ => "error",
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn rules() -> Vec<Rule> {
    Code::ALL
        .into_iter()
        .map(|code| {
            let text = rule_text(code);
            let description = collapse_spaces(text.description);
            let fix = collapse_spaces(text.fix);
            Rule {
                id: code.as_str(),
                name: code.rule(),
                short_description: Message::new(code.summary()),
                full_description: Message::new(description.clone()),
                help: MultiformatMessage {
                    text: format!("{description}\n\nHow to fix: {fix}"),
                    markdown: format!(
                        "**{} {}**: {}\n\n{description}\n\n**How to fix:** {fix}",
                        code.as_str(),
                        code.rule(),
                        code.summary()
                    ),
                },
                default_configuration: Configuration {
                    level: default_level(code),
                },
                properties: RuleProperties {
                    tags: ["maintainability", "single-source-of-truth"],
                },
            }
        })
        .collect()
}

/// The rule texts are wrapped in the source with `\` continuations.
fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

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

/// Percent-encodes a `/`-separated path for a URI: everything but RFC 3986
/// unreserved characters, sub-delimiters, `@` and `/` is escaped. `:` is
/// escaped too, so a relative path such as `a:b.py` cannot read as a scheme.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `file:///abs/root/` (SARIF wants base URIs to end with `/`). `.` and `..`
/// are resolved lexically, as a URI consumer would resolve them.
pub fn directory_uri(root: &Path) -> String {
    let mut segments: Vec<String> = Vec::new();
    let mut drive = String::new();
    for component in root.components() {
        match component {
            Component::Prefix(prefix) => {
                // `C:` keeps its colon: `file:///C:/...`.
                drive = prefix.as_os_str().to_string_lossy().replace('\\', "/");
            }
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                segments.pop();
            }
            Component::Normal(name) => segments.push(name.to_string_lossy().into_owned()),
        }
    }
    let mut uri = String::from("file:///");
    if !drive.is_empty() {
        uri.push_str(&drive);
        uri.push('/');
    }
    for segment in segments {
        uri.push_str(&percent_encode_path(&segment));
        uri.push('/');
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(percent_encode_path("pkg/a b.py"), "pkg/a%20b.py");
        assert_eq!(percent_encode_path("a:b/c#d%.py"), "a%3Ab/c%23d%25.py");
        assert_eq!(percent_encode_path("pkg/ü.py"), "pkg/%C3%BC.py");
    }

    #[cfg(unix)]
    #[test]
    fn roots_become_directory_uris() {
        assert_eq!(directory_uri(Path::new("/")), "file:///");
        assert_eq!(
            directory_uri(Path::new("/work/a b/./x/../repo")),
            "file:///work/a%20b/repo/"
        );
    }

    #[test]
    fn regions_never_end_before_they_start() -> Result<(), Box<dyn std::error::Error>> {
        let at = |line, column| LineCol { line, column };
        assert!(Region::new(at(0, 0), at(0, 0)).is_none());
        let region = Region::new(at(3, 0), at(2, 9)).ok_or("no region")?;
        assert_eq!(
            (
                region.start_line,
                region.start_column,
                region.end_line,
                region.end_column
            ),
            (3, 1, 3, 1)
        );
        Ok(())
    }
}
