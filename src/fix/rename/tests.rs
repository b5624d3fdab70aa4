//! The rename and retirement on small texts.

use super::*;

/// The text with the rename applied, or the refusal.
fn renamed(text: &str) -> Result<String, Refusal> {
    let statement = text.find("from legacy").unwrap_or(0);
    let edits = uses(text, "Old", "New", statement)?;
    let mut out = text.to_string();
    for (start, end, replacement) in edits.into_iter().rev() {
        out.replace_range(start..end, &replacement);
    }
    Ok(out)
}

#[test]
fn loads_in_every_scope_are_renamed() {
    let text = "from legacy import Old\nx = Old()\ndef f(a: Old) -> Old:\n    return [Old for _ in a]\nclass C(Old):\n    y = Old\n";
    let out = renamed(text).unwrap_or_default();
    assert_eq!(out.matches("New").count(), 6, "{out}");
    assert!(out.starts_with("from legacy import Old\n"), "{out}");
}

#[test]
fn global_quoted_annotations_and_dunder_all_follow() {
    let text = "from legacy import Old\n__all__ = ['Old', 'other']\ndef reset():\n    global Old\n    return Old\ndef f(x: \"list[Old]\") -> 'Old | None':\n    return x\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("from legacy import Old\n__all__ = ['New', 'other']\ndef reset():\n    global New\n    return New\ndef f(x: \"list[New]\") -> 'New | None':\n    return x\n")
    );
}

#[test]
fn an_entry_listed_under_both_names_goes() {
    let text = "from legacy import Old\n__all__ = ['New', 'Old', 'x']\n__all__ += ('y', 'Old')\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("from legacy import Old\n__all__ = ['New', 'x']\n__all__ += ('y', 'New')\n")
    );
}

#[test]
fn a_retired_binding_leaves_all_and_must_be_unused() {
    let text = "from core import New\nOld = New\n__all__ = ['New', 'Old']\n";
    let statement = text.find("Old =").unwrap_or(0);
    let edits = retire(text, "Old", statement);
    assert_eq!(
        edits,
        Ok(vec![(
            text.find(", 'Old'").unwrap_or(0),
            text.find("]").unwrap_or(0),
            String::new()
        )])
    );
    for body in [
        "print(Old)\n",
        "def f():\n    global Old\n",
        "getattr(m, 'Old')\n",
    ] {
        let text = format!("from core import New\nOld = New\n{body}");
        let statement = text.find("Old =").unwrap_or(0);
        assert!(retire(&text, "Old", statement).is_err(), "{body}");
    }
}

#[test]
fn a_tuple_left_with_one_entry_keeps_a_tuple() {
    for (all, left) in [
        ("('Old', 'x')", "('x',)"),
        ("('x', 'Old')", "('x',)"),
        ("('x', 'Old',)", "('x',)"),
        ("'Old', 'x'", "'x',"),
        ("('Old',)", "()"),
    ] {
        let text = format!("from core import New\nOld = New\n__all__ = {all}\n");
        let statement = text.find("Old =").unwrap_or(0);
        let mut out = text.clone();
        let edits = retire(&text, "Old", statement).unwrap_or_default();
        for (start, end, replacement) in edits.into_iter().rev() {
            out.replace_range(start..end, &replacement);
        }
        assert_eq!(
            out,
            format!("from core import New\nOld = New\n__all__ = {left}\n"),
            "{all}"
        );
    }
}

#[test]
fn a_shadowing_binding_keeps_its_uses() {
    let text = "from legacy import Old\nxs = [Old for Old in range(3)]\nys = [Old() for _ in xs]\ndef f(Old):\n    return Old\ng = lambda Old: Old\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("from legacy import Old\nxs = [Old for Old in range(3)]\nys = [New() for _ in xs]\ndef f(Old):\n    return Old\ng = lambda Old: Old\n")
    );
}

#[test]
fn the_first_iterable_is_in_the_enclosing_scope() {
    let text = "from legacy import Old\nxs = [Old for Old in Old.items()]\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("from legacy import Old\nxs = [Old for Old in New.items()]\n")
    );
}

#[test]
fn a_function_level_import_renames_its_scope_only() {
    let text = "def f():\n    from legacy import Old\n    return Old()\nOld = 1\nprint(Old)\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("def f():\n    from legacy import Old\n    return New()\nOld = 1\nprint(Old)\n")
    );
}

#[test]
fn class_bodies_are_not_seen_from_their_methods() {
    let text =
        "from legacy import Old\nclass C:\n    New = 1\n    def m(self):\n        return Old\n";
    assert_eq!(
        renamed(text).as_deref(),
        Ok("from legacy import Old\nclass C:\n    New = 1\n    def m(self):\n        return New\n")
    );
}

#[test]
fn a_rebinding_of_the_same_variable_is_renamed_with_it() {
    for (body, renamed_body) in [
        ("Old = 1\n", "New = 1\n"),
        ("def Old(): pass\n", "def New(): pass\n"),
        ("class Old: pass\n", "class New: pass\n"),
        (
            "def f(x):\n    global Old\n    Old = x\n",
            "def f(x):\n    global New\n    New = x\n",
        ),
        (
            "try:\n    pass\nexcept E as Old:\n    pass\n",
            "try:\n    pass\nexcept E as New:\n    pass\n",
        ),
        (
            "match x:\n    case [*Old]: pass\n",
            "match x:\n    case [*New]: pass\n",
        ),
        ("del Old\n", "del New\n"),
        ("for Old in []: pass\n", "for New in []: pass\n"),
        ("(Old := 1)\n", "(New := 1)\n"),
        ("[(Old := y) for y in []]\n", "[(New := y) for y in []]\n"),
    ] {
        let text = format!("from legacy import Old\n{body}");
        assert_eq!(
            renamed(&text),
            Ok(format!("from legacy import Old\n{renamed_body}")),
            "{body}"
        );
    }
}

#[test]
fn another_import_or_a_lookup_by_name_refuses() {
    for body in [
        "import other as Old\n",
        "from other import *\n",
        "getattr(m, 'Old')\n",
        "print(locals())\n",
        "def f():\n    nonlocal Old\n",
    ] {
        let text = format!("from legacy import Old\n{body}");
        assert!(renamed(&text).is_err(), "{body}");
    }
}

#[test]
fn a_collision_with_the_new_name_refuses() {
    for body in [
        "def f(New):\n    return Old\n",
        "def f():\n    New = 1\n    return Old\n",
        "xs = [Old for New in range(3)]\n",
    ] {
        let text = format!("from legacy import Old\n{body}");
        assert!(renamed(&text).is_err(), "{body}");
    }
    // The new name bound where no renamed use looks is no collision.
    let text = "from legacy import Old\ndef f(New):\n    return New\nx = Old\n";
    assert!(renamed(text).is_ok());
}

#[test]
fn attributes_keywords_and_prose_are_not_uses() {
    let text = "from legacy import Old\nx.Old\nf(Old=1)\ns = 'the Old manager'\n";
    assert_eq!(renamed(text).as_deref(), Ok(text));
}
