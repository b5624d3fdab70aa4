//! Validation of rules.toml in the manner of cargo-deny: every problem found in
//! one pass, each pointing at its span in the file.

use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};
use regex::Regex;
use toml::Spanned;
use toml_edit::{ImDocument, Item, Table, Value};

use super::raw::{RawConcept, RawConfig, RawSettings, CONCEPT_KEYS, SETTINGS_KEYS, TOP_LEVEL_KEYS};
use super::{Concept, ConceptSpans, Language, Settings, Severity};

pub const DEFAULT_INCLUDE: &[&str] = &["**/*.py", "**/*.pyi", "**/*.rs"];

/// One problem in rules.toml, labelled at its span.
#[derive(Debug, Clone)]
pub struct ConfigProblem {
    pub code: &'static str,
    pub message: String,
    pub label: String,
    pub span: Range<usize>,
    pub help: Option<String>,
    /// Error, or a warning shown in the same report.
    pub severity: miette::Severity,
    source: Arc<NamedSource<String>>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigProblem {}

impl Diagnostic for ConfigProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.start..self.span.end.max(self.span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// All problems of one rules.toml.
#[derive(Debug, thiserror::Error)]
#[error("{} {}: {} problem{}", path, verdict, problems.len(), if problems.len() == 1 { "" } else { "s" })]
pub struct InvalidConfig {
    pub path: String,
    /// "is invalid" (read alone) or "does not match the code" (checked
    /// against the scanned files).
    pub verdict: &'static str,
    pub problems: Vec<ConfigProblem>,
}

impl Diagnostic for InvalidConfig {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config::invalid"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.problems
                .iter()
                .map(|problem| problem as &dyn Diagnostic),
        ))
    }
}

/// rules.toml as read: the text every diagnostic about it points into.
#[derive(Debug)]
pub struct ConfigText {
    source: Arc<NamedSource<String>>,
    /// Where the file selection is set: the `include` value, else the `src`
    /// value, else `[settings]`, else the start of the file.
    pub selection: Range<usize>,
}

impl ConfigText {
    pub fn text(&self) -> &str {
        self.source.inner()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let text = self.text();
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        (line as u32, column as u32)
    }

    /// A problem labelled at `span` of this text.
    pub fn problem(
        &self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
        severity: miette::Severity,
    ) -> ConfigProblem {
        ConfigProblem {
            code,
            message: message.into(),
            label: label.into(),
            span,
            help,
            severity,
            source: Arc::clone(&self.source),
        }
    }

    /// The report of `problems`, sorted by position, with its verdict.
    pub fn invalid(
        &self,
        verdict: &'static str,
        mut problems: Vec<ConfigProblem>,
    ) -> InvalidConfig {
        problems.sort_by_key(|problem| (problem.span.start, problem.code));
        InvalidConfig {
            path: self.source.name().to_string(),
            verdict,
            problems,
        }
    }
}

struct Problems {
    source: Arc<NamedSource<String>>,
    found: Vec<ConfigProblem>,
}

impl Problems {
    fn push(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.found.push(ConfigProblem {
            code,
            message: message.into(),
            label: label.into(),
            span,
            help,
            severity: miette::Severity::Error,
            source: Arc::clone(&self.source),
        });
    }
}

pub fn validate(
    file: &Path,
    text: &str,
) -> Result<(Settings, Vec<Concept>, Arc<ConfigText>), InvalidConfig> {
    let display = file.display().to_string();
    let mut problems = Problems {
        source: Arc::new(NamedSource::new(display.clone(), text.to_string()).with_language("toml")),
        found: Vec::new(),
    };
    let finish = |problems: Problems| InvalidConfig {
        path: display.clone(),
        verdict: "is invalid",
        problems: problems.found,
    };

    let document = match ImDocument::parse(text) {
        Ok(document) => document,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            problems.push(
                "config::syntax",
                span,
                format!("rules.toml is not valid TOML: {}", error.message()),
                "here",
                None,
            );
            return Err(finish(problems));
        }
    };
    check_unknown_keys(document.as_table(), &mut problems);

    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(
                "config::type",
                error.span().unwrap_or(0..0),
                format!("wrong type in rules.toml: {}", error.message()),
                "this value",
                Some("see the rules.toml reference in README.md for each key's type".into()),
            );
            return Err(finish(problems));
        }
    };

    let settings = validate_settings(raw.settings.as_ref(), &mut problems);
    let concepts = validate_concepts(&raw.concept, &mut problems);
    if problems.found.is_empty() {
        let selection = raw.settings.as_ref().map_or(0..0, |settings| {
            let values = settings.get_ref();
            let span_of = |entries: &Option<Vec<Spanned<String>>>| {
                entries.as_ref().and_then(|entries| {
                    let first = entries.first()?.span();
                    let last = entries.last()?.span();
                    Some(first.start..last.end)
                })
            };
            span_of(&values.include)
                .or_else(|| span_of(&values.src))
                .unwrap_or_else(|| settings.span())
        });
        let text = Arc::new(ConfigText {
            source: Arc::clone(&problems.source),
            selection,
        });
        Ok((settings, concepts, text))
    } else {
        problems.found.sort_by_key(|problem| problem.span.start);
        Err(finish(problems))
    }
}

fn check_unknown_keys(top: &Table, problems: &mut Problems) {
    check_table_keys(
        &AnyTable::Table(top),
        TOP_LEVEL_KEYS,
        "the top level",
        problems,
    );
    if let Some(item) = top.get("settings") {
        for table in tables_of(item) {
            check_table_keys(&table, SETTINGS_KEYS, "[settings]", problems);
        }
    }
    if let Some(item) = top.get("concept") {
        for table in tables_of(item) {
            check_table_keys(&table, CONCEPT_KEYS, "[[concept]]", problems);
        }
    }
}

/// A table or inline table, seen the same way for key checks.
enum AnyTable<'a> {
    Table(&'a Table),
    Inline(&'a toml_edit::InlineTable),
}

impl AnyTable<'_> {
    fn keys(&self) -> Vec<(String, Option<Range<usize>>)> {
        match self {
            AnyTable::Table(table) => table
                .iter()
                .map(|(key, _)| (key.to_string(), table.key(key).and_then(|k| k.span())))
                .collect(),
            AnyTable::Inline(table) => table
                .iter()
                .map(|(key, _)| (key.to_string(), table.key(key).and_then(|k| k.span())))
                .collect(),
        }
    }
}

fn tables_of(item: &Item) -> Vec<AnyTable<'_>> {
    match item {
        Item::Table(table) => vec![AnyTable::Table(table)],
        Item::ArrayOfTables(array) => array.iter().map(AnyTable::Table).collect(),
        Item::Value(Value::InlineTable(table)) => vec![AnyTable::Inline(table)],
        Item::Value(Value::Array(array)) => array
            .iter()
            .filter_map(|value| value.as_inline_table().map(AnyTable::Inline))
            .collect(),
        _ => Vec::new(),
    }
}

fn check_table_keys(table: &AnyTable<'_>, known: &[&str], place: &str, problems: &mut Problems) {
    for (key, span) in table.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let help = match closest(&key, known) {
            Some(close) => format!(
                "did you mean `{close}`? {place} accepts: {}",
                known.join(", ")
            ),
            None => format!("{place} accepts: {}", known.join(", ")),
        };
        problems.push(
            "config::unknown-key",
            span.unwrap_or(0..0),
            format!("unknown key `{key}` in {place}"),
            "unknown key",
            Some(help),
        );
    }
}

/// The known key nearest to a misspelt one, if any is near.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(prefixed) = known
        .iter()
        .find(|candidate| candidate.starts_with(key) || key.starts_with(*candidate))
    {
        return Some(prefixed);
    }
    known
        .iter()
        .map(|candidate| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len() / 3 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

fn validate_settings(raw: Option<&Spanned<RawSettings>>, problems: &mut Problems) -> Settings {
    let default = RawSettings::default();
    let raw = raw.map_or(&default, |spanned| spanned.get_ref());
    let src = match &raw.src {
        Some(entries) => entries
            .iter()
            .filter_map(|entry| normalise_src(entry, problems))
            .collect(),
        None => vec![String::new()],
    };
    let include = match &raw.include {
        Some(globs) => build_globs(globs, "include", problems),
        None => default_include(),
    };
    let exclude = match &raw.exclude {
        Some(globs) => build_globs(globs, "exclude", problems),
        None => GlobSet::empty(),
    };
    Settings {
        src,
        include,
        exclude,
        respect_gitignore: raw.respect_gitignore.unwrap_or(true),
    }
}

pub fn default_include() -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in DEFAULT_INCLUDE {
        if let Ok(glob) = glob(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

pub fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// `./src/` and `src` name the same root; `.` is the project root itself.
fn normalise_src(entry: &Spanned<String>, problems: &mut Problems) -> Option<String> {
    let raw = entry.get_ref();
    let mut parts = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                problems.push(
                    "config::src",
                    entry.span(),
                    format!("src root `{raw}` leaves the project root"),
                    "outside the project",
                    Some("src roots are relative to the directory holding rules.toml".into()),
                );
                return None;
            }
            part => parts.push(part),
        }
    }
    if raw.starts_with('/') {
        problems.push(
            "config::src",
            entry.span(),
            format!("src root `{raw}` is absolute"),
            "absolute path",
            Some("write it relative to the directory holding rules.toml, e.g. \"src\"".into()),
        );
        return None;
    }
    Some(parts.join("/"))
}

fn build_globs(globs: &[Spanned<String>], key: &str, problems: &mut Problems) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in globs {
        match glob(pattern.get_ref()) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(error) => problems.push(
                "config::glob",
                pattern.span(),
                format!("invalid glob in `{key}`: {}", error.kind()),
                "this glob",
                Some("globs use globset syntax: `**/*.py`, `tests/**`, `{a,b}`, `[ab]`".into()),
            ),
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

fn validate_concepts(raw: &[Spanned<RawConcept>], problems: &mut Problems) -> Vec<Concept> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<(String, String)> {
        match validate(Path::new("rules.toml"), text) {
            Ok(_) => Vec::new(),
            Err(invalid) => invalid
                .problems
                .into_iter()
                .map(|p| (p.code.to_string(), text[p.span.clone()].to_string()))
                .collect(),
        }
    }

    #[test]
    fn settings_alone_is_valid() {
        assert!(problems("[settings]\nsrc = [\"./src/\"]\n").is_empty());
    }

    #[test]
    fn every_problem_at_once() {
        let text = r#"
[settings]
srcs = ["."]
include = ["**/*.{py"]

[[concept]]
name = "ws"
canonical = "pkg.mod.Sym"
definition = "(unclosed"
severity = "fatal"

[[concept]]
name = "ws"
canonical = "pkg.mod:Sym"
"#;
        assert_eq!(
            problems(text),
            vec![
                ("config::unknown-key".into(), "srcs".into()),
                ("config::glob".into(), "\"**/*.{py\"".into()),
                ("config::canonical".into(), "\"pkg.mod.Sym\"".into()),
                ("config::regex".into(), "\"(unclosed\"".into()),
                ("config::severity".into(), "\"fatal\"".into()),
                ("config::duplicate-concept".into(), "\"ws\"".into()),
            ]
        );
    }

    #[test]
    fn src_entries_are_normalised() -> Result<(), Box<dyn std::error::Error>> {
        let (settings, _, _) = validate(
            Path::new("r"),
            "[settings]\nsrc = [\"./src/\", \".\", \"a//b\"]",
        )?;
        assert_eq!(settings.src, vec!["src", "", "a/b"]);
        Ok(())
    }

    #[test]
    fn spans_of_canonical_parts_and_legacy_modules() -> Result<(), Box<dyn std::error::Error>> {
        let text = "[[concept]]\nname = \"a\"\ncanonical = \"pkg.mod:Thing\"\nlegacy_modules = [\"pkg.old\"]\n\
                    [[concept]]\nname = \"b\"\ncanonical = \"my_crate::ws::Manager\"\n\
                    [[concept]]\nname = \"c\"\ncanonical = \"pkg.m\\u003aX\"\n";
        let (_, concepts, _) = validate(Path::new("r"), text)?;
        let at = |span: &Range<usize>| &text[span.clone()];
        assert_eq!(at(&concepts[0].spans.name), "\"a\"");
        assert_eq!(at(&concepts[0].spans.canonical_module), "pkg.mod");
        assert_eq!(at(&concepts[0].spans.canonical_symbol), "Thing");
        assert_eq!(at(&concepts[0].spans.legacy_modules[0]), "\"pkg.old\"");
        assert_eq!(at(&concepts[1].spans.canonical_module), "my_crate::ws");
        assert_eq!(at(&concepts[1].spans.canonical_symbol), "Manager");
        // An escape: both parts point at the whole value.
        assert_eq!(at(&concepts[2].spans.canonical_symbol), "\"pkg.m\\u003aX\"");
        Ok(())
    }

    #[test]
    fn rust_and_python_canonicals() -> Result<(), Box<dyn std::error::Error>> {
        let text = "[[concept]]\nname = \"a\"\ncanonical = \"my_crate::ws::Manager\"\n\
                    [[concept]]\nname = \"b\"\ncanonical = \"pkg.m:Thing\"\nsymbols = [\"Alias\"]\n";
        let (_, concepts, _) = validate(Path::new("r"), text)?;
        assert_eq!(concepts[0].language, Language::Rust);
        assert_eq!(concepts[0].canonical_module, "my_crate::ws");
        assert_eq!(concepts[1].symbols, vec!["Thing", "Alias"]);
        assert!(concepts[1].definition.is_match("Alias"));
        assert!(!concepts[1].definition.is_match("AliasX"));
        Ok(())
    }
}
