"""A throwaway demo workspace and a simulator that makes its agent sessions live.

`create_workspace` writes a small git repo ("tidepool"), a Claude config dir and a CODEX_HOME
holding four finished sessions from earlier days plus the opening lines of three live ones.
`Simulator` then appends the rest of the live sessions line by line, timed like real agents:

    ws = create_workspace()
    stop = threading.Event()
    threading.Thread(target=Simulator(ws).run, args=(stop,), daemon=True).start()

Pure stdlib plus the git CLI; no UI imports.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.demo.repo import build_repo
from cockpit.demo.script import Ctx, Pause, Script, SessionSpec, Write, iso, parse_iso, uuid4, uuid7
from cockpit.demo.sessions import SCRIPTS

STATE_FILE = "demo-state.json"
LIVE_SESSIONS = ("claude_main", "claude_task", "codex_live")
# Finished sessions: (script, hours before `now` it started). Their pauses are stretched so they
# last tens of minutes, like real sessions.
HISTORY = (("history_markup", 67.5), ("history_compact", 48.5), ("history_errors", 25.5), ("history_codex", 23.8))
HISTORY_STRETCH = 8.0
IDLE_DELAY = 1.0  # what step() returns once the script is over


@dataclass(frozen=True)
class Workspace:
    root: Path  # the throwaway workspace folder
    repo: Path  # a git repo with a few days of history
    claude_dir: Path  # a Claude config dir: claude_dir/"projects"/<slug>/<uuid>.jsonl
    codex_dir: Path  # a CODEX_HOME: codex_dir/"sessions"/YYYY/MM/DD/rollout-…-<uuid>.jsonl
    temporary: bool = False  # made under the temporary folder (no --dir): removed when the demo ends


def remove_workspace(ws: Workspace) -> bool:
    """Delete a temporary workspace (a folder the user named is theirs to keep); True when it is gone."""
    if not ws.temporary:
        return False
    shutil.rmtree(ws.root, ignore_errors=True)
    return not ws.root.exists()


# ---- paths -------------------------------------------------------------------------------------


def _java_hash(text: str) -> int:
    h = 0
    for unit in _utf16_units(text):
        h = (h * 31 + unit) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def _utf16_units(text: str) -> list[int]:
    raw = text.encode("utf-16-le")
    return [int.from_bytes(raw[i : i + 2], "little") for i in range(0, len(raw), 2)]


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def project_slug(cwd: str) -> str:
    """Claude Code's project folder name for a working directory (spec §1.1)."""
    slug = "".join(ch if ch.isascii() and ch.isalnum() else "-" * (2 if ord(ch) > 0xFFFF else 1) for ch in cwd)
    if len(slug) > 200:
        slug = slug[:200] + "-" + _base36(abs(_java_hash(cwd)))
    return slug


def _spec(ws: Workspace, name: str, start: datetime, ids: random.Random, *, seed: int, branch: str,
          commit: str) -> SessionSpec:
    """Where a session's transcript goes. Content randomness is seeded by (seed, name) only, so a
    probe run with other ids takes exactly the same pauses."""
    content_seed = f"{seed}:{name}"
    if "codex" not in name:
        sid = uuid4(ids)
        path = ws.claude_dir / "projects" / project_slug(str(ws.repo)) / f"{sid}.jsonl"
        return SessionSpec(name, sid, str(path), str(ws.repo), branch, iso(start), content_seed)
    sid = uuid7(ids, start)
    local = start.astimezone()  # Codex names its folders and files in local time
    folder = ws.codex_dir / "sessions" / f"{local:%Y}" / f"{local:%m}" / f"{local:%d}"
    path = folder / f"rollout-{local:%Y-%m-%dT%H-%M-%S}-{sid}.jsonl"
    return SessionSpec(name, sid, str(path), str(ws.repo), branch, iso(start), content_seed, commit)


# ---- writing ---------------------------------------------------------------------------------


def append(path: Path, data: bytes) -> None:
    """Append `data` with one write call on an O_APPEND descriptor: a reader sees all of it or none."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def drive(ctx: Ctx, script: Script, start: datetime, *, stretch: float = 1.0, write: bool = True,
          until_live: bool = False) -> tuple[float, set[Path]]:
    """Run a script on a virtual clock from `start`. Returns the seconds it covered and the files
    written. With `until_live` it stops at the LIVE marker, leaving the script ready to resume."""
    elapsed = 0.0
    ctx.clock = lambda: start + timedelta(seconds=elapsed)
    written: set[Path] = set()
    for action in script:
        if isinstance(action, Pause):
            elapsed += action.seconds * stretch
        elif isinstance(action, Write):
            if write:
                append(action.path, action.data)
                written.add(action.path)
        elif until_live:
            break
    return elapsed, written


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _utcnow() -> datetime:
    return datetime.now(UTC)


# ---- the workspace ---------------------------------------------------------------------------


def create_workspace(root: Path | None = None, *, seed: int = 7, now: datetime | None = None) -> Workspace:
    """Write the demo repo, the finished sessions, and the first lines of the live sessions.

    `now` is when the live sessions' opening lines end (default: the current time); the history
    lies in the days before it. A given `root` must not hold a workspace already.
    """
    now = _utc(now or _utcnow())
    base = Path(tempfile.mkdtemp(prefix="cockpit-demo-")) if root is None else Path(root)
    base.mkdir(parents=True, exist_ok=True)
    base = base.resolve()
    repo = base / "tidepool"
    if (base / STATE_FILE).exists() or repo.exists():
        raise FileExistsError(f"{base} already holds a demo workspace")
    branch, commit = build_repo(repo, now)
    ws = Workspace(base, repo, base / "claude", base / "codex", temporary=root is None)
    (ws.claude_dir / "projects").mkdir(parents=True, exist_ok=True)
    (ws.codex_dir / "sessions").mkdir(parents=True, exist_ok=True)
    ids = random.Random(f"{seed}:ids")

    for name, hours in HISTORY:
        spec = _spec(ws, name, now - timedelta(hours=hours), ids, seed=seed, branch="main", commit=commit)
        start = parse_iso(spec.start)
        ctx = Ctx(spec.seed)
        elapsed, written = drive(ctx, SCRIPTS[name](ctx, spec), start, stretch=HISTORY_STRETCH)
        end = (start + timedelta(seconds=elapsed)).timestamp()
        for path in written:
            os.utime(path, (end, end))

    live: list[dict[str, str]] = []
    sizes: dict[str, int] = {}
    for name in LIVE_SESSIONS:
        # Measure the opening part first, so that it ends at `now`.
        probe = _spec(ws, name, now, random.Random(0), seed=seed, branch=branch, commit=commit)
        probe_ctx = Ctx(probe.seed)
        duration, _ = drive(probe_ctx, SCRIPTS[name](probe_ctx, probe), now, write=False, until_live=True)
        spec = _spec(ws, name, now - timedelta(seconds=duration), ids, seed=seed, branch=branch, commit=commit)
        ctx = Ctx(spec.seed)
        _, written = drive(ctx, SCRIPTS[name](ctx, spec), parse_iso(spec.start), until_live=True)
        live.append(asdict(spec))
        sizes.update({str(p): p.stat().st_size for p in written})
    state = {"version": 1, "seed": seed, "now": iso(now), "live": live, "sizes": sizes}
    (base / STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    _trust_demo_gates(base / "cockpit.db", repo)
    return ws


def _trust_demo_gates(db: Path, repo: Path) -> None:
    """The demo wrote its repository's cockpit.toml itself, so its gates are trusted from the start in the
    database `cockpit demo` opens (another database, like a real clone, has to `cockpit trust` them)."""
    from cockpit.config.gates import load_gate_config
    from cockpit.store.db import connect
    from cockpit.store.trust_records import trust_config

    conn = connect(db)
    try:
        trust_config(conn, str(repo), load_gate_config(repo), "cockpit demo (it wrote the configuration)")
    finally:
        conn.close()


# ---- the simulator -----------------------------------------------------------------------------


@dataclass
class _Lane:
    order: int
    script: Script
    due: float = 0.0  # script time of its next action


class Simulator:
    """Appends the rest of the live sessions, each line stamped with `clock()` when written.

    Script time advances by the pauses between actions; `step()` runs whichever session is due
    next and returns the wait until the one after it, divided by `speed`.
    """

    def __init__(self, workspace: Workspace, *, speed: float = 1.0, seed: int = 7,
                 clock: Callable[[], datetime] | None = None) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.workspace = workspace
        self.speed = speed
        self._clock = clock or _utcnow
        state_path = workspace.root / STATE_FILE
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{workspace.root} is not a demo workspace (no readable {STATE_FILE})") from exc
        for path, size in state["sizes"].items():
            if not os.path.exists(path) or os.path.getsize(path) != size:
                raise ValueError(f"{path} changed since the workspace was created; create a new workspace")
        self._lanes: list[_Lane] = []
        for order, raw in enumerate(state["live"]):
            spec = SessionSpec(**raw)
            ctx = Ctx(spec.seed)
            script = SCRIPTS[spec.name](ctx, spec)
            # Replay the opening part (already on disk) to restore the script's state, then go live.
            drive(ctx, script, parse_iso(spec.start), write=False, until_live=True)
            ctx.rng = random.Random(f"{seed}:{spec.name}:live")
            ctx.clock = self._clock
            self._lanes.append(_Lane(order, script))
        self._time = 0.0
        self._finished = not self._lanes
        self._lock = threading.Lock()

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def elapsed(self) -> float:
        """Script seconds simulated so far."""
        return self._time

    def step(self) -> float:
        """Append the next line(s) of the session that is due; seconds to wait before the next step.

        Once the script is over nothing is written and it returns IDLE_DELAY (1 s, not scaled)."""
        with self._lock:
            if not self._lanes:
                self._finished = True
                return IDLE_DELAY
            lane = min(self._lanes, key=lambda x: (x.due, x.order))
            self._time = max(self._time, lane.due)
            while True:
                try:
                    action = next(lane.script)
                except StopIteration:
                    self._lanes.remove(lane)
                    break
                if isinstance(action, Pause):
                    lane.due = self._time + action.seconds
                    break
                if isinstance(action, Write):
                    append(action.path, action.data)
            if not self._lanes:
                self._finished = True
                return 0.0
            return max(0.0, min(x.due for x in self._lanes) - self._time) / self.speed

    def run(self, stop: threading.Event) -> None:
        """Play the script until it is over or `stop` is set; then leave the sessions idle (no more
        writes) and return once `stop` is set."""
        while not stop.is_set() and not self._finished:
            try:
                if not self.workspace.root.is_dir():
                    raise FileNotFoundError(self.workspace.root)
                delay = self.step()
            except OSError:
                # The workspace was deleted or became unwritable: stop writing, quietly.
                with self._lock:
                    self._lanes.clear()
                    self._finished = True
                break
            if delay > 0:
                stop.wait(delay)
        stop.wait()
