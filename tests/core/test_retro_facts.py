"""cockpit.core.retro_facts: computed session facts, mechanical learnings and the ao files a retro writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cockpit.core.gate_rules import parse_frontmatter
from cockpit.core.gitmetrics import CommitInfo
from cockpit.core.retro_facts import (
    CallPoint,
    GateEvent,
    Learning,
    ToolUse,
    compute_facts,
    handoff_note,
    mechanical_learnings,
    path_in_summary,
    render_learning,
    render_retro,
    slug,
)

T0 = datetime(2026, 2, 15, 10, 0, tzinfo=UTC)
W = 200_000


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def tool(name: str, summary: str, minute: float = 0, error: bool = False) -> ToolUse:
    return ToolUse(name=name, summary=summary, started=at(minute), finished=at(minute + 0.1), is_error=error)


def facts_for(**overrides):
    args = dict(session_id="sess-1", title="Fix the parser", started=T0, ended=at(30), calls=[], compactions=0,
                tools=[], approvals=[], gate_events=[], commits=[], cost_usd=None)
    args.update(overrides)
    return compute_facts(**args)


def clean_facts(**overrides):
    calls = [CallPoint(at(0), 20_000, W), CallPoint(at(10), 50_000, W)]
    return facts_for(calls=calls, **overrides)


# --- facts -----------------------------------------------------------------------------------------


def test_facts_are_json_serialisable_and_have_every_key():
    facts = clean_facts(cost_usd=1.23456)
    json.dumps(facts)
    assert set(facts) == {
        "session_id", "title", "duration_minutes", "calls", "peak_pct", "minutes_above_40", "first_over_40_call",
        "compactions", "tool_calls", "tool_errors", "repeated_failures", "files_edited_repeatedly", "approvals",
        "gates", "commits", "git", "rework_ratio_pct", "cost_usd", "over_90_minutes"}
    assert facts["cost_usd"] == 1.2346
    assert facts["duration_minutes"] == 30.0


def test_minutes_above_40_counts_time_after_each_call_at_or_over_40_percent_until_ended():
    calls = [
        CallPoint(at(0), 40_000, W),   # 20 %: the 5 min after it do not count
        CallPoint(at(5), 80_000, W),   # exactly 40 %: counts 7 min
        CallPoint(at(12), 120_000, W),  # 60 %: counts 3 min
        CallPoint(at(15), 30_000, W),  # 15 % after a compaction-like drop: 10 min do not count
        CallPoint(at(25), 90_000, W),  # 45 %: counts until ended at 30 -> 5 min
    ]
    facts = facts_for(calls=list(reversed(calls)), ended=at(30))  # order of input does not matter
    assert facts["minutes_above_40"] == 15.0
    assert facts["first_over_40_call"] == 2
    assert facts["peak_pct"] == 60.0
    assert facts["calls"] == 5


def test_last_call_over_40_adds_nothing_when_end_is_unknown():
    facts = facts_for(calls=[CallPoint(at(0), 90_000, W), CallPoint(at(4), 90_000, W)], ended=None)
    assert facts["minutes_above_40"] == 4.0
    assert facts["duration_minutes"] is None
    assert facts["over_90_minutes"] is False


def test_peak_percent_rounds_to_one_decimal_and_skips_zero_windows():
    facts = facts_for(calls=[CallPoint(at(0), 66_667, W), CallPoint(at(1), 999, 0)])
    assert facts["peak_pct"] == 33.3
    assert facts["first_over_40_call"] is None


def test_no_calls_gives_no_peak_and_no_first_over_40():
    facts = facts_for()
    assert facts["peak_pct"] is None and facts["first_over_40_call"] is None and facts["minutes_above_40"] == 0


def test_naive_datetimes_are_read_as_utc():
    naive = datetime(2026, 2, 15, 10, 0)
    facts = facts_for(started=naive, ended=at(95), calls=[CallPoint(naive, 100_000, W)])
    assert facts["duration_minutes"] == 95.0
    assert facts["over_90_minutes"] is True
    assert facts["minutes_above_40"] == 95.0


def test_repeated_failures_need_three_identical_failures_not_two():
    tools = [tool("Bash", "pytest -q", i, error=True) for i in range(3)]
    tools += [tool("Bash", "ruff check", i, error=True) for i in range(2)]
    tools += [tool("Bash", "pytest -q", 9, error=False)]
    facts = facts_for(tools=tools)
    assert facts["repeated_failures"] == [{"tool": "Bash", "summary": "pytest -q", "times": 3}]
    assert facts["tool_calls"] == 6
    assert facts["tool_errors"] == 5


def test_same_summary_on_different_tools_is_not_one_repeated_failure():
    tools = [tool("Bash", "x", 0, True), tool("Bash", "x", 1, True), tool("Read", "x", 2, True)]
    assert facts_for(tools=tools)["repeated_failures"] == []


@pytest.mark.parametrize(("summary", "expected"), [
    ("Edit src/a.py", "src/a.py"),
    ("src/a.py", "src/a.py"),
    ("Write tests/x.py (12 lines)", "tests/x.py"),
    ("'./README.md'", "README.md"),
    ("notebook.ipynb cell 3", "notebook.ipynb"),
    ("replace 2 occurrences", None),
    ("", None),
])
def test_path_in_summary_takes_the_first_path_like_token(summary, expected):
    assert path_in_summary(summary) == expected


def test_files_edited_three_times_are_reported_across_summary_formats():
    tools = [tool("Edit", "Edit src/a.py"), tool("MultiEdit", "src/a.py"), tool("Write", "src/a.py (3 lines)"),
             tool("Write", "Write tests/x.py (12 lines)"), tool("Edit", "tests/x.py"),
             tool("Read", "src/b.py"), tool("Read", "src/b.py"), tool("Read", "src/b.py"),
             tool("apply_patch", "*** Update File: lib/c.rs"), tool("apply_patch", "lib/c.rs"),
             tool("NotebookEdit", "lib/c.rs")]
    facts = facts_for(tools=tools)
    assert facts["files_edited_repeatedly"] == [{"file": "lib/c.rs", "times": 3}, {"file": "src/a.py", "times": 3}]


def test_approvals_count_allowed_denied_and_unanswered():
    facts = facts_for(approvals=("allow", "deny", "", "allow", "DENY", "maybe"))
    assert facts["approvals"] == {"allowed": 2, "denied": 2, "unanswered": 2}


def test_gates_failed_then_passed_later_are_fixed_and_cancelled_runs_are_ignored():
    events = [
        GateEvent("tests", "pass", at(20)),   # given out of order: the pass comes after the fail
        GateEvent("tests", "fail", at(10)),
        GateEvent("lint", "timeout", at(12)),
        GateEvent("lint", "cancelled", at(14)),
        GateEvent("vibe", "pass", at(1)),
        GateEvent("vibe", "error", at(2)),     # failed after its pass: not fixed
        GateEvent("types", "fail", at(3)),
        GateEvent("types", "warn", at(4)),     # warn passes the gate
    ]
    gates = facts_for(gate_events=events)["gates"]
    assert gates == {"failed": ["vibe", "types", "tests", "lint"], "fixed": ["types", "tests"]}


def test_commits_feed_git_metrics_and_the_rework_ratio():
    commits = [CommitInfo("a1", at(1), "feat: parser", ("src/p.py",), 10, 0),
               CommitInfo("b2", at(5), "fix: parser edge", ("src/p.py",), 2, 1)]
    facts = facts_for(commits=commits)
    assert facts["commits"] == 2
    assert facts["rework_ratio_pct"] == 50.0
    assert facts["git"]["rework_ratio"]["fixes"] == 1


def test_untrusted_ansi_in_title_and_summaries_is_shown_inert():
    tools = [tool("Bash", "\x1b[31mpytest\x1b[0m\n-q", i, error=True) for i in range(3)]
    facts = facts_for(title="\x1b]0;evil\x07Fix\x1b[2J it", tools=tools)
    assert facts["title"] == "\\x1b]0;evil\\x07Fix\\x1b[2J it"
    assert facts["repeated_failures"][0]["summary"] == "\\x1b[31mpytest\\x1b[0m -q"


# --- mechanical learnings --------------------------------------------------------------------------


def by_title(learnings, fragment):
    found = [lr for lr in learnings if fragment in lr.title]
    assert len(found) == 1, [lr.title for lr in learnings]
    return found[0]


def test_clean_session_yields_only_the_under_40_pattern():
    learnings = mechanical_learnings(clean_facts())
    assert len(learnings) == 1
    only = learnings[0]
    assert (only.category, only.confidence, only.source) == ("pattern", "high", "mechanical")
    assert "25.0 %" in only.evidence and "0 compactions" in only.evidence


def test_session_without_calls_claims_no_under_40_pattern():
    assert mechanical_learnings(facts_for()) == []


def test_passing_40_percent_teaches_hand_off_before_40():
    facts = facts_for(calls=[CallPoint(at(0), 10_000, W), CallPoint(at(5), 100_000, W)])
    learning = by_title(mechanical_learnings(facts), "Hand off before 40")
    assert (learning.category, learning.confidence) == ("gotcha", "high")
    assert "call 2 of 2" in learning.evidence and "peak 50.0 %" in learning.evidence


def test_compaction_is_a_failure_like_an_oom_kill():
    learnings = mechanical_learnings(clean_facts(compactions=2))
    learning = by_title(learnings, "Compaction")
    assert (learning.category, learning.confidence) == ("failure", "high")
    assert "OOM kill" in learning.body and "2 compactions" in learning.evidence
    assert not any("under 40" in lr.title for lr in learnings)


def test_each_repeated_failure_says_stop_after_three():
    tools = [tool("Bash", "pytest -q", i, error=True) for i in range(4)]
    learning = by_title(mechanical_learnings(clean_facts(tools=tools)), "failed 4 times")
    assert learning.category == "failure" and learning.confidence == "high"
    assert "`pytest -q` failed 4 times: after 3, stop and change approach" in learning.body
    assert "x4" in learning.evidence


def test_files_edited_repeatedly_are_a_medium_gotcha():
    tools = [tool("Edit", "src/a.py", i) for i in range(5)]
    learning = by_title(mechanical_learnings(clean_facts(tools=tools)), "src/a.py")
    assert (learning.category, learning.confidence) == ("gotcha", "medium")
    assert "src/a.py x5" in learning.evidence


def test_denials_are_a_gotcha_naming_how_many():
    learning = by_title(mechanical_learnings(clean_facts(approvals=["deny", "deny", "allow"])), "denied")
    assert learning.title.startswith("2 tool requests denied")
    assert learning.category == "gotcha"
    assert "2 denied of 3" in learning.evidence


def test_a_fixed_gate_is_a_pattern_to_keep_running():
    events = [GateEvent("tests", "fail", at(1)), GateEvent("tests", "pass", at(2))]
    learning = by_title(mechanical_learnings(clean_facts(gate_events=events)), "Gate tests")
    assert learning.category == "pattern"
    assert "gate tests failed then passed: keep running it before commit" in learning.body


def test_rework_ratio_of_30_percent_or_more_is_a_failure():
    commits = [CommitInfo("a", at(1), "feat: x", ("a.py",), 1, 0), CommitInfo("b", at(2), "feat: y", ("b.py",), 1, 0),
               CommitInfo("c", at(40), "fix: y", ("b.py",), 1, 0)]
    learning = by_title(mechanical_learnings(clean_facts(commits=commits)), "rework")
    assert learning.category == "failure"
    assert "33.33 %" in learning.evidence and "1 fix commits of 3" in learning.evidence
    low = [CommitInfo(str(i), at(i * 20), "feat: z", ("a.py",), 1, 0) for i in range(3)]
    assert not any("rework" in lr.title for lr in mechanical_learnings(clean_facts(commits=low)))


def test_over_90_minutes_is_a_gotcha():
    learning = by_title(mechanical_learnings(clean_facts(ended=at(91))), "90 minutes")
    assert learning.category == "gotcha" and "duration 91.0 min" in learning.evidence
    assert not any("90 minutes" in lr.title for lr in mechanical_learnings(clean_facts(ended=at(90))))


def test_mechanical_learnings_are_deterministic():
    facts = facts_for(calls=[CallPoint(at(0), 150_000, W)], compactions=1, approvals=["deny"], ended=at(120))
    assert mechanical_learnings(facts) == mechanical_learnings(json.loads(json.dumps(facts)))


def test_learning_rejects_unknown_category_confidence_or_source():
    with pytest.raises(ValueError):
        Learning("t", "process", "b", "e", "high", "mechanical")
    with pytest.raises(ValueError):
        Learning("t", "pattern", "b", "e", "sure", "mechanical")
    with pytest.raises(ValueError):
        Learning("t", "pattern", "b", "e", "high", "gpt")


# --- renderers -------------------------------------------------------------------------------------


def sample_retro(learnings=None, **kw):
    facts = facts_for(calls=[CallPoint(at(0), 100_000, W)], compactions=1,
                      gate_events=[GateEvent("te|sts", "fail", at(1)), GateEvent("te|sts", "pass", at(2))],
                      cost_usd=0.5)
    if learnings is None:
        learnings = mechanical_learnings(facts)
    args = dict(date="2026-02-15", slug="fix-parser", session_id="sess-1", title="\x1b[1mFix\nparser\x1b[0m",
                facts=facts, learnings=learnings, went_well=["tests\x1b[31m green"], hard=[], do_differently=[],
                online_note="learnings derived mechanically from the facts (no API key)")
    args.update(kw)
    return render_retro(**args)


def test_retro_frontmatter_parses_with_the_ao_keys():
    front = parse_frontmatter(sample_retro())
    assert front == {"id": "retro-2026-02-15-fix-parser", "type": "retro", "date": "2026-02-15",
                     "session": "sess-1", "source": "cockpit"}


def test_retro_has_title_facts_table_and_every_section_in_order():
    text = sample_retro()
    headings = ["# Retro: \\x1b[1mFix parser\\x1b[0m", "## Facts", "## What Went Well", "## What Was Hard",
                "## Do Differently Next Time", "## Patterns to Reuse", "## Anti-Patterns to Avoid", "## Learnings"]
    positions = [text.index(f"\n{h}\n") for h in headings]
    assert positions == sorted(positions)
    assert "| Metric | Value |" in text
    assert "| Peak context | 50.0 % |" in text
    assert "| Compactions | 1 |" in text
    assert "| Gates fixed | te\\|sts |" in text  # a pipe in untrusted text cannot break the table
    assert "| Cost (USD) | 0.50 |" in text
    assert "\x1b" not in text
    assert "- tests\\x1b[31m green" in text


def test_retro_empty_lists_say_none_recorded_and_patterns_split_by_category():
    text = sample_retro()
    hard = text.split("## What Was Hard\n\n", 1)[1].split("\n\n", 1)[0]
    assert hard == "- none recorded"
    patterns = text.split("## Patterns to Reuse\n\n", 1)[1].split("\n\n", 1)[0]
    anti = text.split("## Anti-Patterns to Avoid\n\n", 1)[1].split("\n\n", 1)[0]
    assert "Gate te|sts caught a problem" in patterns and "Compaction" not in patterns
    assert "Compaction is a failure" in anti and "Hand off before 40 %" in anti


def test_retro_learnings_carry_provenance_and_the_online_note():
    text = sample_retro()
    assert "(failure, high confidence, mechanical)" in text
    assert text.rstrip().endswith("_learnings derived mechanically from the facts (no API key)_")
    empty = sample_retro(learnings=[])
    assert empty.split("## Learnings\n\n", 1)[1].startswith("- none recorded")


def test_learning_file_frontmatter_and_body():
    learning = Learning("Hand off\x1b[31m before 40 %", "gotcha", "Write a handoff.\nThen restart.",
                        "context reached 40 % at call 3", "high", "mechanical")
    text = render_learning(learning, date="2026-02-15", session_id="sess-1")
    assert parse_frontmatter(text) == {"type": "learning", "source": "cockpit-retro", "date": "2026-02-15",
                                       "maturity": "provisional", "session": "sess-1", "confidence": "high",
                                       "category": "gotcha"}
    for line in ("# Learning: Hand off\\x1b[31m before 40 %", "**Category**: gotcha", "**Confidence**: high",
                 "Write a handoff.\nThen restart.", "**Evidence**: context reached 40 % at call 3"):
        assert line in text
    assert "\x1b" not in text


def test_claude_learning_is_marked_as_such():
    learning = Learning("t", "decision", "b", "e", "low", "claude")
    assert parse_frontmatter(render_learning(learning, date="2026-02-15", session_id="s"))["source"] == \
        "cockpit-retro-claude"


# --- handoff and slug ------------------------------------------------------------------------------


def test_empty_handoff_still_has_goal_done_and_next():
    lines = handoff_note(goal="", done=[], decisions=[], next_steps=[]).splitlines()
    assert lines == ["Goal: (not stated)", "Done:", "- (nothing yet)", "Next:", "- (nothing yet)"]
    assert 3 <= len(lines) <= 20


def test_handoff_keeps_goal_done_decisions_next_order():
    text = handoff_note(goal="Ship retro", done=["facts"], decisions=["no LLM for facts"], next_steps=["UI"])
    assert text.splitlines() == ["Goal: Ship retro", "Done:", "- facts", "Decisions:", "- no LLM for facts",
                                 "Next:", "- UI"]


@pytest.mark.parametrize("n", [0, 1, 5, 8, 30])
def test_handoff_never_exceeds_twenty_lines_and_counts_what_was_cut(n):
    text = handoff_note(goal="g\x1b[31m", done=[f"d{i}" for i in range(n)], decisions=[f"c{i}" for i in range(n)],
                        next_steps=[f"n{i}" for i in range(n)])
    lines = text.splitlines()
    assert 3 <= len(lines) <= 20
    assert lines[0] == "Goal: g\\x1b[31m"
    assert "Done:" in lines and "Next:" in lines
    if n == 30:
        assert len(lines) == 20
        assert any(line.endswith("(+25 more)") for line in lines)
        assert lines[-1] == "- n4 (+25 more)"


def test_slug_is_lowercase_ascii_dashes_at_most_40_chars():
    assert slug("Fix the Parser: édge cases!") == "fix-the-parser-edge-cases"
    assert slug("") == "session"
    assert slug("\x1b[31m!!!") == "session"
    long = slug("word " * 30)
    assert len(long) <= 40 and not long.endswith("-")
