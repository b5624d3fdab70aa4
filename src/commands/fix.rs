//! `fix`: apply the rewrite plan (safe fixes unless --unsafe-fixes).

use crate::cli::FixArgs;
use crate::diagnostic::Applicability;
use crate::{fix, report, Error, Outcome};

pub fn run(args: &FixArgs) -> Result<Outcome, Error> {
    let write = !(args.diff || args.dry_run);
    let outcome = fix::fix_project(
        &args.common.audit_options(&args.strict),
        args.unsafe_fixes,
        write,
    )?;
    report::print_warnings(&outcome.warnings);
    for (path, reason) in &outcome.refused {
        eprintln!("{}: {reason}", crate::escape::visible(path));
    }
    let remaining = &outcome.remaining.violations;
    let unsafe_left = remaining
        .iter()
        .filter(|violation| {
            violation
                .fix
                .as_ref()
                .is_some_and(|fix| fix.applicability == Applicability::Unsafe)
        })
        .count();
    let mut output = String::new();
    if args.diff {
        output.push_str(&outcome.diff);
    }
    let verb = if write { "Fixed" } else { "Would fix" };
    output.push_str(&format!(
        "{verb} {} violation{} in {} file{}; {} remaining",
        outcome.fixed,
        report::plural(outcome.fixed),
        outcome.files.len(),
        report::plural(outcome.files.len()),
        remaining.len(),
    ));
    if unsafe_left > 0 && !args.unsafe_fixes {
        output.push_str(&format!(
            " ({unsafe_left} with an unsafe fix: --unsafe-fixes)"
        ));
    }
    output.push('\n');
    if args.dry_run && !args.diff {
        for path in &outcome.files {
            output.push_str(&format!("  {}\n", crate::escape::visible(path)));
        }
    }
    super::write_stdout(&output)?;
    Ok(if remaining.is_empty() || args.exit_zero {
        Outcome::Clean
    } else {
        Outcome::Failed
    })
}
