//! `history`: per-concept counts along the first-parent git history.

use crate::cli::{HistoryArgs, HistoryFormat};
use crate::history::{self, render, HistoryOptions};
use crate::{Error, Outcome};

pub fn run(args: &HistoryArgs) -> Result<Outcome, Error> {
    let options = HistoryOptions {
        since: args.since.clone(),
        every: args.every as usize,
        max_points: None,
    };
    let history = history::compute_for(&args.common.options(), &options)?;
    let output = match args.format {
        HistoryFormat::Human => render::human(&history),
        HistoryFormat::Json => render::json(&history),
        HistoryFormat::Csv => render::csv(&history),
    };
    super::write_stdout(&output)?;
    Ok(Outcome::Clean)
}
