//! CamelCase names: their words, the stems that group variants of one name,
//! and the kebab-case concept name derived from a stem.
//!
//! `UnifiedWebSocketManager` and `IsolatedWebSocketManager` are variants of
//! `WebSocketManager` when that name exists too: one name ends with the other
//! and the shared part is at least two words. A name that *starts* with
//! another counts only when what follows is a variant marker
//! (`WebSocketManagerV2`, `…Legacy`, `…Impl`): `WebSocketManagerFactory` and
//! `WebSocketManagerError` are different things. Every lookup is a hash probe
//! of a word-aligned suffix or prefix, so grouping is linear in the names.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

/// The shared part of two grouped names has at least this many words.
pub const MIN_STEM_WORDS: usize = 2;

/// Trailing words that make `StemX` a variant of `Stem` rather than a new noun.
const VARIANT_MARKERS: &[&str] = &[
    "Alt",
    "Backup",
    "Compat",
    "Copy",
    "Deprecated",
    "Impl",
    "Legacy",
    "New",
    "Next",
    "Old",
    "Temp",
    "Tmp",
];

/// Byte offsets where the CamelCase words of `name` start: `HTTPServerV2` ->
/// `HTTP`, `Server`, `V2`; underscores separate words and belong to none.
pub fn word_starts(name: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    each_word_start(name, |start| starts.push(start));
    starts
}

/// Calls `found` with each offset [`word_starts`] lists, in order.
fn each_word_start(name: &str, mut found: impl FnMut(usize)) {
    /// Whether `c` starts a word after `previous`, before `next`.
    fn starts_word<C: Copy + PartialEq>(
        c: C,
        previous: Option<C>,
        next: Option<C>,
        underscore: C,
        upper: impl Fn(C) -> bool,
        lower: impl Fn(C) -> bool,
        digit: impl Fn(C) -> bool,
    ) -> bool {
        match previous {
            None => true,
            Some(previous) if previous == underscore => true,
            Some(previous) => {
                upper(c)
                    && (lower(previous)
                        || digit(previous)
                        || (upper(previous) && next.is_some_and(&lower)))
            }
        }
    }
    if name.is_ascii() {
        // Names are nearly always ASCII: bytes, no table of characters.
        let bytes = name.as_bytes();
        for (at, &byte) in bytes.iter().enumerate() {
            if byte != b'_'
                && starts_word(
                    byte,
                    at.checked_sub(1).map(|i| bytes[i]),
                    bytes.get(at + 1).copied(),
                    b'_',
                    |c: u8| c.is_ascii_uppercase(),
                    |c: u8| c.is_ascii_lowercase(),
                    |c: u8| c.is_ascii_digit(),
                )
            {
                found(at);
            }
        }
        return;
    }
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    for (at, &(offset, c)) in chars.iter().enumerate() {
        if c != '_'
            && starts_word(
                c,
                at.checked_sub(1).map(|i| chars[i].1),
                chars.get(at + 1).map(|&(_, c)| c),
                '_',
                char::is_uppercase,
                char::is_lowercase,
                char::is_numeric,
            )
        {
            found(offset);
        }
    }
}

/// The words of `name`, without underscores.
pub fn words(name: &str) -> Vec<&str> {
    let starts = word_starts(name);
    starts
        .iter()
        .enumerate()
        .map(|(at, &start)| {
            let end = starts.get(at + 1).copied().unwrap_or(name.len());
            name[start..end].trim_end_matches('_')
        })
        .filter(|word| !word.is_empty())
        .collect()
}

pub fn word_count(name: &str) -> usize {
    let mut count = 0;
    each_word_start(name, |_| count += 1);
    count
}

/// `WebSocketManager` -> `web-socket-manager`.
pub fn kebab(name: &str) -> String {
    let kebab = words(name)
        .iter()
        .map(|word| {
            word.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if kebab.is_empty() {
        "concept".to_string()
    } else {
        kebab
    }
}

fn is_variant_marker(word: &str) -> bool {
    VARIANT_MARKERS.contains(&word)
        || word.chars().all(|c| c.is_ascii_digit())
        || word
            .strip_prefix(['V', 'v'])
            .is_some_and(|digits| !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
}

/// Each name's nearest stem among the other names, and the root it leads to.
#[derive(Debug, Default)]
pub struct StemForest<'n> {
    /// name -> (stem, the variant-marker words after the stem, if any).
    parent: FxHashMap<&'n str, (&'n str, Option<&'n str>)>,
}

impl<'n> StemForest<'n> {
    /// Links every name to its longest word-aligned suffix (preferred) or
    /// variant-marker prefix of at least [`MIN_STEM_WORDS`] words that is
    /// itself one of `names` (the names in parallel, on the caller's pool).
    pub fn new(names: &FxHashSet<&'n str>) -> Self {
        let parent = names
            .par_iter()
            .filter_map(|&name| Self::stem_of(names, name).map(|stem| (name, stem)))
            .collect();
        Self { parent }
    }

    /// The stem `name` links to, and the variant-marker words after it.
    fn stem_of(names: &FxHashSet<&'n str>, name: &'n str) -> Option<(&'n str, Option<&'n str>)> {
        let starts = word_starts(name);
        let count = starts.len();
        let mut best: Option<(usize, &'n str, Option<&'n str>)> = None;
        // Suffixes, longest first: the first hit is the longest.
        for (at, &start) in starts.iter().enumerate().skip(1) {
            if count - at < MIN_STEM_WORDS {
                break;
            }
            let suffix = &name[start..];
            if names.contains(suffix) {
                best = Some((count - at, suffix, None));
                break;
            }
        }
        // Prefixes followed only by variant markers, longest first.
        for at in (MIN_STEM_WORDS..count).rev() {
            if best.is_some_and(|(words, _, _)| words >= at) {
                break;
            }
            let (prefix, rest) = name.split_at(starts[at]);
            let prefix = prefix.trim_end_matches('_');
            if words(rest).iter().all(|word| is_variant_marker(word)) && names.contains(prefix) {
                best = Some((at, prefix, Some(rest)));
                break;
            }
        }
        best.map(|(_, stem, extension)| (stem, extension))
    }

    /// The stem at the end of `name`'s chain (the name itself when it has none).
    pub fn root<'a>(&'a self, name: &'a str) -> &'a str
    where
        'n: 'a,
    {
        let mut current = name;
        // Each step is strictly shorter, so the chain ends.
        while let Some((stem, _)) = self.parent.get(current) {
            current = stem;
        }
        current
    }

    /// The variant-marker words met on the way from `name` to its root
    /// (`WebSocketManagerV2` -> `V2`), if any.
    pub fn extension(&self, name: &str) -> Option<String> {
        let mut current = name;
        let mut extension: Option<String> = None;
        while let Some((stem, marker)) = self.parent.get(current) {
            if let Some(marker) = marker {
                extension = Some(match extension {
                    Some(later) => format!("{marker}{later}"),
                    None => marker.to_string(),
                });
            }
            current = stem;
        }
        extension
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forest<'n>(names: &[&'n str]) -> StemForest<'n> {
        StemForest::new(&names.iter().copied().collect())
    }

    #[test]
    fn camel_case_words() {
        assert_eq!(
            words("UnifiedWebSocketManager"),
            ["Unified", "Web", "Socket", "Manager"]
        );
        assert_eq!(words("HTTPServerV2"), ["HTTP", "Server", "V2"]);
        assert_eq!(words("_Private_Thing"), ["Private", "Thing"]);
        assert_eq!(words("Manager2"), ["Manager2"]);
        assert_eq!(kebab("WebSocketManager"), "web-socket-manager");
        assert_eq!(kebab("HTTPClient"), "http-client");
    }

    /// Non-ASCII names take the path through characters: after `é_`, the
    /// same words at the same places, three bytes on.
    #[test]
    fn ascii_and_character_paths_agree() {
        for name in [
            "UnifiedWebSocketManager",
            "HTTPServerV2",
            "_Private_Thing",
            "Manager2",
            "ABC",
            "aB",
            "X9Y",
            "",
        ] {
            let mut expected = vec![0];
            expected.extend(word_starts(name).iter().map(|start| start + 3));
            assert_eq!(word_starts(&format!("é_{name}")), expected, "{name}");
            assert_eq!(word_count(name), word_starts(name).len());
        }
    }

    #[test]
    fn variants_share_a_root() {
        let forest = forest(&[
            "WebSocketManager",
            "UnifiedWebSocketManager",
            "IsolatedUnifiedWebSocketManager",
            "WebSocketManagerV2",
            "WebSocketManagerFactory",
            "UserSession",
            "SessionManager",
            "UserSessionManager",
            "Manager",
        ]);
        assert_eq!(
            forest.root("IsolatedUnifiedWebSocketManager"),
            "WebSocketManager"
        );
        assert_eq!(forest.root("WebSocketManagerV2"), "WebSocketManager");
        assert_eq!(
            forest.extension("WebSocketManagerV2").as_deref(),
            Some("V2")
        );
        assert_eq!(
            forest.root("WebSocketManagerFactory"),
            "WebSocketManagerFactory"
        );
        // A suffix beats a prefix of the same length; one-word stems never group.
        assert_eq!(forest.root("UserSessionManager"), "SessionManager");
        assert_eq!(forest.root("SessionManager"), "SessionManager");
    }
}
