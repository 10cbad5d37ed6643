"""The dashboard as a user drives it: keys pressed, screen read, nothing else assumed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.session import SessionScreen
from cockpit.ui.widgets.context_pane import ContextPane
from cockpit.ui.widgets.gauge import ContextGauge
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.sessions_table import SessionsTable

from .conftest import Workspace

CODEX_LIVE = "019c8bfe-ec25-79e0-97d7-bda6a9c575ff"


def gauge_text(app, session_id: str) -> str:
    for gauge in app.screen.query(ContextGauge):
        if gauge.view.session_id == session_id:
            return "\n".join(line.plain for line in gauge._lines(120))
    raise AssertionError(f"no gauge for {session_id}")


async def test_live_session_gauge_shows_exact_percentage_and_window(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=120)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        text = gauge_text(app, CODEX_LIVE)
        # 63,727 / 258,400 = 24.66 %; the window comes from the rollout, so it is not "assumed".
        assert "24.7%" in text and "63.7k / 258.4k" in text
        assert "window assumed" not in text
        live_ids = {g.view.session_id for g in app.screen.query(ContextGauge)}
        # Only the rollout active within 120 minutes of the frozen clock is live.
        assert live_ids == {CODEX_LIVE}


async def test_claude_gauge_marks_assumed_window_and_compaction(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 60)) as pilot:
        await pilot.pause()
        text = gauge_text(app, "258c7280-ae70-4798-800f-63464d01a85d")
        assert "38.7%" in text and "77.3k / 200.0k (window assumed)" in text
        assert "1 compaction (last auto at 167.1k)" in text


async def test_enter_opens_session_timeline_and_escape_returns(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("2")
        table = app.screen.query_one(SessionsTable)
        assert table.has_focus
        row = table.selected_session_id
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SessionScreen)
        assert app.screen.session_id == row
        calls = app.screen.query_one("#calls", DataTable)
        assert calls.row_count > 0
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_session_screen_lists_calls_tools_compaction_and_subagents(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()
        screen = app.screen
        calls = screen.query_one("#calls", DataTable)
        plain = [str(calls.get_row_at(i)[1]) for i in range(calls.row_count)]
        assert sum("auto compaction" in p for p in plain) == 1
        # 156 deduped API calls (main thread and subagents) plus the compaction marker row.
        assert calls.row_count == 157
        assert screen.query_one("#compactions", DataTable).row_count == 1
        subagents = screen.query_one("#subagents", DataTable)
        labels = [str(subagents.get_row_at(i)[0]) for i in range(subagents.row_count)]
        assert labels == ["a881341", "acompact-fffbd0 (compaction summariser)"]
        tools = screen.query_one("#tools", DataTable)
        assert tools.row_count > 100


async def test_filter_narrows_sessions_and_escape_clears(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        table = app.screen.query_one(SessionsTable)
        total = table.row_count
        await pilot.press("slash")
        assert app.screen.query_one("#filter", Input).has_focus
        await pilot.press(*"doesnt seem")
        await pilot.pause()
        # These words appear only in short.jsonl (its first prompt is its title).
        assert table.row_count == 1 and table.selected_session_id == "short"
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == total


async def test_help_lists_active_keys(workspace: Workspace) -> None:
    app = workspace.app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = [row[1] for row in app.screen.rows]
        for expected in ("Filter", "Pause", "Quit", "Commands", "Context", "Sessions"):
            assert expected in keys
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_number_keys_focus_panes(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("1")
        assert app.screen.query_one(ContextPane).has_focus
        await pilot.press("5")
        assert app.focused is not None and app.focused.id == "log-pane"
        await pilot.press("2")
        assert app.focused is not None and app.focused.id == "sessions-pane"


@pytest.mark.parametrize("key", ["colon", "ctrl+p"])
async def test_command_palette_opens_with_colon_and_ctrl_p(workspace: Workspace, key: str) -> None:
    app = workspace.app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press(key)
        await pilot.pause()
        from textual.command import CommandPalette

        assert isinstance(app.screen, CommandPalette)


async def test_theme_toggle_switches_between_shipped_themes(workspace: Workspace) -> None:
    app = workspace.app()
    async with app.run_test(size=(140, 45)) as pilot:
        assert app.theme == "cockpit-dark"
        await pilot.press("T")
        assert app.theme == "cockpit-light"


async def test_q_quits(workspace: Workspace) -> None:
    app = workspace.app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_untrusted_prompt_text_is_shown_literally(workspace: Workspace) -> None:
    session = workspace.claude / "projects" / "-home-dev-spotter" / "0c0ffee0-0000-4000-8000-000000000001.jsonl"
    prompt = "[bold red]not markup[/] \x1b[31mred\x1b[0m [link=http://x]y[/link]"
    line = {"type": "user", "sessionId": "0c0ffee0", "cwd": "/home/dev/x", "timestamp": "2026-02-23T20:59:00.000Z",
            "message": {"role": "user", "content": prompt}, "uuid": "u1", "parentUuid": None}
    session.write_text(json.dumps(line) + "\n")
    workspace.ingest()
    app = workspace.app(live_minutes=10)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(SessionsTable)
        row = table.get_row("0c0ffee0-0000-4000-8000-000000000001")
        title = row[-1]
        # Escape sequences shown as inert escapes, markup kept as literal characters.
        assert title.plain.startswith("[bold red]not markup[/] \\x1b[31mred\\x1b[0m [link=http://x]")
        assert "\x1b" not in title.plain
        assert not title.spans


async def test_pause_holds_updates_until_resumed(workspace: Workspace, tmp_path: Path) -> None:
    app = workspace.app(live_minutes=120)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("p")
        assert app.paused
        assert "PAUSED" in str(app.screen.query_one("#status-line").render())
        app.dashboard.schedule_reload()
        await pilot.pause()
        assert app.dashboard.missed_while_paused
        await pilot.press("p")
        await pilot.pause()
        assert not app.paused and not app.dashboard.missed_while_paused


async def test_typing_in_the_filter_never_triggers_app_keys(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("slash", "p", "q", "1", "question_mark", "T")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "pq1?T"
        assert isinstance(app.screen, DashboardScreen) and not app.paused and app.theme == "cockpit-dark"


async def test_session_screen_keeps_the_cursor_when_new_lines_arrive(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()
        calls = app.screen.query_one("#calls", DataTable)
        await pilot.press(*["down"] * 30)
        assert calls.cursor_row == 30
        app.screen.reload()
        await pilot.pause()
        assert calls.cursor_row == 30


async def test_problems_found_at_start_are_logged_not_a_crash(workspace) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from cockpit.ui.widgets.log_pane import LogPane

    app = workspace.app()
    app.settings = replace(app.settings, errors=("config.toml: dashboard.bands must be four increasing percentages",))
    app.problems = app.settings.errors
    async with app.run_test(size=(150, 50)):
        entries = app.dashboard.query_one(LogPane).entries
        assert any("dashboard.bands" in e for e in entries)


def shows(app, widget) -> bool:
    """The whole widget, borders and title included, is inside the visible panes and not covered."""
    region = widget.region
    if not region.height or not app.screen.query_one("#panes").region.contains_region(region):
        return False
    at, _ = app.screen.get_widget_at(*region.center)
    return widget in at.ancestors_with_self


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_pane_key_brings_its_pane_into_view_beside_an_agent_terminal(
    workspace: Workspace, size: tuple[int, int]
) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert not shows(app, screen.query_one("#inbox-pane"))  # the panes are taller than the screen
        for key, pane_id in (("4", "gates-pane"), ("5", "inbox-pane"), ("1", "context-pane"), ("3", "issues-pane")):
            await pilot.press(key)
            await pilot.pause()
            pane = screen.query_one(f"#{pane_id}")
            assert app.focused is not None and pane in app.focused.ancestors_with_self
            assert shows(app, pane), f"{pane_id} not in view at {size}"
        # The log, where every result and error is written, is readable once 5 is pressed.
        await pilot.press("5")
        await pilot.pause()
        assert shows(app, screen.query_one(LogPane))


async def test_panes_fit_without_scrolling_at_full_size(workspace: Workspace) -> None:
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        panes = app.screen.query_one("#panes")
        for key in "12345":
            await pilot.press(key)
            await pilot.pause()
            assert panes.scroll_y == 0
        assert all(shows(app, app.screen.query_one(f"#{p}"))
                   for p in ("context-pane", "sessions-pane", "issues-pane", "gates-pane", "inbox-pane"))


async def test_a_filter_that_looks_like_markup_is_shown_as_typed(workspace: Workspace) -> None:
    """The sessions pane's subtitle quotes the filter: "[/x]" or "[bold]" are text, never markup (a closing tag
    with no opening one used to raise in Textual's markup parser)."""
    app = workspace.app(live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        table = app.screen.query_one(SessionsTable)
        await pilot.press("slash")
        await pilot.press(*"[/x][bold]")
        await pilot.pause()
        assert table.row_count == 0
        # The getter gives the subtitle back as markup: the brackets come back escaped, so they were text.
        assert re.fullmatch(r"0 of \d+ sessions matching '\\\[/x]\\\[bold]'", table.border_subtitle), table.border_subtitle
