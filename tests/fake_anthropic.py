"""A transport that answers like the Anthropic API, for the real SDK: scripted answers, recorded requests."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from cockpit.core.llm_types import LlmSettings
from cockpit.llm.client import Llm


def message(tool_input: Any, *, usage: tuple[int, int] = (1200, 300), tool: bool = True) -> dict[str, Any]:
    content = ([{"type": "tool_use", "id": "toolu_01", "name": "report", "input": tool_input}] if tool
               else [{"type": "text", "text": "I think it is fine."}])
    return {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-5", "content": content,
            "stop_reason": "tool_use" if tool else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": usage[0], "output_tokens": usage[1]}}


def error(status: int, kind: str, text: str) -> httpx2.Response:
    return httpx2.Response(status, json={"type": "error", "error": {"type": kind, "message": text}},
                           headers={"retry-after-ms": "1"})


class FakeApi:
    """Answers /v1/messages from a script of responses, records every request."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        body = json.loads(request.content or b"{}")
        self.requests.append({"path": request.url.path, "body": body, "headers": dict(request.headers)})
        if request.url.path.endswith("/count_tokens"):
            return httpx2.Response(200, json={"input_tokens": 4321})
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx2.Response):
            return answer
        return httpx2.Response(200, json=answer)


def llm(api: FakeApi, **settings: Any) -> Llm:
    client = httpx2.Client(transport=httpx2.MockTransport(api))
    return Llm(LlmSettings(**{"max_retries": 2, "timeout": 5.0, **settings}), api_key="sk-ant-test-key",
               http_client=client)
