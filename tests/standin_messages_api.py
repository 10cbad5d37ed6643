"""A stand-in for the Anthropic Messages API on the loopback interface: the real Claude Code, offline.

One threaded HTTP server on 127.0.0.1 (a free port), scripted per test:

- the first turn of the main loop (the request that lists tools and holds no assistant message yet) is
  answered with one `tool_use` of the scripted tool and input;
- every later turn (one carrying the `tool_result`, or a background-task notice such as the one Monitor
  sends when its command ends) is answered with plain text, so the client ends rather than loops;
- every other request to /v1/messages (title generation, summaries and other side requests, which list no
  tools) gets plain text too;
- `/v1/messages/count_tokens` answers `{"input_tokens": N}`; anything else is a 404 JSON error.

`stream: true` requests get server-sent events (message_start, content_block_start, content_block_delta,
content_block_stop, message_delta with the stop_reason, message_stop); others get one JSON message. Every
request is recorded (path, query, headers, body) so a test can read what the model received.
The server, its thread and the request plumbing are standin_http.py's.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult

from standin_http import Standin, StandinHandler, joined_text

MODEL = "claude-sonnet-4-5"
FINAL_TEXT = "Done."
SIDE_TEXT = "Push check"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    answer: str  # "tool_use", "text", "count_tokens" or "404"


def last_user_content(body: Any) -> list[Any]:
    """The content blocks of the request's last user message ([] when it has none or it is a string)."""
    messages = body.get("messages") if isinstance(body, dict) else None
    for message in reversed(messages or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            return content if isinstance(content, list) else []
    return []


def tool_results(body: Any) -> list[dict[str, Any]]:
    """The tool_result blocks of the request's last user message."""
    return [b for b in last_user_content(body) if isinstance(b, dict) and b.get("type") == "tool_result"]


def result_text(block: dict[str, Any]) -> str:
    """A tool_result's content as one string (it is a string or a list of text blocks)."""
    return joined_text(block.get("content"))


def is_first_turn(body: Any) -> bool:
    """No assistant message yet: the model has not answered anything in this conversation."""
    messages = body.get("messages") if isinstance(body, dict) else None
    return not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages or [])


def is_main_loop(body: Any) -> bool:
    """The agent's own turn lists its tools; title generation and other side requests do not."""
    return isinstance(body, dict) and bool(body.get("tools"))


class _Handler(StandinHandler):
    standin: StandinMessagesApi
    reply_headers = (("request-id", "req_standin"),)

    def not_found(self, method: str, url: SplitResult, body: Any) -> None:
        self.standin.record(Recorded(method, url.path, url.query, dict(self.headers), body, "404"))
        error = {"type": "not_found_error", "message": f"{method} {url.path}: not found in the stand-in"}
        self.reply_json(404, {"type": "error", "error": error})

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def post(self, url: SplitResult, body: Any) -> None:
        headers = dict(self.headers)
        if url.path == "/v1/messages/count_tokens":
            self.standin.record(Recorded("POST", url.path, url.query, headers, body, "count_tokens"))
            self.reply_json(200, {"input_tokens": 1000})
            return
        if url.path != "/v1/messages" or not isinstance(body, dict):
            self.not_found("POST", url, body)
            return
        kind, message = self.standin.answer(body)
        self.standin.record(Recorded("POST", url.path, url.query, headers, body, kind))
        if not body.get("stream"):
            self.reply_json(200, message)
            return
        self.reply_sse(sse_events(message), "text/event-stream; charset=utf-8")


class StandinMessagesApi(Standin[Recorded]):
    """`with StandinMessagesApi("Bash", {"command": "git status"}) as api:` then `api.base_url`."""

    handler = _Handler
    thread_name = "standin-messages-api"

    def __init__(self, tool: str, tool_input: dict[str, Any], *, final_text: str = FINAL_TEXT) -> None:
        super().__init__()
        self.tool = tool
        self.tool_input = tool_input
        self.final_text = final_text
        self._ids = itertools.count(1)

    # ---- what the model received --------------------------------------------------------------------

    def main_requests(self) -> list[Recorded]:
        return [r for r in self.recorded() if r.path == "/v1/messages" and is_main_loop(r.body)]

    def tool_use_count(self) -> int:
        return sum(1 for r in self.recorded() if r.answer == "tool_use")

    def tool_result_blocks(self) -> list[dict[str, Any]]:
        """Every tool_result the model was sent, in order."""
        return [block for r in self.main_requests() for block in tool_results(r.body)]

    def tool_result_texts(self) -> list[str]:
        return [result_text(block) for block in self.tool_result_blocks()]

    def log(self) -> str:
        """The request log, for a failing test's output."""
        lines = []
        for r in self.recorded():
            body = r.body if isinstance(r.body, dict) else {}
            summary = {
                "tools": len(body.get("tools") or []),
                "stream": body.get("stream"),
                "messages": len(body.get("messages") or []),
                "tool_results": [{"is_error": b.get("is_error", False), "text": result_text(b)[:400]}
                                 for b in tool_results(body)],
            }
            lines.append(f"{r.method} {r.path}?{r.query} -> {r.answer} {json.dumps(summary)}")
        return "\n".join(lines)

    # ---- answers ------------------------------------------------------------------------------------

    def answer(self, body: Any) -> tuple[str, dict[str, Any]]:
        """(kind, message) for one /v1/messages request."""
        number = next(self._ids)
        if is_main_loop(body) and is_first_turn(body):
            block: dict[str, Any] = {"type": "tool_use", "id": f"toolu_standin_{number:04d}",
                                     "name": self.tool, "input": self.tool_input}
            return "tool_use", _message(number, [block], "tool_use")
        text = self.final_text if is_main_loop(body) else SIDE_TEXT
        return "text", _message(number, [{"type": "text", "text": text}], "end_turn")


def _message(number: int, content: list[dict[str, Any]], stop_reason: str) -> dict[str, Any]:
    return {"id": f"msg_standin_{number:04d}", "type": "message", "role": "assistant", "model": MODEL,
            "content": content, "stop_reason": stop_reason, "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0,
                      "cache_read_input_tokens": 0}}


def sse_events(message: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The server-sent events that stream `message`, as (event name, data) pairs."""
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None,
             "usage": {**message["usage"], "output_tokens": 1}}
    events: list[tuple[str, dict[str, Any]]] = [
        ("message_start", {"type": "message_start", "message": start}),
    ]
    for index, block in enumerate(message["content"]):
        if block["type"] == "tool_use":
            opening = {**block, "input": {}}
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
        else:
            opening = {"type": "text", "text": ""}
            delta = {"type": "text_delta", "text": block["text"]}
        events += [
            ("content_block_start",
             {"type": "content_block_start", "index": index, "content_block": opening}),
            ("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}),
            ("content_block_stop", {"type": "content_block_stop", "index": index}),
        ]
    events += [
        ("message_delta", {"type": "message_delta",
                           "delta": {"stop_reason": message["stop_reason"], "stop_sequence": None},
                           "usage": {"output_tokens": message["usage"]["output_tokens"]}}),
        ("message_stop", {"type": "message_stop"}),
    ]
    return events
