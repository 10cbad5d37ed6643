"""Primary records of cockpit's reviews: every call to Claude (model, tokens, cost) and every report written."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime
from typing import Any

from cockpit.core.llm_types import CallResult


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_call(conn: sqlite3.Connection, purpose: str, result: CallResult, at: datetime) -> int:
    cursor = conn.execute(
        "INSERT INTO llm_calls (at, purpose, model, ok, input_tokens, output_tokens, cost_usd, attempts, duration_s, error)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (_iso(at), purpose, result.model, int(result.ok), result.input_tokens, result.output_tokens, result.cost_usd,
         result.attempts, result.duration_s, result.error),
    )
    return int(cursor.lastrowid or 0)


def record_report(conn: sqlite3.Connection, kind: str, repo: str, tree: str, subject: str, verdict: str, path: str,
                  at: datetime, online: bool, body: str, *, written: str = "") -> int:
    """`written` is the text cockpit wrote to `path`: its SHA-256 is what lets a gate tell this report from
    a file the agent wrote or edited (store.evidence)."""
    sha256 = hashlib.sha256(written.encode("utf-8")).hexdigest() if written else ""
    cursor = conn.execute(
        "INSERT INTO reports (kind, repo, tree, subject, verdict, path, created_at, online, body, sha256)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, repo, tree, subject, verdict, path, _iso(at), int(online), body, sha256),
    )
    return int(cursor.lastrowid or 0)


def failed_reports(conn: sqlite3.Connection, repo: str, since: str, limit: int) -> list[tuple[int, str, str, str, str]]:
    """(id, kind, verdict, subject, path) of FAIL reports written since `since`, newest first."""
    return conn.execute(
        "SELECT id, kind, verdict, subject, path FROM reports WHERE repo = ? AND verdict = 'FAIL'"
        " AND created_at >= ? ORDER BY id DESC LIMIT ?", (repo, since, limit)).fetchall()


def call_totals(conn: sqlite3.Connection, since: datetime) -> dict[str, Any]:
    """What cockpit's own calls to Claude cost since `since`, per purpose (vibe, pre-mortem, retro)."""
    cutoff = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    rows = conn.execute("SELECT purpose, COUNT(*), SUM(ok), SUM(input_tokens), SUM(output_tokens), SUM(cost_usd),"
                        " SUM(cost_usd IS NULL) FROM llm_calls WHERE at >= ? GROUP BY purpose ORDER BY purpose",
                        (cutoff,)).fetchall()
    by = [{"purpose": p, "calls": n, "ok": ok or 0, "input_tokens": i or 0, "output_tokens": o or 0,
           "cost_usd": None if unknown else round(c or 0.0, 4)} for p, n, ok, i, o, c, unknown in rows]
    known = [r["cost_usd"] for r in by]
    return {"calls": sum(r["calls"] for r in by), "by_purpose": by,
            "cost_usd": None if any(c is None for c in known) else round(sum(known), 4)}  # type: ignore[arg-type]
