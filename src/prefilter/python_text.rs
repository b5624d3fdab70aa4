//! Where a word found in Python text stands: in code, in a comment, or in a
//! string literal. A concept's symbol named only in comments and prose
//! (`# events now go through WebSocketManager`, `"WebSocketManager
//! unavailable"`) cannot make a file import, define, bind or patch it; a
//! string that is a name or a dotted path can (`patch("a.b.Manager")`,
//! `__all__ = ["Manager"]`, `x: "Manager"`).
//!
//! The scan follows Python's tokens as far as that needs: comments to the
//! line's end; strings with their prefixes, triple quotes and backslash
//! escapes; f-strings (and t-strings) with the replacement fields inside
//! them, whose nested strings may reuse the outer quote. A word inside an
//! f-string counts as code. Where the text is stranger than that (f-strings
//! nested too deep), everything from there on counts as code: the answer may
//! only err towards parsing a file.

use std::ops::Range;

/// Where a position in the text stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Place {
    Code,
    Comment,
    /// Inside a plain (not formatted) string literal: its content.
    String(Range<usize>),
}

/// f-strings inside f-strings deeper than this: the rest counts as code.
const MAX_DEPTH: usize = 16;

/// Answers [`Place`] for ascending positions in one forward pass.
pub(super) struct Scanner<'t> {
    bytes: &'t [u8],
    /// Code from here on, up to the next comment or string.
    at: usize,
    /// The comment or string last found, and what it is.
    region: Option<(Range<usize>, Place)>,
    /// From here on everything counts as code.
    gave_up: Option<usize>,
}

impl<'t> Scanner<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Self {
            bytes: text.as_bytes(),
            at: 0,
            region: None,
            gave_up: None,
        }
    }

    /// Where `position` stands; positions must come in ascending order.
    pub(super) fn place(&mut self, position: usize) -> Place {
        loop {
            if self.gave_up.is_some_and(|from| position >= from) {
                return Place::Code;
            }
            if let Some((range, place)) = &self.region {
                if position < range.end {
                    return if position >= range.start {
                        place.clone()
                    } else {
                        Place::Code
                    };
                }
                self.at = range.end;
                self.region = None;
            }
            let Some(offset) = memchr::memchr3(b'#', b'"', b'\'', &self.bytes[self.at..]) else {
                return Place::Code;
            };
            let start = self.at + offset;
            if position < start {
                return Place::Code;
            }
            if self.bytes[start] == b'#' {
                let end = memchr::memchr(b'\n', &self.bytes[start..])
                    .map_or(self.bytes.len(), |end| start + end);
                self.region = Some((start..end, Place::Comment));
                continue;
            }
            let formatted = is_formatted(self.bytes, start);
            match string_end(self.bytes, start, formatted, 0) {
                Some(end) => {
                    let place = if formatted {
                        Place::Code
                    } else {
                        let quotes = quote_len(self.bytes, start);
                        // An unterminated string has no closing quotes.
                        let closed =
                            end >= start + 2 * quotes && self.bytes[end - 1] == self.bytes[start];
                        let content_end = if closed { end - quotes } else { end };
                        Place::String(start + quotes..content_end.max(start + quotes))
                    };
                    self.region = Some((start..end, place));
                }
                None => self.gave_up = Some(start),
            }
        }
    }
}

/// 3 for a triple-quoted string opening at `at`, else 1.
fn quote_len(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    if bytes.get(at + 1) == Some(&quote) && bytes.get(at + 2) == Some(&quote) {
        3
    } else {
        1
    }
}

/// The quote at `at` opens an f-string or t-string: its prefix (the letters
/// right before it, not part of a longer name) holds `f` or `t`.
fn is_formatted(bytes: &[u8], at: usize) -> bool {
    let mut start = at;
    while start > 0 && bytes[start - 1].is_ascii_alphabetic() && at - start < 3 {
        start -= 1;
    }
    let prefix = &bytes[start..at];
    let before_is_name = start > 0
        && (bytes[start - 1] == b'_'
            || bytes[start - 1].is_ascii_alphanumeric()
            || bytes[start - 1] >= 0x80);
    !before_is_name
        && prefix
            .iter()
            .any(|c| matches!(c.to_ascii_lowercase(), b'f' | b't'))
}

/// Where the string opening at `at` ends (after its closing quotes; at the
/// line's end for an unterminated one-line string), or None past
/// [`MAX_DEPTH`] nested f-strings.
fn string_end(bytes: &[u8], at: usize, formatted: bool, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let quote = bytes[at];
    let quotes = quote_len(bytes, at);
    let mut i = at + quotes;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' if quotes == 1 => return Some(i),
            c if c == quote
                && (quotes == 1 || bytes.get(i + 1..i + 3) == Some(&[quote, quote][..])) =>
            {
                return Some(i + quotes)
            }
            b'{' if formatted => {
                if bytes.get(i + 1) == Some(&b'{') {
                    i += 2;
                } else {
                    i = field_end(bytes, i + 1, depth + 1)?;
                }
            }
            _ => i += 1,
        }
    }
    Some(bytes.len())
}

/// Where an f-string's replacement field starting at `i` (after its `{`)
/// ends (after its `}`), nested strings and brackets skipped.
fn field_end(bytes: &[u8], mut i: usize, depth: usize) -> Option<usize> {
    let mut brackets = 0_usize;
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'(' | b'[' => brackets += 1,
            b'}' if brackets == 0 => return Some(i + 1),
            b'}' | b')' | b']' => brackets = brackets.saturating_sub(1),
            b'"' | b'\'' => {
                i = string_end(bytes, i, is_formatted(bytes, i), depth)?;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Some(bytes.len())
}

/// A string's content that can name a binding: a name or a dotted path.
pub(super) fn names_something(content: &str) -> bool {
    let content = content.trim();
    !content.is_empty()
        && content
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(super::is_identifier_char))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The place of the first occurrence of `word` after each earlier one.
    fn places(text: &str, word: &str) -> Vec<Place> {
        let mut scanner = Scanner::new(text);
        text.match_indices(word)
            .map(|(at, _)| scanner.place(at))
            .collect()
    }

    fn kinds(text: &str, word: &str) -> Vec<&'static str> {
        places(text, word)
            .into_iter()
            .map(|place| match place {
                Place::Code => "code",
                Place::Comment => "comment",
                Place::String(range) if names_something(&text[range.clone()]) => "name",
                Place::String(_) => "prose",
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_code() {
        let text = "x = M()  # M here\ns = 'the M'\np = \"a.b.M\"\n# 'M\ny = M\n";
        assert_eq!(
            kinds(text, "M"),
            ["code", "comment", "prose", "name", "comment", "code"]
        );
    }

    #[test]
    fn triple_quotes_escapes_and_prefixes() {
        let text = "d = \"\"\"M\n'M' \\\"\"\" M\"\"\"\nr = rb'\\'M'\nz = M\n";
        assert_eq!(
            kinds(text, "M"),
            ["prose", "prose", "prose", "prose", "code"]
        );
        assert_eq!(kinds("u = 'M'\n", "M"), ["name"]);
        assert_eq!(kinds("u = R'M'\n", "M"), ["name"]);
    }

    #[test]
    fn f_strings_count_as_code_and_end_where_python_ends_them() {
        let text = "y = f\"{d[\"#\"]} M\"; z = M\nw = f'{{M}}' + M\n";
        assert_eq!(kinds(text, "M"), ["code", "code", "code", "code"]);
        let nested = "a = f'{f\"{x}\"}' # M\nb = M\n";
        assert_eq!(kinds(nested, "M"), ["comment", "code"]);
    }

    #[test]
    fn an_unterminated_string_ends_at_its_line() {
        assert_eq!(kinds("s = 'M\nt = M\n", "M"), ["name", "code"]);
    }

    #[test]
    fn deep_nesting_gives_up_towards_code() {
        let mut text = String::from("x = ");
        for _ in 0..40 {
            text.push_str("f'{");
        }
        text.push_str("1 # M\n");
        assert_eq!(kinds(&text, "M"), ["code"]);
    }

    #[test]
    fn what_names_something() {
        assert!(names_something("WebSocketManager"));
        assert!(names_something(" app.core.WebSocketManager "));
        assert!(!names_something("WebSocketManager unavailable"));
        assert!(!names_something("Optional[WebSocketManager]"));
        assert!(!names_something("a..b"));
    }
}
