//! Running the built binary on fixtures.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Exit code, stdout and stderr in one text for snapshots.
    pub fn render(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn binary() -> &'static str {
    env!("CARGO_BIN_EXE_ssot-audit")
}

pub fn run(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(binary())
        .args(args)
        .current_dir(dir)
        .env_remove("CLICOLOR_FORCE")
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Copies a fixture tree (regular files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if entry.file_name() == ".ssot-audit-cache" {
            continue;
        }
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_name() == ".ssot-audit-cache" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                found.push(entry.path().strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    found.sort();
    found
}

/// A unified diff of every file that differs between two trees.
pub fn tree_diff(before: &Path, after: &Path) -> String {
    let mut out = String::new();
    for relative in files_under(after) {
        let old = std::fs::read(before.join(&relative)).unwrap_or_default();
        let new = std::fs::read(after.join(&relative)).unwrap();
        if old != new {
            let name = relative.to_string_lossy().replace('\\', "/");
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

/// Says a test skipped part of its work, past libtest's output capture (which
/// only takes `print!` / `eprint!`), so the message shows in a normal run.
pub fn skipped(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED {message}");
}
