//! One file per command: each turns its parsed arguments into plain options,
//! runs the pipeline and hands the result to a renderer.

mod baseline;
mod check;
mod completions;
mod discover;
mod fix;
mod history;
mod imports;
mod plan;
mod report;

use std::io::Write;

use crate::cli::{Cli, Command};
use crate::diagnostic::Code;
use crate::{Error, Outcome};

pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Fix(args) => fix::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Discover(args) => discover::run(&args),
        Command::History(args) => history::run(&args),
        Command::Imports(args) => imports::run(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Manpage(args) => completions::manpage(&args),
    }
}

/// The audit with its fixes attached: what every reporting command starts from.
fn audited(options: &crate::audit::Options) -> Result<crate::audit::Audit, Error> {
    let mut audit = crate::audit::Audit::run(options)?;
    let started = std::time::Instant::now();
    crate::fix::attach_fixes(&mut audit);
    if options.stats {
        let line = crate::scan::timing_line(&[("fixes", started.elapsed())]);
        eprintln!("{line}");
    }
    Ok(audit)
}

pub(crate) fn write_stdout(text: &str) -> Result<(), Error> {
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
                let known: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
                Error::Usage(format!(
                    "unknown rule code `{code}` in {flag}; known codes: {}",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Every source file is read once per run, whatever the command.
    #[test]
    fn each_file_is_read_once() -> Result<(), Box<dyn std::error::Error>> {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
        let config = demo.join("rules.toml");
        crate::sources::count_reads();
        for command in ["check", "plan", "report", "baseline", "discover"] {
            let dir = tempfile::tempdir()?;
            let mut args = vec![
                "ssot-audit".to_string(),
                command.to_string(),
                "--no-cache".into(),
                "--config".into(),
                config.display().to_string(),
            ];
            if command == "baseline" {
                args.extend([
                    "--output".into(),
                    dir.path().join("b.json").display().to_string(),
                ]);
            }
            let cli = Cli::try_parse_from(&args)?;
            crate::sources::count_reads();
            run(cli)?;
            let counts = crate::sources::read_counts();
            assert!(counts.len() > 10, "{command}: {counts:?}");
            let twice: Vec<_> = counts.iter().filter(|(_, &count)| count > 1).collect();
            assert!(twice.is_empty(), "{command} read files twice: {twice:?}");
        }
        Ok(())
    }
}
