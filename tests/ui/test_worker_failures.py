"""A failure in background work is a line in the log and one toast: never a traceback, never silence, and the
dashboard keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest

from cockpit.ui.messages import WorkerFailed
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.sessions_table import SessionsTable

from .conftest import Workspace, wait_for


def failures(app, needle: str) -> int:  # type: ignore[no-untyped-def]
    return sum(needle in entry for entry in app.dashboard.query_one(LogPane).entries)


def toasts(app, needle: str) -> int:  # type: ignore[no-untyped-def]
    return sum(needle in str(toast.render()) for toast in app.screen.query("Toast"))


def beads_repo(root: Path) -> Path:
    path = root / "repo" / ".beads" / "issues.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "x-1", "title": "first", "status": "open"}\n')
    return path


async def test_a_failing_beads_read_is_logged_each_time_and_toasted_once(workspace: Workspace,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import cockpit.sources.beads_files as beads_source

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the beads file exploded")

    monkeypatch.setattr(beads_source, "load_queue", broken)
    path = beads_repo(workspace.root)
    posted: list[WorkerFailed] = []
    app = workspace.app(repo=str(path.parents[1]))

    def hook(message: object) -> None:
        if isinstance(message, WorkerFailed) and message not in posted:
            posted.append(message)

    async with app.run_test(size=(140, 45), notifications=True, message_hook=hook) as pilot:
        line = "reading the beads file failed: RuntimeError: the beads file exploded"
        assert await wait_for(lambda: failures(app, line) == 1)
        await pilot.pause()
        assert toasts(app, line) == 1
        assert [(m.worker, m.error) for m in posted] == [("reading the beads file", "RuntimeError: the beads file exploded")]
        # The file changes: it is read again and fails again; the log says so again, the toast is not repeated.
        path.write_text(path.read_text() + '{"id": "x-2", "title": "second", "status": "open"}\n')
        pane = app.screen.query_one(IssuesPane)
        assert await wait_for(lambda: pane.check_file() or failures(app, line) == 2)
        await pilot.pause()
        assert toasts(app, line) == 1
        # Everything else goes on: the sessions are listed, the keys work.
        assert app.screen.query_one(SessionsTable).row_count > 0
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)


async def test_a_failing_repository_read_is_logged_and_toasted(workspace: Workspace,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import cockpit.sources.repo as repo_source

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("git vanished")

    monkeypatch.setattr(repo_source, "read_repo", broken)
    app = workspace.app()
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        line = "reading the repository and its gates failed: OSError: git vanished"
        assert await wait_for(lambda: failures(app, line) >= 1)
        await pilot.pause()
        assert toasts(app, line) == 1 and app.is_running


async def test_a_failing_metrics_build_is_logged_and_toasted_on_the_metrics_screen(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cockpit.services.report as report_service
    from cockpit.ui.screens.metrics import MetricsScreen

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("no such period")

    monkeypatch.setattr(report_service, "build_report", broken)
    app = workspace.app(repo=str(workspace.root / "claude"))
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await pilot.press("M")
        line = "building the metrics of the last 7d failed: ValueError: no such period"
        assert await wait_for(lambda: failures(app, line) == 1)
        await pilot.pause()
        assert isinstance(app.screen, MetricsScreen) and toasts(app, line) == 1
        assert "reading the last 7d" in str(app.screen.query_one("#metrics-text").render())


async def test_a_failure_while_the_approval_dialog_is_open_is_toasted_once_it_closes(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_approvals import ask, open_first_request

    app = workspace.app(inbox=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        ask(workspace.db)
        await open_first_request(app, pilot)
        app.post_message(WorkerFailed("reading the repository and its gates", "OSError: git vanished"))
        await pilot.pause()
        line = "reading the repository and its gates failed: OSError: git vanished"
        assert failures(app, line) == 1
        assert not any(toast.display for toast in app.screen.query("Toast"))  # the dialog's buttons stay visible
        await pilot.press("escape")
        await pilot.pause()
        assert toasts(app, line) == 1


async def test_a_one_off_job_runs_while_every_follower_holds_its_thread(workspace: Workspace) -> None:
    """The followers never end; on two cores asyncio's default pool has six threads. Twelve followers must
    still leave room for a decision or a repository read (the budget raise once waited forever)."""
    import threading

    app = workspace.app()
    release = threading.Event()
    done = threading.Event()
    async with app.run_test(size=(140, 45)):
        for n in range(12):
            app.start_worker(release.wait, group=f"follower-{n}", what=f"follower {n}")
        app.start_worker(done.set, group="one-off", what="a one-off job")
        try:
            assert await wait_for(done.is_set)
        finally:
            release.set()
