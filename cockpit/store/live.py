"""Keeps the store current while the dashboard runs: catch up once, then follow changes.

Runs in one background thread with its own connection (the single writer). It reports which
sessions changed through a callback; it never touches the UI.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cockpit.sources.discovery import Root, classify, claude_scan_dir, codex_scan_dirs
from cockpit.sources.watcher import watch_transcripts
from cockpit.store.db import open_db
from cockpit.store.ingest import Ingestor

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LiveUpdate:
    sessions: frozenset[str]
    lines: int
    seconds: float  # time spent reading and writing this update
    catch_up: bool = False
    errors: tuple[str, ...] = ()


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
        folders = [claude_scan_dir(r.path) for r in self.claude_roots if r.exists]
        for root in self.codex_roots:
            if root.exists:
                folders.extend(codex_scan_dirs(root.path))
        return folders

    def run(self, stop: threading.Event) -> None:
        db = open_db(self.db_path)
        ingestor = Ingestor(db, self.claude_roots, self.codex_roots)
        started = time.perf_counter()
        result = ingestor.ingest_all()
        self.on_update(
            LiveUpdate(frozenset(result.sessions), result.lines, time.perf_counter() - started, catch_up=True,
                       errors=tuple(ingestor.discovery_errors + ingestor.notes))
        )

        def on_change(paths: set[str]) -> None:
            began = time.perf_counter()
            touched: set[str] = set()
            lines = 0
            # Main files first, so a new subagent finds its parent's session row.
            for path in sorted(paths, key=lambda p: ("subagents" in p, os.path.basename(p).startswith("agent-"))):
                record = ingestor.records.get(path)
                if record is None:
                    agent = self._agent_for(path)
                    tf = classify(agent, path) if agent else None
                    if tf is None:
                        continue
                    record = ingestor.track(tf)
                try:
                    res = ingestor.ingest_file(record, refresh=False)
                except Exception:  # noqa: BLE001 - one bad file never stops the others
                    log.exception("ingest failed for %s", path)
                    continue
                touched |= res.sessions
                lines += res.lines
            touched.discard("")
            if touched:
                ingestor.refresh(touched)
                self.on_update(LiveUpdate(frozenset(touched), lines, time.perf_counter() - began))

        def snapshot() -> list[str]:
            ingestor.discover()
            return list(ingestor.records)

        self.mode = "polling" if self.force_polling else "watchfiles"
        self.mode = watch_transcripts(
            self.folders(), on_change, stop, poll_seconds=self.poll_seconds,
            force_polling=self.force_polling, snapshot=snapshot,
        )
        db.conn.close()

    def _agent_for(self, path: str):  # type: ignore[no-untyped-def]
        from cockpit.core.models import Agent

        for root in self.claude_roots:
            if path.startswith(root.path.rstrip("/") + "/"):
                return Agent.CLAUDE
        for root in self.codex_roots:
            if path.startswith(root.path.rstrip("/") + "/"):
                return Agent.CODEX
        return None
