"""The plan quota for the dashboard's top line: read again when a statusLine payload is recorded (checked every
few seconds, one cheap query), and the Codex rollouts' (a stat walk, then only the newest rollouts' ends are
read) when the live ingest stored something new from a rollout (the same cheap look, at the store's `files` rows),
else on a slow timer in case the live ingest stopped."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from cockpit.services.quota import QuotaReport
from cockpit.sources.discovery import Root
from cockpit.ui.messages import QuotaFailed, QuotaRead
from cockpit.ui.workers import Post, keep_running

STATUSLINE_SECONDS = 2.0
CODEX_SECONDS = 300.0  # a safety net: a rollout that grew is noticed through the store within STATUSLINE_SECONDS


def codex_files_key(conn: object) -> tuple[object, ...]:
    """What the store knows of the Codex rollouts (how many, how far read, their latest change): it moves when the
    live ingest stores a line from any of them."""
    return tuple(conn.execute(  # type: ignore[attr-defined]
        "SELECT count(*), total(offset), max(mtime_ns) FROM files WHERE agent = 'codex'").fetchone())


def follow_quota(db_path: str, claude_roots: Sequence[Root], codex_roots: Sequence[Root],
                 clock: Callable[[], datetime], stop: threading.Event, post: Post, *,
                 statusline_seconds: float = STATUSLINE_SECONDS, codex_seconds: float = CODEX_SECONDS) -> None:
    """Until `stop`: a QuotaRead at once, then whenever what it says changes. A failure posts QuotaFailed
    and the reading starts again with backoff."""
    from cockpit.services.quota import claude_quota
    from cockpit.sources.codex_quota import newest_codex_quota
    from cockpit.store.db import connect
    from cockpit.store.quota import statusline_version

    flagged = [r.path for r in claude_roots if r.origin == "flag"]

    def run(stop: threading.Event) -> None:
        conn = connect(db_path)
        try:
            version: tuple[int, str] | None = None
            codex_key: tuple[object, ...] | None = None
            codex_due = 0.0
            codex = None
            codex_problems: list[str] = []
            last: QuotaReport | None = None
            claude, claude_problems = None, []
            waited = 0.0
            while not stop.is_set():
                now = clock()
                changed = False
                current = statusline_version(conn)
                if current != version:
                    version = current
                    claude, claude_problems = claude_quota(conn, now, flagged)
                    changed = True
                key = codex_files_key(conn) if codex_roots else None
                if waited >= codex_due or key != codex_key:
                    codex_key = key
                    scan = newest_codex_quota(codex_roots, now)
                    codex, codex_problems = scan.observation, scan.problems
                    codex_due = waited + codex_seconds
                    changed = True
                if changed:
                    report = QuotaReport(claude, codex, (*claude_problems, *codex_problems), claude_roots=tuple(flagged))
                    if report != last:
                        last = report
                        post(QuotaRead(report, now))
                stop.wait(statusline_seconds)
                waited += statusline_seconds
        finally:
            conn.close()

    keep_running(run, stop, lambda error: post(QuotaFailed(error)))
