//! The pre-filter is a shortcut: on a project where the legacy modules'
//! last components are common words (`manager`, `core`, `utils`) found all
//! over unrelated files, in every import form Python has, `check` gives
//! exactly the answer of `check --no-prefilter`.

mod support;

use support::{run, write};

const RULES: &str = r#"
[settings]
src = ["."]

[[concept]]
name = "ws"
canonical = "app.websocket.manager:WebSocketManager"
symbols = ["WebSocketManager"]
definition = '^\w*WebSocketManager$'
legacy_modules = ["app.core.manager", "app.utils.websocket", "legacy"]
"#;

/// Import forms that name a legacy module, each in a module of its own
/// package, and look-alikes that do not.
const FORMS: &[(&str, &str)] = &[
    ("app/api/a1.py", "import app.core.manager\n"),
    ("app/api/a2.py", "import os, app.core.manager as m\n"),
    ("app/api/a3.py", "from app.core import manager\n"),
    (
        "app/api/a4.py",
        "from app.core import (\n    config,\n    manager as m,\n)\n",
    ),
    (
        "app/api/a5.py",
        "from app.core import config, \\\n    manager\n",
    ),
    (
        "app/api/a6.py",
        "def f():\n    from app.utils import websocket\n    return websocket\n",
    ),
    ("app/core/r1.py", "from . import manager\n"),
    (
        "app/core/r2.py",
        "from .manager import WebSocketManager as W\n",
    ),
    ("app/core/sub/r3.py", "from .. import manager\n"),
    ("app/core/sub/r4.py", "from ..manager import *\n"),
    ("app/utils/r5.py", "from .websocket import *\n"),
    ("app/core/__init__.py", "from . import manager as manager\n"),
    ("top.py", "import legacy\n"),
    // Look-alikes: the words, but no legacy import.
    (
        "app/billing/manager.py",
        "class BillingManager:\n    pass\n",
    ),
    (
        "app/billing/views.py",
        "from .manager import BillingManager\nmanager = BillingManager()\n",
    ),
    (
        "app/billing/core.py",
        "from app.billing import manager\n# the core manager\n",
    ),
    (
        "app/api/n1.py",
        "import app.core\nx = app.core.manager  # not an import\n",
    ),
    ("app/api/n2.py", "from app.core import config  # manager\n"),
    (
        "app/api/n3.py",
        "def g(manager):\n    yield from manager.items()\n",
    ),
    ("app/api/n4.py", "s = 'utils websocket manager core'\n"),
    ("app/api/n5.py", "from app.utils import websockets\n"),
];

#[test]
fn common_word_legacy_modules_give_the_full_parse_answer() {
    let dir = support::project();
    let root = dir.path();
    write(root, "rules.toml", RULES);
    write(root, "app/__init__.py", "");
    for package in ["api", "core", "core/sub", "utils", "billing", "websocket"] {
        write(root, &format!("app/{package}/__init__.py"), "");
    }
    write(
        root,
        "app/websocket/manager.py",
        "class WebSocketManager:\n    pass\n",
    );
    write(
        root,
        "app/core/manager.py",
        "from app.websocket.manager import WebSocketManager\n",
    );
    write(
        root,
        "app/utils/websocket.py",
        "from app.websocket.manager import *\n",
    );
    write(
        root,
        "legacy.py",
        "from app.websocket.manager import WebSocketManager\n",
    );
    for (path, text) in FORMS {
        write(root, path, text);
    }
    // Unrelated files full of the common words.
    for i in 0..40 {
        write(
            root,
            &format!("app/services/s{i}.py"),
            format!(
                "from . import core, utils\nfrom .manager import Manager{i}\n\
                 import app.services.utils\n# core utils websocket manager\n\
                 manager = Manager{i}()\n"
            ),
        );
    }
    write(root, "app/services/__init__.py", "");
    let fast = run(root, &["check", "--format", "json", "--no-cache"]);
    let full = run(
        root,
        &["check", "--format", "json", "--no-cache", "--no-prefilter"],
    );
    assert_eq!(fast.stdout, full.stdout, "{}", fast.describe());
    let reported = support::violations(&fast.json());
    let paths: Vec<&str> = reported.iter().map(|(path, _)| path.as_str()).collect();
    for (path, text) in FORMS {
        let look_alike = path.contains("/n") || path.contains("billing");
        assert_eq!(
            paths.contains(path),
            !look_alike,
            "{path} ({text:?}): {}",
            fast.describe()
        );
    }
    assert!(
        !paths.iter().any(|path| path.starts_with("app/services/")),
        "{}",
        fast.describe()
    );
}

/// A concept's symbols named in comments and prose all over the project,
/// and in the strings and f-strings that can name a binding: the full
/// parse's answer, with the prose-only files never parsed.
#[test]
fn symbols_in_comments_and_prose_give_the_full_parse_answer() {
    let dir = support::project();
    let root = dir.path();
    write(root, "rules.toml", RULES);
    write(root, "app/__init__.py", "");
    write(root, "app/websocket/__init__.py", "");
    write(
        root,
        "app/websocket/manager.py",
        "class WebSocketManager:\n    pass\n",
    );
    write(
        root,
        "app/legacy.py",
        "from app.websocket.manager import WebSocketManager\n",
    );
    // Must be found: a star import with an `__all__` entry, code after a
    // string holding `#`.
    let found = [
        (
            "app/t2.py",
            "from app.legacy import *\n__all__ = ['WebSocketManager']\n",
        ),
        (
            "app/t3.py",
            "x = 's # '; from app.legacy import WebSocketManager\n",
        ),
    ];
    // Must be parsed, whatever the full parse makes of them: a patch
    // string, an attribute use inside an f-string.
    write(
        root,
        "app/t1.py",
        "from unittest.mock import patch\n\n\
         @patch('app.legacy.WebSocketManager')\ndef test(m):\n    pass\n",
    );
    for (path, text) in found {
        write(root, path, text);
    }
    for i in 0..30 {
        write(
            root,
            &format!("app/prose{i}.py"),
            format!(
                "# events now go through WebSocketManager.\n\
                 def f{i}():\n    \"\"\"The WebSocketManager sends it.\"\"\"\n    \
                 log('WebSocketManager unavailable')\n    return {i}\n"
            ),
        );
    }
    let fast = run(
        root,
        &["check", "--format", "json", "--no-cache", "--stats"],
    );
    let full = run(
        root,
        &["check", "--format", "json", "--no-cache", "--no-prefilter"],
    );
    assert_eq!(fast.stdout, full.stdout, "{}", fast.describe());
    let reported = support::violations(&fast.json());
    for (path, _) in found {
        assert!(
            reported.iter().any(|(reported, _)| reported == path),
            "{path}: {}",
            fast.describe()
        );
    }
    // The prose files were not parsed: parsed= counts the others only
    // (the canonical module, the legacy one, the t files, `__init__`s).
    let parsed: usize = fast
        .stderr
        .split_whitespace()
        .find_map(|word| word.strip_prefix("parsed="))
        .and_then(|count| count.parse().ok())
        .unwrap_or(usize::MAX);
    assert!(parsed <= 10, "parsed={parsed}: {}", fast.describe());
}

/// The benchmark's generated monorepo (realistic file sizes, legacy module
/// tails that are common words, symbols in comments and strings): the
/// pre-filter gives the answer of a full parse, and the planted counts.
#[test]
fn the_generated_monorepo_gives_the_full_parse_answer() {
    if !support::require_tool("python3", "apt-get install python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let generator = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/gen_corpus.py");
    support::succeed(
        std::process::Command::new("python3")
            .arg(&generator)
            .arg(&tree)
            .args(["--files", "800", "--seed", "11"]),
    );
    let fast = run(
        &tree,
        &["check", "--format", "json", "--no-cache", "--stats"],
    );
    let full = run(
        &tree,
        &["check", "--format", "json", "--no-cache", "--no-prefilter"],
    );
    let answer = support::without_notes(&fast.stdout);
    assert_eq!(
        answer,
        support::without_notes(&full.stdout),
        "{}",
        fast.describe()
    );
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tree.join("EXPECTED.json")).unwrap())
            .unwrap();
    assert!(
        answer["summary"]["violations"].as_u64().unwrap() > 0,
        "{}",
        fast.describe()
    );
    for key in ["violations", "files_with_violations", "definition_files"] {
        assert_eq!(
            answer["summary"][key], expected["summary"][key],
            "{key}: planted {}",
            expected["summary"]
        );
    }
}
