"""Primary records of the llm layer: every call (model, tokens, cost) and every report written."""

from __future__ import annotations

import hashlib
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
