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


def _age(tmp_path: Path) -> None:
    import os

    for path in (tmp_path / "claude").rglob("*.jsonl"):
        os.utime(path, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))


def test_an_unchanged_index_stats_each_transcript_once(tmp_path: Path, monkeypatch) -> None:
    import os

    for sid in ("a", "b", "c"):
        _session(tmp_path, sid)
    _index(tmp_path)
    _age(tmp_path)
    _index(tmp_path)
    real_stat, seen = os.stat, []

    def counting_stat(path, *args, **kwargs):
        if str(path).endswith(".jsonl"):
            seen.append(os.fsdecode(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    _index(tmp_path)
    # The discovery's stat decides that nothing changed: no second stat of each file (2,000 files: ~7 ms).
    assert sorted(seen) == sorted(str(p) for p in (tmp_path / "claude").rglob("*.jsonl"))


def test_a_write_after_an_earlier_discovery_is_read(tmp_path: Path) -> None:
    from cockpit.ingest.pipeline import Ingestor
    from cockpit.sources.discovery import claude_roots
    from cockpit.store.db import open_db

    grown = _session(tmp_path, "a")
    _index(tmp_path)
    _age(tmp_path)
    _index(tmp_path)
    ingestor = Ingestor(open_db(str(tmp_path / "cockpit.db")), claude_roots([str(tmp_path / "claude")]))
    records = ingestor.discover()
    write_jsonl(grown, [claude_assistant(9, session="a", msg_id="a-m9")], mode="a")
    # Records found before the write: the catch-up stats them again instead of trusting the discovery's stat.
    assert ingestor.ingest_all(records).lines == 1
    assert ingestor.ingest_all().lines == 0
