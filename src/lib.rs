//! ssot-audit: finds single-source-of-truth violations in Python and Rust
//! code bases. Data flows one way: files -> facts -> index -> violations ->
//! fixes -> report.

pub mod audit;
pub mod baseline;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod config;
pub mod crates;
pub mod diagnostic;
pub mod discover;
pub mod escape;
pub mod fix;
pub mod fnv;
pub mod fs;
pub mod history;
pub mod ignore_files;
pub mod index;
pub mod lang;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod sources;
pub mod summary;
pub mod suppression;
pub mod truth;

use config::ConfigError;

pub use commands::run;

/// Anything that makes the tool exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    #[diagnostic(code(usage))]
    Usage(String),
    #[error("{context}: {source}")]
    #[diagnostic(code(io))]
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Reading the git repository failed (`history`).
    #[error("{0}")]
    #[diagnostic(code(git))]
    Git(String),
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    Failed,
}

impl Outcome {
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Clean => 0,
            Outcome::Failed => 1,
        }
    }
}
