//! Human output: miette-rendered diagnostics with source snippets, then the
//! headline counts; the migration report.

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::IsTerminal;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::{concept_summaries, headline, summary, violation_counts};
use crate::audit::Audit;
use crate::config::Severity;
use crate::diagnostic::Violation;
use std::sync::Arc;

fn handler(terminal: bool) -> GraphicalReportHandler {
    let theme = if terminal {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
}

/// Renders a fatal error (config, usage, I/O) to stderr.
pub fn print_error(error: &crate::Error) {
    let mut out = String::new();
    let handler = handler(std::io::stderr().is_terminal());
    if handler.render_report(&mut out, error).is_err() {
        out = format!("error: {error}\n");
    }
    eprint!("{out}");
}

struct ViolationDiagnostic<'a> {
    violation: &'a Violation,
    concept: Option<&'a str>,
    source: Option<NamedSource<Arc<str>>>,
    /// Maps the violation's offsets into the shown (escaped) source.
    shown: Option<Arc<super::escape::Snippet>>,
}

impl fmt::Debug for ViolationDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.violation.message)
    }
}

impl fmt::Display for ViolationDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.violation.message)
    }
}

impl std::error::Error for ViolationDiagnostic<'_> {}

impl Diagnostic for ViolationDiagnostic<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({}) {}:{}:{}",
            self.violation.code.as_str(),
            self.violation.code.rule(),
            super::escape::visible(&self.violation.path),
            self.violation.span.begin.line,
            self.violation.span.begin.column
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.violation.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let about = match self.concept {
            Some(concept) => format!("concept {concept} (via {})", self.violation.via.as_str()),
            None => format!("via {}", self.violation.via.as_str()),
        };
        let help = match &self.violation.fix {
            Some(fix) => format!("{about}; fix: {}", fix.title),
            None => about,
        };
        Some(Box::new(help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let source = self.source.as_ref()?;
        let len = source.inner().len();
        let shown = |offset: u32| {
            let offset = offset as usize;
            self.shown
                .as_ref()
                .map_or(offset, |shown| shown.offset(offset))
        };
        let start = shown(self.violation.span.start).min(len);
        let end = shown(self.violation.span.end).clamp(start, len);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.violation.via.as_str().to_string()),
            start..end,
        ))))
    }
}

/// A file's text as shown (escaped), and how its offsets map into it.
type ShownSource = (Arc<str>, Arc<super::escape::Snippet>);

/// `check --format human`.
pub fn check(audit: &Audit) -> String {
    let handler = handler(std::io::stdout().is_terminal());
    // Every diagnostic of a file shares its text, control characters
    // escaped (a comment holding an escape sequence stays inert).
    let mut sources: HashMap<&str, Option<ShownSource>> = HashMap::new();
    let mut out = String::new();
    for violation in &audit.violations {
        let text = sources
            .entry(violation.path.as_str())
            .or_insert_with(|| {
                audit.sources.get(&violation.path).map(|source| {
                    let shown = super::escape::snippet(&source.text);
                    (Arc::from(shown.text.as_str()), Arc::new(shown))
                })
            })
            .clone();
        let (text, shown) = text.unzip();
        let diagnostic = ViolationDiagnostic {
            violation,
            concept: audit.concept_name(violation),
            source: text
                .map(|text| NamedSource::new(super::escape::visible(&violation.path), text)),
            shown,
        };
        if handler.render_report(&mut out, &diagnostic).is_err() {
            let _ = writeln!(
                out,
                "{}: {}",
                super::escape::visible(&violation.path),
                super::escape::visible(&violation.message)
            );
        }
        out.push('\n');
    }
    out.push_str(&headlines(audit));
    out
}

fn headlines(audit: &Audit) -> String {
    let mut out = String::new();
    let concepts = concept_summaries(audit);
    for (concept, summary) in audit.config.concepts.iter().zip(&concepts) {
        let _ = writeln!(out, "{}", headline(concept, &summary.counts));
    }
    let total = summary(audit);
    if concepts.len() != 1 {
        let _ = writeln!(
            out,
            "total: {} definition file{}, {}",
            total.counts.definition_files,
            super::plural(total.counts.definition_files),
            violation_counts(&total.counts)
        );
    }
    let _ = writeln!(out, "{} files scanned", total.files_scanned);
    out
}

/// `report --format human`: the migration report, ending with the rewrite plan.
pub fn report(audit: &Audit) -> String {
    let mut out = headlines(audit);
    for summary in concept_summaries(audit) {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "concept {} ({}, {})",
            summary.name,
            summary.canonical,
            summary.severity.as_str()
        );
        let _ = writeln!(
            out,
            "  definition files      {}",
            summary.counts.definition_files
        );
        for code in crate::diagnostic::Code::RULES {
            let _ = writeln!(
                out,
                "  {} {:<22} {}",
                code.as_str(),
                code.rule(),
                summary.counts.of_code(code)
            );
        }
        let _ = writeln!(
            out,
            "  files affected        {}",
            summary.counts.files_with_violations
        );
        let _ = writeln!(
            out,
            "  compliance            {:.2}% ({} canonical, {} non-canonical imports)",
            summary.compliance, summary.canonical_imports, summary.noncanonical_imports
        );
        if !summary.definitions.is_empty() {
            let _ = writeln!(out, "  definitions:");
            for definition in summary.definitions {
                let status = definition.status();
                let _ = writeln!(
                    out,
                    "    {}:{}  {}  [{status}]",
                    super::escape::visible(&definition.path),
                    definition.line,
                    definition.name
                );
            }
        }
        if !summary.top_directories.is_empty() {
            let _ = writeln!(out, "  top directories:");
            for directory in &summary.top_directories {
                let _ = writeln!(
                    out,
                    "    {:>4}  {}",
                    directory.violations,
                    super::escape::visible(&directory.directory)
                );
            }
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "rewrite plan:");
    out.push_str(&plan(&crate::fix::plan(audit)));
    out
}

/// `plan --format human`: each file's fixes with the lines before and after.
pub fn plan(plan: &crate::fix::RewritePlan) -> String {
    let mut out = String::new();
    for file in &plan.files {
        let _ = writeln!(out, "{}", super::escape::visible(&file.path));
        for fix in &file.fixes {
            let _ = writeln!(
                out,
                "  {}:{} {} [{}] {}",
                fix.line,
                fix.column,
                fix.code,
                fix.applicability.as_str(),
                super::escape::visible(&fix.title)
            );
            for line in fix.before.lines() {
                let _ = writeln!(out, "    - {}", super::escape::snippet(line).text);
            }
            for line in fix.after.lines() {
                let _ = writeln!(out, "    + {}", super::escape::snippet(line).text);
            }
            for other in &fix.other_files {
                let _ = writeln!(out, "    and in {}:", super::escape::visible(&other.path));
                for line in other.before.lines() {
                    let _ = writeln!(out, "    - {}", super::escape::snippet(line).text);
                }
                for line in other.after.lines() {
                    let _ = writeln!(out, "    + {}", super::escape::snippet(line).text);
                }
            }
        }
    }
    let _ = writeln!(out, "{}", plan_totals(&plan.totals));
    out
}

/// `S safe, U unsafe edits in F files`
pub fn plan_totals(totals: &crate::fix::PlanTotals) -> String {
    let fixed = match totals.violations_fixed {
        Some(fixed) => format!(
            "; fix removes {} violation{}, fix --unsafe-fixes {}",
            fixed.safe,
            super::plural(fixed.safe),
            fixed.r#unsafe
        ),
        None => String::new(),
    };
    let edits = format!(
        "{} safe, {} unsafe edit{} in {} file{}",
        totals.safe,
        totals.r#unsafe,
        super::plural(totals.r#unsafe),
        totals.files,
        super::plural(totals.files)
    );
    edits + &fixed
}
