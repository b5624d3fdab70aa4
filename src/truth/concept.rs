//! One concept against the index: its canonical module and symbol, its
//! legacy modules, and whether anything refers to it.

use super::findings::Findings;
use super::lookup::{canonical_names, homes_of, provides, referred_to};
use super::suggest::{closest, listed, src_roots};
use super::{ModuleNames, CONCEPT_MATCHES_NOTHING, MISSING_LEGACY_MODULE};
use crate::config::{Concept, Config, Language};
use crate::index::ProjectIndex;

pub(super) fn check_concept(
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
