//! Definition shapes: a `keyword Name` whose name matches a concept's
//! `definition` pattern makes a file matter.

use aho_corasick::AhoCorasick;
use regex::RegexSet;
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::is_identifier_char;

/// The `definition` patterns of one language.
pub(super) struct Shapes {
    patterns: RegexSet,
    /// Literals every match of a pattern holds (`Match` and `HalfMatch` for
    /// `^(Half)?Match$`, `Manager` for `\w*Manager$`), when every pattern
    /// has such a finite set: a text holding none of them defines nothing
    /// that matches, whatever its keywords. `None` when a pattern can match
    /// without a fixed part at either end (`^[A-Z]\w*$`).
    literals: Option<AhoCorasick>,
}

impl Shapes {
    /// `None` for no patterns (or one the regex crate rejects: rules.toml
    /// validation reports it).
    pub(super) fn new(patterns: &[&str]) -> Option<Self> {
        if patterns.is_empty() {
            return None;
        }
        let compiled = RegexSet::new(patterns).ok()?;
        Some(Self {
            patterns: compiled,
            literals: literals(patterns),
        })
    }

    /// A `keyword Name` in the text whose name matches one of the patterns.
    pub(super) fn defined_in(&self, text: &str, keywords: &[&str]) -> bool {
        if self
            .literals
            .as_ref()
            .is_some_and(|literals| !literals.is_match(text))
        {
            return false;
        }
        for keyword in keywords {
            for at in memchr::memmem::find_iter(text.as_bytes(), keyword.as_bytes()) {
                let before = text[..at].chars().next_back();
                if before.is_some_and(is_identifier_char) {
                    continue;
                }
                let rest = &text[at + keyword.len()..];
                let name_part = rest.trim_start_matches([' ', '\t', '\\', '\r', '\n']);
                if name_part.len() == rest.len() {
                    continue;
                }
                let name_part = name_part.strip_prefix("r#").unwrap_or(name_part);
                let end = name_part
                    .char_indices()
                    .find(|(_, c)| !is_identifier_char(*c))
                    .map_or(name_part.len(), |(index, _)| index);
                if end > 0 && self.patterns.is_match(&name_part[..end]) {
                    return true;
                }
            }
        }
        false
    }
}

/// Literals every match of a pattern holds: its prefix literals (every
/// match starts with one), else its suffix literals (every match ends with
/// one), so a name it matches holds one. `None` when a pattern has neither
/// as a finite set without the empty string.
fn literals(patterns: &[&str]) -> Option<AhoCorasick> {
    let mut all: Vec<Vec<u8>> = Vec::new();
    for pattern in patterns {
        let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
        let held = [ExtractKind::Prefix, ExtractKind::Suffix]
            .into_iter()
            .find_map(|kind| {
                let seq = Extractor::new().kind(kind).extract(&hir);
                let literals = seq.literals()?;
                let nonempty = !literals.is_empty()
                    && literals
                        .iter()
                        .all(|literal| !literal.as_bytes().is_empty());
                nonempty.then(|| {
                    literals
                        .iter()
                        .map(|literal| literal.as_bytes().to_vec())
                        .collect::<Vec<_>>()
                })
            })?;
        all.extend(held);
    }
    AhoCorasick::new(&all).ok()
}

#[cfg(test)]
mod tests {
    use super::super::{PYTHON_KEYWORDS, RUST_KEYWORDS};
    use super::*;

    fn shapes(patterns: &[&str]) -> Shapes {
        Shapes::new(patterns).expect("patterns compile")
    }

    #[test]
    fn literals_cover_every_match() {
        let exact = shapes(&["^(Half)?Match$"]);
        assert!(exact.literals.is_some());
        assert!(exact.defined_in("pub struct HalfMatch {}", &["struct"]));
        assert!(exact.defined_in("enum\n  r#Match {}", &["enum"]));
        assert!(!exact.defined_in("pub struct Matcher {}", &["struct"]));
        assert!(!exact.defined_in("pub struct Other {} // no such name", &["struct"]));
        // An unanchored pattern matches inside a longer name.
        let inner = shapes(&["Manager$"]);
        assert!(inner.literals.is_some());
        assert!(inner.defined_in("class WebSocketManager:", &["class"]));
        // Case-insensitive: every case of the literal is searched for.
        let folded = shapes(&["(?i)^manager$"]);
        assert!(folded.defined_in("class MANAGER:", &["class"]));
        assert!(folded.defined_in("class Manager:", &["class"]));
    }

    #[test]
    fn no_literals_when_a_match_can_start_anywhere() {
        for pattern in ["^[A-Z]\\w*$", "x*", "\\w+Manager\\w*"] {
            let any = shapes(&[pattern]);
            assert!(any.literals.is_none(), "{pattern}");
        }
        let any = shapes(&["^[A-Z]\\w*$"]);
        assert!(any.defined_in("class Thing:", &["class"]));
        // One pattern without literals turns the shortcut off for all.
        assert!(shapes(&["^Match$", "^Manager\\d*$", "\\w+"])
            .literals
            .is_none());
        // Suffix literals when the start is open.
        let suffix = shapes(&[".*Manager", "(?i)^\\w*websocket\\w*manager$"]);
        assert!(suffix.literals.is_some());
        assert!(suffix.defined_in("class LegacyWebSocketMANAGER:", &["class"]));
        assert!(!suffix.defined_in("class Legacy: # no such name", &["class"]));
    }

    #[test]
    fn definition_shapes_not_bare_words() -> Result<(), Box<dyn std::error::Error>> {
        let set = Shapes::new(&[r"(?i)^\w*websocket\w*manager$"]).ok_or("compiles")?;
        assert!(set.defined_in("class  WebSocketManager(Base):", PYTHON_KEYWORDS));
        assert!(set.defined_in("x = 1\nclass \\\n LegacyWebsocketManager:", PYTHON_KEYWORDS));
        assert!(!set.defined_in("websocket_manager = make()", PYTHON_KEYWORDS));
        assert!(!set.defined_in("subclass WebSocketManager", PYTHON_KEYWORDS));
        assert!(!set.defined_in("classWebSocketManager", PYTHON_KEYWORDS));
        assert!(set.defined_in("pub struct r#WebsocketManager;", RUST_KEYWORDS));
        Ok(())
    }
}
