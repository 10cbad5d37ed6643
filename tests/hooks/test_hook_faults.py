"""The gate fails closed: every fault on the way to a decision, through the real entry point.

A critical PreToolUse (a rule matched) that meets any error afterwards gets the fail-safe answer
(Claude `ask`, Codex `deny`) with a one-line reason naming the error; a PermissionRequest gets no
decision (the agent's own dialog asks); nothing exits 2. Hooks that may wait run as subprocesses
(`python -m cockpit hook …`, what the agent starts); the rest call `cockpit.cli.main(["hook", …])`
in-process with stdin replaced.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from store_faults import record

from cockpit.cli import main as cockpit_main
from cockpit.services.inbox import InboxWatch
from cockpit.store import approvals
from cockpit.store.db import connect
from hooks.test_run import Cockpit, codex_pre_tool_use_answer, finish, payload, start_hook

PUSH_PRE = payload("PreToolUse", tool_use_id="toolu_f1")
SAFE_PRE = payload("PreToolUse", tool_input={"command": "pytest -q"}, tool_use_id="toolu_f2")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cockpit.db"


def decision_of(out: str) -> tuple[str, str]:
    body = json.loads(out)["hookSpecificOutput"]
    assert body["hookEventName"] == "PreToolUse"
    assert "\n" not in body["permissionDecisionReason"]
    return body["permissionDecision"], body["permissionDecisionReason"]


def run_in_process(monkeypatch, capsys, args: list[str], stdin: str | bytes) -> tuple[str, str, int]:
    """`cockpit hook …` in this process, stdin replaced (bytes go through a real binary buffer)."""
    if isinstance(stdin, bytes):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cockpit_main(["hook", *args])
    captured = capsys.readouterr()
    return captured.out, captured.err, code


def present(db: Path) -> None:
    """A fresh presence row of an answering cockpit (this test process), as a dashboard leaves it."""
    conn = connect(db)
    approvals.beat(conn, token="fault-test")
    conn.close()


class Locker:
    """Another connection holding the write lock (BEGIN EXCLUSIVE) until released."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(str(db), isolation_level=None, check_same_thread=False)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


# ---- the store ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_a_store_locked_longer_than_the_budget_gives_the_fail_safe_answer(db: Path, agent: str) -> None:
    present(db)  # a cockpit is there: without the lock the hook would wait for it
    locker = Locker(db)
    try:
        started = time.monotonic()
        # --timeout 7: a 2 s budget after the 5 s margin; the lock is held longer than that.
        out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE, agent, "--timeout", "7"))
        elapsed = time.monotonic() - started
    finally:
        locker.release()
    assert code == 0 and elapsed < 5, elapsed
    decision, reason = decision_of(out)
    assert decision == ("deny" if agent == "codex" else "ask")
    assert "git push origin main (push) needs a human's approval" in reason
    assert "OperationalError: database is locked" in reason
    if agent == "codex":
        assert codex_pre_tool_use_answer(out) is not None


def test_a_store_locked_without_a_cockpit_still_answers_at_once(db: Path) -> None:
    connect(db).close()
    locker = Locker(db)
    try:
        started = time.monotonic()
        out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE))
        elapsed = time.monotonic() - started
    finally:
        locker.release()
    # No waiting for the whole budget behind a lock only to record "no cockpit".
    assert code == 0 and elapsed < 4, elapsed
    assert decision_of(out)[0] == "ask"


def test_a_lock_shorter_than_the_budget_only_delays_the_request(db: Path) -> None:
    with Cockpit(db) as cockpit:
        locker = Locker(db)
        proc = start_hook(db, "pre-tool-use", PUSH_PRE, "claude", "--timeout", "12")
        time.sleep(2.5)  # longer than the store's default busy timeout for a recording write
        locker.release()
        (request,) = cockpit.wait_pending()
        assert cockpit.decide(request, "allow")
        out, _err, _code = finish(proc)
    assert decision_of(out)[0] == "allow"


def test_a_corrupt_store_gives_the_fail_safe_answer(db: Path) -> None:
    db.write_bytes(b"this is not a database; " * 400)
    out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE))
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0)
    assert "DatabaseError: file is not a database" in reason
    # The non-critical step and the other hooks fail open, with a line on stderr.
    out, err, code = finish(start_hook(db, "pre-tool-use", SAFE_PRE))
    assert (out, err, code) == ("", "", 0)
    out, err, code = finish(start_hook(db, "permission-request", payload("PermissionRequest")))
    assert (out, code) == ("", 0) and "file is not a database" in err
    out, err, code = finish(start_hook(db, "event", payload("SessionStart")))
    assert (out, code) == ("", 0) and "file is not a database" in err


def test_a_store_that_cannot_be_opened_gives_the_fail_safe_answer(tmp_path: Path) -> None:
    # Works as root too: a directory where the database file should be cannot be opened by anyone.
    db = tmp_path / "cockpit.db"
    db.mkdir()
    out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE, "claude", cwd=tmp_path))
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0) and "unable to open database file" in reason
    # A path through a file: its folder cannot even be made.
    (tmp_path / "plain").write_text("x")
    out, _err, code = finish(start_hook(tmp_path / "plain" / "cockpit.db", "pre-tool-use", PUSH_PRE, "codex",
                                        cwd=tmp_path))
    decision, reason = decision_of(out)
    assert (decision, code) == ("deny", 0) and "Error" in reason


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 0444; the test above covers root")
def test_a_read_only_store_gives_the_fail_safe_answer(db: Path, tmp_path: Path) -> None:
    conn = connect(db)
    conn.close()
    for leftover in (tmp_path / "cockpit.db-wal", tmp_path / "cockpit.db-shm"):
        leftover.unlink(missing_ok=True)
    db.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE))
    finally:
        tmp_path.chmod(0o755)
        db.chmod(0o644)
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0) and "Error" in reason


def test_a_wal_file_deleted_under_an_open_dashboard_never_fails_open(db: Path) -> None:
    dashboard = connect(db)
    approvals.beat(dashboard, token="wal-test")  # the dashboard's presence lives in the WAL
    dashboard.execute("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'x', 'now')")
    Path(f"{db}-wal").unlink()
    try:
        started = time.monotonic()
        out, _err, code = finish(start_hook(db, "pre-tool-use", PUSH_PRE, "claude", "--timeout", "7"))
    finally:
        dashboard.close()
    assert code == 0 and time.monotonic() - started < 6
    decision, reason = decision_of(out)
    # SQLite reports the lost WAL (disk I/O error) or reads the store without it: either way a human decides.
    assert decision == "ask", reason


# ---- the input --------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_the_command_is_matched_stored_and_answered(db: Path) -> None:
    command = "git push origin main # \udc80"
    body = payload("PreToolUse", tool_input={"command": command}, tool_use_id="toolu_s1")
    raw = json.dumps(body)  # the escape \udc80 in the JSON text
    assert "\\udc80" in raw
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "pre-tool-use", raw)
        (request,) = cockpit.wait_pending()
        # Stored with the surrogate written out as text: SQLite and every reader can take it.
        assert request.tool_input == {"command": "git push origin main # \\udc80"}
        assert request.summary == "git push origin main # \\udc80"
        assert request.input_hash == approvals.input_hash("Bash", {"command": command})
        assert cockpit.decide(request, "allow")
        out, _err, code = finish(proc)
    assert (decision_of(out)[0], code) == ("allow", 0)


def test_undecodable_bytes_on_stdin_are_matched_and_answered(db: Path, monkeypatch, capsys) -> None:
    raw = json.dumps(PUSH_PRE).replace("git push origin main", "git push origin m\xe4in").encode("latin-1")
    assert b"\xe4" in raw  # not UTF-8
    out, err, code = run_in_process(monkeypatch, capsys, ["claude", "pre-tool-use", "--db", str(db)], raw)
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0) and "no cockpit is running" in reason, err
    conn = connect(db)
    assert conn.execute("SELECT summary FROM approvals").fetchone()[0] == "git push origin m\\udce4in"
    # The other hooks take it too.
    event = json.dumps(payload("SessionStart", session="s-\xe4"), ensure_ascii=False).encode("latin-1")
    out, err, code = run_in_process(monkeypatch, capsys, ["claude", "event", "--db", str(db)], event)
    assert (out, err, code) == ("", "", 0)
    assert conn.execute("SELECT session_id FROM hook_events").fetchone()[0] == "s-\\udce4"


def test_a_permission_request_with_a_surrogate_reaches_the_cockpit(db: Path) -> None:
    body = payload("PermissionRequest", tool_input={"command": "git push \udc80"})
    with Cockpit(db) as cockpit:
        proc = start_hook(db, "permission-request", json.dumps(body))
        (request,) = cockpit.wait_pending()
        cockpit.decide(request, "deny", reason="no")
        out, _err, _code = finish(proc)
    assert json.loads(out)["hookSpecificOutput"]["decision"] == {"behavior": "deny", "message": "no"}


def deep(tool_name: str, command: str, depth: int) -> str:
    """A PreToolUse whose tool input holds `depth` nested lists beside the command."""
    body = payload("PreToolUse", tool_name=tool_name, tool_input={}, tool_use_id="t")
    del body["tool_input"]
    nested = "[" * depth + "]" * depth
    return json.dumps(body)[:-1] + f', "tool_input": {{"command": {json.dumps(command)}, "x": {nested}}}}}'


@pytest.mark.parametrize("depth", [990, 100_000])
def test_input_nested_too_deep_fails_closed_for_a_shell_tool(db: Path, depth: int) -> None:
    out, _err, code = finish(start_hook(db, "pre-tool-use", deep("Bash", "git push origin main", depth)))
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0) and "nested too deep" in reason
    # The rule for unreadable input: the tool name found in the raw text decides. A shell tool is
    # critical even when its command is harmless (it cannot be read); Codex gets its deny.
    out, _err, _code = finish(start_hook(db, "pre-tool-use", deep("Bash", "ls", depth), "codex"))
    assert codex_pre_tool_use_answer(out)["permissionDecision"] == "deny"
    out, _err, _code = finish(start_hook(db, "pre-tool-use", deep("apply_patch", "*** Begin Patch", depth), "codex"))
    assert codex_pre_tool_use_answer(out)["permissionDecision"] == "deny"
    # A tool that neither runs a shell nor changes files, and that no rule names: no decision.
    out, err, code = finish(start_hook(db, "pre-tool-use", deep("WebSearch", "x", depth)))
    assert (out, code) == ("", 0) and "nested too deep" in err
    # The other hooks: no decision, exit 0.
    out, err, code = finish(start_hook(db, "permission-request", deep("Bash", "git push", depth)))
    assert (out, code) == ("", 0) and "no decision" in err


def test_a_policy_match_that_raises_fails_closed_for_shell_and_edit_tools(monkeypatch, capsys, db: Path) -> None:
    from cockpit.core import policy

    def broken(self, *args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(policy.Policy, "match", broken)
    for tool_name, tool_input in (("Bash", {"command": "ls"}), ("Write", {"file_path": "/tmp/x", "content": ""})):
        body = json.dumps(payload("PreToolUse", tool_name=tool_name, tool_input=tool_input))
        out, _err, code = run_in_process(monkeypatch, capsys, ["claude", "pre-tool-use", "--db", str(db)], body)
        decision, reason = decision_of(out)
        assert (decision, code) == ("ask", 0) and "RecursionError" in reason
    body = json.dumps(payload("PreToolUse", tool_name="WebSearch", tool_input={"query": "x"}))
    out, err, code = run_in_process(monkeypatch, capsys, ["claude", "pre-tool-use", "--db", str(db)], body)
    assert (out, code) == ("", 0) and "RecursionError" in err
    assert not db.exists()


def test_a_policy_that_cannot_be_loaded_still_guards_shell_calls(monkeypatch, capsys, db: Path) -> None:
    from cockpit.hooks import run

    def broken(cwd):
        raise OSError("config unreadable")

    monkeypatch.setattr(run, "_load_policy", broken)
    # The shipped rules still match a push: the normal path, no cockpit here.
    out, _err, _code = run_in_process(monkeypatch, capsys, ["claude", "pre-tool-use", "--db", str(db)],
                                      json.dumps(PUSH_PRE))
    assert decision_of(out) == ("ask", "cockpit: git push origin main (push) needs a human's approval;"
                                       " no cockpit is running")
    # Any other shell call: the user's own rules are unknown, so a human decides.
    out, _err, _code = run_in_process(monkeypatch, capsys, ["claude", "pre-tool-use", "--db", str(db)],
                                      json.dumps(SAFE_PRE))
    decision, reason = decision_of(out)
    assert decision == "ask" and "OSError: config unreadable" in reason


# ---- the hook process -------------------------------------------------------------------------------


def test_a_hook_killed_outright_leaves_no_request_to_approve(db: Path) -> None:
    stop = threading.Event()
    watch = InboxWatch(str(db), lambda pending, closed: None)
    thread = threading.Thread(target=watch.run, args=(stop,), daemon=True)
    thread.start()
    try:
        time.sleep(0.3)  # the watch's first beat
        proc = start_hook(db, "pre-tool-use", PUSH_PRE)
        conn = connect(db)
        (request,) = Cockpit(db).wait_pending()
        assert request.hook_pid == proc.pid
        proc.kill()  # SIGKILL: no handler runs
        proc.wait()  # the agent reaps its child
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and approvals.get(conn, request.id).status == approvals.PENDING:
            time.sleep(0.05)
        gone = approvals.get(conn, request.id)
        assert (gone.status, gone.decided_by) == (approvals.GONE, "hook-died")
        assert not approvals.decide(conn, request.id, request.input_hash, "allow")
        assert approvals.get(conn, request.id).decision is None
        conn.close()
    finally:
        stop.set()
        thread.join()


def test_decide_refuses_a_request_whose_hook_died_before_any_sweep(db: Path) -> None:
    with Cockpit(db) as cockpit:  # beats only, never sweeps: decide() itself finds the hook gone
        proc = start_hook(db, "pre-tool-use", PUSH_PRE)
        (request,) = cockpit.wait_pending()
        proc.kill()
        proc.wait()
        assert not cockpit.decide(request, "allow")
    closed = record(db, request.id)
    assert (closed.status, closed.decided_by, closed.decision) == (approvals.GONE, "hook-died", None)


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_hook_hung_up_on_closes_its_own_request(db: Path, signum: int) -> None:
    with Cockpit(db) as cockpit:  # beats only: whatever closes the request is the hook itself
        proc = start_hook(db, "pre-tool-use", PUSH_PRE)
        (request,) = cockpit.wait_pending()
        time.sleep(0.2)  # past the request's insert, into the wait
        proc.send_signal(signum)
        out, _err, code = finish(proc)
        closed = record(db, request.id)
    assert out == "" and code == 128 + signum
    assert (closed.status, closed.decided_by, closed.reason) == (approvals.EXPIRED, "agent-cancelled",
                                                                 signal.Signals(signum).name)
    assert not cockpit.decide(request, "allow")


# ---- usage errors -----------------------------------------------------------------------------------


BAD_ARGS = [
    pytest.param(["claude"], "expected AGENT KIND", id="missing-kind"),
    pytest.param(["claude", "pre-tool-use", "extra"], "expected AGENT KIND", id="extra-argument"),
    pytest.param(["claud", "pre-tool-use"], "unknown agent 'claud'", id="unknown-agent"),
    pytest.param(["claude", "pretool"], "unknown hook 'pretool'", id="unknown-kind"),
    pytest.param(["claude", "pre-tool-use", "--timeout", "soon"], "--timeout 'soon'", id="bad-timeout"),
    pytest.param(["claude", "pre-tool-use", "--timeout", "-1"], "--timeout '-1'", id="negative-timeout"),
    pytest.param(["claude", "pre-tool-use", "--db"], "--db needs a value", id="db-without-value"),
]


@pytest.mark.parametrize(("args", "problem"), BAD_ARGS)
def test_a_usage_error_never_exits_2_and_still_guards_a_critical_step(monkeypatch, capsys, args, problem) -> None:
    out, err, code = run_in_process(monkeypatch, capsys, args, json.dumps(PUSH_PRE))
    decision, reason = decision_of(out)
    assert (decision, code) == ("ask", 0)
    assert problem in reason and "misconfigured" in reason and "usage:" in err
    # Not critical, or not a PreToolUse: no decision, exit 0, the usage on stderr.
    for body in (SAFE_PRE, payload("SessionStart"), payload("PermissionRequest")):
        out, err, code = run_in_process(monkeypatch, capsys, args, json.dumps(body))
        assert (out, code) == ("", 0) and problem in err and "usage:" in err
    out, err, code = run_in_process(monkeypatch, capsys, args, "not json")
    assert (out, code) == ("", 0) and "usage:" in err


def test_a_usage_error_answers_codex_the_way_codex_honours(monkeypatch, capsys) -> None:
    codex = {**PUSH_PRE, "turn_id": "turn-1", "model": "gpt-5"}
    out, _err, code = run_in_process(monkeypatch, capsys, ["codex", "pre_tool_use"], json.dumps(codex))
    assert code == 0 and codex_pre_tool_use_answer(out)["permissionDecision"] == "deny"
    # No agent named: a payload carrying Codex's turn_id is answered the Codex way.
    out, _err, code = run_in_process(monkeypatch, capsys, ["pre-tool-use"], json.dumps(codex))
    assert code == 0 and codex_pre_tool_use_answer(out)["permissionDecision"] == "deny"


def test_the_console_script_exits_0_on_a_usage_error() -> None:
    proc = subprocess.run([sys.executable, "-m", "cockpit", "hook", "claude"], input=json.dumps(PUSH_PRE),
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0 and decision_of(proc.stdout)[0] == "ask" and "usage:" in proc.stderr
