//! Whether a Python text may import a legacy module, read in import
//! context: `import a.b.manager`, `from a.b import manager`, `from
//! a.b.manager import *`, and the relative forms (`from .manager import *`,
//! `from .. import manager`) resolved against the file's own module. (`from
//! a.b.manager import X` matters only when `X` is a needle, and the needle
//! search finds those.) The
//! last component of a legacy module is often a common word (`manager`,
//! `core`, `utils`): found anywhere else in a file it says nothing.
//!
//! Sound by construction: every `import` and `from` keyword in the text is
//! looked at, in strings and comments too (a false start only costs a
//! parse); a statement is only passed over when its shape proves it names
//! no legacy module, and a relative import in a file of unknown module
//! counts as a possible hit.

/// A Python legacy module `a.b.manager`.
pub(super) struct LegacyModule {
    /// `a.b.manager`.
    pub module: String,
    /// `a.b` (empty for a top-level module).
    pub parent: String,
    /// `manager`.
    pub last: String,
}

/// `text` (whose module is `module`, when known) may import one of
/// `legacy`: it has an import statement that resolves to one of them, to
/// a module inside one, or to a parent importing the last component.
pub(super) fn may_import(text: &str, module: Option<&str>, legacy: &[LegacyModule]) -> bool {
    let bytes = text.as_bytes();
    for at in memchr::memmem::find_iter(bytes, b"import") {
        if !is_keyword_at(text, at, 6) {
            continue;
        }
        let names = logical_rest(text, at + 6);
        if dotted_names(names).any(|name| legacy.iter().any(|legacy| within(&name, legacy))) {
            return true;
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"from") {
        if !is_keyword_at(text, at, 4) {
            continue;
        }
        let Some(statement) = from_import(text, at + 4) else {
            continue;
        };
        let targets = match statement.level {
            0 => vec![statement.module.clone()],
            level => match module {
                Some(module) => resolve(module, level, &statement.module),
                // Relative to a module this file has none of: any mention.
                None => {
                    let mentioned = |legacy: &LegacyModule| {
                        has_word(statement.names, &legacy.last)
                            || has_word(&statement.module, &legacy.last)
                    };
                    if legacy.iter().any(mentioned) {
                        return true;
                    }
                    continue;
                }
            },
        };
        // `from L import *` and `from P import last` import the legacy
        // module `L` = `P.last`; `from L import name` only matters when
        // `name` is a needle, which the needle search finds anyway.
        let star = statement.names.contains('*');
        for target in &targets {
            for legacy in legacy {
                if (star && *target == legacy.module)
                    || (*target == legacy.parent && has_word(statement.names, &legacy.last))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// `name` is the legacy module or a module inside it.
fn within(name: &str, legacy: &LegacyModule) -> bool {
    name.strip_prefix(legacy.module.as_str())
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
}

/// The absolute modules `from <level dots><module>` may name in `file`:
/// `file` may be a package (`__init__`) or a plain module, so both readings.
fn resolve(file: &str, level: usize, module: &str) -> Vec<String> {
    let parts: Vec<&str> = file.split('.').collect();
    let mut out = Vec::new();
    for drop in [level - 1, level] {
        if drop > parts.len() {
            continue;
        }
        let base = parts[..parts.len() - drop].join(".");
        let full = match (base.is_empty(), module.is_empty()) {
            (_, true) => base,
            (true, false) => module.to_string(),
            (false, false) => format!("{base}.{module}"),
        };
        if !full.is_empty() && !out.contains(&full) {
            out.push(full);
        }
    }
    out
}

struct FromImport<'a> {
    level: usize,
    /// The module after the dots, blanks removed (`a.b`), or empty.
    module: String,
    /// What follows `import`, to the end of the statement.
    names: &'a str,
}

/// `from <dots><dotted> import <names>` starting after the `from` keyword;
/// `None` when what follows cannot be an import statement (`yield from x`,
/// `raise E from e`, a word in a comment).
fn from_import(text: &str, start: usize) -> Option<FromImport<'_>> {
    let mut at = skip_blanks(text, start);
    let mut level = 0;
    let mut module = String::new();
    loop {
        let rest = &text[at..];
        if rest.starts_with('.') {
            if module.is_empty() {
                level += 1;
            } else {
                module.push('.');
            }
            at = skip_blanks(text, at + 1);
            continue;
        }
        let word = identifier(rest);
        if word.is_empty() {
            return None;
        }
        if word == "import" && (level > 0 || !module.is_empty()) && !module.ends_with('.') {
            let names = logical_rest(text, at + word.len());
            return Some(FromImport {
                level,
                module,
                names,
            });
        }
        if !module.is_empty() && !module.ends_with('.') {
            return None;
        }
        module.push_str(word);
        at = skip_blanks(text, at + word.len());
    }
}

/// The dotted names of an `import` statement's rest (`a.b as c, d`), blanks
/// inside them removed.
fn dotted_names(rest: &str) -> impl Iterator<Item = String> + '_ {
    rest.split(',').filter_map(|part| {
        let mut name = String::new();
        for token in part.split(|c: char| c.is_whitespace() || c == '\\' || c == '(' || c == ')') {
            if token == "as" {
                break;
            }
            name.push_str(token);
        }
        (!name.is_empty()).then_some(name)
    })
}

/// From `start` to the end of the logical line: a line break outside
/// brackets and not after a backslash, a `;` or a comment outside brackets.
fn logical_rest(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0_usize;
    let mut at = start;
    while at < bytes.len() {
        match bytes[at] {
            b'(' => depth += 1,
            b')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[start..at + 1];
                }
            }
            b'\\' if bytes.get(at + 1) == Some(&b'\n') => at += 1,
            b'\\' if bytes.get(at + 1) == Some(&b'\r') => {
                at += 1;
                if bytes.get(at + 1) == Some(&b'\n') {
                    at += 1;
                }
            }
            b'#' => {
                if depth == 0 {
                    return &text[start..at];
                }
                // A comment inside brackets runs to the line's end.
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'\n' | b'\r' | b';' if depth == 0 => return &text[start..at],
            _ => {}
        }
        at += 1;
    }
    &text[start..]
}

/// Blanks, and line continuations, from `at`.
fn skip_blanks(text: &str, mut at: usize) -> usize {
    let bytes = text.as_bytes();
    while at < bytes.len() {
        match bytes[at] {
            b' ' | b'\t' | b'\x0c' => at += 1,
            b'\\' if matches!(bytes.get(at + 1), Some(b'\n' | b'\r')) => {
                at += 2;
                if bytes[at - 1] == b'\r' && bytes.get(at) == Some(&b'\n') {
                    at += 1;
                }
            }
            _ => break,
        }
    }
    at
}

/// The identifier `rest` starts with (possibly empty).
fn identifier(rest: &str) -> &str {
    let end = rest
        .char_indices()
        .find(|&(_, c)| !super::is_identifier_char(c))
        .map_or(rest.len(), |(at, _)| at);
    &rest[..end]
}

/// The keyword of `len` bytes at `at` is a whole word.
fn is_keyword_at(text: &str, at: usize, len: usize) -> bool {
    super::is_whole_word(text, at..at + len)
}

/// `word` occurs in `text` as a whole identifier.
fn has_word(text: &str, word: &str) -> bool {
    !word.is_empty()
        && memchr::memmem::find_iter(text.as_bytes(), word.as_bytes())
            .any(|at| is_keyword_at(text, at, word.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn legacy() -> Vec<LegacyModule> {
        vec![LegacyModule {
            module: "app.core.manager".into(),
            parent: "app.core".into(),
            last: "manager".into(),
        }]
    }

    fn imports(text: &str, module: Option<&str>) -> bool {
        may_import(text, module, &legacy())
    }

    #[test]
    fn absolute_forms() {
        for text in [
            "import app.core.manager\n",
            "import os, app.core.manager as m\n",
            "import app . core . manager\n",
            "import app.core.manager.sub\n",
            "from app.core.manager import *\n",
            "from app.core import manager\n",
            "from app.core import (\n    config,  # manager below\n    manager as m,\n)\n",
            "from app.core import config, \\\n    manager\n",
            "from app . core import manager\n",
            "def f():\n    from app.core import manager\n",
            "x = 1; from app.core import manager\n",
            "from\\\n app.core import manager\n",
        ] {
            assert!(imports(text, Some("other.module")), "{text:?}");
        }
    }

    #[test]
    fn relative_forms_resolved_by_the_file_module() {
        assert!(imports("from .manager import *\n", Some("app.core.views")));
        assert!(!imports("from .manager import X\n", Some("app.core.views")));
        assert!(imports("from . import manager\n", Some("app.core.views")));
        assert!(imports("from . import manager\n", Some("app.core")));
        assert!(imports(
            "from .. import manager\n",
            Some("app.core.api.views")
        ));
        assert!(imports(
            "from ..core import manager\n",
            Some("app.api.views")
        ));
        assert!(imports(
            "from ...core.manager import (\n    *)\n",
            Some("app.api.v1.views")
        ));
        assert!(!imports(
            "from ...core.manager import X\n",
            Some("app.api.v1.views")
        ));
        assert!(!imports("from .manager import X\n", Some("billing.views")));
        assert!(!imports("from . import manager\n", Some("app.api.views")));
        // Of unknown module: any relative mention.
        assert!(imports("from .manager import X\n", None));
        assert!(!imports("from .config import X\n", None));
    }

    #[test]
    fn the_word_alone_is_no_import() {
        for text in [
            "manager = Manager()\n# the manager of app.core\n",
            "from app.billing.manager import X\n",
            "import app.core.managers\n",
            "import app.core\nx = app.core.manager\n",
            "from app.core import config  # manager\n",
            "from app.core import config; manager = 1\n",
            "raise Error from manager\n",
            "yield from manager.items()\n",
            "s = 'from app import manager'\n",
            "from app.core.managerial import X\n",
            "from app.core.manager import helper, X\n",
        ] {
            assert!(!imports(text, Some("app.core.views")), "{text:?}");
        }
    }

    #[test]
    fn resolve_reads_both_a_package_and_a_module() {
        assert_eq!(resolve("a.b.c", 1, "x"), ["a.b.c.x", "a.b.x"]);
        assert_eq!(resolve("a.b", 2, ""), ["a"]);
        assert_eq!(resolve("a", 3, "x"), Vec::<String>::new());
    }
}
