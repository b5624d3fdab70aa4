//! The findings of one check: errors as diagnostics of rules.toml, warnings
//! as [`ConfigWarning`]s at their line and column.

use std::ops::Range;

use super::{rule_name, ConfigWarning};
use crate::config::{Concept, ConfigProblem, ConfigText};

pub(super) struct Findings<'t> {
    pub(super) text: &'t ConfigText,
    pub(super) path: String,
    pub(super) errors: Vec<ConfigProblem>,
    pub(super) warnings: Vec<ConfigWarning>,
}

impl Findings<'_> {
    pub(super) fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let problem = self
            .text
            .problem(code, span, message, label, help, miette::Severity::Error);
        self.errors.push(problem);
    }

    pub(super) fn warn(
        &mut self,
        code: &'static str,
        concept: Option<&Concept>,
        span: Range<usize>,
        message: String,
        label: &'static str,
        help: Option<String>,
    ) {
        let (line, column) = self.text.line_col(span.start);
        let (end_line, end_column) = self.text.line_col(span.end);
        self.warnings.push(ConfigWarning {
            code,
            rule: rule_name(code),
            path: self.path.clone(),
            line,
            column,
            end_line,
            end_column,
            concept: concept.map(|concept| concept.name.clone()),
            message,
            span,
            label,
            help,
        });
    }

    /// A warning as a diagnostic of the report: an error under `--strict`.
    pub(super) fn problem(&self, warning: &ConfigWarning, as_error: bool) -> ConfigProblem {
        let severity = if as_error {
            miette::Severity::Error
        } else {
            miette::Severity::Warning
        };
        let message = match &warning.concept {
            Some(concept) => format!("concept `{concept}`: {}", warning.message),
            None => warning.message.clone(),
        };
        self.text.problem(
            warning.code,
            warning.span.clone(),
            message,
            warning.label,
            warning.help.clone(),
            severity,
        )
    }
}
