//! `completions` and `manpage`: documents generated from the command-line
//! definition itself, so they never fall behind the options.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManpageArgs};
use crate::{Error, Outcome};

pub fn completions(args: &CompletionsArgs) -> Result<Outcome, Error> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name.clone(), &mut script);
    let mut script = String::from_utf8_lossy(&script).into_owned();
    if args.shell == clap_complete::Shell::Bash {
        script = join_bash_case_labels(&script, &name);
    }
    super::write_stdout(&script)?;
    Ok(Outcome::Clean)
}

/// clap_complete's bash script names a command's state `ssot__audit__subcmd__check`
/// where it is set but labels its options case `ssot__subcmd__audit__subcmd__check`
/// (the `-` of the binary's name turned into the subcommand separator), so no
/// subcommand's options would complete; the labels are given the state's name.
fn join_bash_case_labels(script: &str, name: &str) -> String {
    const SEPARATOR: &str = "__subcmd__";
    if !name.contains('-') {
        return script.to_string();
    }
    let label = format!("{}{SEPARATOR}", name.replace('-', SEPARATOR));
    let state = format!("{}{SEPARATOR}", name.replace('-', "__"));
    script.replace(&label, &state)
}

/// The main page on stdout; with `--dir`, the main page and one page per
/// command (`ssot-audit-check.1`, ...), which the main page refers to.
pub fn manpage(args: &ManpageArgs) -> Result<Outcome, Error> {
    // `help` has no page of its own (`--help` is on every page).
    let command = Cli::command().disable_help_subcommand(true);
    if let Some(dir) = &args.dir {
        std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(command, dir))
            .map_err(|source| Error::Io {
                context: format!("cannot write the man pages to {}", dir.display()),
                source,
            })?;
        return Ok(Outcome::Clean);
    }
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|source| Error::Io {
            context: "cannot render the man page".into(),
            source,
        })?;
    super::write_stdout(&String::from_utf8_lossy(&page))?;
    Ok(Outcome::Clean)
}
