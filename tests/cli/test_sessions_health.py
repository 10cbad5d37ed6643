"""`cockpit sessions --json` flags loop, stall and conflict on generated live sessions (and nothing on a healthy
one), and nests Codex sub-threads under their parent: real-format Claude and Codex lines written into temp dirs,
run through the real entry point."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cockpit.cli import main

CWD = "/home/dev/proj"


def ago(minutes: float) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class ClaudeSession:
    """Lines of one Claude Code transcript, as Claude Code 2.1 writes them."""

    def __init__(self, root: Path, sid: str) -> None:
        self.sid = sid
        self.path = root / "projects" / "-home-dev-proj" / f"{sid}.jsonl"
        self.n = 0

    def _line(self, kind: str, ts: str, message: dict[str, Any], **extra: Any) -> dict[str, Any]:
        self.n += 1
        return {"type": kind, "sessionId": self.sid, "uuid": f"{self.sid[:4]}-{self.n}", "isSidechain": False,
                "cwd": CWD, "version": "2.1.39", "gitBranch": "main", "timestamp": ts, "message": message, **extra}

    def prompt(self, text: str, minutes_ago: float) -> dict[str, Any]:
        return self._line("user", ago(minutes_ago), {"role": "user", "content": text})

    def assistant(self, content: list[dict[str, Any]], minutes_ago: float, stop: str | None = None) -> dict[str, Any]:
        self.n += 1
        usage = {"input_tokens": 3, "output_tokens": 40, "cache_creation_input_tokens": 200,
                 "cache_read_input_tokens": 20_000}
        msg = {"model": "claude-opus-4-6", "id": f"msg_{self.sid[:4]}_{self.n}", "type": "message",
               "role": "assistant", "content": content, "stop_reason": stop, "usage": usage}
        return self._line("assistant", ago(minutes_ago), msg, requestId=f"req_{self.sid[:4]}_{self.n}")

    def tool(self, name: str, tool_input: dict[str, Any], minutes_ago: float, *, error: str | None = None,
             result: str = "ok", answered: bool = True) -> list[dict[str, Any]]:
        tool_id = f"toolu_{self.sid[:4]}{self.n:04d}"
        lines = [self.assistant([{"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}],
                                minutes_ago, "tool_use")]
        if answered:
            block = {"type": "tool_result", "tool_use_id": tool_id, "content": error if error is not None else result,
                     "is_error": error is not None}
            lines.append(self._line("user", ago(minutes_ago - 0.1), {"role": "user", "content": [block]},
                                    toolUseResult=f"Error: {error}" if error is not None else {"stdout": result}))
        return lines

    def write(self, lines: list[dict[str, Any]], mode: str = "w") -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, mode, encoding="utf-8") as handle:
            handle.writelines(json.dumps(obj) + "\n" for obj in lines)


def codex_rollout(root: Path, sid: str, start_minutes_ago: float, *, patch: str | None = None,
                  parent: str | None = None, cwd: str = CWD) -> Path:
    """A Codex 0.104 rollout: one turn, optionally one apply_patch call (custom tool) changing `patch`."""
    start = datetime.now(UTC) - timedelta(minutes=start_minutes_ago)
    folder = root / "sessions" / f"{start:%Y}" / f"{start:%m}" / f"{start:%d}"
    path = folder / f"rollout-{start:%Y-%m-%dT%H-%M-%S}-{sid}.jsonl"
    ts = ago(start_minutes_ago)
    source: Any = "cli" if parent is None else {"subagent": {"thread_spawn": {"parent_thread_id": parent, "depth": 1}}}
    lines: list[dict[str, Any]] = [
        {"timestamp": ts, "type": "session_meta", "payload": {
            "id": sid, "timestamp": ts, "cwd": cwd, "originator": "codex_cli_rs", "cli_version": "0.104.0",
            "source": source, "model_provider": "openai"}},
        {"timestamp": ts, "type": "turn_context", "payload": {"turn_id": "t1", "cwd": cwd, "model": "gpt-5.3-codex"}},
        {"timestamp": ts, "type": "event_msg", "payload": {"type": "task_started", "turn_id": "t1"}},
        {"timestamp": ts, "type": "event_msg", "payload": {"type": "user_message", "message": "add the json flag"}},
    ]
    later = ago(start_minutes_ago - 0.5)
    if patch is not None:
        text = f"*** Begin Patch\n*** Update File: {patch}\n@@\n-old\n+new\n*** End Patch"
        lines += [
            {"timestamp": later, "type": "response_item", "payload": {
                "type": "custom_tool_call", "status": "completed", "call_id": f"call_{sid[-6:]}", "name": "apply_patch",
                "input": text}},
            {"timestamp": later, "type": "response_item", "payload": {
                "type": "custom_tool_call_output", "call_id": f"call_{sid[-6:]}",
                "output": json.dumps({"output": "Success. Updated the following files:\nM " + patch,
                                      "metadata": {"exit_code": 0, "duration_seconds": 0.1}})}},
        ]
    usage = {"input_tokens": 9000, "cached_input_tokens": 0, "output_tokens": 100, "reasoning_output_tokens": 0,
             "total_tokens": 9100}
    lines += [
        {"timestamp": later, "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": usage, "last_token_usage": usage, "model_context_window": 258_400}}},
        {"timestamp": later, "type": "event_msg", "payload": {"type": "agent_message", "message": "working on it"}},
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(obj) + "\n" for obj in lines), encoding="utf-8")
    return path


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    claude, codex = tmp_path / "claude", tmp_path / "codex"
    (claude / "projects").mkdir(parents=True)
    (codex / "sessions").mkdir(parents=True)
    return {"claude": claude, "codex": codex, "db": tmp_path / "cockpit.db", "config": tmp_path / "config.toml"}


def sessions(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    code = main(["sessions", "--json", "--db", str(dirs["db"]), "--claude-dir", str(dirs["claude"]),
                 "--codex-dir", str(dirs["codex"]), "--config", str(dirs["config"]), *extra])
    assert code == 0
    return json.loads(capsys.readouterr().out)


def by_id(listing: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {s["session_id"]: s for s in listing}


LOOPING = "11111111-1111-4111-8111-111111111111"
HEALTHY = "22222222-2222-4222-8222-222222222222"
STALLED = "33333333-3333-4333-8333-333333333333"
EDITOR = "44444444-4444-4444-8444-444444444444"
CODEX = "019c0000-0000-7000-8000-0000000000a1"
CHILD = "019c0000-0000-7000-8000-0000000000b2"
OTHER = "019c0000-0000-7000-8000-0000000000c3"


def healthy_session(root: Path) -> ClaudeSession:
    s = ClaudeSession(root, HEALTHY)
    lines = [s.prompt("read the parser", 4)]
    lines += s.tool("Read", {"file_path": f"{CWD}/src/parser.py"}, 3.5)
    lines += s.tool("Bash", {"command": "pytest -q"}, 3, error="Exit code 1\nE assert 1 == 2")
    lines += s.tool("Bash", {"command": "pytest -q tests/test_parser.py"}, 2.5)
    lines.append(s.assistant([{"type": "text", "text": "thinking about it"}], 0.5))
    s.write(lines)
    return s


def test_three_identical_failing_calls_flag_a_loop_and_a_success_clears_it(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    healthy_session(dirs["claude"])
    s = ClaudeSession(dirs["claude"], LOOPING)
    lines = [s.prompt("make the build pass", 6)]
    first = len(lines)
    for minutes in (5, 4, 3):
        lines += s.tool("Bash", {"command": "make build", "description": "Build"}, minutes,
                        error="Exit code 2\nmake: *** No rule to make target 'build'.  Stop.")
    lines.append(s.assistant([{"type": "text", "text": "Let me try again."}], 1))
    s.write(lines)
    listing = by_id(sessions(dirs, capsys))
    assert listing[HEALTHY]["health"] == []
    flags = listing[LOOPING]["health"]
    assert [f["kind"] for f in flags] == ["loop"]
    assert flags[0]["since"] == lines[first]["timestamp"]  # the first failing call of the run
    assert "Bash failed 3 times in a row with the same input" in flags[0]["detail"]
    assert "No rule to make target" in flags[0]["detail"]

    # A different call that succeeds ends the run.
    s.write(s.tool("Read", {"file_path": f"{CWD}/Makefile"}, 0.5), mode="a")
    assert by_id(sessions(dirs, capsys))[LOOPING]["health"] == []


def test_the_same_error_text_repeating_is_a_loop_and_the_count_is_a_setting(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    s = ClaudeSession(dirs["claude"], LOOPING)
    lines = [s.prompt("fix the import", 6)]
    for minutes, command in ((5, "python -m app"), (4, "python3 -m app")):
        lines += s.tool("Bash", {"command": command}, minutes, error="ModuleNotFoundError: No module named 'app'")
    lines.append(s.assistant([{"type": "text", "text": "Hmm."}], 1))
    s.write(lines)
    assert by_id(sessions(dirs, capsys))[LOOPING]["health"] == []  # two in a row: not yet (default 3)
    dirs["config"].write_text("[health]\nloop_repeats = 2\n", encoding="utf-8")
    flags = by_id(sessions(dirs, capsys))[LOOPING]["health"]
    assert [f["kind"] for f in flags] == ["loop"] and "the same error 2 times in a row" in flags[0]["detail"]


def test_a_working_session_quiet_past_stall_after_is_stalled_and_an_idle_one_is_not(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    s = ClaudeSession(dirs["claude"], STALLED)
    lines = [s.prompt("run the migration", 16)]
    lines += s.tool("Bash", {"command": "./migrate.sh"}, 15, answered=False)  # the tool never returned
    s.write(lines)
    idle = ClaudeSession(dirs["claude"], HEALTHY)
    done = [idle.prompt("hello", 21), idle.assistant([{"type": "text", "text": "Hi."}], 20, "end_turn"),
            {"type": "system", "subtype": "turn_duration", "durationMs": 900, "sessionId": HEALTHY, "cwd": CWD,
             "uuid": "sys-1", "isSidechain": False, "timestamp": ago(20)}]
    idle.write(done)
    listing = by_id(sessions(dirs, capsys))
    assert listing[HEALTHY]["state"] == "idle" and listing[HEALTHY]["health"] == []
    flags = listing[STALLED]["health"]
    assert [f["kind"] for f in flags] == ["stall"]
    assert flags[0]["since"] == lines[-1]["timestamp"]
    assert "no transcript activity for 15m while tool" in flags[0]["detail"]
    # The threshold is the user's [health] stall_after (seconds).
    dirs["config"].write_text("[health]\nstall_after = 1200\n", encoding="utf-8")
    assert by_id(sessions(dirs, capsys))[STALLED]["health"] == []


def test_an_approval_request_nobody_answers_stalls_its_session(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.store import approvals
    from cockpit.store.db import connect

    healthy_session(dirs["claude"])
    assert by_id(sessions(dirs, capsys))[HEALTHY]["health"] == []
    conn = connect(dirs["db"])
    try:
        approvals.create(conn, {
            "agent": "claude", "event": "PermissionRequest", "session_id": HEALTHY, "cwd": CWD,
            "tool_name": "Bash", "tool_input": json.dumps({"command": "rm -rf build"}), "input_hash": "ab" * 8,
            "summary": "rm -rf build", "received_at": ago(12), "hook_pid": os.getpid(),
        })
    finally:
        conn.close()
    flags = by_id(sessions(dirs, capsys))[HEALTHY]["health"]
    assert [f["kind"] for f in flags] == ["stall"]
    assert "approval request for Bash unanswered for 12m: rm -rf build" in flags[0]["detail"]


def test_two_live_sessions_editing_one_file_conflict_on_both_naming_each_other(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    s = ClaudeSession(dirs["claude"], EDITOR)
    lines = [s.prompt("support the 2026 layout", 8)]
    lines += s.tool("Edit", {"file_path": f"{CWD}/src/cli.py", "old_string": "a", "new_string": "b"}, 6)
    lines.append(s.assistant([{"type": "text", "text": "Edited."}], 5))
    s.write(lines)
    codex_rollout(dirs["codex"], CODEX, 4, patch="src/cli.py")
    codex_rollout(dirs["codex"], OTHER, 3, patch="README.md")
    healthy_session(dirs["claude"])
    listing = by_id(sessions(dirs, capsys))
    mine, theirs = listing[EDITOR]["health"], listing[CODEX]["health"]
    assert [f["kind"] for f in mine] == ["conflict"] and [f["kind"] for f in theirs] == ["conflict"]
    assert mine[0]["detail"] == f"src/cli.py also edited by {CODEX[:8]} (add the json flag)"
    assert theirs[0]["detail"].startswith(f"src/cli.py also edited by {EDITOR[:8]} (")
    assert mine[0]["since"] == theirs[0]["since"]  # from the moment both had touched it
    assert listing[OTHER]["health"] == [] and listing[HEALTHY]["health"] == []
    # Outside the window it is history, not a conflict.
    dirs["config"].write_text("[health]\nconflict_window = 60\n", encoding="utf-8")
    assert all(not s["health"] for s in sessions(dirs, capsys))


def test_codex_sub_threads_are_nested_under_their_parent(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    codex_rollout(dirs["codex"], CODEX, 5)
    codex_rollout(dirs["codex"], CHILD, 4, parent=CODEX)
    listing = sessions(dirs, capsys)
    assert [s["session_id"] for s in listing] == [CODEX]
    parent = listing[0]
    assert parent["parent_session_id"] == "" and parent["health"] == []
    assert [t["session_id"] for t in parent["threads"]] == [CHILD]
    child = parent["threads"][0]
    assert child["parent_session_id"] == CODEX and child["threads"] == [] and "usage" in child

    capsys.readouterr()
    assert main(["sessions", "--db", str(dirs["db"]), "--claude-dir", str(dirs["claude"]),
                 "--codex-dir", str(dirs["codex"]), "--config", str(dirs["config"])]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 2 and CODEX[:8] in text[0] and text[1].startswith("  └ codex  " + CHILD[:8])


def test_the_text_listing_marks_a_flag_in_words(dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    s = ClaudeSession(dirs["claude"], STALLED)
    s.write([s.prompt("[bold red]go[/]", 16), *s.tool("Bash", {"command": "sleep 999"}, 15, answered=False)])
    capsys.readouterr()
    assert main(["sessions", "--db", str(dirs["db"]), "--claude-dir", str(dirs["claude"]),
                 "--codex-dir", str(dirs["codex"]), "--config", str(dirs["config"])]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("  ! stall")
    assert lines[1].startswith("    ! stall since ") and "no transcript activity" in lines[1]


def test_a_bad_health_setting_is_named_and_the_default_kept(
        dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.config.settings import load_settings

    dirs["config"].write_text("[health]\nstall_after = -5\nloop_repeats = 'x'\nbogus = 1\n", encoding="utf-8")
    settings = load_settings(dirs["config"])
    assert settings.health.stall_after == 600 and settings.health.loop_repeats == 3
    joined = "\n".join(settings.errors)
    assert "health.stall_after" in joined and "health.loop_repeats" in joined and "health.bogus" in joined
