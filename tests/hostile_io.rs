//! Reliability (issue 21): hostile file-system state around the run. The
//! cache directory and its files replaced by symlinks out of the root, by
//! named pipes or by garbage; a cache that is stale for a file of the same
//! size and mtime; absurd thread counts; file names that carry terminal
//! escape sequences; files that vanish and appear while the scan runs; a
//! read-only cache directory. Every case is generated at test time and runs
//! the real binary under a hang guard: it must exit with the documented
//! code, print no panic, write nothing outside the root, say on stderr what
//! it skipped, and still report the planted `app.py` violation of
//! `support::project()`.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ssot_audit::cache::{CacheEntry, Cached, FactsCache};
use ssot_audit::lang::FileFacts;
use support::{assert_still_audited, project, run, violations, write, LEGACY_IMPORT};

const CACHE: &str = ".ssot-audit-cache";
const FACTS: &str = ".ssot-audit-cache/facts.bin";
/// The cache file's name, in `CACHE`.
const FACTS_NAME: &str = "facts.bin";

/// The cache file bound of src/cache/mod.rs for a project as small as
/// `support::project()` (`bound`: at least `MIN_BOUND`, else twice the
/// selected source).
const CACHE_MAX_BYTES: u64 = ssot_audit::cache::MIN_BOUND;

/// The "small multiple of the source": the cache may be at most this
/// many times the bytes it was made from (46x was the reported failure).
const CACHE_SOURCE_MULTIPLE: u64 = 8;

/// A run that should take well under a second: past this it is a hang.
const QUICK_LIMIT: Duration = Duration::from_secs(30);

/// No panic, no abort, no "internal error" on stderr, and an exit code in
/// `codes`.
fn assert_clean(output: &support::Run, codes: &[i32]) {
    output.assert_exit_in(codes);
    assert!(
        !output.stderr.contains("internal error"),
        "{}",
        output.describe()
    );
}

/// `ssot-audit ARGS` in `dir`, killed (and the test failed as a hang) when it
/// runs past `limit`: a shorter guard than [`support::HANG_LIMIT`] for runs
/// that block on a pipe.
fn run_within(dir: &Path, args: &[&str], limit: Duration) -> support::Run {
    let child = support::spawn(dir, args);
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(support::wait(child));
    });
    match receiver.recv_timeout(limit) {
        Ok(output) => {
            waiter.join().unwrap();
            output
        }
        Err(_) => {
            // SAFETY: `pid` is our own child, not reaped yet (the waiter
            // thread is still polling it).
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGKILL);
            }
            let _ = waiter.join();
            panic!("ssot-audit {args:?} hung: killed after {limit:?}");
        }
    }
}

/// Every entry under `dir` (hidden ones and the cache directory included), by
/// relative path: `link -> target` for symlinks, the bytes for files, a
/// marker for directories and other kinds.
fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            let value = if kind.is_symlink() {
                format!("-> {}", std::fs::read_link(&path).unwrap().display()).into_bytes()
            } else if kind.is_dir() {
                stack.push(path);
                b"<dir>".to_vec()
            } else if kind.is_file() {
                std::fs::read(&path).unwrap()
            } else {
                b"<special>".to_vec()
            };
            found.insert(relative, value);
        }
    }
    found
}

fn names(listing: &BTreeMap<String, Vec<u8>>) -> Vec<&String> {
    listing.keys().collect()
}

/// The other commands that load and save the cache (`plan`, `report`, `fix`)
/// write nothing to `outside` either.
fn other_commands_leave_alone(root: &Path, outside: &Path, before: &BTreeMap<String, Vec<u8>>) {
    for args in [
        &["plan", "--format", "json"][..],
        &["report", "--format", "markdown"],
        &["fix", "--unsafe-fixes"],
        &["check", "--format", "json"],
    ] {
        let output = run(root, args);
        assert_clean(&output, &[0, 1]);
        assert_eq!(
            &listing(outside),
            before,
            "{args:?} wrote outside the root: {:?}",
            names(&listing(outside))
        );
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path and a plain mode.
    let made = unsafe { libc::mkfifo(name.as_ptr(), 0o644) };
    assert_eq!(made, 0, "mkfifo {}", path.display());
}

fn check_json(root: &Path, extra: &[&str]) -> support::Run {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    run(root, &args)
}

/// The `--no-cache` answer for the tree as it is now.
fn reference(root: &Path) -> support::Run {
    let output = check_json(root, &["--no-cache"]);
    assert_clean(&output, &[1]);
    assert_still_audited(&output);
    output
}

// ---------------------------------------------------------------------------
// Symlinks in the cache: nothing written outside the root

/// The project's cache file, decoded, and `app.py`'s parsed facts in it.
fn cache_with_app_facts(root: &Path) -> (FactsCache, FileFacts) {
    assert_clean(&check_json(root, &[]), &[1]);
    let bytes = std::fs::read(root.join(FACTS)).unwrap();
    let cache = FactsCache::from_bytes(&bytes, None).expect("check wrote a valid cache");
    let entry = cache.get("app.py").expect("app.py is cached");
    let Some(Cached::Parsed(facts)) = cache.outcome(entry) else {
        panic!("app.py's cached facts are not parsed facts");
    };
    (cache, *facts)
}

/// The cache with `app.py`'s entry (size, mtime and hash kept, so it is
/// taken as fresh) holding `facts`.
fn with_app_facts(mut cache: FactsCache, facts: FileFacts) -> Vec<u8> {
    let entry = cache.get("app.py").unwrap();
    let entry = CacheEntry::new(entry.size, entry.mtime, entry.hash, &Ok(facts));
    cache.insert("app.py".into(), entry);
    cache.to_bytes().unwrap()
}

/// A valid cache of the project as it is, except that `app.py`'s entry (still
/// fresh by size, mtime and hash) holds no imports: a run that reads it
/// misses the planted violation. The project's own cache is removed.
fn hollow_cache(root: &Path) -> Vec<u8> {
    let (cache, mut facts) = cache_with_app_facts(root);
    assert!(!facts.imports.is_empty());
    facts.imports.clear();
    facts.bindings.clear();
    std::fs::remove_dir_all(root.join(CACHE)).unwrap();
    with_app_facts(cache, facts)
}

/// The project with `.ssot-audit-cache` a symlink to a directory outside the
/// root: `check` writes nothing there, and still reports.
#[cfg(unix)]
#[test]
fn a_symlinked_cache_directory_is_never_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let dir = project();
    let root = dir.path();
    // A cache out there that would hide the planted violation if it were read.
    write(outside.path(), FACTS_NAME, hollow_cache(root));
    write(outside.path(), "keep.txt", "outside\n");
    let before = listing(outside.path());
    std::os::unix::fs::symlink(outside.path(), root.join(CACHE)).unwrap();
    let expected = reference(root);
    for _ in 0..2 {
        let output = check_json(root, &[]);
        assert_clean(&output, &[1]);
        assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
        assert_eq!(
            listing(outside.path()),
            before,
            "written outside the root through the symlinked cache directory: {:?}",
            names(&listing(outside.path()))
        );
    }
    other_commands_leave_alone(root, outside.path(), &before);
}

/// `.ssot-audit-cache/.gitignore` a symlink out of the root, to a file that
/// exists and to one that does not (a dangling link would create it).
#[cfg(unix)]
#[test]
fn a_symlinked_cache_gitignore_is_never_written_through() {
    for dangling in [false, true] {
        let outside = tempfile::tempdir().unwrap();
        if !dangling {
            write(outside.path(), "target", "outside\n");
        }
        let before = listing(outside.path());
        let dir = project();
        let root = dir.path();
        std::fs::create_dir(root.join(CACHE)).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("target"),
            root.join(CACHE).join(".gitignore"),
        )
        .unwrap();
        let expected = reference(root);
        let output = check_json(root, &[]);
        assert_clean(&output, &[1]);
        assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
        assert_eq!(
            listing(outside.path()),
            before,
            "dangling: {dangling}: written through the symlinked cache .gitignore"
        );
        other_commands_leave_alone(root, outside.path(), &before);
    }
}

/// `.ssot-audit-cache/facts.bin` a symlink out of the root (existing target
/// and dangling): never written through, and the target (a cache that would
/// hide the planted violation) is not read as the cache either.
#[cfg(unix)]
#[test]
fn a_symlinked_cache_file_is_never_written_through() {
    for dangling in [false, true] {
        let outside = tempfile::tempdir().unwrap();
        let dir = project();
        let root = dir.path();
        let hollow = hollow_cache(root);
        if !dangling {
            write(outside.path(), FACTS_NAME, hollow);
        }
        let before = listing(outside.path());
        std::fs::create_dir(root.join(CACHE)).unwrap();
        std::os::unix::fs::symlink(outside.path().join(FACTS_NAME), root.join(FACTS)).unwrap();
        let expected = reference(root);
        for _ in 0..2 {
            let output = check_json(root, &[]);
            assert_clean(&output, &[1]);
            assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
            assert_eq!(
                listing(outside.path()),
                before,
                "dangling: {dangling}: written through the symlinked cache file"
            );
        }
        other_commands_leave_alone(root, outside.path(), &before);
    }
}

// ---------------------------------------------------------------------------
// Named pipes where the run reads: no hang

/// A FIFO at `.ssot-audit-cache/facts.bin`: reading it would block for ever.
#[cfg(unix)]
#[test]
fn a_fifo_at_the_cache_file_does_not_hang() {
    let dir = project();
    let root = dir.path();
    let expected = reference(root);
    std::fs::create_dir(root.join(CACHE)).unwrap();
    mkfifo(&root.join(FACTS));
    for _ in 0..2 {
        let output = run_within(root, &["check", "--format", "json"], QUICK_LIMIT);
        assert_clean(&output, &[1]);
        assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
    }
}

/// A FIFO at the cache's own `.gitignore`.
#[cfg(unix)]
#[test]
fn a_fifo_at_the_cache_gitignore_does_not_hang() {
    let dir = project();
    let root = dir.path();
    let expected = reference(root);
    std::fs::create_dir(root.join(CACHE)).unwrap();
    mkfifo(&root.join(CACHE).join(".gitignore"));
    let output = run_within(root, &["check", "--format", "json"], QUICK_LIMIT);
    assert_clean(&output, &[1]);
    assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
}

/// A FIFO where an ignore file of the project is expected (the root
/// `.gitignore`, a nested one, a `.ignore`): the walk reads those files.
#[cfg(unix)]
#[test]
fn a_fifo_where_a_project_ignore_file_is_expected_does_not_hang() {
    for place in [".gitignore", "pkg/.gitignore", ".ignore"] {
        let dir = project();
        let root = dir.path();
        let expected = reference(root);
        mkfifo(&root.join(place));
        let output = run_within(root, &["check", "--format", "json"], QUICK_LIMIT);
        assert_clean(&output, &[1]);
        assert!(
            output.stderr.contains(place) && output.stderr.contains("not a regular file"),
            "{place}: no note: {}",
            output.describe()
        );
        // The same answer as without the pipe, but for the note about it.
        assert_eq!(
            support::without_notes(&output.stdout),
            support::without_notes(&expected.stdout),
            "{place}: {}",
            output.describe()
        );
    }
}

// ---------------------------------------------------------------------------
// A stale cache never supplies offsets

/// The text the cache is filled from: the planted violation on line 1.
fn stale_old_text() -> String {
    let mut text = String::from("from pkg.legacy import Manager\n");
    text.push_str(&format!("# {}\n", "a".repeat(60)));
    text
}

/// Other text of exactly the same size: multi-byte characters where the old
/// offsets point, and the violation on line 3 under another binding.
fn stale_new_text() -> String {
    let head = "# é ü é ü é ü é ü\nimport os\nfrom pkg.legacy import Manager as M\nprint(M)\n";
    let old = stale_old_text();
    assert!(head.len() + 3 <= old.len());
    let mut text = head.to_string();
    text.push_str(&format!("#{}\n", "b".repeat(old.len() - head.len() - 2)));
    assert_eq!(text.len(), old.len());
    text
}

/// A project whose cache holds the facts of [`stale_old_text`] while `app.py`
/// holds [`stale_new_text`] with the same size and mtime. Returns the tree
/// and the stale cache file to put back before each command.
fn stale_project() -> (tempfile::TempDir, Vec<u8>) {
    let dir = project();
    let root = dir.path();
    let app = root.join("app.py");
    std::fs::write(&app, stale_old_text()).unwrap();
    let mtime = std::fs::metadata(&app).unwrap().modified().unwrap();
    let filled = check_json(root, &[]);
    assert_clean(&filled, &[1]);
    let facts = std::fs::read(root.join(FACTS)).expect("check fills the cache");
    std::fs::write(&app, stale_new_text()).unwrap();
    restore_mtime(&app, mtime);
    (dir, facts)
}

fn restore_mtime(path: &Path, mtime: std::time::SystemTime) {
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_times(
        std::fs::FileTimes::new()
            .set_modified(mtime)
            .set_accessed(mtime),
    )
    .unwrap();
    drop(file);
    assert_eq!(std::fs::metadata(path).unwrap().modified().unwrap(), mtime);
}

/// Puts the stale cache and the original mtime back: each command below
/// meets the same stale state, whatever the one before rewrote.
fn make_stale_again(root: &Path, facts: &[u8], mtime: std::time::SystemTime) {
    std::fs::write(root.join(FACTS), facts).unwrap();
    restore_mtime(&root.join("app.py"), mtime);
}

/// A copy of `root` with the cache left out: the `--no-cache` twin.
fn twin(root: &Path) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    support::copy_tree(root, copy.path());
    copy
}

fn app_violation_lines(output: &support::Run) -> Vec<u64> {
    output.json()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["path"] == "app.py")
        .map(|v| v["line"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_stale_cache_entry_does_not_decide_what_check_reports() {
    let (dir, facts) = stale_project();
    let root = dir.path();
    let mtime = std::fs::metadata(root.join("app.py"))
        .unwrap()
        .modified()
        .unwrap();
    let copy = twin(root);
    let expected = reference(copy.path());
    let lines = app_violation_lines(&expected);
    assert!(!lines.is_empty() && lines.iter().all(|&line| line == 3));
    make_stale_again(root, &facts, mtime);
    let output = check_json(root, &[]);
    assert_clean(&output, &[1]);
    assert_eq!(app_violation_lines(&output), lines, "{}", output.describe());
    assert_eq!(output.stdout, expected.stdout);
}

/// Applies `plan --format json` edits of `path` (byte offsets) to `text`.
fn apply_plan(plan: &serde_json::Value, path: &str, text: &str) -> String {
    let mut edits: Vec<(usize, usize, String)> = plan["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|file| file["path"] == path)
        .flat_map(|file| file["fixes"].as_array().unwrap().iter())
        .flat_map(|fix| fix["edits"].as_array().unwrap().iter())
        .map(|edit| {
            (
                edit["start"].as_u64().unwrap() as usize,
                edit["end"].as_u64().unwrap() as usize,
                edit["replacement"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort();
    // Two fixes may carry the same edit (an SSOT002 and the SSOT003 of one
    // import both rewrite its module): it is made once, as `fix` makes it.
    edits.dedup();
    let mut out = text.to_string();
    for (start, end, replacement) in edits.into_iter().rev() {
        assert!(
            end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end),
            "edit {start}..{end} does not fit the text {text:?}"
        );
        out.replace_range(start..end, &replacement);
    }
    out
}

#[test]
fn a_stale_cache_entry_never_supplies_plan_offsets() {
    let (dir, facts) = stale_project();
    let root = dir.path();
    let mtime = std::fs::metadata(root.join("app.py"))
        .unwrap()
        .modified()
        .unwrap();
    let copy = twin(root);
    let expected = run(copy.path(), &["plan", "--format", "json", "--no-cache"]);
    assert_clean(&expected, &[0, 1]);
    make_stale_again(root, &facts, mtime);
    let output = run(root, &["plan", "--format", "json"]);
    assert_clean(&output, &[0, 1]);
    // Whatever it plans fits the text on disk.
    let planned = apply_plan(&output.json(), "app.py", &stale_new_text());
    if python3() {
        write(copy.path(), "planned.py", &planned);
        assert_parses(copy.path(), &["planned.py"]);
    }
    assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
}

#[test]
fn a_stale_cache_entry_never_supplies_fix_offsets() {
    let (dir, facts) = stale_project();
    let root = dir.path();
    let mtime = std::fs::metadata(root.join("app.py"))
        .unwrap()
        .modified()
        .unwrap();
    let copy = twin(root);
    assert_clean(&run(copy.path(), &["fix", "--no-cache"]), &[0, 1]);
    let expected = std::fs::read_to_string(copy.path().join("app.py")).unwrap();
    assert_ne!(
        expected,
        stale_new_text(),
        "the --no-cache fix rewrites app.py"
    );
    make_stale_again(root, &facts, mtime);
    let output = run(root, &["fix"]);
    assert_clean(&output, &[0, 1]);
    if python3() {
        assert_parses(root, &["app.py"]);
    }
    let fixed = std::fs::read_to_string(root.join("app.py")).unwrap();
    assert_eq!(fixed, expected, "{}", output.describe());
}

/// The stale-cache guarantee the tool keeps today: whatever it reports,
/// plans or writes with a stale entry, nothing panics, every edit fits the
/// text on disk and the file `fix` leaves still parses.
#[test]
fn a_stale_cache_entry_never_corrupts_a_file() {
    let (dir, facts) = stale_project();
    let root = dir.path();
    let mtime = std::fs::metadata(root.join("app.py"))
        .unwrap()
        .modified()
        .unwrap();
    for args in [
        &["check", "--format", "json"][..],
        &["check"],
        &["plan", "--format", "json"],
        &["fix", "--dry-run"],
        &["fix", "--diff"],
    ] {
        make_stale_again(root, &facts, mtime);
        let output = run(root, args);
        assert_clean(&output, &[0, 1]);
        assert_eq!(
            std::fs::read_to_string(root.join("app.py")).unwrap(),
            stale_new_text(),
            "{args:?} wrote app.py"
        );
        if args[0] == "plan" {
            apply_plan(&output.json(), "app.py", &stale_new_text());
        }
    }
    make_stale_again(root, &facts, mtime);
    let output = run(root, &["fix", "--unsafe-fixes"]);
    assert_clean(&output, &[0, 1]);
    let fixed = std::fs::read_to_string(root.join("app.py")).unwrap();
    assert!(
        fixed == stale_new_text() || !fixed.contains("joiManager"),
        "{fixed:?}"
    );
    if python3() {
        assert_parses(root, &["app.py", "pkg/legacy.py"]);
    }
}

// ---------------------------------------------------------------------------
// A corrupt cache is discarded, never fatal

/// A real cache of the project with every byte offset in `app.py`'s facts
/// moved far past the end of the file (size, mtime and hash kept, so the
/// entry is taken as fresh).
fn poisoned_cache(root: &Path) -> Vec<u8> {
    let (cache, facts) = cache_with_app_facts(root);
    let mut value = serde_json::to_value(&facts).unwrap();
    fn push_out(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, value) in map.iter_mut() {
                    if (key == "start" || key == "end") && value.is_u64() {
                        *value = serde_json::json!(1_000_000 + value.as_u64().unwrap());
                    } else {
                        push_out(value);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(push_out),
            _ => {}
        }
    }
    push_out(&mut value);
    assert!(value["imports"][0]["statement"]["start"].as_u64().unwrap() >= 1_000_000);
    with_app_facts(cache, serde_json::from_value(value).unwrap())
}

#[test]
fn a_corrupt_cache_gives_the_no_cache_answer() {
    let mut noise = Vec::new();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..4096 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        noise.push(state as u8);
    }
    let dir = project();
    let expected = reference(dir.path());
    assert_clean(&check_json(dir.path(), &[]), &[1]);
    let valid = std::fs::read(dir.path().join(FACTS)).unwrap();
    let key = FactsCache::from_bytes(&valid, None)
        .unwrap()
        .key()
        .to_string();
    // The layout of src/cache/mod.rs: magic (8 bytes), header length and header
    // checksum (u64 LE each), the header (postcard, the key first), blobs.
    let framed = |header: &[u8]| {
        let mut bytes = valid[..8].to_vec();
        bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&ssot_audit::fnv::hash_bytes(header).to_le_bytes());
        bytes.extend_from_slice(header);
        bytes
    };
    let mut right_key = vec![key.len() as u8];
    right_key.extend_from_slice(key.as_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("random bytes", noise.clone()),
        ("the magic, then random bytes", {
            let mut bytes = valid[..8].to_vec();
            bytes.extend_from_slice(&noise);
            bytes
        }),
        ("truncated", valid[..valid.len() / 2].to_vec()),
        ("one byte short", valid[..valid.len() - 1].to_vec()),
        ("one byte more", {
            let mut bytes = valid.clone();
            bytes.push(0);
            bytes
        }),
        ("the header alone", {
            let header_len = u64::from_le_bytes(valid[8..16].try_into().unwrap()) as usize;
            valid[..24 + header_len].to_vec()
        }),
        (
            "the old JSON cache",
            b"{\"key\": \"0\", \"needles\": [], \"entries\": {}}".to_vec(),
        ),
        ("0 bytes", Vec::new()),
        (
            "the right key, rows of the wrong shape, a valid checksum",
            {
                let mut header = right_key.clone();
                header.extend_from_slice(&noise[..64]);
                framed(&header)
            },
        ),
        (
            "the right key, a row's blob past the end, a valid checksum",
            {
                // key, no needles, one row: "app.py", size 1, mtime (1, 1),
                // hash 1, kind 0 (parsed), offset 0, length 100, checksum 0.
                let mut header = right_key.clone();
                header.extend_from_slice(&[0, 1, 6]);
                header.extend_from_slice(b"app.py");
                header.extend_from_slice(&[1, 1, 1, 1, 0, 0, 100, 0]);
                framed(&header)
            },
        ),
        ("invalid UTF-8 in a string", {
            let mut bytes = valid.clone();
            let at = bytes.windows(6).position(|w| w == b"app.py").unwrap();
            bytes[at] = 0xff;
            bytes
        }),
        ("a flipped byte in the last file's facts", {
            let mut bytes = valid.clone();
            let last = bytes.len() - 2;
            bytes[last] ^= 0x5a;
            bytes
        }),
    ];
    for (name, bytes) in cases {
        let dir = project();
        let root = dir.path();
        write(root, FACTS, &bytes);
        for attempt in 0..2 {
            let output = check_json(root, &[]);
            assert_clean(&output, &[1]);
            assert_eq!(
                output.stdout,
                expected.stdout,
                "{name}, run {attempt}: {}",
                output.describe()
            );
        }
        if let Ok(rebuilt) = std::fs::read(root.join(FACTS)) {
            assert!(
                FactsCache::from_bytes(&rebuilt, Some(&key)).is_some(),
                "{name}: the cache left behind is not a valid cache"
            );
        }
    }
}

/// A cache file past the size bound of src/cache/mod.rs (a sparse file, so it
/// costs no disk) is neither read nor fatal.
#[test]
fn an_oversized_cache_is_discarded() {
    let dir = project();
    let root = dir.path();
    let expected = reference(root);
    std::fs::create_dir(root.join(CACHE)).unwrap();
    let file = std::fs::File::create(root.join(FACTS)).unwrap();
    file.set_len(CACHE_MAX_BYTES + 1).unwrap();
    drop(file);
    let output = check_json(root, &[]);
    assert_clean(&output, &[1]);
    assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
    let left = std::fs::metadata(root.join(FACTS)).unwrap().len();
    assert!(left <= CACHE_MAX_BYTES, "{left} bytes left");
}

/// A cache whose entry for `app.py` is fresh by size, mtime and hash but
/// whose offsets lie past the end of the file (a poisoned cache committed to
/// the repository under review): no panic, and no file damaged.
#[test]
fn a_cache_with_out_of_range_offsets_never_panics() {
    let dir = project();
    let root = dir.path();
    let poisoned = poisoned_cache(root);
    let before = support::snapshot(root);
    for args in [
        &["check", "--format", "json"][..],
        &["check"],
        &["check", "--format", "github"],
        &["check", "--format", "sarif"],
        &["plan", "--format", "json"],
        &["report", "--format", "markdown"],
        &["report", "--format", "html"],
        &["fix", "--diff"],
    ] {
        write(root, FACTS, &poisoned);
        let output = run(root, args);
        assert_clean(&output, &[0, 1, 2]);
        assert_eq!(support::snapshot(root), before, "{args:?} changed the tree");
    }
    write(root, FACTS, &poisoned);
    let output = run(root, &["fix", "--unsafe-fixes"]);
    assert_clean(&output, &[0, 1, 2]);
    if python3() {
        assert_parses(root, &["app.py", "pkg/legacy.py"]);
    }
}

// ---------------------------------------------------------------------------
// Cache size

/// One file of `count` imports (and one needle, so it is parsed), and the
/// bytes of all the project's sources.
fn many_imports_project(count: usize) -> (tempfile::TempDir, u64) {
    let dir = project();
    let root = dir.path();
    let mut text = String::new();
    for i in 0..count {
        text.push_str(&format!("import m{i}\n"));
    }
    text.push_str(LEGACY_IMPORT);
    write(root, "big.py", &text);
    let source: u64 = support::snapshot(root)
        .values()
        .map(|bytes| bytes.len() as u64)
        .sum();
    (dir, source)
}

#[test]
fn the_cache_never_exceeds_its_byte_bound() {
    let (dir, source) = many_imports_project(200_000);
    let root = dir.path();
    let output = check_json(root, &[]);
    assert_clean(&output, &[1]);
    assert_still_audited(&output);
    let cache = std::fs::metadata(root.join(FACTS)).map_or(0, |m| m.len());
    let bound = ssot_audit::cache::bound(source);
    assert!(
        cache <= bound,
        "the cache is {cache} bytes for {source} bytes of source (bound {bound})"
    );
    // And the run after it (reading whatever was left) gives the same.
    let again = check_json(root, &[]);
    assert_eq!(again.stdout, output.stdout);
}

/// The `N` of `NAME=N` in the `--stats` line of a run's stderr.
fn stat(output: &support::Run, name: &str) -> u64 {
    let line = output
        .stderr
        .lines()
        .find(|line| line.starts_with("stats: "))
        .unwrap_or_else(|| panic!("no stats line: {}", output.describe()));
    line.split_whitespace()
        .find_map(|field| field.strip_prefix(name)?.strip_prefix('='))
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {line:?}"))
}

#[test]
fn the_cache_is_a_small_multiple_of_the_source() {
    let (dir, source) = many_imports_project(20_000);
    let root = dir.path();
    let output = check_json(root, &["--stats"]);
    assert_clean(&output, &[1]);
    assert_still_audited(&output);
    let cache = std::fs::metadata(root.join(FACTS))
        .expect("a cache is written")
        .len();
    eprintln!("cache: {cache} bytes for {source} bytes of source");
    assert_eq!(stat(&output, "cache_bytes"), cache);
    assert!(
        cache <= CACHE_SOURCE_MULTIPLE * source,
        "the cache is {cache} bytes for {source} bytes of source ({}x)",
        cache / source.max(1)
    );
    // The warm run gives the same answer, the project's small files from the
    // cache.
    let again = check_json(root, &["--stats"]);
    assert_clean(&again, &[1]);
    assert_eq!(again.stdout, output.stdout);
    assert_eq!(stat(&again, "selected"), 5);
    assert!(stat(&again, "cached") >= 4, "{}", again.describe());
}

// ---------------------------------------------------------------------------
// Threads

#[test]
fn absurd_thread_counts_are_clamped_with_a_note() {
    let dir = project();
    let root = dir.path();
    let expected = check_json(root, &["--threads", "2", "--no-cache"]);
    assert_clean(&expected, &[1]);
    for asked in ["100000", &usize::MAX.to_string()] {
        let started = Instant::now();
        let output = run_within(
            root,
            &[
                "check",
                "--format",
                "json",
                "--no-cache",
                "--threads",
                asked,
            ],
            QUICK_LIMIT,
        );
        assert_clean(&output, &[1]);
        assert_eq!(output.stdout, expected.stdout, "--threads {asked}");
        assert!(
            output
                .stderr
                .contains(&format!("--threads {asked} is more than 256: using 256")),
            "no clamping note for --threads {asked}: {}",
            output.describe()
        );
        eprintln!("--threads {asked}: {:?}", started.elapsed());
    }
    // Past usize: a usage error, not a panic.
    let output = run(root, &["check", "--threads", "99999999999999999999999"]);
    assert_clean(&output, &[2]);
}

// ---------------------------------------------------------------------------
// Terminal injection

const EVIL_NAME: &str = "x\u{1b}]0;owned\u{7}\u{1b}[2Jy.py";

fn assert_no_control_bytes(what: &str, text: &str) {
    for (index, byte) in text.bytes().enumerate() {
        assert!(
            byte != 0x1b && byte != 0x07,
            "{what}: raw {byte:#04x} at byte {index}: {:?}",
            &text[text.len().min(index.saturating_sub(40))..text.len().min(index + 40)]
        );
    }
}

/// The file and its planted violation, for the outputs that name files.
#[cfg(unix)]
fn evil_name_project() -> tempfile::TempDir {
    let dir = project();
    let root = dir.path();
    write(root, EVIL_NAME, LEGACY_IMPORT);
    let json = check_json(root, &["--no-cache"]);
    assert!(
        violations(&json.json()).contains(&(EVIL_NAME.to_string(), "SSOT003".to_string())),
        "{}",
        json.describe()
    );
    dir
}

/// Human, github and markdown output (and `report`, `plan`): no raw ESC or
/// BEL, and the file is still reported, escaped.
#[cfg(unix)]
#[test]
fn escape_sequences_in_file_names_never_reach_the_terminal() {
    let dir = evil_name_project();
    let root = dir.path();
    for args in [
        &["check"][..],
        &["check", "--format", "github"],
        &["report", "--format", "markdown"],
        &["report"],
        &["plan"],
    ] {
        let output = run(root, args);
        assert_clean(&output, &[0, 1]);
        assert_no_control_bytes(&format!("{args:?} stdout"), &output.stdout);
        assert_no_control_bytes(&format!("{args:?} stderr"), &output.stderr);
        if args[0] == "check" || args == ["report"] || args == ["plan"] {
            assert!(
                output.stdout.contains("]0;owned") && output.stdout.contains("[2Jy.py"),
                "{args:?} does not report the file: {}",
                output.describe()
            );
        }
    }
}

/// The file lists of `fix --dry-run` and the headers of `fix --diff`.
#[cfg(unix)]
#[test]
fn escape_sequences_in_file_names_never_reach_the_terminal_from_fix() {
    let dir = evil_name_project();
    let root = dir.path();
    for args in [&["fix", "--dry-run"][..], &["fix", "--diff"]] {
        let output = run(root, args);
        assert_clean(&output, &[0, 1]);
        assert!(output.stdout.contains("[2Jy.py"), "{}", output.describe());
        assert_no_control_bytes(&format!("{args:?} stdout"), &output.stdout);
        assert_no_control_bytes(&format!("{args:?} stderr"), &output.stderr);
    }
}

/// A skipped file (not UTF-8) with an escape sequence in its name: the note
/// on stderr is escaped too.
#[cfg(unix)]
#[test]
fn escape_sequences_in_skipped_file_names_never_reach_the_terminal() {
    let dir = project();
    let root = dir.path();
    write(root, "z\u{1b}[31mred\u{7}.py", b"import os\n\xff\xfe\n");
    for args in [&["check"][..], &["check", "--format", "github"]] {
        let output = run(root, args);
        assert_clean(&output, &[1]);
        assert!(
            output.stderr.contains("red"),
            "no note about the skipped file: {}",
            output.describe()
        );
        assert_no_control_bytes(&format!("{args:?} stderr"), &output.stderr);
        assert_no_control_bytes(&format!("{args:?} stdout"), &output.stdout);
    }
}

/// Escape sequences inside the source (a comment on the flagged line): the
/// snippets of the human output and the before/after lines of `plan` show
/// them escaped.
#[test]

fn escape_sequences_in_source_snippets_never_reach_the_terminal() {
    let dir = project();
    let root = dir.path();
    write(
        root,
        "app.py",
        "from pkg.legacy import Manager  # \u{1b}]0;owned\u{7}\u{1b}[2J\n",
    );
    for args in [
        &["check"][..],
        &["check", "--format", "github"],
        &["report", "--format", "markdown"],
        &["plan"],
        &["fix", "--diff"],
    ] {
        let output = run(root, args);
        assert_clean(&output, &[0, 1]);
        assert_no_control_bytes(&format!("{args:?} stdout"), &output.stdout);
        assert_no_control_bytes(&format!("{args:?} stderr"), &output.stderr);
        if args != ["check", "--format", "github"] && args != ["report", "--format", "markdown"] {
            // The line is still shown, its escape sequence inert.
            assert!(
                output
                    .stdout
                    .contains("Manager  # \\u{1b}]0;owned\\u{7}\\u{1b}[2J"),
                "{args:?}: the flagged line is not shown escaped: {}",
                output.describe()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Files vanishing and appearing during a scan

#[test]
fn files_vanishing_and_appearing_during_a_scan() {
    const FILES: usize = 3000;
    let dir = project();
    let root = dir.path().to_path_buf();
    let path_of = |i: usize| root.join(format!("churn/d{}/m{i}.py", i % 30));
    for i in 0..FILES {
        let path = path_of(i);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, LEGACY_IMPORT).unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let churn = {
        let stop = Arc::clone(&stop);
        let paths: Vec<PathBuf> = (0..FILES).map(path_of).collect();
        let root = root.clone();
        std::thread::spawn(move || {
            let mut rounds = 0_u64;
            while !stop.load(Ordering::Relaxed) {
                for (i, path) in paths.iter().enumerate().step_by(7) {
                    let _ = std::fs::remove_file(path);
                    let _ = std::fs::remove_dir(path);
                    match (i / 7 + rounds as usize) % 5 {
                        // Swapped for a directory or a named pipe of the
                        // same name, put back next round.
                        3 => {
                            let _ = std::fs::create_dir(path);
                            continue;
                        }
                        4 => {
                            #[cfg(unix)]
                            {
                                let name =
                                    std::ffi::CString::new(path.as_os_str().as_encoded_bytes())
                                        .unwrap();
                                // SAFETY: a valid NUL-terminated path.
                                unsafe { libc::mkfifo(name.as_ptr(), 0o644) };
                            }
                            continue;
                        }
                        _ => {}
                    }
                    let text = match (i + rounds as usize) % 3 {
                        0 => LEGACY_IMPORT.to_string(),
                        1 => format!("# é\n{LEGACY_IMPORT}x = Manager()\n"),
                        _ => "from pkg.core import Manager\n".to_string(),
                    };
                    let _ = std::fs::write(path, text);
                    let fresh = root.join(format!("churn/new{}.py", i % 50));
                    if rounds.is_multiple_of(2) {
                        let _ = std::fs::write(&fresh, LEGACY_IMPORT);
                    } else {
                        let _ = std::fs::remove_file(&fresh);
                    }
                }
                rounds += 1;
            }
            rounds
        })
    };
    let runs = std::sync::atomic::AtomicUsize::new(0);
    let outcome = std::panic::catch_unwind(|| {
        for args in [
            &["check", "--format", "json"][..],
            &["check", "--format", "json", "--no-cache"],
            &["check", "--format", "json"],
            &["check"],
            &["plan", "--format", "json"],
        ] {
            let output = run(&root, args);
            assert_clean(&output, &[0, 1, 2]);
            if args.contains(&"json") && output.code != Some(2) {
                output.json();
            }
            eprintln!("{args:?}: exit {:?}", output.code);
            runs.fetch_add(1, Ordering::Relaxed);
        }
    });
    stop.store(true, Ordering::Relaxed);
    let rounds = churn.join().unwrap();
    let runs = runs.into_inner();
    eprintln!("{runs} runs against {rounds} churn rounds over {FILES} files");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

// ---------------------------------------------------------------------------
// A read-only cache directory

#[cfg(unix)]
fn running_as_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The cache directory read-only, without a `.gitignore` yet and with one:
/// `check` succeeds, reports, and never leaves a 0-byte `.gitignore`.
#[cfg(unix)]
#[test]
fn a_read_only_cache_directory_is_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    if running_as_root() {
        support::note("running as root, which writes into a mode-555 directory: not checked");
        return;
    }
    for with_gitignore in [false, true] {
        let dir = project();
        let root = dir.path();
        let expected = reference(root);
        let cache = root.join(CACHE);
        std::fs::create_dir(&cache).unwrap();
        if with_gitignore {
            write(root, ".ssot-audit-cache/.gitignore", "*\n");
        }
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555)).unwrap();
        let output = check_json(root, &[]);
        let second = check_json(root, &[]);
        std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
        for output in [&output, &second] {
            assert_clean(output, &[1]);
            assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
        }
        if let Ok(metadata) = std::fs::metadata(cache.join(".gitignore")) {
            assert!(metadata.len() > 0, "a 0-byte .gitignore was left");
        }
    }
}

#[cfg(unix)]
#[test]
fn a_cache_that_is_a_file_is_noted() {
    let dir = project();
    let root = dir.path();
    write(root, CACHE, "not a directory\n");
    let output = check_json(root, &[]);
    assert_clean(&output, &[1]);
    assert!(
        output.stderr.contains(CACHE) && output.stderr.contains("not written"),
        "no note that the cache could not be written: {}",
        output.describe()
    );
    assert_eq!(
        std::fs::read_to_string(root.join(CACHE)).unwrap(),
        "not a directory\n"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_cache_directory_is_noted() {
    use std::os::unix::fs::PermissionsExt;
    if running_as_root() {
        support::note("running as root, which writes into a mode-555 directory: not checked");
        return;
    }
    let dir = project();
    let root = dir.path();
    let cache = root.join(CACHE);
    std::fs::create_dir(&cache).unwrap();
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o555)).unwrap();
    let output = check_json(root, &[]);
    std::fs::set_permissions(&cache, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_clean(&output, &[1]);
    assert!(
        output.stderr.contains(CACHE),
        "no note that the cache could not be written: {}",
        output.describe()
    );
}

// ---------------------------------------------------------------------------
// Determinism

/// The demo's `check --format json` is the same for 1, 2 and 8 threads with
/// no cache, a cold cache and a warm one.
#[test]
fn output_is_identical_across_threads_and_cache_states() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("demo");
    support::copy_tree(&support::fixture("demo"), &root);
    let reference = check_json(&root, &["--threads", "1", "--no-cache"]);
    assert_clean(&reference, &[1]);
    assert!(reference.json()["violations"].as_array().unwrap().len() > 10);
    for threads in ["1", "2", "8"] {
        for state in ["no cache", "cold cache", "warm cache"] {
            let mut extra = vec!["--threads", threads];
            match state {
                "no cache" => extra.push("--no-cache"),
                "cold cache" => {
                    let _ = std::fs::remove_dir_all(root.join(CACHE));
                }
                _ => {}
            }
            let output = check_json(&root, &extra);
            assert_clean(&output, &[1]);
            assert!(
                output.stdout == reference.stdout,
                "--threads {threads} with {state} changed the output"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// python3 for the parse checks

fn python3() -> bool {
    support::require_tool("python3", "apt-get install python3")
}

/// Every one of `paths` (relative to `root`) parses as Python.
fn assert_parses(root: &Path, paths: &[&str]) {
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg("import ast, sys\nfor p in sys.argv[1:]:\n    ast.parse(open(p, encoding='utf-8').read(), p)\n")
        .args(paths)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "does not parse:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------------------
// A 200 MB single line, and a full disk

/// A 200 MB file of one line (sparse: nothing is stored, the size is what
/// counts): skipped with a note before a byte of it is read, the rest of the
/// project audited as usual.
#[test]
fn a_200_mb_single_line_is_skipped_with_a_note() {
    let dir = project();
    let root = dir.path();
    let huge = std::fs::File::create(root.join("huge.py")).unwrap();
    huge.set_len(200 << 20).unwrap();
    drop(huge);
    let output = run_within(root, &["check", "--format", "json"], QUICK_LIMIT);
    assert_clean(&output, &[1]);
    assert_still_audited(&output);
    assert!(
        output.stderr.contains("huge.py") && output.stderr.contains("too large"),
        "no note about the skipped file: {}",
        output.describe()
    );
}

/// `ssot-audit args` in `dir` where no file may grow past `limit` bytes
/// (RLIMIT_FSIZE, with SIGXFSZ ignored: a write past it fails with EFBIG, as
/// on a full disk).
#[cfg(unix)]
fn run_with_file_size_limit(dir: &Path, args: &[&str], limit: u64) -> support::Run {
    use std::os::unix::process::CommandExt;
    let mut command = support::command(dir, args);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let rlimit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            Ok(())
        });
    }
    support::wait(command.spawn().expect("the binary starts"))
}

/// A full disk: the cache's `.gitignore` and cache file are never left empty
/// or cut short (each is written whole or not at all), `check` still
/// answers, and a later run with room writes them whole.
#[cfg(unix)]
#[test]
fn a_full_disk_leaves_no_empty_or_partial_cache_file() {
    let dir = project();
    let root = dir.path();
    let expected = reference(root);
    let output = run_with_file_size_limit(root, &["check", "--format", "json"], 8);
    assert_clean(&output, &[1]);
    assert_eq!(output.stdout, expected.stdout, "{}", output.describe());
    assert!(
        output.stderr.contains(CACHE),
        "no note that the cache could not be written: {}",
        output.describe()
    );
    for name in [".gitignore", FACTS_NAME] {
        let path = root.join(CACHE).join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            panic!("{name} was left with {} bytes", bytes.len());
        }
    }
    let leftovers: Vec<String> = std::fs::read_dir(root.join(CACHE))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // With room again, both are written whole.
    let output = run(root, &["check", "--format", "json"]);
    assert_eq!(output.stdout, expected.stdout);
    let ignore = std::fs::read_to_string(root.join(CACHE).join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|line| line == "*"), "{ignore:?}");
    assert!(root.join(FACTS).is_file());
}

/// A full disk during `fix`: no file is cut short or emptied; every file is
/// its original or its fixed version, and no temporary file is left.
#[cfg(unix)]
#[test]
fn a_full_disk_during_fix_leaves_every_file_whole() {
    let dir = project();
    let root = dir.path();
    // A file too big for the limit next to small ones that fit.
    let mut big = String::from(LEGACY_IMPORT);
    big.push_str(&"# padding\n".repeat(100));
    write(root, "big.py", &big);
    let before = listing(root);
    let output = run_with_file_size_limit(root, &["fix", "--no-cache"], 200);
    assert_clean(&output, &[0, 1, 2]);
    let after = listing(root);
    for (path, bytes) in &after {
        if path.starts_with(CACHE) {
            continue;
        }
        let original = before
            .get(path)
            .unwrap_or_else(|| panic!("{path}: a new file was left: {}", output.describe()));
        if bytes != original {
            assert!(
                bytes.len() > 8,
                "{path} was cut short: {bytes:?}: {}",
                output.describe()
            );
        }
    }
    assert_eq!(
        after.get("big.py"),
        before.get("big.py"),
        "big.py could not be written whole, so it must be as it was: {}",
        output.describe()
    );
    assert!(
        output.stderr.contains("big.py"),
        "no word about big.py: {}",
        output.describe()
    );
}
