"""The metrics report (`cockpit report` for this repository) over one period."""

from __future__ import annotations

from datetime import datetime

from cockpit.ui.messages import MetricsBuilt
from cockpit.ui.workers import Post


def build_metrics(db_path: str, repo: str, period: str, now: datetime, post: Post) -> None:
    """One MetricsBuilt: the report for the `period` ("24h", "7d", "30d") before `now`, and its text."""
    from cockpit.services.report import build_report, parse_since, render_text
    from cockpit.store.db import open_db

    db = open_db(db_path)
    try:
        report = build_report(db, parse_since(period, now), repo=repo, now=now)
    finally:
        db.conn.close()
    post(MetricsBuilt(period, report, render_text(report)))
