"""beads in Dolt on the dashboard: pane 3 lists what bd exports and follows the Dolt files as they change."""

from __future__ import annotations

import json
import os

import pytest
from fake_bd import dolt_repo, install
from textual.widgets import Static

from cockpit.ui.screens.issue import IssueScreen
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.issues_table import IssuesTable

from .conftest import Workspace, wait_for


def line(issue_id: str, **fields: object) -> str:
    return json.dumps({"id": issue_id, "title": f"title of {issue_id}", "status": "open", "priority": 2,
                       "issue_type": "task", "created_at": "2026-05-01T00:00:00Z", **fields}) + "\n"


async def test_pane_3_lists_the_dolt_issues_and_follows_a_write(workspace: Workspace,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    repo = workspace.root / "repo"
    journal = dolt_repo(repo)
    journal.write_text(line("tp-1", description="told through bd")
                       + line("tp-2", dependencies=[{"depends_on_id": "tp-1", "type": "blocks"}]))
    monkeypatch.setenv("PATH", os.pathsep.join([str(install(workspace.root / "tools")), "/usr/bin", "/bin"]))
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesTable)
        pane = app.screen.query_one(IssuesPane)
        assert await wait_for(lambda: table.row_count == 2)
        assert pane.loaded is not None and pane.loaded.beads.source == "bd export (Dolt)"
        subtitle = str(table.border_subtitle)
        assert "○ 1 ready · ▶ 0 in progress · ✖ 1 blocked" in subtitle
        assert "bd export (Dolt)" in subtitle or str(repo / ".beads" / "embeddeddolt") in subtitle

        with open(journal, "a", encoding="utf-8") as fh:  # an agent's `bd create`, as Dolt appends it
            fh.write(line("tp-3", priority=0))
        assert await wait_for(lambda: table.row_count == 3, seconds=8.0)
        assert "○ 2 ready" in str(table.border_subtitle)

        await pilot.press("3")
        ids = [table.get_row_at(i)[3].plain for i in range(table.row_count)]
        table.move_cursor(row=ids.index("tp-1"))
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IssueScreen)
        # The issue came whole from the export: its description is there without a file to read it from.
        assert "told through bd" in str(app.screen.query_one("#issue-body").query_one(Static).render())
