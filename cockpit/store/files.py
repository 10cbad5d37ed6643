"""The files table's readers: what could not be read, what is half-written.

Apart from `cockpit.store.queries` so that `cockpit index` reports problems without loading the session views.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.store.db import Database


def file_problems(db: Database) -> list[tuple[str, str]]:
    """Files that could not be read, as (path, message)."""
    return [(p, e) for p, e in db.execute("SELECT path, error FROM files WHERE error IS NOT NULL ORDER BY path").fetchall()]


def incomplete_files(db: Database) -> list[tuple[str, int]]:
    """(path, bytes) of transcripts whose last line is not complete yet."""
    return db.execute("SELECT path, pending_bytes FROM files WHERE pending_bytes > 0").fetchall()
