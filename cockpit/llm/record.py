"""Primary records of the llm layer: every call (model, tokens, cost) and every report written."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from cockpit.llm.client import CallResult


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
                  at: datetime, online: bool, body: str) -> int:
    cursor = conn.execute(
        "INSERT INTO reports (kind, repo, tree, subject, verdict, path, created_at, online, body)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, repo, tree, subject, verdict, path, _iso(at), int(online), body),
    )
    return int(cursor.lastrowid or 0)
