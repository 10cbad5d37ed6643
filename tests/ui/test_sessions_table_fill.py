"""The sessions table with thousands of sessions: a screenful before the first paint, the rest in chunks;
a reload moves and changes rows in place (never a refill), and the highlighted session stays highlighted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.pilot import Pilot

from cockpit.core.models import Agent, SessionState, SessionView, Usage
from cockpit.ui.widgets import sessions_table
from cockpit.ui.widgets.sessions_table import COLUMNS, FIRST_ROWS, SessionsTable

from .conftest import wait_for

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BANDS = (0.4, 0.6, 0.75, 0.9)


def view(i: int, *, title: str = "", minutes_ago: int | None = None) -> SessionView:
    at = NOW - timedelta(minutes=i if minutes_ago is None else minutes_ago)
    return SessionView(
        agent=Agent.CLAUDE, session_id=f"s{i:05d}", path=f"/p/s{i:05d}.jsonl", project=f"/work/project-{i % 7}",
        title=title or f"session {i}", model="claude-opus-4-6", started_at=None,
        last_activity_at=at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), state=SessionState.ENDED, context=None,
        peak_pct=0.1, compactions=(), usage=Usage(input_tokens=i), cost_usd=0.01 * i, subagents=0, skipped_lines=0,
    )


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield SessionsTable()


@asynccontextmanager
async def showing(views: list[SessionView], size: tuple[int, int]) -> AsyncIterator[tuple[Pilot[None], SessionsTable]]:
    """A table alone in an app of `size`, asked to show `views` (the first screenful goes in at once)."""
    app = TableApp()
    async with app.run_test(size=size) as pilot:
        table = app.query_one(SessionsTable)
        table.show(views, NOW, BANDS)
        yield pilot, table


def keys(table: SessionsTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_a_long_list_paints_a_screenful_first_then_the_rest() -> None:
    views = [view(i) for i in range(3 * FIRST_ROWS + 7)]
    async with showing(views, (120, 40)) as (pilot, table):
        assert table.row_count == FIRST_ROWS  # before any paint
        assert await wait_for(lambda: table.row_count == len(views), 10)
        await pilot.pause()
        assert keys(table) == [v.session_id for v in views]


async def test_a_reload_moves_and_changes_rows_in_place(monkeypatch) -> None:
    views = [view(i) for i in range(60)]
    async with showing(views, (120, 40)) as (pilot, table):
        await pilot.pause()
        table.move_cursor(row=10)  # the user is on s00010
        cleared = []
        monkeypatch.setattr(table, "clear", lambda *a, **k: cleared.append(1))
        # s00042 became active (to the top) with a new title, s00003 is gone, s09999 is new.
        newer = [view(42, title="now active", minutes_ago=0), view(9999, minutes_ago=0)] + [
            v for v in views if v.session_id not in ("s00042", "s00003")]
        table.show(newer, NOW, BANDS)
        await pilot.pause()
        assert not cleared
        assert keys(table) == [v.session_id for v in newer]
        assert table.get_row("s00042")[COLUMNS.index("title")].plain == "now active"
        assert table.selected_session_id == "s00010"


async def test_unchanged_sessions_keep_their_cells(monkeypatch) -> None:
    views = [view(i) for i in range(30)]
    async with showing(views, (120, 40)) as (pilot, table):
        await pilot.pause()
        built = []
        real = sessions_table.row_cells
        monkeypatch.setattr(sessions_table, "row_cells", lambda *a, **k: built.append(a[0].session_id) or real(*a, **k))
        changed = [view(5, title="renamed"), *(v for v in views if v.session_id != "s00005")]
        table.show(changed, NOW, BANDS)
        assert built == ["s00005"]
        # Time passing alone moves the ages, without building rows again.
        table.show(changed, NOW + timedelta(hours=2), BANDS)
        assert built == ["s00005"]
        assert table.get_row("s00000")[COLUMNS.index("active")].plain == "2h ago"


async def test_many_rows_gone_refill_the_table() -> None:
    views = [view(i) for i in range(200)]
    async with showing(views, (120, 40)) as (pilot, table):
        assert await wait_for(lambda: table.row_count == len(views), 10)
        few = [v for v in views if v.session_id.endswith("7")]  # a filter typed
        table.show(few, NOW, BANDS)
        await pilot.pause()
        assert keys(table) == [v.session_id for v in few]


async def test_a_longer_value_changed_in_place_widens_its_column() -> None:
    """An ended session that starts thinking shows "thinking" whole, as a refill would."""
    views = [view(i) for i in range(5)]
    async with showing(views, (160, 40)) as (pilot, table):
        await pilot.pause()
        state = next(c for c in table.columns.values() if c.key == "state")
        before = state.content_width
        waiting = [v if v.session_id != "s00002" else replace(v, state=SessionState.THINKING) for v in views]
        table.show(waiting, NOW, BANDS)
        await pilot.pause()
        assert table.get_row("s00002")[COLUMNS.index("state")].plain == "thinking"
        assert state.content_width == len("thinking") > before


async def test_ages_move_on_for_the_rows_on_screen_and_for_others_once_scrolled_to() -> None:
    views = [view(i) for i in range(200)]  # s00000 active now, s00199 199 minutes ago
    async with showing(views, (120, 30)) as (pilot, table):
        assert await wait_for(lambda: table.row_count == len(views), 10)
        await pilot.pause()
        age = COLUMNS.index("active")
        assert table.get_row("s00010")[age].plain == "10m ago"
        assert table.get_row("s00000")[age].plain == "<1m ago"  # not in seconds: no repaint every tick
        table.refresh_ages(NOW + timedelta(minutes=5))
        await pilot.pause()
        assert table.get_row("s00010")[age].plain == "15m ago"  # on screen: moved on at once
        assert table.get_row("s00058")[age].plain == "58m ago"  # far below (63 min now): left for nobody
        assert table.get_row("s00178")[age].plain == "2h ago"
        table.scroll_to(y=170, animate=False, immediate=True)
        assert await wait_for(lambda: table.get_row("s00178")[age].plain == "3h ago", 5)  # scrolled to: moved on
        assert table.get_row("s00058")[age].plain == "58m ago"
        table.scroll_to(y=50, animate=False, immediate=True)
        assert await wait_for(lambda: table.get_row("s00058")[age].plain == "1h ago", 5)
