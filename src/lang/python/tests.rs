use super::depth::{byte_bounds, expression_depth};
use super::*;
use crate::config::Language;
use crate::lang::*;

fn facts(path: &str, text: &str) -> FileFacts {
    let mut facts = FileFacts::new(path.to_string(), Language::Python);
    if let Some((module, is_package)) = module_path(path, &[String::new()]) {
        facts.module = Some(module);
        facts.is_package = is_package;
    }
    extract(&mut facts, text, false);
    facts
}

#[test]
fn module_paths_use_the_deepest_root() {
    let roots = vec![String::new(), "src".to_string()];
    assert_eq!(
        module_path("src/pkg/a.py", &roots),
        Some(("pkg.a".into(), false))
    );
    assert_eq!(
        module_path("src/pkg/__init__.py", &roots),
        Some(("pkg".into(), true))
    );
    assert_eq!(module_path("__init__.py", &roots), Some(("".into(), true)));
    assert_eq!(
        module_path("tools/x.pyi", &roots),
        Some(("tools.x".into(), false))
    );
    assert_eq!(module_path("x.py", &["src".to_string()]), None);
}

#[test]
fn relative_imports_resolve_from_the_package() {
    assert_eq!(
        resolve_relative(Some("pkg.a"), false, 1, Some("b")),
        Some("pkg.b".into())
    );
    assert_eq!(
        resolve_relative(Some("pkg"), true, 1, Some("b")),
        Some("pkg.b".into())
    );
    assert_eq!(
        resolve_relative(Some("pkg.sub.a"), false, 2, None),
        Some("pkg".into())
    );
    assert_eq!(resolve_relative(Some("pkg"), true, 2, None), None);
    assert_eq!(resolve_relative(Some("a"), false, 1, Some("b")), None);
    assert_eq!(resolve_relative(None, false, 1, Some("b")), None);
}

#[test]
fn guards_and_scopes() {
    let text = "\
import typing
if typing.TYPE_CHECKING:
    from a import A
elif TYPE_CHECKING:
    from b import B
else:
    from c import C
try:
    import d
    def f():
        import e
    class K:
        from g import G
except ImportError:
    pass
";
    let facts = facts("m.py", text);
    let seen: Vec<_> = facts
        .imports
        .iter()
        .map(|i| {
            (
                i.name.clone().or(i.module.clone()).unwrap_or_default(),
                i.scope,
                i.guard,
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("typing".into(), Scope::Module, None),
            ("A".into(), Scope::Module, Some(Guard::TypeChecking)),
            ("B".into(), Scope::Module, Some(Guard::TypeChecking)),
            ("C".into(), Scope::Module, None),
            ("d".into(), Scope::Module, Some(Guard::Try)),
            ("e".into(), Scope::Function, None),
            ("G".into(), Scope::Class, Some(Guard::Try)),
        ]
    );
}

#[test]
fn aliases_all_and_patch_targets() {
    let text = "\
from .unified import Unified
import pkg.legacy as legacy
WebSocketManager = Unified
Other: type = legacy.Manager
a, b = Unified, Unified
__all__ = ['WebSocketManager']
__all__ += ('Other',)
with patch('pkg.legacy.Manager'), mock.patch.object(x, target='y.Z'):
    legacy.Manager()
";
    let facts = facts("pkg/shim.py", text);
    let aliases: Vec<_> = facts
        .aliases
        .iter()
        .map(|a| (a.target.as_str(), a.value.symbol()))
        .collect();
    assert_eq!(
        aliases,
        vec![("WebSocketManager", "Unified"), ("Other", "Manager")]
    );
    assert_eq!(facts.dunder_all, vec!["WebSocketManager", "Other"]);
    let targets: Vec<_> = facts
        .patch_targets
        .iter()
        .map(|p| p.value.as_str())
        .collect();
    assert_eq!(targets, vec!["pkg.legacy.Manager", "y.Z"]);
    let uses: Vec<_> = facts
        .attribute_uses
        .iter()
        .map(|u| (u.base.as_str(), u.attr.as_str()))
        .collect();
    assert_eq!(uses, vec![("legacy", "Manager"), ("legacy", "Manager")]);
    assert_eq!(facts.imports[0].resolved.as_deref(), Some("pkg.unified"));
}

#[test]
fn expression_depth_counts_chains_not_lists() {
    assert_eq!(expression_depth("a + b + c\n"), 3);
    assert_eq!(expression_depth("x = [a + 1, -b, c]\n"), 5);
    assert_eq!(expression_depth("f(x)(y)\n"), 4);
    let samples = [
        "a + b + c",
        "f(x)(y)[z].w",
        "not not -x",
        "lambda: lambda: 1",
        "if a:\n    if b:\n\tx = (1, [2, {3: 4}])\n",
        "f'{x!r:>{w}}' 'and' # or\n",
    ];
    for text in samples {
        assert!(expression_depth(text) <= byte_bounds(text).depth, "{text}");
    }
    let flat = format!("x = [{}]\n", "a + 1, ".repeat(200_000));
    assert!(byte_bounds(&flat).depth > MAX_DEPTH);
    assert_eq!(nesting_problem(&flat), None);
    let chain = format!("x = {}1\n", "- ".repeat(200_000));
    assert!(nesting_problem(&chain).is_some_and(|p| p.contains("expressions nested")));
}

#[test]
fn syntax_errors_keep_what_was_recovered() {
    let facts = facts("m.py", "from a import B\ndef broken(:\n");
    assert_eq!(facts.imports.len(), 1);
    assert_eq!(facts.notes.len(), 1);
    assert!(!facts.parsed_cleanly);
}
