//! Shared by the integration suites: running the real binary on fixtures and
//! temporary trees under a hang guard, copying and comparing trees, a minimal
//! project with a planted violation to prove the rest of a tree is still
//! audited, and the rule for tests that need an external tool.

#![allow(dead_code)]

pub mod fixing;

use std::collections::BTreeMap;
use std::fs::FileType;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Only a hang detector: no test asserts on how long anything takes.
pub const HANG_LIMIT: Duration = Duration::from_secs(120);

/// The tool's own cache directory, left out of every copy and comparison.
const CACHE_DIR: &str = ".ssot-audit-cache";

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ssot-audit")
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// None when a signal ended the process.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text for snapshots.
    pub fn render(&self) -> String {
        let code = self
            .code
            .map_or_else(|| "signal".to_string(), |code| code.to_string());
        format!(
            "exit: {code}\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        )
    }

    /// Like [`Run::render`], cut short for an assertion message.
    pub fn describe(&self) -> String {
        let cut = |text: &str| text.chars().take(4000).collect::<String>();
        format!(
            "exit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.describe()))
    }

    /// Exits with `code`: no panic, no abort, no signal.
    pub fn assert_code(&self, code: i32) -> &Self {
        self.assert_exit_in(&[code])
    }

    /// Exits with one of `codes`: no panic, no abort, no signal.
    pub fn assert_exit_in(&self, codes: &[i32]) -> &Self {
        assert!(
            self.code.is_some_and(|code| codes.contains(&code)),
            "expected an exit code in {codes:?}\n{}",
            self.describe()
        );
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("overflowed its stack"),
            "{}",
            self.describe()
        );
        self
    }
}

/// `ssot-audit ARGS` in `dir`, no colours.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

pub fn spawn(dir: &Path, args: &[&str]) -> Child {
    command(dir, args).spawn().expect("the binary starts")
}

/// Waits for `child`, polling with `try_wait`; a run past [`HANG_LIMIT`] is
/// killed and fails the test as a hang. Output is drained on threads so a
/// full pipe cannot block the child.
pub fn wait(mut child: Child) -> Run {
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting on the binary") {
            break status;
        }
        if started.elapsed() > HANG_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ssot-audit hung: killed after {HANG_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code(),
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// `ssot-audit ARGS` in `dir`, run to completion under the hang guard.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    wait(spawn(dir, args))
}

pub fn write(root: &Path, relative: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = root.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

pub const RULES: &str = r#"[[concept]]
name = "ws"
canonical = "pkg.core:Manager"
symbols = ["Manager", "OldManager"]
legacy_modules = ["pkg.legacy"]
"#;

/// The import every planted violation uses: SSOT003, with a safe fix.
pub const LEGACY_IMPORT: &str = "from pkg.legacy import Manager\n";

/// A minimal project: the canonical class, a legacy shim (one SSOT002) and
/// `app.py`, whose import through the shim is the planted SSOT003.
pub fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "rules.toml", RULES);
    write(root, "pkg/__init__.py", "");
    write(root, "pkg/core.py", "class Manager:\n    pass\n");
    write(
        root,
        "pkg/legacy.py",
        "from pkg.core import Manager\nOldManager = Manager\n",
    );
    write(root, "app.py", LEGACY_IMPORT);
    dir
}

/// `(path, code)` of every violation of a `check --format json` run.
/// `check --format json` output without its notes (their list and count):
/// what a run must answer whatever it could only note (a file it skipped, a
/// syntax error in a file that cannot matter, found by a full parse only).
pub fn without_notes(stdout: &str) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_str(stdout).expect("JSON output");
    json["notes"] = serde_json::Value::Null;
    json["summary"]["notes"] = serde_json::Value::Null;
    json
}

pub fn violations(json: &serde_json::Value) -> Vec<(String, String)> {
    json["violations"]
        .as_array()
        .expect("violations array")
        .iter()
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The planted `app.py` violation is reported: the rest of the tree was audited.
pub fn assert_still_audited(run: &Run) {
    let json = run.json();
    assert!(
        violations(&json).contains(&("app.py".to_string(), "SSOT003".to_string())),
        "the planted app.py violation is missing:\n{}",
        run.describe()
    );
}

/// Copies a tree (regular files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if entry.file_name() == CACHE_DIR {
            continue;
        }
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Everything under `root` that is not a directory, as paths relative to
/// `root` in path order, with the tool's cache directories left out.
fn entries(root: &Path) -> Vec<(PathBuf, FileType)> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == CACHE_DIR {
                continue;
            }
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(root).unwrap().to_path_buf();
                found.push((relative, kind));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// A `/` path for messages and keys on every platform.
fn slashed(relative: &Path) -> String {
    relative.to_string_lossy().replace('\\', "/")
}

/// A unified diff of every file that differs between two trees.
pub fn tree_diff(before: &Path, after: &Path) -> String {
    let mut out = String::new();
    for (relative, _) in entries(after) {
        let old = std::fs::read(before.join(&relative)).unwrap_or_default();
        let new = std::fs::read(after.join(&relative)).unwrap();
        if old != new {
            let name = slashed(&relative);
            out.push_str(
                &similar::TextDiff::from_lines(
                    &String::from_utf8_lossy(&old),
                    &String::from_utf8_lossy(&new),
                )
                .unified_diff()
                .context_radius(1)
                .header(&format!("a/{name}"), &format!("b/{name}"))
                .to_string(),
            );
        }
    }
    out
}

/// Every regular file under `root` (relative `/` paths) and its bytes, the
/// tool's own cache directory left out.
pub fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    entries(root)
        .into_iter()
        .filter(|(_, kind)| kind.is_file())
        .map(|(relative, _)| {
            let bytes = std::fs::read(root.join(&relative)).unwrap();
            (slashed(&relative), bytes)
        })
        .collect()
}

/// Whether CI is set to true (`CI=true`, as CI services set it, or `CI=1`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
}

/// The running test, by libtest's name for its thread.
fn test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_string(),
        _ => "this test".to_string(),
    }
}

/// Whether `program --version` runs and succeeds.
fn runs(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// True when `program` runs (`program --version` succeeds). When it does not,
/// the test fails under `CI=true`, where every tool must be installed (.ci/run
/// installs them); elsewhere it prints `SKIPPED`, past libtest's capture, with
/// `install` (how to get the tool), and the caller skips the work that needs
/// it.
pub fn require_tool(program: &str, install: &str) -> bool {
    runs(program) || tool_missing(program, install)
}

/// [`require_tool`]'s answer for a tool the caller looked for itself (for one
/// found under several names): panics under `CI=true`, else says `SKIPPED`.
/// Always false.
pub fn tool_missing(program: &str, install: &str) -> bool {
    let test = test_name();
    if in_ci() {
        panic!(
            "CI=true: `{program}` is required by {test} but is not installed; \
             install it with `{install}` (.ci/run does)"
        );
    }
    // Past libtest's output capture (which only takes `print!` / `eprint!`),
    // so the line shows in a normal run.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: `{program}` is not installed (install it with `{install}` \
         to run it; under CI=true this is a failure)"
    );
    false
}

/// A fact of the environment that is not a missing tool (running as root, for
/// one) kept part of a test from checking anything: printed, past libtest's
/// capture, as a `NOTE`, never as `SKIPPED`.
pub fn note(message: &str) {
    let _ = writeln!(std::io::stderr(), "NOTE {}: {message}", test_name());
}

/// Every fixture project: each directory under fixtures/ that holds a
/// rules.toml, as paths relative to fixtures/ (`demo`, `rules/alias_reexport`,
/// …), sorted. Hidden directories (the tool's cache) are not searched.
pub fn fixture_projects() -> Vec<String> {
    let base = fixture("");
    let mut found = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        if dir.join("rules.toml").is_file() {
            found.push(slashed(dir.strip_prefix(&base).unwrap()));
        }
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

/// The version in Cargo.toml, the one place it is written.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Prints how long a step took, past libtest's capture: the numbers a
/// release note quotes. Never asserted on.
pub fn timed<T>(step: &str, work: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = work();
    let _ = writeln!(
        std::io::stderr(),
        "TIME {}: {step}: {:.1} s",
        test_name(),
        started.elapsed().as_secs_f64()
    );
    result
}

/// Output of a finished external command, for assertion messages.
pub fn render_output(output: &std::process::Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs `command` to completion; a failure to start or a non-zero exit
/// fails the test with the command's output.
pub fn succeed(command: &mut Command) -> std::process::Output {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed\n{}",
        render_output(&output)
    );
    output
}

/// The crate's target directory, where cargo and maturin build.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// A directory holding exactly this checkout's wheel, for `PIP_FIND_LINKS`:
/// built once per test binary with the README's `maturin build --release`
/// (plus `--locked`) in the crate's own target directory, so only what
/// changed is rebuilt. `None` when maturin is missing and the test is
/// skipped (outside CI).
pub fn wheel_dir() -> Option<&'static Path> {
    static WHEELS: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    WHEELS
        .get_or_init(|| {
            if !require_tool("maturin", "pip install maturin") {
                return None;
            }
            let built = target_dir().join("wheels");
            // Wheels of other versions would make `pip install
            // target/wheels/ssot_audit-*.whl` (README) ambiguous.
            for entry in std::fs::read_dir(&built).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with("ssot_audit-") && name.ends_with(".whl") {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
            timed("maturin build --release", || {
                succeed(
                    Command::new("maturin")
                        .args(["build", "--release", "--locked"])
                        .current_dir(env!("CARGO_MANIFEST_DIR")),
                )
            });
            let wheel = wheel(&built);
            let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("find-links");
            let _ = std::fs::remove_dir_all(&out);
            std::fs::create_dir_all(&out).unwrap();
            std::fs::copy(&wheel, out.join(wheel.file_name().unwrap())).unwrap();
            Some(out)
        })
        .as_deref()
}

/// The one wheel in [`wheel_dir`], of this version.
pub fn wheel(dir: &Path) -> PathBuf {
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "one wheel expected in {}", dir.display());
    let name = wheels[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with(&format!("ssot_audit-{}-", version())),
        "{name} is not the wheel of version {}",
        version()
    );
    wheels[0].clone()
}

/// A fresh virtual environment made with `python3 -m venv`, or `None` when
/// python3 or its venv module is missing (a failure under CI=true).
pub fn venv(dir: &Path) -> Option<PathBuf> {
    if !require_tool("python3", "apt-get install python3") {
        return None;
    }
    let output = Command::new("python3")
        .args(["-m", "venv"])
        .arg(dir)
        .stdin(Stdio::null())
        .output()
        .expect("python3 starts");
    if !output.status.success() {
        tool_missing("python3 -m venv", "apt-get install python3-venv");
        return None;
    }
    Some(dir.join("bin"))
}

/// A pytest run: the ids that passed, and the whole output for messages.
pub struct Suite {
    pub succeeded: bool,
    pub passed: std::collections::BTreeSet<String>,
    pub output: String,
}

/// `python3 -m pytest` in `root`, with the per-test summary (`-rA`).
pub fn pytest(root: &Path) -> Suite {
    let output = Command::new("python3")
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"])
        .current_dir(root)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .expect("python3 runs");
    let output_text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let passed = output_text
        .lines()
        .filter_map(|line| line.strip_prefix("PASSED "))
        .map(|id| id.trim().to_string())
        .collect();
    Suite {
        succeeded: output.status.success(),
        passed,
        output: output_text,
    }
}

/// pytest and pytest-mock are importable; under CI=true their absence
/// fails the test (see [`tool_missing`]).
pub fn pytest_available() -> bool {
    let found = Command::new("python3")
        .args(["-c", "import pytest, pytest_mock"])
        .status()
        .is_ok_and(|status| status.success());
    found || tool_missing("pytest", "python3 -m pip install pytest pytest-mock")
}
