//! rules.toml as written: serde structs that keep the span of every value.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
pub struct RawConfig {
    #[serde(default)]
    pub settings: Option<Spanned<RawSettings>>,
    #[serde(default)]
    pub concept: Vec<Spanned<RawConcept>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RawSettings {
    pub src: Option<Vec<Spanned<String>>>,
    pub include: Option<Vec<Spanned<String>>>,
    pub exclude: Option<Vec<Spanned<String>>>,
    pub respect_gitignore: Option<bool>,
}

#[derive(Debug, Deserialize)]
pub struct RawConcept {
    pub name: Option<Spanned<String>>,
    pub canonical: Option<Spanned<String>>,
    pub symbols: Option<Vec<Spanned<String>>>,
    pub definition: Option<Spanned<String>>,
    pub legacy_modules: Option<Vec<Spanned<String>>>,
    pub allow: Option<Vec<Spanned<String>>>,
    pub severity: Option<Spanned<String>>,
}

/// Every key rules.toml understands, per table, for the unknown-key check.
pub const TOP_LEVEL_KEYS: &[&str] = &["settings", "concept"];
pub const SETTINGS_KEYS: &[&str] = &["src", "include", "exclude", "respect_gitignore"];
pub const CONCEPT_KEYS: &[&str] = &[
    "name",
    "canonical",
    "symbols",
    "definition",
    "legacy_modules",
    "allow",
    "severity",
];
