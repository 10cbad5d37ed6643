"""The loopback HTTP plumbing the API stand-ins share (standin_messages_api.py, standin_responses_api.py).

- `Standin`: one threaded server on 127.0.0.1 (a free port) started and stopped as a context manager, its
  `base_url`, and the log of recorded requests (`record`, `recorded`) under one lock;
- `StandinHandler`: the request handler each stand-in subclasses with its protocol: it reads the JSON body
  (`{"unparsed": …}` when it is not JSON or arrives in an encoding the stand-in does not decode), hands GETs
  to `not_found` and POSTs to `post`, and replies with bytes, JSON or server-sent events;
- the server stays quiet when the client hangs up, which it does as soon as it has its answer;
- `joined_text`: content that is a string or a list of text parts, as one string.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, Self, TypeVar
from urllib.parse import SplitResult, urlsplit

R = TypeVar("R")


def joined_text(content: Any) -> str:
    """Message content as one string: a string as it is, a list of parts as their `text`s, one a line."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """The client hanging up (it exits as soon as it has its answer) is not an error worth a traceback."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class StandinHandler(BaseHTTPRequestHandler):
    """One request to a stand-in; a subclass answers `post` and `not_found` for its protocol."""

    protocol_version = "HTTP/1.1"
    standin: Any  # the Standin this server belongs to, set by Standin.start
    # Headers sent with every reply, after content-type and content-length.
    reply_headers: ClassVar[tuple[tuple[str, str], ...]] = ()
    # Content encodings the stand-in does not decode: such a body is recorded as `{"unparsed": …}`.
    opaque_encodings: ClassVar[frozenset[str]] = frozenset()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # ---- what the subclass answers --------------------------------------------------------------------

    def post(self, url: SplitResult, body: Any) -> None:
        raise NotImplementedError

    def not_found(self, method: str, url: SplitResult, body: Any) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.not_found("GET", urlsplit(self.path), None)

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        self.post(url, self.read_body())

    # ---- reading and replying -------------------------------------------------------------------------

    def read_body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        encoding = self.headers.get("content-encoding", "").lower()
        if encoding in self.opaque_encodings:
            return {"unparsed": f"{encoding}-compressed body"}
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return {"unparsed": raw.decode("utf-8", "replace")}

    def reply(self, status: int, content_type: str, payload: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(payload)))
        for key, value in [*self.reply_headers, *(headers or {}).items()]:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()

    def reply_json(self, status: int, data: Any) -> None:
        self.reply(status, "application/json", json.dumps(data).encode())

    def reply_sse(self, events: Iterable[tuple[str, Any]], content_type: str = "text/event-stream",
                  headers: dict[str, str] | None = None) -> None:
        """A 200 holding every (event name, data) pair as one server-sent event."""
        payload = "".join(f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events)
        self.reply(200, content_type, payload.encode(), headers)


class Standin(Generic[R]):
    """A stand-in's server and request log: `with SomeStandin(…) as api:` then `api.base_url`.

    A subclass names its `handler` (a StandinHandler subclass) and calls `Standin.__init__`."""

    handler: ClassVar[type[StandinHandler]]
    thread_name: ClassVar[str] = "standin-api"
    base_path: ClassVar[str] = ""  # after http://host:port in base_url

    def __init__(self) -> None:
        self.requests: list[R] = []
        self._lock = threading.Lock()
        self._server: QuietServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{self.base_path}"

    def start(self) -> Self:
        handler = type("Handler", (self.handler,), {"standin": self})
        self._server = QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, entry: R) -> None:
        with self._lock:
            self.requests.append(entry)

    def recorded(self) -> list[R]:
        with self._lock:
            return list(self.requests)
