use super::*;
use crate::config::Language;
use crate::lang::{
    AliasAssignment, AliasValue, Binding, BindingKind, Definition, DefinitionKind, Guard,
    ImportFact, ImportKind, PatchTarget, Scope, Span, Suppression,
};
use proptest::prelude::*;

fn span(start: u32) -> Span {
    Span {
        start,
        end: start + 3,
        ..Span::default()
    }
}

/// Facts with every field filled, every enum variant somewhere.
fn full_facts() -> FileFacts {
    let mut facts = FileFacts::new("pkg/app.py".into(), Language::Python);
    facts.module = Some("pkg.app".into());
    facts.is_package = true;
    facts.size = 1234;
    for (kind, guard) in [
        (ImportKind::Import, None),
        (ImportKind::From, Some(Guard::TypeChecking)),
        (ImportKind::Use, Some(Guard::Try)),
    ] {
        facts.imports.push(ImportFact {
            kind,
            module: Some("pkg.legacy".into()),
            level: 2,
            name: Some("Manager".into()),
            asname: None,
            resolved: Some("pkg.legacy".into()),
            scope: Scope::Class,
            guard,
            statement: span(1),
            alias: span(7),
            public: true,
            mod_path: vec!["inner".into()],
        });
    }
    facts.definitions.push(Definition {
        kind: DefinitionKind::Union,
        name: "Manager".into(),
        name_span: span(10),
        top_level: false,
        aliased: Some("a::B".into()),
        public: true,
        mod_path: vec![],
    });
    facts.aliases.push(AliasAssignment {
        target: "Old".into(),
        target_span: span(20),
        value: AliasValue::Attribute {
            base: "m".into(),
            attr: "S".into(),
        },
        statement: span(20),
        in_match: true,
    });
    for kind in [
        BindingKind::Class,
        BindingKind::Function,
        BindingKind::FromImport { import: 1 },
        BindingKind::ModuleImport {
            module: "a.b".into(),
        },
        BindingKind::Alias(AliasValue::Name("X".into())),
        BindingKind::Other,
    ] {
        facts.bindings.push(Binding {
            name: "X".into(),
            kind,
        });
    }
    facts.dunder_all = vec!["Manager".into()];
    facts.patch_targets.push(PatchTarget {
        value: "pkg.legacy.Manager".into(),
        span: span(30),
    });
    facts.rust_modules.push(ModDecl {
        name: "m".into(),
        inline: true,
        path_attr: Some("x.rs".into()),
        mod_path: vec!["outer".into()],
    });
    facts.suppressions.push(Suppression {
        span: span(40),
        file_level: true,
        codes: vec!["SSOT003".into()],
        problem: Some("why".into()),
    });
    facts.notes.push(Note::unreadable("pkg/app.py", "partly"));
    facts.parsed_cleanly = false;
    facts
}

fn json(facts: &FileFacts) -> Result<String, serde_json::Error> {
    serde_json::to_string(facts)
}

fn cache_of(entries: Vec<(&str, CacheEntry)>) -> FactsCache {
    let mut cache = FactsCache::empty("k");
    cache.needles.insert("Manager".into());
    for (path, entry) in entries {
        cache.insert(path.into(), entry);
    }
    cache
}

#[test]
fn facts_round_trip_through_the_binary_cache() -> Result<(), Box<dyn std::error::Error>> {
    let facts = full_facts();
    let mut unparsed = FileFacts::new("src/lib.rs".into(), Language::Rust);
    unparsed.parsed = false;
    unparsed.rust_modules = facts.rust_modules.clone();
    let mut plain = FileFacts::new("b.py".into(), Language::Python);
    plain.parsed = false;
    let note = Note::unreadable("c.py", "not valid UTF-8");
    let cache = cache_of(vec![
        (
            "pkg/app.py",
            CacheEntry::new(1234, (5, 6), 7, &Ok(facts.clone())),
        ),
        ("src/lib.rs", CacheEntry::new(10, (1, 2), 3, &Ok(unparsed))),
        ("b.py", CacheEntry::new(10, (1, 2), 3, &Ok(plain))),
        ("c.py", CacheEntry::new(10, (1, 2), 3, &Err(note.clone()))),
    ]);
    let bytes = cache.to_bytes().ok_or("encodes")?;
    let loaded = FactsCache::from_bytes(&bytes, Some("k")).ok_or("decodes")?;
    assert_eq!(loaded.file_bytes, bytes.len() as u64);
    assert_eq!(loaded.needles, cache.needles);
    assert_eq!(loaded.paths(), cache.paths());
    let entry = loaded.get("pkg/app.py").ok_or("entry")?;
    assert_eq!((entry.size, entry.mtime, entry.hash), (1234, (5, 6), 7));
    match loaded.outcome(entry) {
        Some(Cached::Parsed(back)) => assert_eq!(json(&back)?, json(&facts)?),
        other => panic!("{other:?}"),
    }
    match loaded
        .get("src/lib.rs")
        .and_then(|entry| loaded.outcome(entry))
    {
        Some(Cached::Unparsed(modules)) => assert_eq!(modules, facts.rust_modules),
        other => panic!("{other:?}"),
    }
    let plain = loaded.get("b.py").ok_or("entry")?;
    assert!(matches!(&plain.blob, Blob::Loaded { len: 0, .. }));
    assert!(matches!(loaded.outcome(plain), Some(Cached::Unparsed(modules)) if modules.is_empty()));
    match loaded.get("c.py").and_then(|entry| loaded.outcome(entry)) {
        Some(Cached::Skipped(back)) => assert_eq!(back, note),
        other => panic!("{other:?}"),
    }
    // Loaded blobs are written back as they were.
    assert_eq!(loaded.to_bytes().ok_or("encodes")?, bytes);
    assert!(FactsCache::from_bytes(&bytes, Some("other")).is_none());
    Ok(())
}

#[test]
fn facts_far_larger_than_their_source_are_not_kept() -> Result<(), Box<dyn std::error::Error>> {
    let mut facts = full_facts();
    let one = facts.imports[0].clone();
    facts.imports = vec![one; 1000];
    let entry = CacheEntry::new(500, (1, 1), 1, &Ok(facts.clone()));
    assert_eq!(entry.kind, Kind::Reparse);
    let cache = cache_of(vec![("a.py", entry)]);
    let loaded =
        FactsCache::from_bytes(&cache.to_bytes().ok_or("encodes")?, None).ok_or("decodes")?;
    assert!(loaded
        .get("a.py")
        .is_some_and(|entry| loaded.outcome(entry).is_none()));
    // The same facts for a source big enough are kept.
    let entry = CacheEntry::new(1 << 20, (1, 1), 1, &Ok(facts));
    assert_eq!(entry.kind, Kind::Parsed);
    Ok(())
}

#[test]
fn the_cache_is_shrunk_to_its_bound() {
    let mut facts = full_facts();
    let one = facts.imports[0].clone();
    facts.imports = vec![one; 3000];
    let entries = (0..20)
        .map(|_| CacheEntry::new(1 << 20, (1, 1), 1, &Ok(facts.clone())))
        .collect::<Vec<_>>();
    let names: Vec<String> = (0..20).map(|i| format!("f{i:02}.py")).collect();
    let mut cache = cache_of(
        names
            .iter()
            .map(String::as_str)
            .zip(entries)
            .collect::<Vec<_>>(),
    );
    cache.shrink_to(MIN_BOUND);
    let bytes = cache.to_bytes().unwrap_or_default();
    assert!(
        !bytes.is_empty() && bytes.len() as u64 <= MIN_BOUND,
        "{}",
        bytes.len()
    );
    let kept = cache
        .paths()
        .iter()
        .filter(|path| {
            cache
                .get(path)
                .is_some_and(|entry| entry.kind == Kind::Parsed)
        })
        .count();
    assert!(kept > 0 && kept < 20, "{kept}");
}

#[test]
fn a_corrupt_blob_is_never_decoded() -> Result<(), Box<dyn std::error::Error>> {
    let cache = cache_of(vec![(
        "a.py",
        CacheEntry::new(2000, (1, 1), 1, &Ok(full_facts())),
    )]);
    let mut bytes = cache.to_bytes().ok_or("encodes")?;
    let last = bytes.len() - 5;
    bytes[last] ^= 0x55;
    let loaded = FactsCache::from_bytes(&bytes, Some("k")).ok_or("the header is intact")?;
    assert!(loaded
        .get("a.py")
        .is_some_and(|entry| loaded.outcome(entry).is_none()));
    Ok(())
}

fn valid_bytes() -> Vec<u8> {
    let mut unparsed = FileFacts::new("src/lib.rs".into(), Language::Rust);
    unparsed.parsed = false;
    unparsed.rust_modules = full_facts().rust_modules;
    cache_of(vec![
        (
            "pkg/app.py",
            CacheEntry::new(2000, (5, 6), 7, &Ok(full_facts())),
        ),
        ("src/lib.rs", CacheEntry::new(10, (1, 2), 3, &Ok(unparsed))),
        (
            "c.py",
            CacheEntry::new(1, (1, 2), 3, &Err(Note::unreadable("c.py", "x"))),
        ),
    ])
    .to_bytes()
    .unwrap_or_default()
}

/// Decoding every blob of whatever loaded.
fn decode_all(bytes: &[u8]) {
    if let Some(cache) = FactsCache::from_bytes(bytes, None) {
        for path in cache.paths() {
            if let Some(entry) = cache.get(path) {
                let _ = cache.outcome(entry);
            }
        }
        let _ = cache.to_bytes();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        decode_all(&bytes);
        let mut framed = MAGIC.to_vec();
        framed.extend_from_slice(&bytes);
        decode_all(&framed);
    }

    #[test]
    fn a_truncated_or_flipped_cache_never_panics(cut in 0usize..4096, at in 0usize..4096, flip in 1u8..=255) {
        let valid = valid_bytes();
        prop_assert!(!valid.is_empty());
        let cut = cut % (valid.len() + 1);
        let truncated = &valid[..cut];
        decode_all(truncated);
        if cut < valid.len() {
            prop_assert!(FactsCache::from_bytes(truncated, None).is_none());
        }
        let mut flipped = valid.clone();
        let at = at % flipped.len();
        flipped[at] ^= flip;
        decode_all(&flipped);
        // A flipped byte never yields other facts: the header or the
        // blob checksum refuses it.
        if let Some(cache) = FactsCache::from_bytes(&flipped, None) {
            if let Some(entry) = cache.get("pkg/app.py") {
                if let Some(Cached::Parsed(facts)) = cache.outcome(entry) {
                    prop_assert_eq!(json(&facts).ok(), json(&full_facts()).ok());
                }
            }
        }
    }
}
