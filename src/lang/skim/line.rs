//! One logical line as the scan saw it, and how it starts.

/// How a logical line starts, as far as the skim cares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Head {
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
    pub(super) fn of(decorator: bool, first: &[u8], second: &[u8], opens_block: bool) -> Self {
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
pub(super) struct Line {
    /// Past its indentation.
    pub(super) start: usize,
    /// At its terminating line break, or the end of the text.
    pub(super) end: usize,
    pub(super) indent: usize,
    pub(super) head: Head,
    /// A compound statement header whose body follows on the next lines.
    pub(super) opens_block: bool,
    /// It holds a `;` outside brackets.
    pub(super) semicolon: bool,
    /// It holds something that keeps it (see [`super::keep::keep_offsets`]).
    pub(super) kept: bool,
    /// How many kept lines come before it.
    pub(super) kept_before: usize,
    /// The index of the first line after its body (the next one's when it
    /// opens no block).
    pub(super) block_end: usize,
}
