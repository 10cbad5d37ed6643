"""v, m, t, H and L from the keyboard: running, cancelling, the report shown, read-only."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

import pytest
from git_repo import IDENTITY

from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.learnings import LearningsScreen
from cockpit.ui.screens.report import ReportScreen
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.log_pane import LogPane

from .conftest import Workspace, wait_for

ENV = {**os.environ, **IDENTITY}


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def make_repo(root: Path) -> Path:
    repo = root / "work"
    (repo / ".beads").mkdir(parents=True)
    (repo / ".beads" / "issues.jsonl").write_text(json.dumps(
        {"id": "w-1", "title": "Add the parser", "status": "in_progress", "priority": 1}) + "\n")
    (repo / "cockpit.toml").write_text('[gates.vibe]\nkind = "verdict"\n[gates.pre-mortem]\nkind = "verdict"\n')
    subprocess.run(["git", "init", "-q", "-b", "w-1-parser"], cwd=repo, env=ENV, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, env=ENV, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "start"], cwd=repo, env=ENV, check=True)
    (repo / "parser.py").write_text("def parse(text):\n    return text.split(',')\n")
    return repo


def log_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(app.dashboard.query_one(LogPane).entries)


async def test_v_runs_vibe_and_opens_the_report_and_the_gate_turns_valid(workspace: Workspace) -> None:
    repo = make_repo(workspace.root)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: app.gate_board is not None)
        await pilot.press("v")
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=15)
        body = str(app.screen.query_one("#report-text").render())
        assert "## Council Verdict: WARN" in body and "semantic review skipped: no API key" in body
        assert "vibe: WARN" in log_text(app) and "offline" in log_text(app)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        assert await wait_for(lambda: app.gate_board.get("vibe").state.value == "warn")  # type: ignore[union-attr]


@pytest.mark.parametrize(("key", "module", "function", "kind"), [
    ("v", "cockpit.services.vibe", "run_vibe", "vibe"),
    ("m", "cockpit.services.premortem", "run_premortem", "pre-mortem"),
    ("t", "cockpit.services.retro", "run_retro", "retro"),
])
async def test_the_same_key_again_cancels_a_running_job(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                         key: str, module: str, function: str, kind: str) -> None:
    import importlib

    from cockpit.llm.client import Cancelled

    started = threading.Event()

    def slow(conn, root, llm, *, cancel, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        cancel.wait(10)
        raise Cancelled()

    monkeypatch.setattr(importlib.import_module(module), function, slow)
    repo = make_repo(workspace.root)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: app.dashboard.query_one(IssuesPane).loaded is not None)
        await pilot.press("2", "down")  # no session ran in this repository: the user picks one
        await pilot.press(key)
        assert await wait_for(lambda: started.is_set())
        assert f"{kind} running" in app.status_note
        await pilot.press("H" if key != "t" else "v")  # another job waits its turn
        assert f"{kind} is running" in log_text(app)
        await pilot.press(key)
        assert f"{kind}: cancelled" in log_text(app)  # at once: the UI does not wait for the request
        assert app.jobs.running is None and app.status_note == ""
        await pilot.pause(0.3)  # the late end of the cancelled job is dropped, not shown
        assert isinstance(app.screen, DashboardScreen) and log_text(app).count(f"{kind}: cancelled") == 1


async def test_m_writes_a_premortem_for_the_in_progress_issue(workspace: Workspace) -> None:
    repo = make_repo(workspace.root)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: app.dashboard.query_one(IssuesPane).loaded is not None)
        await pilot.press("4")  # from any pane: the issue in progress, not what pane 3 highlights
        await pilot.press("m")
        assert "pre-mortem: of w-1 “Add the parser” (in progress)" in log_text(app)
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=15)
        body = str(app.screen.query_one("#report-text").render())
        assert "Pre-mortem: Add the parser" in body and "no acceptance criteria" in body
        assert list((repo / ".agents" / "council").glob("*-pre-mortem-add-the-parser.md"))


async def test_t_and_H_on_a_session_and_L_lists_the_learnings(workspace: Workspace) -> None:
    app = workspace.app(repo=str(workspace.root))
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("2", "down", "up")  # the highlighted session: these sessions ran elsewhere
        await pilot.press("t")
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=20)
        assert "# Retro:" in str(app.screen.query_one("#report-text").render())
        await pilot.press("escape")
        await pilot.press("H")
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen) and app.screen.report_title == "handoff note",
                              seconds=20)
        assert "Goal: " in str(app.screen.query_one("#report-text").render())
        await pilot.press("escape", "L")
        assert await wait_for(lambda: isinstance(app.screen, LearningsScreen))
        screen = app.screen
        assert screen.rows and "learnings" in screen.sub_title
        await pilot.press("slash")
        await pilot.press(*"zzzznotthere")
        assert await wait_for(lambda: screen.rows == [])
        await pilot.press("escape")
        assert screen.rows


async def test_read_only_removes_the_writing_keys(workspace: Workspace) -> None:
    repo = make_repo(workspace.root)
    app = workspace.app(repo=str(repo), read_only=True)
    async with app.run_test(size=(150, 50)) as pilot:
        await pilot.press("v", "m", "t", "H")
        await pilot.pause(0.3)
        assert isinstance(app.screen, DashboardScreen) and not (repo / ".agents").exists()
        assert all(app.check_action(a, ()) is False for a in ("run_vibe", "run_premortem", "run_retro", "draft_handoff"))
