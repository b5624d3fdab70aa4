//! rules.toml: finding it, reading it, and validating it into a [`Config`].

mod raw;
mod validate;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::GlobSet;
use regex::Regex;

pub use validate::{default_include, ConfigProblem, ConfigText, InvalidConfig, DEFAULT_INCLUDE};

pub const CONFIG_FILE: &str = "rules.toml";

#[derive(Debug)]
pub struct Config {
    /// The directory holding rules.toml: the project root.
    pub root: PathBuf,
    pub file: PathBuf,
    pub settings: Settings,
    pub concepts: Vec<Concept>,
    /// The text of rules.toml, for diagnostics found after the scan; None
    /// for the defaults `discover` uses without a rules.toml.
    pub text: Option<Arc<ConfigText>>,
}

#[derive(Debug)]
pub struct Settings {
    /// Import roots, root-relative with `/` separators; `""` is the root itself.
    pub src: Vec<String>,
    pub include: GlobSet,
    pub exclude: GlobSet,
    pub respect_gitignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Python,
    Rust,
}

#[derive(Debug)]
pub struct Concept {
    pub name: String,
    pub language: Language,
    /// Dotted Python module, or a Rust path without the symbol (`crate::ws`).
    pub canonical_module: String,
    pub canonical_symbol: String,
    /// Names that mean this concept; the canonical symbol is always first.
    pub symbols: Vec<String>,
    pub definition: Regex,
    pub legacy_modules: Vec<String>,
    pub allow: GlobSet,
    pub severity: Severity,
    /// Where each part was written in rules.toml.
    pub spans: ConceptSpans,
}

/// Byte ranges in rules.toml of a concept's parts.
#[derive(Debug, Clone, Default)]
pub struct ConceptSpans {
    /// The `name` value.
    pub name: Range<usize>,
    /// The module part of the `canonical` value (the whole value when it
    /// holds escapes).
    pub canonical_module: Range<usize>,
    /// The symbol part of the `canonical` value.
    pub canonical_symbol: Range<usize>,
    /// One per entry of `legacy_modules`, in order.
    pub legacy_modules: Vec<Range<usize>>,
}

impl Concept {
    pub fn is_symbol(&self, name: &str) -> bool {
        self.symbols.iter().any(|symbol| symbol == name)
    }

    pub fn is_legacy_module(&self, module: &str) -> bool {
        self.legacy_modules.iter().any(|legacy| legacy == module)
    }

    pub fn canonical(&self) -> String {
        match self.language {
            Language::Python => format!("{}:{}", self.canonical_module, self.canonical_symbol),
            Language::Rust => format!("{}::{}", self.canonical_module, self.canonical_symbol),
        }
    }
}

/// Why no configuration could be had.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("no {CONFIG_FILE} found in {} or any parent directory", .0.display())]
    #[diagnostic(
        code(config::not_found),
        help("write a rules.toml at the project root, or pass --config FILE")
    )]
    NotFound(PathBuf),
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(config::unreadable))]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Invalid(#[from] InvalidConfig),
}

/// The nearest rules.toml at or above `start`.
pub fn discover(start: &Path) -> Result<PathBuf, ConfigError> {
    start
        .ancestors()
        .map(|dir| dir.join(CONFIG_FILE))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| ConfigError::NotFound(start.to_path_buf()))
}

/// Reads and validates the rules.toml at `file`.
pub fn load(file: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Unreadable {
        path: file.to_path_buf(),
        source,
    })?;
    let file = std::path::absolute(file).map_err(|source| ConfigError::Unreadable {
        path: file.to_path_buf(),
        source,
    })?;
    let root = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let (settings, concepts, text) = validate::validate(&file, &text)?;
    Ok(Config {
        root,
        file,
        settings,
        concepts,
        text: Some(text),
    })
}
