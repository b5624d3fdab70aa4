//! The visitor that turns a parsed module into facts.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use std::sync::Arc;

use super::modules::resolve_relative;
use crate::lang::skim::{ImportLine, ImportName, SkimBuffers};
use crate::lang::{
    AliasAssignment, AliasValue, AttributeUse, Binding, BindingKind, Definition, DefinitionKind,
    FileFacts, Guard, ImportFact, ImportKind, PatchTarget, Scope, Span,
};
use crate::source::LineLookup;

#[derive(Clone, Copy)]
pub(super) struct Context {
    pub(super) scope: Scope,
    pub(super) type_checking: bool,
    pub(super) in_try: bool,
    /// Not inside any `def` or `class`.
    pub(super) module_level: bool,
    pub(super) in_match: bool,
}

impl Context {
    pub(super) fn module() -> Self {
        Self {
            scope: Scope::Module,
            type_checking: false,
            in_try: false,
            module_level: true,
            in_match: false,
        }
    }

    pub(super) fn guard(self) -> Option<Guard> {
        if self.type_checking {
            Some(Guard::TypeChecking)
        } else if self.in_try {
            Some(Guard::Try)
        } else {
            None
        }
    }
}

pub(super) struct Collector<'a> {
    pub(super) facts: &'a mut FileFacts,
    /// Lines and columns in the text as written.
    pub(super) lines: &'a LineLookup<'a>,
    /// For a skimmed text, the way back to the original's byte offsets.
    pub(super) offsets: Option<&'a SkimBuffers>,
    /// Names bound by `import` statements anywhere in the file.
    pub(super) import_bases: FxHashSet<Arc<str>>,
}

pub(super) fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "TYPE_CHECKING" && matches!(*attribute.value, Expr::Name(_))
        }
        _ => false,
    }
}

/// `a.b.c` as a dotted string, when the expression is only names and attributes.
pub(super) fn dotted(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Name(name) => Some(name.id.to_string()),
        Expr::Attribute(attribute) => {
            let mut base = dotted(&attribute.value)?;
            base.push('.');
            base.push_str(attribute.attr.as_str());
            Some(base)
        }
        _ => None,
    }
}

pub(super) fn string_elements(expr: &Expr) -> Vec<String> {
    match expr {
        Expr::List(ast::ExprList { elts, .. }) | Expr::Tuple(ast::ExprTuple { elts, .. }) => elts
            .iter()
            .filter_map(|elt| match elt {
                Expr::StringLiteral(string) => Some(string.value.to_str().to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

impl Collector<'_> {
    pub(super) fn span(&self, range: TextRange) -> Span {
        let start = range.start().to_usize();
        let end = range.end().to_usize();
        let (start, end) = match self.offsets {
            Some(offsets) => (offsets.original_offset(start), offsets.original_end(end)),
            None => (start, end),
        };
        self.original_span(start, end)
    }

    /// The span of `start..end` in the text as written.
    pub(super) fn original_span(&self, start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            begin: self.lines.line_col(start),
            finish: self.lines.line_col(end),
        }
    }

    pub(super) fn bind(&mut self, context: Context, name: &str, kind: BindingKind) {
        if context.module_level && !name.is_empty() {
            self.bind_shared(context, name.into(), kind);
        }
    }

    /// [`Collector::bind`] with a name an import fact holds too.
    pub(super) fn bind_shared(&mut self, context: Context, name: Arc<str>, kind: BindingKind) {
        if context.module_level && !name.is_empty() {
            self.facts.bindings.push(Binding { name, kind });
        }
    }

    pub(super) fn suite(&mut self, body: &[Stmt], context: Context) {
        for stmt in body {
            self.stmt(stmt, context);
        }
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt, context: Context) {
        match stmt {
            // An import the skim read itself stands as `...` at the top level.
            Stmt::Expr(expr)
                if context.module_level && matches!(*expr.value, Expr::EllipsisLiteral(_)) =>
            {
                let read = self
                    .offsets
                    .and_then(|offsets| offsets.import_at(expr.range.start().to_usize()));
                if let Some((import, names)) = read {
                    self.read_import(import, names, context);
                }
            }
            Stmt::FunctionDef(function) => {
                self.bind(context, function.name.as_str(), BindingKind::Function);
                let inner = Context {
                    scope: Scope::Function,
                    type_checking: false,
                    in_try: false,
                    module_level: false,
                    in_match: false,
                };
                self.suite(&function.body, inner);
            }
            Stmt::ClassDef(class) => {
                if !class.name.as_str().is_empty() {
                    self.facts.definitions.push(Definition {
                        kind: DefinitionKind::Class,
                        name: class.name.to_string(),
                        name_span: self.span(class.name.range),
                        top_level: context.module_level,
                        aliased: None,
                        public: true,
                        mod_path: Vec::new(),
                    });
                }
                self.bind(context, class.name.as_str(), BindingKind::Class);
                let inner = Context {
                    scope: Scope::Class,
                    module_level: false,
                    in_match: false,
                    ..context
                };
                self.suite(&class.body, inner);
            }
            Stmt::Import(import) => self.import(import, context),
            Stmt::ImportFrom(import) => self.import_from(import, context),
            Stmt::Assign(assign) if context.module_level => {
                for target in &assign.targets {
                    self.assignment(target, Some(&assign.value), stmt.range(), context);
                }
            }
            Stmt::AnnAssign(assign) if context.module_level => {
                self.assignment(
                    &assign.target,
                    assign.value.as_deref(),
                    stmt.range(),
                    context,
                );
            }
            Stmt::AugAssign(assign) if context.module_level => {
                if let Expr::Name(name) = assign.target.as_ref() {
                    if name.id.as_str() == "__all__" {
                        let entries = string_elements(&assign.value);
                        self.facts.dunder_all.extend(entries);
                    }
                }
            }
            Stmt::If(if_stmt) => {
                let body_context = Context {
                    type_checking: context.type_checking || is_type_checking(&if_stmt.test),
                    ..context
                };
                self.suite(&if_stmt.body, body_context);
                for clause in &if_stmt.elif_else_clauses {
                    let clause_context = Context {
                        type_checking: context.type_checking
                            || clause.test.as_ref().is_some_and(is_type_checking),
                        ..context
                    };
                    self.suite(&clause.body, clause_context);
                }
            }
            Stmt::Try(try_stmt) => {
                let inner = Context {
                    in_try: true,
                    ..context
                };
                self.suite(&try_stmt.body, inner);
                for handler in &try_stmt.handlers {
                    let ast::ExceptHandler::ExceptHandler(handler) = handler;
                    self.suite(&handler.body, inner);
                }
                self.suite(&try_stmt.orelse, inner);
                self.suite(&try_stmt.finalbody, inner);
            }
            Stmt::With(with) => self.suite(&with.body, context),
            Stmt::For(for_stmt) => {
                self.suite(&for_stmt.body, context);
                self.suite(&for_stmt.orelse, context);
            }
            Stmt::While(while_stmt) => {
                self.suite(&while_stmt.body, context);
                self.suite(&while_stmt.orelse, context);
            }
            Stmt::Match(match_stmt) => {
                let inner = Context {
                    in_match: true,
                    ..context
                };
                for case in &match_stmt.cases {
                    self.suite(&case.body, inner);
                }
            }
            _ => {}
        }
    }

    pub(super) fn assignment(
        &mut self,
        target: &Expr,
        value: Option<&Expr>,
        statement: TextRange,
        context: Context,
    ) {
        match target {
            Expr::Name(name) => {
                let target_name = name.id.as_str();
                if target_name == "__all__" {
                    if let Some(value) = value {
                        self.facts.dunder_all = string_elements(value);
                    }
                    return;
                }
                let alias = value.and_then(|value| match value {
                    Expr::Name(source) => Some(AliasValue::Name(source.id.to_string())),
                    Expr::Attribute(attribute) => {
                        dotted(&attribute.value).map(|base| AliasValue::Attribute {
                            base,
                            attr: attribute.attr.to_string(),
                        })
                    }
                    _ => None,
                });
                match alias {
                    Some(alias) => {
                        self.facts.aliases.push(AliasAssignment {
                            target: target_name.to_string(),
                            target_span: self.span(name.range),
                            value: alias.clone(),
                            statement: self.span(statement),
                            in_match: context.in_match,
                        });
                        self.bind(context, target_name, BindingKind::Alias(alias));
                    }
                    None => self.bind(context, target_name, BindingKind::Other),
                }
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                for element in elts {
                    self.assignment(element, None, statement, context);
                }
            }
            Expr::Starred(starred) => self.assignment(&starred.value, None, statement, context),
            _ => {}
        }
    }

    pub(super) fn import(&mut self, import: &ast::StmtImport, context: Context) {
        let statement = self.span(import.range);
        for alias in &import.names {
            let alias_span = self.span(alias.range);
            let asname = alias.asname.as_ref().map(|name| name.as_str());
            self.import_name(alias.name.as_str(), asname, statement, alias_span, context);
        }
    }

    /// One name of `import a.b as c, d`.
    pub(super) fn import_name(
        &mut self,
        module: &str,
        asname: Option<&str>,
        statement: Span,
        alias: Span,
        context: Context,
    ) {
        if module.is_empty() {
            return;
        }
        let module: Arc<str> = module.into();
        let asname: Option<Arc<str>> = asname.map(Arc::from);
        let (bound, target) = match &asname {
            Some(asname) => (asname.clone(), module.to_string()),
            None => {
                let first = module.split('.').next().unwrap_or(&module);
                (Arc::from(first), first.to_string())
            }
        };
        self.import_bases.insert(bound.clone());
        self.bind_shared(context, bound, BindingKind::ModuleImport { module: target });
        self.facts.imports.push(ImportFact {
            module: Some(module.clone()),
            asname,
            resolved: Some(module),
            ..located(ImportKind::Import, context, statement, alias)
        });
    }

    pub(super) fn import_from(&mut self, import: &ast::StmtImportFrom, context: Context) {
        let statement = self.span(import.range);
        let module = import
            .module
            .as_ref()
            .map(|module| Arc::from(module.as_str()));
        let resolved = self.resolved(import.level, &module);
        for alias in &import.names {
            let alias_span = self.span(alias.range);
            let asname = alias.asname.as_ref().map(|name| name.as_str());
            let imported = (alias.name.as_str(), asname, alias_span);
            self.name_from_module(
                &module,
                import.level,
                &resolved,
                imported,
                statement,
                context,
            );
        }
    }

    /// The absolute module of `from <level dots><module> import ...` here
    /// (the very string of `module` when that is it).
    pub(super) fn resolved(&self, level: u32, module: &Option<Arc<str>>) -> Option<Arc<str>> {
        let resolved = resolve_relative(
            self.facts.module.as_deref(),
            self.facts.is_package,
            level,
            module.as_deref(),
        )?;
        Some(match module {
            Some(module) if **module == *resolved => module.clone(),
            _ => resolved.into(),
        })
    }

    /// One name of `from module import name as asname` (the name, the `as`
    /// name and the span of both).
    pub(super) fn name_from_module(
        &mut self,
        module: &Option<Arc<str>>,
        level: u32,
        resolved: &Option<Arc<str>>,
        (name, asname, alias): (&str, Option<&str>, Span),
        statement: Span,
        context: Context,
    ) {
        if name.is_empty() {
            return;
        }
        let name: Arc<str> = name.into();
        let asname: Option<Arc<str>> = asname.map(Arc::from);
        if &*name != "*" {
            let import = self.facts.imports.len();
            let bound = asname.as_ref().unwrap_or(&name).clone();
            self.bind_shared(context, bound, BindingKind::FromImport { import });
        }
        self.facts.imports.push(ImportFact {
            module: module.clone(),
            level,
            name: Some(name),
            asname,
            resolved: resolved.clone(),
            ..located(ImportKind::From, context, statement, alias)
        });
    }

    /// The facts of an import the skim read (see `skim::imports`): the very
    /// calls the parsed statement makes.
    pub(super) fn read_import(
        &mut self,
        import: &ImportLine,
        names: &[ImportName],
        context: Context,
    ) {
        let text = self.lines.text();
        let slice = |range: &std::ops::Range<usize>| text.get(range.clone()).unwrap_or("");
        let statement = self.original_span(import.statement.start, import.statement.end);
        match &import.from {
            None => {
                for name in names {
                    let alias = self.original_span(name.alias.start, name.alias.end);
                    let asname = name.asname.as_ref().map(slice);
                    self.import_name(slice(&name.name), asname, statement, alias, context);
                }
            }
            Some((level, module)) => {
                let module = module.as_ref().map(|module| Arc::from(slice(module)));
                let resolved = self.resolved(*level, &module);
                for name in names {
                    let alias = self.original_span(name.alias.start, name.alias.end);
                    let imported = (slice(&name.name), name.asname.as_ref().map(slice), alias);
                    self.name_from_module(&module, *level, &resolved, imported, statement, context);
                }
            }
        }
    }
}

/// An import fact of `kind` at `statement` / `alias` in `context`, its names
/// and modules still to be filled in.
pub(super) fn located(
    kind: ImportKind,
    context: Context,
    statement: Span,
    alias: Span,
) -> ImportFact {
    ImportFact {
        kind,
        module: None,
        level: 0,
        name: None,
        asname: None,
        resolved: None,
        scope: context.scope,
        guard: context.guard(),
        statement,
        alias,
        public: false,
        mod_path: Vec::new(),
    }
}

/// A second pass over expressions for `patch("…")` targets and `m.Name` uses.
pub(super) struct ExpressionFacts<'c, 'a> {
    pub(super) collector: &'c mut Collector<'a>,
    pub(super) wants_patch: bool,
}

/// `patch`, `<x>.patch`, `patch.object`, `<x>.patch.object`.
pub(super) fn is_patch_call(func: &Expr) -> bool {
    match func {
        Expr::Name(name) => name.id.as_str() == "patch",
        Expr::Attribute(attribute) => match attribute.attr.as_str() {
            "patch" => true,
            "object" => match attribute.value.as_ref() {
                Expr::Name(name) => name.id.as_str() == "patch",
                Expr::Attribute(inner) => inner.attr.as_str() == "patch",
                _ => false,
            },
            _ => false,
        },
        _ => false,
    }
}

impl<'b> Visitor<'b> for ExpressionFacts<'_, '_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        walk_stmt(self, stmt);
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Call(call) if self.wants_patch && is_patch_call(&call.func) => {
                let strings = call
                    .arguments
                    .args
                    .iter()
                    .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value));
                for argument in strings {
                    if let Expr::StringLiteral(string) = argument {
                        let span = self.collector.span(string.range);
                        self.collector.facts.patch_targets.push(PatchTarget {
                            value: string.value.to_str().to_string(),
                            span,
                        });
                    }
                }
            }
            Expr::Attribute(attribute) => {
                if let Some(base) = dotted(&attribute.value) {
                    let first = base.split('.').next().unwrap_or(&base);
                    if self.collector.import_bases.contains(first) {
                        let span = self.collector.span(attribute.range);
                        self.collector.facts.attribute_uses.push(AttributeUse {
                            base,
                            attr: attribute.attr.to_string(),
                            span,
                        });
                    }
                    // The inner names of a dotted chain are not uses of their own.
                    return;
                }
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
