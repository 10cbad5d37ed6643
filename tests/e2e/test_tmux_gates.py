"""End to end: the demo repository in a real terminal; an edit turns a gate stale, `r` makes it pass;
the same repository under a database that never trusted it runs nothing by itself."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.demo.workspace import create_workspace

from .test_tmux import capture, keys, start_cockpit, wait_for_screen

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def gate_row(session: str, gate: str) -> str:
    return next((line for line in capture(session).splitlines() if f"│  {gate} " in line), "")


def wait_for_row(session: str, gate: str, needle: str, seconds: float = 20.0) -> str:
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
    assert main(["trust", "--repo", str(ws.repo), "--db", str(tmp_path / "c.db")]) == 0
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


def test_an_untrusted_clone_runs_no_gate_by_itself_and_r_asks_first(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "demo")
    marker = tmp_path / "marker"
    with (ws.repo / "cockpit.toml").open("a") as handle:
        handle.write(f'\n[gates.touchy]\ncommand = "touch {marker}"\nauto = true\n')
    session = start_cockpit("untrusted", ["--claude-dir", ws.claude_dir, "--codex-dir", ws.codex_dir,
                                          "--db", tmp_path / "fresh.db", "--config", tmp_path / "none.toml",
                                          "--repo", ws.repo], size=(160, 50))
    try:
        wait_for_row(session, "touchy", "untrusted")
        wait_for_screen(session, "are not trusted")
        # The agent edits: a trusted configuration would rerun its auto gates after 2 s of quiet.
        (ws.repo / "src" / "tidepool" / "parser.py").write_text("# rewritten\n")
        time.sleep(4.0)
        assert not marker.exists()
        assert "untrusted" in gate_row(session, "compile")
        keys(session, "4", "R")
        wait_for_screen(session, f"$ touch {marker}")
        keys(session, "Escape")
        wait_for_screen(session, "not run (untrusted)")
        assert not marker.exists()
        keys(session, "q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
