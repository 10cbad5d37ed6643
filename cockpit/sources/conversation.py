"""The words of a session, for a retro: user prompts and assistant text from a Claude Code transcript or a
Codex rollout, in order. Tool output, thinking, progress lines and system/developer messages are left out.

Read with a byte cap from the end: a retro of a huge session sees its latest part, and says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

READ_LIMIT = 8 * 1024 * 1024


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
    if kind in ("user", "assistant") and not obj.get("isSidechain") and not obj.get("isMeta"):
        message = obj.get("message") if isinstance(obj.get("message"), dict) else {}
        text = _texts(message.get("content"), ("text",))  # tool_result parts are not words of the session
        return Utterance(str(obj.get("timestamp", "")), kind, text) if text.strip() else None
    if kind == "response_item":
        payload = obj.get("payload") if isinstance(obj.get("payload"), dict) else {}
        role = payload.get("role")
        if payload.get("type") == "message" and role in ("user", "assistant"):
            text = _texts(payload.get("content"), ("input_text", "output_text", "text"))
            return Utterance(str(obj.get("timestamp", "")), role, text) if text.strip() else None
    return None


def conversation(path: str | os.PathLike[str], limit: int = READ_LIMIT) -> tuple[list[Utterance], bool]:
    """(utterances, cut): `cut` is True when only the last `limit` bytes were read. Never raises."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
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
        if b'"type":"user"' not in raw and b'"type":"assistant"' not in raw and b'"response_item"' not in raw:
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            continue
        if isinstance(obj, dict) and (found := _from_line(obj)) is not None:
            yield found
