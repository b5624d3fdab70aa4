//! The `syn` visitor that collects a file's `use` leaves, type definitions
//! and `mod` declarations.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::visit::{self, Visit};
use syn::Token;

use super::facts::{DefKind, ModDecl, RustFacts, TypeDefinition, UseLeaf, Visibility};

#[derive(Default)]
pub(super) struct Collector {
    pub(super) facts: RustFacts,
    pub(super) mod_path: Vec<String>,
    /// Number of enclosing `syn::Block`s.
    pub(super) blocks: usize,
}

/// What every leaf of one `use` item shares.
pub(super) struct UseItem {
    pub(super) item_start: usize,
    pub(super) item_end: usize,
    pub(super) visibility: Visibility,
}

pub(super) fn start(span: Span) -> usize {
    span.byte_range().start
}

pub(super) fn end(span: Span) -> usize {
    span.byte_range().end
}

pub(super) fn visibility(vis: &syn::Visibility) -> Visibility {
    match vis {
        syn::Visibility::Public(_) => Visibility::Pub,
        syn::Visibility::Restricted(_) => Visibility::Restricted,
        syn::Visibility::Inherited => Visibility::Private,
    }
}

/// Start of the visibility, if written.
pub(super) fn visibility_start(vis: &syn::Visibility) -> Option<usize> {
    match vis {
        syn::Visibility::Public(token) => Some(start(token.span)),
        syn::Visibility::Restricted(r) => Some(start(r.pub_token.span)),
        syn::Visibility::Inherited => None,
    }
}

/// A `use` tree whose groups may start their items with `::` (what syn
/// accepts at the top level of a `use` but cannot represent).
pub(super) enum VerbatimTree {
    Group(Vec<VerbatimTree>),
    Tree(Option<Token![::]>, syn::UseTree),
}

pub(super) struct VerbatimUse {
    pub(super) vis: syn::Visibility,
    pub(super) use_token: Token![use],
    pub(super) tree: VerbatimTree,
    pub(super) semi: Token![;],
}

pub(super) fn parse_verbatim_use(input: ParseStream) -> syn::Result<VerbatimUse> {
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

pub(super) fn parse_verbatim_tree(input: ParseStream) -> syn::Result<VerbatimTree> {
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
    pub(super) fn in_fn(&self) -> bool {
        self.blocks > 0
    }

    /// Walks a use tree. `prefix`: the segments so far; `leading`: the path
    /// starts with `::`; `path_start`: where the leaf's rewritable path starts
    /// (None right after a group's `{` or `,`).
    pub(super) fn walk_use(
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

    pub(super) fn walk_verbatim(&mut self, item: &UseItem, tree: &VerbatimTree, leading: bool) {
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
    pub(super) fn leaf(
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

    pub(super) fn definition(
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

    pub(super) fn verbatim_item(&mut self, tokens: &TokenStream) {
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
pub(super) fn aliased_path(ty: &syn::Type) -> Option<String> {
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

pub(super) fn path_attr(attrs: &[syn::Attribute]) -> Option<String> {
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
