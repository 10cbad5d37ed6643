"""Pane 3: the beads queue on the dashboard, and the issue screen."""

from __future__ import annotations

import shutil

from git_repo import ENV as GIT_ENV
from textual.widgets import Static

from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.issue import IssueScreen
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.issues_table import PAGE_ROWS, IssuesTable, queue_entries
from cockpit.ui.widgets.log_pane import LogPane

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
        queue = app.screen.query_one(IssuesPane).loaded.queue
        listed = {*queue.ready, *queue.in_progress, *(b.id for b in queue.blocked)}
        assert (len(queue.ready), len(queue.in_progress), len(queue.blocked)) == (13, 3, 238)
        # The table holds one page, never the whole queue; the title says where the page is.
        assert table.row_count == PAGE_ROWS and len(listed) == 252
        assert table.border_title == "3 Issues · 1–100 of 252"
        assert "○ 13 ready · ▶ 3 in progress · ✖ 238 blocked" in str(table.border_subtitle)
        first = table.get_row_at(0)
        assert (first[0].plain, first[1].plain, first[3].plain) == ("○", "P1", "offlinebrew-3d0")
        await pilot.press("3")
        assert table.has_focus
        # Every page in turn, with `]` and with the arrow past the last row, lists each issue once, in order.
        seen = [table.get_row_at(i)[3].plain for i in range(table.row_count)]
        await pilot.press("right_square_bracket")
        seen += [table.get_row_at(i)[3].plain for i in range(table.row_count)]
        for _ in range(table.row_count):
            await pilot.press("down")
        assert table.border_title == "3 Issues · 201–252 of 252" and table.cursor_row == 0
        seen += [table.get_row_at(i)[3].plain for i in range(table.row_count)]
        assert seen == [issue_id for issue_id, _ in queue_entries(queue)] and set(seen) == listed
        await pilot.press("up")
        assert table.border_title == "3 Issues · 101–200 of 252" and table.selected_issue_id == seen[199]
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert table.border_title == "3 Issues · 1–100 of 252"
        # `f` narrows to one queue at a time, then back to all of them.
        await pilot.press("f")
        assert table.border_title == "3 Issues · ready 1–13 of 13" and table.row_count == 13
        await pilot.press("f")
        assert table.border_title == "3 Issues · in progress 1–3 of 3"
        await pilot.press("f")
        assert table.border_title == "3 Issues · blocked 1–100 of 238"
        assert {table.get_row_at(i)[0].plain for i in range(table.row_count)} == {"✖"}
        await pilot.press("f")
        assert table.border_title == "3 Issues · 1–100 of 252"
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
    env = GIT_ENV
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


async def test_the_queue_holds_summaries_and_the_issue_screen_reads_the_whole_issue(workspace: Workspace) -> None:
    beads = workspace.root / "repo" / ".beads"
    beads.mkdir(parents=True)
    (beads / "issues.jsonl").write_text(
        '{"id": "x-1", "title": "first", "status": "open", "description": "the long story of x-1",'
        ' "comments": [{"id": 1, "author": "ann", "text": "a comment on x-1", "created_at": "2026-02-01T00:00:00Z"}]}\n'
        '{"id": "x-2", "title": "second", "status": "open", "dependencies": [{"depends_on_id": "x-3", "type": "blocks"}]}\n'
        '{"id": "x-3", "title": "third", "status": "open", "dependencies": [{"depends_on_id": "x-2", "type": "blocks"}]}\n')
    app = workspace.app(repo=str(workspace.root / "repo"))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: table.row_count == 3)
        summary = app.screen.query_one(IssuesPane).loaded.queue.issues["x-1"]
        assert summary.summary and summary.description == "" and summary.comments == ()
        # x-2 and x-3 block each other: the loop is named, in the pane and once in the log.
        assert "⟳ 1 cycle —" in str(table.border_subtitle)
        assert sum("dependency cycle(s)" in line and "x-2 ⇄ x-3" in line for line in app.screen.query_one(LogPane).entries) == 1
        await pilot.press("3", "enter")
        assert isinstance(app.screen, IssueScreen)
        body = str(app.screen.query_one("#issue-body").query_one(Static).render())
        assert "the long story of x-1" in body and "a comment on x-1" in body


async def test_the_beads_file_is_read_again_only_when_it_changes(workspace: Workspace, monkeypatch) -> None:
    import cockpit.sources.beads_files as beads_source
    from cockpit.ui.widgets.issues_pane import LINKS_REFRESH_TICKS

    reads: list[object] = []
    real_load = beads_source.load_queue

    def counting_load(*args, **kwargs):
        reads.append(args[0])
        return real_load(*args, **kwargs)

    monkeypatch.setattr(beads_source, "load_queue", counting_load)
    path = workspace.root / "repo" / ".beads" / "issues.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "x-1", "title": "first", "status": "open"}\n')
    app = workspace.app(repo=str(workspace.root / "repo"))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesPane)
        assert await wait_for(lambda: table.row_count == 1)
        # Idle: every check (the timer's and these) only stats the file; not even the session links are redone.
        for _ in range(2 * LINKS_REFRESH_TICKS):
            table.check_file()
            await pilot.pause()
        assert len(reads) == 1
        # New transcript lines make the links stale: they are redone from the issues in memory, unread.
        table.sessions_changed(frozenset({"a-session"}), catch_up=True)
        table.check_file()
        assert await wait_for(lambda: not table.busy and not table.links_stale)
        assert len(reads) == 1
        path.write_text(path.read_text() + '{"id": "x-2", "title": "second", "status": "open"}\n')
        table.check_file()
        assert await wait_for(lambda: table.row_count == 2)
        assert len(reads) == 2
        # A rewrite to the same size is a change too (its mtime, ctime or inode moved).
        path.write_text(path.read_text().replace("second", "sekond"))
        table.check_file()
        assert await wait_for(lambda: len(reads) == 3)
        assert await wait_for(lambda: any(table.get_row_at(i)[4].plain == "sekond" for i in range(2)))


async def test_a_deferral_running_out_recomputes_the_queue_without_reading_the_file(workspace: Workspace,
                                                                                     monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta

    import cockpit.sources.beads_files as beads_source

    reads: list[object] = []
    real_load = beads_source.load_queue
    monkeypatch.setattr(beads_source, "load_queue", lambda *a, **k: reads.append(a) or real_load(*a, **k))
    soon = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    path = workspace.root / "repo" / ".beads" / "issues.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "x-1", "title": "now", "status": "open"}\n'
                    f'{{"id": "x-2", "title": "later", "status": "open", "defer_until": "{soon}"}}\n')
    app = workspace.app(repo=str(workspace.root / "repo"))
    async with app.run_test(size=(150, 50)):
        table = app.screen.query_one(IssuesPane)
        assert await wait_for(lambda: table.row_count == 1)
        assert table.loaded is not None and table.loaded.queue.wake_at is not None
        assert await wait_for(lambda: table.check_file() or table.row_count == 2, seconds=6)
        assert table.loaded.queue.ready == ("x-1", "x-2") and table.loaded.queue.wake_at is None
        assert len(reads) == 1


async def test_links_that_cannot_be_read_are_a_line_on_the_issue_screen(workspace: Workspace, monkeypatch) -> None:
    from cockpit.ui.messages import IssueLinksRead
    from cockpit.ui.workers import issue_links

    def broken(*_args, **_kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(issue_links, "find_links", broken)
    repo = workspace.root / "repo"
    (repo / ".beads").mkdir(parents=True)
    (repo / ".beads" / "issues.jsonl").write_text('{"id": "tp-9", "title": "Parse it", "status": "open"}\n')
    posted: list[IssueLinksRead] = []
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50), message_hook=lambda m: posted.append(m) if isinstance(
            m, IssueLinksRead) else None) as pilot:
        table = app.screen.query_one(IssuesTable)
        assert await wait_for(lambda: table.row_count == 1)
        await pilot.press("3", "enter")
        assert await wait_for(lambda: isinstance(app.screen, IssueScreen) and app.screen.links is not None)
        # One message was posted (the hook may see it at more than one dispatch), for this issue.
        assert len({id(m) for m in posted}) == 1 and posted[0].issue_id == "tp-9"
        links = str(app.screen.query_one("#issue-links", Static).render())
        assert "OSError: disk on fire" in links
        assert "Parse it" in str(app.screen.query_one("#issue-body").query(Static).first().render())


async def test_an_idle_check_redraws_the_table_only_when_an_age_it_shows_moved_on(workspace: Workspace,
                                                                                   monkeypatch) -> None:
    from datetime import timedelta

    from cockpit.ui.widgets.issues_pane import LINKS_REFRESH_TICKS

    from .conftest import FROZEN_NOW

    shows: list[object] = []
    real_show = IssuesTable.show
    monkeypatch.setattr(IssuesPane, "show", lambda self, *a, **k: shows.append(a) or real_show(self, *a, **k))
    path = workspace.root / "repo" / ".beads" / "issues.jsonl"
    path.parent.mkdir(parents=True)
    created = (FROZEN_NOW - timedelta(hours=3)).isoformat()
    path.write_text(f'{{"id": "x-1", "title": "first", "status": "open", "created_at": "{created}"}}\n')
    now = [FROZEN_NOW]
    app = workspace.app(repo=str(workspace.root / "repo"), clock=lambda: now[0])
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(IssuesPane)
        assert await wait_for(lambda: table.row_count == 1)
        drawn = len(shows)
        # Idle, the clock still: the refreshes of the ages find them as shown, and the table is not redrawn
        # (a refill repaints and relays it out).
        for _ in range(2 * LINKS_REFRESH_TICKS):
            table.check_file()
            await pilot.pause()
        assert len(shows) == drawn
        # A day later "3h" reads "1d": at the next refresh the table is redrawn, once.
        now[0] = FROZEN_NOW + timedelta(days=1)
        for _ in range(2 * LINKS_REFRESH_TICKS):
            table.check_file()
            await pilot.pause()
        assert len(shows) == drawn + 1
        assert table.get_row_at(0)[5].plain != "3h"
