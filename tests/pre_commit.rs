//! The pre-commit integration, end to end and offline: a temporary git repo
//! with a small project, a `repo: local` hook pointing at the built binary,
//! a commit that adds a non-canonical import (blocked), the fix, and the
//! commit going through. Without `pre-commit` or `git` the tests fail under
//! CI=true and are skipped, visibly, elsewhere.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const RULES: &str = r#"[settings]
src = ["."]

[[concept]]
name = "event-bus"
canonical = "app.bus:EventBus"
symbols = ["EventBus"]
definition = '^\w*EventBus$'
legacy_modules = ["app.legacy_bus"]
severity = "error"
"#;

const CANONICAL: &str = "class EventBus:\n    \"\"\"The one event bus.\"\"\"\n";

const SHIM: &str = "\"\"\"Old home of the event bus, kept for old callers.\"\"\"\n\
from app.bus import EventBus\n\
\n\
__all__ = [\"EventBus\"]\n";

const CONSUMER: &str =
    "from app.legacy_bus import EventBus\n\n\ndef publish():\n    return EventBus()\n";

const FIXED_CONSUMER: &str =
    "from app.bus import EventBus\n\n\ndef publish():\n    return EventBus()\n";

fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ssot-audit")
}

/// A POSIX-shell-quoted word, as pre-commit splits `entry` with `shlex`.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r#"'"'"'"#))
}

/// A YAML double-quoted scalar (JSON strings are valid YAML).
fn yaml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

fn local_config() -> String {
    let hook = |id: &str, subcommand: &str, extra: &str| {
        format!(
            "      - id: {id}\n        name: {id}\n        entry: {}\n        language: system\n        types_or: [python, pyi, rust]\n        require_serial: true\n{extra}",
            yaml_string(&format!("{} {subcommand}", shell_quote(binary())))
        )
    };
    format!(
        "repos:\n  - repo: local\n    hooks:\n{}{}",
        hook("ssot-audit", "check", ""),
        hook("ssot-audit-fix", "fix", "        stages: [manual]\n")
    )
}

struct Sandbox {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    home: PathBuf,
    cache: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let home = dir.path().join("home");
        let cache = dir.path().join("pre-commit-cache");
        for path in [&repo, &home, &cache] {
            std::fs::create_dir_all(path).unwrap();
        }
        Self {
            _dir: dir,
            repo,
            home,
            cache,
        }
    }

    /// A command in the repo that sees neither the user's git or pre-commit
    /// configuration nor an enclosing git operation (when the test itself
    /// runs from a hook).
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .current_dir(&self.repo)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("PRE_COMMIT_HOME", &self.cache)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .env("PRE_COMMIT_COLOR", "never");
        for variable in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_CONFIG_GLOBAL",
            "PRE_COMMIT",
            "SKIP",
        ] {
            command.env_remove(variable);
        }
        command
    }

    fn run(&self, program: &str, args: &[&str]) -> Output {
        self.command(program, args)
            .output()
            .unwrap_or_else(|error| panic!("cannot run {program}: {error}"))
    }

    fn ok(&self, program: &str, args: &[&str]) -> Output {
        let output = self.run(program, args);
        assert!(
            output.status.success(),
            "{program} {args:?} failed\n{}",
            render(&output)
        );
        output
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo.join(path)).unwrap()
    }
}

fn render(output: &Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// pre-commit and the git it drives, or a skip (a failure under CI=true).
fn tools_available() -> bool {
    support::require_tool("pre-commit", "pip install pre-commit")
        && support::require_tool("git", "apt-get install git")
}

#[test]
fn hook_manifest_is_valid() {
    if !tools_available() {
        return;
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let output = Command::new("pre-commit")
        .arg("validate-manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", render(&output));
    let text = std::fs::read_to_string(&manifest).unwrap();
    for needle in [
        "- id: ssot-audit\n",
        "entry: ssot-audit check",
        "types_or: [python, pyi, rust]",
        "require_serial: true",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
}

#[test]
fn hook_blocks_a_noncanonical_import_until_it_is_fixed() {
    if !tools_available() {
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.write("rules.toml", RULES);
    sandbox.write("app/__init__.py", "");
    sandbox.write("app/bus.py", CANONICAL);
    sandbox.write("app/legacy_bus.py", SHIM);
    sandbox.write(".pre-commit-config.yaml", &local_config());

    let git = |args: &[&str]| sandbox.ok("git", args);
    git(&["init", "--quiet"]);
    git(&["config", "user.name", "SSOT Audit Test"]);
    git(&["config", "user.email", "ssot-audit@example.invalid"]);
    git(&["config", "commit.gpgsign", "false"]);
    // The project as it was before the hook: the shim is old news.
    git(&["add", "--all"]);
    git(&["commit", "--quiet", "-m", "project with a legacy shim"]);

    sandbox.ok("pre-commit", &["install"]);

    // A new module imports the concept through the shim: the commit is refused.
    sandbox.write("app/consumer.py", CONSUMER);
    git(&["add", "app/consumer.py"]);
    let blocked = sandbox.run("git", &["commit", "-m", "add a consumer"]);
    let report = render(&blocked);
    assert!(!blocked.status.success(), "{report}");
    assert!(report.contains("ssot-audit"), "{report}");
    assert!(report.contains("SSOT003"), "{report}");
    assert!(report.contains("app/consumer.py"), "{report}");
    // Only the staged file is reported, although the whole project is indexed.
    assert!(!report.contains("app/legacy_bus.py:"), "{report}");

    let run = sandbox.run("pre-commit", &["run", "--files", "app/consumer.py"]);
    assert_eq!(run.status.code(), Some(1), "{}", render(&run));

    // `ssot-audit fix` rewrites the import; staged, the commit goes through.
    // (Its exit code is 1: the shim's own SSOT002 has no automatic fix.)
    let fix = sandbox.run(binary(), &["fix"]);
    assert!(
        String::from_utf8_lossy(&fix.stdout).starts_with("Fixed 1 violation in 1 file"),
        "{}",
        render(&fix)
    );
    assert_eq!(sandbox.read("app/consumer.py"), FIXED_CONSUMER);
    git(&["add", "app/consumer.py"]);
    sandbox.ok("pre-commit", &["run", "--files", "app/consumer.py"]);
    let commit = sandbox.ok("git", &["commit", "-m", "add a consumer"]);
    assert!(
        render(&commit).contains("ssot-audit"),
        "the hook ran\n{}",
        render(&commit)
    );

    // The manual-stage fix hook does the same for the next one (and "fails",
    // as pre-commit hooks that modify files do).
    sandbox.write("app/second_consumer.py", CONSUMER);
    git(&["add", "app/second_consumer.py"]);
    let fix_hook = sandbox.run(
        "pre-commit",
        &[
            "run",
            "--hook-stage",
            "manual",
            "ssot-audit-fix",
            "--files",
            "app/second_consumer.py",
        ],
    );
    assert_eq!(fix_hook.status.code(), Some(1), "{}", render(&fix_hook));
    assert_eq!(sandbox.read("app/second_consumer.py"), FIXED_CONSUMER);
    git(&["add", "app/second_consumer.py"]);
    sandbox.ok("git", &["commit", "-m", "add another consumer"]);

    let log = git(&["log", "--oneline"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 3);
}
