//! Renaming the uses of one imported name in a Python file, so a fix can
//! import the canonical name itself instead of aliasing it to the old one
//! (`from canonical import New as Old` would be a second name again).
//!
//! Scope-aware by refusal: the rename is given only when the old name is
//! bound nowhere in the file but by the import being fixed (no assignment,
//! parameter, `def`, `class`, other import, `global`, `except ... as`,
//! match capture, `del`), and no string mentions it (`__all__`,
//! `getattr(module, "Old")`, string annotations). Then every load of the
//! name, in every scope, names that import's object, and each is renamed.

use ruff_python_ast::visitor::{walk_expr, walk_parameter, walk_pattern, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};
use ruff_text_size::Ranged;

/// Byte ranges of every use of `old` in `text`, or None when renaming them
/// could change what the file does. `statement` is the byte offset of the
/// import statement that binds `old` (its own alias is not a use).
pub fn uses(text: &str, old: &str, statement: usize) -> Option<Vec<(usize, usize)>> {
    crate::fix::on_parser_stack(|| {
        let parsed =
            ruff_python_parser::parse_unchecked_source(text, ruff_python_ast::PySourceType::Python);
        if !parsed.errors().is_empty() {
            return None;
        }
        let mut finder = Uses {
            old,
            statement,
            uses: Vec::new(),
            rebound: false,
        };
        for stmt in parsed.suite() {
            finder.visit_stmt(stmt);
        }
        (!finder.rebound).then(|| {
            finder.uses.sort_unstable();
            finder.uses
        })
    })
    .flatten()
}

struct Uses<'n> {
    old: &'n str,
    statement: usize,
    uses: Vec<(usize, usize)>,
    rebound: bool,
}

impl Uses<'_> {
    fn binds(&mut self, name: &str) {
        if name == self.old {
            self.rebound = true;
        }
    }

    fn mentions(&self, value: &str) -> bool {
        value
            .split(|c: char| !(c == '_' || c.is_alphanumeric()))
            .any(|word| word == self.old)
    }
}

impl<'a> Visitor<'a> for Uses<'_> {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => self.binds(def.name.as_str()),
            Stmt::ClassDef(class) => self.binds(class.name.as_str()),
            Stmt::Global(ast::StmtGlobal { names, .. })
            | Stmt::Nonlocal(ast::StmtNonlocal { names, .. }) => {
                for name in names {
                    self.binds(name.as_str());
                }
            }
            Stmt::Import(ast::StmtImport { names, range, .. })
            | Stmt::ImportFrom(ast::StmtImportFrom { names, range, .. }) => {
                if range.start().to_usize() != self.statement {
                    for alias in names {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        let first = bound.as_str().split('.').next().unwrap_or_default();
                        self.binds(first);
                        if alias.name.as_str() == "*" {
                            // A star import may bind anything.
                            self.rebound = true;
                        }
                    }
                }
                return;
            }
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) if name.id.as_str() == self.old => match name.ctx {
                ExprContext::Load => self
                    .uses
                    .push((name.range.start().to_usize(), name.range.end().to_usize())),
                _ => self.rebound = true,
            },
            Expr::StringLiteral(string) if self.mentions(string.value.to_str()) => {
                self.rebound = true;
            }
            Expr::Call(call) => {
                // `locals()`, `globals()`, `vars()`, `eval`/`exec` see names
                // by their spelling.
                if let Expr::Name(function) = call.func.as_ref() {
                    if matches!(
                        function.id.as_str(),
                        "locals" | "globals" | "vars" | "eval" | "exec"
                    ) {
                        self.rebound = true;
                    }
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }

    fn visit_parameter(&mut self, parameter: &'a ast::Parameter) {
        self.binds(parameter.name.as_str());
        walk_parameter(self, parameter);
    }

    fn visit_except_handler(&mut self, handler: &'a ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(inner) = handler;
        if let Some(name) = &inner.name {
            self.binds(name.as_str());
        }
        ruff_python_ast::visitor::walk_except_handler(self, handler);
    }

    fn visit_pattern(&mut self, pattern: &'a Pattern) {
        match pattern {
            Pattern::MatchAs(ast::PatternMatchAs {
                name: Some(name), ..
            })
            | Pattern::MatchStar(ast::PatternMatchStar {
                name: Some(name), ..
            }) => {
                self.binds(name.as_str());
            }
            Pattern::MatchMapping(ast::PatternMatchMapping {
                rest: Some(rest), ..
            }) => self.binds(rest.as_str()),
            _ => {}
        }
        walk_pattern(self, pattern);
    }

    fn visit_type_param(&mut self, type_param: &'a ast::TypeParam) {
        self.binds(type_param.name().as_str());
        ruff_python_ast::visitor::walk_type_param(self, type_param);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renamed(text: &str) -> Option<Vec<&str>> {
        let statement = text.find("from legacy").unwrap_or(0);
        uses(text, "Old", statement)
            .map(|found| found.into_iter().map(|(a, b)| &text[a..b]).collect())
    }

    #[test]
    fn loads_in_every_scope_are_uses() {
        let text = "from legacy import Old\nx = Old()\ndef f(a: Old) -> Old:\n    return [Old for _ in a]\nclass C(Old):\n    y = Old\n";
        assert_eq!(renamed(text).map(|found| found.len()), Some(6));
    }

    #[test]
    fn any_other_binding_refuses() {
        for body in [
            "Old = 1\n",
            "def f(Old): pass\n",
            "def Old(): pass\n",
            "class Old: pass\n",
            "import other as Old\n",
            "from other import *\n",
            "def f():\n    global Old\n",
            "try:\n    pass\nexcept E as Old:\n    pass\n",
            "match x:\n    case [*Old]: pass\n",
            "del Old\n",
            "for Old in []: pass\n",
            "__all__ = ['Old']\n",
            "x: 'Old | None' = None\n",
            "print(locals())\n",
            "(Old := 1)\n",
        ] {
            let text = format!("from legacy import Old\n{body}");
            assert_eq!(renamed(&text), None, "{body}");
        }
    }

    #[test]
    fn attributes_and_keywords_are_not_uses() {
        let text = "from legacy import Old\nx.Old\nf(Old=1)\n";
        assert_eq!(renamed(text), Some(vec![]));
    }
}
