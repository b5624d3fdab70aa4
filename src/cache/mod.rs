//! The on-disk facts cache, in `.ssot-audit-cache/` at the project root (a
//! hidden directory, so never scanned). Entries are keyed by path and checked
//! by size + mtime, then by a content hash; the whole cache is invalidated by
//! a new tool version or any change to rules.toml. It is written atomically
//! (temporary file + rename), so concurrent runs at worst redo work.
//!
//! The file, `facts.bin`, is one header followed by the blobs:
//!
//! ```text
//! MAGIC (8 bytes) | header length (u64 LE) | header checksum (u64 LE)
//! header: postcard of Header { key, needles, rows: [Row { path, size,
//!         mtime, hash, kind, offset, len, checksum }] }
//! blobs:  each row's encoded facts (postcard), at `offset` from the start
//!         of this region, `len` bytes, checksum FNV-1a of kind + blob
//! ```
//!
//! A run decodes the header and then only the blobs of the files it uses:
//! most files are `Unparsed` (the pre-filter proved they cannot matter), and
//! a Python one has no blob at all. The cache is bounded: a file whose facts
//! encode to more than [`BLOB_MULTIPLE`] times its source is not cached (it
//! is parsed again each run), and the whole file is at most [`bound`] of the
//! selected source. Anything missing, truncated, corrupt, oversized, behind a
//! symlink or of another key is discarded silently.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};

use crate::lang::rust::ModDecl;
use crate::lang::{FileFacts, Note};

pub const DIRECTORY: &str = ".ssot-audit-cache";
/// The cache file, in [`DIRECTORY`].
pub const FILE: &str = "facts.bin";
/// The JSON cache of earlier versions: removed when the cache is written.
const OLD_FILE: &str = "facts.json";
/// Bumped whenever the facts or the file layout change shape.
const FORMAT: &str = "5";
const MAGIC: &[u8; 8] = b"SSOTFCT\x04";
/// Magic, header length, header checksum.
const PREAMBLE: usize = 8 + 8 + 8;

/// A file's encoded facts may be at most this many times its source...
pub const BLOB_MULTIPLE: u64 = 4;
/// ...once they are past this many bytes; a larger one is not cached.
pub const BLOB_SLACK: u64 = 4 << 10;
/// The whole cache may be at most this, or [`SOURCE_MULTIPLE`] times the
/// selected source if that is more.
pub const MIN_BOUND: u64 = 1 << 20;
pub const SOURCE_MULTIPLE: u64 = 2;

/// The largest cache file for `source_bytes` of selected source.
pub fn bound(source_bytes: u64) -> u64 {
    MIN_BOUND.max(source_bytes.saturating_mul(SOURCE_MULTIPLE))
}

/// What kind of outcome an entry records, and so how its blob decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Parsed facts (a [`FileFacts`]).
    Parsed,
    /// The pre-filter skipped the file: its Rust `mod` declarations (a
    /// `Vec<ModDecl>`, no blob when there are none).
    Unparsed,
    /// No facts, a note (a [`Note`]).
    Skipped,
    /// Parsed facts too large to keep: no blob, parsed again each run.
    Reparse,
}

/// What a file gave, decoded from its blob.
#[derive(Debug, Clone)]
pub enum Cached {
    Parsed(Box<FileFacts>),
    Unparsed(Vec<ModDecl>),
    Skipped(Note),
}

/// Where an entry's blob is.
#[derive(Debug, Clone)]
enum Blob {
    /// In the blobs of the file loaded.
    Loaded { offset: usize, len: usize },
    /// Encoded this run.
    Owned(Vec<u8>),
}

#[derive(Debug, Clone)]
pub struct CacheEntry {
    pub size: u64,
    pub mtime: (u64, u32),
    /// Content hash of the bytes the facts were made from.
    pub hash: u64,
    pub kind: Kind,
    blob: Blob,
    /// XXH3 of the blob, seeded with the kind: a corrupt blob is never decoded.
    checksum: u64,
}

fn checksum(kind: Kind, blob: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(blob, kind as u64)
}

impl CacheEntry {
    /// The entry of a file of `size` bytes, `mtime` and content `hash` that
    /// gave `outcome`; parsed facts too large for the bound are not kept.
    pub fn new(size: u64, mtime: (u64, u32), hash: u64, outcome: &Result<FileFacts, Note>) -> Self {
        let (kind, blob) = match outcome {
            Ok(facts) if facts.parsed => match postcard::to_allocvec(facts) {
                Ok(blob) if fits(blob.len() as u64, size) => (Kind::Parsed, blob),
                _ => (Kind::Reparse, Vec::new()),
            },
            Ok(facts) if facts.rust_modules.is_empty() => (Kind::Unparsed, Vec::new()),
            Ok(facts) => match postcard::to_allocvec(&facts.rust_modules) {
                Ok(blob) => (Kind::Unparsed, blob),
                Err(_) => (Kind::Reparse, Vec::new()),
            },
            Err(note) => match postcard::to_allocvec(note) {
                Ok(blob) => (Kind::Skipped, blob),
                Err(_) => (Kind::Reparse, Vec::new()),
            },
        };
        Self {
            size,
            mtime,
            hash,
            kind,
            checksum: checksum(kind, &blob),
            blob: Blob::Owned(blob),
        }
    }

    /// The same facts for the same bytes, seen with another mtime.
    pub fn restamped(&self, mtime: (u64, u32)) -> Self {
        Self {
            mtime,
            ..self.clone()
        }
    }
}

/// Encoded facts of `len` bytes may be cached for a source of `size` bytes.
fn fits(len: u64, size: u64) -> bool {
    len <= BLOB_SLACK || len <= size.saturating_mul(BLOB_MULTIPLE)
}

/// One entry in the header.
#[derive(Serialize, Deserialize)]
struct Row {
    path: String,
    size: u64,
    mtime: (u64, u32),
    hash: u64,
    kind: Kind,
    offset: u64,
    len: u64,
    checksum: u64,
}

/// The header, written as one postcard value (`key` first, so another key
/// is refused before the rows are decoded).
#[derive(Serialize, Deserialize)]
struct Header {
    key: String,
    needles: Vec<String>,
    rows: Vec<Row>,
}

#[derive(Debug, Default)]
pub struct FactsCache {
    key: String,
    /// Every needle the cached un-parsed files were searched for.
    pub needles: BTreeSet<String>,
    entries: HashMap<String, CacheEntry>,
    /// The file loaded, its blobs from `blobs_at` on.
    data: Vec<u8>,
    blobs_at: usize,
    /// Size of the cache file loaded (or, after [`FactsCache::save`],
    /// written); 0 when there was none.
    pub file_bytes: u64,
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

/// The cache directory, when it is a real directory (not a symlink, not a
/// file): the cache never reads or writes through a link.
fn directory(root: &Path) -> Result<std::path::PathBuf, NotWritten> {
    let directory = root.join(DIRECTORY);
    match std::fs::symlink_metadata(&directory) {
        Ok(metadata) if metadata.is_dir() => Ok(directory),
        Ok(_) => Err(NotWritten::NotADirectory),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir(&directory).map_err(NotWritten::Create)?;
            Ok(directory)
        }
        Err(error) => Err(NotWritten::Create(error)),
    }
}

/// Why the facts cache was not written (the run's answer is the same; the
/// next run is only slower).
#[derive(Debug, thiserror::Error)]
pub enum NotWritten {
    #[error("not a directory (a file or a symbolic link): the facts cache is not written")]
    NotADirectory,
    #[error("cannot create it: {0}; the facts cache is not written")]
    Create(std::io::Error),
    #[error("cannot write the facts cache: {0}")]
    Write(std::io::Error),
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    let field: [u8; 8] = bytes.get(at..at.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(field))
}

impl FactsCache {
    /// An empty cache for `key`.
    pub fn empty(key: &str) -> Self {
        FactsCache {
            key: key.to_string(),
            ..FactsCache::default()
        }
    }

    /// The cache for `key`, or an empty one (missing, unreadable, corrupt,
    /// larger than [`bound`] of `source_bytes`, behind a symlink, other key).
    pub fn load(root: &Path, key: &str, source_bytes: u64) -> Self {
        Self::read(root, bound(source_bytes))
            .and_then(|bytes| Self::from_vec(bytes, Some(key)))
            .unwrap_or_else(|| Self::empty(key))
    }

    fn read(root: &Path, limit: u64) -> Option<Vec<u8>> {
        let directory = root.join(DIRECTORY);
        if !std::fs::symlink_metadata(&directory).ok()?.is_dir() {
            return None;
        }
        let path = directory.join(FILE);
        let metadata = std::fs::symlink_metadata(&path).ok()?;
        if !metadata.is_file() || metadata.len() > limit {
            return None;
        }
        let file = crate::sources::open_regular(&path).ok()?;
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(file, limit + 1), &mut bytes).ok()?;
        if bytes.len() as u64 > limit {
            return None;
        }
        Some(bytes)
    }

    /// Decodes a cache file's bytes (of `key` only, when given): None when
    /// they are not a whole, consistent cache. Blobs are checked and decoded
    /// later, one by one, by [`FactsCache::outcome`].
    pub fn from_bytes(bytes: &[u8], key: Option<&str>) -> Option<Self> {
        Self::from_vec(bytes.to_vec(), key)
    }

    fn from_vec(data: Vec<u8>, key: Option<&str>) -> Option<Self> {
        let bytes = data.as_slice();
        if bytes.get(..MAGIC.len())? != MAGIC {
            return None;
        }
        let header_len = usize::try_from(u64_at(bytes, 8)?).ok()?;
        let header_checksum = u64_at(bytes, 16)?;
        let header_end = PREAMBLE.checked_add(header_len)?;
        let header = bytes.get(PREAMBLE..header_end)?;
        if let Some(key) = key {
            let (found, _) = postcard::take_from_bytes::<&str>(header).ok()?;
            if found != key {
                return None;
            }
        }
        if crate::fnv::hash_bytes(header) != header_checksum {
            return None;
        }
        let (header, rest) = postcard::take_from_bytes::<Header>(header).ok()?;
        if !rest.is_empty() {
            return None;
        }
        let blobs = &bytes[header_end..];
        let mut entries = HashMap::with_capacity(header.rows.len());
        for row in header.rows {
            let offset = usize::try_from(row.offset).ok()?;
            let len = usize::try_from(row.len).ok()?;
            if offset.checked_add(len)? > blobs.len() {
                return None;
            }
            let entry = CacheEntry {
                size: row.size,
                mtime: row.mtime,
                hash: row.hash,
                kind: row.kind,
                blob: Blob::Loaded { offset, len },
                checksum: row.checksum,
            };
            if entries.insert(row.path, entry).is_some() {
                return None;
            }
        }
        Some(FactsCache {
            key: header.key,
            needles: header.needles.into_iter().collect(),
            entries,
            file_bytes: bytes.len() as u64,
            data,
            blobs_at: header_end,
        })
    }

    /// The key the cache was made for.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn get(&self, path: &str) -> Option<&CacheEntry> {
        self.entries.get(path)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The paths of the entries, sorted.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.entries.keys().map(String::as_str).collect();
        paths.sort_unstable();
        paths
    }

    pub fn insert(&mut self, path: String, entry: CacheEntry) {
        self.entries.insert(path, entry);
    }

    /// Keeps the entries of the paths `keep` accepts; whether any was dropped.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) -> bool {
        let before = self.entries.len();
        self.entries.retain(|path, _| keep(path));
        self.entries.len() != before
    }

    /// `path`'s facts are now `facts` (parsed in a later pre-filter round),
    /// for the same bytes; false when it has no entry.
    pub fn set_parsed(&mut self, path: &str, facts: &FileFacts) -> bool {
        let Some(entry) = self.entries.get_mut(path) else {
            return false;
        };
        *entry = CacheEntry::new(entry.size, entry.mtime, entry.hash, &Ok(facts.clone()));
        true
    }

    /// The blob region of the file loaded.
    fn blobs(&self) -> &[u8] {
        self.data.get(self.blobs_at..).unwrap_or_default()
    }

    fn blob<'a>(&'a self, entry: &'a CacheEntry) -> Option<&'a [u8]> {
        let blob = match &entry.blob {
            Blob::Loaded { offset, len } => self.blobs().get(*offset..offset.checked_add(*len)?)?,
            Blob::Owned(blob) => blob.as_slice(),
        };
        (checksum(entry.kind, blob) == entry.checksum).then_some(blob)
    }

    /// Decodes an entry's blob: None for a [`Kind::Reparse`] entry and for
    /// a blob that is corrupt (the file is then read and parsed again).
    pub fn outcome(&self, entry: &CacheEntry) -> Option<Cached> {
        let blob = self.blob(entry)?;
        fn whole<'a, T: Deserialize<'a>>(blob: &'a [u8]) -> Option<T> {
            match postcard::take_from_bytes::<T>(blob) {
                Ok((value, [])) => Some(value),
                _ => None,
            }
        }
        match entry.kind {
            Kind::Parsed => whole::<FileFacts>(blob).map(|facts| Cached::Parsed(Box::new(facts))),
            Kind::Unparsed if blob.is_empty() => Some(Cached::Unparsed(Vec::new())),
            Kind::Unparsed => whole::<Vec<ModDecl>>(blob).map(Cached::Unparsed),
            Kind::Skipped => whole::<Note>(blob).map(Cached::Skipped),
            Kind::Reparse => None,
        }
    }

    /// The bytes of the cache file, entries in path order (so the same
    /// cache always gives the same bytes).
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let mut rows = Vec::with_capacity(self.entries.len());
        let mut blobs = Vec::new();
        let mut entries: Vec<(&String, &CacheEntry)> = self.entries.iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        for (path, entry) in entries {
            let blob = match &entry.blob {
                Blob::Loaded { offset, len } => {
                    self.blobs().get(*offset..offset.checked_add(*len)?)?
                }
                Blob::Owned(blob) => blob.as_slice(),
            };
            rows.push(Row {
                path: path.clone(),
                size: entry.size,
                mtime: entry.mtime,
                hash: entry.hash,
                kind: entry.kind,
                offset: blobs.len() as u64,
                len: blob.len() as u64,
                checksum: entry.checksum,
            });
            blobs.extend_from_slice(blob);
        }
        let header = Header {
            key: self.key.clone(),
            needles: self.needles.iter().cloned().collect(),
            rows,
        };
        let header = postcard::to_allocvec(&header).ok()?;
        let mut bytes = Vec::with_capacity(PREAMBLE + header.len() + blobs.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(header.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&crate::fnv::hash_bytes(&header).to_le_bytes());
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&blobs);
        Some(bytes)
    }

    /// Drops the largest parsed facts (their files are parsed again next
    /// run) until the encoded cache would fit `limit`, if it can.
    fn shrink_to(&mut self, limit: u64) {
        let blob_len = |entry: &CacheEntry| match &entry.blob {
            Blob::Loaded { len, .. } => *len as u64,
            Blob::Owned(blob) => blob.len() as u64,
        };
        // A row costs at most its path and ten varints of ten bytes.
        let mut estimate: u64 = (PREAMBLE as u64)
            + self.key.len() as u64
            + self
                .needles
                .iter()
                .map(|n| n.len() as u64 + 10)
                .sum::<u64>()
            + self
                .entries
                .iter()
                .map(|(path, entry)| path.len() as u64 + 100 + blob_len(entry))
                .sum::<u64>();
        if estimate <= limit {
            return;
        }
        let mut parsed: Vec<(u64, String)> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.kind == Kind::Parsed)
            .map(|(path, entry)| (blob_len(entry), path.clone()))
            .collect();
        // Largest first, ties by path: the same cache always keeps the same.
        parsed.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        for (len, path) in parsed {
            if estimate <= limit {
                break;
            }
            if let Some(entry) = self.entries.get_mut(&path) {
                entry.kind = Kind::Reparse;
                entry.blob = Blob::Owned(Vec::new());
                entry.checksum = checksum(Kind::Reparse, &[]);
                estimate -= len;
            }
        }
    }

    /// Writes the cache atomically (temporary file + rename, never through a
    /// symlink: see [`crate::fs::write_atomically`]); failures only cost
    /// speed next time. The cache is kept within [`bound`] of
    /// `source_bytes` (dropping the largest facts first); one that still
    /// does not fit is not written, and an old one is removed. Returns the
    /// bytes written (0 for none).
    pub fn save(&mut self, root: &Path, source_bytes: u64) -> Result<u64, NotWritten> {
        let directory = directory(root)?;
        let ignore = directory.join(".gitignore");
        if matches!(std::fs::symlink_metadata(&ignore), Err(error) if error.kind() == std::io::ErrorKind::NotFound)
        {
            let _ = crate::fs::write_atomically(
                &ignore,
                b"# Created by ssot-audit: the facts cache.\n*\n",
                crate::fs::Existing::Keep,
            );
        }
        let old = directory.join(OLD_FILE);
        if std::fs::symlink_metadata(&old).is_ok_and(|metadata| metadata.is_file()) {
            let _ = std::fs::remove_file(&old);
        }
        let limit = bound(source_bytes);
        self.shrink_to(limit);
        let path = directory.join(FILE);
        let bytes = self.to_bytes().filter(|bytes| bytes.len() as u64 <= limit);
        let Some(bytes) = bytes else {
            if std::fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.is_file()) {
                let _ = std::fs::remove_file(&path);
            }
            return Ok(0);
        };
        crate::fs::write_atomically(&path, &bytes, crate::fs::Existing::Replace)
            .map_err(NotWritten::Write)?;
        self.file_bytes = bytes.len() as u64;
        Ok(self.file_bytes)
    }
}

#[cfg(test)]
mod tests;
