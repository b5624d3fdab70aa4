//! One fixture project per rule: the exact diagnostics (JSON) and the fixed
//! output, snapshotted; the counts also match the hand-derived EXPECTED.md.

mod support;

use serde_json::Value;
use support::{copy_tree, fixture, run};

fn check_json(dir: &std::path::Path) -> Value {
    let output = run(dir, &["check", "--format", "json"]);
    assert!(matches!(output.code, Some(0 | 1)), "{}", output.render());
    serde_json::from_str(&output.stdout).expect("check --format json is JSON")
}

/// `code via path:line:column concept` lines, the compact form of a run.
fn violation_lines(json: &Value) -> String {
    json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            format!(
                "{} {:<10} {}:{}:{} [{}] {}{}",
                v["code"].as_str().unwrap(),
                v["via"].as_str().unwrap(),
                v["path"].as_str().unwrap(),
                v["line"],
                v["column"],
                v["concept"].as_str().unwrap_or("-"),
                v["message"].as_str().unwrap(),
                match v["fix"]["applicability"].as_str() {
                    Some(applicability) => format!(" (fix: {applicability})"),
                    None => String::new(),
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every row of the EXPECTED.md violation table: (path, line, column, code, via).
fn expected_rows(dir: &std::path::Path) -> Vec<(String, u64, u64, String, String)> {
    let text = std::fs::read_to_string(dir.join("EXPECTED.md")).unwrap();
    let mut rows = Vec::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 8 || !cells[2].starts_with("SSOT") || cells[1].parse::<u32>().is_err() {
            continue;
        }
        rows.push((
            cells[4].trim_matches('`').to_string(),
            cells[5].parse().unwrap(),
            cells[6].parse().unwrap(),
            cells[2].to_string(),
            cells[3].to_string(),
        ));
    }
    rows
}

fn check_rule_fixture(name: &str) {
    let dir = fixture(name);
    let json = check_json(&dir);
    let mut actual: Vec<_> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
                v["code"].as_str().unwrap().to_string(),
                v["via"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut expected = expected_rows(&dir);
    assert!(
        !expected.is_empty(),
        "EXPECTED.md of {name} lists violations"
    );
    actual.sort();
    expected.sort();
    assert_eq!(actual, expected, "{name}: tool vs EXPECTED.md");
    insta::assert_snapshot!(
        format!("{}_violations", name.replace('/', "_")),
        violation_lines(&json)
    );

    // Fix everything (unsafe too), then the tree must be stable and parse.
    let work = tempfile::tempdir().unwrap();
    copy_tree(&dir, work.path());
    let fixed = run(work.path(), &["fix", "--unsafe-fixes"]);
    assert!(matches!(fixed.code, Some(0 | 1)), "{}", fixed.render());
    let again = run(work.path(), &["fix", "--unsafe-fixes"]);
    assert!(
        again.stdout.starts_with("Fixed 0 violations"),
        "fix converges: {}",
        again.render()
    );
    let after = check_json(work.path());
    assert_eq!(after["summary"]["fixable"], 0, "nothing fixable is left");
    insta::assert_snapshot!(
        format!("{}_after_fix", name.replace('/', "_")),
        violation_lines(&after)
    );
    python_still_compiles(work.path());
    insta::assert_snapshot!(
        format!("{}_fix_diff", name.replace('/', "_")),
        support::tree_diff(&dir, work.path())
    );
}

#[test]
fn duplicate_definition() {
    check_rule_fixture("rules/duplicate_definition");
}

#[test]
fn alias_reexport() {
    check_rule_fixture("rules/alias_reexport");
}

#[test]
fn noncanonical_import() {
    check_rule_fixture("rules/noncanonical_import");
}

#[test]
fn demo() {
    check_rule_fixture("demo");
}

#[test]
fn rust_workspace() {
    let dir = fixture("rust_workspace");
    let json = check_json(&dir);
    insta::assert_snapshot!("rust_workspace_violations", violation_lines(&json));
    assert_eq!(json["summary"]["violations"], 12);
    let work = tempfile::tempdir().unwrap();
    copy_tree(&dir, work.path());
    run(work.path(), &["fix", "--unsafe-fixes"]);
    let again = run(work.path(), &["fix", "--unsafe-fixes"]);
    assert!(
        again.stdout.starts_with("Fixed 0 violations"),
        "{}",
        again.render()
    );
    insta::assert_snapshot!(
        "rust_workspace_fix_diff",
        support::tree_diff(&dir, work.path())
    );
    // The rewritten workspace still builds.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(cargo)
        .args(["check", "--offline", "--quiet"])
        .current_dir(work.path())
        .env("CARGO_TARGET_DIR", target.path())
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the fixed workspace does not build");
}

/// Every Python file of a fixed tree compiles with CPython, except the ones
/// planted with syntax errors (which `fix` never touches).
fn python_still_compiles(root: &std::path::Path) {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let script = r#"
import pathlib, sys
bad = []
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    if "broken" in path.name:
        continue
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except SyntaxError as error:
        bad.append(f"{path}: {error}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
"#;
    let output = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "fixed files do not compile:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

/// The shipped JSON schema describes `check --format json` exactly.
#[test]
fn check_json_matches_the_shipped_schema() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/check.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .build(&schema)
        .expect("the schema compiles");
    for name in ["demo", "rules/noncanonical_import", "rust_workspace"] {
        let json = check_json(&fixture(name));
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|error| format!("{}: {error}", error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    }
    let mut broken = check_json(&fixture("demo"));
    broken["violations"][0]["via"] = Value::from("telepathy");
    assert!(
        !validator.is_valid(&broken),
        "the schema rejects unknown values"
    );
}
