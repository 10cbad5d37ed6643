"""No request or decision is lost: dashboards come and go, read-only ones watch, the store gets busy.

Dashboards here are InboxWatch threads with connections of their own (what each cockpit runs);
the hooks are real `cockpit hook` subprocesses waiting for an answer.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from hooks.test_run import finish, payload, start_hook
from store_faults import hold_write_lock

from cockpit.services.inbox import InboxWatch, write_decision
from cockpit.store import approvals
from cockpit.store.db import connect

PUSH_PRE = payload("PreToolUse", tool_use_id="toolu_p1")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cockpit.db"


class Dashboard:
    """One running cockpit's inbox thread."""

    def __init__(self, db: Path, *, read_only: bool = False) -> None:
        self.stop = threading.Event()
        self.changes: list[tuple[list[approvals.Request], list[approvals.Request]]] = []
        self.watch = InboxWatch(str(db), lambda pending, closed: self.changes.append((pending, closed)),
                                read_only=read_only)
        self.thread = threading.Thread(target=self.watch.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def quit(self) -> None:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()


def wait_until(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def pending(db: Path) -> list[approvals.Request]:
    conn = connect(db)
    try:
        return approvals.pending(conn)
    finally:
        conn.close()


def presence_rows(db: Path) -> list[tuple[str, int, bool]]:
    conn = connect(db)
    try:
        return approvals.presences(conn)
    finally:
        conn.close()


def decide(db: Path, request: approvals.Request, decision: str = "allow", **kwargs) -> bool:
    conn = connect(db)
    try:
        return approvals.decide(conn, request.id, request.input_hash, decision, **kwargs)
    finally:
        conn.close()


def ask(db: Path, kind: str = "pre-tool-use"):
    body = PUSH_PRE if kind == "pre-tool-use" else payload("PermissionRequest")
    proc = start_hook(db, kind, body, "claude", "--timeout", "60")
    assert wait_until(lambda: len(pending(db)) == 1), "the request never arrived"
    (request,) = pending(db)
    return proc, request


def still_waiting(db: Path, proc, request: approvals.Request, seconds: float) -> None:
    """The hook keeps waiting and its request stays pending for `seconds` (several beats and polls)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()
        assert [r.id for r in pending(db)] == [request.id]
        time.sleep(0.1)


def test_each_dashboard_has_its_own_presence(db: Path) -> None:
    answering, watching = Dashboard(db), Dashboard(db, read_only=True)
    try:
        assert wait_until(lambda: len(presence_rows(db)) == 2)
        assert sorted(read_only for _name, _pid, read_only in presence_rows(db)) == [False, True]
        conn = connect(db)
        assert approvals.cockpit_alive(conn)
        conn.close()
    finally:
        answering.quit()
    conn = connect(db)
    # Only the read-only one is left: for a hook, nobody can answer.
    assert [ro for _n, _p, ro in approvals.presences(conn)] == [True]
    assert not approvals.cockpit_alive(conn)
    conn.close()
    watching.quit()
    assert presence_rows(db) == []


def test_a_read_only_dashboard_beside_a_normal_one_changes_nothing(db: Path) -> None:
    answering = Dashboard(db)
    assert wait_until(lambda: len(presence_rows(db)) == 1)
    watching = Dashboard(db, read_only=True)
    try:
        proc, request = ask(db)
        # Both beat for a while: the hook keeps waiting, the read-only dashboard sees the request too.
        still_waiting(db, proc, request, 2.5)
        assert any(request.id in [r.id for r in p] for p, _closed in watching.changes)
        assert decide(db, request, "deny", reason="not today")
        out, _err, code = finish(proc)
        body = json.loads(out)["hookSpecificOutput"]
        assert (body["permissionDecision"], body["permissionDecisionReason"], code) == ("deny", "not today", 0)
    finally:
        watching.quit()
        answering.quit()


def test_a_read_only_dashboard_never_closes_a_request(db: Path) -> None:
    conn = connect(db)
    request_id = approvals.create(conn, {
        "agent": "claude", "event": "PreToolUse", "session_id": "s-1", "tool_name": "Bash",
        "tool_input": {"command": "git push"}, "input_hash": approvals.input_hash("Bash", {"command": "git push"}),
        "tool_use_id": "toolu_x", "hook_pid": 2**22 + 12345,  # no such process
    })
    conn.execute("INSERT INTO hook_events (agent, session_id, event, received_at, tool_use_id) VALUES"
                 " ('claude', 's-1', 'PostToolUse', ?, 'toolu_x')", (approvals.now_iso(),))
    watching = Dashboard(db, read_only=True)
    try:
        assert wait_until(lambda: bool(watching.changes))
        time.sleep(0.5)
        # It hides what nobody waits for, and writes nothing.
        assert all(p == [] and closed == [] for p, closed in watching.changes)
        assert approvals.get(conn, request_id).status == approvals.PENDING
    finally:
        watching.quit()
    answering = Dashboard(db)
    try:
        assert wait_until(lambda: approvals.get(conn, request_id).status == approvals.GONE)
    finally:
        answering.quit()
        conn.close()


def test_quitting_one_of_two_dashboards_keeps_the_request_waiting(db: Path) -> None:
    first, second = Dashboard(db), Dashboard(db)
    try:
        assert wait_until(lambda: len(presence_rows(db)) == 2)
        proc, request = ask(db)
        first.quit()
        assert len(presence_rows(db)) == 1
        still_waiting(db, proc, request, 2.0)
        assert decide(db, request, "allow")
        out, _err, _code = finish(proc)
        assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "allow"
    finally:
        second.quit()


@pytest.mark.parametrize("kind", ["pre-tool-use", "permission-request"])
def test_quitting_the_last_dashboard_hands_the_request_back_at_once(db: Path, kind: str) -> None:
    first, second = Dashboard(db), Dashboard(db)
    assert wait_until(lambda: len(presence_rows(db)) == 2)
    proc, request = ask(db, kind)
    first.quit()
    still_waiting(db, proc, request, 1.0)  # not before the last one quits
    second.quit()
    started = time.monotonic()
    out, _err, code = finish(proc)
    assert time.monotonic() - started < 1.0 and code == 0
    if kind == "pre-tool-use":
        body = json.loads(out)["hookSpecificOutput"]
        assert body["permissionDecision"] == "ask"
        assert "no cockpit that can answer is running any more" in body["permissionDecisionReason"]
    else:
        assert out == ""  # the agent's own dialog asks
    conn = connect(db)
    assert approvals.get(conn, request.id).status == approvals.NO_COCKPIT
    conn.close()


def test_a_decision_made_while_the_store_is_busy_lands_after_the_lock_and_reaches_the_hook(db: Path) -> None:
    dashboard = Dashboard(db)
    try:
        assert wait_until(lambda: len(presence_rows(db)) == 1)
        proc, request = ask(db)
        holder = hold_write_lock(db, 3.0)
        busy: list[str] = []
        started = time.monotonic()
        ok, status = write_decision(str(db), request.id, request.input_hash, "allow", give_up_at=started + 30,
                                    on_busy=busy.append)
        took = time.monotonic() - started
        holder.join()
        assert (ok, status) == (True, None)
        assert busy == ["OperationalError: database is locked"]  # told once: "pending…"
        assert 2.0 < took < 5.0, took
        out, _err, code = finish(proc)
        assert (json.loads(out)["hookSpecificOutput"]["permissionDecision"], code) == ("allow", 0)
    finally:
        dashboard.quit()


def test_a_decision_that_cannot_be_written_before_the_deadline_fails_loudly(db: Path) -> None:
    conn = connect(db)
    request_id = approvals.create(conn, {
        "agent": "claude", "event": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "git push"},
        "input_hash": "h",
    })
    conn.close()
    holder = hold_write_lock(db, 3.0)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        write_decision(str(db), request_id, "h", "allow", give_up_at=started + 1.0)
    assert time.monotonic() - started < 2.5
    holder.join()
    # Nothing was written: the request still waits, and a later decision goes through.
    conn = connect(db)
    assert approvals.get(conn, request_id).status == approvals.PENDING
    assert approvals.decide(conn, request_id, "h", "deny")
    conn.close()


# ---- at rest: asleep until the store is written ------------------------------------------------------


class Traced:
    """The SQL each connection the inbox opens runs, in order (sqlite3's trace callback)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import cockpit.services.inbox as inbox

        self.sql: list[str] = []
        real = inbox.connect

        def traced(*args, **kwargs):
            conn = real(*args, **kwargs)
            conn.set_trace_callback(self.sql.append)
            return conn

        monkeypatch.setattr(inbox, "connect", traced)

    def count(self, text: str, since: int = 0) -> int:
        return sum(text in statement for statement in self.sql[since:])


def a_request(conn: sqlite3.Connection, hook_pid: int) -> int:
    return approvals.create(conn, {
        "agent": "claude", "event": "PreToolUse", "session_id": "s-1", "tool_name": "Bash",
        "tool_input": {"command": "git push"}, "input_hash": approvals.input_hash("Bash", {"command": "git push"}),
        "tool_use_id": "toolu_rest", "hook_pid": hook_pid,
    })


def test_an_idle_watch_sleeps_until_another_connection_writes(db: Path, monkeypatch) -> None:
    import cockpit.services.inbox as inbox

    monkeypatch.setattr(inbox, "BEAT_SECONDS", 3600.0)  # one beat, at the start: only a write can wake it after
    traced = Traced(monkeypatch)
    dashboard = Dashboard(db)
    try:
        assert wait_until(lambda: traced.count("FROM approvals") == 1 and traced.count("INSERT INTO heartbeat") == 1)
        rest = len(traced.sql)
        time.sleep(0.5)  # five looks' worth at POLL_SECONDS, were it polling
        # Asleep: not even a look at the store's version, let alone a read of the requests or events.
        assert traced.sql[rest:] == []
        # A hook's request, written by another connection, wakes it and is shown (the next beat is an hour away).
        conn = connect(db)
        request_id = a_request(conn, os.getpid())
        conn.close()
        assert wait_until(lambda: any(request_id in [r.id for r in p] for p, _c in dashboard.changes))
        assert traced.count("PRAGMA data_version", rest) >= 1 and traced.count("FROM approvals", rest) >= 1
    finally:
        dashboard.quit()


def test_a_write_that_commits_nothing_wakes_it_for_one_look_and_no_read(db: Path, monkeypatch) -> None:
    import cockpit.services.inbox as inbox

    monkeypatch.setattr(inbox, "BEAT_SECONDS", 3600.0)
    traced = Traced(monkeypatch)
    dashboard = Dashboard(db)
    try:
        assert wait_until(lambda: traced.count("FROM approvals") == 1 and traced.count("INSERT INTO heartbeat") == 1)
        rest = len(traced.sql)
        # Another connection checkpoints the beat into the database file: the file is written, its content is not
        # changed, data_version stays: one look, nothing read.
        other = sqlite3.connect(db)
        other.execute("PRAGMA wal_checkpoint(PASSIVE)")
        other.close()
        assert wait_until(lambda: traced.count("PRAGMA data_version", rest) >= 1)
        time.sleep(0.2)
        assert traced.count("FROM approvals", rest) == 0 and traced.count("FROM hook_events", rest) == 0
    finally:
        dashboard.quit()


def test_a_waiting_request_is_still_swept_when_nothing_is_written(db: Path) -> None:
    hook = subprocess.Popen(["sleep", "60"])
    conn = connect(db)
    request_id = a_request(conn, hook.pid)
    dashboard = Dashboard(db)
    try:
        assert wait_until(lambda: any(request_id in [r.id for r in p] for p, _c in dashboard.changes))
        hook.kill()
        hook.wait()
        # The hook died: nothing in the store changed, yet the watch closes its request.
        assert wait_until(lambda: approvals.get(conn, request_id).status == approvals.GONE)
        assert any([r.id for r in closed] == [request_id] for _p, closed in dashboard.changes)
    finally:
        dashboard.quit()
        conn.close()
        if hook.poll() is None:
            hook.kill()
