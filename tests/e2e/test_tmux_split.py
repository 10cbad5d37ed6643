"""End to end, as a newcomer tries it: `cockpit demo` in an 80×24 tmux pane beside an agent's terminal.

`1`–`5` each show their whole pane (read back with `tmux capture-pane -p`), the context line stays on screen,
and `q` quits at once and leaves nothing in the temporary folder.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from .test_tmux import COCKPIT, capture, keys, wait_for_screen

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def start_demo(tmp: Path, size: tuple[int, int] = (80, 24), speed: float = 4.0) -> str:
    """`cockpit demo` in a new tmux pane whose temporary folder is `tmp`; the pane stays once cockpit exits."""
    session = f"cockpit-demo-{uuid.uuid4().hex[:8]}"
    command = (f"env -u COLUMNS -u LINES -u ANTHROPIC_API_KEY TMPDIR={shlex.quote(str(tmp))} "
               + shlex.join([str(COCKPIT), "demo", "--speed", str(speed)]))
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command],
                   check=True)
    subprocess.run(["tmux", "set-option", "-t", session, "remain-on-exit", "on"], check=True, capture_output=True)
    return session


def pane_dead(session: str) -> bool:
    shown = subprocess.run(["tmux", "display", "-p", "-t", session, "#{pane_dead}"], capture_output=True, text=True)
    return shown.stdout.strip() == "1"


def quit_and_time(session: str) -> float:
    """Press q; the seconds until cockpit's process has ended."""
    started = time.monotonic()
    keys(session, "q")
    while not pane_dead(session):
        if time.monotonic() - started > 10:
            raise AssertionError(f"cockpit did not quit on q:\n{capture(session)}")
        time.sleep(0.01)
    return time.monotonic() - started


def no_error(screen: str) -> None:
    assert "Traceback" not in screen and "RuntimeError" not in screen, screen


def test_keys_1_to_5_show_each_pane_whole_in_an_80x24_split_and_q_leaves_nothing(tmp_path: Path) -> None:
    session = start_demo(tmp_path)
    try:
        wait_for_screen(session, "context ", seconds=30)
        screen = wait_for_screen(session, "⎇ ", seconds=30)  # the repository line, once git has been read
        assert all(len(line) <= 80 for line in screen.splitlines())
        assert screen.splitlines()[1].rstrip().endswith("…")  # the repository line, cut, not wrapped
        wait_for_screen(session, "5 Approvals (1 waiting)/Log", seconds=30)  # the demo's first push to approve

        keys(session, "1")
        wait_for_screen(session, "╭─ 1 Context")
        screen = wait_for_screen(session, "(window assumed)", seconds=40)  # a toast may cover it for a while
        assert "db07e759" in screen
        keys(session, "2")
        screen = wait_for_screen(session, "╭─ 2 Sessions")
        # The health column (the demo plays a loop and a conflict) leaves the project its first letters at 80.
        assert "agent   state     health" in screen and "tidepo" in screen and "waiting " in screen
        keys(session, "3")
        screen = wait_for_screen(session, "╭─ 3 Issues")
        assert "tp-7kq.1" in screen and "in progress" in screen

        keys(session, "4")
        screen = wait_for_screen(session, "╭─ 4 Gates")
        table = screen[screen.index("╭─ 4 Gates"):]
        assert "gate" in table and "state" in table and "last run" in table
        for gate in ("tests", "compile", "no-todo", "pre-mortem", "vibe"):
            assert f"│  {gate} " in table, gate
        assert "╰─" in table  # its bottom border: the whole pane is on screen

        keys(session, "5")
        wait_for_screen(session, "5 Approvals (1 waiting) / Log")
        screen = wait_for_screen(session, "git push origin fix/csv-2026-layout", seconds=40)  # past the toasts
        pane = screen[screen.index("5 Approvals (1 waiting) / Log"):]
        assert "waiting  agent   session" in pane and "git push origin fix/csv-2026-layout" in pane
        assert "approval needed:" in pane  # the log under the requests
        assert "╰" in pane or "┗" in pane
        for line in screen.splitlines()[2:3]:
            assert line.startswith(" context ") and "%" in line  # the context line, whatever pane shows
        no_error(screen)

        workspace = [p for p in tmp_path.iterdir() if p.name.startswith("cockpit-demo-")]
        assert len(workspace) == 1 and workspace[0].is_dir()
        seconds = quit_and_time(session)
        print(f"quit in {seconds:.2f} s")  # measured, not asserted: a loaded machine is slow, not wrong
        assert not workspace[0].exists(), "the demo's temporary workspace is left behind"
        # The whole pane with its history, wrapped lines joined: the message may wrap at 80 columns.
        joined = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-200", "-t", session],
                                capture_output=True, text=True).stdout
        assert "demo workspace removed" in joined, joined
    finally:
        print(capture(session))
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
