//! The walk over the ruff AST that feeds the scope model: bindings,
//! mentions and scopes, in the order Python evaluates them.

use ruff_python_ast::visitor::{walk_expr, walk_pattern, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, ExprContext, Pattern, Stmt};
use ruff_text_size::Ranged;

use super::{Kind, Mention, Model, Refusal};

impl<'t> Visitor<'t> for Model<'t> {
    fn visit_stmt(&mut self, stmt: &'t Stmt) {
        match stmt {
            Stmt::FunctionDef(def) => {
                for decorator in &def.decorator_list {
                    self.visit_decorator(decorator);
                }
                self.parameters(&def.parameters);
                if let Some(returns) = &def.returns {
                    self.visit_annotation(returns);
                }
                self.bind(def.name.as_str(), def.name.range());
                let parent = self.push(Kind::Function);
                if let Some(type_params) = &def.type_params {
                    self.visit_type_params(type_params);
                }
                self.bind_parameters(&def.parameters);
                self.visit_body(&def.body);
                self.current = parent;
                return;
            }
            Stmt::ClassDef(class) => {
                for decorator in &class.decorator_list {
                    self.visit_decorator(decorator);
                }
                if let Some(arguments) = &class.arguments {
                    self.visit_arguments(arguments);
                }
                self.bind(class.name.as_str(), class.name.range());
                let parent = self.push(Kind::Class);
                if let Some(type_params) = &class.type_params {
                    self.visit_type_params(type_params);
                }
                self.visit_body(&class.body);
                self.current = parent;
                return;
            }
            Stmt::Global(ast::StmtGlobal { names, .. }) => {
                for name in names {
                    if name.as_str() == self.old {
                        self.scopes[self.current].global_old = true;
                        self.globals.push(Mention {
                            scope: self.current,
                            start: name.range().start().to_usize(),
                            end: name.range().end().to_usize(),
                            replacement: self.new.to_string(),
                        });
                    } else if name.as_str() == self.new {
                        self.refuse(Refusal::GlobalNamesNew(self.new.to_string()));
                    }
                }
            }
            Stmt::Nonlocal(ast::StmtNonlocal { names, .. })
                if names
                    .iter()
                    .any(|name| name.as_str() == self.old || name.as_str() == self.new) =>
            {
                self.refuse(Refusal::Nonlocal);
            }
            Stmt::Import(ast::StmtImport { names, range, .. })
            | Stmt::ImportFrom(ast::StmtImportFrom { names, range, .. }) => {
                if range.start().to_usize() == self.statement {
                    self.target = Some(self.current);
                    for alias in names {
                        let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                        let first = bound.as_str().split('.').next().unwrap_or_default();
                        if first != self.old && !(self.current == 0 && first == self.new) {
                            self.bind_fixed(first);
                        }
                    }
                    return;
                }
                for alias in names {
                    if alias.name.as_str() == "*" {
                        self.refuse(Refusal::StarImport);
                    }
                    let bound = alias.asname.as_ref().unwrap_or(&alias.name);
                    let first = bound.as_str().split('.').next().unwrap_or_default();
                    // A module-level import of the new name is the caller's
                    // to judge: the canonical import itself is welcome.
                    if !(self.current == 0 && first == self.new) {
                        self.bind_fixed(first);
                    }
                }
                return;
            }
            Stmt::Assign(assign)
                if self.retire && assign.range.start().to_usize() == self.statement =>
            {
                // The alias being retired: its value is read, its target is the binding.
                self.target = Some(self.current);
                self.visit_expr(&assign.value);
                return;
            }
            Stmt::AnnAssign(assign)
                if self.retire && assign.range.start().to_usize() == self.statement =>
            {
                self.target = Some(self.current);
                self.visit_annotation(&assign.annotation);
                if let Some(value) = &assign.value {
                    self.visit_expr(value);
                }
                return;
            }
            Stmt::Assign(assign) => {
                for target in &assign.targets {
                    self.dunder_all(target, Some(&assign.value));
                }
            }
            Stmt::AugAssign(assign) => self.dunder_all(&assign.target, Some(&assign.value)),
            Stmt::AnnAssign(assign) => self.dunder_all(&assign.target, assign.value.as_deref()),
            _ => {}
        }
        walk_stmt(self, stmt);
    }

    fn visit_annotation(&mut self, expr: &'t Expr) {
        let outer = std::mem::replace(&mut self.in_annotation, true);
        self.visit_expr(expr);
        self.in_annotation = outer;
    }

    fn visit_expr(&mut self, expr: &'t Expr) {
        match expr {
            Expr::Name(name) => {
                let id = name.id.as_str();
                match name.ctx {
                    ExprContext::Load if id == self.old => self.mentions.push(Mention {
                        scope: self.current,
                        start: name.range.start().to_usize(),
                        end: name.range.end().to_usize(),
                        replacement: self.new.to_string(),
                    }),
                    ExprContext::Store | ExprContext::Del => self.bind(id, name.range),
                    _ => {}
                }
                return;
            }
            Expr::Named(named) => {
                self.visit_expr(&named.value);
                if let Expr::Name(name) = named.target.as_ref() {
                    let scope = self.enclosing_function();
                    self.bind_in(scope, name.id.as_str(), Some(name.range));
                }
                return;
            }
            Expr::StringLiteral(string) => {
                let start = string.range.start().to_usize();
                if self.handled_strings.contains(&start) {
                    return;
                }
                if self.in_annotation {
                    if let Some((start, end, quote, content)) = self.plain_literal(string) {
                        if let Some(renamed) = self.replace_words(content) {
                            self.mentions.push(Mention {
                                scope: self.current,
                                start,
                                end,
                                replacement: format!("{quote}{renamed}{quote}"),
                            });
                        }
                        return;
                    }
                }
                if self.names_old(string.value.to_str()) {
                    self.refuse(Refusal::StringSpells(self.old.to_string()));
                }
                return;
            }
            Expr::Call(call) => {
                // `locals()`, `globals()`, `vars()`, `eval`/`exec` see names
                // by their spelling.
                if let Expr::Name(function) = call.func.as_ref() {
                    let called = function.id.as_str();
                    if matches!(called, "locals" | "globals" | "vars" | "eval" | "exec") {
                        self.refuse(Refusal::SeesSpelling(called.to_string()));
                    }
                }
            }
            Expr::Lambda(lambda) => {
                if let Some(parameters) = &lambda.parameters {
                    self.parameters(parameters);
                }
                let parent = self.push(Kind::Function);
                if let Some(parameters) = &lambda.parameters {
                    self.bind_parameters(parameters);
                }
                self.visit_expr(&lambda.body);
                self.current = parent;
                return;
            }
            Expr::ListComp(comp) => {
                self.comprehension(&comp.generators, &[&comp.elt]);
                return;
            }
            Expr::SetComp(comp) => {
                self.comprehension(&comp.generators, &[&comp.elt]);
                return;
            }
            Expr::Generator(comp) => {
                self.comprehension(&comp.generators, &[&comp.elt]);
                return;
            }
            Expr::DictComp(comp) => {
                let mut elements: Vec<&Expr> = comp.key.iter().map(|key| &**key).collect();
                elements.push(&comp.value);
                self.comprehension(&comp.generators, &elements);
                return;
            }
            _ => {}
        }
        walk_expr(self, expr);
    }

    fn visit_except_handler(&mut self, handler: &'t ast::ExceptHandler) {
        let ast::ExceptHandler::ExceptHandler(inner) = handler;
        if let Some(name) = &inner.name {
            self.bind(name.as_str(), name.range());
        }
        ruff_python_ast::visitor::walk_except_handler(self, handler);
    }

    fn visit_pattern(&mut self, pattern: &'t Pattern) {
        match pattern {
            Pattern::MatchAs(ast::PatternMatchAs {
                name: Some(name), ..
            })
            | Pattern::MatchStar(ast::PatternMatchStar {
                name: Some(name), ..
            }) => {
                self.bind(name.as_str(), name.range());
            }
            Pattern::MatchMapping(ast::PatternMatchMapping {
                rest: Some(rest), ..
            }) => self.bind(rest.as_str(), rest.range()),
            _ => {}
        }
        walk_pattern(self, pattern);
    }

    fn visit_type_param(&mut self, type_param: &'t ast::TypeParam) {
        self.bind_fixed(type_param.name().as_str());
        ruff_python_ast::visitor::walk_type_param(self, type_param);
    }
}
