//! Discover's output: the ranked list for people, JSON for tools, and the
//! rules.toml that `--write-rules` writes.

use std::fmt::Write as _;

use serde::Serialize;

use super::candidate::{Candidate, WEIGHT_ALIAS, WEIGHT_DEFINITION, WEIGHT_IMPORTER, WEIGHT_PATH};
use super::Discovery;
use crate::config::DEFAULT_INCLUDE;
use crate::summary::plural;

pub const VERSION: u32 = 1;

/// A TOML basic string (JSON's escapes are a subset of TOML's).
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn toml_array<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|item| toml_string(item.as_ref()))
        .collect();
    format!("[{}]", items.join(", "))
}

/// A regex as a TOML literal string, so `\w` needs no escaping.
fn toml_regex(pattern: &str) -> String {
    if pattern.contains('\'') || pattern.contains('\n') {
        toml_string(pattern)
    } else {
        format!("'{pattern}'")
    }
}

/// The candidate's `[[concept]]` block, as `check` reads it.
pub fn concept_block(candidate: &Candidate) -> String {
    format!(
        "[[concept]]\nname = {}\ncanonical = {}\nsymbols = {}\ndefinition = {}\nlegacy_modules = {}\nallow = {}\nseverity = \"warning\"\n",
        toml_string(&candidate.name),
        toml_string(&candidate.canonical),
        toml_array(&candidate.symbols),
        toml_regex(&candidate.definition),
        toml_array(&candidate.legacy_modules),
        toml_array(&candidate.allow),
    )
}

pub fn score_formula(candidate: &Candidate) -> String {
    let parts = &candidate.score_parts;
    format!(
        "{WEIGHT_DEFINITION}×{} extra definition{} + {WEIGHT_PATH}×{} non-canonical path{} + {WEIGHT_ALIAS}×{} alias{} + {}{} non-canonical importer{} = {}",
        parts.extra_definitions,
        plural(parts.extra_definitions),
        parts.noncanonical_paths,
        plural(parts.noncanonical_paths),
        parts.aliases,
        if parts.aliases == 1 { "" } else { "es" },
        if WEIGHT_IMPORTER == 1 {
            String::new()
        } else {
            format!("{WEIGHT_IMPORTER}×")
        },
        parts.noncanonical_importers,
        plural(parts.noncanonical_importers),
        candidate.score
    )
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("{by}{line}\n")
            }
        })
        .collect()
}

pub fn human(discovery: &Discovery) -> String {
    let mut out = String::new();
    if discovery.candidates.is_empty() {
        let _ = writeln!(
            out,
            "no candidate concepts: no class is defined in two modules, shares a stem with another, is aliased or is imported through a second path ({} file{} scanned)",
            discovery.files_scanned,
            plural(discovery.files_scanned)
        );
    }
    for candidate in &discovery.candidates {
        let counts = &candidate.counts;
        let _ = writeln!(
            out,
            "{}. {} (score {})",
            candidate.rank, candidate.name, candidate.score
        );
        let _ = writeln!(out, "   canonical: {}", candidate.canonical);
        let _ = writeln!(out, "     {}", candidate.evidence);
        if let Some(existing) = &candidate.existing_concept {
            let _ = writeln!(out, "     already configured as concept `{existing}`");
        }
        let _ = writeln!(out, "   score: {}", score_formula(candidate));
        let _ = writeln!(out, "   symbols: {}", candidate.symbols.join(", "));
        let _ = writeln!(out, "   definitions ({}):", candidate.definitions.len());
        for definition in &candidate.definitions {
            let _ = writeln!(
                out,
                "     {}:{}:{} {}{} ({} importer{})",
                definition.path,
                definition.line,
                definition.column,
                definition.name,
                if definition.canonical {
                    " [canonical]"
                } else if definition.nested {
                    " [nested, matches definition]"
                } else if definition.pattern_only {
                    " [matches definition]"
                } else {
                    ""
                },
                definition.importers,
                plural(definition.importers)
            );
        }
        let _ = writeln!(out, "   import paths ({}):", counts.import_paths);
        for path in &candidate.paths {
            let _ = writeln!(
                out,
                "     {} [{}] {} importer{}: {}",
                path.module,
                path.kind,
                path.importers,
                plural(path.importers),
                path.names.join(", ")
            );
        }
        if !candidate.aliases.is_empty() {
            let _ = writeln!(out, "   aliases ({}):", candidate.aliases.len());
            for alias in &candidate.aliases {
                let _ = writeln!(
                    out,
                    "     {}:{}:{} {} = {}",
                    alias.path, alias.line, alias.column, alias.name, alias.value
                );
            }
        }
        if !candidate.legacy.is_empty() {
            let _ = writeln!(out, "   legacy modules ({}):", candidate.legacy.len());
            for module in &candidate.legacy {
                let _ = writeln!(
                    out,
                    "     {} [{}] binds {}",
                    module.module,
                    module.kind,
                    if module.names.is_empty() {
                        "no concept symbol".to_string()
                    } else {
                        module.names.join(", ")
                    }
                );
                for module_use in &module.module_uses {
                    let _ = writeln!(
                        out,
                        "       imported as a module: {}:{}:{} {}",
                        module_use.path, module_use.line, module_use.column, module_use.expression
                    );
                }
            }
        }
        if !candidate.allow.is_empty() {
            let _ = writeln!(
                out,
                "   test doubles (allow): {}",
                candidate.allow.join(", ")
            );
        }
        if !candidate.related.is_empty() {
            let related: Vec<String> = candidate
                .related
                .iter()
                .map(|related| format!("{} ({}:{})", related.name, related.path, related.line))
                .collect();
            let _ = writeln!(
                out,
                "   related names `definition` does not match: {}",
                related.join(", ")
            );
        }
        out.push('\n');
        out.push_str(&indent(&concept_block(candidate), "   "));
        out.push('\n');
    }
    if !discovery.leftovers.is_empty() {
        let _ = writeln!(
            out,
            "skipped {} leftover cop{} (not importable; --write-rules excludes them): {}",
            discovery.leftovers.len(),
            if discovery.leftovers.len() == 1 {
                "y"
            } else {
                "ies"
            },
            discovery.leftovers.join(", ")
        );
    }
    let shown = discovery.candidates.len();
    if discovery.total_candidates > shown {
        let _ = writeln!(
            out,
            "{} candidate concepts, top {shown} shown (--top N to see more), {} file{} scanned",
            discovery.total_candidates,
            discovery.files_scanned,
            plural(discovery.files_scanned)
        );
    } else if shown > 0 {
        let _ = writeln!(
            out,
            "{shown} candidate concept{}, {} file{} scanned",
            plural(shown),
            discovery.files_scanned,
            plural(discovery.files_scanned)
        );
    }
    out
}

#[derive(Serialize)]
struct CandidateJson<'a> {
    #[serde(flatten)]
    candidate: &'a Candidate,
    /// The ready `[[concept]]` block.
    concept: String,
}

#[derive(Serialize)]
struct DiscoverJson<'a> {
    version: u32,
    files_scanned: usize,
    total_candidates: usize,
    candidates: Vec<CandidateJson<'a>>,
    leftovers: &'a [String],
}

pub fn json(discovery: &Discovery) -> String {
    let document = DiscoverJson {
        version: VERSION,
        files_scanned: discovery.files_scanned,
        total_candidates: discovery.total_candidates,
        candidates: discovery
            .candidates
            .iter()
            .map(|candidate| CandidateJson {
                candidate,
                concept: concept_block(candidate),
            })
            .collect(),
        leftovers: &discovery.leftovers,
    };
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_else(|error| {
        format!("{{\"error\": \"cannot serialise the candidates: {error}\"}}")
    });
    text.push('\n');
    text
}

/// The `[settings]` of the rules.toml in effect (or the defaults), with the
/// skipped leftover copies added to `exclude`.
fn settings_block(discovery: &Discovery) -> String {
    let table: Option<toml::Table> = discovery
        .config_text
        .as_deref()
        .and_then(|text| toml::from_str::<toml::Table>(text).ok())
        .and_then(|mut document| match document.remove("settings") {
            Some(toml::Value::Table(settings)) => Some(settings),
            _ => None,
        });
    let strings = |key: &str| -> Option<Vec<String>> {
        let array = table.as_ref()?.get(key)?.as_array()?;
        Some(
            array
                .iter()
                .filter_map(|value| value.as_str().map(str::to_string))
                .collect(),
        )
    };
    let src = strings("src").unwrap_or_else(|| vec![".".to_string()]);
    let include = strings("include").unwrap_or_else(|| {
        DEFAULT_INCLUDE
            .iter()
            .map(|glob| glob.to_string())
            .collect()
    });
    let mut exclude = strings("exclude").unwrap_or_default();
    let respect_gitignore = table
        .as_ref()
        .and_then(|table| table.get("respect_gitignore"))
        .and_then(toml::Value::as_bool)
        .unwrap_or(true);
    let mut out = String::from("[settings]\n");
    let _ = writeln!(out, "src = {}", toml_array(&src));
    let _ = writeln!(out, "include = {}", toml_array(&include));
    if !discovery.leftovers.is_empty() {
        out.push_str(
            "# Leftover copies (`name.backup.py`): no import can reach them, so discover\n\
             # skipped them and check should too.\n",
        );
        for leftover in &discovery.leftovers {
            let glob = super::candidate::glob_escape(leftover);
            if !exclude.contains(&glob) {
                exclude.push(glob);
            }
        }
    }
    let _ = writeln!(out, "exclude = {}", toml_array(&exclude));
    let _ = writeln!(out, "respect_gitignore = {respect_gitignore}");
    out
}

/// A commented rules.toml that `check` accepts as is.
pub fn rules_file(discovery: &Discovery) -> String {
    let mut out = String::new();
    out.push_str(
        "# rules.toml proposed by `ssot-audit discover`.\n\
         #\n\
         # Each [[concept]] is a cluster of class definitions that share a name or a\n\
         # CamelCase stem, with the definition most files import as its canonical home.\n\
         # Review canonical, symbols and legacy_modules, then raise severity to \"error\"\n\
         # to make `ssot-audit check` a CI gate. Paths are relative to this file's\n\
         # directory, the project root.\n\n",
    );
    out.push_str(&settings_block(discovery));
    if discovery.candidates.is_empty() {
        out.push_str("\n# discover found no fragmented concept.\n");
    }
    for candidate in &discovery.candidates {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "# {}. score {}",
            candidate.rank,
            score_formula(candidate)
        );
        let _ = writeln!(out, "# canonical: {}", candidate.canonical_evidence);
        for module in &candidate.legacy {
            let _ = writeln!(
                out,
                "# legacy {}: {}",
                module.module,
                super::legacy::legacy_reason(module)
            );
        }
        let others: Vec<String> = candidate
            .paths
            .iter()
            .filter(|path| path.kind != "canonical")
            .map(|path| {
                format!(
                    "{} ({}, {} importer{})",
                    path.module,
                    path.kind,
                    path.importers,
                    plural(path.importers)
                )
            })
            .collect();
        if !others.is_empty() {
            let _ = writeln!(out, "# other import paths: {}", others.join(", "));
        }
        if !candidate.related.is_empty() {
            let related: Vec<&str> = candidate
                .related
                .iter()
                .map(|related| related.name.as_str())
                .collect();
            let _ = writeln!(
                out,
                "# related names `definition` does not match: {}",
                related.join(", ")
            );
        }
        out.push_str(&concept_block(candidate));
    }
    out
}
