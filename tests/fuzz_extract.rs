//! Fuzzing the fact extractors: Python and Rust texts mutated from seeds
//! full of imports, classes, aliases, patches and nesting. No extractor
//! panics; the skimmed Python facts are the full parse's; and the pre-filter
//! lets through every text whose full facts import a legacy module or name a
//! concept symbol (the shortcut never hides what the full path finds).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use rustc_hash::FxHashSet;
use ssot_audit::config::{Config, Language};
use ssot_audit::lang::ImportKind;
use ssot_audit::prefilter::Prefilter;
use ssot_audit::scan::{facts_from_bytes, Parse, SelectedFile};

const RULES: &str = r#"[settings]
src = ["."]

[[concept]]
name = "ws"
canonical = "app.websocket.manager:WebSocketManager"
symbols = ["WebSocketManager"]
definition = '^\w*WebSocketManager$'
legacy_modules = ["app.core.manager", "app.utils.websocket"]

[[concept]]
name = "rust-ws"
canonical = "app_core::ws::Hub"
symbols = ["Hub"]
definition = '^\w*Hub$'
legacy_modules = ["app_core::legacy"]
"#;

const PYTHON_SEED: &str = r#"import os, app.core.manager as m
from app.core import (
    config,
    manager,
)
from . import manager
from ..utils import websocket
from app.websocket.manager import WebSocketManager as WSM
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from app.core.manager import WebSocketManager

__all__ = ["WSM", "manager"]

Alias = WebSocketManager

class LegacyWebSocketManager(WSM):
    """A manager."""
    def connect(self, x=[1, (2, {3: 4})]):
        import app.utils.websocket
        with patch("app.core.manager.WebSocketManager") as p:
            return lambda y: [z for z in y if z]

def handler(manager):
    yield from manager.items()
    raise ValueError("core") from None

try:
    from app.utils.websocket import *
except ImportError:
    pass

# events now go through WebSocketManager.
log = f'{WebSocketManager!r} {d["k"]}'
msg = "WebSocketManager unavailable"
__all__ += ["WebSocketManager"]
"#;

const RUST_SEED: &str = r#"use app_core::legacy::Hub;
pub use app_core::ws::{Hub as WsHub, self};
mod inner {
    pub struct Hub { x: Vec<(u8, [u8; 4])> }
    pub type Alias = super::Hub;
}
pub enum LegacyHub { A, B(u8) }
fn f() { let _ = |x: u8| { if x > 0 { [x] } else { [0] } }; }
"#;

/// Pieces a mutation inserts: keywords, brackets, quotes, indentation.
const PIECES: &[&str] = &[
    "import ",
    "from ",
    " as ",
    ".",
    "..",
    ",",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    "\n",
    "\n    ",
    "\t",
    "\\\n",
    "#",
    "\"",
    "'",
    "\"\"\"",
    "manager",
    "websocket",
    "WebSocketManager",
    "Hub",
    "class ",
    "def ",
    "use ",
    "pub ",
    "mod ",
    "::",
    ";",
    "*",
    "é",
    "\u{ff2d}",
    "\r\n",
    "f'",
    "f\"{",
    "}\"",
    "patch(\"",
    "# ",
    "'a.WebSocketManager'",
];

#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0..PIECES.len()).prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (any::<usize>(), 1_usize..40).prop_map(|(at, len)| Mutation::Delete(at, len)),
        (any::<usize>(), 1_usize..80).prop_map(|(at, len)| Mutation::Duplicate(at, len)),
    ]
}

/// The nearest char boundary at or before `at`.
fn boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(seed: &str, mutations: &[Mutation]) -> String {
    let mut text = seed.to_string();
    for mutation in mutations {
        let len = text.len().max(1);
        match *mutation {
            Mutation::Insert(at, piece) => {
                let at = boundary(&text, at % len);
                text.insert_str(at, PIECES[piece]);
            }
            Mutation::Delete(at, n) => {
                let start = boundary(&text, at % len);
                let end = boundary(&text, start + n);
                text.replace_range(start..end, "");
            }
            Mutation::Duplicate(at, n) => {
                let start = boundary(&text, at % len);
                let end = boundary(&text, start + n);
                let copy = text[start..end].to_string();
                text.insert_str(end, &copy);
            }
        }
    }
    text
}

fn config(dir: &Path) -> Config {
    std::fs::write(dir.join("rules.toml"), RULES).unwrap();
    ssot_audit::config::load(&dir.join("rules.toml")).unwrap()
}

fn selected(dir: &Path, relative: &str) -> SelectedFile {
    SelectedFile {
        relative: relative.to_string(),
        absolute: dir.join(relative),
    }
}

/// What a parsed file's facts say, for comparison.
fn json(facts: &ssot_audit::lang::FileFacts) -> serde_json::Value {
    serde_json::to_value(facts).unwrap()
}

/// Checks one Python text; true when its skimmed facts were compared (it
/// parses cleanly).
fn check_python(config: &Config, dir: &Path, text: &str) -> Result<bool, TestCaseError> {
    let file = selected(dir, "app/core/views.py");
    let full = facts_from_bytes(config, &file, text.as_bytes(), Parse::Full);
    let packages: FxHashSet<String> = ["app".to_string()].into_iter().collect();
    let skimmed = facts_from_bytes(config, &file, text.as_bytes(), Parse::Skimmed(&packages));
    let Ok(full) = full else {
        prop_assert!(skimmed.is_err());
        return Ok(false);
    };
    if full.parsed_cleanly {
        let skimmed = skimmed.map_err(|note| TestCaseError::fail(format!("{note:?}")))?;
        prop_assert_eq!(
            json(&skimmed),
            json(&full),
            "skimmed facts differ for {:?}",
            text
        );
    }
    // The pre-filter lets through every file whose full facts import a
    // legacy module or bind a symbol of a concept.
    let (prefilter, _) = Prefilter::for_concepts(&config.concepts, &Default::default());
    let legacy = |module: &str| {
        config
            .concepts
            .iter()
            .any(|concept| concept.legacy_modules.iter().any(|legacy| legacy == module))
    };
    // What the rules count as importing a legacy module `L`: `import L`,
    // `from L import *`, `from P import last` (`L` = `P.last`).
    let imports_legacy = full.imports.iter().any(|import| match import.kind {
        ImportKind::Import => import.module.as_deref().is_some_and(legacy),
        ImportKind::From => import.resolved.as_deref().is_some_and(|resolved| {
            import.name.as_deref().is_some_and(|name| {
                (name == "*" && legacy(resolved)) || legacy(&format!("{resolved}.{name}"))
            })
        }),
        ImportKind::Use => false,
    });
    // Any fact naming a symbol: an import, binding, definition, alias,
    // `__all__` entry, patch string or attribute use (a dotted string names
    // it by one of its components).
    let mut facts = json(&full);
    facts["notes"] = serde_json::Value::Null;
    facts["path"] = serde_json::Value::Null;
    let names_symbol = strings(&facts).iter().any(|text| {
        text.split('.')
            .any(|part| config.concepts.iter().any(|c| c.is_symbol(part)))
    });
    if imports_legacy || names_symbol {
        prop_assert!(
            prefilter.hits(text, Language::Python, full.module.as_deref()),
            "the pre-filter skips {:?}",
            text
        );
    }
    Ok(full.parsed_cleanly)
}

/// Every string in a JSON value.
fn strings(value: &serde_json::Value) -> Vec<&str> {
    match value {
        serde_json::Value::String(text) => vec![text.as_str()],
        serde_json::Value::Array(items) => items.iter().flat_map(strings).collect(),
        serde_json::Value::Object(map) => map.values().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

fn check_rust(config: &Config, dir: &Path, text: &str) -> Result<(), TestCaseError> {
    let file = selected(dir, "src/lib.rs");
    // No panic; a text that does not parse is a note, not an error.
    let _ = facts_from_bytes(config, &file, text.as_bytes(), Parse::Full);
    Ok(())
}

/// `FUZZ_CASES` and `FUZZ_SEED` run more or other cases than CI's.
fn runner(cases: u32, seed: u64) -> proptest::test_runner::TestRunner {
    let from_env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = from_env("FUZZ_CASES").map_or(cases, |cases| cases as u32);
    let seed = from_env("FUZZ_SEED").unwrap_or(seed);
    proptest::test_runner::TestRunner::new_with_rng(
        ProptestConfig {
            cases,
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        proptest::test_runner::TestRng::from_seed(
            proptest::test_runner::RngAlgorithm::ChaCha,
            &[&seed.to_le_bytes()[..], &[0; 24]].concat(),
        ),
    )
}

#[test]
fn python_extractors_agree_and_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let compared = std::cell::Cell::new(0_usize);
    let result =
        runner(400, 0x0fac_75ed).run(&prop::collection::vec(mutation(), 0..8), |mutations| {
            let text = mutate(PYTHON_SEED, &mutations);
            if check_python(&config, dir.path(), &text)? {
                compared.set(compared.get() + 1);
            }
            Ok(())
        });
    if let Err(error) = result {
        panic!("{error}");
    }
    // Enough of the mutated texts still parse for the comparison to mean
    // something.
    eprintln!("{} mutated texts compared", compared.get());
    assert!(
        compared.get() >= 40,
        "only {} texts compared",
        compared.get()
    );
}

#[test]
fn the_rust_extractor_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    let result = runner(400, 0x0000_0ba5)
        .run(&prop::collection::vec(mutation(), 0..8), |mutations| {
            check_rust(&config, dir.path(), &mutate(RUST_SEED, &mutations))
        });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// The seeds themselves: the skim and the full parse agree, the pre-filter
/// lets the Python seed through, and it holds what the fuzzing is about.
#[test]
fn the_seeds_hold_what_is_fuzzed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path());
    assert!(check_python(&config, dir.path(), PYTHON_SEED).unwrap());
    check_rust(&config, dir.path(), RUST_SEED).unwrap();
    let file = selected(dir.path(), "app/core/views.py");
    let full = facts_from_bytes(&config, &file, PYTHON_SEED.as_bytes(), Parse::Full).unwrap();
    assert!(full.parsed_cleanly);
    assert!(full.imports.len() >= 10, "{:?}", full.imports);
    assert!(!full.patch_targets.is_empty());
    let rust = selected(dir.path(), "src/lib.rs");
    let facts = facts_from_bytes(&config, &rust, RUST_SEED.as_bytes(), Parse::Full).unwrap();
    assert!(facts.parsed_cleanly, "{:?}", facts.notes);
    assert!(!facts.imports.is_empty() && !facts.definitions.is_empty());
}
