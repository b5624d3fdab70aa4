//! The items of a Rust file the facts do not hold (functions, constants,
//! statics, macros, modules), read again with a regular expression.

use std::path::Path;

use crate::config::Language;
use crate::lang::FileFacts;

/// What a regular expression finds in a Rust file beyond its facts.
pub(super) struct RustItems {
    pub(super) names: Vec<String>,
    /// A glob `use` that may bring in any name.
    pub(super) glob: bool,
}

/// The names of `fn`, `const`, `static`, `macro_rules!` and `mod` items of a
/// Rust file (any depth: a name found is given the benefit of the doubt), and
/// whether it has a glob `use`. Unreadable: treated as possibly binding
/// anything.
pub(super) fn rust_items(root: &Path, file: &FileFacts) -> RustItems {
    static ITEM: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?m)^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?(?:(?:async|const|unsafe|extern(?:[ \t]+\x22[^\x22]*\x22)?)[ \t]+)*(?:fn|const|static(?:[ \t]+mut)?|mod|macro_rules!)[ \t]+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)",
        )
        .ok()
    });
    static GLOB: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"::[ \t]*\*[ \t]*[;,}]").ok());
    let anything = RustItems {
        names: Vec::new(),
        glob: true,
    };
    let (Some(item), Some(glob)) = (ITEM.as_ref(), GLOB.as_ref()) else {
        return anything;
    };
    let Ok(text) = std::fs::read_to_string(root.join(&file.path)) else {
        return anything;
    };
    // An inline module's items are not told apart from the file's.
    let mut names: Vec<String> = item
        .captures_iter(&text)
        .filter_map(|captures| captures.get(1).map(|name| name.as_str().to_string()))
        .collect();
    if !file.parsed {
        // The pre-filter skipped it (the canonical symbol is not in it): its
        // types and `use`s are the suggestions.
        let mut facts = FileFacts::new(file.path.clone(), Language::Rust);
        crate::lang::rust_facts::extract(
            &mut facts,
            text.strip_prefix('\u{feff}').unwrap_or(&text),
        );
        names.extend(
            facts
                .definitions
                .iter()
                .filter(|definition| definition.top_level)
                .map(|definition| definition.name.trim_start_matches("r#").to_string()),
        );
        names.extend(
            facts
                .imports
                .iter()
                .filter(|import| import.scope == crate::lang::Scope::Module)
                .filter_map(|import| import.asname.as_deref().or(import.name.as_deref()))
                .filter(|name| !matches!(*name, "*" | "self" | "_"))
                .map(str::to_string),
        );
    }
    RustItems {
        names,
        glob: glob.is_match(&text),
    }
}
