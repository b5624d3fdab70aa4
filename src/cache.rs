//! The on-disk facts cache, in `.ssot-audit-cache/` at the project root (a
//! hidden directory, so never scanned). Entries are keyed by path and checked
//! by size + mtime, then by a content hash; the whole cache is invalidated by
//! a new tool version or any change to rules.toml. It is written atomically
//! (temporary file + rename), so concurrent runs at worst redo work.

use std::collections::{BTreeSet, HashMap};
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

/// A cache file larger than this is neither read nor written: the cache
/// only saves time, and a huge one would cost more to load than it saves.
pub const MAX_BYTES: u64 = 64 << 20;

/// The cache directory, when it is a real directory (not a symlink, not a
/// file): the cache never reads or writes through a link.
fn directory(root: &Path) -> Option<std::path::PathBuf> {
    let directory = root.join(DIRECTORY);
    match std::fs::symlink_metadata(&directory) {
        Ok(metadata) if metadata.is_dir() => Some(directory),
        Ok(_) => None,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(&directory).ok()?;
            Some(directory)
        }
        Err(_) => None,
    }
}

impl FactsCache {
    /// The cache for `key`, or an empty one (missing, unreadable, corrupt,
    /// oversized, behind a symlink, other key).
    pub fn load(root: &Path, key: &str) -> Self {
        let loaded = Self::read(root).filter(|cache| cache.key == key);
        loaded.unwrap_or_else(|| FactsCache {
            key: key.to_string(),
            ..FactsCache::default()
        })
    }

    fn read(root: &Path) -> Option<Self> {
        let directory = root.join(DIRECTORY);
        if !std::fs::symlink_metadata(&directory).ok()?.is_dir() {
            return None;
        }
        let path = directory.join(FILE);
        let metadata = std::fs::symlink_metadata(&path).ok()?;
        if !metadata.is_file() || metadata.len() > MAX_BYTES {
            return None;
        }
        let file = crate::sources::open_regular(&path).ok()?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut bytes)
            .ok()?;
        if bytes.len() as u64 > MAX_BYTES {
            return None;
        }
        serde_json::from_slice::<FactsCache>(&bytes).ok()
    }

    /// Writes the cache atomically (temporary file + rename, never through a
    /// symlink: see [`crate::fs::write_atomically`]); failures only cost
    /// speed next time. A cache over
    /// [`MAX_BYTES`] is not written, and an old one is removed.
    pub fn save(&self, root: &Path) {
        let Some(directory) = directory(root) else {
            return;
        };
        let ignore = directory.join(".gitignore");
        if matches!(std::fs::symlink_metadata(&ignore), Err(error) if error.kind() == std::io::ErrorKind::NotFound)
        {
            let _ = crate::fs::write_atomically(
                &ignore,
                b"# Created by ssot-audit: the facts cache.\n*\n",
                crate::fs::Existing::Keep,
            );
        }
        let Ok(bytes) = serde_json::to_vec(self) else {
            return;
        };
        let path = directory.join(FILE);
        if bytes.len() as u64 > MAX_BYTES {
            if std::fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.is_file()) {
                let _ = std::fs::remove_file(&path);
            }
            return;
        }
        let _ = crate::fs::write_atomically(&path, &bytes, crate::fs::Existing::Replace);
    }
}
