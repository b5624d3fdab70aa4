//! The estimate of the stack a parse needs, from the tokens: a file that
//! could recurse deeper than the bounds is refused before syn sees it.

use proc_macro2::{TokenStream, TokenTree};

/// Files whose bracket nesting (`(`, `[`, `{`) goes deeper than this are
/// rejected with an `Err` before syn sees them: syn, its `Visit` and the drop
/// of its tree recurse once (or more) per level, ~6.5 KB of stack each.
/// Python has a bound of its own ([`crate::lang::python::MAX_BRACKET_NESTING`],
/// five times deeper): ruff's parser needs ~256 bytes per bracket level.
pub const MAX_GROUP_NESTING: usize = 1000;

/// What a parse may need of the thread's stack, estimated from the tokens
/// (see `Estimator`); a file estimated above it is refused with an `Err`.
/// Give parsing threads at least twice this (16 MiB).
pub const STACK_BUDGET: usize = 8 << 20;

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
pub(super) enum Word {
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

pub(super) const WORDS: [&str; 17] = [
    "fn", "impl", "dyn", "return", "break", "yield", "become", "else", "move", "in", "match", "if",
    "while", "let", "mut", "const", "static",
];

pub(super) fn word(ident: &[u8]) -> Word {
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
pub(super) struct Estimator {
    pub(super) levels: Vec<Level>,
}

pub(super) struct Level {
    /// Estimate at the group's opening, the group's own cost included.
    pub(super) base: usize,
    /// Costs of the current segment's tokens so far.
    pub(super) segment: usize,
    /// Costs of the current segment's `else`s (what a `{ }` does not reset).
    pub(super) chain: usize,
    /// The previous token leaves a prefix operator in operand position
    /// (`-x`, `&x`, `|x| ..`, `!x`) rather than a binary one.
    pub(super) prefix_position: bool,
    /// A punct joint to the next one, not costed yet: with it, it may form a
    /// two-character operator (`->`, `&&`, `<=`), or not (`!!`, `**`).
    pub(super) pending: Option<u8>,
    /// The two-character operator just formed, joint to the next punct
    /// (`<<=`, `..=`, `...`).
    pub(super) op_tail: Option<[u8; 2]>,
    /// After a `#` (or `#!`): the next `[ ]` is an attribute, parsed in a
    /// loop with the others, so it costs nothing in the segment.
    pub(super) attribute: bool,
    pub(super) brace: bool,
    /// This group is an attribute's `[ ]`.
    pub(super) attribute_group: bool,
}

pub(super) type Exceeded = Option<&'static str>;

impl Level {
    pub(super) fn new(base: usize, brace: bool) -> Self {
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
    pub(super) fn new() -> Self {
        Estimator {
            levels: vec![Level::new(0, true)],
        }
    }

    pub(super) fn top(&mut self) -> &mut Level {
        // Never empty: `close` keeps the outermost level.
        let last = self.levels.len() - 1;
        &mut self.levels[last]
    }

    pub(super) fn add(&mut self, cost: usize, prefix_after: bool) -> Exceeded {
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
    pub(super) fn single(&mut self, c: u8) -> Exceeded {
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

    pub(super) fn flush(&mut self) -> Exceeded {
        let top = self.top();
        top.op_tail = None;
        match top.pending.take() {
            Some(p) => self.single(p),
            None => None,
        }
    }

    pub(super) fn punct(&mut self, c: u8, joint: bool) -> Exceeded {
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

    pub(super) fn word(&mut self, word: Word) -> Exceeded {
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

    pub(super) fn literal(&mut self) -> Exceeded {
        if let Some(why) = self.flush() {
            return Some(why);
        }
        self.add(cost::OTHER, false)
    }

    pub(super) fn open(&mut self, brace: bool) -> Exceeded {
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
        if self.levels.len() > MAX_GROUP_NESTING + 1 {
            return Some("brackets nested too deeply, not parsed");
        }
        if base > STACK_BUDGET {
            return Some("nested too deeply, not parsed");
        }
        None
    }

    pub(super) fn close(&mut self) -> Exceeded {
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

/// Whether parsing `tokens` could recurse deeper than [`MAX_GROUP_NESTING`] groups
/// or need more than [`STACK_BUDGET`] bytes of stack, with the offset of the
/// first token past the bound. Iterative: the token tree itself may be
/// arbitrarily deep.
pub(super) fn tokens_exceed_bounds(tokens: &TokenStream) -> Option<(usize, &'static str)> {
    let mut estimator = Estimator::new();
    let mut stack: Vec<proc_macro2::token_stream::IntoIter> = vec![tokens.clone().into_iter()];
    // The span of the last token; its offset is only looked up (a search
    // of proc-macro2's source map) when a bound is passed.
    let mut last_span: Option<proc_macro2::Span> = None;
    let offset = |span: Option<proc_macro2::Span>| span.map_or(0, |span| span.byte_range().start);
    while let Some(iter) = stack.last_mut() {
        let Some(token) = iter.next() else {
            stack.pop();
            if let Some(why) = estimator.close() {
                return Some((offset(last_span), why));
            }
            continue;
        };
        last_span = Some(token.span());
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
            return Some((offset(last_span), why));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exceeded(text: &str) -> Option<&'static str> {
        let Ok(tokens) = text.parse::<TokenStream>() else {
            return Some("the test text does not lex");
        };
        tokens_exceed_bounds(&tokens).map(|(_, why)| why)
    }

    #[test]
    fn ordinary_code_is_within_bounds() {
        let text = "use a::b::{c, d as e};\nfn f(x: &[u8]) -> Vec<Option<u8>> { x.iter().map(|&b| Some(-(b as i8) as u8)).collect() }\n";
        assert_eq!(exceeded(text), None);
    }

    #[test]
    fn brackets_past_the_nesting_bound_are_refused() {
        let within = format!(
            "fn f() {}{}",
            "{".repeat(MAX_GROUP_NESTING - 1),
            "}".repeat(MAX_GROUP_NESTING - 1)
        );
        assert_eq!(exceeded(&within), None);
        let past = format!(
            "fn f() {}{}",
            "{".repeat(MAX_GROUP_NESTING + 1),
            "}".repeat(MAX_GROUP_NESTING + 1)
        );
        assert_eq!(
            exceeded(&past),
            Some("brackets nested too deeply, not parsed")
        );
    }

    #[test]
    fn prefix_operator_chains_count_against_the_stack_budget() {
        let text = format!(
            "fn f() {{ let x = {}1; }}",
            "-".repeat(STACK_BUDGET / cost::UNARY + 1)
        );
        assert!(exceeded(&text).is_some());
        let short = format!("fn f() {{ let x = {}1; }}", "-".repeat(100));
        assert_eq!(exceeded(&short), None);
    }
}
