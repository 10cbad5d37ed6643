"""End to end: the installed `cockpit` in a real terminal (tmux), a transcript growing beside it."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

COCKPIT = Path(sys.executable).with_name("cockpit")


def iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def assistant_line(session_id: str, prompt_tokens: int, when: datetime) -> str:
    usage = {"input_tokens": 2, "cache_creation_input_tokens": 1000, "cache_read_input_tokens": prompt_tokens - 1002,
             "output_tokens": 50}
    return json.dumps({
        "parentUuid": None, "isSidechain": False, "cwd": "/home/dev/shop-api", "sessionId": session_id,
        "version": "2.1.39", "gitBranch": "main", "type": "assistant", "uuid": str(uuid.uuid4()), "timestamp": iso(when),
        "requestId": f"req_{uuid.uuid4().hex[:12]}",
        "message": {"model": "claude-opus-4-6", "id": f"msg_{uuid.uuid4().hex[:12]}", "type": "message",
                    "role": "assistant", "content": [{"type": "text", "text": "Working on it."}], "usage": usage},
    }) + "\n"


def capture(session: str) -> str:
    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout


def start_cockpit(name: str, args: list[str], size: tuple[int, int] = (140, 40)) -> str:
    """The installed cockpit in a new tmux session; returns the session name.

    COLUMNS/LINES inherited from the test runner would pin the app to 80x24 whatever the pane size, and
    a developer's ANTHROPIC_API_KEY would change what the screens say."""
    session = f"cockpit-{name}-{uuid.uuid4().hex[:8]}"
    command = "env -u COLUMNS -u LINES -u ANTHROPIC_API_KEY " + shlex.join([str(COCKPIT), *map(str, args)])
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command],
                   check=True)
    return session


def keys(session: str, *names: str) -> None:
    subprocess.run(["tmux", "send-keys", "-t", session, *names], check=True)


def wait_for_screen(session: str, needle: str, seconds: float = 15.0) -> str:
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared on screen:\n{screen}")


def test_gauge_follows_a_growing_transcript_in_tmux(tmp_path: Path) -> None:
    assert COCKPIT.exists(), f"cockpit is not installed next to {sys.executable}"
    projects = tmp_path / "claude" / "projects" / "-home-dev-shop-api"
    projects.mkdir(parents=True)
    sid = "7f3c2a9e-4b1d-4e8a-9c55-2d1f0b6a8e31"
    transcript = projects / f"{sid}.jsonl"
    now = datetime.now(UTC)
    prompt = {"parentUuid": None, "isSidechain": False, "cwd": "/home/dev/shop-api", "sessionId": sid, "type": "user",
              "timestamp": iso(now - timedelta(seconds=30)), "uuid": str(uuid.uuid4()),
              "message": {"role": "user", "content": "Add pagination to GET /orders"}}
    transcript.write_text(json.dumps(prompt) + "\n" + assistant_line(sid, 50_000, now - timedelta(seconds=20)))
    session = start_cockpit("e2e", ["--claude-dir", tmp_path / "claude", "--codex-dir", tmp_path / "none",
                                    "--db", tmp_path / "c.db", "--config", tmp_path / "none.toml"])
    try:
        # A new tmux server may start the pane at 80x24 and resize it a moment later: wait, don't assume.
        wait_for_screen(session, "25.0%")
        wait_for_screen(session, "50.0k / 200.0k (window assumed)")
        wait_for_screen(session, "Add pagination to GET /orders")
        with transcript.open("a") as handle:
            handle.write(assistant_line(sid, 90_000, datetime.now(UTC)))
        wait_for_screen(session, "45.0%")
        wait_for_screen(session, "90.0k / 200.0k")
        wait_for_screen(session, "passed 40%")  # the log pane records the crossing
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("cockpit did not quit on q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
