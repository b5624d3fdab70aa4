//! `history` output: a table for people, JSON and CSV for tools.

use std::fmt::Write as _;

use super::{CommitCounts, ConceptCounts, History};
use crate::diagnostic::Code;
use crate::summary::percent;

const SUBJECT_WIDTH: usize = 32;
/// `defs SSOT001 SSOT002 SSOT003 compliance`
const CONCEPT_WIDTH: usize = 4 + 3 * 8 + 11;

fn by_code(concept: &ConceptCounts, code: Code) -> usize {
    concept.by_code.get(code.as_str()).copied().unwrap_or(0)
}

/// At most `width` characters, with `…` marking a cut.
fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn pad(text: &str, width: usize) -> String {
    let mut padded = text.to_string();
    for _ in text.chars().count()..width {
        padded.push(' ');
    }
    padded
}

/// One row per sampled commit, newest first; a column group per concept.
pub fn human(history: &History) -> String {
    let mut out = String::new();
    let lead = 8 + 12 + SUBJECT_WIDTH + 2;
    let mut names = pad("", lead);
    let mut columns = format!(
        "{}{}{}  ",
        pad("commit", 8),
        pad("date", 12),
        pad("subject", SUBJECT_WIDTH)
    );
    for name in &history.concepts {
        names.push_str(&pad(&truncate(name, CONCEPT_WIDTH - 1), CONCEPT_WIDTH));
        names.push_str("  ");
        let _ = write!(
            columns,
            "{:>4}{}{:>11}  ",
            "defs",
            Code::RULES
                .iter()
                .map(|code| format!(" {:>7}", code.as_str()))
                .collect::<String>(),
            "compliance"
        );
    }
    let _ = writeln!(out, "{}", names.trim_end());
    let _ = writeln!(out, "{}", columns.trim_end());
    for commit in &history.commits {
        let mut row = format!(
            "{}{}{}  ",
            pad(commit.short_id(), 8),
            pad(commit.day(), 12),
            pad(&truncate(&commit.subject, SUBJECT_WIDTH), SUBJECT_WIDTH)
        );
        for concept in &commit.concepts {
            let _ = write!(
                row,
                "{:>4}{}{:>11}  ",
                concept.definition_files,
                Code::RULES
                    .iter()
                    .map(|code| format!(" {:>7}", by_code(concept, *code)))
                    .collect::<String>(),
                percent(concept.compliance)
            );
        }
        let _ = writeln!(out, "{}", row.trim_end());
    }
    let _ = writeln!(
        out,
        "{} commit{} (first-parent history, newest first), each audited with the current rules.toml",
        history.commits.len(),
        crate::summary::plural(history.commits.len())
    );
    out
}

pub fn json(history: &History) -> String {
    let mut text = serde_json::to_string_pretty(history).unwrap_or_else(|error| {
        format!("{{\"error\": \"cannot serialise the history: {error}\"}}")
    });
    text.push('\n');
    text
}

/// RFC 4180: quote fields holding a comma, quote or line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// One row per commit and concept (newest first), with a header row.
pub fn csv(history: &History) -> String {
    let mut out = String::from("commit,date,subject,concept,definition_files");
    for code in Code::RULES {
        let _ = write!(out, ",{}", code.as_str());
    }
    out.push_str(",violations,compliance\n");
    for commit in &history.commits {
        for concept in &commit.concepts {
            row(&mut out, commit, concept);
        }
    }
    out
}

fn row(out: &mut String, commit: &CommitCounts, concept: &ConceptCounts) {
    let _ = write!(
        out,
        "{},{},{},{},{}",
        commit.id,
        csv_field(&commit.date),
        csv_field(&commit.subject),
        csv_field(&concept.name),
        concept.definition_files
    );
    for code in Code::RULES {
        let _ = write!(out, ",{}", by_code(concept, code));
    }
    let compliance = concept
        .compliance
        .map_or_else(String::new, |compliance| format!("{compliance:.2}"));
    let _ = writeln!(out, ",{},{compliance}", concept.violations);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn long_subjects_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly ten", 11), "exactly ten");
        assert_eq!(truncate("a much longer subject", 8), "a much …");
    }
}
