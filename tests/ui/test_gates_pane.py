"""Pane 4 from the keyboard: run a gate with r, cancel it with x, open its output, see it go stale."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from git_repo import IDENTITY

from cockpit.cli import main
from cockpit.core.gate_rules import GateState
from cockpit.store.db import connect
from cockpit.store.gate_runs import runs_for
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.sessions_table import SessionsTable

from .conftest import Workspace, wait_for

ENV = {**os.environ, **IDENTITY}


def make_repo(root: Path, gates: str, *, trusted: bool = True) -> Path:
    """A repository with `gates` as its cockpit.toml, trusted with `cockpit trust` in the workspace's
    database (root/cockpit.db) unless `trusted` is False (a fresh clone)."""
    repo = root / "gated"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, env=ENV, check=True)
    (repo / "cockpit.toml").write_text(gates)
    (repo / "ok.txt").write_text("ok\n")
    subprocess.run(["git", "add", "."], cwd=repo, env=ENV, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "start"], cwd=repo, env=ENV, check=True)
    if trusted:
        assert main(["trust", "--repo", str(repo), "--db", str(root / "cockpit.db")]) == 0
    return repo


QUICK = '[gates.check]\ncommand = "grep -q ok ok.txt && echo all good"\nrequired = true\n'
SLOW = '[gates.slow]\ncommand = "sleep 30"\n'


def state_of(app, name: str) -> GateState | None:  # type: ignore[no-untyped-def]
    board = app.gate_board
    status = board.get(name) if board else None
    return status.state if status else None


async def run_selected(pilot, app, name: str, until: GateState) -> None:  # type: ignore[no-untyped-def]
    """Wait for the board, focus pane 4 and press r on its first gate; wait for `until`."""
    assert await wait_for(lambda: state_of(app, name) is GateState.UNKNOWN)
    await pilot.press("4", "r")
    assert await wait_for(lambda: state_of(app, name) is until)


def log_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(app.dashboard.query_one(LogPane).entries)


async def test_r_runs_the_selected_gate_and_a_changed_tree_turns_it_stale(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        table = app.screen.query_one(GatesTable)
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        await pilot.press("4")
        assert table.has_focus and table.selected_gate == "check"
        await pilot.press("r")
        assert await wait_for(lambda: state_of(app, "check") is GateState.PASS)
        assert "gate check: pass" in log_text(app)
        assert "✔ pass" in table.get_row_at(0)[1].plain
        (repo / "ok.txt").write_text("ok, edited\n")
        app.gates.refresh()
        assert await wait_for(lambda: state_of(app, "check") is GateState.STALE)
        await pilot.press("r")
        assert await wait_for(lambda: state_of(app, "check") is GateState.PASS)
    conn = connect(workspace.db)
    assert [r.outcome for r in runs_for(conn, str(repo), "check")] == ["pass", "pass"]


async def test_x_cancels_a_running_gate_and_the_cancelled_run_says_nothing_about_the_tree(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, SLOW)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        await run_selected(pilot, app, "slow", GateState.RUNNING)
        await pilot.press("r")  # greyed while running: a second press does not queue a second run
        assert app.check_action("rerun_gate", ()) is None and app.check_action("cancel_gate", ()) is True
        assert log_text(app).count("gate slow: run:") == 1
        await pilot.press("x")
        assert await wait_for(lambda: state_of(app, "slow") is GateState.UNKNOWN, seconds=10)
        assert "gate slow: cancelled" in log_text(app)
    runs = runs_for(connect(workspace.db), str(repo), "slow")
    assert [r.outcome for r in runs] == ["cancelled"]


async def test_enter_opens_the_output_and_escape_returns(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        await run_selected(pilot, app, "check", GateState.PASS)
        await pilot.press("enter")
        assert await wait_for(lambda: isinstance(app.screen, GateScreen))
        output = str(app.screen.query_one("#gate-output").render())
        assert "all good" in output and "pass · exit 0" in output
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_read_only_removes_the_run_keys(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo), read_only=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        await pilot.press("4", "r", "R")
        await pilot.pause(0.3)
        assert state_of(app, "check") is GateState.UNKNOWN
        assert app.check_action("rerun_gate", ()) is False
    assert runs_for(connect(workspace.db), str(repo), "check") == []


async def test_an_auto_gate_runs_by_itself_on_a_tree_it_has_not_judged(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, '[gate_settings]\ndebounce = 0.1\n[gates.check]\ncommand = "true"\nauto = true\n')
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)):
        assert await wait_for(lambda: state_of(app, "check") is GateState.PASS)
        assert "auto (tree changed)" in log_text(app)


async def test_a_broken_cockpit_toml_shows_its_line_and_the_rest_keeps_working(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, '[gates.check]\ncommand = "true"\nrequired = tru\n')
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)):
        table = app.screen.query_one(GatesTable)
        assert await wait_for(lambda: table.row_count > 0)
        first = table.get_row_at(0)
        assert first[1].plain == "! error" and "line 3" in first[5].plain
        assert "detected" in str(table.border_subtitle)
        assert app.screen.query_one(SessionsTable).row_count > 0


async def test_no_repository_is_one_line_in_the_pane(workspace: Workspace) -> None:
    app = workspace.app(repo=str(workspace.root / "claude"))
    async with app.run_test(size=(150, 50)):
        table = app.screen.query_one(GatesTable)
        assert await wait_for(lambda: bool(table.border_subtitle))
        assert "not a git repository" in str(table.border_subtitle)


async def test_M_opens_metrics_for_this_repository_and_d_changes_the_period(workspace: Workspace) -> None:
    from cockpit.ui.screens.metrics import MetricsScreen

    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("M")
        assert await wait_for(lambda: isinstance(app.screen, MetricsScreen) and app.screen.report is not None)
        screen = app.screen
        assert screen.report["git"]["commits"] == 0  # the one commit is dated now, after the frozen clock
        text = str(screen.query_one("#metrics-text").render())
        assert "git: no commits" in text and "issues: no .beads" in text
        await pilot.press("d")
        assert screen.period == "30d"
        assert await wait_for(lambda: screen.report is not None and screen.report["since"].startswith("2026-01-24"))
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_the_palette_cannot_run_gates_in_read_only_mode(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo), read_only=True)
    async with app.run_test(size=(150, 50)):
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        app.action_rerun_all_gates()
        assert app.gates.runner is not None and app.gates.running() == frozenset()


async def test_auto_gates_stay_idle_unless_the_cockpit_is_live(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, '[gate_settings]\ndebounce = 0.1\n[gates.check]\ncommand = "true"\nauto = true\n')
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        await pilot.pause(0.5)
        assert state_of(app, "check") is GateState.UNKNOWN


async def test_last_run_ages_move_on_with_the_clock(workspace: Workspace) -> None:
    from datetime import timedelta

    from .conftest import FROZEN_NOW

    now = [FROZEN_NOW]
    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo), clock=lambda: now[0])
    async with app.run_test(size=(150, 50)) as pilot:
        await run_selected(pilot, app, "check", GateState.PASS)
        table = app.screen.query_one(GatesTable)
        run = app.gate_board.get("check").run  # type: ignore[union-attr]
        from cockpit.core.format import parse_ts

        now[0] = parse_ts(run.started_at) + timedelta(minutes=7)  # type: ignore[operator]
        app.dashboard.tick()
        assert table.get_row_at(0)[3].plain == "7m ago"


async def test_issue_and_gate_panes_stack_in_a_narrow_terminal(workspace: Workspace) -> None:
    from cockpit.ui.widgets.issues_table import IssuesTable

    repo = make_repo(workspace.root, QUICK)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(100, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        issues, gates = app.screen.query_one(IssuesTable), app.screen.query_one(GatesTable)
        assert gates.region.y > issues.region.y and gates.region.width > 90
        await pilot.resize_terminal(150, 50)
        await pilot.pause()
        assert gates.region.y == issues.region.y and gates.region.x > issues.region.x


async def test_the_repository_is_first_read_after_the_dashboard_panes_exist(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cockpit.ui.gates import GateControl

    mounted_at_read: list[bool] = []
    original = GateControl.refresh

    def refresh(self: GateControl) -> None:
        mounted_at_read.append(self.app.dashboard.is_mounted)
        original(self)

    monkeypatch.setattr(GateControl, "refresh", refresh)
    app = workspace.app(repo=str(make_repo(workspace.root, QUICK)))
    async with app.run_test(size=(150, 50)):
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
    assert mounted_at_read and all(mounted_at_read)


async def test_a_repository_read_arriving_while_the_app_shuts_down_is_dropped(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cockpit.sources.repo import RepoState
    from cockpit.ui.messages import HookEventsArrived, LiveIngestFailed, RepoRead, WorkingTreeChanged

    app = workspace.app()
    late: list[bool] = []

    # Shutting down removes the dashboard's panes while the screen is still stacked and messages still flow.
    def answer_late(_pane: LogPane) -> None:
        dashboard = app.dashboard
        late.append(dashboard.is_mounted)
        dashboard.post_message(RepoRead(RepoState(path=str(workspace.root), ok=False, message="late")))
        dashboard.post_message(WorkingTreeChanged("late watcher problem"))
        dashboard.post_message(LiveIngestFailed("late failure"))
        dashboard.post_message(HookEventsArrived(frozenset({"late"})))

    monkeypatch.setattr(LogPane, "on_unmount", answer_late, raising=False)
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.pause()
    assert late == [True]
