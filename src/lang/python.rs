//! Python facts with ruff's parser: imports with scope and guard, class
//! definitions, module-level aliases and bindings, `__all__`, `patch("…")`
//! targets and module-alias attribute uses.

use ruff_python_ast::visitor::{walk_expr, walk_stmt, Visitor};
use ruff_python_ast::{self as ast, Expr, PySourceType, Stmt};
use ruff_text_size::{Ranged, TextRange};
use rustc_hash::FxHashSet;

use std::sync::Arc;

use super::skim::{skim_into, ImportLine, ImportName, Skim, SkimBuffers};
use super::{
    AliasAssignment, AliasValue, AttributeUse, Binding, BindingKind, Definition, DefinitionKind,
    FileFacts, Guard, ImportFact, ImportKind, Note, PatchTarget, Scope, Span,
};
use crate::source::LineLookup;

/// Files nested deeper than this many brackets are skipped with an SSOT900
/// note: the parser recurses once per level.
pub const MAX_NESTING: usize = 5_000;

/// Files whose expressions may nest deeper than this are skipped with an
/// SSOT900 note as well. Brackets are not the only thing the parser, our
/// visitors and the drop of the tree recurse on: prefix operators
/// (`- - - x`, `not not x`, `await`, `lambda:`), right-associative `**` and
/// left-nested chains (`a + a + ...`, `a.b.c...`, `f()()...`, `x[0][0]...`)
/// cost one level per operator. Measured (dev build, stack overflow on an
/// 8 MiB / 1 MiB main thread): at most ~64 bytes per chain level to parse,
/// ~128 with the visitors and the drop, ~256 per bracket level. An 8 MB file
/// of `-` or a 4-million-term sum overflowed the scan's 256 MiB stacks and
/// aborted the whole process before this bound existed.
pub const MAX_DEPTH: usize = 100_000;

/// The dotted module of a root-relative path, from the deepest `src` root
/// holding it, and whether it is a package `__init__`.
pub fn module_path(path: &str, src_roots: &[String]) -> Option<(String, bool)> {
    let root = src_roots
        .iter()
        .filter(|root| root.is_empty() || path.starts_with(&format!("{root}/")))
        .max_by_key(|root| {
            if root.is_empty() {
                0
            } else {
                root.split('/').count()
            }
        })?;
    let relative = if root.is_empty() {
        path
    } else {
        &path[root.len() + 1..]
    };
    let stem = relative
        .strip_suffix(".py")
        .or_else(|| relative.strip_suffix(".pyi"))?;
    let (stem, is_package) = if stem == "__init__" {
        ("", true)
    } else if let Some(package) = stem.strip_suffix("/__init__") {
        (package, true)
    } else {
        (stem, false)
    };
    Some((stem.replace('/', "."), is_package))
}

/// The absolute module a `from` import names, per the file's module path.
pub fn resolve_relative(
    file_module: Option<&str>,
    is_package: bool,
    level: u32,
    module: Option<&str>,
) -> Option<String> {
    if level == 0 {
        return module.map(str::to_string);
    }
    let file_module = file_module?;
    let package: Vec<&str> = if is_package {
        file_module
            .split('.')
            .filter(|part| !part.is_empty())
            .collect()
    } else {
        let mut parts: Vec<&str> = file_module.split('.').collect();
        parts.pop();
        parts
    };
    let up = (level - 1) as usize;
    if package.is_empty() || up >= package.len() {
        return None;
    }
    let mut base = package[..package.len() - up].join(".");
    if let Some(module) = module {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}

/// Deepest bracket nesting, a cheap bound checked before parsing.
pub fn max_nesting(text: &str) -> usize {
    byte_bounds(text).brackets
}

/// Byte classes of the pre-parse scan ([`byte_bounds`]).
/// An open bracket or a byte of an operator token.
const COUNTED: u8 = 1;
/// Part of an identifier or keyword (non-ASCII bytes included).
const WORD: u8 = 2;
/// The first letter of a keyword that deepens an expression (`and`, `or`,
/// `not`, `if`, `else`, `in`, `is`, `await`, `lambda`, `yield`).
const KEYWORD_START: u8 = 4;
// `byte_bounds` finds word starts by shifting the previous byte's WORD bit
// onto this byte's KEYWORD_START bit.
const _: () = assert!(WORD << 1 == KEYWORD_START);

const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        classes[byte] = match byte as u8 {
            b'(' | b'[' | b'{' | b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^'
            | b'~' | b'<' | b'>' | b'=' | b'!' | b'.' | b':' | b'?' => COUNTED,
            b'a' | b'o' | b'n' | b'i' | b'e' | b'l' | b'y' => WORD | KEYWORD_START,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | 0x80.. => WORD,
            _ => 0,
        };
        byte += 1;
    }
    classes
};

/// +1 for an opening bracket, -1 for a closing one.
const BRACKET_DELTA: [i8; 256] = {
    let mut delta = [0i8; 256];
    delta[b'(' as usize] = 1;
    delta[b'[' as usize] = 1;
    delta[b'{' as usize] = 1;
    delta[b')' as usize] = -1;
    delta[b']' as usize] = -1;
    delta[b'}' as usize] = -1;
    delta
};

/// What one pass over the bytes bounds, before any parse.
struct ByteBounds {
    /// Deepest bracket nesting, counting brackets in strings and comments too.
    brackets: usize,
    /// An upper bound of [`expression_depth`]: every token that can deepen an
    /// expression has at least one byte counted (open brackets, operator
    /// bytes, the word starts a deepening keyword can be, also in strings and
    /// comments, which only over-estimates), and an indentation level needs
    /// at least one more leading blank than the one before (a tab counts as up
    /// to 8 columns). Over the 29,000 files of nine CPython versions and their
    /// site-packages, one (4 MB of data) exceeds [`MAX_DEPTH`].
    depth: usize,
}

/// Both bounds in one branch-free pass over the bytes (plus a walk over the
/// line starts), faster than the bracket count alone was: ~500 MB/s, against
/// ~110 MB/s for the parse.
fn byte_bounds(text: &str) -> ByteBounds {
    let bytes = text.as_bytes();
    let mut nesting = 0i64;
    let mut brackets = 0i64;
    let mut counted = 1usize;
    let mut previous = 0u8;
    for &byte in bytes {
        let class = CLASSES[usize::from(byte)];
        nesting = (nesting + i64::from(BRACKET_DELTA[usize::from(byte)])).max(0);
        brackets = brackets.max(nesting);
        counted += usize::from(class & COUNTED);
        // A keyword's first letter at a word start (not after a WORD byte).
        counted += usize::from((class & !(previous << 1) & KEYWORD_START) >> 2);
        previous = class;
    }
    let mut widest_indent = 0;
    let mut line = 0;
    loop {
        let leading = bytes[line..]
            .iter()
            .take_while(|byte| matches!(byte, b' ' | b'\t' | b'\x0c'))
            .count();
        widest_indent = widest_indent.max(leading);
        match memchr::memchr2(b'\n', b'\r', &bytes[line..]) {
            Some(found) => line += found + 1,
            None => break,
        }
    }
    ByteBounds {
        brackets: usize::try_from(brackets).unwrap_or(usize::MAX),
        depth: counted + 8 * widest_indent,
    }
}

/// How deep the parse of `text` can nest, from its tokens: indentation
/// levels, plus per open bracket one level and the operators chained since the
/// last `,` / `;` / end of statement at that bracket level (so `[a, -b, c]` is
/// shallow and `a + a + a` three deep).
fn expression_depth(text: &str) -> usize {
    use ruff_python_ast::token::TokenKind as T;
    let mut lexer = ruff_python_parser::lexer::lex(text, ruff_python_parser::Mode::Module);
    // Operators chained at the innermost open bracket level (or the statement),
    // and those of the enclosing levels.
    let mut chain = 0usize;
    let mut enclosing: Vec<usize> = Vec::new();
    // Σ over all levels of (1 + chain).
    let mut sum = 1usize;
    let mut indent = 0usize;
    let mut deepest = 0;
    loop {
        match lexer.next_token() {
            T::EndOfFile => break,
            T::Lpar | T::Lsqb | T::Lbrace => {
                // A bracket is a link of the enclosing chain (`f(...)`, `x[...]`).
                enclosing.push(chain + 1);
                chain = 0;
                sum += 2;
            }
            T::Rpar | T::Rsqb | T::Rbrace => {
                if let Some(outer) = enclosing.pop() {
                    sum -= 1 + chain;
                    chain = outer;
                }
            }
            T::Comma | T::Semi | T::Newline => {
                sum -= chain;
                chain = 0;
            }
            T::Indent => indent += 1,
            T::Dedent => indent = indent.saturating_sub(1),
            T::If | T::Else | T::Lambda | T::Await | T::Yield => {
                chain += 1;
                sum += 1;
            }
            kind if kind.is_operator() => {
                chain += 1;
                sum += 1;
            }
            _ => {}
        }
        deepest = deepest.max(indent + sum);
    }
    deepest
}

/// Why `text` is too deeply nested to parse safely, if it is. Checked before
/// every parse of Python text (the scan's and the fixer's).
pub fn nesting_problem(text: &str) -> Option<String> {
    // Short texts are decided without a look: at most one bracket per byte,
    // and `byte_bounds` counts at most one per byte plus 8 per byte of
    // indentation, under both limits.
    if text.len() <= MAX_NESTING && 9 * text.len() < MAX_DEPTH {
        return None;
    }
    let bounds = byte_bounds(text);
    let nesting = bounds.brackets;
    if nesting > MAX_NESTING {
        return Some(format!(
            "brackets nested {nesting} deep (limit {MAX_NESTING}): file skipped"
        ));
    }
    // Almost every file is decided by the byte scan; only files with
    // more than MAX_DEPTH operators in all are lexed to decide.
    if bounds.depth > MAX_DEPTH {
        let depth = expression_depth(text);
        if depth > MAX_DEPTH {
            return Some(format!(
                "expressions nested {depth} deep (limit {MAX_DEPTH}): file skipped"
            ));
        }
    }
    None
}

/// A parser message made printable: control characters (a NUL byte in the
/// source shows up in "unexpected token" messages) are escaped.
fn printable(message: &str) -> String {
    message
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Extracts the facts of one Python file. `text` has its BOM removed.
pub fn extract(facts: &mut FileFacts, text: &str, stub: bool) {
    extract_from(facts, text, None, stub);
}

/// The same facts as [`extract`], parsing a skimmed copy of `text` (function
/// bodies reduced to the lines that can hold a fact, see [`super::skim`]);
/// with `packages`, attribute uses only of modules in those top-level
/// packages.
/// Falls back to the full parse when the skim gives up or the skimmed text
/// does not parse cleanly, so a file with a syntax error gets the very notes
/// and facts of [`extract`].
pub fn extract_skimmed(
    facts: &mut FileFacts,
    text: &str,
    stub: bool,
    packages: Option<&FxHashSet<String>>,
) {
    thread_local! {
        static BUFFERS: std::cell::RefCell<SkimBuffers> = std::cell::RefCell::new(SkimBuffers::default());
    }
    let skimmed_cleanly = BUFFERS.with(|buffers| {
        let mut buffers = buffers.borrow_mut();
        let clean = match skim_into(text, packages, &mut buffers) {
            Skim::Changed => buffers.text().is_some_and(|skimmed| {
                let mut trial = facts.clone();
                let clean = extract_from(&mut trial, text, Some((skimmed, &buffers)), stub);
                if clean {
                    *facts = trial;
                }
                clean
            }),
            Skim::Unchanged | Skim::GaveUp => false,
        };
        buffers.shrink();
        clean
    });
    if !skimmed_cleanly {
        extract(facts, text, stub);
    }
}

/// Extracts the facts of `text` by parsing it, or a skimmed copy of it
/// (same lines, the lines that hold facts unchanged; offsets mapped back
/// through the buffers). False when a skimmed copy does not parse cleanly
/// (its facts are then not those of `text`).
fn extract_from(
    facts: &mut FileFacts,
    text: &str,
    skimmed: Option<(&str, &SkimBuffers)>,
    stub: bool,
) -> bool {
    let lines = LineLookup::new(text);
    facts.suppressions = super::suppressions(text, &lines, "#");
    let parsed_text = skimmed.map_or(text, |(skimmed, _)| skimmed);
    // The bound protects the parse, so it is checked on the text parsed.
    if let Some(message) = nesting_problem(parsed_text) {
        facts.parsed_cleanly = false;
        facts.notes.push(Note {
            code: Note::PARSE.into(),
            path: facts.path.clone(),
            line: 1,
            column: 1,
            message,
        });
        return true;
    }
    let source_type = if stub {
        PySourceType::Stub
    } else {
        PySourceType::Python
    };
    let parsed = ruff_python_parser::parse_unchecked_source(parsed_text, source_type);
    if let Some(error) = parsed.errors().first() {
        if skimmed.is_some() {
            return false;
        }
        facts.parsed_cleanly = false;
        let at = lines.line_col(error.location.start().to_usize());
        facts.notes.push(Note {
            code: Note::PARSE.into(),
            path: facts.path.clone(),
            line: at.line,
            column: at.column,
            message: format!("syntax error: {}", printable(&error.error.to_string())),
        });
    }
    let module = parsed.syntax();
    let mut collector = Collector {
        facts,
        lines: &lines,
        offsets: skimmed.map(|(_, buffers)| buffers),
        import_bases: FxHashSet::default(),
    };
    // Room for the module level's facts up front (those the skim read too):
    // growing a vector of import facts copies them each time.
    let imported: usize = module
        .body
        .iter()
        .map(|stmt| match stmt {
            Stmt::Import(import) => import.names.len(),
            Stmt::ImportFrom(import) => import.names.len(),
            _ => 0,
        })
        .sum::<usize>()
        + skimmed.map_or(0, |(_, buffers)| buffers.imported_names());
    collector.facts.imports.reserve(imported);
    collector
        .facts
        .bindings
        .reserve(imported + module.body.len());
    collector.suite(&module.body, Context::module());

    let wants_patch = memchr::memmem::find(text.as_bytes(), b"patch").is_some();
    if wants_patch || !collector.import_bases.is_empty() {
        let mut visitor = ExpressionFacts {
            collector: &mut collector,
            wants_patch,
        };
        for stmt in &module.body {
            visitor.visit_stmt(stmt);
        }
    }
    true
}

#[derive(Clone, Copy)]
struct Context {
    scope: Scope,
    type_checking: bool,
    in_try: bool,
    /// Not inside any `def` or `class`.
    module_level: bool,
    in_match: bool,
}

impl Context {
    fn module() -> Self {
        Self {
            scope: Scope::Module,
            type_checking: false,
            in_try: false,
            module_level: true,
            in_match: false,
        }
    }

    fn guard(self) -> Option<Guard> {
        if self.type_checking {
            Some(Guard::TypeChecking)
        } else if self.in_try {
            Some(Guard::Try)
        } else {
            None
        }
    }
}

struct Collector<'a> {
    facts: &'a mut FileFacts,
    /// Lines and columns in the text as written.
    lines: &'a LineLookup<'a>,
    /// For a skimmed text, the way back to the original's byte offsets.
    offsets: Option<&'a SkimBuffers>,
    /// Names bound by `import` statements anywhere in the file.
    import_bases: FxHashSet<Arc<str>>,
}

fn is_type_checking(test: &Expr) -> bool {
    match test {
        Expr::Name(name) => name.id.as_str() == "TYPE_CHECKING",
        Expr::Attribute(attribute) => {
            attribute.attr.as_str() == "TYPE_CHECKING" && matches!(*attribute.value, Expr::Name(_))
        }
        _ => false,
    }
}

/// `a.b.c` as a dotted string, when the expression is only names and attributes.
fn dotted(expr: &Expr) -> Option<String> {
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

fn string_elements(expr: &Expr) -> Vec<String> {
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
    fn span(&self, range: TextRange) -> Span {
        let start = range.start().to_usize();
        let end = range.end().to_usize();
        let (start, end) = match self.offsets {
            Some(offsets) => (offsets.original_offset(start), offsets.original_end(end)),
            None => (start, end),
        };
        self.original_span(start, end)
    }

    /// The span of `start..end` in the text as written.
    fn original_span(&self, start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
            begin: self.lines.line_col(start),
            finish: self.lines.line_col(end),
        }
    }

    fn bind(&mut self, context: Context, name: &str, kind: BindingKind) {
        if context.module_level && !name.is_empty() {
            self.bind_shared(context, name.into(), kind);
        }
    }

    /// [`Collector::bind`] with a name an import fact holds too.
    fn bind_shared(&mut self, context: Context, name: Arc<str>, kind: BindingKind) {
        if context.module_level && !name.is_empty() {
            self.facts.bindings.push(Binding { name, kind });
        }
    }

    fn suite(&mut self, body: &[Stmt], context: Context) {
        for stmt in body {
            self.stmt(stmt, context);
        }
    }

    fn stmt(&mut self, stmt: &Stmt, context: Context) {
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

    fn assignment(
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

    fn import(&mut self, import: &ast::StmtImport, context: Context) {
        let statement = self.span(import.range);
        for alias in &import.names {
            let alias_span = self.span(alias.range);
            let asname = alias.asname.as_ref().map(|name| name.as_str());
            self.import_name(alias.name.as_str(), asname, statement, alias_span, context);
        }
    }

    /// One name of `import a.b as c, d`.
    fn import_name(
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

    fn import_from(&mut self, import: &ast::StmtImportFrom, context: Context) {
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
    fn resolved(&self, level: u32, module: &Option<Arc<str>>) -> Option<Arc<str>> {
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
    fn name_from_module(
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
    fn read_import(&mut self, import: &ImportLine, names: &[ImportName], context: Context) {
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
fn located(kind: ImportKind, context: Context, statement: Span, alias: Span) -> ImportFact {
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
struct ExpressionFacts<'c, 'a> {
    collector: &'c mut Collector<'a>,
    wants_patch: bool,
}

/// `patch`, `<x>.patch`, `patch.object`, `<x>.patch.object`.
fn is_patch_call(func: &Expr) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Language;

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
                    i.name.clone().or(i.module.clone()).unwrap(),
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
}
