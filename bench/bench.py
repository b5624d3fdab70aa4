#!/usr/bin/env python3
"""ssot-audit benchmark: synthetic monorepos and real sdists, side by side
with ripgrep (the I/O floor) and ruff's banned-api rule (TID251).

    python3 bench/bench.py [--quick] [--sizes 2500,10000,40000] [--runs 5]
                           [--no-real] [--bin PATH] [--output BENCHMARKS.md]
    python3 bench/bench.py --verify DIR      # only the planted-count check

Everything it downloads or generates lives in bench/.cache/ (gitignored).
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
        "concept": {
            "name": "symbol", "canonical": "sympy.core.symbol:Symbol",
            "symbols": ["Symbol"], "definition": r"^Symbol$",
            "legacy_modules": ["sympy.core.compatibility"], "allow": ["**/tests/**"],
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

# Synthetic corpus: the legacy modules rules.toml names (ruff bans the same).
SYNTH_LEGACY = ["netra_backend.app.websocket_core.manager", "netra_backend.app.services.websocket_manager"]


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
    return {flag for flag in ("--no-cache", "--no-prefilter", "--no-progress") if flag in text}


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
        log(f"downloading {spec['dist']}=={spec['version']} (sdist) with pip")
        base = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q",
                "-d", sdists, f"{spec['dist']}=={spec['version']}"]
        # Without build isolation pip prepares metadata with the installed
        # setuptools instead of building the build dependencies from source.
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


def python_files(root: str) -> list:
    """(path relative to root, size) of every .py / .pyi file, hidden skipped."""
    out = []
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.endswith((".py", ".pyi")):
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


def peak_rss(argv: list, cwd: str, env: dict) -> tuple[float | None, float | None, int]:
    """Peak RSS in MB and CPU seconds (user + system) of one run, and its
    exit code. CPU time, unlike wall time, barely moves with background load."""
    if os.path.exists("/usr/bin/time"):
        with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as tmp:
            out = tmp.name
        result = run(["/usr/bin/time", "-f", "%M %U %S", "-o", out] + argv, cwd=cwd, env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            with open(out, encoding="utf-8") as handle:
                kb, user, system = handle.read().strip().splitlines()[-1].split()
            rss, cpu = int(kb) / 1024, float(user) + float(system)
        except (ValueError, IndexError):
            rss, cpu = None, None
        os.unlink(out)
        return rss, cpu, result.returncode
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
             "stderr=subprocess.DEVNULL); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
             "print(r.returncode, u.ru_maxrss, u.ru_utime + u.ru_stime)")
    result = run([sys.executable, "-c", probe] + argv, cwd=cwd, env=env, capture_output=True, text=True)
    code, kb, cpu = result.stdout.split()
    return int(kb) / 1024, float(cpu), int(code)


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


def bench_tree(label: str, root: str, binary: str, flags: set, legacy: list, sample: list, args,
               env: dict) -> dict:
    files = python_files(root)
    n_files = len(files)
    n_bytes = sum(size for _, size in files)
    threads = str(args.threads)
    ours = [binary]
    common = ["--threads", threads] + (["--no-cache"] if "--no-cache" in flags else []) \
        + (["--no-progress"] if "--no-progress" in flags else [])
    config = ruff_config(legacy)
    commands = [
        ("rg", ["rg", "-j", threads, "-c", "--type", "py", "import", "."]),
        ("ruff TID251", ["ruff", "check", "--no-cache", "--config", config, "--select", "TID251",
                         "--exit-zero", "--output-format", "concise", "."]),
        ("check", ours + ["check", "--exit-zero"] + common),
        ("report", ours + ["report"] + common),
        ("imports", ours + ["imports", "--format", "jsonl"] + common),
        ("check, 5 files (pre-commit)", ours + ["check", "--exit-zero"] + common + sample),
        ("discover", ours + ["discover", "--format", "json"] + common),
    ]
    if "--no-prefilter" in flags and not args.quick:
        commands.append(("check --no-prefilter", ours + ["check", "--exit-zero", "--no-prefilter"] + common))
        commands.append(("discover --no-prefilter",
                         ours + ["discover", "--format", "json", "--no-prefilter"] + common))
    if "--no-cache" in flags:
        warm = [c for c in common if c != "--no-cache"]
        # Prime the facts cache once, then time warm runs.
        run(ours + ["check", "--exit-zero"] + warm, cwd=root, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        commands.append(("check (warm facts cache)", ours + ["check", "--exit-zero"] + warm))
        commands.append(("check, 5 files (pre-commit, warm facts cache)",
                         ours + ["check", "--exit-zero"] + warm + sample))
    log(f"timing {label}: {n_files} files, {n_bytes / 1e6:.1f} MB")
    started = time.perf_counter()
    for attempt in range(1, args.attempts + 1):
        wait_quiet(args.max_wait)
        wall0 = time.perf_counter()
        busy0, own0 = cpu_seconds()
        timings = time_commands(commands, root, args.runs, args.warmup, env)
        busy1, own1 = cpu_seconds()
        wall = time.perf_counter() - wall0
        # CPU other processes used while we timed, as a share of the machine.
        background = max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall * (os.cpu_count() or 1))
        if background <= 0.05 or attempt == args.attempts:
            break
        log(f"  other processes used {background:.0%} of the CPUs while timing; timing {label} again")
    rows = []
    for name, argv in commands:
        rss, cpu, code = peak_rss(argv, root, env)
        t = timings[name]
        rows.append({"name": name, "argv": argv, "min": t["min"], "median": t["median"], "times": t["times"],
                     "rss_mb": rss, "cpu": cpu, "exit": code})
        if code != 0:
            log(f"warning: {name} exited {code} in {root}")
    shutil.rmtree(os.path.dirname(config), ignore_errors=True)
    shutil.rmtree(os.path.join(root, ".ssot-audit-cache"), ignore_errors=True)
    log(f"  {time.perf_counter() - started:.1f} s")
    summary = None
    result = run(ours + ["report", "--format", "json"] + common, cwd=root, env=env, capture_output=True, text=True)
    try:
        summary = json.loads(result.stdout)
        shutil.rmtree(os.path.join(root, ".ssot-audit-cache"), ignore_errors=True)
    except json.JSONDecodeError:
        pass
    return {"label": label, "root": root, "files": n_files, "bytes": n_bytes, "rows": rows, "sample": sample,
            "report": summary, "background_cpu": background}


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
    ruff = row(tree, "ruff TID251")["median"]
    mb = tree["bytes"] / 1e6
    out = [f"| command | min | median | × rg | × ruff | CPU (user+sys) | peak RSS | files/s | MB/s |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in tree["rows"]:
        pre = "pre-commit" in r["name"]
        files = len(tree["sample"]) if pre else tree["files"]
        rate = f"{files / r['median']:,.0f}"
        mbs = "" if pre else f"{mb / r['median']:,.0f}"
        rss = f"{r['rss_mb']:.0f} MB" if r["rss_mb"] else "?"
        cpu = fmt_s(r["cpu"]) if r.get("cpu") is not None else "?"
        out.append(f"| {r['name']} | {fmt_s(r['min'])} | {fmt_s(r['median'])} | {r['median'] / rg:.2f} | "
                   f"{r['median'] / ruff:.2f} | {cpu} | {rss} | {rate} | {mbs} |")
    return out


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


def targets(synth: list) -> list:
    """(target, measured, met) per the issue."""
    out = []
    by_size = {t["size"]: t for t in synth}
    t10 = by_size.get(10000)
    if t10:
        check = row(t10, "check")["median"]
        rg = row(t10, "rg")["median"]
        ruff = row(t10, "ruff TID251")["median"]
        out.append(("full `check` on 10,000 files ≤ 3× ripgrep", f"{check / rg:.2f}× rg "
                    f"({fmt_s(check)} vs {fmt_s(rg)})", check <= 3 * rg))
        out.append(("full `check` on 10,000 files ≥ 1.5× faster than ruff TID251",
                    f"{ruff / check:.2f}× faster ({fmt_s(check)} vs {fmt_s(ruff)})", ruff >= 1.5 * check))
        pre = row(t10, "check, 5 files (pre-commit)")["median"]
        warm = row(t10, "check, 5 files (pre-commit, warm facts cache)")
        extra = (f"; with a warm facts cache {100 * warm['median'] / check:.0f}% ({fmt_s(warm['median'])})"
                 if warm else "")
        out.append(("pre-commit mode (5 files) ≤ 25% of a full check (10,000 files; both cold)",
                    f"{100 * pre / check:.0f}% ({fmt_s(pre)} vs {fmt_s(check)}){extra}", pre <= 0.25 * check))
        discover = row(t10, "discover")
        if discover:
            out.append(("`discover` on 10,000 files ≤ 1.5× `check`",
                        f"{discover['median'] / check:.2f}× ({fmt_s(discover['median'])} vs {fmt_s(check)})",
                        discover["median"] <= 1.5 * check))
    else:
        out.append(("full `check` on 10,000 files vs ripgrep / ruff", "not measured (10,000 not in --sizes)", None))
    if len(synth) >= 2:
        per = [(t["size"], row(t, "check")["median"] / t["files"]) for t in synth]
        lo = min(p for _, p in per)
        hi = max(p for _, p in per)
        sizes = f"{per[0][0]:,}–{per[-1][0]:,}"
        out.append((f"per-file time of `check` flat within 25% ({sizes} files)",
                    f"max/min = {hi / lo:.2f} ({', '.join(f'{s:,}: {p * 1e6:.0f} µs' for s, p in per)})",
                    hi / lo <= 1.25))
    t40 = by_size.get(40000)
    if t40:
        rss = row(t40, "check")["rss_mb"]
        out.append(("peak RSS of `check` < 200 MB on 40,000 files", f"{rss:.0f} MB" if rss else "?",
                    bool(rss) and rss < 200))
    else:
        out.append(("peak RSS < 200 MB on 40,000 files", "not measured (40,000 not in --sizes)", None))
    return out


def keep_notes(path: str) -> str:
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if NOTES_BEGIN in text and NOTES_END in text:
        return text[text.index(NOTES_BEGIN) + len(NOTES_BEGIN):text.index(NOTES_END)].strip("\n")
    return ""


def render(args, versions: dict, info: dict, synth: list, real: list, checks: list, target_rows: list,
           notes: str, wall: float) -> str:
    how = ("Generated by `python3 bench/bench.py" + (" --quick" if args.quick else "")
           + (f" --sizes {','.join(str(s) for s in args.sizes)} --runs {args.runs}`" if not args.merged else "`")
           + (f" in {wall / 60:.1f} min." if not args.merged else
              "; trees re-timed on a busy machine were merged in with `--reuse` (same binary, see "
              "\"Method\")."))
    out = ["# Benchmarks", "",
           how + " Re-run it to refresh every number below; the corpora and sdists are "
           "cached in `bench/.cache/` (gitignored).", "",
           "## Machine and versions", "",
           f"- CPU: {info['cpu']}, {info['cores']} cores; memory {info['memory']}; Linux {info['kernel']}; "
           f"Python {info['python']}",
           f"- Date: {info['date']}",
           f"- ssot-audit: {versions['ssot']}",
           f"- ripgrep: {versions['rg']}; ruff: {versions['ruff']}; "
           f"timing: {versions['hyperfine'] or 'Python perf_counter loop'}", "",
           "## Method", "",
           f"- Every command runs {args.runs} time(s) after {args.warmup} warm-up run(s) (page cache warm), "
           f"all with {args.threads} threads (`rg -j`, `--threads`, `RAYON_NUM_THREADS` for ruff); "
           "min and median wall time. Output goes to /dev/null.",
           "- rg: `rg -c --type py import .` (the I/O floor: read every Python file once).",
           "- ruff: `ruff check --no-cache --config <tmp>/ruff.toml --select TID251 --exit-zero "
           "--output-format concise .` with `[lint.flake8-tidy-imports.banned-api]` banning the same "
           "legacy modules as rules.toml. (`--isolated` cannot be combined with a config *file* in ruff ≥ 0.5; "
           "a `--config` file already disables configuration discovery.)",
           "- ssot-audit: `check --exit-zero`, `report`, `imports --format jsonl`, `discover --format json`, with cwd = the tree so its "
           "rules.toml is found" + (", `--no-cache` (cold facts cache) unless the row says otherwise"
                                    if versions.get("no_cache") else "") + ".",
           "- pre-commit: `check --exit-zero` with 5 files as arguments (the whole project is still indexed).",
           "- Peak RSS and CPU time (user + system, all threads): one extra run under `/usr/bin/time`. "
           "CPU time is the number least disturbed by other processes on a shared machine.",
           "- Before each tree the script waits for idle CPUs, measures how much CPU other processes used "
           "while it timed, and re-times the tree (up to 3 times) when that exceeded 5%. "
           "`--reuse` re-times only the trees asked for and keeps the others from the last run when the "
           "binary is byte-identical.", ""]
    out += ["## Targets (issue 7)", "", "| target | measured | |", "|---|---|---|"]
    for name, measured, met in target_rows:
        verdict = "—" if met is None else ("**met**" if met else "**not met**")
        out.append(f"| {name} | {measured} | {verdict} |")
    out.append("")
    if synth:
        out += ["## Synthetic monorepo: scaling", "",
                "`bench/gen_corpus.py --seed 7`: packages, services, routes, tests, 10–300-line files, one "
                "~2 MB generated data module per 2,500 files, and the WebSocket-manager fragmentation planted "
                "at fixed rates.", "",
                "| files | MB | rg | ruff TID251 | check | check / rg | ruff / check | µs per file (check) | "
                "per file vs smallest | check CPU µs per file | check peak RSS | planted violations |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        base = row(synth[0], "check")["median"] / synth[0]["files"]
        for t in synth:
            rg = row(t, "rg")["median"]
            ruff = row(t, "ruff TID251")["median"]
            check = row(t, "check")
            per = check["median"] / t["files"]
            rss = f"{check['rss_mb']:.0f} MB" if check["rss_mb"] else "?"
            out.append(f"| {t['files']:,} | {t['bytes'] / 1e6:.0f} | {fmt_s(rg)} | {fmt_s(ruff)} | "
                       f"{fmt_s(check['median'])} | {check['median'] / rg:.2f} | {ruff / check['median']:.2f} | "
                       f"{per * 1e6:.0f} | {per / base:.2f} | "
                       f"{(check['cpu'] or 0) / t['files'] * 1e6:.0f} | {rss} | {t['expected']} |")
        out.append("")
        for t in synth:
            out += [f"### Synthetic, {t['files']:,} files ({t['bytes'] / 1e6:.0f} MB)", "",
                    f"Other processes used {t['background_cpu']:.0%} of the CPUs while this tree was timed.", ""]
            out += tree_table(t)
            out.append("")
    if real:
        out += ["## Real code bases (PyPI sdists)", ""]
        for t in real:
            spec = t["spec"]
            c = spec["concept"]
            rep = ""
            if t["report"]:
                s = t["report"]["summary"]
                rep = (f" ssot-audit finds {s.get('definition_files', '?')} definition files, "
                       f"{s.get('violations', '?')} violations in {s.get('files_with_violations', '?')} files.")
            out += [f"### {spec['dist']} {spec['version']}: {t['files']:,} files, {t['bytes'] / 1e6:.0f} MB", "",
                    f"Concept `{c['name']}`: canonical `{c['canonical']}`, symbols {c['symbols']}, "
                    f"legacy modules {c['legacy_modules']}, src {spec['src']}.{rep} "
                    f"Other processes used {t['background_cpu']:.0%} of the CPUs while this tree was timed.", ""]
            out += tree_table(t)
            out.append("")
    out += ["## Planted counts (synthetic corpora)", "",
            "`EXPECTED.json` is computed by the generator from what it planted, following the README's "
            "\"What one violation is\"; it is compared with `check --format json` (whole tree, per file, the "
            "definitions list, and the 5-file pre-commit run).", "", "```"]
    for label, ok, lines in checks:
        out.append(f"{label}: {'PASS' if ok else 'FAIL'}")
        out += ["  " + line for line in lines]
    out += ["```", "", "## Notes", "", NOTES_BEGIN, notes or "(hand-written observations go here; kept across "
            "re-runs)", NOTES_END, ""]
    return "\n".join(out)


def print_summary(synth: list, real: list, checks: list, target_rows: list) -> None:
    for t in synth + real:
        print(f"\n== {t['label']}: {t['files']:,} files, {t['bytes'] / 1e6:.1f} MB")
        print("\n".join(tree_table(t)))
    print("\n== planted counts")
    for label, ok, lines in checks:
        print(f"{label}: {'PASS' if ok else 'FAIL'}")
        for line in lines:
            print("  " + line)
    print("\n== targets")
    for name, measured, met in target_rows:
        print(f"{'—' if met is None else ('met    ' if met else 'NOT MET')}  {name}: {measured}")


# --------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one run: a smoke test")
    parser.add_argument("--sizes", help="synthetic corpus sizes (default 2500,10000,40000; quick: 1000,2500)")
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
    args.sizes = [int(s) for s in (args.sizes or ("1000,2500" if args.quick else "2500,10000,40000")).split(",")]
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

    synth, real, checks = [], [], []
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
            tree = bench_tree(f"synthetic {n:,}", root, binary, flags, SYNTH_LEGACY,
                              expected["precommit"]["paths"], args, env)
            s = expected["summary"]
            tree["size"] = n
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
            order = [f"{s['dist']} {s['version']}" for s in REAL]
            real.sort(key=lambda t: order.index(t["label"]) if t["label"] in order else 99)
            args.merged = True
            log("merged the other trees of the last run (same binary)")
        else:
            log("--reuse: the last run used another binary; nothing merged")
    target_rows = targets(synth)
    print_summary(synth, real, checks, target_rows)
    output = args.output or (os.path.join(CACHE, "BENCHMARKS.quick.md") if args.quick
                             else os.path.join(REPO, "BENCHMARKS.md"))
    notes = keep_notes(os.path.join(REPO, "BENCHMARKS.md"))
    text = render(args, versions, info, synth, real, checks, target_rows, notes, time.perf_counter() - started)
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    with open(os.path.join(CACHE, "last-run.json"), "w", encoding="utf-8") as handle:
        json.dump({"synthetic": synth, "real": real, "checks": checks, "versions": versions, "machine": info},
                  handle, indent=1, default=str)
    print(f"\nwrote {os.path.relpath(output, REPO)}")
    return 0 if all(ok for _, ok, _ in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
