//! Module-level import statements read by the skim itself.
//!
//! Imports are most of what a skimmed text still holds (about three fifths
//! of its bytes on a 10,000-file code base), and to ruff's parser they are
//! as dear per byte as any code. A statement at the module level in the
//! plainest form, `import a.b as c, d` or `from ..a import (b as c, d)`, is
//! read here instead and stands as `...` in the skimmed text; the facts are
//! made from what was read when the collector meets that `...` (in
//! statement order, so imports and bindings come in the order of the text).
//!
//! [`read`] takes only what is certainly valid Python and leaves everything
//! else to the parser: names are ASCII identifiers and no keyword, dotted
//! names have no blanks inside, blanks are spaces and tabs (and line breaks
//! and comments inside parentheses), nothing follows the statement but a
//! comment; no backslash, no `;`, no `__future__`.

use std::ops::Range;

/// One import statement the skim read (offsets in the text as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// Where its `...` starts in the skimmed text.
    pub placeholder: usize,
    /// The statement, from its keyword to its last name or `)`.
    pub statement: Range<usize>,
    /// For `from` imports: the number of leading dots, and the module after
    /// them if there is one.
    pub from: Option<(u32, Option<Range<usize>>)>,
    /// Its names in `SkimBuffers`' list of names.
    pub names: Range<usize>,
}

/// One imported name: the (dotted, for `import`) name, the `as` name, and
/// the whole of `name as asname`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportName {
    pub name: Range<usize>,
    pub asname: Option<Range<usize>>,
    pub alias: Range<usize>,
}

/// Python's hard keywords: none of them can be imported or bound.
pub(super) fn is_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"False"
            | b"None"
            | b"True"
            | b"and"
            | b"as"
            | b"assert"
            | b"async"
            | b"await"
            | b"break"
            | b"class"
            | b"continue"
            | b"def"
            | b"del"
            | b"elif"
            | b"else"
            | b"except"
            | b"finally"
            | b"for"
            | b"from"
            | b"global"
            | b"if"
            | b"import"
            | b"in"
            | b"is"
            | b"lambda"
            | b"nonlocal"
            | b"not"
            | b"or"
            | b"pass"
            | b"raise"
            | b"return"
            | b"try"
            | b"while"
            | b"with"
            | b"yield"
    )
}

struct Cursor<'t> {
    bytes: &'t [u8],
    at: usize,
    end: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        (self.at < self.end).then(|| self.bytes[self.at])
    }

    /// Spaces and tabs; whether there were any.
    fn blanks(&mut self) -> bool {
        let start = self.at;
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
        self.at > start
    }

    /// Blanks, line breaks and comments, as inside parentheses.
    fn blanks_in_brackets(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'#') => {
                    while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                        self.at += 1;
                    }
                }
                _ => return,
            }
        }
    }

    /// An identifier that is no keyword.
    fn identifier(&mut self) -> Option<Range<usize>> {
        let start = self.at;
        if !matches!(self.peek(), Some(b'a'..=b'z' | b'A'..=b'Z' | b'_')) {
            return None;
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_')
        ) {
            self.at += 1;
        }
        (!is_keyword(&self.bytes[start..self.at])).then_some(start..self.at)
    }

    /// `a.b.c`, no blanks inside.
    fn dotted(&mut self) -> Option<Range<usize>> {
        let start = self.identifier()?.start;
        while self.peek() == Some(b'.') {
            self.at += 1;
            self.identifier()?;
        }
        Some(start..self.at)
    }

    /// The keyword `word` followed by a blank.
    fn keyword(&mut self, word: &[u8]) -> bool {
        let rest = &self.bytes[self.at..self.end];
        if rest.starts_with(word) && matches!(rest.get(word.len()), Some(b' ' | b'\t')) {
            self.at += word.len();
            self.blanks();
            return true;
        }
        false
    }

    /// `name` or `name as other` (`dotted` names for `import`), then what
    /// follows on the line.
    fn alias(&mut self, dotted: bool, names: &mut Vec<ImportName>) -> Option<()> {
        let name = if dotted {
            self.dotted()?
        } else {
            self.identifier()?
        };
        let after_name = self.at;
        let mut asname = None;
        if self.blanks() && self.keyword(b"as") {
            asname = Some(self.identifier()?);
        } else {
            self.at = after_name;
        }
        let alias = name.start..asname.as_ref().map_or(name.end, |asname| asname.end);
        names.push(ImportName {
            name,
            asname,
            alias,
        });
        Some(())
    }

    /// `alias, alias, ...` outside brackets, up to the end of the last one
    /// (returned).
    fn aliases(&mut self, dotted: bool, names: &mut Vec<ImportName>) -> Option<usize> {
        loop {
            self.alias(dotted, names)?;
            let end = self.at;
            self.blanks();
            if self.peek() != Some(b',') {
                self.at = end;
                return Some(end);
            }
            self.at += 1;
            self.blanks();
        }
    }

    /// Only blanks and a comment up to the end of the line.
    fn rest_is_blank(&mut self) -> bool {
        self.blanks();
        matches!(self.peek(), None | Some(b'#'))
    }

    /// The statement from here to the end of the line (see [`read`]).
    fn statement(&mut self, names: &mut Vec<ImportName>) -> Option<ImportLine> {
        let start = self.at;
        let first_name = names.len();
        if self.keyword(b"import") {
            let statement_end = self.aliases(true, names)?;
            return self.rest_is_blank().then_some(ImportLine {
                placeholder: 0,
                statement: start..statement_end,
                from: None,
                names: first_name..names.len(),
            });
        }
        if !self.keyword(b"from") {
            return None;
        }
        let mut level = 0u32;
        while self.peek() == Some(b'.') {
            self.at += 1;
            level += 1;
        }
        let module = match self.peek() {
            Some(b' ' | b'\t') if level > 0 => None,
            _ => Some(self.dotted()?),
        };
        if module
            .as_ref()
            .is_some_and(|module| &self.bytes[module.clone()] == b"__future__")
            || !self.blanks()
            || !self.keyword(b"import")
        {
            return None;
        }
        let statement_end = match self.peek() {
            Some(b'*') => {
                names.push(ImportName {
                    name: self.at..self.at + 1,
                    asname: None,
                    alias: self.at..self.at + 1,
                });
                self.at += 1;
                self.at
            }
            Some(b'(') => {
                self.at += 1;
                loop {
                    self.blanks_in_brackets();
                    if self.peek() == Some(b')') && names.len() > first_name {
                        break;
                    }
                    self.alias(false, names)?;
                    self.blanks_in_brackets();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b')') => break,
                        _ => return None,
                    }
                }
                self.at += 1;
                self.at
            }
            _ => self.aliases(false, names)?,
        };
        self.rest_is_blank().then_some(ImportLine {
            placeholder: 0,
            statement: start..statement_end,
            from: Some((level, module)),
            names: first_name..names.len(),
        })
    }
}

/// The import statement that is the logical line `bytes[start..end]` (at
/// the module level, past its indentation of none), if it has the plainest
/// form (see the module docs). Its names are appended to `names`; on `None`
/// nothing is.
pub fn read(
    bytes: &[u8],
    start: usize,
    end: usize,
    names: &mut Vec<ImportName>,
) -> Option<ImportLine> {
    let first_name = names.len();
    let mut cursor = Cursor {
        bytes,
        at: start,
        end,
    };
    let line = cursor.statement(names);
    if line.is_none() {
        names.truncate(first_name);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What was read, as `(statement, from, [(name, asname, alias)])` texts.
    fn read_text(text: &str) -> Option<String> {
        let mut names = Vec::new();
        let line = read(text.as_bytes(), 0, text.len(), &mut names)?;
        let slice = |range: &Range<usize>| &text[range.clone()];
        let from = line
            .from
            .as_ref()
            .map(|(level, module)| format!("{level}:{}", module.as_ref().map_or("-", slice)));
        let names: Vec<String> = names[line.names.clone()]
            .iter()
            .map(|name| {
                format!(
                    "{}/{}/{}",
                    slice(&name.name),
                    name.asname.as_ref().map_or("-", slice),
                    slice(&name.alias)
                )
            })
            .collect();
        Some(format!(
            "{} | {} | {}",
            slice(&line.statement),
            from.unwrap_or_default(),
            names.join(" ")
        ))
    }

    #[test]
    fn plain_statements_are_read() {
        for (text, expected) in [
            ("import os", "import os |  | os/-/os"),
            (
                "import a.b as c, d  # why",
                "import a.b as c, d |  | a.b/c/a.b as c d/-/d",
            ),
            (
                "from pkg.mod import A as B, C\t",
                "from pkg.mod import A as B, C | 0:pkg.mod | A/B/A as B C/-/C",
            ),
            ("from . import x", "from . import x | 1:- | x/-/x"),
            ("from ...a import y", "from ...a import y | 3:a | y/-/y"),
            ("from m import *", "from m import * | 0:m | */-/*"),
            (
                "from m import (\n    a,  # one\n    b as c,\n)  # done",
                "from m import (\n    a,  # one\n    b as c,\n) | 0:m | a/-/a b/c/b as c",
            ),
            ("from m import (a)", "from m import (a) | 0:m | a/-/a"),
            (
                "import match, type as case",
                "import match, type as case |  | match/-/match type/case/type as case",
            ),
        ] {
            assert_eq!(read_text(text).as_deref(), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn anything_else_is_left_to_the_parser() {
        for text in [
            "import",
            "import a,",
            "import a as",
            "import a as b.c",
            "import a . b",
            "import class",
            "import a; b = 1",
            "import a \\\n , b",
            "from m import a,",
            "from m import ()",
            "from m import (a,,)",
            "from m import (*)",
            "from m import * as s",
            "from m import a as None",
            "from . a import b",
            "from .import b",
            "from m import a b",
            "from __future__ import annotations",
            "from m import (a",
            "import a = 1",
            "imports a",
            "from m importa",
            "from m import é",
        ] {
            assert_eq!(read_text(text), None, "{text:?}");
        }
    }
}
