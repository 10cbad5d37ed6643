"""Ingest: transcript bytes -> facts -> rows. The single writer of the derived tables.

Every row is keyed by where it came from (file, byte offset or request key), so reading a
range twice changes nothing; a file that was truncated or replaced has its rows dropped and is
read again from 0. Work per call is proportional to the bytes appended.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from multiprocessing import get_context
from typing import Any

import sqlite_utils

from cockpit.core.models import Agent
from cockpit.core.text import one_line
from cockpit.sources.discovery import Root, TranscriptFile, discover_claude, discover_codex
from cockpit.sources.tailer import Cursor
from cockpit.store.parse import BINARY_ERROR, Batch, FileJob, Parsed, read_and_parse
from cockpit.store.rollup import refresh_rollups

__all__ = ["BINARY_ERROR", "FileRecord", "IngestResult", "Ingestor"]
log = logging.getLogger(__name__)

# Above this much unread data a catch-up parses on every core; below it a pool costs more than it saves.
POOL_MIN_BYTES = 48 * 1024 * 1024
# A catch-up stores about this much transcript per transaction: short lock holds, little lost on a crash.
COMMIT_EVERY_BYTES = 32 * 1024 * 1024


@dataclass
class FileRecord:
    path: str
    agent: Agent
    session_id: str
    subagent: bool
    agent_id: str
    cursor: Cursor = field(default_factory=Cursor)
    parser_state: dict[str, Any] | None = None
    error: str | None = None
    gone: bool = False


@dataclass
class IngestResult:
    sessions: set[str] = field(default_factory=set)
    lines: int = 0
    bytes: int = 0
    more: bool = False  # a byte budget stopped the read before the end of the file


class Ingestor:
    def __init__(
        self,
        db: sqlite_utils.Database,
        claude_roots: Sequence[Root] = (),
        codex_roots: Sequence[Root] = (),
    ) -> None:
        self.db = db
        self.claude_roots = list(claude_roots)
        self.codex_roots = list(codex_roots)
        self.discovery_errors: list[str] = []
        self.notes: list[str] = []  # what the user should know about how the last catch-up ran
        self.records: dict[str, FileRecord] = {}
        self._load_records()

    # ---- discovery -----------------------------------------------------------------------

    def _load_records(self) -> None:
        for row in self.db.execute(
            "SELECT path, agent, session_id, subagent, agent_id, inode, offset, pending_bytes, parser_state, error, gone FROM files"
        ).fetchall():
            path, agent, sid, sub, aid, inode, offset, pending, state, error, gone = row
            self.records[path] = FileRecord(
                path, Agent(agent), sid, bool(sub), aid, Cursor(inode, offset, pending),
                json.loads(state) if state else None, error, bool(gone),
            )

    def discover(self) -> list[FileRecord]:
        """All transcript files under the roots, main session files before subagent files."""
        errors: list[str] = []
        found: list[TranscriptFile] = discover_claude(self.claude_roots, errors) + discover_codex(self.codex_roots, errors)
        self.discovery_errors = errors
        for tf in found:
            self.track(tf)
        return sorted(
            (r for r in self.records.values() if not r.gone or os.path.exists(r.path)),
            key=lambda r: (r.subagent, r.path),
        )

    def track(self, tf: TranscriptFile) -> FileRecord:
        record = self.records.get(tf.path)
        if record is None:
            record = FileRecord(tf.path, tf.agent, tf.session_id, tf.subagent, tf.agent_id)
            self.records[tf.path] = record
        return record

    # ---- ingest ----------------------------------------------------------------------------

    def ingest_all(
        self, records: Iterable[FileRecord] | None = None, progress: Callable[[int, int], None] | None = None
    ) -> IngestResult:
        todo = list(records if records is not None else self.discover())
        total = IngestResult()
        conn = self.db.conn
        ready: list[tuple[FileRecord, Parsed]] = []
        pending = 0

        def write(group: list[tuple[FileRecord, Parsed]]) -> None:
            # Parsing happens outside the write lock; only storing holds it, so hooks and the
            # dashboard's heartbeat never wait long behind a catch-up.
            conn.execute("BEGIN IMMEDIATE")
            try:
                for record, parsed in group:
                    result = self._apply(record, parsed, in_transaction=True)
                    total.sessions |= result.sessions
                    total.lines += result.lines
                    total.bytes += result.bytes
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

        # One checkpoint at the end instead of one per commit: a catch-up rewrites the same pages often.
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            for done, (record, parsed) in enumerate(self._parse_all(todo), 1):
                ready.append((record, parsed))
                pending += parsed.bytes
                if pending >= COMMIT_EVERY_BYTES:
                    write(ready)
                    ready, pending = [], 0
                if progress:
                    progress(done, len(todo))
            write(ready)
            total.sessions.discard("")
            self.refresh(total.sessions)
        finally:
            conn.execute("PRAGMA wal_autocheckpoint = 1000")
        if total.bytes > COMMIT_EVERY_BYTES:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return total

    def _parse_all(self, todo: list[FileRecord]) -> Iterator[tuple[FileRecord, Parsed]]:
        """Parsed files in order; on a large backlog the parsing runs in a process per core."""
        unread = 0
        for record in todo:
            try:
                unread += max(0, os.path.getsize(record.path) - record.cursor.offset)
            except OSError:
                pass
        workers = min(os.cpu_count() or 1, 8)
        if unread < POOL_MIN_BYTES or workers < 2 or len(todo) < 4:
            for record in todo:
                yield record, read_and_parse(self._job(record))
            return
        done = 0
        try:
            # spawn: the dashboard calls this from a thread, and forking a threaded process is unsafe.
            with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
                # A bounded window of files in flight: parsed batches wait for the single writer, so an
                # unbounded map would hold the whole backlog in memory.
                window: deque[Future[Parsed]] = deque()
                queued = iter(todo)
                for record in islice(queued, workers * 32):
                    window.append(pool.submit(read_and_parse, self._job(record)))
                while window:
                    parsed = window.popleft().result()
                    record = todo[done]
                    nxt = next(queued, None)
                    if nxt is not None:
                        window.append(pool.submit(read_and_parse, self._job(nxt)))
                    yield record, parsed
                    done += 1
        except (BrokenProcessPool, OSError, ValueError, RuntimeError) as exc:
            # Seen inside the dashboard: spawning fails with "bad value(s) in fds_to_keep" once Textual
            # owns the terminal. Parsing in this process is slower but loses nothing.
            log.warning("parallel parsing failed (%s); continuing in this process", exc)
            self.notes.append(f"parallel parsing unavailable ({exc}); parsed in one process instead")
            for record in todo[done:]:
                yield record, read_and_parse(self._job(record))

    def refresh(self, session_ids: Iterable[str]) -> None:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            refresh_rollups(self.db, session_ids)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _job(self, record: FileRecord, max_bytes: int | None = None) -> FileJob:
        return FileJob(
            record.path, record.agent, record.subagent, record.agent_id, record.session_id, record.cursor,
            record.parser_state, record.error, max_bytes,
        )

    def ingest_file(self, record: FileRecord, *, max_bytes: int | None = None, refresh: bool = True) -> IngestResult:
        result = self._apply(record, read_and_parse(self._job(record, max_bytes)), in_transaction=False)
        if refresh and result.sessions:
            self.refresh(result.sessions)
        return result

    def _apply(self, record: FileRecord, parsed: Parsed, *, in_transaction: bool) -> IngestResult:
        result = IngestResult()
        if parsed.status == "gone":
            if not record.gone:
                record.gone = True
                self._save_file_state(record, ended=True, in_transaction=in_transaction)
                result.sessions.add(record.session_id)
            return result
        if parsed.status == "error":
            if record.error != parsed.error:
                record.error = parsed.error
                self._save_file_state(record, in_transaction=in_transaction)
                result.sessions.add(record.session_id)
            return result
        record.gone = False
        record.error = parsed.error
        record.session_id = parsed.session_id
        record.cursor = parsed.cursor
        record.parser_state = parsed.parser_state
        self._write(record, parsed.batch, reset=parsed.reset, in_transaction=in_transaction)
        result.lines, result.bytes, result.more = parsed.lines, parsed.bytes, parsed.more
        if record.session_id:
            result.sessions.add(record.session_id)
        return result

    # ---- writing ---------------------------------------------------------------------------

    def _write(self, record: FileRecord, batch: Batch, *, reset: bool, in_transaction: bool) -> None:
        conn = self.db.conn
        if not in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        try:
            if reset:
                # api_calls and tool_calls are indexed by session, the others by path.
                for table in ("api_calls", "tool_calls"):
                    conn.execute(f"DELETE FROM {table} WHERE session_id = ? AND path = ?", (record.session_id, record.path))
                for table in ("compactions", "prompts", "skipped", "interrupts"):
                    conn.execute(f"DELETE FROM {table} WHERE path = ?", (record.path,))
                if not record.subagent:
                    # Title, first prompt and state are rebuilt from the new content, read from 0.
                    conn.execute("DELETE FROM sessions WHERE session_id = ? AND path = ?", (record.session_id, record.path))
            if batch.calls:
                conn.executemany(
                    """INSERT INTO api_calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    ON CONFLICT(key) DO UPDATE SET
                        output_tokens = excluded.output_tokens, input_tokens = excluded.input_tokens,
                        cache_creation_input_tokens = excluded.cache_creation_input_tokens,
                        cache_creation_1h_tokens = excluded.cache_creation_1h_tokens,
                        cache_read_input_tokens = excluded.cache_read_input_tokens,
                        is_sidechain = excluded.is_sidechain
                    WHERE (excluded.input_tokens + excluded.output_tokens + excluded.cache_creation_input_tokens
                           + excluded.cache_read_input_tokens)
                        > (api_calls.input_tokens + api_calls.output_tokens + api_calls.cache_creation_input_tokens
                           + api_calls.cache_read_input_tokens)
                       OR (api_calls.is_sidechain = 1 AND excluded.is_sidechain = 0)""",
                    batch.calls,
                )
            if batch.compactions:
                conn.executemany("INSERT OR IGNORE INTO compactions VALUES (?,?,?,?,?,?,?)", batch.compactions)
            if batch.tools_started:
                conn.executemany(
                    "INSERT OR IGNORE INTO tool_calls (session_id, tool_use_id, path, seq, name, summary, started_at, agent_id,"
                    " finished_at, is_error) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    batch.tools_started,
                )
            if batch.tools_finished:
                conn.executemany(
                    "UPDATE tool_calls SET finished_at = ?, is_error = ? WHERE session_id = ? AND tool_use_id = ?",
                    batch.tools_finished,
                )
            if batch.prompts:
                conn.executemany("INSERT OR IGNORE INTO prompts VALUES (?,?,?,?,?)", batch.prompts)
            if batch.interrupts:
                conn.executemany("INSERT OR IGNORE INTO interrupts VALUES (?,?,?,?)", batch.interrupts)
            for reason, count in batch.skipped.items():
                conn.execute(
                    "INSERT INTO skipped VALUES (?,?,?) ON CONFLICT(path, reason) DO UPDATE SET count = count + excluded.count",
                    (record.path, reason, count),
                )
            if not record.subagent and record.session_id:
                self._write_session(record, batch)
            self._save_file_state(record, in_transaction=True)
            if not in_transaction:
                conn.execute("COMMIT")
        except BaseException:
            if not in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _write_session(self, record: FileRecord, batch: Batch) -> None:
        conn = self.db.conn
        row = conn.execute(
            "SELECT project, branch, version, model, title, title_rank, last_prompt, started_at, last_activity_at,"
            " state, state_at FROM sessions WHERE session_id = ?",
            (record.session_id,),
        ).fetchone()
        m = batch.meta
        if row is None and not (m or batch.calls or batch.first_ts):
            return
        if row is None:
            project, branch, version, model, title, rank, last_prompt, started, last, state, state_at = (
                "", "", "", "", "", 0, "", None, None, "idle", None,
            )
        else:
            project, branch, version, model, title, rank, last_prompt, started, last, state, state_at = row
        # The project is the session's original cwd: the first one seen, never a later subdirectory.
        project = project or m.get("cwd") or ""
        branch = m.get("branch", branch)
        version = m.get("version", version)
        model = m.get("model", model)
        if m.get("title") and m.get("title_rank", 0) >= rank:
            title, rank = m["title"], m["title_rank"]
        last_prompt = m.get("last_prompt", last_prompt)
        if batch.first_ts and (started is None or batch.first_ts < started):
            started = batch.first_ts
        if batch.last_ts and (last is None or batch.last_ts > last):
            last = batch.last_ts
        if batch.state and (state_at is None or batch.state[1] >= state_at):
            state, state_at = batch.state
        first_prompt = next((one_line(p[4], 200) for p in batch.prompts if not p[4].startswith("<")), "")
        conn.execute(
            """INSERT INTO sessions (session_id, agent, path, project, branch, version, model, title, title_rank,
                   last_prompt, started_at, last_activity_at, state, state_at, ended, first_prompt)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?)
               ON CONFLICT(session_id) DO UPDATE SET path = excluded.path, project = excluded.project,
                   branch = excluded.branch, version = excluded.version, model = excluded.model,
                   title = excluded.title, title_rank = excluded.title_rank, last_prompt = excluded.last_prompt,
                   started_at = excluded.started_at, last_activity_at = excluded.last_activity_at,
                   state = excluded.state, state_at = excluded.state_at, ended = 0,
                   first_prompt = CASE WHEN sessions.first_prompt = '' THEN excluded.first_prompt
                                       ELSE sessions.first_prompt END""",
            (record.session_id, record.agent.value, record.path, project, branch, version, model, title, rank,
             last_prompt, started, last, state, state_at, first_prompt),
        )

    def _save_file_state(self, record: FileRecord, *, in_transaction: bool = False, ended: bool = False) -> None:
        conn = self.db.conn
        try:
            st = os.stat(record.path)
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = 0, 0.0
        statements: list[tuple[str, tuple[Any, ...]]] = [(
            """INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, inode = excluded.inode,
                   offset = excluded.offset, pending_bytes = excluded.pending_bytes, size = excluded.size,
                   mtime = excluded.mtime, parser_state = excluded.parser_state, error = excluded.error,
                   gone = excluded.gone""",
            (record.path, record.agent.value, record.session_id, int(record.subagent), record.agent_id,
             record.cursor.inode, record.cursor.offset, record.cursor.scanned, size, mtime,
             json.dumps(record.parser_state) if record.parser_state else None, record.error, int(record.gone)),
        )]
        if ended and not record.subagent:
            statements.append(("UPDATE sessions SET ended = 1, state = 'ended' WHERE session_id = ?", (record.session_id,)))
        if in_transaction:
            for sql, params in statements:
                conn.execute(sql, params)
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
