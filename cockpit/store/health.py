"""What the health rules (cockpit/core/health.py) read: the live sessions, the tail of their tool calls, their
recent file edits and the approval requests still waiting. SQL only; the rules decide."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from cockpit.core.health import CallRow, FileEdit, LiveSession, PendingRequest
from cockpit.store import approvals
from cockpit.store.db import Database
from cockpit.store.queries import iso, live_cutoff

# A loop is a run at the end of a thread: only the last calls of each thread are read.
TAIL_CALLS = 200


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def live_sessions(db: Database, now: datetime, live_minutes: float,
                  roots: tuple[str, ...] = ()) -> list[LiveSession]:
    """The sessions the sessions pane calls live (not ended, active in the last `live_minutes`)."""
    sql = ("SELECT session_id, title, last_prompt, first_prompt, state, last_activity_at, parent_session_id, project"
           " FROM sessions WHERE ended = 0 AND last_activity_at >= ?")
    params: list[object] = [live_cutoff(now, live_minutes)]
    if roots:
        sql += " AND (" + " OR ".join("substr(path, 1, ?) = ?" for _ in roots) + ")"
        for root in roots:
            prefix = root.rstrip("/") + "/"
            params.extend([len(prefix), prefix])
    return [
        LiveSession(sid, title or last_prompt or first_prompt or "", state, last, parent or "", project or "")
        for sid, title, last_prompt, first_prompt, state, last, parent, project in db.execute(sql, params).fetchall()
    ]


def recent_calls(db: Database, session_ids: Sequence[str]) -> dict[str, list[CallRow]]:
    """The last TAIL_CALLS tool calls of each thread of these sessions, oldest first."""
    if not session_ids:
        return {}
    rows = db.execute(
        f"""SELECT session_id, name, input_hash, started_at, is_error, error, agent_id FROM (
              SELECT session_id, name, input_hash, started_at, is_error, error, agent_id, seq,
                     ROW_NUMBER() OVER (PARTITION BY session_id, agent_id ORDER BY started_at DESC, seq DESC) AS n
              FROM tool_calls WHERE session_id IN ({_placeholders(session_ids)}))
            WHERE n <= ? ORDER BY session_id, started_at, seq""",
        [*session_ids, TAIL_CALLS],
    ).fetchall()
    calls: dict[str, list[CallRow]] = defaultdict(list)
    for sid, name, digest, started, err, error, agent_id in rows:
        calls[sid].append(CallRow(name, digest or "", started, None if err is None else bool(err), error or "",
                                  agent_id or ""))
    return dict(calls)


def recent_edits(db: Database, session_ids: Sequence[str], since: datetime) -> list[FileEdit]:
    """Every file these sessions' edit tools changed since `since`."""
    if not session_ids:
        return []
    rows = db.execute(
        f"SELECT session_id, path, ts FROM tool_files WHERE session_id IN ({_placeholders(session_ids)}) AND ts >= ?",
        [*session_ids, iso(since)],
    ).fetchall()
    return [FileEdit(sid, path, ts) for sid, path, ts in rows]


def waiting_requests(db: Database, now: datetime) -> list[PendingRequest]:
    """Approval requests a hook still waits on (a request whose hook is gone waits for nobody)."""
    return [
        PendingRequest(r.session_id, r.received_at, r.tool_name, r.summary)
        for r in approvals.pending(db.conn)
        if not approvals.hook_gone(r, now=now)
    ]


def session_parents(db: Database) -> dict[str, str]:
    """Codex sub-threads: session id -> the id of the session that spawned it."""
    return dict(db.execute("SELECT session_id, parent_session_id FROM sessions WHERE parent_session_id != ''").fetchall())
