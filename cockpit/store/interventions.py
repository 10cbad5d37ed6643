"""Interventions (factor VIII): the moments a human overrode the agent, counted from the store.

Approval requests denied (in the cockpit or by a session rule's absence) and turns interrupted in the
agent's terminal, per session and per day, from the store's primary records and the transcripts'
interrupt lines.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any


def interventions(conn: sqlite3.Connection, since: datetime) -> dict[str, Any]:
    """Approval requests (and how they were answered) and interrupts since `since`, per session and per day."""
    cutoff = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    per_session: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "allowed": 0, "denied": 0,
                                                                  "unanswered": 0, "interrupts": 0})
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "denied": 0, "interrupts": 0})
    for sid, day, status, decision in conn.execute(
        "SELECT session_id, substr(received_at, 1, 10), status, decision FROM approvals WHERE received_at >= ?",
        (cutoff,),
    ).fetchall():
        row = per_session[sid]
        row["requests"] += 1
        per_day[day]["requests"] += 1
        if decision == "deny":
            row["denied"] += 1
            per_day[day]["denied"] += 1
        elif decision == "allow":
            row["allowed"] += 1
        elif status in ("expired", "no-cockpit"):
            row["unanswered"] += 1
    for sid, day in conn.execute(
        "SELECT session_id, substr(ts, 1, 10) FROM interrupts WHERE ts >= ?", (cutoff,)
    ).fetchall():
        per_session[sid]["interrupts"] += 1
        per_day[day]["interrupts"] += 1
    titles = dict(conn.execute("SELECT session_id, COALESCE(NULLIF(title, ''), first_prompt) FROM sessions").fetchall())
    sessions = [
        {"session_id": sid, "title": titles.get(sid, ""), **counts,
         "interventions": counts["denied"] + counts["interrupts"]}
        for sid, counts in per_session.items()
    ]
    sessions.sort(key=lambda r: (-r["interventions"], r["session_id"]))
    days = [{"day": day, **counts, "interventions": counts["denied"] + counts["interrupts"]}
            for day, counts in sorted(per_day.items())]
    active = conn.execute("SELECT COUNT(*) FROM sessions WHERE last_activity_at >= ?", (cutoff,)).fetchone()[0]
    # Per session means per session active in the period, not only those that had an intervention.
    total_sessions = max(active, len(sessions), 1)
    return {
        "since": since.astimezone(UTC).isoformat(),
        "sessions": sessions,
        "days": days,
        "totals": {
            "requests": sum(r["requests"] for r in sessions),
            "denied": sum(r["denied"] for r in sessions),
            "interrupts": sum(r["interrupts"] for r in sessions),
            "interventions_per_session": round(sum(r["interventions"] for r in sessions) / total_sessions, 2),
        },
    }
