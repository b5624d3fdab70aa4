//! The hints added to the shown candidates: `allow` globs for the test
//! doubles their `definition` matches, and related names.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::candidate::{glob_escape, Candidate, RelatedName};
use super::evidence::{is_test_path, Evidence};
use super::names::{self, MIN_STEM_WORDS};
use super::pattern::LazyPattern;
use crate::index::ProjectIndex;
use crate::lang::DefinitionKind;

/// First words of test doubles that `allow` tolerates (`MockWebSocketManager`).
pub(super) const TEST_DOUBLE_WORDS: &[&str] = &["Dummy", "Fake", "Mock", "Spy", "Stub"];

/// Modules of test doubles: `tests/mocks/…`, `tests/mock_ws.py`, `tests/fake_bus.py`.
pub(super) fn is_test_double_module(path: &str) -> bool {
    let mut components = path.split('/');
    let file = components.next_back().unwrap_or(path);
    components.any(|directory| matches!(directory, "doubles" | "fakes" | "mocks" | "stubs"))
        || ["dummy_", "fake_", "mock_", "stub_"]
            .iter()
            .any(|prefix| file.starts_with(prefix))
}

/// Whether `word` lower-cased is `lower`.
pub(super) fn lower_case_is(word: &str, lower: &str) -> bool {
    if word.is_ascii() {
        word.eq_ignore_ascii_case(lower)
    } else {
        word.to_lowercase() == lower
    }
}

/// Per candidate, the globs of the test files that define a test double its
/// `definition` matches (`MockWebSocketManager`, or any match in a mock
/// module such as `tests/mocks/ws.py`).
pub(super) fn test_double_globs(
    index: &ProjectIndex,
    candidates: &[Candidate],
    patterns: &[LazyPattern],
) -> Vec<BTreeSet<String>> {
    let allowed: Vec<(usize, String)> = index
        .files
        .par_iter()
        .filter(|file| is_test_path(&file.path))
        .flat_map_iter(|file| {
            let double_module = is_test_double_module(&file.path);
            let mut found = Vec::new();
            for definition in &file.definitions {
                if matches!(definition.kind, DefinitionKind::Type) {
                    continue;
                }
                let name = definition
                    .name
                    .strip_prefix("r#")
                    .unwrap_or(&definition.name);
                let first = names::words(name).first().copied().unwrap_or("");
                if !double_module && !TEST_DOUBLE_WORDS.contains(&first) {
                    continue;
                }
                for (at, pattern) in patterns.iter().enumerate() {
                    if candidates[at].language == file.language && pattern.is_match(name) {
                        found.push((at, glob_escape(&file.path)));
                    }
                }
            }
            found
        })
        .collect();
    let mut allow: Vec<BTreeSet<String>> = vec![BTreeSet::new(); candidates.len()];
    for (at, glob) in allowed {
        allow[at].insert(glob);
    }
    allow
}

/// Per stem (its lower-cased words; none for a stem too short to relate
/// names), the definitions whose names share its first and last word, in
/// definition order.
pub(super) fn sharing_stem_ends(
    evidence: &Evidence,
    stem_words: &[Vec<String>],
) -> Vec<Vec<usize>> {
    let sharing_ends: Vec<(usize, usize)> = evidence
        .definitions
        .par_iter()
        .enumerate()
        .flat_map_iter(|(origin, site)| {
            let words = names::words(site.name);
            let ends = words.first().copied().zip(words.last().copied());
            stem_words
                .iter()
                .enumerate()
                .filter(move |(_, stem)| {
                    let (Some((first, last)), Some(stem_first), Some(stem_last)) =
                        (ends, stem.first(), stem.last())
                    else {
                        return false;
                    };
                    lower_case_is(first, stem_first) && lower_case_is(last, stem_last)
                })
                .map(move |(at, _)| (at, origin))
        })
        .collect();
    let mut sharing: Vec<Vec<usize>> = vec![Vec::new(); stem_words.len()];
    for (at, origin) in sharing_ends {
        sharing[at].push(origin);
    }
    sharing
}

/// Fills `allow` (files in tests defining a test double the concept's
/// `definition` matches: `MockWebSocketManager`, or any match in a mock
/// module such as `tests/mocks/ws.py`) and `related` names. Files and
/// definitions are read in parallel (on the caller's pool).
pub fn add_hints(index: &ProjectIndex, evidence: &Evidence, candidates: &mut [Candidate]) {
    // One regex per candidate (a set of thousands, `--top 0`, exceeds the
    // regex size limit), compiled only if a name is tested against it.
    let patterns: Vec<LazyPattern> = candidates
        .iter()
        .map(|candidate| LazyPattern::new(candidate.definition.clone()))
        .collect();
    let mut allow = test_double_globs(index, candidates, &patterns);
    let stem_words: Vec<Vec<String>> = candidates
        .iter()
        .map(|candidate| {
            let words: Vec<String> = names::words(&candidate.stem)
                .iter()
                .map(|word| word.to_lowercase())
                .collect();
            if words.len() < MIN_STEM_WORDS {
                Vec::new()
            } else {
                words
            }
        })
        .collect();
    let sharing = sharing_stem_ends(evidence, &stem_words);
    for (at, candidate) in candidates.iter_mut().enumerate() {
        candidate.allow = std::mem::take(&mut allow[at]).into_iter().collect();
        let regex = &patterns[at];
        let stem_words = &stem_words[at];
        let mut related = Vec::new();
        for &origin in &sharing[at] {
            let site = &evidence.definitions[origin];
            if site.language != candidate.language || regex.is_match(site.name) {
                continue;
            }
            let words: Vec<String> = names::words(site.name)
                .iter()
                .map(|word| word.to_lowercase())
                .collect();
            // The stem's words, in order, with others in between.
            let mut wanted = stem_words.iter().peekable();
            for word in &words {
                if wanted.peek() == Some(&word) {
                    wanted.next();
                }
            }
            if wanted.peek().is_none() && words.len() > stem_words.len() {
                related.push(RelatedName {
                    name: site.name.to_string(),
                    path: site.path.to_string(),
                    line: site.line,
                });
            }
        }
        related.sort_by(|a, b| (&a.path, a.line, &a.name).cmp(&(&b.path, b.line, &b.name)));
        candidate.related = related;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_globs_match_only_their_path() {
        assert_eq!(
            glob_escape("tests/[a]/mock_*.py"),
            r"tests/\[a\]/mock_\*.py"
        );
        assert!(is_test_double_module("tests/mocks/ws.py"));
        assert!(is_test_double_module("tests/unit/fake_bus.py"));
        assert!(!is_test_double_module("tests/test_bus.py"));
    }
}
