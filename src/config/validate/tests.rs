use std::ops::Range;

use super::*;
use crate::config::Language;

fn problems(text: &str) -> Vec<(String, String)> {
    match validate(Path::new("rules.toml"), text) {
        Ok(_) => Vec::new(),
        Err(invalid) => invalid
            .problems
            .into_iter()
            .map(|p| (p.code.to_string(), text[p.span.clone()].to_string()))
            .collect(),
    }
}

#[test]
fn settings_alone_is_valid() {
    assert!(problems("[settings]\nsrc = [\"./src/\"]\n").is_empty());
}

#[test]
fn every_problem_at_once() {
    let text = r#"
[settings]
srcs = ["."]
include = ["**/*.{py"]

[[concept]]
name = "ws"
canonical = "pkg.mod.Sym"
definition = "(unclosed"
severity = "fatal"

[[concept]]
name = "ws"
canonical = "pkg.mod:Sym"
"#;
    assert_eq!(
        problems(text),
        vec![
            ("config::unknown-key".into(), "srcs".into()),
            ("config::glob".into(), "\"**/*.{py\"".into()),
            ("config::canonical".into(), "\"pkg.mod.Sym\"".into()),
            ("config::regex".into(), "\"(unclosed\"".into()),
            ("config::severity".into(), "\"fatal\"".into()),
            ("config::duplicate-concept".into(), "\"ws\"".into()),
        ]
    );
}

#[test]
fn src_entries_are_normalised() -> Result<(), Box<dyn std::error::Error>> {
    let (settings, _, _) = validate(
        Path::new("r"),
        "[settings]\nsrc = [\"./src/\", \".\", \"a//b\"]",
    )?;
    assert_eq!(settings.src, vec!["src", "", "a/b"]);
    Ok(())
}

#[test]
fn spans_of_canonical_parts_and_legacy_modules() -> Result<(), Box<dyn std::error::Error>> {
    let text = "[[concept]]\nname = \"a\"\ncanonical = \"pkg.mod:Thing\"\nlegacy_modules = [\"pkg.old\"]\n\
                [[concept]]\nname = \"b\"\ncanonical = \"my_crate::ws::Manager\"\n\
                [[concept]]\nname = \"c\"\ncanonical = \"pkg.m\\u003aX\"\n";
    let (_, concepts, _) = validate(Path::new("r"), text)?;
    let at = |span: &Range<usize>| &text[span.clone()];
    assert_eq!(at(&concepts[0].spans.name), "\"a\"");
    assert_eq!(at(&concepts[0].spans.canonical_module), "pkg.mod");
    assert_eq!(at(&concepts[0].spans.canonical_symbol), "Thing");
    assert_eq!(at(&concepts[0].spans.legacy_modules[0]), "\"pkg.old\"");
    assert_eq!(at(&concepts[1].spans.canonical_module), "my_crate::ws");
    assert_eq!(at(&concepts[1].spans.canonical_symbol), "Manager");
    // An escape: both parts point at the whole value.
    assert_eq!(at(&concepts[2].spans.canonical_symbol), "\"pkg.m\\u003aX\"");
    Ok(())
}

#[test]
fn rust_and_python_canonicals() -> Result<(), Box<dyn std::error::Error>> {
    let text = "[[concept]]\nname = \"a\"\ncanonical = \"my_crate::ws::Manager\"\n\
                [[concept]]\nname = \"b\"\ncanonical = \"pkg.m:Thing\"\nsymbols = [\"Alias\"]\n";
    let (_, concepts, _) = validate(Path::new("r"), text)?;
    assert_eq!(concepts[0].language, Language::Rust);
    assert_eq!(concepts[0].canonical_module, "my_crate::ws");
    assert_eq!(concepts[1].symbols, vec!["Thing", "Alias"]);
    assert!(concepts[1].definition.is_match("Alias"));
    assert!(!concepts[1].definition.is_match("AliasX"));
    Ok(())
}
