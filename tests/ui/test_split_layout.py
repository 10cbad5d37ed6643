"""Beside an agent's terminal (80×24 to 120×40, and 140×44): every pane reachable and whole once its key is
pressed, each live session's context % always on screen, the repository line on one row, and the approval
dialog's four buttons inside it at 80 columns."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from git_repo import IDENTITY
from textual.widget import Widget
from textual.widgets import Button

from cockpit.core.format import pct
from cockpit.store import approvals
from cockpit.store.db import connect
from cockpit.ui.screens.approval import ApprovalModal
from cockpit.ui.widgets.context_summary import ContextSummary
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.pane_tabs import PaneTabs
from cockpit.ui.widgets.repo_pane import RepoPane

from .conftest import Workspace, wait_for

PANE_KEYS = (("1", "context-pane"), ("2", "sessions-pane"), ("3", "issues-pane"), ("4", "gates-pane"),
             ("5", "inbox-pane"))
SPLITS = [(80, 24), (100, 30), (120, 40), (140, 44)]


def whole_on_screen(app, widget: Widget) -> bool:  # type: ignore[no-untyped-def]
    """Every cell of `widget`, border and title included, is inside the visible panes and on top."""
    region = widget.region
    if not region.height or not app.screen.query_one("#panes").region.contains_region(region):
        return False
    for x, y in ((region.x, region.y), (region.right - 1, region.bottom - 1), region.center):
        at, _ = app.screen.get_widget_at(x, y)
        if widget not in at.ancestors_with_self:
            return False
    return True


@pytest.mark.parametrize("size", SPLITS, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_each_pane_key_shows_its_whole_pane_with_the_context_line_above(workspace: Workspace,
                                                                               size: tuple[int, int]) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        zoomed = size[1] < 36  # 80×24 and 100×30: one pane at a time
        live = [v for v in app.sessions if v.live]
        assert len(live) >= 3
        for key, pane_id in PANE_KEYS:
            await pilot.press(key)
            await pilot.pause()
            pane = screen.query_one(f"#{pane_id}")
            assert app.focused is not None and pane in app.focused.ancestors_with_self
            assert whole_on_screen(app, pane), f"{pane_id} not whole at {size}"
            others = [p for _, p in PANE_KEYS if p != pane_id]
            assert all(not screen.query_one(f"#{p}").display for p in others) is zoomed
            summary = screen.query_one(ContextSummary)
            if zoomed or summary.display:
                assert summary.region.height == 1 and screen.region.contains_region(summary.region)
                line = str(summary.render())
                assert line.startswith("context ") and pct(live[0].context.pct) in line  # type: ignore[union-attr]
                assert all(pct(v.context.pct) in line for v in live if v.context) or "more" in line
            else:  # stacked panes that fit: every gauge itself is on screen
                gauges = screen.query_one("#context-pane")
                assert whole_on_screen(app, gauges) and gauges.max_scroll_y == 0
            tabs = screen.query_one(PaneTabs)
            assert bool(tabs.region.height) is zoomed
        # The log, where every result and error is written, is one key away and readable.
        await pilot.press("5")
        await pilot.pause()
        log = screen.query_one(LogPane)
        assert whole_on_screen(app, log) and log.region.height >= (10 if zoomed else 4)


async def test_z_switches_between_one_pane_and_every_pane(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        screen = app.screen
        assert not screen.query_one("#sessions-pane").display
        await pilot.press("z")
        await pilot.pause()
        assert all(screen.query_one(f"#{p}").display for _, p in PANE_KEYS)
        assert whole_on_screen(app, screen.query_one("#gates-pane"))  # the focused pane stays in view
        await pilot.press("z")
        await pilot.pause()
        assert not screen.query_one("#sessions-pane").display and screen.query_one("#gates-pane").display


def long_repo(root: Path) -> Path:
    repo = root / "a-repository-with-a-rather-long-name-for-an-80-column-split"
    repo.mkdir()
    env = {**os.environ, **IDENTITY}
    subprocess.run(["git", "init", "-q", "-b", "feature/parse-the-2026-noaa-header-and-keep-the-old-one"], cwd=repo,
                   env=env, check=True)
    (repo / "a.txt").write_text("a\n")
    subprocess.run(["git", "add", "."], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "parser: accept the 2026 column layout header as well as the old"],
                   cwd=repo, env=env, check=True)
    (repo / "a.txt").write_text("a\nb\n")
    for name in ("new1.txt", "new2.txt"):
        (repo / name).write_text("x\n")
    return repo


@pytest.mark.parametrize(("size", "rows"), [((80, 24), 1), ((80, 40), 2)], ids=["zoomed", "stacked"])
async def test_the_repository_line_never_wraps_at_80_columns(workspace: Workspace, size: tuple[int, int],
                                                             rows: int) -> None:
    app = workspace.app(repo=str(long_repo(workspace.root)))
    async with app.run_test(size=size) as pilot:
        pane = app.screen.query_one(RepoPane)
        assert await wait_for(lambda: getattr(pane, "state", None) is not None and pane.state.ok)
        await pilot.pause()
        # The branch line and the one commit: each one row, cut with an ellipsis (zoomed, the branch line only).
        assert pane.region.height == rows
        first = pane.render_line(0).text.rstrip()
        assert first.endswith("…") and "feature/parse-the-2026" in first


async def test_the_approval_dialog_shows_all_four_buttons_in_an_80_column_split(workspace: Workspace) -> None:
    conn = connect(workspace.db)
    tool_input = {"command": "git push origin main"}
    approvals.create(conn, {
        "agent": "claude", "event": "PermissionRequest", "session_id": "258c7280-ae70-4798-800f-63464d01a85d",
        "cwd": "/home/dev/spotter", "tool_name": "Bash", "tool_input": tool_input, "policy": "Bash(git push:*)",
        "input_hash": approvals.input_hash("Bash", tool_input), "summary": "git push origin main",
        "received_at": "2026-02-23T20:59:00.000Z"}, status=approvals.PENDING)
    conn.close()
    app = workspace.app(inbox=True, live_minutes=10_000_000)
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: bool(app.pending))
        await pilot.pause()
        assert "5 Approvals (1 waiting)/Log" in str(app.screen.query_one(PaneTabs).render())
        await pilot.press("a")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, ApprovalModal)
        row = modal.query_one("#buttons")
        buttons = list(modal.query(Button))
        assert [b.id for b in buttons] == ["cancel", "allow", "deny", "allow-session"]
        for button in buttons:
            assert row.region.contains_region(button.region), f"{button.id} is cut at 80 columns"
            at, _ = modal.get_widget_at(*button.region.center)
            assert button in at.ancestors_with_self, f"{button.id} is covered"


async def test_stacked_panes_that_fit_show_the_gauges_and_the_context_line_only_when_needed(
        workspace: Workspace) -> None:
    app = workspace.app()  # one live session: everything fits at 140×44
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert [v.live for v in app.sessions].count(True) == 1
        assert not screen.query_one(ContextSummary).display  # the gauge itself is on screen
        assert whole_on_screen(app, screen.query_one("#context-pane"))
        await pilot.resize_terminal(120, 30)  # zoomed: pane 1 is out of sight, the line is back
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one(ContextSummary).display and screen.query_one(ContextSummary).region.height == 1


async def test_a_long_log_line_wraps_to_the_split_instead_of_being_cut(workspace: Workspace) -> None:
    app = workspace.app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await pilot.pause()
        message = "gate tests: fail in 1.3 s — " + " ".join(f"tests/test_{n}.py::case FAILED" for n in range(6))
        app.log_event(message)
        await pilot.pause()
        log = app.screen.query_one(LogPane)
        width = log.scrollable_content_region.width
        shown = [strip.text.rstrip() for strip in log.lines]
        assert all(len(line) <= width for line in shown)
        assert " ".join(shown).replace("  ", " ").endswith("tests/test_5.py::case FAILED")
        await pilot.resize_terminal(100, 30)  # a wider split wraps it again, wider
        await pilot.pause()
        await pilot.pause()
        assert max(len(strip.text.rstrip()) for strip in log.lines) > width
