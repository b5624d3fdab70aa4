//! `plan`: every planned edit, grouped per file; writes nothing.

use crate::cli::{PlanArgs, ReportFormat};
use crate::{fix, report, Error, Outcome};

pub fn run(args: &PlanArgs) -> Result<Outcome, Error> {
    let audit = super::audited(&args.common.options())?;
    report::print_notes(&audit.notes);
    let plan = fix::plan(&audit);
    let output = match args.format {
        ReportFormat::Human => report::human::plan(&plan),
        ReportFormat::Json => report::json::plan(&plan),
    };
    super::write_stdout(&output)?;
    Ok(Outcome::Clean)
}
