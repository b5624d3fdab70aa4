//! The guarantees of `fix` (README "Fixes"), under hostile conditions: line
//! endings and BOMs kept byte-exact, read-only files and directories,
//! symlinks out of the root, files changed under the fixer, permissions, a
//! SIGKILL in the middle of a run, and two runs at once.

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ssot_audit::source::Encoding;
use support::{project, run, snapshot, write, LEGACY_IMPORT};

const PLAIN: Encoding = Encoding { bom: false };

fn fix(root: &Path) -> support::Run {
    let output = run(root, &["fix"]);
    output.assert_exit_in(&[0, 1]);
    output
}

fn read(root: &Path, path: &str) -> Vec<u8> {
    std::fs::read(root.join(path)).unwrap()
}

/// A second run finds nothing left to fix and changes nothing.
fn assert_converged(root: &Path) {
    let before = snapshot(root);
    let again = fix(root);
    assert!(
        again.stdout.starts_with("Fixed 0 violations in 0 files"),
        "{}",
        again.describe()
    );
    assert!(snapshot(root) == before, "a second fix run changed files");
}

#[test]
fn crlf_and_lone_cr_line_endings_are_kept() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "crlf.py",
        "# header\r\nimport os\r\nfrom pkg.legacy import Manager  # keep\r\n\
         from pkg.legacy import (Manager as M, OldManager)\r\nx = 1\r\n",
    );
    write(
        root,
        "cr.py",
        "x = 1\rfrom pkg.legacy import (OldManager, Manager)\r",
    );
    fix(root);
    assert_eq!(
        String::from_utf8(read(root, "crlf.py")).unwrap(),
        "# header\r\nimport os\r\nfrom pkg.core import Manager  # keep\r\nx = 1\r\n"
    );
    assert_eq!(
        String::from_utf8(read(root, "cr.py")).unwrap(),
        "x = 1\rfrom pkg.core import Manager\r"
    );
    assert_converged(root);
}

#[test]
fn a_bom_file_is_byte_exact_outside_the_edit() {
    let dir = project();
    let root = dir.path();
    let before = "\u{feff}# café\r\nfrom pkg.legacy import Manager  # é\n\t# tail é \x0c\n";
    write(root, "bom.py", before);
    write(
        root,
        "bom_only.py",
        "\u{feff}from pkg.legacy import Manager",
    );
    fix(root);
    assert_eq!(
        String::from_utf8(read(root, "bom.py")).unwrap(),
        before.replace("pkg.legacy", "pkg.core"),
        "only the module path changes: BOM, mixed endings and comments stay"
    );
    assert_eq!(
        String::from_utf8(read(root, "bom_only.py")).unwrap(),
        "\u{feff}from pkg.core import Manager"
    );
    assert_converged(root);
}

#[test]
fn files_with_syntax_errors_are_never_fixed() {
    let dir = project();
    let root = dir.path();
    let broken = format!("{LEGACY_IMPORT}def broken(:\n    pass\n");
    write(root, "broken.py", &broken);
    let nul = format!("{LEGACY_IMPORT}x = 1\0\n");
    write(root, "nul.py", &nul);
    fix(root);
    assert_eq!(read(root, "broken.py"), broken.as_bytes());
    assert_eq!(read(root, "nul.py"), nul.as_bytes());
    assert_eq!(read(root, "app.py"), b"from pkg.core import Manager\n");
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_refused_and_left_unchanged() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let root = dir.path();
    let path = write(root, "ro.py", LEGACY_IMPORT);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = fix(root);
    assert_eq!(output.code, Some(1), "the refused violation remains");
    assert!(
        output.stderr.contains("ro.py: read-only"),
        "{}",
        output.describe()
    );
    assert_eq!(read(root, "ro.py"), LEGACY_IMPORT.as_bytes());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
    // The rest of the project was still fixed.
    assert_eq!(read(root, "app.py"), b"from pkg.core import Manager\n");
}

#[cfg(unix)]
#[test]
fn permissions_are_preserved() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let root = dir.path();
    for (name, mode) in [("a.py", 0o640), ("b.py", 0o755), ("c.py", 0o600)] {
        let path = write(root, name, LEGACY_IMPORT);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    fix(root);
    for (name, mode) in [("a.py", 0o640), ("b.py", 0o755), ("c.py", 0o600)] {
        assert_eq!(read(root, name), b"from pkg.core import Manager\n");
        let now = std::fs::metadata(root.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777;
        assert_eq!(now, mode, "{name}");
    }
}

/// The rewritten file keeps its owner and group: the temporary file that
/// replaces it is given them (only root can give a file away; as anyone else
/// a file owned by someone else is refused instead).
#[cfg(unix)]
#[test]
fn the_owner_is_kept() {
    use std::os::unix::fs::MetadataExt;
    let dir = project();
    let root = dir.path();
    let path = write(root, "theirs.py", LEGACY_IMPORT);
    if std::os::unix::fs::chown(&path, Some(65534), Some(65534)).is_err() {
        support::note("not running as root, so no file can be given away: owner not checked");
        return;
    }
    fix(root);
    assert_eq!(read(root, "theirs.py"), b"from pkg.core import Manager\n");
    let metadata = std::fs::metadata(&path).unwrap();
    assert_eq!((metadata.uid(), metadata.gid()), (65534, 65534));
}

#[test]
fn a_file_changed_between_plan_and_apply_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = write(root, "a.py", "changed by someone else\n");
    let refused = ssot_audit::fix::write_atomic(
        root,
        &path,
        b"what the fixer read\n",
        "the fixer's rewrite\n",
        PLAIN,
    );
    let message = refused.expect_err("a changed file is refused").to_string();
    assert!(message.contains("changed on disk"), "{message}");
    assert_eq!(read(root, "a.py"), b"changed by someone else\n");
    // The same call with the bytes actually on disk goes through.
    ssot_audit::fix::write_atomic(
        root,
        &path,
        b"changed by someone else\n",
        "rewritten\n",
        Encoding { bom: true },
    )
    .unwrap();
    assert_eq!(read(root, "a.py"), "\u{feff}rewritten\n".as_bytes());
    assert_eq!(snapshot(root).len(), 1, "no temporary file is left");
}

#[test]
fn two_edits_on_one_line() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "two.py",
        "from pkg.legacy import Manager; from pkg.legacy import OldManager as O  # c\n",
    );
    write(
        root,
        "names.py",
        "from pkg.legacy import Manager, OldManager\n",
    );
    fix(root);
    assert_eq!(
        read(root, "two.py"),
        b"from pkg.core import Manager; from pkg.core import Manager  # c\n"
    );
    assert_eq!(read(root, "names.py"), b"from pkg.core import Manager\n");
    assert_converged(root);
}

#[cfg(unix)]
#[test]
fn nothing_outside_the_root_is_written() {
    let outside = tempfile::tempdir().unwrap();
    let target = write(outside.path(), "target.py", LEGACY_IMPORT);
    let dir = project();
    let root = dir.path();
    std::os::unix::fs::symlink(&target, root.join("link.py")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("outdir")).unwrap();

    let output = fix(root);
    assert_eq!(read(outside.path(), "target.py"), LEGACY_IMPORT.as_bytes());
    assert!(std::fs::symlink_metadata(root.join("link.py"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(!output.stdout.contains("link.py") && !output.stdout.contains("outdir"));

    // Asked directly, the writer refuses the symlink, a path through a
    // symlinked directory and a file outside the root.
    let bytes = LEGACY_IMPORT.as_bytes();
    let refuse = |path: &Path, why: &str| {
        let message = ssot_audit::fix::write_atomic(root, path, bytes, "x = 1\n", PLAIN)
            .expect_err("refused")
            .to_string();
        assert!(message.contains(why), "{}: {message}", path.display());
    };
    refuse(&root.join("link.py"), "symlink");
    refuse(&root.join("outdir/target.py"), "outside the project root");
    refuse(&target, "outside the project root");
    assert_eq!(read(outside.path(), "target.py"), bytes);
    assert_eq!(
        snapshot(outside.path()).len(),
        1,
        "no temporary file outside"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let root = dir.path();
    write(root, "locked/x.py", LEGACY_IMPORT);
    let locked = root.join("locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let privileged = std::fs::write(locked.join("probe"), b"").is_ok();
    let _ = std::fs::remove_file(locked.join("probe"));
    let output = run(root, &["fix"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Exit 1 either way: the shim's SSOT002 has no fix.
    output.assert_code(1);
    assert_eq!(read(root, "app.py"), b"from pkg.core import Manager\n");
    if privileged {
        // Root writes into a mode-555 directory: nothing to refuse.
        assert_eq!(read(root, "locked/x.py"), b"from pkg.core import Manager\n");
        support::note(
            "running with privileges that write into mode-555 directories: refusal not checked",
        );
        return;
    }
    assert!(
        output
            .stderr
            .contains("locked/x.py: cannot create a temporary file"),
        "{}",
        output.describe()
    );
    assert_eq!(read(root, "locked/x.py"), LEGACY_IMPORT.as_bytes());
}

/// A deeply nested file is re-parsed after its rewrite: that parse must not
/// overflow the main thread's stack, here cut to 1 MiB (the default main
/// stack on Windows), which it did before it moved to a thread of its own.
#[cfg(unix)]
#[test]
fn a_deeply_nested_file_is_fixed_on_a_small_main_stack() {
    let dir = project();
    let root = dir.path();
    let body = format!(
        "x = {}{}1{}\n",
        "(".repeat(2_000),
        "-".repeat(90_000),
        ")".repeat(2_000)
    );
    write(root, "deep.py", format!("{LEGACY_IMPORT}{body}"));
    let child = std::process::Command::new("sh")
        .args(["-c", "ulimit -s 1024 && exec \"$0\" fix", support::binary()])
        .current_dir(root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("sh runs");
    let output = support::wait(child);
    output.assert_code(1);
    assert!(!output.stderr.contains("deep.py"), "{}", output.describe());
    assert_eq!(
        read(root, "deep.py"),
        format!("from pkg.core import Manager\n{body}").into_bytes()
    );
}

// ---------------------------------------------------------------------------
// Interrupted and concurrent runs

/// A project with `count` fixable files, some with CRLF endings or a BOM.
/// With `two_passes`, each file also needs a second pass (two names of one
/// statement overlap: one is deferred), so it goes through an intermediate
/// state; without, every file is rewritten once, from original to fixed.
fn many_fixable(count: usize, two_passes: bool) -> tempfile::TempDir {
    let dir = project();
    let root = dir.path();
    for i in 0..count {
        let newline = if i % 3 == 0 { "\r\n" } else { "\n" };
        let bom = if i % 5 == 0 { "\u{feff}" } else { "" };
        let second = if two_passes {
            format!("from pkg.legacy import (OldManager as Old{i}, Manager as M{i})")
        } else {
            format!("from pkg.legacy import OldManager as Old{i}")
        };
        let text = format!(
            "{bom}\"\"\"module {i}\"\"\"{newline}\
             from pkg.legacy import Manager{newline}\
             {second}{newline}\
             {newline}x = Manager(){newline}"
        );
        write(root, &format!("mods/m{:02}/f{i:04}.py", i / 100), text);
    }
    dir
}

/// The fully fixed version of a tree: `fix` run to completion on a copy.
fn fully_fixed(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let copy = tempfile::tempdir().unwrap();
    support::copy_tree(root, copy.path());
    let output = fix(copy.path());
    assert!(output.stdout.starts_with("Fixed "), "{}", output.describe());
    let fixed = snapshot(copy.path());
    assert!(fixed != snapshot(root), "the copy was fixed");
    fixed
}

/// Left-over temporary files of the writer (`.ssot-audit-*` next to a file).
fn leftovers(files: &BTreeMap<String, Vec<u8>>) -> Vec<&String> {
    files
        .keys()
        .filter(|path| {
            path.rsplit('/')
                .next()
                .is_some_and(|name| name.starts_with(".ssot-audit-"))
        })
        .collect()
}

#[test]
fn a_killed_fix_leaves_every_file_whole() {
    let dir = many_fixable(2_000, false);
    let root = dir.path();
    let original = snapshot(root);
    let fixed = fully_fixed(root);

    // Files are written in path order: once the middle one has changed, about
    // half of the tree is rewritten. Then SIGKILL, which allows no clean-up.
    let mut child = support::spawn(root, &["fix"]);
    let middle = root.join("mods/m10/f1000.py");
    let started = Instant::now();
    while std::fs::read(&middle).ok().as_ref() == original.get("mods/m10/f1000.py")
        && child.try_wait().unwrap().is_none()
        && started.elapsed() < support::HANG_LIMIT
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    let _ = child.kill();
    let _ = child.wait();

    let after = snapshot(root);
    let temporary = leftovers(&after);
    let mut rewritten = 0;
    for (path, bytes) in &after {
        if temporary.contains(&path) {
            continue;
        }
        let before = original.get(path).expect("no new files but temporary ones");
        let done = fixed.get(path).expect("the fixed tree has every file");
        assert!(
            bytes == before || bytes == done,
            "{path} is neither its original nor its fixed version"
        );
        if bytes != before {
            rewritten += 1;
        }
    }
    assert_eq!(after.len() - temporary.len(), original.len());
    eprintln!(
        "killed with {rewritten} of {} files rewritten, {} temporary files left",
        original.len(),
        temporary.len()
    );
    // Left-over temporary files are hidden: never scanned, never reported.
    let check = run(root, &["check", "--format", "json"]);
    check.assert_code(1);
    assert!(
        !check.stdout.contains(".ssot-audit-"),
        "{}",
        check.describe()
    );
    assert_eq!(
        check.json()["summary"]["files_scanned"],
        original.keys().filter(|p| p.ends_with(".py")).count()
    );
    // And a new run finishes the job.
    fix(root);
    let finished = snapshot(root);
    let stray = leftovers(&finished).len();
    let finished: BTreeMap<_, _> = finished
        .into_iter()
        .filter(|(path, _)| !path.rsplit('/').next().unwrap().starts_with(".ssot-audit-"))
        .collect();
    assert!(finished == fixed, "the resumed run reaches the fixed tree");
    assert_eq!(stray, temporary.len(), "only the killed run's leftovers");
}

/// An editor saving files while `fix` runs (each save atomic: a temporary
/// file renamed over the old one, a comment line put first): every file ends
/// as its original, its fixed version, or either of them with the editor's
/// line, never spliced from two texts at stale offsets.
#[test]
fn an_editor_saving_during_fix_never_splices_a_file() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Arc;
    const EDITED: &str = "# edited\n";
    let dir = many_fixable(1_500, false);
    let root = dir.path().to_path_buf();
    let original = snapshot(&root);
    let fixed = fully_fixed(&root);
    let paths: Vec<String> = original
        .keys()
        .filter(|path| path.starts_with("mods/"))
        .cloned()
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let saves = Arc::new(AtomicUsize::new(0));
    let editor = {
        let (stop, saves, root) = (Arc::clone(&stop), Arc::clone(&saves), root.clone());
        // From the end of the tree, as `fix` writes from its start.
        let paths: Vec<String> = paths.iter().rev().cloned().collect();
        std::thread::spawn(move || {
            for path in paths {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let file = root.join(&path);
                let Ok(text) = std::fs::read_to_string(&file) else {
                    continue;
                };
                let (bom, body) = match text.strip_prefix('\u{feff}') {
                    Some(body) => ("\u{feff}", body),
                    None => ("", text.as_str()),
                };
                let saved = format!("{bom}{EDITED}{body}");
                let temporary = file.with_extension("py.swp");
                if std::fs::write(&temporary, saved).is_ok()
                    && std::fs::rename(&temporary, &file).is_ok()
                {
                    saves.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
    };
    let output = fix(&root);
    stop.store(true, Ordering::Relaxed);
    editor.join().unwrap();
    let after = snapshot(&root);
    let strip = |bytes: &[u8]| -> Vec<u8> {
        let text = String::from_utf8_lossy(bytes).into_owned();
        let (bom, body) = match text.strip_prefix('\u{feff}') {
            Some(body) => ("\u{feff}", body.to_string()),
            None => ("", text.clone()),
        };
        match body.strip_prefix(EDITED) {
            Some(rest) => format!("{bom}{rest}").into_bytes(),
            None => bytes.to_vec(),
        }
    };
    let mut refused = 0;
    for path in &paths {
        let bytes = after.get(path).expect("every file is still there");
        let text = strip(bytes);
        assert!(
            text == original[path] || text == fixed[path],
            "{path} is spliced: {:?}\n{}",
            String::from_utf8_lossy(bytes),
            output.describe()
        );
        if text == original[path] && bytes.len() > text.len() {
            refused += 1;
        }
    }
    assert!(
        leftovers(&after).is_empty(),
        "temporary files left: {:?}",
        leftovers(&after)
    );
    eprintln!(
        "{} saves during fix; {refused} edited files left unfixed (changed since read)",
        saves.load(Ordering::Relaxed)
    );
    assert!(
        saves.load(Ordering::Relaxed) > 0,
        "the editor saved nothing"
    );
}

#[test]
fn two_fix_runs_at_once() {
    let dir = many_fixable(300, true);
    let root = dir.path();
    let fixed = fully_fixed(root);
    let first = support::spawn(root, &["fix"]);
    let second = support::spawn(root, &["fix"]);
    for output in [support::wait(first), support::wait(second)] {
        output.assert_exit_in(&[0, 1]);
    }
    let after = snapshot(root);
    assert!(leftovers(&after).is_empty());
    assert!(after == fixed, "two runs at once reach the fixed tree");
    assert_converged(root);
}

/// `from m import X as X` is the explicit re-export typed packages rely on
/// (mypy `--no-implicit-reexport`): a safe fix keeps the form, and renaming
/// a public name of a package is not safe.
#[test]
fn the_explicit_reexport_form_survives_a_safe_fix() {
    let dir = project();
    let root = dir.path();
    write(root, "pkg/py.typed", "");
    write(
        root,
        "pkg/__init__.py",
        "from .legacy import Manager as Manager\nfrom .legacy import OldManager\n",
    );
    write(root, "app.py", "from pkg import Manager\n");
    let run = fix(root);
    assert!(run.stdout.starts_with("Fixed "), "{}", run.describe());
    assert_eq!(
        String::from_utf8(read(root, "pkg/__init__.py")).unwrap(),
        "from .core import Manager as Manager\nfrom .legacy import OldManager\n",
        "{}",
        run.describe()
    );
}
