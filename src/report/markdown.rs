//! `report --format markdown`: the migration report for an issue or a
//! pull-request comment (GitHub-flavoured tables): headlines, a table of the
//! concepts, the top directories, the plan totals, and the compliance trend
//! when there is one.

use std::fmt::Write as _;

use super::{concept_summaries, headline, summary, violation_counts};
use crate::audit::Audit;
use crate::diagnostic::Code;
use crate::history::History;

/// Escapes text for a table cell: Markdown punctuation and HTML are shown as
/// written, and `|` does not end the cell.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push_str(&super::escape::visible(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// A code span for a table cell: a fence longer than any backtick run inside,
/// and `|` escaped (GitHub splits cells on it even inside code).
pub fn code(text: &str) -> String {
    let text = super::escape::visible(&text.replace(['\n', '\r'], " ")).replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

pub fn report(audit: &Audit, trend: Option<&History>) -> String {
    let summaries = concept_summaries(audit);
    let total = summary(audit);
    let mut out = String::from("## ssot-audit report\n\n");
    for (concept, counts) in audit.config.concepts.iter().zip(&summaries) {
        let _ = writeln!(out, "- **{}**", escape(&headline(concept, &counts.counts)));
    }
    let _ = writeln!(
        out,
        "- total: {} definition file{}, {}\n\n{} files scanned.\n",
        total.counts.definition_files,
        super::plural(total.counts.definition_files),
        violation_counts(&total.counts),
        total.files_scanned
    );

    out.push_str("| concept | definition files |");
    for code in Code::RULES {
        let _ = write!(out, " {} |", code.as_str());
    }
    out.push_str(" files affected | fixable | compliance |\n|---|---:|");
    for _ in Code::RULES {
        out.push_str("---:|");
    }
    out.push_str("---:|---:|---:|\n");
    for concept in &summaries {
        let _ = write!(
            out,
            "| {} | {} |",
            escape(concept.name),
            concept.counts.definition_files
        );
        for code in Code::RULES {
            let _ = write!(out, " {} |", concept.counts.of_code(code));
        }
        let _ = writeln!(
            out,
            " {} | {} | {:.2}% |",
            concept.counts.files_with_violations, concept.counts.fixable, concept.compliance
        );
    }

    let directories = super::html::directories(audit, 10);
    if !directories.is_empty() {
        out.push_str("\n### Top directories\n\n| directory | violations |\n|---|---:|\n");
        for directory in &directories {
            let _ = writeln!(
                out,
                "| {} | {} |",
                code(&directory.directory),
                directory.violations
            );
        }
    }

    let plan = crate::fix::plan(audit);
    let _ = writeln!(
        out,
        "\n### Rewrite plan\n\n{} (`ssot-audit fix` applies the safe ones).",
        super::human::plan_totals(&plan.totals)
    );

    if let Some(history) = trend {
        let _ = write!(
            out,
            "\n<details><summary>Compliance trend ({} commit{}, newest first)</summary>\n\n| commit | date |",
            history.commits.len(),
            super::plural(history.commits.len())
        );
        for name in &history.concepts {
            let _ = write!(out, " {} |", escape(name));
        }
        out.push_str("\n|---|---|");
        for _ in &history.concepts {
            out.push_str("---:|");
        }
        out.push('\n');
        for commit in &history.commits {
            let _ = write!(out, "| {} | {} |", code(commit.short_id()), commit.day());
            for concept in &commit.concepts {
                let _ = write!(out, " {} |", crate::summary::percent(concept.compliance));
            }
            out.push('\n');
        }
        out.push_str("\n</details>\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(escape("netra_backend"), "netra\\_backend");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(code("a_b/c"), "`a_b/c`");
        assert_eq!(code("x`y|z"), "``x`y\\|z``");
        assert_eq!(code("`q"), "`` `q ``");
    }
}
