//! The diagnostics of rules.toml: one problem at its span, the report of
//! all of them, and the text they point into.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// One problem in rules.toml, labelled at its span.
#[derive(Debug, Clone)]
pub struct ConfigProblem {
    pub code: &'static str,
    pub message: String,
    pub label: String,
    pub span: Range<usize>,
    pub help: Option<String>,
    /// Error, or a warning shown in the same report.
    pub severity: miette::Severity,
    pub(super) source: Arc<NamedSource<String>>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigProblem {}

impl Diagnostic for ConfigProblem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source.as_ref())
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.start..self.span.end.max(self.span.start);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            span,
        ))))
    }
}

/// All problems of one rules.toml.
#[derive(Debug, thiserror::Error)]
#[error("{} {}: {} problem{}", path, verdict, problems.len(), if problems.len() == 1 { "" } else { "s" })]
pub struct InvalidConfig {
    pub path: String,
    /// "is invalid" (read alone) or "does not match the code" (checked
    /// against the scanned files).
    pub verdict: &'static str,
    pub problems: Vec<ConfigProblem>,
}

impl Diagnostic for InvalidConfig {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("config::invalid"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.problems
                .iter()
                .map(|problem| problem as &dyn Diagnostic),
        ))
    }
}

/// rules.toml as read: the text every diagnostic about it points into.
#[derive(Debug)]
pub struct ConfigText {
    pub(super) source: Arc<NamedSource<String>>,
    /// Where the file selection is set: the `include` value, else the `src`
    /// value, else `[settings]`, else the start of the file.
    pub selection: Range<usize>,
}

impl ConfigText {
    pub fn text(&self) -> &str {
        self.source.inner()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let text = self.text();
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let line = before.matches('\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        (line as u32, column as u32)
    }

    /// A problem labelled at `span` of this text.
    pub fn problem(
        &self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
        severity: miette::Severity,
    ) -> ConfigProblem {
        ConfigProblem {
            code,
            message: message.into(),
            label: label.into(),
            span,
            help,
            severity,
            source: Arc::clone(&self.source),
        }
    }

    /// The report of `problems`, sorted by position, with its verdict.
    pub fn invalid(
        &self,
        verdict: &'static str,
        mut problems: Vec<ConfigProblem>,
    ) -> InvalidConfig {
        problems.sort_by_key(|problem| (problem.span.start, problem.code));
        InvalidConfig {
            path: self.source.name().to_string(),
            verdict,
            problems,
        }
    }
}
