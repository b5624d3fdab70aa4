//! `imports`: the facts dump, one JSON object per imported name.

use crate::cli::ImportsArgs;
use crate::{audit, report, Error, Outcome};

pub fn run(args: &ImportsArgs) -> Result<Outcome, Error> {
    let facts = audit::Audit::facts_only(&args.common.options())?;
    report::print_notes(&facts.notes);
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    match report::jsonl::imports(&facts, &mut stdout) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Io {
            context: "cannot write to stdout".into(),
            source: error,
        }),
        _ => Ok(Outcome::Clean),
    }
}
