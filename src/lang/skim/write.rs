//! Writing the skimmed text from the logical lines.

use super::classes::*;
use super::imports::{self, ImportLine, ImportName};
use super::line::{Head, Line};
use super::scan::GiveUp;

/// Python allows 100 levels of indentation; the skim gives up past them.
pub(super) const MAX_BLOCK_DEPTH: usize = 100;

/// Writes the skimmed text from the logical lines: copies what stays
/// (lazily, in stretches) and puts short heads in place of what goes.
pub(super) struct Writer<'b> {
    pub(super) bytes: &'b [u8],
    pub(super) lines: &'b [Line],
    pub(super) kept_total: usize,
    pub(super) out: &'b mut Vec<u8>,
    pub(super) map: &'b mut Vec<(usize, usize)>,
    pub(super) head: &'b mut Vec<u8>,
    /// The module-level imports read here (see [`imports`]).
    pub(super) imports: &'b mut Vec<ImportLine>,
    pub(super) import_names: &'b mut Vec<ImportName>,
    /// Bytes before this offset are in `out` (copied or replaced).
    pub(super) copied: usize,
}

impl Writer<'_> {
    pub(super) fn kept_before(&self, line: usize) -> usize {
        self.lines
            .get(line)
            .map_or(self.kept_total, |line| line.kept_before)
    }

    /// Whether any of `lines[from..to]` is kept.
    pub(super) fn kept_in(&self, from: usize, to: usize) -> bool {
        self.kept_before(to) > self.kept_before(from)
    }

    /// The line after the statement at `at`: its body, its clauses
    /// (`elif`, `else`, `except`, `finally`) and, for decorators, the
    /// decorated statement.
    pub(super) fn statement_end(&self, at: usize) -> usize {
        let indent = self.lines[at].indent;
        let mut end = at;
        while self.lines[end].head == Head::Decorator
            && self
                .lines
                .get(end + 1)
                .is_some_and(|next| next.indent == indent)
        {
            end += 1;
        }
        end = self.lines[end].block_end;
        while let Some(next) = self.lines.get(end) {
            if next.indent != indent || !matches!(next.head, Head::Elif | Head::Clause) {
                break;
            }
            end = next.block_end;
        }
        end
    }

    /// `bytes[from..end]` becomes the head buffer's text, which starts at
    /// the offset returned in the skimmed text.
    pub(super) fn replace(&mut self, from: usize, end: usize) -> usize {
        self.out.extend_from_slice(&self.bytes[self.copied..from]);
        let at = self.out.len();
        self.out.extend_from_slice(self.head);
        self.copied = end;
        self.map.push((self.out.len(), end));
        at
    }

    /// The statements of `lines[from..to]`, one body. Outside the module
    /// level (in a `def` or `class`), a statement with no kept line becomes
    /// `...` if it is the first of the body and goes otherwise (in a
    /// `match` body every `case` stays); the others keep their shape, each
    /// line rewritten by [`Writer::line`].
    pub(super) fn body(
        &mut self,
        from: usize,
        to: usize,
        module_level: bool,
        match_body: bool,
        depth: usize,
    ) -> Result<(), GiveUp> {
        if depth > MAX_BLOCK_DEPTH {
            return Err(GiveUp);
        }
        let mut filled = false;
        let mut at = from;
        while at < to {
            let end = self.statement_end(at).min(to);
            if !module_level && !match_body && !self.kept_in(at, end) {
                self.head.clear();
                let from = if filled {
                    // From the end of the line before: its line break and
                    // this line's indentation go too.
                    self.lines[at - 1].end
                } else {
                    self.head.extend_from_slice(b"...");
                    self.lines[at].start
                };
                self.replace(from, self.lines[end - 1].end);
                filled = true;
                at = end;
                continue;
            }
            filled = true;
            while at < end {
                let line = self.lines[at];
                self.line(&line, module_level);
                if line.opens_block {
                    let inner = module_level && !matches!(line.head, Head::Def | Head::Class);
                    // Every `case` stays: a match body holds nothing else.
                    let cases = line.head == Head::Match;
                    self.body(at + 1, line.block_end, inner, cases, depth + 1)?;
                }
                at = line.block_end;
            }
        }
        Ok(())
    }

    /// One line of a statement that stays: kept lines, clauses, class
    /// headers and module-level statements as they are; other headers in
    /// their cheapest form; a decorator not at all; a module-level
    /// `NAME = <literal>` as `NAME=...`.
    pub(super) fn line(&mut self, line: &Line, module_level: bool) {
        if line.head == Head::Import && module_level && line.indent == 0 {
            // At the top level, in no block: read here, `...` for the parser.
            if let Some(import) = imports::read(self.bytes, line.start, line.end, self.import_names)
            {
                self.head.clear();
                self.head.extend_from_slice(b"...");
                let placeholder = self.replace(line.start, line.end);
                self.imports.push(ImportLine {
                    placeholder,
                    ..import
                });
            }
            return;
        }
        if line.kept {
            return;
        }
        let bytes = self.bytes;
        self.head.clear();
        let mut from = line.start;
        match line.head {
            Head::Def if line.opens_block => {
                let mut at = line.start;
                if bytes[at..].starts_with(b"async") {
                    self.head.extend_from_slice(b"async ");
                    at = skip_blanks(bytes, at + b"async".len());
                }
                let name_start = skip_blanks(bytes, at + b"def".len());
                let mut name_end = name_start;
                while name_end < line.end && class_of(bytes[name_end]) == WORD {
                    name_end += 1;
                }
                if name_end == name_start {
                    return;
                }
                self.head.extend_from_slice(b"def ");
                self.head.extend_from_slice(&bytes[name_start..name_end]);
                self.head.extend_from_slice(b"():");
            }
            Head::If if line.opens_block => self.head.extend_from_slice(b"if 1:"),
            Head::Elif if line.opens_block => self.head.extend_from_slice(b"elif 1:"),
            Head::Loop if line.opens_block => self.head.extend_from_slice(b"while 1:"),
            // Goes: a decorator holds no fact, and `...` in its place
            // would part a kept decorator from its `def`.
            Head::Decorator => {}
            Head::Other if module_level && !line.semicolon => {
                let first = word_at(bytes, line.start);
                if plain_value(bytes, line.start, line.end, first).is_none() {
                    return;
                }
                // `NAME=...`: the target stays where it was.
                from = line.start + first.len();
                self.head.extend_from_slice(b"=...");
            }
            _ => return,
        }
        self.replace(from, line.end);
    }
}

/// In a module-level `NAME = value` whose value can be no alias, where the
/// value starts: it starts with a bracket other than `(`, a digit or a
/// quote (a literal, or an expression built on one), with `None`, `True`
/// or `False`, or with a call of a dotted name (`logging.getLogger(...)`).
/// Only the target is a fact then (`__all__`'s value is one too: never
/// taken).
pub(super) fn plain_value(bytes: &[u8], start: usize, end: usize, first: &[u8]) -> Option<usize> {
    if first.is_empty() || first == b"__all__" || first[0].is_ascii_digit() {
        return None;
    }
    let mut at = start + first.len();
    while at < end && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    if bytes.get(at) != Some(&b'=') || bytes.get(at + 1) == Some(&b'=') {
        return None;
    }
    at += 1;
    while at < end && matches!(bytes[at], b' ' | b'\t') {
        at += 1;
    }
    match bytes.get(at) {
        Some(b'[' | b'{' | b'\'' | b'"' | b'0'..=b'9') if at < end => Some(at),
        Some(b'a'..=b'z' | b'A'..=b'Z' | b'_') if at < end => {
            let name = word_at(bytes, at);
            if matches!(name, b"None" | b"True" | b"False") {
                return Some(at);
            }
            if imports::is_keyword(name) {
                return None;
            }
            // A dotted name, then `(`.
            let mut after = at + name.len();
            while bytes.get(after) == Some(&b'.') {
                let part = word_at(bytes, after + 1);
                if part.is_empty() || imports::is_keyword(part) {
                    return None;
                }
                after += 1 + part.len();
            }
            while after < end && matches!(bytes[after], b' ' | b'\t') {
                after += 1;
            }
            (after < end && bytes[after] == b'(').then_some(at)
        }
        _ => None,
    }
}
