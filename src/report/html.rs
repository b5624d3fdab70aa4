//! `report --format html`: one self-contained page (inline CSS and SVG, no
//! script, nothing loaded from anywhere) with the headline counts, a section
//! per concept, violations per directory, the compliance trend and the
//! rewrite plan. Every finding links to its file and line, relative to the
//! report's location. The markup is also well-formed XML, so it can be
//! checked with an XML parser.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path};

use super::escape::markup as escape;
use super::svg::{self, Series};
use super::{concept_summaries, headline, summary, violation_counts, DirectoryCount};
use crate::audit::Audit;
use crate::diagnostic::Code;
use crate::history::History;

/// Percent-encodes a `/` path for a URL: unreserved characters and `/` stay.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// How links to project files are written: relative to the report file.
#[derive(Debug, Clone, Default)]
pub struct LinkBase {
    /// Prepended to a project-relative path: empty, or `../x/` ending in `/`.
    prefix: String,
}

impl LinkBase {
    /// Links for a report written to `output` (stdout: the report is assumed
    /// to be saved in the project root).
    pub fn for_output(root: &Path, output: Option<&Path>) -> Self {
        let Some(output) = output else {
            return Self::default();
        };
        let directory = std::path::absolute(output)
            .ok()
            .and_then(|path| path.parent().map(Path::to_path_buf))
            .map(|directory| directory.canonicalize().unwrap_or(directory));
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let prefix = directory
            .and_then(|directory| relative_url(&directory, &root))
            .unwrap_or_else(|| format!("file://{}/", encode_path(&root.to_string_lossy())));
        Self { prefix }
    }

    /// `netra_backend/app/main.py#L6` (with the prefix).
    pub fn href(&self, path: &str, line: u32) -> String {
        let mut href = format!("{}{}", self.prefix, encode_path(path));
        if line > 0 {
            let _ = write!(href, "#L{line}");
        }
        href
    }
}

/// The URL path from directory `from` to directory `to`, ending in `/`
/// (empty when they are the same); None when they share no root.
fn relative_url(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut url = "../".repeat(from.len() - common);
    for component in &to[common..] {
        url.push_str(&encode_path(&component.as_os_str().to_string_lossy()));
        url.push('/');
    }
    Some(url)
}

/// Violations per directory over all concepts, most first, at most `limit`.
pub fn directories(audit: &Audit, limit: usize) -> Vec<DirectoryCount> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for violation in audit.violations.iter().filter(|v| v.concept.is_some()) {
        let directory = violation
            .path
            .rsplit_once('/')
            .map_or(".", |(directory, _)| directory);
        *counts.entry(directory).or_default() += 1;
    }
    let mut sorted: Vec<(&str, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    sorted
        .into_iter()
        .take(limit)
        .map(|(directory, violations)| DirectoryCount {
            directory: directory.to_string(),
            violations,
        })
        .collect()
}

const STYLE: &str = "
body { font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #1f2937; margin: 0; background: #f9fafb; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 32px 48px; }
header h1 { margin: 0 0 4px; font-size: 28px; }
.meta, .muted { color: #6b7280; }
nav { margin: 12px 0 8px; }
nav a { margin-right: 14px; }
a { color: #1d4ed8; text-decoration: none; }
a:hover { text-decoration: underline; }
section { background: #fff; border: 1px solid #e5e7eb; border-radius: 8px; padding: 16px 24px; margin: 20px 0; }
h2 { margin: 4px 0 12px; font-size: 21px; }
h3 { margin: 18px 0 8px; font-size: 16px; }
code, pre, .path { font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace; font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
.card { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 16px; min-width: 130px; background: #f9fafb; }
.card .number { font-size: 26px; font-weight: 600; }
.card .what { color: #6b7280; font-size: 13px; }
ul.headlines { padding-left: 20px; }
ul.headlines li.total { font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; font-size: 13px; }
th .rule { font-weight: 400; color: #6b7280; font-size: 12px; }
td.compliance { white-space: nowrap; }
.small { font-size: 12px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.meter { background: #fee2e2; border-radius: 4px; height: 10px; width: 120px; display: inline-block; vertical-align: middle; margin-right: 8px; overflow: hidden; }
.meter span { background: #16a34a; display: block; height: 10px; }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 12px; font-weight: 600; }
.error { background: #fee2e2; color: #991b1b; }
.warning { background: #fef3c7; color: #92400e; }
.safe { background: #dcfce7; color: #166534; }
.unsafe { background: #fef3c7; color: #92400e; }
.canonical { background: #dbeafe; color: #1e40af; }
.allowed { background: #f3f4f6; color: #374151; }
.duplicate { background: #fee2e2; color: #991b1b; }
details summary { cursor: pointer; font-weight: 600; margin: 10px 0; }
pre.diff { background: #f9fafb; border: 1px solid #e5e7eb; border-radius: 6px; padding: 6px 10px; overflow-x: auto; margin: 4px 0 10px; }
pre.diff .del { color: #991b1b; }
pre.diff .add { color: #166534; }
ul.fixes { list-style: none; padding-left: 0; }
.chart { max-width: 100%; height: auto; }
.chart text { font: 12px system-ui, sans-serif; fill: #374151; }
.chart .axis { fill: #6b7280; font-size: 11px; }
.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
footer { color: #6b7280; font-size: 13px; }
";

/// The whole page.
pub fn report(audit: &Audit, trend: Option<&History>, links: &LinkBase) -> String {
    let summaries = concept_summaries(audit);
    let total = summary(audit);
    let plan = crate::fix::plan(audit);
    let project = audit
        .config
        .root
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| audit.config.root.display().to_string());

    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(
        out,
        "<title>ssot-audit report: {}</title>",
        escape(&project)
    );
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<main>");

    // Header and navigation.
    let _ = writeln!(
        out,
        "<header><h1>SSOT audit report</h1><p class=\"meta\">project <strong>{}</strong> · {} files scanned · ssot-audit {}</p></header>",
        escape(&project),
        total.files_scanned,
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("<nav><a href=\"#summary\">Summary</a>");
    for (id, concept) in summaries.iter().enumerate() {
        let _ = write!(
            out,
            "<a href=\"#concept-{id}\">{}</a>",
            escape(concept.name)
        );
    }
    out.push_str("<a href=\"#directories\">Directories</a>");
    if trend.is_some() {
        out.push_str("<a href=\"#trend\">Trend</a>");
    }
    out.push_str("<a href=\"#plan\">Rewrite plan</a></nav>\n");

    // Headline.
    out.push_str("<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">");
    for (number, what) in [
        (total.counts.definition_files, "definition files"),
        (total.counts.violations, "violations"),
        (total.counts.files_with_violations, "files with violations"),
        (total.counts.fixable, "fixable"),
        (total.files_scanned, "files scanned"),
    ] {
        let _ = write!(
            out,
            "<div class=\"card\"><div class=\"number\">{number}</div><div class=\"what\">{what}</div></div>"
        );
    }
    out.push_str("</div>\n<ul class=\"headlines\">");
    for (concept, counts) in audit.config.concepts.iter().zip(&summaries) {
        let _ = write!(
            out,
            "<li>{}</li>",
            escape(&headline(concept, &counts.counts))
        );
    }
    let _ = writeln!(
        out,
        "<li class=\"total\">total: {} definition file{}, {}</li></ul></section>",
        total.counts.definition_files,
        super::plural(total.counts.definition_files),
        escape(&violation_counts(&total.counts))
    );

    // One section per concept.
    for (id, concept) in summaries.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section class=\"concept\" id=\"concept-{id}\"><h2>{}</h2>",
            escape(concept.name)
        );
        let _ = writeln!(
            out,
            "<p>canonical <code>{}</code> · {} · <span class=\"badge {severity}\">{severity}</span></p>",
            escape(&concept.canonical),
            match concept.language {
                crate::config::Language::Python => "Python",
                crate::config::Language::Rust => "Rust",
            },
            severity = concept.severity.as_str()
        );
        out.push_str("<table class=\"counts\"><thead><tr><th class=\"n\">definition files</th>");
        for code in Code::RULES {
            let _ = write!(
                out,
                "<th class=\"n\">{}<br/><span class=\"rule\">{}</span></th>",
                code.as_str(),
                code.rule()
            );
        }
        out.push_str("<th class=\"n\">files affected</th><th class=\"n\">fixable</th><th>compliance</th></tr></thead><tbody><tr>");
        let _ = write!(
            out,
            "<td class=\"n\">{}</td>",
            concept.counts.definition_files
        );
        for code in Code::RULES {
            let _ = write!(out, "<td class=\"n\">{}</td>", concept.counts.of_code(code));
        }
        let _ = writeln!(
            out,
            "<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"compliance\"><span class=\"meter\"><span style=\"width: {:.2}%\"></span></span><strong>{:.2}%</strong><div class=\"muted small\">{} canonical, {} non-canonical imports</div></td></tr></tbody></table>",
            concept.counts.files_with_violations,
            concept.counts.fixable,
            concept.compliance,
            concept.compliance,
            concept.canonical_imports,
            concept.noncanonical_imports
        );

        if !concept.definitions.is_empty() {
            out.push_str("<h3>Definitions</h3>\n<table class=\"definitions\"><thead><tr><th>location</th><th>name</th><th>status</th></tr></thead><tbody>");
            for definition in concept.definitions {
                let status = definition.status();
                let _ = write!(
                    out,
                    "<tr><td class=\"path\"><a href=\"{}\">{}:{}</a></td><td><code>{}</code></td><td><span class=\"badge {status}\">{status}</span></td></tr>",
                    escape(&links.href(&definition.path, definition.line)),
                    escape(&definition.path),
                    definition.line,
                    escape(&definition.name)
                );
            }
            out.push_str("</tbody></table>\n");
        }

        let violations: Vec<_> = audit.concept_violations(id).collect();
        if !violations.is_empty() {
            let _ = write!(
                out,
                "<details class=\"violations\"><summary>Violations ({})</summary><table><thead><tr><th>location</th><th>rule</th><th>via</th><th>message</th><th>fix</th></tr></thead><tbody>",
                violations.len()
            );
            for violation in violations {
                let fix = match &violation.fix {
                    Some(fix) => {
                        let kind = fix.applicability.as_str();
                        format!("<span class=\"badge {kind}\">{kind}</span>")
                    }
                    None => "<span class=\"muted\">none</span>".to_string(),
                };
                let _ = write!(
                    out,
                    "<tr><td class=\"path\"><a href=\"{}\">{}:{}:{}</a></td><td><span class=\"badge {}\">{}</span> {}</td><td>{}</td><td>{}</td><td>{fix}</td></tr>",
                    escape(&links.href(&violation.path, violation.span.begin.line)),
                    escape(&violation.path),
                    violation.span.begin.line,
                    violation.span.begin.column,
                    violation.severity.as_str(),
                    violation.code.as_str(),
                    violation.code.rule(),
                    violation.via.as_str(),
                    escape(&violation.message)
                );
            }
            out.push_str("</tbody></table></details>\n");
        }
        out.push_str("</section>\n");
    }

    // Violations per directory.
    let directories = directories(audit, 15);
    out.push_str("<section id=\"directories\"><h2>Violations per directory</h2>\n");
    let bars: Vec<(String, usize)> = directories
        .iter()
        .map(|directory| (directory.directory.clone(), directory.violations))
        .collect();
    out.push_str(&svg::bar_chart(
        "Violations per directory (all concepts, top 15)",
        &bars,
    ));
    out.push_str("\n</section>\n");

    if let Some(history) = trend {
        out.push_str(&trend_section(history));
    }

    // The rewrite plan.
    let _ = writeln!(
        out,
        "<section id=\"plan\"><h2>Rewrite plan</h2>\n<p>{}. <code>ssot-audit fix</code> applies the safe edits, <code>--unsafe-fixes</code> the others.</p>",
        escape(&super::human::plan_totals(&plan.totals))
    );
    for file in &plan.files {
        let _ = write!(
            out,
            "<div class=\"plan-file\"><h3 class=\"path\"><a href=\"{}\">{}</a></h3><ul class=\"fixes\">",
            escape(&links.href(&file.path, 0)),
            escape(&file.path)
        );
        for fix in &file.fixes {
            let kind = fix.applicability.as_str();
            let _ = write!(
                out,
                "<li><a class=\"path\" href=\"{}\">{}:{}</a> {} <span class=\"badge {kind}\">{kind}</span> {}<pre class=\"diff\">",
                escape(&links.href(&file.path, fix.line)),
                fix.line,
                fix.column,
                fix.code,
                escape(&fix.title)
            );
            for line in fix.before.lines() {
                let _ = writeln!(out, "<span class=\"del\">- {}</span>", escape(line));
            }
            for line in fix.after.lines() {
                let _ = writeln!(out, "<span class=\"add\">+ {}</span>", escape(line));
            }
            for other in &fix.other_files {
                let _ = writeln!(out, "and in {}:", escape(&other.path));
                for line in other.before.lines() {
                    let _ = writeln!(out, "<span class=\"del\">- {}</span>", escape(line));
                }
                for line in other.after.lines() {
                    let _ = writeln!(out, "<span class=\"add\">+ {}</span>", escape(line));
                }
            }
            out.push_str("</pre></li>");
        }
        out.push_str("</ul></div>\n");
    }
    out.push_str("</section>\n");

    if !audit.notes.is_empty() {
        let _ = write!(
            out,
            "<section id=\"notes\"><h2>Notes</h2><p>{} file{} could not be read or parsed completely.</p><ul>",
            audit.notes.len(),
            super::plural(audit.notes.len())
        );
        for note in &audit.notes {
            let _ = write!(
                out,
                "<li><a class=\"path\" href=\"{}\">{}</a> {}: {}</li>",
                escape(&links.href(&note.path, note.line)),
                escape(&note.path),
                escape(&note.code),
                escape(&note.message)
            );
        }
        out.push_str("</ul></section>\n");
    }

    out.push_str("<footer>Generated by ssot-audit from the project's rules.toml. Links are relative to this file.</footer>\n</main>\n</body>\n</html>\n");
    out
}

/// The compliance trend: a line per concept, oldest commit left, and a table.
fn trend_section(history: &History) -> String {
    let mut out = String::from("<section id=\"trend\"><h2>Compliance trend</h2>\n");
    let commits: Vec<_> = history.commits.iter().rev().collect();
    let _ = writeln!(
        out,
        "<p class=\"muted\">{} commit{} of the first-parent history, oldest left, each audited with the current rules.toml.</p>",
        commits.len(),
        super::plural(commits.len())
    );
    let points: Vec<String> = commits
        .iter()
        .map(|commit| format!("{} {}", commit.short_id(), commit.day()))
        .collect();
    let series: Vec<Series> = history
        .concepts
        .iter()
        .enumerate()
        .map(|(at, name)| Series {
            name: name.clone(),
            values: commits
                .iter()
                .map(|commit| commit.concepts.get(at).and_then(|c| c.compliance))
                .collect(),
        })
        .collect();
    out.push_str(&svg::percent_line_chart(
        "Compliance per concept over the history",
        &points,
        &series,
    ));
    out.push_str("\n<details><summary>Counts per commit</summary><table class=\"history\"><thead><tr><th>commit</th><th>date</th><th>subject</th>");
    for name in &history.concepts {
        let _ = write!(
            out,
            "<th class=\"n\">{} violations</th><th class=\"n\">compliance</th>",
            escape(name)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for commit in &history.commits {
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td>",
            escape(commit.short_id()),
            escape(commit.day()),
            escape(&commit.subject)
        );
        for concept in &commit.concepts {
            let _ = write!(
                out,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                concept.violations,
                crate::summary::percent(concept.compliance)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>\n</section>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_to_the_report() {
        let root = Path::new("/repo/service");
        assert_eq!(
            relative_url(Path::new("/repo/service"), root).as_deref(),
            Some("")
        );
        assert_eq!(
            relative_url(Path::new("/repo/out"), root).as_deref(),
            Some("../service/")
        );
        let links = LinkBase {
            prefix: "../service/".into(),
        };
        assert_eq!(links.href("a b/#x.py", 6), "../service/a%20b/%23x.py#L6");
        assert_eq!(LinkBase::default().href("m.py", 0), "m.py");
    }

    #[test]
    fn without_an_output_file_links_are_project_relative() {
        let links = LinkBase::for_output(Path::new("/repo"), None);
        assert_eq!(links.href("pkg/main.py", 3), "pkg/main.py#L3");
    }
}
