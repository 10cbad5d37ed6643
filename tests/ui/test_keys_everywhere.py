"""Every key as documented, at every size: ← / → switch tabs, `x` shows where it acts, a key that cannot act is
greyed in the footer and says why when pressed (never a traceback), and v / m / t / H find their subject the
same way from every pane and say which they chose."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from textual.widgets import TabbedContent
from textual.widgets._footer import FooterKey

from cockpit.core.gate_rules import GateState
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.report import ReportScreen
from cockpit.ui.screens.session import SessionScreen
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.log_pane import LogPane

from .conftest import Workspace, wait_for
from .test_gates_pane import ENV, SLOW, make_repo, state_of

SESSION = "258c7280-ae70-4798-800f-63464d01a85d"


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


def log_text(app) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(app.dashboard.query_one(LogPane).entries)


def footer_keys(app) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    """The footer's keys, each with whether it is enabled (a greyed key is False)."""
    return {key.key: not key.has_class("-disabled") for key in app.screen.query(FooterKey)}


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (140, 44)])
async def test_left_and_right_switch_the_session_screens_tabs_without_tab_first(workspace: Workspace,
                                                                                 size: tuple[int, int]) -> None:
    app = workspace.app(live_minutes=600)
    async with app.run_test(size=size) as pilot:
        app.open_session(SESSION)
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        assert isinstance(app.screen, SessionScreen) and tabs.active == "tab-calls"
        await pilot.press("right")
        await settle(pilot)
        assert tabs.active == "tab-tools" and app.focused is not None and app.focused.id == "tools"
        await pilot.press("right", "right", "right")
        await settle(pilot)
        assert tabs.active == "tab-calls"  # round again
        await pilot.press("left")
        await settle(pilot)
        assert tabs.active == "tab-subagents"
        assert {"left", "right"} <= footer_keys(app).keys()


async def test_x_is_in_the_footer_where_it_acts_greyed_until_a_gate_runs(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, SLOW)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: state_of(app, "slow") is GateState.UNKNOWN)
        assert "x" not in footer_keys(app)  # the sessions pane: x does not act there
        await pilot.press("4")
        await settle(pilot)
        assert footer_keys(app)["x"] is False and footer_keys(app)["r"] is True
        await pilot.press("x")
        assert "x (Cancel): gate slow is not running: nothing to cancel" in log_text(app)
        await pilot.press("r")
        assert await wait_for(lambda: state_of(app, "slow") is GateState.RUNNING)
        await settle(pilot)
        assert footer_keys(app)["x"] is True and footer_keys(app)["r"] is False
        await pilot.press("enter")  # the gate's own screen shows x too
        await settle(pilot)
        assert footer_keys(app)["x"] is True
        await pilot.press("x")
        assert await wait_for(lambda: state_of(app, "slow") is GateState.UNKNOWN, seconds=10)
        assert "gate slow: cancelled" in log_text(app)


async def test_outside_a_git_repository_v_and_r_are_greyed_and_say_why(workspace: Workspace,
                                                                       tmp_path: Path) -> None:
    plain = tmp_path / "plain folder"
    plain.mkdir()
    app = workspace.app(repo=str(plain))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: app.gate_board is not None)
        await pilot.press("4")
        await settle(pilot)
        keys = footer_keys(app)
        assert keys["v"] is False and keys["r"] is False and keys["R"] is False
        await pilot.press("v", "r", "R", "x")
        await settle(pilot)
        log = log_text(app)
        assert f"v (Vibe): {plain} is not a git repository" in log
        assert f"r (Run): {plain} is not a git repository" in log
        assert f"R (Run all): {plain} is not a git repository" in log
        assert "Traceback" not in log and "RuntimeError" not in log and "Error:" not in log
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert f"(not now: {plain} is not a git repository)" in str(app.screen.query_one("#help-body Static").render())


def repo_with_issues(root: Path, *, in_progress: bool) -> Path:
    repo = root / "tidepool"
    (repo / ".beads").mkdir(parents=True)
    issues = [{"id": "tp-1", "title": "Support the 2026 layout", "status": "open", "priority": 1},
              {"id": "tp-2", "title": "Parse the 2026 header", "status": "in_progress" if in_progress else "open",
               "priority": 1}]
    (repo / ".beads" / "issues.jsonl").write_text("".join(json.dumps(i) + "\n" for i in issues))
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "start"]):
        subprocess.run(["git", *args], cwd=repo, env=ENV, check=True)
    return repo


async def test_m_without_an_issue_in_progress_is_greyed_and_says_why(workspace: Workspace) -> None:
    app = workspace.app(repo=str(repo_with_issues(workspace.root, in_progress=False)))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: app.dashboard.query_one(IssuesPane).loaded is not None)
        await pilot.press("3")
        await settle(pilot)
        assert footer_keys(app)["m"] is False
        await pilot.press("m")
        assert "m (Pre-mortem): no issue is in progress: highlight one in pane 3" in log_text(app)
        await pilot.press("down")  # the user highlights one: m acts on it
        await settle(pilot)
        assert footer_keys(app)["m"] is True
        await pilot.press("m")
        assert "pre-mortem: of tp-2 “Parse the 2026 header” (highlighted in pane 3)" in log_text(app)
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=15)
        assert "RuntimeError" not in log_text(app)


async def test_m_finds_the_issue_in_progress_from_every_pane(workspace: Workspace) -> None:
    app = workspace.app(repo=str(repo_with_issues(workspace.root, in_progress=True)))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: app.dashboard.query_one(IssuesPane).loaded is not None)
        chosen = []
        for key in "12345":
            await pilot.press(key)
            await settle(pilot)
            chosen.append(app.why_not("run_premortem"))
        from cockpit.ui.subjects import issue_subject

        assert chosen == [""] * 5 and issue_subject(app).id == "tp-2"
        await pilot.press("4", "m")
        assert "pre-mortem: of tp-2 “Parse the 2026 header” (in progress)" in log_text(app)
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=15)


def sessions_here(workspace: Workspace, repo: Path, ids: list[str]) -> None:
    """Move these sessions into `repo`, as if they had run there."""
    from cockpit.store.db import connect

    conn = connect(workspace.db)
    for sid in ids:
        conn.execute("UPDATE sessions SET project = ? WHERE session_id = ?", (str(repo), sid))
    conn.commit()
    conn.close()


async def test_t_and_v_choose_the_newest_live_session_of_this_repository_from_every_pane(
        workspace: Workspace) -> None:
    repo = repo_with_issues(workspace.root, in_progress=False)
    app = workspace.app(repo=str(repo), live_minutes=10_000_000)
    live = sorted(((v.last_activity_at or "", v.session_id) for v in _views(workspace)), reverse=True)
    newest, older = live[0][1], live[1][1]
    sessions_here(workspace, repo, [newest, older])
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(lambda: app.gate_board is not None)
        from cockpit.ui.subjects import session_subject

        for key in "12345":
            await pilot.press(key)
            await settle(pilot)
            assert session_subject(app).id == newest, key
        await pilot.press("4", "t")
        assert f"retro: of session {newest[:8]}" in log_text(app)
        assert "the newest live session of tidepool" in log_text(app)
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=20)
        await pilot.press("escape")
        await pilot.press("v")
        assert f"against the intent of session {newest[:8]}" in log_text(app)
        assert await wait_for(lambda: isinstance(app.screen, ReportScreen), seconds=20)
        assert f"intent: last prompt of session {newest[:8]}" in log_text(app)
        await pilot.press("escape")
        # The user highlights another session in pane 2: from any pane, t now takes that one.
        await pilot.press("2")
        while app.dashboard.query_one("#sessions-pane").selected_session_id != older:
            await pilot.press("down")
        await pilot.press("5", "H")
        assert f"handoff: drafting a handoff note for session {older[:8]}" in log_text(app)
        assert "(highlighted in pane 2)" in log_text(app)


def _views(workspace: Workspace):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from cockpit.store.db import open_db
    from cockpit.store.queries import list_sessions

    return [v for v in list_sessions(open_db(workspace.db), now=datetime(2026, 2, 23, 21, tzinfo=UTC),
                                     live_minutes=10_000_000, limit=100, with_detail=False) if v.live]


async def test_t_with_no_session_of_this_repository_is_greyed_and_says_why(workspace: Workspace) -> None:
    repo = repo_with_issues(workspace.root, in_progress=False)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert footer_keys(app)["t"] is False and footer_keys(app)["H"] is False
        await pilot.press("t")
        assert f"t (Retro): no session of {repo} yet: highlight one in pane 2" in log_text(app)
        assert "RuntimeError" not in log_text(app)


async def test_a_job_that_finds_nothing_says_so_in_plain_words(workspace: Workspace,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import cockpit.services.retro

    def nothing(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("no session found for /somewhere")

    monkeypatch.setattr(cockpit.services.retro, "run_retro", nothing)
    app = workspace.app(live_minutes=600)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2", "down", "t")
        assert await wait_for(lambda: "retro: no session found for /somewhere" in log_text(app))
        assert "RuntimeError" not in log_text(app)
