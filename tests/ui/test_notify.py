"""Notifications through the dashboard: a pending approval in the store reaches the inbox worker, the inbox posts
the FleetEvent, the notifier sends it to a fake notify-send on PATH and a fake user command, and withdraws it
when the request is answered (in cockpit or in the agent's terminal)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest
from fake_notify import fake_command, fake_notify_send, lines

from cockpit.cli import main as cockpit_main
from cockpit.config.notify import NotifySettings
from cockpit.config.settings import Settings
from cockpit.store import approvals
from cockpit.store.db import connect
from cockpit.ui.app import make_app

from .conftest import FROZEN_NOW, Workspace, wait_for
from .test_approvals import SESSION, ask


def app_with(workspace: Workspace, notify: NotifySettings, **kwargs):
    claude, codex = workspace.roots()
    return make_app(db_path=str(workspace.db), claude_roots=claude, codex_roots=codex,
                    settings=Settings(live_minutes=10_000_000, notify=notify), clock=lambda: FROZEN_NOW, live=False,
                    inbox=True, repo=str(workspace.root), **kwargs)


@pytest.fixture
def sinks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _exe, desktop_log = fake_notify_send(bin_dir)
    argv, command_log = fake_command(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return argv, desktop_log, command_log


async def test_an_approval_is_notified_with_its_session_and_command_then_withdrawn(workspace, sinks) -> None:
    argv, desktop_log, command_log = sinks
    app = app_with(workspace, NotifySettings(command=tuple(argv), terminal="off"))
    async with app.run_test(size=(140, 45)):
        rid = ask(workspace.db)
        assert await wait_for(lambda: len(lines(command_log)) == 1)
        event = lines(command_log)[0]
        assert (event["event"], event["key"], event["active"], event["escalated"]) == (
            "approval", f"approval:{rid}", True, False)
        assert event["session_id"] == SESSION and event["command"] == "git push origin main"
        assert SESSION[:8] in event["title"] and "git push origin main" in event["detail"]
        assert await wait_for(lambda: len(lines(desktop_log)) == 1)
        shown = lines(desktop_log)[0]
        assert "--print-id" in shown and SESSION[:8] in shown[-2] and shown[-1] == "Bash: git push origin main"
        # Answered in the agent's terminal: the hook closes the request; the inbox sees it go.
        conn = connect(workspace.db)
        approvals.close(conn, rid, approvals.ANSWERED_IN_TERMINAL, "terminal")
        conn.close()
        assert await wait_for(lambda: len(lines(command_log)) == 2)
        withdrawn = lines(command_log)[1]
        assert (withdrawn["key"], withdrawn["active"], withdrawn["session_id"]) == (f"approval:{rid}", False, SESSION)
        assert await wait_for(lambda: len(lines(desktop_log)) == 2)
        assert "--replace-id=42" in lines(desktop_log)[1]


async def test_an_approval_answered_in_cockpit_is_withdrawn(workspace, sinks) -> None:
    argv, _desktop_log, command_log = sinks
    app = app_with(workspace, NotifySettings(command=tuple(argv), terminal="off", desktop=False))
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        assert await wait_for(lambda: len(lines(command_log)) == 1)
        await pilot.press("a")
        await pilot.pause(0.35)
        await pilot.press("y")
        assert await wait_for(lambda: [e["active"] for e in lines(command_log)] == [True, False])
        assert lines(command_log)[1]["key"] == f"approval:{rid}"


async def test_a_request_left_waiting_escalates(workspace, sinks) -> None:
    argv, _desktop_log, command_log = sinks
    app = app_with(workspace, NotifySettings(command=tuple(argv), terminal="off", desktop=False, escalate_after=0.5))
    async with app.run_test(size=(140, 45)):
        ask(workspace.db)
        assert await wait_for(lambda: [e["escalated"] for e in lines(command_log)] == [False, True], 8.0)
        assert lines(command_log)[1]["command"] == "git push origin main"


async def test_quiet_sends_nothing(workspace, sinks) -> None:
    argv, desktop_log, command_log = sinks
    app = app_with(workspace, NotifySettings(enabled=False, command=tuple(argv)))
    async with app.run_test(size=(140, 45)) as pilot:
        ask(workspace.db)
        assert await wait_for(lambda: bool(app.pending))
        await pilot.pause(0.5)
        assert not any(w.group == "notify" for w in app.workers)
    assert not command_log.exists() and not desktop_log.exists()


def test_the_quiet_flag_switches_notifications_off(workspace, monkeypatch) -> None:
    opened = []

    def run(self, *args, **kwargs):
        opened.append(self.settings.notify.enabled)

    monkeypatch.setattr("cockpit.ui.app.CockpitApp.run", run)
    monkeypatch.setattr("cockpit.ui.workers.live.prepare_process_pool", lambda: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    flags = ["--db", str(workspace.db), "--claude-dir", str(workspace.claude), "--codex-dir", str(workspace.codex)]
    assert cockpit_main(["dashboard", *flags]) == 0
    assert cockpit_main(["dashboard", "--quiet", *flags]) == 0
    assert cockpit_main(["--quiet", "dashboard", *flags]) == 0
    assert opened == [True, False, False]
