"""A catch-up someone watches (the dashboard's first run on a long history) reads the newest sessions first, stores
them within the first megabyte, tells which sessions landed as it goes, never shows a session row without its
totals, and ends with exactly the store `cockpit index` builds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from conftest import claude_assistant, claude_user, write_jsonl

from cockpit.cli import main
from cockpit.ingest import pipeline
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db

DERIVED = ("sessions", "api_calls", "tool_calls", "tool_files", "prompts", "compactions", "interrupts", "files")


def _history(tmp_path: Path, copy_data) -> tuple[Path, Path]:
    claude = copy_data("claude", "claude")
    codex = copy_data("codex", "codex")
    for path in [*claude.rglob("*.jsonl"), *codex.rglob("*.jsonl")]:
        os.utime(path, (1_600_000_000, 1_600_000_000))  # the real files: older than the three below
    for age, sid in enumerate(("oldest", "middle", "newest")):
        lines = [claude_user(1, session=sid)] + [claude_assistant(i, session=sid) for i in range(2, 40)]
        path = write_jsonl(claude / "projects" / "-home-dev-notices" / f"{sid}.jsonl", lines)
        os.utime(path, (1_700_000_000 + age * 1000, 1_700_000_000 + age * 1000))
    return claude, codex


def _rows(db: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        order = ", ".join(f'"{c}"' for c in cols)
        return conn.execute(f'SELECT {order} FROM "{table}" ORDER BY {order}').fetchall()
    finally:
        conn.close()


def test_the_newest_sessions_land_first_with_their_totals_and_the_end_equals_cockpit_index(
        tmp_path: Path, copy_data, monkeypatch) -> None:
    claude, codex = _history(tmp_path, copy_data)
    monkeypatch.setattr(pipeline, "FIRST_COMMIT_BYTES", 1)
    monkeypatch.setattr(pipeline, "COMMIT_EVERY_BYTES", 64 * 1024)
    monkeypatch.setattr(pipeline, "NOTICE_SECONDS", 0.0)
    db = tmp_path / "watched.db"
    notices: list[tuple[set[str], int, int]] = []
    untotalled: list[str] = []

    def on_commit(sessions: set[str], done: int, to_read: int) -> None:
        notices.append((set(sessions), done, to_read))
        # What another reader (the dashboard's table) sees now: no session row without its totals.
        reader = sqlite3.connect(db)
        try:
            untotalled.extend(sid for (sid,) in reader.execute(
                "SELECT session_id FROM sessions s WHERE calls != (SELECT COUNT(*) FROM api_calls a"
                " WHERE a.session_id = s.session_id)"))
        finally:
            reader.close()

    ingestor = Ingestor(open_db(db), claude_roots([str(claude)]), codex_roots([str(codex)]))
    result = ingestor.ingest_all(on_commit=on_commit)
    ingestor.db.conn.close()

    assert len(notices) >= 3 and notices[0][0] == {"newest"}
    assert {"middle"} <= notices[1][0] | notices[0][0] | (notices[2][0] if len(notices) > 2 else set())
    assert untotalled == []
    dones = [done for _, done, _ in notices]
    assert dones == sorted(dones) and all(done <= to_read for _, done, to_read in notices)
    assert notices[-1][2] == result.bytes > notices[-1][1]  # the last group is told by the result itself
    assert set().union(*(s for s, _, _ in notices)) < result.sessions

    assert main(["index", "--db", str(tmp_path / "index.db"), "--claude-dir", str(claude),
                 "--codex-dir", str(codex)]) == 0
    for table in DERIVED:
        assert _rows(db, table) == _rows(tmp_path / "index.db", table), table


def test_without_a_watcher_the_catch_up_keeps_its_order_and_big_commits(tmp_path: Path, copy_data, monkeypatch) -> None:
    claude, codex = _history(tmp_path, copy_data)
    commits: list[int] = []
    real = Ingestor._transact

    def counting(self, stage):
        commits.append(1)
        return real(self, stage)

    monkeypatch.setattr(Ingestor, "_transact", counting)
    assert main(["index", "--db", str(tmp_path / "index.db"), "--claude-dir", str(claude),
                 "--codex-dir", str(codex)]) == 0
    # Everything in one transaction, and one for the totals: no early commit, no re-totalling per group.
    assert len(commits) == 2
