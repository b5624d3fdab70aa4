//! The sound pre-filter: a file is parsed
//! only if its bytes hold one of the concepts' needles (symbol names, an
//! import of a legacy module read in import context, `ssot:` comments) or a definition whose name
//! matches a concept's `definition` pattern (`class\s+Name`, not the bare
//! pattern). Names found bound to needles in parsed files (shims, aliases,
//! re-exports) become needles of the next round, so re-export chains are
//! complete; every other file provably cannot import or define a concept.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::config::{Concept, Language};
use crate::lang::{AliasValue, BindingKind, FileFacts};

mod legacy;
mod python_text;
mod shapes;

use legacy::LegacyModule;
use shapes::Shapes;

/// What one round searches for.
pub struct Prefilter {
    needles: Option<AhoCorasick>,
    /// Last components of Python legacy modules (`manager` is a common word:
    /// alone it would hit most files of a code base).
    legacy_names: Option<AhoCorasick>,
    legacy: Vec<LegacyModule>,
    python_definitions: Option<Shapes>,
    rust_definitions: Option<Shapes>,
    /// Canonical Python modules: always parsed, so that what they bind is
    /// known when rules.toml is checked against the code.
    canonical_modules: Vec<String>,
    /// Last components of the Python modules a star import can bring a
    /// needle from: a file with a star import naming one may re-export a
    /// needle without spelling it.
    star_sources: Option<AhoCorasick>,
}

/// Needles that are module names for star imports carry this prefix (so
/// the cache keeps both kinds in one set).
pub const STAR_SOURCE: char = '*';

/// Splits a needle set into identifier needles and star-source module names.
fn split_needles(needles: &BTreeSet<String>) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut names = BTreeSet::new();
    let mut stars = BTreeSet::new();
    for needle in needles {
        match needle.strip_prefix(STAR_SOURCE) {
            Some(module) => stars.insert(module.to_string()),
            None => names.insert(needle.clone()),
        };
    }
    (names, stars)
}

const PYTHON_KEYWORDS: &[&str] = &["class"];
const RUST_KEYWORDS: &[&str] = &["struct", "enum", "trait", "union", "type"];

impl Prefilter {
    /// The first round: concept needles and definition shapes.
    pub fn for_concepts(
        concepts: &[Concept],
        extra: &BTreeSet<String>,
    ) -> (Self, BTreeSet<String>) {
        let (mut needles, stars) = split_needles(extra);
        let mut legacy_names = BTreeSet::new();
        let mut legacy = Vec::new();
        for concept in concepts {
            needles.extend(concept.symbols.iter().cloned());
            for module in &concept.legacy_modules {
                let last = module.rsplit(['.', ':']).next().unwrap_or(module);
                let last = last.trim_start_matches("r#").to_string();
                match (concept.language, module.rsplit_once('.')) {
                    (Language::Python, Some((parent, _))) => {
                        legacy_names.insert(last.clone());
                        legacy.push(LegacyModule {
                            module: module.clone(),
                            parent: parent.to_string(),
                            last,
                        });
                    }
                    _ => {
                        needles.insert(last);
                    }
                }
            }
        }
        let definitions = |language: Language| {
            let patterns: Vec<&str> = concepts
                .iter()
                .filter(|concept| concept.language == language)
                .map(|concept| concept.definition.as_str())
                .collect();
            Shapes::new(&patterns)
        };
        let mut canonical_modules: Vec<String> = concepts
            .iter()
            .filter(|concept| concept.language == Language::Python)
            .map(|concept| concept.canonical_module.clone())
            .collect();
        canonical_modules.sort();
        canonical_modules.dedup();
        let prefilter = Self {
            needles: automaton(&needles),
            legacy_names: automaton(&legacy_names),
            legacy,
            python_definitions: definitions(Language::Python),
            rust_definitions: definitions(Language::Rust),
            canonical_modules,
            star_sources: automaton(&stars),
        };
        needles.extend(
            stars
                .into_iter()
                .map(|module| format!("{STAR_SOURCE}{module}")),
        );
        (prefilter, needles)
    }

    /// A later round: only new needles, no definition shapes (those were
    /// searched in every file already).
    pub fn for_needles(needles: &BTreeSet<String>) -> Self {
        let (names, stars) = split_needles(needles);
        Self {
            needles: automaton(&names),
            legacy_names: None,
            legacy: Vec::new(),
            python_definitions: None,
            rust_definitions: None,
            canonical_modules: Vec::new(),
            star_sources: automaton(&stars),
        }
    }

    /// The file may matter and must be parsed. `module` is the file's own
    /// module (Python), for relative imports of legacy modules.
    pub fn hits(&self, text: &str, language: Language, module: Option<&str>) -> bool {
        if self.hits_as_written(text, language, module) {
            return true;
        }
        // Python compares identifiers after NFKC normalisation (`class
        // Ｍanager` defines `Manager`): a file with other than ASCII is
        // searched again in that form, so the shortcut finds what a parse does.
        language == Language::Python
            && !text.is_ascii()
            && nfkc_if_changed(text)
                .is_some_and(|normalized| self.hits_as_written(&normalized, language, module))
    }

    fn hits_as_written(&self, text: &str, language: Language, module: Option<&str>) -> bool {
        let needle = |needles: &AhoCorasick| match language {
            Language::Python => has_word_that_counts(needles, text),
            Language::Rust => has_word(needles, text),
        };
        if self.needles.as_ref().is_some_and(needle)
            || memchr::memmem::find(text.as_bytes(), SUPPRESSION.as_bytes()).is_some()
        {
            return true;
        }
        if language == Language::Python
            && (self.may_import_legacy(text, module)
                || self.may_star_import(text)
                || module.is_some_and(|module| {
                    self.canonical_modules
                        .binary_search_by(|canonical| canonical.as_str().cmp(module))
                        .is_ok()
                }))
        {
            return true;
        }
        let (definitions, keywords) = match language {
            Language::Python => (&self.python_definitions, PYTHON_KEYWORDS),
            Language::Rust => (&self.rust_definitions, RUST_KEYWORDS),
        };
        definitions
            .as_ref()
            .is_some_and(|definitions| definitions.defined_in(text, keywords))
    }
}

impl Prefilter {
    /// Importing legacy `a.b.manager` needs `manager` in the text, then an
    /// import statement that names the module (see [`legacy::may_import`]).
    fn may_import_legacy(&self, text: &str, module: Option<&str>) -> bool {
        let Some(names) = &self.legacy_names else {
            return false;
        };
        has_word(names, text) && legacy::may_import(text, module, &self.legacy)
    }
}

impl Prefilter {
    /// A star import (`import *`) and the name of a module that binds a
    /// needle: the file may re-export it without spelling it.
    fn may_star_import(&self, text: &str) -> bool {
        let Some(sources) = &self.star_sources else {
            return false;
        };
        let star = memchr::memmem::find_iter(text.as_bytes(), b"import").any(|at| {
            text[at + 6..]
                .trim_start_matches([' ', '\t', '\\', '\r', '\n', '('])
                .starts_with('*')
        });
        star && has_word(sources, text)
    }
}

/// The star sources a round adds (with the [`STAR_SOURCE`] prefix): the
/// last component of each parsed Python module that binds a needle or
/// star-imports something (a chain of star imports), not known yet.
fn star_sources(files: &[FileFacts], known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for file in files
        .iter()
        .filter(|file| file.parsed && file.language == Language::Python)
    {
        let Some(module) = file.module.as_deref() else {
            continue;
        };
        let binds_needle = file
            .bindings
            .iter()
            .any(|binding| known.contains(&*binding.name));
        let star = file
            .imports
            .iter()
            .any(|import| import.name.as_deref() == Some("*"));
        if !(binds_needle || star) {
            continue;
        }
        let last = module.rsplit('.').next().unwrap_or(module);
        let needle = format!("{STAR_SOURCE}{last}");
        if !last.is_empty() && !known.contains(&needle) {
            found.insert(needle);
        }
    }
    found
}

/// `text` in NFKC, or None when that is `text` itself. A line break neither
/// changes nor composes with its neighbours, so each line is normalised on
/// its own, and only a line that the quick check (a table lookup per
/// character) cannot prove normal already: most non-ASCII text is.
fn nfkc_if_changed(text: &str) -> Option<String> {
    let mut normalized: Option<String> = None;
    let mut done = 0;
    for line in text.split_inclusive('\n') {
        let start = done;
        done += line.len();
        if line.is_ascii() || is_nfkc_quick(line.chars()) == IsNormalized::Yes {
            if let Some(normalized) = &mut normalized {
                normalized.push_str(line);
            }
            continue;
        }
        let line_nfkc: String = line.nfkc().collect();
        if line_nfkc == line && normalized.is_none() {
            continue;
        }
        let normalized = normalized.get_or_insert_with(|| {
            let mut out = String::with_capacity(text.len() + 16);
            out.push_str(&text[..start]);
            out
        });
        normalized.push_str(&line_nfkc);
    }
    normalized.filter(|normalized| normalized != text)
}

/// Suppression comments make any file matter (an unused one is SSOT901).
const SUPPRESSION: &str = "ssot:";

/// One automaton over identifier needles. Leftmost-longest matching lets
/// aho-corasick use its SIMD (Teddy) search and, at any position, yields the
/// longest needle, so a needle that is a whole word there is the one found.
fn automaton(needles: &BTreeSet<String>) -> Option<AhoCorasick> {
    let needles: Vec<&String> = needles.iter().filter(|needle| !needle.is_empty()).collect();
    if needles.is_empty() {
        return None;
    }
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(needles)
        .ok()
}

/// A needle occurs as a whole identifier: `Primary` in `Primary = …` but not
/// in `PrimaryQueueService`. Sound, as every import, alias, definition or
/// patch target names a concept by a whole identifier. Non-overlapping
/// iteration misses nothing: needles are identifiers, so a match that starts
/// before a whole-word occurrence cannot overlap it.
fn has_word(needles: &AhoCorasick, text: &str) -> bool {
    needles
        .find_iter(text)
        .any(|found| is_whole_word(text, found.range()))
}

/// `text[range]` is a whole identifier: no identifier character either side.
fn is_whole_word(text: &str, range: std::ops::Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
}

/// [`has_word`] for Python, where an occurrence in a comment or in a string
/// of prose does not count: only one in code, or a string that is a name or
/// dotted path (see [`python_text`]).
fn has_word_that_counts(needles: &AhoCorasick, text: &str) -> bool {
    let mut scanner = python_text::Scanner::new(text);
    needles.find_iter(text).any(|found| {
        if !is_whole_word(text, found.range()) {
            return false;
        }
        match scanner.place(found.start()) {
            python_text::Place::Code => true,
            python_text::Place::Comment => false,
            python_text::Place::String(content) => python_text::names_something(&text[content]),
        }
    })
}

pub(super) fn is_identifier_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The needles a later round searches for, found in the parsed files: the
/// names linked to known needles and the star sources, without the known.
pub fn next_needles(files: &[FileFacts], known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut next = linked_names(files, known);
    next.extend(star_sources(files, known));
    next
}

/// Names linked to a needle by a binding in a parsed file, in either
/// direction: `X = Needle`, `from m import Needle as X`, `Needle = X`, `pub
/// use …::Needle as X`, `type X = …::Needle`. The module a linked name comes
/// from holds the name itself, so names alone keep chains complete. Returned
/// without the known ones.
fn linked_names(files: &[FileFacts], known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut link = |a: &str, b: &str| {
        let a = a.trim_start_matches("r#");
        let b = b.trim_start_matches("r#");
        if known.contains(a) && !known.contains(b) && !b.is_empty() && b != "*" {
            found.insert(b.to_string());
        }
        if known.contains(b) && !known.contains(a) && !a.is_empty() && a != "*" {
            found.insert(a.to_string());
        }
    };
    for file in files.iter().filter(|file| file.parsed) {
        for binding in &file.bindings {
            match &binding.kind {
                BindingKind::FromImport { import } => {
                    if let Some(name) = file.imports.get(*import).and_then(|f| f.name.as_deref()) {
                        link(&binding.name, name);
                    }
                }
                BindingKind::Alias(AliasValue::Name(source)) => link(&binding.name, source),
                BindingKind::Alias(AliasValue::Attribute { attr, .. }) => link(&binding.name, attr),
                _ => {}
            }
        }
        if file.language == Language::Rust {
            for import in &file.imports {
                if let (Some(name), Some(asname)) = (&import.name, &import.asname) {
                    link(asname, name);
                }
            }
            for definition in &file.definitions {
                if let Some(aliased) = &definition.aliased {
                    let last = aliased.rsplit("::").next().unwrap_or(aliased);
                    link(&definition.name, last);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_by_line_normalisation_is_the_whole_texts() {
        let texts = [
            "plain\nascii\n",
            "caf\u{e9}\nna\u{ef}ve \u{65e5}\u{672c}\n",
            "e\u{301}\n\u{301}x\r\n\u{1100}\u{1161}\u{11a8}\n",
            "class Pro\u{fb01}le:\n    x = '\u{2026}'\n\u{ff2d}anager\n",
            "a\n\u{212b}\n\u{2474}\n\u{ff3f}\u{fe64}\u{2028}b\u{200d}\n",
            "no line break \u{fb01}",
            "",
        ];
        for text in texts {
            let whole: String = text.nfkc().collect();
            let by_line = nfkc_if_changed(text);
            assert_eq!(by_line.as_deref().unwrap_or(text), whole, "{text:?}");
            assert_eq!(by_line.is_some(), whole != text, "{text:?}");
        }
    }

    #[test]
    fn identifiers_are_compared_after_nfkc() {
        let needles = BTreeSet::from(["Manager".to_string()]);
        let prefilter = Prefilter::for_needles(&needles);
        assert!(prefilter.hits("class \u{ff2d}anager:\n    pass\n", Language::Python, None));
        assert!(prefilter.hits(
            "from legacy import \u{ff2d}anager\n",
            Language::Python,
            None
        ));
        assert!(!prefilter.hits("x = 'caf\u{e9}'\n", Language::Python, None));
        // Text in NFKC already (checked quickly) and text that is not.
        assert!(prefilter.hits("x = 'caf\u{e9}'\nManager()\n", Language::Python, None));
        let profile = Prefilter::for_needles(&BTreeSet::from(["Profile".to_string()]));
        assert!(profile.hits("class Pro\u{fb01}le:\n    pass\n", Language::Python, None));
        assert!(!profile.hits("class Pro\u{fb01}les:\n    pass\n", Language::Python, None));
        // Rust identifiers are not NFKC-normalised.
        assert!(!prefilter.hits("struct \u{ff2d}anager;", Language::Rust, None));
    }
}
