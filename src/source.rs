//! Source text facts shared by every language: line index, BOM and line endings.

/// Byte offsets of line starts, with `\r\n`, `\r` and `\n` all ending a line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    starts: Vec<u32>,
}

/// A 1-based line and column, columns counted in Unicode code points.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// The high bit of every byte of `word` that is `\n`, and no other bit
/// (exact: no borrow crosses bytes).
fn newline_bytes(word: u64) -> u64 {
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zeroed = word ^ 0x0a0a_0a0a_0a0a_0a0a;
    !(((zeroed & LOW_SEVEN).wrapping_add(LOW_SEVEN)) | zeroed | LOW_SEVEN)
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
        starts.push(0u32);
        if memchr::memchr(b'\r', bytes).is_none() {
            // The common case: only `\n`, found eight bytes at a time (lines
            // are too short for a memchr call per line to pay off).
            let mut chunks = bytes.chunks_exact(8);
            let mut base = 0u32;
            for chunk in &mut chunks {
                let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
                let mut found = newline_bytes(word);
                while found != 0 {
                    starts.push(base + found.trailing_zeros() / 8 + 1);
                    found &= found - 1;
                }
                base += 8;
            }
            for (at, &byte) in chunks.remainder().iter().enumerate() {
                if byte == b'\n' {
                    starts.push(base + at as u32 + 1);
                }
            }
            return Self { starts };
        }
        let mut pos = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[pos..]) {
            let at = pos + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            starts.push(next as u32);
            pos = next;
        }
        Self { starts }
    }

    /// The 0-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line] as usize
    }

    /// Byte range of the 0-based `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.starts[line] as usize;
        let mut end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |next| *next as usize);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 1-based line and code-point column of a byte offset into `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line] as usize;
        LineCol {
            line: line as u32 + 1,
            column: column_of(text.get(start..offset).unwrap_or("")) + 1,
        }
    }
}

/// Line and column lookups in one text without a table of line starts:
/// facts need a few dozen lookups per file, mostly in increasing order and
/// often on the line of the one before, so each one starts from the line
/// last found and counts the line breaks in between (with SIMD over long
/// stretches), a small fraction of building a table. A text with a `\r` in
/// it gets the table: its line breaks come in three kinds.
pub struct LineLookup<'t> {
    text: &'t str,
    table: Option<LineIndex>,
    /// The line last found: its 0-based number, start and end (at its line
    /// break or the end of the text), and whether it is all ASCII (then a
    /// column is a byte count).
    last: std::cell::Cell<Line>,
}

/// A line [`LineLookup`] found.
#[derive(Clone, Copy)]
struct Line {
    number: usize,
    start: usize,
    end: usize,
    ascii: bool,
}

impl Line {
    fn at(bytes: &[u8], number: usize, start: usize) -> Self {
        let end = line_end(bytes, start);
        Self {
            number,
            start,
            end,
            ascii: bytes[start..end].is_ascii(),
        }
    }
}

impl<'t> LineLookup<'t> {
    /// The text it counts in.
    pub fn text(&self) -> &'t str {
        self.text
    }

    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let table = memchr::memchr(b'\r', bytes).map(|_| LineIndex::new(text));
        Self {
            text,
            table,
            last: std::cell::Cell::new(Line::at(bytes, 0, 0)),
        }
    }

    /// The line holding `offset` (clamped to the text).
    fn line(&self, offset: usize) -> Line {
        let offset = offset.min(self.text.len());
        let bytes = self.text.as_bytes();
        if let Some(table) = &self.table {
            let number = table.line_of(offset);
            let range = table.line_range(self.text, number);
            return Line {
                number,
                start: range.start,
                end: range.end,
                ascii: false,
            };
        }
        let last = self.last.get();
        let Line {
            number: line,
            start,
            end,
            ..
        } = last;
        if (start..=end).contains(&offset) {
            return last;
        }
        let (line, start) = if offset > end {
            // `bytes[end]` is the line break.
            let gap = &bytes[end + 1..offset];
            match last_newline(gap) {
                None => (line + 1, end + 1),
                Some(at) => (line + 2 + newlines(&gap[..at]), end + at + 2),
            }
        } else {
            let line = line - newlines(&bytes[offset..start]);
            (
                line,
                memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |at| at + 1),
            )
        };
        let found = Line::at(bytes, line, start);
        self.last.set(found);
        found
    }

    /// The 0-based line holding `offset` (clamped to the text) and where
    /// that line starts.
    pub fn line_of(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        (line.number, line.start)
    }

    /// Where the line holding `offset` ends, before its line break.
    pub fn line_end(&self, offset: usize) -> usize {
        self.line(offset).end
    }

    /// 1-based line and code-point column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line(offset);
        let column = if line.ascii {
            (offset - line.start) as u32
        } else {
            column_of(self.text.get(line.start..offset).unwrap_or(""))
        };
        LineCol {
            line: line.number as u32 + 1,
            column: column + 1,
        }
    }
}

/// Below this many bytes a plain loop beats a call into memchr.
const SHORT: usize = 64;

fn newlines(bytes: &[u8]) -> usize {
    if bytes.len() < SHORT {
        bytes.iter().filter(|&&byte| byte == b'\n').count()
    } else {
        memchr::memchr_iter(b'\n', bytes).count()
    }
}

fn last_newline(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < SHORT {
        bytes.iter().rposition(|&byte| byte == b'\n')
    } else {
        memchr::memrchr(b'\n', bytes)
    }
}

/// The `\n` ending the line that starts at `start`, or the end of `bytes`.
fn line_end(bytes: &[u8], start: usize) -> usize {
    let rest = &bytes[start..];
    start + memchr::memchr(b'\n', rest).unwrap_or(rest.len())
}

/// The 0-based code-point column of the end of `prefix` (a line's start).
fn column_of(prefix: &str) -> u32 {
    if prefix.is_ascii() {
        prefix.len() as u32
    } else {
        prefix.chars().count() as u32
    }
}

/// `offsets` forwards, backwards and in strides both ways: lookups that
/// start from where the last one ended must answer the same in any order.
#[cfg(test)]
pub(crate) fn any_order(offsets: &[usize]) -> impl Iterator<Item = usize> + '_ {
    offsets
        .iter()
        .chain(offsets.iter().rev())
        .chain(offsets.iter().step_by(3))
        .chain(offsets.iter().rev().step_by(2))
        .copied()
}

/// A located range: byte offsets into the decoded text (BOM removed) and
/// 1-based line/column of its start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub begin: LineCol,
    pub finish: LineCol,
}

/// How a file's bytes were decoded, so a rewrite can give them back unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    /// The file started with a UTF-8 BOM, which is not part of the text.
    pub bom: bool,
}

pub const BOM: &str = "\u{feff}";

/// Decodes a file's bytes as UTF-8, splitting off a leading BOM.
pub fn decode(bytes: Vec<u8>) -> Result<(String, Encoding), std::string::FromUtf8Error> {
    let mut text = String::from_utf8(bytes)?;
    let bom = text.starts_with(BOM);
    if bom {
        text.drain(..BOM.len());
    }
    Ok((text, Encoding { bom }))
}

/// A file's text as the scan read it (facts do not keep it): for fixes,
/// snippets and baseline statements.
#[derive(Debug, Clone)]
pub struct SourceText {
    pub bytes: Vec<u8>,
    pub text: String,
    pub encoding: Encoding,
    pub lines: LineIndex,
    /// The file's first line break, used for inserted lines.
    pub newline: &'static str,
}

impl SourceText {
    /// Decodes a file's bytes; None when they are not UTF-8.
    pub fn from_bytes(bytes: Vec<u8>) -> Option<Self> {
        let (text, encoding) = decode(bytes.clone()).ok()?;
        let lines = LineIndex::new(&text);
        let newline = match memchr::memchr2(b'\n', b'\r', text.as_bytes()) {
            Some(at) if text.as_bytes()[at] == b'\r' => {
                if text.as_bytes().get(at + 1) == Some(&b'\n') {
                    "\r\n"
                } else {
                    "\r"
                }
            }
            _ => "\n",
        };
        Some(Self {
            bytes,
            text,
            encoding,
            lines,
            newline,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_of_every_kind() {
        let text = "a\r\nb\rc\nd";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_col(text, 3), LineCol { line: 2, column: 1 });
        assert_eq!(index.line_col(text, 5), LineCol { line: 3, column: 1 });
        assert_eq!(index.line_col(text, 7), LineCol { line: 4, column: 1 });
        assert_eq!(&text[index.line_range(text, 0)], "a");
    }

    /// The eight-bytes-at-a-time path against a byte-by-byte count.
    #[test]
    fn newlines_found_in_words() {
        let texts = [
            String::new(),
            "\n".into(),
            "a\nb".into(),
            "\n\n\n\n\n\n\n\n\n".into(),
            "x\u{b}\u{c}\u{8a}\u{10a}é\n\n0123456789\nabcdefg\nh".into(),
            "é".repeat(37) + "\n" + &"\u{a0a}".repeat(5) + "\n",
        ];
        for text in &texts {
            let expected: Vec<u32> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(at, _)| at as u32 + 1))
                .collect();
            assert_eq!(LineIndex::new(text).starts, expected, "{text:?}");
        }
    }

    /// Lookups in any order, forwards and back, agree with the table.
    #[test]
    fn lookups_agree_with_the_table() {
        let long = format!(
            "{}\n{}{}",
            "y".repeat(150),
            "x = 1\n\n".repeat(40),
            "é".repeat(70)
        );
        let texts = [
            "",
            "\n",
            "a\nb",
            "import x\n\n  é = 1\nclass A:\n    pass\n",
            "a\r\nb\rc\nd\n",
            "\n\n\nx",
            &long,
        ];
        for text in texts {
            let table = LineIndex::new(text);
            let lookup = LineLookup::new(text);
            let offsets: Vec<usize> = (0..=text.len() + 1)
                .filter(|&at| at > text.len() || text.is_char_boundary(at))
                .collect();
            for offset in any_order(&offsets) {
                assert_eq!(
                    lookup.line_col(offset),
                    table.line_col(text, offset),
                    "{text:?} at {offset}"
                );
                let line = table.line_of(offset.min(text.len()));
                assert_eq!(
                    lookup.line_end(offset),
                    table.line_range(text, line).end,
                    "{text:?} at {offset}"
                );
            }
        }
    }

    #[test]
    fn columns_count_code_points() -> Result<(), Box<dyn std::error::Error>> {
        let text = "é = 1; import x";
        let index = LineIndex::new(text);
        let offset = text.find("import").ok_or("no import in the text")?;
        assert_eq!(index.line_col(text, offset).column, 8);
        Ok(())
    }

    #[test]
    fn bom_is_split_off() -> Result<(), Box<dyn std::error::Error>> {
        let (text, encoding) = decode(b"\xef\xbb\xbfimport x".to_vec())?;
        assert_eq!(text, "import x");
        assert!(encoding.bom);
        Ok(())
    }
}
