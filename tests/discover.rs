//! `discover`: the planted fragmentation is found and ranked first, a clean
//! project yields nothing, and the rules it writes drive `check` on the demo.

mod support;

use std::collections::BTreeSet;

use serde_json::Value;
use support::{copy_tree, fixture, run};

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("valid JSON")
}

#[test]
fn fragmented_event_bus_is_ranked_first() {
    let dir = fixture("discover/fragmented");
    let human = run(&dir, &["discover"]);
    assert_eq!(human.code, Some(0), "{}", human.render());
    insta::assert_snapshot!("fragmented_human", human.render());

    let output = run(&dir, &["discover", "--format", "json"]);
    assert_eq!(output.code, Some(0), "{}", output.render());
    let document = json(&output.stdout);
    assert_eq!(document["version"], 1);
    let first = &document["candidates"][0];
    assert_eq!(first["rank"], 1);
    assert_eq!(first["name"], "event-bus");
    assert_eq!(first["canonical"], "shop.events.bus:EventBus");
    assert_eq!(
        first["evidence"],
        "9 importers resolve to it; 2 definitions elsewhere; \
         legacy shop.events.compat: a shim (only imports, aliases and `__all__`)"
    );
    assert_eq!(
        first["legacy_modules"],
        serde_json::json!(["shop.events.compat"])
    );
    assert_eq!(first["legacy"][0]["kind"], "shim");
    assert_eq!(first["allow"], serde_json::json!(["tests/fakes.py"]));
    // Any prefix, and words inserted before the last one.
    assert_eq!(first["definition"], r"(?i)^\w*Event(?-i:[A-Z0-9_]\w*)?Bus$");
    insta::assert_snapshot!("fragmented_json", output.render());
}

#[test]
fn clean_project_proposes_nothing() {
    let dir = fixture("discover/clean");
    let human = run(&dir, &["discover"]);
    assert_eq!(human.code, Some(0), "{}", human.render());
    assert!(
        human.stdout.starts_with("no candidate concepts"),
        "{}",
        human.stdout
    );
    // `LoanRenewalPolicy` matches `LoanPolicy`'s regex, but a regex match
    // alone makes no candidate.
    let output = run(&dir, &["discover", "--format", "json"]);
    let document = json(&output.stdout);
    assert_eq!(document["candidates"], serde_json::json!([]));
    assert_eq!(document["total_candidates"], 0);
    // Test doubles count only when asked for, and even then `FakeBook`
    // (a subclass, imported nowhere) is one definition of its own name.
    let with_tests = run(&dir, &["discover", "--format", "json", "--include-tests"]);
    assert_eq!(
        json(&with_tests.stdout)["candidates"],
        serde_json::json!([])
    );
}

#[test]
fn top_paths_and_thread_counts() {
    let dir = fixture("discover/fragmented");
    let capped = json(&run(&dir, &["discover", "--format", "json", "--top", "1"]).stdout);
    assert_eq!(capped["candidates"].as_array().unwrap().len(), 1);
    assert_eq!(capped["total_candidates"], 2);
    // Only the shown candidates are built in full: the same as the first of all.
    let all = json(&run(&dir, &["discover", "--format", "json", "--top", "0"]).stdout);
    assert_eq!(capped["candidates"][0], all["candidates"][0]);
    assert_eq!(all["candidates"].as_array().unwrap().len(), 2);
    // A path limits the candidates to those touching it; the index stays whole.
    let notifications = json(
        &run(
            &dir,
            &["discover", "--format", "json", "shop/notifications"],
        )
        .stdout,
    );
    let names: Vec<&str> = notifications["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|candidate| candidate["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["event-bus"]);
    let one = run(&dir, &["discover", "--threads", "1", "--format", "json"]);
    let eight = run(&dir, &["discover", "--threads", "8", "--format", "json"]);
    assert_eq!(one.stdout, eight.stdout);
}

/// Skimming function bodies before the parse changes nothing: the same
/// report as parsing every file in full, on every project discover knows.
#[test]
fn skimming_changes_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let demo = temp.path().join("demo");
    copy_tree(&fixture("demo"), &demo);
    std::fs::remove_file(demo.join("rules.toml")).expect("rules.toml moved away");
    let projects = [
        fixture("discover/fragmented"),
        fixture("discover/clean"),
        fixture("rust_workspace"),
        demo,
    ];
    for dir in projects {
        for format in ["json", "human"] {
            let skimmed = run(&dir, &["discover", "--format", format, "--top", "0"]);
            let full = run(
                &dir,
                &[
                    "discover",
                    "--format",
                    format,
                    "--top",
                    "0",
                    "--no-prefilter",
                ],
            );
            assert_eq!(skimmed.code, Some(0), "{}", skimmed.render());
            assert_eq!(skimmed.stdout, full.stdout, "{}", dir.display());
            assert!(!skimmed.stdout.is_empty());
        }
    }
}

type Key = (String, String, String, u64, u64);

/// `(code, via, path, line, column)` of one concept's violations in `check --format json`.
fn violations_of(check: &Value, concept: &str) -> BTreeSet<Key> {
    check["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|violation| violation["concept"] == concept)
        .map(|violation| {
            (
                violation["code"].as_str().unwrap().to_string(),
                violation["via"].as_str().unwrap().to_string(),
                violation["path"].as_str().unwrap().to_string(),
                violation["line"].as_u64().unwrap(),
                violation["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn demo_round_trip_through_written_rules() {
    let temp = tempfile::tempdir().unwrap();
    let demo = temp.path().join("demo");
    copy_tree(&fixture("demo"), &demo);
    std::fs::remove_file(demo.join("rules.toml")).unwrap();

    // The evidence for the two parts the hand-written rules have and a
    // plain stem would miss.
    let proposed = json(&run(&demo, &["discover", "--format", "json"]).stdout);
    let websocket = &proposed["candidates"][0];
    assert_eq!(websocket["name"], "web-socket-manager");
    assert_eq!(
        websocket["definition"],
        r"(?i)^\w*WebSocket(?-i:[A-Z0-9_]\w*)?Manager$"
    );
    // `WebSocketConnectionManager` shares no stem with the cluster, but the
    // proposed regex matches it: a definition, not a related name.
    let connection = websocket["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|definition| definition["name"] == "WebSocketConnectionManager")
        .expect("WebSocketConnectionManager among the definitions");
    assert_eq!(connection["pattern_only"], true);
    assert_eq!(websocket["related"], serde_json::json!([]));
    // `websocket_core.manager` is no shim (it owns a factory), but it binds
    // the concept's symbols and `tool_dispatcher.py` imports it as a module
    // to reach `legacy_manager.WebSocketManager`.
    assert_eq!(
        websocket["legacy"],
        serde_json::json!([{
            "module": "netra_backend.app.websocket_core.manager",
            "path": "netra_backend/app/websocket_core/manager.py",
            "kind": "module",
            "names": ["UnifiedWebSocketManager", "WebSocketManager"],
            "module_uses": [{
                "path": "netra_backend/app/agents/tool_dispatcher.py",
                "line": 20,
                "column": 24,
                "expression": "legacy_manager.WebSocketManager",
            }],
        }])
    );

    let discovered = run(&demo, &["discover", "--write-rules", "rules.toml"]);
    assert_eq!(discovered.code, Some(0), "{}", discovered.render());
    assert!(discovered
        .stdout
        .contains("wrote rules.toml with 2 concepts"));
    let rules = std::fs::read_to_string(demo.join("rules.toml")).unwrap();
    // The backup copy the demo's own rules exclude by glob is excluded by path.
    assert!(
        rules.contains(r#"exclude = ["netra_backend/app/websocket_core/old_manager.backup.py"]"#),
        "{rules}"
    );
    assert!(
        rules.contains(r#"legacy_modules = ["netra_backend.app.websocket_core.manager"]"#),
        "{rules}"
    );

    let check = run(&demo, &["check", "--format", "json"]);
    assert_eq!(check.code, Some(1), "{}", check.render());
    let found = json(&check.stdout);
    let reference = json(&run(&fixture("demo"), &["check", "--format", "json"]).stdout);
    // Both concepts reproduce the hand-written rules' counts and violations
    // exactly (only the names and the severity differ).
    for (at, (discovered, hand_written), definition_files, violations, files) in [
        (0, ("web-socket-manager", "websocket-manager"), 4, 27, 18),
        (1, ("app-config", "config-loader"), 2, 5, 4),
    ] {
        let concept = &found["concepts"][at];
        assert_eq!(concept["name"], discovered);
        assert_eq!(concept["canonical"], reference["concepts"][at]["canonical"]);
        assert_eq!(
            concept["definition_files"], definition_files,
            "{discovered}"
        );
        assert_eq!(concept["violations"], violations, "{discovered}");
        assert_eq!(concept["files_with_violations"], files, "{discovered}");
        for key in [
            "definition_files",
            "violations",
            "files_with_violations",
            "canonical_imports",
            "noncanonical_imports",
            "compliance",
        ] {
            assert_eq!(
                concept[key], reference["concepts"][at][key],
                "{discovered}: {key}"
            );
        }
        let expected = violations_of(&reference, hand_written);
        assert_eq!(expected.len(), violations);
        assert_eq!(violations_of(&found, discovered), expected, "{discovered}");
    }
}

#[test]
fn write_rules_never_overwrites_without_force() {
    let temp = tempfile::tempdir().unwrap();
    let project = temp.path().join("shop");
    copy_tree(&fixture("discover/fragmented"), &project);
    let before = std::fs::read_to_string(project.join("rules.toml")).unwrap();

    let refused = run(&project, &["discover", "--write-rules", "rules.toml"]);
    assert_eq!(refused.code, Some(2), "{}", refused.render());
    assert!(
        refused
            .stderr
            .contains("rules.toml already exists; pass --force to overwrite it"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(project.join("rules.toml")).unwrap(),
        before
    );

    let forced = run(
        &project,
        &["discover", "--write-rules", "rules.toml", "--force"],
    );
    assert_eq!(forced.code, Some(0), "{}", forced.render());
    let written = std::fs::read_to_string(project.join("rules.toml")).unwrap();
    assert!(written.contains("name = \"event-bus\""), "{written}");
    // `check` accepts the written file as is.
    let check = run(&project, &["check", "--format", "json"]);
    assert_eq!(check.code, Some(1), "{}", check.render());
    assert_eq!(json(&check.stdout)["concepts"][0]["name"], "event-bus");

    // --force only makes sense with --write-rules.
    assert_eq!(run(&project, &["discover", "--force"]).code, Some(2));
}

/// On a Rust workspace every module that re-exports the canonical type is
/// proposed as legacy (`pub use`, `pub type`), the crate root excepted, and
/// the written rules drive `check` without a warning about them.
#[test]
fn rust_reexporters_are_legacy_modules() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("ws");
    copy_tree(&fixture("rust_workspace"), &dir);
    std::fs::remove_file(dir.join("rules.toml")).unwrap();
    let output = run(&dir, &["discover", "--format", "json", "--no-cache"]);
    assert_eq!(output.code, Some(0), "{}", output.render());
    let first = &json(&output.stdout)["candidates"][0];
    assert_eq!(first["canonical"], "ws_core::ws::UnifiedManager");
    assert_eq!(
        first["legacy_modules"],
        serde_json::json!(["ws_core::legacy", "ws_core::legacy::shim"])
    );
    assert_eq!(first["legacy"][0]["kind"], "reexport");
    assert_eq!(
        first["legacy"][0]["names"],
        serde_json::json!(["Manager", "WsManager"])
    );
    let written = run(
        &dir,
        &["discover", "--write-rules", "rules.toml", "--no-cache"],
    );
    assert_eq!(written.code, Some(0), "{}", written.render());
    let check = run(&dir, &["check", "--strict", "--no-cache", "--exit-zero"]);
    assert_eq!(check.code, Some(0), "{}", check.render());
}

/// Two concepts named after the same symbol (here in two languages) get
/// names that say where each lives, never a number.
#[test]
fn proposed_names_are_unique_and_meaningful() {
    let temp = tempfile::tempdir().unwrap();
    let root = temp.path();
    let write = |path: &str, text: &str| {
        support::write(root, path, text);
    };
    write("app/__init__.py", "");
    write("app/core.py", "class Dispatcher:\n    pass\n");
    write("app/old.py", "from app.core import Dispatcher\n");
    write("app/c.py", "from app.old import Dispatcher\n");
    write(
        "crates/core/Cargo.toml",
        "[package]\nname = \"core\"\nversion = \"0.1.0\"\n",
    );
    write(
        "crates/core/src/lib.rs",
        "pub mod bus;\npub mod old;\npub mod api;\n",
    );
    write("crates/core/src/bus.rs", "pub struct Dispatcher;\n");
    write(
        "crates/core/src/old.rs",
        "pub use crate::bus::Dispatcher;\n",
    );
    write(
        "crates/core/src/api.rs",
        "use crate::old::Dispatcher;\nuse crate::bus::Dispatcher as D;\n",
    );
    let output = run(root, &["discover", "--format", "json", "--no-cache"]);
    assert_eq!(output.code, Some(0), "{}", output.render());
    let document = json(&output.stdout);
    let names: Vec<(&str, &str)> = document["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|candidate| {
            (
                candidate["name"].as_str().unwrap(),
                candidate["canonical"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("dispatcher", "app.core:Dispatcher"),
            ("bus-dispatcher", "core::bus::Dispatcher"),
        ]
    );
}

/// A file with a syntax error is no shim, whether `discover` skims the
/// files (the default) or parses them all: a skim parses without the lines
/// that hold no facts, so what looks like a shim is parsed in full.
#[test]
fn a_file_that_does_not_parse_is_no_shim() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    support::write(root, "rules.toml", "[settings]\n");
    support::write(root, "app/__init__.py", "");
    support::write(root, "app/core.py", "class EventBus:\n    pass\n");
    support::write(root, "app/other.py", "class EventBus:\n    pass\n");
    for shim in ["shim1", "shim2", "broken"] {
        let body = if shim == "broken" { "print(1 +\n" } else { "" };
        support::write(
            root,
            &format!("app/{shim}.py"),
            format!("from app.core import EventBus\n{body}"),
        );
        support::write(
            root,
            &format!("app/use_{shim}.py"),
            format!("from app.{shim} import EventBus\n"),
        );
    }
    let mut outputs = Vec::new();
    for args in [
        &["discover", "--format", "json"][..],
        &["discover", "--format", "json", "--no-prefilter"],
    ] {
        let output = run(root, args);
        assert_eq!(output.code, Some(0), "{}", output.render());
        let document = json(&output.stdout);
        let candidate = &document["candidates"][0];
        let concept = candidate["concept"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(concept.contains("app.shim1"), "{concept}");
        assert!(!concept.contains("app.broken\""), "{concept}");
        outputs.push(output.stdout);
    }
    assert_eq!(outputs[0], outputs[1]);
}
