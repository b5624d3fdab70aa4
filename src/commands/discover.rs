//! `discover`: propose concepts, ranked; optionally write rules.toml.

use std::path::Path;

use crate::cli::{DiscoverArgs, ReportFormat};
use crate::discover::{self, render, DiscoverOptions};
use crate::{Error, Outcome};

/// The `discover` command: print the ranked candidates, maybe write rules.
pub fn run(args: &DiscoverArgs) -> Result<Outcome, Error> {
    if let Some(path) = &args.write_rules {
        if path.exists() && !args.force {
            return Err(Error::Usage(format!(
                "{} already exists; pass --force to overwrite it",
                path.display()
            )));
        }
    }
    let options = DiscoverOptions {
        scan: args.common.options(),
        top: args.top,
        include_tests: args.include_tests,
    };
    let (discovery, retained) = discover::discover(&options)?;
    crate::report::print_notes(&discovery.notes);
    let mut output = match args.format {
        ReportFormat::Human => render::human(&discovery),
        ReportFormat::Json => render::json(&discovery),
    };
    if let Some(path) = &args.write_rules {
        let directory = std::path::absolute(path)
            .ok()
            .and_then(|path| path.parent().map(Path::to_path_buf));
        if directory.as_deref() != Some(discovery.root.as_path()) {
            eprintln!(
                "note: {} is not in the project root {}; its settings are relative to the root",
                path.display(),
                discovery.root.display()
            );
        }
        discover::write_atomically(path, &render::rules_file(&discovery))?;
        let message = format!(
            "wrote {} with {} concept{}\n",
            path.display(),
            discovery.candidates.len(),
            crate::report::plural(discovery.candidates.len())
        );
        match args.format {
            ReportFormat::Human => output.push_str(&message),
            ReportFormat::Json => eprint!("{message}"),
        }
    }
    super::write_stdout(&output)?;
    retained.leave();
    Ok(Outcome::Clean)
}
