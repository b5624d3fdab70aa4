//! Rust crate roots from `Cargo.toml`, and the module tree they span:
//! `mod foo;` -> `foo.rs` / `foo/mod.rs` / `#[path]`, inline `mod`s, crate
//! names with `-` read as `_`.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::Deserialize;

use crate::lang::FileFacts;

/// One crate target: a root file and the name other crates `use` it by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrateRoot {
    pub name: String,
    /// Root-relative path of the root file (`src/lib.rs`).
    pub root_file: String,
}

/// Why a `Cargo.toml` gives no crate roots (its note reads "cannot read
/// Cargo manifest: " and this).
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read from the file system.
    #[error("{0}")]
    Read(std::io::Error),
    /// Its blob could not be read from the repository (`history`).
    #[error("{0}")]
    Blob(crate::Error),
    #[error("not valid UTF-8")]
    NotUtf8,
    #[error("{}", .0.message())]
    Toml(toml::de::Error),
}

#[derive(Deserialize)]
struct Manifest {
    package: Option<Package>,
    lib: Option<Target>,
    #[serde(default)]
    bin: Vec<Target>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
}

#[derive(Deserialize)]
struct Target {
    name: Option<String>,
    path: Option<String>,
}

/// Crate roots of one `Cargo.toml` at root-relative `manifest_path`.
/// A workspace-only manifest has none; its members have their own manifests.
pub fn crate_roots(manifest_path: &str, text: &str) -> Result<Vec<CrateRoot>, ManifestError> {
    let manifest: Manifest = toml::from_str(text).map_err(ManifestError::Toml)?;
    let Some(package) = manifest.package else {
        return Ok(Vec::new());
    };
    let dir = manifest_path
        .rsplit_once('/')
        .map_or(String::new(), |(dir, _)| format!("{dir}/"));
    let package_name = package.name.replace('-', "_");
    let mut roots = Vec::new();
    let lib = manifest.lib.unwrap_or(Target {
        name: None,
        path: None,
    });
    roots.push(CrateRoot {
        name: lib
            .name
            .map_or(package_name.clone(), |name| name.replace('-', "_")),
        root_file: normalise(&format!(
            "{dir}{}",
            lib.path.as_deref().unwrap_or("src/lib.rs")
        )),
    });
    let mut bins = manifest.bin;
    if bins.is_empty() {
        bins.push(Target {
            name: None,
            path: None,
        });
    }
    for bin in bins {
        roots.push(CrateRoot {
            name: bin
                .name
                .map_or(package_name.clone(), |name| name.replace('-', "_")),
            root_file: normalise(&format!(
                "{dir}{}",
                bin.path.as_deref().unwrap_or("src/main.rs")
            )),
        });
    }
    Ok(roots)
}

/// `a/b/../c/./d` -> `a/c/d`.
fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

fn strip_raw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

/// Assigns a module path (`crate_name::a::b`) to every Rust file reachable
/// from a crate root. Roots are visited in order; a file keeps the first path
/// it is reached by. Returns the set of modules (inline ones included).
pub fn assign_modules(files: &mut [FileFacts], roots: &[CrateRoot]) -> BTreeMap<String, usize> {
    if roots.is_empty() {
        return BTreeMap::new();
    }
    let by_path: HashMap<String, usize> = files
        .iter()
        .enumerate()
        .map(|(id, file)| (file.path.clone(), id))
        .collect();
    let mut modules: BTreeMap<String, usize> = BTreeMap::new();
    for root in roots {
        let Some(&root_id) = by_path.get(&root.root_file) else {
            continue;
        };
        if files[root_id].module.is_some() {
            continue;
        }
        let mut queue = VecDeque::new();
        files[root_id].module = Some(root.name.clone());
        // The crate root and mod.rs files own their directory; `foo.rs` owns `foo/`.
        queue.push_back((root_id, true));
        while let Some((id, owns_directory)) = queue.pop_front() {
            let Some(module) = files[id].module.clone() else {
                continue;
            };
            modules.entry(module.clone()).or_insert(id);
            let path = files[id].path.clone();
            let (dir, file_name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
            let base = if owns_directory {
                dir.to_string()
            } else {
                let stem = file_name.strip_suffix(".rs").unwrap_or(file_name);
                join_dir(dir, stem)
            };
            for decl in files[id].rust_modules.clone() {
                let mut inline_dir = base.clone();
                let mut parent = module.clone();
                for inline in &decl.mod_path {
                    inline_dir = join_dir(&inline_dir, strip_raw(inline));
                    parent = format!("{parent}::{}", strip_raw(inline));
                }
                let child = format!("{parent}::{}", strip_raw(&decl.name));
                if decl.inline {
                    modules.entry(child).or_insert(id);
                    continue;
                }
                let candidates = match &decl.path_attr {
                    Some(attr) => {
                        let relative_to = if decl.mod_path.is_empty() {
                            dir
                        } else {
                            &inline_dir
                        };
                        vec![(normalise(&join_dir(relative_to, attr)), true)]
                    }
                    None => {
                        let name = strip_raw(&decl.name);
                        vec![
                            (join_dir(&inline_dir, &format!("{name}.rs")), false),
                            (join_dir(&inline_dir, &format!("{name}/mod.rs")), true),
                        ]
                    }
                };
                for (candidate, owns) in candidates {
                    if let Some(&child_id) = by_path.get(&candidate) {
                        if files[child_id].module.is_none() {
                            files[child_id].module = Some(child.clone());
                            let owns = owns || candidate.ends_with("/mod.rs");
                            queue.push_back((child_id, owns));
                        }
                        break;
                    }
                }
            }
        }
    }
    modules
}

fn join_dir(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_give_lib_and_bin_roots() -> Result<(), Box<dyn std::error::Error>> {
        let roots = crate_roots(
            "crates/ws-core/Cargo.toml",
            "[package]\nname = \"ws-core\"\n[[bin]]\nname = \"ws-tool\"\npath = \"src/tool.rs\"\n",
        )?;
        assert_eq!(
            roots,
            vec![
                CrateRoot {
                    name: "ws_core".into(),
                    root_file: "crates/ws-core/src/lib.rs".into()
                },
                CrateRoot {
                    name: "ws_tool".into(),
                    root_file: "crates/ws-core/src/tool.rs".into()
                },
            ]
        );
        assert!(crate_roots("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n")?.is_empty());
        assert!(crate_roots("Cargo.toml", "[package\n").is_err());
        Ok(())
    }
}
