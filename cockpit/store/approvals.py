"""The approval protocol over the store: hooks ask, the cockpit answers, everything is kept.

Plain sqlite3 only: hook processes import this and must start fast. A decision is bound to the
request id and to the hash of the tool input it was shown with; a decision for another input is
refused. Nothing read from a transcript or a tool input can decide anything: only `decide`, called
by the cockpit on a key press, writes a decision.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

HEARTBEAT_NAME = "ui"
# The cockpit beats every second; three missed beats mean nobody is there to answer.
HEARTBEAT_STALE_SECONDS = 3.0
POLL_SECONDS = 0.05

PENDING = "pending"
DECIDED = "decided"
EXPIRED = "expired"  # the hook gave up before the agent's timeout
NO_COCKPIT = "no-cockpit"  # nobody could answer: the agent's own dialog decided
ANSWERED_IN_TERMINAL = "answered-in-terminal"
SESSION_RULE = "session-rule"  # allowed by an earlier "allow this rule for the session"


def now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def input_hash(tool_name: str, tool_input: Any) -> str:
    """Stable hash of what the human is shown; a decision only applies to exactly this input."""
    canonical = json.dumps([tool_name, tool_input], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    agent: str
    event: str
    session_id: str
    cwd: str
    transcript_path: str
    tool_name: str
    tool_input: Any
    input_hash: str
    tool_use_id: str
    summary: str
    policy: str
    policy_reason: str
    received_at: str
    deadline_at: str | None
    status: str
    decision: str | None
    reason: str
    decided_by: str | None
    decided_at: str | None
    latency_ms: int | None


_COLUMNS = (
    "id, agent, event, session_id, cwd, transcript_path, tool_name, tool_input, input_hash, tool_use_id, summary,"
    " policy, policy_reason, received_at, deadline_at, status, decision, reason, decided_by, decided_at, latency_ms"
)


def _request(row: tuple[Any, ...]) -> Request:
    values = list(row)
    try:
        values[7] = json.loads(values[7])
    except ValueError:
        pass
    return Request(*values)


# ---- the cockpit's side ---------------------------------------------------------------------------


def beat(conn: sqlite3.Connection, *, read_only: bool = False, pid: int | None = None) -> None:
    conn.execute(
        "INSERT INTO heartbeat VALUES (?,?,?,?) ON CONFLICT(name) DO UPDATE SET pid = excluded.pid,"
        " beat_at = excluded.beat_at, read_only = excluded.read_only",
        (HEARTBEAT_NAME, pid or os.getpid(), time.time(), int(read_only)),
    )


def stop_beating(conn: sqlite3.Connection, pid: int | None = None) -> None:
    conn.execute("DELETE FROM heartbeat WHERE name = ? AND pid = ?", (HEARTBEAT_NAME, pid or os.getpid()))


def pending(conn: sqlite3.Connection) -> list[Request]:
    """Requests waiting for a human, oldest first."""
    return [
        _request(r)
        for r in conn.execute(f"SELECT {_COLUMNS} FROM approvals WHERE status = ? ORDER BY id", (PENDING,)).fetchall()
    ]


def get(conn: sqlite3.Connection, request_id: int) -> Request | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM approvals WHERE id = ?", (request_id,)).fetchone()
    return _request(row) if row else None


def history(conn: sqlite3.Connection, *, limit: int = 1000, session_id: str | None = None) -> list[Request]:
    sql = f"SELECT {_COLUMNS} FROM approvals"
    params: list[Any] = []
    if session_id:
        sql += " WHERE session_id = ?"
        params.append(session_id)
    sql += " ORDER BY id DESC LIMIT ?"
    params.append(limit)
    return [_request(r) for r in conn.execute(sql, params).fetchall()]


def decide(
    conn: sqlite3.Connection,
    request_id: int,
    shown_hash: str,
    decision: str,
    *,
    reason: str = "",
    by: str = "cockpit-key",
    allow_rule_for_session: bool = False,
) -> bool:
    """Record the human's answer. False when the request is no longer pending or its input changed."""
    if decision not in ("allow", "deny"):
        raise ValueError(f"decision must be allow or deny, not {decision!r}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute(
            "SELECT status, input_hash, received_at, session_id, policy FROM approvals WHERE id = ?", (request_id,)
        ).fetchone()
        if row is None or row[0] != PENDING or row[1] != shown_hash:
            conn.execute("ROLLBACK")
            return False
        decided_at = now_iso()
        conn.execute(
            "UPDATE approvals SET status = ?, decision = ?, reason = ?, decided_by = ?, decided_at = ?, latency_ms = ?"
            " WHERE id = ?",
            (DECIDED, decision, reason, by, decided_at, _ms_between(row[2], decided_at), request_id),
        )
        if allow_rule_for_session and decision == "allow" and row[4]:
            conn.execute(
                "INSERT OR IGNORE INTO session_allows VALUES (?,?,?)", (row[3], row[4], decided_at)
            )
        conn.execute("COMMIT")
        return True
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def close(conn: sqlite3.Connection, request_id: int, status: str, by: str) -> bool:
    """End a pending request without a human decision (answered in the terminal, timed out, …)."""
    cur = conn.execute(
        "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND status = ?",
        (status, by, now_iso(), request_id, PENDING),
    )
    return cur.rowcount == 1


def _ms_between(start: str, end: str) -> int | None:
    try:
        a = datetime.fromisoformat(start.replace("Z", "+00:00"))
        b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((b - a).total_seconds() * 1000)


# ---- the hook's side ---------------------------------------------------------------------------------


def cockpit_alive(conn: sqlite3.Connection, *, stale_seconds: float = HEARTBEAT_STALE_SECONDS) -> bool:
    row = conn.execute("SELECT beat_at, read_only FROM heartbeat WHERE name = ?", (HEARTBEAT_NAME,)).fetchone()
    # A read-only cockpit cannot approve anything, so for a hook it is as if none were running.
    return row is not None and not row[1] and time.time() - row[0] < stale_seconds


def session_allows(conn: sqlite3.Connection, session_id: str, rule: str) -> bool:
    return (
        conn.execute("SELECT 1 FROM session_allows WHERE session_id = ? AND rule = ?", (session_id, rule)).fetchone()
        is not None
    )


def create(conn: sqlite3.Connection, fields: dict[str, Any], *, status: str = PENDING) -> int:
    fields = dict(fields)
    fields.setdefault("received_at", now_iso())
    fields["status"] = status
    if not isinstance(fields.get("tool_input"), str):
        fields["tool_input"] = json.dumps(fields.get("tool_input", {}), ensure_ascii=False)
    names = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    cur = conn.execute(f"INSERT INTO approvals ({names}) VALUES ({marks})", tuple(fields.values()))
    return int(cur.lastrowid or 0)


def wait_for_decision(
    conn: sqlite3.Connection, request_id: int, deadline: float, *, poll: float = POLL_SECONDS
) -> Request | None:
    """Block until the request is decided or closed, the cockpit goes away, or `deadline` (monotonic).

    Returns the request when a human decided it, else None after closing it with the reason.
    """
    while True:
        request = get(conn, request_id)
        if request is None:
            return None
        if request.status == DECIDED:
            conn.execute("UPDATE approvals SET delivered_at = ? WHERE id = ?", (now_iso(), request_id))
            return request
        if request.status != PENDING:
            return None
        if time.monotonic() >= deadline:
            close(conn, request_id, EXPIRED, "timeout")
            return None
        if not cockpit_alive(conn):
            close(conn, request_id, NO_COCKPIT, "no-cockpit")
            return None
        time.sleep(poll)
