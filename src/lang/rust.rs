//! Facts of one Rust source file: the leaves of every `use` item, the type
//! definitions (struct / enum / trait / union / type) and the `mod`
//! declarations, each with byte offsets into the text given to [`extract`].
//!
//! Strategy: a full `syn::File` parse (so a file that does not parse yields an
//! `Err`, as DESIGN.md's facts dump requires) walked with a `syn::visit::Visit`
//! implementation. Offsets come from `proc_macro2::Span::byte_range()`
//! (`span-locations`). Names are as written: a raw identifier keeps its `r#`
//! everywhere (use paths, definition names, module names); strip it to compare.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::visit::{self, Visit};
use syn::Token;

/// Files whose bracket nesting (`(`, `[`, `{`) goes deeper than this are
/// rejected with an `Err` before syn sees them: syn, its `Visit` and the drop
/// of its tree recurse once (or more) per level.
pub const MAX_NESTING: usize = 1000;

/// What a parse may need of the thread's stack, estimated from the tokens
/// (see `Estimator`); a file estimated above it is refused with an `Err`.
/// Give parsing threads at least twice this (16 MiB).
pub const STACK_BUDGET: usize = 8 << 20;

/// Larger texts are refused: proc-macro2 numbers characters with a `u32`.
const MAX_LEN: usize = 1 << 30;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RustFacts {
    /// Sorted by `item_start`, then source order (the leaves of one item keep
    /// their depth-first, left-to-right order).
    pub uses: Vec<UseLeaf>,
    /// Source order (sorted by `name_start`).
    pub definitions: Vec<TypeDefinition>,
    /// Source order.
    pub modules: Vec<ModDecl>,
}

/// One leaf of a `use` tree: `use a::{b, c as d};` gives two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseLeaf {
    /// Start of the `use` item: `pub` / `pub(crate)` when present, else the
    /// `use` token; outer attributes (doc comments too) excluded.
    pub item_start: usize,
    /// Just past the `;`.
    pub item_end: usize,
    /// The segments before the leaf joined with `::`, as written (`r#` kept,
    /// whitespace and comments dropped), a leading `::` kept (also at the start
    /// of a path inside a group: `use {::core::mem::swap};` → `::core::mem`);
    /// `None` when no segment precedes the leaf (`use std;`, `use ::std;`,
    /// `use {a, b};`).
    pub module: Option<String>,
    /// The leaf: `*` for a glob, `self` kept.
    pub name: String,
    /// The `as` rename (`"_"` for `as _`).
    pub asname: Option<String>,
    /// Byte range of the leaf's path as a fixer would rewrite it: from the
    /// first segment of the whole path (its leading `::` included, when it has
    /// one) if the leaf is not inside a group, else from the first segment
    /// inside the innermost group, to the end of the leaf name (the `as X`
    /// excluded). `use a::b::c as d;` → `a::b::c`; `use a::{b::c, d};` →
    /// `b::c` and `d`; `use ::a::b;` → `::a::b`.
    pub leaf_start: usize,
    pub leaf_end: usize,
    /// Of the `use` item.
    pub visibility: Visibility,
    /// Lexically inside a block (fn / method / closure body, `const` / `static`
    /// initialiser, any `{ }` expression), at any depth: the item is not part of
    /// the module tree. Stays true inside an inline `mod` declared in a block.
    pub in_fn: bool,
    /// Names of the enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DefKind {
    Struct,
    Enum,
    /// Also a trait alias (`trait A = B;`).
    Trait,
    Union,
    /// `type X = Y;`, and a foreign type (`extern { type X; }`).
    Type,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeDefinition {
    pub kind: DefKind,
    pub name: String,
    pub name_start: usize,
    pub name_end: usize,
    pub visibility: Visibility,
    /// For `type X = some::path::Y<...>;`: the aliased path as written, without
    /// generic arguments, joined with `::` (a leading `::` kept), e.g.
    /// `crate::ws::UnifiedManager`; `None` when the type is not a plain path
    /// (`<T as Tr>::X`, `&T`, tuples, ...) and for every other kind.
    pub aliased: Option<String>,
    pub mod_path: Vec<String>,
    /// As [`UseLeaf::in_fn`].
    pub in_fn: bool,
}

/// `mod foo;` (external) or `mod foo { ... }` (inline), at any depth.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModDecl {
    pub name: String,
    pub inline: bool,
    /// The value of a `#[path = "..."]` attribute on the declaration
    /// (`cfg_attr(.., path = ..)` is not evaluated, so not seen).
    pub path_attr: Option<String>,
    /// The enclosing inline `mod`s, outermost first.
    pub mod_path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Visibility {
    Private,
    Pub,
    /// `pub(crate)`, `pub(super)`, `pub(self)`, `pub(in path)`.
    Restricted,
}

/// Extracts the facts of one Rust file. `text` has no BOM (the caller strips
/// it); a leading shebang line is handled here, offsets stay those of `text`.
///
/// `Err` (a message starting with `line:column: `, 1-based, lines broken at
/// `\r\n`, `\r` or `\n`, columns in code points) when the file does not lex or
/// parse, or nests brackets deeper than [`MAX_NESTING`]. Never panics.
///
/// Recursion: syn, its `Visit` and the drop of its tree recurse per nesting
/// level (of brackets, but also of `<`, prefix operators, closures, `fn`
/// types, ...). Files whose estimated need exceeds [`STACK_BUDGET`] are refused
/// with an `Err`, so a thread stack of twice that (16 MiB) is enough; the
/// largest estimate over the 5,000 files of a cargo registry was 0.7 MB.
pub fn extract(text: &str) -> Result<RustFacts, String> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract_inner(text)))
        .unwrap_or_else(|_| Err("1:1: internal error: the Rust parser panicked".to_string()));
    // Every span of this file has been turned into offsets by now.
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

fn extract_inner(text: &str) -> Result<RustFacts, String> {
    if text.len() > MAX_LEN {
        return Err(format!("1:1: file too large ({} bytes)", text.len()));
    }
    let shebang = shebang_len(text);
    let blanked;
    let src: &str = if shebang > 0 {
        let mut s = String::with_capacity(text.len());
        s.extend(std::iter::repeat_n(' ', shebang));
        s.push_str(&text[shebang..]);
        blanked = s;
        &blanked
    } else {
        text
    };

    let tokens: TokenStream = src.parse().map_err(|e: proc_macro2::LexError| {
        error_at(src, e.span().byte_range().start, &e.to_string())
    })?;
    // The byte scan computes (nearly) the same estimate as the token walk
    // without cloning every token (~3% of the parse time); only a file it
    // finds too deep gets the token walk, which decides and locates.
    if bytes_exceed_bounds(src.as_bytes()) {
        if let Some((offset, why)) = tokens_exceed_bounds(&tokens) {
            return Err(error_at(src, offset, why));
        }
    }
    parse_tokens(src, tokens)
}

fn parse_tokens(src: &str, tokens: TokenStream) -> Result<RustFacts, String> {
    let file: syn::File = syn::parse2(tokens)
        .map_err(|e| error_at(src, e.span().byte_range().start, &e.to_string()))?;
    let mut collector = Collector::default();
    collector.visit_file(&file);
    let mut facts = collector.facts;
    // Visiting is in source order already; the sort is a guarantee (stable:
    // the leaves of one item keep their order).
    facts.uses.sort_by_key(|u| u.item_start);
    facts.definitions.sort_by_key(|d| d.name_start);
    Ok(facts)
}

// ---------------------------------------------------------------------------
// Shebang, nesting bounds, error positions

/// Length of a leading shebang line (`#!` not followed, after whitespace and
/// comments, by `[`), up to but excluding its `\n`, exactly as
/// `syn::parse_file` decides it.
fn shebang_len(text: &str) -> usize {
    if !text.starts_with("#!") {
        return 0;
    }
    if skip_whitespace(&text[2..]).starts_with('[') {
        return 0;
    }
    text.find('\n').unwrap_or(text.len())
}

/// syn's `whitespace::skip`: whitespace and non-doc comments.
fn skip_whitespace(mut s: &str) -> &str {
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

/// Estimated stack bytes per nesting level of the constructs syn (and its
/// `Visit`, and the drop of its tree) recurses on, measured on syn 2.0.119
/// (release and dev builds, the larger, rounded up).
mod cost {
    /// Inside any group: `{`, `(`, `[` (blocks and modules ~6.4 KB).
    pub const GROUP: usize = 6_500;
    /// A generic `<` (`A<A<..>>`, ~8.6 KB).
    pub const ANGLE: usize = 9_000;
    /// `fn() -> fn() ->`, `impl Fn() -> impl ..`, `dyn ..` (~6 KB; with `<`
    /// `Box<dyn Fn() -> Box<..` is ~12.7 KB).
    pub const FN_TYPE: usize = 9_000;
    /// Prefix `&` / `*` (reference and pointer types ~3.1 KB).
    pub const REF: usize = 3_200;
    /// Prefix `!` / `-` (~1.7 KB).
    pub const UNARY: usize = 1_800;
    /// A closure's first `|` / `||` (~4.8 KB per closure).
    pub const CLOSURE: usize = 5_000;
    /// An `=` (assignment chains ~1.9 KB).
    pub const ASSIGN: usize = 2_000;
    /// `return` / `break` / `yield` / `become` (~2.5 KB).
    pub const JUMP: usize = 2_500;
    /// Any other token (binary operator chains ~0.08 KB, method chains ~0.25 KB
    /// per link of 3 tokens).
    pub const OTHER: usize = 100;
}

/// How an identifier weighs in the stack estimate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    /// `fn`, `impl`, `dyn`.
    FnType,
    /// `return`, `break`, `yield`, `become`.
    Jump,
    /// `else`: an `if` / `else if` chain recurses across its `{ }` groups.
    Else,
    /// A keyword after which `-`, `&`, `|`, ... are prefix operators.
    Keyword,
    Other,
}

const WORDS: [&str; 17] = [
    "fn", "impl", "dyn", "return", "break", "yield", "become", "else", "move", "in", "match", "if",
    "while", "let", "mut", "const", "static",
];

fn word(ident: &[u8]) -> Word {
    match ident {
        b"fn" | b"impl" | b"dyn" => Word::FnType,
        b"return" | b"break" | b"yield" | b"become" => Word::Jump,
        b"else" => Word::Else,
        b"move" | b"in" | b"match" | b"if" | b"while" | b"let" | b"mut" | b"const" | b"static" => {
            Word::Keyword
        }
        _ => Word::Other,
    }
}

/// The estimate of the stack a parse needs, fed token by token (both walks
/// below feed it the same events). Per nesting level: the costs of the tokens
/// of the current segment (a `;` or `,` ends one, and so does a `{ }` group
/// except for the `else`s of a chain: items, statements, fields and arguments
/// are parsed in loops, not recursively) plus the cost of the group itself.
struct Estimator {
    levels: Vec<Level>,
}

struct Level {
    /// Estimate at the group's opening, the group's own cost included.
    base: usize,
    /// Costs of the current segment's tokens so far.
    segment: usize,
    /// Costs of the current segment's `else`s (what a `{ }` does not reset).
    chain: usize,
    /// The previous token leaves a prefix operator in operand position
    /// (`-x`, `&x`, `|x| ..`, `!x`) rather than a binary one.
    prefix_position: bool,
    /// A punct joint to the next one, not costed yet: with it, it may form a
    /// two-character operator (`->`, `&&`, `<=`), or not (`!!`, `**`).
    pending: Option<u8>,
    /// The two-character operator just formed, joint to the next punct
    /// (`<<=`, `..=`, `...`).
    op_tail: Option<[u8; 2]>,
    /// After a `#` (or `#!`): the next `[ ]` is an attribute, parsed in a
    /// loop with the others, so it costs nothing in the segment.
    attribute: bool,
    brace: bool,
    /// This group is an attribute's `[ ]`.
    attribute_group: bool,
}

type Exceeded = Option<&'static str>;

impl Level {
    fn new(base: usize, brace: bool) -> Self {
        Level {
            base,
            segment: 0,
            chain: 0,
            prefix_position: true,
            pending: None,
            op_tail: None,
            attribute: false,
            brace,
            attribute_group: false,
        }
    }
}

impl Estimator {
    fn new() -> Self {
        Estimator {
            levels: vec![Level::new(0, true)],
        }
    }

    fn top(&mut self) -> &mut Level {
        // Never empty: `close` keeps the outermost level.
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    fn add(&mut self, cost: usize, prefix_after: bool) -> Exceeded {
        let top = self.top();
        top.segment = top.segment.saturating_add(cost);
        top.prefix_position = prefix_after;
        top.attribute = false;
        if top.base.saturating_add(top.segment) > STACK_BUDGET {
            return Some("expression or type nested too deeply, not parsed");
        }
        None
    }

    /// Costs a punct that forms no multi-character operator.
    fn single(&mut self, c: u8) -> Exceeded {
        let top = self.top();
        if c == b';' || c == b',' {
            top.segment = 0;
            top.chain = 0;
            top.prefix_position = true;
            top.attribute = false;
            return None;
        }
        if c == b'#' || c == b'!' && top.attribute {
            top.attribute = true;
            return None;
        }
        let prefix = top.prefix_position;
        let cost = match c {
            b'<' => cost::ANGLE,
            b'=' => cost::ASSIGN,
            b'&' | b'*' if prefix => cost::REF,
            b'!' | b'-' if prefix => cost::UNARY,
            b'|' if prefix => cost::CLOSURE,
            _ => cost::OTHER,
        };
        self.add(cost, c != b'?')
    }

    fn flush(&mut self) -> Exceeded {
        let top = self.top();
        top.op_tail = None;
        match top.pending.take() {
            Some(p) => self.single(p),
            None => None,
        }
    }

    fn punct(&mut self, c: u8, joint: bool) -> Exceeded {
        let top = self.top();
        if let Some(op) = top.op_tail.take() {
            if matches!((&op, c), (b"<<" | b">>", b'=') | (b"..", b'.' | b'=')) {
                return None; // third character of an operator already costed
            }
        }
        if let Some(p) = top.pending.take() {
            let pair = [p, c];
            let known = matches!(
                &pair,
                b"->"
                    | b"=>"
                    | b"=="
                    | b"!="
                    | b"<="
                    | b">="
                    | b"&&"
                    | b"||"
                    | b"+="
                    | b"-="
                    | b"*="
                    | b"/="
                    | b"%="
                    | b"^="
                    | b"&="
                    | b"|="
                    | b"<<"
                    | b">>"
                    | b"::"
                    | b".."
                    | b"<-"
            );
            if known {
                let prefix = top.prefix_position;
                if joint {
                    top.op_tail = Some(pair);
                }
                let cost = match &pair {
                    b"&&" if prefix => 2 * cost::REF,
                    b"||" if prefix => cost::CLOSURE,
                    _ => cost::OTHER,
                };
                return self.add(cost, true);
            }
            if let Some(why) = self.single(p) {
                return Some(why);
            }
        }
        if joint && c != b';' && c != b',' {
            self.top().pending = Some(c);
            return None;
        }
        self.single(c)
    }

    fn word(&mut self, word: Word) -> Exceeded {
        if let Some(why) = self.flush() {
            return Some(why);
        }
        match word {
            Word::FnType => self.add(cost::FN_TYPE, true),
            Word::Jump => self.add(cost::JUMP, true),
            Word::Else => {
                let top = self.top();
                top.chain = top.chain.saturating_add(cost::OTHER);
                self.add(cost::OTHER, true)
            }
            Word::Keyword => self.add(cost::OTHER, true),
            Word::Other => self.add(cost::OTHER, false),
        }
    }

    fn literal(&mut self) -> Exceeded {
        if let Some(why) = self.flush() {
            return Some(why);
        }
        self.add(cost::OTHER, false)
    }

    fn open(&mut self, brace: bool) -> Exceeded {
        if let Some(why) = self.flush() {
            return Some(why);
        }
        let top = self.top();
        let base = top
            .base
            .saturating_add(top.segment)
            .saturating_add(cost::GROUP);
        let attribute_group = top.attribute && !brace;
        top.attribute = false;
        let mut level = Level::new(base, brace);
        level.attribute_group = attribute_group;
        self.levels.push(level);
        if self.levels.len() > MAX_NESTING + 1 {
            return Some("brackets nested too deeply, not parsed");
        }
        if base > STACK_BUDGET {
            return Some("nested too deeply, not parsed");
        }
        None
    }

    fn close(&mut self) -> Exceeded {
        let exceeded = self.flush();
        if self.levels.len() < 2 {
            return exceeded;
        }
        if let Some(closed) = self.levels.pop() {
            let parent = self.top();
            if closed.attribute_group {
                // Attributes are parsed in a loop: nothing accumulates.
            } else if closed.brace {
                parent.segment = parent.chain;
                parent.prefix_position = true;
            } else {
                parent.segment = parent.segment.saturating_add(cost::OTHER);
                parent.prefix_position = false;
            }
        }
        exceeded
    }
}

/// Whether parsing `tokens` could recurse deeper than [`MAX_NESTING`] groups
/// or need more than [`STACK_BUDGET`] bytes of stack, with the offset of the
/// first token past the bound. Iterative: the token tree itself may be
/// arbitrarily deep.
fn tokens_exceed_bounds(tokens: &TokenStream) -> Option<(usize, &'static str)> {
    let mut estimator = Estimator::new();
    let mut stack: Vec<proc_macro2::token_stream::IntoIter> = vec![tokens.clone().into_iter()];
    let mut last_offset = 0;
    while let Some(iter) = stack.last_mut() {
        let Some(token) = iter.next() else {
            stack.pop();
            if let Some(why) = estimator.close() {
                return Some((last_offset, why));
            }
            continue;
        };
        last_offset = token.span().byte_range().start;
        let exceeded = match &token {
            TokenTree::Group(group) => {
                let exceeded = estimator.open(group.delimiter() == proc_macro2::Delimiter::Brace);
                if exceeded.is_none() {
                    stack.push(group.stream().into_iter());
                    continue;
                }
                exceeded
            }
            TokenTree::Punct(p) => {
                let c = u8::try_from(p.as_char()).unwrap_or(b'~');
                estimator.punct(c, p.spacing() == proc_macro2::Spacing::Joint)
            }
            TokenTree::Ident(ident) => {
                let w = WORDS
                    .iter()
                    .find(|w| ident == *w)
                    .map_or(Word::Other, |w| word(w.as_bytes()));
                estimator.word(w)
            }
            TokenTree::Literal(_) => estimator.literal(),
        };
        if let Some(why) = exceeded {
            return Some((last_offset, why));
        }
    }
    None
}

/// The same estimate from a light lexer over the bytes (comments, strings,
/// raw strings, chars and lifetimes skipped as proc-macro2 does; doc comments
/// fed as the attributes they are), so that the token walk, which clones every
/// token, runs only for the rare file that might be too deep. On the 5,600
/// files of a cargo registry it never differed from the token walk by more
/// than 9 KB. It only decides whether to look closer: a file the lexer would
/// reject is rejected by proc-macro2 anyway.
fn bytes_exceed_bounds(b: &[u8]) -> bool {
    fn is_ident_byte(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
    }
    fn is_punct(c: u8) -> bool {
        matches!(
            c,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'*'
                | b'+'
                | b','
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b';'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'^'
                | b'|'
                | b'~'
        )
    }
    /// Past the closing `"` of a string whose body starts at `i`.
    fn string_end(b: &[u8], mut i: usize) -> usize {
        while i < b.len() {
            match b[i] {
                b'\\' => i += 2,
                b'"' => return i + 1,
                _ => i += 1,
            }
        }
        b.len()
    }
    /// Past the closing `"###` of a raw string whose body starts at `i`.
    fn raw_string_end(b: &[u8], mut i: usize, hashes: usize) -> usize {
        while i < b.len() {
            if b[i] == b'"'
                && b.len() - (i + 1) >= hashes
                && b[i + 1..i + 1 + hashes].iter().all(|&c| c == b'#')
            {
                return i + 1 + hashes;
            }
            i += 1;
        }
        b.len()
    }
    let mut est = Estimator::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let exceeded = match c {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                // A doc comment is an attribute token: `#` and a `[ ]` group.
                let doc =
                    matches!(b.get(i + 2), Some(b'/') | Some(b'!')) && b.get(i + 3) != Some(&b'/');
                i = memchr_newline(b, i);
                if doc
                    && (est.punct(b'#', false).is_some()
                        || est.open(false).is_some()
                        || est.close().is_some())
                {
                    return true;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let doc = matches!(b.get(i + 2), Some(b'*') | Some(b'!'))
                    && !matches!(b.get(i + 3), Some(b'*') | Some(b'/'));
                if doc
                    && (est.punct(b'#', false).is_some()
                        || est.open(false).is_some()
                        || est.close().is_some())
                {
                    return true;
                }
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'(' | b'[' | b'{' => {
                i += 1;
                est.open(c == b'{')
            }
            b')' | b']' | b'}' => {
                i += 1;
                est.close()
            }
            b'"' => {
                i = string_end(b, i + 1);
                est.literal()
            }
            b'\'' => {
                // A char literal, or a lifetime / label (an identifier).
                if b.get(i + 1) == Some(&b'\\') {
                    i += 3;
                    while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                        i += 1;
                    }
                    i += 1;
                    est.literal()
                } else {
                    let width = match b.get(i + 1) {
                        Some(&c) if c < 0x80 => 1,
                        Some(&c) if c >= 0xF0 => 4,
                        Some(&c) if c >= 0xE0 => 3,
                        Some(_) => 2,
                        None => 1,
                    };
                    if b.get(i + 1 + width) == Some(&b'\'') {
                        i += 2 + width;
                        est.literal()
                    } else {
                        i += 1;
                        while i < b.len() && is_ident_byte(b[i]) {
                            i += 1;
                        }
                        match est.punct(b'\'', true) {
                            Some(why) => Some(why),
                            None => est.word(Word::Other),
                        }
                    }
                }
            }
            b'0'..=b'9' => {
                i += 1;
                while i < b.len()
                    && (is_ident_byte(b[i])
                        || b[i] == b'.' && b.get(i + 1).is_some_and(|c| c.is_ascii_digit()))
                {
                    i += 1;
                }
                est.literal()
            }
            _ if is_ident_byte(c) => {
                let start = i;
                while i < b.len() && is_ident_byte(b[i]) {
                    i += 1;
                }
                let ident = &b[start..i];
                let next = b.get(i).copied();
                if matches!(ident, b"r" | b"br" | b"cr") && matches!(next, Some(b'"') | Some(b'#'))
                {
                    let mut hashes = 0;
                    while b.get(i + hashes) == Some(&b'#') {
                        hashes += 1;
                    }
                    if b.get(i + hashes) == Some(&b'"') {
                        i = raw_string_end(b, i + hashes + 1, hashes);
                        est.literal()
                    } else {
                        // `r#ident`
                        est.word(Word::Other)
                    }
                } else if matches!(ident, b"b" | b"c") && next == Some(b'"') {
                    i = string_end(b, i + 1);
                    est.literal()
                } else {
                    // `b'x'` goes on as a char literal.
                    est.word(word(ident))
                }
            }
            _ if is_punct(c) => {
                i += 1;
                let joint = b.get(i).is_some_and(|&n| is_punct(n) || n == b'\'');
                est.punct(c, joint)
            }
            _ => {
                i += 1;
                None
            }
        };
        if exceeded.is_some() {
            return true;
        }
    }
    false
}

fn memchr_newline(b: &[u8], from: usize) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p)
}

/// `line:column: message` for a byte offset of `src`: 1-based, lines broken at
/// `\r\n`, `\r` or `\n`, columns counted in code points.
fn error_at(src: &str, offset: usize, message: &str) -> String {
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
    format!("{line}:{column}: {message}")
}

// ---------------------------------------------------------------------------
// The visitor

#[derive(Default)]
struct Collector {
    facts: RustFacts,
    mod_path: Vec<String>,
    /// Number of enclosing `syn::Block`s.
    blocks: usize,
}

/// What every leaf of one `use` item shares.
struct UseItem {
    item_start: usize,
    item_end: usize,
    visibility: Visibility,
}

fn start(span: Span) -> usize {
    span.byte_range().start
}

fn end(span: Span) -> usize {
    span.byte_range().end
}

fn visibility(vis: &syn::Visibility) -> Visibility {
    match vis {
        syn::Visibility::Public(_) => Visibility::Pub,
        syn::Visibility::Restricted(_) => Visibility::Restricted,
        syn::Visibility::Inherited => Visibility::Private,
    }
}

/// Start of the visibility, if written.
fn visibility_start(vis: &syn::Visibility) -> Option<usize> {
    match vis {
        syn::Visibility::Public(token) => Some(start(token.span)),
        syn::Visibility::Restricted(r) => Some(start(r.pub_token.span)),
        syn::Visibility::Inherited => None,
    }
}

/// A `use` tree whose groups may start their items with `::` (what syn
/// accepts at the top level of a `use` but cannot represent).
enum VerbatimTree {
    Group(Vec<VerbatimTree>),
    Tree(Option<Token![::]>, syn::UseTree),
}

struct VerbatimUse {
    vis: syn::Visibility,
    use_token: Token![use],
    tree: VerbatimTree,
    semi: Token![;],
}

fn parse_verbatim_use(input: ParseStream) -> syn::Result<VerbatimUse> {
    input.call(syn::Attribute::parse_outer)?;
    let vis: syn::Visibility = input.parse()?;
    let use_token: Token![use] = input.parse()?;
    let tree = parse_verbatim_tree(input)?;
    let semi: Token![;] = input.parse()?;
    Ok(VerbatimUse {
        vis,
        use_token,
        tree,
        semi,
    })
}

fn parse_verbatim_tree(input: ParseStream) -> syn::Result<VerbatimTree> {
    let leading: Option<Token![::]> = input.parse()?;
    if leading.is_none() && input.peek(syn::token::Brace) {
        let content;
        syn::braced!(content in input);
        let mut items = Vec::new();
        while !content.is_empty() {
            items.push(parse_verbatim_tree(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        Ok(VerbatimTree::Group(items))
    } else {
        Ok(VerbatimTree::Tree(leading, input.parse()?))
    }
}

impl Collector {
    fn in_fn(&self) -> bool {
        self.blocks > 0
    }

    /// Walks a use tree. `prefix`: the segments so far; `leading`: the path
    /// starts with `::`; `path_start`: where the leaf's rewritable path starts
    /// (None right after a group's `{` or `,`).
    fn walk_use(
        &mut self,
        item: &UseItem,
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        leading: bool,
        path_start: Option<usize>,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                let s = path_start.unwrap_or_else(|| start(p.ident.span()));
                prefix.push(p.ident.to_string());
                self.walk_use(item, &p.tree, prefix, leading, Some(s));
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let span = n.ident.span().byte_range();
                self.leaf(
                    item,
                    prefix,
                    leading,
                    n.ident.to_string(),
                    None,
                    path_start.unwrap_or(span.start),
                    span.end,
                );
            }
            syn::UseTree::Rename(r) => {
                let span = r.ident.span().byte_range();
                self.leaf(
                    item,
                    prefix,
                    leading,
                    r.ident.to_string(),
                    Some(r.rename.to_string()),
                    path_start.unwrap_or(span.start),
                    span.end,
                );
            }
            syn::UseTree::Glob(g) => {
                let span = g.star_token.spans[0].byte_range();
                self.leaf(
                    item,
                    prefix,
                    leading,
                    "*".to_string(),
                    None,
                    path_start.unwrap_or(span.start),
                    span.end,
                );
            }
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.walk_use(item, tree, prefix, leading, None);
                }
            }
        }
    }

    fn walk_verbatim(&mut self, item: &UseItem, tree: &VerbatimTree, leading: bool) {
        match tree {
            VerbatimTree::Group(items) => {
                for tree in items {
                    self.walk_verbatim(item, tree, leading);
                }
            }
            VerbatimTree::Tree(colons, tree) => {
                let path_start = colons.as_ref().map(|c| start(c.spans[0]));
                self.walk_use(
                    item,
                    tree,
                    &mut Vec::new(),
                    leading || colons.is_some(),
                    path_start,
                );
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn leaf(
        &mut self,
        item: &UseItem,
        prefix: &[String],
        leading: bool,
        name: String,
        asname: Option<String>,
        leaf_start: usize,
        leaf_end: usize,
    ) {
        let module = if prefix.is_empty() {
            None
        } else {
            let mut module = String::new();
            if leading {
                module.push_str("::");
            }
            for (i, segment) in prefix.iter().enumerate() {
                if i > 0 {
                    module.push_str("::");
                }
                module.push_str(segment);
            }
            Some(module)
        };
        self.facts.uses.push(UseLeaf {
            item_start: item.item_start,
            item_end: item.item_end,
            module,
            name,
            asname,
            leaf_start,
            leaf_end,
            visibility: item.visibility,
            in_fn: self.in_fn(),
            mod_path: self.mod_path.clone(),
        });
    }

    fn definition(
        &mut self,
        kind: DefKind,
        ident: &syn::Ident,
        vis: &syn::Visibility,
        aliased: Option<String>,
    ) {
        let span = ident.span().byte_range();
        self.facts.definitions.push(TypeDefinition {
            kind,
            name: ident.to_string(),
            name_start: span.start,
            name_end: span.end,
            visibility: visibility(vis),
            aliased,
            mod_path: self.mod_path.clone(),
            in_fn: self.in_fn(),
        });
    }

    fn verbatim_item(&mut self, tokens: &TokenStream) {
        // Only `use` items matter here; cheap test before a parse.
        if !tokens
            .clone()
            .into_iter()
            .any(|t| matches!(&t, TokenTree::Ident(i) if i == "use"))
        {
            return;
        }
        let Ok(parsed) = parse_verbatim_use.parse2(tokens.clone()) else {
            return;
        };
        let item = UseItem {
            item_start: visibility_start(&parsed.vis)
                .unwrap_or_else(|| start(parsed.use_token.span)),
            item_end: end(parsed.semi.spans[0]),
            visibility: visibility(&parsed.vis),
        };
        self.walk_verbatim(&item, &parsed.tree, false);
    }
}

/// `some::path::Y<..>` → `some::path::Y`; `None` unless a plain path.
fn aliased_path(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(tp) if tp.qself.is_none() => {
            let mut out = String::new();
            if tp.path.leading_colon.is_some() {
                out.push_str("::");
            }
            for (i, segment) in tp.path.segments.iter().enumerate() {
                if i > 0 {
                    out.push_str("::");
                }
                out.push_str(&segment.ident.to_string());
            }
            Some(out)
        }
        syn::Type::Paren(p) => aliased_path(&p.elem),
        syn::Type::Group(g) => aliased_path(&g.elem),
        _ => None,
    }
}

fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_block(&mut self, block: &'ast syn::Block) {
        self.blocks += 1;
        visit::visit_block(self, block);
        self.blocks -= 1;
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Verbatim(tokens) => self.verbatim_item(tokens),
            _ => visit::visit_item(self, item),
        }
    }

    fn visit_item_use(&mut self, i: &'ast syn::ItemUse) {
        let item = UseItem {
            item_start: visibility_start(&i.vis).unwrap_or_else(|| start(i.use_token.span)),
            item_end: end(i.semi_token.spans[0]),
            visibility: visibility(&i.vis),
        };
        let path_start = i.leading_colon.as_ref().map(|c| start(c.spans[0]));
        self.walk_use(
            &item,
            &i.tree,
            &mut Vec::new(),
            i.leading_colon.is_some(),
            path_start,
        );
    }

    fn visit_item_mod(&mut self, i: &'ast syn::ItemMod) {
        self.facts.modules.push(ModDecl {
            name: i.ident.to_string(),
            inline: i.content.is_some(),
            path_attr: path_attr(&i.attrs),
            mod_path: self.mod_path.clone(),
        });
        if i.content.is_some() {
            self.mod_path.push(i.ident.to_string());
            visit::visit_item_mod(self, i);
            self.mod_path.pop();
        }
    }

    fn visit_item_struct(&mut self, i: &'ast syn::ItemStruct) {
        self.definition(DefKind::Struct, &i.ident, &i.vis, None);
        visit::visit_item_struct(self, i);
    }

    fn visit_item_enum(&mut self, i: &'ast syn::ItemEnum) {
        self.definition(DefKind::Enum, &i.ident, &i.vis, None);
        visit::visit_item_enum(self, i);
    }

    fn visit_item_union(&mut self, i: &'ast syn::ItemUnion) {
        self.definition(DefKind::Union, &i.ident, &i.vis, None);
        visit::visit_item_union(self, i);
    }

    fn visit_item_trait(&mut self, i: &'ast syn::ItemTrait) {
        self.definition(DefKind::Trait, &i.ident, &i.vis, None);
        visit::visit_item_trait(self, i);
    }

    fn visit_item_trait_alias(&mut self, i: &'ast syn::ItemTraitAlias) {
        self.definition(DefKind::Trait, &i.ident, &i.vis, None);
        visit::visit_item_trait_alias(self, i);
    }

    fn visit_item_type(&mut self, i: &'ast syn::ItemType) {
        self.definition(DefKind::Type, &i.ident, &i.vis, aliased_path(&i.ty));
        visit::visit_item_type(self, i);
    }

    fn visit_foreign_item_type(&mut self, i: &'ast syn::ForeignItemType) {
        self.definition(DefKind::Type, &i.ident, &i.vis, None);
        visit::visit_foreign_item_type(self, i);
    }
}
