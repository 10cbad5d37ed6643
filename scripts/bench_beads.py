"""The beads queue at scale: load time and memory of 100k issues, the ready/blocked computation, idle CPU.

    .venv/bin/python scripts/bench_beads.py                      # 100k issues, before figure on 20k
    .venv/bin/python scripts/bench_beads.py --count 20000 --idle-seconds 3   # quick
    .venv/bin/python scripts/bench_beads.py --before HEAD~1 --before-count 100000 --before-idle

Generates N realistic issues (`.beads/issues.jsonl` in a temp dir: epics with children, blocks chains,
closed ones, wisps, labels, comments, deferrals, a few dependency loops, descriptions of ~1 KB as in the
real export) and measures, each in a fresh subprocess so peak RSS is that of the work alone:
  load          read the file (as the dashboard and `cockpit issues` do) and compute the queue; the
                baseline is a plain `orjson.loads` of every line of the same file, in the same run
  memory        peak RSS of that process (VmHWM), and the tracemalloc peak (in a second run: tracing is slow)
  queue         compute_queue alone on the issues read
  before        the code at --before (default HEAD, taken with `git archive`) loading --before-count issues,
                against this tree on the same file
  idle CPU      a headless dashboard (App.run_test) with the issues pane shown: process CPU over
                --idle-seconds once the queue is on screen, against the same dashboard with no beads file
Targets (the issue's): load < 2 s and < 200 MB at 100k, idle CPU ~0.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TARGET_LOAD_S = 2.0
TARGET_RSS_MB = 200.0
TARGET_IDLE_PCT = 1.0
WORDS = ("parser queue gate retry worker epic context budget token cache index branch merge hook session "
         "transcript polecat witness refinery convoy mayor deacon ledger shard rollout export import schema "
         "migration flaky timeout deadlock regression review").split()


# ---- the corpus ---------------------------------------------------------------------------------------


def _stamp(rng: random.Random, when: datetime) -> str:
    # bd writes both `Z` times and local offsets with microseconds; exports mix them.
    if rng.random() < 0.7:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "-08:00"


def _prose(rng: random.Random, chars: int) -> str:
    words = []
    total = 0
    while total < chars:
        word = rng.choice(WORDS)
        words.append(word)
        total += len(word) + 1
    return " ".join(words)[:chars]


def generate(path: Path, count: int, seed: int = 7) -> int:
    """Write `count` issues (plus memory and tombstone lines, as real exports have) to `path`; its size."""
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    ids: list[str] = []
    epics: list[str] = []
    lines: list[str] = []
    for n in range(count):
        parent = epics[rng.randrange(len(epics))] if epics and rng.random() < 0.5 else ""
        issue_id = f"{parent}.{n}" if parent and rng.random() < 0.6 else f"bd-{n:x}{rng.randrange(36 ** 3):03x}"
        kind = rng.choices(("task", "epic", "bug", "feature", "chore", "agent", "message", "gate"),
                           (60, 8, 12, 8, 5, 3, 2, 2))[0]
        status = rng.choices(("closed", "open", "in_progress", "hooked", "blocked", "deferred", "pinned", "tombstone"),
                             (55, 38, 2, 1, 1, 1, 0.5, 1.5))[0]
        created = base + timedelta(minutes=n * 2, seconds=rng.randrange(60))
        stamp = _stamp(rng, created)
        obj: dict[str, Any] = {
            "id": issue_id, "title": f"{rng.choice(WORDS).title()} the {rng.choice(WORDS)} ({n})",
            "description": _prose(rng, min(int(rng.lognormvariate(6.6, 0.8)), 20_000)),
            "status": status, "priority": rng.randrange(5), "issue_type": kind, "created_at": stamp,
            "created_by": rng.choice(("mayor", "witness", "beads/crew/emma")), "updated_at": stamp,
        }
        if rng.random() < 0.2:
            obj["notes"] = _prose(rng, 200)
        if rng.random() < 0.15:
            obj["acceptance_criteria"] = _prose(rng, 300)
        if rng.random() < 0.1:
            obj["design"] = _prose(rng, 600)
        if status == "closed":
            obj["closed_at"] = (created + timedelta(hours=rng.randrange(1, 96))).strftime("%Y-%m-%dT%H:%M:%SZ")
            obj["close_reason"] = "Done: " + _prose(rng, 50)
        if status in ("in_progress", "hooked"):
            obj["assignee"] = f"gastown/polecats/p{rng.randrange(40)}"
            obj["started_at"] = stamp
        if rng.random() < 0.02:
            obj["defer_until"] = (base + timedelta(days=rng.randrange(0, 400))).strftime("%Y-%m-%dT%H:%M:%SZ")
        if rng.random() < 0.3:
            obj["ephemeral"] = True
        if rng.random() < 0.3:
            obj["labels"] = rng.sample(("human", "backend", "ui", "perf", "security", "docs", "flaky"), rng.randrange(1, 4))
        deps = []
        if parent:
            deps.append({"issue_id": issue_id, "depends_on_id": parent, "type": "parent-child", "created_at": stamp,
                         "created_by": "mayor", "metadata": "{}"})
            obj["parent"] = parent
        # Blocks edges mostly to recent issues: long chains, as real queues have.
        for _ in range(rng.choices((0, 1, 2, 3), (45, 35, 15, 5))[0]):
            if ids:
                target = ids[max(0, len(ids) - 1 - int(rng.expovariate(1 / 30)))]
                kind_of = rng.choices(("blocks", "discovered-from", "related", "waits-for", "conditional-blocks"),
                                      (80, 8, 8, 2, 2))[0]
                meta = '{"gate":"any-children"}' if kind_of == "waits-for" and rng.random() < 0.5 else "{}"
                deps.append({"issue_id": issue_id, "depends_on_id": target, "type": kind_of, "created_at": stamp,
                             "created_by": "witness", "metadata": meta})
        if n % 20_000 == 19_999 and ids:
            # Now and then a loop: this issue blocks one it depends on (a data error bd users do make).
            deps.append({"issue_id": issue_id, "depends_on_id": ids[-1], "type": "blocks", "metadata": "{}"})
            obj["status"] = "open"
        if deps:
            obj["dependencies"] = deps
            obj["dependency_count"] = len(deps)
        if rng.random() < 0.03:
            obj["comments"] = [{"id": k, "issue_id": issue_id, "author": "beads/crew/giles", "text": _prose(rng, 120),
                                "created_at": stamp} for k in range(rng.randrange(1, 4))]
        if rng.random() < 0.5:
            obj = {"_type": "issue", **obj}
        ids.append(issue_id)
        if kind == "epic":
            epics.append(issue_id)
        lines.append(json.dumps(obj, separators=(",", ":")))
        if n % 20_000 == 19_999:
            # Close the loop: the previous issue now depends back on this one.
            prev = json.loads(lines[-2])
            prev.setdefault("dependencies", []).append({"issue_id": prev["id"], "depends_on_id": issue_id,
                                                        "type": "blocks", "metadata": "{}"})
            prev["status"] = "open"
            lines[-2] = json.dumps(prev, separators=(",", ":"))
        if rng.random() < 0.005:
            lines.append(json.dumps({"_type": "memory", "key": f"m{n}", "value": _prose(rng, 80)}))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path.stat().st_size


# ---- workers (run in a subprocess each) -----------------------------------------------------------------


def worker_baseline(root: Path) -> dict[str, Any]:
    import orjson

    started = time.perf_counter()
    n = 0
    with open(root / ".beads" / "issues.jsonl", "rb") as handle:
        for line in handle:
            orjson.loads(line)
            n += 1
    return {"seconds": time.perf_counter() - started, "lines": n}


def worker_load(root: Path, trace: bool) -> dict[str, Any]:
    """Load as the dashboard does, with whichever cockpit is on sys.path (this tree or an old revision)."""
    import hashlib
    import inspect
    import tracemalloc

    import cockpit.sources.beads_files as source
    from cockpit.core.beads import compute_queue

    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    summary = "summary" in inspect.signature(source.read_beads).parameters
    beads = source.read_beads(root, summary=True) if summary else source.read_beads(root)
    read = time.perf_counter()
    queue_of = getattr(source, "queue_of", None)
    queue = queue_of(beads, NOW) if queue_of else compute_queue(beads.issues, NOW)
    done = time.perf_counter()
    out = {"read": read - started, "queue": done - read, "seconds": done - started, "issues": len(beads.issues),
           "ready": len(queue.ready), "blocked": len(queue.blocked), "in_progress": len(queue.in_progress),
           "cycles": len(getattr(queue, "cycles", ())), "cockpit": str(Path(source.__file__).parents[2]),
           "digest": hashlib.sha256(json.dumps([queue.ready, queue.in_progress,
                                                [(b.id, b.blocked_by) for b in queue.blocked]]).encode()).hexdigest()}
    if trace:
        out["traced_peak"] = tracemalloc.get_traced_memory()[1]
    else:
        # The queue alone, again on the same issues: the ready/blocked computation.
        runs = []
        for _ in range(3):
            began = time.perf_counter()
            queue_of(beads, NOW) if queue_of else compute_queue(beads.issues, NOW)
            runs.append(time.perf_counter() - began)
        out["queue_alone"] = min(runs)
    return out


def worker_idle(root: Path, seconds: float) -> dict[str, Any]:
    """A headless dashboard on `root`: time until the issues pane shows the queue, then CPU while idle."""
    import asyncio

    from cockpit.config.settings import Settings
    from cockpit.ui.app import make_app
    from cockpit.ui.widgets.issues_table import IssuesTable

    async def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as scratch:
            app = make_app(db_path=str(Path(scratch) / "cockpit.db"), claude_roots=[], codex_roots=[],
                             settings=Settings(), live=False, repo=str(root))
            started = time.perf_counter()
            async with app.run_test(size=(160, 50)) as pilot:
                table = app.screen.query_one(IssuesTable)
                while not table.border_subtitle:
                    await pilot.pause(0.01)
                shown = time.perf_counter() - started
                await pilot.pause(1.0)  # let the first paint and the first repository read settle
                cpu = time.process_time()
                wall = time.perf_counter()
                await asyncio.sleep(seconds)
                cpu = time.process_time() - cpu
                wall = time.perf_counter() - wall
                return {"shown": shown, "rows": table.row_count, "idle_cpu_pct": 100.0 * cpu / wall}

    return asyncio.run(run())


def _rss_mb() -> float:
    """Peak RSS of this process. VmHWM belongs to this program's own memory; ru_maxrss on Linux carries the
    parent's peak over fork and exec, which would report the generator's memory for every worker."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_main(argv: list[str]) -> None:
    mode, root = argv[0], Path(argv[1])
    if mode == "baseline":
        out = worker_baseline(root)
    elif mode in ("load", "trace"):
        out = worker_load(root, trace=mode == "trace")
    else:
        out = worker_idle(root, float(argv[2]))
    out["rss_mb"] = _rss_mb()
    print(json.dumps(out))


# ---- the driver ---------------------------------------------------------------------------------------


def run_worker(args: list[str], pythonpath: Path | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (pythonpath, ROOT / "scripts") if p)
    # Run from a neutral folder, so `cockpit` comes from PYTHONPATH (an old revision) or the installed tree.
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", *args], capture_output=True,
                          text=True, env=env, cwd=tempfile.gettempdir(), timeout=3600, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"worker {args[0]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def archive(rev: str, into: Path) -> Path:
    """The `cockpit` package as it is at `rev`, unpacked into `into`; nothing in the repository changes."""
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev, "cockpit"], capture_output=True,
                          check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "—"


def fmt_s(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000, help="issues in the big file (default 100000)")
    parser.add_argument("--before", default="HEAD", help="revision whose code is the before figure (default HEAD)")
    parser.add_argument("--before-count", type=int, default=20_000, help="issues in the file both codes load")
    parser.add_argument("--before-idle", action="store_true",
                        help="also run the --before dashboard idle on the big file (slow: its reload comes every 30 s)")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (reused when present)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker_main(args.worker)
        return

    with tempfile.TemporaryDirectory(prefix="bench-beads-") as scratch:
        work = Path(args.keep) if args.keep else Path(scratch)
        big, small, empty = work / f"repo-{args.count}", work / f"repo-{args.before_count}", work / "repo-empty"
        for repo, count in ((big, args.count), (small, args.before_count)):
            target = repo / ".beads" / "issues.jsonl"
            if not target.exists():
                began = time.perf_counter()
                size = generate(target, count, args.seed)
                print(f"generated {count:,} issues: {size / 1e6:.0f} MB in {time.perf_counter() - began:.1f} s ({target})")
        (empty / ".git").mkdir(parents=True, exist_ok=True)
        old = archive(args.before, Path(scratch) / "before")
        if (old / "cockpit" / "core" / "beads.py").read_bytes() == (ROOT / "cockpit" / "core" / "beads.py").read_bytes():
            print(f"note: {args.before} already has this tree's core/beads.py; pass --before <an older revision>")

        print(f"\n== load: {args.count:,} issues ==")
        base = run_worker(["baseline", str(big)])
        new = run_worker(["load", str(big)])
        traced = run_worker(["trace", str(big)])
        print(f"baseline  orjson.loads per line   {fmt_s(base['seconds']):>8}   rss {base['rss_mb']:.0f} MB")
        print(f"cockpit   read + queue            {fmt_s(new['seconds']):>8}   rss {new['rss_mb']:.0f} MB   "
              f"traced peak {traced['traced_peak'] / 2 ** 20:.0f} MB   "
              f"= {ratio(new['seconds'], base['seconds'])} the baseline's time")
        print(f"          (read {fmt_s(new['read'])}, queue {fmt_s(new['queue'])}; {new['issues']:,} issues: "
              f"{new['ready']:,} ready, {new['in_progress']:,} in progress, {new['blocked']:,} blocked, "
              f"{new['cycles']} cycles)")
        print(f"queue     compute_queue alone     {fmt_s(new['queue_alone']):>8}   "
              f"= {ratio(new['queue_alone'], base['seconds'])} the baseline's time")

        print(f"\n== before ({args.before}) and after, {args.before_count:,} issues ==")
        old_run = run_worker(["load", str(small)], pythonpath=old)
        new_small = run_worker(["load", str(small)])
        if not old_run["cockpit"].startswith(str(old)):
            print(f"warning: the before run imported {old_run['cockpit']}, not the archive")
        print(f"before    read + queue            {fmt_s(old_run['seconds']):>8}   rss {old_run['rss_mb']:.0f} MB   "
              f"(queue alone {fmt_s(old_run['queue_alone'])})")
        print(f"after     read + queue            {fmt_s(new_small['seconds']):>8}   rss {new_small['rss_mb']:.0f} MB   "
              f"(queue alone {fmt_s(new_small['queue_alone'])})   "
              f"= {ratio(new_small['seconds'], old_run['seconds'])} the time, "
              f"{ratio(new_small['rss_mb'], old_run['rss_mb'])} the memory")
        same = old_run["digest"] == new_small["digest"]
        print(f"          same queue as before, id for id and blocker for blocker: {'yes' if same else 'NO'} "
              f"({new_small['ready']:,} ready, {new_small['in_progress']:,} in progress, {new_small['blocked']:,} blocked)")

        print(f"\n== idle dashboard, {args.idle_seconds:g} s ==")
        idle_empty = run_worker(["idle", str(empty), str(args.idle_seconds)])
        idle = run_worker(["idle", str(big), str(args.idle_seconds)])
        print(f"baseline  no beads file           idle CPU {idle_empty['idle_cpu_pct']:.2f} %   rss {idle_empty['rss_mb']:.0f} MB")
        print(f"cockpit   {args.count:,} issues          idle CPU {idle['idle_cpu_pct']:.2f} %   rss {idle['rss_mb']:.0f} MB   "
              f"(queue on screen after {fmt_s(idle['shown'])}, {idle['rows']} rows in the table)   "
              f"= {ratio(idle['idle_cpu_pct'], idle_empty['idle_cpu_pct'])} the baseline's CPU")
        if args.before_idle:
            seconds = max(args.idle_seconds, 35.0)
            idle_old = run_worker(["idle", str(big), str(seconds)], pythonpath=old)
            print(f"before    {args.count:,} issues          idle CPU {idle_old['idle_cpu_pct']:.2f} % over {seconds:g} s   "
                  f"rss {idle_old['rss_mb']:.0f} MB   (queue on screen after {fmt_s(idle_old['shown'])}, "
                  f"{idle_old['rows']} rows)")

        print("\n== targets ==")
        scale = args.count / 100_000
        print(f"load < {TARGET_LOAD_S * scale:g} s: {'PASS' if new['seconds'] < TARGET_LOAD_S * scale else 'MISS'}"
              f" ({fmt_s(new['seconds'])});  rss < {TARGET_RSS_MB:g} MB: "
              f"{'PASS' if new['rss_mb'] < TARGET_RSS_MB else 'MISS'} ({new['rss_mb']:.0f} MB);  "
              f"idle CPU < {TARGET_IDLE_PCT:g} %: {'PASS' if idle['idle_cpu_pct'] < TARGET_IDLE_PCT else 'MISS'}"
              f" ({idle['idle_cpu_pct']:.2f} %)")


if __name__ == "__main__":
    main()
