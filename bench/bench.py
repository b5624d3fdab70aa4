#!/usr/bin/env python3
"""ssot-audit benchmark: synthetic monorepos and real sdists, side by side
with ripgrep (the I/O floor) and ruff's banned-api rule (TID251).

    python3 bench/bench.py [--quick] [--sizes 2500,10000] [--runs 5]
                           [--no-real] [--no-rust] [--bin PATH] [--output BENCHMARKS.md]
    python3 bench/bench.py --verify DIR      # only the planted-count check

Per tree it times rg, ruff TID251 (Python), a cold `check --no-cache`, a warm
`check` (facts cache filled, nothing changed), a 5-file pre-commit run (warm and
cold), `report`, `imports`, `plan`, `discover` and `history` (on a 3-commit git
repository made from the tree), with peak RSS, the facts cache's size, and the
files read / parsed when the binary has `--stats`; then a targets table.

Everything it downloads or generates lives in bench/.cache/ (gitignored): the
synthetic corpora, the PyPI sdists, a ~90 MB tree of crates.io sources.
A full run writes BENCHMARKS.md at the repository root; --quick (small sizes,
one run) writes bench/.cache/BENCHMARKS.quick.md instead, unless --output.
Hand-written notes between the `notes:begin` / `notes:end` markers of an
existing BENCHMARKS.md are kept. Standard library only.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import glob
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CACHE = os.path.join(HERE, ".cache")
GEN = os.path.join(HERE, "gen_corpus.py")
SEED = 7

NOTES_BEGIN = "<!-- notes:begin -->"
NOTES_END = "<!-- notes:end -->"

# Real code bases: pinned sdists and a concept that exists in each.
REAL = [
    {
        "name": "django", "dist": "Django", "version": "5.1.4", "root": "Django-5.1.4",
        "src": ["."],
        "concept": {
            "name": "http-response", "canonical": "django.http.response:HttpResponse",
            "symbols": ["HttpResponse"], "definition": r"^\w*HttpResponse$",
            "legacy_modules": ["django.http"], "allow": ["tests/**"],
        },
    },
    {
        "name": "sympy", "dist": "sympy", "version": "1.13.3", "root": "sympy-1.13.3",
        "src": ["."],
        # Import Symbol from its module, not through the `sympy.core` facade.
        "concept": {
            "name": "symbol", "canonical": "sympy.core.symbol:Symbol",
            "symbols": ["Symbol", "Dummy"], "definition": r"^(Symbol|Dummy)$",
            "legacy_modules": ["sympy.core"], "allow": ["**/tests/**"],
        },
    },
    {
        "name": "sqlalchemy", "dist": "SQLAlchemy", "version": "2.0.36", "root": "sqlalchemy-2.0.36",
        "src": ["lib", "."],
        "concept": {
            "name": "orm-session", "canonical": "sqlalchemy.orm.session:Session",
            "symbols": ["Session"], "definition": r"^\w*Session$",
            "legacy_modules": ["sqlalchemy.orm"], "allow": ["test/**"],
        },
    },
]

# Synthetic corpus: the legacy modules rules.toml names (ruff bans the same);
# EXPECTED.json lists them from generator version 6 on.
SYNTH_LEGACY = ["netra_backend.app.websocket_core.manager", "netra_backend.app.services.websocket_manager"]

# The Rust tree: popular crates.io sources (~93 MB of .rs), downloaded once.
# `Match` / `HalfMatch` are defined in regex-automata, aho-corasick and regex;
# the concept asks for regex-automata's canonical module instead of its crate
# root re-export or the `meta` module.
RUST_CRATES = [
    ("windows-sys", "0.59.0"), ("windows-sys", "0.52.0"), ("linux-raw-sys", "0.6.5"), ("libc", "0.2.164"),
    ("web-sys", "0.3.72"), ("tokio", "1.41.1"), ("tokio-util", "0.7.12"), ("syn", "2.0.90"),
    ("proc-macro2", "1.0.92"), ("serde", "1.0.215"), ("serde_json", "1.0.133"), ("regex", "1.11.1"),
    ("regex-automata", "0.4.9"), ("regex-syntax", "0.8.5"), ("aho-corasick", "1.1.3"), ("memchr", "2.7.4"),
    ("rustix", "0.38.41"), ("hyper", "1.5.1"), ("h2", "0.4.7"), ("reqwest", "0.12.9"),
    ("clap_builder", "4.5.21"), ("hashbrown", "0.15.2"), ("rayon", "1.10.0"), ("rayon-core", "1.12.1"),
    ("encoding_rs", "0.8.35"), ("futures-util", "0.3.31"), ("tracing", "0.1.41"), ("chrono", "0.4.38"),
    ("nom", "7.1.3"), ("winnow", "0.6.20"), ("toml_edit", "0.22.22"), ("url", "2.5.4"), ("idna", "1.0.3"),
    ("wasm-bindgen", "0.2.95"),
]
RUST_RULES = """\
# Written by bench/bench.py: a concept defined in several of these crates.
[settings]
src = ["."]
include = ["**/*.rs"]

[[concept]]
name = "search-match"
canonical = "regex_automata::util::search::Match"
symbols = ["Match", "HalfMatch"]
definition = '^(Half)?Match$'
legacy_modules = ["regex_automata::meta"]
allow = ["**/tests/**", "**/benches/**"]
severity = "error"
"""
RUST_SYMBOLS = ["Match", "HalfMatch"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, **kw)


# --------------------------------------------------------------------------
# Tools.


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def apt_install(package: str) -> None:
    log(f"installing {package} with apt-get")
    if run(["apt-get", "install", "-y", package], stdout=subprocess.DEVNULL).returncode != 0:
        run(["apt-get", "update"], stdout=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", package], stdout=subprocess.DEVNULL)


def ensure_tools() -> dict:
    if not have("rg"):
        apt_install("ripgrep")
    if not have("ruff"):
        log("installing ruff with pip")
        run([sys.executable, "-m", "pip", "install", "-q", "ruff"])
    if not have("hyperfine"):
        apt_install("hyperfine")
    if not os.path.exists("/usr/bin/time"):
        apt_install("time")
    for tool in ("rg", "ruff"):
        if not have(tool):
            raise SystemExit(f"{tool} is required and could not be installed")
    return {
        "rg": first_line(["rg", "--version"]),
        "ruff": first_line(["ruff", "--version"]),
        "hyperfine": first_line(["hyperfine", "--version"]) if have("hyperfine") else None,
        "time": os.path.exists("/usr/bin/time"),
    }


def first_line(cmd) -> str:
    try:
        return run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def ensure_binary(path: str | None, build: bool) -> tuple[str, str]:
    """A private copy of the ssot-audit binary (a rebuild mid-run cannot swap
    it) and a version string with the git commit."""
    if path is None:
        path = os.path.join(REPO, "target", "release", "ssot-audit")
        stale = not os.path.exists(path) or newest_source() > os.path.getmtime(path)
        if build and stale:
            log("building ssot-audit (cargo build --release)")
            result = run(["cargo", "build", "--release"], cwd=REPO)
            if result.returncode != 0 and os.path.exists(path):
                log("warning: the build failed; benchmarking the existing (stale) binary")
        if not os.path.exists(path):
            raise SystemExit(f"{path} is missing and could not be built")
    os.makedirs(os.path.join(CACHE, "bin"), exist_ok=True)
    copy = os.path.join(CACHE, "bin", "ssot-audit")
    if os.path.abspath(path) != os.path.abspath(copy):
        shutil.copy2(path, copy)
    version = first_line([copy, "--version"])
    commit = run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    dirty = run(["git", "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"], cwd=REPO,
                capture_output=True, text=True).stdout.strip()
    if commit:
        version += f" (git {commit}{', uncommitted changes in src/' if dirty else ''})"
    with open(copy, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:12]
    return copy, f"{version} [binary sha256 {digest}]"


def newest_source() -> float:
    newest = 0.0
    for base in (os.path.join(REPO, "src"),):
        for dirpath, _, names in os.walk(base):
            for name in names:
                newest = max(newest, os.path.getmtime(os.path.join(dirpath, name)))
    for name in ("Cargo.toml", "Cargo.lock"):
        p = os.path.join(REPO, name)
        if os.path.exists(p):
            newest = max(newest, os.path.getmtime(p))
    return newest


def tool_flags(binary: str) -> set:
    text = run([binary, "check", "--help"], capture_output=True, text=True).stdout
    top = run([binary, "--help"], capture_output=True, text=True).stdout
    flags = {flag for flag in ("--no-cache", "--no-prefilter", "--no-progress", "--stats") if flag in text}
    if "--stats" in top:
        flags.add("--stats")
    return flags


# --------------------------------------------------------------------------
# Trees.


def synthetic_tree(n: int) -> str:
    with open(GEN, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()[:10]
    path = os.path.join(CACHE, "synthetic", f"n{n}-seed{SEED}-{digest}")
    if os.path.exists(os.path.join(path, "EXPECTED.json")):
        return path
    for old in glob.glob(os.path.join(CACHE, "synthetic", f"n{n}-seed{SEED}-*")):
        shutil.rmtree(old)
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    log(f"generating the synthetic {n}-file corpus")
    started = time.perf_counter()
    result = run([sys.executable, GEN, tmp, "--files", str(n), "--seed", str(SEED)])
    if result.returncode != 0:
        raise SystemExit("gen_corpus.py failed")
    os.rename(tmp, path)
    log(f"  generated in {time.perf_counter() - started:.1f} s")
    return path


def corpus_shape(root: str) -> dict | None:
    """gen_corpus.py's --stats numbers for a generated tree."""
    result = run([sys.executable, "-c", "import json, sys; sys.path.insert(0, sys.argv[1]); import gen_corpus; "
                  "print(json.dumps(gen_corpus.tree_stats(sys.argv[2])))", HERE, root],
                 capture_output=True, text=True)
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        return None


def toml_list(items) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def real_tree(spec: dict) -> str | None:
    sdists = os.path.join(CACHE, "sdists")
    os.makedirs(sdists, exist_ok=True)
    want = f"{spec['dist']}-{spec['version']}.tar.gz".lower()

    def find():
        for name in os.listdir(sdists):
            if name.lower() == want:
                return os.path.join(sdists, name)
        return None

    archive = find()
    if archive is None:
        log(f"downloading {spec['dist']}=={spec['version']} (sdist) from the package index")
        # The index's JSON listing (PEP 691) names the sdist and its hash;
        # `pip download` would prepare metadata, which needs a build backend.
        if not sdist_from_index(spec["dist"], want, sdists):
            log("  falling back to pip download")
            base = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                    "-d", sdists, f"{spec['dist']}=={spec['version']}"]
            if run(base + ["--no-build-isolation"]).returncode != 0 or find() is None:
                run(base)
        archive = find()
        if archive is None:
            log(f"warning: could not download {spec['dist']}; skipped")
            return None
    extracted = os.path.join(CACHE, "real")
    root = os.path.join(extracted, spec["root"])
    if not os.path.isdir(root):
        os.makedirs(extracted, exist_ok=True)
        with tarfile.open(archive) as tar:
            try:
                tar.extractall(extracted, filter="data")
            except TypeError:
                tar.extractall(extracted)
    c = spec["concept"]
    rules = (
        "# Written by bench/bench.py: a concept that exists in this code base.\n"
        "[settings]\n"
        f"src = {toml_list(spec['src'])}\n\n"
        "[[concept]]\n"
        f"name = {json.dumps(c['name'])}\n"
        f"canonical = {json.dumps(c['canonical'])}\n"
        f"symbols = {toml_list(c['symbols'])}\n"
        f"definition = '{c['definition']}'\n"
        f"legacy_modules = {toml_list(c['legacy_modules'])}\n"
        f"allow = {toml_list(c['allow'])}\n"
        'severity = "error"\n'
    )
    with open(os.path.join(root, "rules.toml"), "w", encoding="utf-8") as handle:
        handle.write(rules)
    return root


def rust_tree() -> str | None:
    """The crates of RUST_CRATES, extracted side by side under one root with a
    rules.toml; the .crate archives are kept in bench/.cache/crates/."""
    digest = hashlib.sha256(repr(RUST_CRATES).encode()).hexdigest()[:10]
    root = os.path.join(CACHE, "rust", f"crates-{digest}")
    if not os.path.isdir(root):
        archives = os.path.join(CACHE, "crates")
        os.makedirs(archives, exist_ok=True)
        tmp = root + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        for name, version in RUST_CRATES:
            archive = os.path.join(archives, f"{name}-{version}.crate")
            if not os.path.exists(archive):
                log(f"downloading {name} {version} from crates.io")
                if not download(f"https://static.crates.io/crates/{name}/{name}-{version}.crate", archive) \
                        and not download(f"https://crates.io/api/v1/crates/{name}/{version}/download", archive):
                    log(f"warning: could not download {name} {version}; the Rust tree is skipped")
                    shutil.rmtree(tmp, ignore_errors=True)
                    return None
            with tarfile.open(archive) as tar:
                try:
                    tar.extractall(tmp, filter="data")
                except TypeError:
                    tar.extractall(tmp)
        for old in glob.glob(os.path.join(CACHE, "rust", "crates-*")):
            if old != tmp:
                shutil.rmtree(old, ignore_errors=True)
        os.rename(tmp, root)
    with open(os.path.join(root, "rules.toml"), "w", encoding="utf-8") as handle:
        handle.write(RUST_RULES)
    return root


def sdist_from_index(dist: str, filename: str, directory: str) -> bool:
    """Downloads `filename` (lower case) of `dist` from PyPI, checking its sha256."""
    import hashlib
    import urllib.request
    index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
    request = urllib.request.Request(f"{index}/{dist.lower()}/", headers={
        "Accept": "application/vnd.pypi.simple.v1+json", "User-Agent": "ssot-audit-bench (bench/bench.py)"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            listing = json.load(response)
    except (OSError, ValueError) as error:
        log(f"  {index}: {error}")
        return False
    entry = next((f for f in listing.get("files", []) if f.get("filename", "").lower() == filename), None)
    if entry is None:
        log(f"  {index}/{dist}: no {filename}")
        return False
    path = os.path.join(directory, entry["filename"])
    if not download(entry["url"], path):
        return False
    want = entry.get("hashes", {}).get("sha256")
    with open(path, "rb") as handle:
        got = hashlib.sha256(handle.read()).hexdigest()
    if want and got != want:
        log(f"  {entry['filename']}: sha256 {got} is not the index's {want}")
        os.remove(path)
        return False
    return True


def download(url: str, path: str) -> bool:
    import urllib.request
    request = urllib.request.Request(url, headers={"User-Agent": "ssot-audit-bench (bench/bench.py)"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response, open(path + ".part", "wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as error:
        log(f"  {url}: {error}")
        return False
    os.rename(path + ".part", path)
    return True


HISTORY_COMMITS = 3
HISTORY_CHANGED = 10


def history_repo(root: str, files: list) -> str | None:
    """A git repository holding a copy of `root` in HISTORY_COMMITS commits:
    the whole tree, then HISTORY_CHANGED files changed per commit (a line
    appended). Built once per tree (bench/.cache/history/), or None without git."""
    if not have("git"):
        return None
    digest = hashlib.sha256(os.path.abspath(root).encode()).hexdigest()[:10]
    repo = os.path.join(CACHE, "history", f"{os.path.basename(root)}-{digest}")
    if os.path.isdir(os.path.join(repo, ".git")):
        return repo
    shutil.rmtree(repo, ignore_errors=True)
    log(f"  building a {HISTORY_COMMITS}-commit git repository from {os.path.basename(root)}")
    shutil.copytree(root, repo, symlinks=True, ignore=shutil.ignore_patterns(".ssot-audit-cache"))
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid")

    def git(*argv, date=None):
        e = dict(env, GIT_AUTHOR_DATE=date or "", GIT_COMMITTER_DATE=date or "") if date else env
        return run(["git", "-c", "core.autocrlf=false", "-c", "commit.gpgsign=false", *argv], cwd=repo, env=e,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    if not (git("init", "-q") and git("add", "-A") and git("commit", "-q", "-m", "import the tree",
                                                           date="2026-01-01T00:00:00+00:00")):
        shutil.rmtree(repo, ignore_errors=True)
        return None
    paths = [rel for rel, _ in files]
    step = max(1, len(paths) // (HISTORY_CHANGED * HISTORY_COMMITS))
    for k in range(1, HISTORY_COMMITS):
        for rel in paths[k::step][:HISTORY_CHANGED]:
            with open(os.path.join(repo, rel), "ab") as handle:
                handle.write(f"\n# touched in commit {k + 1}\n".encode() if rel.endswith((".py", ".pyi"))
                             else f"\n// touched in commit {k + 1}\n".encode())
        git("commit", "-q", "-a", "-m", f"change {HISTORY_CHANGED} files ({k + 1})",
            date=f"2026-01-0{k + 1}T00:00:00+00:00")
    return repo


def python_files(root: str, exts=(".py", ".pyi")) -> list:
    """(path relative to root, size) of every .py / .pyi file (or `exts`), hidden skipped."""
    out = []
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.endswith(exts):
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full):
                continue
            out.append((os.path.relpath(full, root).replace(os.sep, "/"), os.path.getsize(full)))
    return out


def precommit_sample(root: str, files: list, symbols: list) -> list:
    """Five files that mention the concept, spread over the sorted file list."""
    hits = []
    pattern = re.compile("|".join(re.escape(s) for s in symbols).encode())
    for rel, _ in files:
        with open(os.path.join(root, rel), "rb") as handle:
            if pattern.search(handle.read()):
                hits.append(rel)
    pool = hits if len(hits) >= 5 else [rel for rel, _ in files]
    step = max(1, len(pool) // 5)
    return pool[::step][:5]


def ruff_config(legacy: list) -> str:
    directory = tempfile.mkdtemp(prefix="ssot-bench-ruff-")
    path = os.path.join(directory, "ruff.toml")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[lint.flake8-tidy-imports.banned-api]\n")
        for module in legacy:
            handle.write(f'"{module}".msg = "legacy module: import the canonical one"\n')
    return path


# --------------------------------------------------------------------------
# Timing.


def cpu_busy(interval: float = 1.0) -> float:
    """Fraction of all CPU time used (by anyone) over `interval` seconds."""
    def snap():
        with open("/proc/stat", encoding="utf-8") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return sum(values), values[3] + values[4]
    try:
        total1, idle1 = snap()
        time.sleep(interval)
        total2, idle2 = snap()
    except (OSError, IndexError, ValueError):
        return 0.0
    return 1.0 - (idle2 - idle1) / max(1, total2 - total1)


def cpu_seconds() -> tuple[float, float]:
    """(busy CPU seconds of the whole machine, CPU seconds of this process
    and its waited-for descendants) so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/stat", encoding="utf-8") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    busy = (sum(values) - values[3] - values[4]) / ticks
    own = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        own += usage.ru_utime + usage.ru_stime
    return busy, own


def wait_quiet(max_wait: float) -> float:
    """Waits (up to `max_wait` s) until other processes leave the CPUs idle;
    returns the background load seen last (0..1)."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    announced = False
    while busy > 0.10 and time.monotonic() < deadline:
        if not announced:
            log(f"  waiting for an idle machine (background CPU {busy:.0%})")
            announced = True
        time.sleep(4)
        busy = cpu_busy()
    return busy


def time_commands(commands: list, cwd: str, runs: int, warmup: int, env: dict) -> dict:
    """{label: {"min", "median", "times"}} via hyperfine when installed,
    else a perf_counter loop. Output is discarded."""
    results = {}
    if have("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
            export = tmp.name
        cmd = ["hyperfine", "-N", "-i", "--style", "none", "--runs", str(runs), "--warmup", str(warmup),
               "--export-json", export]
        for label, argv in commands:
            cmd += ["-n", label, " ".join(argv)]
        result = run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode == 0:
            with open(export, encoding="utf-8") as handle:
                data = json.load(handle)
            os.unlink(export)
            for entry in data["results"]:
                times = entry["times"]
                results[entry["command"]] = {"min": min(times), "median": statistics.median(times),
                                             "times": times}
            return results
        log(f"hyperfine failed ({result.stderr.strip()[:300]}); timing with a Python loop")
    for label, argv in commands:
        times = []
        for i in range(warmup + runs):
            started = time.perf_counter()
            run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            if i >= warmup:
                times.append(elapsed)
        results[label] = {"min": min(times), "median": statistics.median(times), "times": times}
    return results


def peak_rss(argv: list, cwd: str, env: dict) -> tuple[float | None, float | None, float | None, int]:
    """Peak RSS in MB, CPU seconds (user + system) and system seconds of one
    run, and its exit code. CPU time, unlike wall time, barely moves with
    background load."""
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as tmp:
            out = tmp.name
        result = run(["/usr/bin/time", "-f", "%M %U %S", "-o", out] + argv, cwd=cwd, env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with open(out, encoding="utf-8") as handle:
                kb, user, system = handle.read().strip().splitlines()[-1].split()
            rss, cpu, sys_s = int(kb) / 1024, float(user) + float(system), float(system)
        except (ValueError, IndexError):
            rss, cpu, sys_s = None, None, None
        os.unlink(out)
        return rss, cpu, sys_s, result.returncode
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(r.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime)")
    result = run([sys.executable, "-c", probe] + argv, cwd=cwd, env=env, capture_output=True, text=True)
    code, kb, cpu = result.stdout.split()
    return int(kb) / 1024, float(cpu), None, int(code)


# --------------------------------------------------------------------------
# The planted-count check.


def verify(binary: str, root: str, flags: set) -> tuple[bool, list]:
    """Compares `check --format json` with EXPECTED.json: whole tree, then
    the pre-commit sample. Returns (ok, report lines)."""
    with open(os.path.join(root, "EXPECTED.json"), encoding="utf-8") as handle:
        expected = json.load(handle)
    extra = ["--no-cache"] if "--no-cache" in flags else []
    lines = []
    ok = True

    def check(paths):
        result = run([binary, "check", "--format", "json", "--exit-zero", *extra, *paths], cwd=root,
                     capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"check exited {result.returncode}: {result.stderr[:500]}")
        return json.loads(result.stdout)

    def summarise(data):
        concept = next(c for c in data["concepts"] if c["name"] == expected["concept"])
        via = collections.Counter(f"{v['code']}/{v['via']}" for v in data["violations"]
                                  if v["concept"] == expected["concept"])
        return concept, dict(sorted(via.items()))

    def compare(label, concept, via, want, files_scanned=None):
        nonlocal ok
        got = {k: concept[k] for k in ("violations", "definition_files", "files_with_violations",
                                       "canonical_imports", "compliance")}
        got["by_code"] = {k: concept["by_code"].get(k, 0) for k in ("SSOT001", "SSOT002", "SSOT003")}
        got["by_via"] = via
        exp = {k: want[k] for k in got}
        if files_scanned is not None:
            got["files_scanned"], exp["files_scanned"] = files_scanned
        bad = [k for k in exp if got[k] != exp[k]]
        if bad:
            ok = False
            lines.append(f"FAIL {label}:")
            for k in bad:
                lines.append(f"  {k}: tool {got[k]} != expected {exp[k]}")
        else:
            lines.append(f"PASS {label}: {got['violations']} violations in {got['files_with_violations']} files, "
                         f"{got['definition_files']} definition files, {got['canonical_imports']} canonical "
                         f"imports, compliance {got['compliance']}")

    data = check([])
    concept, via = summarise(data)
    compare("whole tree", concept, via, expected["summary"],
            (data["summary"]["files_scanned"], expected["files_scanned"]))
    per_file = collections.defaultdict(collections.Counter)
    for v in data["violations"]:
        per_file[v["path"]][f"{v['code']}/{v['via']}"] += 1
    diffs = [p for p in sorted(set(per_file) | set(expected["per_file"]))
             if dict(per_file.get(p, {})) != expected["per_file"].get(p, {})]
    if diffs:
        ok = False
        lines.append(f"FAIL per-file counts differ in {len(diffs)} files, e.g.:")
        for p in diffs[:10]:
            lines.append(f"  {p}: tool {dict(per_file.get(p, {}))} expected {expected['per_file'].get(p, {})}")
    defs = sorted([d["path"], d["name"]] for d in concept["definitions"])
    if defs != expected["definitions"]:
        ok = False
        lines.append(f"FAIL definitions: extra {[d for d in defs if d not in expected['definitions']][:5]}, "
                     f"missing {[d for d in expected['definitions'] if d not in defs][:5]}")
    notes = sorted({n["path"] for n in data.get("notes", []) if n.get("code") == "SSOT900"})
    planted = expected["parse_error_files"]
    lines.append(f"info SSOT900 notes: {len(notes)} of {len(planted)} planted syntax-error files"
                 + ("" if notes == planted else
                    f" (not reported: {', '.join(p for p in planted if p not in notes)})"))
    sample = expected["precommit"]["paths"]
    if sample:
        data = check(sample)
        concept, via = summarise(data)
        compare(f"pre-commit mode ({len(sample)} files)", concept, via, expected["precommit"]["expected"])
    if extra:
        # The same through the facts cache: a cold run writes it, a warm run reads it.
        cache = os.path.join(root, ".ssot-audit-cache")
        shutil.rmtree(cache, ignore_errors=True)
        extra = []
        check([])
        data = check([])
        concept, via = summarise(data)
        compare("whole tree, warm facts cache", concept, via, expected["summary"],
                (data["summary"]["files_scanned"], expected["files_scanned"]))
        if sample:
            data = check(sample)
            concept, via = summarise(data)
            compare(f"pre-commit mode, warm facts cache", concept, via, expected["precommit"]["expected"])
        shutil.rmtree(cache, ignore_errors=True)
    return ok, lines


# --------------------------------------------------------------------------
# One tree.


def parse_stats(text: str) -> dict | None:
    """What `--stats` prints on stderr: the counts line (`stats: selected=N read=R ...`, or
    `history: commits=N ...`) as integers and the `timing: phase=12.3ms` lines as milliseconds."""
    found = None
    for line in text.splitlines():
        if line.startswith(("stats:", "history:")):
            found = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
        elif line.startswith("timing:") and found is not None:
            found.update({f"{k}_ms": float(v) for k, v in re.findall(r"(\w+)=([\d.]+)ms", line)})
    return found


def cache_bytes(root: str) -> tuple[int, bool]:
    """Bytes under .ssot-audit-cache/ and whether a facts cache file exists."""
    directory = os.path.join(root, ".ssot-audit-cache")
    total = 0
    for dirpath, _, names in os.walk(directory):
        for name in names:
            try:
                total += os.path.getsize(os.path.join(dirpath, name))
            except OSError:
                pass
    return total, any(os.path.exists(os.path.join(directory, name)) for name in ("facts.bin", "facts.json"))


def bench_tree(label: str, root: str, binary: str, flags: set, legacy: list, sample: list, args,
               env: dict, language: str = "python") -> dict:
    python = language == "python"
    files = python_files(root) if python else python_files(root, (".rs",))
    n_files = len(files)
    n_bytes = sum(size for _, size in files)
    threads = str(args.threads)
    ours = [binary]
    quiet = ["--no-progress"] if "--no-progress" in flags else []
    cold = ["--threads", threads] + (["--no-cache"] if "--no-cache" in flags else []) + quiet
    warm = ["--threads", threads] + quiet
    commands = [("rg", ["rg", "-j", threads, "-c", "--type", "py" if python else "rust",
                        "import" if python else "use", "."])]
    config = None
    if python:
        config = ruff_config(legacy)
        commands.append(("ruff TID251", ["ruff", "check", "--no-cache", "--config", config, "--select", "TID251",
                                         "--exit-zero", "--output-format", "concise", "."]))
    commands += [
        ("check", ours + ["check", "--exit-zero"] + cold),
        ("check (warm)", ours + ["check", "--exit-zero"] + warm),
        ("pre-commit, 5 files (warm)", ours + ["check", "--exit-zero"] + warm + sample),
        ("pre-commit, 5 files (cold)", ours + ["check", "--exit-zero"] + cold + sample),
        ("report", ours + ["report"] + cold),
        ("imports", ours + ["imports", "--format", "jsonl"] + cold),
        ("plan", ours + ["plan"] + cold),
    ]
    if python:
        commands.append(("discover", ours + ["discover", "--format", "json"] + cold))
    if "--no-prefilter" in flags and not args.quick:
        commands.append(("check --no-prefilter", ours + ["check", "--exit-zero", "--no-prefilter"] + cold))
    repo = history_repo(root, files) if not args.no_history else None
    history = [("history", ours + ["history", "--format", "json"] + cold)] if repo else []

    def prime():
        shutil.rmtree(os.path.join(root, ".ssot-audit-cache"), ignore_errors=True)
        run(ours + ["check", "--exit-zero"] + warm, cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    log(f"timing {label}: {n_files} files, {n_bytes / 1e6:.1f} MB")
    started = time.perf_counter()
    for attempt in range(1, args.attempts + 1):
        wait_quiet(args.max_wait)
        prime()
        wall0 = time.perf_counter()
        busy0, own0 = cpu_seconds()
        timings = time_commands(commands, root, args.runs, args.warmup, env)
        if history:
            timings.update(time_commands(history, repo, args.runs, args.warmup, env))
        busy1, own1 = cpu_seconds()
        wall = time.perf_counter() - wall0
        # CPU other processes used while we timed, as a share of the machine.
        background = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall * (os.cpu_count() or 1))
        if background <= 0.05 or attempt == args.attempts:
            break
        log(f"  other processes used {background:.0%} of the CPUs while timing; timing {label} again")
    rows = []
    for name, argv in commands + history:
        rss, cpu, sys_s, code = peak_rss(argv, repo if (name, argv) in history else root, env)
        t = timings[name]
        rows.append({"name": name, "argv": argv, "min": t["min"], "median": t["median"], "times": t["times"],
                     "rss_mb": rss, "cpu": cpu, "sys": sys_s, "exit": code})
        if code not in (0, 1):
            log(f"warning: {name} exited {code} in {root}")
    # The facts cache after one warm-up check, and what --stats says.
    prime()
    cache, cache_written = cache_bytes(root)
    stats = {}
    if "--stats" in flags:
        # One run of each command with --stats: the counts and the time per phase (the profile
        # printed beside each target). The warm ones after the priming run above.
        profiled = [("cold", ["check", "--exit-zero"] + cold, root),
                    ("warm", ["check", "--exit-zero"] + warm, root),
                    ("pre-commit", ["check", "--exit-zero"] + warm + sample, root),
                    ("imports", ["imports", "--format", "jsonl"] + cold, root),
                    ("plan", ["plan"] + cold, root)]
        if repo:
            profiled.append(("history", ["history", "--format", "json"] + cold, repo))
        for mode, argv, cwd in profiled:
            result = run(ours + argv + ["--stats"], cwd=cwd, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            stats[mode] = parse_stats(result.stderr)
    if config:
        shutil.rmtree(os.path.dirname(config), ignore_errors=True)
    shutil.rmtree(os.path.join(root, ".ssot-audit-cache"), ignore_errors=True)
    log(f"  {time.perf_counter() - started:.1f} s")
    summary = None
    result = run(ours + ["report", "--format", "json"] + cold, cwd=root, env=env, capture_output=True, text=True)
    try:
        summary = json.loads(result.stdout)
    except json.JSONDecodeError:
        pass
    return {"label": label, "root": root, "files": n_files, "bytes": n_bytes, "rows": rows, "sample": sample,
            "report": summary, "background_cpu": background, "language": language,
            "cache_bytes": cache, "cache_written": cache_written, "stats": stats,
            "history_commits": HISTORY_COMMITS if repo else 0}


# --------------------------------------------------------------------------
# Output.


def fmt_s(seconds: float) -> str:
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.3f} s"


def row(tree: dict, name: str) -> dict | None:
    return next((r for r in tree["rows"] if r["name"] == name), None)


def tree_table(tree: dict) -> list:
    rg = row(tree, "rg")["median"]
    ruff_row = row(tree, "ruff TID251")
    ruff = ruff_row["median"] if ruff_row else None
    check = row(tree, "check")["median"]
    mb = tree["bytes"] / 1e6
    out = ["| command | min | median | × rg | × ruff | × check | CPU (user+sys) | peak RSS | files/s | MB/s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in tree["rows"]:
        pre = "pre-commit" in r["name"]
        median = r["median"]
        name = r["name"]
        if r["name"] == "history" and tree.get("history_commits"):
            median = r["median"] / tree["history_commits"]
            name = f"history, per commit ({tree['history_commits']} commits: {fmt_s(r['median'])})"
        files = len(tree["sample"]) if pre else tree["files"]
        rate = f"{files / median:,.0f}"
        mbs = "" if pre else f"{mb / median:,.0f}"
        rss = f"{r['rss_mb']:.0f} MB" if r["rss_mb"] else "?"
        cpu = fmt_s(r["cpu"]) if r.get("cpu") is not None else "?"
        xruff = f"{median / ruff:.2f}" if ruff else ""
        out.append(f"| {name} | {fmt_s(r['min'])} | {fmt_s(median)} | {median / rg:.2f} | "
                   f"{xruff} | {median / check:.2f} | {cpu} | {rss} | {rate} | {mbs} |")
    return out


def facts_lines(tree: dict) -> list:
    """The facts cache's size and the files read / parsed (--stats)."""
    cache = tree.get("cache_bytes", 0)
    if tree.get("cache_written"):
        size = f"{cache / 1e6:.1f} MB, {100 * cache / tree['bytes']:.0f}% of the {tree['bytes'] / 1e6:.0f} MB of source"
    else:
        size = (f"no cache file written ({cache:,} bytes in the directory): the cache would exceed the tool's "
                "bound, so warm runs are cold runs")
    out = [f"- Facts cache after one `check`: {size}."]
    stats = tree.get("stats") or {}
    for mode in ("cold", "warm"):
        st = stats.get(mode)
        if st:
            out.append(f"- `--stats`, {mode} `check`: selected {st.get('selected', '?'):,}, read {st.get('read', '?'):,}, "
                       f"parsed {st.get('parsed', '?'):,}, from the cache {st.get('cached', '?'):,}, "
                       f"cache {st.get('cache_bytes', 0) / 1e6:.1f} MB.")
    if not stats:
        out.append("- Files read / parsed: n/a (this binary has no `--stats`).")
    return out


def parsed_read(tree: dict, mode: str) -> str:
    st = (tree.get("stats") or {}).get(mode)
    if not st:
        return "n/a"
    return f"{st.get('parsed', '?'):,} / {st.get('read', '?'):,}"


def machine() -> dict:
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem,
            "kernel": platform.release(), "python": platform.python_version(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


def cpu_ratio(a: dict, b: dict) -> str:
    """`; CPU x×`: the same ratio in CPU seconds, steadier on a busy machine."""
    if a.get("cpu") and b.get("cpu") and b["cpu"] >= 0.05:
        return f"; CPU time {a['cpu'] / b['cpu']:.1f}×"
    return ""


def verdict(value: float, limit: float) -> tuple[str, bool]:
    """`value` against an upper `limit`: the text of the gap and whether met."""
    if value <= limit:
        return f"met ({value / limit:.0%} of the limit)", True
    return f"not met: {value / limit:.2f}× over the limit", False


def ms(value) -> str:
    return "?" if value is None else f"{value:.0f} ms"


def cpu_split(r: dict | None) -> str:
    """`CPU 0.79 s (sys 0.21 s)` of one row's run under /usr/bin/time."""
    if not r or r.get("cpu") is None:
        return ""
    sys_s = f" (sys {r['sys']:.2f} s)" if r.get("sys") is not None else ""
    return f"CPU {r['cpu']:.2f} s{sys_s}"


def scan_profile(tree: dict, mode: str, r: dict | None = None) -> str:
    """Where one run's wall time went, from its `--stats` line and `timing:` lines."""
    st = (tree.get("stats") or {}).get(mode)
    if not st:
        return "no `--stats` profile (binary without the flag)"
    parts = [f"select {ms(st.get('select_ms'))} ({st.get('selected', 0):,} files)"]
    read = st.get("read", 0)
    cached = st.get("cached", 0)
    first = f"first round {ms(st.get('first_round_ms'))}: read {read:,}"
    if cached:
        first += f", {cached:,} from the cache"
    first += (f", parsed {st.get('parsed', 0):,} ({st.get('parsed_bytes', 0) / 1e6:.1f} MB of "
              f"{tree['bytes'] / 1e6:.0f} MB)")
    parts.append(first)
    rounds = st.get("rounds", 0)
    if rounds:
        again = max(0, st.get("reads", read) - read)
        parts.append(f"later rounds {ms(st.get('later_rounds_ms'))} ({rounds} rounds, {again:,} files read again)")
    if "rules_ms" in st:
        parts.append(f"index and rules {ms(st.get('rules_ms'))}")
    if "fixes_ms" in st:
        parts.append(f"fixes {ms(st.get('fixes_ms'))}")
    if "passes_ms" in st:
        parts.append(f"index, rules and fixes {ms(st.get('rules_and_fixes_ms'))}; fix passes in memory "
                     f"{ms(st.get('passes_ms'))}")
    if r:
        phases = sum(st.get(k, 0.0) for k in ("select_ms", "first_round_ms", "later_rounds_ms", "rules_ms",
                                              "fixes_ms", "rules_and_fixes_ms", "passes_ms"))
        parts.append(f"the rest (start-up, rules.toml, output) {ms(max(0.0, 1e3 * r['median'] - phases))} "
                     f"of the {fmt_s(r['median'])} median")
    split = cpu_split(r)
    return "; ".join(parts) + (f"; {split}" if split else "")


def history_profile(tree: dict, r: dict | None) -> str:
    st = (tree.get("stats") or {}).get("history")
    if not st:
        return "no `--stats` profile"
    cold = (tree.get("stats") or {}).get("cold") or {}
    text = (f"{st.get('commits', 0)} commits, {st.get('audited', 0)} trees audited; {st.get('reads', 0):,} blobs "
            f"read from git (a cold `check` reads {cold.get('read', 0):,} files), {st.get('parsed', 0):,} parsed "
            f"({cold.get('parsed', 0):,} in `check`), {st.get('rounds', 0)} pre-filter rounds; tree listing "
            f"{ms(st.get('list_ms'))}, reading + searching + parsing blobs {ms(st.get('parse_ms'))}, index and "
            f"rules {ms(st.get('audit_ms'))}")
    split = cpu_split(r)
    return text + (f"; {split}" if split else "") + (f"; {fmt_s(r['median'])} for all commits" if r else "")


def tree_targets(tree: dict) -> list:
    """(target, measured, verdict text, met, profile) for one tree: the profile
    (from `--stats`) says where the time of the measured command went."""
    out = []
    rg_row = row(tree, "rg")
    rg = rg_row["median"]
    check = row(tree, "check")
    ruff = row(tree, "ruff TID251")
    c = check["median"]
    cold_profile = (f"{scan_profile(tree, 'cold', check)}; rg reads the same files in {fmt_s(rg)}, "
                    f"{cpu_split(rg_row)}")
    text, ok = verdict(c / rg, 3.0)
    out.append(("cold `check --no-cache` ≤ 3× rg", f"{c / rg:.2f}× rg ({fmt_s(c)} vs {fmt_s(rg)}"
                f"{cpu_ratio(check, rg_row)})", text, ok, cold_profile))
    text, ok = verdict(c / rg, 2.0)
    out.append(("moonshot: cold `check` ≤ 2× rg", f"{c / rg:.2f}× rg", text, ok, cold_profile))
    if ruff:
        r = ruff["median"]
        faster = r / c
        ok = faster >= 3.0
        text = (f"met ({faster / 3:.2f}× the required speed-up)" if ok else
                f"not met: needs {3 * c / r:.2f}× less time (≤ {fmt_s(r / 3)})")
        out.append(("cold `check` ≥ 3× faster than ruff TID251", f"{faster:.2f}× faster ({fmt_s(c)} vs {fmt_s(r)}"
                    f"{cpu_ratio(ruff, check)})", text, ok,
                    f"ruff parses all {tree['files']:,} files ({cpu_split(ruff)}); ours: "
                    + scan_profile(tree, "cold", check)))
    warm = row(tree, "check (warm)")
    w = warm["median"]
    text, ok = verdict(w / rg, 2.0)
    out.append(("warm `check` ≤ 2× rg", f"{w / rg:.2f}× rg ({fmt_s(w)}{cpu_ratio(warm, rg_row)})", text, ok,
                scan_profile(tree, "warm", warm)))
    pre = row(tree, "pre-commit, 5 files (warm)")
    p = pre["median"]
    text, ok = verdict(p / c, 0.25)
    out.append(("pre-commit (5 files, warm) ≤ 25% of a cold check", f"{100 * p / c:.0f}% ({fmt_s(p)} vs {fmt_s(c)})",
                text, ok, scan_profile(tree, "pre-commit", pre)))
    for name, label in (("check", "cold"), ("check (warm)", "warm")):
        rss = row(tree, name)["rss_mb"]
        if rss:
            text, ok = verdict(rss, 150)
            st = (tree.get("stats") or {}).get(label) or {}
            out.append((f"peak RSS ≤ 150 MB ({label} `check`)", f"{rss:.0f} MB", text, ok,
                        f"{st.get('parsed', 0):,} files' facts parsed and held, {tree['bytes'] / 1e6:.0f} MB "
                        "of source read (the bytes of files not parsed kept up to 24 MiB)"))
    cache = tree.get("cache_bytes", 0)
    if tree.get("cache_written"):
        share = cache / tree["bytes"]
        text, ok = verdict(share, 0.10)
        out.append(("facts cache ≤ 10% of source size", f"{100 * share:.0f}% ({cache / 1e6:.1f} MB of "
                    f"{tree['bytes'] / 1e6:.0f} MB)", text, ok,
                    f"facts of {tree['files']:,} files; full facts for the parsed ones"))
    else:
        out.append(("facts cache ≤ 10% of source size", "not written (over the tool's bound)",
                    "not met (no warm cache at all)", False, "the facts exceed the cache's bound"))
    nopre = row(tree, "check --no-prefilter")
    for name in ("imports", "report", "plan", "history"):
        r = row(tree, name)
        if not r:
            continue
        m = r["median"] / tree["history_commits"] if name == "history" else r["median"]
        label = "`history` per commit" if name == "history" else f"`{name}`"
        text, ok = verdict(m / c, 1.5)
        if name == "imports":
            profile = ("the dump needs every file's facts, so no pre-filter: "
                       + scan_profile(tree, "imports", r)
                       + (f"; `check --no-prefilter` takes {fmt_s(nopre['median'])} "
                          f"({nopre['median'] / c:.2f}× `check`)" if nopre else ""))
        elif name == "history":
            profile = history_profile(tree, r)
        elif name == "plan":
            profile = (scan_profile(tree, "plan", r) + "; fixes computed for "
                       f"{((tree.get('report') or {}).get('summary') or {}).get('violations', '?')} violations "
                       f"(`check`: {ms(((tree.get('stats') or {}).get('cold') or {}).get('fixes_ms'))})")
        else:
            profile = cpu_split(r)
        out.append((f"{label} ≤ 1.5× `check`", f"{m / c:.2f}× ({fmt_s(m)})", text, ok, profile))
    return out


def targets(synth: list, real: list, rust: list) -> list:
    """The targets table: the 10,000-file synthetic tree (or the largest
    measured), then the Rust tree against rg."""
    out = []
    main = next((t for t in synth if t["size"] == 10000), synth[-1] if synth else None)
    if main:
        where = f"synthetic {main['files']:,}"
        for name, measured, text, ok, profile in tree_targets(main):
            if "RSS" in name and main["files"] < 10000:
                name += f" (measured on {main['files']:,} files, target is for 10,000)"
            out.append((f"{name} [{where}]", measured, text, ok, profile))
    for t in rust:
        out.append(rust_target(t))
    return out


def rust_target(t: dict) -> tuple:
    rg = row(t, "rg")
    c = row(t, "check")
    text, ok = verdict(c["median"] / rg["median"], 3.0)
    return (f"Rust: ~90 MB crate tree, cold `check` ≤ 3× rg [{t['files']:,} files, {t['bytes'] / 1e6:.0f} MB]",
            f"{c['median'] / rg['median']:.2f}× rg ({fmt_s(c['median'])} vs {fmt_s(rg['median'])}"
            f"{cpu_ratio(c, rg)})", text, ok,
            f"{scan_profile(t, 'cold', c)}; rg reads the same files in {fmt_s(rg['median'])}, {cpu_split(rg)}")


def unmet_profiles(trees: list, rust: list) -> list:
    """Per tree, each target not met: the gap and the profile that explains it."""
    out = []
    for t in trees + rust:
        rows = tree_targets(t) if t.get("language") != "rust" else [rust_target(t)]
        unmet = [r for r in rows if not r[3]]
        out += [f"**{t['label']}**: " + (f"{len(rows) - len(unmet)} of {len(rows)} targets met." if unmet else
                                         f"all {len(rows)} targets met."), ""]
        for name, measured, text, _, profile in unmet:
            out.append(f"- {name}: {measured}, {text}. Profile: {profile}.")
        if unmet:
            out.append("")
    return out


def targets_matrix(trees: list) -> list:
    """Every target on every tree: measured value, ✓ or ✗."""
    names = []
    cells = {}
    for t in trees:
        for name, measured, text, ok, _ in tree_targets(t):
            if name not in names:
                names.append(name)
            cells[(name, t["label"])] = f"{measured.split(' (')[0]} {'✓' if ok else '✗'}"
    out = ["| target | " + " | ".join(t["label"] for t in trees) + " |",
           "|---|" + "---:|" * len(trees)]
    for name in names:
        out.append(f"| {name} | " + " | ".join(cells.get((name, t["label"]), "") for t in trees) + " |")
    return out


def corpus_lines(stats: dict) -> list:
    if not stats:
        return []
    w = stats["words"]
    return [f"- {stats['files']:,} files, {stats['bytes'] / 1e6:.0f} MB: mean {stats['mean_bytes'] / 1e3:.1f} KB, "
            f"median {stats['median_bytes'] / 1e3:.1f} KB, p99 {stats['p99_bytes'] / 1e3:.0f} KB, "
            f"{stats['files_over_1mb']} files over 1 MB (largest {stats['max_bytes'] / 1e6:.1f} MB).",
            f"- {stats['pct_importing']}% of the files import something; {stats['pct_with_legacy_parent']}% name a "
            f"legacy module's parent package; {stats['pct_with_concept_symbol']}% mention a concept symbol.",
            "- Files holding the legacy modules' words as a whole word (all occurrences): "
            + ", ".join(f"`{k}` {v['pct_files']}% ({v['occurrences']:,})" for k, v in w.items()) + "."]


def keep_notes(path: str) -> str:
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if NOTES_BEGIN in text and NOTES_END in text:
        return text[text.index(NOTES_BEGIN) + len(NOTES_BEGIN):text.index(NOTES_END)].strip("\n")
    return ""


def render(args, versions: dict, info: dict, synth: list, real: list, rust: list, checks: list,
           target_rows: list, notes: str, wall: float) -> str:
    how = ("`python3 bench/bench.py" + (" --quick" if args.quick else "")
           + f" --sizes {','.join(str(t['size']) for t in synth) or 'none'} --runs {args.runs}`"
           + (f" ({wall / 60:.1f} min)" if not args.merged else
              " (the trees this run did not time merged, with `--reuse`, from the previous run of the same "
              "binary)"))
    out = ["# Benchmarks", "",
           f"`ssot-audit` against ripgrep (the I/O floor) and ruff's banned-api rule (TID251), from one run of "
           f"{how}. How to reproduce: [below](#how-to-reproduce). Where the time goes: "
           "[ARCHITECTURE.md](ARCHITECTURE.md#performance-notes).", "",
           "## Machine and versions", "",
           f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}; Linux {info['kernel']}; "
           f"Python {info['python']}",
           f"- Date: {info['date']}",
           f"- ssot-audit: {versions['ssot']}",
           f"- ripgrep: {versions['rg']}; ruff: {versions['ruff']}; "
           f"timing: {versions['hyperfine'] or 'Python perf_counter loop'}", ""]
    out += ["## Targets", "",
            "Measured on the 10,000-file synthetic tree unless the row says otherwise; medians of wall time.", "",
            "The profile of a target not met is from one more run of the command with `--stats` (its phases' "
            "wall time and counts) and its CPU time under `/usr/bin/time`; \"the rest\" is the timed median less "
            "that run's phases, so on a noisy machine it also holds the difference between the runs.", "",
            "| target | measured | verdict | profile (targets not met) |", "|---|---|---|---|"]
    for name, measured, text, met, profile in target_rows:
        out.append(f"| {name} | {measured} | {'**' + text + '**' if not met else text} | "
                   f"{profile if not met else ''} |")
    out.append("")
    trees = synth + real
    if trees:
        out += ["### Every Python tree", "", *targets_matrix(trees), ""]
    if trees or rust:
        out += ["### Targets not met, per tree, and where the time goes", "", *unmet_profiles(trees, rust)]
    out += ["## Method", "",
            f"- Every command runs {args.runs} time(s) after {args.warmup} warm-up run(s) (page cache warm), "
            f"all with {args.threads} threads (`rg -j`, `--threads`, `RAYON_NUM_THREADS` for ruff); "
            "min and median wall time. Output goes to /dev/null.",
            "- rg: `rg -c --type py import .` (`--type rust use` on the Rust tree): read every source file once.",
            "- ruff: `ruff check --no-cache --config <tmp>/ruff.toml --select TID251 --exit-zero "
            "--output-format concise .`, `[lint.flake8-tidy-imports.banned-api]` banning the same legacy modules "
            "as rules.toml.",
            "- ssot-audit, with cwd = the tree so its rules.toml is found: `check --exit-zero --no-cache` (cold: "
            "the facts cache neither read nor written), `check --exit-zero` after one priming run (warm: cache "
            "filled, nothing changed), pre-commit = `check` with 5 files as arguments (the whole project is still "
            "indexed; files that mention the concept, spread over the tree), `report`, `imports --format jsonl`, "
            "`plan`, `discover --format json`, `check --no-prefilter`, all `--no-cache` except the warm rows.",
            f"- history: `history --format json --no-cache` in a git repository holding a copy of the tree in "
            f"{HISTORY_COMMITS} commits (the tree, then {HISTORY_CHANGED} files changed per commit); the target "
            "compares its time per commit with a cold `check`.",
            "- Peak RSS and CPU time (user + system, all threads): one extra run under `/usr/bin/time`. CPU time "
            "is the number least disturbed by other processes on a shared machine.",
            "- Facts cache: the size of `.ssot-audit-cache/` after one `check`. Files read / parsed: the "
            "`--stats` line of `check` when the binary has the flag, else n/a.",
            "- Before each tree the script waits for idle CPUs, measures how much CPU other processes used while "
            "it timed, and re-times the tree (up to 3 times) when that exceeded 5%.",
            "- Synthetic sizes: 2,500 and 10,000 files by default. At the realistic ~18 KB per file a "
            "40,000-file tree is ~730 MB; generating it, copying it into a git repository for `history` and "
            "timing a dozen commands on it (ruff alone ~15 s a run on 2 cores) would take most of an hour, so "
            "it is opt-in (`--sizes 2500,10000,40000`).", ""]
    if synth:
        out += ["## Synthetic monorepo", "",
                f"`bench/gen_corpus.py --seed 7` (generator version {synth[0].get('generator', '?')}): packages, "
                "services, routes, tests, scripts, generated data modules, and the WebSocket-manager concept "
                "fragmented at fixed rates, with the legacy modules' last components (`manager`, `websocket`) "
                "and parents (`...app.core`, `...app.utils`) common throughout the code, as in the real monorepo "
                "it is modelled on. Shape of the trees (`gen_corpus.py --stats`):", ""]
        for t in synth:
            out += [f"**{t['files']:,} files**", "", *corpus_lines(t.get("shape")), ""]
        out += ["| files | MB | rg | ruff TID251 | check (cold) | check (warm) | check / rg | ruff / check | "
                "parsed / read (cold; warm) | cache / source | cold RSS | warm RSS | planted violations |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for t in synth:
            out.append(summary_row(t))
        out.append("")
    for t in synth + real + rust:
        out += [f"### {t['label']}: {t['files']:,} files, {t['bytes'] / 1e6:.0f} MB", ""]
        spec = t.get("spec")
        if spec:
            c = spec["concept"]
            out += [f"Concept `{c['name']}`: canonical `{c['canonical']}`, symbols {c['symbols']}, "
                    f"legacy modules {c['legacy_modules']}, src {spec['src']}.", ""]
        if t.get("report"):
            s = t["report"]["summary"]
            out += [f"ssot-audit finds {s.get('definition_files', '?')} definition files, "
                    f"{s.get('violations', '?')} violations in {s.get('files_with_violations', '?')} files. "
                    f"Other processes used {t['background_cpu']:.0%} of the CPUs while this tree was timed.", ""]
        out += tree_table(t)
        out += ["", *facts_lines(t), ""]
    out += ["## Planted counts (synthetic corpora)", "",
            "`EXPECTED.json` is computed by the generator from what it planted, following the README's "
            "\"What one violation is\"; it is compared with `check --format json` (whole tree, per file, the "
            "definitions list, and the 5-file pre-commit run, cold and warm).", "", "```"]
    for label, ok, lines in checks:
        out.append(f"{label}: {'PASS' if ok else 'FAIL'}")
        out += ["  " + line for line in lines]
    out += ["```", ""]
    out += ["## Notes", "", NOTES_BEGIN, notes or "(observations about the current numbers; kept across re-runs)",
            NOTES_END, ""]
    out += HOW_TO
    return "\n".join(out)


def summary_row(t: dict) -> str:
    rg = row(t, "rg")["median"]
    ruff = row(t, "ruff TID251")["median"]
    c = row(t, "check")
    w = row(t, "check (warm)")
    cache = f"{100 * t['cache_bytes'] / t['bytes']:.0f}%" if t.get("cache_written") else "not written"
    rss = lambda r: f"{r['rss_mb']:.0f} MB" if r["rss_mb"] else "?"  # noqa: E731
    return (f"| {t['files']:,} | {t['bytes'] / 1e6:.0f} | {fmt_s(rg)} | {fmt_s(ruff)} | {fmt_s(c['median'])} | "
            f"{fmt_s(w['median'])} | {c['median'] / rg:.2f} | {ruff / c['median']:.2f} | {parsed_read(t, 'cold')}; {parsed_read(t, 'warm')} | "
            f"{cache} | {rss(c)} | {rss(w)} | {t.get('expected', '')} |")


HOW_TO = ["## How to reproduce", "", "```sh",
          "python3 bench/bench.py                                # sizes 2500,10000, 5 runs, sdists, Rust tree",
          "python3 bench/bench.py --sizes 2500,10000 --runs 3    # as recorded above",
          "python3 bench/bench.py --quick                        # smoke test: 1000 and 2500 files, 1 run",
          "python3 bench/bench.py --sizes 10000 --no-real --no-rust  # one synthetic tree only",
          "python3 bench/bench.py --verify DIR                   # only compare DIR's EXPECTED.json with the tool",
          "python3 bench/gen_corpus.py OUT --files 10000 --stats # a corpus on its own, and its shape",
          "```", "",
          "`bench/bench.py` (Python 3, standard library only) builds `target/release/ssot-audit` when `src/` is "
          "newer (`--no-build` never builds, `--bin PATH` uses another binary) and times a private copy of it; "
          "installs rg, hyperfine and `/usr/bin/time` with apt-get and ruff with pip when missing; generates the "
          "synthetic corpora (seed 7) in `bench/.cache/synthetic/`; downloads the Django 5.1.4, sympy 1.13.3 and "
          "SQLAlchemy 2.0.36 sdists from the package index (its JSON listing, hashes checked; `pip download` when that fails) and the crates listed in "
          "`RUST_CRATES` from static.crates.io into `bench/.cache/`; builds the `history` repositories in "
          "`bench/.cache/history/`; checks the planted counts (exit 1 when one fails); writes this file "
          "(`--quick`: `bench/.cache/BENCHMARKS.quick.md`, or `--output FILE`) and the raw numbers to "
          "`bench/.cache/last-run.json`. Text between the `notes:begin` / `notes:end` markers is kept.", "",
          "Other options: `--runs N` (default 5), `--warmup N` (default 1), `--threads N` (default: all CPUs), "
          "`--attempts N` (re-time a tree when other processes used more than 5% of the CPUs, default 3), "
          "`--max-wait S` (seconds to wait for idle CPUs, default 180), `--no-real`, `--no-synthetic`, "
          "`--no-rust`, `--no-history`, `--reuse` (keep the trees of the last run that this run does not "
          "measure, when the binary is byte-identical).", ""]


def print_summary(synth: list, real: list, rust: list, checks: list, target_rows: list) -> None:
    for t in synth + real + rust:
        print(f"\n== {t['label']}: {t['files']:,} files, {t['bytes'] / 1e6:.1f} MB")
        print("\n".join(tree_table(t)))
        print("\n".join(facts_lines(t)))
    print("\n== planted counts")
    for label, ok, lines in checks:
        print(f"{label}: {'PASS' if ok else 'FAIL'}")
        for line in lines:
            print("  " + line)
    print("\n== targets")
    for name, measured, text, met, profile in target_rows:
        print(f"{'met    ' if met else 'NOT MET'}  {name}: {measured} — {text}")
        if not met:
            print(f"         profile: {profile}")
    print("\n== targets not met on the other trees")
    print("\n".join(unmet_profiles([t for t in synth + real if t.get("size") != 10000], [])))


# --------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run: a smoke test")
    parser.add_argument("--sizes", help="synthetic corpus sizes (default 2500,10000; quick: 1000,2500)")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 5; quick: 1)")
    parser.add_argument("--warmup", type=int, help="warm-up runs per command (default 1)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--attempts", type=int, default=3,
                        help="re-time a tree (up to this many times) when other processes used >5%% of the "
                             "CPUs meanwhile (default 3)")
    parser.add_argument("--max-wait", type=float, default=180,
                        help="seconds to wait for an idle CPU before timing each tree (default 180)")
    parser.add_argument("--no-real", action="store_true", help="skip the PyPI sdists")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic corpora")
    parser.add_argument("--no-rust", action="store_true", help="skip the crates.io Rust tree")
    parser.add_argument("--no-history", action="store_true", help="do not time `history` (no git repositories)")
    parser.add_argument("--bin", help="the ssot-audit binary (default target/release/ssot-audit)")
    parser.add_argument("--no-build", action="store_true", help="never run cargo build")
    parser.add_argument("--output", help="where to write the markdown report")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the trees of the last run (bench/.cache/last-run.json) that this run does "
                             "not measure, when they were measured with the same binary")
    parser.add_argument("--verify", metavar="DIR", help="only compare DIR's EXPECTED.json with the tool")
    args = parser.parse_args(argv)

    if args.verify:
        binary, _ = ensure_binary(args.bin, not args.no_build)
        ok, lines = verify(binary, os.path.abspath(args.verify), tool_flags(binary))
        print("\n".join(lines))
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1

    args.merged = False
    args.sizes = [int(s) for s in (args.sizes or ("1000,2500" if args.quick else "2500,10000")).split(",")]
    args.runs = args.runs or (1 if args.quick else 5)
    args.warmup = args.warmup if args.warmup is not None else (0 if args.quick else 1)
    started = time.perf_counter()
    os.makedirs(CACHE, exist_ok=True)
    versions = ensure_tools()
    binary, versions["ssot"] = ensure_binary(args.bin, not args.no_build)
    flags = tool_flags(binary)
    versions["no_cache"] = "--no-cache" in flags
    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    info = machine()

    synth, real, rust, checks = [], [], [], []
    if not args.no_synthetic:
        for n in args.sizes:
            root = synthetic_tree(n)
            with open(os.path.join(root, "EXPECTED.json"), encoding="utf-8") as handle:
                expected = json.load(handle)
            try:
                ok, lines = verify(binary, root, flags)
            except (RuntimeError, json.JSONDecodeError, StopIteration, KeyError) as error:
                ok, lines = False, [f"cannot compare: {error}"]
            checks.append((f"synthetic {n:,} files", ok, lines))
            log(f"planted counts, {n} files: {'PASS' if ok else 'FAIL'}")
            tree = bench_tree(f"synthetic {n:,}", root, binary, flags, expected.get("legacy_modules", SYNTH_LEGACY),
                              expected["precommit"]["paths"], args, env)
            s = expected["summary"]
            tree["size"] = n
            tree["generator"] = expected["generator"]["version"]
            tree["shape"] = corpus_shape(root)
            tree["expected"] = f"{s['violations']} in {s['files_with_violations']} files"
            synth.append(tree)
    if not args.no_real:
        for spec in REAL:
            root = real_tree(spec)
            if root is None:
                continue
            files = python_files(root)
            sample = precommit_sample(root, files, spec["concept"]["symbols"])
            tree = bench_tree(f"{spec['dist']} {spec['version']}", root, binary, flags,
                              spec["concept"]["legacy_modules"], sample, args, env)
            tree["spec"] = spec
            real.append(tree)
    if not args.no_rust:
        root = rust_tree()
        if root is not None:
            files = python_files(root, (".rs",))
            sample = precommit_sample(root, files, RUST_SYMBOLS)
            tree = bench_tree(f"Rust: {len(RUST_CRATES)} crates", root, binary, flags, [], sample, args, env,
                              language="rust")
            rust.append(tree)

    last = os.path.join(CACHE, "last-run.json")
    if args.reuse and os.path.exists(last):
        with open(last, encoding="utf-8") as handle:
            previous = json.load(handle)
        digest = lambda v: v.rsplit("[binary sha256", 1)[-1] if "[binary sha256" in v else None  # noqa: E731
        if digest(previous.get("versions", {}).get("ssot", "")) == digest(versions["ssot"]):
            versions["ssot"] = previous["versions"]["ssot"]  # the commit it was built from
            have_synth = {t["size"] for t in synth}
            synth += [t for t in previous["synthetic"] if t["size"] not in have_synth]
            synth.sort(key=lambda t: t["size"])
            have_checks = {label for label, _, _ in checks}
            checks += [tuple(c) for c in previous["checks"] if c[0] not in have_checks]
            checks.sort(key=lambda c: int(c[0].split()[1].replace(",", "")))
            have_real = {t["label"] for t in real}
            real += [t for t in previous["real"] if t["label"] not in have_real]
            if not rust:
                rust = previous.get("rust", [])
            order = [f"{s['dist']} {s['version']}" for s in REAL]
            real.sort(key=lambda t: order.index(t["label"]) if t["label"] in order else 99)
            args.merged = True
            log("merged the other trees of the last run (same binary)")
        else:
            log("--reuse: the last run used another binary; nothing merged")
    target_rows = targets(synth, real, rust)
    print_summary(synth, real, rust, checks, target_rows)
    output = args.output or (os.path.join(CACHE, "BENCHMARKS.quick.md") if args.quick
                             else os.path.join(REPO, "BENCHMARKS.md"))
    notes = keep_notes(os.path.join(REPO, "BENCHMARKS.md"))
    text = render(args, versions, info, synth, real, rust, checks, target_rows, notes, time.perf_counter() - started)
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    with open(os.path.join(CACHE, "last-run.json"), "w", encoding="utf-8") as handle:
        json.dump({"synthetic": synth, "real": real, "rust": rust, "checks": checks, "versions": versions,
                   "machine": info},
                  handle, indent=1, default=str)
    print(f"\nwrote {os.path.relpath(output, REPO)}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
