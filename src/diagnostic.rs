//! What the rules produce: violations, each with an optional fix.

use serde::Serialize;

use crate::config::Severity;
use crate::source::Span;

/// A rule's code and name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    #[serde(rename = "SSOT001")]
    DuplicateDefinition,
    #[serde(rename = "SSOT002")]
    AliasReexport,
    #[serde(rename = "SSOT003")]
    NoncanonicalImport,
    #[serde(rename = "SSOT901")]
    UnusedSuppression,
    #[serde(rename = "SSOT902")]
    InvalidSuppression,
}

impl Code {
    /// The concept rules.
    pub const RULES: [Code; 3] = [
        Code::DuplicateDefinition,
        Code::AliasReexport,
        Code::NoncanonicalImport,
    ];

    /// Every code a violation can carry.
    pub const ALL: [Code; 5] = [
        Code::DuplicateDefinition,
        Code::AliasReexport,
        Code::NoncanonicalImport,
        Code::UnusedSuppression,
        Code::InvalidSuppression,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::DuplicateDefinition => "SSOT001",
            Code::AliasReexport => "SSOT002",
            Code::NoncanonicalImport => "SSOT003",
            Code::UnusedSuppression => "SSOT901",
            Code::InvalidSuppression => "SSOT902",
        }
    }

    pub fn rule(self) -> &'static str {
        match self {
            Code::DuplicateDefinition => "duplicate-definition",
            Code::AliasReexport => "alias-reexport",
            Code::NoncanonicalImport => "noncanonical-import",
            Code::UnusedSuppression => "unused-suppression",
            Code::InvalidSuppression => "invalid-suppression",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            Code::DuplicateDefinition => "A concept is defined outside its canonical module",
            Code::AliasReexport => "A concept is given a second name or a second home",
            Code::NoncanonicalImport => "A concept is imported through a non-canonical path",
            Code::UnusedSuppression => "A suppression comment suppresses nothing",
            Code::InvalidSuppression => "A suppression comment is malformed",
        }
    }

    pub fn parse(text: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(text) || code.rule() == text)
    }
}

/// The mechanism of a violation, so users and tools can filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Definition,
    Assignment,
    Rename,
    Reexport,
    Import,
    Star,
    String,
    Suppression,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Definition => "definition",
            Via::Assignment => "assignment",
            Via::Rename => "rename",
            Via::Reexport => "reexport",
            Via::Import => "import",
            Via::Star => "star",
            Via::String => "string",
            Via::Suppression => "suppression",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// The imported object is provably the same: applied by `fix`.
    Safe,
    /// Behaviour may change: applied only with `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `start..end` (byte offsets into the decoded text, BOM excluded)
/// with `replacement`; `line`/`column` locate `start` (1-based, code points).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// What the fix does, in a few words.
    pub title: String,
    /// Edits the fix makes in other files, applied with it or not at all:
    /// the patch strings of a consumer binding it renames.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_files: Vec<FileEdits>,
}

/// Edits of one file that belong to a fix of another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEdits {
    pub path: String,
    pub edits: Vec<Edit>,
}

/// The fact a violation is about, for the fixer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactRef {
    /// `index.files[file].imports[import]`
    Import { file: usize, import: usize },
    /// `index.files[file].patch_targets[target]`
    Patch { file: usize, target: usize },
    /// `index.files[file].aliases[alias]`
    Alias { file: usize, alias: usize },
}

#[derive(Debug, Clone)]
pub struct Violation {
    pub code: Code,
    pub via: Via,
    /// Index into the config's concepts; None for findings about
    /// suppression comments (SSOT901, SSOT902).
    pub concept: Option<usize>,
    pub path: String,
    pub span: Span,
    pub message: String,
    pub severity: Severity,
    pub fix: Option<Fix>,
    pub fact: Option<FactRef>,
}

impl Violation {
    /// The output order: path (bytewise), line, column, code.
    pub fn sort_key(&self) -> (&str, u32, u32, Code, Option<usize>, Via) {
        (
            self.path.as_str(),
            self.span.begin.line,
            self.span.begin.column,
            self.code,
            self.concept,
            self.via,
        )
    }
}
