//! Output: the numbers every format shares, and the formats themselves.

pub use crate::escape;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod sarif;
pub mod svg;

use std::io::Write;

use crate::lang::Note;
pub use crate::summary::{
    compliance, concept_summaries, headline, plural, summary, violation_counts, ConceptSummary,
    DirectoryCount, Summary,
};

/// Notes go to stderr, one line each, sorted.
pub fn print_notes(notes: &[Note]) {
    let mut stderr = std::io::stderr().lock();
    for note in notes {
        let _ = if note.line > 0 {
            writeln!(
                stderr,
                "note[{}]: {}:{}:{}: {}",
                note.code,
                escape::visible(&note.path),
                note.line,
                note.column,
                escape::visible(&note.message)
            )
        } else {
            writeln!(
                stderr,
                "note[{}]: {}: {}",
                note.code,
                escape::visible(&note.path),
                escape::visible(&note.message)
            )
        };
    }
}

/// Warnings about rules.toml against the code go to stderr, one line each,
/// grouped by code.
pub fn print_warnings(warnings: &[crate::truth::ConfigWarning]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let concept = warning
            .concept
            .as_deref()
            .map(|concept| format!("concept `{}`: ", escape::visible(concept)))
            .unwrap_or_default();
        let _ = writeln!(
            stderr,
            "warning[{}]: {}:{}:{}: {concept}{}",
            warning.code,
            escape::visible(&warning.path),
            warning.line,
            warning.column,
            escape::visible(&warning.message)
        );
    }
}
