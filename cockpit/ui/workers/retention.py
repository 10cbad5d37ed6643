"""The daily retention prune, in the background of a dashboard that may write."""

from __future__ import annotations

import threading

from cockpit.core.retention_rules import Retention
from cockpit.ui.messages import RetentionPruned
from cockpit.ui.workers import Post

# The prune waits this long after start (the catch-up first), then checks hourly whether it is due.
FIRST_SECONDS = 60.0
CHECK_SECONDS = 3600.0


def prune_daily(db_path: str, retention: Retention, stop: threading.Event, post: Post) -> None:
    """At most once a day across every cockpit, until `stop`: each run or failure is one RetentionPruned."""
    from cockpit.store.pruning import run_daily

    run_daily(db_path, retention, stop,
              lambda result: post(RetentionPruned(result)),
              lambda error: post(RetentionPruned(None, error)),
              first_delay=FIRST_SECONDS, check_every=CHECK_SECONDS)
