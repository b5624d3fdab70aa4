//! The skimmed parse against the full one: the same facts, file for file.

use std::borrow::Cow;
use std::path::Path;

use ruff_python_ast::PySourceType;

use crate::config::Language;
use crate::lang::{python, FileFacts};

/// Facts as JSON, by both routes; `None` when the full parse is not clean
/// (a syntax error in a skimmed line is not reported by the skim).
fn both(path: &str, text: &str) -> Option<(String, String)> {
    let run = |skimmed: bool| {
        let mut facts = FileFacts::new(path.to_string(), Language::Python);
        if let Some((module, is_package)) = python::module_path(path, &[String::new()]) {
            facts.module = Some(module);
            facts.is_package = is_package;
        }
        let stub = path.ends_with(".pyi");
        if skimmed {
            python::extract_skimmed(&mut facts, text, stub, None);
        } else {
            python::extract(&mut facts, text, stub);
        }
        facts
    };
    let full = run(false);
    if !full.parsed_cleanly {
        return None;
    }
    let json = |facts: &FileFacts| serde_json::to_string_pretty(facts).unwrap_or_default();
    Some((json(&full), json(&run(true))))
}

const SNIPPETS: &[&str] = &[
    "import a.b as m\nfrom x import (\n    Y,\n    Z as W,\n)\n\n@m.deco(\n    1)\ndef f(a: m.T = m.D, *, b=lambda: m.L) -> m.R:\n    '''doc'''\n    if a:\n        return m.S\n    for i in range(3):\n        with open(a) as h, m.ctx() as k:\n            pass\n    else:\n        x = {i: (yield i) for i in a}\n    try:\n        from .rel import Q\n    except ImportError:\n        Q = None\n    class Inner(m.Base):\n        attr = m.A\n    return Q\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.mod import Manager\nelse:\n    Manager = None\nAlias = Manager\nOther = pkg.mod.Manager\nLIST = [1, 2,\n  3]\n__all__ = ['Alias']\n__all__ += ['Other']\nA = B = C\nD = 1; E = F\n(G) = H\nI, J = K, L\nT: int = 3\n",
    "import unittest.mock as um\nfrom unittest.mock import patch\nclass T:\n    @patch('pkg.mod.Thing')\n    def test(self, thing):\n        with patch.object(x, 'y'), um.patch(\"a.b.C\"):\n            assert um.sentinel\n        self.assertEqual(f'{um.ANY!r:>{w}}', 1)\n    async def t2(self):\n        async with x as y:\n            async for z in y:\n                await z\n",
    "def outer():\n    def inner(a,\n              b):\n        return a + \\\n            b\n    match inner:\n        case {'k': v} if v:\n            import json\n        case _:\n            pass\n    global G\n    G = 1\n    type X = int\n    return inner\n",
    "x = f\"{'a' if y else \"b\"}\" + rb'\\x00' + '''\nclass Fake: import nothing\n'''\ndef g():\n    s = \"\"\"\n    from x import y\n    \"\"\"\n    return s\r\ndef h():\r\n    return 1\r\n",
    "class A:\n    x: int\n    y = 2\n    def m(self) -> 'A':\n        return self\n    @property\n    def p(self): return 1\n    class B:\n        def n(self):\n            import os.path\n            return os.path.join('a')\n",
    "def f():\n    x = [\n        1,\n    ]; import sys\n    return sys.argv\n",
    "if True:\n    def f(): pass\n    X = {'a': 1}\nwhile False:\n    Y = [1]\nfor i in []:\n    Z = i\nelse:\n    W = 'w'\n",
];

#[test]
fn snippets() {
    for (at, snippet) in SNIPPETS.iter().enumerate() {
        let Some((full, skimmed)) = both("pkg/mod.py", snippet) else {
            panic!("snippet {at} does not parse cleanly");
        };
        assert_eq!(full, skimmed, "snippet {at}");
    }
}

/// With the project's packages, attribute uses of other modules (`os.path`)
/// keep no line; those of the project's modules do.
#[test]
fn packages_limit_attribute_uses() {
    let text = "import os\nimport pkg.legacy as m\ndef f():\n    a = os.path.join('x')\n    return m.Manager()\n";
    let packages: rustc_hash::FxHashSet<String> = ["pkg".to_string()].into_iter().collect();
    let mut facts = FileFacts::new("pkg/mod.py".into(), Language::Python);
    python::extract_skimmed(&mut facts, text, false, Some(&packages));
    let uses: Vec<String> = facts
        .attribute_uses
        .iter()
        .map(|usage| format!("{}.{}", usage.base, usage.attr))
        .collect();
    assert_eq!(uses, ["m.Manager"]);
    assert_eq!(facts.imports.len(), 2);
}

fn python_files(directory: &Path, found: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            python_files(&path, found);
        } else if path
            .extension()
            .is_some_and(|extension| extension == "py" || extension == "pyi")
        {
            found.push(path);
        }
    }
}

/// Why the skimmed route parses `text` as written, if it does: the
/// skim gave up or changed nothing, or the skimmed text has a syntax
/// error (shown with the text before it).
fn not_skimmed(text: &str) -> Option<String> {
    let skimmed = match super::skim(text) {
        None => return Some("gave up".into()),
        Some(Cow::Borrowed(_)) => return Some("unchanged".into()),
        Some(Cow::Owned(skimmed)) => skimmed,
    };
    let parsed = ruff_python_parser::parse_unchecked_source(&skimmed, PySourceType::Python);
    let error = parsed.errors().first()?;
    let at = error.location.start().to_usize();
    let before = skimmed.get(at.saturating_sub(300)..at).unwrap_or("");
    Some(format!("{}\n{before}", error.error))
}

/// Every Python file under `root`: returns how many were compared, and
/// how many of those the skim took.
fn compare_tree(root: &Path) -> (usize, usize) {
    let mut files = Vec::new();
    python_files(root, &mut files);
    files.sort();
    let mut compared = 0;
    let mut took_skim = 0;
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let relative = file.strip_prefix(root).unwrap_or(&file);
        let path = relative.to_string_lossy().replace('\\', "/");
        if let Some((full, skimmed)) = both(&path, text) {
            assert_eq!(full, skimmed, "{}", file.display());
            compared += 1;
            let why = not_skimmed(text);
            if let Some(why) = why
                .as_ref()
                .filter(|_| std::env::var_os("SKIM_WHY").is_some())
            {
                eprintln!("not skimmed: {}: {why}", file.display());
            }
            took_skim += usize::from(why.is_none());
        }
    }
    (compared, took_skim)
}

#[test]
fn every_fixture() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let (compared, skimmed) = compare_tree(&fixtures);
    assert!(compared > 50);
    // Most files take the skim (the rest have tabs, code that is not
    // ASCII, or nothing to skim).
    assert!(
        skimmed * 10 > compared * 6,
        "{skimmed} of {compared} skimmed"
    );
}

/// `SKIM_TREE=/usr/lib/python3.11 cargo test --release skim -- --ignored`
/// (with `SKIM_WHY=1`, each file the skim did not take, and why)
#[test]
#[ignore = "a large tree: run with SKIM_TREE=DIR"]
fn a_large_tree() {
    let Some(root) = std::env::var_os("SKIM_TREE") else {
        return;
    };
    let (compared, skimmed) = compare_tree(Path::new(&root));
    eprintln!("{compared} files with the same facts, {skimmed} of them skimmed");
    assert!(compared > 0);
}
