//! Validation of rules.toml in the manner of cargo-deny: every problem found in
//! one pass, each pointing at its span in the file.

mod concept;
mod keys;
mod problem;
mod settings;
#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;
use toml::Spanned;
use toml_edit::ImDocument;

use super::raw::RawConfig;
use super::{Concept, Settings};
use concept::validate_concepts;
use keys::check_unknown_keys;
pub use problem::{ConfigProblem, ConfigText, InvalidConfig};
pub use settings::default_include;
use settings::validate_settings;

pub const DEFAULT_INCLUDE: &[&str] = &["**/*.py", "**/*.pyi", "**/*.rs"];

struct Problems {
    source: Arc<NamedSource<String>>,
    found: Vec<ConfigProblem>,
}

impl Problems {
    fn push(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        self.found.push(ConfigProblem {
            code,
            message: message.into(),
            label: label.into(),
            span,
            help,
            severity: miette::Severity::Error,
            source: Arc::clone(&self.source),
        });
    }
}

pub fn validate(
    file: &Path,
    text: &str,
) -> Result<(Settings, Vec<Concept>, Arc<ConfigText>), InvalidConfig> {
    let display = file.display().to_string();
    let mut problems = Problems {
        source: Arc::new(NamedSource::new(display.clone(), text.to_string()).with_language("toml")),
        found: Vec::new(),
    };
    let finish = |problems: Problems| InvalidConfig {
        path: display.clone(),
        verdict: "is invalid",
        problems: problems.found,
    };

    let document = match ImDocument::parse(text) {
        Ok(document) => document,
        Err(error) => {
            let span = error.span().unwrap_or(0..0);
            problems.push(
                "config::syntax",
                span,
                format!("rules.toml is not valid TOML: {}", error.message()),
                "here",
                None,
            );
            return Err(finish(problems));
        }
    };
    check_unknown_keys(document.as_table(), &mut problems);

    let raw: RawConfig = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(error) => {
            problems.push(
                "config::type",
                error.span().unwrap_or(0..0),
                format!("wrong type in rules.toml: {}", error.message()),
                "this value",
                Some("see the rules.toml reference in README.md for each key's type".into()),
            );
            return Err(finish(problems));
        }
    };

    let settings = validate_settings(raw.settings.as_ref(), &mut problems);
    let concepts = validate_concepts(&raw.concept, &mut problems);
    if problems.found.is_empty() {
        let selection = raw.settings.as_ref().map_or(0..0, |settings| {
            let values = settings.get_ref();
            let span_of = |entries: &Option<Vec<Spanned<String>>>| {
                entries.as_ref().and_then(|entries| {
                    let first = entries.first()?.span();
                    let last = entries.last()?.span();
                    Some(first.start..last.end)
                })
            };
            span_of(&values.include)
                .or_else(|| span_of(&values.src))
                .unwrap_or_else(|| settings.span())
        });
        let text = Arc::new(ConfigText {
            source: Arc::clone(&problems.source),
            selection,
        });
        Ok((settings, concepts, text))
    } else {
        problems.found.sort_by_key(|problem| problem.span.start);
        Err(finish(problems))
    }
}
