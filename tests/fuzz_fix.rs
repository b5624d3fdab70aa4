//! Fuzzing the fixer (issue 21): small Python projects generated from a
//! grammar of what `fix` touches (imports from the legacy, shim and canonical
//! modules with and without `as`, `import m as x` with `x.Name` uses,
//! aliases, `__all__`, function, class and comprehension scopes that use and
//! shadow the names, `global`, `del`, quoted annotations, patch strings,
//! `TYPE_CHECKING` and `try` imports), plus a few random byte mutations. For
//! each project: `check` and `fix --unsafe-fixes` never panic, every file
//! `fix` rewrites still parses, a second `fix` is a no-op, `fix --diff` names
//! exactly the files `fix` then writes, and no (code, via) count of
//! `check --format json` goes up.
//!
//! 32 cases by default (`PROPTEST_CASES=N` for more); the seed is fixed so CI
//! runs the same cases (`FUZZ_SEED=N` explores others).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use support::{run, write};

const RULES: &str = r#"[settings]
src = ["."]
include = ["**/*.py"]
exclude = []

[[concept]]
name = "dispatcher"
canonical = "app.core:Dispatcher"
symbols = ["Dispatcher", "NotifyDispatcher"]
definition = '^\w*Dispatcher$'
legacy_modules = ["app.legacy"]
"#;

const MODULES: &[&str] = &[
    "app.legacy",
    "app.shim",
    "app.core",
    "app",
    ".legacy",
    ".shim",
    "app.c0",
    ".c1",
];
const SYMBOLS: &[&str] = &["NotifyDispatcher", "Dispatcher"];
/// Local names: the symbols themselves (so renames collide), short aliases,
/// and names the module attribute forms bind.
const NAMES: &[&str] = &[
    "NotifyDispatcher",
    "Dispatcher",
    "D",
    "Old",
    "legacy",
    "shim",
];
const MODULE_ALIASES: &[&str] = &["legacy", "lg", "shim", "core"];

fn pick(table: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    (0..table.len()).prop_map(move |i| table[i])
}

/// One import statement.
fn import() -> impl Strategy<Value = String> {
    prop_oneof![
        (pick(MODULES), pick(SYMBOLS)).prop_map(|(m, s)| format!("from {m} import {s}")),
        (pick(MODULES), pick(SYMBOLS), pick(NAMES))
            .prop_map(|(m, s, a)| format!("from {m} import {s} as {a}")),
        (pick(MODULES), pick(SYMBOLS), pick(SYMBOLS), pick(NAMES)).prop_map(|(m, s, t, a)| {
            format!("from {m} import (\n    {s},\n    {t} as {a},\n)")
        }),
        (
            pick(&["app.legacy", "app.shim", "app.core"]),
            pick(MODULE_ALIASES)
        )
            .prop_map(|(m, a)| format!("import {m} as {a}")),
        pick(&["app.legacy", "app.shim", "app.core"]).prop_map(|m| format!("import {m}")),
        (pick(&["app", "."]), pick(&["legacy", "shim", "core"]))
            .prop_map(|(p, m)| format!("from {p} import {m}")),
        (pick(MODULES), pick(SYMBOLS)).prop_map(|(m, s)| format!("import os; from {m} import {s}")),
        pick(&["app.legacy", "app.shim"]).prop_map(|m| format!("from {m} import *")),
    ]
}

/// One use of a name or of a module attribute.
fn use_of() -> impl Strategy<Value = String> {
    prop_oneof![
        pick(NAMES).prop_map(|n| format!("print({n})")),
        pick(NAMES).prop_map(|n| format!("{n}()")),
        (pick(MODULE_ALIASES), pick(SYMBOLS)).prop_map(|(m, s)| format!("{m}.{s}()")),
        (pick(&["app.legacy", "app.shim", "app.core"]), pick(SYMBOLS))
            .prop_map(|(m, s)| format!("x = {m}.{s}")),
        pick(NAMES).prop_map(|n| format!("isinstance(object(), {n})")),
        pick(NAMES).prop_map(|n| format!("v: \"{n}\" = None")),
        pick(NAMES).prop_map(|n| format!("w: \"list[{n}]\" = []")),
    ]
}

/// A top-level statement of a consumer module.
fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => import(),
        3 => use_of(),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(a, b)| format!("{a} = {b}")),
        1 => prop::collection::vec(pick(NAMES), 0..4).prop_map(|names| {
            let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            format!("__all__ = [{}]", quoted.join(", "))
        }),
        1 => pick(NAMES).prop_map(|n| format!("__all__ += [\"{n}\"]")),
        1 => (pick(NAMES), use_of(), pick(NAMES)).prop_map(|(p, body, r)| {
            format!("def f_{p}({p}):\n    {body}\n    return {r}")
        }),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(g, u)| {
            format!("def set_{g}():\n    global {g}\n    {g} = {u}")
        }),
        1 => (pick(NAMES), pick(NAMES))
            .prop_map(|(a, b)| format!("def g(a: \"{a}\") -> \"{b}\":\n    return a")),
        1 => (pick(NAMES), pick(NAMES), import()).prop_map(|(base, use_, imp)| {
            format!(
                "class K({base}):\n    attr = {use_}\n\n    def m(self):\n        {}\n        return {use_}",
                imp.replace('\n', "\n        ")
            )
        }),
        1 => pick(NAMES).prop_map(|n| format!("ys = [{n} for {n} in range(3)]")),
        1 => pick(NAMES).prop_map(|n| format!("zs = [{n} for _ in ({n},)]")),
        1 => pick(NAMES).prop_map(|n| format!("pairs = {{k: {n} for k in [{n}]}}")),
        1 => pick(NAMES).prop_map(|n| format!("del {n}")),
        1 => (pick(&["app.legacy", "app.shim", "app.c0", "app.c1"]), pick(NAMES))
            .prop_map(|(m, n)| format!("TARGET = \"{m}.{n}\"")),
        1 => (pick(&["app.legacy", "app.c0"]), pick(NAMES)).prop_map(|(m, n)| {
            format!("from unittest import mock\npatcher = mock.patch(\"{m}.{n}\")")
        }),
        1 => import().prop_map(|i| format!(
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    {}",
            i.replace('\n', "\n    ")
        )),
        1 => import().prop_map(|i| format!(
            "try:\n    {}\nexcept ImportError:\n    pass",
            i.replace('\n', "\n    ")
        )),
        1 => pick(NAMES).prop_map(|n| format!("class {n}Dispatcher:\n    pass")),
        1 => Just("# a comment: Dispatcher, NotifyDispatcher".to_string()),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(n, u)| format!(
            "def outer():\n    {n} = None\n\n    def inner():\n        nonlocal {n}\n        {n} = {u}\n\n    return inner"
        )),
        1 => pick(NAMES).prop_map(|n| format!("handler = lambda {n}=None: {n}")),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(n, u)| format!(
            "async def run_{n}():\n    async with {u}() as {n}:\n        return {n}"
        )),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(n, u)| format!(
            "@{n}\ndef decorated():\n    try:\n        pass\n    except {u} as err:\n        raise err"
        )),
        1 => pick(NAMES).prop_map(|n| format!("text = f\"{{{n}!r}} {n}\"")),
        1 => pick(NAMES).prop_map(|n| format!("if ({n} := None) is None:\n    pass")),
        1 => (pick(NAMES), pick(NAMES)).prop_map(|(n, u)| format!(
            "match {u}:\n    case {n}():\n        pass\n    case other:\n        {n} = other"
        )),
        1 => pick(NAMES).prop_map(|n| format!("__all__.append(\"{n}\")")),
        1 => pick(NAMES).prop_map(|n| format!("__all__ = (\"{n}\",)")),
        1 => (pick(&["legacy", "lg", "shim"]), pick(SYMBOLS)).prop_map(|(m, s)| format!(
            "from unittest import mock\npatcher = mock.patch.object({m}, \"{s}\")"
        )),
    ]
}

/// The shim module: re-exports of the concept in the forms the rules flag.
fn shim() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("from app.legacy import NotifyDispatcher\n".to_string()),
        Just("from app.core import Dispatcher as NotifyDispatcher\n".to_string()),
        Just("from app.core import Dispatcher\n\nNotifyDispatcher = Dispatcher\n".to_string()),
        Just(
            "from app.legacy import NotifyDispatcher, Dispatcher\n\n__all__ = [\"NotifyDispatcher\", \"Dispatcher\"]\n"
                .to_string()
        ),
        Just("from app.legacy import *\n".to_string()),
        Just("from .core import Dispatcher as Dispatcher\n".to_string()),
    ]
}

/// A byte mutation of one generated file.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
}

fn mutation() -> impl Strategy<Value = (usize, Mutation)> {
    const BYTES: &[u8] = b"()[]:,.=\"'#\\\n\t xA\x00\xc3\xff";
    let byte = (0..BYTES.len()).prop_map(|i| BYTES[i]);
    (
        any::<usize>(),
        prop_oneof![
            any::<usize>().prop_map(Mutation::Delete),
            (any::<usize>(), byte.clone()).prop_map(|(at, b)| Mutation::Insert(at, b)),
            (any::<usize>(), byte).prop_map(|(at, b)| Mutation::Replace(at, b)),
        ],
    )
}

#[derive(Clone)]
struct Case {
    /// Relative path and bytes of every file of the project.
    files: BTreeMap<String, Vec<u8>>,
}

/// The generated sources as text, for a failure message that reproduces.
impl std::fmt::Debug for Case {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "\n{}\n", show(&self.files))
    }
}

fn case() -> impl Strategy<Value = Case> {
    (
        shim(),
        prop::collection::vec(prop::collection::vec(statement(), 1..9), 1..4),
        prop::collection::vec(mutation(), 0..3),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(shim, consumers, mutations, crlf, bom)| {
            let mut texts: Vec<String> = consumers
                .iter()
                .map(|statements| statements.join("\n") + "\n")
                .collect();
            if crlf {
                texts[0] = texts[0].replace('\n', "\r\n");
            }
            if bom {
                let last = texts.len() - 1;
                texts[last].insert(0, '\u{feff}');
            }
            let mut case = Case::new(&shim, &texts);
            for (which, mutation) in mutations {
                let path = format!("app/c{}.py", which % texts.len());
                let bytes = case.files.get_mut(&path).unwrap();
                let len = bytes.len().max(1);
                match mutation {
                    Mutation::Delete(at) if !bytes.is_empty() => {
                        bytes.remove(at % len);
                    }
                    Mutation::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), byte),
                    Mutation::Replace(at, byte) if !bytes.is_empty() => bytes[at % len] = byte,
                    _ => {}
                }
            }
            case
        })
}

impl Case {
    /// The fixed part of every project (rules.toml, the canonical module,
    /// the legacy alias), `shim` as app/shim.py and `consumers` as
    /// app/c0.py, app/c1.py, ...
    fn new(shim: &str, consumers: &[impl AsRef<str>]) -> Self {
        let mut files = BTreeMap::new();
        files.insert("rules.toml".to_string(), RULES.as_bytes().to_vec());
        files.insert("app/__init__.py".to_string(), Vec::new());
        files.insert(
            "app/core.py".to_string(),
            b"class Dispatcher:\n    pass\n".to_vec(),
        );
        files.insert(
            "app/legacy.py".to_string(),
            b"from app.core import Dispatcher\n\nNotifyDispatcher = Dispatcher\n".to_vec(),
        );
        files.insert("app/shim.py".to_string(), shim.as_bytes().to_vec());
        for (k, text) in consumers.iter().enumerate() {
            files.insert(format!("app/c{k}.py"), text.as_ref().as_bytes().to_vec());
        }
        Case { files }
    }
}

/// `(code, via)` counts of a `check --format json` run.
fn counts(json: &serde_json::Value) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for violation in json["violations"].as_array().unwrap() {
        let key = (
            violation["code"].as_str().unwrap().to_string(),
            violation["via"].as_str().unwrap_or("").to_string(),
        );
        *counts.entry(key).or_default() += 1;
    }
    counts
}

fn clean(output: &support::Run, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        output.code.is_some_and(|code| (0..=2).contains(&code))
            && !output.stderr.contains("panicked")
            && !output.stderr.contains("internal error"),
        "{what}: {}",
        output.describe()
    );
    Ok(())
}

fn check(root: &Path) -> Result<serde_json::Value, TestCaseError> {
    let output = run(root, &["check", "--format", "json", "--no-cache"]);
    clean(&output, "check")?;
    prop_assert!(output.code != Some(2), "check: {}", output.describe());
    Ok(output.json())
}

/// The paths of the files that do not parse, by one python3 run over all of
/// `paths`.
fn unparsable(root: &Path, paths: &[&String]) -> Vec<String> {
    if paths.is_empty() {
        return Vec::new();
    }
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import ast, sys\n\
             for p in sys.argv[1:]:\n\
             \x20   try:\n\
             \x20       ast.parse(open(p, encoding='utf-8').read(), p)\n\
             \x20   except (SyntaxError, ValueError, UnicodeDecodeError) as e:\n\
             \x20       print(p, '|', repr(e))\n",
        )
        .args(paths)
        .current_dir(root)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// Files named in the `--- a/PATH` headers of `fix --diff`.
fn diff_paths(diff: &str) -> BTreeSet<String> {
    diff.lines()
        .filter_map(|line| line.strip_prefix("--- a/"))
        .map(str::to_string)
        .collect()
}

fn show(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .filter(|(path, _)| path.starts_with("app/"))
        .map(|(path, bytes)| format!("==> {path}\n{}", String::from_utf8_lossy(bytes)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cases run, cases where `fix` rewrote a file, and files rewritten: printed
/// at the end, so a run shows it reached the fixer.
static CASES: AtomicUsize = AtomicUsize::new(0);
static FIXED_CASES: AtomicUsize = AtomicUsize::new(0);
static FIXED_FILES: AtomicUsize = AtomicUsize::new(0);

fn fix_case(case: &Case) -> Result<(), TestCaseError> {
    CASES.fetch_add(1, Ordering::Relaxed);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (path, bytes) in &case.files {
        write(root, path, bytes);
    }
    let before = check(root)?;
    let sources: Vec<&String> = case
        .files
        .keys()
        .filter(|path| path.ends_with(".py"))
        .collect();
    // CPython is stricter than the tool's parser (tabs after spaces in an
    // indent, for one): the promise is about files that parsed before.
    let broken_before: BTreeSet<String> = unparsable(root, &sources)
        .into_iter()
        .map(|line| line.split(" | ").next().unwrap().to_string())
        .collect();
    let diff = run(root, &["fix", "--no-cache", "--unsafe-fixes", "--diff"]);
    clean(&diff, "fix --diff")?;
    prop_assert_eq!(
        &support::snapshot(root),
        &case.files,
        "fix --diff wrote files"
    );
    let fix = run(root, &["fix", "--no-cache", "--unsafe-fixes"]);
    clean(&fix, "fix")?;
    let fixed = support::snapshot(root);
    let rewritten: Vec<&String> = fixed
        .iter()
        .filter(|(path, bytes)| case.files.get(*path) != Some(*bytes))
        .map(|(path, _)| path)
        .collect();
    if !rewritten.is_empty() {
        FIXED_CASES.fetch_add(1, Ordering::Relaxed);
        FIXED_FILES.fetch_add(rewritten.len(), Ordering::Relaxed);
    }
    let parsed_before: Vec<&String> = rewritten
        .iter()
        .copied()
        .filter(|path| !broken_before.contains(*path))
        .collect();
    let broken = unparsable(root, &parsed_before);
    prop_assert!(
        broken.is_empty(),
        "fix broke files that parsed: {:?}\n--- before\n{}\n--- after\n{}",
        broken,
        show(&case.files),
        show(&fixed)
    );
    let planned = diff_paths(&diff.stdout);
    let written: BTreeSet<String> = rewritten.iter().map(|path| path.to_string()).collect();
    prop_assert_eq!(
        &planned,
        &written,
        "fix --diff named other files than fix wrote\n--- before\n{}",
        show(&case.files)
    );
    let again = run(root, &["fix", "--no-cache", "--unsafe-fixes"]);
    clean(&again, "second fix")?;
    let twice = support::snapshot(root);
    prop_assert!(
        twice == fixed,
        "a second fix changed {:?}\n--- before\n{}\n--- after one fix\n{}\n--- after two\n{}",
        twice
            .iter()
            .filter(|(path, bytes)| fixed.get(*path) != Some(*bytes))
            .map(|(path, _)| path)
            .collect::<Vec<_>>(),
        show(&case.files),
        show(&fixed),
        show(&twice)
    );
    let after = check(root)?;
    let (old, new) = (counts(&before), counts(&after));
    for (key, count) in &new {
        let was = old.get(key).copied().unwrap_or(0);
        prop_assert!(
            *count <= was,
            "{key:?} went from {was} to {count} after fix\n--- before\n{}\n--- after\n{}\n--- violations after\n{}",
            show(&case.files),
            show(&fixed),
            serde_json::to_string_pretty(&after["violations"]).unwrap()
        );
    }
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(32);
    let seed = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(0x2121_f1c5);
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        // Every shrink step is five runs of the binary: keep shrinking short.
        max_shrink_iters: 64,
        ..Config::default()
    }
}

#[test]
fn generated_projects_fix_cleanly() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let mut runner = TestRunner::new(config());
    let result = runner.run(&case(), |case| fix_case(&case));
    eprintln!(
        "{} cases run, {} with files fixed, {} files rewritten",
        CASES.load(Ordering::Relaxed),
        FIXED_CASES.load(Ordering::Relaxed),
        FIXED_FILES.load(Ordering::Relaxed)
    );
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// The grammar makes what it should: projects with violations, fixable ones
/// and files that do not parse, so the property above is not vacuous.
#[test]
fn the_grammar_reaches_the_fixer() {
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(7),
        ..Config::default()
    });
    let strategy = case();
    let (mut fixable, mut total) = (0, 0);
    for _ in 0..4 {
        let case = strategy.new_tree(&mut runner).unwrap().current();
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in &case.files {
            write(dir.path(), path, bytes);
        }
        let json = check(dir.path()).unwrap();
        total += json["summary"]["violations"].as_u64().unwrap();
        fixable += json["summary"]["fixable"].as_u64().unwrap();
    }
    assert!(
        total > 0 && fixable > 0,
        "{total} violations, {fixable} fixable"
    );
}

// ---------------------------------------------------------------------------
// Failures the fuzzer found, kept as fixed cases

/// Found with `PROPTEST_CASES=300 FUZZ_SEED=99`, shrunk.
#[test]

fn a_second_fix_is_a_no_op_after_a_collision_is_resolved() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let case = Case::new(
        "from app.legacy import NotifyDispatcher\n",
        &["from app.legacy import NotifyDispatcher\n\
           from app import Dispatcher\n\
           from typing import TYPE_CHECKING\n\
           if TYPE_CHECKING:\n    from app.legacy import NotifyDispatcher as Old\n\
           __all__ = [\"Old\"]\n"],
    );
    if let Err(error) = fix_case(&case) {
        panic!("{error}");
    }
}

/// Found with `PROPTEST_CASES=150 FUZZ_SEED=2`, shrunk by hand.
#[test]
fn a_name_listed_twice_in_dunder_all() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let case = Case::new(
        "from app.legacy import NotifyDispatcher\n",
        &["from app.legacy import NotifyDispatcher\n\
           __all__ = [\"NotifyDispatcher\", \"NotifyDispatcher\"]\n"],
    );
    if let Err(error) = fix_case(&case) {
        panic!("{error}");
    }
}

/// Found with `PROPTEST_CASES=120 FUZZ_SEED=10`, shrunk.
#[test]
fn two_bindings_renamed_to_one_name_in_dunder_all() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let case = Case::new(
        "from app.legacy import NotifyDispatcher\n",
        &["import os; from app.shim import NotifyDispatcher\n\
           from app.legacy import NotifyDispatcher as legacy\n\
           __all__ = [\"NotifyDispatcher\", \"legacy\"]\n"],
    );
    if let Err(error) = fix_case(&case) {
        panic!("{error}");
    }
}
