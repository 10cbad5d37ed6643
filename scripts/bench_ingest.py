"""Benchmark: cockpit's cold index, warm start and live append against ccusage and a plain orjson loop.

    .venv/bin/python scripts/bench_ingest.py --quick            # ~50 MB smoke run
    .venv/bin/python scripts/bench_ingest.py                     # ~1.2 GB, ~2,000 sessions
    .venv/bin/python scripts/bench_ingest.py --corpus DIR --runs 5

Steps: generate (or reuse) a corpus with scripts/gen_corpus.py; read it once so every contender
starts from a warm page cache; then, as medians of --runs runs:
  cold index   `cockpit index` into a new database (wall time, peak RSS of the child)
  warm start   `cockpit sessions --json --all` on the indexed database (first-paint proxy), and
               scripts/bench_screen.py's measure_first_paint(args) when that function exists
  append       one assistant line appended to a live session, Ingestor.ingest_file timed in-process
  ccusage      `ccusage daily --json --offline` (npm, scratch folder) cold and after one appended line
  orjson loop  one core: skip lines without b'"usage"', orjson the rest, dedup by (message.id, requestId)
  baseline     with --baseline DIR (a folder holding an older copy of the `cockpit` package): its cold
               index too, in the same rounds, for a before/after under the same load
  unchanged    `cockpit index` again on the indexed database (nothing changed), against a Python
               os.walk + stat of the same files, both as processes; and in-process, the catch-up
               (Ingestor.ingest_all) against the walk alone
Cold index, ccusage and the orjson loop run interleaved (one of each per round), medians reported.
Every appended line is removed again at the end, so the corpus keeps matching its manifest.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
COCKPIT = ROOT / ".venv" / "bin" / "cockpit"
GEN = ROOT / "scripts" / "gen_corpus.py"
MIB = 1024 * 1024
FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")

# The targets.
TARGET_FIRST_PAINT_S = 1.0
TARGET_APPEND_MS = 10.0
TARGET_RSS_MIB = 150.0


@dataclass
class Run:
    seconds: float
    rss: int  # bytes
    rc: int
    stdout: str = ""
    stderr: str = ""


@dataclass
class Measure:
    name: str
    runs: list[Run] = field(default_factory=list)
    error: str = ""
    note: str = ""

    @property
    def ok(self) -> list[Run]:
        return [r for r in self.runs if r.rc == 0]

    def median(self) -> float | None:
        ok = self.ok
        return statistics.median(r.seconds for r in ok) if ok else None

    def peak_rss(self) -> int | None:
        ok = self.ok
        return max(r.rss for r in ok) if ok else None


def run_timed(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 3600.0, cwd: str | None = None) -> Run:
    """Wall time and peak RSS of one child (os.wait4 gives that child's own rusage, not a running max)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        except OSError as exc:
            return Run(0.0, 0, 127, "", str(exc))
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss * 1024, proc.returncode,
                   out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def fmt_s(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def fmt_mib(value: int | None) -> str:
    return "—" if value is None else f"{value / MIB:.0f} MiB"


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or a <= 0 or b <= 0:
        return "—"
    r = a / b
    return f"{r:.2f}x" if r >= 0.01 else f"1/{1 / r:,.0f}"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def last_error(run: Run) -> str:
    text = (run.stderr or run.stdout).strip().splitlines()
    return " | ".join(text[-3:])[:400] if text else f"exit code {run.rc}"


# ---- corpus ---------------------------------------------------------------------------------------


def ensure_corpus(args: argparse.Namespace, work: Path) -> Path:
    if args.corpus:
        corpus = Path(args.corpus).resolve()
        if not (corpus / "claude").is_dir() and not (corpus / "codex").is_dir():
            sys.exit(f"{corpus}: no claude/ or codex/ folder (generate one with scripts/gen_corpus.py)")
        print(f"corpus: reusing {corpus}")
        return corpus
    target = args.target_bytes or (50_000_000 if args.quick else 1_200_000_000)
    sessions = args.sessions or max(5, round(target / 600_000))
    corpus = work / f"corpus-{target // 1_000_000}MB-s{args.seed}"
    manifest = corpus / "manifest.json"
    if manifest.exists():
        meta = json.loads(manifest.read_text())
        if meta.get("target_bytes") == target and meta.get("seed") == args.seed:
            print(f"corpus: reusing {corpus} ({meta['totals']['bytes'] / 1e6:,.0f} MB, {meta['totals']['sessions']} sessions)")
            return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    print(f"corpus: generating ~{target / 1e6:,.0f} MB in ~{sessions} sessions -> {corpus}")
    run = run_timed([sys.executable, str(GEN), str(corpus), "--sessions", str(sessions), "--target-bytes", str(target),
                     "--seed", str(args.seed), "-q"])
    if run.rc != 0:
        sys.exit(f"gen_corpus failed: {last_error(run)}")
    meta = json.loads(manifest.read_text())
    t = meta["totals"]
    print(f"        {t['sessions']} sessions, {t['files']} files, {t['lines']:,} lines, {t['bytes'] / 1e6:,.0f} MB "
          f"in {run.seconds:.1f} s ({t['bytes'] / 1e6 / run.seconds:,.0f} MB/s, peak RSS {fmt_mib(run.rss)})")
    return corpus


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for sub in ("claude", "codex") if (corpus / sub).is_dir() for p in (corpus / sub).rglob("*.jsonl"))


def warm_page_cache(corpus: Path) -> int:
    """Read every file once so no contender pays for the first read from disk."""
    total = 0
    for path in corpus_files(corpus):
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                total += len(chunk)
    return total


def live_session(corpus: Path) -> Path:
    """The Claude main session that started last (the one a user would be watching)."""
    manifest = corpus / "manifest.json"
    if manifest.exists():
        entries = [e for e in json.loads(manifest.read_text())["sessions"] if e["agent"] == "claude"]
        if entries:
            return corpus / max(entries, key=lambda e: (e["started_at"], e["bytes"]))["path"]
    mains = [p for p in (corpus / "claude").rglob("*.jsonl") if "subagents" not in p.parts and not p.name.startswith("agent-")]
    return max(mains, key=lambda p: p.stat().st_mtime)


def append_assistant_line(path: Path, n: int) -> None:
    """Appends a realistic assistant line modelled on the file's last assistant line (new ids, later time)."""
    start = max(0, os.path.getsize(path) - (1 << 20))
    with open(path, "rb") as fh:
        fh.seek(start)
        tail = fh.read().split(b"\n")
    objs = []
    for raw in tail[1:] if start else tail:  # the first piece of a mid-file read is a partial line
        try:
            objs.append(json.loads(raw))
        except ValueError:
            continue
    last = objs[-1] if objs else {}
    template = next((o for o in reversed(objs) if o.get("type") == "assistant" and o["message"].get("model") != "<synthetic>"), None)
    stamp = max((o["timestamp"] for o in objs if isinstance(o.get("timestamp"), str)), default="2026-01-01T00:00:00.000Z")
    when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ") + timedelta(seconds=2 + n % 1000)
    ts = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    usage = {"input_tokens": 1, "cache_creation_input_tokens": 420, "cache_read_input_tokens": 50_000,
             "cache_creation": {"ephemeral_5m_input_tokens": 420, "ephemeral_1h_input_tokens": 0},
             "output_tokens": 57, "service_tier": "standard", "inference_geo": "global"}
    line: dict[str, Any] = {}
    if template:
        line.update({k: v for k, v in template.items() if k not in ("message", "requestId", "type", "uuid", "timestamp")})
        old = template["message"]["usage"]
        usage["cache_read_input_tokens"] = old.get("cache_read_input_tokens", 0) + old.get("cache_creation_input_tokens", 0)
    line["parentUuid"] = last.get("uuid")
    line["message"] = {"model": template["message"]["model"] if template else "claude-opus-4-6", "id": f"msg_01BenchAppend{n:010d}",
                       "type": "message", "role": "assistant", "content": [{"type": "text", "text": "Done: the tests pass now."}],
                       "stop_reason": None, "stop_sequence": None, "usage": usage}
    line["requestId"] = f"req_011CBenchAppend{n:010d}"
    line["type"] = "assistant"
    line["uuid"] = f"00000000-0000-4000-8000-{n:012d}"
    line["timestamp"] = ts
    with open(path, "ab") as fh:
        fh.write(json.dumps(line, separators=(",", ":")).encode() + b"\n")


# ---- contenders -----------------------------------------------------------------------------------


WALK = """
import os, sys, time
t = time.perf_counter()
n = 0
for top in sys.argv[1:]:
    for folder, _, names in os.walk(top):
        for name in names:
            if name.endswith(".jsonl"):
                os.stat(os.path.join(folder, name))
                n += 1
print(n, time.perf_counter() - t)
"""

CATCH_UP_PROBE = """
import json, sys, time
from cockpit.store.db import open_db
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
db_path, corpus, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
times = []
for _ in range(runs):
    t = time.perf_counter()
    ingestor = Ingestor(open_db(db_path), claude_roots([corpus + "/claude"]), codex_roots([corpus + "/codex"]))
    result = ingestor.ingest_all()
    times.append(time.perf_counter() - t)
    ingestor.db.conn.close()
print(json.dumps({"times": times, "lines": result.lines, "sessions": len(result.sessions)}))
"""


def bench_unchanged(corpus: Path, db: Path, runs: int, timeout: float) -> tuple[Measure, Measure, Measure, Measure]:
    """`cockpit index` with nothing changed vs a walk+stat process; the in-process catch-up vs the walk itself."""
    index, walk = Measure("unchanged `cockpit index`"), Measure("walk+stat (process)")
    catch_up, walk_in = Measure("unchanged catch-up (in-process)"), Measure("walk+stat (in-process)")
    dirs = [str(corpus / "claude"), str(corpus / "codex")]
    for i in range(runs):
        run = run_timed([str(COCKPIT), "index", *cockpit_dirs(corpus), "--db", str(db)], timeout=timeout)
        index.runs.append(run)
        w = run_timed([str(VENV_PY), "-c", WALK, *dirs], timeout=timeout)
        walk.runs.append(w)
        if run.rc != 0 or w.rc != 0:
            index.error = last_error(run) if run.rc else last_error(w)
            break
        walk_in.runs.append(Run(float(w.stdout.split()[1]), 0, 0))
        print(f"  unchanged index run {i + 1}: {fmt_s(run.seconds)} ({run.stdout.strip()[:90]}); walk+stat "
              f"{fmt_s(w.seconds)} (in-process {fmt_s(walk_in.runs[-1].seconds)}, {w.stdout.split()[0]} files)")
    probe = run_timed([str(VENV_PY), "-c", CATCH_UP_PROBE, str(db), str(corpus), str(runs)], timeout=timeout)
    if probe.rc == 0:
        data = json.loads(probe.stdout.strip().splitlines()[-1])
        catch_up.runs = [Run(t, 0, 0) for t in data["times"]]
        catch_up.note = f"{data['lines']} lines read, {data['sessions']} sessions re-totalled"
        print(f"  unchanged catch-up: {', '.join(fmt_s(t) for t in data['times'])} ({catch_up.note})")
    else:
        catch_up.error = last_error(probe)
    return index, walk, catch_up, walk_in


def cockpit_dirs(corpus: Path) -> list[str]:
    return ["--claude-dir", str(corpus / "claude"), "--codex-dir", str(corpus / "codex")]


def baseline_env(source: Path) -> dict[str, str]:
    """The environment that runs the installed `cockpit` script on the package under `source` instead."""
    if not (source / "cockpit" / "__init__.py").exists():
        sys.exit(f"--baseline {source}: no cockpit/__init__.py in it (copy an older tree's package folder there)")
    return {**os.environ, "PYTHONPATH": str(source)}


def bench_cold_index(corpus: Path, work: Path, runs: int, timeout: float, env: dict[str, str] | None = None,
                     name: str = "cold index") -> tuple[Measure, Path | None]:
    m = Measure(name)
    db: Path | None = None
    for i in range(runs):
        db = work / f"{name.replace(' ', '-').replace('(', '').replace(')', '')}-{i}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        # From a neutral folder: the current one may hold a `cockpit` package that would shadow PYTHONPATH.
        run = run_timed([str(COCKPIT), "index", *cockpit_dirs(corpus), "--db", str(db)], env=env, timeout=timeout,
                        cwd=str(work))
        if run.rc == 0 and not db.exists():
            run.rc, run.stderr = 1, "exit 0 but no database was written"
        m.runs.append(run)
        print(f"  {name} run {i + 1}: {fmt_s(run.seconds)}, peak RSS {fmt_mib(run.rss)}"
              + ("" if run.rc == 0 else f"  FAILED: {last_error(run)}"))
        if run.rc != 0:
            m.error = last_error(run)
            break
    return m, (db if m.ok else None)


def bench_warm(corpus: Path, db: Path, runs: int, timeout: float) -> tuple[Measure, list[dict[str, Any]] | None]:
    m = Measure("warm start (sessions --json)")
    sessions: list[dict[str, Any]] | None = None
    for i in range(runs):
        run = run_timed([str(COCKPIT), "sessions", "--json", "--all", "--db", str(db), *cockpit_dirs(corpus)], timeout=timeout)
        m.runs.append(run)
        if run.rc != 0:
            m.error = last_error(run)
            print(f"  warm start run {i + 1} FAILED: {m.error}")
            break
        try:
            sessions = json.loads(run.stdout)
        except ValueError:
            run.rc, m.error = 1, "stdout is not JSON"
            break
        print(f"  warm start run {i + 1}: {fmt_s(run.seconds)}")
    return m, sessions


PAINT_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv.pop(1))
import bench_screen
fn = getattr(bench_screen, "measure_first_paint", None)
if fn is None:
    print(json.dumps({"missing": True})); sys.exit(0)
t = time.perf_counter()
ret = fn(sys.argv[1:])
wall = time.perf_counter() - t
print(json.dumps({"seconds": float(ret) if isinstance(ret, (int, float)) and not isinstance(ret, bool) else wall, "wall": wall}))
"""


def bench_first_paint(corpus: Path, db: Path, runs: int, timeout: float) -> Measure:
    m = Measure("first paint (measure_first_paint)")
    for i in range(runs):
        probe = [str(VENV_PY), "-c", PAINT_PROBE, str(ROOT / "scripts")]
        run = run_timed([*probe, "--db", str(db), *cockpit_dirs(corpus)], timeout=timeout)
        if run.rc != 0:
            m.error = last_error(run)
            break
        data = json.loads(run.stdout.strip().splitlines()[-1])
        if data.get("missing"):
            m.note = "scripts/bench_screen.py has no measure_first_paint"
            break
        m.runs.append(Run(data["seconds"], run.rss, 0))
        print(f"  first paint run {i + 1}: {fmt_s(data['seconds'])}")
    return m


APPEND_PROBE = """
import json, sys, time
sys.path.insert(0, sys.argv[4])
from bench_ingest import append_assistant_line
from pathlib import Path
from cockpit.store.db import open_db
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
db_path, corpus, live, _, runs = sys.argv[1:6]
db = open_db(db_path)
ingestor = Ingestor(db, claude_roots([corpus + "/claude"]), codex_roots([corpus + "/codex"]))
record = next(r for r in ingestor.discover() if r.path == live)
t = time.perf_counter(); ingestor.ingest_file(record); catch_up = time.perf_counter() - t
times, lines = [], []
for n in range(int(runs)):
    append_assistant_line(Path(live), 900_000 + n)
    t = time.perf_counter()
    result = ingestor.ingest_file(record)
    times.append(time.perf_counter() - t)
    lines.append(result.lines)
print(json.dumps({"times": times, "lines": lines, "catch_up": catch_up}))
"""


def bench_append(corpus: Path, db: Path, live: Path, runs: int, work: Path) -> Measure:
    m = Measure("append one line (ingest_file)")
    scratch_db = work / "append.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(scratch_db) + suffix).unlink(missing_ok=True)
    shutil.copyfile(db, scratch_db)  # the cold db stays as it was; the probe's writes go to a copy
    size = live.stat().st_size
    try:
        run = run_timed([str(VENV_PY), "-c", APPEND_PROBE, str(scratch_db), str(corpus), str(live), str(ROOT / "scripts"), str(runs)])
    finally:
        os.truncate(live, size)
    if run.rc != 0:
        m.error = last_error(run)
        print(f"  append FAILED: {m.error}")
        return m
    data = json.loads(run.stdout.strip().splitlines()[-1])
    m.runs = [Run(t, 0, 0) for t in data["times"]]
    m.note = f"lines ingested per append: {data['lines']}; catch-up call before: {fmt_s(data['catch_up'])}"
    print(f"  append: {', '.join(fmt_s(t) for t in data['times'])} ({m.note})")
    return m


def ensure_ccusage(scratch: Path) -> tuple[Path | None, str]:
    """Installs ccusage into a scratch folder; older releases when the newest lacks its native binary here."""
    binary = scratch / "node_modules" / ".bin" / "ccusage"
    if binary.exists() and run_timed([str(binary), "--version"]).rc == 0:
        return binary, run_timed([str(binary), "--version"]).stdout.strip()
    if not shutil.which("npm"):
        return None, "npm not found"
    scratch.mkdir(parents=True, exist_ok=True)
    if not (scratch / "package.json").exists():
        (scratch / "package.json").write_text('{"name": "ccusage-scratch", "private": true}\n')
    candidates = ["ccusage"]
    versions = run_timed(["npm", "view", "ccusage", "versions", "--json"], timeout=120)
    if versions.rc == 0:
        try:
            candidates += [f"ccusage@{v}" for v in reversed(json.loads(versions.stdout))][1:3]
        except ValueError:
            pass
    problems = []
    for spec in candidates:
        install = run_timed(["npm", "install", "--prefix", str(scratch), spec], cwd=str(scratch), timeout=600)
        if install.rc != 0:
            problems.append(f"{spec}: {last_error(install)}")
            continue
        check = run_timed([str(binary), "--version"])
        if check.rc == 0:
            note = f" (fell back from: {'; '.join(problems)[:300]})" if problems else ""
            return binary, check.stdout.strip() + note
        problems.append(f"{spec}: {last_error(check)}")
    return None, "; ".join(problems)[:600]


def ccusage_env(corpus: Path, home: Path) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    # An empty HOME keeps ccusage from reading this machine's own agent data.
    return {**os.environ, "CLAUDE_CONFIG_DIR": str(corpus / "claude"), "CODEX_HOME": str(corpus / "codex"), "HOME": str(home)}


def bench_ccusage_cold(binary: Path, corpus: Path, work: Path, timeout: float) -> Measure:
    env = ccusage_env(corpus, work / "ccusage-home")
    m = Measure("ccusage daily")
    run = run_timed([str(binary), "daily", "--json", "--offline"], env=env, timeout=timeout)
    m.runs.append(run)
    print(f"  ccusage run: {fmt_s(run.seconds)}, peak RSS {fmt_mib(run.rss)}" + ("" if run.rc == 0 else f"  FAILED: {last_error(run)}"))
    if run.rc != 0:
        m.error = last_error(run)
    return m


def bench_ccusage(binary: Path, corpus: Path, live: Path, runs: int, work: Path, timeout: float,
                  cold_runs: int | None = None) -> tuple[Measure, Measure]:
    env = ccusage_env(corpus, work / "ccusage-home")
    cmd = [str(binary), "daily", "--json", "--offline"]
    cold, after = Measure("ccusage daily"), Measure("ccusage after 1 appended line")
    for i in range(runs if cold_runs is None else cold_runs):
        run = run_timed(cmd, env=env, timeout=timeout)
        cold.runs.append(run)
        print(f"  ccusage run {i + 1}: {fmt_s(run.seconds)}, peak RSS {fmt_mib(run.rss)}" + ("" if run.rc == 0 else f"  FAILED: {last_error(run)}"))
        if run.rc != 0:
            cold.error = last_error(run)
            return cold, after
    size = live.stat().st_size
    try:
        for i in range(runs):
            append_assistant_line(live, 800_000 + i)
            run = run_timed(cmd, env=env, timeout=timeout)
            after.runs.append(run)
            print(f"  ccusage after append {i + 1}: {fmt_s(run.seconds)}")
    finally:
        os.truncate(live, size)
    return cold, after


def orjson_loop(dirs: list[str]) -> dict[str, Any]:
    """The floor for a Python reader: byte search, orjson only the lines that can carry usage, dedup."""
    import orjson

    best: dict[tuple[Any, Any], int] = {}
    parsed = 0
    nbytes = 0
    for top in dirs:
        for folder, _, names in os.walk(top):
            for name in names:
                if not name.endswith(".jsonl"):
                    continue
                with open(os.path.join(folder, name), "rb") as fh:
                    data = fh.read()
                nbytes += len(data)
                for line in data.split(b"\n"):
                    if b'"usage"' not in line:
                        continue
                    try:
                        obj = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    parsed += 1
                    msg = obj.get("message") if isinstance(obj, dict) else None
                    usage = msg.get("usage") if isinstance(msg, dict) else None
                    if not isinstance(usage, dict) or msg.get("model") == "<synthetic>":
                        continue
                    total = sum(v for k in FIELDS if isinstance(v := usage.get(k), int))
                    key = (msg.get("id"), obj.get("requestId"))
                    if total > best.get(key, -1):
                        best[key] = total
    return {"bytes": nbytes, "parsed": parsed, "requests": len(best), "tokens": sum(best.values())}


def bench_orjson(corpus: Path, runs: int, timeout: float) -> Measure:
    m = Measure("orjson loop (1 core)")
    dirs = [str(corpus / "claude"), str(corpus / "codex")]
    for i in range(runs):
        run = run_timed([str(VENV_PY), str(Path(__file__).resolve()), "--orjson-loop", *dirs], timeout=timeout)
        m.runs.append(run)
        if run.rc != 0:
            m.error = last_error(run)
            print(f"  orjson loop FAILED: {m.error}")
            break
        info = json.loads(run.stdout.strip().splitlines()[-1])
        m.note = f"{info['parsed']:,} lines parsed, {info['requests']:,} requests"
        print(f"  orjson loop run {i + 1}: {fmt_s(run.seconds)}, peak RSS {fmt_mib(run.rss)} ({m.note})")
    return m


# ---- accuracy against the manifest ------------------------------------------------------------------


def check_accuracy(corpus: Path, sessions: list[dict[str, Any]]) -> list[str]:
    manifest_path = corpus / "manifest.json"
    if not manifest_path.exists():
        return ["no manifest.json: accuracy not checked"]
    truth = {e["session_id"]: e for e in json.loads(manifest_path.read_text())["sessions"]}
    seen = {s.get("session_id"): s for s in sessions}
    bad: dict[str, list[str]] = {"missing": [], "usage": [], "compactions": [], "context": [], "subagents": []}
    for sid, e in truth.items():
        s = seen.get(sid)
        if s is None:
            bad["missing"].append(sid)
            continue
        if {k: s.get("usage", {}).get(k) for k in FIELDS} != e["usage"]:
            bad["usage"].append(sid)
        if [(c.get("trigger"), c.get("pre_tokens")) for c in s.get("compactions", [])] != [(c["trigger"], c["pre_tokens"]) for c in e["compactions"]]:
            bad["compactions"].append(sid)
        ctx = s.get("context") or {}
        want = e["final_context_prompt_tokens"]
        if want is not None and want not in (ctx.get("prompt_tokens"), ctx.get("context_tokens") if e["agent"] == "codex" else None):
            bad["context"].append(sid)
        if s.get("subagents") != e["subagents"]:
            bad["subagents"].append(sid)
    lines = [f"{len(truth)} sessions in the manifest, {len(seen)} listed by cockpit, {len(set(seen) - set(truth))} unknown to the manifest"]
    for what, ids in bad.items():
        lines.append(f"  {what:<12} {'ok' if not ids else f'{len(ids)} differ, e.g. {ids[0]}'}")
    return lines


# ---- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", help="reuse this corpus (a gen_corpus.py output folder) instead of generating one")
    ap.add_argument("--quick", action="store_true", help="~50 MB corpus for a smoke run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "cockpit-bench"), help="scratch folder (corpora, dbs, ccusage)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sessions", type=int, help="sessions to aim for (default: target / 600 kB)")
    ap.add_argument("--target-bytes", type=int, help="corpus size (default 1.2 GB, or 50 MB with --quick)")
    ap.add_argument("--no-ccusage", action="store_true")
    ap.add_argument("--baseline", help="a folder holding an older copy of the cockpit package: its cold index runs in"
                    " the same rounds (before/after under the same load)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds before one command is killed")
    ap.add_argument("--orjson-loop", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.orjson_loop:
        print(json.dumps(orjson_loop(args.orjson_loop)))
        return 0

    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = ensure_corpus(args, work)
    started = time.perf_counter()
    nbytes = warm_page_cache(corpus)
    print(f"page cache warmed: {nbytes / 1e6:,.0f} MB read in {time.perf_counter() - started:.1f} s (all timings below are warm-cache)")
    live = live_session(corpus)
    print(f"live session for the append tests: {live.relative_to(corpus)}")
    have_cockpit = COCKPIT.exists() and run_timed([str(COCKPIT), "index", "--help"]).rc == 0
    if not have_cockpit:
        print(f"cockpit CLI not usable at {COCKPIT}: ours are skipped")

    results: dict[str, Measure] = {}
    accuracy: list[str] = []
    binary, version = (None, "skipped (--no-ccusage)") if args.no_ccusage else ensure_ccusage(work / "ccusage")
    print(f"\n[cold index, ccusage {version}, orjson loop: interleaved, {args.runs} rounds]")
    cold, db = Measure("cold index"), None
    base_env = baseline_env(Path(args.baseline).resolve()) if args.baseline else None
    if base_env is not None:
        results["baseline"] = Measure("cold index (baseline)")
    results["orjson"] = Measure("orjson loop (1 core)")
    if binary is not None:
        results["ccusage"] = Measure("ccusage daily")
    for _round in range(args.runs):
        if have_cockpit and not cold.error:
            one, db = bench_cold_index(corpus, work, 1, args.timeout)
            cold.runs += one.runs
            cold.error = one.error
        if have_cockpit and base_env is not None and not results["baseline"].error:
            before, _ = bench_cold_index(corpus, work, 1, args.timeout, env=base_env, name="cold index (baseline)")
            results["baseline"].runs += before.runs
            results["baseline"].error = before.error
        if binary is not None and not results["ccusage"].error:
            one_cc = bench_ccusage_cold(binary, corpus, work, args.timeout)
            results["ccusage"].runs += one_cc.runs
            results["ccusage"].error = one_cc.error
        one_loop = bench_orjson(corpus, 1, args.timeout)
        results["orjson"].runs += one_loop.runs
        results["orjson"].note, results["orjson"].error = one_loop.note, one_loop.error
    if not cold.ok:
        db = None
    print("\n[cockpit]")
    if have_cockpit:
        results["cold"] = cold
        if db is not None:
            (results["unchanged"], results["walk"], results["catch_up"],
             results["walk_in"]) = bench_unchanged(corpus, db, args.runs, args.timeout)
            warm, sessions = bench_warm(corpus, db, args.runs, args.timeout)
            results["warm"] = warm
            results["paint"] = bench_first_paint(corpus, db, args.runs, args.timeout)
            if results["paint"].note:
                print(f"  first paint: {results['paint'].note}; the warm start stands in for it")
            results["append"] = bench_append(corpus, db, live, max(args.runs, 5), work)
            if sessions is not None:
                accuracy = check_accuracy(corpus, sessions)

    print("\n[ccusage after one appended line]")
    if binary is None:
        print(f"  ccusage unavailable: {version}")
    else:
        _cold_again, results["ccusage_after"] = bench_ccusage(binary, corpus, live, args.runs, work, args.timeout,
                                                              cold_runs=0)

    # ---- report ----
    def med(key: str) -> float | None:
        return results[key].median() if key in results else None

    cold_s, warm_s, paint_s = med("cold"), med("warm"), med("paint")
    append_s, cc_s, cc_after_s, loop_s = med("append"), med("ccusage"), med("ccusage_after"), med("orjson")
    cold_rss = results["cold"].peak_rss() if "cold" in results else None
    meta = json.loads((corpus / "manifest.json").read_text())["totals"] if (corpus / "manifest.json").exists() else {}
    print(f"\n== results (medians of {args.runs} runs; corpus {nbytes / 1e6:,.0f} MB, {meta.get('sessions', '?')} sessions, "
          f"{meta.get('lines', 0):,} lines) ==")
    rows = [
        ("cold index", fmt_s(cold_s), fmt_s(cc_s), fmt_s(loop_s), ratio(cold_s, cc_s), ratio(cold_s, loop_s)),
        ("peak RSS (cold)", fmt_mib(cold_rss), fmt_mib(results["ccusage"].peak_rss() if "ccusage" in results else None),
         fmt_mib(results["orjson"].peak_rss()), "", ""),
        ("warm start (sessions --json)", fmt_s(warm_s), "", "", "", ""),
        ("first paint (measure_first_paint)", fmt_s(paint_s), "", "", "", ""),
        ("1 appended line", fmt_s(append_s), fmt_s(cc_after_s), "", ratio(append_s, cc_after_s), ""),
    ]
    head = ("", "cockpit", "ccusage", "orjson loop", "ours/ccusage", "ours/orjson")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    throughput = f"{nbytes / 1e6 / cold_s:,.0f} MB/s" if cold_s else "—"
    print(f"  cockpit cold-index throughput: {throughput}")
    unchanged_s, walk_s, catch_s, walk_in_s = med("unchanged"), med("walk"), med("catch_up"), med("walk_in")
    print("\n== ratios (same files, one run) ==")
    print(f"  cockpit cold / ccusage daily --json --offline:   {ratio(cold_s, cc_s)}  ({fmt_s(cold_s)} / {fmt_s(cc_s)})")
    print(f"  cockpit cold / byte-skip+orjson floor (1 core):  {ratio(cold_s, loop_s)}  ({fmt_s(cold_s)} / {fmt_s(loop_s)})")
    if "baseline" in results:
        base_s = med("baseline")
        print(f"  baseline cold / ccusage:                         {ratio(base_s, cc_s)}  ({fmt_s(base_s)} / {fmt_s(cc_s)})")
        print(f"  baseline cold / floor:                           {ratio(base_s, loop_s)}")
        print(f"  cockpit cold / baseline cold:                    {ratio(cold_s, base_s)}")
    print(f"  unchanged `cockpit index` / walk+stat process:   {ratio(unchanged_s, walk_s)}  ({fmt_s(unchanged_s)} / {fmt_s(walk_s)})")
    print(f"  unchanged catch-up / walk+stat, in-process:      {ratio(catch_s, walk_in_s)}  ({fmt_s(catch_s)} / {fmt_s(walk_in_s)})")

    paint_or_proxy = paint_s if paint_s is not None else warm_s
    print("\n== targets (issue) ==")
    targets = [
        ("cold index no slower than ccusage", f"{fmt_s(cold_s)} vs {fmt_s(cc_s)}", None if cold_s is None or cc_s is None else cold_s <= cc_s),
        ("unchanged index <= 3x walk+stat (processes)", ratio(unchanged_s, walk_s),
         None if unchanged_s is None or walk_s is None else unchanged_s <= 3 * walk_s),
        ("unchanged catch-up <= 3x walk+stat (in-process)", ratio(catch_s, walk_in_s),
         None if catch_s is None or walk_in_s is None else catch_s <= 3 * walk_in_s),
        (f"warm first paint < {TARGET_FIRST_PAINT_S:.0f} s" + ("" if paint_s is not None else " (proxy: sessions --json)"),
         fmt_s(paint_or_proxy), None if paint_or_proxy is None else paint_or_proxy < TARGET_FIRST_PAINT_S),
        (f"appended line processed < {TARGET_APPEND_MS:.0f} ms", fmt_s(append_s), None if append_s is None else append_s * 1000 < TARGET_APPEND_MS),
        (f"peak RSS < {TARGET_RSS_MIB:.0f} MiB", fmt_mib(cold_rss), None if cold_rss is None else cold_rss / MIB < TARGET_RSS_MIB),
    ]
    for name, value, ok in targets:
        print(f"  {verdict(ok):<5} {name}: {value}")
    for m in results.values():
        if m.error:
            print(f"  note: {m.name} failed: {m.error}")
    if accuracy:
        print("\n== cockpit sessions --json vs manifest ==")
        for line in accuracy:
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
