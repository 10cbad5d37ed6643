"""Read the beads file, compute the queue as `bd ready` would, and link this repository's sessions to issues."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cockpit.core.beads import Queue
from cockpit.sources.beads_files import BeadsFile
from cockpit.ui.messages import BeadsLoaded
from cockpit.ui.workers import Post


def load_beads(repo: str, db_path: str, last: BeadsLoaded | None, post: Post, *,
               read: bool = True, requeue: bool = False, relink: bool = True) -> None:
    """One BeadsLoaded. `read` reads the file again; otherwise the `last` read is reused: `requeue` recomputes
    the queue (a deferral ran out), `relink` the session links (new prompts may name an issue)."""
    from cockpit.sources.bd import bd_ready, disagreement
    from cockpit.sources.beads_files import load_queue, queue_of

    now = datetime.now().astimezone()
    if read or last is None:
        beads, queue = load_queue(Path(repo), now)
        warning = disagreement(queue.ready, bd_ready(Path(repo))) if beads.path else ""
    else:
        beads, warning = last.beads, last.warning
        queue = queue_of(beads, now) if requeue else last.queue
    links = session_issues(db_path, beads, queue) if read or relink or last is None else last.session_issues
    post(BeadsLoaded(beads, queue, warning, links))


def session_issues(db_path: str, beads: BeadsFile, queue: Queue) -> dict[str, tuple[str, ...]]:
    """Which issues each session of this repository works on (prompts, title, branch, closed_by_session)."""
    if beads.path is None or not queue.issues:
        return {}
    from cockpit.core.issue_refs import link
    from cockpit.store.db import connect
    from cockpit.store.session_refs import session_refs

    root = str(Path(beads.path).parents[2 if beads.layout == "backup" else 1])
    conn = connect(db_path)
    try:
        refs = session_refs(conn, root)
    finally:
        conn.close()
    return dict(link(queue.issues, refs, [], root).session_issues)
