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
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

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
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def is_first_turn(body: Any) -> bool:
    """No assistant message yet: the model has not answered anything in this conversation."""
    messages = body.get("messages") if isinstance(body, dict) else None
    return not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages or [])


def is_main_loop(body: Any) -> bool:
    """The agent's own turn lists its tools; title generation and other side requests do not."""
    return isinstance(body, dict) and bool(body.get("tools"))


class StandinMessagesApi:
    """`with StandinMessagesApi("Bash", {"command": "git status"}) as api:` then `api.base_url`."""

    def __init__(self, tool: str, tool_input: dict[str, Any], *, final_text: str = FINAL_TEXT) -> None:
        self.tool = tool
        self.tool_input = tool_input
        self.final_text = final_text
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> StandinMessagesApi:
        api = self

        class Handler(_Handler):
            standin = api

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="standin-messages-api",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StandinMessagesApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- what the model received --------------------------------------------------------------------

    def recorded(self) -> list[Recorded]:
        with self._lock:
            return list(self.requests)

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

    def record(self, entry: Recorded) -> None:
        with self._lock:
            self.requests.append(entry)


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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The client hanging up (it exits as soon as it has its answer) is not an error worth a traceback."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: StandinMessagesApi

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def _body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return {"unparsed": raw.decode("utf-8", "replace")}

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        self.send_header("request-id", "req_standin")
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def _json(self, status: int, data: Any) -> None:
        self._send(status, "application/json", json.dumps(data).encode())

    def _not_found(self, method: str, path: str, query: str, body: Any) -> None:
        self.standin.record(Recorded(method, path, query, dict(self.headers), body, "404"))
        error = {"type": "not_found_error", "message": f"{method} {path}: not found in the stand-in"}
        self._json(404, {"type": "error", "error": error})

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlsplit(self.path)
        self._not_found("GET", url.path, url.query, None)

    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(404)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        body = self._body()
        headers = dict(self.headers)
        if url.path == "/v1/messages/count_tokens":
            self.standin.record(Recorded("POST", url.path, url.query, headers, body, "count_tokens"))
            self._json(200, {"input_tokens": 1000})
            return
        if url.path != "/v1/messages" or not isinstance(body, dict):
            self._not_found("POST", url.path, url.query, body)
            return
        kind, message = self.standin.answer(body)
        self.standin.record(Recorded("POST", url.path, url.query, headers, body, kind))
        if not body.get("stream"):
            self._json(200, message)
            return
        payload = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n"
                          for name, data in sse_events(message))
        self._send(200, "text/event-stream; charset=utf-8", payload.encode())
