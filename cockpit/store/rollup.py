"""Per-session roll-up: usage, cost, current context, peak, compactions, recomputed from rows.

Runs for the sessions an ingest batch touched, so the session list is one plain SELECT.
"""

from __future__ import annotations

import sqlite_utils

from cockpit.core.context import resolve_window
from cockpit.core.models import Agent, Usage
from cockpit.core.pricing import LONG_CONTEXT_TOKENS, cost_of


def session_cost(db: sqlite_utils.Database, session_id: str) -> float | None:
    """Deduped cost; None when any request used a model without a known price."""
    total = 0.0
    rows = db.execute(
        """SELECT model, (input_tokens + cache_creation_input_tokens + cache_read_input_tokens) > ?,
                  SUM(input_tokens), SUM(output_tokens), SUM(cache_creation_input_tokens),
                  SUM(cache_read_input_tokens), SUM(cache_creation_1h_tokens)
           FROM api_calls WHERE session_id = ? GROUP BY 1, 2""",
        (LONG_CONTEXT_TOKENS, session_id),
    ).fetchall()
    for model, long_context, inp, out, cc, cr, c1h in rows:
        cost = cost_of(model, Usage(inp, out, cc, cr, c1h), long_context=bool(long_context))
        if cost is None:
            return None
        total += cost
    return total


def refresh_rollup(db: sqlite_utils.Database, session_id: str) -> None:
    conn = db.conn
    row = conn.execute("SELECT agent, path FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
    if row is None:
        return
    agent, main_path = Agent(row[0]), row[1]
    inp, out, cc, cr, calls = conn.execute(
        "SELECT COALESCE(SUM(input_tokens),0), COALESCE(SUM(output_tokens),0), COALESCE(SUM(cache_creation_input_tokens),0),"
        " COALESCE(SUM(cache_read_input_tokens),0), COUNT(*) FROM api_calls WHERE session_id = ?",
        (session_id,),
    ).fetchone()
    last_compaction = conn.execute(
        "SELECT seq, post_tokens, ts FROM compactions WHERE session_id = ? AND path = ? ORDER BY seq DESC LIMIT 1",
        (session_id, main_path),
    ).fetchone()
    compaction_count = conn.execute("SELECT COUNT(*) FROM compactions WHERE session_id = ?", (session_id,)).fetchone()[0]
    after = last_compaction[0] if last_compaction else -1
    current = conn.execute(
        # context_tokens holds the prompt of the window (the last iteration of a server-side tool loop);
        # the input columns are summed over iterations, so they must not be added again.
        "SELECT context_tokens, context_tokens + output_tokens, ts"
        " FROM api_calls WHERE session_id = ? AND path = ? AND is_sidechain = 0 AND seq > ? ORDER BY seq DESC LIMIT 1",
        (session_id, main_path, after),
    ).fetchone()
    if current is not None:
        prompt_tokens, context_tokens, context_at = current
        if agent is Agent.CODEX:
            context_tokens = prompt_tokens
    elif last_compaction is not None and last_compaction[1] is not None:
        prompt_tokens = context_tokens = last_compaction[1]
        context_at = last_compaction[2]
    else:
        prompt_tokens = context_tokens = context_at = None
    peak = conn.execute(
        "SELECT COALESCE(MAX(context_tokens), 0) FROM api_calls WHERE session_id = ? AND path = ? AND is_sidechain = 0",
        (session_id, main_path),
    ).fetchone()[0]
    transcript_window = conn.execute(
        "SELECT window FROM api_calls WHERE session_id = ? AND window IS NOT NULL ORDER BY seq DESC LIMIT 1",
        (session_id,),
    ).fetchone()
    status = conn.execute("SELECT window, model_id FROM statusline WHERE session_id = ?", (session_id,)).fetchone()
    window, source = resolve_window(
        agent=agent,
        statusline_window=status[0] if status else None,
        models=(status[1],) if status and status[1] else (),
        transcript_window=transcript_window[0] if transcript_window else None,
        max_prompt_tokens=peak,
    )
    subagents = conn.execute(
        "SELECT COUNT(*) FROM files WHERE session_id = ? AND subagent = 1 AND agent_id NOT LIKE 'acompact%'",
        (session_id,),
    ).fetchone()[0]
    skipped = conn.execute(
        "SELECT COALESCE(SUM(s.count), 0) FROM skipped s JOIN files f ON f.path = s.path WHERE f.session_id = ?",
        (session_id,),
    ).fetchone()[0]
    conn.execute(
        """UPDATE sessions SET input_tokens = ?, output_tokens = ?, cache_creation_input_tokens = ?,
               cache_read_input_tokens = ?, cost_usd = ?, prompt_tokens = ?, context_tokens = ?, context_at = ?,
               window = ?, window_source = ?, peak_tokens = ?, compaction_count = ?, subagents = ?,
               skipped_lines = ?, calls = ?
           WHERE session_id = ?""",
        (inp, out, cc, cr, session_cost(db, session_id), prompt_tokens, context_tokens, context_at, window,
         source.value, peak, compaction_count, subagents, skipped, calls, session_id),
    )
