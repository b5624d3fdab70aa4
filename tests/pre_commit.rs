//! The pre-commit integration, end to end: a temporary git repo with a small
//! project, a `repo: local` hook pointing at the built binary, a commit that
//! adds a non-canonical import (blocked), the fix, and the commit going
//! through; and the `language: python` hooks of the pre-commit mirror,
//! installing the wheel (found through `PIP_FIND_LINKS`), run as the README
//! configures them on a git repository made from the demo. Without
//! `pre-commit`, `git` or maturin the tests fail under CI=true and are
//! skipped, visibly, elsewhere.

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
    dir: tempfile::TempDir,
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
            dir,
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

    /// A directory of its own beside the repo.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
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
    // This repository's (language: rust) and the mirror's (language: python).
    for manifest in [
        ".pre-commit-hooks.yaml",
        "pre-commit-mirror/.pre-commit-hooks.yaml",
    ] {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join(manifest);
        let output = Command::new("pre-commit")
            .arg("validate-manifest")
            .arg(&manifest)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", render(&output));
        let text = std::fs::read_to_string(&manifest).unwrap();
        for needle in [
            "- id: ssot-audit\n",
            "- id: ssot-audit-fix\n",
            "entry: ssot-audit check",
            "types_or: [python, pyi, rust]",
            "require_serial: true",
        ] {
            assert!(text.contains(needle), "{needle:?} missing from\n{text}");
        }
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

/// An import of the canonical class through the demo's legacy module (a
/// safe fix: the same class, only the module changes), and the fixed text.
const DEMO_CONSUMER: &str =
    "from netra_backend.app.websocket_core.manager import UnifiedWebSocketManager\n\n\n\
def build():\n    return UnifiedWebSocketManager()\n";
const DEMO_CONSUMER_FIXED: &str =
    "from netra_backend.app.websocket_core.unified_manager import UnifiedWebSocketManager\n\n\n\
def build():\n    return UnifiedWebSocketManager()\n";

/// The README's fix-and-gate configuration, its `repo:` pointed at `mirror`.
fn readme_fix_and_gate_config(mirror: &Path) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("# .pre-commit-config.yaml: the fix hook and the gate")
        .expect("the README's fix-and-gate snippet");
    let block = &readme[start..];
    let block = &block[..block.find("```").expect("the end of the snippet")];
    let placeholder = "repo: <the pre-commit mirror's git URL>";
    assert_eq!(block.matches(placeholder).count(), 1, "{block}");
    block.replace(
        placeholder,
        &format!("repo: {}", yaml_string(&mirror.display().to_string())),
    )
}

/// pre-commit's summary line for `hook`, e.g. `ssot-audit fix....Failed`.
fn hook_result<'a>(report: &'a str, hook: &str) -> &'a str {
    report
        .lines()
        .find(|line| {
            line.strip_prefix(hook)
                .is_some_and(|rest| rest.starts_with('.'))
        })
        .and_then(|line| line.rsplit('.').next())
        .unwrap_or_else(|| panic!("no result line for {hook}:\n{report}"))
}

#[test]
fn python_hooks_from_the_mirror_install_the_wheel_and_run_on_the_demo() {
    if !tools_available() {
        return;
    }
    let Some(wheels) = support::wheel_dir() else {
        return;
    };
    let sandbox = Sandbox::new();
    let tag = format!("v{}", support::version());
    let git_in = |dir: &Path, args: &[&str]| {
        let mut command = sandbox.command("git", args);
        command.current_dir(dir);
        support::succeed(&mut command)
    };
    let identify = |dir: &Path| {
        git_in(dir, &["init", "--quiet"]);
        git_in(dir, &["config", "user.name", "SSOT Audit Test"]);
        git_in(dir, &["config", "user.email", "ssot-audit@example.invalid"]);
        git_in(dir, &["config", "commit.gpgsign", "false"]);
        git_in(dir, &["config", "tag.gpgsign", "false"]);
    };

    // The mirror repository as a release publishes it: pre-commit-mirror/
    // at its root, tagged like this repository.
    let mirror = sandbox.path("mirror");
    support::copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("pre-commit-mirror"),
        &mirror,
    );
    identify(&mirror);
    git_in(&mirror, &["add", "--all"]);
    git_in(&mirror, &["commit", "--quiet", "-m", "mirror"]);
    git_in(&mirror, &["tag", "-a", &tag, "-m", &tag]);

    // The project: the demo with its baseline, committed.
    support::copy_tree(&support::fixture("demo"), &sandbox.repo);
    sandbox.ok(binary(), &["baseline", "--output", "ssot-baseline.json"]);
    sandbox.write(
        ".pre-commit-config.yaml",
        &readme_fix_and_gate_config(&mirror),
    );
    identify(&sandbox.repo);
    git_in(&sandbox.repo, &["add", "--all"]);
    git_in(
        &sandbox.repo,
        &["commit", "--quiet", "-m", "the demo, baselined"],
    );

    let with_wheels = |program: &str, args: &[&str]| {
        let mut command = sandbox.command(program, args);
        command
            .env("PIP_FIND_LINKS", wheels)
            .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
        command.output().unwrap()
    };
    let installed = support::timed("pre-commit install-hooks (language: python)", || {
        with_wheels("pre-commit", &["install-hooks"])
    });
    assert!(installed.status.success(), "{}", render(&installed));
    // The hook runs the wheel's binary, installed in pre-commit's environment.
    let environments: Vec<PathBuf> = std::fs::read_dir(&sandbox.cache)
        .unwrap()
        .flatten()
        .flat_map(|repo| {
            std::fs::read_dir(repo.path())
                .into_iter()
                .flatten()
                .flatten()
        })
        .map(|entry| entry.path().join("bin/ssot-audit"))
        .filter(|path| path.is_file())
        .collect();
    assert_eq!(
        environments.len(),
        1,
        "one hook environment with ssot-audit"
    );
    let version = Command::new(&environments[0])
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        format!("ssot-audit {}\n", support::version())
    );
    sandbox.ok("pre-commit", &["install"]);

    // A new module imports the manager through the legacy module: the fix
    // hook rewrites it (and fails, as a hook that modifies files does); the
    // gate, next, passes on the rewritten file.
    sandbox.write("netra_backend/app/new_consumer.py", DEMO_CONSUMER);
    sandbox.ok("git", &["add", "netra_backend/app/new_consumer.py"]);
    let blocked = support::timed("git commit, both hooks on one file", || {
        sandbox.run("git", &["commit", "-m", "add a consumer"])
    });
    let report = render(&blocked);
    assert!(!blocked.status.success(), "{report}");
    assert_eq!(hook_result(&report, "ssot-audit fix"), "Failed", "{report}");
    assert!(
        report.contains("files were modified by this hook"),
        "{report}"
    );
    assert_eq!(hook_result(&report, "ssot-audit"), "Passed", "{report}");
    assert_eq!(
        sandbox.read("netra_backend/app/new_consumer.py"),
        DEMO_CONSUMER_FIXED
    );
    // Only the staged file was compared with the baseline.
    assert!(!report.contains("no longer occur"), "{report}");
    sandbox.ok("git", &["add", "netra_backend/app/new_consumer.py"]);
    let commit = sandbox.ok("git", &["commit", "-m", "add a consumer"]);
    let report = render(&commit);
    assert_eq!(hook_result(&report, "ssot-audit fix"), "Passed", "{report}");
    assert_eq!(hook_result(&report, "ssot-audit"), "Passed", "{report}");

    // A new duplicate class: nothing to fix, so the fix hook passes and the
    // gate fails on it alone, the baselined violations staying quiet.
    sandbox.write(
        "netra_backend/app/second_manager.py",
        "class SecondWebSocketManager:\n    pass\n",
    );
    sandbox.ok("git", &["add", "netra_backend/app/second_manager.py"]);
    let gate = support::timed("pre-commit run, both hooks on one file", || {
        sandbox.run(
            "pre-commit",
            &["run", "--files", "netra_backend/app/second_manager.py"],
        )
    });
    let report = render(&gate);
    assert_eq!(gate.status.code(), Some(1), "{report}");
    assert_eq!(hook_result(&report, "ssot-audit fix"), "Passed", "{report}");
    assert_eq!(hook_result(&report, "ssot-audit"), "Failed", "{report}");
    assert!(report.contains("SSOT001"), "{report}");
    assert!(report.contains("1 violation in 1 file"), "{report}");
    assert!(!report.contains("SSOT003"), "{report}");

    let log = sandbox.ok("git", &["log", "--oneline"]);
    assert_eq!(String::from_utf8_lossy(&log.stdout).lines().count(), 2);
}
