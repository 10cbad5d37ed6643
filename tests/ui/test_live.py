"""Live updates: a line appended by an agent reaches the screen without any key press."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cockpit.sources.watcher import preferred_mode
from cockpit.ui.widgets.gauge import ContextGauge

from .conftest import Workspace, wait_for

EVENTS = preferred_mode()  # inotify on Linux, watchfiles elsewhere

CODEX_LIVE = "019c8bfe-ec25-79e0-97d7-bda6a9c575ff"


def _token_count(ts: str, total: int, used: int) -> str:
    usage = {"input_tokens": used - 100, "cached_input_tokens": 0, "output_tokens": 100,
             "reasoning_output_tokens": 0, "total_tokens": used}
    info = {"total_token_usage": {**usage, "total_tokens": total}, "last_token_usage": usage, "model_context_window": 258400}
    return json.dumps({"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": info}}) + "\n"


async def _wait_for(predicate, seconds: float = 8.0) -> bool:
    return await wait_for(predicate, seconds)


@pytest.mark.parametrize("force_polling", [False, True], ids=["events", "polling"])
async def test_appended_token_count_moves_the_gauge(workspace: Workspace, force_polling: bool) -> None:
    clock_now = datetime(2026, 2, 23, 21, 0, tzinfo=UTC)
    app = workspace.app(live=True, live_minutes=120, clock=lambda: clock_now, force_polling=force_polling)
    app.settings = type(app.settings)(live_minutes=120, poll_seconds=0.1)
    rollout = next(workspace.codex.glob("*019c8bfe*.jsonl"))
    async with app.run_test(size=(140, 45)) as pilot:
        assert await _wait_for(lambda: app.watch_mode in (EVENTS, "polling"))
        await pilot.pause(0.3)
        with rollout.open("a") as handle:
            handle.write(_token_count("2026-02-23T20:59:00.000Z", 999_999, 129_200))
        def shows_fifty_percent() -> bool:
            gauges = [g for g in app.screen.query(ContextGauge) if g.view.session_id == CODEX_LIVE]
            return bool(gauges) and gauges[0].view.context is not None and gauges[0].view.context.prompt_tokens == 129_200
        assert await _wait_for(shows_fifty_percent), "the appended line never reached the gauge"
        # Crossing 40 % raised one toast and logged it.
        await pilot.pause(0.1)
        from cockpit.ui.widgets.log_pane import LogPane

        entries = app.screen.query_one(LogPane).entries
        assert sum("passed 40%" in e for e in entries) == 1
        assert app.watch_mode == ("polling" if force_polling else EVENTS)


async def test_half_written_line_waits_for_its_end(workspace: Workspace) -> None:
    app = workspace.app(live=True, live_minutes=120)
    rollout = next(workspace.codex.glob("*019c8bfe*.jsonl"))
    line = _token_count("2026-02-23T20:59:00.000Z", 999_999, 100_000)
    async with app.run_test(size=(140, 45)) as pilot:
        assert await _wait_for(lambda: app.watch_mode == EVENTS)
        with rollout.open("a") as handle:
            handle.write(line[:40])
        await pilot.pause(0.5)
        gauge = next(g for g in app.screen.query(ContextGauge) if g.view.session_id == CODEX_LIVE)
        assert gauge.view.context is not None and gauge.view.context.prompt_tokens == 63_727
        with rollout.open("a") as handle:
            handle.write(line[40:])
        assert await _wait_for(lambda: gauge.view.context is not None and gauge.view.context.prompt_tokens == 100_000)


async def test_junk_line_is_a_line_in_the_log_and_the_session_keeps_updating(workspace: Workspace) -> None:
    from cockpit.ui.widgets.log_pane import LogPane

    app = workspace.app(live=True, live_minutes=120)
    rollout = next(workspace.codex.glob("*019c8bfe*.jsonl"))
    async with app.run_test(size=(140, 45)) as pilot:
        assert await _wait_for(lambda: app.watch_mode == EVENTS)
        with rollout.open("a") as handle:
            handle.write("{this is not json\n")
            handle.write(_token_count("2026-02-23T20:59:00.000Z", 999_999, 110_000))
        gauge = next(g for g in app.screen.query(ContextGauge) if g.view.session_id == CODEX_LIVE)
        assert await _wait_for(lambda: gauge.view.context is not None and gauge.view.context.prompt_tokens == 110_000)
        log = app.screen.query_one(LogPane)
        assert await _wait_for(
            lambda: any("1 line(s) skipped (invalid-json)" in e and rollout.name in e for e in log.entries))
        await pilot.pause()


async def test_a_failing_live_ingest_is_reported_and_retried(workspace: Workspace, monkeypatch) -> None:
    from cockpit.ingest.live import LiveIngest
    from cockpit.ui.widgets.log_pane import LogPane

    real_run = LiveIngest.run
    attempts = []

    def flaky_run(self, stop):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("database is locked")
        return real_run(self, stop)

    monkeypatch.setattr(LiveIngest, "run", flaky_run)
    app = workspace.app(live=True, live_minutes=120)
    async with app.run_test(size=(140, 45)) as pilot:
        assert await _wait_for(lambda: app.watch_mode == EVENTS, seconds=10)
        entries = app.screen.query_one(LogPane).entries
        assert any("live updates failed, retrying: RuntimeError: database is locked" in e for e in entries)
        assert len(attempts) == 2
        await pilot.pause()


async def test_an_appended_line_redraws_its_row_in_place_without_reading_the_whole_list(workspace: Workspace,
                                                                                         monkeypatch) -> None:
    from cockpit.ui.screens import dashboard
    from cockpit.ui.widgets.sessions_table import COLUMNS, SessionsTable

    clock_now = datetime(2026, 2, 23, 21, 0, tzinfo=UTC)
    app = workspace.app(live=True, live_minutes=120, clock=lambda: clock_now)
    rollout = next(workspace.codex.glob("*019c8bfe*.jsonl"))
    full_reads: list[int] = []
    real = dashboard.list_sessions
    monkeypatch.setattr(dashboard, "list_sessions", lambda *a, **k: full_reads.append(1) or real(*a, **k))
    async with app.run_test(size=(140, 45)) as pilot:
        assert await _wait_for(lambda: app.watch_mode == EVENTS)
        screen = app.screen
        assert isinstance(screen, dashboard.DashboardScreen)
        assert await _wait_for(lambda: screen._reload_timer is None)  # the catch-up's full reload is done
        await pilot.pause(0.2)
        table = app.screen.query_one(SessionsTable)
        top = screen.views[0].session_id
        assert top == CODEX_LIVE  # the most recent live session: a new line keeps it where it is
        before = len(full_reads)
        with rollout.open("a") as handle:
            handle.write(_token_count("2026-02-23T20:59:30.000Z", 999_999, 129_200))
        ctx = COLUMNS.index("ctx")
        assert await _wait_for(lambda: table.get_row(CODEX_LIVE)[ctx].plain.strip().startswith("50"))
        assert len(full_reads) == before  # its row was redrawn from the view its gauge was drawn from
        assert next(v for v in app.sessions if v.session_id == CODEX_LIVE).context.prompt_tokens == 129_200
        # A session whose line does not come with a redrawn gauge (here: a hook event) reloads the list.
        screen.on_hook_events_arrived(type("Arrived", (), {"sessions": frozenset({CODEX_LIVE})})())
        assert await _wait_for(lambda: len(full_reads) > before)
