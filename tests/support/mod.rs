//! Shared by the hardening suites (tests/hostile.rs, tests/fix_safety.rs):
//! running the real binary under a hang guard, and a minimal project with a
//! planted violation to prove the rest of a tree is still audited.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Only a hang detector: no test asserts on how long anything takes.
pub const HANG_LIMIT: Duration = Duration::from_secs(120);

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ssot-audit")
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
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}):\n{}", self.describe()))
    }

    pub fn describe(&self) -> String {
        let cut = |text: &str| text.chars().take(4000).collect::<String>();
        format!(
            "exit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code,
            cut(&self.stdout),
            cut(&self.stderr)
        )
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

/// Runs the binary to completion under the hang guard.
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

/// Every regular file under `root` (relative `/` paths) and its bytes, the
/// tool's own cache directory left out.
pub fn snapshot(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            let path = entry.path();
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if relative == ".ssot-audit-cache" {
                continue;
            }
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}
