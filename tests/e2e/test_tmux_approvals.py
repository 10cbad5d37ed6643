"""End to end: cockpit in a tmux pane, a real hook process asking, a key press answering."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from .test_tmux import COCKPIT, capture, keys, start_cockpit, wait_for_screen

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

REQUEST = {"session_id": "7f3c2a9e-4b1d-4e8a-9c55-2d1f0b6a8e31", "transcript_path": "/tmp/none.jsonl", "cwd": "/tmp",
           "hook_event_name": "PermissionRequest", "permission_mode": "default", "tool_name": "Bash",
           "tool_input": {"command": "git push origin main", "description": "Push to remote"}}


def ask(db: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([str(COCKPIT), "hook", "claude", "permission-request", "--db", str(db)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(REQUEST))
    proc.stdin.close()
    return proc


def answer(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait(timeout=10)
    return out


def test_approve_and_deny_a_push_from_the_keyboard(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    session = start_cockpit("approve", ["--claude-dir", tmp_path / "none", "--codex-dir", tmp_path / "none",
                                        "--db", db, "--config", tmp_path / "none.toml"], size=(140, 45))
    try:
        wait_for_screen(session, "watch:")
        time.sleep(1.5)  # the cockpit's first heartbeat reaches the store
        proc = ask(db)
        wait_for_screen(session, "git push origin main")
        keys(session, "a")
        wait_for_screen(session, "Allow (y)")
        time.sleep(0.5)
        keys(session, "y")
        out = answer(proc)
        assert json.loads(out) == {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                                          "decision": {"behavior": "allow"}}}
        wait_for_screen(session, "request 1 allowed")

        proc = ask(db)
        wait_for_screen(session, "1 waiting")
        keys(session, "a")
        wait_for_screen(session, "Allow (y)")
        time.sleep(0.5)
        keys(session, "n")
        time.sleep(0.3)
        keys(session, "-l", "open a PR instead")
        keys(session, "Enter")
        out = answer(proc)
        assert json.loads(out)["hookSpecificOutput"]["decision"] == {"behavior": "deny", "message": "open a PR instead"}
        wait_for_screen(session, "denied: open a PR instead")
    finally:
        print(capture(session))
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    listed = subprocess.run([str(COCKPIT), "approvals", "--json", "--db", str(db), "--claude-dir", str(tmp_path / "none"),
                             "--codex-dir", str(tmp_path / "none")], capture_output=True, text=True, check=True)
    rows = json.loads(listed.stdout)
    assert [(r["decision"], r["decided_by"]) for r in rows] == [("deny", "cockpit-key"), ("allow", "cockpit-key")]
