//! The words of a help line: the near name of a did-you-mean, a short list,
//! the src roots.

use crate::config::Config;

pub(super) fn src_roots(config: &Config) -> String {
    config
        .settings
        .src
        .iter()
        .map(|root| {
            if root.is_empty() {
                "\".\"".to_string()
            } else {
                format!("\"{root}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The candidate nearest to `wanted` by edit distance, if one is near enough
/// to be a plausible typo (ties: the first in sorted order).
pub(super) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = wanted.chars().count();
    let limit = (length / 3).max(2);
    let lower = wanted.to_lowercase();
    candidates
        .into_iter()
        .filter(|candidate| *candidate != wanted)
        // No edit distance is smaller than the difference in length.
        .filter(|candidate| candidate.chars().count().abs_diff(length) <= limit)
        .map(|candidate| {
            let distance = if candidate.to_lowercase() == lower {
                0
            } else {
                strsim::levenshtein(wanted, candidate)
            };
            (distance, candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// `A`, `B` and 3 more: a short list for a help line.
pub(super) fn listed<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let shown: Vec<String> = names
        .iter()
        .take(5)
        .map(|name| format!("`{name}`"))
        .collect();
    match names.len() {
        0 => String::new(),
        n if n <= 5 => shown.join(", "),
        n => format!("{} and {} more", shown.join(", "), n - 5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_only() {
        let names = ["Dispatcher", "Router", "dispatch"];
        assert_eq!(closest("Dispatchr", names), Some("Dispatcher"));
        assert_eq!(closest("DISPATCHER", names), Some("Dispatcher"));
        assert_eq!(closest("Unrelated", names), None);
        assert_eq!(
            closest("app.cor", ["app.core", "app.api"]),
            Some("app.core")
        );
    }

    #[test]
    fn short_lists() {
        assert_eq!(listed(["A", "B"].into_iter()), "`A`, `B`");
        assert_eq!(
            listed(["A", "B", "C", "D", "E", "F", "G"].into_iter()),
            "`A`, `B`, `C`, `D`, `E` and 2 more"
        );
    }
}
