//! The baseline ratchet: today's violations recorded by fingerprint (rule,
//! path, concept, normalised statement text, not the line number), so edits
//! above a violation do not resurrect it. Only new violations fail; entries
//! that no longer occur are reported so the baseline can only shrink.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audit::Audit;
use crate::diagnostic::Violation;
use crate::source::SourceText;
use crate::Error;

pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub code: String,
    pub path: String,
    pub concept: Option<String>,
    /// The violation's source line(s), whitespace collapsed.
    pub statement: String,
    /// How many identical violations the entry stands for.
    pub count: usize,
}

/// Fingerprint and normalised statement of every violation, in order.
pub fn fingerprints(audit: &Audit) -> Vec<(String, String)> {
    audit
        .violations
        .iter()
        .map(|violation| {
            let statement = audit
                .sources
                .get(&violation.path)
                .map(|text| statement_text(text, violation))
                .unwrap_or_default();
            let concept = audit.concept_name(violation).unwrap_or("");
            let hash = crate::fnv::hash_parts(&[
                violation.code.as_str(),
                &violation.path,
                concept,
                &statement,
            ]);
            (format!("{hash:016x}"), statement)
        })
        .collect()
}

fn statement_text(source: &SourceText, violation: &Violation) -> String {
    let lines = &source.lines;
    let first = violation.span.begin.line.saturating_sub(1) as usize;
    let last = (violation.span.finish.line.saturating_sub(1) as usize).max(first);
    let mut out = String::new();
    for line in first..=last.min(lines.line_count().saturating_sub(1)) {
        out.push(' ');
        out.push_str(&source.text[lines.line_range(&source.text, line)]);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A baseline of the audit's violations.
pub fn build(audit: &Audit) -> Baseline {
    let mut entries: BTreeMap<String, BaselineEntry> = BTreeMap::new();
    for (violation, (fingerprint, statement)) in audit.violations.iter().zip(fingerprints(audit)) {
        entries
            .entry(fingerprint.clone())
            .and_modify(|entry| entry.count += 1)
            .or_insert(BaselineEntry {
                fingerprint,
                code: violation.code.as_str().to_string(),
                path: violation.path.clone(),
                concept: audit.concept_name(violation).map(str::to_string),
                statement,
                count: 1,
            });
    }
    let mut entries: Vec<BaselineEntry> = entries.into_values().collect();
    entries.sort_by(|a, b| {
        (&a.path, &a.code, &a.statement, &a.fingerprint).cmp(&(
            &b.path,
            &b.code,
            &b.statement,
            &b.fingerprint,
        ))
    });
    Baseline {
        version: VERSION,
        entries,
    }
}

pub fn load(path: &Path) -> Result<Baseline, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        context: format!("cannot read baseline {}", path.display()),
        source,
    })?;
    let baseline: Baseline = serde_json::from_str(&text).map_err(|error| {
        Error::Usage(format!(
            "{} is not an ssot-audit baseline: {error}",
            path.display()
        ))
    })?;
    if baseline.version != VERSION {
        return Err(Error::Usage(format!(
            "{}: baseline version {} is not supported (expected {VERSION})",
            path.display(),
            baseline.version
        )));
    }
    merge_duplicates(path, baseline)
}

/// Counts above this are refused: the stale counts are added up for the
/// report, and a hand-edited `18446744073709551615` overflowed that sum
/// (a panic in a debug build).
const MAX_COUNT: usize = u32::MAX as usize;

/// One entry per fingerprint, as `build` writes them: a hand-merged baseline
/// (say, after a merge conflict) may hold a fingerprint twice, which made
/// `apply` count its occurrences against each copy. Duplicates are summed.
fn merge_duplicates(path: &Path, baseline: Baseline) -> Result<Baseline, Error> {
    let mut merged: Vec<BaselineEntry> = Vec::with_capacity(baseline.entries.len());
    let mut at: HashMap<String, usize> = HashMap::new();
    for entry in baseline.entries {
        let index = *at
            .entry(entry.fingerprint.clone())
            .or_insert_with(|| merged.len());
        let count = if index < merged.len() {
            merged[index].count.saturating_add(entry.count)
        } else {
            entry.count
        };
        if count > MAX_COUNT {
            return Err(Error::Usage(format!(
                "{}: entry {} has a count of {count} (at most {MAX_COUNT})",
                path.display(),
                entry.fingerprint
            )));
        }
        if index < merged.len() {
            merged[index].count = count;
        } else {
            merged.push(entry);
        }
    }
    Ok(Baseline {
        version: baseline.version,
        entries: merged,
    })
}

pub fn save(path: &Path, baseline: &Baseline) -> Result<(), Error> {
    let mut text =
        serde_json::to_string_pretty(baseline).map_err(|error| Error::Usage(error.to_string()))?;
    text.push('\n');
    crate::fs::write_atomically(path, text.as_bytes(), crate::fs::Existing::Replace).map_err(
        |source| Error::Io {
            context: format!("cannot write baseline {}", path.display()),
            source,
        },
    )
}

/// What comparing an audit with a baseline gave.
#[derive(Debug, Default)]
pub struct Comparison {
    /// Violations covered by the baseline.
    pub matched: usize,
    /// Entries (with the count not seen) that no longer occur.
    pub stale: Vec<BaselineEntry>,
    /// The baseline shrunk to what still occurs.
    pub shrunk: Baseline,
}

/// Removes baselined violations from the audit; what is left is new.
/// Entries outside what this run checked (`checked` is false: a path not
/// given, a rule not selected) are neither matched nor stale, and stay in the
/// shrunk baseline whole: a pre-commit run on two files must not report, or
/// with `--update-baseline` remove, the entries of every other file.
pub fn apply(
    audit: &mut Audit,
    baseline: &Baseline,
    checked: impl Fn(&BaselineEntry) -> bool,
) -> Comparison {
    let mut left: HashMap<&str, usize> = baseline
        .entries
        .iter()
        .map(|entry| (entry.fingerprint.as_str(), entry.count))
        .collect();
    let fingerprints = fingerprints(audit);
    let mut matched = 0;
    let mut keep = Vec::with_capacity(fingerprints.len());
    for (fingerprint, _) in &fingerprints {
        match left.get_mut(fingerprint.as_str()) {
            Some(count) if *count > 0 => {
                *count -= 1;
                matched += 1;
                keep.push(false);
            }
            _ => keep.push(true),
        }
    }
    let mut flags = keep.into_iter();
    audit.violations.retain(|_| flags.next().unwrap_or(true));
    let mut stale = Vec::new();
    let mut shrunk = Vec::new();
    for entry in &baseline.entries {
        let unseen = if checked(entry) {
            left.get(entry.fingerprint.as_str()).copied().unwrap_or(0)
        } else {
            0
        };
        if unseen > 0 {
            stale.push(BaselineEntry {
                count: unseen,
                ..entry.clone()
            });
        }
        if entry.count > unseen {
            shrunk.push(BaselineEntry {
                count: entry.count - unseen,
                ..entry.clone()
            });
        }
    }
    Comparison {
        matched,
        stale,
        shrunk: Baseline {
            version: VERSION,
            entries: shrunk,
        },
    }
}
