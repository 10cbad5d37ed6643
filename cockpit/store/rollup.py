"""Per-session roll-up: usage, cost, current context, peak, compactions, recomputed from rows.

Runs for the sessions an ingest batch touched, one set of queries for all of them, so the
session list stays one plain SELECT and a cold index of thousands of sessions stays cheap.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cockpit.core.context import resolve_window
from cockpit.core.models import Agent, Usage
from cockpit.core.pricing import PRICE_DAYS, TIER_STARTS, group_cost

if TYPE_CHECKING:
    from cockpit.store.db import Database

_IDS = "(SELECT value FROM json_each(?))"
# A request's pricing tier (how many of the prompt sizes where some model's rates change it exceeds) and
# period (how many of the days some model's rates changed it reached); inlined: integers and ISO days only.
_PROMPT = "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens)"
_TIER = " + ".join(f"({_PROMPT} > {int(start)})" for start in TIER_STARTS) or "0"
_PERIOD = " + ".join(f"(substr(ts, 1, 10) >= '{day.isoformat()}')" for day in PRICE_DAYS) or "0"


def refresh_rollup(db: Database, session_id: str) -> None:
    refresh_rollups(db, [session_id])


def session_cost(db: Database, session_id: str) -> float | None:
    """Deduped cost; None when any request used a model without a known price."""
    return _costs(db, json.dumps([session_id])).get(session_id, 0.0)


def _costs(db: Database, ids: str, *, everything: bool = False) -> dict[str, float | None]:
    costs: dict[str, float | None] = {}
    rows = db.execute(
        f"""SELECT session_id, model, {_TIER}, {_PERIOD},
                  SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_input_tokens),
                  SUM(cache_read_input_tokens), SUM(cache_creation_1h_tokens)
           FROM api_calls WHERE {_scope("session_id", everything)} GROUP BY 1, 2, 3, 4""",
        () if everything else (ids,),
    ).fetchall()
    for sid, model, tier, period, inp, out, cc, cr, c1h in rows:
        # Rates depend on one request's prompt and day; a group holds requests priced alike only.
        cost = group_cost(model, Usage(inp, out, cc, cr, c1h), tier, period)
        if sid in costs and costs[sid] is None:
            continue
        costs[sid] = None if cost is None else (costs.get(sid) or 0.0) + cost
    return costs


def _scope(column: str, everything: bool) -> str:
    return "1" if everything else f"{column} IN {_IDS}"


def refresh_rollups(db: Database, session_ids: Iterable[str]) -> None:
    ids_list = [s for s in session_ids if s]
    if not ids_list:
        return
    ids = json.dumps(ids_list)
    conn = db.conn
    sessions = {
        sid: (Agent(agent), path)
        for sid, agent, path in conn.execute(
            f"SELECT session_id, agent, path FROM sessions WHERE session_id IN {_IDS}", (ids,)
        ).fetchall()
    }
    if not sessions:
        return
    # A cold index re-totals every session: then whole-table scans, which read the rows in order, take half the
    # time of one index probe per session. Rows of other sessions only add entries nothing reads.
    everything = len(sessions) >= conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    scope = _scope("session_id", everything)
    params: tuple[str, ...] = () if everything else (ids,)
    usage = {
        r[0]: r[1:]
        for r in conn.execute(
            f"""SELECT session_id, SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_input_tokens),
                       SUM(cache_read_input_tokens), COUNT(*)
                FROM api_calls WHERE {scope} GROUP BY session_id""",
            params,
        ).fetchall()
    }
    costs = _costs(db, ids, everything=everything)
    last_compaction: dict[str, tuple[int, int | None, str]] = {}
    compaction_count: dict[str, int] = defaultdict(int)
    for sid, path, seq, post, ts in conn.execute(
        f"SELECT session_id, path, seq, post_tokens, ts FROM compactions WHERE {scope}", params
    ).fetchall():
        compaction_count[sid] += 1
        if sid in sessions and path == sessions[sid][1] and (sid not in last_compaction or seq > last_compaction[sid][0]):
            last_compaction[sid] = (seq, post, ts)
    # One pass over each session's main-thread calls: the latest after the last compaction, the peak,
    # and the latest stated window.
    current: dict[str, tuple[int, int, int, str]] = {}
    peak: dict[str, int] = defaultdict(int)
    stated_window: dict[str, tuple[int, int]] = {}
    for sid, path, seq, ctx, out, ts, window, side in conn.execute(
        f"""SELECT session_id, path, seq, context_tokens, output_tokens, ts, window, is_sidechain
            FROM api_calls WHERE {scope}""",
        params,
    ).fetchall():
        if window is not None and (sid not in stated_window or seq > stated_window[sid][0]):
            stated_window[sid] = (seq, window)
        if side or sid not in sessions or path != sessions[sid][1]:
            continue
        peak[sid] = max(peak[sid], ctx)
        after = last_compaction.get(sid, (-1,))[0]
        if seq > after and (sid not in current or seq > current[sid][0]):
            current[sid] = (seq, ctx, out, ts)
    status = {
        sid: (window, model)
        for sid, window, model in conn.execute(
            f"SELECT session_id, window, model_id FROM statusline WHERE {scope}", params
        ).fetchall()
    }
    subagents = dict(
        conn.execute(
            f"""SELECT session_id, COUNT(*) FROM files WHERE {scope} AND subagent = 1
                AND agent_id NOT LIKE 'acompact%' GROUP BY session_id""",
            params,
        ).fetchall()
    )
    skipped = dict(
        conn.execute(
            f"""SELECT f.session_id, SUM(s.count) FROM skipped s JOIN files f ON f.path = s.path
                WHERE {_scope("f.session_id", everything)} GROUP BY f.session_id""",
            params,
        ).fetchall()
    )
    updates: list[tuple[Any, ...]] = []
    for sid, (agent, _path) in sessions.items():
        inp, out, cc, cr, calls = usage.get(sid, (0, 0, 0, 0, 0))
        if sid in current:
            _seq, prompt_tokens, output_tokens, context_at = current[sid]
            context_tokens: int | None = prompt_tokens if agent is Agent.CODEX else prompt_tokens + output_tokens
        elif sid in last_compaction and last_compaction[sid][1] is not None:
            prompt_tokens = context_tokens = last_compaction[sid][1]  # type: ignore[assignment]
            context_at = last_compaction[sid][2]
        else:
            prompt_tokens = context_tokens = context_at = None  # type: ignore[assignment]
        st = status.get(sid)
        window, source = resolve_window(
            agent=agent,
            statusline_window=st[0] if st else None,
            models=(st[1],) if st and st[1] else (),
            transcript_window=stated_window[sid][1] if sid in stated_window else None,
            max_prompt_tokens=peak.get(sid, 0),
        )
        updates.append((
            inp, out, cc, cr, costs.get(sid, 0.0), prompt_tokens, context_tokens, context_at, window, source.value,
            peak.get(sid, 0), compaction_count.get(sid, 0), subagents.get(sid, 0), skipped.get(sid, 0), calls, sid,
        ))
    conn.executemany(
        """UPDATE sessions SET input_tokens = ?, output_tokens = ?, cache_creation_input_tokens = ?,
               cache_read_input_tokens = ?, cost_usd = ?, prompt_tokens = ?, context_tokens = ?, context_at = ?,
               window = ?, window_source = ?, peak_tokens = ?, compaction_count = ?, subagents = ?,
               skipped_lines = ?, calls = ?
           WHERE session_id = ?""",
        updates,
    )
