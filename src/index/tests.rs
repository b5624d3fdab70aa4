use super::*;
use crate::lang::python;

fn file(path: &str, text: &str) -> FileFacts {
    let mut facts = FileFacts::new(path.to_string(), Language::Python);
    let (module, is_package) = python::module_path(path, &[String::new()]).unwrap_or_default();
    facts.module = Some(module);
    facts.is_package = is_package;
    python::extract(&mut facts, text, false);
    facts
}

#[test]
fn chains_are_followed_to_the_class() {
    let index = ProjectIndex::new(
        vec![
            file("pkg/__init__.py", "from .shim import Manager\n"),
            file("pkg/core.py", "class Unified: pass\n"),
            file(
                "pkg/shim.py",
                "from .core import Unified\nManager = Unified\n",
            ),
            file(
                "pkg/legacy.py",
                "import pkg.core as core\nOld = core.Unified\nfrom pkg.star import *\n",
            ),
            file("pkg/star.py", "from pkg import Manager as Starred\n"),
            file("pkg/factory.py", "def Manager(): pass\n"),
            file("pkg/loop.py", "from pkg.loop2 import X\n"),
            file("pkg/loop2.py", "from pkg.loop import X\n"),
        ],
        &[],
    );
    let class = Origin::Class {
        module: "pkg.core".into(),
        name: "Unified".into(),
    };
    assert_eq!(index.resolve("pkg", "Manager"), class);
    // Through a re-export and an alias, nothing is copied.
    assert!(matches!(
        index.reach("pkg", "Manager"),
        Origin::Class {
            module: Cow::Borrowed("pkg.core"),
            name: Cow::Borrowed("Unified"),
        }
    ));
    assert_eq!(index.resolve("pkg.legacy", "Old"), class);
    assert_eq!(index.resolve("pkg.legacy", "Starred"), class);
    assert!(matches!(
        index.resolve("pkg.factory", "Manager"),
        Origin::Function { .. }
    ));
    assert_eq!(index.resolve("pkg.loop", "X"), Origin::Cycle);
    assert_eq!(
        index.resolve("pkg", "shim"),
        Origin::Module("pkg.shim".into())
    );
    assert!(matches!(
        index.resolve("nowhere", "X"),
        Origin::Unresolved { .. }
    ));
}
