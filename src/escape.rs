//! Escaping of text that comes from the project (paths, names, messages)
//! before it reaches a terminal, a CI log or a document: a file named with
//! an escape sequence must not recolour, move the cursor or forge lines.

use std::borrow::Cow;

/// Control characters (C0, DEL, C1) and the bidirectional overrides shown
/// as `\u{..}` escapes; everything else as is.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !may_need_escape(text, false) || !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Source text for a snippet: like [`visible`], but tabs and line endings
/// stay as they are; [`Snippet::offset`] maps a byte offset of the original
/// text into the shown one.
pub fn snippet(text: &str) -> Snippet {
    if !may_need_escape(text, true) || !text.chars().any(needs_escape_in_source) {
        return Snippet {
            text: text.to_string(),
            shifts: Vec::new(),
        };
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut shifts = Vec::new();
    for (at, c) in text.char_indices() {
        if needs_escape_in_source(c) {
            let escaped = c.escape_unicode().to_string();
            shifts.push((at, escaped.len() - c.len_utf8()));
            out.push_str(&escaped);
        } else {
            out.push(c);
        }
    }
    Snippet { text: out, shifts }
}

/// Text shown in place of source text, with where it grew.
#[derive(Debug, Clone)]
pub struct Snippet {
    pub text: String,
    /// (offset in the original, bytes added there), ascending.
    shifts: Vec<(usize, usize)>,
}

impl Snippet {
    /// Where `offset` of the original text is in [`Snippet::text`].
    pub fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|&(at, _)| at < offset);
        offset
            + self.shifts[..before]
                .iter()
                .map(|&(_, added)| added)
                .sum::<usize>()
    }
}

/// False when no character of `text` can need an escape, by its bytes alone
/// (a whole source file is checked at memory speed): every such character
/// is a C0 control or DEL, or in UTF-8 starts with 0xC2 (C1 controls) or
/// 0xE2 (the bidirectional overrides).
fn may_need_escape(text: &str, source: bool) -> bool {
    text.bytes().any(|byte| match byte {
        b'\t' | b'\n' | b'\r' => !source,
        0x00..=0x1f | 0x7f | 0xc2 | 0xe2 => true,
        _ => false,
    })
}

fn needs_escape_in_source(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r') && needs_escape(c)
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in HTML (or XML) text.
            c if c.is_control() && !matches!(c, '\n' | '\t') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            markup("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(markup("bell\u{7}"), "bell\u{FFFD}");
    }

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(visible("a/b.py"), "a/b.py");
        assert_eq!(visible("a\u{1b}[31mb\n.py"), "a\\u{1b}[31mb\\u{a}.py");
        assert_eq!(visible("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(visible("é ü 日本"), "é ü 日本");
    }

    #[test]
    fn snippets_keep_tabs_and_line_ends_and_map_offsets() {
        let plain = snippet("a\tb\r\n");
        assert_eq!(plain.text, "a\tb\r\n");
        assert_eq!(plain.offset(3), 3);
        let text = "x = 1  # \u{1b}]0;t\u{7}\nimport y\n";
        let shown = snippet(text);
        assert_eq!(shown.text, "x = 1  # \\u{1b}]0;t\\u{7}\nimport y\n");
        let import = text.find("import").unwrap_or_default();
        assert_eq!(&shown.text[shown.offset(import)..][..6], "import");
        assert_eq!(shown.offset(0), 0);
        assert_eq!(shown.offset(text.len()), shown.text.len());
    }

    #[test]
    fn the_byte_check_lets_through_every_character_that_needs_an_escape() {
        for code in (0..=0x3000u32).chain([0xfeff, 0x1_f600]) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            let text = format!("ab{c}cd");
            if needs_escape(c) {
                assert!(may_need_escape(&text, false), "{code:#x}");
            }
            if needs_escape_in_source(c) {
                assert!(may_need_escape(&text, true), "{code:#x}");
            }
        }
        assert!(!may_need_escape("plain é ü 日本\tx\r\n", true));
        assert!(may_need_escape("tab\t", false));
    }
}
