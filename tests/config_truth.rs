//! rules.toml checked against the code: a canonical module or symbol that the
//! scanned files do not have is an error (exit 2) with a did-you-mean from the
//! index; a legacy module no file provides, a concept nothing refers to and a
//! run that scanned nothing are warnings, errors under `--strict`.

mod support;

use std::path::Path;

use support::{run, write, Run};

/// A small service: `app.core` defines `Dispatcher` and `dispatch`, `app.api`
/// imports the class through the legacy shim `app.old`.
fn service(rules: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "rules.toml", rules);
    write(root, "app/__init__.py", "");
    write(
        root,
        "app/core.py",
        "class Dispatcher:\n    pass\n\n\ndef dispatch():\n    pass\n",
    );
    write(root, "app/old.py", "from app.core import Dispatcher\n");
    write(root, "app/api.py", "from app.old import Dispatcher\n");
    dir
}

fn concept(canonical: &str, legacy: &str) -> String {
    format!(
        "[[concept]]\nname = \"dispatcher\"\ncanonical = \"{canonical}\"\nlegacy_modules = [{legacy}]\n"
    )
}

/// Exit code, stdout and stderr with the temporary root replaced.
fn rendered(dir: &Path, output: &Run) -> String {
    output
        .render()
        .replace(&dir.display().to_string(), "[ROOT]")
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check", "--no-cache"];
    all.extend_from_slice(args);
    run(dir, &all)
}

#[test]
fn typo_in_canonical_module() {
    let dir = service(&concept("app.cor:Dispatcher", "\"app.old\""));
    let output = check(dir.path(), &[]);
    output.assert_code(2);
    assert!(output.stdout.is_empty(), "{}", output.describe());
    insta::assert_snapshot!("typo_in_canonical_module", rendered(dir.path(), &output));
}

#[test]
fn typo_in_canonical_symbol_suggests_the_bound_name() {
    let dir = service(&concept("app.core:Dispatchr", "\"app.old\""));
    let output = check(dir.path(), &[]);
    output.assert_code(2);
    assert!(
        output.stderr.contains("did you mean `Dispatcher`?"),
        "{}",
        output.describe()
    );
    insta::assert_snapshot!("typo_in_canonical_symbol", rendered(dir.path(), &output));
}

#[test]
fn every_problem_at_once() {
    let rules = format!(
        "{}\n[[concept]]\nname = \"router\"\ncanonical = \"app.core:Routr\"\nlegacy_modules = [\"app.gone\"]\n",
        concept("app.cor:Dispatcher", "\"app.old\"")
    );
    let dir = service(&rules);
    let output = check(dir.path(), &[]);
    output.assert_code(2);
    for expected in [
        "does not match the code: 3 problems",
        "canonical module `app.cor`",
        "neither defines nor binds `Routr`",
        "legacy module `app.gone`",
    ] {
        assert!(output.stderr.contains(expected), "{}", output.describe());
    }
}

#[test]
fn missing_legacy_module_is_a_warning() {
    let dir = service(&concept("app.core:Dispatcher", "\"app.old\", \"app.gone\""));
    let output = check(dir.path(), &[]);
    // The planted import through app.old is still found.
    output.assert_code(1);
    insta::assert_snapshot!("missing_legacy_module", rendered(dir.path(), &output));
}

#[test]
fn concept_matching_nothing_is_a_warning() {
    let rules = format!(
        "{}\n[[concept]]\nname = \"dispatch-function\"\ncanonical = \"app.core:dispatch\"\n",
        concept("app.core:Dispatcher", "\"app.old\"")
    );
    let dir = service(&rules);
    let output = check(dir.path(), &["--format", "json"]);
    output.assert_code(1);
    let json = output.json();
    assert_eq!(
        json["warnings"],
        serde_json::json!([{
            "code": "SSOT921",
            "rule": "concept-matches-nothing",
            "path": "rules.toml",
            "line": 7,
            "column": 8,
            "end_line": 7,
            "end_column": 27,
            "concept": "dispatch-function",
            "message": "none of its symbols or legacy modules occurs in a scanned file outside the canonical module",
        }])
    );
    let human = check(dir.path(), &[]);
    insta::assert_snapshot!("concept_matching_nothing", human.stderr);
    // GitHub annotations put it on rules.toml.
    let github = check(dir.path(), &["--format", "github"]);
    assert!(
        github.stdout.lines().any(|line| line
            == "::warning file=rules.toml,line=7,col=8,endLine=7,endColumn=27,\
                title=SSOT921 concept-matches-nothing::concept `dispatch-function`: none of its \
                symbols or legacy modules occurs in a scanned file outside the canonical module"),
        "{}",
        github.describe()
    );
}

#[test]
fn zero_files_scanned_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "rules.toml",
        "[settings]\ninclude = [\"src/**/*.py\"]\n",
    );
    write(dir.path(), "app/core.py", "class Dispatcher: pass\n");
    let output = check(dir.path(), &[]);
    output.assert_code(0);
    insta::assert_snapshot!("zero_files_scanned", rendered(dir.path(), &output));
    let strict = check(dir.path(), &["--strict"]);
    strict.assert_code(2);
    assert!(strict.stderr.contains("SSOT922"), "{}", strict.describe());
}

#[test]
fn strict_makes_warnings_errors() {
    let dir = service(&concept("app.core:Dispatcher", "\"app.old\", \"app.gone\""));
    let output = check(dir.path(), &["--strict"]);
    output.assert_code(2);
    assert!(output.stdout.is_empty(), "{}", output.describe());
    insta::assert_snapshot!("strict", rendered(dir.path(), &output));
    for command in ["report", "plan", "baseline", "fix"] {
        let mut args = vec![command, "--no-cache", "--strict"];
        if command == "baseline" {
            args.extend(["--output", "baseline.json"]);
        }
        let output = run(dir.path(), &args);
        output.assert_code(2);
        assert!(
            output.stderr.contains("SSOT920"),
            "{command}: {}",
            output.describe()
        );
    }
    assert!(!dir.path().join("baseline.json").exists());
}

/// `plan` and `fix` on a typo'd canonical propose and write nothing: they
/// would import a name no module has.
#[test]
fn plan_and_fix_on_a_typo_propose_nothing() {
    let dir = service(&concept("app.core:Dispatchr", "\"app.old\""));
    let before = support::snapshot(dir.path());
    for args in [
        &["plan", "--no-cache"][..],
        &["plan", "--no-cache", "--format", "json"],
        &["fix", "--no-cache", "--unsafe-fixes"],
    ] {
        let output = run(dir.path(), args);
        output.assert_code(2);
        assert!(output.stdout.is_empty(), "{args:?}: {}", output.describe());
        assert!(
            output
                .stderr
                .contains("neither defines nor binds `Dispatchr`"),
            "{args:?}: {}",
            output.describe()
        );
    }
    assert_eq!(support::snapshot(dir.path()), before, "nothing was written");
    // With the typo fixed, the same plan proposes the canonical import.
    write(
        dir.path(),
        "rules.toml",
        concept("app.core:Dispatcher", "\"app.old\""),
    );
    let plan = run(dir.path(), &["plan", "--no-cache"]);
    plan.assert_code(0);
    assert!(
        plan.stdout.contains("from app.core import Dispatcher"),
        "{}",
        plan.describe()
    );
}

/// What binds a name without defining a class counts: a function, an
/// assignment, an import, a star import; Rust items and `use`s.
#[test]
fn bindings_of_every_kind_are_canonical() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "rules.toml",
        r#"
[[concept]]
name = "factory"
canonical = "pkg.core:make"
[[concept]]
name = "value"
canonical = "pkg.core:DEFAULT"
[[concept]]
name = "imported"
canonical = "pkg.core:Thing"
[[concept]]
name = "starred"
canonical = "pkg:Star"
"#,
    );
    write(root, "pkg/__init__.py", "from .stars import *\n");
    write(root, "pkg/stars.py", "class Star: pass\n");
    write(
        root,
        "pkg/core.py",
        "from pkg.things import Thing\n\ndef make(): pass\n\nDEFAULT = 3\n",
    );
    write(root, "pkg/things.py", "class Thing: pass\n");
    write(
        root,
        "app.py",
        "from pkg.core import make, DEFAULT, Thing\nfrom pkg import Star\n",
    );
    let output = check(root, &["--strict", "--exit-zero"]);
    output.assert_code(0);
    assert!(output.stderr.is_empty(), "{}", output.describe());
}

/// Rust: a typo'd type is an error with the module's names as suggestions;
/// a function, a `use` and a glob `use` bind names.
#[test]
fn rust_canonicals() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[package]\nname = \"ws_core\"\nversion = \"0.1.0\"\n",
    );
    write(
        root,
        "src/lib.rs",
        "pub mod ws;\npub mod reexports;\npub mod globbed;\n",
    );
    write(
        root,
        "src/ws.rs",
        "pub struct UnifiedManager;\npub fn connect() {}\n",
    );
    write(
        root,
        "src/reexports.rs",
        "pub use crate::ws::UnifiedManager as Manager;\n",
    );
    write(root, "src/globbed.rs", "pub use crate::ws::*;\n");
    write(root, "src/main.rs", "use ws_core::ws::{connect, UnifiedManager};\nuse ws_core::reexports::Manager;\nuse ws_core::globbed::UnifiedManager as G;\nfn main() {}\n");
    let rules =
        |canonical: &str| format!("[[concept]]\nname = \"ws\"\ncanonical = \"{canonical}\"\n");
    for canonical in [
        "ws_core::ws::UnifiedManager",
        "ws_core::ws::connect",
        "ws_core::reexports::Manager",
        "ws_core::globbed::UnifiedManager",
    ] {
        write(root, "rules.toml", rules(canonical));
        let output = check(root, &["--exit-zero"]);
        output.assert_code(0);
        assert!(
            !output.stderr.contains("does not match"),
            "{canonical}: {}",
            output.describe()
        );
    }
    write(root, "rules.toml", rules("ws_core::ws::UnifiedManagr"));
    let output = check(root, &[]);
    output.assert_code(2);
    insta::assert_snapshot!("rust_typo_in_canonical_symbol", rendered(root, &output));
    write(root, "rules.toml", rules("ws_core::wss::UnifiedManager"));
    let output = check(root, &[]);
    output.assert_code(2);
    assert!(
        output.stderr.contains("did you mean `ws_core::ws`?"),
        "{}",
        output.describe()
    );
}

/// The warnings in `check --format json` follow the shipped schema.
#[test]
fn json_warnings_match_the_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/check.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options().build(&schema).unwrap();
    let rules = format!(
        "{}\n[[concept]]\nname = \"dispatch-function\"\ncanonical = \"app.core:dispatch\"\n",
        concept("app.core:Dispatcher", "\"app.old\", \"app.gone\"")
    );
    let dir = service(&rules);
    let json = check(dir.path(), &["--format", "json"]).json();
    let codes: Vec<&str> = json["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|warning| warning["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["SSOT920", "SSOT921"]);
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = json.clone();
    broken["warnings"][0]["code"] = serde_json::Value::from("SSOT999");
    assert!(!validator.is_valid(&broken));
}
