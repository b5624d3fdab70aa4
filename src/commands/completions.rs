//! `completions` and `manpage`: documents generated from the command-line
//! definition itself, so they never fall behind the options.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs, ManpageArgs};
use crate::{Error, Outcome};

pub fn completions(args: &CompletionsArgs) -> Result<Outcome, Error> {
    let mut command = Cli::command();
    let name = command.get_name().to_string();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name, &mut script);
    super::write_stdout(&String::from_utf8_lossy(&script))?;
    Ok(Outcome::Clean)
}

/// The main page on stdout; with `--dir`, the main page and one page per
/// command (`ssot-audit-check.1`, ...), which the main page refers to.
pub fn manpage(args: &ManpageArgs) -> Result<Outcome, Error> {
    let command = Cli::command();
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
