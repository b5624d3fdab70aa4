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
use std::sync::OnceLock;

use memchr::memmem::Finder;
use rustc_hash::FxHashSet;

mod imports;
mod stops;

pub use imports::{ImportLine, ImportName};
use stops::{Run, StopMaps};

/// f-strings nested deeper than this (`f"{f"{f"{...}"}"}"`) are left to the parser.
const MAX_STRING_NESTING: usize = 16;

// Byte classes of code outside strings.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const WORD: u8 = 2;
const QUOTE: u8 = 3;
const NEWLINE: u8 = 4;
const HASH: u8 = 5;
const BACKSLASH: u8 = 6;
const OPEN: u8 = 7;
const CLOSE: u8 = 8;
const COLON: u8 = 9;
const NOT_ASCII: u8 = 10;
const SEMICOLON: u8 = 11;

const CLASSES: [u8; 256] = {
    let mut classes = [OTHER; 256];
    let mut byte = 0usize;
    while byte < 256 {
        classes[byte] = match byte as u8 {
            b' ' | b'\t' | b'\x0c' => SPACE,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' => WORD,
            b'\'' | b'"' => QUOTE,
            b'\n' | b'\r' => NEWLINE,
            b'#' => HASH,
            b'\\' => BACKSLASH,
            b'(' | b'[' | b'{' => OPEN,
            b')' | b']' | b'}' => CLOSE,
            b':' => COLON,
            b';' => SEMICOLON,
            0x80.. => NOT_ASCII,
            _ => OTHER,
        };
        byte += 1;
    }
    classes
};

fn class_of(byte: u8) -> u8 {
    CLASSES[usize::from(byte)]
}

fn is_word_byte(byte: u8) -> bool {
    class_of(byte) == WORD || byte >= 0x80
}

/// `r`, `b`, `f`, `t`, `u` and their valid pairs, in any case.
fn is_string_prefix(word: &[u8]) -> bool {
    match word {
        [one] => matches!(one.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'),
        [a, b] => matches!(
            [a.to_ascii_lowercase(), b.to_ascii_lowercase()],
            [b'b', b'r'] | [b'r', b'b'] | [b'f', b'r'] | [b'r', b'f'] | [b't', b'r'] | [b'r', b't']
        ),
        _ => false,
    }
}

fn whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    (start == 0 || !is_word_byte(bytes[start - 1]))
        && bytes.get(end).is_none_or(|&byte| !is_word_byte(byte))
}

/// Spaces, tabs and backslash continuations.
fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
    loop {
        match bytes.get(at) {
            Some(b' ' | b'\t' | b'\x0c') => at += 1,
            Some(b'\\') => match (bytes.get(at + 1), bytes.get(at + 2)) {
                (Some(b'\r'), Some(b'\n')) => at += 3,
                (Some(b'\n' | b'\r'), _) => at += 2,
                _ => return at,
            },
            _ => return at,
        }
    }
}

/// Past the spaces at `at` (indentation), eight at a time.
fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
    const SPACES: u64 = u64::from_le_bytes([b' '; 8]);
    while let Some(chunk) = bytes.get(at..at + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let other = word ^ SPACES;
        if other != 0 {
            // The first byte that is not a space (little-endian order).
            return at + other.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    while bytes.get(at) == Some(&b' ') {
        at += 1;
    }
    at
}

/// `from a.b` (or `from .`) right before the `import` word at `at`.
fn follows_from(bytes: &[u8], at: usize) -> bool {
    let mut start = at;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    let name_end = start;
    while start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
        start -= 1;
    }
    if start == name_end {
        return false;
    }
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    start >= 4 && &bytes[start - 4..start] == b"from" && whole_word(bytes, start - 4, start)
}

/// Names `import` statements bind (`import a.b` binds `a`, `import a as m`
/// binds `m`), read off the text after every `import` word that does not
/// follow `from x`, with the first component of the module each one names.
/// A superset: words after `import` in strings and comments count too.
fn import_bases<'t>(bytes: &'t [u8], imports: &[usize]) -> Vec<(&'t [u8], &'t [u8])> {
    let mut bases: Vec<(&[u8], &[u8])> = Vec::new();
    for &found in imports {
        let end = found + b"import".len();
        if !whole_word(bytes, found, end) || follows_from(bytes, found) {
            continue;
        }
        let mut at = end;
        loop {
            at = skip_blanks(bytes, at);
            let start = at;
            while at < bytes.len() && (is_word_byte(bytes[at]) || bytes[at] == b'.') {
                at += 1;
            }
            let name = &bytes[start..at];
            if name.is_empty() {
                break;
            }
            let first = name.split(|&byte| byte == b'.').next().unwrap_or(name);
            at = skip_blanks(bytes, at);
            let bound = if bytes[at..].starts_with(b"as")
                && !bytes.get(at + 2).copied().is_some_and(is_word_byte)
            {
                at = skip_blanks(bytes, at + 2);
                let start = at;
                while at < bytes.len() && is_word_byte(bytes[at]) {
                    at += 1;
                }
                &bytes[start..at]
            } else {
                first
            };
            if !bound.is_empty() && !bases.contains(&(bound, first)) {
                bases.push((bound, first));
            }
            at = skip_blanks(bytes, at);
            if bytes.get(at) != Some(&b',') {
                break;
            }
            at += 1;
        }
    }
    bases
}

/// Words whose presence keeps a line: `import` anywhere in a word
/// (`__import__`, `import_module`), `TYPE_CHECKING`, and the whole word
/// `patch`. One SIMD substring search each beats one automaton for all
/// three: their letters are common, their occurrences rare. (A class
/// statement is kept by its head: `class` starts no other statement.)
fn keep_words() -> &'static [Finder<'static>; 3] {
    static WORDS: OnceLock<[Finder<'static>; 3]> = OnceLock::new();
    WORDS.get_or_init(|| {
        [
            Finder::new(b"import"),
            Finder::new(b"TYPE_CHECKING"),
            Finder::new(b"patch"),
        ]
    })
}

/// Sorted offsets of everything that keeps its line (see [`keep_words`]
/// and [`import_bases`]; with `packages`, only names bound to a module of
/// those top-level packages: `discover` follows `m.Name` into the project's
/// own modules only).
fn keep_offsets(bytes: &[u8], packages: Option<&FxHashSet<String>>, offsets: &mut Vec<usize>) {
    offsets.clear();
    let [import, type_checking, patch] = keep_words();
    let imports: Vec<usize> = import.find_iter(bytes).collect();
    offsets.extend(&imports);
    offsets.extend(type_checking.find_iter(bytes));
    let length = patch.needle().len();
    offsets.extend(
        patch
            .find_iter(bytes)
            .filter(|&start| whole_word(bytes, start, start + length)),
    );
    let of_project = |package: &[u8]| {
        packages.is_none_or(|packages| {
            std::str::from_utf8(package).is_ok_and(|package| packages.contains(package))
        })
    };
    for (base, _) in import_bases(bytes, &imports)
        .into_iter()
        .filter(|&(_, package)| of_project(package))
    {
        for start in memchr::memmem::find_iter(bytes, base) {
            if whole_word(bytes, start, start + base.len()) {
                offsets.push(start);
            }
        }
    }
    offsets.sort_unstable();
}

/// What the scan saw of a logical line.
struct LineShape {
    /// Its last token is a `:` outside brackets: a compound statement header
    /// whose body follows on the next lines.
    opens_block: bool,
    /// It holds a `;` outside brackets: more than one statement.
    semicolon: bool,
}

/// Why the scan gave up.
struct GiveUp;

struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
    stops: &'t StopMaps,
}

/// The name, keyword or number at `at` (empty if there is none).
fn word_at(bytes: &[u8], at: usize) -> &[u8] {
    let mut end = at;
    while end < bytes.len() && class_of(bytes[end]) == WORD {
        end += 1;
    }
    &bytes[at.min(end)..end]
}

impl<'t> Scanner<'t> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn word(&mut self) -> &'t [u8] {
        let word = word_at(self.bytes, self.at);
        self.at += word.len();
        word
    }

    /// The word at `self.at` and, after `async`, the one after it, not
    /// consumed.
    fn first_words(&mut self) -> (&'t [u8], &'t [u8]) {
        let start = self.at;
        let first = self.word();
        let second = if first == b"async" {
            self.at = skip_blanks(self.bytes, self.at);
            self.word()
        } else {
            b""
        };
        self.at = start;
        (first, second)
    }

    /// [`Scanner::first_words`] where they can start a head [`Head::of`]
    /// tells apart (`def`, `class`, `if`, `else`, `match`, ...), nothing
    /// otherwise.
    fn head_words(&mut self) -> (&'t [u8], &'t [u8]) {
        match self.peek(0) {
            Some(b'a' | b'c' | b'd' | b'e' | b'f' | b'i' | b'm' | b'w') => self.first_words(),
            _ => (b"", b""),
        }
    }

    /// One logical line from `self.at` (past its indentation) to its
    /// terminating line break (not consumed) or the end of the text.
    fn logical_line(&mut self) -> Result<LineShape, GiveUp> {
        let bytes = self.bytes;
        let start = self.at;
        let mut depth = 0usize;
        // Where a comment outside brackets starts (it runs to the end of
        // the line).
        let mut comment_at = None;
        let mut semicolon = false;
        loop {
            self.at = self.stops.next(Run::Code, self.at);
            let Some(&byte) = bytes.get(self.at) else {
                break;
            };
            match class_of(byte) {
                NEWLINE if depth == 0 => break,
                NEWLINE => self.at += 1,
                QUOTE => {
                    let prefix = self.prefix();
                    self.string(prefix, 0)?;
                }
                HASH => {
                    if depth == 0 {
                        comment_at = Some(self.at);
                    }
                    self.skip_comment();
                }
                BACKSLASH => self.continuation()?,
                OPEN => {
                    depth += 1;
                    self.at += 1;
                }
                CLOSE => {
                    depth = depth.checked_sub(1).ok_or(GiveUp)?;
                    self.at += 1;
                }
                SEMICOLON => {
                    semicolon |= depth == 0;
                    self.at += 1;
                }
                // Not ASCII.
                _ => return Err(GiveUp),
            }
        }
        if depth != 0 {
            return Err(GiveUp);
        }
        // A block opens when the last byte of code is a colon: outside
        // brackets (they are closed), strings (they end in a quote) and
        // comments (they are past the code).
        let mut code_end = comment_at.unwrap_or(self.at);
        while code_end > start && matches!(bytes[code_end - 1], b' ' | b'\t' | b'\x0c') {
            code_end -= 1;
        }
        Ok(LineShape {
            opens_block: code_end > start && bytes[code_end - 1] == b':',
            semicolon,
        })
    }

    /// To the first byte of code of the next line that holds any, past
    /// blank and comment-only lines and the indentation: that
    /// indentation, or `None` at the end of the text.
    fn code_line(&mut self) -> Result<Option<usize>, GiveUp> {
        loop {
            let line_start = self.at;
            self.at = skip_spaces(self.bytes, self.at);
            match self.peek(0) {
                None => return Ok(None),
                Some(b'\t' | b'\x0c') => return Err(GiveUp),
                Some(b'\n') => self.at += 1,
                Some(b'\r') => self.at += if self.peek(1) == Some(b'\n') { 2 } else { 1 },
                Some(b'#') => self.skip_comment(),
                Some(_) => return Ok(Some(self.at - line_start)),
            }
        }
    }

    /// Past the body of a `def` whose header (at `header_indent`) ends at
    /// `self.at`, scanned only as far as finding where its lines end: where
    /// it starts (past its first line's indentation), where its last line
    /// ends, and its first line's indentation. `None`, with `self.at`
    /// unchanged, when the body is empty or a line of it starts a class (a
    /// fact at any depth): the caller then reads it line by line.
    fn plain_body(
        &mut self,
        header_indent: usize,
    ) -> Result<Option<(usize, usize, usize)>, GiveUp> {
        let bytes = self.bytes;
        let resume = self.at;
        let mut body = None;
        let mut end = self.at;
        while let Some(indent) = self.code_line()? {
            if indent <= header_indent {
                // The line the caller reads next (its indentation is spaces).
                self.at -= indent;
                break;
            }
            if bytes[self.at..].starts_with(b"class")
                && bytes
                    .get(self.at + b"class".len())
                    .is_none_or(|&byte| class_of(byte) != WORD)
            {
                self.at = resume;
                return Ok(None);
            }
            body.get_or_insert((self.at, indent));
            self.logical_line()?;
            end = self.at;
        }
        match body {
            Some((start, indent)) => Ok(Some((start, end, indent))),
            None => {
                self.at = resume;
                Ok(None)
            }
        }
    }

    /// The string prefix right before the quote at `self.at` (`rb`, `f`).
    #[inline]
    fn prefix(&self) -> &'t [u8] {
        // Most strings follow a bracket, a blank or an operator.
        if self.at == 0 || !is_word_byte(self.bytes[self.at - 1]) {
            return b"";
        }
        let mut start = self.at;
        while start > 0 && is_word_byte(self.bytes[start - 1]) {
            start -= 1;
        }
        let word = &self.bytes[start..self.at];
        if is_string_prefix(word) {
            word
        } else {
            b""
        }
    }

    fn skip_comment(&mut self) {
        let rest = &self.bytes[self.at..];
        self.at += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    }

    /// A backslash outside strings: only a line continuation is valid.
    fn continuation(&mut self) -> Result<(), GiveUp> {
        match (self.peek(1), self.peek(2)) {
            (Some(b'\r'), Some(b'\n')) => self.at += 3,
            (Some(b'\n' | b'\r'), _) => self.at += 2,
            _ => return Err(GiveUp),
        }
        Ok(())
    }

    /// A string literal at its opening quote.
    fn string(&mut self, prefix: &[u8], nesting: usize) -> Result<(), GiveUp> {
        if nesting > MAX_STRING_NESTING {
            return Err(GiveUp);
        }
        let bytes = self.bytes;
        let quote = self.peek(0).ok_or(GiveUp)?;
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        let formatted = prefix
            .iter()
            .any(|byte| matches!(byte.to_ascii_lowercase(), b'f' | b't'));
        self.at += if triple { 3 } else { 1 };
        loop {
            if triple && !formatted {
                // Docstrings: only the quote and the backslash matter.
                let rest = &bytes[self.at..];
                self.at += memchr::memchr2(quote, b'\\', rest).unwrap_or(rest.len());
            }
            self.at = self.stops.next(Run::String, self.at);
            let byte = self.peek(0).ok_or(GiveUp)?;
            match byte {
                // Escapes the next byte, raw strings included (`r"\""`).
                b'\\' => {
                    self.at += if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') {
                        3
                    } else {
                        2
                    };
                }
                b'\n' | b'\r' if !triple => return Err(GiveUp),
                _ if byte == quote => {
                    if !triple {
                        self.at += 1;
                        return Ok(());
                    }
                    if self.peek(1) == Some(quote) && self.peek(2) == Some(quote) {
                        self.at += 3;
                        return Ok(());
                    }
                    self.at += 1;
                }
                b'{' | b'}' if formatted && self.peek(1) == Some(byte) => self.at += 2,
                b'{' if formatted => {
                    self.at += 1;
                    self.replacement_field(quote, triple, nesting + 1)?;
                }
                b'}' if formatted => return Err(GiveUp),
                _ => self.at += 1,
            }
        }
    }

    /// The inside of an f-string's `{...}` after the brace, up to and
    /// including its closing brace: an expression (strings may nest, in any
    /// quotes), then maybe `!r` and a `:` format spec with fields of its own.
    fn replacement_field(&mut self, quote: u8, triple: bool, nesting: usize) -> Result<(), GiveUp> {
        if nesting > MAX_STRING_NESTING {
            return Err(GiveUp);
        }
        let mut depth = 0usize;
        loop {
            let byte = self.peek(0).ok_or(GiveUp)?;
            match class_of(byte) {
                CLOSE if byte == b'}' && depth == 0 => {
                    self.at += 1;
                    return Ok(());
                }
                COLON if depth == 0 => {
                    self.at += 1;
                    return self.format_spec(quote, triple, nesting);
                }
                OPEN => {
                    depth += 1;
                    self.at += 1;
                }
                CLOSE => {
                    depth = depth.checked_sub(1).ok_or(GiveUp)?;
                    self.at += 1;
                }
                QUOTE => {
                    let prefix = self.prefix();
                    self.string(prefix, nesting + 1)?;
                }
                HASH => self.skip_comment(),
                BACKSLASH => self.continuation()?,
                NOT_ASCII => return Err(GiveUp),
                _ if byte == b'!' && depth == 0 && self.peek(1) != Some(b'=') => {
                    self.at += 1;
                    self.word();
                }
                _ => self.at += 1,
            }
        }
    }

    /// A format spec up to and including the field's closing brace.
    fn format_spec(&mut self, quote: u8, triple: bool, nesting: usize) -> Result<(), GiveUp> {
        loop {
            let byte = self.peek(0).ok_or(GiveUp)?;
            match byte {
                b'}' => {
                    self.at += 1;
                    return Ok(());
                }
                b'{' => {
                    self.at += 1;
                    self.replacement_field(quote, triple, nesting + 1)?;
                }
                b'\n' | b'\r' if !triple => return Err(GiveUp),
                b'\\' => self.at += 2,
                _ if byte == quote => return Err(GiveUp),
                _ => self.at += 1,
            }
        }
    }
}

/// How a logical line starts, as far as the skim cares.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Head {
    Def,
    Class,
    /// `if`, `with`, `async with`.
    If,
    Elif,
    /// `for`, `while`, `async for`.
    Loop,
    /// `else`, `except`, `finally`: a clause of the statement before it.
    Clause,
    /// `match` opening a block.
    Match,
    Decorator,
    /// `import` or `from`: an import statement.
    Import,
    Other,
}

impl Head {
    fn of(decorator: bool, first: &[u8], second: &[u8], opens_block: bool) -> Self {
        if decorator {
            return Self::Decorator;
        }
        match (first, second) {
            (b"def", _) | (b"async", b"def") => Self::Def,
            (b"class", _) => Self::Class,
            (b"if" | b"with", _) | (b"async", b"with") => Self::If,
            (b"elif", _) => Self::Elif,
            (b"for" | b"while", _) | (b"async", b"for") => Self::Loop,
            (b"else" | b"except" | b"finally", _) => Self::Clause,
            (b"match", _) if opens_block => Self::Match,
            (b"import" | b"from", _) => Self::Import,
            _ => Self::Other,
        }
    }
}

/// One logical line of code (blank and comment-only lines are none).
#[derive(Clone, Copy)]
struct Line {
    /// Past its indentation.
    start: usize,
    /// At its terminating line break, or the end of the text.
    end: usize,
    indent: usize,
    head: Head,
    /// A compound statement header whose body follows on the next lines.
    opens_block: bool,
    /// It holds a `;` outside brackets.
    semicolon: bool,
    /// It holds something that keeps it (see [`keep_offsets`]).
    kept: bool,
    /// How many kept lines come before it.
    kept_before: usize,
    /// The index of the first line after its body (the next one's when it
    /// opens no block).
    block_end: usize,
}

/// Python allows 100 levels of indentation; the skim gives up past them.
const MAX_BLOCK_DEPTH: usize = 100;

/// Writes the skimmed text from the logical lines: copies what stays
/// (lazily, in stretches) and puts short heads in place of what goes.
struct Writer<'b> {
    bytes: &'b [u8],
    lines: &'b [Line],
    kept_total: usize,
    out: &'b mut Vec<u8>,
    map: &'b mut Vec<(usize, usize)>,
    head: &'b mut Vec<u8>,
    /// The module-level imports read here (see [`imports`]).
    imports: &'b mut Vec<ImportLine>,
    import_names: &'b mut Vec<ImportName>,
    /// Bytes before this offset are in `out` (copied or replaced).
    copied: usize,
}

impl Writer<'_> {
    fn kept_before(&self, line: usize) -> usize {
        self.lines
            .get(line)
            .map_or(self.kept_total, |line| line.kept_before)
    }

    /// Whether any of `lines[from..to]` is kept.
    fn kept_in(&self, from: usize, to: usize) -> bool {
        self.kept_before(to) > self.kept_before(from)
    }

    /// The line after the statement at `at`: its body, its clauses
    /// (`elif`, `else`, `except`, `finally`) and, for decorators, the
    /// decorated statement.
    fn statement_end(&self, at: usize) -> usize {
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
    fn replace(&mut self, from: usize, end: usize) -> usize {
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
    fn body(
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
    fn line(&mut self, line: &Line, module_level: bool) {
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
fn plain_value(bytes: &[u8], start: usize, end: usize, first: &[u8]) -> Option<usize> {
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
mod tests {
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
        let expected = "...\nlog=...\nX=...\nY=...\nZ = f\nW = a.b\nV = await(x)\nU = a.if(1)\nT = m.S()\nS=...\n";
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
}

/// The skimmed parse against the full one: the same facts, file for file.
#[cfg(test)]
mod same_facts {
    use std::borrow::Cow;
    use std::path::Path;

    use ruff_python_ast::PySourceType;

    use crate::config::Language;
    use crate::lang::{python, FileFacts};

    /// Facts as JSON, by both routes; `None` when the full parse is not clean
    /// (a syntax error in a skimmed line is not reported by the skim).
    fn both(path: &str, text: &str) -> Option<(String, String)> {
        let run = |skimmed: bool| {
            let mut facts = FileFacts::new(path.to_string(), Language::Python);
            if let Some((module, is_package)) = python::module_path(path, &[String::new()]) {
                facts.module = Some(module);
                facts.is_package = is_package;
            }
            let stub = path.ends_with(".pyi");
            if skimmed {
                python::extract_skimmed(&mut facts, text, stub, None);
            } else {
                python::extract(&mut facts, text, stub);
            }
            facts
        };
        let full = run(false);
        if !full.parsed_cleanly {
            return None;
        }
        let json = |facts: &FileFacts| serde_json::to_string_pretty(facts).unwrap_or_default();
        Some((json(&full), json(&run(true))))
    }

    const SNIPPETS: &[&str] = &[
        "import a.b as m\nfrom x import (\n    Y,\n    Z as W,\n)\n\n@m.deco(\n    1)\ndef f(a: m.T = m.D, *, b=lambda: m.L) -> m.R:\n    '''doc'''\n    if a:\n        return m.S\n    for i in range(3):\n        with open(a) as h, m.ctx() as k:\n            pass\n    else:\n        x = {i: (yield i) for i in a}\n    try:\n        from .rel import Q\n    except ImportError:\n        Q = None\n    class Inner(m.Base):\n        attr = m.A\n    return Q\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.mod import Manager\nelse:\n    Manager = None\nAlias = Manager\nOther = pkg.mod.Manager\nLIST = [1, 2,\n  3]\n__all__ = ['Alias']\n__all__ += ['Other']\nA = B = C\nD = 1; E = F\n(G) = H\nI, J = K, L\nT: int = 3\n",
        "import unittest.mock as um\nfrom unittest.mock import patch\nclass T:\n    @patch('pkg.mod.Thing')\n    def test(self, thing):\n        with patch.object(x, 'y'), um.patch(\"a.b.C\"):\n            assert um.sentinel\n        self.assertEqual(f'{um.ANY!r:>{w}}', 1)\n    async def t2(self):\n        async with x as y:\n            async for z in y:\n                await z\n",
        "def outer():\n    def inner(a,\n              b):\n        return a + \\\n            b\n    match inner:\n        case {'k': v} if v:\n            import json\n        case _:\n            pass\n    global G\n    G = 1\n    type X = int\n    return inner\n",
        "x = f\"{'a' if y else \"b\"}\" + rb'\\x00' + '''\nclass Fake: import nothing\n'''\ndef g():\n    s = \"\"\"\n    from x import y\n    \"\"\"\n    return s\r\ndef h():\r\n    return 1\r\n",
        "class A:\n    x: int\n    y = 2\n    def m(self) -> 'A':\n        return self\n    @property\n    def p(self): return 1\n    class B:\n        def n(self):\n            import os.path\n            return os.path.join('a')\n",
        "def f():\n    x = [\n        1,\n    ]; import sys\n    return sys.argv\n",
        "if True:\n    def f(): pass\n    X = {'a': 1}\nwhile False:\n    Y = [1]\nfor i in []:\n    Z = i\nelse:\n    W = 'w'\n",
    ];

    #[test]
    fn snippets() {
        for (at, snippet) in SNIPPETS.iter().enumerate() {
            let Some((full, skimmed)) = both("pkg/mod.py", snippet) else {
                panic!("snippet {at} does not parse cleanly");
            };
            assert_eq!(full, skimmed, "snippet {at}");
        }
    }

    /// With the project's packages, attribute uses of other modules (`os.path`)
    /// keep no line; those of the project's modules do.
    #[test]
    fn packages_limit_attribute_uses() {
        let text = "import os\nimport pkg.legacy as m\ndef f():\n    a = os.path.join('x')\n    return m.Manager()\n";
        let packages: rustc_hash::FxHashSet<String> = ["pkg".to_string()].into_iter().collect();
        let mut facts = FileFacts::new("pkg/mod.py".into(), Language::Python);
        python::extract_skimmed(&mut facts, text, false, Some(&packages));
        let uses: Vec<String> = facts
            .attribute_uses
            .iter()
            .map(|usage| format!("{}.{}", usage.base, usage.attr))
            .collect();
        assert_eq!(uses, ["m.Manager"]);
        assert_eq!(facts.imports.len(), 2);
    }

    fn python_files(directory: &Path, found: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(directory) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                python_files(&path, found);
            } else if path
                .extension()
                .is_some_and(|extension| extension == "py" || extension == "pyi")
            {
                found.push(path);
            }
        }
    }

    /// Why the skimmed route parses `text` as written, if it does: the
    /// skim gave up or changed nothing, or the skimmed text has a syntax
    /// error (shown with the text before it).
    fn not_skimmed(text: &str) -> Option<String> {
        let skimmed = match super::skim(text) {
            None => return Some("gave up".into()),
            Some(Cow::Borrowed(_)) => return Some("unchanged".into()),
            Some(Cow::Owned(skimmed)) => skimmed,
        };
        let parsed = ruff_python_parser::parse_unchecked_source(&skimmed, PySourceType::Python);
        let error = parsed.errors().first()?;
        let at = error.location.start().to_usize();
        let before = skimmed.get(at.saturating_sub(300)..at).unwrap_or("");
        Some(format!("{}\n{before}", error.error))
    }

    /// Every Python file under `root`: returns how many were compared, and
    /// how many of those the skim took.
    fn compare_tree(root: &Path) -> (usize, usize) {
        let mut files = Vec::new();
        python_files(root, &mut files);
        files.sort();
        let mut compared = 0;
        let mut took_skim = 0;
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            let relative = file.strip_prefix(root).unwrap_or(&file);
            let path = relative.to_string_lossy().replace('\\', "/");
            if let Some((full, skimmed)) = both(&path, text) {
                assert_eq!(full, skimmed, "{}", file.display());
                compared += 1;
                let why = not_skimmed(text);
                if let Some(why) = why
                    .as_ref()
                    .filter(|_| std::env::var_os("SKIM_WHY").is_some())
                {
                    eprintln!("not skimmed: {}: {why}", file.display());
                }
                took_skim += usize::from(why.is_none());
            }
        }
        (compared, took_skim)
    }

    #[test]
    fn every_fixture() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let (compared, skimmed) = compare_tree(&fixtures);
        assert!(compared > 50);
        // Most files take the skim (the rest have tabs, code that is not
        // ASCII, or nothing to skim).
        assert!(
            skimmed * 10 > compared * 6,
            "{skimmed} of {compared} skimmed"
        );
    }

    /// `SKIM_TREE=/usr/lib/python3.11 cargo test --release skim -- --ignored`
    /// (with `SKIM_WHY=1`, each file the skim did not take, and why)
    #[test]
    #[ignore = "a large tree: run with SKIM_TREE=DIR"]
    fn a_large_tree() {
        let Some(root) = std::env::var_os("SKIM_TREE") else {
            return;
        };
        let (compared, skimmed) = compare_tree(Path::new(&root));
        eprintln!("{compared} files with the same facts, {skimmed} of them skimmed");
        assert!(compared > 0);
    }
}
