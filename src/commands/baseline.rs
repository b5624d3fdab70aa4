//! `baseline`: record today's violations for `check --baseline`.

use crate::cli::BaselineArgs;
use crate::{baseline, report, Error, Outcome};

pub fn run(args: &BaselineArgs) -> Result<Outcome, Error> {
    let audit = super::audited(&args.common.audit_options(&args.strict))?;
    report::print_notes(&audit.notes);
    report::print_warnings(&audit.warnings);
    let recorded = baseline::build(&audit);
    baseline::save(&args.output, &recorded)?;
    let count: usize = recorded.entries.iter().map(|entry| entry.count).sum();
    let entries = recorded.entries.len();
    super::write_stdout(&format!(
        "wrote {} with {count} violation{} in {entries} entr{}\n",
        args.output.display(),
        report::plural(count),
        if entries == 1 { "y" } else { "ies" }
    ))?;
    Ok(Outcome::Clean)
}
