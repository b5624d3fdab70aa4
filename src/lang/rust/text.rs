//! The text around the parse: a leading shebang line, and error positions
//! as `line:column`.

/// Length of a leading shebang line (`#!` not followed, after whitespace and
/// comments, by `[`), up to but excluding its `\n`, exactly as
/// `syn::parse_file` decides it.
pub(super) fn shebang_len(text: &str) -> usize {
    if !text.starts_with("#!") {
        return 0;
    }
    if skip_whitespace(&text[2..]).starts_with('[') {
        return 0;
    }
    text.find('\n').unwrap_or(text.len())
}

/// syn's `whitespace::skip`: whitespace and non-doc comments.
pub(super) fn skip_whitespace(mut s: &str) -> &str {
    'skip: while !s.is_empty() {
        let byte = s.as_bytes()[0];
        if byte == b'/' {
            if s.starts_with("//")
                && (!s.starts_with("///") || s.starts_with("////"))
                && !s.starts_with("//!")
            {
                match s.find('\n') {
                    Some(i) => {
                        s = &s[i + 1..];
                        continue;
                    }
                    None => return "",
                }
            } else if s.starts_with("/**/") {
                s = &s[4..];
                continue;
            } else if s.starts_with("/*")
                && (!s.starts_with("/**") || s.starts_with("/***"))
                && !s.starts_with("/*!")
            {
                let bytes = s.as_bytes();
                let mut depth = 0usize;
                let mut i = 0;
                while i + 1 < bytes.len() {
                    if bytes[i] == b'/' && bytes[i + 1] == b'*' {
                        depth += 1;
                        i += 1;
                    } else if bytes[i] == b'*' && bytes[i + 1] == b'/' {
                        depth -= 1;
                        if depth == 0 {
                            s = &s[i + 2..];
                            continue 'skip;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                return s;
            }
        }
        match byte {
            b' ' | 0x09..=0x0D => {
                s = &s[1..];
                continue;
            }
            b if b <= 0x7F => {}
            _ => {
                if let Some(ch) = s.chars().next() {
                    if ch.is_whitespace() || ch == '\u{200e}' || ch == '\u{200f}' {
                        s = &s[ch.len_utf8()..];
                        continue;
                    }
                }
            }
        }
        return s;
    }
    s
}

/// Why a Rust file yields no facts, and where: shown as `line:column: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct ParseError {
    /// 1-based, lines broken at `\r\n`, `\r` or `\n`.
    pub line: usize,
    /// 1-based, in code points.
    pub column: usize,
    pub message: String,
}

impl ParseError {
    /// An error about the file as a whole, at its start.
    pub(super) fn at_start(message: String) -> Self {
        Self {
            line: 1,
            column: 1,
            message,
        }
    }
}

/// The error `message` at a byte offset of `src`: 1-based, lines broken at
/// `\r\n`, `\r` or `\n`, columns counted in code points.
pub(super) fn error_at(src: &str, offset: usize, message: &str) -> ParseError {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &src.as_bytes()[..offset];
    let mut line = 1usize;
    let mut line_start = 0usize;
    let mut i = 0;
    while i < before.len() {
        match before[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'\r' => {
                if before.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                // A `\r` right before `offset` whose `\n` is at `offset` still
                // ends the line.
                line += 1;
                line_start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    let line_start = line_start.min(offset);
    let column = src[line_start..offset].chars().count() + 1;
    ParseError {
        line,
        column,
        message: message.to_string(),
    }
}
