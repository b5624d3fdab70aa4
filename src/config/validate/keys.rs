//! Unknown keys at the top level, in `[settings]` and in `[[concept]]`,
//! each with the nearest known key.

use std::ops::Range;

use toml_edit::{Item, Table, Value};

use super::Problems;
use crate::config::raw::{CONCEPT_KEYS, SETTINGS_KEYS, TOP_LEVEL_KEYS};

pub(super) fn check_unknown_keys(top: &Table, problems: &mut Problems) {
    check_table_keys(
        &AnyTable::Table(top),
        TOP_LEVEL_KEYS,
        "the top level",
        problems,
    );
    if let Some(item) = top.get("settings") {
        for table in tables_of(item) {
            check_table_keys(&table, SETTINGS_KEYS, "[settings]", problems);
        }
    }
    if let Some(item) = top.get("concept") {
        for table in tables_of(item) {
            check_table_keys(&table, CONCEPT_KEYS, "[[concept]]", problems);
        }
    }
}

/// A table or inline table, seen the same way for key checks.
enum AnyTable<'a> {
    Table(&'a Table),
    Inline(&'a toml_edit::InlineTable),
}

impl AnyTable<'_> {
    fn keys(&self) -> Vec<(String, Option<Range<usize>>)> {
        match self {
            AnyTable::Table(table) => table
                .iter()
                .map(|(key, _)| (key.to_string(), table.key(key).and_then(|k| k.span())))
                .collect(),
            AnyTable::Inline(table) => table
                .iter()
                .map(|(key, _)| (key.to_string(), table.key(key).and_then(|k| k.span())))
                .collect(),
        }
    }
}

fn tables_of(item: &Item) -> Vec<AnyTable<'_>> {
    match item {
        Item::Table(table) => vec![AnyTable::Table(table)],
        Item::ArrayOfTables(array) => array.iter().map(AnyTable::Table).collect(),
        Item::Value(Value::InlineTable(table)) => vec![AnyTable::Inline(table)],
        Item::Value(Value::Array(array)) => array
            .iter()
            .filter_map(|value| value.as_inline_table().map(AnyTable::Inline))
            .collect(),
        _ => Vec::new(),
    }
}

fn check_table_keys(table: &AnyTable<'_>, known: &[&str], place: &str, problems: &mut Problems) {
    for (key, span) in table.keys() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let help = match closest(&key, known) {
            Some(close) => format!(
                "did you mean `{close}`? {place} accepts: {}",
                known.join(", ")
            ),
            None => format!("{place} accepts: {}", known.join(", ")),
        };
        problems.push(
            "config::unknown-key",
            span.unwrap_or(0..0),
            format!("unknown key `{key}` in {place}"),
            "unknown key",
            Some(help),
        );
    }
}

/// The known key nearest to a misspelt one, if any is near.
fn closest<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(prefixed) = known
        .iter()
        .find(|candidate| candidate.starts_with(key) || key.starts_with(*candidate))
    {
        return Some(prefixed);
    }
    known
        .iter()
        .map(|candidate| (edit_distance(key, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= candidate.len() / 3 + 1)
        .min()
        .map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}
