//! Which files and names count: test paths, leftover copies, importable
//! modules and shims.

use crate::config::Language;
use crate::lang::FileFacts;

/// `tests` / `test` directory components, `test_*.py` and `*_test.py` names.
pub fn is_test_path(path: &str) -> bool {
    let mut components = path.split('/');
    let file = components.next_back().unwrap_or(path);
    if components.any(|directory| directory == "tests" || directory == "test") {
        return true;
    }
    let stem = file
        .strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))
        .or_else(|| file.strip_suffix(".rs"));
    stem.is_some_and(|stem| stem.starts_with("test_") || stem.ends_with("_test"))
}

pub(super) fn is_identifier(text: &str) -> bool {
    if text.is_ascii() {
        let bytes = text.as_bytes();
        return bytes
            .first()
            .is_some_and(|&first| first == b'_' || first.is_ascii_alphabetic())
            && bytes
                .iter()
                .all(|&byte| byte == b'_' || byte.is_ascii_alphanumeric());
    }
    let mut chars = text.chars();
    matches!(chars.next(), Some(first) if first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Every `.`-separated part of `dotted` an identifier (and there is one):
/// an ASCII name in one pass over its bytes.
pub(super) fn is_dotted_identifier(dotted: &str) -> bool {
    if !dotted.is_ascii() {
        return dotted.split('.').all(is_identifier);
    }
    let mut part_starts = true;
    for &byte in dotted.as_bytes() {
        match byte {
            b'.' if !part_starts => part_starts = true,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => part_starts = false,
            b'0'..=b'9' if !part_starts => {}
            _ => return false,
        }
    }
    !part_starts
}

fn python_stem(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".py")
        .or_else(|| file.strip_suffix(".pyi"))
        .unwrap_or(file)
}

/// `old_manager.backup.py`: a copy no import statement can reach and no one
/// runs as a script.
pub fn is_leftover(file: &FileFacts) -> bool {
    file.language == Language::Python && python_stem(&file.path).contains('.')
}

/// A module an import statement can name: every component an identifier.
pub(super) fn is_importable(file: &FileFacts) -> bool {
    let Some(module) = file.module.as_deref() else {
        return false;
    };
    match file.language {
        Language::Python => {
            is_dotted_identifier(module)
                && (file.is_package || is_identifier(python_stem(&file.path)))
        }
        Language::Rust => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        for (text, expected) in [
            ("manager", true),
            ("_private", true),
            ("v2_api", true),
            ("2fa", false),
            ("old-manager", false),
            ("", false),
            ("modulé", true),
            ("ünicode", true),
            ("a b", false),
        ] {
            assert_eq!(is_identifier(text), expected, "{text:?}");
        }
        for (text, expected) in [
            ("pkg.mod", true),
            ("pkg", true),
            ("_a.b2.c_", true),
            ("pkg.2fa", false),
            ("pkg..mod", false),
            (".pkg", false),
            ("pkg.", false),
            ("", false),
            ("old-pkg.mod", false),
            ("paquet.modulé", true),
            ("paquet.é2", true),
            ("paquet.2é", false),
        ] {
            assert_eq!(is_dotted_identifier(text), expected, "{text:?}");
            assert_eq!(
                is_dotted_identifier(text),
                !text.is_empty() && text.split('.').all(is_identifier),
                "{text:?}"
            );
        }
    }

    #[test]
    fn test_paths() {
        assert!(is_test_path("tests/mocks/mock_ws.py"));
        assert!(is_test_path("pkg/test/helpers.py"));
        assert!(is_test_path("pkg/test_routes.py"));
        assert!(is_test_path("pkg/routes_test.py"));
        assert!(!is_test_path("pkg/testing.py"));
        assert!(!is_test_path("pkg/contest/routes.py"));
    }
}
