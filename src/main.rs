use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = ssot_audit::cli::Cli::parse();
    match ssot_audit::run(cli) {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(error) => {
            ssot_audit::report::human::print_error(&error);
            ExitCode::from(2)
        }
    }
}
