//! Shipping: the wheel (maturin, `bindings = "bin"`) installed into a fresh
//! virtual environment and run on the demo; the README's install and CI
//! snippets run as written (the package index stood in for by a directory
//! holding the wheel); the GitHub Action's script; one version everywhere;
//! completions and man pages. Without maturin, python3's venv, uv or pipx
//! the tests that need them fail under CI=true and are skipped elsewhere.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{render_output, succeed, timed, version};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo().join(relative))
        .unwrap_or_else(|error| panic!("cannot read {relative}: {error}"))
}

/// The bodies of the fenced code blocks of a Markdown text.
fn fenced_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            match current.take() {
                Some(body) => blocks.push(body),
                None => current = Some(String::new()),
            }
        } else if let Some(body) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    blocks
}

/// The one README code block holding `needle`.
fn readme_block(needle: &str) -> String {
    let found: Vec<String> = fenced_blocks(&read("README.md"))
        .into_iter()
        .filter(|block| block.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one README code block with {needle:?} expected: {found:#?}"
    );
    found[0].clone()
}

/// The commands of a shell block: comments and blank lines dropped.
fn commands(block: &str) -> Vec<String> {
    block
        .lines()
        .map(|line| line.split(" #").next().unwrap_or("").trim().to_string())
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// `sh -c LINE` in `dir`, with only the environment given added.
fn shell(line: &str, dir: &Path, env: &[(&str, &Path)]) -> Command {
    let mut command = Command::new("sh");
    command.arg("-c").arg(line).current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    for variable in ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "VIRTUAL_ENV"] {
        command.env_remove(variable);
    }
    command
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `BIN --version` prints the Cargo.toml version, as the cargo-built binary does.
fn assert_version(bin: &Path) {
    let installed = succeed(Command::new(bin).arg("--version"));
    assert_eq!(stdout(&installed), format!("ssot-audit {}\n", version()));
    let built = support::run(repo(), &["--version"]);
    assert_eq!(stdout(&installed), built.stdout);
}

/// `check` on the demo with `bin` prints and exits exactly as the
/// cargo-built binary does.
fn assert_checks_the_demo_like_the_built_binary(bin: &Path) {
    let demo = support::fixture("demo");
    for format in ["human", "json"] {
        let args = ["check", "--no-cache", "--format", format];
        let installed = Command::new(bin)
            .args(args)
            .current_dir(&demo)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let built = support::run(&demo, &args);
        assert_eq!(
            installed.status.code(),
            Some(1),
            "{}",
            render_output(&installed)
        );
        assert_eq!(installed.status.code(), built.code);
        assert_eq!(stdout(&installed), built.stdout, "{format} output differs");
    }
    // The headline counts as the demo prints them, e.g.
    // `total: 6 definition files, 33 violations in 20 files (13 fixable)`.
    let built = support::run(&demo, &["check", "--no-cache"]);
    let total = built
        .stdout
        .lines()
        .find(|line| line.starts_with("total: "))
        .unwrap_or_else(|| panic!("no total line:\n{}", built.describe()));
    let json = support::run(&demo, &["check", "--no-cache", "--format", "json"]).json();
    let summary = &json["summary"];
    assert_eq!(
        total,
        format!(
            "total: {} definition files, {} violations in {} files ({} fixable)",
            summary["definition_files"],
            summary["violations"],
            summary["files_with_violations"],
            summary["fixable"]
        )
    );
    assert!(summary["violations"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn wheel_installs_into_a_fresh_venv_and_checks_the_demo() -> TestResult {
    let Some(wheels) = support::wheel_dir() else {
        return Ok(());
    };
    let wheel = support::wheel(wheels);
    let dir = tempfile::tempdir()?;
    let Some(bin) = timed("python3 -m venv", || {
        support::venv(&dir.path().join("venv"))
    }) else {
        return Ok(());
    };
    timed("pip install the wheel", || {
        succeed(
            Command::new(bin.join("pip"))
                .args(["install", "--no-index", "--disable-pip-version-check"])
                .arg(&wheel),
        )
    });
    let installed = bin.join("ssot-audit");
    // The wheel carries the binary itself, not a wrapper of the build tree.
    let metadata = std::fs::symlink_metadata(&installed)?;
    assert!(
        metadata.is_file(),
        "{} is no regular file",
        installed.display()
    );
    assert_version(&installed);
    assert_checks_the_demo_like_the_built_binary(&installed);
    Ok(())
}

/// Where one install line puts the binary, and the environment that makes
/// it install from `wheels` instead of the package index.
struct Installer {
    bin: PathBuf,
    env: Vec<(&'static str, PathBuf)>,
}

fn installer(line: &str, home: &Path, wheels: &Path) -> Option<Installer> {
    let mut env = vec![
        ("HOME", home.to_path_buf()),
        ("PIP_NO_INDEX", PathBuf::from("1")),
        ("PIP_FIND_LINKS", wheels.to_path_buf()),
        ("PIP_DISABLE_PIP_VERSION_CHECK", PathBuf::from("1")),
        // pipx may install through uv.
        ("UV_NO_INDEX", PathBuf::from("1")),
        ("UV_FIND_LINKS", wheels.to_path_buf()),
        ("UV_CACHE_DIR", home.join("uv-cache")),
        ("UV_PYTHON_DOWNLOADS", PathBuf::from("never")),
    ];
    let tool = line.split_whitespace().next().unwrap_or("");
    let bin = match tool {
        "pip" => {
            let bin = support::venv(&home.join("venv"))?;
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin.clone()];
            dirs.extend(std::env::split_paths(&path));
            env.push(("PATH", std::env::join_paths(dirs).ok()?.into()));
            bin
        }
        "uv" => {
            if !support::require_tool("uv", "pip install uv") {
                return None;
            }
            env.push(("UV_TOOL_DIR", home.join("uv-tools")));
            env.push(("UV_TOOL_BIN_DIR", home.join("bin")));
            home.join("bin")
        }
        "pipx" => {
            if !support::require_tool("pipx", "pip install pipx") {
                return None;
            }
            env.push(("PIPX_HOME", home.join("pipx")));
            env.push(("PIPX_BIN_DIR", home.join("bin")));
            env.push(("PIPX_MAN_DIR", home.join("man")));
            home.join("bin")
        }
        _ => panic!("no test runs the README install line {line:?}"),
    };
    Some(Installer { bin, env })
}

#[test]
fn readme_install_commands_run_as_written() -> TestResult {
    let Some(wheels) = support::wheel_dir() else {
        return Ok(());
    };
    let block = readme_block("uv tool install ssot-audit");
    let lines = commands(&block);
    assert_eq!(
        lines,
        [
            "pip install ssot-audit",
            "uv tool install ssot-audit",
            "pipx install ssot-audit"
        ]
    );
    for line in &lines {
        let home = tempfile::tempdir()?;
        let Some(installer) = installer(line, home.path(), wheels) else {
            continue;
        };
        let env: Vec<(&str, &Path)> = installer
            .env
            .iter()
            .map(|(name, value)| (*name, value.as_path()))
            .collect();
        timed(line, || succeed(&mut shell(line, home.path(), &env)));
        assert_version(&installer.bin.join("ssot-audit"));
    }
    Ok(())
}

/// The README's build-from-a-checkout lines: `maturin build --release` is what
/// [`support::wheel_dir`] runs; the `pip install` of its output, as written.
#[test]
fn readme_wheel_from_a_checkout() -> TestResult {
    let block = readme_block("maturin build --release");
    let lines = commands(&block);
    assert_eq!(
        lines,
        [
            "maturin build --release",
            "pip install target/wheels/ssot_audit-*.whl"
        ]
    );
    if support::wheel_dir().is_none() {
        return Ok(());
    }
    let home = tempfile::tempdir()?;
    let Some(bin) = support::venv(&home.path().join("venv")) else {
        return Ok(());
    };
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.clone()];
    dirs.extend(std::env::split_paths(&path));
    let path = PathBuf::from(std::env::join_paths(dirs)?);
    // The line names the checkout's target/.
    if support::target_dir() != repo().join("target") {
        support::note("CARGO_TARGET_DIR is elsewhere: the wheel is not in target/wheels");
        return Ok(());
    }
    succeed(&mut shell(
        &lines[1],
        repo(),
        &[("PATH", &path), ("PIP_NO_INDEX", Path::new("1"))],
    ));
    assert_version(&bin.join("ssot-audit"));
    Ok(())
}

/// `cargo install --path . --locked`: the lock file is current (`--locked`
/// would refuse otherwise) and `.` is a package with the `ssot-audit` binary.
/// Not built here: the wheel test builds the same release binary.
#[test]
fn readme_cargo_install_line_is_installable() -> TestResult {
    let block = readme_block("cargo install --path .");
    assert_eq!(commands(&block), ["cargo install --path . --locked"]);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = succeed(
        Command::new(cargo)
            .args(["metadata", "--locked", "--format-version", "1", "--no-deps"])
            .current_dir(repo()),
    );
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let package = &metadata["packages"][0];
    assert_eq!(package["version"], version());
    let bins: Vec<&str> = package["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|target| target["kind"][0] == "bin")
        .filter_map(|target| target["name"].as_str())
        .collect();
    assert_eq!(bins, ["ssot-audit"]);
    Ok(())
}

/// Every `rev:` and action `@v` in the README, the mirror's pin, the
/// changelog's newest release and `--version` are Cargo.toml's version.
#[test]
fn one_version_everywhere() {
    let tag = format!("v{}", version());
    let readme = read("README.md");
    let revs: Vec<&str> = readme
        .lines()
        .filter_map(|line| line.trim().strip_prefix("rev: "))
        .collect();
    assert!(revs.len() >= 3, "README shows the pre-commit rev: {revs:?}");
    assert!(revs.iter().all(|rev| *rev == tag), "{revs:?} != {tag}");
    let action_refs: Vec<&str> = readme
        .lines()
        .filter(|line| line.contains("uses: <this repository's owner/name>@"))
        .filter_map(|line| line.split('@').nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    assert_eq!(action_refs, [tag.as_str()]);

    let mirror = read("pre-commit-mirror/pyproject.toml");
    assert!(
        mirror.contains(&format!("dependencies = [\"ssot-audit=={}\"]", version())),
        "the mirror pins another version:\n{mirror}"
    );
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("dynamic = [\"version\"]"), "{pyproject}");
    assert!(!pyproject.lines().any(|line| line.starts_with("version")));

    let changelog = read("CHANGELOG.md");
    let releases: Vec<&str> = changelog
        .lines()
        .filter_map(|line| line.strip_prefix("## ["))
        .filter_map(|rest| rest.split(']').next())
        .filter(|name| *name != "Unreleased")
        .collect();
    assert_eq!(releases.first(), Some(&version()), "{releases:?}");

    let run = support::run(repo(), &["--version"]);
    run.assert_code(0);
    assert_eq!(run.stdout, format!("ssot-audit {}\n", version()));
}

/// The README's pre-commit snippets use hooks the manifests define.
#[test]
fn readme_pre_commit_snippets_name_real_hooks() {
    let ids = |manifest: &str| -> BTreeSet<String> {
        read(manifest)
            .lines()
            .filter_map(|line| line.strip_prefix("- id: "))
            .map(str::to_string)
            .collect()
    };
    let mirror = ids("pre-commit-mirror/.pre-commit-hooks.yaml");
    let source = ids(".pre-commit-hooks.yaml");
    assert_eq!(mirror, source, "both repositories offer the same hooks");
    for needle in [
        "repo: <the pre-commit mirror's git URL>   #",
        "repo: <the pre-commit mirror's git URL>\n",
        "repo: <this repository's git URL>",
    ] {
        let block = readme_block(needle);
        for line in block.lines() {
            if let Some(id) = line.trim().strip_prefix("- id: ") {
                let id = id.split_whitespace().next().unwrap_or("");
                let defined = if needle.contains("mirror") {
                    &mirror
                } else {
                    &source
                };
                assert!(defined.contains(id), "{id} is not a hook of {needle}");
            }
        }
    }
    for (manifest, language) in [
        ("pre-commit-mirror/.pre-commit-hooks.yaml", "python"),
        (".pre-commit-hooks.yaml", "rust"),
    ] {
        let text = read(manifest);
        let languages: Vec<&str> = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("language: "))
            .collect();
        assert_eq!(languages, [language, language], "{manifest}");
        assert_eq!(text.matches("require_serial: true").count(), 2);
        assert!(text.contains("entry: ssot-audit check\n"));
        assert!(text.contains("entry: ssot-audit fix --exit-zero\n"));
    }
}

/// The names declared under a top-level YAML key of action.yml (`inputs:`).
fn declared(action: &str, key: &str) -> BTreeSet<String> {
    action
        .lines()
        .skip_while(|line| *line != format!("{key}:"))
        .skip(1)
        .take_while(|line| line.is_empty() || line.starts_with(' '))
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|line| !line.starts_with(' '))
        .filter_map(|line| line.strip_suffix(':'))
        .map(str::to_string)
        .collect()
}

/// Every `<prefix>NAME` in `text`, NAME made of `[A-Za-z0-9_-]`.
fn references(text: &str, prefix: &str) -> BTreeSet<String> {
    text.split(prefix)
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn action_yml_its_script_and_the_readme_agree() {
    let action = read("action.yml");
    let script = read("action/run.sh");
    let inputs = declared(&action, "inputs");
    assert_eq!(
        inputs,
        [
            "args",
            "format",
            "pip-args",
            "sarif-file",
            "upload-sarif",
            "version",
            "working-directory"
        ]
        .map(String::from)
        .into(),
    );
    assert_eq!(
        references(&action, "inputs."),
        inputs,
        "inputs used = declared"
    );
    assert!(action.contains("using: composite"));
    assert!(action.contains("uses: github/codeql-action/upload-sarif@"));
    assert!(action.contains("run: '\"$GITHUB_ACTION_PATH/action/run.sh\"'"));
    // What action.yml hands the script is what the script reads.
    let handed = references(&action, "SSOT_AUDIT_");
    let read_by_script = references(&script, "${SSOT_AUDIT_");
    let mut expected = handed.clone();
    expected.insert("VENV".into());
    assert_eq!(read_by_script, expected);
    for output in declared(&action, "outputs") {
        assert!(
            script.contains(&format!("output {output} ")),
            "the script never writes {output}"
        );
    }
    // The README's workflow passes inputs that exist; its table lists them all.
    let workflow = readme_block("uses: <this repository's owner/name>@");
    let given: Vec<&str> = workflow
        .lines()
        .skip_while(|line| line.trim() != "with:")
        .skip(1)
        .filter_map(|line| line.trim().split(':').next())
        .filter(|key| !key.is_empty())
        .collect();
    assert!(!given.is_empty());
    for key in given {
        assert!(
            inputs.contains(key),
            "the README passes unknown input {key}"
        );
    }
    let readme = read("README.md");
    for input in &inputs {
        assert!(
            readme.contains(&format!("| `{input}` |")),
            "README's input table misses {input}"
        );
    }
}

/// The `args:` the README's workflow passes to the action.
fn readme_workflow_args() -> String {
    let workflow = readme_block("uses: <this repository's owner/name>@");
    workflow
        .lines()
        .find_map(|line| line.trim().strip_prefix("args: "))
        .map(str::to_string)
        .unwrap_or_default()
}

struct ActionRun {
    output: std::process::Output,
    github_output: String,
    github_path: String,
}

/// `action/run.sh` on `project` as the action runs it, pip pointed at the
/// wheel directory instead of the package index.
fn run_action(project: &Path, wheels: &Path, inputs: &[(&str, &str)]) -> ActionRun {
    let scratch = tempfile::tempdir().unwrap();
    let github_output = scratch.path().join("output");
    let github_path = scratch.path().join("path");
    let mut command = Command::new(repo().join("action/run.sh"));
    command
        .current_dir(project)
        .env("RUNNER_TEMP", scratch.path())
        .env("GITHUB_OUTPUT", &github_output)
        .env("GITHUB_PATH", &github_path)
        .env("PIP_NO_INDEX", "1")
        .env("PIP_FIND_LINKS", wheels)
        .env("NO_COLOR", "1");
    for (name, value) in inputs {
        command.env(format!("SSOT_AUDIT_{name}"), value);
    }
    let output = timed("action/run.sh", || command.output().unwrap());
    ActionRun {
        output,
        github_output: std::fs::read_to_string(&github_output).unwrap_or_default(),
        github_path: std::fs::read_to_string(&github_path).unwrap_or_default(),
    }
}

fn sarif_results(text: &str) -> Vec<String> {
    let sarif: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|error| panic!("not SARIF ({error}):\n{text}"));
    assert_eq!(sarif["version"], "2.1.0");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| result["ruleId"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn action_script_writes_sarif_or_annotations() -> TestResult {
    let Some(wheels) = support::wheel_dir() else {
        return Ok(());
    };
    if !support::require_tool("python3", "apt-get install python3") {
        return Ok(());
    }
    let dir = tempfile::tempdir()?;
    let project = dir.path().join("demo");
    support::copy_tree(&support::fixture("demo"), &project);

    // SARIF of the whole demo: what the built binary reports, and the
    // violations make the job fail after the upload, not before.
    let sarif = run_action(&project, wheels, &[]);
    assert_eq!(
        sarif.output.status.code(),
        Some(0),
        "{}",
        render_output(&sarif.output)
    );
    let file = project.join("ssot-audit.sarif");
    assert!(
        sarif.github_output.contains("exit-code=1\n"),
        "{}",
        sarif.github_output
    );
    assert!(
        sarif
            .github_output
            .contains(&format!("sarif-file={}\n", file.display())),
        "{}",
        sarif.github_output
    );
    assert!(
        sarif.github_path.trim_end().ends_with("/bin"),
        "{}",
        sarif.github_path
    );
    let built = support::run(&project, &["check", "--format", "sarif", "--no-cache"]);
    let results = sarif_results(&std::fs::read_to_string(&file)?);
    assert_eq!(results, sarif_results(&built.stdout));
    assert!(!results.is_empty());

    // The README's workflow: with a baseline, only a new violation is reported.
    let args = readme_workflow_args();
    assert_eq!(args, "--baseline ssot-baseline.json");
    support::run(&project, &["baseline", "--output", "ssot-baseline.json"]).assert_code(0);
    let gated = run_action(&project, wheels, &[("ARGS", &args)]);
    assert_eq!(
        gated.output.status.code(),
        Some(0),
        "{}",
        render_output(&gated.output)
    );
    assert!(
        gated.github_output.contains("exit-code=0\n"),
        "{}",
        gated.github_output
    );
    assert!(sarif_results(&std::fs::read_to_string(&file)?).is_empty());
    support::write(
        &project,
        "netra_backend/app/new_consumer.py",
        "from netra_backend.app.websocket_core.manager import WebSocketManager\n",
    );
    let new = run_action(&project, wheels, &[("ARGS", &args)]);
    assert_eq!(
        new.output.status.code(),
        Some(0),
        "{}",
        render_output(&new.output)
    );
    assert!(
        new.github_output.contains("exit-code=1\n"),
        "{}",
        new.github_output
    );
    assert_eq!(sarif_results(&std::fs::read_to_string(&file)?), ["SSOT003"]);

    // Annotations: the built binary's lines, and check's exit code.
    let github = run_action(&project, wheels, &[("FORMAT", "github"), ("ARGS", &args)]);
    assert_eq!(
        github.output.status.code(),
        Some(1),
        "{}",
        render_output(&github.output)
    );
    let built = support::run(
        &project,
        &[
            "check",
            "--format",
            "github",
            "--no-cache",
            "--baseline",
            "ssot-baseline.json",
        ],
    );
    let annotations: Vec<String> = stdout(&github.output)
        .lines()
        .filter(|line| line.starts_with("::"))
        .map(str::to_string)
        .collect();
    let expected: Vec<&str> = built
        .stdout
        .lines()
        .filter(|line| line.starts_with("::"))
        .collect();
    assert_eq!(annotations, expected);
    assert_eq!(annotations.len(), 1);
    assert!(annotations[0].contains("file=netra_backend/app/new_consumer.py,"));

    // A bad input is an error (2), reported before anything is installed.
    let bad = run_action(&project, wheels, &[("FORMAT", "xml")]);
    assert_eq!(
        bad.output.status.code(),
        Some(2),
        "{}",
        render_output(&bad.output)
    );
    assert!(String::from_utf8_lossy(&bad.output.stderr).contains("format must be sarif or github"));
    Ok(())
}

/// Loaded into bash, the script completes subcommands and their options.
fn assert_bash_completes(script: &str) -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("ssot-audit.bash");
    std::fs::write(&path, script)?;
    // What bash does on TAB: COMP_WORDS / COMP_CWORD set, then the function
    // registered for the command called with (command, word, previous word).
    let probe = r#"source "$1"
complete -p ssot-audit
complete_words() {
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
    local function
    function=$(complete -p ssot-audit | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
    "$function" ssot-audit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    echo "$*: ${COMPREPLY[*]}"
}
complete_words ssot-audit che
complete_words ssot-audit check --update
complete_words ssot-audit fix --unsafe
complete_words ssot-audit completions z
"#;
    let output = succeed(
        Command::new("bash")
            .arg("-c")
            .arg(probe)
            .arg("bash")
            .arg(&path),
    );
    let text = stdout(&output);
    for expected in [
        "ssot-audit che: check\n",
        "ssot-audit check --update: --update-baseline\n",
        "ssot-audit fix --unsafe: --unsafe-fixes\n",
        "ssot-audit completions z: zsh\n",
    ] {
        assert!(text.contains(expected), "{expected:?} not in\n{text}");
    }
    Ok(())
}

#[test]
fn completions_for_each_shell() -> TestResult {
    for (shell, marker) in [
        ("bash", "complete -F _ssot__audit"),
        ("zsh", "#compdef ssot-audit"),
        ("fish", "complete -c ssot-audit"),
    ] {
        let run = support::run(repo(), &["completions", shell]);
        run.assert_code(0);
        assert!(run.stdout.contains(marker), "{shell}: {marker} missing");
        for word in ["check", "baseline", "update-baseline", "unsafe-fixes"] {
            // fish writes long options as `-l update-baseline`.
            let option = if shell == "fish" || !word.contains('-') {
                word.to_string()
            } else {
                format!("--{word}")
            };
            assert!(
                run.stdout.contains(&option),
                "{shell} does not complete {option}"
            );
        }
        if shell == "bash" && support::require_tool("bash", "apt-get install bash") {
            assert_bash_completes(&run.stdout)?;
        }
    }
    let unknown = support::run(repo(), &["completions", "tcsh"]);
    unknown.assert_code(2);
    Ok(())
}

#[test]
fn man_pages_describe_every_command() -> TestResult {
    let page = support::run(repo(), &["manpage"]);
    page.assert_code(0);
    assert!(
        page.stdout
            .contains(&format!(".TH ssot-audit 1  \"ssot-audit {}\"", version())),
        "{}",
        page.describe()
    );
    let commands = [
        "check",
        "report",
        "imports",
        "plan",
        "fix",
        "baseline",
        "discover",
        "history",
        "completions",
        "manpage",
    ];
    for command in commands {
        assert!(
            page.stdout
                .contains(&format!("ssot\\-audit\\-{command}(1)")),
            "the main page does not list {command}"
        );
    }
    let dir = tempfile::tempdir()?;
    let pages = dir.path().join("man1");
    support::run(
        repo(),
        &["manpage", "--dir", pages.to_str().unwrap_or_default()],
    )
    .assert_code(0);
    let mut written: Vec<String> = std::fs::read_dir(&pages)?
        .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    written.sort();
    let mut expected: Vec<String> = commands
        .iter()
        .map(|command| format!("ssot-audit-{command}.1"))
        .collect();
    expected.push("ssot-audit.1".into());
    expected.sort();
    assert_eq!(written, expected);
    let check = std::fs::read_to_string(pages.join("ssot-audit-check.1"))?;
    assert!(check.contains("\\-\\-baseline"), "{check}");
    assert_eq!(
        std::fs::read_to_string(pages.join("ssot-audit.1"))?,
        page.stdout
    );
    Ok(())
}
