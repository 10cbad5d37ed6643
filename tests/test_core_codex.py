"""Codex rollout parser (spec agent-formats §3.1-§3.2)."""

from __future__ import annotations

import json

import pytest
from conftest import codex_token_count

from cockpit.core.codex import CodexParser
from cockpit.core.models import (
    ApiCall,
    CompactionFact,
    MetaFact,
    PromptFact,
    SessionState,
    SkippedLine,
    StateFact,
    ToolFinished,
    ToolStarted,
)


def _calls(facts):
    return [f for f in facts if isinstance(f, ApiCall)]


def test_first_token_count_with_null_info_is_ignored():
    line = {"timestamp": "t", "type": "event_msg", "payload": {"type": "token_count", "info": None}}
    assert CodexParser().parse_line(line) == []


def test_context_is_last_total_tokens_and_usage_splits_cached_input():
    parser = CodexParser()
    parser.parse_line({"timestamp": "t", "type": "turn_context", "payload": {"model": "gpt-5.3-codex"}})
    (call,) = _calls(parser.parse_line(codex_token_count(59188, 1054, 23414, 248, cached=19072)))
    assert call.context_tokens == 23414 + 248
    assert call.window == 258_400
    assert call.model == "gpt-5.3-codex"
    # input includes cached: the uncached part and the cached part are stored separately
    assert call.usage.input_tokens == 23414 - 19072
    assert call.usage.cache_read_input_tokens == 19072
    assert call.usage.output_tokens == 248


def test_the_duplicate_written_after_every_real_count_has_the_same_key():
    parser = CodexParser()
    a = _calls(parser.parse_line(codex_token_count(1000, 100, 1000, 100)))
    b = _calls(parser.parse_line(codex_token_count(1000, 100, 1000, 100)))
    c = _calls(parser.parse_line(codex_token_count(2500, 150, 1500, 50)))
    assert a[0].key == b[0].key != c[0].key


def test_synthetic_compaction_record_is_skipped_and_compaction_reports_the_last_real_context():
    parser = CodexParser()
    parser.parse_line(codex_token_count(900_000, 40_000, 212_000, 134))
    # all-zero parts, total larger than the window
    zero = codex_token_count(940_499, 0, 0, 0)
    zero["payload"]["info"]["last_token_usage"]["total_tokens"] = 940_499
    assert parser.parse_line(zero) == []
    too_big = codex_token_count(1, 1, 300_000, 1)
    assert parser.parse_line(too_big) == []
    assert parser.parse_line({"timestamp": "c", "type": "compacted", "payload": {"message": ""}}) == [
        CompactionFact("c", "auto", 212_134)
    ]


def test_checkpoint_restores_model_and_last_context():
    parser = CodexParser()
    parser.parse_line({"timestamp": "t", "type": "turn_context", "payload": {"model": "gpt-5.2"}})
    parser.parse_line(codex_token_count(10, 5, 10, 5))
    state = json.loads(json.dumps(parser.checkpoint()))
    resumed = CodexParser(state)
    assert resumed.model == "gpt-5.2"
    assert resumed.parse_line({"timestamp": "c", "type": "compacted", "payload": {}})[0].pre_tokens == 15


@pytest.mark.parametrize("window", [1e20, -5, True, "258400", None])
def test_absurd_or_bad_window_is_dropped_not_stored(window):
    # 1e20 used to be passed on as an int too large for SQLite, aborting the whole ingest batch
    (call,) = _calls(CodexParser().parse_line(codex_token_count(10, 5, 10, 5, window=window)))
    assert call.window is None


@pytest.mark.parametrize(
    "info",
    [
        "nope",
        {"last_token_usage": None, "total_token_usage": {}},
        {"last_token_usage": {"input_tokens": -3}, "total_token_usage": {}},
        {"last_token_usage": {"input_tokens": 10**12}, "total_token_usage": {}},
    ],
)
def test_bad_usage_is_counted_as_skipped(info):
    line = {"timestamp": "t", "type": "event_msg", "payload": {"type": "token_count", "info": info}}
    assert CodexParser().parse_line(line) == [SkippedLine("bad-usage")]


def test_function_call_and_output_track_a_tool_and_the_state():
    parser = CodexParser()
    call = {"timestamp": "t1", "type": "response_item", "payload": {
        "type": "function_call", "name": "shell", "call_id": "call_1",
        "arguments": json.dumps({"command": ["bash", "-lc", "npm test"]})}}
    facts = parser.parse_line(call)
    assert facts == [ToolStarted("call_1", "shell", "npm test", "t1"), StateFact("t1", SessionState.TOOL)]
    out = {"timestamp": "t2", "type": "response_item", "payload": {
        "type": "function_call_output", "call_id": "call_1",
        "output": json.dumps({"output": "boom", "metadata": {"exit_code": 2}})}}
    assert parser.parse_line(out) == [ToolFinished("call_1", "t2", True), StateFact("t2", SessionState.THINKING)]


def test_user_message_and_task_events_drive_the_state():
    parser = CodexParser()
    facts = parser.parse_line({"timestamp": "t", "type": "event_msg", "payload": {"type": "user_message", "message": "hi"}})
    assert PromptFact("t", "hi") in facts and StateFact("t", SessionState.THINKING) in facts
    for kind in ("task_complete", "turn_aborted"):
        facts = parser.parse_line({"timestamp": "u", "type": "event_msg", "payload": {"type": kind}})
        assert StateFact("u", SessionState.IDLE) in facts


def test_session_meta_gives_cwd_branch_version():
    facts = CodexParser().parse_line({"timestamp": "t", "type": "session_meta", "payload": {
        "cwd": "/w", "cli_version": "0.104.0", "git": {"branch": "main"}}})
    assert facts == [MetaFact(ts="t", cwd="/w", branch="main", version="0.104.0")]


@pytest.mark.parametrize("obj", [[], "x", {"type": "event_msg", "payload": []}, {"type": ["x"], "payload": {}},
                                 {"type": "response_item", "payload": {"type": "function_call", "call_id": 5}}])
def test_malformed_lines_never_raise(obj):
    assert not _calls(CodexParser().parse_line(obj))
