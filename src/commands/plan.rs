//! `plan`: every planned edit, grouped per file; writes nothing.

use crate::cli::{PlanArgs, ReportFormat};
use crate::{fix, report, Error, Outcome};

/// The plan of the project as it is, with the counts of a `fix` and a
/// `fix --unsafe-fixes` run in memory: one scan, nothing written.
pub fn run(args: &PlanArgs) -> Result<Outcome, Error> {
    let outcome = fix::fix_project(&args.common.audit_options(&args.strict), true, false)?;
    report::print_notes(&outcome.remaining.notes);
    report::print_warnings(&outcome.warnings);
    let mut plan = outcome.plan;
    plan.totals.violations_fixed = Some(fix::FixedCounts {
        safe: outcome.fixed_safe,
        r#unsafe: outcome.fixed,
    });
    let output = match args.format {
        ReportFormat::Human => report::human::plan(&plan),
        ReportFormat::Json => report::json::plan(&plan),
    };
    super::write_stdout(&output)?;
    Ok(Outcome::Clean)
}
