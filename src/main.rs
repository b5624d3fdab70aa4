use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = ssot_audit::cli::Cli::parse();
    // A bug must still end in a clear message and exit code 2, never in a
    // half-written report with exit code 101.
    match std::panic::catch_unwind(|| ssot_audit::run(cli)) {
        Ok(Ok(outcome)) => ExitCode::from(outcome.exit_code()),
        Ok(Err(error)) => {
            ssot_audit::report::human::print_error(&error);
            ExitCode::from(2)
        }
        Err(_) => {
            eprintln!("error: internal error in ssot-audit (please report it with the input that caused it)");
            ExitCode::from(2)
        }
    }
}
