"""What sessions and days have spent, and the limits a human raised: the budgets' SQL (issue 14).

Plain sqlite3 on an open connection, for the PreToolUse hook (every tool call, stdlib only) and the
dashboard alike. Spend is cockpit's own deduped cost (store/rollup.py), as fresh as the last ingest:

- a session: its roll-up (`sessions.cost_usd`, one primary-key read); when some request of it used a model
  without a known price the roll-up is NULL, and the priced requests are summed instead;
- a UTC day: the requests whose time falls on that day, of the sessions active since it began (the
  activity index, then each session's requests), priced by model, prompt tier and rate period as the
  roll-up prices them. A request of a model without a known price counts as $0.

A human's raise is a row of `budget_raises`; the highest for a session or day counts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from cockpit.core.budget_rules import DAY, SESSION, BudgetLimits, Spend, next_day, spend
from cockpit.store.db import NEWEST_FIRST

_PROMPT = "(input_tokens + cache_creation_input_tokens + cache_read_input_tokens)"


def _group_sql(where: str) -> str:
    """Requests summed by what their price depends on (as store/rollup.py groups them)."""
    from cockpit.core.pricing import PRICE_DAYS, TIER_STARTS

    tier = " + ".join(f"({_PROMPT} > {int(start)})" for start in TIER_STARTS) or "0"
    period = " + ".join(f"(substr(ts, 1, 10) >= '{day.isoformat()}')" for day in PRICE_DAYS) or "0"
    return (f"SELECT model, {tier}, {period}, SUM(input_tokens), SUM(output_tokens),"
            " SUM(cache_creation_input_tokens), SUM(cache_read_input_tokens), SUM(cache_creation_1h_tokens)"
            f" FROM api_calls WHERE {where} GROUP BY 1, 2, 3")


def _priced(rows: Iterable[tuple[object, ...]]) -> float:
    from cockpit.core.models import Usage
    from cockpit.core.pricing import group_cost

    total = 0.0
    for model, tier, period, inp, out, cc, cr, c1h in rows:
        cost = group_cost(str(model), Usage(int(inp), int(out), int(cc), int(cr), int(c1h)), int(tier), int(period))
        total += cost or 0.0
    return total


def session_spend(conn: sqlite3.Connection, session_id: str) -> float:
    """The session's deduped cost in USD (0 for a session cockpit has not seen)."""
    row = conn.execute("SELECT cost_usd, calls FROM sessions WHERE session_id = ?", (session_id,)).fetchone()
    if row is None or not row[1]:
        return 0.0
    if row[0] is not None:
        return float(row[0])
    return _priced(conn.execute(_group_sql("session_id = ?"), (session_id,)).fetchall())


def day_spend(conn: sqlite3.Connection, day: str) -> float:
    """Every session's cost of requests made on the UTC day `day` (YYYY-MM-DD)."""
    where = ("session_id IN (SELECT session_id FROM sessions WHERE last_activity_at >= ?)"
             " AND ts >= ? AND ts < ?")
    return _priced(conn.execute(_group_sql(where), (day, day, next_day(day))).fetchall())


def raised_limit(conn: sqlite3.Connection, scope: str, key: str) -> float | None:
    """The highest limit a human raised this session's or day's budget to; None when never raised."""
    row = conn.execute("SELECT MAX(limit_usd) FROM budget_raises WHERE scope = ? AND key = ?", (scope, key)).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def raise_limit(conn: sqlite3.Connection, scope: str, key: str, limit_usd: float, raised_at: str,
                raised_by: str = "cockpit-key") -> None:
    """Store a human's new limit for a session's or a day's budget."""
    if scope not in (SESSION, DAY):
        raise ValueError(f"budget scope must be {SESSION!r} or {DAY!r}, not {scope!r}")
    with conn:
        conn.execute("INSERT INTO budget_raises (scope, key, limit_usd, raised_at, raised_by) VALUES (?,?,?,?,?)",
                     (scope, key, float(limit_usd), raised_at, raised_by))


def session_stand(conn: sqlite3.Connection, limits: BudgetLimits, session_id: str) -> Spend | None:
    """The session's budget as it stands (None: no session budget, or no session id)."""
    if limits.session_usd is None or not session_id:
        return None
    return spend(SESSION, session_id, session_spend(conn, session_id), limits.session_usd,
                 raised_limit(conn, SESSION, session_id), limits.warn_pct)


def day_stand(conn: sqlite3.Connection, limits: BudgetLimits, day: str) -> Spend | None:
    """The day's budget as it stands (None: no daily budget)."""
    if limits.day_usd is None:
        return None
    return spend(DAY, day, day_spend(conn, day), limits.day_usd, raised_limit(conn, DAY, day), limits.warn_pct)


def stopping(conn: sqlite3.Connection, limits: BudgetLimits, session_id: str, day: str) -> Spend | None:
    """The budget that stops this session's next tool call (its own first, then the day's); None when none does."""
    for stand in (session_stand(conn, limits, session_id), day_stand(conn, limits, day)):
        if stand is not None and stand.band == "over":
            return stand
    return None


def live_stands(conn: sqlite3.Connection, limits: BudgetLimits, since: str, day: str) -> list[Spend]:
    """Every budget as it stands for the dashboard: each session active since `since`, then the day."""
    stands: list[Spend] = []
    if limits.session_usd is not None:
        ids = [sid for (sid,) in conn.execute(
            f"SELECT session_id FROM sessions WHERE last_activity_at >= ? AND calls > 0 ORDER BY {NEWEST_FIRST}",
            (since,)).fetchall()]
        stands += [s for sid in ids if (s := session_stand(conn, limits, sid)) is not None]
    day_budget = day_stand(conn, limits, day)
    if day_budget is not None:
        stands.append(day_budget)
    return stands
