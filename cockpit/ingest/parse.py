"""Read and parse one transcript file into rows, without touching the database.

Pure work on bytes, so a process pool can run it on every core while one writer stores the
rows. Every row carries the file and byte offset it came from.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from cockpit.core import claude
from cockpit.core.codex import SKIP_PAYLOADS as CODEX_SKIP_PAYLOADS
from cockpit.core.codex import SKIP_TYPES as CODEX_SKIP
from cockpit.core.codex import CodexParser
from cockpit.core.models import (
    BINARY_ERROR,
    Agent,
    ApiCall,
    CompactionFact,
    InterruptFact,
    MetaFact,
    PromptFact,
    SkippedLine,
    StateFact,
    ToolFinished,
    ToolStarted,
)
from cockpit.sources.tailer import Cursor, read_new_lines

CLAUDE_SKIP = claude.SKIP_TYPES
# What follows a Codex line's top-level type when its payload's own type comes first (as Codex writes them).
_PAYLOAD_TYPE = b',"payload":{"type":"'


@dataclass
class Batch:
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    # Claude writes a request once per content block: the index in `calls` of each key's latest row.
    call_rows: dict[str, int] = field(default_factory=dict)
    compactions: list[tuple[Any, ...]] = field(default_factory=list)
    # (session, id, path, seq, name, summary, started, agent, finished, is_error, input_hash, error); a result in
    # the same batch completes its row here instead of costing an UPDATE later.
    tools_started: list[list[Any]] = field(default_factory=list)
    open_tools: dict[str, int] = field(default_factory=dict)
    tools_finished: list[tuple[Any, ...]] = field(default_factory=list)  # (finished, is_error, error, session, id)
    tool_files: list[tuple[Any, ...]] = field(default_factory=list)  # (session, id, changed file, ts, agent)
    prompts: list[tuple[Any, ...]] = field(default_factory=list)
    interrupts: list[tuple[Any, ...]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    first_ts: str | None = None
    last_ts: str | None = None
    state: tuple[str, str] | None = None


@dataclass
class FileJob:
    path: str
    agent: Agent
    subagent: bool
    agent_id: str
    session_id: str
    cursor: Cursor
    parser_state: dict[str, Any] | None
    error: str | None
    max_bytes: int | None = None
    location: str = ""  # where the file is read from (a file-system path); "" means `path`


@dataclass
class Parsed:
    status: str  # "ok", "gone" (file deleted) or "error" (cannot be read)
    session_id: str
    cursor: Cursor
    parser_state: dict[str, Any] | None
    error: str | None
    reset: bool = False
    lines: int = 0
    bytes: int = 0
    more: bool = False
    batch: Batch = field(default_factory=Batch)


def exit_with_parent(parent_pid: int) -> None:
    """Pool worker initializer: end this process as soon as its parent is gone (even killed with -9).

    An orphaned worker would otherwise wait on its task queue for ever."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def read_and_parse(job: FileJob) -> Parsed:
    where = job.location or job.path
    try:
        read = read_new_lines(where, job.cursor, job.max_bytes)
    except FileNotFoundError:
        return Parsed("gone", job.session_id, job.cursor, job.parser_state, job.error)
    except OSError as exc:
        return Parsed("error", job.session_id, job.cursor, job.parser_state, f"cannot read: {exc.strerror or exc}")
    # A binary file is skipped once; later reads return nothing, so the flag must be kept.
    was_binary = job.error == BINARY_ERROR and not read.reset
    out = Parsed(
        "ok", job.session_id, read.cursor, None if read.reset else job.parser_state,
        BINARY_ERROR if read.binary or was_binary else None, reset=read.reset,
    )
    batch = out.batch
    if read.oversized:
        batch.skipped["oversized"] = read.oversized
    codex = CodexParser(out.parser_state) if job.agent is Agent.CODEX else None
    parse_claude = claude.parse_line
    subagent = job.subagent
    is_claude = codex is None
    skip = CLAUDE_SKIP if is_claude else CODEX_SKIP
    nested = {} if is_claude else CODEX_SKIP_PAYLOADS
    step = len(_PAYLOAD_TYPE)
    loads = orjson.loads
    for base, data, spans in read.chunks:
        # Each line is data[start:end], looked at in place and parsed from a view: never copied out.
        view = memoryview(data)
        find = data.find
        for i in range(0, len(spans), 2):
            start, stop = spans[i], spans[i + 1]
            # Inline top-level type check: most Claude lines are progress records, and both clients write large
            # lines nobody reads (request shapes, world state, Codex reasoning); known types nothing is read from
            # are not parsed.
            pos = find(b'"type":"', start, stop)
            if pos > start and find(b"{", start + 1, pos) == -1:
                end = find(b'"', pos + 8, stop)
                if end != -1:
                    kind = data[pos + 8 : end]
                    if kind in skip:
                        continue
                    ignored = nested.get(kind)
                    if ignored is not None and data.startswith(_PAYLOAD_TYPE, end + 1, stop):
                        sub_end = find(b'"', end + 1 + step, stop)
                        if sub_end != -1 and data[end + 1 + step : sub_end] in ignored:
                            continue
            try:
                obj = loads(view[start:stop])
            except orjson.JSONDecodeError:
                reason = "non-utf8" if _bad_utf8(data[start:stop]) else "invalid-json"
                batch.skipped[reason] = batch.skipped.get(reason, 0) + 1
                continue
            if subagent and not out.session_id and isinstance(obj, dict):
                sid = obj.get("sessionId")
                if isinstance(sid, str) and sid:
                    out.session_id = sid
            facts = parse_claude(obj, subagent_file=subagent) if is_claude else codex.parse_line(obj)  # type: ignore[union-attr]
            if facts:
                _collect(job, out.session_id, base + start, facts, batch)
    out.lines = read.count
    out.bytes = read.cursor.offset - (0 if read.reset else job.cursor.offset)
    if job.max_bytes is not None:
        try:
            out.more = read.cursor.offset + read.cursor.scanned < os.path.getsize(where)
        except OSError:
            out.more = False
    if codex is not None:
        out.parser_state = codex.checkpoint()
    return out


def call_key(job: FileJob, session_id: str, key: str, offset: int) -> str:
    """Claude request keys are global; Codex keys and calls without any id are scoped to where they came from."""
    if not key:
        return f"{job.path}@{offset}"
    return f"{session_id}:{key}" if job.agent is Agent.CODEX else key


def _collect(job: FileJob, sid: str, offset: int, facts: list[Any], batch: Batch) -> None:
    """Rows from one line's facts; the most frequent kinds are tested first (every line of a history passes here)."""
    path = job.path
    for fact in facts:
        kind = type(fact)
        if kind is MetaFact:
            _merge_meta(batch.meta, fact)
            ts = fact.ts
            if ts:
                _span(batch, ts)
        elif kind is StateFact:
            batch.state = (fact.state.value, fact.ts)
        elif kind is ApiCall:
            u = fact.usage
            ts = fact.ts
            key = fact.key
            if not key or job.agent is Agent.CODEX:
                key = call_key(job, sid, key, offset)
            side = int(fact.is_sidechain)
            index = batch.call_rows.get(key)
            if index is not None and batch.calls[index][13] == side:
                _merge_call(batch.calls, index, u)
            else:
                batch.call_rows[key] = len(batch.calls)
                batch.calls.append((
                    sid, key, path, offset, ts, fact.model, u.input_tokens, u.output_tokens,
                    u.cache_creation_input_tokens, u.cache_creation_1h_tokens, u.cache_read_input_tokens,
                    fact.context_tokens, fact.window, side, fact.agent_id or job.agent_id,
                ))
            if ts:
                _span(batch, ts)
        elif kind is ToolStarted:
            tool_id = fact.tool_use_id
            batch.open_tools[tool_id] = len(batch.tools_started)
            agent_id = fact.agent_id or job.agent_id
            batch.tools_started.append(
                [sid, tool_id, path, offset, fact.name, fact.summary, fact.ts, agent_id, None, None, fact.input_hash, ""]
            )
            for changed in fact.files:
                batch.tool_files.append((sid, tool_id, changed, fact.ts, agent_id))
        elif kind is ToolFinished:
            index = batch.open_tools.pop(fact.tool_use_id, None)
            if index is not None and batch.tools_started[index][0] == sid:
                row = batch.tools_started[index]
                row[8] = fact.ts
                row[9] = int(fact.is_error)
                row[11] = fact.error
            else:
                batch.tools_finished.append((fact.ts, int(fact.is_error), fact.error, sid, fact.tool_use_id))
        elif kind is PromptFact:
            batch.prompts.append((path, offset, sid, fact.ts, fact.text))
            _span(batch, fact.ts)
        elif kind is InterruptFact:
            batch.interrupts.append((path, offset, sid, fact.ts))
        elif kind is CompactionFact:
            batch.compactions.append((sid, path, offset, fact.ts, fact.trigger, fact.pre_tokens, fact.post_tokens))
        elif kind is SkippedLine:
            batch.skipped[fact.reason] = batch.skipped.get(fact.reason, 0) + 1


def _merge_call(calls: list[tuple[Any, ...]], index: int, u: Any) -> None:
    """Another line of the request at `calls[index]`, on the same side (main or sidechain): the row takes its
    token counts when they are larger, as the store's upsert would. Folding two rows of one side before the
    upsert gives what upserting both in turn gives, whatever the store holds; rows of different sides are
    upserted in turn, since there the order decides."""
    row = calls[index]
    if u.input_tokens + u.output_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens > (
        row[6] + row[7] + row[8] + row[10]
    ):
        calls[index] = (*row[:6], u.input_tokens, u.output_tokens, u.cache_creation_input_tokens,
                        u.cache_creation_1h_tokens, u.cache_read_input_tokens, *row[11:])


def _span(batch: Batch, ts: str) -> None:
    if not ts:
        return
    first = batch.first_ts
    if first is None:
        batch.first_ts = batch.last_ts = ts
    elif ts < first:
        batch.first_ts = ts
    elif ts > batch.last_ts:  # type: ignore[operator]
        batch.last_ts = ts


def _merge_meta(meta: dict[str, Any], fact: MetaFact) -> None:
    if fact.cwd and "cwd" not in meta:
        meta["cwd"] = fact.cwd
    if fact.branch is not None:
        meta["branch"] = fact.branch
    if fact.version is not None:
        meta["version"] = fact.version
    if fact.model is not None:
        meta["model"] = fact.model
    if fact.title and fact.title_rank >= meta.get("title_rank", 0):
        meta["title"] = fact.title
        meta["title_rank"] = fact.title_rank
    if fact.last_prompt is not None:
        meta["last_prompt"] = fact.last_prompt
    if fact.parent_session_id is not None:
        meta["parent_session_id"] = fact.parent_session_id


def _bad_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
