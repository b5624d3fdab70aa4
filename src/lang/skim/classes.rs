//! The byte classes of Python code outside strings, and the small scans
//! over them the skim's passes share.

// Byte classes of code outside strings.
pub(super) const OTHER: u8 = 0;
pub(super) const SPACE: u8 = 1;
pub(super) const WORD: u8 = 2;
pub(super) const QUOTE: u8 = 3;
pub(super) const NEWLINE: u8 = 4;
pub(super) const HASH: u8 = 5;
pub(super) const BACKSLASH: u8 = 6;
pub(super) const OPEN: u8 = 7;
pub(super) const CLOSE: u8 = 8;
pub(super) const COLON: u8 = 9;
pub(super) const NOT_ASCII: u8 = 10;
pub(super) const SEMICOLON: u8 = 11;

pub(super) const CLASSES: [u8; 256] = {
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

pub(super) fn class_of(byte: u8) -> u8 {
    CLASSES[usize::from(byte)]
}

pub(super) fn is_word_byte(byte: u8) -> bool {
    class_of(byte) == WORD || byte >= 0x80
}

/// `r`, `b`, `f`, `t`, `u` and their valid pairs, in any case.
pub(super) fn is_string_prefix(word: &[u8]) -> bool {
    match word {
        [one] => matches!(one.to_ascii_lowercase(), b'r' | b'u' | b'b' | b'f' | b't'),
        [a, b] => matches!(
            [a.to_ascii_lowercase(), b.to_ascii_lowercase()],
            [b'b', b'r'] | [b'r', b'b'] | [b'f', b'r'] | [b'r', b'f'] | [b't', b'r'] | [b'r', b't']
        ),
        _ => false,
    }
}

pub(super) fn whole_word(bytes: &[u8], start: usize, end: usize) -> bool {
    (start == 0 || !is_word_byte(bytes[start - 1]))
        && bytes.get(end).is_none_or(|&byte| !is_word_byte(byte))
}

/// Spaces, tabs and backslash continuations.
pub(super) fn skip_blanks(bytes: &[u8], mut at: usize) -> usize {
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
pub(super) fn skip_spaces(bytes: &[u8], mut at: usize) -> usize {
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
pub(super) fn follows_from(bytes: &[u8], at: usize) -> bool {
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

/// The name, keyword or number at `at` (empty if there is none).
pub(super) fn word_at(bytes: &[u8], at: usize) -> &[u8] {
    let mut end = at;
    while end < bytes.len() && class_of(bytes[end]) == WORD {
        end += 1;
    }
    &bytes[at.min(end)..end]
}
