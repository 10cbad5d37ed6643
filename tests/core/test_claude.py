"""Claude Code line parser (spec agent-formats §1.5-§1.8, §1.10)."""

from __future__ import annotations

import json

import pytest
from conftest import claude_assistant, claude_user

from cockpit.core import claude
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


def _of(facts, kind):
    return [f for f in facts if isinstance(f, kind)]


def test_prompt_is_the_sum_of_the_three_input_parts_not_input_tokens_alone():
    facts = claude.parse_line(claude_assistant(1, inp=3, cc=15005, cr=11442, out=10))
    (call,) = _of(facts, ApiCall)
    assert call.context_tokens == 3 + 15005 + 11442
    assert call.usage.output_tokens == 10
    assert call.key == "msg_sess_1:req_sess_1"


def test_block_lines_of_one_request_share_the_dedup_key():
    first = claude.parse_line(claude_assistant(1, msg_id="msg_A", request_id="req_A", out=10))
    second = claude.parse_line(claude_assistant(2, msg_id="msg_A", request_id="req_A", out=299))
    assert _of(first, ApiCall)[0].key == _of(second, ApiCall)[0].key == "msg_A:req_A"


@pytest.mark.parametrize(
    "extra",
    [{"model": "<synthetic>"}, {"isApiErrorMessage": True}],
    ids=["synthetic-model", "api-error"],
)
def test_synthetic_and_api_error_lines_carry_no_usage_and_no_state(extra):
    line = claude_assistant(1, model=extra.get("model", "claude-opus-4-6"))
    if "isApiErrorMessage" in extra:
        line["isApiErrorMessage"] = True
    facts = claude.parse_line(line)
    assert not _of(facts, ApiCall)
    assert not _of(facts, StateFact)
    # and the synthetic model never becomes the session's model
    assert all(m.model is None for m in _of(facts, MetaFact))


def test_server_side_tool_loop_uses_last_iteration_for_the_window_but_whole_usage_for_cost():
    line = claude_assistant(1, inp=10, cc=0, cr=300_000, out=500)
    line["message"]["usage"]["iterations"] = [
        {"input_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 100_000, "output_tokens": 200},
        {"input_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 120_000, "output_tokens": 300},
    ]
    (call,) = _of(claude.parse_line(line), ApiCall)
    assert call.context_tokens == 120_005
    assert call.usage.cache_read_input_tokens == 300_000


def test_one_hour_cache_writes_are_split_out_and_capped_by_the_total():
    line = claude_assistant(1, cc=500)
    line["message"]["usage"]["cache_creation"] = {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 400}
    assert _of(claude.parse_line(line), ApiCall)[0].usage.cache_creation_1h_tokens == 400
    line["message"]["usage"]["cache_creation"]["ephemeral_1h_input_tokens"] = 9_999
    assert _of(claude.parse_line(line), ApiCall)[0].usage.cache_creation_1h_tokens == 500


def test_sidechain_lines_are_marked_and_do_not_touch_session_meta_or_state():
    line = claude_assistant(1, isSidechain=True, agentId="a1234")
    facts = claude.parse_line(line)
    (call,) = _of(facts, ApiCall)
    assert call.is_sidechain and call.agent_id == "a1234"
    assert not _of(facts, MetaFact) and not _of(facts, StateFact)
    # every line of a subagent file is a sidechain line, whatever it says
    (sub,) = _of(claude.parse_line(claude_assistant(2), subagent_file=True), ApiCall)
    assert sub.is_sidechain


def test_tool_use_starts_a_tool_and_sets_state_tool_then_tool_result_finishes_it():
    block = {"type": "tool_use", "id": "toolu_1", "name": "Bash", "input": {"command": "npm test\x1b[2J"}}
    facts = claude.parse_line(claude_assistant(1, content=[block]))
    (started,) = _of(facts, ToolStarted)
    assert (started.tool_use_id, started.name, started.summary) == ("toolu_1", "Bash", "npm test\\x1b[2J")
    assert _of(facts, StateFact)[-1].state is SessionState.TOOL

    result = claude_user(2)
    result["message"]["content"] = [{"type": "tool_result", "tool_use_id": "toolu_1", "is_error": True, "content": "x"}]
    facts = claude.parse_line(result)
    assert _of(facts, ToolFinished) == [ToolFinished("toolu_1", result["timestamp"], True, "x")]
    assert _of(facts, StateFact)[-1].state is SessionState.THINKING
    assert not _of(facts, PromptFact)


def test_user_prompt_is_recorded_but_meta_and_compact_summary_lines_are_not():
    facts = claude.parse_line(claude_user(1, "Add pagination"))
    assert [p.text for p in _of(facts, PromptFact)] == ["Add pagination"]
    assert _of(facts, StateFact)[-1].state is SessionState.THINKING
    for flag in ("isMeta", "isCompactSummary", "isVisibleInTranscriptOnly"):
        assert not _of(claude.parse_line(claude_user(2, "summary...", **{flag: True})), PromptFact)


def test_interrupt_marker_makes_the_session_idle():
    facts = claude.parse_line(claude_user(1, "[Request interrupted by user]"))
    assert _of(facts, StateFact)[-1].state is SessionState.IDLE
    assert not _of(facts, PromptFact)


def test_compact_boundary_gives_trigger_and_pre_tokens():
    line = {
        "type": "system",
        "subtype": "compact_boundary",
        "timestamp": "2026-02-12T20:30:28.504Z",
        "compactMetadata": {"trigger": "auto", "preTokens": 170251, "postTokens": 36081},
    }
    assert claude.parse_line(line) == [CompactionFact("2026-02-12T20:30:28.504Z", "auto", 170251, 36081)]
    line["compactMetadata"] = {"preTokens": -5}
    assert claude.parse_line(line) == [CompactionFact("2026-02-12T20:30:28.504Z", "unknown", None, None)]


@pytest.mark.parametrize("subtype", ["turn_duration", "stop_hook_summary"])
def test_turn_end_system_lines_make_the_session_idle(subtype):
    facts = claude.parse_line({"type": "system", "subtype": subtype, "timestamp": "t"})
    assert facts == [StateFact("t", SessionState.IDLE)]


def test_titles_are_ranked_custom_over_ai_over_summary():
    ranks = {
        kind: claude.parse_line({"type": kind, field: "A title"})[0].title_rank
        for kind, field in (("summary", "summary"), ("ai-title", "aiTitle"), ("custom-title", "customTitle"))
    }
    assert ranks["custom-title"] > ranks["ai-title"] > ranks["summary"] > 0


@pytest.mark.parametrize(
    "obj",
    [
        [1, 2],
        "text",
        {"type": ["assistant"]},  # unhashable "type" used to raise TypeError
        {"type": {"x": 1}},
        {"type": "assistant", "message": "not a dict"},
        {"type": "assistant", "message": {"usage": "nope"}},
        {"type": "user", "message": None},
        {"type": "attachment", "whatever": 1},
    ],
)
def test_malformed_lines_never_raise(obj):
    facts = claude.parse_line(obj)
    assert all(not isinstance(f, ApiCall) for f in facts)


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ({"input_tokens": None, "output_tokens": 5}, (0, 5, 0, 0)),  # null and missing fields count as 0
        ({"input_tokens": -1, "output_tokens": 5}, None),  # negative
        ({"input_tokens": 10**12, "output_tokens": 5}, None),  # absurd
        ({"input_tokens": "12", "output_tokens": 5}, None),  # wrong type
        ({"input_tokens": True, "output_tokens": 5}, None),  # bool is not a count
    ],
)
def test_parse_usage_rejects_insane_values(usage, expected):
    parsed = claude.parse_usage(usage)
    if expected is None:
        assert parsed is None
        line = claude_assistant(1)
        line["message"]["usage"] = usage
        assert SkippedLine("bad-usage") in claude.parse_line(line)
    else:
        assert parsed is not None
        got = (parsed.input_tokens, parsed.output_tokens, parsed.cache_creation_input_tokens,
               parsed.cache_read_input_tokens)
        assert got == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"parentUuid":null,"type":"progress","data":{"type":"hook_progress"}}', b"progress"),
        (b'{"type":"assistant","message":{"type":"message"}}', b"assistant"),
        # nested "type" first: cannot be told without parsing
        (b'{"data":{"type":"progress"},"type":"user"}', None),
        # an escaped quote inside a string value is not a key
        (b'{"content":"say \\"type\\":\\"progress\\"","type":"user"}', b"user"),
        (b'{"subtype":"x","type":"system"}', b"system"),
        (b"no json here", None),
    ],
)
def test_top_level_type_is_only_reported_when_certain(raw, expected):
    got = claude.top_level_type(raw)
    assert got == expected
    if got is not None:
        assert json.loads(raw)["type"].encode() == got


# ---- Claude Code 2.1.332 line types (shapes from a transcript the real 2.1.332 wrote) ---------------------

NEW_2_1_332 = [
    {"type": "api-request-shape", "sessionId": "s", "shapeHash": "h", "version": "2.1.332",
     "shape": {"system": [{"type": "text", "text": "You are a Claude agent"}]}},
    {"type": "api-request-blob", "sessionId": "s", "hash": "h", "message": {"role": "user", "content": "x"}},
    {"type": "api-request", "sessionId": "s", "id": "r", "params": {"model": "claude-opus-5-5"}},
    {"type": "tools-used", "tools": ["Bash"], "sessionId": "s"},
    {"type": "atis-latch", "atis": "", "sessionId": "s"},
    {"type": "cost-state", "sessionId": "s", "totalCostUSD": 0.0016, "modelUsage": {
        "claude-opus-5-5": {"inputTokens": 200, "outputTokens": 40, "cacheReadInputTokens": 0}}},
    {"type": "queue-operation", "operation": "enqueue", "sessionId": "s", "content": "hi"},
]


@pytest.mark.parametrize("line", NEW_2_1_332, ids=[x["type"] for x in NEW_2_1_332])
def test_new_metadata_lines_are_known_ignored_skipped_before_decoding_and_carry_no_usage(line):
    assert claude.known_kind(line) == (line["type"], True)
    assert claude.parse_line(line) == []
    raw = json.dumps(line, separators=(",", ":")).encode()
    assert claude.top_level_type(raw) in claude.SKIP_TYPES


@pytest.mark.parametrize("kind", ["environment", "model", "deferred_tools_delta", "skill_listing", "date",
                                  "prompt_snapshot", "session_context", "hook_success", "hook_blocking_error"])
def test_attachments_other_than_queued_prompts_say_nothing(kind):
    line = {"parentUuid": "p", "isSidechain": False, "attachment": {"type": kind, "text": "x"},
            "type": "attachment", "uuid": "u", "timestamp": "t"}
    assert claude.known_kind(line) == ("attachment", True)
    assert claude.parse_line(line) == []


def _queued(prompt, **attachment):
    return {"parentUuid": "p", "isSidechain": False, "type": "attachment", "uuid": "u", "timestamp": "t",
            "attachment": {"type": "queued_command", "prompt": prompt, **attachment}}


def test_a_prompt_typed_while_the_agent_works_is_a_prompt():
    facts = claude.parse_line(_queued("also update the docs", origin={"kind": "human"}))
    assert facts == [PromptFact("t", "also update the docs"), StateFact("t", SessionState.THINKING)]
    blocks = [{"type": "text", "text": "and the tests"}, {"type": "image", "source": {}}]
    assert _of(claude.parse_line(_queued(blocks, origin={"kind": "human"})), PromptFact) == [PromptFact("t", "and the tests")]
    assert _of(claude.parse_line(_queued("older build, no origin")), PromptFact)


@pytest.mark.parametrize("line", [
    _queued("<task-notification>done</task-notification>", origin={"kind": "task-notification"}),
    _queued("<task-notification>done</task-notification>"),
    _queued("from a hook", origin={"kind": "hook"}),
    _queued("meta", origin={"kind": "human"}, isMeta=True),
    {**_queued("in a subagent", origin={"kind": "human"}), "isSidechain": True},
])
def test_queued_commands_not_typed_by_the_human_are_not_prompts(line):
    assert claude.parse_line(line) == []
    assert claude.parse_line(_queued("sub", origin={"kind": "human"}), subagent_file=True) == []


def test_a_type_never_seen_is_unknown_and_still_passes_through():
    assert claude.known_kind({"type": "brand-new-type-2030"}) == ("brand-new-type-2030", False)
    assert claude.known_kind({"type": ["x"]})[1] is False
    assert claude.parse_line({"type": "brand-new-type-2030"}) == []


def test_the_retros_reader_takes_queued_prompts_and_leaves_compaction_summaries(tmp_path):
    from cockpit.sources.conversation import conversation

    lines = [
        claude_user(1, "Add pagination"),
        claude_assistant(2),
        _queued("also update the docs", origin={"kind": "human"}),
        _queued("<task-notification>x</task-notification>", origin={"kind": "task-notification"}),
        claude_user(3, "This session is being continued from a previous conversation…", isCompactSummary=True),
        NEW_2_1_332[0],
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps(x, separators=(",", ":")) + "\n" for x in lines))
    said, cut = conversation(path)
    assert [(u.role, u.text) for u in said] == [("user", "Add pagination"), ("assistant", "answer 2"),
                                                ("user", "also update the docs")]


# ---- fast paths that must give exactly what the plain computation gives ----------------------------


SHORT_LINE_CASES = [
    "", "ls -la", "  two  spaces  ", "x" * 200, "x" * 201, "tab\there", "new\nline", "bell\x07", "del\x7f",
    "esc \x1b[31mred", "caf\u00e9", "zero\u200bwidth", "rtl\u202eevil", "crlf\r\nend", "a" * 199 + " b", "\x1c\x1d",
    "emoji \U0001f600 ok", "  ", "word " * 60,
]


@pytest.mark.parametrize("text", SHORT_LINE_CASES)
def test_short_line_is_one_line_whatever_the_text(text: str) -> None:
    from cockpit.core.text import one_line

    assert claude.short_line(text, 200) == one_line(text, 200)
    assert claude.short_line(text, 10) == one_line(text, 10)


def test_the_input_hash_is_sha1_of_the_canonical_json() -> None:
    import hashlib

    for value in ({"b": 1, "a": [1.5, None, True, "é\u2028"]}, {"command": "ls"}, "text", [{"z": {"y": 1e-7}}], None):
        canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert claude.input_hash(value) == hashlib.sha1(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:16]
