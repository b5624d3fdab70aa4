//! Skimming Python for `discover`.
//!
//! `discover` needs the facts of every file, yet most of a code base's bytes
//! cannot hold one: facts come from imports, class statements, module-level
//! assignments and compound-statement structure, attribute uses of
//! import-bound names (`legacy.WebSocketManager`), `patch(...)` calls and
//! `TYPE_CHECKING` guards. [`skim`] reads the logical lines with one pass over
//! the bytes (jumping from one byte that matters to the next through the
//! [`stops`] maps), marking as kept the class statements and the lines that
//! hold `import`, `patch`, `TYPE_CHECKING` or a name an `import` statement
//! binds (to a module of the project, when its packages are known), and
//! finds each block's extent from the indentation. A function body with
//! neither is only read as far as finding where it ends, and stands as one
//! statement of its own. It then writes the cheapest text of the same
//! structure, where kept lines stay byte for byte (each fact's offsets are
//! mapped back through [`SkimBuffers::original_offset`], and its line and
//! column counted in the text as written):
//!
//! - inside a `def` or `class` body, a statement with no kept line (with its
//!   body, its clauses, its decorators) becomes `...` if it is the first of
//!   its body, and goes otherwise: a method, a loop, a whole function body;
//! - in what remains, a decorator goes, a `def` header becomes
//!   `def name():` (its name is the only fact), an `if` / `with` header
//!   `if 1:`, an `elif` one `elif 1:`, a `for` / `while` header `while 1:`;
//! - a module-level `NAME = <literal>` (a list, dict, set, string or number
//!   literal, or an expression starting with one: no alias, only the
//!   binding) becomes `NAME=...`;
//! - an import statement at the top level in its plainest form is read by
//!   the skim itself ([`imports`]) and becomes `...`: the collector makes
//!   its facts from what was read when it meets that `...`;
//! - everything else (module-level statements, class headers, `else:`,
//!   `try:`, `except ...:`, `match` / `case`, one-line compound statements
//!   at the module level) stays byte for byte.
//!
//! Parsing that text yields the very facts of the original at a fraction of
//! the cost. The scan gives up (`None`: parse the original) on what it does
//! not fully understand: tabs or form feeds in indentation, code outside
//! strings and comments that is not ASCII, an unterminated string, an
//! unbalanced bracket. A skimmed text that does not parse cleanly is thrown
//! away too (see `python::extract_skimmed`), so a file with a syntax error in
//! a line that stays is parsed as written.

use std::borrow::Cow;

use rustc_hash::FxHashSet;

mod classes;
mod imports;
mod keep;
mod line;
mod scan;
mod stops;
mod write;

pub use imports::{ImportLine, ImportName};
use keep::keep_offsets;
use line::{Head, Line};
use scan::{GiveUp, Scanner};
use stops::StopMaps;
use write::Writer;

/// What [`skim_into`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skim {
    /// The skimmed text is in [`SkimBuffers::text`].
    Changed,
    /// Nothing to skim: parse the text as it is.
    Unchanged,
    /// The scan did not understand the text: parse it as it is.
    GaveUp,
}

/// The memory [`skim_into`] works in, reused from file to file (a fresh
/// buffer per file costs more in page faults than the scan).
#[derive(Default)]
pub struct SkimBuffers {
    keep: Vec<usize>,
    stops: StopMaps,
    lines: Vec<Line>,
    /// Headers whose body is being read.
    open: Vec<usize>,
    head: Vec<u8>,
    out: Vec<u8>,
    /// (offset in `out`, offset in the text) where each stretch of text
    /// copied unchanged starts.
    map: Vec<(usize, usize)>,
    /// The module-level imports the skim read, in order, and their names.
    imports: Vec<ImportLine>,
    import_names: Vec<ImportName>,
    /// The import last asked for by [`SkimBuffers::import_at`].
    next_import: std::cell::Cell<usize>,
    /// The stretch the last offset mapped back fell in: facts come mostly
    /// in order, so the next one is usually in it or the next.
    last_stretch: std::cell::Cell<usize>,
}

impl SkimBuffers {
    /// The skimmed text after [`Skim::Changed`].
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.out).ok()
    }

    /// The offset in the original text of `offset` in the skimmed one, for
    /// offsets in what was copied unchanged (where every fact is).
    pub fn original_offset(&self, offset: usize) -> usize {
        self.map_back(offset, |skimmed| skimmed <= offset)
    }

    /// Like [`SkimBuffers::original_offset`], for the end of a span: where
    /// text was dropped, the end of what came before it.
    pub fn original_end(&self, offset: usize) -> usize {
        self.map_back(offset, |skimmed| skimmed < offset)
    }

    /// Through the last stretch whose start in `out` passes `before`.
    fn map_back(&self, offset: usize, before: impl Fn(usize) -> bool) -> usize {
        let is_last = |at: usize| {
            self.map
                .get(at)
                .is_some_and(|&(skimmed, _)| before(skimmed))
                && self
                    .map
                    .get(at + 1)
                    .is_none_or(|&(skimmed, _)| !before(skimmed))
        };
        let hint = self.last_stretch.get();
        let at = if is_last(hint) {
            Some(hint)
        } else if is_last(hint + 1) {
            Some(hint + 1)
        } else {
            let after = self.map.partition_point(|&(skimmed, _)| before(skimmed));
            after.checked_sub(1)
        };
        match at.and_then(|at| Some((at, *self.map.get(at)?))) {
            Some((at, (skimmed, original))) => {
                self.last_stretch.set(at);
                original + (offset - skimmed)
            }
            None => offset,
        }
    }

    /// The import the skim read in place of the `...` at `offset` of the
    /// skimmed text, with its names. Asked for in order, each is found
    /// where the last one ended.
    pub fn import_at(&self, offset: usize) -> Option<(&ImportLine, &[ImportName])> {
        let next = self.next_import.get();
        let at = match self.imports.get(next) {
            Some(import) if import.placeholder == offset => next,
            _ => self
                .imports
                .binary_search_by_key(&offset, |import| import.placeholder)
                .ok()?,
        };
        self.next_import.set(at + 1);
        let import = &self.imports[at];
        Some((import, self.import_names.get(import.names.clone())?))
    }

    /// How many names the imports the skim read hold.
    pub fn imported_names(&self) -> usize {
        self.import_names.len()
    }

    /// Lets go of the memory a huge file needed.
    pub fn shrink(&mut self) {
        if self.out.capacity() > 64 << 20 {
            *self = Self::default();
        }
        self.stops.shrink();
    }
}

/// `text` skimmed (see the module docs), borrowed when nothing changes,
/// `None` when the scan gave up.
pub fn skim(text: &str) -> Option<Cow<'_, str>> {
    let mut buffers = SkimBuffers::default();
    match skim_into(text, None, &mut buffers) {
        Skim::Changed => buffers.text().map(|text| Cow::Owned(text.to_string())),
        Skim::Unchanged => Some(Cow::Borrowed(text)),
        Skim::GaveUp => None,
    }
}

/// Skims `text` into `buffers` (see the module docs). With `packages` (the
/// project's top-level Python packages), a name bound by `import os` keeps no
/// line: its attribute uses are not facts `discover` reads.
pub fn skim_into(
    text: &str,
    packages: Option<&FxHashSet<String>>,
    buffers: &mut SkimBuffers,
) -> Skim {
    let bytes = text.as_bytes();
    let SkimBuffers {
        keep,
        stops,
        lines,
        open,
        head,
        out,
        map,
        imports,
        import_names,
        next_import,
        last_stretch,
    } = buffers;
    stops.build(bytes);
    keep_offsets(bytes, packages, keep);
    lines.clear();
    open.clear();
    out.clear();
    map.clear();
    imports.clear();
    import_names.clear();
    next_import.set(0);
    last_stretch.set(0);
    let mut next_keep = 0;
    let mut kept_before = 0;
    let mut scanner = Scanner {
        bytes,
        at: 0,
        stops,
    };
    loop {
        let indent = match scanner.code_line() {
            Ok(Some(indent)) => indent,
            Ok(None) => break,
            Err(GiveUp) => return Skim::GaveUp,
        };
        // The blocks this line closes end here.
        while let Some(&header) = open.last() {
            if lines[header].indent < indent {
                break;
            }
            lines[header].block_end = lines.len();
            open.pop();
        }
        let start = scanner.at;
        let decorator = scanner.peek(0) == Some(b'@');
        let (first, second) = scanner.head_words();
        let Ok(shape) = scanner.logical_line() else {
            return Skim::GaveUp;
        };
        let end = scanner.at;
        while keep.get(next_keep).is_some_and(|&offset| offset < start) {
            next_keep += 1;
        }
        let head = Head::of(decorator, first, second, shape.opens_block);
        let kept = head == Head::Class || keep.get(next_keep).is_some_and(|&offset| offset < end);
        if shape.opens_block {
            open.push(lines.len());
        }
        lines.push(Line {
            start,
            end,
            indent,
            head,
            opens_block: shape.opens_block,
            semicolon: shape.semicolon,
            kept,
            kept_before,
            block_end: lines.len() + 1,
        });
        kept_before += usize::from(kept);
        if head == Head::Def && shape.opens_block {
            // A function body with nothing kept in it becomes one line of
            // its own (the writer turns it into `...`), found without
            // reading its lines one by one.
            let resume = scanner.at;
            let Ok(body) = scanner.plain_body(indent) else {
                return Skim::GaveUp;
            };
            if let Some((start, end, indent)) = body {
                while keep.get(next_keep).is_some_and(|&offset| offset < start) {
                    next_keep += 1;
                }
                if keep.get(next_keep).is_some_and(|&offset| offset < end) {
                    scanner.at = resume;
                } else {
                    lines.push(Line {
                        start,
                        end,
                        indent,
                        head: Head::Other,
                        opens_block: false,
                        semicolon: false,
                        kept: false,
                        kept_before,
                        block_end: lines.len() + 1,
                    });
                }
            }
        }
    }
    for &header in open.iter() {
        lines[header].block_end = lines.len();
    }
    let mut writer = Writer {
        bytes,
        lines,
        kept_total: kept_before,
        out,
        map,
        head,
        imports,
        import_names,
        copied: 0,
    };
    if writer.body(0, lines.len(), true, false, 0).is_err() {
        return Skim::GaveUp;
    }
    let copied = writer.copied;
    if copied == 0 {
        return Skim::Unchanged;
    }
    out.extend_from_slice(&bytes[copied..]);
    // ASCII replaced whole stretches of ASCII code (strings and comments
    // included; a line of code that is not ASCII made the scan give up), so
    // the text is still UTF-8.
    Skim::Changed
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod same_facts;
