"""`cockpit report`: measured facts over a period. This part: intervention frequency (factor VIII).

Interventions are the moments a human overrode the agent: approval requests denied (in the cockpit
or by a session rule's absence) and turns interrupted in the agent's terminal. Counted per session
and per day, from the store's primary records and the transcripts' interrupt lines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

_SINCE = re.compile(r"^(\d+)([hdw])$")


def parse_since(text: str, now: datetime) -> datetime:
    """'7d', '24h', '2w' -> a moment before `now`; ValueError with the accepted forms otherwise."""
    match = _SINCE.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r}: use a number and h, d or w, e.g. 24h, 7d, 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return now - timedelta(hours=amount * {"h": 1, "d": 24, "w": 168}[unit])


def interventions(db: sqlite_utils.Database, since: datetime) -> dict[str, Any]:
    cutoff = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    per_session: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "allowed": 0, "denied": 0,
                                                                  "unanswered": 0, "interrupts": 0})
    per_day: dict[str, dict[str, int]] = defaultdict(lambda: {"requests": 0, "denied": 0, "interrupts": 0})
    for sid, day, status, decision in db.execute(
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
    for sid, day in db.execute(
        "SELECT session_id, substr(ts, 1, 10) FROM interrupts WHERE ts >= ?", (cutoff,)
    ).fetchall():
        per_session[sid]["interrupts"] += 1
        per_day[day]["interrupts"] += 1
    titles = dict(db.execute("SELECT session_id, COALESCE(NULLIF(title, ''), first_prompt) FROM sessions").fetchall())
    sessions = [
        {"session_id": sid, "title": titles.get(sid, ""), **counts,
         "interventions": counts["denied"] + counts["interrupts"]}
        for sid, counts in per_session.items()
    ]
    sessions.sort(key=lambda r: (-r["interventions"], r["session_id"]))
    days = [{"day": day, **counts, "interventions": counts["denied"] + counts["interrupts"]}
            for day, counts in sorted(per_day.items())]
    active = db.execute("SELECT COUNT(*) FROM sessions WHERE last_activity_at >= ?", (cutoff,)).fetchone()[0]
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


def render_markdown(report: dict[str, Any]) -> str:
    inter = report["interventions"]
    lines = [f"# cockpit report since {report['since'][:10]}", "", "## Interventions (factor VIII)", ""]
    totals = inter["totals"]
    lines.append(f"{totals['requests']} approval requests, {totals['denied']} denied, {totals['interrupts']} interrupts;"
                 f" {totals['interventions_per_session']} interventions per session.")
    lines += ["", "| day | requests | denied | interrupts |", "|---|---:|---:|---:|"]
    lines += [f"| {d['day']} | {d['requests']} | {d['denied']} | {d['interrupts']} |" for d in inter["days"]]
    lines += ["", "| session | title | requests | denied | interrupts |", "|---|---|---:|---:|---:|"]
    for s in inter["sessions"][:50]:
        title = s["title"].replace("|", "\\|")[:60]
        lines.append(f"| {s['session_id'][:8]} | {title} | {s['requests']} | {s['denied']} | {s['interrupts']} |")
    return "\n".join(lines) + "\n"


def build_report(db: sqlite_utils.Database, since: datetime) -> dict[str, Any]:
    return {"since": since.astimezone(UTC).isoformat(), "interventions": interventions(db, since)}


def render_text(report: dict[str, Any]) -> str:
    inter = report["interventions"]
    totals = inter["totals"]
    lines = [f"since {report['since'][:16]}",
             f"interventions: {totals['requests']} approval requests, {totals['denied']} denied,"
             f" {totals['interrupts']} interrupts ({totals['interventions_per_session']} per session)"]
    for day in inter["days"]:
        lines.append(f"  {day['day']}  requests {day['requests']:>3}  denied {day['denied']:>3}  interrupts {day['interrupts']:>3}")
    return "\n".join(lines) + "\n"
