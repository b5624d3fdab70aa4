#!/usr/bin/env python3
"""Reference implementation (oracle) of the Python part of
`ssot-audit imports --format jsonl`, built on CPython's own `ast` module.

Usage:
    python3 tests/oracle/py_imports.py ROOT [--src S ...] [--files-from F] FILE...

ROOT is the project root; FILE... are paths relative to ROOT with `/`
separators (the files the tool selected -- this script does no file
selection). `--files-from F` adds the paths listed in F, one per line
(`-` = stdin), for lists too long for argv. `--src` gives the `src` import
roots (default `.`), relative to ROOT (an absolute one is made relative to
ROOT). Files whose name does not end in `.py` / `.pyi` are skipped (noted).

stdout: one JSON object per imported name, as specified in DESIGN.md,
"Facts dump (the oracle interface)", sorted by path (byte-wise), line,
column, names of one statement in source order.

stderr: one JSON object per skipped file,
    {"skipped": "<path>", "reason": "<why>"}
for files that are not Python, not UTF-8, unreadable, or that CPython does
not parse (SyntaxError etc.). The Rust test compares only the files not
listed there.

Exit status: 0 on success (skips included), 2 on a usage error, 3 on an
internal consistency failure (a bug in this oracle).

Stdlib only; written for Python 3.11.
"""

import ast
import json
import os
import posixpath
import re
import sys

KEYS = ("path", "line", "column", "kind", "module", "level", "name", "asname",
        "resolved", "scope", "guard")

# DESIGN: lines end at \r\n, \r or \n (and nothing else: not \f, \v, \x1c..,
# \x85, \u2028, which str.splitlines() would also split on).
_LINE_END = re.compile(r"\r\n|\r|\n")


class OracleError(Exception):
    pass


def note_skip(path, reason):
    sys.stderr.write(json.dumps({"skipped": path, "reason": reason},
                                ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------
# src roots and module paths

def normalise_src(entry, root):
    """`./src/` = `src`; `.` / `` / `./` = the project root (returned as '')."""
    if os.path.isabs(entry):
        entry = os.path.relpath(os.path.normpath(entry),
                                os.path.normpath(os.path.abspath(root)))
    entry = entry.replace(os.sep, "/")
    norm = posixpath.normpath(entry) if entry else "."
    if norm == ".":
        return ""
    return norm  # may start with '..' : then it contains no file of ROOT


def root_contains(src_root, path):
    if src_root == "":
        return True
    return path.startswith(src_root + "/")


def module_parts(path, src_roots):
    """(parts, is_package) of the file's module path, or None when the file
    lies under no src root. `parts` is a list of components ([] for
    `<root>/__init__.py`)."""
    best = None
    for r in src_roots:
        if root_contains(r, path):
            depth = 0 if r == "" else r.count("/") + 1
            if best is None or depth > best[0]:
                best = (depth, r)
    if best is None:
        return None
    r = best[1]
    rel = path if r == "" else path[len(r) + 1:]
    if rel.endswith(".pyi"):
        rel = rel[:-4]
    elif rel.endswith(".py"):
        rel = rel[:-3]
    parts = rel.split("/")
    is_package = False
    if parts[-1] == "__init__":
        parts = parts[:-1]
        is_package = True
    return parts, is_package


def resolve(kind, module, level, modinfo):
    if kind == "import" or level == 0:
        return module
    if modinfo is None:
        return None  # under no src root
    parts, is_package = modinfo
    package = parts if is_package else parts[:-1]
    # A file directly under a root (and `<root>/__init__.py`) has no package:
    # len(package) == 0, so every relative import is null.
    drop = level - 1
    if drop >= len(package):
        return None  # level reaches above the top package
    base = package[:len(package) - drop]
    if module:
        base = base + [module]
    return ".".join(base)


# --------------------------------------------------------------------------
# guards

def is_type_checking_test(test):
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING" and isinstance(test.value, ast.Name)
    return False


class FileWalker:
    def __init__(self, path, text, modinfo):
        self.path = path
        self.lines = _LINE_END.split(text)
        self.modinfo = modinfo
        self.facts = []

    # -- positions ---------------------------------------------------------
    def line_text(self, lineno):
        if not 1 <= lineno <= len(self.lines):
            raise OracleError("%s: line %d out of range" % (self.path, lineno))
        return self.lines[lineno - 1]

    def column(self, lineno, col_offset):
        """CPython's col_offset is in UTF-8 bytes; DESIGN wants code points."""
        line = self.line_text(lineno)
        prefix = line.encode("utf-8")[:col_offset]
        try:
            return len(prefix.decode("utf-8"))
        except UnicodeDecodeError:
            raise OracleError("%s:%d: col_offset %d splits a character"
                              % (self.path, lineno, col_offset))

    def starts_with(self, node, word):
        col = self.column(node.lineno, node.col_offset)
        rest = self.line_text(node.lineno)[col:]
        return rest.startswith(word) and not (
            len(rest) > len(word) and (rest[len(word)].isalnum() or rest[len(word)] == "_"))

    # -- walk --------------------------------------------------------------
    def walk_body(self, stmts, scope, guard):
        for s in stmts:
            self.walk_stmt(s, scope, guard)

    def walk_stmt(self, node, scope, guard):
        if isinstance(node, ast.Import):
            self.emit(node, "import", scope, guard)
        elif isinstance(node, ast.ImportFrom):
            self.emit(node, "from", scope, guard)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Guards do not cross a def.
            self.walk_body(node.body, "function", None)
        elif isinstance(node, ast.ClassDef):
            # ... but do cover class bodies.
            self.walk_body(node.body, "class", guard)
        elif isinstance(node, ast.If):
            self.walk_if(node, scope, guard)
        elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            g = guard if guard == "type_checking" else "try"
            self.walk_body(node.body, scope, g)
            for h in node.handlers:
                self.walk_body(h.body, scope, g)
            self.walk_body(node.orelse, scope, g)
            self.walk_body(node.finalbody, scope, g)
        elif isinstance(node, ast.Match):
            for case in node.cases:
                self.walk_body(case.body, scope, guard)
        else:
            # for / async for / while / with / async with, and anything newer:
            # transparent containers. Only statement lists can hold imports.
            for _field, value in ast.iter_fields(node):
                if isinstance(value, list):
                    for item in value:
                        if isinstance(item, ast.stmt):
                            self.walk_stmt(item, scope, guard)

    def walk_if(self, node, scope, guard):
        """An `if` / `elif` ... / `else` chain. CPython represents `elif` as a
        lone nested If in `orelse` whose position is the `elif` keyword; an
        `else:` block holding a plain `if` has its If at the `if` keyword.
        Each if/elif clause body is `type_checking` iff its own test
        qualifies (or an outer guard already is `type_checking`); the final
        `else:` block is never guarded by the chain."""
        clause = node
        while True:
            qualifies = is_type_checking_test(clause.test)
            self.walk_body(clause.body, scope,
                           "type_checking" if qualifies else guard)
            orelse = clause.orelse
            if (len(orelse) == 1 and isinstance(orelse[0], ast.If)
                    and self.starts_with(orelse[0], "elif")):
                clause = orelse[0]
                continue
            for s in orelse:
                if isinstance(s, ast.If) and self.starts_with(s, "elif"):
                    raise OracleError("%s:%d: unexpected elif layout"
                                      % (self.path, s.lineno))
            self.walk_body(orelse, scope, guard)  # the `else:` block
            return

    def emit(self, node, kind, scope, guard):
        line = node.lineno
        col = self.column(line, node.col_offset)
        kw = "import" if kind == "import" else "from"
        if not self.line_text(line)[col:].startswith(kw):
            raise OracleError("%s:%d:%d: statement does not start with %r"
                              % (self.path, line, col + 1, kw))
        if kind == "import":
            module_of = None
            level = 0
        else:
            module_of = node.module
            level = node.level or 0
        for alias in node.names:
            if kind == "import":
                module, name = alias.name, None
            else:
                module, name = module_of, alias.name
            obj = {
                "path": self.path,
                "line": line,
                "column": col + 1,
                "kind": kind,
                "module": module,
                "level": level,
                "name": name,
                "asname": alias.asname,
                "resolved": resolve(kind, module, level, self.modinfo),
                "scope": scope,
                "guard": guard,
            }
            self.facts.append(obj)


# --------------------------------------------------------------------------

def process_file(root, path, src_roots):
    if not (path.endswith(".py") or path.endswith(".pyi")):
        note_skip(path, "not a Python file")
        return []
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        note_skip(path.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
                  "path is not valid UTF-8")
        return []
    try:
        with open(os.path.join(root, path), "rb") as f:
            data = f.read()
    except OSError as e:
        note_skip(path, "cannot read: %s" % e)
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        note_skip(path, "not valid UTF-8: %s" % e)
        return []
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        # A str source: CPython ignores any coding cookie, as DESIGN wants.
        tree = ast.parse(text, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as e:
        note_skip(path, "CPython does not parse it: %s: %s" % (type(e).__name__, e))
        return []
    w = FileWalker(path, text, module_parts(path, src_roots))
    w.walk_body(tree.body, "module", None)
    return w.facts


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 0 if args else 2
    root = None
    srcs = []
    files = []
    list_files = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--src":
            if i + 1 >= len(args):
                sys.stderr.write("py_imports.py: --src needs a value\n")
                return 2
            srcs.append(args[i + 1])
            i += 2
            continue
        if a == "--files-from":
            if i + 1 >= len(args):
                sys.stderr.write("py_imports.py: --files-from needs a value\n")
                return 2
            list_files.append(args[i + 1])
            i += 2
            continue
        if a.startswith("--src="):
            srcs.append(a[len("--src="):])
        elif a.startswith("--files-from="):
            list_files.append(a[len("--files-from="):])
        elif a == "--":
            rest = args[i + 1:]
            if root is None and rest:
                root, rest = rest[0], rest[1:]
            files.extend(rest)
            break
        elif root is None:
            root = a
        else:
            files.append(a)
        i += 1
    if root is None:
        sys.stderr.write("py_imports.py: missing ROOT\n")
        return 2
    for lf in list_files:
        try:
            if lf == "-":
                content = sys.stdin.buffer.read()
            else:
                with open(lf, "rb") as f:
                    content = f.read()
        except OSError as e:
            sys.stderr.write("py_imports.py: cannot read %s: %s\n" % (lf, e))
            return 2
        for raw in content.split(b"\n"):
            raw = raw.rstrip(b"\r")
            if raw:
                files.append(os.fsdecode(raw))
    if not srcs:
        srcs = ["."]
    src_roots = []
    for s in srcs:
        n = normalise_src(s, root)
        if n not in src_roots:
            src_roots.append(n)

    seen = set()
    facts = []
    for p in files:
        p = p.replace(os.sep, "/")
        p = posixpath.normpath(p)
        if p in seen:
            continue
        seen.add(p)
        facts.extend(process_file(root, p, src_roots))

    # Stable sort: the names of one statement keep source order.
    facts.sort(key=lambda o: (o["path"].encode("utf-8"), o["line"], o["column"]))
    out = sys.stdout.buffer
    for o in facts:
        line = json.dumps({k: o[k] for k in KEYS}, ensure_ascii=False,
                          separators=(",", ":"))
        out.write(line.encode("utf-8") + b"\n")
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OracleError as e:
        sys.stderr.write("py_imports.py: internal error: %s\n" % e)
        sys.exit(3)
