//! Renaming the uses of one imported name in a Python file, so a fix can
//! import the canonical name itself instead of aliasing it to the old one
//! (`from canonical import New as Old` would be a second name again).
//!
//! A scope model over the ruff AST, after Python's own rules: a name bound
//! anywhere in a function (or lambda, or comprehension) is local to all of
//! it unless declared `global` / `nonlocal`; class bodies are not visible
//! from the functions and comprehensions inside them; a comprehension's
//! first iterable, a function's decorators, defaults and annotations are
//! evaluated in the enclosing scope. Every load of the old name that
//! resolves to the import being fixed is renamed, and so is every other
//! binding of the same variable (an assignment, `def`, `del`, `except ... as`
//! in the import's scope, or through `global`), `global Old` statements,
//! quoted annotations (`"list[Old]"`) and a module-level `__all__` entry; a
//! name that resolves to another binding (a parameter, a comprehension
//! variable) is left alone.
//!
//! The rename is refused, with the reason, when it could change what the
//! file does: another import binds the old name in the import's scope, or a
//! `nonlocal` names it; a string spells it (`getattr(module, "Old")`);
//! `locals()`, `globals()`, `vars()`, `eval` or `exec` see names by their
//! spelling; or the new name is already bound where a renamed use would
//! find it first (a collision).

use ruff_python_ast::visitor::Visitor;
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

/// One rename edit: the byte range and its new text.
pub type RenameEdit = (usize, usize, String);

/// The edits that rename every use of `old` to `new` in `text`, or why
/// renaming could change what the file does. `statement` is the byte offset
/// of the import statement that binds `old` (its own alias is not a use).
pub fn uses(
    text: &str,
    old: &str,
    new: &str,
    statement: usize,
) -> Result<Vec<RenameEdit>, Refusal> {
    model(text, old, new, statement, false)
}

/// The edits that take `old` out of the module's `__all__` when the binding
/// at `statement` (an import or an assignment) goes, or why it cannot go:
/// the file still uses it.
pub fn retire(text: &str, old: &str, statement: usize) -> Result<Vec<RenameEdit>, Refusal> {
    model(text, old, "", statement, true)
}

/// The edits that take `old` out of the module's `__all__`, the binding
/// itself kept (the file still uses it): the name is no longer exported.
pub fn unexport(text: &str, old: &str) -> Result<Vec<RenameEdit>, Refusal> {
    model(text, old, "", usize::MAX, true)
}

/// Whether the file reads the name `old` anywhere (None when that cannot
/// be told: the file does not parse, or looks names up by their spelling).
pub fn is_read(text: &str, old: &str) -> Option<bool> {
    model(text, old, READS, usize::MAX, true)
        .ok()
        .map(|loads| !loads.is_empty())
}

/// The "new name" of an `is_read` run: not an identifier, so it binds nothing.
const READS: &str = "<reads>";

fn model(
    text: &str,
    old: &str,
    new: &str,
    statement: usize,
    retire: bool,
) -> Result<Vec<RenameEdit>, Refusal> {
    crate::fix::on_parser_stack(|| {
        let parsed = parse(text);
        if !parsed.errors().is_empty() {
            return Err(Refusal::DoesNotParse);
        }
        let mut model = Model::new(text, old, new, statement);
        model.retire = retire;
        for stmt in parsed.suite() {
            model.visit_stmt(stmt);
        }
        model.finish()
    })
    .unwrap_or(Err(Refusal::ParserCouldNotRun))
}

type Parsed = ruff_python_parser::Parsed<ast::ModModule>;

/// How many parsed texts a parser thread keeps: the fixes of one file ask
/// about it and about the few modules it imports from.
const PARSES_KEPT: usize = 4;

thread_local! {
    /// The texts parsed last on this thread, newest last: a parser thread
    /// makes all the fixes of one file, and drops these with it, on its
    /// large stack.
    static PARSES: std::cell::RefCell<Vec<(std::rc::Rc<str>, std::rc::Rc<Parsed>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// `text` parsed, once per parser thread.
fn parse(text: &str) -> std::rc::Rc<Parsed> {
    PARSES.with(|parses| {
        let mut parses = parses.borrow_mut();
        if let Some(at) = parses.iter().position(|(seen, _)| **seen == *text) {
            let entry = parses.remove(at);
            let parsed = std::rc::Rc::clone(&entry.1);
            parses.push(entry);
            return parsed;
        }
        let parsed = std::rc::Rc::new(ruff_python_parser::parse_unchecked_source(
            text,
            ruff_python_ast::PySourceType::Python,
        ));
        if parses.len() == PARSES_KEPT {
            parses.remove(0);
        }
        parses.push((std::rc::Rc::from(text), std::rc::Rc::clone(&parsed)));
        parsed
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Module,
    Class,
    Function,
    Comprehension,
}

#[derive(Debug)]
struct Scope {
    parent: Option<usize>,
    kind: Kind,
    /// Binds the old name (the fixed import aside).
    binds_old: bool,
    /// Binds it in a way the rename cannot follow (another import).
    fixed_old: bool,
    binds_new: bool,
    global_old: bool,
}

/// A mention of the old name, renamed when it resolves to the import.
#[derive(Debug)]
struct Mention {
    scope: usize,
    start: usize,
    end: usize,
    replacement: String,
}

struct Model<'t> {
    text: &'t str,
    old: &'t str,
    new: &'t str,
    statement: usize,
    scopes: Vec<Scope>,
    current: usize,
    /// The scope the fixed import binds the old name in.
    target: Option<usize>,
    mentions: Vec<Mention>,
    /// `global Old` statements, renamed when the import is module-level.
    globals: Vec<Mention>,
    /// Other bindings of the old name (assignments, `def`, `del`, ...), by
    /// the scope they bind in: renamed with the import's when that scope is
    /// the import's (the same variable).
    stores: Vec<Mention>,
    /// `__all__` entries naming the old name.
    exported: Vec<Mention>,
    /// Byte offsets of string literals already accounted for.
    handled_strings: Vec<usize>,
    in_annotation: bool,
    refusal: Option<Refusal>,
    /// The binding goes rather than being renamed: any use refuses, and its
    /// `__all__` entries are removed.
    retire: bool,
}

impl<'t> Model<'t> {
    fn new(text: &'t str, old: &'t str, new: &'t str, statement: usize) -> Self {
        Self {
            text,
            old,
            new,
            statement,
            scopes: vec![Scope {
                parent: None,
                kind: Kind::Module,
                binds_old: false,
                fixed_old: false,
                binds_new: false,
                global_old: false,
            }],
            current: 0,
            target: None,
            mentions: Vec::new(),
            globals: Vec::new(),
            stores: Vec::new(),
            exported: Vec::new(),
            handled_strings: Vec::new(),
            in_annotation: false,
            refusal: None,
            retire: false,
        }
    }

    fn refuse(&mut self, reason: Refusal) {
        if self.refusal.is_none() {
            self.refusal = Some(reason);
        }
    }

    fn push(&mut self, kind: Kind) -> usize {
        let parent = self.current;
        self.scopes.push(Scope {
            parent: Some(parent),
            kind,
            binds_old: false,
            fixed_old: false,
            binds_new: false,
            global_old: false,
        });
        self.current = self.scopes.len() - 1;
        parent
    }

    /// `name` is bound in `scope` (or, declared global there, in the
    /// module) at `range`, the identifier the rename would rewrite; without
    /// a range the binding cannot be renamed (another import).
    fn bind_in(&mut self, scope: usize, name: &str, range: Option<ruff_text_size::TextRange>) {
        let scope = if name == self.old && self.scopes[scope].global_old {
            0
        } else {
            scope
        };
        if name == self.old {
            self.scopes[scope].binds_old = true;
            match range {
                Some(range) => self.stores.push(Mention {
                    scope,
                    start: range.start().to_usize(),
                    end: range.end().to_usize(),
                    replacement: self.new.to_string(),
                }),
                None => self.scopes[scope].fixed_old = true,
            }
        } else if name == self.new {
            self.scopes[scope].binds_new = true;
        }
    }

    /// A binding the rename can follow: `range` is its identifier.
    fn bind(&mut self, name: &str, range: ruff_text_size::TextRange) {
        self.bind_in(self.current, name, Some(range));
    }

    /// A binding the rename cannot follow.
    fn bind_fixed(&mut self, name: &str) {
        self.bind_in(self.current, name, None);
    }

    /// The nearest scope that is not a comprehension (where `:=` binds).
    fn enclosing_function(&self) -> usize {
        let mut scope = self.current;
        while self.scopes[scope].kind == Kind::Comprehension {
            match self.scopes[scope].parent {
                Some(parent) => scope = parent,
                None => break,
            }
        }
        scope
    }

    /// The scopes a name used in `from` is looked up in, innermost first:
    /// class bodies only where the use is directly in them.
    fn chain(&self, from: usize) -> Vec<usize> {
        let mut chain = vec![from];
        let mut scope = from;
        while let Some(parent) = self.scopes[scope].parent {
            if self.scopes[parent].kind != Kind::Class {
                chain.push(parent);
            }
            scope = parent;
        }
        chain
    }

    /// The scope the old name resolves to from `from`, if any.
    fn resolve_old(&self, from: usize) -> Option<usize> {
        for scope in self.chain(from) {
            let declared = &self.scopes[scope];
            if declared.global_old {
                return Some(0).filter(|_| self.scopes[0].binds_old || self.target == Some(0));
            }
            if declared.binds_old || self.target == Some(scope) {
                return Some(scope);
            }
        }
        None
    }

    /// The old name spelled inside a string literal at `range`: the literal
    /// rewritten, when it is plain (one part, no prefix, no escapes).
    fn plain_literal(
        &self,
        string: &ast::ExprStringLiteral,
    ) -> Option<(usize, usize, char, &'t str)> {
        let start = string.range.start().to_usize();
        let end = string.range.end().to_usize();
        let literal = self.text.get(start..end)?;
        let quote = literal.chars().next().filter(|q| *q == '"' || *q == '\'')?;
        let content = literal.get(1..literal.len().checked_sub(1)?)?;
        (literal.len() >= 2
            && literal.ends_with(quote)
            && !string.value.is_implicit_concatenated()
            && content == string.value.to_str())
        .then_some((start, end, quote, content))
    }

    /// `content` with each whole-word `old` that is not an attribute
    /// (`x.Old`) replaced by `new`; None when nothing is replaced.
    fn replace_words(&self, content: &str) -> Option<String> {
        let mut out = String::with_capacity(content.len());
        let mut replaced = false;
        let mut at = 0;
        let is_word = |c: char| c == '_' || c.is_alphanumeric();
        while let Some(found) = content[at..].find(self.old) {
            let start = at + found;
            let end = start + self.old.len();
            let before = content[..start].chars().next_back();
            let after = content[end..].chars().next();
            let whole =
                !before.is_some_and(|c| is_word(c) || c == '.') && !after.is_some_and(is_word);
            out.push_str(&content[at..start]);
            out.push_str(if whole { self.new } else { self.old });
            replaced |= whole;
            at = end;
        }
        out.push_str(&content[at..]);
        replaced.then_some(out)
    }

    /// A string that spells a name or dotted path mentioning `old`: a
    /// lookup by name the rename cannot follow.
    fn names_old(&self, value: &str) -> bool {
        let value = value.trim();
        !value.is_empty()
            && value
                .chars()
                .all(|c| c == '_' || c == '.' || c.is_alphanumeric())
            && value.split('.').any(|word| word == self.old)
    }

    /// A module-level `__all__ = [...]` / `+= [...]` / `: list = [...]`: its
    /// entries naming the old name are renamed with it.
    fn dunder_all(&mut self, target: &Expr, value: Option<&Expr>) {
        if self.current != 0 || !matches!(target, Expr::Name(name) if name.id.as_str() == "__all__")
        {
            return;
        }
        let elements = match value {
            Some(Expr::List(list)) => &list.elts,
            Some(Expr::Tuple(tuple)) => &tuple.elts,
            _ => return,
        };
        let spells = |element: &Expr, name: &str| matches!(element, Expr::StringLiteral(string) if string.value.to_str() == name);
        // Listed already under the new name: the old entry goes instead.
        let listed = self.retire || elements.iter().any(|element| spells(element, self.new));
        let tuple = matches!(value, Some(Expr::Tuple(_)));
        for (at, element) in elements.iter().enumerate() {
            let Expr::StringLiteral(string) = element else {
                continue;
            };
            if string.value.to_str() != self.old {
                continue;
            }
            match self.plain_literal(string) {
                Some((start, end, quote, _)) => {
                    self.handled_strings.push(start);
                    let (start, end, replacement) = if !listed {
                        (start, end, format!("{quote}{}{quote}", self.new))
                    } else if let Some(next) = elements.get(at + 1) {
                        (start, next.range().start().to_usize(), String::new())
                    } else if let Some(previous) = at.checked_sub(1).and_then(|at| elements.get(at))
                    {
                        (previous.range().end().to_usize(), end, String::new())
                    } else {
                        // The only entry, with its trailing comma: `('Old',)`.
                        let rest = self.text.get(end..).unwrap_or_default();
                        let trimmed = rest.trim_start();
                        let end = if trimmed.starts_with(',') {
                            end + (rest.len() - trimmed.len()) + 1
                        } else {
                            end
                        };
                        (start, end, String::new())
                    };
                    self.exported.push(Mention {
                        scope: 0,
                        start,
                        end,
                        replacement,
                    });
                    // A tuple left with one entry needs its comma, or it is
                    // a parenthesised string.
                    if listed && tuple && elements.len() == 2 {
                        // The comma after the entry that stays: after the
                        // kept first entry it went with the removed one.
                        let comma_after = |offset: usize| {
                            self.text
                                .get(offset..)
                                .is_some_and(|rest| rest.trim_start().starts_with(','))
                        };
                        let kept_end = elements[1 - at].range().end().to_usize();
                        let needs_comma = if at == 1 {
                            !comma_after(end)
                        } else {
                            !comma_after(kept_end)
                        };
                        if needs_comma {
                            self.exported.push(Mention {
                                scope: 0,
                                start: kept_end,
                                end: kept_end,
                                replacement: ",".to_string(),
                            });
                        }
                    }
                }
                None => self.refuse(Refusal::AllSpelling(self.old.to_string())),
            }
        }
    }

    fn parameters(&mut self, parameters: &'t ast::Parameters) {
        // Annotations and defaults are evaluated where the function is defined.
        for parameter in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            if let Some(annotation) = &parameter.parameter.annotation {
                self.visit_annotation(annotation);
            }
            if let Some(default) = &parameter.default {
                self.visit_expr(default);
            }
        }
        for parameter in parameters.vararg.iter().chain(&parameters.kwarg) {
            if let Some(annotation) = &parameter.annotation {
                self.visit_annotation(annotation);
            }
        }
    }

    fn bind_parameters(&mut self, parameters: &ast::Parameters) {
        for parameter in parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
        {
            let name = &parameter.parameter.name;
            self.bind(name.as_str(), name.range());
        }
        for parameter in parameters.vararg.iter().chain(&parameters.kwarg) {
            self.bind(parameter.name.as_str(), parameter.name.range());
        }
    }

    fn comprehension(&mut self, generators: &'t [ast::Comprehension], elements: &[&'t Expr]) {
        let Some(first) = generators.first() else {
            return;
        };
        // The first iterable is evaluated in the enclosing scope.
        self.visit_expr(&first.iter);
        let parent = self.push(Kind::Comprehension);
        for (at, generator) in generators.iter().enumerate() {
            self.visit_expr(&generator.target);
            if at > 0 {
                self.visit_expr(&generator.iter);
            }
            for condition in &generator.ifs {
                self.visit_expr(condition);
            }
        }
        for element in elements {
            self.visit_expr(element);
        }
        self.current = parent;
    }

    fn finish(mut self) -> Result<Vec<RenameEdit>, Refusal> {
        if let Some(reason) = self.refusal.take() {
            return Err(reason);
        }
        if self.statement == usize::MAX {
            // `unexport` and `is_read`: the `__all__` entries, and the
            // loads of the name as an empty edit each.
            let mut edits: Vec<RenameEdit> = self
                .exported
                .iter()
                .map(|entry| (entry.start, entry.end, entry.replacement.clone()))
                .collect();
            if self.new == READS {
                edits = self
                    .mentions
                    .iter()
                    .map(|load| (load.start, load.end, String::new()))
                    .collect();
            }
            edits.sort();
            return no_overlap(edits);
        }
        let Some(target) = self.target else {
            return Err(Refusal::ImportNotFound);
        };
        if self.scopes[target].fixed_old {
            return Err(Refusal::ImportedAgain(self.old.to_string()));
        }
        let rebound = self.stores.iter().filter(|store| store.scope == target);
        if self.retire && rebound.clone().next().is_some() {
            return Err(Refusal::BoundAgain(self.old.to_string()));
        }
        // The same variable bound again: renamed with it.
        let mut edits: Vec<RenameEdit> = rebound
            .map(|store| (store.start, store.end, store.replacement.clone()))
            .collect();
        if self.scopes[target].binds_new {
            return Err(Refusal::NewBoundInScope(self.new.to_string()));
        }
        for mention in &self.mentions {
            if self.resolve_old(mention.scope) != Some(target) {
                continue;
            }
            if self.retire {
                return Err(Refusal::StillUsed(self.old.to_string()));
            }
            // After the rename the use must find the import's binding first.
            let chain = self.chain(mention.scope);
            let collides = chain
                .iter()
                .take_while(|scope| **scope != target)
                .any(|scope| self.scopes[*scope].binds_new);
            // The target's own bindings of the new name were refused above.
            if collides {
                return Err(Refusal::NewSeenByUse {
                    new: self.new.to_string(),
                    old: self.old.to_string(),
                });
            }
            edits.push((mention.start, mention.end, mention.replacement.clone()));
        }
        if self.retire && !self.globals.is_empty() {
            return Err(Refusal::GlobalUses(self.old.to_string()));
        }
        if target == 0 {
            for mention in self.globals.iter().chain(&self.exported) {
                edits.push((mention.start, mention.end, mention.replacement.clone()));
            }
        }
        edits.sort();
        edits.dedup();
        no_overlap(edits)
    }
}

/// The edits, when no two of them overlap (a name listed twice in
/// `__all__` would have its entries removed twice); otherwise why not.
fn no_overlap(edits: Vec<RenameEdit>) -> Result<Vec<RenameEdit>, Refusal> {
    // Sorted: an insertion before an edit at the same offset is fine.
    let overlaps = edits.windows(2).any(|pair| pair[1].0 < pair[0].1);
    if overlaps {
        Err(Refusal::Overlap)
    } else {
        Ok(edits)
    }
}

mod refusal;
mod visit;

pub use refusal::Refusal;

#[cfg(test)]
mod tests;
