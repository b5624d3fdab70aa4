//! One file through the scan: its language, its bytes read once, its facts
//! made (in full, skimmed, or only if the pre-filter hits) or taken from the
//! cache.

use super::*;

/// The language a selected file is parsed as, by extension.
pub fn language_of(path: &str) -> Option<(Language, bool)> {
    if path.ends_with(".py") {
        Some((Language::Python, false))
    } else if path.ends_with(".pyi") {
        Some((Language::Python, true))
    } else if path.ends_with(".rs") {
        Some((Language::Rust, false))
    } else {
        None
    }
}

/// How a file that was read is parsed.
#[derive(Clone, Copy)]
pub enum Parse<'p> {
    /// In full.
    Full,
    /// Only when the pre-filter hits: a file that cannot matter keeps only
    /// its path facts.
    IfHit(&'p Prefilter),
    /// In full, Python function bodies skimmed first (the same facts, see
    /// `lang::skim`; attribute uses only of modules in these top-level
    /// packages).
    Skimmed(&'p FxHashSet<String>),
}

/// Reads one file (through the one read of [`sources::read`]) and extracts
/// its facts; the bytes come back with them.
pub fn read_facts(
    config: &Config,
    file: &SelectedFile,
    parse: Parse,
) -> (Result<FileFacts, Note>, Option<Vec<u8>>) {
    match sources::read(&file.absolute) {
        Ok(bytes) => (facts_from_bytes(config, file, &bytes, parse), Some(bytes)),
        Err(error) => (Err(skip_note(file, format!("cannot read: {error}"))), None),
    }
}

pub(super) fn skip_note(file: &SelectedFile, message: String) -> Note {
    Note::unreadable(file.relative.clone(), message)
}

pub fn facts_from_bytes(
    config: &Config,
    file: &SelectedFile,
    bytes: &[u8],
    parse: Parse,
) -> Result<FileFacts, Note> {
    let (language, stub) = language_of(&file.relative)
        .ok_or_else(|| skip_note(file, "not a Python or Rust file: skipped".into()))?;
    let size = bytes.len() as u64;
    let text = std::str::from_utf8(bytes).map_err(|error| {
        skip_note(
            file,
            format!("not valid UTF-8 (byte {}): skipped", error.valid_up_to()),
        )
    })?;
    let text = text.strip_prefix(source::BOM).unwrap_or(text);
    let mut facts = path_facts(config, file, language, size);
    if let Parse::IfHit(prefilter) = parse {
        if !prefilter.hits(text, language, facts.module.as_deref()) {
            facts.parsed = false;
            if language == Language::Rust {
                facts.rust_modules = lang::rust_facts::mod_declarations(text);
            }
            return Ok(facts);
        }
    }
    match language {
        Language::Python => match parse {
            Parse::Skimmed(packages) => {
                let plain = facts.clone();
                lang::python::extract_skimmed(&mut facts, text, stub, Some(packages));
                // A skimmed file parses without the lines that hold no facts,
                // so a syntax error there goes unseen: what looks like a shim
                // (few files) is parsed in full, from the same bytes (a file
                // that does not parse is no shim).
                if facts.is_shim() {
                    facts = plain;
                    lang::python::extract(&mut facts, text, stub);
                }
            }
            _ => lang::python::extract(&mut facts, text, stub),
        },
        Language::Rust => lang::rust_facts::extract(&mut facts, text),
    }
    Ok(facts)
}

/// What is known of a file without reading it: path, language, module.
pub(super) fn path_facts(
    config: &Config,
    file: &SelectedFile,
    language: Language,
    size: u64,
) -> FileFacts {
    let mut facts = FileFacts::new(file.relative.clone(), language);
    facts.size = size;
    if language == Language::Python {
        if let Some((module, is_package)) =
            lang::python::module_path(&file.relative, &config.settings.src)
        {
            facts.module = Some(module);
            facts.is_package = is_package;
        }
    }
    facts
}

/// A cache entry's decoded outcome back into what reading the file would give.
pub(super) fn from_cache(
    config: &Config,
    file: &SelectedFile,
    size: u64,
    cached: Cached,
) -> Result<FileFacts, Note> {
    match cached {
        Cached::Parsed(mut facts) => {
            if facts.path != file.relative {
                facts.path.clone_from(&file.relative);
            }
            Ok(*facts)
        }
        Cached::Skipped(note) => Err(note),
        Cached::Unparsed(modules) => {
            let language =
                language_of(&file.relative).map_or(Language::Python, |(language, _)| language);
            let mut facts = path_facts(config, file, language, size);
            facts.parsed = false;
            facts.rust_modules = modules;
            Ok(facts)
        }
    }
}

/// What the scan holds of a file's content once its facts are made.
pub(super) enum Kept {
    /// The bytes it read.
    Bytes(Vec<u8>),
    /// Facts from the cache, made from bytes of this hash: not read.
    Cached(u64),
    Nothing,
}

/// One selected file after the parallel phase.
pub(super) struct Scanned {
    pub(super) outcome: Result<FileFacts, Note>,
    /// A new or changed cache entry for it.
    pub(super) entry: Option<CacheEntry>,
    pub(super) kept: Kept,
    /// Its bytes were read.
    pub(super) read: bool,
    /// Its facts came from the cache.
    pub(super) cached: bool,
}

impl Scanned {
    /// A file read and parsed without the cache.
    pub(super) fn read(config: &Config, file: &SelectedFile, parse: Parse) -> Self {
        let (outcome, bytes) = read_facts(config, file, parse);
        Self {
            outcome,
            entry: None,
            read: bytes.is_some(),
            kept: bytes.map_or(Kept::Nothing, Kept::Bytes),
            cached: false,
        }
    }
}

/// A file a later pre-filter round searched: where it is among the files,
/// its facts if it is parsed now, the bytes kept of it, whether it was read.
pub(super) type Reparsed = (usize, Option<FileFacts>, Option<Vec<u8>>, bool);

/// The bytes of files the pre-filter passed over are kept for its later
/// rounds up to this much in all; a later round reads the others again.
/// (Keeping all of them held the whole source in memory until the rounds
/// ended: most files are never parsed.)
pub(super) const UNPARSED_BYTES_KEPT: usize = 24 << 20;

impl Scanned {
    /// Lets go of the bytes of a file that was not parsed once `budget`
    /// (what may still be kept) is spent.
    pub(super) fn keep_within(&mut self, budget: &sources::ByteBudget) {
        let unparsed = matches!(&self.outcome, Ok(facts) if !facts.parsed);
        if let Kept::Bytes(bytes) = &self.kept {
            if unparsed && !budget.take(bytes.len()) {
                self.kept = Kept::Nothing;
            }
        }
    }
}

/// Size and mtime, as [`cache::stamp`] gives them.
pub(super) type Stamp = (u64, (u64, u32));

/// One file through the cache.
///
/// A file the pre-filter skipped (or that gave only a note) is trusted by
/// its size and mtime alone, as git's index and ruff's cache trust a stat:
/// those entries hold no facts a violation could come from, and re-reading
/// them would cost what the cache saves. Every file whose cached facts are
/// parsed (the only ones that can hold violations, a minority) is read and
/// hashed: when the bytes differ from the ones its facts were made from,
/// even at the same size and mtime, it is parsed again from the bytes just
/// read. Its bytes are kept either way, so nothing reads it again. A
/// changed stamp with the same content hash reuses the entry too.
pub(super) fn cached_facts(
    config: &Config,
    file: &SelectedFile,
    parse: Parse,
    cache: &FactsCache,
    stamp: Option<Stamp>,
) -> Scanned {
    let Some((size, mtime)) = stamp else {
        return Scanned::read(config, file, parse);
    };
    let previous = cache.get(&file.relative);
    if let Some(entry) = previous.filter(|entry| entry.size == size && entry.mtime == mtime) {
        if matches!(entry.kind, Kind::Unparsed | Kind::Skipped) {
            if let Some(cached) = cache.outcome(entry) {
                return Scanned {
                    outcome: from_cache(config, file, entry.size, cached),
                    entry: None,
                    kept: Kept::Cached(entry.hash),
                    read: false,
                    cached: true,
                };
            }
        }
    }
    let bytes = match sources::read(&file.absolute) {
        Ok(bytes) => bytes,
        Err(error) => {
            return Scanned {
                outcome: Err(skip_note(file, format!("cannot read: {error}"))),
                entry: None,
                kept: Kept::Nothing,
                read: false,
                cached: false,
            };
        }
    };
    let hash = sources::hash(&bytes);
    let len = bytes.len() as u64;
    let same = previous.filter(|entry| entry.size == len && entry.hash == hash);
    if let Some(entry) = same {
        if let Some(cached) = cache.outcome(entry) {
            return Scanned {
                outcome: from_cache(config, file, len, cached),
                entry: (entry.mtime != mtime).then(|| entry.restamped(mtime)),
                kept: Kept::Bytes(bytes),
                read: true,
                cached: true,
            };
        }
    }
    let outcome = facts_from_bytes(config, file, &bytes, parse);
    // Facts too large to cache, for the same bytes: the entry stays as it is.
    let unchanged = same.is_some_and(|entry| entry.kind == Kind::Reparse && entry.mtime == mtime)
        && matches!(&outcome, Ok(facts) if facts.parsed);
    Scanned {
        entry: (!unchanged).then(|| CacheEntry::new(len, mtime, hash, &outcome)),
        outcome,
        kept: Kept::Bytes(bytes),
        read: true,
        cached: false,
    }
}
