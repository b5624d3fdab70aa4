//! A fix never changes what a passing test does: the demo's own pytest
//! suite passes before `fix`, and after it, and the fix did rewrite files.

mod support;

use std::path::Path;

/// `python3 -m pytest` in `root`: whether it passed, and its output.
fn pytest(root: &Path) -> (bool, String) {
    let suite = support::pytest(root);
    (suite.succeeded, suite.output)
}

use support::pytest_available;

#[test]
fn the_demo_suite_passes_before_and_after_fix() {
    if !pytest_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    support::copy_tree(&support::fixture("demo"), &root);
    let (passed, output) = pytest(&root);
    assert!(passed, "the suite fails before fix:\n{output}");
    let before = support::snapshot(&root);

    let run = support::run(&root, &["fix", "--no-cache"]);
    run.assert_exit_in(&[0, 1]);
    assert!(run.stdout.starts_with("Fixed "), "{}", run.describe());
    let after = support::snapshot(&root);
    let changed = before
        .iter()
        .filter(|(path, bytes)| after.get(*path) != Some(bytes))
        .count();
    assert!(
        changed >= 5,
        "fix rewrote {changed} files:\n{}",
        run.describe()
    );

    let (passed, output) = pytest(&root);
    assert!(
        passed,
        "the suite fails after fix:\n{output}\n{}",
        run.describe()
    );

    // Nothing safe is left for a second run, and it changes nothing.
    let again = support::run(&root, &["fix", "--no-cache"]);
    assert!(
        again.stdout.starts_with("Fixed 0 violations"),
        "{}",
        again.describe()
    );
    assert_eq!(support::snapshot(&root), after);
}

/// `fix --dry-run` promises what `fix` then does.
#[test]
fn dry_run_counts_are_what_fix_does() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    support::copy_tree(&support::fixture("demo"), &root);
    let dry = support::run(&root, &["fix", "--dry-run", "--no-cache"]);
    let real = support::run(&root, &["fix", "--no-cache"]);
    let head = |text: &str| {
        text.lines()
            .next()
            .unwrap_or_default()
            .replace("Would fix", "Fixed")
    };
    assert_eq!(head(&dry.stdout), head(&real.stdout), "{}", dry.describe());
    let plan = support::run(&root, &["plan", "--format", "json", "--no-cache"]);
    assert_eq!(plan.json()["totals"]["safe"], 0, "{}", plan.describe());
}

/// The demo run the README shows: `fix --unsafe-fixes` leaves only what no
/// fix can address, the suite still passes, and `check` prints the counts
/// the README quotes.
#[test]
fn the_readme_unsafe_fix_run_of_the_demo() {
    if !pytest_available() {
        return;
    }
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let start = readme
        .find("$ ssot-audit fix --unsafe-fixes\n")
        .expect("the README shows the demo's unsafe fix run");
    let block = &readme[start..start + readme[start..].find("```").unwrap_or(0)];
    let mut lines = block.lines().skip(1);
    let summary = lines.next().unwrap_or_default().to_string();
    let headline: Vec<&str> = block
        .lines()
        .skip_while(|line| !line.starts_with("$ ssot-audit check"))
        .skip(1)
        .filter(|line| *line != "…")
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    support::copy_tree(&support::fixture("demo"), &root);
    let fixed = support::run(&root, &["fix", "--unsafe-fixes", "--no-cache"]);
    assert_eq!(
        fixed.stdout.lines().next(),
        Some(summary.as_str()),
        "{}",
        fixed.describe()
    );
    let check = support::run(&root, &["check", "--no-cache"]);
    let tail: Vec<&str> = check.stdout.lines().rev().take(headline.len()).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    assert_eq!(tail, headline, "{}", check.describe());
    let plan = support::run(&root, &["plan", "--format", "json", "--no-cache"]);
    let totals = &plan.json()["totals"];
    assert_eq!(
        (totals["safe"].as_u64(), totals["unsafe"].as_u64()),
        (Some(0), Some(0))
    );
    let (passed, output) = pytest(&root);
    assert!(
        passed,
        "the suite fails after fix --unsafe-fixes:\n{output}"
    );
}
