"""Claude through the anthropic SDK: structured answers through a forced tool call, validated on arrival.

The SDK does the transport work (timeouts; retries with backoff on 408/409/429/5xx, honouring
retry-after). This module adds what the SDK does not: the answer is checked against the tool's JSON
schema; a malformed one is asked for once more, naming what was wrong, then reported as an error,
never half-used. Every call's model, tokens and cost are returned for the store. The key comes from
ANTHROPIC_API_KEY (or the caller) and is never stored or printed.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from cockpit.core.llm_types import CallResult, LlmSettings
from cockpit.core.models import Usage
from cockpit.core.pricing import request_cost
from cockpit.core.schema import validate


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    description: str
    schema: dict[str, Any]


def messages_request(settings: LlmSettings, *, system: str, user: str, tool: Tool) -> dict[str, Any]:
    """The Messages API request `Llm.structured` sends first (`--dry-run` prints it, nothing else builds one)."""
    return {
        "model": settings.model, "max_tokens": settings.max_output_tokens, "system": system,
        "messages": [{"role": "user", "content": user}],
        "tools": [{"name": tool.name, "description": tool.description, "input_schema": tool.schema}],
        "tool_choice": {"type": "tool", "name": tool.name},
    }


class Cancelled(Exception):
    """The user cancelled while the call was running."""


class Llm:
    """One configured client. `available` is False without a key: callers then take the offline path."""

    def __init__(self, settings: LlmSettings | None = None, *, api_key: str | None = None,
                 http_client: Any = None) -> None:
        self.settings = settings or LlmSettings()
        key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY", "")
        self.available = bool(key.strip())
        self._client: Any = None
        if self.available:
            import anthropic

            self._client = anthropic.Anthropic(api_key=key.strip(), http_client=http_client,
                                               max_retries=self.settings.max_retries, timeout=self.settings.timeout)

    def count_tokens(self, system: str, user: str) -> tuple[int, str]:
        """Exact input tokens from the API's counter when online, else the offline cl100k estimate."""
        if self._client is not None:
            try:
                counted = self._client.messages.count_tokens(
                    model=self.settings.model, system=system, messages=[{"role": "user", "content": user}])
                return int(counted.input_tokens), "exact (API token count)"
            except Exception:  # noqa: BLE001 - the estimate is still a useful budget
                pass
        from cockpit.llm.tokens import estimate_tokens

        return estimate_tokens(system) + estimate_tokens(user), "estimate (cl100k, offline)"

    def structured(self, *, system: str, user: str, tool: Tool, cancel: threading.Event | None = None) -> CallResult:
        """Ask for one call of `tool`; its input must validate against the tool's schema."""
        model = self.settings.model
        if self._client is None:
            return CallResult(False, None, "no API key (set ANTHROPIC_API_KEY)", model)
        import anthropic

        started = time.monotonic()
        request = messages_request(self.settings, system=system, user=user, tool=tool)
        messages: list[dict[str, Any]] = request["messages"]
        total = Usage()
        notes: list[str] = []
        attempts = 0
        error = ""
        for attempt in range(2):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            attempts = attempt + 1
            try:
                response = self._client.messages.create(**{**request, "messages": messages})
            except anthropic.APITimeoutError:
                error = f"the API did not answer within {self.settings.timeout:g} s (after retries)"
                break
            except anthropic.APIConnectionError as exc:
                error = f"cannot reach the API: {type(exc).__name__}"
                break
            except anthropic.RateLimitError:
                error = "rate limited by the API (429), retries exhausted"
                break
            except anthropic.APIStatusError as exc:
                error = f"the API answered {exc.status_code}: {_api_message(exc)}"
                break
            usage = getattr(response, "usage", None)
            total = Usage(
                total.input_tokens + int(getattr(usage, "input_tokens", 0) or 0),
                total.output_tokens + int(getattr(usage, "output_tokens", 0) or 0),
                total.cache_creation_input_tokens + int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
                total.cache_read_input_tokens + int(getattr(usage, "cache_read_input_tokens", 0) or 0),
            )
            if cancel is not None and cancel.is_set():
                # Paid for but not wanted: the caller records the tokens, then drops the answer.
                error = "cancelled by the user"
                break
            block = next((b for b in response.content if getattr(b, "type", "") == "tool_use"), None)
            data = getattr(block, "input", None) if block is not None else None
            problems = ["no tool call in the answer"] if block is None else validate(data, tool.schema)
            if not problems:
                return CallResult(True, data, "", model, total.input_tokens, total.output_tokens,
                                  request_cost(model, total), attempts, round(time.monotonic() - started, 3),
                                  tuple(notes))
            error = "malformed answer: " + "; ".join(problems[:5])
            notes.append(f"attempt {attempts}: {error}")
            # Ask once more, saying exactly what was wrong; the bad answer is never used.
            messages = [
                {"role": "user", "content": user},
                {"role": "assistant", "content": [b.model_dump() for b in response.content]},
                {"role": "user", "content": _retry_content(block, problems)},
            ]
        return CallResult(False, None, error, model, total.input_tokens, total.output_tokens,
                          request_cost(model, total) if total.input_tokens else None, attempts,
                          round(time.monotonic() - started, 3), tuple(notes))


def _retry_content(block: Any, problems: list[str]) -> Any:
    text = ("Your answer did not match the tool's input schema: " + "; ".join(problems[:10])
            + ". Call the tool again with a corrected, complete input.")
    if block is None:
        return text
    return [{"type": "tool_result", "tool_use_id": block.id, "is_error": True, "content": text}]


def _api_message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", {})
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner.get("type", "")) + ": " + str(inner["message"])[:200]
    return str(exc)[:200]


