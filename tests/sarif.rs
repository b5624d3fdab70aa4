//! `check --format sarif` and `--format github` on the demo: the SARIF log is
//! validated against the official SARIF 2.1.0 schema (vendored in
//! tests/schema/), both outputs are snapshotted, and fingerprints are shown to
//! survive edits above a violation.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use support::{fixture, run};

fn sarif_validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("the vendored SARIF schema");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        // `format` is an assertion here: `uri` values must be absolute URIs.
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// Every schema violation, one per line, with where it is.
fn schema_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

fn demo_sarif(extra: &[&str]) -> (String, Value) {
    let mut args = vec!["check", "--format", "sarif"];
    args.extend_from_slice(extra);
    let output = run(&fixture("demo"), &args);
    assert_eq!(output.code, Some(1), "{}", output.render());
    let log = serde_json::from_str(&output.stdout).expect("SARIF is JSON");
    (output.stdout, log)
}

#[test]
fn demo_sarif_is_valid_sarif_2_1_0() {
    let validator = sarif_validator();
    let (_, log) = demo_sarif(&[]);
    let errors = schema_errors(&validator, &log);
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "ssot-audit");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in ["SSOT001", "SSOT002", "SSOT003"] {
        assert!(rule_ids.contains(&code), "{rule_ids:?}");
    }
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with("/fixtures/demo/"),
        "{root}"
    );

    // The same findings as the JSON report, in the same order.
    let json = run_json();
    let violations = json["violations"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), violations.len());
    let mut fingerprints = BTreeSet::new();
    for (result, violation) in results.iter().zip(violations) {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["ruleId"], violation["code"]);
        assert_eq!(result["level"], violation["severity"]);
        assert_eq!(result["message"]["text"], violation["message"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], violation["path"]);
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(location["region"]["startLine"], violation["line"]);
        assert_eq!(location["region"]["startColumn"], violation["column"]);
        assert_eq!(location["region"]["endLine"], violation["end_line"]);
        assert_eq!(location["region"]["endColumn"], violation["end_column"]);
        assert_eq!(result["properties"]["concept"], violation["concept"]);
        assert_eq!(result["properties"]["via"], violation["via"]);
        let fingerprint = result["partialFingerprints"]["ssotAudit/v1"]
            .as_str()
            .unwrap();
        assert!(
            fingerprints.insert(fingerprint.to_string()),
            "{fingerprint}"
        );
        match violation["fix"].as_object() {
            None => assert!(result.get("fixes").is_none()),
            Some(fix) => {
                let sarif_fix = &result["fixes"][0];
                assert_eq!(sarif_fix["description"]["text"], fix["title"]);
                assert_eq!(
                    sarif_fix["properties"]["applicability"],
                    fix["applicability"]
                );
                let replacements = sarif_fix["artifactChanges"][0]["replacements"]
                    .as_array()
                    .unwrap();
                assert_eq!(replacements.len(), fix["edits"].as_array().unwrap().len());
            }
        }
    }
    assert!(
        results.iter().any(|r| r.get("fixes").is_some()),
        "the demo has fixable findings"
    );
    assert!(
        results.iter().any(|r| r["level"] == "warning"),
        "the demo has warning-level findings"
    );
}

fn run_json() -> Value {
    let output = run(&fixture("demo"), &["check", "--format", "json"]);
    serde_json::from_str(&output.stdout).expect("JSON report")
}

#[test]
fn schema_rejects_invalid_sarif() {
    let validator = sarif_validator();
    let (_, log) = demo_sarif(&[]);
    assert!(schema_errors(&validator, &log).is_empty());

    let mut fatal = log.clone();
    fatal["runs"][0]["results"][0]["level"] = "fatal".into();
    let errors = schema_errors(&validator, &fatal);
    assert!(
        errors.iter().any(|e| e.contains("/runs/0/results/0/level")),
        "{errors:?}"
    );

    let mut no_line = log.clone();
    no_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!schema_errors(&validator, &no_line).is_empty());

    let mut nameless = log.clone();
    nameless["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(!schema_errors(&validator, &nameless).is_empty());

    // Draft-04 knows the `uri` format (not `uri-reference`): `$schema` is one.
    let mut bad_uri = log;
    bad_uri["$schema"] = "not a uri".into();
    assert!(!schema_errors(&validator, &bad_uri).is_empty());
}

#[test]
fn demo_sarif_snapshot() {
    let (text, log) = demo_sarif(&[]);
    let root = log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    let text = text.replace(root, "file:///[ROOT]/");
    insta::assert_snapshot!("demo_check_sarif", text);
}

#[test]
fn sarif_is_identical_across_thread_counts() {
    let (one, _) = demo_sarif(&["--threads", "1"]);
    let (eight, _) = demo_sarif(&["--threads", "8"]);
    assert_eq!(one, eight);
}

#[test]
fn demo_github_snapshot() {
    let output = run(&fixture("demo"), &["check", "--format", "github"]);
    assert_eq!(output.code, Some(1), "{}", output.render());
    let json = run_json();
    let violations = json["violations"].as_array().unwrap();
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        violations.len(),
        "one line per violation, nothing else"
    );
    for (line, violation) in lines.iter().zip(violations) {
        let command = if violation["severity"] == "warning" {
            "::warning "
        } else {
            "::error "
        };
        assert!(line.starts_with(command), "{line}");
        let title = format!(
            ",title={} {}::",
            violation["code"].as_str().unwrap(),
            violation["rule"].as_str().unwrap()
        );
        assert!(line.contains(&title), "{line}");
    }
    insta::assert_snapshot!("demo_check_github", output.stdout);
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn fingerprints_by_message(log: &Value) -> Vec<(String, String, u64)> {
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            (
                result["partialFingerprints"]["ssotAudit/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                result["message"]["text"].as_str().unwrap().to_string(),
                result["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn fingerprints_survive_lines_added_above() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("demo"), dir.path());
    let sarif = |dir: &Path| -> Value {
        let output = run(dir, &["check", "--format", "sarif"]);
        serde_json::from_str(&output.stdout).expect("SARIF is JSON")
    };
    let before = fingerprints_by_message(&sarif(dir.path()));

    let file = dir.path().join("netra_backend/app/main.py");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# a comment\n\n# and another\n{text}")).unwrap();
    let after = fingerprints_by_message(&sarif(dir.path()));

    assert_eq!(before.len(), after.len());
    let mut moved = 0;
    for (old, new) in before.iter().zip(&after) {
        assert_eq!(old.0, new.0, "fingerprint of {:?} changed", old.1);
        if old.2 != new.2 {
            moved += 1;
            assert_eq!(old.2 + 3, new.2);
        }
    }
    assert!(moved > 0, "main.py's findings moved down");
}
