//! The one place project source files are read. The scan reads each file
//! once through [`read`]; the text of the files that matter afterwards (the
//! ones with violations) is kept in [`Sources`] with the hash of its bytes,
//! and the fixer, the baseline and the renderers slice that text, never a
//! second read of the disk. A file whose facts came from the cache is read
//! here the first time, and its hash must match the one its facts were made
//! from: a stale cache never supplies offsets.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rustc_hash::FxHashMap;

use crate::lang::Note;
use crate::source::SourceText;

/// Reads counted per path, when [`count_reads`] turned counting on.
static COUNTING: AtomicBool = AtomicBool::new(false);
static READS: Mutex<Option<FxHashMap<PathBuf, usize>>> = Mutex::new(None);

/// Starts counting every read of [`read`], per path (for the read-once test).
pub fn count_reads() {
    if let Ok(mut reads) = READS.lock() {
        *reads = Some(FxHashMap::default());
    }
    COUNTING.store(true, Ordering::SeqCst);
}

/// How often each path was read since [`count_reads`].
pub fn read_counts() -> BTreeMap<PathBuf, usize> {
    READS
        .lock()
        .ok()
        .and_then(|reads| {
            reads
                .as_ref()
                .map(|reads| reads.clone().into_iter().collect())
        })
        .unwrap_or_default()
}

/// Opens `path` only if it is a regular file: a named pipe, a device or a
/// socket is refused before anything reads from it (opening without
/// blocking, then checking the open file, so a FIFO swapped in after the walk
/// cannot hang the run either).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// The largest source file read: a bigger one (a generated data dump, a
/// 200 MB single line) is skipped with a note, before a byte of it is read,
/// so memory stays bounded.
pub const MAX_SOURCE_BYTES: u64 = 64 << 20;

/// Reads a whole source file (regular files only, at most
/// [`MAX_SOURCE_BYTES`]).
pub fn read(path: &Path) -> std::io::Result<Vec<u8>> {
    if COUNTING.load(Ordering::Relaxed) {
        if let Ok(mut reads) = READS.lock() {
            if let Some(reads) = reads.as_mut() {
                *reads.entry(path.to_path_buf()).or_default() += 1;
            }
        }
    }
    let file = open_regular(path)?;
    let size = file.metadata().map_or(0, |metadata| metadata.len());
    let too_large = |size: u64| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "too large ({size} bytes, over the {} MiB a source file may have): skipped",
                MAX_SOURCE_BYTES >> 20
            ),
        )
    };
    if size > MAX_SOURCE_BYTES {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    // A file that grows while it is read stops at the bound too.
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// How many bytes may still be kept in memory, taken from by several
/// threads at once (the bytes of files not parsed, kept for the pre-filter's
/// later rounds).
pub struct ByteBudget(std::sync::atomic::AtomicUsize);

impl ByteBudget {
    pub fn new(bytes: usize) -> Self {
        Self(std::sync::atomic::AtomicUsize::new(bytes))
    }

    /// Takes `len` bytes when that many are left.
    pub fn take(&self, len: usize) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(len)
            })
            .is_ok()
    }
}

/// The content hash facts are checked by (XXH3, 64 bits, over the bytes:
/// stable across runs and platforms, as the facts cache stores it).
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// What is known of one scanned file's content.
#[derive(Debug, Clone)]
enum Content {
    /// Read by the scan: its bytes.
    Read(Vec<u8>),
    /// Its facts came from the cache: the hash they were made from.
    Cached(u64),
}

/// The text of the scanned files, read once.
#[derive(Default)]
pub struct Sources {
    root: PathBuf,
    content: FxHashMap<String, Content>,
    texts: BTreeMap<String, SourceText>,
}

impl std::fmt::Debug for Sources {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Sources")
            .field("scanned", &self.content.len())
            .field("kept", &self.texts.len())
            .finish()
    }
}

impl Sources {
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            ..Self::default()
        }
    }

    /// The bytes the scan read for `path`'s facts.
    pub fn insert_read(&mut self, path: String, bytes: Vec<u8>) {
        self.texts.remove(&path);
        self.content.insert(path, Content::Read(bytes));
    }

    /// `path`'s facts came from the cache, made from bytes of this hash.
    pub fn insert_cached(&mut self, path: String, hash: u64) {
        self.texts.remove(&path);
        self.content.insert(path, Content::Cached(hash));
    }

    /// Decodes the text of `paths` (reading cache-hit files, checked against
    /// their hash); with `drop_rest`, every other file's bytes are let go. A
    /// file that cannot be read or decoded, or changed since its facts were
    /// made, gets no text and a note: it gets no fixes and no snippets.
    pub fn load<'a>(
        &mut self,
        paths: impl IntoIterator<Item = &'a str>,
        drop_rest: bool,
    ) -> Vec<Note> {
        let mut notes = Vec::new();
        let wanted: std::collections::BTreeSet<&str> = paths.into_iter().collect();
        for &path in &wanted {
            if self.texts.contains_key(path) {
                continue;
            }
            let bytes = match self.content.remove(path) {
                Some(Content::Read(bytes)) => bytes,
                Some(Content::Cached(expected)) => match read(&self.root.join(path)) {
                    Ok(bytes) if hash(&bytes) == expected => bytes,
                    Ok(_) => {
                        notes.push(Note::unreadable(
                            path,
                            "changed since its facts were cached: no fixes",
                        ));
                        continue;
                    }
                    Err(error) => {
                        notes.push(Note::unreadable(path, format!("cannot read: {error}")));
                        continue;
                    }
                },
                None => continue,
            };
            match SourceText::from_bytes(bytes) {
                Some(text) => {
                    self.texts.insert(path.to_string(), text);
                }
                None => notes.push(Note::unreadable(path, "not valid UTF-8: no fixes")),
            }
        }
        if drop_rest {
            self.content.clear();
            self.texts.retain(|path, _| wanted.contains(path.as_str()));
        }
        notes
    }

    /// The kept text of `path`.
    pub fn get(&self, path: &str) -> Option<&SourceText> {
        self.texts.get(path)
    }

    /// `path` now holds `text` (written by `fix`, or planned in memory).
    pub fn replace(&mut self, path: &str, text: SourceText) {
        self.content.remove(path);
        self.texts.insert(path.to_string(), text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cached_file_that_changed_gets_no_text() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("a.py"), "import b\n")?;
        let mut sources = Sources::new(dir.path());
        sources.insert_cached("a.py".into(), hash(b"import c\n"));
        let notes = sources.load(["a.py"], true);
        assert!(sources.get("a.py").is_none());
        assert_eq!(notes.len(), 1);
        assert!(notes[0].message.contains("changed"), "{notes:?}");

        sources.insert_cached("a.py".into(), hash(b"import b\n"));
        assert!(sources.load(["a.py"], true).is_empty());
        assert_eq!(
            sources.get("a.py").map(|text| text.text.as_str()),
            Some("import b\n")
        );
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_without_blocking() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let pipe = dir.path().join("pipe.py");
        let name = std::ffi::CString::new(pipe.as_os_str().as_encoded_bytes())?;
        // SAFETY: a valid NUL-terminated path and a plain mode.
        if unsafe { libc::mkfifo(name.as_ptr(), 0o644) } != 0 {
            panic!("mkfifo failed");
        }
        assert!(read(&pipe).is_err());
        Ok(())
    }
}
