//! Running `fix` on a copy of a fixture and reading what it did: the
//! shared pieces of the suites that hold the fixer to its promises.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Which fixes a run applies.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Safe,
    Unsafe,
}

impl Mode {
    /// `fix --no-cache [--unsafe-fixes] EXTRA…`
    pub fn args<'a>(self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["fix", "--no-cache"];
        if let Mode::Unsafe = self {
            args.push("--unsafe-fixes");
        }
        args.extend_from_slice(extra);
        args
    }
}

/// A fixture copied into a temporary directory: fixing it touches nothing tracked.
pub struct Project {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    name: String,
}

impl Project {
    /// A copy of `fixtures/NAME`.
    pub fn copy(name: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        super::copy_tree(&super::fixture(name), &root);
        Project {
            _dir: dir,
            root,
            name: name.to_string(),
        }
    }

    /// What a fix did to the copy, as a unified diff against the fixture.
    pub fn diff(&self) -> String {
        super::tree_diff(&super::fixture(&self.name), &self.root)
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    /// The fixture's own text of `path`.
    pub fn original(&self, path: &str) -> String {
        std::fs::read_to_string(super::fixture(&self.name).join(path)).unwrap()
    }

    /// `check --format json --no-cache EXTRA…`
    pub fn check(&self, extra: &[&str]) -> Value {
        check_with(&self.root, extra)
    }

    /// `fix` in `mode`, and its summary line.
    pub fn fix(&self, mode: Mode, extra: &[&str]) -> (super::Run, Summary) {
        fix(&self.root, mode, extra)
    }
}

/// The first line of `fix`: `Fixed N violations in M files; K remaining …`
/// (`Would fix …` under `--dry-run`).
#[derive(Debug, PartialEq, Eq)]
pub struct Summary {
    pub fixed: usize,
    pub files: usize,
    pub remaining: usize,
}

pub fn summary(run: &super::Run) -> Summary {
    let line = run.stdout.lines().next().unwrap_or_default();
    let words: Vec<&str> = line
        .strip_prefix("Fixed ")
        .or_else(|| line.strip_prefix("Would fix "))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let number = |at: usize| words.get(at).and_then(|word| word.parse::<usize>().ok());
    let shape = words.len() >= 7
        && words[1].starts_with("violation")
        && words[2] == "in"
        && words[4].starts_with("file")
        && words[6] == "remaining";
    match (shape, number(0), number(3), number(5)) {
        (true, Some(fixed), Some(files), Some(remaining)) => Summary {
            fixed,
            files,
            remaining,
        },
        _ => panic!("no fix summary line:\n{}", run.describe()),
    }
}

/// `fix` in `mode` on `root`, and its summary line.
pub fn fix(root: &Path, mode: Mode, extra: &[&str]) -> (super::Run, Summary) {
    let run = super::run(root, &mode.args(extra));
    run.assert_exit_in(&[0, 1]);
    let summary = summary(&run);
    (run, summary)
}

/// `check --format json --no-cache` on `root`.
pub fn check(root: &Path) -> Value {
    check_with(root, &[])
}

/// `check --format json --no-cache EXTRA…` on `root`.
pub fn check_with(root: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json", "--no-cache"];
    args.extend_from_slice(extra);
    let run = super::run(root, &args);
    run.assert_exit_in(&[0, 1]);
    run.json()
}

/// The violations of a `check --format json` run.
pub fn violation_list(json: &Value) -> &Vec<Value> {
    json["violations"].as_array().expect("violations array")
}

/// `path code via` of every violation, sorted: the compact form of a run.
pub fn rows(json: &Value) -> Vec<String> {
    let mut rows: Vec<String> = violation_list(json)
        .iter()
        .map(|v| {
            format!(
                "{} {} {}",
                v["path"].as_str().unwrap(),
                v["code"].as_str().unwrap(),
                v["via"].as_str().unwrap()
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The violation of `code` / `via` in `path`: exactly one.
pub fn the_violation<'a>(json: &'a Value, path: &str, code: &str, via: &str) -> &'a Value {
    let found: Vec<&Value> = violation_list(json)
        .iter()
        .filter(|v| v["path"] == path && v["code"] == code && v["via"] == via)
        .collect();
    assert_eq!(found.len(), 1, "{path} {code} {via} in {:#?}", rows(json));
    found[0]
}
