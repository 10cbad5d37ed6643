"""End to end: the demo repository in a real terminal; an edit turns a gate stale, `r` makes it pass."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cockpit.demo import create_workspace

from .test_tmux import capture, keys, start_cockpit, wait_for_screen

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def gate_row(session: str, gate: str) -> str:
    return next((line for line in capture(session).splitlines() if f"│  {gate} " in line), "")


def wait_for_row(session: str, gate: str, needle: str, seconds: float = 20.0) -> str:
    import time

    deadline = time.monotonic() + seconds
    row = ""
    while time.monotonic() < deadline:
        row = gate_row(session, gate)
        if needle in row:
            return row
        time.sleep(0.2)
    raise AssertionError(f"gate {gate} never showed {needle!r}; last row {row!r}\n{capture(session)}")


def test_an_edit_turns_the_gate_stale_and_r_reruns_it_to_pass(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "demo")
    parser = ws.repo / "src" / "tidepool" / "parser.py"
    session = start_cockpit("gates", ["--claude-dir", ws.claude_dir, "--codex-dir", ws.codex_dir, "--db", tmp_path / "c.db",
                                      "--config", tmp_path / "none.toml", "--repo", ws.repo], size=(160, 50))
    try:
        wait_for_screen(session, "4 Gates")
        wait_for_row(session, "no-todo", "unknown")
        keys(session, "4", "Down", "Down")
        keys(session, "r")
        wait_for_row(session, "no-todo", "fail")  # the working tree has a TODO in parser.py
        # The agent removes the TODO: the watcher sees the edit, the result belongs to another tree.
        parser.write_text(parser.read_text().replace("# TODO(datum): keep the Datum column of the 2026 layout\n", ""))
        wait_for_row(session, "no-todo", "stale")
        keys(session, "r")
        wait_for_row(session, "no-todo", "pass")
        wait_for_screen(session, "gate no-todo: pass")
        # v: vibe offline on this tree; its report opens, and the vibe gate row follows it.
        keys(session, "v")
        wait_for_screen(session, "## Council Verdict:")
        keys(session, "Escape")
        wait_for_screen(session, "vibe: ")
        assert list((ws.repo / ".agents" / "council").glob("*-vibe-parse-the-2026-header-and-datum-column.md"))
        keys(session, "q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
