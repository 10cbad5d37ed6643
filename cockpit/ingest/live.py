"""Keeps the store current while the dashboard runs: catch up once, then follow changes.

Runs in one background thread with its own connection (the single writer). It reports which
sessions changed through a callback; it never touches the UI. A transcript folder that appears while
it runs (`~/.claude` created after start) is watched within a poll interval, without a restart.

A store write that still fails after the ingest's own retries leaves `run` with a StoreError (logged
here): the caller reports it and runs again later, and the new catch-up starts from the committed
cursors, so nothing appended meanwhile is lost.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cockpit.core.models import Agent
from cockpit.ingest.pipeline import FileRecord, Ingestor
from cockpit.sources.discovery import Root, scan_dirs
from cockpit.sources.watcher import preferred_mode, watch_transcripts
from cockpit.store.db import StoreError, open_db

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    sessions: frozenset[str]
    lines: int
    seconds: float  # time spent reading and writing this update
    catch_up: bool = False
    errors: tuple[str, ...] = ()
    cpu_seconds: float = 0.0  # of that, time this thread ran (the rest it waited, e.g. for the GIL)
    # During a catch-up: (bytes read, bytes to read) when these sessions were stored; the catch-up goes on.
    progress: tuple[int, int] | None = None


class LiveIngest:
    def __init__(
        self,
        db_path: str,
        claude_roots: Sequence[Root],
        codex_roots: Sequence[Root],
        on_update: Callable[[LiveUpdate], None],
        *,
        poll_seconds: float = 1.0,
        force_polling: bool = False,
    ) -> None:
        self.db_path = db_path
        self.claude_roots = list(claude_roots)
        self.codex_roots = list(codex_roots)
        self.on_update = on_update
        self.poll_seconds = poll_seconds
        self.force_polling = force_polling
        self.mode = "starting"
        self.paused = threading.Event()

    def folders(self) -> list[str]:
        """The folders to watch now, each once even when two roots reach it (a symlink, two spellings)."""
        return scan_dirs(self.claude_roots, self.codex_roots)

    def run(self, stop: threading.Event) -> None:
        db = open_db(self.db_path)
        try:
            self._follow(db, stop)
        except StoreError as exc:
            log.error("live ingest stopped: %s", exc)
            raise
        finally:
            db.conn.close()

    def _follow(self, db: sqlite_utils.Database, stop: threading.Event) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        ingestor = Ingestor(db, self.claude_roots, self.codex_roots)

        def stored(sessions: set[str], done: int, to_read: int) -> None:
            # A long catch-up (a new store, a history unread for long) shows its newest sessions as they land.
            self.on_update(LiveUpdate(frozenset(sessions), 0, time.perf_counter() - started, progress=(done, to_read)))

        result = ingestor.ingest_all(on_commit=stored)
        self.on_update(
            LiveUpdate(frozenset(result.sessions), result.lines, time.perf_counter() - started, catch_up=True,
                       errors=tuple(ingestor.discovery_errors + ingestor.notes), cpu_seconds=time.thread_time() - cpu)
        )

        def on_change(paths: set[str]) -> None:
            began = time.perf_counter()
            touched: set[str] = set()
            lines = 0
            seen: set[int] = set()
            # Main files first, so a new subagent finds its parent's session row.
            for path in sorted(paths, key=lambda p: ("subagents" in p, os.path.basename(p).startswith("agent-"))):
                record: FileRecord | None = ingestor.lookup(path, self._agent_for(path))
                if record is None or id(record) in seen:
                    continue  # not a transcript, or a second name of a file already read
                seen.add(id(record))
                try:
                    res = ingestor.ingest_file(record, refresh=False)
                except StoreError:
                    raise  # the store, not the file: nothing more can be stored now
                except Exception:  # noqa: BLE001 - one bad file never stops the others
                    log.exception("ingest failed for %s", record.path)
                    continue
                touched |= res.sessions
                lines += res.lines
            touched.discard("")
            if touched:
                ingestor.refresh(touched)
                self.on_update(LiveUpdate(frozenset(touched), lines, time.perf_counter() - began))

        def snapshot() -> list[str]:
            ingestor.discover()
            return [record.location for record in ingestor.records.values()]

        def on_ready() -> None:
            # What was written between the catch-up and the arming of the watch has no event of its own.
            ingestor.discover()
            missed = {r.location for r in ingestor.records.values() if _moved_on(r)}
            if missed:
                on_change(missed)

        self.mode = preferred_mode(self.force_polling)
        while not stop.is_set():
            watched = self.folders()
            # A root missing at start (no ~/.claude yet), or its projects / sessions folder, may appear at any
            # time: each poll interval the folders are looked at again, and the watch starts over on the new
            # set; `on_ready` then reads what the new folders already hold.
            self.mode = watch_transcripts(
                watched, on_change, stop, poll_seconds=self.poll_seconds,
                force_polling=self.force_polling, snapshot=snapshot, on_ready=on_ready,
                recheck=lambda watched=watched: self.folders() != watched,
            )
            if not stop.is_set():
                log.info("transcript folders changed: now watching %s", ", ".join(self.folders()) or "none")

    def _agent_for(self, path: str) -> Agent | None:
        location = os.path.abspath(path)
        for root in self.claude_roots:
            if location.startswith(root.path.rstrip("/") + "/"):
                return Agent.CLAUDE
        for root in self.codex_roots:
            if location.startswith(root.path.rstrip("/") + "/"):
                return Agent.CODEX
        return None


def _moved_on(record: FileRecord) -> bool:
    """Whether the file is not where `record`'s cursor left it (grown, shrunk, replaced, touched or gone)."""
    try:
        st = os.stat(record.location)
    except OSError:
        return not record.gone
    c = record.cursor
    return (st.st_ino, st.st_size) != (c.inode, c.offset + c.scanned) or st.st_mtime_ns != c.mtime_ns
