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


def learnings_with_words(conn: sqlite3.Connection, root: str, words: list[str],
                        limit: int = 8) -> list[tuple[int, str, str]]:
    """(id, title, body) of the repository's learnings containing any of `words`, best first (FTS5 rank)."""
    if not words:
        return []
    query = " OR ".join(f'"{w}"' for w in words)
    return conn.execute(
        "SELECT l.id, l.title, l.body FROM learnings_fts f JOIN learnings l ON l.id = f.rowid"
        " WHERE learnings_fts MATCH ? AND l.repo = ? ORDER BY rank LIMIT ?", (query, root, limit)).fetchall()


def decision_titles(conn: sqlite3.Connection, session_id: str) -> list[str]:
    """The titles of the decisions a retro recorded for the session, in order."""
    return [t for (t,) in conn.execute(
        "SELECT title FROM learnings WHERE session_id = ? AND category = 'decision' ORDER BY id", (session_id,))]


def record_learning(conn: sqlite3.Connection, *, repo: str, path: str, title: str, body: str, category: str,
                    confidence: str, session_id: str, evidence: str, source: str, created_at: str) -> int:
    cursor = conn.execute(
        "INSERT INTO learnings (repo, path, title, body, category, confidence, session_id, evidence, source,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (repo, path, title, body, category, confidence, session_id, evidence, source, created_at),
    )
    return int(cursor.lastrowid or 0)
