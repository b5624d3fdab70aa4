//! How deeply a Python text nests, bounded before every parse: the parser,
//! the visitors and the drop of the tree recurse once per level.

/// Files nested deeper than this many brackets are skipped with an SSOT900
/// note: the parser recurses once per level (~256 bytes of stack each). Rust
/// has a bound of its own ([`crate::lang::rust::MAX_GROUP_NESTING`], five
/// times shallower): syn needs ~6.5 KB per group.
pub const MAX_BRACKET_NESTING: usize = 5_000;

/// Files whose expressions may nest deeper than this are skipped with an
/// SSOT900 note as well. Brackets are not the only thing the parser, our
/// visitors and the drop of the tree recurse on: prefix operators
/// (`- - - x`, `not not x`, `await`, `lambda:`), right-associative `**` and
/// left-nested chains (`a + a + ...`, `a.b.c...`, `f()()...`, `x[0][0]...`)
/// cost one level per operator. Measured (dev build, stack overflow on an
/// 8 MiB / 1 MiB main thread): at most ~64 bytes per chain level to parse,
/// ~128 with the visitors and the drop, ~256 per bracket level. An 8 MB file
/// of `-` or a 4-million-term sum overflowed the scan's 256 MiB stacks and
/// aborted the whole process before this bound existed.
pub const MAX_DEPTH: usize = 100_000;

/// Deepest bracket nesting, a cheap bound checked before parsing.
pub fn max_nesting(text: &str) -> usize {
    byte_bounds(text).brackets
}

/// Byte classes of the pre-parse scan ([`byte_bounds`]).
/// An open bracket or a byte of an operator token.
pub(super) const COUNTED: u8 = 1;
/// Part of an identifier or keyword (non-ASCII bytes included).
pub(super) const WORD: u8 = 2;
/// The first letter of a keyword that deepens an expression (`and`, `or`,
/// `not`, `if`, `else`, `in`, `is`, `await`, `lambda`, `yield`).
pub(super) const KEYWORD_START: u8 = 4;
// `byte_bounds` finds word starts by shifting the previous byte's WORD bit
// onto this byte's KEYWORD_START bit.
const _: () = assert!(WORD << 1 == KEYWORD_START);

pub(super) const CLASSES: [u8; 256] = {
    let mut classes = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        classes[byte] = match byte as u8 {
            b'(' | b'[' | b'{' | b'+' | b'-' | b'*' | b'/' | b'%' | b'@' | b'&' | b'|' | b'^'
            | b'~' | b'<' | b'>' | b'=' | b'!' | b'.' | b':' | b'?' => COUNTED,
            b'a' | b'o' | b'n' | b'i' | b'e' | b'l' | b'y' => WORD | KEYWORD_START,
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | 0x80.. => WORD,
            _ => 0,
        };
        byte += 1;
    }
    classes
};

/// +1 for an opening bracket, -1 for a closing one.
pub(super) const BRACKET_DELTA: [i8; 256] = {
    let mut delta = [0i8; 256];
    delta[b'(' as usize] = 1;
    delta[b'[' as usize] = 1;
    delta[b'{' as usize] = 1;
    delta[b')' as usize] = -1;
    delta[b']' as usize] = -1;
    delta[b'}' as usize] = -1;
    delta
};

/// What one pass over the bytes bounds, before any parse.
pub(super) struct ByteBounds {
    /// Deepest bracket nesting, counting brackets in strings and comments too.
    pub(super) brackets: usize,
    /// An upper bound of [`expression_depth`]: every token that can deepen an
    /// expression has at least one byte counted (open brackets, operator
    /// bytes, the word starts a deepening keyword can be, also in strings and
    /// comments, which only over-estimates), and an indentation level needs
    /// at least one more leading blank than the one before (a tab counts as up
    /// to 8 columns). Over the 29,000 files of nine CPython versions and their
    /// site-packages, one (4 MB of data) exceeds [`MAX_DEPTH`].
    pub(super) depth: usize,
}

/// Both bounds in one branch-free pass over the bytes (plus a walk over the
/// line starts), faster than the bracket count alone was: ~500 MB/s, against
/// ~110 MB/s for the parse.
pub(super) fn byte_bounds(text: &str) -> ByteBounds {
    let bytes = text.as_bytes();
    let mut nesting = 0i64;
    let mut brackets = 0i64;
    let mut counted = 1usize;
    let mut previous = 0u8;
    for &byte in bytes {
        let class = CLASSES[usize::from(byte)];
        nesting = (nesting + i64::from(BRACKET_DELTA[usize::from(byte)])).max(0);
        brackets = brackets.max(nesting);
        counted += usize::from(class & COUNTED);
        // A keyword's first letter at a word start (not after a WORD byte).
        counted += usize::from((class & !(previous << 1) & KEYWORD_START) >> 2);
        previous = class;
    }
    let mut widest_indent = 0;
    let mut line = 0;
    loop {
        let leading = bytes[line..]
            .iter()
            .take_while(|byte| matches!(byte, b' ' | b'\t' | b'\x0c'))
            .count();
        widest_indent = widest_indent.max(leading);
        match memchr::memchr2(b'\n', b'\r', &bytes[line..]) {
            Some(found) => line += found + 1,
            None => break,
        }
    }
    ByteBounds {
        brackets: usize::try_from(brackets).unwrap_or(usize::MAX),
        depth: counted + 8 * widest_indent,
    }
}

/// How deep the parse of `text` can nest, from its tokens: indentation
/// levels, plus per open bracket one level and the operators chained since the
/// last `,` / `;` / end of statement at that bracket level (so `[a, -b, c]` is
/// shallow and `a + a + a` three deep).
pub(super) fn expression_depth(text: &str) -> usize {
    use ruff_python_ast::token::TokenKind as T;
    let mut lexer = ruff_python_parser::lexer::lex(text, ruff_python_parser::Mode::Module);
    // Operators chained at the innermost open bracket level (or the statement),
    // and those of the enclosing levels.
    let mut chain = 0usize;
    let mut enclosing: Vec<usize> = Vec::new();
    // Σ over all levels of (1 + chain).
    let mut sum = 1usize;
    let mut indent = 0usize;
    let mut deepest = 0;
    loop {
        match lexer.next_token() {
            T::EndOfFile => break,
            T::Lpar | T::Lsqb | T::Lbrace => {
                // A bracket is a link of the enclosing chain (`f(...)`, `x[...]`).
                enclosing.push(chain + 1);
                chain = 0;
                sum += 2;
            }
            T::Rpar | T::Rsqb | T::Rbrace => {
                if let Some(outer) = enclosing.pop() {
                    sum -= 1 + chain;
                    chain = outer;
                }
            }
            T::Comma | T::Semi | T::Newline => {
                sum -= chain;
                chain = 0;
            }
            T::Indent => indent += 1,
            T::Dedent => indent = indent.saturating_sub(1),
            T::If | T::Else | T::Lambda | T::Await | T::Yield => {
                chain += 1;
                sum += 1;
            }
            kind if kind.is_operator() => {
                chain += 1;
                sum += 1;
            }
            _ => {}
        }
        deepest = deepest.max(indent + sum);
    }
    deepest
}

/// Why `text` is too deeply nested to parse safely, if it is. Checked before
/// every parse of Python text (the scan's and the fixer's).
pub fn nesting_problem(text: &str) -> Option<String> {
    // Short texts are decided without a look: at most one bracket per byte,
    // and `byte_bounds` counts at most one per byte plus 8 per byte of
    // indentation, under both limits.
    if text.len() <= MAX_BRACKET_NESTING && 9 * text.len() < MAX_DEPTH {
        return None;
    }
    let bounds = byte_bounds(text);
    let nesting = bounds.brackets;
    if nesting > MAX_BRACKET_NESTING {
        return Some(format!(
            "brackets nested {nesting} deep (limit {MAX_BRACKET_NESTING}): file skipped"
        ));
    }
    // Almost every file is decided by the byte scan; only files with
    // more than MAX_DEPTH operators in all are lexed to decide.
    if bounds.depth > MAX_DEPTH {
        let depth = expression_depth(text);
        if depth > MAX_DEPTH {
            return Some(format!(
                "expressions nested {depth} deep (limit {MAX_DEPTH}): file skipped"
            ));
        }
    }
    None
}
