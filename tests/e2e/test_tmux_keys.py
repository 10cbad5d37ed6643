"""End to end: every key `?` lists, pressed in an 80×24 tmux pane running `cockpit demo`, does what the README
says (a screen's title, a pane's focus, or a line in the log) and none leaves a traceback or an error line.

The help is read from the screen, pane by pane (it lists the keys that work where the focus is), so a key
added later is walked too; a key the walk does not know fails the test until it says what the key does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .test_tmux import capture, keys, wait_for_screen
from .test_tmux_split import pane_dead, start_demo

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

# How the help shows a key -> how tmux sends it.
TMUX_KEYS = {"⏎": "Enter", "esc": "Escape", "tab": "Tab", "shift+tab": "BTab", "↑": "Up", "↓": "Down", "←": "Left",
             "→": "Right", "home": "Home", "end": "End", "pgup": "PageUp", "pgdn": "PageDown", "^pgup": "C-PageUp",
             "^pgdn": "C-PageDown", "^home": "C-Home", "^end": "C-End", "^p": "C-p", "^c": "C-c"}
PANES = {"1": "1 Context", "2": "2 Sessions", "3": "3 Issues", "4": "4 Gates", "5": "5 Approvals"}
ERROR = re.compile(r"Traceback|\w+(Error|Exception): | failed: ")


@dataclass(frozen=True)
class Row:
    key: str
    description: str
    not_now: str  # why the key cannot act now, when the help says so


def press(session: str, key: str) -> None:
    keys(session, TMUX_KEYS.get(key, key))
    # An Escape followed at once by a key reaches the app as alt+key.
    time.sleep(0.4 if key == "esc" else 0.25)


def read_help(session: str) -> list[Row]:
    """The rows of the `?` dialog, paged through to its end."""
    keys(session, "?")
    wait_for_screen(session, "Keys")
    rows: list[Row] = []
    key_column = None
    for _ in range(12):
        screen = capture(session)
        lines = screen.splitlines()
        top = next(i for i, line in enumerate(lines) if "╭" in line)
        left = lines[top].index("╭")
        right = lines[top].index("╮", left)
        body = [line[left + 1:right].rstrip() for line in lines[top + 1:]]
        for line in body:
            match = re.match(r"^  (\S+)( {2,})(\S.*)$", line)
            if not match:
                continue
            column = 2 + len(match.group(1)) + len(match.group(2))
            key_column = key_column or column
            if column != key_column:
                continue  # a wrapped line of a long description
            text = match.group(3)
            description = text.split("  ")[0]  # a description never holds two spaces; a scrollbar may follow
            not_now = text.split("(not now: ", 1)[1].rstrip(")…") if "(not now: " in text else ""
            row = Row(match.group(1), description, not_now)
            if row not in rows:
                rows.append(row)
        if "Numbers" in screen:
            break
        keys(session, "PageDown")
        time.sleep(0.3)
    press(session, "esc")
    return rows


def log_tail(session: str, pane: str) -> str:
    """The end of the action log (pane 5), then back to `pane`."""
    press(session, "5")
    screen = wait_for_screen(session, "5 Approvals")
    press(session, pane)
    return screen[screen.index("5 Approvals"):]


def titled(session: str, title: str, seconds: float = 20.0) -> None:
    """The screen's title (its first line, the header) names `title`."""
    deadline = time.monotonic() + seconds
    while title not in capture(session).splitlines()[0]:
        assert time.monotonic() < deadline, f"no screen titled {title!r}:\n{capture(session)}"
        time.sleep(0.2)


def dashboard(session: str) -> None:
    titled(session, "cockpit — demo workspace")


def back(session: str, title: str, *, header: bool = True) -> Callable[[str], None]:
    """The key opens `title` (a screen's title, or text a dialog shows); Escape returns to the dashboard."""
    def check(pane: str) -> None:
        if header:
            titled(session, title)
        else:
            wait_for_screen(session, title, seconds=20)
        press(session, "esc")
        dashboard(session)
    return check


def logged(session: str, *texts: str) -> Callable[[str], None]:
    """One of `texts` is in the last lines of the action log (toasts may cover it for a while: an approval's
    stays 15 s, and the demo asks for several)."""
    def check(pane: str) -> None:
        deadline = time.monotonic() + 40
        while True:
            tail = log_tail(session, pane)
            if any(text in tail for text in texts):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"none of {texts} in the log:\n{tail}")
            time.sleep(0.5)
    return check


def expectations(session: str) -> dict[str, Callable[[str], None]]:
    """What each key does, by its description in the help, as the README's key table says."""
    def pane(number: str) -> Callable[[str], None]:
        def check(current: str) -> None:
            wait_for_screen(session, PANES[number])
            press(session, current)
        return check

    def twice(check: Callable[[str], None], key: str) -> Callable[[str], None]:
        def run(current: str) -> None:
            check(current)
            press(session, key)  # back as it was
        return run

    def report(kind: str, title: str) -> Callable[[str], None]:
        def run(current: str) -> None:
            titled(session, title, seconds=30)
            press(session, "esc")
            dashboard(session)
            logged(session, f"{kind}: ")(current)
        return run

    def nothing_breaks(current: str) -> None:
        dashboard(session)

    return {
        "Context": pane("1"), "Sessions": pane("2"), "Issues": pane("3"), "Gates": pane("4"),
        "Approvals/Log": pane("5"),
        "Open": back(session, " session "), "Output": back(session, "gate "), "Issue": back(session, "issue "),
        "Decide": back(session, "Allow (y)", header=False), "Approve": back(session, "Allow (y)", header=False),
        "Filter": back(session, "filter: text in project", header=False), "Clear filter": nothing_breaks,
        "Help": back(session, "Keys", header=False), "Commands": back(session, "Search for commands", header=False),
        "Learnings": back(session, "learnings"), "Metrics": back(session, "metrics — last"),
        "Approvals log": back(session, "approvals"),
        "Raise budget": back(session, "Type the new limit in USD", header=False),
        "Retro": report("retro", "retro "), "Handoff": report("handoff", "handoff note"),
        "Pre-mortem": report("pre-mortem", "pre-mortem "), "Vibe": report("vibe", "vibe "),
        "Pause": twice(lambda _p: wait_for_screen(session, "PAUSED (p to resume)"), "p"),
        "Theme": twice(logged(session, "theme: cockpit-light"), "T"),
        "Zoom": twice(logged(session, "every pane stacked"), "z"),
        "Run": logged(session, "gate tests: run", "gate tests is already running", "gate tests: fail"),
        "Run all": logged(session, ": run all", "is already running"),
        "Cancel": logged(session, "x (Cancel)", ": cancelling"),
        "Queue": lambda _p: wait_for_screen(session, "3 Issues · ready"),
        "Next page": nothing_breaks, "Previous page": nothing_breaks,
    }


def either(*checks: Callable[[str], None]) -> Callable[[str], None]:
    """The first check that holds (a key greyed when the help was read may act by the time it is pressed)."""
    def run(pane: str) -> None:
        for check in checks[:-1]:
            try:
                check(pane)
                return
            except AssertionError:
                pass
        checks[-1](pane)
    return run


# Textual's own keys for moving in a list or a log: they move, nothing to read in the log.
NAVIGATION = {"Cursor up", "Cursor down", "Cursor left", "Cursor right", "Home", "End", "Page up", "Page down",
              "Page Left", "Page Right", "Top", "Bottom", "Focus Next", "Focus Previous", "Scroll Up",
              "Scroll Down", "Scroll Left", "Scroll Right", "Scroll Home", "Scroll End", "Page Up", "Page Down",
              "Select", "Copy selected text", "Copy text"}


def test_every_key_the_help_lists_does_what_the_readme_says_at_80x24(tmp_path: Path) -> None:
    session = start_demo(tmp_path)
    walked: list[tuple[str, str, str]] = []
    try:
        wait_for_screen(session, "5 Approvals (1 waiting)/Log", seconds=30)  # a request to decide, as in use
        checks = expectations(session)
        done: set[tuple[str, str]] = set()
        quit_row: Row | None = None
        for pane in "12345":
            press(session, pane)
            wait_for_screen(session, PANES[pane])
            for row in read_help(session):
                if (row.key, row.description) in done:
                    continue
                done.add((row.key, row.description))
                if row.description == "Quit":
                    quit_row = row
                    continue
                press(session, pane)  # each key from the pane whose help listed it
                press(session, row.key)
                if row.description in NAVIGATION:
                    dashboard(session)
                else:
                    assert row.description in checks, f"the walk does not know what {row} does"
                    check = checks[row.description]
                    if row.not_now:  # greyed: pressing it says why in the log
                        check = either(logged(session, f"({row.description}): {row.not_now[:30]}"), check)
                    check(pane)
                tail = log_tail(session, pane)
                assert not ERROR.search(tail), f"{row} left an error:\n{tail}"
                walked.append((pane, row.key, row.description))
        assert quit_row is not None
        for key in ("1", "2", "3", "4", "5", "⏎", "a", "v", "m", "t", "H", "r", "R", "x", "?", ":", "^p"):
            assert any(k == key for _, k, _ in walked), f"{key} was never listed by ? at 80×24"
        press(session, quit_row.key)
        deadline = time.monotonic() + 5
        while not pane_dead(session):
            assert time.monotonic() < deadline, "q did not quit"
            time.sleep(0.05)
    finally:
        print("\n".join(f"{pane}: {key} {description}" for pane, key, description in walked))
        print(capture(session))
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
