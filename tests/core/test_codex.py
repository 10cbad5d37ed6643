"""Codex rollout parser (spec agent-formats §3.1-§3.2)."""

from __future__ import annotations

import json

import pytest
from conftest import codex_token_count

from cockpit.core.claude import input_hash
from cockpit.core.codex import SKIP_TYPES, CodexParser
from cockpit.core.codex import known_kind as codex_known_kind
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
    digest = input_hash({"command": ["bash", "-lc", "npm test"]})
    assert facts == [ToolStarted("call_1", "shell", "npm test", "t1", "", digest), StateFact("t1", SessionState.TOOL)]
    out = {"timestamp": "t2", "type": "response_item", "payload": {
        "type": "function_call_output", "call_id": "call_1",
        "output": json.dumps({"output": "boom", "metadata": {"exit_code": 2}})}}
    assert parser.parse_line(out) == [ToolFinished("call_1", "t2", True, "boom"), StateFact("t2", SessionState.THINKING)]


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


# ---- Codex 0.171: items instead of events (shapes from a rollout the real 0.171.0 wrote) ----------------


def _event(ts, payload):
    return {"timestamp": ts, "ordinal": 1, "type": "event_msg", "payload": payload}


def _completed(ts, item):
    return _event(ts, {"type": "item_completed", "thread_id": "th", "turn_id": "tu", "item": item})


def _user_item(ts, text):
    return _completed(ts, {"type": "UserMessage", "id": "u1", "content": [{"type": "text", "text": text,
                                                                        "text_elements": []}]})


def _command_item(ts, call_id, exit_code, status):
    return _completed(ts, {"type": "CommandExecution", "id": call_id, "command": ["/bin/bash", "-lc", "x"],
                           "cwd": "file:///w", "source": "unified_exec_startup", "status": status,
                           "aggregated_output": "boom\n", "exit_code": exit_code})


def _exec_output(ts, call_id, code, own_output="boom\n"):
    text = (f"Chunk ID: dcf4a4\nWall time: 0.0000 seconds\nProcess exited with code {code}\n"
            f"Original token count: 2\nOutput:\n{own_output}")
    return {"timestamp": ts, "type": "response_item",
            "payload": {"type": "function_call_output", "call_id": call_id, "output": text}}


def test_a_user_message_item_is_a_prompt_and_other_items_say_nothing():
    parser = CodexParser()
    facts = parser.parse_line(_user_item("t", "Run the check script"))
    assert facts == [PromptFact("t", "Run the check script"), StateFact("t", SessionState.THINKING), MetaFact(ts="t")]
    for item in ({"type": "AgentMessage", "id": "m", "content": [{"type": "Text", "text": "ok"}]},
                 {"type": "Reasoning", "id": "r", "summary_text": []}, {"type": "HookPrompt", "id": "h"}):
        assert parser.parse_line(_completed("t", item)) == []


def test_a_prompt_written_as_event_and_item_in_one_turn_is_one_prompt():
    parser = CodexParser()
    parser.parse_line(_event("t0", {"type": "task_started", "turn_id": "tu"}))
    first = parser.parse_line(_event("t1", {"type": "user_message", "message": "hi"}))
    again = parser.parse_line(_user_item("t1", "hi"))
    assert [f for f in first + again if isinstance(f, PromptFact)] == [PromptFact("t1", "hi")]
    parser.parse_line(_event("t2", {"type": "task_started", "turn_id": "tu2"}))
    assert PromptFact("t3", "hi") in parser.parse_line(_user_item("t3", "hi"))  # the same words in a new turn


@pytest.mark.parametrize(("code", "status", "failed"), [(2, "failed", True), (0, "completed", False),
                                                        (None, "declined", True), (-1, "failed", True)])
def test_a_command_execution_item_finishes_its_call_with_the_exit_code(code, status, failed):
    parser = CodexParser()
    error = "boom" if failed else ""
    assert parser.parse_line(_command_item("t", "call_1", code, status)) == [ToolFinished("call_1", "t", failed, error)]
    # the output line after it agrees, whatever its text says; the error is the command's own output
    (done, _state) = parser.parse_line(_exec_output("u", "call_1", 0))
    assert done == ToolFinished("call_1", "u", failed, error)
    assert parser.checkpoint().get("failed") is None


def test_an_item_still_running_finishes_nothing():
    assert CodexParser().parse_line(_command_item("t", "call_1", None, "in_progress")) == []


@pytest.mark.parametrize(("code", "failed"), [(2, True), (0, False), (127, True)])
def test_a_plain_text_exit_code_marks_a_failed_call(code, failed):
    (done, _state) = CodexParser().parse_line(_exec_output("t", "c", code))
    assert done == ToolFinished("c", "t", failed, "boom" if failed else "")  # without the header (its wall time)


def test_exit_words_in_the_commands_own_output_are_not_its_exit_code():
    (done, _state) = CodexParser().parse_line(_exec_output("t", "c", 0, "Process exited with code 1\n"))
    assert done == ToolFinished("c", "t", False)
    shell_command = {"timestamp": "t", "type": "response_item", "payload": {
        "type": "function_call_output", "call_id": "d", "output": "Exit code: 1\nWall time: 0.1 seconds\nOutput:\nx"}}
    assert CodexParser().parse_line(shell_command)[0] == ToolFinished("d", "t", True, "x")
    listed = {"timestamp": "t", "type": "response_item", "payload": {
        "type": "function_call_output", "call_id": "e",
        "output": [{"type": "input_text", "text": "Process exited with code 3\nOutput:\n"}]}}
    assert CodexParser().parse_line(listed)[0] == ToolFinished("e", "t", True, "Process exited with code 3 Output:")


def test_exec_command_arguments_are_summarised_by_cmd():
    call = {"timestamp": "t", "type": "response_item", "payload": {
        "type": "function_call", "name": "exec_command", "call_id": "c",
        "arguments": json.dumps({"cmd": "echo boom; exit 2", "yield_time_ms": 1000})}}
    digest = input_hash({"yield_time_ms": 1000, "cmd": "echo boom; exit 2"})
    assert CodexParser().parse_line(call)[0] == ToolStarted("c", "exec_command", "echo boom; exit 2", "t", "", digest)


def _compaction_lines():
    """The 0.171 order around a pre-turn compaction, with the real rollout's numbers."""
    answer = {"timestamp": "c1", "type": "response_item", "metadata": {"compaction_output": True},
              "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "S"}]}}
    usage_record = {"timestamp": "c1", "type": "token_usage_record", "payload": {
        "response_id": "resp_4", "usage": {"input_tokens": 21_000, "output_tokens": 109, "total_tokens": 21_109}}}
    estimate = codex_token_count(58_000, 354, 0, 0, ts="c4")
    estimate["payload"]["info"]["last_token_usage"]["total_tokens"] = 6_057
    return [
        codex_token_count(37_000, 245, 18_600, 65, ts="b1"),  # the last real request: 18,665
        _event("c0", {"type": "thread_settings_applied", "thread_settings": {"model": "gpt-5.3-codex"}}),
        _event("c0", {"type": "task_started", "turn_id": "tu3"}),
        codex_token_count(37_000, 245, 18_600, 65, ts="c0"),  # repeated when the resumed turn starts
        answer,
        usage_record,
        codex_token_count(58_000, 354, 21_000, 109, ts="c2"),  # the compaction request itself
        {"timestamp": "c3", "type": "compacted", "payload": {"message": "S", "replacement_history": []}},
        {"timestamp": "c3", "type": "world_state", "payload": {"full": True, "state": {}}},
        _event("c3", {"type": "thread_settings_applied", "thread_settings": {"model": "gpt-5.3-codex"}}),
        estimate,
        _completed("c5", {"type": "ContextCompaction", "id": "cc"}),
        codex_token_count(61_000, 404, 3_000, 50, ts="d1"),
    ]


def test_a_compaction_reports_the_context_that_triggered_it_and_codexs_estimate_after_it():
    parser = CodexParser()
    facts = [f for line in _compaction_lines() for f in parser.parse_line(line)]
    assert [f for f in facts if isinstance(f, CompactionFact)] == [CompactionFact("c3", "auto", 18_665, 6_057)]
    # the compaction request is a real, billed request: its usage counts once, the repeat does not add a key
    calls = _calls(facts)
    assert [c.context_tokens for c in calls] == [18_665, 18_665, 21_109, 3_050]
    assert len({c.key for c in calls}) == 3
    # the compaction comes after the compaction request and before the next call
    kinds = [type(f).__name__ for f in facts if isinstance(f, ApiCall | CompactionFact)]
    assert kinds == ["ApiCall", "ApiCall", "ApiCall", "CompactionFact", "ApiCall"]


def test_a_compaction_cut_by_a_restart_resumes_from_the_checkpoint():
    lines = _compaction_lines()
    cut = lines.index(next(x for x in lines if x["type"] == "world_state"))
    first = CodexParser()
    before = [f for line in lines[:cut] for f in first.parse_line(line)]
    assert not [f for f in before if isinstance(f, CompactionFact)]
    resumed = CodexParser(json.loads(json.dumps(first.checkpoint())))
    after = [f for line in lines[cut:] for f in resumed.parse_line(line)]
    assert [f for f in after if isinstance(f, CompactionFact)] == [CompactionFact("c3", "auto", 18_665, 6_057)]


def test_a_compaction_item_never_followed_is_still_reported_at_the_next_request():
    lines = [x for x in _compaction_lines() if not (x["type"] == "event_msg" and x["payload"]["type"] == "item_completed")]
    parser = CodexParser({"items": True})
    facts = [f for line in lines for f in parser.parse_line(line)]
    assert [f for f in facts if isinstance(f, CompactionFact)] == [CompactionFact("c3", "auto", 18_665, 6_057)]


def test_a_compaction_read_the_0104_way_is_not_reported_again_by_its_item():
    """A checkpoint written before cockpit knew items (no "items" in it), a 0.171 compaction in the lines after
    it, none of the lines that tell 0.171 apart before the `compacted` one: one compaction, not two."""
    lines = [x for x in _compaction_lines() if x["payload"].get("type") != "thread_settings_applied"]
    parser = CodexParser({"model": "gpt-5.3-codex", "last_context": None})
    facts = [f for line in lines for f in parser.parse_line(line)]
    assert [f for f in facts if isinstance(f, CompactionFact)] == [CompactionFact("c3", "auto", 18_665)]


def test_the_0104_compaction_is_still_reported_at_its_compacted_line():
    parser = CodexParser()
    parser.parse_line(codex_token_count(900_000, 40_000, 212_000, 134))
    facts = parser.parse_line({"timestamp": "c", "type": "compacted", "payload": {"message": ""}})
    assert facts == [CompactionFact("c", "auto", 212_134)]


@pytest.mark.parametrize(("line", "kind", "known"), [
    ({"type": "world_state", "payload": {}}, "world_state", True),
    ({"type": "token_usage_record", "payload": {}}, "token_usage_record", True),
    ({"type": "event_msg", "payload": {"type": "thread_settings_applied"}}, "event_msg/thread_settings_applied", True),
    ({"type": "event_msg", "payload": {"type": "item_completed", "item": {"type": "CommandExecution"}}},
     "event_msg/item_completed/CommandExecution", True),
    ({"type": "event_msg", "payload": {"type": "agent_reasoning"}}, "event_msg/agent_reasoning", True),
    ({"type": "response_item", "payload": {"type": "reasoning"}}, "response_item/reasoning", True),
    ({"type": "brand_new_2030", "payload": {}}, "brand_new_2030", False),
    ({"type": "event_msg", "payload": {"type": "brand_new_event"}}, "event_msg/brand_new_event", False),
    ({"type": "event_msg", "payload": {"type": "item_completed", "item": {"type": "NewItem"}}},
     "event_msg/item_completed/NewItem", False),
])
def test_known_kind_tells_read_or_ignored_lines_from_new_ones(line, kind, known):
    assert codex_known_kind(line) == (kind, known)
    assert not [f for f in CodexParser().parse_line(line) if isinstance(f, SkippedLine)]


def test_the_large_lines_nothing_is_read_from_are_skipped_before_decoding():
    from cockpit.core.claude import top_level_type

    raw = b'{"timestamp":"2026-11-29T22:04:19.468Z","ordinal":4,"type":"world_state","payload":{"full":true}}'
    assert top_level_type(raw) in SKIP_TYPES
    raw = b'{"timestamp":"t","ordinal":5,"type":"event_msg","payload":{"type":"token_count"}}'
    assert top_level_type(raw) not in SKIP_TYPES


def test_payloads_skipped_by_their_bytes_say_nothing_and_change_no_state():
    """The tailer skips these events and items without decoding them: the parser must agree they carry nothing."""
    from cockpit.core.codex import SKIP_PAYLOADS

    parser = CodexParser()
    for line in codex_rollout_lines_for_state():
        parser.parse_line(line)
    before = parser.checkpoint()
    for kind, subs in SKIP_PAYLOADS.items():
        for sub in subs:
            line = {"timestamp": "t", "type": kind.decode(), "payload": {"type": sub.decode(), "text": "x"}}
            assert parser.parse_line(line) == [], (kind, sub)
            assert parser.checkpoint() == before, (kind, sub)
    assert b"reasoning" in SKIP_PAYLOADS[b"response_item"] and b"agent_message" in SKIP_PAYLOADS[b"event_msg"]
    assert b"thread_settings_applied" not in SKIP_PAYLOADS[b"event_msg"]


def codex_rollout_lines_for_state():
    return [
        {"timestamp": "t0", "type": "session_meta", "payload": {"id": "x", "cwd": "/w"}},
        {"timestamp": "t0", "type": "turn_context", "payload": {"turn_id": "t1", "cwd": "/w", "model": "gpt-5"}},
        codex_token_count(1000, 100, 1000, 100),
    ]


def test_the_first_lines_of_an_output_are_read_from_a_prefix_exactly() -> None:
    import random

    from cockpit.core.codex import _first_lines

    rnd = random.Random(7)
    pieces = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "x", " ", "Exit code: 1"]
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) if rnd.random() < 0.05 else "z" for _ in range(rnd.choice([0, 9, 900, 5000])))
        for count in (1, 8):
            assert _first_lines(text, count) == text.splitlines()[:count]
    # A CRLF split by the prefix's end, around the first prefix size.
    for width in range(1015, 1030):
        text = "a\n" * 7 + "q" * width + "\r\n" + "rest\n" * 3
        assert _first_lines(text, 8) == text.splitlines()[:8]
