//! Issue 25's fix precision cases, on the tiny projects of
//! fixtures/fix_precision (each has an EXPECTED.md):
//!
//! - `typed_reexport`: a safe fix rewriting a module path keeps the explicit
//!   re-export form (`X as X`, `__all__`) a typed package relies on;
//! - `dialect_subclass`: an import bound to a distinct definition (a
//!   subclass, an allowed definition) gets no fix, safe or unsafe;
//! - `function_reexport`: a function re-exported by identity gets a safe fix;
//! - `star_reexport`: a facade that gets the name only through a star import
//!   is one SSOT002 `reexport`, and importing through it has a safe fix.
//!
//! For each: the exact violations before, after `fix` and after
//! `fix --unsafe-fixes`, the fixed counts, the rewritten files, the
//! applicability where it matters, convergence and `--dry-run` / `plan`
//! promises, and the fixture's pytest suite before and after both fixes
//! (nothing that passed may fail).

mod support;

use std::path::Path;
use std::process::Command;

use support::fixing::{rows, the_violation, violation_list as violations, Mode, Project};

/// A copy of `fixtures/fix_precision/CASE`.
fn project(case: &str) -> Project {
    Project::copy(&format!("fix_precision/{case}"))
}

/// The rows `check` reports on a fresh copy of `case`, after `fix` in `mode`
/// when one is given, with the fixed count, and the copy.
fn rows_after(case: &str, mode: Option<Mode>, extra: &[&str]) -> (Vec<String>, usize, Project) {
    let project = project(case);
    let before = violations(&project.check(extra)).len();
    let fixed = mode.map_or(0, |mode| {
        let (run, done) = project.fix(mode, extra);
        let after = violations(&project.check(extra)).len();
        assert_eq!(
            (before - after, after),
            (done.fixed, done.remaining),
            "{case}: `fix` says it fixed {} with {} remaining; check went {before} -> {after}\n{}",
            done.fixed,
            done.remaining,
            run.describe()
        );
        done.fixed
    });
    (rows(&project.check(extra)), fixed, project)
}

fn sorted(rows: &[&str]) -> Vec<String> {
    let mut rows: Vec<String> = rows.iter().map(|row| row.to_string()).collect();
    rows.sort();
    rows
}

/// Before, after `fix` and after `fix --unsafe-fixes`: the exact rows and
/// fixed counts; returns the two fixed copies.
fn assert_rows(
    case: &str,
    extra: &[&str],
    before: &[&str],
    (safe_fixed, after_safe): (usize, &[&str]),
    (unsafe_fixed, after_unsafe): (usize, &[&str]),
) -> (Project, Project) {
    let (rows, _, _) = rows_after(case, None, extra);
    assert_eq!(rows, sorted(before), "{case} before fix");
    let (rows, fixed, safe) = rows_after(case, Some(Mode::Safe), extra);
    assert_eq!(
        (rows, fixed),
        (sorted(after_safe), safe_fixed),
        "{case} after fix:\n{}",
        safe.diff()
    );
    let (rows, fixed, unsafe_) = rows_after(case, Some(Mode::Unsafe), extra);
    assert_eq!(
        (rows, fixed),
        (sorted(after_unsafe), unsafe_fixed),
        "{case} after fix --unsafe-fixes:\n{}",
        unsafe_.diff()
    );
    (safe, unsafe_)
}

/// A second `fix` is a no-op, and `fix --dry-run` and `plan` promised what
/// `fix` did.
fn converges_as_promised(case: &str, mode: Mode, extra: &[&str]) {
    let project = project(case);
    let mut plan_args = vec!["plan", "--format", "json", "--no-cache"];
    plan_args.extend_from_slice(extra);
    let plan = support::run(&project.root, &plan_args);
    plan.assert_exit_in(&[0, 1]);
    let plan = plan.json();
    let original = support::snapshot(&project.root);
    let mut dry_extra = extra.to_vec();
    dry_extra.push("--dry-run");
    let (dry_run, dry) = project.fix(mode, &dry_extra);
    assert!(
        support::snapshot(&project.root) == original,
        "--dry-run wrote files"
    );
    let (run, done) = project.fix(mode, extra);
    assert_eq!(
        dry,
        done,
        "{case}: dry-run and fix differ\n{}\n{}",
        dry_run.describe(),
        run.describe()
    );
    let promised = match mode {
        Mode::Safe => &plan["totals"]["violations_fixed"]["safe"],
        Mode::Unsafe => &plan["totals"]["violations_fixed"]["unsafe"],
    };
    assert_eq!(
        promised.as_u64(),
        Some(done.fixed as u64),
        "{case}: plan's promise\n{}",
        plan["totals"]
    );
    let fixed_tree = support::snapshot(&project.root);
    let (again_run, again) = project.fix(mode, extra);
    assert_eq!(
        (again.fixed, again.files),
        (0, 0),
        "{case}: a second run still fixes\n{}",
        again_run.describe()
    );
    assert!(
        support::snapshot(&project.root) == fixed_tree,
        "{case}: a second run changed files:\n{}",
        project.diff()
    );
}

// ---------------------------------------------------------------------------
// The fixtures' own test suites.

use support::{pytest, pytest_available};

/// The suite passes in full on the unfixed copy, and every test that passed
/// still passes after `fix` in `mode`.
fn suite_survives_fix(case: &str, mode: Mode) {
    if !pytest_available() {
        return;
    }
    let project = project(case);
    let before = pytest(&project.root);
    assert!(
        before.succeeded && !before.passed.is_empty(),
        "{case}: the suite must pass in full before any fix:\n{}",
        before.output
    );
    let (run, _) = project.fix(mode, &[]);
    let after = pytest(&project.root);
    let broken: Vec<&String> = before.passed.difference(&after.passed).collect();
    assert!(
        broken.is_empty(),
        "{case}: `ssot-audit {}` broke tests that passed before: {broken:#?}\n{}\n\
         --- what the fix changed\n{}\n--- pytest after the fix\n{}",
        mode.args(&[]).join(" "),
        run.describe(),
        project.diff(),
        after.output
    );
}

/// `fn NAME = "CASE", MODE;` → a #[test] that runs `CHECK("CASE", MODE)`.
macro_rules! case_tests {
    ($check:ident: $( $(#[$meta:meta])* fn $test:ident = $case:literal, $mode:ident; )*) => {
        $(
            $(#[$meta])*
            #[test]
            fn $test() {
                $check($case, Mode::$mode);
            }
        )*
    };
}

mod suite {
    use super::*;

    case_tests! { suite_survives_fix:
        fn typed_reexport_after_fix = "typed_reexport", Safe;
        fn typed_reexport_after_unsafe_fix = "typed_reexport", Unsafe;
        fn dialect_subclass_after_fix = "dialect_subclass", Safe;
        fn dialect_subclass_after_unsafe_fix = "dialect_subclass", Unsafe;
        fn function_reexport_after_fix = "function_reexport", Safe;
        fn function_reexport_after_unsafe_fix = "function_reexport", Unsafe;
        fn star_reexport_after_fix = "star_reexport", Safe;
        fn star_reexport_after_unsafe_fix = "star_reexport", Unsafe;
    }
}

mod converges_as_promised {
    use super::*;

    fn default(case: &str, mode: Mode) {
        converges_as_promised(case, mode, &[]);
    }

    case_tests! { default:
        fn typed_reexport_fix = "typed_reexport", Safe;
        fn typed_reexport_unsafe_fix = "typed_reexport", Unsafe;
        fn dialect_subclass_fix = "dialect_subclass", Safe;
        fn dialect_subclass_unsafe_fix = "dialect_subclass", Unsafe;
        fn function_reexport_fix = "function_reexport", Safe;
        fn function_reexport_unsafe_fix = "function_reexport", Unsafe;
        fn star_reexport_fix = "star_reexport", Safe;
        fn star_reexport_unsafe_fix = "star_reexport", Unsafe;
    }
}

/// Every case directory is on the lists above (and has an EXPECTED.md).
#[test]
fn every_case_is_covered() {
    let mut found: Vec<String> = std::fs::read_dir(support::fixture("fix_precision"))
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().join("rules.toml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "dialect_subclass",
            "function_reexport",
            "star_reexport",
            "typed_reexport"
        ]
    );
    for case in &found {
        let expected = support::fixture("fix_precision")
            .join(case)
            .join("EXPECTED.md");
        assert!(expected.is_file(), "{case} has no EXPECTED.md");
    }
}

// ---------------------------------------------------------------------------
// 1. typed_reexport: the explicit re-export form survives a safe fix.

const TYPED_INIT: &str = "sqlkit/__init__.py";
const TYPED_ORM: &str = "sqlkit/orm/__init__.py";

#[test]
fn typed_reexport_keeps_x_as_x_and_all() {
    let before = project("typed_reexport").check(&[]);
    for path in [TYPED_INIT, TYPED_ORM] {
        let import = the_violation(&before, path, "SSOT003", "import");
        assert_eq!(import["fix"]["applicability"], "safe", "{import:#}");
    }
    let reexports = [
        "sqlkit/__init__.py SSOT002 reexport",
        "sqlkit/orm/__init__.py SSOT002 reexport",
    ];
    let (safe, unsafe_) = assert_rows(
        "typed_reexport",
        &[],
        &[
            "sqlkit/__init__.py SSOT002 reexport",
            "sqlkit/__init__.py SSOT003 import",
            "sqlkit/orm/__init__.py SSOT002 reexport",
            "sqlkit/orm/__init__.py SSOT003 import",
        ],
        (2, &reexports),
        (2, &reexports),
    );
    for project in [&safe, &unsafe_] {
        // Only the module path changes: `X as X` and `__all__` are kept.
        let init = project.read(TYPED_INIT);
        assert_eq!(
            init,
            project.original(TYPED_INIT).replace(
                "from .types import JSON as JSON\n",
                "from .sql.sqltypes import JSON as JSON\n"
            ),
            "{}",
            project.diff()
        );
        assert!(
            init.contains("from .sql.sqltypes import JSON as JSON\n"),
            "{init}"
        );
        assert!(
            init.contains("__all__ = [\"Integer\", \"JSON\", \"column\"]\n"),
            "{init}"
        );
        let orm = project.read(TYPED_ORM);
        assert_eq!(
            orm,
            project.original(TYPED_ORM).replace(
                "from ..types import JSON as JSON\n",
                "from ..sql.sqltypes import JSON as JSON\n"
            ),
            "{}",
            project.diff()
        );
        assert!(project.root.join("sqlkit/py.typed").is_file());
    }
}

/// With mypy installed, `--no-implicit-reexport` sees the same public names
/// before and after the safe fix. mypy is not a dependency: without it the
/// test only says so.
#[test]
fn typed_reexport_public_for_mypy_no_implicit_reexport() {
    let has_mypy = Command::new("python3")
        .args(["-m", "mypy", "--version"])
        .output()
        .is_ok_and(|output| output.status.success());
    if !has_mypy {
        support::note("mypy is not installed: --no-implicit-reexport not checked");
        return;
    }
    let mypy = |root: &Path| {
        let output = Command::new("python3")
            .args([
                "-m",
                "mypy",
                "--no-implicit-reexport",
                "--no-incremental",
                "--cache-dir",
                "/dev/null",
                "client.py",
            ])
            .current_dir(root)
            .output()
            .expect("mypy runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let client = "from sqlkit import JSON\nfrom sqlkit.orm import JSON as OrmJSON\n\n\
                  value: JSON = OrmJSON()\n";
    let project = project("typed_reexport");
    support::write(&project.root, "client.py", client);
    let (ok, output) = mypy(&project.root);
    assert!(ok, "mypy rejects the unfixed package:\n{output}");
    std::fs::remove_file(project.root.join("client.py")).unwrap();
    project.fix(Mode::Safe, &[]);
    support::write(&project.root, "client.py", client);
    let (ok, output) = mypy(&project.root);
    assert!(
        ok,
        "after fix mypy --no-implicit-reexport no longer sees the re-export:\n{output}\n{}",
        project.diff()
    );
}

// ---------------------------------------------------------------------------
// 2. dialect_subclass: never swap one class for another.

/// The consumers bound to a distinct definition: a dialect subclass (an
/// SSOT001 duplicate) and a definition in an `allow`ed file.
const DISTINCT_CONSUMERS: [&str; 3] = [
    "sqlkit/dialects/mysql/base.py",
    "sqlkit/dialects/postgresql/__init__.py",
    "sqlkit/v1/compat.py",
];

const DIALECT_ROWS: [&str; 7] = [
    "sqlkit/dialects/mysql/base.py SSOT003 import",
    "sqlkit/dialects/mysql/json.py SSOT001 definition",
    "sqlkit/dialects/postgresql/__init__.py SSOT002 reexport",
    "sqlkit/dialects/postgresql/__init__.py SSOT003 import",
    "sqlkit/dialects/postgresql/json.py SSOT001 definition",
    "sqlkit/v1/__init__.py SSOT002 reexport",
    "sqlkit/v1/compat.py SSOT003 import",
];

#[test]
fn dialect_subclass_imports_get_no_fix() {
    let project = project("dialect_subclass");
    let before = project.check(&[]);
    for path in DISTINCT_CONSUMERS {
        let import = the_violation(&before, path, "SSOT003", "import");
        assert!(
            import["fix"].is_null(),
            "a rewrite to a different class is offered: {import:#}"
        );
    }
    let v1 = before["concepts"][0]["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == "sqlkit/v1/types.py")
        .unwrap_or_else(|| panic!("v1's JSON is not listed: {:#}", before["concepts"]));
    assert_eq!(v1["allowed"], true, "{v1:#}");
    let (safe, unsafe_) = assert_rows(
        "dialect_subclass",
        &[],
        &DIALECT_ROWS,
        (0, &DIALECT_ROWS),
        (0, &DIALECT_ROWS),
    );
    for project in [&safe, &unsafe_] {
        assert_eq!(project.diff(), "", "a fix edited the project");
    }
}

#[test]
fn dialect_subclass_plan_has_no_edit() {
    let project = project("dialect_subclass");
    let plan = support::run(&project.root, &["plan", "--format", "json", "--no-cache"]);
    plan.assert_exit_in(&[0, 1]);
    let plan = plan.json();
    assert_eq!(plan["totals"]["violations_fixed"]["safe"], 0, "{plan:#}");
    assert_eq!(plan["totals"]["violations_fixed"]["unsafe"], 0, "{plan:#}");
}

#[test]
fn dialect_subclass_says_consolidate_by_hand() {
    let project = project("dialect_subclass");
    let human = support::run(&project.root, &["check", "--no-cache"]);
    human.assert_exit_in(&[1]);
    let json = project.check(&[]);
    // Wherever the violation carries it (message or a field of its own).
    for path in DISTINCT_CONSUMERS {
        let import = the_violation(&json, path, "SSOT003", "import");
        assert!(
            import.to_string().contains("consolidate the definitions"),
            "{path}: {import:#}"
        );
    }
    assert!(
        human.stdout.matches("consolidate the definitions").count() >= DISTINCT_CONSUMERS.len(),
        "{}",
        human.stdout
    );
}

// ---------------------------------------------------------------------------
// 3. function_reexport: proven identity is safe whatever the object's kind.

#[test]
fn function_reexport_by_identity_is_a_safe_fix() {
    let before = project("function_reexport").check(&[]);
    let import = the_violation(&before, "widgets/service.py", "SSOT003", "import");
    assert_eq!(import["fix"]["applicability"], "safe", "{import:#}");
    let facade = ["widgets/__init__.py SSOT002 reexport"];
    let (safe, unsafe_) = assert_rows(
        "function_reexport",
        &[],
        &[
            "widgets/__init__.py SSOT002 reexport",
            "widgets/service.py SSOT003 import",
        ],
        (1, &facade),
        (1, &facade),
    );
    for project in [&safe, &unsafe_] {
        assert_eq!(
            project.read("widgets/service.py"),
            project.original("widgets/service.py").replace(
                "from widgets import make\n",
                "from widgets.impl import make\n"
            ),
            "{}",
            project.diff()
        );
        assert_eq!(
            project.read("widgets/__init__.py"),
            project.original("widgets/__init__.py"),
            "the facade changed:\n{}",
            project.diff()
        );
    }
}

// ---------------------------------------------------------------------------
// 4. star_reexport: the star facade is one SSOT002, and a safe fix.

const STAR_FACADE: &str = "shapes/__init__.py";

fn star_reexport(extra: &[&str]) {
    let project = project("star_reexport");
    let before = project.check(extra);
    let facade = the_violation(&before, STAR_FACADE, "SSOT002", "reexport");
    // At the `*` of `from .impl import *` (line 3), not `from .units import *`.
    assert_eq!(
        (&facade["line"], &facade["column"]),
        (&3.into(), &19.into())
    );
    let import = the_violation(&before, "shapes/draw.py", "SSOT003", "import");
    assert_eq!(import["fix"]["applicability"], "safe", "{import:#}");
    let left = [
        "shapes/__init__.py SSOT002 reexport",
        "shapes/api.py SSOT002 reexport",
    ];
    let (safe, unsafe_) = assert_rows(
        "star_reexport",
        extra,
        &[
            "shapes/__init__.py SSOT002 reexport",
            "shapes/api.py SSOT002 reexport",
            "shapes/draw.py SSOT003 import",
        ],
        (1, &left),
        (1, &left),
    );
    for project in [&safe, &unsafe_] {
        assert_eq!(
            project.read("shapes/draw.py"),
            project.original("shapes/draw.py").replace(
                "from shapes import Klass\n",
                "from shapes.impl import Klass\n"
            ),
            "{}",
            project.diff()
        );
        for unchanged in [STAR_FACADE, "shapes/api.py", "shapes/internal.py"] {
            assert_eq!(
                project.read(unchanged),
                project.original(unchanged),
                "{}",
                project.diff()
            );
        }
    }
}

/// Every file parsed: the rule and the fix themselves.
#[test]
fn star_reexport_is_one_reexport_and_a_safe_fix_without_prefilter() {
    star_reexport(&["--no-prefilter"]);
}

#[test]
fn star_reexport_is_one_reexport_and_a_safe_fix() {
    star_reexport(&[]);
}

#[test]
fn star_reexport_prefilter_finds_what_a_full_parse_finds() {
    let project = project("star_reexport");
    let full = project.check(&["--no-prefilter"]);
    let filtered = project.check(&[]);
    assert_eq!(violations(&filtered), violations(&full));
}
