"""SQL for the plan quota and the prompt-cache countdown: the statusLine payloads Claude Code handed to
`cockpit statusline` (the latest per session, whole), the last requests of live Claude sessions, and the
live subagents under them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# How many sessions' latest statusLine payloads are looked through for the newest quota observation.
STATUSLINE_ROWS = 200


@dataclass(frozen=True, slots=True)
class StatuslineRow:
    session_id: str
    received_at: str
    payload: str


@dataclass(frozen=True, slots=True)
class LastCall:
    """A session's last main-thread request, and whether the last request that wrote cache wrote 1-hour cache."""

    session_id: str
    ts: str
    model: str
    prompt_tokens: int
    one_hour: bool


@dataclass(frozen=True, slots=True)
class SubagentCall:
    """A subagent's last request: its context figure and model."""

    session_id: str
    agent_id: str
    ts: str
    model: str
    context_tokens: int
    window: int | None
    calls: int


def _marks(ids: Sequence[str]) -> str:
    return ",".join("?" * len(ids))


def statusline_version(db: Any) -> tuple[int, str]:
    """Changes whenever a statusLine payload is recorded: (rows, newest received_at)."""
    count, newest = db.execute("SELECT COUNT(*), MAX(received_at) FROM statusline").fetchone()
    return int(count), newest or ""


def quota_payloads(db: Any, limit: int = STATUSLINE_ROWS) -> list[StatuslineRow]:
    """The latest payload of each session that mentions `rate_limits`, newest first."""
    return [
        StatuslineRow(sid, received, payload)
        for sid, received, payload in db.execute(
            "SELECT session_id, received_at, payload FROM statusline WHERE instr(payload, 'rate_limits') > 0"
            " ORDER BY received_at DESC LIMIT ?", (limit,),
        ).fetchall()
    ]


def statusline_payloads(db: Any, session_ids: Sequence[str]) -> dict[str, StatuslineRow]:
    """The latest statusLine payload of each of these sessions that has one."""
    if not session_ids:
        return {}
    rows = db.execute(
        f"SELECT session_id, received_at, payload FROM statusline WHERE session_id IN ({_marks(session_ids)})",
        tuple(session_ids),
    ).fetchall()
    return {sid: StatuslineRow(sid, received, payload or "") for sid, received, payload in rows}


def last_calls(db: Any, session_ids: Sequence[str]) -> dict[str, LastCall]:
    """Each session's last request of its own (not a subagent's), with the TTL of its last cache write."""
    if not session_ids:
        return {}
    marks = _marks(session_ids)
    last = db.execute(
        f"""SELECT session_id, MAX(ts), model, context_tokens FROM api_calls
            WHERE session_id IN ({marks}) AND agent_id = '' AND is_sidechain = 0 GROUP BY session_id""",
        tuple(session_ids),
    ).fetchall()
    writes = dict(db.execute(
        f"""SELECT session_id, cache_creation_1h_tokens > 0 FROM (
                SELECT session_id, MAX(ts), cache_creation_1h_tokens FROM api_calls
                WHERE session_id IN ({marks}) AND agent_id = '' AND is_sidechain = 0
                  AND cache_creation_input_tokens > 0 GROUP BY session_id)""",
        tuple(session_ids),
    ).fetchall())
    return {sid: LastCall(sid, ts, model or "", int(prompt or 0), bool(writes.get(sid, False)))
            for sid, ts, model, prompt in last if ts}


def live_subagents(db: Any, session_ids: Sequence[str], since: str) -> dict[str, list[SubagentCall]]:
    """Per session, its subagents whose last request is at or after `since`, most recent first (the
    compaction agent, `acompact…`, is Claude Code's own and left out)."""
    if not session_ids:
        return {}
    rows = db.execute(
        f"""SELECT session_id, agent_id, MAX(ts), model, context_tokens, window, COUNT(*) FROM api_calls
            WHERE session_id IN ({_marks(session_ids)}) AND agent_id != '' AND agent_id NOT LIKE 'acompact%'
            GROUP BY session_id, agent_id HAVING MAX(ts) >= ? ORDER BY MAX(ts) DESC""",
        (*session_ids, since),
    ).fetchall()
    found: dict[str, list[SubagentCall]] = {}
    for sid, agent_id, ts, model, context, window, calls in rows:
        found.setdefault(sid, []).append(SubagentCall(sid, agent_id, ts, model or "", int(context or 0), window, calls))
    return found
