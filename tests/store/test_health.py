"""The store side of health: which sessions are live, the tail of each thread's calls, recent edits, and the
approval requests a hook still waits on."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.store import approvals
from cockpit.store.db import open_db
from cockpit.store.health import TAIL_CALLS, live_sessions, recent_calls, recent_edits, waiting_requests

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes_ago: float) -> str:
    moment = NOW - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def test_live_sessions_are_the_panes_live_ones_under_the_roots(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    rows = [("live", "/a/x.jsonl", 0, at(5), ""), ("old", "/a/y.jsonl", 0, at(90), ""),
            ("ended", "/a/z.jsonl", 1, at(1), ""), ("other", "/b/w.jsonl", 0, at(2), ""),
            ("child", "/a/c.jsonl", 0, at(3), "live")]
    for sid, path, ended, last, parent in rows:
        db.execute("INSERT INTO sessions (session_id, agent, path, ended, last_activity_at, state, parent_session_id)"
                   " VALUES (?, 'claude', ?, ?, ?, 'tool', ?)", (sid, path, ended, last, parent))
    live = {s.session_id: s for s in live_sessions(db, NOW, 30.0)}
    assert set(live) == {"live", "other", "child"} and live["child"].parent_session_id == "live"
    assert {s.session_id for s in live_sessions(db, NOW, 30.0, ("/a",))} == {"live", "child"}


def test_recent_calls_keep_the_last_calls_of_each_thread_in_order(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    for i in range(TAIL_CALLS + 20):
        db.execute("INSERT INTO tool_calls (session_id, tool_use_id, path, seq, name, summary, started_at, finished_at,"
                   " is_error, agent_id, input_hash, error) VALUES ('s', ?, '/p', ?, 'Bash', '', ?, ?, 1, '', 'h', 'e')",
                   (f"t{i}", i, at(500 - i), at(500 - i)))
    db.execute("INSERT INTO tool_calls (session_id, tool_use_id, path, seq, name, summary, started_at, is_error,"
               " agent_id) VALUES ('s', 'sub', '/p', 0, 'Read', '', ?, NULL, 'a1')", (at(600),))
    calls = recent_calls(db, ["s"])["s"]
    main = [c for c in calls if c.agent_id == ""]
    assert len(main) == TAIL_CALLS and main[-1].started_at == at(500 - TAIL_CALLS - 19)
    assert [c.started_at for c in main] == sorted(c.started_at for c in main)
    assert [c for c in calls if c.agent_id == "a1"][0].is_error is None  # an older thread keeps its own tail
    assert recent_calls(db, []) == {}


def test_recent_edits_are_the_live_sessions_edits_since(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    for sid, path, ts in (("a", "/f", at(5)), ("a", "/g", at(50)), ("b", "/f", at(3))):
        db.execute("INSERT INTO tool_files (session_id, tool_use_id, path, ts, agent_id) VALUES (?, ?, ?, ?, '')",
                   (sid, f"{sid}{path}", path, ts))
    edits = recent_edits(db, ["a"], NOW - timedelta(minutes=30))
    assert [(e.session_id, e.path) for e in edits] == [("a", "/f")]


def test_a_request_whose_hook_is_gone_waits_for_nobody(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    for sid, pid in (("alive", os.getpid()), ("dead", int(gone.stdout))):
        approvals.create(db.conn, {"agent": "claude", "event": "PermissionRequest", "session_id": sid,
                                   "tool_name": "Bash", "tool_input": "{}", "input_hash": "ab" * 8,
                                   "summary": "x", "received_at": at(20), "hook_pid": pid})
    assert [r.session_id for r in waiting_requests(db, NOW)] == ["alive"]
