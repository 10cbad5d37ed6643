"""Read side: sessions, their timelines and search, as immutable core views."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.core.format import parse_ts  # noqa: F401 - re-exported for the store's readers
from cockpit.core.models import (
    Agent,
    CompactionView,
    ContextGauge,
    SessionState,
    SessionView,
    Usage,
    WindowSource,
)
from cockpit.store.db import NEWEST_FIRST, Database
from cockpit.store.files import file_problems, incomplete_files  # noqa: F401 - re-exported for their readers

SPARK_CALLS = 40

_COLUMNS = (
    "session_id, agent, path, project, branch, model, title, first_prompt, last_prompt, started_at, last_activity_at,"
    " state, ended, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens, cost_usd,"
    " prompt_tokens, context_tokens, context_at, window, window_source, peak_tokens, subagents, skipped_lines,"
    " parent_session_id"
)


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"




def _view(db: Database, row: tuple[Any, ...], live_since: str, *, with_detail: bool) -> SessionView:
    (sid, agent, path, project, branch, model, title, first_prompt, last_prompt, started, last, state, ended,
     inp, out, cc, cr, cost, prompt, context, context_at, window, window_source, peak, subagents, skipped,
     parent) = row
    live = not ended and last is not None and last >= live_since
    if ended or not live:
        state_value = SessionState.ENDED
    else:
        state_value = SessionState(state) if state in SessionState._value2member_map_ else SessionState.IDLE
    gauge = None
    if prompt is not None and window:
        gauge = ContextGauge(prompt, context or prompt, window, WindowSource(window_source), context_at)
    compactions: tuple[CompactionView, ...] = ()
    recent: tuple[int, ...] = ()
    marks: tuple[bool, ...] = ()
    if with_detail:
        compactions = tuple(
            CompactionView(ts, trig, pre)
            for ts, trig, pre in db.execute(
                "SELECT ts, trigger, pre_tokens FROM compactions WHERE session_id = ? ORDER BY ts, seq", (sid,)
            ).fetchall()
        )
        # One row more than shown: the call before the first one shown tells whether a compaction lies between.
        rows = db.execute(
            "SELECT context_tokens, seq FROM api_calls WHERE session_id = ? AND path = ? AND is_sidechain = 0"
            " ORDER BY seq DESC LIMIT ?",
            (sid, path, SPARK_CALLS + 1),
        ).fetchall()[::-1]
        seqs = [-1] + [seq for _, seq in rows] if len(rows) <= SPARK_CALLS else [seq for _, seq in rows]
        shown = rows[-SPARK_CALLS:]
        recent = tuple(ctx for ctx, _ in shown)
        boundaries = [
            seq for (seq,) in db.execute("SELECT seq FROM compactions WHERE session_id = ? AND path = ?", (sid, path))
        ]
        marks = tuple(
            any(prev < b < seq for b in boundaries) for prev, seq in zip(seqs[:-1], seqs[1:], strict=True)
        )
    return SessionView(
        agent=Agent(agent),
        session_id=sid,
        path=path,
        project=project,
        title=title or last_prompt or first_prompt,
        model=model,
        started_at=started,
        last_activity_at=last,
        state=state_value,
        context=gauge,
        peak_pct=100.0 * peak / window if window else 0.0,
        compactions=compactions,
        usage=Usage(inp, out, cc, cr),
        cost_usd=cost,
        subagents=subagents,
        skipped_lines=skipped,
        branch=branch,
        recent_context=recent,
        recent_compacted=marks,
        live=live,
        parent_session_id=parent,
    )


def live_cutoff(now: datetime, live_minutes: float) -> str:
    return iso(now - timedelta(minutes=live_minutes))


def list_sessions(
    db: Database,
    *,
    now: datetime | None = None,
    live_minutes: float = 30.0,
    include_all: bool = True,
    limit: int | None = None,
    with_detail: bool = False,
    roots: tuple[str, ...] = (),
) -> list[SessionView]:
    """Live sessions first (most recent activity first), then the rest by recency.

    `roots` limits the list to sessions whose transcript lies under one of these folders.
    """
    since = live_cutoff(now or utc_now(), live_minutes)
    sql = f"SELECT {_COLUMNS} FROM sessions WHERE 1"
    params: list[Any] = []
    if not include_all:
        sql += " AND ended = 0 AND last_activity_at >= ?"
        params.append(since)
    if roots:
        sql += " AND (" + " OR ".join("substr(path, 1, ?) = ?" for _ in roots) + ")"
        for root in roots:
            prefix = root.rstrip("/") + "/"
            params.extend([len(prefix), prefix])
    sql += f" ORDER BY (ended = 0 AND last_activity_at >= ?) DESC, {NEWEST_FIRST}"
    params.append(since)
    if limit:
        sql += " LIMIT ?"
        params.append(limit)
    return [_view(db, row, since, with_detail=with_detail) for row in db.execute(sql, params).fetchall()]


def get_session(
    db: Database, session_id: str, *, now: datetime | None = None, live_minutes: float = 30.0
) -> SessionView | None:
    since = live_cutoff(now or utc_now(), live_minutes)
    row = db.execute(f"SELECT {_COLUMNS} FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
    if row is None:
        row = db.execute(
            f"SELECT {_COLUMNS} FROM sessions WHERE session_id LIKE ? ORDER BY {NEWEST_FIRST} LIMIT 1",
            (session_id + "%",),
        ).fetchone()
    return _view(db, row, since, with_detail=True) if row else None


@dataclass(frozen=True, slots=True)
class CallRow:
    ts: str
    model: str
    context_tokens: int
    output_tokens: int
    sidechain: bool
    agent_id: str


@dataclass(frozen=True, slots=True)
class ToolRow:
    name: str
    summary: str
    started_at: str
    finished_at: str | None
    is_error: bool | None
    agent_id: str

    @property
    def duration_s(self) -> float | None:
        start, end = parse_ts(self.started_at), parse_ts(self.finished_at)
        return (end - start).total_seconds() if start and end else None


@dataclass(frozen=True, slots=True)
class SubagentRow:
    agent_id: str
    path: str
    calls: int
    peak_tokens: int
    model: str


def session_calls(db: Database, session_id: str) -> list[CallRow]:
    return [
        CallRow(ts, model, ctx, out, bool(side), aid)
        for ts, model, ctx, out, side, aid in db.execute(
            "SELECT ts, model, context_tokens, output_tokens, is_sidechain, agent_id FROM api_calls"
            " WHERE session_id = ? ORDER BY ts, seq",
            (session_id,),
        ).fetchall()
    ]


def session_tools(db: Database, session_id: str) -> list[ToolRow]:
    return [
        ToolRow(name, summary, started, finished, None if err is None else bool(err), aid)
        for name, summary, started, finished, err, aid in db.execute(
            "SELECT name, summary, started_at, finished_at, is_error, agent_id FROM tool_calls"
            " WHERE session_id = ? ORDER BY started_at, seq",
            (session_id,),
        ).fetchall()
    ]


def session_subagents(db: Database, session_id: str) -> list[SubagentRow]:
    rows = db.execute(
        """SELECT f.agent_id, f.path, COUNT(c.key), COALESCE(MAX(c.context_tokens), 0), COALESCE(MAX(c.model), '')
           FROM files f LEFT JOIN api_calls c ON c.path = f.path AND c.session_id = f.session_id
           WHERE f.session_id = ? AND f.subagent = 1 GROUP BY f.path ORDER BY f.path""",
        (session_id,),
    ).fetchall()
    return [SubagentRow(*r) for r in rows]


def search_sessions(db: Database, text: str, limit: int = 200) -> list[str]:
    """Session ids whose prompts or title match `text` (full-text, prefix match on the last word)."""
    words = [w.replace('"', "") for w in text.split() if w.strip('"')]
    if not words:
        return []
    query = " ".join(f'"{w}"' for w in words[:-1]) + (" " if len(words) > 1 else "") + f'"{words[-1]}"*'
    ids: list[str] = []
    for sql in (
        "SELECT DISTINCT p.session_id FROM prompts_fts JOIN prompts p ON p.rowid = prompts_fts.rowid"
        " WHERE prompts_fts MATCH ? LIMIT ?",
        "SELECT s.session_id FROM titles_fts JOIN sessions s ON s.rowid = titles_fts.rowid WHERE titles_fts MATCH ? LIMIT ?",
    ):
        for (sid,) in db.execute(sql, (query, limit)).fetchall():
            if sid not in ids:
                ids.append(sid)
    return ids


def skipped_by_reason(db: Database) -> dict[str, int]:
    return {reason: n for reason, n in db.execute("SELECT reason, SUM(count) FROM skipped GROUP BY reason").fetchall()}


def sessions_per_agent(db: Database) -> dict[str, int]:
    return dict(db.execute("SELECT agent, COUNT(*) FROM sessions GROUP BY agent").fetchall())


def gone_files(db: Database) -> int:
    """How many indexed transcripts no longer exist on disk."""
    return int(db.execute("SELECT COUNT(*) FROM files WHERE gone = 1").fetchone()[0])
