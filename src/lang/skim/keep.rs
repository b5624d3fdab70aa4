//! Which lines the skim keeps: the offsets of the words that keep a line,
//! and the names `import` statements bind.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use rustc_hash::FxHashSet;

use super::classes::*;

/// Names `import` statements bind (`import a.b` binds `a`, `import a as m`
/// binds `m`), read off the text after every `import` word that does not
/// follow `from x`, with the first component of the module each one names.
/// A superset: words after `import` in strings and comments count too.
pub(super) fn import_bases<'t>(bytes: &'t [u8], imports: &[usize]) -> Vec<(&'t [u8], &'t [u8])> {
    let mut bases: Vec<(&[u8], &[u8])> = Vec::new();
    for &found in imports {
        let end = found + b"import".len();
        if !whole_word(bytes, found, end) || follows_from(bytes, found) {
            continue;
        }
        let mut at = end;
        loop {
            at = skip_blanks(bytes, at);
            let start = at;
            while at < bytes.len() && (is_word_byte(bytes[at]) || bytes[at] == b'.') {
                at += 1;
            }
            let name = &bytes[start..at];
            if name.is_empty() {
                break;
            }
            let first = name.split(|&byte| byte == b'.').next().unwrap_or(name);
            at = skip_blanks(bytes, at);
            let bound = if bytes[at..].starts_with(b"as")
                && !bytes.get(at + 2).copied().is_some_and(is_word_byte)
            {
                at = skip_blanks(bytes, at + 2);
                let start = at;
                while at < bytes.len() && is_word_byte(bytes[at]) {
                    at += 1;
                }
                &bytes[start..at]
            } else {
                first
            };
            if !bound.is_empty() && !bases.contains(&(bound, first)) {
                bases.push((bound, first));
            }
            at = skip_blanks(bytes, at);
            if bytes.get(at) != Some(&b',') {
                break;
            }
            at += 1;
        }
    }
    bases
}

/// Words whose presence keeps a line: `import` anywhere in a word
/// (`__import__`, `import_module`), `TYPE_CHECKING`, and the whole word
/// `patch`. One SIMD substring search each beats one automaton for all
/// three: their letters are common, their occurrences rare. (A class
/// statement is kept by its head: `class` starts no other statement.)
pub(super) fn keep_words() -> &'static [Finder<'static>; 3] {
    static WORDS: OnceLock<[Finder<'static>; 3]> = OnceLock::new();
    WORDS.get_or_init(|| {
        [
            Finder::new(b"import"),
            Finder::new(b"TYPE_CHECKING"),
            Finder::new(b"patch"),
        ]
    })
}

/// Sorted offsets of everything that keeps its line (see [`keep_words`]
/// and [`import_bases`]; with `packages`, only names bound to a module of
/// those top-level packages: `discover` follows `m.Name` into the project's
/// own modules only).
pub(super) fn keep_offsets(
    bytes: &[u8],
    packages: Option<&FxHashSet<String>>,
    offsets: &mut Vec<usize>,
) {
    offsets.clear();
    let [import, type_checking, patch] = keep_words();
    let imports: Vec<usize> = import.find_iter(bytes).collect();
    offsets.extend(&imports);
    offsets.extend(type_checking.find_iter(bytes));
    let length = patch.needle().len();
    offsets.extend(
        patch
            .find_iter(bytes)
            .filter(|&start| whole_word(bytes, start, start + length)),
    );
    let of_project = |package: &[u8]| {
        packages.is_none_or(|packages| {
            std::str::from_utf8(package).is_ok_and(|package| packages.contains(package))
        })
    };
    for (base, _) in import_bases(bytes, &imports)
        .into_iter()
        .filter(|&(_, package)| of_project(package))
    {
        for start in memchr::memmem::find_iter(bytes, base) {
            if whole_word(bytes, start, start + base.len()) {
                offsets.push(start);
            }
        }
    }
    offsets.sort_unstable();
}
