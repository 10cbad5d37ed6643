"""The cockpit's side of approvals, in a background thread: presence, new requests, requests nobody waits for.

Each dashboard has a presence row of its own (its pid and a random token, whether it is read-only,
when it last beat): it beats every second and deletes the row when it stops, so one dashboard
quitting leaves the requests waiting for another, and only when the last answering one is gone do
the hooks give their fail-safe answer. It watches for pending requests and, unless it is
read-only (a read-only dashboard never closes anything), closes a pending request

- as "answered in terminal" when the agent shows it went on without us: a PostToolUse /
  PostToolUseFailure / PermissionDenied event for the same call, or the call's result in the
  transcript;
- as "gone" when its hook is: the hook's pid is dead (killed by SIGKILL, crashed) or its deadline
  passed long ago. A gone request cannot be approved.

At rest it sleeps until the store's files are written (inotify on their folder; without it, it looks every
100 ms) or its next beat, and a look is one `PRAGMA data_version` (it moves only when another connection
commits: a hook's request or event, the ingest, another dashboard's beat; never this watch's own beat): the
requests and events are read only when it moved. While a request waits, it looks every 100 ms and reads
them each time: a hook dying or a deadline passing changes nothing in the store.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable

from cockpit.store import approvals
from cockpit.store.approvals import Request
from cockpit.store.db import connect
from cockpit.store.hook_events import answered_elsewhere, events_after, newest_event_id

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1
BEAT_SECONDS = 1.0
# The watch's own writes (beat, closing a request) wait this long for a lock, then try next poll.
BUSY_SECONDS = 1.0


# Writing a decision: each attempt waits this long for the store's lock, then backs off and retries.
DECISION_BUSY_SECONDS = 1.0
RETRY_FIRST_SECONDS = 0.1
RETRY_MAX_SECONDS = 1.0


def write_decision(
    db_path: str,
    request_id: int,
    shown_hash: str,
    decision: str,
    *,
    give_up_at: float,
    reason: str = "",
    by: str = "cockpit-key",
    allow_rule_for_session: bool = False,
    on_busy: Callable[[str], None] | None = None,
) -> tuple[bool, str | None]:
    """`approvals.decide` that outlasts a busy store: a locked store is retried with backoff until
    `give_up_at` (monotonic; the hook's deadline), and `on_busy(error)` is called once, at the first
    retry. Returns (True, None) when written, (False, the request's status or None) when refused (no
    longer pending, input changed). Raises the last sqlite3 error when it could not be written in time.
    Blocks: call it from a background thread."""
    delay = RETRY_FIRST_SECONDS
    told = False
    while True:
        try:
            conn = connect(db_path, busy_timeout=DECISION_BUSY_SECONDS)
            try:
                if approvals.decide(conn, request_id, shown_hash, decision, reason=reason, by=by,
                                    allow_rule_for_session=allow_rule_for_session):
                    return True, None
                request = approvals.get(conn, request_id)
                return False, request.status if request else None
            finally:
                conn.close()
        except sqlite3.OperationalError as exc:
            if time.monotonic() + delay >= give_up_at:
                raise
            if not told and on_busy is not None:
                told = True
                on_busy(f"{type(exc).__name__}: {exc}")
            time.sleep(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)


def data_version(conn: sqlite3.Connection) -> int:
    """A number that changes whenever another connection (any process) commits to the store, and only then."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


class InboxWatch:
    def __init__(
        self,
        db_path: str,
        on_change: Callable[[list[Request], list[Request]], None],
        *,
        read_only: bool = False,
        on_events: Callable[[set[str]], None] | None = None,
        token: str | None = None,
    ) -> None:
        """`on_change(pending, closed)` runs in this thread when the pending set changes (`closed`: the
        requests this watch just closed, with their new status); `on_events(session_ids)` when agent
        hook events arrived for those sessions. `token` names this dashboard's presence row."""
        self.db_path = db_path
        self.on_change = on_change
        self.read_only = read_only
        self.on_events = on_events
        self.token = token or secrets.token_hex(8)
        self.pid = os.getpid()

    def _sweep(self, conn: sqlite3.Connection, waiting: list[Request]) -> list[Request]:
        """Close the requests nobody waits for any more; the closed ones, with their new status."""
        closed: list[Request] = []
        for request in waiting:
            try:
                if approvals.hook_gone(request):
                    if approvals.mark_gone(conn, request):
                        closed.append(dataclasses.replace(request, status=approvals.GONE))
                elif answered_elsewhere(conn, request) and approvals.close(
                    conn, request.id, approvals.ANSWERED_IN_TERMINAL, "terminal"
                ):
                    closed.append(dataclasses.replace(request, status=approvals.ANSWERED_IN_TERMINAL))
            except sqlite3.OperationalError as exc:
                log.warning("request %s not swept yet: %s", request.id, exc)  # the next poll tries again
        return closed

    def run(self, stop: threading.Event) -> None:
        # Imported in this thread, after the first paint, not at start-up.
        from cockpit.sources.inotify import FileWakeup

        conn = connect(self.db_path, busy_timeout=BUSY_SECONDS)
        try:
            last_event = newest_event_id(conn)
            store = os.path.realpath(self.db_path)  # SQLite writes its -wal beside the file a symlink names
            wakeup = FileWakeup([store, f"{store}-wal", f"{store}-journal"], stop)
        except BaseException:
            conn.close()
            raise
        last_beat = 0.0
        seen: tuple[tuple[int, str], ...] | None = None
        version: int | None = None  # the store's data_version at the last read of the requests
        try:
            while not stop.is_set():
                now = time.monotonic()
                if now - last_beat >= BEAT_SECONDS:
                    try:
                        approvals.beat(conn, read_only=self.read_only, pid=self.pid, token=self.token)
                        last_beat = now
                        wakeup.drain()  # the beat's own write: nothing to look at
                    except sqlite3.OperationalError as exc:
                        # A long write elsewhere: try again next poll rather than stop answering.
                        log.warning("heartbeat delayed: %s", exc)
                # Read before the requests: a commit landing in between moves it again, and is read next look.
                current = data_version(conn)
                if current != version or seen:  # another connection wrote, or a request waits
                    version = current
                    seen, last_event = self._look(conn, seen, last_event)
                # Asleep until the store is written or the next beat is due; every POLL_SECONDS while a request
                # waits (or without inotify, or when a beat failed and is tried again).
                beat_due = last_beat + BEAT_SECONDS - time.monotonic()
                wakeup.wait(POLL_SECONDS if seen or not wakeup.active else max(POLL_SECONDS, beat_due))
        finally:
            wakeup.close()
            try:
                if stop.is_set():
                    # Leaving: hooks keep waiting while another answering dashboard is present, and give
                    # their fail-safe answer at once when this was the last one. (After a crash the row
                    # stays: the caller runs this watch again, and if it does not, the row goes stale.)
                    approvals.set_busy_timeout(conn, 3 * BUSY_SECONDS)
                    approvals.stop_beating(conn, pid=self.pid, token=self.token)
            except sqlite3.Error as exc:
                # The row goes stale by itself, and our pid is dead once the process exits.
                log.warning("presence not removed: %s", exc)
            finally:
                conn.close()

    def _look(self, conn: sqlite3.Connection, seen: tuple[tuple[int, str], ...] | None,
              last_event: int) -> tuple[tuple[tuple[int, str], ...], int]:
        """Read the pending requests (closing those nobody waits for) and the new hook events; `on_change` and
        `on_events` when they changed. Returns what is waiting now (as `seen`) and the newest event's id."""
        waiting = approvals.pending(conn)
        if self.read_only:
            # Never closes anything; it only leaves out what nobody waits for.
            closed: list[Request] = []
            waiting = [r for r in waiting if not approvals.hook_gone(r)]
        else:
            closed = self._sweep(conn, waiting)
            if closed:
                gone = {r.id for r in closed}
                waiting = [r for r in waiting if r.id not in gone]
        key = tuple((r.id, r.status) for r in waiting)
        if key != seen or closed:
            self.on_change(waiting, closed)
        if self.on_events is not None:
            newest, sessions = events_after(conn, last_event)
            if newest != last_event:
                last_event = newest
                self.on_events(sessions)
        return key, last_event
