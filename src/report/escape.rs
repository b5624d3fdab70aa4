//! Escaping of text that comes from the project (paths, names, messages)
//! before it reaches a terminal, a CI log or a document: a file named with
//! an escape sequence must not recolour, move the cursor or forge lines.

use std::borrow::Cow;

/// Control characters (C0, DEL, C1) and the bidirectional overrides shown
/// as `\u{..}` escapes; everything else as is.
pub fn visible(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
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
}
