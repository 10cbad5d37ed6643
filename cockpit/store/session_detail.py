"""One session's rows, as a retro, a handoff and a vibe's intent read them (plain sqlite3)."""

from __future__ import annotations

import sqlite3
from typing import Any

from cockpit.store.db import NEWEST_FIRST

SESSION_COLUMNS = "session_id, title, first_prompt, started_at, last_activity_at, cost_usd, project, window, path"


def find_session(conn: sqlite3.Connection, session: str, root: str) -> tuple[Any, ...] | None:
    """A session by id or id prefix; with no id, the latest session of the repository at `root`.
    The row has SESSION_COLUMNS."""
    if session:
        return conn.execute(
            f"SELECT {SESSION_COLUMNS} FROM sessions WHERE session_id LIKE ? ORDER BY {NEWEST_FIRST}",
            (session.replace("%", "") + "%",)).fetchone()
    return conn.execute(
        f"SELECT {SESSION_COLUMNS} FROM sessions WHERE project = ? OR substr(project, 1, ?) = ?"
        f" ORDER BY {NEWEST_FIRST}",
        (root, len(root) + 1, root + "/"),
    ).fetchone()


def last_prompt(conn: sqlite3.Connection, session_id: str) -> str:
    """The session's last prompt as the transcript index keeps it ("" when none)."""
    row = conn.execute("SELECT last_prompt FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
    return (row[0] or "") if row else ""


def newest_prompt(conn: sqlite3.Connection, session_id: str) -> str:
    """The newest prompt recorded for the session, else its last prompt ("" when none)."""
    row = conn.execute("SELECT text FROM prompts WHERE session_id = ? ORDER BY ts DESC, seq DESC LIMIT 1",
                       (session_id,)).fetchone()
    return (row[0] or "") if row else last_prompt(conn, session_id)


def prompts(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, str]]:
    """(time, text) of every prompt, in order."""
    return conn.execute("SELECT ts, text FROM prompts WHERE session_id = ? ORDER BY seq", (session_id,)).fetchall()


def main_calls(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, int, int | None]]:
    """(time, context tokens, window) of each main-thread API call, in order."""
    return conn.execute(
        "SELECT ts, context_tokens, window FROM api_calls WHERE session_id = ? AND is_sidechain = 0 ORDER BY ts",
        (session_id,)).fetchall()


def compaction_count(conn: sqlite3.Connection, session_id: str) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM compactions WHERE session_id = ?", (session_id,)).fetchone()[0])


def tool_calls(conn: sqlite3.Connection, session_id: str) -> list[tuple[str, str, str, str | None, int]]:
    """(name, summary, started, finished, is error) of every tool call, in order."""
    return conn.execute(
        "SELECT name, summary, started_at, finished_at, is_error FROM tool_calls WHERE session_id = ?"
        " ORDER BY started_at", (session_id,)).fetchall()


def approval_decisions(conn: sqlite3.Connection, session_id: str) -> list[str]:
    """The decision on each approval request of the session ("" while undecided)."""
    return [d or "" for (d,) in conn.execute("SELECT decision FROM approvals WHERE session_id = ?", (session_id,))]
