"""The words of a session, for a retro: user prompts and assistant text from a Claude Code transcript or a
Codex rollout, in order. Tool output, thinking, progress lines and system/developer messages are left out,
and so are the texts the clients write in a speaker's name: Codex's context wrappers (environment context,
AGENTS.md instructions) and compaction summaries, Claude Code's compaction summaries. A prompt the human
typed while Claude Code worked (a `queued_command` attachment, 2.1.x) is a user's word.

Read with a byte cap from the end: a retro of a huge session sees its latest part, and says so.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass

from cockpit.core.claude import queued_prompt
from cockpit.sources.tailer import open_regular

READ_LIMIT = 8 * 1024 * 1024
# Codex's contextual user messages: one whole `<tag>…</tag>` block, or AGENTS.md instructions.
_CODEX_WRAPPER = re.compile(r"^\s*(?:<([a-z][a-z_]*)>.*</\1>\s*$|# AGENTS\.md instructions for )", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Utterance:
    ts: str
    role: str  # "user" or "assistant"
    text: str


def _texts(content: object, kinds: tuple[str, ...]) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(part["text"] for part in content
                     if isinstance(part, dict) and part.get("type") in kinds and isinstance(part.get("text"), str))


def _from_line(obj: dict) -> Utterance | None:  # type: ignore[type-arg]
    kind = obj.get("type")
    ts = str(obj.get("timestamp", ""))
    if kind in ("user", "assistant") and not obj.get("isSidechain") and not obj.get("isMeta"):
        if obj.get("isCompactSummary") or obj.get("isVisibleInTranscriptOnly"):
            return None
        message = obj.get("message") if isinstance(obj.get("message"), dict) else {}
        text = _texts(message.get("content"), ("text",))  # tool_result parts are not words of the session
        return Utterance(ts, kind, text) if text.strip() else None
    if kind == "attachment" and not obj.get("isSidechain"):
        text = queued_prompt(obj)
        return Utterance(ts, "user", text) if text.strip() else None
    if kind == "response_item":
        payload = obj.get("payload") if isinstance(obj.get("payload"), dict) else {}
        role = payload.get("role")
        if payload.get("type") == "message" and role in ("user", "assistant"):
            meta = obj.get("metadata")
            if isinstance(meta, dict) and meta.get("compaction_output") is True:
                return None  # 0.171: the summary a compaction request returned
            text = _texts(payload.get("content"), ("input_text", "output_text", "text"))
            if role == "user" and _CODEX_WRAPPER.match(text):
                return None
            return Utterance(ts, role, text) if text.strip() else None
    return None


def conversation(path: str | os.PathLike[str], limit: int = READ_LIMIT) -> tuple[list[Utterance], bool]:
    """(utterances, cut): `cut` is True when only the last `limit` bytes were read. Never raises."""
    try:
        size = os.path.getsize(path)
        with open_regular(path) as handle:  # a FIFO in its place must not hang a retro
            if size > limit:
                handle.seek(size - limit)
                handle.readline()  # the first line is partial
            data = handle.read()
    except OSError:
        return [], False
    return list(_parse(data)), size > limit


def _parse(data: bytes) -> Iterator[Utterance]:
    for raw in data.splitlines():
        # Cheap filter before decoding: most lines are tool output, progress or usage.
        if (b'"type":"user"' not in raw and b'"type":"assistant"' not in raw and b'"response_item"' not in raw
                and b'"queued_command"' not in raw):
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict) and (found := _from_line(obj)) is not None:
            yield found
