"""Snapshots of each screen at a fixed size, with a frozen clock and no watchers."""

from __future__ import annotations

from .conftest import Workspace


def test_dashboard_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(live_minutes=600), terminal_size=(130, 40))


def test_session_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600)

    async def open_session(pilot) -> None:
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_session)


def test_help_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(), terminal_size=(130, 40), press=["question_mark"])
