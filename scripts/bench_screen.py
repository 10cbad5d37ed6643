"""The dashboard in a real terminal: first row, one appended line, peak memory and idle CPU.

    .venv/bin/python scripts/bench_screen.py --corpus /tmp/corpus/large [--runs 5] [--samples 30]
    .venv/bin/python scripts/bench_screen.py --claude-dir DIR --codex-dir DIR [--db DB] [--idle-seconds 30]
    .venv/bin/python scripts/bench_screen.py --corpus /tmp/corpus/large --db STORE --only idle --idle-seconds 60

Every figure is read off a rendered terminal: the dashboard runs as its own process (`.venv/bin/cockpit`,
the installed entry point) in a pane of a private tmux server (`tmux -L bench-screen-<pid>`), and
`tmux capture-pane -p` is polled until the text is on screen.

  first row      from spawning a fresh process until a session row is drawn in the sessions pane; the
                 start-up catch-up of the history runs as it does for a user. --runs processes; median, p95.
  appended line  one assistant line (with usage) appended to a live session's transcript until the gauge
                 shows its new prompt figure ("30.1k / 200.0k"). --samples lines; p50, p95.
  peak RSS       VmHWM of the dashboard process plus the peak of every child it started (a process pool, the
                 resource tracker), read from /proc while it runs: the sum, an upper bound.
  idle CPU       utime+stime of the dashboard and its children over --idle-seconds with nothing changing.

`--only idle` measures the last two alone: no first-row runs, no appended lines (the dashboard still starts
on the history plus the live session, catches up and settles before the idle clock starts).

With --baseline DIR (a folder with another copy of the `cockpit` package, e.g. `git worktree` of the
commit before a change), that code is measured too, runs interleaved, and each figure's ratio printed: on a
shared machine only figures taken side by side compare. The dashboard's cwd is this checkout (a git
repository, as for a user, so the repository pane and gates run as they do for one).

Nothing is written outside a scratch folder (a new temporary folder, or --scratch): the store is built
there with `cockpit index` (cold, timed), or a --db given is copied there first (SQLite backup) and the
copy is used. The live session is a new file in a folder of its own under the scratch folder, passed as
one more --claude-dir: the corpus is never written to. HOME and the XDG folders of the dashboard point
into the scratch folder too. Linux only (/proc).

`measure_first_paint(argv)` (seconds from process start to the first session row, one fresh process) is
what scripts/bench_ingest.py imports for its first-paint figure; it copies the --db in `argv` the same way.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shlex
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COCKPIT = ROOT / ".venv" / "bin" / "cockpit"
MIB = 1024 * 1024
HZ = os.sysconf("SC_CLK_TCK")
WIDTH, HEIGHT = 160, 50

# The targets.
TARGET_FIRST_ROW_S = 1.0
TARGET_APPEND_P95_S = 0.1
TARGET_RSS_MIB = 150.0
TARGET_IDLE_PCT = 1.0

# A row of the sessions table: "│  claude  ended  14.1% …" (the header row starts with "agent").
SESSION_ROW = re.compile(r"│\s+(claude|codex)\s+\S")
WINDOW = 200_000  # the live session's model (opus-4-6) has a 200k window


# ---- the terminal ---------------------------------------------------------------------------------


class Terminal:
    """A private tmux server: one pane per dashboard process, read back as rendered text."""

    def __init__(self) -> None:
        self.socket = f"bench-screen-{os.getpid()}"
        self.count = 0
        # A session that holds the server up, so spawning a dashboard never waits for a server to start.
        self._tmux("new-session", "-d", "-s", "hold", "-x", str(WIDTH), "-y", str(HEIGHT), "sleep 86400")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def spawn(self, argv: list[str], env: dict[str, str]) -> tuple[str, float, int]:
        """A new pane running `argv` (exec'd, so the pane's process is the dashboard): its name, the
        perf_counter just before it was asked for, and its pid."""
        self.count += 1
        name = f"run{self.count}"
        command = "exec env " + shlex.join([*(f"{k}={v}" for k, v in env.items()), *argv])
        started = time.perf_counter()
        self._tmux("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(ROOT), command)
        pid = int(self._tmux("display-message", "-p", "-t", name, "#{pane_pid}").strip())
        return name, started, pid

    def screen(self, name: str) -> str:
        return self._tmux("capture-pane", "-p", "-t", name)

    def kill(self, name: str) -> None:
        try:
            self._tmux("kill-session", "-t", name)
        except RuntimeError:
            pass  # the process had already ended

    def close(self) -> None:
        try:
            self._tmux("kill-server")
        except RuntimeError:
            pass
        # tmux leaves its socket file behind.
        folder = os.environ.get("TMUX_TMPDIR") or "/tmp"
        Path(folder, f"tmux-{os.getuid()}", self.socket).unlink(missing_ok=True)


def first_session_row(screen: str) -> bool:
    """Whether the sessions pane (the box titled "… Sessions") shows at least one session row."""
    inside = False
    for line in screen.splitlines():
        if "╭" in line and "Sessions" in line:
            inside = True
            continue
        if inside:
            if "╰" in line:
                inside = False
            elif SESSION_ROW.search(line):
                return True
    return False


# ---- /proc ----------------------------------------------------------------------------------------


def _status(pid: int, key: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _cmdline(pid: int) -> bytes | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return None


def _cpu_ticks(pid: int, *, children: bool = False) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        # utime, stime (all threads); cutime, cstime: the children it waited for
        return sum(int(f) for f in fields[11:15 if children else 13])
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> list[int]:
    """The processes `pid` started (any of its threads), while they run; none once `pid` has ended."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return found


@dataclass
class Tree:
    """A dashboard process and its children (a process pool, the resource tracker, git): the largest sum of
    their peak memories (VmHWM) seen at one time, and CPU ticks."""

    pid: int
    peak_sum: int = 0
    seen: set[int] = field(default_factory=set)

    def alive(self) -> list[int]:
        found, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo += _children(pid)
        return found

    def sample(self) -> None:
        pids = self.alive()
        self.seen.update(pids)
        self.peak_sum = max(self.peak_sum, sum(_status(pid, "VmHWM") or 0 for pid in pids if not self._unexeced(pid)))

    def _unexeced(self, pid: int) -> bool:
        """A child forked and not yet exec'd (subprocess, between its fork and `git`'s exec): it shares the
        dashboard's pages, which its VmHWM shows in full; counting them twice read 60 MiB that never existed."""
        return pid != self.pid and _cmdline(pid) == _cmdline(self.pid)

    def peak(self) -> int:
        return self.peak_sum

    def rss_now(self) -> int:
        return sum(_status(pid, "VmRSS") or 0 for pid in self.alive())

    def cpu_ticks(self) -> int:
        """The tree's CPU time so far: the live processes' own, plus what the ones that ended left in their
        parent's cutime/cstime (git, a pool) once reaped."""
        return sum(_cpu_ticks(pid, children=pid == self.pid) or 0 for pid in self.alive())


def wait_for(term: Terminal, name: str, tree: Tree, seen: Callable[[str], bool], timeout: float) -> float:
    """Poll the rendered pane until `seen(text)`; the perf_counter at which it was seen."""
    deadline = time.perf_counter() + timeout
    while True:
        text = term.screen(name)
        now = time.perf_counter()
        if seen(text):
            return now
        tree.sample()
        if now > deadline:
            tail = "\n".join(text.splitlines()[-12:])
            raise RuntimeError(f"not on screen after {timeout:.0f} s; the pane ends with:\n{tail}")
        time.sleep(0.002)


# ---- the scratch folder ---------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def scratch_copy(db: str, scratch: Path) -> Path:
    """`db` itself when it is under `scratch`; else a consistent copy there (SQLite's backup, WAL included).
    A user's store is only ever read."""
    source = Path(db)
    if _inside(source, scratch):
        return source
    if not source.is_file():
        raise SystemExit(f"--db {db}: no such database")
    target = scratch / "cockpit.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


def scratch_env(scratch: Path) -> dict[str, str]:
    home = scratch / "home"
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_STATE_HOME": str(home / ".local/state"), "XDG_CACHE_HOME": str(home / ".cache"),
           "TERM": "tmux-256color", "COLORTERM": "truecolor"}
    for key in ("PATH", "LANG", "LC_ALL", "PYTHONPATH"):  # PYTHONPATH: to measure another checkout's code
        if key in os.environ:
            env[key] = os.environ[key]
    env.setdefault("LANG", "C.UTF-8")
    for value in list(env.values())[:5]:
        Path(value).mkdir(parents=True, exist_ok=True)
    return env


def build_store(dirs: list[str], scratch: Path, env: dict[str, str], db: Path | None = None) -> tuple[Path, float]:
    """`cockpit index` of these folders into `db` (default: a new cockpit.db in the scratch folder)."""
    db = db or scratch / "cockpit.db"
    if not _inside(db, scratch):
        raise SystemExit(f"{db}: not in the scratch folder {scratch}; refusing to write to it")
    started = time.perf_counter()
    done = subprocess.run([str(COCKPIT), "index", *dirs, "--db", str(db)], env=env, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"cockpit index failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return db, time.perf_counter() - started


# ---- the live session -----------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def assistant(session_id: str, prompt: int) -> str:
    """One Claude assistant line, now, whose context (input + cache writes + cache reads) is `prompt`."""
    usage = {"input_tokens": 3, "cache_creation_input_tokens": 500, "cache_read_input_tokens": prompt - 503,
             "output_tokens": 42}
    return json.dumps({
        "parentUuid": None, "isSidechain": False, "cwd": "/bench/live-project", "sessionId": session_id,
        "version": "2.1.39", "gitBranch": "main", "type": "assistant", "uuid": str(uuid.uuid4()),
        "timestamp": iso(datetime.now(UTC)), "requestId": f"req_{uuid.uuid4().hex}", "message": {
            "model": "claude-opus-4-6", "id": f"msg_{uuid.uuid4().hex}", "type": "message", "role": "assistant",
            "content": [{"type": "text", "text": "ok"}], "usage": usage},
    }) + "\n"


def gauge_figure(prompt: int) -> str:
    """What the gauge prints for this prompt: "30.1k / 200.0k" (cockpit.core.format.tokens)."""
    return f"{prompt / 1000:.1f}k / {WINDOW / 1000:.1f}k"


# ---- the measurements -----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def first_row_once(term: Terminal, argv: list[str], env: dict[str, str], timeout: float = 60.0) -> tuple[float, int]:
    """One fresh dashboard: seconds from spawning it to its first session row, and its peak memory then."""
    name, started, pid = term.spawn(argv, env)
    tree = Tree(pid)
    try:
        seen = wait_for(term, name, tree, first_session_row, timeout)
        tree.sample()
        return seen - started, tree.peak()
    finally:
        term.kill(name)


@dataclass
class LiveFigures:
    delays: list[float]
    peak: int
    rss: int
    idle_pct: float
    idle_seconds: float


def live_run(term: Terminal, dirs: list[str], db: Path, env: dict[str, str], live_root: Path, samples: int,
             idle_seconds: float) -> LiveFigures:
    """One dashboard on the history plus a live session (in its own folder, indexed before the start like a
    session running while cockpit restarts, so its gauge is the newest, on top): `samples` appended lines
    until the gauge shows each, then `idle_seconds` with nothing changing. The live file is deleted after."""
    session_id = str(uuid.uuid4())
    transcript = live_root / "projects" / "-bench-live-project" / f"{session_id}.jsonl"
    transcript.parent.mkdir(parents=True, exist_ok=True)
    transcript.write_text(assistant(session_id, 20_000))
    dirs = [*dirs, "--claude-dir", str(live_root)]
    build_store(dirs, db.parent, env, db)
    name, _, pid = term.spawn(dashboard_argv(dirs, db), env)
    tree = Tree(pid)
    try:
        wait_for(term, name, tree, lambda text: gauge_figure(20_000) in text and "caught up" in text, 120.0)
        time.sleep(1.0)  # the catch-up's reload and the watch are settled
        delays: list[float] = []
        for i in range(samples):
            prompt = 30_000 + 100 * i
            time.sleep(0.25 + 0.01 * (i % 10))  # appended at varying phases of the watcher's steps
            with transcript.open("a") as handle:
                handle.write(assistant(session_id, prompt))
                handle.flush()
                started = time.perf_counter()
            figure = gauge_figure(prompt)
            delays.append(wait_for(term, name, tree, lambda text, figure=figure: figure in text, 30.0) - started)
        time.sleep(2.0 if samples else 5.0)  # the coalesced table reload after the last line; the first health read
        tree.sample()
        before, began = tree.cpu_ticks(), time.perf_counter()
        time.sleep(idle_seconds)
        tree.sample()
        idle = (tree.cpu_ticks() - before) / HZ / (time.perf_counter() - began) * 100
        return LiveFigures(delays, tree.peak(), tree.rss_now(), idle, idle_seconds)
    finally:
        term.kill(name)
        shutil.rmtree(transcript.parent, ignore_errors=True)


def dashboard_argv(dirs: list[str], db: Path) -> list[str]:
    return [str(COCKPIT), "dashboard", *dirs, "--db", str(db)]


def measure_first_paint(argv: list[str]) -> float:
    """Seconds from process start to the first session row on a real terminal (tmux), one fresh dashboard
    process; `argv` are `cockpit dashboard` flags (--db, --claude-dir, --codex-dir). The --db is copied
    into a scratch folder first."""
    args = argv_options(argv)
    with tempfile.TemporaryDirectory(prefix="bench_screen-") as tmp:
        scratch = Path(tmp)
        db = scratch_copy(args.db, scratch)
        env = scratch_env(scratch)
        term = Terminal()
        try:
            seconds, _ = first_row_once(term, dashboard_argv(dir_flags(args), db), env)
        finally:
            term.close()
    return seconds


def argv_options(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="measure_first_paint")
    parser.add_argument("--db", required=True)
    parser.add_argument("--claude-dir", action="append", default=[])
    parser.add_argument("--codex-dir", action="append", default=[])
    return parser.parse_args(argv)


def dir_flags(args: argparse.Namespace) -> list[str]:
    return [*(f for d in args.claude_dir for f in ("--claude-dir", str(Path(d).resolve())))] + [
        *(f for d in args.codex_dir for f in ("--codex-dir", str(Path(d).resolve())))]


def line(label: str, value: str, target: str, ratio: float) -> str:
    return f"{label:<30} {value:>26}   target {target:<10} ratio {ratio:5.2f}  {'PASS' if ratio < 1 else 'MISS'}"


@dataclass
class Contender:
    """The code measured: this checkout, or --baseline (another copy of the cockpit package, on PYTHONPATH)."""

    name: str
    env: dict[str, str]
    firsts: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    live: LiveFigures | None = None

    def report(self, runs: int, samples: int) -> dict[str, float]:
        """Print the figures measured (none for a part left out by --only) and return them by name."""
        assert self.live is not None
        live = self.live
        figures: dict[str, float] = {}
        print(f"{self.name}:")
        if self.firsts:
            first_med, first_p95 = statistics.median(self.firsts), percentile(self.firsts, 0.95)
            print(line(f"  first row ({runs} processes)", f"median {first_med * 1000:.0f} ms, p95 {first_p95 * 1000:.0f} ms",
                       "< 1000 ms", first_med / TARGET_FIRST_ROW_S) + f"  (p95 ratio {first_p95 / TARGET_FIRST_ROW_S:.2f})")
            figures.update({"first row median": first_med, "first row p95": first_p95})
        if live.delays:
            p50, p95 = statistics.median(live.delays), percentile(live.delays, 0.95)
            over = sum(d > TARGET_APPEND_P95_S for d in live.delays)
            print(line(f"  appended line ({samples})", f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
                       "p95 < 100", p95 / TARGET_APPEND_P95_S)
                  + f"  ({over} over 100 ms, max {max(live.delays) * 1000:.0f} ms)")
            figures.update({"append p50": p50, "append p95": p95})
        peak = max([live.peak, *self.peaks])
        print(line("  peak RSS (process+children)", f"{peak / MIB:.0f} MiB", "< 150 MiB", peak / MIB / TARGET_RSS_MIB)
              + f"  (steady {live.rss / MIB:.0f} MiB)")
        print(line(f"  idle CPU ({live.idle_seconds:.0f} s)", f"{live.idle_pct:.2f} % of a core", "< 1 %",
                   live.idle_pct / TARGET_IDLE_PCT))
        return {**figures, "peak RSS": peak, "idle CPU": live.idle_pct}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", help="a scripts/gen_corpus.py folder: its claude/ and codex/ subfolders")
    parser.add_argument("--claude-dir", action="append", default=[])
    parser.add_argument("--codex-dir", action="append", default=[])
    parser.add_argument("--db", help="a store holding this history; copied into the scratch folder first")
    parser.add_argument("--scratch", help="the folder everything is written to (default: a new temporary one)")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for the first row")
    parser.add_argument("--samples", type=int, default=30, help="appended lines")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--only", choices=["all", "idle"], default="all",
                        help="idle: only peak memory and idle CPU (no first-row runs, no appended lines)")
    parser.add_argument("--baseline", metavar="DIR",
                        help="a folder holding another copy of the cockpit package (say, a checkout before a change):"
                             " measured the same way, runs interleaved, with the ratio of each figure")
    args = parser.parse_args(argv)
    # Stopped with SIGTERM: the scratch folder and the tmux server go too (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.corpus:
        corpus = Path(args.corpus)
        args.claude_dir.append(str(corpus / "claude"))
        args.codex_dir.append(str(corpus / "codex"))
    if not args.claude_dir and not args.codex_dir:
        parser.error("give --corpus, or --claude-dir / --codex-dir")
    if args.runs < 1 or args.samples < 1 or args.idle_seconds <= 0:
        parser.error("--runs and --samples must be at least 1, --idle-seconds above 0")
    if args.baseline and not (Path(args.baseline) / "cockpit" / "__init__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no cockpit package in it")
    if shutil.which("tmux") is None:
        print("bench_screen: tmux is not installed", file=sys.stderr)
        return 1
    made = args.scratch is None
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="bench_screen-")).resolve()
    scratch.mkdir(parents=True, exist_ok=True)
    term: Terminal | None = None
    try:
        env = scratch_env(scratch)
        dirs = dir_flags(args)
        if args.db:
            db = scratch_copy(args.db, scratch)
            print(f"store: {args.db} copied to {db}" if db != Path(args.db) else f"store: {db} (in the scratch folder)")
        else:
            db, seconds = build_store(dirs, scratch, env)
            print(f"store: built with `cockpit index` in {seconds:.2f} s -> {db}")
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            sessions, files = (conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("sessions", "files"))
        print(f"history: {sessions} sessions, {files} files; terminal {WIDTH}x{HEIGHT} (tmux), cwd {ROOT}")
        contenders = [Contender("cockpit (this checkout)", env)]
        if args.baseline:
            contenders.append(Contender(f"baseline ({args.baseline})", {**env, "PYTHONPATH": str(Path(args.baseline).resolve())}))
        term = Terminal()
        argv_history = dashboard_argv(dirs, db)
        idle_only = args.only == "idle"
        for i in range(0 if idle_only else args.runs):
            for who in contenders:
                seconds, peak = first_row_once(term, argv_history, who.env)
                who.firsts.append(seconds)
                who.peaks.append(peak)
                print(f"  first row, run {i + 1}, {who.name}: {seconds * 1000:7.1f} ms")
        for who in contenders:
            who.live = live_run(term, dirs, db, who.env, scratch / "live-claude", 0 if idle_only else args.samples,
                                args.idle_seconds)
        print()
        figures = [who.report(args.runs, args.samples) for who in contenders]
        if len(figures) == 2:
            print("this checkout / baseline: " + ", ".join(
                f"{name} {mine / base:.2f}" for name, mine, base in
                ((k, figures[0][k], figures[1][k]) for k in figures[0]) if base > 0))
        return 0
    except RuntimeError as exc:
        print(f"bench_screen: {exc}", file=sys.stderr)
        return 1
    finally:
        if term is not None:
            term.close()
        if made:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
