//! The facts dump: one JSON object per imported name (`imports --format jsonl`).

use serde::Serialize;

use crate::audit::Facts;
use crate::lang::{Guard, ImportKind, Scope};

#[derive(Serialize)]
struct PythonFact<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    kind: ImportKind,
    module: Option<&'a str>,
    level: u32,
    name: Option<&'a str>,
    asname: Option<&'a str>,
    resolved: Option<&'a str>,
    scope: Scope,
    guard: Option<Guard>,
}

#[derive(Serialize)]
struct RustFact<'a> {
    path: &'a str,
    line: u32,
    column: u32,
    kind: ImportKind,
    module: Option<&'a str>,
    name: Option<&'a str>,
    asname: Option<&'a str>,
}

/// Writes the dump line by line: on a big tree it is larger than the facts.
pub fn imports(facts: &Facts, out: &mut impl std::io::Write) -> std::io::Result<()> {
    // Files are sorted by path string; a file's facts are in source order,
    // which a stable sort by position keeps for the names of one statement.
    for file in &facts.files {
        let mut imports: Vec<_> = file.imports.iter().collect();
        imports.sort_by_key(|import| (import.statement.begin.line, import.statement.begin.column));
        for import in imports {
            let line = import.statement.begin.line;
            let column = import.statement.begin.column;
            let json = if import.kind == ImportKind::Use {
                serde_json::to_string(&RustFact {
                    path: &file.path,
                    line,
                    column,
                    kind: import.kind,
                    module: import.module.as_deref(),
                    name: import.name.as_deref(),
                    asname: import.asname.as_deref(),
                })
            } else {
                serde_json::to_string(&PythonFact {
                    path: &file.path,
                    line,
                    column,
                    kind: import.kind,
                    module: import.module.as_deref(),
                    level: import.level,
                    name: import.name.as_deref(),
                    asname: import.asname.as_deref(),
                    resolved: import.resolved.as_deref(),
                    scope: import.scope,
                    guard: import.guard,
                })
            };
            if let Ok(json) = json {
                out.write_all(json.as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()
}
