//! Command-line arguments (clap derive only; no logic here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ssot-audit",
    version,
    about = "Find single-source-of-truth violations in Python and Rust code bases",
    long_about = "Find single-source-of-truth violations in Python and Rust code bases: \
duplicate definitions (SSOT001), alias re-exports (SSOT002) and imports through \
non-canonical paths (SSOT003) of the concepts declared in rules.toml."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone)]
pub struct Common {
    /// Limit what is reported to these files or directories (the whole project is always indexed).
    pub paths: Vec<PathBuf>,
    /// The rules.toml to use (default: the nearest one at or above the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Worker threads (default, and 0: one per core; at most 256).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Never show progress on stderr.
    #[arg(long)]
    pub no_progress: bool,
    /// Parse every file instead of only those the concepts' pre-filter hits
    /// (same results, slower; for verification).
    #[arg(long)]
    pub no_prefilter: bool,
    /// Neither read nor write the facts cache (.ssot-audit-cache/).
    #[arg(long)]
    pub no_cache: bool,
    /// Print one line of counts to stderr after the scan: files selected,
    /// read, parsed, taken from the cache, and the cache file's size.
    #[arg(long)]
    pub stats: bool,
}

impl Common {
    /// The plain options the core takes.
    pub fn options(&self) -> crate::audit::Options {
        crate::audit::Options {
            paths: self.paths.clone(),
            config: self.config.clone(),
            threads: self.threads,
            progress: !self.no_progress,
            prefilter: !self.no_prefilter,
            cache: !self.no_cache,
            stats: self.stats,
            strict: false,
        }
    }

    /// The options of a command that audits the project against rules.toml.
    pub fn audit_options(&self, strict: &Strict) -> crate::audit::Options {
        crate::audit::Options {
            strict: strict.strict,
            ..self.options()
        }
    }
}

/// The option of the commands that audit the project against rules.toml.
#[derive(Debug, Args, Clone)]
pub struct Strict {
    /// Treat warnings about rules.toml against the code (a legacy module no
    /// file provides, a concept nothing refers to, no file scanned) as
    /// errors: exit 2.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report violations; exit 1 when any is at or above the fail level.
    Check(CheckArgs),
    /// Migration report: counts, compliance per concept, top directories.
    Report(ReportArgs),
    /// Dump every import fact, one JSON object per imported name.
    Imports(ImportsArgs),
    /// The rewrite plan: every planned edit, grouped per file; writes nothing.
    Plan(PlanArgs),
    /// Apply the rewrite plan (safe fixes only unless --unsafe-fixes).
    Fix(FixArgs),
    /// Record today's violations in a baseline file, for `check --baseline`.
    Baseline(BaselineArgs),
    /// Propose concepts: fragmented class names, import paths, aliases and shims, ranked.
    Discover(DiscoverArgs),
    /// Per-concept counts along the first-parent git history (current rules.toml).
    History(HistoryArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write one page per command into a directory.
    Manpage(ManpageArgs),
}

#[derive(Debug, Args)]
pub struct ManpageArgs {
    /// Write ssot-audit.1 and one ssot-audit-<command>.1 per command into DIR
    /// instead of printing ssot-audit.1.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub strict: Strict,
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub strict: Strict,
    /// Also apply unsafe fixes (renames, string paths, shims binding something else).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of the changes instead of writing them.
    #[arg(long)]
    pub diff: bool,
    /// Show what would be fixed without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 0 even when violations remain (a pre-commit hook: pre-commit sees
    /// the rewritten files itself, and `check` reports what is left).
    #[arg(long)]
    pub exit_zero: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub strict: Strict,
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub format: CheckFormat,
    /// Exit 0 even when violations are found.
    #[arg(long)]
    pub exit_zero: bool,
    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Only these rule codes (comma-separated, e.g. SSOT001,SSOT003).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rule codes (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Fail only on violations not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: rewrite it without the entries that no longer occur (never adds).
    #[arg(long, requires = "baseline")]
    pub update_baseline: bool,
}

#[derive(Debug, Args)]
pub struct BaselineArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub strict: Strict,
    /// Where to write the baseline.
    #[arg(long, value_name = "FILE")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    #[command(flatten)]
    pub common: Common,
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
    /// Write a rules.toml with the settings in effect and the top candidates' concepts.
    #[arg(long, value_name = "FILE")]
    pub write_rules: Option<PathBuf>,
    /// With --write-rules: overwrite FILE if it exists.
    #[arg(long, requires = "write_rules")]
    pub force: bool,
    /// Show (and write) at most N candidates; 0 for all.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub top: usize,
    /// Also count definitions in tests (`tests/`, `test/`, `test_*.py`, `*_test.py`).
    #[arg(long)]
    pub include_tests: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub common: Common,
    #[command(flatten)]
    pub strict: Strict,
    #[arg(long, value_enum, default_value_t = ReportOutputFormat::Human)]
    pub format: ReportOutputFormat,
    /// Write the report to FILE instead of stdout (links in an HTML report are relative to it).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Add the compliance trend along the first-parent git history (html and markdown).
    #[arg(long)]
    pub history: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    pub common: Common,
    /// Only commits since this revision (inclusive: `v1.2`, `HEAD~50`, an id) or
    /// committer date (`2024-01-31`, `3 months ago`).
    #[arg(long, value_name = "REV|DATE")]
    pub since: Option<String>,
    /// Sample every Nth first-parent commit: HEAD, HEAD~N, HEAD~2N, ...
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub every: u32,
    #[arg(long, value_enum, default_value_t = HistoryFormat::Human)]
    pub format: HistoryFormat,
}

#[derive(Debug, Args)]
pub struct ImportsArgs {
    #[command(flatten)]
    pub common: Common,
    #[arg(long, value_enum, default_value_t = ImportsFormat::Jsonl)]
    pub format: ImportsFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions annotations (`::error file=...::message`).
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
}

/// `report` formats: the shared ones plus documents to publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportOutputFormat {
    Human,
    Json,
    /// One self-contained HTML file: tables, SVG charts, the rewrite plan.
    Html,
    /// For an issue or pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HistoryFormat {
    /// A table: one row per sampled commit, columns per concept.
    Human,
    Json,
    /// One row per commit and concept, with a header row.
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportsFormat {
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}
