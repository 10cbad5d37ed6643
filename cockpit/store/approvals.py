"""The approval protocol over the store: hooks ask, the cockpit answers, everything is kept.

Plain sqlite3 only: hook processes import this and must start fast. A decision is bound to the
request id and to the hash of the tool input it was shown with; a decision for another input is
refused. Nothing read from a transcript or a tool input can decide anything: only `decide`, called
by the cockpit on a key press, writes a decision.

Presence: every dashboard writes its own row in `heartbeat` (keyed by its pid and a random token,
with its read-only flag and the time of its last beat) and deletes it when it quits. A hook waits
only while some answering dashboard is present: a fresh row, not read-only, whose pid is alive. So a
read-only dashboard beside a normal one changes nothing, quitting one of two keeps the requests
waiting for the other, and when the last answering one quits (or dies) the hooks give their
fail-safe answer at once.

A request never outlives its hook: the hook closes it when it answers, gives up or is signalled
(SIGTERM, SIGINT, SIGHUP); a hook killed outright (SIGKILL) is found by the dashboards, which mark
its request `gone` when its pid is dead or its deadline has long passed. A request that is not
pending (decided, expired, gone, answered elsewhere) can never be decided.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# A dashboard beats every second. A dashboard whose process is gone stops counting at once (its pid
# is dead); one that is alive but silent this long (hung, or its beats held up by a long write
# lock elsewhere) stops counting too. Long enough that a store busy for a few seconds does not make
# hooks give up on a dashboard that is there.
HEARTBEAT_STALE_SECONDS = 10.0
# Rows this old are somebody's leftovers (a dashboard killed outright): the next beat removes them.
HEARTBEAT_FORGET_SECONDS = 600.0
POLL_SECONDS = 0.05
# A pending request this long past its hook's deadline has no hook left to answer.
DEADLINE_GRACE_SECONDS = 10.0

PENDING = "pending"
DECIDED = "decided"
EXPIRED = "expired"  # the hook gave up before the agent's timeout, or was told to stop
NO_COCKPIT = "no-cockpit"  # nobody could answer: the agent's own dialog (or the fail-safe answer) decided
ANSWERED_IN_TERMINAL = "answered-in-terminal"
GONE = "gone"  # the hook process died without closing its request: nobody waits for the answer
SESSION_RULE = "session-rule"  # allowed by an earlier "allow this rule for the session"

_SURROGATE = re.compile("[\ud800-\udfff]")


def now_iso() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def input_hash(tool_name: str, tool_input: Any) -> str:
    """Stable hash of what the human is shown; a decision only applies to exactly this input."""
    canonical = json.dumps([tool_name, tool_input], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def sql_text(value: Any) -> Any:
    """`value`, with any lone surrogate (undecodable input bytes, a `\\udc80` escape) written out as
    the text `\\udc80`: SQLite stores UTF-8 only, and an insert of such a str raises."""
    return _surrogates_written_out(value, "\\") if isinstance(value, str) else value


def json_text(value: Any) -> str:
    """JSON for the store: non-ASCII kept as is, lone surrogates kept as visible `\\udc80` text (not as
    an escape that would bring the surrogate back when read)."""
    # Inside a JSON string: an escaped backslash, then the code point as plain text.
    return _surrogates_written_out(json.dumps(value, ensure_ascii=False), "\\\\")


def _surrogates_written_out(text: str, backslash: str) -> str:
    """`text` with each lone surrogate replaced by `backslash` + `udcXX`; unchanged when it has none."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub(lambda m: f"{backslash}u{ord(m.group()):04x}", text)
    return text


def pid_alive(pid: Any) -> bool:
    """Whether process `pid` still runs (on this machine, in this pid namespace). A zombie is dead."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return True  # no /proc (macOS): the signal said alive
    # "pid (comm) S ...": the state follows the last ')' (comm may hold spaces and parentheses).
    state = stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3]
    return state not in (b"Z", b"X")


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
    hook_pid: int | None = None


_COLUMNS = (
    "id, agent, event, session_id, cwd, transcript_path, tool_name, tool_input, input_hash, tool_use_id, summary,"
    " policy, policy_reason, received_at, deadline_at, status, decision, reason, decided_by, decided_at, latency_ms,"
    " hook_pid"
)


def _request(row: tuple[Any, ...]) -> Request:
    values = list(row)
    try:
        values[7] = json.loads(values[7])
    except (ValueError, RecursionError):
        pass
    return Request(*values)


def set_busy_timeout(conn: sqlite3.Connection, seconds: float) -> None:
    """How long the next statements wait for another writer's lock before raising 'database is locked'."""
    conn.execute(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")


# ---- the cockpit's side ---------------------------------------------------------------------------

_PROCESS_TOKEN = secrets.token_hex(8)


def presence_name(pid: int | None = None, token: str | None = None) -> str:
    """The heartbeat row of one dashboard: its pid and a token of its own (two in one process differ)."""
    return f"{pid or os.getpid()}:{token or _PROCESS_TOKEN}"


def beat(conn: sqlite3.Connection, *, read_only: bool = False, pid: int | None = None, token: str | None = None) -> None:
    """This dashboard is here (and whether it can answer). Also forgets rows left by dashboards long dead."""
    now = time.time()
    conn.execute(
        "INSERT INTO heartbeat VALUES (?,?,?,?) ON CONFLICT(name) DO UPDATE SET pid = excluded.pid,"
        " beat_at = excluded.beat_at, read_only = excluded.read_only",
        (presence_name(pid, token), pid or os.getpid(), now, int(read_only)),
    )
    conn.execute("DELETE FROM heartbeat WHERE beat_at < ?", (now - HEARTBEAT_FORGET_SECONDS,))


def stop_beating(conn: sqlite3.Connection, pid: int | None = None, token: str | None = None) -> None:
    """This dashboard leaves. Waiting hooks keep waiting while another answering dashboard is present;
    when none is left they give their fail-safe answer."""
    conn.execute("DELETE FROM heartbeat WHERE name = ?", (presence_name(pid, token),))


def presences(conn: sqlite3.Connection, *, stale_seconds: float = HEARTBEAT_STALE_SECONDS) -> list[tuple[str, int, bool]]:
    """The dashboards present now: (name, pid, read_only) of each fresh row whose process is alive."""
    rows = conn.execute(
        "SELECT name, pid, read_only FROM heartbeat WHERE beat_at > ? ORDER BY name", (time.time() - stale_seconds,)
    ).fetchall()
    return [(name, pid, bool(read_only)) for name, pid, read_only in rows if pid_alive(pid)]


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


def hook_gone(request: Request, *, now: datetime | None = None) -> bool:
    """True when nobody waits for this pending request any more: its hook's process is dead, or its
    deadline passed long ago (a hook always answers before its deadline)."""
    if request.hook_pid is not None and not pid_alive(request.hook_pid):
        return True
    if request.deadline_at:
        deadline = _parse_iso(request.deadline_at)
        if deadline is not None:
            elapsed = ((now or datetime.now(UTC)) - deadline).total_seconds()
            return elapsed > DEADLINE_GRACE_SECONDS
    return False


def mark_gone(conn: sqlite3.Connection, request: Request) -> bool:
    """Close a pending request whose hook is gone; False if it was no longer pending."""
    by = "hook-died" if request.hook_pid is not None and not pid_alive(request.hook_pid) else "hook-deadline"
    return close(conn, request.id, GONE, by)


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
    """Record the human's answer. False when the request is no longer pending (decided, expired, gone,
    answered elsewhere), its hook is gone (the request is then marked so), or its input changed.

    Raises sqlite3.OperationalError when the store stays locked past the busy timeout: the caller
    retries (the UI does, in a background thread)."""
    if decision not in ("allow", "deny"):
        raise ValueError(f"decision must be allow or deny, not {decision!r}")
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute(
            "SELECT status, input_hash, received_at, session_id, policy, hook_pid FROM approvals WHERE id = ?",
            (request_id,),
        ).fetchone()
        if row is None or row[0] != PENDING or row[1] != shown_hash:
            conn.execute("ROLLBACK")
            return False
        decided_at = now_iso()
        if row[5] is not None and not pid_alive(row[5]):
            # Nobody would read the answer: say so rather than record a decision that decided nothing.
            conn.execute(
                "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                (GONE, "hook-died", decided_at, request_id),
            )
            conn.execute("COMMIT")
            return False
        conn.execute(
            "UPDATE approvals SET status = ?, decision = ?, reason = ?, decided_by = ?, decided_at = ?, latency_ms = ?"
            " WHERE id = ?",
            (DECIDED, decision, sql_text(reason), by, decided_at, _ms_between(row[2], decided_at), request_id),
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


def close(conn: sqlite3.Connection, request_id: int, status: str, by: str, reason: str = "") -> bool:
    """End a pending request without a human decision (answered in the terminal, timed out, gone, …)."""
    cur = conn.execute(
        "UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, reason = CASE WHEN ? = '' THEN reason"
        " ELSE ? END WHERE id = ? AND status = ?",
        (status, by, now_iso(), reason, reason, request_id, PENDING),
    )
    return cur.rowcount == 1


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _ms_between(start: str, end: str) -> int | None:
    a, b = _parse_iso(start), _parse_iso(end)
    if a is None or b is None:
        return None
    return int((b - a).total_seconds() * 1000)


# ---- the hook's side ---------------------------------------------------------------------------------


def cockpit_alive(conn: sqlite3.Connection, *, stale_seconds: float = HEARTBEAT_STALE_SECONDS) -> bool:
    """Whether some dashboard can answer now. A read-only one cannot approve anything, so for a hook
    it is as if none were running."""
    return any(not read_only for _name, _pid, read_only in presences(conn, stale_seconds=stale_seconds))


def session_allows(conn: sqlite3.Connection, session_id: str, rule: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM session_allows WHERE session_id = ? AND rule = ?", (sql_text(session_id), sql_text(rule))
        ).fetchone()
        is not None
    )


def create(conn: sqlite3.Connection, fields: dict[str, Any], *, status: str = PENDING) -> int:
    fields = dict(fields)
    fields.setdefault("received_at", now_iso())
    fields["status"] = status
    if not isinstance(fields.get("tool_input"), str):
        fields["tool_input"] = json_text(fields.get("tool_input", {}))
    names = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    cur = conn.execute(f"INSERT INTO approvals ({names}) VALUES ({marks})", tuple(sql_text(v) for v in fields.values()))
    return int(cur.lastrowid or 0)


def wait_for_decision(
    conn: sqlite3.Connection, request_id: int, deadline: float, *, poll: float = POLL_SECONDS,
    give_up_busy_seconds: float = 1.0,
) -> tuple[Request | None, str]:
    """Block until the request is decided or closed, every answering dashboard is gone, or `deadline`
    (monotonic). Returns (the request, DECIDED) when a human decided it, else (None, how it ended:
    EXPIRED, NO_COCKPIT, GONE, ...) after closing it. Closing waits at most `give_up_busy_seconds` for
    a locked store; if even that fails the request stays pending for the dashboards to mark gone."""
    while True:
        request = get(conn, request_id)
        if request is None:
            return None, GONE
        if request.status == DECIDED:
            try:
                set_busy_timeout(conn, give_up_busy_seconds)
                conn.execute("UPDATE approvals SET delivered_at = ? WHERE id = ?", (now_iso(), request_id))
            except sqlite3.Error:
                pass  # the answer is what matters; the delivery time is a nicety
            return request, DECIDED
        if request.status != PENDING:
            return None, request.status
        ending = ""
        if time.monotonic() >= deadline:
            ending, by = EXPIRED, "timeout"
        elif not cockpit_alive(conn):
            ending, by = NO_COCKPIT, "no-cockpit"
        if ending:
            try:
                set_busy_timeout(conn, give_up_busy_seconds)
                if close(conn, request_id, ending, by):
                    return None, ending
            except sqlite3.Error:
                return None, ending
            continue  # a decision landed just now: read it
        time.sleep(poll)
