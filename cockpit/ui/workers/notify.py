"""Notifications and budgets in the background (issue 14).

`watch_fleet` is one thread for two loops, so the dashboard's pool of worker threads is not used up by
long-running work: the notifier (services/notify.py) on the events the dashboard queues (the sinks run
commands, notify-send and the user's, that may take seconds, never on the UI thread; each failure is one
WorkerFailed for the log), and the budget watch, which reads every budget as it stands every few seconds
and posts a FleetEvent when one enters or leaves its warning band or its limit. `record_raise` stores a
human's new limit.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import datetime

from cockpit.core.budget_rules import OK, BudgetLimits, Spend, utc_day
from cockpit.services.notify import Notice, Notifier
from cockpit.store import budget
from cockpit.store.db import connect
from cockpit.store.queries import live_cutoff
from cockpit.ui.messages import FleetEvent, WorkerFailed
from cockpit.ui.workers import RETRY_FIRST_SECONDS, RETRY_MAX_SECONDS, Post, failure

# How often the notifier looks for requests to escalate when no event arrives.
TICK_SECONDS = 1.0
BUDGET_SECONDS = 5.0


def budget_event(stand: Spend, *, active: bool) -> FleetEvent:
    """The FleetEvent of a budget in its band: key `budget:<scope>:<key>:<band>`."""
    what = f"session {stand.key[:8]}" if stand.scope == budget.SESSION else f"UTC day {stand.key}"
    if stand.band == "over":
        title = f"cockpit: {what} reached its budget of ${stand.limit_usd:.2f}"
        detail = f"spent ${stand.spent_usd:.2f}: its tool calls are denied until you raise the budget (B)"
    else:
        title = f"cockpit: {what} used {stand.pct:.0f}% of its budget"
        detail = f"spent ${stand.spent_usd:.2f} of ${stand.limit_usd:.2f}"
    return FleetEvent("budget", f"budget:{stand.scope}:{stand.key}:{stand.band}", active=active,
                      session_id=stand.key if stand.scope == budget.SESSION else "", title=title, detail=detail,
                      data={"scope": stand.scope, "budget_key": stand.key, "band": stand.band,
                            "spent_usd": round(stand.spent_usd, 4), "limit_usd": stand.limit_usd,
                            "pct": round(stand.pct, 1)})


class BudgetWatch:
    """Every budget as it stands, read again every BUDGET_SECONDS: `poll` gives the FleetEvents of the budgets
    that entered a band (and withdraws the band each left). Its own connection, opened at the first poll."""

    def __init__(self, db_path: str, limits: BudgetLimits, live_minutes: float, clock: Callable[[], datetime],
                 every: float = BUDGET_SECONDS) -> None:
        self.db_path = db_path
        self.limits = limits
        self.live_minutes = live_minutes
        self.clock = clock
        self.every = every
        self.bands: dict[tuple[str, str], Spend] = {}
        self.conn: sqlite3.Connection | None = None
        self.due = 0.0  # monotonic time of the next poll
        self.backoff = RETRY_FIRST_SECONDS

    def poll(self) -> list[FleetEvent]:
        if self.conn is None:
            self.conn = connect(self.db_path)
        now = self.clock()
        stands = budget.live_stands(self.conn, self.limits, live_cutoff(now, self.live_minutes), utc_day(now))
        events: list[FleetEvent] = []
        seen = set()
        for stand in stands:
            where = (stand.scope, stand.key)
            seen.add(where)
            before = self.bands.get(where)
            self.bands[where] = stand
            if before is not None and before.band == stand.band:
                continue
            if before is not None and before.band != OK:
                events.append(budget_event(before, active=False))
            if stand.band != OK:
                events.append(budget_event(stand, active=True))
        for where in set(self.bands) - seen:  # no longer live, or a new day
            gone = self.bands.pop(where)
            if gone.band != OK:
                events.append(budget_event(gone, active=False))
        return events

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def watch_fleet(notifier: Notifier | None, events: queue.SimpleQueue[Notice], budgets: BudgetWatch | None,
                stop: threading.Event, post: Post, tick_seconds: float = TICK_SECONDS) -> None:
    """One thread for both, until `stop`: every queued event through the notifier (its sinks run commands
    that may take seconds) and its escalations in between; the budgets when due. A failure is one
    WorkerFailed; a budget read that fails is tried again with backoff (1 s doubling to 30 s)."""
    try:
        while not stop.is_set():
            try:
                notice: Notice | None = events.get(timeout=tick_seconds)
            except queue.Empty:
                notice = None
            if notifier is not None:
                try:
                    errors = (notifier.handle(notice) if notice is not None else []) + notifier.tick()
                except Exception as exc:  # noqa: BLE001 - one bad event must not end the notifications
                    errors = [failure(exc)]
                for error in errors:
                    post(WorkerFailed("notifications", error))
            if budgets is not None and time.monotonic() >= budgets.due:
                try:
                    for event in budgets.poll():
                        post(event)
                    budgets.due = time.monotonic() + budgets.every
                    budgets.backoff = RETRY_FIRST_SECONDS
                except Exception as exc:  # noqa: BLE001 - a locked or broken store: say so, try again later
                    budgets.close()
                    post(WorkerFailed("budget watch", failure(exc)))
                    budgets.due = time.monotonic() + budgets.backoff
                    budgets.backoff = min(budgets.backoff * 2, RETRY_MAX_SECONDS)
    finally:
        if budgets is not None:
            budgets.close()


def record_raise(db_path: str, stand: Spend, limit_usd: float, raised_at: str, post: Post) -> None:
    """Store the human's new limit (in a thread: the write may wait for the ingest's lock); then the budget's
    event is withdrawn, with the new limit in its data."""
    try:
        conn = connect(db_path)
        try:
            budget.raise_limit(conn, stand.scope, stand.key, limit_usd, raised_at)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - a store that cannot take it: say so
        post(WorkerFailed("raising the budget", failure(exc)))
        return
    event = budget_event(stand, active=False)
    post(FleetEvent("budget", event.key, active=False, session_id=event.session_id,
                    title=f"cockpit: budget raised to ${limit_usd:.2f}", detail=event.detail,
                    data={**event.data, "raised_to_usd": limit_usd}))
