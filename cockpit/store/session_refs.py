"""The sessions of one repository with what links them to issues: title, branch, prompts (core/issue_refs.py)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence

from cockpit.core.format import parse_ts
from cockpit.core.issue_refs import SessionRef
from cockpit.core.text import one_line
from cockpit.store.db import NEWEST_FIRST

PROMPTS_PER_SESSION = 200


def session_refs(conn: sqlite3.Connection, repo_root: str) -> list[SessionRef]:
    """Sessions whose working directory is the repository or inside it, with their title and prompts."""
    root = repo_root.rstrip("/")
    rows = conn.execute(
        "SELECT session_id, project, branch, started_at, last_activity_at, cost_usd, title FROM sessions"
        f" WHERE project = ? OR substr(project, 1, ?) = ? ORDER BY {NEWEST_FIRST}",
        (root, len(root) + 1, root + "/"),
    ).fetchall()
    texts: dict[str, list[str]] = defaultdict(list)
    ids = [r[0] for r in rows]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for sid, text in conn.execute(
            f"SELECT session_id, text FROM prompts WHERE session_id IN ({marks}) ORDER BY session_id, seq", chunk
        ):
            if len(texts[sid]) < PROMPTS_PER_SESSION:
                texts[sid].append(text)
    return [SessionRef(sid, project, branch or "", parse_ts(started), parse_ts(last), cost, (title or "", *texts[sid]))
            for sid, project, branch, started, last, cost, title in rows]


def session_titles(sessions: Sequence[SessionRef]) -> dict[str, str]:
    return {s.session_id: one_line(s.texts[0] if s.texts and s.texts[0] else next(iter(s.texts[1:]), ""), 70)
            for s in sessions}
