//! The facts dump checked against CPython's own `ast` module: the script in
//! tests/oracle/py_imports.py is the reference implementation of DESIGN's
//! "Facts dump", and every fixture project's Python facts must match it field
//! by field.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;
use support::{fixture, run};

/// Fixture projects: every directory under fixtures/ holding a rules.toml.
fn projects() -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![fixture("")];
    while let Some(dir) = stack.pop() {
        if dir.join("rules.toml").is_file() {
            found.push(dir.clone());
        }
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                    stack.push(entry.path());
                }
            }
        }
    }
    found.sort();
    found
}

fn by_path(lines: &str) -> BTreeMap<String, Vec<Value>> {
    let mut map: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in lines.lines() {
        let value: Value = serde_json::from_str(line).expect("JSON line");
        let path = value["path"].as_str().unwrap_or_default().to_string();
        map.entry(path).or_default().push(value);
    }
    map
}

fn compare_project(python: &str, root: &Path) -> usize {
    let config =
        ssot_audit::config::load(&root.join("rules.toml")).expect("fixture config is valid");
    let selection = ssot_audit::scan::select_files(&config, 2);
    let files: Vec<String> = selection
        .files
        .into_iter()
        .map(|file| file.relative)
        .filter(|path| path.ends_with(".py") || path.ends_with(".pyi"))
        .collect();
    let mut command = Command::new(python);
    command.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle/py_imports.py"));
    command.arg(root);
    for src in &config.settings.src {
        command
            .arg("--src")
            .arg(if src.is_empty() { "." } else { src });
    }
    command.arg("--files-from").arg("-");
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("python3 runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(files.join("\n").as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let skipped: BTreeSet<String> = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|value| value["skipped"].as_str().map(str::to_string))
        .collect();
    let expected = by_path(&String::from_utf8_lossy(&output.stdout));

    let ours = run(root, &["imports", "--format", "jsonl"]);
    assert_eq!(ours.code, Some(0), "{}", ours.render());
    let mut actual = by_path(&ours.stdout);
    actual.retain(|path, _| !skipped.contains(path) && !path.ends_with(".rs"));

    let paths: BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    let mut differences = Vec::new();
    for path in paths {
        let empty = Vec::new();
        let want = expected.get(path).unwrap_or(&empty);
        let got = actual.get(path).unwrap_or(&empty);
        if want != got {
            differences.push(format!(
                "{}: {path}\n  cpython: {}\n  ours:    {}",
                root.display(),
                want.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n           "),
                got.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join("\n           "),
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "facts differ from CPython's ast:\n{}",
        differences.join("\n")
    );
    expected.values().map(Vec::len).sum()
}

#[test]
fn python_facts_match_cpython_ast() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let projects = projects();
    assert!(projects.len() >= 2, "fixture projects found: {projects:?}");
    let mut compared = 0;
    for project in &projects {
        compared += compare_project("python3", project);
    }
    assert!(compared > 50, "only {compared} facts compared");
}
