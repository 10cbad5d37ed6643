"""Nothing lost: after any failure of a store write the store equals a fresh `cockpit index --rebuild`.

The fault matrix: a crash (kill -9) at every statement of an ingest, a real kill -9 of `cockpit index`
(whose pool workers must die with it), a lock held past the busy timeout, a disk that fills and is
freed, a read-only store, a deleted WAL, two writers, and the stores nobody can write (damaged,
newer schema, locked, in a folder that cannot be created). Each check compares per-session counts
and token totals with a rebuild into a new database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import claude_assistant, claude_user, codex_rollout_lines, codex_rollout_name, write_jsonl

import cockpit.ingest.pipeline as ingest_module
import cockpit.store.db as store_db
from cockpit.cli import main
from cockpit.ingest.live import LiveIngest, LiveUpdate
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import StoreError, open_db

REPO = Path(__file__).resolve().parents[2]

# ---- a workspace of synthetic transcripts (no shared data needed) ------------------------------


def _ts(n: int) -> str:
    return f"2026-02-12T{10 + n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}.000Z"


def turn(session: str, n: int, *, interrupt: bool = False, compact: bool = False) -> list[dict[str, Any]]:
    """One prompt, a tool call and its result, an answer; optionally an interrupt and a compaction."""
    tool_id = f"toolu_{session}_{n}"
    lines: list[dict[str, Any]] = [
        claude_user(n * 10, f"prompt {n} of {session}", session=session, timestamp=_ts(n * 10)),
        claude_assistant(n * 10 + 1, session=session, out=n + 5, cr=1000 + n * 100, timestamp=_ts(n * 10 + 1),
                         content=[{"type": "tool_use", "id": tool_id, "name": "Bash", "input": {"command": "ls"}}]),
        claude_user(n * 10 + 2, session=session, timestamp=_ts(n * 10 + 2),
                    message={"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_id, "content": "ok"}]}),
        claude_assistant(n * 10 + 3, session=session, out=n + 7, cr=1100 + n * 100, timestamp=_ts(n * 10 + 3)),
    ]
    if interrupt:
        lines.append(claude_user(n * 10 + 4, "[Request interrupted by user]", session=session, timestamp=_ts(n * 10 + 4)))
    if compact:
        lines.append({"type": "system", "subtype": "compact_boundary", "sessionId": session, "timestamp": _ts(n * 10 + 5),
                      "compactMetadata": {"trigger": "auto", "preTokens": 150_000 + n}})
    return lines


def turns(session: str, start: int, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(start, start + count):
        out += turn(session, n, interrupt=n % 4 == 3, compact=n % 7 == 6)
    return out


class Workspace:
    """Claude sessions (one with a subagent, one with junk lines) and a Codex rollout under tmp_path."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.claude = tmp / "claude"
        self.codex = tmp / "codex"
        self.project = self.claude / "projects" / "-home-dev-proj"
        self.db = tmp / "cockpit.db"
        self.next = {"s1": 0, "s2": 0, "s3": 0}
        self.codex.mkdir(parents=True, exist_ok=True)
        self.grow("s1", 3)
        self.grow("s2", 2)
        write_jsonl(self.project / "s1" / "subagents" / "agent-a1.jsonl",
                    [claude_assistant(900 + i, session="s1", isSidechain=True, agentId="a1", out=3) for i in range(3)])
        write_jsonl(self.codex / codex_rollout_name(), codex_rollout_lines())

    def path(self, session: str) -> Path:
        return self.project / f"{session}.jsonl"

    def grow(self, session: str, count: int, *, junk: bool = False) -> None:
        lines: list[Any] = turns(session, self.next[session], count)
        if junk:
            lines.insert(1, "{not json")
        write_jsonl(self.path(session), lines, mode="a")
        self.next[session] += count

    def grow_all(self) -> None:
        """Appends to every file, a new session, a truncated-and-rewritten file and a skipped line."""
        self.grow("s1", 4, junk=True)
        self.grow("s2", 3)
        self.grow("s3", 2)
        write_jsonl(self.project / "s1" / "subagents" / "agent-a1.jsonl",
                    [claude_assistant(950, session="s1", isSidechain=True, agentId="a1", out=9)], mode="a")
        self.path("s2").write_text("")
        self.next["s2"] = 0
        self.grow("s2", 1)
        write_jsonl(self.codex / codex_rollout_name(), codex_rollout_lines()[2:], mode="a")

    def flags(self, db: Path | None = None) -> list[str]:
        return ["--claude-dir", str(self.claude), "--codex-dir", str(self.codex), "--db", str(db or self.db)]

    def ingestor(self, db: Path | None = None) -> Ingestor:
        return Ingestor(open_db(db or self.db), claude_roots([str(self.claude)]), codex_roots([str(self.codex)]))


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


# ---- what "equals a fresh rebuild" means --------------------------------------------------------


def summary(db_path: Path) -> dict[str, Any]:
    """Per session: rows and token totals of every derived table, and the roll-up the UI shows."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        per_session = {
            "api_calls": "SELECT session_id, COUNT(*), SUM(input_tokens), SUM(output_tokens),"
                         " SUM(cache_creation_input_tokens), SUM(cache_read_input_tokens) FROM api_calls GROUP BY 1",
            "tool_calls": "SELECT session_id, COUNT(*), COUNT(finished_at) FROM tool_calls GROUP BY 1",
            "prompts": "SELECT session_id, COUNT(*) FROM prompts GROUP BY 1",
            "compactions": "SELECT session_id, COUNT(*) FROM compactions GROUP BY 1",
            "interrupts": "SELECT session_id, COUNT(*) FROM interrupts GROUP BY 1",
            "sessions": "SELECT session_id, calls, input_tokens, output_tokens, cache_creation_input_tokens,"
                        " cache_read_input_tokens, compaction_count, prompt_tokens, peak_tokens, subagents,"
                        " skipped_lines, state, ended FROM sessions",
        }
        out: dict[str, Any] = {name: sorted(map(tuple, conn.execute(sql).fetchall())) for name, sql in per_session.items()}
        out["skipped"] = sorted(map(tuple, conn.execute("SELECT reason, SUM(count) FROM skipped GROUP BY 1").fetchall()))
        out["files"] = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        return out
    finally:
        conn.close()


def rebuilt(ws: Workspace) -> dict[str, Any]:
    fresh = ws.tmp / f"rebuild-{time.monotonic_ns()}.db"
    assert main(["index", "--rebuild", *ws.flags(fresh)]) == 0
    return summary(fresh)


def assert_equals_rebuild(ws: Workspace, db: Path | None = None) -> dict[str, Any]:
    got = summary(db or ws.db)
    expected = rebuilt(ws)
    assert expected["api_calls"], "the workspace has data"
    assert got == expected
    return got


# ---- a crash at every statement ----------------------------------------------------------------


class Killed(BaseException):
    """Stands in for kill -9: nothing catches it, nothing after it runs."""


class DyingConnection:
    """A sqlite3 connection whose process dies at the n-th statement (and stays dead)."""

    def __init__(self, conn: sqlite3.Connection, die_at: int | None) -> None:
        self._conn = conn
        self.die_at = die_at
        self.statements = 0
        self.dead = False

    def _step(self) -> None:
        if self.dead or (self.die_at is not None and self.statements == self.die_at):
            self.dead = True
            raise Killed(self.statements)
        self.statements += 1

    def execute(self, *args: Any) -> Any:
        self._step()
        return self._conn.execute(*args)

    def executemany(self, *args: Any) -> Any:
        self._step()
        return self._conn.executemany(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _ingest(ingestor: Ingestor, mode: str) -> None:
    """A catch-up (`cockpit index`, the dashboard's start), one in many transactions, or what the live ingest
    does on each change."""
    if mode == "catch-up":
        ingestor.ingest_all()
        return
    if mode == "catch-up-groups":
        # One transaction per file: a failure between two commits of one catch-up.
        saved = ingest_module.COMMIT_EVERY_BYTES
        ingest_module.COMMIT_EVERY_BYTES = 1
        try:
            ingestor.ingest_all()
        finally:
            ingest_module.COMMIT_EVERY_BYTES = saved
        return
    touched: set[str] = set()
    for record in ingestor.discover():
        touched |= ingestor.ingest_file(record, refresh=False).sessions
    ingestor.refresh(touched)


def _dying_ingest(ws: Workspace, die_at: int | None, mode: str = "catch-up") -> int:
    ingestor = ws.ingestor()
    real = ingestor.db.conn
    dying = DyingConnection(real, die_at)
    ingestor.db.conn = dying  # type: ignore[assignment]
    try:
        _ingest(ingestor, mode)
    except Killed:
        pass
    finally:
        real.close()  # the uncommitted transaction dies with the process
    return dying.statements


def _grown(tmp: Path) -> Workspace:
    """A workspace ingested once, then grown in every way (appends, a new file, a truncation)."""
    ws = Workspace(tmp)
    ws.ingestor().ingest_all()
    ws.grow_all()
    return ws


@pytest.mark.parametrize("mode", ["catch-up", "catch-up-groups", "live"])
def test_a_crash_at_any_statement_of_an_ingest_loses_nothing(tmp_path: Path, mode: str) -> None:
    """kill -9 simulated before each statement (BEGIN, every insert, the cursor, COMMIT, the roll-up)."""
    dry = _grown(tmp_path / "dry")
    statements = _dying_ingest(dry, None, mode)
    assert statements > 10
    expected = rebuilt(dry)
    for die_at in range(statements):
        case = _grown(tmp_path / f"die-{die_at}")
        assert _dying_ingest(case, die_at, mode) == die_at
        # The next start (a dashboard, or any command) completes the work from the committed state.
        case.ingestor().ingest_all()
        assert summary(case.db) == expected, f"killed before statement {die_at}"


class FailingConnection(DyingConnection):
    """A connection whose n-th statement fails once, as a full disk or an I/O error would; the process lives on."""

    def _step(self) -> None:
        if self.die_at is not None and self.statements == self.die_at and not self.dead:
            self.dead = True
            self.statements += 1
            raise sqlite3.OperationalError("disk I/O error")
        self.statements += 1


@pytest.mark.parametrize("mode", ["catch-up", "catch-up-groups", "live"])
def test_a_failed_write_at_any_statement_keeps_the_cursor_where_the_store_is(tmp_path: Path, mode: str) -> None:
    """The same ingestor goes on after the failure: its cursors must not have moved past what was stored."""
    dry = _grown(tmp_path / "dry")
    ingestor = dry.ingestor()
    counting = FailingConnection(ingestor.db.conn, None)
    ingestor.db.conn = counting  # type: ignore[assignment]
    _ingest(ingestor, mode)
    statements = counting.statements
    expected = rebuilt(dry)
    for fail_at in range(statements):
        case = _grown(tmp_path / f"fail-{fail_at}")
        ingestor = case.ingestor()
        ingestor.write_attempts = 1
        failing = FailingConnection(ingestor.db.conn, fail_at)
        ingestor.db.conn = failing  # type: ignore[assignment]
        try:
            _ingest(ingestor, mode)
        except StoreError as exc:
            assert "disk I/O error" in str(exc) and "rollback" not in str(exc)
        assert failing.dead
        _ingest(ingestor, mode)
        assert summary(case.db) == expected, f"write failed at statement {fail_at}"


# ---- a real kill -9 of `cockpit index`, and its pool workers ----------------------------------

_SLOW_INDEX = textwrap.dedent("""
    import sys, time
    import cockpit.ingest.pipeline as ingest
    ingest.POOL_MIN_BYTES = 0      # parse in a process pool whatever the size
    ingest.POOL_MIN_CPUS = 2       # and however few cores
    ingest.COMMIT_EVERY_BYTES = 1  # one transaction per file
    stage = ingest.Ingestor._stage
    def slow_stage(self, tx, record, parsed):
        stage(self, tx, record, parsed)
        time.sleep(0.1)
    ingest.Ingestor._stage = slow_stage
    from cockpit.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def _group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


def _children(pid: int) -> list[int]:
    return [p for p in _group_members(pid) if p != pid]


def _stored_files(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.mark.skipif(not Path("/proc").is_dir() or (os.cpu_count() or 1) < 2, reason="needs /proc and 2 cores")
def test_kill_9_of_cockpit_index_mid_run_loses_nothing_and_leaves_no_process(ws: Workspace) -> None:
    for i in range(30):
        write_jsonl(ws.project / f"bulk-{i:02d}.jsonl", turns(f"bulk-{i:02d}", 0, 3))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_INDEX, "index", *ws.flags()], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (_stored_files(ws.db) >= 3 and _children(proc.pid)):
            assert proc.poll() is None, "index finished before it could be killed"
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert workers, "the pool never started"
        stored_before_kill = _stored_files(ws.db)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _group_members(proc.pid) == [], "pool processes outlived their parent"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _group_members(proc.pid):
            os.kill(pid, signal.SIGKILL)
    assert 3 <= stored_before_kill < 33, "killed mid-run"
    assert main(["index", *ws.flags()]) == 0
    assert_equals_rebuild(ws)


# ---- a lock held past the busy timeout (the live ingest) ---------------------------------------


class Dashboard:
    """What the app does with a LiveIngest: run it in a thread; when it fails, report and run it again."""

    def __init__(self, ws: Workspace, *, poll_seconds: float = 0.05) -> None:
        self.updates: list[LiveUpdate] = []
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.live = LiveIngest(str(ws.db), claude_roots([str(ws.claude)]), codex_roots([str(ws.codex)]),
                               self.updates.append, poll_seconds=poll_seconds, force_polling=True)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                self.live.run(self.stop)
                return
            except Exception as exc:  # noqa: BLE001 - as the app does: report, wait, run again
                self.failures.append(f"{type(exc).__name__}: {exc}")
                self.stop.wait(0.2)

    def __enter__(self) -> Dashboard:
        self.thread.start()
        assert wait_until(lambda: any(u.catch_up for u in self.updates))
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


def wait_until(predicate: Any, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def calls_of(db: Path, session: str) -> int:
    conn = sqlite3.connect(db, timeout=10)
    try:
        row = conn.execute("SELECT calls FROM sessions WHERE session_id = ?", (session,)).fetchone()
        return row[0] if row else 0
    finally:
        conn.close()


@pytest.mark.parametrize("hold_seconds", [0.5, 3.0], ids=["absorbed-by-retries", "past-the-retries"])
def test_a_lock_held_past_the_busy_timeout_loses_no_line(ws: Workspace, monkeypatch, caplog, hold_seconds) -> None:
    """The repro: tail a session, hold BEGIN IMMEDIATE, append, release, append: every call is stored."""
    # Three attempts: 0.3 s waiting for the lock, 0.1 s pause, 0.3 s, 0.2 s pause, 0.3 s.
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(ingest_module, "RETRY_FIRST_SECONDS", 0.1)
    ws.ingestor().ingest_all()
    before = calls_of(ws.db, "s1")
    with Dashboard(ws) as dash:
        blocker = sqlite3.connect(ws.db, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")
        ws.grow("s1", 5)  # 10 calls
        time.sleep(hold_seconds)
        blocker.execute("COMMIT")
        blocker.close()
        ws.grow("s1", 5)
        assert wait_until(lambda: calls_of(ws.db, "s1") == before + 20), calls_of(ws.db, "s1")
    assert any("store write failed" in r.getMessage() for r in caplog.records), "the failure was logged"
    if hold_seconds > 2:
        # Past the in-place retries the live ingest stops with a one-line error the app shows, and runs again.
        assert dash.failures and all("is locked" in f and str(ws.db) in f for f in dash.failures)
    else:
        assert dash.failures == []
    assert_equals_rebuild(ws)


# ---- a disk that fills, then is freed -----------------------------------------------------------


def _fill(ingestor: Ingestor) -> None:
    """No page more for this connection: every write that needs one fails with SQLITE_FULL."""
    pages = ingestor.db.execute("PRAGMA page_count").fetchone()[0]
    ingestor.db.execute(f"PRAGMA max_page_count = {pages}")


def _free(ingestor: Ingestor) -> None:
    ingestor.db.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_reports_itself_keeps_the_cursors_and_resumes_once_freed(ws: Workspace) -> None:
    ingestor = ws.ingestor()
    ingestor.ingest_all()
    before = summary(ws.db)
    cursors = {path: record.cursor for path, record in ingestor.records.items()}
    for _ in range(10):
        ws.grow("s1", 10)
    appended = ws.path("s1").stat().st_size - cursors[str(ws.path("s1"))].offset
    _fill(ingestor)
    ingestor.write_attempts = 1
    with pytest.raises(StoreError) as failure:
        ingestor.ingest_all()
    assert failure.value.kind == "full"
    assert "disk is full" in str(failure.value) and "rollback" not in str(failure.value)
    assert str(ws.db) in str(failure.value)
    assert {path: record.cursor for path, record in ingestor.records.items()} == cursors
    assert summary(ws.db) == before
    _free(ingestor)
    result = ingestor.ingest_all()
    assert result.bytes == appended  # from the committed cursor, not the whole history
    assert_equals_rebuild(ws)


def test_a_disk_freed_while_the_write_waits_is_absorbed_by_the_retry(ws: Workspace, monkeypatch, caplog) -> None:
    ingestor = ws.ingestor()
    ingestor.ingest_all()
    ws.grow("s1", 20)
    _fill(ingestor)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        _free(ingestor)  # space came back during the backoff

    monkeypatch.setattr(ingest_module.time, "sleep", sleep)
    ingestor.ingest_all()
    assert waits == [ingest_module.RETRY_FIRST_SECONDS]
    assert any("full" in r.getMessage() and "nothing is lost" in r.getMessage() for r in caplog.records)
    assert_equals_rebuild(ws)


def test_a_catch_up_that_fails_part_way_resumes_after_the_last_commit(ws: Workspace, monkeypatch) -> None:
    """Each retry of a failed catch-up re-reads only what was not committed, never the whole history."""
    monkeypatch.setattr(ingest_module, "COMMIT_EVERY_BYTES", 1)  # one transaction per file
    for i in range(8):
        write_jsonl(ws.project / f"bulk-{i}.jsonl", turns(f"bulk-{i}", 0, 20))
    ingestor = ws.ingestor()
    ingestor.write_attempts = 1
    ingestor.db.conn = FailingConnection(ingestor.db.conn, 40)  # type: ignore[assignment]
    with pytest.raises(StoreError):
        ingestor.ingest_all()
    committed = sum(r.cursor.offset for r in ingestor.records.values() if r.stored)
    assert committed > 0
    total = sum(os.path.getsize(r.location) for r in ingestor.records.values())
    again = Ingestor(open_db(ws.db), ingestor.claude_roots, ingestor.codex_roots)
    assert again.ingest_all().bytes == total - committed
    assert_equals_rebuild(ws)


# ---- a read-only store, a deleted WAL -------------------------------------------------------------


def _read_only(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """The store file cannot be written (root writes anything, so the open is made read-only)."""
    real = sqlite3.connect

    def connect(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if Path(target) == db:
            return real(f"file:{target}?mode=ro", *args, uri=True, **kwargs)
        return real(target, *args, **kwargs)

    monkeypatch.setattr(store_db.sqlite3, "connect", connect)


def test_a_read_only_store_is_one_line_and_loses_nothing_once_writable(ws: Workspace, monkeypatch, capsys) -> None:
    assert main(["index", *ws.flags()]) == 0
    ws.grow("s1", 3)
    with monkeypatch.context() as patch:
        _read_only(patch, ws.db)
        for command in (["index"], ["sessions", "--json"], ["context", "s1"], ["doctor", "--json"]):
            capsys.readouterr()
            assert main([*command, *ws.flags()]) == 1, command
            err = capsys.readouterr().err.strip()
            assert err.count("\n") == 0 and "Traceback" not in err
            assert f"the store {ws.db} cannot be written" in err and "chmod" in err
    assert main(["index", *ws.flags()]) == 0
    assert_equals_rebuild(ws)


def test_a_deleted_wal_loses_only_what_the_transcripts_give_back(ws: Workspace) -> None:
    """The last transactions live in the WAL until a checkpoint: without it the store is older, not broken."""
    import shutil

    ingestor = ws.ingestor()
    ingestor.ingest_all()
    ingestor.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    keeper = sqlite3.connect(ws.db)  # a second connection: no checkpoint when the ingestor's closes
    keeper.execute("SELECT COUNT(*) FROM files").fetchone()
    ws.grow("s1", 4)
    ws.grow("s3", 2)
    ingestor.ingest_all()  # these rows and their cursors are in the WAL only
    full = summary(ws.db)
    ingestor.db.conn.close()
    lost = ws.tmp / "lost.db"
    shutil.copy(ws.db, lost)  # the store file without its WAL, as after kill -9 and `rm cockpit.db-wal`
    keeper.close()
    assert summary(lost) != full, "the WAL held the last ingest"
    ws.ingestor(lost).ingest_all()
    assert_equals_rebuild(ws, lost)


# ---- two writers ---------------------------------------------------------------------------------


def test_two_writers_interleaved_count_nothing_twice(ws: Workspace) -> None:
    """A dashboard and `cockpit index` on one store: each continues from what the other stored."""
    first, second = ws.ingestor(), ws.ingestor()
    first.ingest_all()
    ws.grow("s1", 3, junk=True)  # a skipped line: counted once however many writers read it
    second.ingest_all()  # its cursors were from before `first` stored anything
    ws.grow("s1", 2)
    ws.grow("s3", 2)
    first.ingest_all()
    second.ingest_all()
    assert_equals_rebuild(ws)
    # `cockpit index --rebuild` by another process while the dashboard's ingestor lives on
    assert main(["index", "--rebuild", *ws.flags()]) == 0
    ws.grow("s2", 2)
    first.ingest_all()
    assert_equals_rebuild(ws)


def test_two_writers_at_the_same_time_count_nothing_twice(ws: Workspace) -> None:
    ws.ingestor().ingest_all()
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        ingestor = ws.ingestor()
        while not stop.is_set():
            try:
                ingestor.ingest_all()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for _ in range(10):
        ws.grow("s1", 1, junk=True)
        ws.grow("s3", 1)
        time.sleep(0.02)
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    ws.ingestor().ingest_all()
    assert_equals_rebuild(ws)


# ---- stores nobody can write: one line naming the file and the fix, in every command ------------

COMMANDS = [["index"], ["sessions", "--json"], ["context"], ["doctor", "--json"], ["report"], ["approvals"]]


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 1, (argv, err)
    assert "\n" not in err and "Traceback" not in err, err
    assert err.startswith("cockpit: ")
    return err


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_store_is_one_line_everywhere_and_rebuild_moves_it_aside(ws: Workspace, capsys, damage) -> None:
    assert main(["index", *ws.flags()]) == 0
    conn = sqlite3.connect(ws.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if damage == "garbage":
        ws.db.write_bytes(b"this is not a database at all " * 100)
    else:
        data = ws.db.read_bytes()
        ws.db.write_bytes(data[: len(data) // 3])
    for command in COMMANDS:
        err = _one_line_error(capsys, [*command, *ws.flags()])
        assert f"the store {ws.db} is damaged" in err and "cockpit index --rebuild" in err
        assert "cannot be recovered" in err
    capsys.readouterr()
    assert main(["index", "--rebuild", *ws.flags()]) == 0
    err = capsys.readouterr().err
    assert "moved it aside" in err and "cannot be recovered" in err
    aside = [p.name for p in ws.tmp.iterdir() if p.name.startswith("cockpit.db.corrupt-")]
    assert len(aside) == 1
    assert_equals_rebuild(ws)


def test_a_store_from_a_newer_cockpit_is_one_line_and_never_moved_aside(ws: Workspace, capsys) -> None:
    assert main(["index", *ws.flags()]) == 0
    conn = sqlite3.connect(ws.db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    for command in [*COMMANDS, ["index", "--rebuild"]]:
        err = _one_line_error(capsys, [*command, *ws.flags()])
        assert "was written by a newer cockpit (schema 99" in err and "upgrade cockpit" in err
    assert not [p for p in ws.tmp.iterdir() if ".corrupt-" in p.name]


def test_a_store_locked_by_another_process_is_one_line(ws: Workspace, capsys, monkeypatch) -> None:
    monkeypatch.setattr(store_db, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(ingest_module, "RETRY_FIRST_SECONDS", 0.01)
    assert main(["index", *ws.flags()]) == 0
    ws.grow("s1", 1)
    blocker = sqlite3.connect(ws.db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        err = _one_line_error(capsys, ["index", *ws.flags()])
        assert f"the store {ws.db} is locked" in err and "run this again" in err
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert main(["index", *ws.flags()]) == 0
    assert_equals_rebuild(ws)


def test_a_store_in_a_folder_that_cannot_be_created_is_one_line(ws: Workspace, capsys) -> None:
    blocker = ws.tmp / "not-a-folder"
    blocker.write_text("a file where the data directory should be")
    for command in COMMANDS:
        err = _one_line_error(capsys, [*command, *ws.flags(blocker / "cockpit" / "cockpit.db")])
        assert f"the store {blocker / 'cockpit' / 'cockpit.db'} cannot be created" in err
        assert "--db PATH" in err


# ---- the same faults on real transcripts (skipped without the shared data) -----------------------


def _real_workspace(tmp: Path, copy_data: Any) -> Workspace:
    ws = Workspace.__new__(Workspace)
    ws.tmp = tmp
    ws.claude = copy_data("claude/spotter", "real/claude")
    ws.codex = copy_data("codex/localpush", "real/codex")
    ws.project = ws.claude
    ws.db = tmp / "real.db"
    return ws


@pytest.mark.parametrize("fail_at", [3, 9, 20])
def test_a_failed_write_on_real_transcripts_loses_nothing(tmp_path: Path, copy_data: Any, fail_at: int) -> None:
    ws = _real_workspace(tmp_path, copy_data)
    ingestor = ws.ingestor()
    ingestor.write_attempts = 1
    failing = FailingConnection(ingestor.db.conn, fail_at)
    ingestor.db.conn = failing  # type: ignore[assignment]
    with pytest.raises(StoreError):
        for record in ingestor.discover():
            ingestor.ingest_file(record)
    ingestor.ingest_all()
    assert_equals_rebuild(ws)
