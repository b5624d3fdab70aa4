//! rules.toml checked against the code once the index is built: a gate that
//! passes on a typo checks nothing. A canonical module no scanned file
//! provides, or a canonical symbol its module neither defines nor binds, is an
//! error; a legacy module no file provides, a concept nothing in the code
//! refers to and a run that scanned no file are warnings (errors with
//! `--strict`). Every finding points at its span in rules.toml and, where the
//! index has a near name, says which.

mod concept;
mod findings;
mod lookup;
mod rust_items;
mod suggest;

use std::ops::Range;

use crate::config::{Config, ConfigError, Language};
use crate::index::ProjectIndex;
use crate::Error;
use concept::check_concept;
use findings::Findings;
use lookup::module_names;

/// The code of each warning (SSOT900 and SSOT910 are file notes, SSOT901 and
/// SSOT902 suppression findings).
pub const MISSING_LEGACY_MODULE: &str = "SSOT920";
pub const CONCEPT_MATCHES_NOTHING: &str = "SSOT921";
pub const NOTHING_SCANNED: &str = "SSOT922";

/// The name of a warning code, as a rule's name goes with its code.
pub fn rule_name(code: &str) -> &'static str {
    match code {
        MISSING_LEGACY_MODULE => "missing-legacy-module",
        CONCEPT_MATCHES_NOTHING => "concept-matches-nothing",
        _ => "nothing-scanned",
    }
}

/// A way rules.toml and the code disagree that does not stop the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigWarning {
    pub code: &'static str,
    pub rule: &'static str,
    /// rules.toml relative to the project root, `/` separators.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub concept: Option<String>,
    pub message: String,
    #[serde(skip)]
    pub span: Range<usize>,
    /// The label and help of the diagnostic it becomes under `--strict`.
    #[serde(skip)]
    pub label: &'static str,
    #[serde(skip)]
    pub help: Option<String>,
}

/// Checks every concept against the index. Errors (and, with `strict`,
/// warnings) end the run with one report of all of them; otherwise the
/// warnings are returned, sorted by code and position.
pub fn check(
    config: &Config,
    index: &ProjectIndex,
    strict: bool,
) -> Result<Vec<ConfigWarning>, Error> {
    let Some(text) = config.text.as_deref() else {
        return Ok(Vec::new());
    };
    let mut findings = Findings {
        text,
        path: config_path(config),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if index.files.is_empty() {
        findings.warn(
            NOTHING_SCANNED,
            None,
            text.selection.clone(),
            "no file was scanned: `include`, `exclude` and the ignore files select nothing under the project root".into(),
            "selects no file",
            Some(format!(
                "the project root is {}; `include` globs match root-relative paths such as \"**/*.py\"",
                config.root.display()
            )),
        );
    }
    let modules = ModuleNames {
        python: module_names(index, Language::Python),
        rust: module_names(index, Language::Rust),
    };
    for concept in &config.concepts {
        check_concept(config, index, &modules, concept, &mut findings);
    }
    findings
        .warnings
        .sort_by_key(|warning| (warning.code, warning.span.start, warning.span.end));
    if findings.errors.is_empty() && (!strict || findings.warnings.is_empty()) {
        return Ok(findings.warnings);
    }
    let mut problems = std::mem::take(&mut findings.errors);
    problems.extend(
        findings
            .warnings
            .iter()
            .map(|warning| findings.problem(warning, strict)),
    );
    Err(Error::Config(ConfigError::Invalid(
        text.invalid("does not match the code", problems),
    )))
}

/// rules.toml's path relative to the project root.
fn config_path(config: &Config) -> String {
    crate::scan::relative_path(&config.root, &config.file).unwrap_or_else(|| {
        config
            .file
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
    })
}

/// Every module of the project per language, sorted: the candidates of a
/// did-you-mean, made once per run.
struct ModuleNames<'i> {
    python: Vec<&'i str>,
    rust: Vec<&'i str>,
}

impl ModuleNames<'_> {
    fn of(&self, language: Language) -> &[&str] {
        match language {
            Language::Python => &self.python,
            Language::Rust => &self.rust,
        }
    }
}
