"""A stand-in for the OpenAI Responses API on the loopback interface: the real Codex CLI, offline.

One threaded HTTP server on 127.0.0.1 (a free port), scripted per test with a list of `Answer`s:

- every `POST /v1/responses` that is not a compaction request takes the next scripted answer in order: a
  function call (`exec_command` running a shell command, by default) or an assistant message; when the
  script runs out, the answer is the message `FINAL_TEXT`;
- a compaction request (its input carries Codex's "CONTEXT CHECKPOINT COMPACTION" prompt) takes the next
  answer of the separate compaction script, a message holding the summary, so a test can give it its own
  usage (lower than what triggered it, or Codex compacts in a loop);
- anything else is a 404 JSON error.

Every answer is streamed as server-sent events: `response.created`, `response.output_item.added` and
`response.output_item.done` for its one item, `response.completed` with the answer's usage
(`input_tokens`, `input_tokens_details.cached_tokens`, `output_tokens`,
`output_tokens_details.reasoning_tokens`, `total_tokens`). The response headers carry the rate-limit
windows Codex copies into the rollout (`x-codex-primary-used-percent`, `-window-minutes`, `-reset-at`,
and `secondary`). Every request is recorded (path, headers, body, the answer sent), so a test can compare
what Codex wrote with what it was sent.
A zstd-compressed body is not decoded: it is recorded as unparsed and answered with a 404. The server,
its thread and the request plumbing are standin_http.py's.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult

from standin_http import Standin, StandinHandler, joined_text

MODEL = "gpt-5.3-codex"
FINAL_TEXT = "Done."
COMPACTION_MARKER = "CONTEXT CHECKPOINT COMPACTION"
SUMMARY_TEXT = "Summary: the check script failed with exit code 2; the README was read."
# Rate-limit windows sent with every answer (percent used, window minutes, reset time in epoch seconds).
PRIMARY = (12.5, 300, 1_900_000_000)
SECONDARY = (3.0, 10_080, 1_900_500_000)


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def as_json(self) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens,
                "input_tokens_details": {"cached_tokens": self.cached_tokens},
                "output_tokens": self.output_tokens,
                "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
                "total_tokens": self.total_tokens}


@dataclass(frozen=True)
class Answer:
    """One response: a shell command the model runs (`command`) or a message (`text`), with its usage."""

    usage: Usage
    text: str = ""
    command: str = ""
    tool: str = "exec_command"

    @staticmethod
    def call(command: str, usage: Usage, tool: str = "exec_command") -> Answer:
        return Answer(usage=usage, command=command, tool=tool)

    @staticmethod
    def message(text: str, usage: Usage) -> Answer:
        return Answer(usage=usage, text=text)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    kind: str  # "call", "message", "compaction" or "404"
    answer: Answer | None = None
    call_id: str = ""


def input_items(body: Any) -> list[dict[str, Any]]:
    items = body.get("input") if isinstance(body, dict) else None
    return [i for i in items or [] if isinstance(i, dict)]


def item_text(item: dict[str, Any]) -> str:
    return joined_text(item.get("content"))


def is_compaction(body: Any) -> bool:
    """Codex's local compaction sends the history plus its summarisation prompt as the last user input."""
    return any(COMPACTION_MARKER in item_text(i) for i in input_items(body)[-3:])


def function_outputs(body: Any) -> list[dict[str, Any]]:
    return [i for i in input_items(body) if i.get("type") == "function_call_output"]


def output_text(item: dict[str, Any]) -> str:
    """A function_call_output's output as text (a string, or a list of content parts)."""
    output = item.get("output")
    if isinstance(output, dict):
        return str(output.get("content", ""))
    return joined_text(output)


class _Handler(StandinHandler):
    standin: StandinResponsesApi
    opaque_encodings = frozenset({"zstd"})

    def not_found(self, method: str, url: SplitResult, body: Any) -> None:
        self.standin.record(Recorded(method, url.path, dict(self.headers), body, "404"))
        error = {"type": "invalid_request_error", "message": f"{method} {url.path}: not found in the stand-in"}
        self.reply_json(404, {"error": error})

    def post(self, url: SplitResult, body: Any) -> None:
        if url.path != "/v1/responses" or not isinstance(body, dict) or "unparsed" in body:
            self.not_found("POST", url, body)
            return
        kind, answer = self.standin.answer(body)
        number = self.standin.next_id()
        item = answer_item(answer, number)
        self.standin.record(Recorded("POST", url.path, dict(self.headers), body, kind, answer,
                                     str(item.get("call_id", ""))))
        events = sse_events(answer, number)
        self.reply_sse([(data["type"], data) for data in events], headers=rate_limit_headers())


@dataclass
class StandinResponsesApi(Standin[Recorded]):
    """`with StandinResponsesApi([Answer.call(...), Answer.message(...)]) as api:` then `api.base_url`."""

    handler = _Handler
    thread_name = "standin-responses-api"
    base_path = "/v1"  # the provider's base URL, as Codex's config.toml wants it

    script: list[Answer]
    compactions: list[Answer] = field(default_factory=list)
    default_usage: Usage = field(default_factory=lambda: Usage(1_000, 10))

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self._script = list(self.script)
        self._compactions = list(self.compactions)

    # ---- what Codex was sent and received -----------------------------------------------------------

    def answered(self) -> list[Recorded]:
        """The /v1/responses requests that got an answer, in order."""
        return [r for r in self.recorded() if r.answer is not None]

    def sent_usage(self) -> list[Usage]:
        return [r.answer.usage for r in self.answered() if r.answer is not None]

    def log(self) -> str:
        """The request log, for a failing test's output."""
        lines = []
        for r in self.recorded():
            items = input_items(r.body)
            kinds = [str(i.get("type")) + (f":{i.get('role')}" if i.get("role") else "") for i in items]
            usage = r.answer.usage if r.answer else None
            lines.append(f"{r.method} {r.path} -> {r.kind} {r.call_id} {usage} input={kinds[-6:]}"
                         f" outputs={[output_text(o)[:200] for o in function_outputs(r.body)]}")
        return "\n".join(lines)

    # ---- answers ------------------------------------------------------------------------------------

    def answer(self, body: Any) -> tuple[str, Answer]:
        with self._lock:
            if is_compaction(body):
                found = self._compactions.pop(0) if self._compactions else None
                return "compaction", found or Answer.message(SUMMARY_TEXT, Usage(1_000, 50))
            found = self._script.pop(0) if self._script else None
            answer = found or Answer.message(FINAL_TEXT, self.default_usage)
            return ("call" if answer.command else "message"), answer

    def next_id(self) -> int:
        return next(self._ids)


def answer_item(answer: Answer, number: int) -> dict[str, Any]:
    if answer.command:
        arguments = {"cmd": answer.command} if answer.tool == "exec_command" else {"command": ["bash", "-lc",
                                                                                                answer.command]}
        return {"type": "function_call", "id": f"fc_standin_{number:04d}", "status": "completed",
                "name": answer.tool, "arguments": json.dumps(arguments), "call_id": f"call_standin_{number:04d}"}
    return {"type": "message", "id": f"msg_standin_{number:04d}", "status": "completed", "role": "assistant",
            "content": [{"type": "output_text", "text": answer.text, "annotations": []}]}


def sse_events(answer: Answer, number: int) -> list[dict[str, Any]]:
    """The server-sent events of one streamed response, as their data objects (each has its `type`)."""
    response = {"id": f"resp_standin_{number:04d}", "object": "response", "model": MODEL, "status": "in_progress",
                "output": []}
    item = answer_item(answer, number)
    opening = {**item, "status": "in_progress"}
    if answer.command:
        opening["arguments"] = ""
    else:
        opening["content"] = []
    done = {**response, "status": "completed", "output": [item], "usage": answer.usage.as_json()}
    return [
        {"type": "response.created", "response": response},
        {"type": "response.output_item.added", "output_index": 0, "item": opening},
        {"type": "response.output_item.done", "output_index": 0, "item": item},
        {"type": "response.completed", "response": done},
    ]


def rate_limit_headers() -> dict[str, str]:
    headers = {}
    for name, (percent, minutes, reset) in (("primary", PRIMARY), ("secondary", SECONDARY)):
        headers[f"x-codex-{name}-used-percent"] = str(percent)
        headers[f"x-codex-{name}-window-minutes"] = str(minutes)
        headers[f"x-codex-{name}-reset-at"] = str(reset)
    return headers
