//! CLI scenarios: every command on the bundled fixtures, snapshotted with
//! insta, plus exit codes, config errors and determinism.

mod support;

use support::{fixture, run, Run};

fn snapshot_run(name: &str, output: &Run) {
    insta::assert_snapshot!(name, output.render());
}

#[test]
fn demo_check_human() {
    let output = run(&fixture("demo"), &["check"]);
    assert_eq!(output.code, Some(1), "violations make check exit 1");
    snapshot_run("demo_check_human", &output);
}

#[test]
fn demo_check_json() {
    let output = run(&fixture("demo"), &["check", "--format", "json"]);
    assert_eq!(output.code, Some(1));
    let json: serde_json::Value = serde_json::from_str(&output.stdout).expect("valid JSON");
    assert_eq!(json["version"], 1);
    snapshot_run("demo_check_json", &output);
}

#[test]
fn demo_report_human() {
    let output = run(&fixture("demo"), &["report"]);
    assert_eq!(output.code, Some(0), "report is informational");
    snapshot_run("demo_report_human", &output);
}

#[test]
fn demo_report_json() {
    let output = run(&fixture("demo"), &["report", "--format", "json"]);
    assert_eq!(output.code, Some(0));
    snapshot_run("demo_report_json", &output);
}

#[test]
fn demo_imports_jsonl() {
    let output = run(&fixture("demo"), &["imports", "--format", "jsonl"]);
    assert_eq!(output.code, Some(0));
    for line in output.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect("every line is JSON");
    }
    snapshot_run("demo_imports_jsonl", &output);
}

#[test]
fn check_exit_controls() {
    let demo = fixture("demo");
    assert_eq!(run(&demo, &["check", "--exit-zero"]).code, Some(0));
    // The config-loader concept is a warning: on its own it fails only at --fail-on warning.
    let warnings_only = run(
        &demo,
        &[
            "check",
            "--select",
            "SSOT002",
            "--fail-on",
            "error",
            "netra_backend/app/config.py",
        ],
    );
    assert_eq!(warnings_only.code, Some(0), "{}", warnings_only.render());
    assert_eq!(
        run(
            &demo,
            &[
                "check",
                "--select",
                "SSOT002",
                "netra_backend/app/config.py"
            ]
        )
        .code,
        Some(1)
    );
    let unknown = run(&demo, &["check", "--select", "SSOT123"]);
    assert_eq!(unknown.code, Some(2));
    assert!(
        unknown.stderr.contains("unknown rule code `SSOT123`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn paths_limit_reporting_not_indexing() {
    let demo = fixture("demo");
    let output = run(
        &demo,
        &["check", "--format", "json", "netra_backend/app/routes"],
    );
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let violations = json["violations"].as_array().unwrap();
    assert!(!violations.is_empty());
    for violation in violations {
        let path = violation["path"].as_str().unwrap();
        assert!(path.starts_with("netra_backend/app/routes/"), "{path}");
    }
    // The headline counts are the whole project's; the violation counts the
    // reported paths'.
    let whole: serde_json::Value =
        serde_json::from_str(&run(&demo, &["check", "--format", "json"]).stdout).unwrap();
    for key in ["definition_files", "files_scanned"] {
        assert_eq!(json["summary"][key], whole["summary"][key], "{key}");
    }
    assert!(json["summary"]["violations"].as_u64() < whole["summary"]["violations"].as_u64());
    snapshot_run("demo_check_routes_only", &output);
    let outside = run(&demo, &["check", "/"]);
    assert_eq!(outside.code, Some(2));
    assert!(
        outside.stderr.contains("outside the project root"),
        "{}",
        outside.stderr
    );
}

#[test]
fn output_is_identical_across_thread_counts() {
    let demo = fixture("demo");
    for command in [
        &["check", "--format", "json"][..],
        &["imports"],
        &["report"],
    ] {
        let mut one = vec!["--threads", "1"];
        one.extend_from_slice(command);
        let mut eight = vec!["--threads", "8"];
        eight.extend_from_slice(command);
        let a = run(&demo, &[&command[..1], &one[..2], &command[1..]].concat());
        let b = run(&demo, &[&command[..1], &eight[..2], &command[1..]].concat());
        assert_eq!(a.stdout, b.stdout, "{command:?}");
        assert!(!a.stdout.is_empty());
    }
}

#[test]
fn missing_config_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.code, Some(2));
    assert!(
        output.stderr.contains("no rules.toml found"),
        "{}",
        output.stderr
    );
}

fn bad_config(name: &str, text: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.toml"), text).unwrap();
    let output = run(dir.path(), &["check"]);
    assert_eq!(output.code, Some(2), "{}", output.render());
    let stderr = output
        .stderr
        .replace(&dir.path().display().to_string(), "[ROOT]");
    insta::assert_snapshot!(name, stderr);
}

#[test]
fn bad_config_reports_every_problem_at_its_span() {
    bad_config(
        "bad_config_many",
        r#"[settings]
srcs = ["."]
exclude = ["build/[a"]

[[concept]]
name = "websocket-manager"
canonical = "netra.websocket.UnifiedWebSocketManager"
definition = '(?i)^\w*websocket(manager$'
severity = "fatal"
legacy = ["x"]

[[concept]]
name = "websocket-manager"
canonical = "netra.websocket:UnifiedWebSocketManager"
symbols = ["Web Socket"]
"#,
    );
}

#[test]
fn bad_config_syntax_error() {
    bad_config("bad_config_syntax", "[settings\nsrc = [\".\"]\n");
}

#[test]
fn bad_config_wrong_type() {
    bad_config("bad_config_type", "[settings]\nsrc = \".\"\n");
}

#[test]
fn bad_config_missing_keys() {
    bad_config("bad_config_missing", "[[concept]]\nsymbols = [\"A\"]\n");
}

#[test]
fn prefilter_changes_nothing() {
    for name in [
        "demo",
        "rules/alias_reexport",
        "rules/duplicate_definition",
        "rules/noncanonical_import",
        "rust_workspace",
        "imports",
    ] {
        let dir = fixture(name);
        let filtered = run(&dir, &["check", "--format", "json"]);
        let everything = run(&dir, &["check", "--format", "json", "--no-prefilter"]);
        assert_eq!(
            support::without_notes(&filtered.stdout),
            support::without_notes(&everything.stdout),
            "{name}"
        );
    }
}

/// The repository's own rules.toml describes the demo: run from the repository
/// root it must find exactly what the demo's rules.toml finds inside it.
#[test]
fn top_level_rules_toml_describes_the_demo() {
    let inside = run(
        &fixture("demo"),
        &["check", "--format", "json", "--no-cache"],
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let outside = run(
        root,
        &["check", "fixtures/demo", "--format", "json", "--no-cache"],
    );
    let lines = |text: &str, prefix: &str| -> Vec<String> {
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        json["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                format!(
                    "{} {} {}:{}:{} {}",
                    v["code"],
                    v["via"],
                    v["path"].as_str().unwrap().trim_start_matches(prefix),
                    v["line"],
                    v["column"],
                    v["concept"]
                )
            })
            .collect()
    };
    let a = lines(&inside.stdout, "");
    let b = lines(&outside.stdout, "fixtures/demo/");
    assert!(!a.is_empty());
    assert_eq!(a, b);
}

/// A baseline checked against some paths or rules only (a pre-commit run on
/// the staged files, `--select`) leaves the entries of everything else
/// alone: none is reported as no longer occurring, none is removed.
#[test]
fn baseline_entries_outside_the_checked_paths_and_rules_are_kept() {
    let project = support::project();
    let root = project.path();
    support::write(root, "other.py", support::LEGACY_IMPORT);
    run(root, &["baseline", "--output", "base.json"]).assert_code(0);
    let recorded = std::fs::read_to_string(root.join("base.json")).unwrap();
    let entries = |text: &str| {
        serde_json::from_str::<serde_json::Value>(text).unwrap()["entries"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(entries(&recorded), 3, "{recorded}");

    for args in [
        &["app.py"][..],
        &["--select", "SSOT003"][..],
        &["--select", "SSOT002", "pkg"][..],
    ] {
        let mut command = vec!["check", "--baseline", "base.json", "--update-baseline"];
        command.extend_from_slice(args);
        let checked = run(root, &command);
        checked.assert_code(0);
        assert!(
            !checked.stderr.contains("no longer occur"),
            "{args:?}: {}",
            checked.describe()
        );
        let after = std::fs::read_to_string(root.join("base.json")).unwrap();
        assert_eq!(after, recorded, "{args:?} changed the baseline");
    }

    // Fixed in a checked file: that entry, and only it, is stale and removed.
    support::write(root, "app.py", "from pkg.core import Manager\n");
    let fixed = run(
        root,
        &[
            "check",
            "--baseline",
            "base.json",
            "--update-baseline",
            "app.py",
        ],
    );
    fixed.assert_code(0);
    assert!(
        fixed
            .stderr
            .contains("1 baseline entry no longer occurs and was removed:"),
        "{}",
        fixed.describe()
    );
    let after = std::fs::read_to_string(root.join("base.json")).unwrap();
    assert_eq!(entries(&after), 2, "{after}");
    assert!(!after.contains("\"app.py\""), "{after}");
    assert!(after.contains("\"other.py\""), "{after}");
}
