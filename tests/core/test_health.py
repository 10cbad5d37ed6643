"""The health rules: loop, stall and conflict over plain rows, with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cockpit.core.health import (
    CallRow,
    FileEdit,
    HealthFlag,
    HealthRules,
    LiveSession,
    PendingRequest,
    changes,
    conflict_flags,
    evaluate,
    loop_flag,
    marker,
    stall_flag,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def at(minutes_ago: float) -> str:
    moment = NOW - timedelta(minutes=minutes_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def fail(name: str = "Bash", h: str = "aaaa", minutes_ago: float = 5, error: str = "Exit code 1 boom",
         agent: str = "") -> CallRow:
    return CallRow(name, h, at(minutes_ago), True, error, agent)


def ok(name: str = "Read", h: str = "bbbb", minutes_ago: float = 1, agent: str = "") -> CallRow:
    return CallRow(name, h, at(minutes_ago), False, "", agent)


# ---- loop ----


def test_three_identical_failures_in_a_row_are_a_loop_since_the_first() -> None:
    flag = loop_flag([ok(minutes_ago=9), fail(minutes_ago=8), fail(minutes_ago=7), fail(minutes_ago=6)])
    assert flag is not None and flag.kind == "loop"
    assert flag.since == at(8)
    assert "Bash failed 3 times in a row with the same input" in flag.detail and "boom" in flag.detail


def test_two_failures_are_not_a_loop_and_the_threshold_is_a_setting() -> None:
    calls = [fail(minutes_ago=8), fail(minutes_ago=7)]
    assert loop_flag(calls, 3) is None
    assert loop_flag(calls, 2) is not None


def test_a_success_after_the_run_clears_it() -> None:
    run = [fail(minutes_ago=8), fail(minutes_ago=7), fail(minutes_ago=6)]
    assert loop_flag(run) is not None
    assert loop_flag([*run, ok(minutes_ago=5)]) is None


def test_a_running_call_neither_extends_nor_ends_the_run() -> None:
    run = [fail(minutes_ago=8), fail(minutes_ago=7), CallRow("Read", "cccc", at(6.5), None), fail(minutes_ago=6)]
    assert loop_flag(run) is not None


def test_different_inputs_failing_with_different_errors_are_no_loop() -> None:
    calls = [fail(h="a1", error="e1", minutes_ago=8), fail(h="a2", error="e2", minutes_ago=7),
             fail(h="a3", error="e3", minutes_ago=6)]
    assert loop_flag(calls) is None


def test_the_same_error_from_different_calls_is_a_loop() -> None:
    calls = [fail(h="a1", minutes_ago=8, error="ModuleNotFoundError: x"), fail(h="a2", minutes_ago=7, error="ModuleNotFoundError: x"),
             fail("Edit", "a3", minutes_ago=6, error="ModuleNotFoundError: x")]
    flag = loop_flag(calls)
    assert flag is not None and "the same error 3 times in a row" in flag.detail and flag.since == at(8)


def test_an_unknown_hash_and_empty_error_never_make_a_run() -> None:
    assert loop_flag([fail(h="", error="", minutes_ago=m) for m in (8, 7, 6, 5)]) is None


def test_threads_are_separate_a_subagent_success_does_not_clear_the_main_thread() -> None:
    main = [fail(minutes_ago=8), fail(minutes_ago=7), fail(minutes_ago=6)]
    flag = loop_flag([*main, ok(minutes_ago=5, agent="a123")])
    assert flag is not None and not flag.detail.startswith("subagent")
    interleaved = [fail(minutes_ago=8), fail(minutes_ago=7.5, agent="a1"), fail(minutes_ago=7), fail(minutes_ago=6)]
    assert loop_flag(interleaved) is not None
    sub = loop_flag([fail(minutes_ago=m, agent="a9f") for m in (8, 7, 6)])
    assert sub is not None and sub.detail.startswith("subagent a9f:")


# ---- stall ----


def session(state: str = "thinking", minutes_ago: float = 11, sid: str = "s1", title: str = "T", parent: str = "") -> LiveSession:
    return LiveSession(sid, title, state, at(minutes_ago), parent)


def test_a_working_session_quiet_longer_than_the_setting_is_stalled_since_its_last_activity() -> None:
    flag = stall_flag(session("tool", 11), [], NOW, 600)
    assert flag is not None and flag.kind == "stall" and flag.since == at(11)
    assert "no transcript activity for 11m while tool" in flag.detail


def test_quiet_for_less_than_the_setting_or_idle_or_ended_is_no_stall() -> None:
    assert stall_flag(session("thinking", 9), [], NOW, 600) is None
    assert stall_flag(session("idle", 20), [], NOW, 600) is None
    assert stall_flag(session("ended", 20), [], NOW, 600) is None
    assert stall_flag(session("thinking", 9), [], NOW, 500) is not None


def test_an_unanswered_request_older_than_the_setting_stalls_even_an_active_session() -> None:
    requests = [PendingRequest("s1", at(12), "Bash", "rm -rf build"), PendingRequest("other", at(30), "Bash", "x")]
    flag = stall_flag(session("idle", 1), requests, NOW, 600)
    assert flag is not None and flag.since == at(12)
    assert "approval request for Bash unanswered for 12m: rm -rf build" in flag.detail
    assert stall_flag(session("idle", 1), [PendingRequest("s1", at(2), "Bash", "x")], NOW, 600) is None


# ---- conflict ----


def test_two_sessions_editing_one_file_in_the_window_conflict_on_both_naming_the_other() -> None:
    sessions = {"s1": session(sid="s1aaaaaaaa", title="parser work"), "s2": session(sid="s2bbbbbbbb", title="cli flag")}
    sessions = {s.session_id: s for s in sessions.values()}
    edits = [FileEdit("s1aaaaaaaa", "/r/src/p.py", at(20)), FileEdit("s2bbbbbbbb", "/r/src/p.py", at(5)),
             FileEdit("s2bbbbbbbb", "/r/src/other.py", at(4))]
    flags = conflict_flags(sessions, edits, NOW, 1800)
    assert set(flags) == {"s1aaaaaaaa", "s2bbbbbbbb"}
    assert flags["s1aaaaaaaa"].detail == "/r/src/p.py also edited by s2bbbbbb (cli flag)"
    assert flags["s2bbbbbbbb"].detail == "/r/src/p.py also edited by s1aaaaaa (parser work)"
    assert flags["s1aaaaaaaa"].since == at(5) == flags["s2bbbbbbbb"].since


def test_edits_outside_the_window_different_files_or_one_session_are_no_conflict() -> None:
    sessions = {s.session_id: s for s in (session(sid="a"), session(sid="b"))}
    assert conflict_flags(sessions, [FileEdit("a", "/f", at(40)), FileEdit("b", "/f", at(5))], NOW, 1800) == {}
    assert conflict_flags(sessions, [FileEdit("a", "/f", at(40)), FileEdit("b", "/f", at(5))], NOW, 3000) != {}
    assert conflict_flags(sessions, [FileEdit("a", "/f", at(4)), FileEdit("b", "/g", at(5))], NOW, 1800) == {}
    assert conflict_flags(sessions, [FileEdit("a", "/f", at(4)), FileEdit("a", "/f", at(5))], NOW, 1800) == {}
    # a session that is not live does not count
    assert conflict_flags(sessions, [FileEdit("a", "/f", at(4)), FileEdit("gone", "/f", at(5))], NOW, 1800) == {}


def test_a_codex_sub_thread_and_its_parent_do_not_conflict() -> None:
    sessions = {s.session_id: s for s in (session(sid="p"), session(sid="c", parent="p"))}
    assert conflict_flags(sessions, [FileEdit("p", "/f", at(4)), FileEdit("c", "/f", at(5))], NOW, 1800) == {}


# ---- together ----


def test_evaluate_lists_every_live_session_and_nothing_on_a_healthy_one() -> None:
    sessions = [session("thinking", 11, "sick"), session("thinking", 0.5, "fine")]
    calls = {"sick": [fail(minutes_ago=m) for m in (15, 14, 13)], "fine": [ok(), fail(), ok()]}
    health = evaluate(sessions, calls, [], [], NOW, HealthRules())
    assert [f.kind for f in health["sick"]] == ["loop", "stall"]
    assert health["fine"] == ()


def test_changes_report_a_condition_once_when_it_starts_and_once_when_it_ends() -> None:
    loop = HealthFlag("loop", at(8), "Bash failed 3 times")
    worse = HealthFlag("loop", at(8), "Bash failed 4 times")
    assert changes({}, {"s": (loop,)}) == ([("s", loop)], [])
    assert changes({"s": (loop,)}, {"s": (worse,)}) == ([], [])
    assert changes({"s": (worse,)}, {"s": ()}) == ([], [("s", worse)])
    assert loop.key("s") == "health:loop:s"
    assert marker((loop, HealthFlag("conflict", at(1), "x"))) == "loop conflict"
