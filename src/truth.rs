//! rules.toml checked against the code once the index is built: a gate that
//! passes on a typo checks nothing. A canonical module no scanned file
//! provides, or a canonical symbol its module neither defines nor binds, is an
//! error; a legacy module no file provides, a concept nothing in the code
//! refers to and a run that scanned no file are warnings (errors with
//! `--strict`). Every finding points at its span in rules.toml and, where the
//! index has a near name, says which.

use std::ops::Range;
use std::path::Path;

use crate::config::{Concept, Config, ConfigError, ConfigProblem, ConfigText, Language};
use crate::index::{rust_item_module, Origin, ProjectIndex};
use crate::lang::{BindingKind, FileFacts};
use crate::Error;

/// The code of each warning (SSOT900 and SSOT910 are file notes, SSOT901 and
/// SSOT902 suppression findings).
pub const MISSING_LEGACY_MODULE: &str = "SSOT920";
pub const CONCEPT_MATCHES_NOTHING: &str = "SSOT921";
pub const NOTHING_SCANNED: &str = "SSOT922";

/// The name of a warning code, as a rule's name goes with its code.
pub fn rule_name(code: &str) -> &'static str {
    match code {
        MISSING_LEGACY_MODULE => "missing-legacy-module",
        CONCEPT_MATCHES_NOTHING => "concept-matches-nothing",
        _ => "nothing-scanned",
    }
}

/// A way rules.toml and the code disagree that does not stop the run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConfigWarning {
    pub code: &'static str,
    pub rule: &'static str,
    /// rules.toml relative to the project root, `/` separators.
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub concept: Option<String>,
    pub message: String,
    #[serde(skip)]
    pub span: Range<usize>,
    /// The label and help of the diagnostic it becomes under `--strict`.
    #[serde(skip)]
    pub label: &'static str,
    #[serde(skip)]
    pub help: Option<String>,
}

/// Checks every concept against the index. Errors (and, with `strict`,
/// warnings) end the run with one report of all of them; otherwise the
/// warnings are returned, sorted by code and position.
pub fn check(
    config: &Config,
    index: &ProjectIndex,
    strict: bool,
) -> Result<Vec<ConfigWarning>, Error> {
    let Some(text) = config.text.as_deref() else {
        return Ok(Vec::new());
    };
    let mut findings = Findings {
        text,
        path: config_path(config),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    if index.files.is_empty() {
        findings.warn(
            NOTHING_SCANNED,
            None,
            text.selection.clone(),
            "no file was scanned: `include`, `exclude` and the ignore files select nothing under the project root".into(),
            "selects no file",
            Some(format!(
                "the project root is {}; `include` globs match root-relative paths such as \"**/*.py\"",
                config.root.display()
            )),
        );
    }
    let modules = ModuleNames {
        python: module_names(index, Language::Python),
        rust: module_names(index, Language::Rust),
    };
    for concept in &config.concepts {
        check_concept(config, index, &modules, concept, &mut findings);
    }
    findings
        .warnings
        .sort_by_key(|warning| (warning.code, warning.span.start, warning.span.end));
    if findings.errors.is_empty() && (!strict || findings.warnings.is_empty()) {
        return Ok(findings.warnings);
    }
    let mut problems = std::mem::take(&mut findings.errors);
    problems.extend(
        findings
            .warnings
            .iter()
            .map(|warning| findings.problem(warning, strict)),
    );
    Err(Error::Config(ConfigError::Invalid(
        text.invalid("does not match the code", problems),
    )))
}

/// rules.toml's path relative to the project root.
fn config_path(config: &Config) -> String {
    crate::scan::relative_path(&config.root, &config.file).unwrap_or_else(|| {
        config
            .file
            .file_name()
            .map_or_else(String::new, |name| name.to_string_lossy().into_owned())
    })
}

struct Findings<'t> {
    text: &'t ConfigText,
    path: String,
    errors: Vec<ConfigProblem>,
    warnings: Vec<ConfigWarning>,
}

impl Findings<'_> {
    fn error(
        &mut self,
        code: &'static str,
        span: Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) {
        let problem = self
            .text
            .problem(code, span, message, label, help, miette::Severity::Error);
        self.errors.push(problem);
    }

    fn warn(
        &mut self,
        code: &'static str,
        concept: Option<&Concept>,
        span: Range<usize>,
        message: String,
        label: &'static str,
        help: Option<String>,
    ) {
        let (line, column) = self.text.line_col(span.start);
        let (end_line, end_column) = self.text.line_col(span.end);
        self.warnings.push(ConfigWarning {
            code,
            rule: rule_name(code),
            path: self.path.clone(),
            line,
            column,
            end_line,
            end_column,
            concept: concept.map(|concept| concept.name.clone()),
            message,
            span,
            label,
            help,
        });
    }

    /// A warning as a diagnostic of the report: an error under `--strict`.
    fn problem(&self, warning: &ConfigWarning, as_error: bool) -> ConfigProblem {
        let severity = if as_error {
            miette::Severity::Error
        } else {
            miette::Severity::Warning
        };
        let message = match &warning.concept {
            Some(concept) => format!("concept `{concept}`: {}", warning.message),
            None => warning.message.clone(),
        };
        self.text.problem(
            warning.code,
            warning.span.clone(),
            message,
            warning.label,
            warning.help.clone(),
            severity,
        )
    }
}

/// Every module of the project per language, sorted: the candidates of a
/// did-you-mean, made once per run.
struct ModuleNames<'i> {
    python: Vec<&'i str>,
    rust: Vec<&'i str>,
}

impl ModuleNames<'_> {
    fn of(&self, language: Language) -> &[&str] {
        match language {
            Language::Python => &self.python,
            Language::Rust => &self.rust,
        }
    }
}

fn check_concept(
    config: &Config,
    index: &ProjectIndex,
    modules: &ModuleNames,
    concept: &Concept,
    out: &mut Findings,
) {
    let module = concept.canonical_module.as_str();
    let symbol = concept.canonical_symbol.as_str();
    let spans = &concept.spans;
    let provided = provides(index, concept.language, module);
    let mut canonical_ok = provided;
    if !provided {
        let homes = homes_of(index, concept.language, symbol);
        let home =
            closest(module, homes.iter().map(String::as_str)).or(homes.first().map(String::as_str));
        let help = match home {
            Some(home) => Some(format!(
                "did you mean `{home}`? `{symbol}` is defined there"
            )),
            None => closest(module, modules.of(concept.language).iter().copied())
                .map(|near| format!("did you mean `{near}`?")),
        };
        let help = help.unwrap_or_else(|| match concept.language {
            Language::Python => format!(
                "module paths are file paths relative to the `src` roots ({}), dots for `/`",
                src_roots(config)
            ),
            Language::Rust => {
                "Rust module paths start with a crate name from a Cargo.toml of the project".into()
            }
        });
        out.error(
            "config::canonical-module",
            spans.canonical_module.clone(),
            format!("canonical module `{module}` is provided by no scanned file"),
            "no file has this module path",
            Some(help),
        );
    } else if let Some(bound) = canonical_names(config, index, concept) {
        canonical_ok = false;
        let near = closest(symbol, bound.iter().map(String::as_str));
        let elsewhere: Vec<String> = homes_of(index, concept.language, symbol)
            .into_iter()
            .filter(|home| home != module)
            .collect();
        let help = match (near, elsewhere.first()) {
            (Some(near), _) => format!("did you mean `{near}`? `{module}` binds it"),
            (None, Some(home)) => {
                let separator = match concept.language {
                    Language::Python => ":",
                    Language::Rust => "::",
                };
                format!(
                    "`{symbol}` is defined in `{home}`: did you mean canonical = \"{home}{separator}{symbol}\"?"
                )
            }
            (None, None) if bound.is_empty() => {
                format!("`{module}` binds no name at its top level")
            }
            (None, None) => format!(
                "`{module}` binds {}",
                listed(bound.iter().map(String::as_str))
            ),
        };
        out.error(
            "config::canonical-symbol",
            spans.canonical_symbol.clone(),
            format!("`{module}` neither defines nor binds `{symbol}`"),
            "not defined in the canonical module",
            Some(help),
        );
    }
    for (legacy, span) in concept.legacy_modules.iter().zip(&spans.legacy_modules) {
        if provides(index, concept.language, legacy) {
            continue;
        }
        let others = modules
            .of(concept.language)
            .iter()
            .copied()
            .filter(|name| *name != module && !concept.is_legacy_module(name));
        let near = closest(legacy, others)
            .map(|near| format!("; did you mean `{near}`?"))
            .unwrap_or_default();
        out.warn(
            MISSING_LEGACY_MODULE,
            Some(concept),
            span.clone(),
            format!(
                "legacy module `{legacy}` is provided by no scanned file (it may have been deleted already{near})"
            ),
            "no file has this module path",
            Some("once a legacy module is gone, remove it from `legacy_modules`".into()),
        );
    }
    if canonical_ok && !referred_to(index, concept) {
        out.warn(
            CONCEPT_MATCHES_NOTHING,
            Some(concept),
            spans.name.clone(),
            "none of its symbols or legacy modules occurs in a scanned file outside the canonical module".into(),
            "matches nothing",
            Some(format!(
                "symbols = [{}]: check the names and `settings.include` / `settings.src`",
                concept
                    .symbols
                    .iter()
                    .map(|symbol| format!("\"{symbol}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        );
    }
}

/// Whether a scanned file provides `module` (a Python package directory
/// with modules below it counts).
fn provides(index: &ProjectIndex, language: Language, module: &str) -> bool {
    match language {
        Language::Python => {
            index.has_python_module(module)
                || index.python_module_names().any(|name| {
                    name.len() > module.len()
                        && name.starts_with(module)
                        && name.as_bytes()[module.len()] == b'.'
                })
        }
        Language::Rust => index.has_rust_module(module),
    }
}

fn module_names(index: &ProjectIndex, language: Language) -> Vec<&str> {
    let mut names: Vec<&str> = match language {
        Language::Python => index.python_module_names().collect(),
        Language::Rust => index.rust_module_names().collect(),
    };
    names.sort_unstable();
    names
}

fn src_roots(config: &Config) -> String {
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

/// The modules defining a class, function, Rust type or value named `symbol`
/// (not importing it), sorted.
fn homes_of(index: &ProjectIndex, language: Language, symbol: &str) -> Vec<String> {
    let mut homes = Vec::new();
    for file in index.files.iter().filter(|file| file.language == language) {
        let Some(module) = &file.module else { continue };
        match language {
            Language::Python => {
                let defines = file.bindings.iter().any(|binding| {
                    *binding.name == *symbol
                        && matches!(
                            binding.kind,
                            BindingKind::Class | BindingKind::Function | BindingKind::Other
                        )
                });
                if defines {
                    homes.push(module.clone());
                }
            }
            Language::Rust => {
                for definition in &file.definitions {
                    if definition.top_level && definition.name.trim_start_matches("r#") == symbol {
                        homes.push(rust_item_module(module, &definition.mod_path));
                    }
                }
            }
        }
    }
    homes.sort();
    homes.dedup();
    homes
}

/// None when the canonical module defines or binds the canonical symbol;
/// otherwise the names it does bind, sorted, for a suggestion.
fn canonical_names(
    config: &Config,
    index: &ProjectIndex,
    concept: &Concept,
) -> Option<Vec<String>> {
    let module = concept.canonical_module.as_str();
    let symbol = concept.canonical_symbol.as_str();
    let mut names: Vec<String> = match concept.language {
        Language::Python => {
            let file = index.python_module(module)?;
            if !file.parsed
                || file.binding(symbol).is_some()
                || !matches!(index.resolve(module, symbol), Origin::Unresolved { .. })
            {
                return None;
            }
            file.bindings
                .iter()
                .map(|binding| binding.name.to_string())
                .collect()
        }
        Language::Rust => {
            if index.rust_names(module).any(|name| name == symbol) || index.rust_has_glob(module) {
                return None;
            }
            let mut names: Vec<String> = index.rust_names(module).map(str::to_string).collect();
            // Functions, constants, statics and macros are not in the facts:
            // the file itself says whether it has such an item.
            if let Some(file) = index.rust_module_file(module) {
                let items = rust_items(&config.root, file);
                if items.glob || items.names.iter().any(|name| name == symbol) {
                    return None;
                }
                names.extend(items.names);
            }
            names
        }
    };
    names.sort();
    names.dedup();
    Some(names)
}

/// What a regular expression finds in a Rust file beyond its facts.
struct RustItems {
    names: Vec<String>,
    /// A glob `use` that may bring in any name.
    glob: bool,
}

/// The names of `fn`, `const`, `static`, `macro_rules!` and `mod` items of a
/// Rust file (any depth: a name found is given the benefit of the doubt), and
/// whether it has a glob `use`. Unreadable: treated as possibly binding
/// anything.
fn rust_items(root: &Path, file: &FileFacts) -> RustItems {
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

/// Whether any scanned file other than the canonical module's refers to the
/// concept: a symbol imported, defined, bound, aliased, patched or used as an
/// attribute, or a legacy module provided or imported.
fn referred_to(index: &ProjectIndex, concept: &Concept) -> bool {
    if concept
        .legacy_modules
        .iter()
        .any(|legacy| provides(index, concept.language, legacy))
    {
        return true;
    }
    let canonical_file = match concept.language {
        Language::Python => index.python_module(&concept.canonical_module),
        Language::Rust => index.rust_module_file(&concept.canonical_module),
    }
    .map(|file| file.path.as_str());
    let is_symbol = |name: &str| concept.is_symbol(name.trim_start_matches("r#"));
    index
        .files
        .iter()
        .filter(|file| file.parsed && file.language == concept.language)
        .filter(|file| Some(file.path.as_str()) != canonical_file)
        .any(|file| {
            file.imports.iter().any(|import| {
                import.name.as_deref().is_some_and(is_symbol)
                    || [&import.resolved, &import.module]
                        .into_iter()
                        .flatten()
                        .any(|module| concept.is_legacy_module(module))
            }) || file
                .definitions
                .iter()
                .any(|definition| is_symbol(&definition.name))
                || file.bindings.iter().any(|binding| is_symbol(&binding.name))
                || file
                    .aliases
                    .iter()
                    .any(|alias| is_symbol(alias.value.symbol()))
                || file.attribute_uses.iter().any(|used| is_symbol(&used.attr))
                || file.patch_targets.iter().any(|target| {
                    target
                        .value
                        .rsplit_once('.')
                        .is_some_and(|(_, name)| is_symbol(name))
                })
        })
}

/// The candidate nearest to `wanted` by edit distance, if one is near enough
/// to be a plausible typo (ties: the first in sorted order).
fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
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
fn listed<'a>(names: impl Iterator<Item = &'a str>) -> String {
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
