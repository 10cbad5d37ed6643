"""A budget past its limit stops the agent's tool calls; the human raises it from the dashboard (B, then Enter)
and the calls go on. The hook runs through its real entry point against the dashboard's store."""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input

from cockpit.cli import main as cockpit_main
from cockpit.config.notify import NotifySettings
from cockpit.config.settings import Settings
from cockpit.core.budget_rules import BudgetLimits
from cockpit.store import budget
from cockpit.store.db import connect
from cockpit.ui.app import make_app
from cockpit.ui.screens.budget import BudgetModal
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.widgets.log_pane import LogPane

from .conftest import FROZEN_NOW, Workspace, wait_for

SESSION = "258c7280-ae70-4798-800f-63464d01a85d"  # $12.23 in the real transcript
LIMIT = 5.0
CRITICAL = ("Bash", {"command": "git push origin main"})
HARMLESS = ("Read", {"file_path": "/tmp/notes.txt"})


def payload(agent: str, tool: str, tool_input: dict) -> str:
    body = {"session_id": SESSION, "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_1"}
    if agent == "codex":
        body["turn_id"] = "turn-1"
    return json.dumps(body)


async def hook(agent: str, call: tuple[str, dict], db: Path) -> dict | None:
    """`cockpit hook AGENT pre-tool-use` as the agent starts it: its own process, beside the running dashboard."""
    exe = str(Path(sys.executable).with_name("cockpit"))
    proc = await asyncio.to_thread(subprocess.run, [exe, "hook", agent, "pre-tool-use", "--db", str(db), "--timeout", "2"],
                                   input=payload(agent, *call), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["hookSpecificOutput"] if proc.stdout.strip() else None


def app_with(workspace: Workspace, **kwargs):
    claude, codex = workspace.roots()
    settings = Settings(live_minutes=10_000_000, notify=NotifySettings(enabled=False),
                        budget=BudgetLimits(session_usd=LIMIT))
    return make_app(db_path=str(workspace.db), claude_roots=claude, codex_roots=codex, settings=settings,
                    clock=lambda: FROZEN_NOW, live=False, repo=str(workspace.root), **kwargs)


@pytest.fixture
def budget_config() -> None:
    Path(os.environ["COCKPIT_CONFIG"]).write_text(f"[budget]\nsession_usd = {LIMIT}\n", encoding="utf-8")


async def test_raising_the_budget_from_the_dashboard_lets_the_calls_through(workspace, budget_config, monkeypatch):
    import cockpit.ui.screens.budget as budget_screen

    clock = [1000.0]
    monkeypatch.setattr(budget_screen, "monotonic", lambda: clock[0])
    app = app_with(workspace, inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        for agent in ("claude", "codex"):
            for call in (CRITICAL, HARMLESS):
                answer = await hook(agent, call, workspace.db)
                assert answer is not None and answer["permissionDecision"] == "deny", (agent, call)
                assert answer["permissionDecisionReason"].startswith(
                    "cockpit: session budget of $5.00 reached; a human can raise it in cockpit")
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert await wait_for(lambda: ("session", SESSION) in dashboard.fleet.budgets)
        assert any("reached its budget of $5.00" in e for e in dashboard.query_one(LogPane).entries)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, BudgetModal)
        assert app.screen.query_one("#budget-limit", Input).value == "18.34"  # +50 % on the $12.23 spent
        clock[0] += 0.31
        await pilot.press("enter")
        assert await wait_for(lambda: _raised(workspace.db) == 18.34)
        assert isinstance(app.screen, DashboardScreen)
        assert await wait_for(lambda: ("session", SESSION) not in dashboard.fleet.budgets)
        for agent in ("claude", "codex"):
            assert await hook(agent, HARMLESS, workspace.db) is None
            answer = await hook(agent, CRITICAL, workspace.db)  # back to the approval gate: nobody answers in 2 s
            assert answer is not None and "budget" not in answer["permissionDecisionReason"]


async def test_a_typed_limit_must_be_above_the_spend(workspace, budget_config):
    app = app_with(workspace)
    async with app.run_test(size=(140, 45)) as pilot:
        assert await wait_for(lambda: bool(app.screen.fleet.budgets))
        await pilot.press("B")
        await pilot.pause(0.35)
        field = app.screen.query_one("#budget-limit", Input)
        field.value = "10"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BudgetModal)
        assert "not above what is already spent ($12.23)" in str(app.screen.query_one("#budget-error").render())
        field.value = "+200%"
        await pilot.press("enter")
        assert await wait_for(lambda: _raised(workspace.db) == 15.0)


async def test_the_raise_key_says_why_not_while_no_budget_needs_it(workspace):
    claude, codex = workspace.roots()
    app = make_app(db_path=str(workspace.db), claude_roots=claude, codex_roots=codex,
                   settings=Settings(live_minutes=10_000_000, budget=BudgetLimits(session_usd=500.0)),
                   clock=lambda: FROZEN_NOW, live=False, repo=str(workspace.root))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("B")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "no budget is in its warning band or past its limit" in app.screen.query_one(LogPane).entries[-1]
        assert _raised(workspace.db) is None


def test_the_hook_reads_the_raise_without_a_dashboard(workspace, budget_config, monkeypatch, capsys):
    conn = connect(workspace.db)
    budget.raise_limit(conn, "session", SESSION, 20.0, "2026-02-23T21:00:00Z")
    conn.close()
    monkeypatch.setattr(sys, "stdin", io.StringIO(payload("claude", *HARMLESS)))
    assert cockpit_main(["hook", "claude", "pre-tool-use", "--db", str(workspace.db)]) == 0
    assert capsys.readouterr().out == ""


def _raised(db: Path) -> float | None:
    conn = connect(db)
    try:
        return budget.raised_limit(conn, "session", SESSION)
    finally:
        conn.close()
