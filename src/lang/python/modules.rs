//! Module paths of Python files, and relative imports resolved against them.

/// The dotted module of a root-relative path, from the deepest `src` root
/// holding it, and whether it is a package `__init__`.
pub fn module_path(path: &str, src_roots: &[String]) -> Option<(String, bool)> {
    let root = src_roots
        .iter()
        .filter(|root| root.is_empty() || path.starts_with(&format!("{root}/")))
        .max_by_key(|root| {
            if root.is_empty() {
                0
            } else {
                root.split('/').count()
            }
        })?;
    let relative = if root.is_empty() {
        path
    } else {
        &path[root.len() + 1..]
    };
    let stem = relative
        .strip_suffix(".py")
        .or_else(|| relative.strip_suffix(".pyi"))?;
    let (stem, is_package) = if stem == "__init__" {
        ("", true)
    } else if let Some(package) = stem.strip_suffix("/__init__") {
        (package, true)
    } else {
        (stem, false)
    };
    Some((stem.replace('/', "."), is_package))
}

/// The absolute module a `from` import names, per the file's module path.
pub fn resolve_relative(
    file_module: Option<&str>,
    is_package: bool,
    level: u32,
    module: Option<&str>,
) -> Option<String> {
    if level == 0 {
        return module.map(str::to_string);
    }
    let file_module = file_module?;
    let package: Vec<&str> = if is_package {
        file_module
            .split('.')
            .filter(|part| !part.is_empty())
            .collect()
    } else {
        let mut parts: Vec<&str> = file_module.split('.').collect();
        parts.pop();
        parts
    };
    let up = (level - 1) as usize;
    if package.is_empty() || up >= package.len() {
        return None;
    }
    let mut base = package[..package.len() - up].join(".");
    if let Some(module) = module {
        base.push('.');
        base.push_str(module);
    }
    Some(base)
}
