use std::process::ExitCode;

use clap::Parser;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    disable_transparent_huge_pages();
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

/// A short-lived, many-threaded scan gains nothing from transparent huge
/// pages: the kernel zeroes 2 MiB for every fresh arena touched, which took
/// a third of the CPU time and doubled peak memory in measurements.
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments and only sets
    // a flag on this process; the result is irrelevant (best effort).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
