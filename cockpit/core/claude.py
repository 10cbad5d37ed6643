"""Claude Code transcript lines -> facts (spec agent-formats §1).

The parser is stateless per line: dedup of block lines happens in the store by `ApiCall.key`
(keeping the largest total), and "after the last compaction" is decided by line order there.
Unknown line types and fields pass through without error.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

from cockpit.core.models import (
    ApiCall,
    CompactionFact,
    Fact,
    InterruptFact,
    MetaFact,
    PromptFact,
    SessionState,
    SkippedLine,
    StateFact,
    ToolFinished,
    ToolStarted,
    Usage,
)
from cockpit.core.policy import _paths_of as paths_of  # the one reader of the files a call changes
from cockpit.core.text import one_line, terminal_safe
from cockpit.core.tools import EDIT_TOOLS

# Line types the parser reads.
READ_TYPES = frozenset({"user", "assistant", "system", "attachment", "summary", "ai-title", "custom-title",
                        "last-prompt"})
# Documented line types that carry nothing the cockpit shows (2.1.112 and the 2.1.332 routing table): the
# tailer skips them without decoding. Some are large (`api-request-shape` holds the whole system prompt and
# tool list); `cost-state` holds the client's own running totals, which would count usage a second time.
IGNORED_TYPES = frozenset({
    "progress", "file-history-snapshot", "file-history-delta", "queue-operation", "attribution-snapshot",
    "tag", "agent-name", "agent-color", "agent-setting", "mode", "permission-mode", "worktree-state", "pr-link",
    "frame-link", "ended-by-model", "continued-in", "relocated", "bridge-session", "history-suppression",
    "isolation-latch", "session-owner", "dev-mods", "memory-mode", "atis-latch", "tools-used", "derived-from",
    "data-flow-records", "data-flow-incomplete", "cost-state", "content-replacement", "api-request",
    "api-request-shape", "api-request-blob", "api-request-resumed", "fork-context-ref", "observer-ref",
    "resume-head-vouch", "artifact-comment-monitor", "artifact-autoreact-ledger", "marble-origami-commit",
    "marble-origami-snapshot", "speculation-accept",
})
SKIP_TYPES = frozenset(t.encode() for t in IGNORED_TYPES)

TITLE_RANKS = {"summary": 1, "ai-title": 2, "custom-title": 3}
_TITLE_FIELDS = {"summary": "summary", "ai-title": "aiTitle", "custom-title": "customTitle"}
# Absurd values are input errors, not usage: no request has a prompt of a billion tokens.
MAX_TOKENS = 100_000_000
_TOOL_USE = ("tool_use", "server_tool_use")
INTERRUPT_MARKERS = ("[Request interrupted by user", "[Request cancelled by user")
# A failed tool call keeps this much of its error text (on one line): enough to tell two errors apart.
ERROR_CHARS = 300


# One encoder for every hash: `json.dumps` with options builds a new one per call (a third of the hash's cost).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def input_hash(tool_input: Any) -> str:
    """16 hex digits of sha1 over the canonical JSON of a tool's input: equal for the same call twice."""
    return hashlib.sha1(_CANONICAL(tool_input).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def error_text(text: str) -> str:
    """A failed call's error as stored: whitespace runs collapsed, the first ERROR_CHARS characters, terminal-safe."""
    return terminal_safe(_head(text, ERROR_CHARS))[:ERROR_CHARS]


def _head(text: str, limit: int) -> str:
    """The first `limit` characters of `text` with whitespace runs collapsed, read from as short a prefix of a
    long text as gives them (tool outputs run to megabytes; only their start is kept)."""
    size = limit * 4
    while True:
        flat = " ".join(text[:size].split())
        if size >= len(text) or len(flat) > limit:
            return flat[:limit]
        size *= 4


def short_line(text: str, limit: int = 200) -> str:
    """`one_line(text, limit)`, computed from a prefix of a long text: the same line, without escaping megabytes."""
    if len(text) <= limit and text.isascii() and text.isprintable():
        # Nothing a terminal obeys and no whitespace but spaces (most paths, patterns and one-line commands):
        # `terminal_safe` would return it as it is.
        return " ".join(text.split())
    size = limit * 4
    while size < len(text):
        part = text[:size]
        # Enough material past the cut that an escape or a word split at the prefix's end cannot reach it.
        if len(" ".join(part.split())) > limit + 16:
            return one_line(part, limit)
        size *= 4
    return one_line(text, limit)


def edited_files(name: str, tool_input: Any, cwd: str | None) -> tuple[str, ...]:
    """The files an edit tool changes (Edit/MultiEdit/Write/NotebookEdit, every path of a Codex patch), as
    written, made absolute against `cwd` when relative and the cwd is known."""
    if name not in EDIT_TOOLS or not isinstance(tool_input, Mapping):
        return ()
    out: list[str] = []
    for path in paths_of(name, tool_input, None):
        if cwd and not os.path.isabs(path):
            path = os.path.normpath(os.path.join(cwd, path))
        if path not in out:
            out.append(path)
    return tuple(out)


def patch_input(tool_input: Any) -> Any:
    """A Codex patch call's input in the form the policy reads ({"command": <patch text>}): a custom tool's raw
    text, a function's {"input": text}, or a shell-style {"command": ["apply_patch", text]} as it is."""
    if isinstance(tool_input, str):
        return {"command": tool_input}
    if isinstance(tool_input, Mapping) and isinstance(tool_input.get("input"), str) and "command" not in tool_input:
        return {"command": tool_input["input"]}
    return tool_input


def top_level_type(raw: bytes) -> bytes | None:
    """The line's top-level "type" without parsing it, or None when that cannot be told safely.

    A `"type":"` key with no `{` before it (other than the line's own) must be top level: a nested
    object would open a brace first, and a quote inside a string would be escaped.
    """
    pos = raw.find(b'"type":"')
    if pos <= 0 or raw.find(b"{", 1, pos) != -1:
        return None
    end = raw.find(b'"', pos + 8)
    return raw[pos + 8 : end] if end != -1 else None


def _int(value: Any) -> int | None:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value < 0 or value > MAX_TOKENS:
        return None
    return int(value)


def _count(value: Any) -> int | None:
    """`_int` with the common case (a plain int in range) first: called four times for every request."""
    if type(value) is int and 0 <= value <= MAX_TOKENS:
        return value
    return _int(value)


def parse_usage(raw: Any) -> Usage | None:
    """The four token fields of a usage object; None when it is not a sane usage object."""
    if not isinstance(raw, dict):
        return None
    get = raw.get
    inp = _count(get("input_tokens"))
    out = _count(get("output_tokens"))
    cc = _count(get("cache_creation_input_tokens"))
    cr = _count(get("cache_read_input_tokens"))
    if inp is None or out is None or cc is None or cr is None:
        return None
    one_hour = 0
    split = get("cache_creation")
    if isinstance(split, dict):
        one_hour = _int(split.get("ephemeral_1h_input_tokens")) or 0
    return Usage(inp, out, cc, cr, min(one_hour, cc))


def context_usage(raw: dict[str, Any], whole: Usage) -> Usage:
    """Server-side tool loops report `iterations`; the window holds the last one (CLI 2.1.332)."""
    iterations = raw.get("iterations")
    if isinstance(iterations, list) and iterations:
        last = parse_usage(iterations[-1])
        if last is not None:
            return last
    return whole


def tool_summary(name: str, tool_input: Any) -> str:
    if not isinstance(tool_input, dict):
        return ""
    for key in ("command", "file_path", "path", "pattern", "url", "query", "description", "prompt"):
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return short_line(value, 200)
    for value in tool_input.values():
        if isinstance(value, str) and value:
            return short_line(value, 200)
    return ""


def _prompt_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [b.get("text", "") for b in content if isinstance(b, dict) and b.get("type") == "text"]
        return "\n".join(p for p in parts if isinstance(p, str))
    return ""


def parse_line(obj: Any, *, subagent_file: bool = False) -> list[Fact]:
    """Facts in one decoded Claude Code line. `subagent_file` marks lines of a subagent transcript."""
    if not isinstance(obj, dict):
        return [SkippedLine("not-an-object")]
    kind = obj.get("type")
    ts = obj.get("timestamp")
    if not isinstance(ts, str):
        ts = ""
    if kind == "assistant":
        return _assistant(obj, ts, subagent_file)
    if kind == "user":
        return _user(obj, ts, subagent_file)
    if kind == "system":
        return _system(obj, ts, subagent_file)
    if isinstance(kind, str) and kind in _TITLE_FIELDS:
        title = obj.get(_TITLE_FIELDS[kind])
        if isinstance(title, str) and title.strip() and not subagent_file:
            return [MetaFact(title=one_line(title, 200), title_rank=TITLE_RANKS[kind])]
        return []
    if kind == "last-prompt" and not subagent_file:
        text = obj.get("lastPrompt")
        return [MetaFact(last_prompt=one_line(text, 200))] if isinstance(text, str) else []
    if kind == "attachment" and not subagent_file:
        return _attachment(obj, ts)
    return []


def known_kind(obj: Any) -> tuple[str, bool]:
    """(the line's type, whether it is one the parser reads or knowingly ignores): for drift checks."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    if not isinstance(kind, str):
        return repr(kind), False
    return kind, kind in READ_TYPES or kind in IGNORED_TYPES


def queued_prompt(obj: dict[str, Any]) -> str:
    """The text of a prompt the human typed while the agent worked, delivered as a `queued_command`
    attachment (2.1.x); "" for any other attachment, and for queued commands not from a human (task
    notifications, hooks: `origin.kind` other than "human", or meta)."""
    attachment = obj.get("attachment")
    if not isinstance(attachment, dict) or attachment.get("type") != "queued_command":
        return ""
    if attachment.get("isMeta") or obj.get("isMeta"):
        return ""
    origin = attachment.get("origin")
    text = _prompt_text(attachment.get("prompt"))
    if isinstance(origin, dict):
        return text if origin.get("kind") == "human" else ""
    return "" if text.lstrip().startswith("<") else text  # older builds say no origin


def _attachment(obj: dict[str, Any], ts: str) -> list[Fact]:
    """Hook results, reminders, file references, listings…: nothing shown, except a queued human prompt."""
    if obj.get("isSidechain") is True:
        return []
    text = queued_prompt(obj)
    return [PromptFact(ts, text), StateFact(ts, SessionState.THINKING)] if text.strip() else []


def _envelope(obj: dict[str, Any], ts: str, model: str | None = None) -> MetaFact:
    cwd = obj.get("cwd")
    branch = obj.get("gitBranch")
    version = obj.get("version")
    return MetaFact(ts or None, cwd if type(cwd) is str else None, branch if type(branch) is str else None,
                    version if type(version) is str else None, model)


def _assistant(obj: dict[str, Any], ts: str, subagent_file: bool) -> list[Fact]:
    message = obj.get("message")
    if not isinstance(message, dict):
        return [SkippedLine("bad-message")]
    get = message.get
    model = get("model")
    if not isinstance(model, str):
        model = ""
    sidechain = subagent_file or obj.get("isSidechain") is True
    agent_id = obj.get("agentId")
    if not isinstance(agent_id, str):
        agent_id = ""
    facts: list[Fact] = []
    synthetic = model == "<synthetic>" or obj.get("isApiErrorMessage") is True
    if not sidechain:
        facts.append(_envelope(obj, ts, None if synthetic else model or None))
    raw_usage = get("usage")
    if not synthetic and raw_usage is not None:
        usage = parse_usage(raw_usage)
        if usage is None:
            facts.append(SkippedLine("bad-usage"))
        else:
            msg_id = get("id")
            if not isinstance(msg_id, str):
                msg_id = obj.get("uuid", "")
            request_id = obj.get("requestId")
            if not isinstance(request_id, str):
                request_id = ""
            window_usage = context_usage(raw_usage, usage)
            facts.append(
                ApiCall(
                    # No id at all: the store keys the call by its file position instead.
                    key=f"{msg_id}:{request_id}" if msg_id or request_id else "",
                    ts=ts,
                    model=model,
                    usage=usage,
                    context_tokens=window_usage.prompt_tokens,
                    is_sidechain=sidechain,
                    agent_id=agent_id,
                )
            )
    content = get("content")
    state = SessionState.THINKING
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") in _TOOL_USE:
                name = block.get("name")
                if not isinstance(name, str):
                    name = "?"
                tool_id = block.get("id")
                if tool_id and isinstance(tool_id, str):
                    tool_input = block.get("input")
                    cwd = obj.get("cwd")
                    if not isinstance(cwd, str):
                        cwd = None
                    facts.append(ToolStarted(tool_id, name, tool_summary(name, tool_input), ts, agent_id,
                                             input_hash(tool_input), edited_files(name, tool_input, cwd)))
                state = SessionState.TOOL
    if not sidechain and not synthetic:
        facts.append(StateFact(ts, state))
    return facts


def _user(obj: dict[str, Any], ts: str, subagent_file: bool) -> list[Fact]:
    message = obj.get("message")
    if not isinstance(message, dict):
        return [SkippedLine("bad-message")]
    content = message.get("content")
    sidechain = subagent_file or obj.get("isSidechain") is True
    facts: list[Fact] = []
    if not sidechain:
        facts.append(_envelope(obj, ts))
    saw_tool_result = False
    if isinstance(content, list):
        for block in content:
            if isinstance(block, dict) and block.get("type") == "tool_result":
                tool_id = block.get("tool_use_id")
                if isinstance(tool_id, str):
                    failed = block.get("is_error") is True
                    facts.append(ToolFinished(tool_id, ts, failed, error_text(_prompt_text(block.get("content")))
                                              if failed else ""))
                    saw_tool_result = True
    if sidechain:
        return facts
    text = _prompt_text(content)
    if text.startswith(INTERRUPT_MARKERS):
        facts.append(StateFact(ts, SessionState.IDLE))
        facts.append(InterruptFact(ts))
    elif saw_tool_result:
        facts.append(StateFact(ts, SessionState.THINKING))
    elif text and not (obj.get("isMeta") or obj.get("isCompactSummary") or obj.get("isVisibleInTranscriptOnly")):
        facts.append(PromptFact(ts, text))
        if not text.startswith(("<command-name>", "<local-command-stdout>", "<local-command-caveat>")):
            facts.append(StateFact(ts, SessionState.THINKING))
    return facts


def _system(obj: dict[str, Any], ts: str, subagent_file: bool) -> list[Fact]:
    if subagent_file or obj.get("isSidechain") is True:
        return []
    subtype = obj.get("subtype")
    if subtype == "compact_boundary":
        meta = obj.get("compactMetadata") if isinstance(obj.get("compactMetadata"), dict) else {}
        trigger = meta.get("trigger") if isinstance(meta.get("trigger"), str) else "unknown"
        pre = _int(meta.get("preTokens")) if meta.get("preTokens") is not None else None
        post = _int(meta.get("postTokens")) if meta.get("postTokens") is not None else None
        return [CompactionFact(ts, trigger, pre, post)]
    if subtype in ("turn_duration", "stop_hook_summary"):
        return [StateFact(ts, SessionState.IDLE)]
    return []
