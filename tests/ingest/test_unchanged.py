"""An unchanged history costs a stat walk (issue 13 goal 2): `cockpit index` rewrites no file row and re-totals no
session unless its transcript changed; a changed one is re-totalled alone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from conftest import claude_assistant, claude_user, write_jsonl

from cockpit.cli import main


def _index(tmp_path: Path) -> sqlite3.Connection:
    db = tmp_path / "cockpit.db"
    assert main(["index", "--db", str(db), "--claude-dir", str(tmp_path / "claude"),
                 "--codex-dir", str(tmp_path / "codex")]) == 0
    return sqlite3.connect(db, isolation_level=None)


def _session(tmp_path: Path, sid: str, n: int = 3) -> Path:
    lines = [claude_user(1, session=sid)] + [claude_assistant(i, session=sid, msg_id=f"{sid}-m{i}") for i in range(2, n)]
    return write_jsonl(tmp_path / "claude" / "projects" / "-home-dev-proj" / f"{sid}.jsonl", lines)


def _mark(conn: sqlite3.Connection) -> None:
    """Values no ingest writes: any rewrite of a row replaces them."""
    conn.execute("UPDATE sessions SET cost_usd = -1, calls = -1")
    conn.execute("UPDATE files SET size = -1")


def test_an_unchanged_history_rewrites_nothing_and_a_changed_session_alone_is_retotalled(tmp_path: Path) -> None:
    _session(tmp_path, "a")
    grown = _session(tmp_path, "b")
    conn = _index(tmp_path)
    # The transcripts' mtimes must be trusted (old enough): a racy mtime is read again on purpose.
    for path in (tmp_path / "claude").rglob("*.jsonl"):
        import os

        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    conn = _index(tmp_path)
    _mark(conn)
    conn = _index(tmp_path)
    assert conn.execute("SELECT session_id, cost_usd, calls FROM sessions ORDER BY 1").fetchall() == [
        ("a", -1, -1), ("b", -1, -1)]
    assert conn.execute("SELECT DISTINCT size FROM files").fetchall() == [(-1,)]

    write_jsonl(grown, [claude_assistant(9, session="b", msg_id="b-m9")], mode="a")
    conn = _index(tmp_path)
    rows = dict(conn.execute("SELECT session_id, calls FROM sessions").fetchall())
    assert rows == {"a": -1, "b": 2}
    sizes = dict(conn.execute("SELECT path, size FROM files").fetchall())
    assert sizes[str(grown)] == grown.stat().st_size and sizes[str(tmp_path / "claude" / "projects" / "-home-dev-proj"
                                                                    / "a.jsonl")] == -1
