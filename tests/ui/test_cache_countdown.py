"""The context pane's prompt-cache countdown and live subagent lines, on the real 2.1.x session with a
subagent file (`<uuid>/subagents/agent-a881341.jsonl`) and a fixed clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from cockpit.core.pricing import price_for
from cockpit.ui.widgets.gauge import ContextGauge

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
        left = int((last + timedelta(hours=1) - NOW).total_seconds())
        price = price_for(model)
        assert price is not None
        cold = prompt * price.rates(prompt)[3] / 1e6
        assert f"cache {left // 60}m{left % 60:02d}s · cold ${cold:,.2f}" in lines[2]
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
        assert "cache 7m00s" in gauge_lines(app, SESSION)[2]
