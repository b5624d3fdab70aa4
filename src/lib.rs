//! ssot-audit: finds single-source-of-truth violations in Python and Rust
//! code bases. Data flows one way: files -> facts -> index -> violations ->
//! fixes -> report.

pub mod audit;
pub mod baseline;
pub mod cache;
pub mod cli;
pub mod config;
pub mod crates;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod fnv;
pub mod history;
pub mod index;
pub mod lang;
pub mod prefilter;
pub mod report;
pub mod rules;
pub mod scan;
pub mod source;
pub mod suppression;

use std::io::Write;

use cli::{CheckFormat, Cli, Command, FailOn, ReportFormat, ReportOutputFormat};
use config::{ConfigError, Severity};
use diagnostic::Code;

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

fn write_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // A closed pipe (`| head`) is the reader's choice, not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        result => result.map_err(|source| Error::Io {
            context: "cannot write to stdout".into(),
            source,
        }),
    }
}

fn write_file(path: &std::path::Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(|source| Error::Io {
        context: format!("cannot write {}", path.display()),
        source,
    })
}

fn parse_codes(codes: &[String], flag: &str) -> Result<Vec<Code>, Error> {
    codes
        .iter()
        .filter(|code| !code.trim().is_empty())
        .map(|code| {
            Code::parse(code.trim()).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown rule code `{code}` in {flag}; known codes: SSOT001, SSOT002, SSOT003, SSOT901, SSOT902"
                ))
            })
        })
        .collect()
}

pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => {
            let select = parse_codes(&args.select, "--select")?;
            let ignore = parse_codes(&args.ignore, "--ignore")?;
            let mut audit = audit::Audit::run(&args.common)?;
            audit.retain_codes(|code| {
                (select.is_empty() || select.contains(&code)) && !ignore.contains(&code)
            });
            if let Some(path) = &args.baseline {
                let recorded = baseline::load(path)?;
                let comparison = baseline::apply(&mut audit, &recorded);
                if !comparison.stale.is_empty() {
                    let stale: usize = comparison.stale.iter().map(|entry| entry.count).sum();
                    eprintln!(
                        "{stale} baseline entr{} no longer occur{}{}:",
                        if stale == 1 { "y" } else { "ies" },
                        if stale == 1 { "s" } else { "" },
                        if args.update_baseline {
                            " and were removed"
                        } else {
                            " (shrink the baseline with --update-baseline)"
                        }
                    );
                    for entry in &comparison.stale {
                        eprintln!(
                            "  {} {} {} (x{})",
                            entry.code, entry.path, entry.statement, entry.count
                        );
                    }
                }
                if args.update_baseline {
                    baseline::save(path, &comparison.shrunk)?;
                }
            }
            report::print_notes(&audit.notes);
            let output = match args.format {
                CheckFormat::Human => report::human::check(&audit),
                CheckFormat::Json => report::json::check(&audit),
                CheckFormat::Sarif => report::sarif::check(&audit),
                CheckFormat::Github => report::github::check(&audit),
            };
            write_stdout(&output)?;
            let threshold = match args.fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
            };
            let failed = audit
                .violations
                .iter()
                .any(|violation| violation.severity >= threshold);
            Ok(if failed && !args.exit_zero {
                Outcome::Failed
            } else {
                Outcome::Clean
            })
        }
        Command::Report(args) => {
            let document = matches!(
                args.format,
                ReportOutputFormat::Html | ReportOutputFormat::Markdown
            );
            if args.history && !document {
                return Err(Error::Usage(
                    "--history needs --format html or --format markdown".into(),
                ));
            }
            let audit = audit::Audit::run(&args.common)?;
            report::print_notes(&audit.notes);
            let trend = if args.history {
                Some(history::trend(&args.common)?)
            } else {
                None
            };
            let output = match args.format {
                ReportOutputFormat::Human => report::human::report(&audit),
                ReportOutputFormat::Json => report::json::report(&audit),
                ReportOutputFormat::Html => {
                    let links = report::html::LinkBase::for_output(
                        &audit.config.root,
                        args.output.as_deref(),
                    );
                    report::html::report(&audit, trend.as_ref(), &links)
                }
                ReportOutputFormat::Markdown => report::markdown::report(&audit, trend.as_ref()),
            };
            match &args.output {
                Some(path) => write_file(path, &output)?,
                None => write_stdout(&output)?,
            }
            Ok(Outcome::Clean)
        }
        Command::Plan(args) => {
            let audit = audit::Audit::run(&args.common)?;
            report::print_notes(&audit.notes);
            let plan = fix::plan(&audit);
            let output = match args.format {
                ReportFormat::Human => report::human::plan(&plan),
                ReportFormat::Json => report::json::plan(&plan),
            };
            write_stdout(&output)?;
            Ok(Outcome::Clean)
        }
        Command::Fix(args) => {
            let write = !(args.diff || args.dry_run);
            let outcome = fix::fix_project(&args.common, args.unsafe_fixes, write)?;
            for (path, reason) in &outcome.refused {
                eprintln!("{path}: {reason}");
            }
            let remaining = &outcome.remaining.violations;
            let unsafe_left = remaining
                .iter()
                .filter(|v| {
                    v.fix
                        .as_ref()
                        .is_some_and(|f| f.applicability == diagnostic::Applicability::Unsafe)
                })
                .count();
            let mut output = String::new();
            if args.diff {
                output.push_str(&outcome.diff);
            }
            let verb = if write { "Fixed" } else { "Would fix" };
            output.push_str(&format!(
                "{verb} {} violation{} in {} file{}; {} remaining ({} with an unsafe fix: --unsafe-fixes)\n",
                outcome.fixed,
                report::plural(outcome.fixed),
                outcome.files.len(),
                report::plural(outcome.files.len()),
                if write { remaining.len() } else { remaining.len().saturating_sub(outcome.fixed) },
                unsafe_left
            ));
            if args.dry_run && !args.diff {
                for path in &outcome.files {
                    output.push_str(&format!("  {path}\n"));
                }
            }
            write_stdout(&output)?;
            Ok(
                if remaining.is_empty() || (!write && outcome.fixed >= remaining.len()) {
                    Outcome::Clean
                } else {
                    Outcome::Failed
                },
            )
        }
        Command::Baseline(args) => {
            let audit = audit::Audit::run(&args.common)?;
            report::print_notes(&audit.notes);
            let recorded = baseline::build(&audit);
            baseline::save(&args.output, &recorded)?;
            let count: usize = recorded.entries.iter().map(|entry| entry.count).sum();
            write_stdout(&format!(
                "wrote {} with {count} violation{} in {} entr{}\n",
                args.output.display(),
                report::plural(count),
                recorded.entries.len(),
                if recorded.entries.len() == 1 {
                    "y"
                } else {
                    "ies"
                }
            ))?;
            Ok(Outcome::Clean)
        }
        Command::Discover(args) => discover::run(&args),
        Command::History(args) => history::run(&args),
        Command::Imports(args) => {
            let facts = audit::Audit::facts_only(&args.common)?;
            report::print_notes(&facts.notes);
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match report::jsonl::imports(&facts, &mut stdout) {
                Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(Error::Io {
                        context: "cannot write to stdout".into(),
                        source: error,
                    })
                }
                _ => {}
            }
            Ok(Outcome::Clean)
        }
    }
}
