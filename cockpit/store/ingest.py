"""Ingest: transcript bytes -> facts -> rows. The single writer of the derived tables.

Every row is keyed by where it came from (file, byte offset or request key), so reading a
range twice changes nothing; a file that was truncated or replaced has its rows dropped and is
read again from 0. Work per call is proportional to the bytes appended.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
import sqlite_utils

from cockpit.core import claude
from cockpit.core.codex import CodexParser
from cockpit.core.models import (
    Agent,
    ApiCall,
    CompactionFact,
    MetaFact,
    PromptFact,
    SkippedLine,
    StateFact,
    ToolFinished,
    ToolStarted,
)
from cockpit.core.text import one_line
from cockpit.sources.discovery import Root, TranscriptFile, discover_claude, discover_codex
from cockpit.sources.tailer import Cursor, read_new_lines
from cockpit.store.rollup import refresh_rollup

CLAUDE_SKIP = claude.SKIP_TYPES
BINARY_ERROR = "not a text transcript (binary content)"


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


@dataclass
class _Batch:
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    compactions: list[tuple[Any, ...]] = field(default_factory=list)
    tools_started: list[tuple[Any, ...]] = field(default_factory=list)
    tools_finished: list[tuple[Any, ...]] = field(default_factory=list)
    prompts: list[tuple[Any, ...]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    first_ts: str | None = None
    last_ts: str | None = None
    state: tuple[str, str] | None = None


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
        for done, record in enumerate(todo, 1):
            result = self.ingest_file(record, refresh=False)
            total.sessions |= result.sessions
            total.lines += result.lines
            total.bytes += result.bytes
            if progress:
                progress(done, len(todo))
        self.refresh(total.sessions)
        return total

    def refresh(self, session_ids: Iterable[str]) -> None:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for sid in session_ids:
                refresh_rollup(self.db, sid)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def ingest_file(self, record: FileRecord, *, max_bytes: int | None = None, refresh: bool = True) -> IngestResult:
        result = IngestResult()
        try:
            read = read_new_lines(record.path, record.cursor, max_bytes)
        except FileNotFoundError:
            if not record.gone:
                record.gone = True
                self._save_file_state(record, ended=True)
                result.sessions.add(record.session_id)
            return result
        except OSError as exc:
            message = f"cannot read: {exc.strerror or exc}"
            if record.error != message:
                record.error = message
                self._save_file_state(record)
                result.sessions.add(record.session_id)
            return result
        # A binary file is skipped once; later reads return nothing, so the flag must be kept.
        was_binary = record.error == BINARY_ERROR and not read.reset
        record.error = None
        record.gone = False
        batch = _Batch()
        if read.binary or was_binary:
            record.error = BINARY_ERROR
        if read.oversized:
            batch.skipped["oversized"] = read.oversized
        codex = CodexParser(None if read.reset else record.parser_state) if record.agent is Agent.CODEX else None
        parse = codex.parse_line if codex else self._claude_parser(record)
        for offset, raw in read.lines:
            self._ingest_line(record, parse, offset, raw, batch)
        result.lines = len(read.lines)
        result.bytes = read.cursor.offset - (0 if read.reset else record.cursor.offset)
        try:
            result.more = max_bytes is not None and read.cursor.offset + read.cursor.scanned < os.path.getsize(record.path)
        except OSError:
            result.more = False
        record.cursor = read.cursor
        if codex is not None:
            record.parser_state = codex.checkpoint()
        self._write(record, batch, reset=read.reset)
        if record.session_id:
            result.sessions.add(record.session_id)
        if refresh and result.sessions:
            self.refresh(result.sessions)
        return result

    def _claude_parser(self, record: FileRecord) -> Callable[[Any], list[Any]]:
        subagent = record.subagent
        return lambda obj: claude.parse_line(obj, subagent_file=subagent)

    def _ingest_line(self, record: FileRecord, parse: Any, offset: int, raw: bytes, batch: _Batch) -> None:
        if record.agent is Agent.CLAUDE:
            kind = claude.top_level_type(raw)
            if kind is not None and kind in CLAUDE_SKIP:
                return
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            reason = "non-utf8" if _bad_utf8(raw) else "invalid-json"
            batch.skipped[reason] = batch.skipped.get(reason, 0) + 1
            return
        if record.subagent and not record.session_id and isinstance(obj, dict):
            sid = obj.get("sessionId")
            if isinstance(sid, str) and sid:
                record.session_id = sid
        facts = parse(obj)
        sid = record.session_id
        for fact in facts:
            if isinstance(fact, ApiCall):
                u = fact.usage
                batch.calls.append((
                    sid, _call_key(record, sid, fact.key, offset), record.path, offset, fact.ts, fact.model, u.input_tokens, u.output_tokens,
                    u.cache_creation_input_tokens, u.cache_creation_1h_tokens, u.cache_read_input_tokens,
                    fact.context_tokens, fact.window, int(fact.is_sidechain), fact.agent_id or record.agent_id,
                ))
                _span(batch, fact.ts)
            elif isinstance(fact, MetaFact):
                _merge_meta(batch.meta, fact)
                if fact.ts:
                    _span(batch, fact.ts)
            elif isinstance(fact, StateFact):
                batch.state = (fact.state.value, fact.ts)
            elif isinstance(fact, ToolStarted):
                batch.tools_started.append(
                    (sid, fact.tool_use_id, record.path, offset, fact.name, fact.summary, fact.ts, fact.agent_id or record.agent_id)
                )
            elif isinstance(fact, ToolFinished):
                batch.tools_finished.append((fact.ts, int(fact.is_error), sid, fact.tool_use_id))
            elif isinstance(fact, PromptFact):
                batch.prompts.append((record.path, offset, sid, fact.ts, fact.text))
                _span(batch, fact.ts)
            elif isinstance(fact, CompactionFact):
                batch.compactions.append((sid, record.path, offset, fact.ts, fact.trigger, fact.pre_tokens, fact.post_tokens))
            elif isinstance(fact, SkippedLine):
                batch.skipped[fact.reason] = batch.skipped.get(fact.reason, 0) + 1

    # ---- writing ---------------------------------------------------------------------------

    def _write(self, record: FileRecord, batch: _Batch, *, reset: bool) -> None:
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if reset:
                for table in ("api_calls", "compactions", "tool_calls", "prompts", "skipped"):
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
                    "INSERT OR IGNORE INTO tool_calls (session_id, tool_use_id, path, seq, name, summary, started_at, agent_id)"
                    " VALUES (?,?,?,?,?,?,?,?)",
                    batch.tools_started,
                )
            if batch.tools_finished:
                conn.executemany(
                    "UPDATE tool_calls SET finished_at = ?, is_error = ? WHERE session_id = ? AND tool_use_id = ?",
                    batch.tools_finished,
                )
            if batch.prompts:
                conn.executemany("INSERT OR IGNORE INTO prompts VALUES (?,?,?,?,?)", batch.prompts)
            for reason, count in batch.skipped.items():
                conn.execute(
                    "INSERT INTO skipped VALUES (?,?,?) ON CONFLICT(path, reason) DO UPDATE SET count = count + excluded.count",
                    (record.path, reason, count),
                )
            if not record.subagent and record.session_id:
                self._write_session(record, batch)
            self._save_file_state(record, in_transaction=True)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _write_session(self, record: FileRecord, batch: _Batch) -> None:
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


def _call_key(record: FileRecord, session_id: str, key: str, offset: int) -> str:
    """Claude request keys are global; Codex keys and calls without any id are scoped to where they came from."""
    if not key:
        return f"{record.path}@{offset}"
    return f"{session_id}:{key}" if record.agent is Agent.CODEX else key


def _span(batch: _Batch, ts: str) -> None:
    if not ts:
        return
    if batch.first_ts is None or ts < batch.first_ts:
        batch.first_ts = ts
    if batch.last_ts is None or ts > batch.last_ts:
        batch.last_ts = ts


def _merge_meta(meta: dict[str, Any], fact: MetaFact) -> None:
    if fact.cwd and "cwd" not in meta:
        meta["cwd"] = fact.cwd
    for name in ("branch", "version", "model", "last_prompt"):
        value = getattr(fact, name)
        if value is not None:
            meta[name] = value
    if fact.title and fact.title_rank >= meta.get("title_rank", 0):
        meta["title"] = fact.title
        meta["title_rank"] = fact.title_rank


def _bad_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
