//! JSON output: `{ "version": 1, "summary", "concepts", "violations", "plan",
//! "notes", "warnings" }`.

use serde::Serialize;

use super::{concept_summaries, summary, ConceptSummary, Summary};
use crate::audit::Audit;
use crate::config::Severity;
use crate::diagnostic::{Fix, Via};
use crate::lang::Note;
use crate::truth::ConfigWarning;

pub const VERSION: u32 = 1;

#[derive(Serialize)]
pub struct ViolationJson<'a> {
    pub code: &'static str,
    pub rule: &'static str,
    pub concept: Option<&'a str>,
    pub via: Via,
    pub path: &'a str,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: &'a str,
    pub severity: Severity,
    pub fix: Option<&'a Fix>,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    version: u32,
    summary: Summary,
    concepts: Vec<ConceptSummary<'a>>,
    violations: Vec<ViolationJson<'a>>,
    plan: Vec<crate::fix::FilePlan>,
    notes: &'a [Note],
    warnings: &'a [ConfigWarning],
}

pub fn violations(audit: &Audit) -> Vec<ViolationJson<'_>> {
    audit
        .violations
        .iter()
        .map(|violation| ViolationJson {
            code: violation.code.as_str(),
            rule: violation.code.rule(),
            concept: audit.concept_name(violation),
            via: violation.via,
            path: &violation.path,
            line: violation.span.begin.line,
            column: violation.span.begin.column,
            end_line: violation.span.finish.line,
            end_column: violation.span.finish.column,
            message: &violation.message,
            severity: violation.severity,
            fix: violation.fix.as_ref(),
        })
        .collect()
}

fn to_string<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialise the report: {error}\"}}"));
    text.push('\n');
    text
}

pub fn check(audit: &Audit) -> String {
    to_string(&CheckJson {
        version: VERSION,
        summary: summary(audit),
        concepts: concept_summaries(audit),
        violations: violations(audit),
        plan: crate::fix::plan(audit).files,
        notes: &audit.notes,
        warnings: &audit.warnings,
    })
}

#[derive(Serialize)]
struct ReportJson<'a> {
    version: u32,
    summary: Summary,
    concepts: Vec<ConceptSummary<'a>>,
    warnings: &'a [ConfigWarning],
}

pub fn report(audit: &Audit) -> String {
    to_string(&ReportJson {
        version: VERSION,
        summary: summary(audit),
        concepts: concept_summaries(audit),
        warnings: &audit.warnings,
    })
}

pub fn plan(plan: &crate::fix::RewritePlan) -> String {
    #[derive(Serialize)]
    struct PlanJson<'a> {
        version: u32,
        plan: &'a [crate::fix::FilePlan],
        totals: &'a crate::fix::PlanTotals,
    }
    to_string(&PlanJson {
        version: VERSION,
        plan: &plan.files,
        totals: &plan.totals,
    })
}
