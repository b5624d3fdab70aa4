//! `history` on a git repository built here with the `git` CLI: fixed
//! identities and dates make the commit ids, and so the snapshots,
//! deterministic. The project root is a subdirectory of the repository, the
//! history has a merge (first parent only), and each commit's counts are
//! checked against `check` run on a checkout of that commit.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{run, Run};

/// The current rules: a Python concept and a Rust one. The first commits
/// carry an older rules.toml (Python only); history must not use it.
const RULES: &str = r#"[settings]
src = ["."]
exclude = ["build/**"]

[[concept]]
name = "ws-manager"
canonical = "app.core.ws:WsManager"
symbols = ["WsManager"]
definition = '^\w*WsManager$'
legacy_modules = ["app.legacy"]

[[concept]]
name = "rs-manager"
canonical = "wscore::ws::Manager"
symbols = ["Manager"]
legacy_modules = ["wscore::legacy"]
"#;

const OLD_RULES: &str = r#"[settings]
src = ["."]

[[concept]]
name = "ws-manager"
canonical = "app.core.ws:WsManager"
symbols = ["WsManager"]
"#;

struct Repo {
    dir: PathBuf,
    /// Seconds added to the base date, one step per commit.
    clock: u32,
}

impl Repo {
    fn git(&self, args: &[&str]) -> String {
        let date = format!("2024-01-{:02}T12:00:00+00:00", 1 + self.clock);
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=SSOT Tester",
                "-c",
                "user.email=tester@example.com",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
                "-c",
                "core.autocrlf=false",
            ])
            .args(args)
            .current_dir(&self.dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_string()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn remove(&self, path: &str) {
        self.git(&["rm", "-q", path]);
    }

    fn commit(&mut self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
        self.clock += 1;
    }
}

/// The repository: README only; the canonical module and crate; a shim, its
/// importers and a duplicate (plus files a scan never sees); a feature branch
/// merged with --no-ff next to a docs commit on main; then the fix.
fn build_repo(dir: &Path) -> Repo {
    let mut repo = Repo {
        dir: dir.to_path_buf(),
        clock: 0,
    };
    std::fs::create_dir_all(dir).unwrap();
    repo.git(&["init", "-q"]);
    repo.write("README.md", "# a service\n");
    repo.commit("Initial commit: README only");

    repo.write("service/rules.toml", OLD_RULES);
    repo.write("service/app/__init__.py", "");
    repo.write("service/app/core/__init__.py", "");
    repo.write("service/app/core/ws.py", "class WsManager:\n    pass\n");
    repo.write(
        "service/app/main.py",
        "from app.core.ws import WsManager\n\nmanager = WsManager()\n",
    );
    repo.write(
        "service/wscore/Cargo.toml",
        "[package]\nname = \"wscore\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    repo.write("service/wscore/src/lib.rs", "pub mod ws;\npub mod user;\n");
    repo.write("service/wscore/src/ws.rs", "pub struct Manager;\n");
    repo.write(
        "service/wscore/src/user.rs",
        "use crate::ws::Manager;\n\npub fn make() -> Manager {\n    Manager\n}\n",
    );
    repo.commit("Add the canonical manager");

    repo.write(
        "service/app/legacy.py",
        "from app.core.ws import WsManager\n\n__all__ = [\"WsManager\"]\n",
    );
    repo.write(
        "service/app/views.py",
        "from app.legacy import WsManager\n\nVIEW = WsManager\n",
    );
    repo.write("service/app/old.py", "class OldWsManager:\n    pass\n");
    // Never audited: a hidden directory and an excluded one.
    repo.write(
        "service/.hidden/sneaky.py",
        "from app.legacy import WsManager\nclass HiddenWsManager:\n    pass\n",
    );
    repo.write(
        "service/build/generated.py",
        "from app.legacy import WsManager\nclass BuildWsManager:\n    pass\n",
    );
    repo.write(
        "service/wscore/src/lib.rs",
        "pub mod ws;\npub mod user;\npub mod legacy;\n",
    );
    repo.write(
        "service/wscore/src/legacy.rs",
        "pub use crate::ws::Manager;\n",
    );
    repo.write(
        "service/wscore/src/user.rs",
        "use crate::legacy::Manager;\n\npub fn make() -> Manager {\n    Manager\n}\n",
    );
    repo.commit("Add a shim, its importers and a duplicate");

    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write(
        "service/app/feature.py",
        "from app.legacy import WsManager\n\nFEATURE = WsManager\n",
    );
    repo.commit("Feature: another importer of the shim");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("README.md", "# a service\n\nNow with docs.\n");
    repo.commit("Docs");
    repo.git(&[
        "merge",
        "-q",
        "--no-ff",
        "feature",
        "-m",
        "Merge branch 'feature'",
    ]);
    repo.clock += 1;

    repo.write(
        "service/app/views.py",
        "from app.core.ws import WsManager\n\nVIEW = WsManager\n",
    );
    repo.write(
        "service/app/feature.py",
        "from app.core.ws import WsManager\n\nFEATURE = WsManager\n",
    );
    repo.remove("service/app/old.py");
    repo.write(
        "service/wscore/src/user.rs",
        "use crate::ws::Manager;\n\npub fn make() -> Manager {\n    Manager\n}\n",
    );
    repo.write("service/rules.toml", RULES);
    repo.commit("Fix the imports, remove the duplicate");
    repo
}

fn history(project: &Path, args: &[&str]) -> Run {
    let mut all = vec!["history"];
    all.extend_from_slice(args);
    run(project, &all)
}

#[test]
fn history_of_a_fixture_repository() {
    if !support::require_tool("git", "apt-get install git") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = build_repo(&temp.path().join("repo"));
    let project = repo.dir.join("service");

    let json_run = history(&project, &["--format", "json"]);
    assert_eq!(json_run.code, Some(0), "{}", json_run.stderr);
    insta::assert_snapshot!("history_json", json_run.stdout);
    // The pre-filter's rounds across commits give a full parse's counts.
    let full_run = history(&project, &["--format", "json", "--no-prefilter"]);
    assert_eq!(full_run.stdout, json_run.stdout, "{}", full_run.stderr);
    let csv_run = history(&project, &["--format", "csv"]);
    assert_eq!(csv_run.code, Some(0), "{}", csv_run.stderr);
    insta::assert_snapshot!("history_csv", csv_run.stdout);
    let human_run = history(&project, &[]);
    assert_eq!(human_run.code, Some(0), "{}", human_run.stderr);
    insta::assert_snapshot!("history_human", human_run.stdout);

    let json: serde_json::Value = serde_json::from_str(&json_run.stdout).unwrap();
    let commits = json["commits"].as_array().unwrap();
    let subjects: Vec<&str> = commits
        .iter()
        .map(|commit| commit["subject"].as_str().unwrap())
        .collect();
    assert_eq!(
        subjects,
        [
            "Fix the imports, remove the duplicate",
            "Merge branch 'feature'",
            "Docs",
            "Add a shim, its importers and a duplicate",
            "Add the canonical manager",
            "Initial commit: README only",
        ],
        "first-parent history, newest first: the feature commit is not on it"
    );

    // Each commit's counts equal `check` on a checkout of that commit, run
    // with the current rules.toml.
    for (at, commit) in commits.iter().enumerate() {
        let id = commit["id"].as_str().unwrap();
        let checkout = temp.path().join(format!("checkout-{at}"));
        repo.git(&[
            "worktree",
            "add",
            "-q",
            "--detach",
            checkout.to_str().unwrap(),
            id,
        ]);
        let root = checkout.join("service");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("rules.toml"), RULES).unwrap();
        let check = run(
            &root,
            &["check", "--format", "json", "--exit-zero", "--no-cache"],
        );
        if commit["subject"] == "Initial commit: README only" {
            // No code of any concept yet: check refuses the rules.toml (its
            // canonical modules do not exist), history says "no data".
            assert_eq!(check.code, Some(2), "{}", check.stderr);
            assert!(
                check.stderr.contains("does not match the code"),
                "{}",
                check.stderr
            );
            for concept in commit["concepts"].as_array().unwrap() {
                assert_eq!(concept["compliance"], serde_json::Value::Null);
                assert_eq!(concept["violations"], 0);
                assert_eq!(concept["definition_files"], 0);
            }
            continue;
        }
        assert_eq!(check.code, Some(0), "{}", check.stderr);
        let check: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
        let expected: Vec<serde_json::Value> = check["concepts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|concept| {
                serde_json::json!({
                    "name": concept["name"],
                    "definition_files": concept["definition_files"],
                    "by_code": concept["by_code"],
                    "violations": concept["violations"],
                    "compliance": concept["compliance"],
                })
            })
            .collect();
        assert_eq!(
            commit["concepts"].as_array().unwrap(),
            &expected,
            "counts of {id} ({})",
            commit["subject"]
        );
    }

    // The shim commit sees the Rust re-export through the crate root read
    // from the committed Cargo.toml.
    let shim = &commits[3]["concepts"][1];
    assert_eq!(shim["name"], "rs-manager");
    assert_eq!(shim["by_code"]["SSOT002"], 1);
    assert_eq!(shim["by_code"]["SSOT003"], 1);
}

#[test]
fn sampling_and_since() {
    if !support::require_tool("git", "apt-get install git") {
        return;
    }
    let temp = tempfile::tempdir().unwrap();
    let repo = build_repo(&temp.path().join("repo"));
    let project = repo.dir.join("service");
    let subjects = |run: &Run| -> Vec<String> {
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["commits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|commit| commit["subject"].as_str().unwrap().to_string())
            .collect()
    };

    let every = history(&project, &["--format", "json", "--every", "2"]);
    assert_eq!(
        subjects(&every),
        [
            "Fix the imports, remove the duplicate",
            "Docs",
            "Add the canonical manager"
        ]
    );
    let since_rev = history(&project, &["--format", "json", "--since", "HEAD~2"]);
    assert_eq!(
        subjects(&since_rev),
        [
            "Fix the imports, remove the duplicate",
            "Merge branch 'feature'",
            "Docs"
        ]
    );
    // Committer dates are 2024-01-01, -02, ... one day per commit.
    let since_date = history(&project, &["--format", "json", "--since", "2024-01-05"]);
    assert_eq!(
        subjects(&since_date),
        [
            "Fix the imports, remove the duplicate",
            "Merge branch 'feature'",
            "Docs"
        ]
    );
    // A commit off the first-parent line is refused.
    let off_line = history(&project, &["--since", "feature"]);
    assert_eq!(off_line.code, Some(2));
    assert!(
        off_line.stderr.contains("first-parent"),
        "{}",
        off_line.stderr
    );
    let nonsense = history(&project, &["--since", "not a revision nor a date"]);
    assert_eq!(nonsense.code, Some(2));
    let zero = history(&project, &["--every", "0"]);
    assert_eq!(zero.code, Some(2));
}

#[test]
fn outside_a_repository_is_an_error() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("rules.toml"), RULES).unwrap();
    let output = history(temp.path(), &[]);
    assert_eq!(output.code, Some(2), "{}", output.stderr);
    assert!(output.stderr.contains("git"), "{}", output.stderr);
}
