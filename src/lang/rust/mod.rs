//! Facts of one Rust source file: the leaves of every `use` item, the type
//! definitions (struct / enum / trait / union / type) and the `mod`
//! declarations, each with byte offsets into the text given to [`extract`].
//!
//! Strategy: a full `syn::File` parse (so a file that does not parse yields an
//! `Err`, which the facts dump reports as an SSOT900 note) walked with a `syn::visit::Visit`
//! implementation. Offsets come from `proc_macro2::Span::byte_range()`
//! (`span-locations`). Names are as written: a raw identifier keeps its `r#`
//! everywhere (use paths, definition names, module names); strip it to compare.

use proc_macro2::TokenStream;
use syn::visit::Visit;

mod collect;
mod depth;
mod facts;
mod text;

use collect::Collector;
use depth::tokens_exceed_bounds;
pub use depth::{MAX_GROUP_NESTING, STACK_BUDGET};
pub use facts::{DefKind, ModDecl, RustFacts, TypeDefinition, UseLeaf, Visibility};
pub use text::ParseError;
use text::{error_at, shebang_len};

/// Larger texts are refused: proc-macro2 numbers characters with a `u32`.
const MAX_LEN: usize = 1 << 30;

/// Extracts the facts of one Rust file. `text` has no BOM (the caller strips
/// it); a leading shebang line is handled here, offsets stay those of `text`.
///
/// `Err` (a [`ParseError`] at its `line:column`, 1-based, lines broken at
/// `\r\n`, `\r` or `\n`, columns in code points) when the file does not lex or
/// parse, or nests brackets deeper than [`MAX_GROUP_NESTING`]. Never panics.
///
/// Recursion: syn, its `Visit` and the drop of its tree recurse per nesting
/// level (of brackets, but also of `<`, prefix operators, closures, `fn`
/// types, ...). Files whose estimated need exceeds [`STACK_BUDGET`] are refused
/// with an `Err`, so a thread stack of twice that (16 MiB) is enough; the
/// largest estimate over the 5,000 files of a cargo registry was 0.7 MB.
pub fn extract(text: &str) -> Result<RustFacts, ParseError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract_inner(text)))
        .unwrap_or_else(|_| {
            Err(ParseError::at_start(
                "internal error: the Rust parser panicked".to_string(),
            ))
        });
    // Every span of this file has been turned into offsets by now.
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

fn extract_inner(text: &str) -> Result<RustFacts, ParseError> {
    if text.len() > MAX_LEN {
        return Err(ParseError::at_start(format!(
            "file too large ({} bytes)",
            text.len()
        )));
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
    if let Some((offset, why)) = tokens_exceed_bounds(&tokens) {
        return Err(error_at(src, offset, why));
    }
    parse_tokens(src, tokens)
}

fn parse_tokens(src: &str, tokens: TokenStream) -> Result<RustFacts, ParseError> {
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
