//! `[settings]`: the src roots and the include / exclude globs.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;

use super::{Problems, DEFAULT_INCLUDE};
use crate::config::raw::RawSettings;
use crate::config::Settings;

pub(super) fn validate_settings(
    raw: Option<&Spanned<RawSettings>>,
    problems: &mut Problems,
) -> Settings {
    let default = RawSettings::default();
    let raw = raw.map_or(&default, |spanned| spanned.get_ref());
    let src = match &raw.src {
        Some(entries) => entries
            .iter()
            .filter_map(|entry| normalise_src(entry, problems))
            .collect(),
        None => vec![String::new()],
    };
    let include = match &raw.include {
        Some(globs) => build_globs(globs, "include", problems),
        None => default_include(),
    };
    let exclude = match &raw.exclude {
        Some(globs) => build_globs(globs, "exclude", problems),
        None => GlobSet::empty(),
    };
    Settings {
        src,
        include,
        exclude,
        respect_gitignore: raw.respect_gitignore.unwrap_or(true),
    }
}

pub fn default_include() -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in DEFAULT_INCLUDE {
        if let Ok(glob) = glob(pattern) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

pub fn glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

/// `./src/` and `src` name the same root; `.` is the project root itself.
fn normalise_src(entry: &Spanned<String>, problems: &mut Problems) -> Option<String> {
    let raw = entry.get_ref();
    let mut parts = Vec::new();
    for part in raw.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                problems.push(
                    "config::src",
                    entry.span(),
                    format!("src root `{raw}` leaves the project root"),
                    "outside the project",
                    Some("src roots are relative to the directory holding rules.toml".into()),
                );
                return None;
            }
            part => parts.push(part),
        }
    }
    if raw.starts_with('/') {
        problems.push(
            "config::src",
            entry.span(),
            format!("src root `{raw}` is absolute"),
            "absolute path",
            Some("write it relative to the directory holding rules.toml, e.g. \"src\"".into()),
        );
        return None;
    }
    Some(parts.join("/"))
}

pub(super) fn build_globs(
    globs: &[Spanned<String>],
    key: &str,
    problems: &mut Problems,
) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in globs {
        match glob(pattern.get_ref()) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(error) => problems.push(
                "config::glob",
                pattern.span(),
                format!("invalid glob in `{key}`: {}", error.kind()),
                "this glob",
                Some("globs use globset syntax: `**/*.py`, `tests/**`, `{a,b}`, `[ab]`".into()),
            ),
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}
