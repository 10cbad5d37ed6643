"""The context pane's prompt-cache countdown and live subagent lines, on the real 2.1.x session with a
subagent file (`<uuid>/subagents/agent-a881341.jsonl`) and a fixed clock."""

from __future__ import annotations

import math
import sqlite3
from datetime import UTC, datetime, timedelta

from cockpit.core.pricing import price_for
from cockpit.ui.widgets.gauge import ContextGauge, cache_countdown, countdown_changes_in

from .conftest import Workspace

SESSION = "258c7280-ae70-4798-800f-63464d01a85d"
# Four minutes after the session's last line (21:46:25); its subagent's last request was at 21:24:52.
NOW = datetime(2026, 2, 11, 21, 50, 0, tzinfo=UTC)


def gauge_lines(app, session_id: str) -> list[str]:
    for gauge in app.screen.query(ContextGauge):
        if gauge.view.session_id == session_id:
            return [line.plain for line in gauge._lines(160)]
    raise AssertionError(f"no gauge for {session_id}")


def last_main_call(workspace: Workspace) -> tuple[datetime, str, int, int]:
    with sqlite3.connect(workspace.db) as conn:
        ts, model, prompt, one_hour = conn.execute(
            "SELECT ts, model, context_tokens, cache_creation_1h_tokens FROM api_calls WHERE session_id = ?"
            " AND agent_id = '' ORDER BY ts DESC LIMIT 1", (SESSION,)).fetchone()
    return datetime.fromisoformat(ts.replace("Z", "+00:00")), model, prompt, one_hour


async def test_a_live_claude_session_counts_its_cache_down_and_prices_a_cold_restart(workspace: Workspace) -> None:
    last, model, prompt, one_hour = last_main_call(workspace)
    assert one_hour > 0  # this session writes 1-hour cache: the TTL is an hour, not five minutes
    app = workspace.app(clock=lambda: NOW, live_minutes=30)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        lines = gauge_lines(app, SESSION)
        left = (last + timedelta(hours=1) - NOW).total_seconds()
        price = price_for(model)
        assert price is not None
        cold = prompt * price.rates(prompt)[3] / 1e6
        assert f"cache {math.ceil(left / 60)}m · cold ${cold:,.2f}" in lines[2]  # whole minutes, rounded up
        # The subagent, live (its last request 25 minutes ago, within 30), on its own line under its parent;
        # the compaction agent is Claude Code's own and not listed.
        subs = [line for line in lines if line.lstrip().startswith("↳")]
        assert len(subs) == 1 and "a881341" in subs[0] and "acompact" not in "\n".join(lines)
        with sqlite3.connect(workspace.db) as conn:
            context = conn.execute("SELECT context_tokens FROM api_calls WHERE agent_id = 'a881341'"
                                   " ORDER BY ts DESC LIMIT 1").fetchone()[0]
        assert f"{context / 1000:.1f}k/200.0k" in subs[0]


async def test_cache_expired_and_subagent_gone_outside_the_live_window(workspace: Workspace) -> None:
    later = NOW + timedelta(hours=1)
    app = workspace.app(clock=lambda: later, live_minutes=70)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        lines = gauge_lines(app, SESSION)
        assert "cache expired · cold $" in lines[2]
        assert not any(line.lstrip().startswith("↳") for line in lines)  # last request 85 minutes ago


async def test_the_statuslines_prompt_cache_expiry_wins_when_newer(workspace: Workspace) -> None:
    last, *_ = last_main_call(workspace)
    stated = NOW + timedelta(minutes=7)
    with sqlite3.connect(workspace.db) as conn:
        conn.execute("INSERT INTO statusline VALUES (?,?,?,?,?,?)",
                     (SESSION, (last + timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%S.000Z"), None, None, None,
                      f'{{"prompt_cache": {{"expires_at": {int(stated.timestamp())}}}}}'))
    app = workspace.app(clock=lambda: NOW, live_minutes=30)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        assert "cache 7m ·" in gauge_lines(app, SESSION)[2]


def test_the_countdown_shows_minutes_above_a_minute_and_seconds_in_the_last() -> None:
    assert [cache_countdown(s) for s in (3601, 3600, 3540.5, 3540, 125, 120, 60.2, 60, 59.5, 1, 0.1, 0, -5)] == [
        "1h01m", "1h00m", "1h00m", "59m", "3m", "2m", "2m", "1m", "1m", "1s", "1s", "expired", "expired"]


def test_the_countdown_changes_its_text_exactly_when_it_says() -> None:
    # Stepping from each change to the next: the text is the same just before it and differs just after.
    for start in (7200.0, 3600.4, 185.25, 61.0, 59.9):
        left, steps = start, 0
        while (due := countdown_changes_in(left)) is not None:
            assert due > 0
            assert cache_countdown(left - due + 1e-6) == cache_countdown(left)
            assert cache_countdown(left - due - 1e-6) != cache_countdown(left)
            left -= due + 1e-9
            steps += 1
        assert cache_countdown(left) == "expired"
        # Once a minute down to the last minute, then once a second: not one redraw a second throughout.
        assert steps == (math.ceil(math.ceil(start) / 60) + 59 if start >= 59 else math.ceil(start))
    assert countdown_changes_in(185.25) == 5.25  # 4m until 180 s, then 3m
    assert countdown_changes_in(59.5) == 0.5 and countdown_changes_in(0) is None


async def test_the_gauge_is_redrawn_when_its_countdown_changes_not_every_second(workspace: Workspace) -> None:
    app = workspace.app(clock=lambda: NOW, live_minutes=30)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.pause()
        gauge = next(g for g in app.screen.query(ContextGauge) if g.view.session_id == SESSION)
        last, *_ = last_main_call(workspace)
        left = (last + timedelta(hours=1) - NOW).total_seconds()
        timer = gauge._countdown_timer
        assert timer is not None and left > 60
        # Due at the next whole minute of the countdown (a timer per gauge), not in a second.
        assert abs(timer._interval - (left - 60 * (math.ceil(math.ceil(left) / 60) - 1) + 0.02)) < 1e-6
