"""The approvals inbox: following the requests agents' hooks raise, and writing a human's decision."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from cockpit.services.inbox import InboxWatch, write_decision
from cockpit.ui.messages import (
    ApprovalsChanged,
    DecisionFailed,
    DecisionPending,
    DecisionWritten,
    HookEventsArrived,
    LiveIngestFailed,
)
from cockpit.ui.screens.approval import Decision
from cockpit.ui.workers import Post, failure, keep_running

# How long to keep trying for a request that names no deadline.
RETRY_WITHOUT_DEADLINE_SECONDS = 60.0


def watch_inbox(db_path: str, read_only: bool, stop: threading.Event, post: Post) -> None:
    """Until `stop`: ApprovalsChanged when the pending set changes, HookEventsArrived when agents' hooks
    recorded events; a failure is one LiveIngestFailed and the watch starts again."""
    watch = InboxWatch(
        db_path, lambda pending, closed: post(ApprovalsChanged(tuple(pending), tuple(closed))),
        read_only=read_only, on_events=lambda sessions: post(HookEventsArrived(frozenset(sessions))),
    )
    keep_running(watch.run, stop, lambda error: post(LiveIngestFailed(f"approvals inbox: {error}")))


def record_decision(db_path: str, decision: Decision, deadline_at: str | None, post: Post) -> None:
    """Write the decision, in a thread of its own: the write may wait for the ingest's lock, the UI must not.
    A busy store is retried with backoff until the hook's deadline (DecisionPending meanwhile); then
    DecisionWritten, or DecisionFailed with the error."""
    left = seconds_until(deadline_at)
    give_up_at = time.monotonic() + (RETRY_WITHOUT_DEADLINE_SECONDS if left is None else left)
    try:
        ok, status = write_decision(
            db_path, decision.request_id, decision.input_hash, decision.decision, give_up_at=give_up_at,
            reason=decision.reason, by="cockpit-key", allow_rule_for_session=decision.whole_session,
            on_busy=lambda error: post(DecisionPending(decision, error)),
        )
    except Exception as exc:  # noqa: BLE001 - busy past the deadline, or a store that cannot take it: say so
        post(DecisionFailed(decision, failure(exc)))
        return
    post(DecisionWritten(decision, ok, status))


def seconds_until(iso: str | None) -> float | None:
    """Seconds from now to an ISO time in the store (negative when past); None when absent or unreadable."""
    if not iso:
        return None
    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at - datetime.now(UTC)).total_seconds()
