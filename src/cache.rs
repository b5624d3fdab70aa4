//! The on-disk facts cache, in `.ssot-audit-cache/` at the project root (a
//! hidden directory, so never scanned). Entries are keyed by path and checked
//! by size + mtime, then by a content hash; the whole cache is invalidated by
//! a new tool version or any change to rules.toml. It is written atomically
//! (temporary file + rename), so concurrent runs at worst redo work.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::lang::rust::ModDecl;
use crate::lang::{FileFacts, Note};

pub const DIRECTORY: &str = ".ssot-audit-cache";
const FILE: &str = "facts.json";
/// Bumped whenever the facts change shape.
const FORMAT: &str = "3";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CacheEntry {
    pub size: u64,
    pub mtime: (u64, u32),
    /// Content hash of the bytes the facts were made from.
    pub hash: u64,
    pub outcome: Cached,
}

/// What a file gave, stored compactly: most files are never parsed, and
/// their facts are only their path, module and Rust `mod` declarations.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Cached {
    Parsed(Box<FileFacts>),
    Unparsed(Vec<ModDecl>),
    Skipped(Note),
}

impl Cached {
    pub fn of(outcome: &Result<FileFacts, Note>) -> Self {
        match outcome {
            Ok(facts) if facts.parsed => Cached::Parsed(Box::new(facts.clone())),
            Ok(facts) => Cached::Unparsed(facts.rust_modules.clone()),
            Err(note) => Cached::Skipped(note.clone()),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct FactsCache {
    key: String,
    /// Every needle the cached un-parsed files were searched for.
    pub needles: BTreeSet<String>,
    pub entries: HashMap<String, CacheEntry>,
}

/// The cache key: tool version, cache format and the rules.toml text.
pub fn key(rules_toml: &str) -> String {
    format!(
        "{:016x}",
        crate::fnv::hash_parts(&[env!("CARGO_PKG_VERSION"), FORMAT, rules_toml])
    )
}

/// Size and modification time of a file, as the cache compares them.
pub fn stamp(metadata: &std::fs::Metadata) -> (u64, (u64, u32)) {
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map_or((0, 0), |since| (since.as_secs(), since.subsec_nanos()));
    (metadata.len(), mtime)
}

impl FactsCache {
    /// The cache for `key`, or an empty one (missing, unreadable, other key).
    pub fn load(root: &Path, key: &str) -> Self {
        let path = root.join(DIRECTORY).join(FILE);
        let loaded = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<FactsCache>(&bytes).ok())
            .filter(|cache| cache.key == key);
        loaded.unwrap_or_else(|| FactsCache {
            key: key.to_string(),
            ..FactsCache::default()
        })
    }

    /// Writes the cache atomically; failures only cost speed next time.
    pub fn save(&self, root: &Path) {
        let directory = root.join(DIRECTORY);
        if std::fs::create_dir_all(&directory).is_err() {
            return;
        }
        let ignore = directory.join(".gitignore");
        if !ignore.exists() {
            let _ = std::fs::write(&ignore, "# Created by ssot-audit: the facts cache.\n*\n");
        }
        let Ok(bytes) = serde_json::to_vec(self) else {
            return;
        };
        let Ok(mut temporary) = tempfile::Builder::new()
            .prefix(".facts-")
            .tempfile_in(&directory)
        else {
            return;
        };
        if temporary.write_all(&bytes).is_ok() {
            let _ = temporary.persist(directory.join(FILE));
        }
    }
}
