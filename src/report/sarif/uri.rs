//! Paths and the project root as URIs.

use std::path::{Component, Path};

/// Percent-encodes a `/`-separated path for a URI: everything but RFC 3986
/// unreserved characters, sub-delimiters, `@` and `/` is escaped. `:` is
/// escaped too, so a relative path such as `a:b.py` cannot read as a scheme.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&byte);
        if keep {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `file:///abs/root/` (SARIF wants base URIs to end with `/`). `.` and `..`
/// are resolved lexically, as a URI consumer would resolve them.
pub fn directory_uri(root: &Path) -> String {
    let mut segments: Vec<String> = Vec::new();
    let mut drive = String::new();
    for component in root.components() {
        match component {
            Component::Prefix(prefix) => {
                // `C:` keeps its colon: `file:///C:/...`.
                drive = prefix.as_os_str().to_string_lossy().replace('\\', "/");
            }
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                segments.pop();
            }
            Component::Normal(name) => segments.push(name.to_string_lossy().into_owned()),
        }
    }
    let mut uri = String::from("file:///");
    if !drive.is_empty() {
        uri.push_str(&drive);
        uri.push('/');
    }
    for segment in segments {
        uri.push_str(&percent_encode_path(&segment));
        uri.push('/');
    }
    uri
}
