"""Pane 3: the beads queue on the dashboard, and the issue screen."""

from __future__ import annotations

import shutil

from textual.widgets import Static

from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.issue import IssueScreen
from cockpit.ui.widgets.issues_table import IssuesTable

from .conftest import SHARED, Workspace, wait_for


async def test_the_real_export_fills_the_queue_in_bd_order(workspace: Workspace) -> None:
    beads = workspace.root / "repo" / ".beads"
    beads.mkdir(parents=True)
    shutil.copy(SHARED / "beads" / "beads-dolt-export.jsonl", beads / "issues.jsonl")
    app = workspace.app(repo=str(workspace.root / "repo"))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: table.row_count > 0)
        # 13 ready, 3 in progress, 238 blocked, as `cockpit issues --json` computes for this export; an issue
        # both in progress and blocked is listed once.
        queue = app.screen.queue
        listed = {*queue.ready, *queue.in_progress, *(b.id for b in queue.blocked)}
        assert (len(queue.ready), len(queue.in_progress), len(queue.blocked)) == (13, 3, 238)
        assert table.row_count == len(listed)
        assert "○ 13 ready · ▶ 3 in progress · ✖ 238 blocked" in str(table.border_subtitle)
        first = table.get_row_at(0)
        assert (first[0].plain, first[1].plain, first[3].plain) == ("○", "P1", "offlinebrew-3d0")
        await pilot.press("3")
        assert table.has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IssueScreen)
        body = str(app.screen.query_one("#issue-body").query_one(Static).render())
        assert "offlinebrew-3d0" in body and "Parent Epic" in body
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_no_beads_file_is_one_line_not_an_error(workspace: Workspace) -> None:
    app = workspace.app()
    async with app.run_test(size=(150, 50)):
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: bool(table.border_subtitle))
        assert table.row_count == 0
        assert "no .beads/issues.jsonl" in str(table.border_subtitle)


async def test_the_pane_follows_the_file_when_it_changes(workspace: Workspace) -> None:
    beads = workspace.root / "repo" / ".beads"
    beads.mkdir(parents=True)
    path = beads / "issues.jsonl"
    path.write_text('{"id": "x-1", "title": "first", "status": "open", "priority": 1}\n')
    app = workspace.app(repo=str(workspace.root / "repo"))
    async with app.run_test(size=(150, 50)):
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: table.row_count == 1)
        path.write_text(path.read_text() + '{"id": "x-2", "title": "[bold]second[/bold]", "status": "open"}\n'
                        "this line is junk\n")
        assert await wait_for(lambda: table.row_count == 2, seconds=8)
        titles = [table.get_row_at(i)[4] for i in range(2)]
        assert titles[1].plain == "[bold]second[/bold]" and not titles[1].spans
        assert "1 lines skipped" in str(table.border_subtitle)


async def test_the_issue_screen_lists_linked_sessions_with_their_cost_and_commits(workspace: Workspace) -> None:
    import subprocess

    from cockpit.store.db import open_db

    repo = workspace.root / "repo"
    (repo / ".beads").mkdir(parents=True)
    (repo / ".beads" / "issues.jsonl").write_text('{"id": "tp-9", "title": "Parse it", "status": "in_progress"}\n')
    env = {"GIT_AUTHOR_NAME": "D", "GIT_AUTHOR_EMAIL": "d@e", "GIT_COMMITTER_NAME": "D", "GIT_COMMITTER_EMAIL": "d@e",
           "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "tp-9: start parsing"], cwd=repo, env=env, check=True)
    db = open_db(workspace.db)
    db.conn.execute("INSERT INTO sessions (session_id, agent, project, started_at, last_activity_at, cost_usd, title)"
                    " VALUES ('abcdef123456', 'claude', ?, '2026-02-23T10:00:00Z', '2026-02-23T11:00:00Z', 1.5,"
                    " 'work on tp-9')", (str(repo),))
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: table.row_count == 1)
        from cockpit.ui.widgets.sessions_table import COLUMNS, SessionsTable

        sessions = app.screen.query_one(SessionsTable)
        assert await wait_for(lambda: sessions.issues.get("abcdef123456") == ("tp-9",))
        row = sessions.get_row("abcdef123456")
        assert row[COLUMNS.index("issue")].plain == "tp-9"
        await pilot.press("3", "enter")
        assert await wait_for(lambda: isinstance(app.screen, IssueScreen) and app.screen.links is not None)
        links = str(app.screen.query_one("#issue-links", Static).render())
        assert "Sessions (1, $1.50)" in links and "abcdef12" in links and "(mentioned in a prompt)" in links
        assert "Commits (1)" in links and "tp-9: start parsing" in links
