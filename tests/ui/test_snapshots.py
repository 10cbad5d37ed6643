"""Snapshots of each screen at a fixed size, with a frozen clock and no watchers."""

from __future__ import annotations

import asyncio

from cockpit.ui.widgets.issues_table import IssuesTable
from cockpit.ui.widgets.repo_pane import RepoPane

from .conftest import Workspace

# A fixed path with no beads file, so the pane's one line is the same on every machine.
NO_REPO = "/nonexistent/cockpit-snapshot-repo"


async def settled(pilot) -> None:
    """The beads file and the repository are read in workers: wait for both so every snapshot is the same."""
    for _ in range(200):
        screen = pilot.app.screen
        if (screen.query(IssuesTable) and screen.query_one(IssuesTable).border_subtitle
                and hasattr(screen.query_one(RepoPane), "state")):
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


def test_dashboard_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(live_minutes=600, repo=NO_REPO), terminal_size=(130, 40), run_before=settled)


def test_session_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600, repo=NO_REPO)

    async def open_session(pilot) -> None:
        await settled(pilot)
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_session)


def test_help_snapshot(workspace: Workspace, snap_compare) -> None:
    async def open_help(pilot) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(workspace.app(repo=NO_REPO), terminal_size=(130, 40), run_before=open_help)
