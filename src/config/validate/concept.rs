//! Each `[[concept]]`: its name, canonical, symbols, `definition` regex,
//! legacy modules, allow globs and severity, with the spans of its parts.

use std::ops::Range;

use regex::Regex;
use toml::Spanned;

use super::settings::build_globs;
use super::Problems;
use crate::config::raw::RawConcept;
use crate::config::{Concept, ConceptSpans, Language, Severity};

pub(super) fn validate_concepts(
    raw: &[Spanned<RawConcept>],
    problems: &mut Problems,
) -> Vec<Concept> {
    let mut concepts = Vec::new();
    let mut seen: Vec<(String, Range<usize>)> = Vec::new();
    for spanned in raw {
        let table_span = spanned.span();
        let concept = spanned.get_ref();
        let name = match &concept.name {
            Some(name) if !name.get_ref().trim().is_empty() => {
                if let Some((_, first)) = seen.iter().find(|(seen, _)| seen == name.get_ref()) {
                    let first_line = problems.source.inner()[..first.start].lines().count() + 1;
                    problems.push(
                        "config::duplicate-concept",
                        name.span(),
                        format!("concept `{}` is defined twice", name.get_ref()),
                        "second definition",
                        Some(format!(
                            "concept names must be unique; the first is on line {first_line}: merge the two or rename one"
                        )),
                    );
                }
                seen.push((name.get_ref().clone(), name.span()));
                Some(name.get_ref().clone())
            }
            Some(name) => {
                problems.push(
                    "config::missing",
                    name.span(),
                    "concept name is empty",
                    "empty name",
                    Some("name the concept, e.g. name = \"websocket-manager\"".into()),
                );
                None
            }
            None => {
                problems.push(
                    "config::missing",
                    table_span.clone(),
                    "[[concept]] has no `name`",
                    "this concept",
                    Some("add name = \"websocket-manager\"".into()),
                );
                None
            }
        };
        let canonical = match &concept.canonical {
            Some(canonical) => parse_canonical(canonical, problems),
            None => {
                problems.push(
                    "config::missing",
                    table_span.clone(),
                    "[[concept]] has no `canonical`",
                    "this concept",
                    Some(
                        "add canonical = \"package.module:Symbol\" (Python) or \"crate::path::Symbol\" (Rust)"
                            .into(),
                    ),
                );
                None
            }
        };
        let language = canonical.as_ref().map(|(language, _, _)| *language);
        let mut symbols: Vec<String> = Vec::new();
        if let Some((_, _, symbol)) = &canonical {
            symbols.push(symbol.clone());
        }
        for symbol in concept.symbols.iter().flatten() {
            if !is_identifier(symbol.get_ref()) {
                problems.push(
                    "config::symbol",
                    symbol.span(),
                    format!("`{}` is not an identifier", symbol.get_ref()),
                    "not a name",
                    Some("symbols are bare names such as \"WebSocketManager\"".into()),
                );
            } else if !symbols.contains(symbol.get_ref()) {
                symbols.push(symbol.get_ref().clone());
            }
        }
        let definition = match &concept.definition {
            Some(pattern) => match Regex::new(pattern.get_ref()) {
                Ok(regex) => Some(regex),
                Err(error) => {
                    problems.push(
                        "config::regex",
                        pattern.span(),
                        "invalid `definition` regex",
                        first_line(&error.to_string()),
                        Some("`definition` uses Rust regex syntax, e.g. '(?i)^\\w*websocket\\w*manager$'".into()),
                    );
                    None
                }
            },
            None => Regex::new(&format!(
                "^(?:{})$",
                symbols
                    .iter()
                    .map(|symbol| regex::escape(symbol))
                    .collect::<Vec<_>>()
                    .join("|")
            ))
            .ok(),
        };
        let mut legacy_modules = Vec::new();
        let mut legacy_spans = Vec::new();
        for module in concept.legacy_modules.iter().flatten() {
            let valid = match language {
                Some(Language::Rust) => is_rust_path(module.get_ref()),
                _ => is_dotted(module.get_ref()),
            };
            if valid {
                legacy_modules.push(module.get_ref().clone());
                legacy_spans.push(module.span());
            } else {
                problems.push(
                    "config::legacy-module",
                    module.span(),
                    format!("`{}` is not a module path", module.get_ref()),
                    "not a module path",
                    Some("write dotted Python modules (\"pkg.legacy\") or Rust paths (\"crate::legacy\")".into()),
                );
            }
        }
        let allow = build_globs(concept.allow.as_deref().unwrap_or(&[]), "allow", problems);
        let severity = match &concept.severity {
            None => Some(Severity::Error),
            Some(severity) => match severity.get_ref().as_str() {
                "error" => Some(Severity::Error),
                "warning" => Some(Severity::Warning),
                other => {
                    problems.push(
                        "config::severity",
                        severity.span(),
                        format!("unknown severity `{other}`"),
                        "not a severity",
                        Some("severity is \"error\" or \"warning\"".into()),
                    );
                    None
                }
            },
        };
        if let (Some(name), Some((language, module, symbol)), Some(definition), Some(severity)) =
            (name, canonical, definition, severity)
        {
            let (canonical_module, canonical_symbol) = concept
                .canonical
                .as_ref()
                .map(|canonical| canonical_spans(problems.source.inner(), canonical, &module))
                .unwrap_or_default();
            let spans = ConceptSpans {
                name: concept.name.as_ref().map_or(table_span, Spanned::span),
                canonical_module,
                canonical_symbol,
                legacy_modules: legacy_spans,
            };
            concepts.push(Concept {
                name,
                language,
                canonical_module: module,
                canonical_symbol: symbol,
                symbols,
                definition,
                legacy_modules,
                allow,
                severity,
                spans,
            });
        }
    }
    concepts
}

/// The spans of the module and the symbol inside a `canonical` value; both
/// are the whole value when it is not written plainly (escapes, a multi-line
/// string).
fn canonical_spans(
    text: &str,
    canonical: &Spanned<String>,
    module: &str,
) -> (Range<usize>, Range<usize>) {
    let whole = canonical.span();
    let value = canonical.get_ref();
    let written = text.get(whole.clone()).unwrap_or("");
    let quoted = |quote: char| written.starts_with(quote) && written.ends_with(quote);
    let plain = written.len() == value.len() + 2
        && (quoted('"') || quoted('\''))
        && written.get(1..written.len() - 1) == Some(value.as_str());
    if !plain {
        return (whole.clone(), whole);
    }
    let start = whole.start + 1;
    let separator = if value.len() > module.len() && value[module.len()..].starts_with("::") {
        2
    } else {
        1
    };
    (
        start..start + module.len(),
        start + module.len() + separator..whole.end - 1,
    )
}

fn first_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|line| line.starts_with("error:"))
        .unwrap_or_else(|| text.lines().next().unwrap_or(""))
        .to_string()
}

fn parse_canonical(
    canonical: &Spanned<String>,
    problems: &mut Problems,
) -> Option<(Language, String, String)> {
    let text = canonical.get_ref();
    if text.contains("::") {
        if let Some((module, symbol)) = text.rsplit_once("::") {
            if is_rust_path(module) && is_identifier(symbol) {
                return Some((Language::Rust, module.to_string(), symbol.to_string()));
            }
        }
    } else if let Some((module, symbol)) = text.split_once(':') {
        if is_dotted(module) && is_identifier(symbol) {
            return Some((Language::Python, module.to_string(), symbol.to_string()));
        }
    }
    problems.push(
        "config::canonical",
        canonical.span(),
        format!("canonical `{text}` is not of the form `module:Symbol` or `path::Symbol`"),
        "malformed canonical",
        Some(
            "Python: canonical = \"pkg.websocket_core.unified_manager:UnifiedWebSocketManager\"; \
             Rust: canonical = \"my_crate::ws::UnifiedManager\""
                .into(),
        ),
    );
    None
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(first) if first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn is_dotted(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(is_identifier)
}

fn is_rust_path(text: &str) -> bool {
    let text = text.strip_prefix("::").unwrap_or(text);
    !text.is_empty()
        && text
            .split("::")
            .all(|segment| is_identifier(segment.strip_prefix("r#").unwrap_or(segment)))
}
