"""The health of the live sessions (loop, stall, conflict), read from the store for the sessions pane."""

from __future__ import annotations

from datetime import datetime

from cockpit.core.health import HealthRules, iso
from cockpit.ui.messages import HealthRead
from cockpit.ui.workers import Post


def read_health(db_path: str, now: datetime, live_minutes: float, rules: HealthRules, roots: tuple[str, ...],
                post: Post) -> None:
    """One HealthRead: every live session's flags as of `now`, read on a connection of its own."""
    from cockpit.services.health import session_health
    from cockpit.store.db import open_db

    db = open_db(db_path)
    try:
        health = session_health(db, now, live_minutes, rules, roots)
    finally:
        db.conn.close()
    post(HealthRead(health, iso(now)))
