//! GitHub Actions workflow commands (`check --format github`): one
//! `::error` / `::warning` line per violation, which the runner turns into
//! annotations on the pull request. Nothing else goes to stdout.

use std::fmt::Write as _;

use crate::audit::Audit;
use crate::config::Severity;

/// Escapes a command's message (the part after `::`), as the runner's
/// `escapeData` does.
pub fn escape_data(text: &str) -> String {
    escape(text, false)
}

/// Escapes a property value (`file=`, `title=`, ...), as the runner's
/// `escapeProperty` does: also `:` and `,`, which delimit properties.
pub fn escape_property(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, property: bool) -> String {
    let mut out = String::with_capacity(text.len());
    // `\r` and `\n` are the runner's own escapes; other control characters
    // are made visible.
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' if property => out.push_str("%3A"),
            ',' if property => out.push_str("%2C"),
            _ => out.push_str(&super::escape::visible(c.encode_utf8(&mut [0; 4]))),
        }
    }
    out
}

/// `check --format github`.
pub fn check(audit: &Audit) -> String {
    let mut out = String::new();
    for violation in &audit.violations {
        let command = match violation.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let span = &violation.span;
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&violation.path),
            span.begin.line,
            span.begin.column,
            span.finish.line,
            span.finish.column,
            escape_property(&format!(
                "{} {}",
                violation.code.as_str(),
                violation.code.rule()
            )),
            escape_data(&violation.message)
        );
    }
    // rules.toml against the code: annotations on rules.toml.
    for warning in &audit.warnings {
        let message = match &warning.concept {
            Some(concept) => format!("concept `{concept}`: {}", warning.message),
            None => warning.message.clone(),
        };
        let _ = writeln!(
            out,
            "::warning file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&warning.path),
            warning.line,
            warning.column,
            warning.end_line,
            warning.end_column,
            escape_property(&format!("{} {}", warning.code, warning.rule)),
            escape_data(&message)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks_only() {
        assert_eq!(escape_data("plain text"), "plain text");
        assert_eq!(
            escape_data("100% done\r\nnext: a, b"),
            "100%25 done%0D%0Anext: a, b"
        );
        // `%` first, so an escape is never escaped twice.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn properties_also_escape_their_delimiters() {
        assert_eq!(escape_property("dir,a/b:c.py"), "dir%2Ca/b%3Ac.py");
        assert_eq!(escape_property("50%\n"), "50%25%0A");
        assert_eq!(
            escape_property("SSOT003 noncanonical-import"),
            "SSOT003 noncanonical-import"
        );
    }
}
