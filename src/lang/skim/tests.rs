use super::classes::{class_of, COLON, WORD};
use super::keep::import_bases;
use super::write::MAX_BLOCK_DEPTH;
use super::*;

/// The stop maps stop at the bytes the scan's classes tell apart: in
/// code everything but names, blanks, colons and other operators.
#[test]
fn stops_follow_the_byte_classes() {
    for byte in 0..=255u8 {
        let class = class_of(byte);
        assert_eq!(
            stops::CODE[usize::from(byte)],
            class > WORD && class != COLON,
            "{byte:#x}"
        );
    }
}

fn skimmed(text: &str) -> String {
    skim(text)
        .map(Cow::into_owned)
        .unwrap_or_else(|| "<gave up>".into())
}

/// Offsets map back the same in any order (the last stretch found is
/// only a hint).
#[test]
fn offsets_map_back_in_any_order() {
    let text = "import m\nX = compute(1)\ndef f(a):\n    y = a + 1\n    return m.S\nclass C:\n    z = 2\n    def g(self):\n        return 1\n    w = m.T\n";
    let mut buffers = SkimBuffers::default();
    assert_eq!(skim_into(text, None, &mut buffers), Skim::Changed);
    let length = buffers.text().map_or(0, str::len);
    let expected = |offset: usize, before: &dyn Fn(usize) -> bool| {
        let after = buffers.map.partition_point(|&(skimmed, _)| before(skimmed));
        match after.checked_sub(1) {
            Some(at) => buffers.map[at].1 + (offset - buffers.map[at].0),
            None => offset,
        }
    };
    let offsets: Vec<usize> = (0..=length).collect();
    for offset in crate::source::any_order(&offsets) {
        assert_eq!(
            buffers.original_offset(offset),
            expected(offset, &|skimmed| skimmed <= offset),
            "start {offset}"
        );
        assert_eq!(
            buffers.original_end(offset),
            expected(offset, &|skimmed| skimmed < offset),
            "end {offset}"
        );
    }
}

#[test]
fn rewrites_what_holds_no_fact() {
    let text = "import m\nX = compute(1)\n@deco(1)\ndef f(a: int = 2) -> str:\n    y = a + 1\n    for i in range(y):\n        if y:\n            return m.S\n        z = 1\n    return y\nclass C(Base):\n    z = 2\n    async def m2(self):\n        if self.z:\n            return self.z\n";
    // The import is read by the skim (`...` for the parser); the `for`
    // holds a kept line, so its shape stays; the method holds none and
    // goes whole, the class body's first statement left as `...`.
    let expected = "...\nX=...\n\ndef f():\n    ...\n    while 1:\n        if 1:\n            return m.S\nclass C(Base):\n    ...\n";
    assert_eq!(skimmed(text), expected);
}

/// A function body with nothing kept goes as one piece, however its
/// lines nest or continue; one holding a class or a kept line is read
/// line by line.
#[test]
fn plain_function_bodies_go_whole() {
    let text = "def f(a):\n    x = [\n  1]  # a\n\n    if a:\n        s = '''\nno fact\n'''\n    return (x,\n s)\ny = z\n";
    assert_eq!(skimmed(text), "def f():\n    ...\ny = z\n");
    let text = "def f():\n    x = 1\n    class Local:\n        y = 2\n    return Local\n";
    assert_eq!(
        skimmed(text),
        "def f():\n    ...\n    class Local:\n        ...\n"
    );
    let text = "import m\ndef f():\n    x = 1\n    return m.S\n";
    assert_eq!(skimmed(text), "...\ndef f():\n    ...\n    return m.S\n");
    // A body that never comes (a syntax error) is left to the parser.
    assert_eq!(skimmed("def f():\nx = y\n"), "def f():\nx = y\n");
    assert!(skim("def f():\n    x = 'open\n").is_none());
}

#[test]
fn keeps_lines_that_hold_facts() {
    let text = "import legacy as m\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from a import B\ndef f():\n    from a import b\n    x = m.Manager()\n    with patch(\"a.B\"):\n        pass\n    class Local: pass\n    y = __import__('q')\n    return b\n";
    let out = skimmed(text);
    for kept in [
        "if TYPE_CHECKING:\n",
        "    from a import b\n",
        "    x = m.Manager()\n",
        "    with patch(\"a.B\"):\n",
        "    class Local: pass\n",
        "    y = __import__('q')\n",
    ] {
        assert!(out.contains(kept), "{kept:?} not kept in {out:?}");
    }
    // `b` comes from `from a import b`: not an import-bound module name;
    // the body has statements already, so no `...` either.
    assert!(out.ends_with("    y = __import__('q')\n"), "{out:?}");
}

#[test]
fn module_level_literals_lose_their_value() {
    let text = "ROWS = [\n    (1, 'a'),\n]\nA = B\nC = (D)\n__all__ = ['A']\nE = 1; F = G\nH = {1: 2}.get\n";
    let expected = "ROWS=...\nA = B\nC = (D)\n__all__ = ['A']\nE = 1; F = G\nH=...\n";
    assert_eq!(skimmed(text), expected);
    // Calls of dotted names and `None` / `True` / `False` name no
    // class either; keywords and the project's modules stay.
    let text = "import pkg.m as m\nlog = logging.getLogger(__name__)\nX = None  # set later\nY = f (\n  1)\nZ = f\nW = a.b\nV = await(x)\nU = a.if(1)\nT = m.S()\nS = True or q\n";
    let expected =
        "...\nlog=...\nX=...\nY=...\nZ = f\nW = a.b\nV = await(x)\nU = a.if(1)\nT = m.S()\nS=...\n";
    assert_eq!(skimmed(text), expected);
}

#[test]
fn line_breaks_go_with_what_held_them() {
    // Facts keep their lines: their offsets are mapped back to the text
    // as written, where lines and columns are counted.
    let text = "def f():\n    x = {\n        'a': 1,\n    }\r\n    y = \"\"\"doc\nstring\"\"\" \\\n        + 'z'\n";
    assert_eq!(skimmed(text), "def f():\n    ...\n");
}

#[test]
fn f_strings_nest_and_hold_uses() {
    let text = "import m\ndef f(x):\n    a = f\"{x:>{width}} {x!r} {{literal}}\"\n    b = f\"{f\"{m.S}\"}\"\n    c = f'{x[\"k\"]}' + rb'\\''\n";
    let out = skimmed(text);
    assert!(out.contains("    b = f\"{f\"{m.S}\"}\"\n"), "{out}");
    // The import's `...` and the first statement's.
    assert_eq!(out.matches("...").count(), 2, "{out}");
}

#[test]
fn gives_up_on_what_it_does_not_understand() {
    assert!(skim("def f():\n\tx = 1\n").is_none());
    assert!(skim("def f():\n    x = 'open\n").is_none());
    assert!(skim("def f():\n    x = (1\n").is_none());
    assert!(skim("def f():\n    ñ = 1\n").is_none());
    // Not ASCII inside strings and comments is fine.
    assert_eq!(
        skimmed("def f():\n    x = 'ñ'  # ü\n"),
        "def f():\n    ...\n"
    );
}

#[test]
fn clauses_and_one_liners_stay() {
    let text = "def f():\n    if a: import y\n    else: c = 2\n    try:\n        import x\n    except E as e:\n        pass\n    finally:\n        pass\n    while b:\n        pass\n    else:\n        pass\n";
    // A statement goes or stays with all its clauses.
    let expected = "def f():\n    if a: import y\n    else: c = 2\n    try:\n        import x\n    except E as e:\n        ...\n    finally:\n        ...\n";
    assert_eq!(skimmed(text), expected);
}

#[test]
fn decorators_go_and_cases_stay() {
    let text = "class T:\n    @a\n    @patch('x.Y')\n    @b\n    def t(self):\n        pass\n    def u(self):\n        match x:\n            case 1:\n                import q\n            case _:\n                pass\n";
    let expected = "class T:\n    \n    @patch('x.Y')\n    \n    def t():\n        ...\n    def u():\n        match x:\n            case 1:\n                import q\n            case _:\n                ...\n";
    assert_eq!(skimmed(text), expected);
}

#[test]
fn deep_blocks_give_up() {
    let mut text = String::new();
    for depth in 0..=MAX_BLOCK_DEPTH + 1 {
        text.push_str(&" ".repeat(depth));
        text.push_str("if x:\n");
    }
    text.push_str(&" ".repeat(MAX_BLOCK_DEPTH + 2));
    text.push_str("import y\n");
    assert!(skim(&text).is_none());
}

#[test]
fn bases_come_from_import_statements() {
    let text = b"import a.b, c as d\nfrom x import y\nfrom . import z\nimport \\\n  e\n";
    let imports: Vec<usize> = memchr::memmem::find_iter(text, b"import").collect();
    assert_eq!(
        import_bases(text, &imports),
        vec![(&b"a"[..], &b"a"[..]), (b"d", b"c"), (b"e", b"e")]
    );
}
