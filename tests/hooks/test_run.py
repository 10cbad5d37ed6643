"""The hook commands as the agent runs them: a subprocess, JSON on stdin, JSON (or nothing) on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cockpit.store import approvals
from cockpit.store.db import connect

PUSH = {"command": "git push origin main", "description": "Push to remote"}

# What Codex 0.171.0 accepts from a command hook, read with `strings` in its binary
# node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex (npm @openai/codex@0.171.0):
# the embedded JSON schemas "pre-tool-use.command.output" and "permission-request.command.output"
# (additionalProperties: false at every level) and the parser's messages "PreToolUse hook returned
# unsupported permissionDecision:allow", "... unsupported permissionDecision:ask", "PreToolUse hook
# returned permissionDecision:deny without a non-empty permissionDecisionReason", "PermissionRequest hook
# returned unsupported interrupt:true / updatedInput / updatedPermissions".
CODEX_OUTPUT_KEYS = {"continue", "stopReason", "suppressOutput", "systemMessage", "hookSpecificOutput"}
CODEX_PRETOOL_OUTPUT_KEYS = CODEX_OUTPUT_KEYS | {"decision", "reason"}
CODEX_PRETOOL_SPECIFIC_KEYS = {"hookEventName", "permissionDecision", "permissionDecisionReason", "updatedInput",
                               "additionalContext"}
CODEX_PRETOOL_HONOURED_DECISIONS = {"deny"}  # the schema's enum is allow|deny|ask; allow and ask are unsupported
CODEX_PERMISSION_SPECIFIC_KEYS = {"hookEventName", "decision"}
CODEX_PERMISSION_DECISION_KEYS = {"behavior", "message"}  # interrupt/updatedInput/updatedPermissions fail closed
CODEX_PERMISSION_BEHAVIORS = {"allow", "deny"}


def codex_pre_tool_use_answer(out: str) -> dict | None:
    """The hook's PreToolUse answer, checked against what Codex honours; None for no output."""
    if not out.strip():
        return None
    body = json.loads(out)
    assert set(body) <= CODEX_PRETOOL_OUTPUT_KEYS
    specific = body["hookSpecificOutput"]
    assert set(specific) <= CODEX_PRETOOL_SPECIFIC_KEYS and specific["hookEventName"] == "PreToolUse"
    assert specific["permissionDecision"] in CODEX_PRETOOL_HONOURED_DECISIONS
    assert specific["permissionDecisionReason"].strip()
    return specific


def codex_permission_answer(out: str) -> dict | None:
    """The hook's PermissionRequest answer, checked against Codex's schema; None for no output."""
    if not out.strip():
        return None
    body = json.loads(out)
    assert set(body) <= CODEX_OUTPUT_KEYS
    specific = body["hookSpecificOutput"]
    assert set(specific) <= CODEX_PERMISSION_SPECIFIC_KEYS and specific["hookEventName"] == "PermissionRequest"
    decision = specific["decision"]
    assert set(decision) <= CODEX_PERMISSION_DECISION_KEYS and decision["behavior"] in CODEX_PERMISSION_BEHAVIORS
    return decision


def codex_payload(event: str, tool_input=PUSH, **extra):
    """What Codex 0.171 sends: its shell tools (exec_command, shell_command) as `Bash`, plus turn_id and model."""
    body = payload(event, tool_input=tool_input, turn_id="turn-1", model="gpt-5", **extra)
    return body


def payload(event: str, session: str = "s-1", tool_input=PUSH, tool_name: str = "Bash", cwd: str = "/tmp", **extra):
    body = {"session_id": session, "transcript_path": f"/tmp/{session}.jsonl", "cwd": cwd, "hook_event_name": event,
            "permission_mode": "default", "tool_name": tool_name, "tool_input": tool_input}
    body.update(extra)
    return body


def start_hook(db: Path, kind: str, body, agent: str = "claude", *extra: str, cwd: Path | None = None):
    raw = body if isinstance(body, str) else json.dumps(body)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cockpit", "hook", agent, kind, "--db", str(db), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd or db.parent,
    )
    proc.stdin.write(raw)
    proc.stdin.close()
    return proc


def finish(proc, timeout: float = 20.0) -> tuple[str, str, int]:
    out = proc.stdout.read()
    err = proc.stderr.read()
    return out, err, proc.wait(timeout)


class Cockpit:
    """A stand-in for a running cockpit: it beats, and answers when told. With `pid`, its presence
    row names that process (kill it to play a cockpit that died)."""

    def __init__(self, db: Path, pid: int | None = None) -> None:
        self.db = db
        self.pid = pid
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        conn = connect(self.db)
        while not self.stop.is_set():
            approvals.beat(conn, pid=self.pid)
            self.stop.wait(0.3)
        conn.close()

    def __enter__(self) -> Cockpit:
        conn = connect(self.db)
        approvals.beat(conn, pid=self.pid)
        conn.close()
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()

    def wait_pending(self, count: int = 1, seconds: float = 10.0) -> list[approvals.Request]:
        conn = connect(self.db)
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                found = approvals.pending(conn)
                if len(found) >= count:
                    return found
                time.sleep(0.02)
            raise AssertionError(f"{count} pending request(s) never arrived")
        finally:
            conn.close()

    def decide(self, request: approvals.Request, decision: str, **kwargs) -> bool:
        conn = connect(self.db)
        try:
            return approvals.decide(conn, request.id, request.input_hash, decision, **kwargs)
        finally:
            conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cockpit.db"


def test_permission_request_allowed_in_the_cockpit_prints_the_allow_json(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest"))
        (request,) = cockpit.wait_pending()
        assert request.policy == "Bash(git push:*)" and request.summary == "git push origin main"
        assert cockpit.decide(request, "allow")
        out, _err, code = finish(proc)
    assert code == 0
    assert json.loads(out) == {"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": {"behavior": "allow"}}}


def test_permission_request_denied_with_a_reason_passes_the_reason(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest"))
        (request,) = cockpit.wait_pending()
        cockpit.decide(request, "deny", reason="open a PR instead")
        out, _err, code = finish(proc)
    assert code == 0
    decision = json.loads(out)["hookSpecificOutput"]["decision"]
    assert decision == {"behavior": "deny", "message": "open a PR instead"}


def test_session_wide_allow_answers_the_next_request_at_once(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest", session="s-7"))
        (request,) = cockpit.wait_pending()
        cockpit.decide(request, "allow", allow_rule_for_session=True)
        finish(proc)
        again = payload("PermissionRequest", session="s-7", tool_input={"command": "git push origin feature"})
        out, _err, _code = finish(start_hook(db, "permission-request", again))
        assert json.loads(out)["hookSpecificOutput"]["decision"]["behavior"] == "allow"
        other = payload("PermissionRequest", session="s-8")
        proc = start_hook(db, "permission-request", other)
        (waiting,) = cockpit.wait_pending()
        assert waiting.session_id == "s-8"
        cockpit.decide(waiting, "deny")
        finish(proc)
    conn = connect(db)
    rows = conn.execute("SELECT session_id, decided_by FROM approvals ORDER BY id").fetchall()
    assert rows == [("s-7", "cockpit-key"), ("s-7", approvals.SESSION_RULE), ("s-8", "cockpit-key")]


def test_three_sessions_waiting_at_once_each_get_their_own_answer(db: Path) -> None:
    with Cockpit(db) as cockpit:
        procs = {s: start_hook(db, "permission-request", payload("PermissionRequest", session=s)) for s in ("a", "b", "c")}
        waiting = {r.session_id: r for r in cockpit.wait_pending(3)}
        cockpit.decide(waiting["a"], "allow")
        cockpit.decide(waiting["b"], "deny", reason="b no")
        cockpit.decide(waiting["c"], "allow")
        answers = {s: json.loads(finish(p)[0])["hookSpecificOutput"]["decision"] for s, p in procs.items()}
    assert answers == {"a": {"behavior": "allow"}, "b": {"behavior": "deny", "message": "b no"}, "c": {"behavior": "allow"}}


def test_no_cockpit_means_no_decision_at_once(db: Path) -> None:
    started = time.monotonic()
    out, _err, code = finish(start_hook(db, "permission-request", payload("PermissionRequest")))
    assert (out, code) == ("", 0)
    assert time.monotonic() - started < 5
    conn = connect(db)
    assert conn.execute("SELECT status, decided_by FROM approvals").fetchall() == [(approvals.NO_COCKPIT, "no-cockpit")]


def test_cockpit_killed_while_a_hook_waits_gives_the_fail_safe_answer(db: Path) -> None:
    dashboard = subprocess.Popen(["sleep", "60"])
    with Cockpit(db, pid=dashboard.pid) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest"))
        cockpit.wait_pending()
        # The cockpit's process dies; its presence row is still fresh, but its pid is dead.
        dashboard.kill()
        dashboard.wait()
        started = time.monotonic()
        out, _err, code = finish(proc, timeout=15)
    # At once, not after the beat goes stale: the hook lets the terminal dialog decide.
    assert (out, code) == ("", 0)
    assert time.monotonic() - started < 2
    conn = connect(db)
    assert conn.execute("SELECT status FROM approvals").fetchone()[0] == approvals.NO_COCKPIT


def test_a_silent_cockpit_stops_counting_once_its_beat_is_stale(db: Path) -> None:
    conn = connect(db)
    approvals.beat(conn)
    assert approvals.cockpit_alive(conn)
    conn.execute("UPDATE heartbeat SET beat_at = beat_at - ?", (approvals.HEARTBEAT_STALE_SECONDS + 1,))
    assert not approvals.cockpit_alive(conn)


def test_a_request_survives_a_cockpit_restart(db: Path) -> None:
    proc = None
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest"))
        (request,) = cockpit.wait_pending()
    # A new cockpit comes up before the old beat goes stale: the request is still there to answer.
    with Cockpit(db) as again:
        (still,) = again.wait_pending()
        assert still.id == request.id
        again.decide(still, "allow")
        out, _err, _code = finish(proc)
    assert json.loads(out)["hookSpecificOutput"]["decision"]["behavior"] == "allow"


def test_timeout_answers_before_the_agent_would_kill_the_hook(db: Path) -> None:
    with Cockpit(db):
        started = time.monotonic()
        # --timeout 6 leaves 1 s of waiting after the 5 s safety margin.
        proc = start_hook(db, "pre-tool-use", payload("PreToolUse", tool_use_id="toolu_1"), "claude", "--timeout", "6")
        out, _err, code = finish(proc)
    assert time.monotonic() - started < 6
    body = json.loads(out)["hookSpecificOutput"]
    assert (body["hookEventName"], body["permissionDecision"]) == ("PreToolUse", "ask")
    conn = connect(db)
    assert conn.execute("SELECT status, decided_by FROM approvals").fetchone() == (approvals.EXPIRED, "timeout")


def test_pre_tool_use_that_is_not_critical_returns_nothing_and_touches_no_database(db: Path) -> None:
    body = payload("PreToolUse", tool_input={"command": "pytest -q"}, tool_use_id="toolu_2")
    out, err, code = finish(start_hook(db, "pre-tool-use", body))
    assert (out, err, code) == ("", "", 0)
    assert not db.exists()


def test_critical_pre_tool_use_without_cockpit_asks_or_denies_as_configured(db: Path, tmp_path: Path) -> None:
    body = payload("PreToolUse", tool_use_id="toolu_3", cwd=str(tmp_path))
    out, _err, _code = finish(start_hook(db, "pre-tool-use", body))
    decision = json.loads(out)["hookSpecificOutput"]
    assert decision["permissionDecision"] == "ask" and "no cockpit is running" in decision["permissionDecisionReason"]
    (tmp_path / ".git").mkdir()
    (tmp_path / "cockpit.toml").write_text('[approvals]\non_no_cockpit = "deny"\n')
    out, _err, _code = finish(start_hook(db, "pre-tool-use", body))
    assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_critical_pre_tool_use_waits_for_the_cockpit(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "pre-tool-use", payload("PreToolUse", tool_use_id="toolu_4"))
        (request,) = cockpit.wait_pending()
        assert request.tool_use_id == "toolu_4" and request.event == "PreToolUse"
        cockpit.decide(request, "deny", reason="not on main")
        out, _err, _code = finish(proc)
    body = json.loads(out)["hookSpecificOutput"]
    assert (body["permissionDecision"], body["permissionDecisionReason"]) == ("deny", "not on main")


def test_codex_permission_request_uses_the_same_decision_shape(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", payload("PermissionRequest", tool_input={"command": ["git", "push"]}),
                          "codex")
        (request,) = cockpit.wait_pending()
        assert request.agent == "codex" and request.summary == "git push"
        cockpit.decide(request, "allow")
        out, _err, _code = finish(proc)
        assert codex_permission_answer(out) == {"behavior": "allow"}
        proc = start_hook(db, "permission-request", codex_payload("PermissionRequest"), "codex")
        (request,) = cockpit.wait_pending()
        cockpit.decide(request, "deny", reason="not from the agent")
        out, _err, _code = finish(proc)
        assert codex_permission_answer(out) == {"behavior": "deny", "message": "not from the agent"}
    # No cockpit: no decision, and Codex's own approval prompt asks.
    out, _err, code = finish(start_hook(db, "permission-request", codex_payload("PermissionRequest"), "codex"))
    assert (codex_permission_answer(out), code) == (None, 0)


def test_codex_critical_pre_tool_use_without_cockpit_is_denied_with_a_way_forward(db: Path, tmp_path: Path) -> None:
    body = codex_payload("PreToolUse", tool_use_id="call_1", cwd=str(tmp_path))
    out, _err, code = finish(start_hook(db, "pre-tool-use", body, "codex"))
    answer = codex_pre_tool_use_answer(out)
    assert code == 0 and answer is not None
    reason = answer["permissionDecisionReason"]
    assert "git push origin main (push) needs a human's approval" in reason and "no cockpit is running" in reason
    assert reason.endswith("ask the user to approve it in cockpit, then retry")
    # `ask` configured for Claude changes nothing: Codex would ignore an ask and run the push.
    (tmp_path / ".git").mkdir()
    (tmp_path / "cockpit.toml").write_text('[approvals]\non_no_cockpit = "ask"\n')
    out, _err, _code = finish(start_hook(db, "pre-tool-use", body, "codex"))
    assert codex_pre_tool_use_answer(out)["permissionDecision"] == "deny"


def test_codex_pre_tool_use_the_human_allows_proceeds_without_output(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "pre-tool-use", codex_payload("PreToolUse", tool_use_id="call_2"), "codex")
        (request,) = cockpit.wait_pending()
        assert request.agent == "codex" and request.tool_name == "Bash"
        cockpit.decide(request, "allow", allow_rule_for_session=True)
        out, err, code = finish(proc)
        assert (codex_pre_tool_use_answer(out), code) == (None, 0), err
        # The rule allowed for the session: the next push proceeds at once, still without output.
        again = codex_payload("PreToolUse", tool_input={"command": "git push origin feature"}, tool_use_id="call_3")
        out, _err, code = finish(start_hook(db, "pre-tool-use", again, "codex"))
        assert (out, code) == ("", 0)


def test_codex_pre_tool_use_the_human_denies_is_denied_with_the_reason(db: Path) -> None:
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "pre-tool-use", codex_payload("PreToolUse", tool_use_id="call_4"), "codex")
        (request,) = cockpit.wait_pending()
        cockpit.decide(request, "deny", reason="open a PR instead")
        out, _err, _code = finish(proc)
    assert codex_pre_tool_use_answer(out)["permissionDecisionReason"] == "open a PR instead"
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "pre-tool-use", codex_payload("PreToolUse", tool_use_id="call_5"), "codex")
        cockpit.decide(cockpit.wait_pending()[0], "deny")
        out, _err, _code = finish(proc)
    assert codex_pre_tool_use_answer(out)["permissionDecisionReason"] == "cockpit: denied by the human"


def test_codex_pre_tool_use_unanswered_is_denied_before_the_timeout(db: Path) -> None:
    with Cockpit(db):
        started = time.monotonic()
        proc = start_hook(db, "pre-tool-use", codex_payload("PreToolUse", tool_use_id="call_6"), "codex",
                          "--timeout", "6")
        out, _err, _code = finish(proc)
    assert time.monotonic() - started < 6
    reason = codex_pre_tool_use_answer(out)["permissionDecisionReason"]
    assert "not answered in cockpit in time" in reason and "then retry" in reason


def test_codex_shell_and_patch_tool_names_are_known() -> None:
    from cockpit.core.tools import CODEX_SHELL_TOOLS, SHELL_TOOLS

    # Codex 0.171 names every shell call `Bash` in hook payloads (exec_command and shell_command alike).
    assert "Bash" in CODEX_SHELL_TOOLS and {"exec_command", "shell_command"} <= CODEX_SHELL_TOOLS
    assert "apply_patch" not in SHELL_TOOLS  # a patch is a file change, not a command line


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '{"truncated": '])
def test_malformed_stdin_gives_no_decision_and_exit_zero(db: Path, raw: str) -> None:
    out, err, code = finish(start_hook(db, "permission-request", raw))
    assert (out, code) == ("", 0)
    assert "no decision" in err


def test_event_hook_records_known_and_unknown_events(db: Path) -> None:
    for event in ("SessionStart", "PostToolUse", "SomeFutureEvent"):
        out, _err, code = finish(start_hook(db, "event", payload(event, tool_use_id="toolu_9")))
        assert (out, code) == ("", 0)
    conn = connect(db)
    assert [e for (e,) in conn.execute("SELECT event FROM hook_events ORDER BY id")] == [
        "SessionStart", "PostToolUse", "SomeFutureEvent"]


def test_unknown_hook_kind_is_refused_without_a_decision(db: Path) -> None:
    out, err, code = finish(start_hook(db, "post-everything", payload("SessionStart")))
    assert (out, code) == ("", 0) and "unknown hook" in err and "usage:" in err
    # A critical PreToolUse behind a misconfigured hook still gets the fail-safe answer, never exit 2.
    out, err, code = finish(start_hook(db, "post-everything", payload("PreToolUse")))
    body = json.loads(out)["hookSpecificOutput"]
    assert (body["permissionDecision"], code) == ("ask", 0)
    assert "unknown hook 'post-everything'" in body["permissionDecisionReason"] and "unknown hook" in err


def test_the_database_is_private_to_the_user(db: Path) -> None:
    finish(start_hook(db, "event", payload("SessionStart")))
    assert db.stat().st_mode & 0o077 == 0


def test_events_move_the_session_state_before_the_transcript_does(db: Path) -> None:
    conn = connect(db)
    conn.execute("INSERT INTO sessions (session_id, agent, state, state_at) VALUES ('s-1', 'claude', 'thinking',"
                 " '2026-01-01T00:00:00.000Z')")
    finish(start_hook(db, "event", payload("Stop")))
    assert conn.execute("SELECT state FROM sessions WHERE session_id = 's-1'").fetchone()[0] == "idle"
    finish(start_hook(db, "event", payload("Notification", notification_type="permission_prompt")))
    assert conn.execute("SELECT state FROM sessions WHERE session_id = 's-1'").fetchone()[0] == "waiting-approval"
    finish(start_hook(db, "event", payload("SessionEnd", reason="prompt_input_exit")))
    assert conn.execute("SELECT state, ended FROM sessions WHERE session_id = 's-1'").fetchone() == ("ended", 1)
