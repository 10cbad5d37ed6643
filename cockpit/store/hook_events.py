"""What the agents' hooks reported (`hook_events`), as the cockpit's approval watch reads it."""

from __future__ import annotations

import sqlite3

from cockpit.core.claude import tool_summary
from cockpit.core.text import one_line
from cockpit.store.approvals import Request

ANSWER_EVENTS = ("PostToolUse", "PostToolUseFailure", "PermissionDenied")


def answered_elsewhere(conn: sqlite3.Connection, request: Request) -> bool:
    """True when the call this request is about has already been answered in the agent's terminal."""
    if request.tool_use_id:
        row = conn.execute(
            f"SELECT 1 FROM hook_events WHERE tool_use_id = ? AND event IN {ANSWER_EVENTS} LIMIT 1",
            (request.tool_use_id,),
        ).fetchone()
        if row:
            return True
    row = conn.execute(
        f"""SELECT 1 FROM hook_events WHERE session_id = ? AND event IN {ANSWER_EVENTS} AND input_hash = ?
            AND received_at >= ? LIMIT 1""",
        (request.session_id, request.input_hash, request.received_at),
    ).fetchone()
    if row:
        return True
    # Without hooks for those events, the transcript tells: the call's result was written after the request.
    summary = tool_summary(request.tool_name, request.tool_input)
    row = conn.execute(
        """SELECT 1 FROM tool_calls WHERE session_id = ? AND name = ? AND summary = ? AND finished_at IS NOT NULL
           AND finished_at >= ? LIMIT 1""",
        (request.session_id, request.tool_name, one_line(summary, 200) if summary else summary, request.received_at),
    ).fetchone()
    return row is not None


def newest_event_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM hook_events").fetchone()[0])


def events_after(conn: sqlite3.Connection, event_id: int) -> tuple[int, set[str]]:
    """(the newest id, the sessions with an event) of the events after `event_id`; (`event_id`, {}) when none."""
    rows = conn.execute("SELECT id, session_id FROM hook_events WHERE id > ? ORDER BY id", (event_id,)).fetchall()
    if not rows:
        return event_id, set()
    return rows[-1][0], {sid for _id, sid in rows if sid}
