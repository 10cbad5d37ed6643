"""Learnings written by retros: newest first, or by full-text search over title and body."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

COLUMNS = ("id", "repo", "path", "title", "body", "category", "confidence", "session_id", "evidence", "source",
           "created_at")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str:
    """User words as FTS5 prefix terms, all required: punctuation and FTS syntax in the query are harmless."""
    return " ".join(f'"{word}"*' for word in _TOKEN.findall(text))


def search_learnings(conn: sqlite3.Connection, query: str = "", *, repo: str | None = None,
                     limit: int = 100) -> list[dict[str, Any]]:
    cols = ", ".join(f"l.{c}" for c in COLUMNS)
    where, params = [], []
    if repo:
        where.append("l.repo = ?")
        params.append(repo)
    terms = fts_query(query)
    if terms:
        sql = (f"SELECT {cols} FROM learnings_fts f JOIN learnings l ON l.id = f.rowid WHERE learnings_fts MATCH ?"
               + "".join(f" AND {w}" for w in where) + " ORDER BY rank LIMIT ?")
        rows = conn.execute(sql, (terms, *params, limit)).fetchall()
    else:
        sql = f"SELECT {cols} FROM learnings l" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id DESC LIMIT ?"
        rows = conn.execute(sql, (*params, limit)).fetchall()
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]
