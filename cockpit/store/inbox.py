"""The cockpit's side of approvals, in a background thread: heartbeat, new requests, requests answered elsewhere.

It beats every second (hooks wait only while the beat is fresh), polls for pending requests every
100 ms, and closes a pending request as "answered in terminal" when the agent shows it went on
without us: a PostToolUse / PostToolUseFailure / PermissionDenied event for the same call, or the
call's result in the transcript.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable

from cockpit.core.claude import tool_summary
from cockpit.core.text import one_line
from cockpit.store import approvals
from cockpit.store.approvals import Request
from cockpit.store.db import connect

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
BEAT_SECONDS = 1.0
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


class InboxWatch:
    def __init__(
        self,
        db_path: str,
        on_change: Callable[[list[Request], list[Request]], None],
        *,
        read_only: bool = False,
        on_events: Callable[[set[str]], None] | None = None,
    ) -> None:
        """`on_change(pending, closed)` runs in this thread when the pending set changes;
        `on_events(session_ids)` when agent hook events arrived for those sessions."""
        self.db_path = db_path
        self.on_change = on_change
        self.read_only = read_only
        self.on_events = on_events

    def run(self, stop: threading.Event) -> None:
        conn = connect(self.db_path)
        last_beat = 0.0
        seen: tuple[tuple[int, str], ...] | None = None
        last_event = conn.execute("SELECT COALESCE(MAX(id), 0) FROM hook_events").fetchone()[0]
        try:
            while not stop.is_set():
                now = time.monotonic()
                if now - last_beat >= BEAT_SECONDS:
                    try:
                        approvals.beat(conn, read_only=self.read_only)
                        last_beat = now
                    except sqlite3.OperationalError as exc:
                        # A long write elsewhere: try again next poll rather than stop answering.
                        log.warning("heartbeat delayed: %s", exc)
                waiting = approvals.pending(conn)
                closed: list[Request] = []
                for request in waiting:
                    if answered_elsewhere(conn, request) and approvals.close(
                        conn, request.id, approvals.ANSWERED_IN_TERMINAL, "terminal"
                    ):
                        closed.append(request)
                if closed:
                    waiting = [r for r in waiting if r not in closed]
                key = tuple((r.id, r.status) for r in waiting)
                if key != seen or closed:
                    seen = key
                    self.on_change(waiting, closed)
                if self.on_events is not None:
                    rows = conn.execute(
                        "SELECT id, session_id FROM hook_events WHERE id > ? ORDER BY id", (last_event,)
                    ).fetchall()
                    if rows:
                        last_event = rows[-1][0]
                        self.on_events({sid for _id, sid in rows if sid})
                stop.wait(POLL_SECONDS)
        finally:
            try:
                approvals.stop_beating(conn)
            finally:
                conn.close()
