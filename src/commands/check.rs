//! `check`: the violations, as a CI gate.

use crate::cli::{CheckArgs, CheckFormat, FailOn};
use crate::config::Severity;
use crate::diagnostic::Code;
use crate::{baseline, report, Error, Outcome};

pub fn run(args: &CheckArgs) -> Result<Outcome, Error> {
    let select = super::parse_codes(&args.select, "--select")?;
    let ignore = super::parse_codes(&args.ignore, "--ignore")?;
    let mut audit = super::audited(&args.common.audit_options(&args.strict))?;
    let selected =
        |code: Code| (select.is_empty() || select.contains(&code)) && !ignore.contains(&code);
    audit.retain_codes(selected);
    if let Some(path) = &args.baseline {
        let recorded = baseline::load(path)?;
        let filter = audit.filter.clone();
        let comparison = baseline::apply(&mut audit, &recorded, |entry| {
            filter.contains(&entry.path) && Code::parse(&entry.code).is_some_and(selected)
        });
        if !comparison.stale.is_empty() {
            let stale: usize = comparison.stale.iter().map(|entry| entry.count).sum();
            eprintln!(
                "{stale} baseline entr{} no longer occur{}{}:",
                if stale == 1 { "y" } else { "ies" },
                if stale == 1 { "s" } else { "" },
                match (args.update_baseline, stale) {
                    (true, 1) => " and was removed",
                    (true, _) => " and were removed",
                    (false, _) => " (shrink the baseline with --update-baseline)",
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
    report::print_warnings(&audit.warnings);
    let output = match args.format {
        CheckFormat::Human => report::human::check(&audit),
        CheckFormat::Json => report::json::check(&audit),
        CheckFormat::Sarif => report::sarif::check(&audit),
        CheckFormat::Github => report::github::check(&audit),
    };
    super::write_stdout(&output)?;
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
