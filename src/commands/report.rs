//! `report`: the migration report, optionally with the compliance trend.

use crate::cli::{ReportArgs, ReportOutputFormat};
use crate::{history, report, Error, Outcome};

pub fn run(args: &ReportArgs) -> Result<Outcome, Error> {
    let document = matches!(
        args.format,
        ReportOutputFormat::Html | ReportOutputFormat::Markdown
    );
    if args.history && !document {
        return Err(Error::Usage(
            "--history needs --format html or --format markdown".into(),
        ));
    }
    let options = args.common.audit_options(&args.strict);
    let audit = super::audited(&options)?;
    report::print_notes(&audit.notes);
    report::print_warnings(&audit.warnings);
    let trend = if args.history {
        Some(history::trend(&options)?)
    } else {
        None
    };
    let output = match args.format {
        ReportOutputFormat::Human => report::human::report(&audit),
        ReportOutputFormat::Json => report::json::report(&audit),
        ReportOutputFormat::Html => {
            let links =
                report::html::LinkBase::for_output(&audit.config.root, args.output.as_deref());
            report::html::report(&audit, trend.as_ref(), &links)
        }
        ReportOutputFormat::Markdown => report::markdown::report(&audit, trend.as_ref()),
    };
    match &args.output {
        Some(path) => super::write_file(path, &output)?,
        None => super::write_stdout(&output)?,
    }
    Ok(Outcome::Clean)
}
