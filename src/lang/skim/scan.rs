//! The scan over the bytes: logical lines, their indentation and shape,
//! and the end of a function body with nothing kept in it.

use super::classes::*;
use super::stops::{Run, StopMaps};

/// f-strings nested deeper than this (`f"{f"{f"{...}"}"}"`) are left to the parser.
pub(super) const MAX_STRING_NESTING: usize = 16;

/// What the scan saw of a logical line.
pub(super) struct LineShape {
    /// Its last token is a `:` outside brackets: a compound statement header
    /// whose body follows on the next lines.
    pub(super) opens_block: bool,
    /// It holds a `;` outside brackets: more than one statement.
    pub(super) semicolon: bool,
}

/// Why the scan gave up.
pub(super) struct GiveUp;

pub(super) struct Scanner<'t> {
    pub(super) bytes: &'t [u8],
    pub(super) at: usize,
    pub(super) stops: &'t StopMaps,
}

impl<'t> Scanner<'t> {
    pub(super) fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    pub(super) fn word(&mut self) -> &'t [u8] {
        let word = word_at(self.bytes, self.at);
        self.at += word.len();
        word
    }

    /// The word at `self.at` and, after `async`, the one after it, not
    /// consumed.
    pub(super) fn first_words(&mut self) -> (&'t [u8], &'t [u8]) {
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
    pub(super) fn head_words(&mut self) -> (&'t [u8], &'t [u8]) {
        match self.peek(0) {
            Some(b'a' | b'c' | b'd' | b'e' | b'f' | b'i' | b'm' | b'w') => self.first_words(),
            _ => (b"", b""),
        }
    }

    /// One logical line from `self.at` (past its indentation) to its
    /// terminating line break (not consumed) or the end of the text.
    pub(super) fn logical_line(&mut self) -> Result<LineShape, GiveUp> {
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
    pub(super) fn code_line(&mut self) -> Result<Option<usize>, GiveUp> {
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
    pub(super) fn plain_body(
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
    pub(super) fn prefix(&self) -> &'t [u8] {
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

    pub(super) fn skip_comment(&mut self) {
        let rest = &self.bytes[self.at..];
        self.at += memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len());
    }

    /// A backslash outside strings: only a line continuation is valid.
    pub(super) fn continuation(&mut self) -> Result<(), GiveUp> {
        match (self.peek(1), self.peek(2)) {
            (Some(b'\r'), Some(b'\n')) => self.at += 3,
            (Some(b'\n' | b'\r'), _) => self.at += 2,
            _ => return Err(GiveUp),
        }
        Ok(())
    }

    /// A string literal at its opening quote.
    pub(super) fn string(&mut self, prefix: &[u8], nesting: usize) -> Result<(), GiveUp> {
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
    pub(super) fn replacement_field(
        &mut self,
        quote: u8,
        triple: bool,
        nesting: usize,
    ) -> Result<(), GiveUp> {
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
    pub(super) fn format_spec(
        &mut self,
        quote: u8,
        triple: bool,
        nesting: usize,
    ) -> Result<(), GiveUp> {
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
