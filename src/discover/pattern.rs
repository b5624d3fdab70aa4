//! A cluster's `definition` regex, the literal parts every name it matches
//! contains, and the regex compiled once, when a name first needs it.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use regex::{Regex, RegexBuilder};
use rustc_hash::FxHashMap;

use super::evidence::DefinitionSite;
use super::names::{self, MIN_STEM_WORDS};
use crate::config::Language;

/// The literal parts of one root's pattern: for a root of two words or more
/// the words but the last (`WebSocket`) and the last word (`Manager`); for a
/// one-word root no head and the name itself.
pub(super) fn root_parts(root: &str) -> (Option<&str>, &str) {
    let starts = names::word_starts(root);
    match starts.last() {
        Some(&last) if starts.len() >= MIN_STEM_WORDS => {
            (Some(root[..last].trim_end_matches('_')), &root[last..])
        }
        _ => (None, root),
    }
}

/// Words inserted before the last one: they start a word (an upper-case
/// letter, a digit or `_`, matched case-sensitively), so `StreamScheduler`'s
/// regex takes `StreamAuditScheduler` but not `StreamingAuditScheduler`.
pub(super) const INFIX: &str = r"(?-i:[A-Z0-9_]\w*)?";

/// The regex of a cluster: `(?i)^\w*WebSocket(?-i:[A-Z0-9_]\w*)?Manager$` for
/// a stem of two words or more (any prefix, and words inserted before the
/// last one: `UnifiedWebSocketManager`, `WebSocketConnectionManager`), the
/// exact name for a one-word stem (`\w*Config` would match every *Config);
/// variant markers seen in the cluster (`V2`) may follow.
pub(super) fn definition_regex(roots: &[String], extensions: &BTreeSet<String>) -> String {
    let alternatives: Vec<String> = roots
        .iter()
        .map(|root| match root_parts(root) {
            (Some(head), last) => {
                format!(r"\w*{}{INFIX}{}", regex::escape(head), regex::escape(last))
            }
            (None, name) => regex::escape(name),
        })
        .collect();
    let body = if alternatives.len() == 1 {
        alternatives[0].clone()
    } else {
        format!("(?:{})", alternatives.join("|"))
    };
    let extension = if extensions.is_empty() {
        String::new()
    } else {
        format!(
            "(?:{})?",
            extensions
                .iter()
                .map(|extension| regex::escape(extension))
                .collect::<Vec<_>>()
                .join("|")
        )
    };
    format!("(?i)^{body}{extension}$")
}

/// What a name [`definition_regex`] matches must contain, lowercased: a
/// `tail` it ends with and, before it, a `head` (or, without a head, nothing:
/// the name is the tail). A cheap pre-filter; the regex decides.
pub(super) fn regex_literals(
    roots: &[String],
    extensions: &BTreeSet<String>,
) -> Vec<(Option<String>, String)> {
    let mut literals = Vec::new();
    for root in roots {
        let (head, last) = root_parts(root);
        let head = head.map(str::to_lowercase);
        let last = last.to_lowercase();
        for extension in extensions {
            literals.push((head.clone(), format!("{last}{}", extension.to_lowercase())));
        }
        literals.push((head, last));
    }
    literals
}

/// One plan's pattern, as [`PlanLiterals`] reads it.
pub(super) struct PlanPattern<'p> {
    pub(super) language: Language,
    /// The `definition` regex.
    pub(super) definition: &'p str,
    /// Its [`regex_literals`].
    pub(super) literals: &'p [(Option<String>, String)],
}

/// The plans' `definition` regexes by their literal parts: two automata find
/// the literal tails that end a lowercase name and the heads in it; only the
/// plans whose head precedes their tail can match, and for an ASCII name the
/// literals decide without running the regex.
pub(super) struct PlanLiterals {
    /// Each plan's language: a name matches only plans of its own.
    languages: Vec<Language>,
    pub(super) tails: AhoCorasick,
    pub(super) heads: AhoCorasick,
    /// (tail, head) -> plans; no head: the name is the tail.
    pub(super) plans_of: FxHashMap<(usize, Option<usize>), Vec<usize>>,
    /// Run only for names the literals cannot decide (not ASCII words).
    patterns: Vec<LazyPattern>,
}

impl PlanLiterals {
    /// `None` if an automaton cannot be built.
    pub(super) fn new(plans: &[PlanPattern<'_>]) -> Option<Self> {
        /// Interns `text` in `texts`.
        fn intern<'t>(
            ids: &mut FxHashMap<&'t str, usize>,
            texts: &mut Vec<&'t str>,
            text: &'t str,
        ) -> usize {
            *ids.entry(text).or_insert_with(|| {
                texts.push(text);
                texts.len() - 1
            })
        }
        let (mut tail_ids, mut tails) = (FxHashMap::default(), Vec::new());
        let (mut head_ids, mut heads) = (FxHashMap::default(), Vec::new());
        let mut plans_of: FxHashMap<(usize, Option<usize>), Vec<usize>> = FxHashMap::default();
        for (at, plan) in plans.iter().enumerate() {
            for (head, tail) in plan.literals {
                let tail = intern(&mut tail_ids, &mut tails, tail);
                let head = head
                    .as_deref()
                    .map(|head| intern(&mut head_ids, &mut heads, head));
                plans_of.entry((tail, head)).or_default().push(at);
            }
        }
        Some(Self {
            languages: plans.iter().map(|plan| plan.language).collect(),
            tails: AhoCorasick::new(&tails).ok()?,
            heads: AhoCorasick::new(&heads).ok()?,
            plans_of,
            patterns: plans
                .iter()
                .map(|plan| LazyPattern::new(plan.definition.to_string()))
                .collect(),
        })
    }

    /// The plans but `own_plan` whose `definition` matches `site`'s name, in
    /// order.
    pub(super) fn matching(&self, site: &DefinitionSite, own_plan: usize) -> Vec<usize> {
        let lower = site.name.to_lowercase();
        // Lower-casing keeps an ASCII name's offsets, and every byte of it is
        // a `\w`: the regex's verdict follows from the literals.
        let ascii = site
            .name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_');
        let mut hits = Vec::new();
        let mut heads_found: Option<Vec<(usize, usize)>> = None;
        for found in self.tails.find_overlapping_iter(&lower) {
            if found.end() != lower.len() {
                continue;
            }
            let tail = found.pattern().as_usize();
            let heads = heads_found.get_or_insert_with(|| {
                self.heads
                    .find_overlapping_iter(&lower)
                    .map(|head| (head.pattern().as_usize(), head.end()))
                    .collect()
            });
            let candidates = heads
                .iter()
                .filter(|&&(_, end)| end <= found.start())
                .map(|&(head, end)| (Some(head), end))
                .chain((found.start() == 0).then_some((None, 0)));
            for (head, head_end) in candidates {
                // An ASCII name is decided here: the words between head and
                // tail (`INFIX`) start with [A-Z0-9_].
                if ascii && head_end != found.start() {
                    let next = site.name.as_bytes()[head_end];
                    if !(next.is_ascii_uppercase() || next.is_ascii_digit() || next == b'_') {
                        continue;
                    }
                }
                for &plan in self.plans_of.get(&(tail, head)).into_iter().flatten() {
                    if plan != own_plan && self.languages[plan] == site.language {
                        hits.push(plan);
                    }
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits.retain(|&plan| ascii || self.patterns[plan].is_match(site.name));
        hits
    }
}

/// A `definition` regex, compiled when a name is first tested:
/// for an ASCII name without the Unicode tables (the same verdict on ASCII,
/// for a fraction of the compile time), for the others with them.
pub(super) struct LazyPattern {
    source: String,
    ascii: OnceLock<Option<Regex>>,
    unicode: OnceLock<Option<Regex>>,
}

impl LazyPattern {
    pub(super) fn new(source: String) -> Self {
        Self {
            source,
            ascii: OnceLock::new(),
            unicode: OnceLock::new(),
        }
    }

    pub(super) fn is_match(&self, name: &str) -> bool {
        let unicode = || Regex::new(&self.source).ok();
        let regex = if name.is_ascii() {
            self.ascii.get_or_init(|| {
                RegexBuilder::new(&self.source)
                    .unicode(false)
                    .build()
                    .ok()
                    .or_else(unicode)
            })
        } else {
            self.unicode.get_or_init(unicode)
        };
        regex.as_ref().is_some_and(|regex| regex.is_match(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_patterns() {
        let roots = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        // All words but the last, then words that start with an upper-case
        // letter, a digit or `_`, then the last word.
        assert_eq!(
            definition_regex(&roots(&["WebSocketManager"]), &BTreeSet::new()),
            r"(?i)^\w*WebSocket(?-i:[A-Z0-9_]\w*)?Manager$"
        );
        assert_eq!(
            definition_regex(&roots(&["Config"]), &BTreeSet::new()),
            "(?i)^Config$"
        );
        assert_eq!(
            definition_regex(&roots(&["_Private_Thing"]), &BTreeSet::new()),
            r"(?i)^\w*_Private(?-i:[A-Z0-9_]\w*)?Thing$"
        );
        let extensions: BTreeSet<String> = ["V2".to_string()].into();
        assert_eq!(
            definition_regex(&roots(&["EventBus", "Config"]), &extensions),
            r"(?i)^(?:\w*Event(?-i:[A-Z0-9_]\w*)?Bus|Config)(?:V2)?$"
        );
    }

    /// The literal pre-filter of `pattern_matches` (a head before a tail
    /// that ends the name) lets through every name the regex matches.
    #[test]
    fn literals_cover_the_regex() -> Result<(), Box<dyn std::error::Error>> {
        let roots: Vec<String> = vec!["WebSocketManager".into(), "Config".into()];
        let extensions: BTreeSet<String> = ["V2".to_string()].into();
        let regex = Regex::new(&definition_regex(&roots, &extensions))?;
        let literals = regex_literals(&roots, &extensions);
        let passes = |name: &str| {
            let lower = name.to_lowercase();
            lower.char_indices().any(|(at, _)| {
                literals.iter().any(|(head, tail)| {
                    lower[at..] == *tail
                        && match head {
                            Some(head) => lower[..at].contains(head.as_str()),
                            None => at == 0,
                        }
                })
            })
        };
        for name in [
            "WebSocketManager",
            "UnifiedWebSocketManager",
            "WebSocketConnectionManager",
            "WebsocketSessionManager",
            "WEBSOCKET_MANAGER",
            "WebSocketManagerV2",
            "Config",
            "ConfigV2",
            "SocketManager",
            "WebSocketManagerFactory",
            "AppConfig",
            "WebManager",
            "WebSocketsManager",
            "Web_Socket_Manager",
        ] {
            assert!(passes(name) || !regex.is_match(name), "{name}");
        }
        assert!(regex.is_match("WebSocketConnectionManager"));
        assert!(regex.is_match("InlineWebsocketSessionManager"));
        assert!(regex.is_match("WEBSOCKET_CONNECTION_MANAGER"));
        // An inserted word starts a word: `WebSockets` is no `WebSocket`.
        assert!(!regex.is_match("WebSocketsManager"));
        assert!(!regex.is_match("SocketManager"));
        assert!(!regex.is_match("WebSocketManagerFactory"));
        assert!(!regex.is_match("AppConfig"));
        Ok(())
    }
}
