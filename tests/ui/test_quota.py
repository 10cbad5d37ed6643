"""The plan quota on the dashboard's top line: what it says at 80 and 120 columns, the FleetEvent when a
window enters or leaves a band, and the worker that reads it again when a statusLine payload arrives."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.core.quota import Thresholds, claude_observation, codex_observation
from cockpit.services.quota import QuotaReport
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.ui.messages import FleetEvent
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.widgets.context_summary import ContextSummary, top_line
from cockpit.ui.workers.quota import QuotaRead, follow_quota

from .conftest import FROZEN_NOW, Workspace

NOW = FROZEN_NOW


def report(five: float = 42.0, seven: float = 36.0, *, at: datetime = NOW) -> QuotaReport:
    t = int(at.timestamp())
    claude, _ = claude_observation({"rate_limits": {"five_hour": {"used_percentage": five, "resets_at": t + 8040},
                                                    "seven_day": {"used_percentage": seven, "resets_at": t + 300000}}},
                                   at)
    codex, _ = codex_observation({"primary": {"used_percent": 7.0, "window_minutes": 300, "resets_at": t + 600},
                                  "secondary": {"used_percent": 11.0, "window_minutes": 10080, "resets_at": t + 9000}},
                                 at)
    return QuotaReport(claude, codex)


def test_the_top_line_keeps_the_context_and_fits_at_80_and_120_columns(workspace: Workspace) -> None:
    from cockpit.store.db import open_db
    from cockpit.store.queries import list_sessions

    live = list_sessions(open_db(workspace.db), now=NOW, live_minutes=10**6, include_all=False)
    assert len(live) >= 2
    first = live[0].session_id[:8]
    wide = top_line(live, (40, 60, 70, 80), 118, report(), NOW)
    assert "claude 5h 42% 2h14m · 7d 36% 3d11h" in wide.plain and "codex 5h 7% 10m" in wide.plain
    assert wide.cell_len <= 118 and first in wide.plain
    narrow = top_line(live, (40, 60, 70, 80), 78, report(), NOW)
    assert narrow.cell_len <= 78 and "\n" not in narrow.plain
    assert first in narrow.plain and "more" in narrow.plain  # the other facts: the first gauge and the count
    assert "cl 5h 42%" in narrow.plain and "cx 5h 7%" in narrow.plain
    tiny = top_line(live, (40, 60, 70, 80), 60, report(), NOW)
    assert first in tiny.plain and tiny.cell_len <= 60
    # An expired window says so instead of its old figure.
    expired = top_line(live[:1], (40, 60, 70, 80), 118, report(), NOW + timedelta(hours=3))
    assert "5h reset" in expired.plain and "42%" not in expired.plain
    assert "│" not in top_line(live, (40, 60, 70, 80), 118, None, NOW).plain


async def test_a_window_entering_and_leaving_a_band_posts_one_fleet_event(workspace: Workspace,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[FleetEvent] = []
    monkeypatch.setattr(DashboardScreen, "on_fleet_event", lambda self, event: events.append(event), raising=False)
    app = workspace.app()
    async with app.run_test(size=(80, 24)) as pilot:  # stacked panes that scroll: the top line shows
        summary = app.screen.query_one(ContextSummary)
        summary.post_message(QuotaRead(report(five=42.0), NOW))
        await pilot.pause()
        assert summary.display and "cl 5h 42% 7d 36%  cx 5h 7% 7d 11%" in str(summary.render()) and events == []
        summary.post_message(QuotaRead(report(five=83.0), NOW))
        await pilot.pause()
        summary.post_message(QuotaRead(report(five=84.0), NOW))  # still warn: nothing new
        await pilot.pause()
        summary.post_message(QuotaRead(report(five=97.0), NOW))
        await pilot.pause()
        summary.post_message(QuotaRead(report(five=10.0), NOW))
        await pilot.pause()
    assert [(e.kind, e.key, e.active, e.data["band"]) for e in events] == [
        ("quota", "quota:claude:five_hour", True, "warn"),
        ("quota", "quota:claude:five_hour", True, "critical"),
        ("quota", "quota:claude:five_hour", False, "ok"),
    ]
    assert "83% of the plan window used, resets in 2h14m" in events[0].detail


async def test_the_bands_come_from_the_settings(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    from cockpit.config.settings import Settings

    events: list[FleetEvent] = []
    monkeypatch.setattr(DashboardScreen, "on_fleet_event", lambda self, event: events.append(event), raising=False)
    app = workspace.app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.settings = Settings(live_minutes=180, quota=Thresholds(warn=30, critical=40))
        app.screen.query_one(ContextSummary).post_message(QuotaRead(report(five=35.0, seven=10.0), NOW))
        await pilot.pause()
    assert [(e.key, e.data["band"]) for e in events] == [("quota:claude:five_hour", "warn")]


def test_the_worker_reads_again_when_a_statusline_payload_arrives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "c.db"
    shutil_rollouts = Path(__file__).parents[1] / "data" / "codex" / "localpush"
    posts: list[object] = []
    got = threading.Event()

    def post(message: object) -> None:
        posts.append(message)
        got.set()

    def record(used: int) -> None:
        t = int(datetime.now(UTC).timestamp())
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(
            {"session_id": "s", "rate_limits": {"five_hour": {"used_percentage": used, "resets_at": t + 600}}})))
        assert main(["statusline", "--db", str(db)]) == 0

    record(20)
    stop = threading.Event()
    thread = threading.Thread(target=follow_quota, args=(str(db), claude_roots([]), codex_roots([str(shutil_rollouts)]),
                                                         lambda: datetime.now(UTC), stop, post),
                              kwargs={"statusline_seconds": 0.05}, daemon=True)
    thread.start()
    try:
        assert got.wait(10)
        first = posts[0]
        assert isinstance(first, QuotaRead) and first.report.claude is not None
        assert first.report.claude.windows[0].used_pct == 20.0
        assert first.report.codex is not None and first.report.codex.windows[0].used_pct == 7.0
        got.clear()
        record(64)
        assert got.wait(10)
        latest = posts[-1]
        assert isinstance(latest, QuotaRead) and latest.report.claude is not None
        assert latest.report.claude.windows[0].used_pct == 64.0
    finally:
        stop.set()
        thread.join(5)


def test_the_codex_rollouts_are_read_again_when_the_store_took_a_line_from_one(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil
    import time

    from cockpit.ingest.pipeline import Ingestor
    from cockpit.sources import codex_quota
    from cockpit.store.db import open_db

    rollouts = tmp_path / "codex"
    shutil.copytree(Path(__file__).parents[1] / "data" / "codex" / "localpush", rollouts)
    db = tmp_path / "c.db"
    roots = codex_roots([str(rollouts)])
    Ingestor(open_db(db), claude_roots([]), roots).ingest_all()
    scans: list[int] = []
    real = codex_quota.newest_codex_quota
    monkeypatch.setattr(codex_quota, "newest_codex_quota", lambda *a, **k: scans.append(1) or real(*a, **k))
    stop = threading.Event()
    thread = threading.Thread(target=follow_quota, args=(str(db), claude_roots([]), roots, lambda: datetime.now(UTC),
                                                         stop, lambda _message: None),
                              kwargs={"statusline_seconds": 0.02}, daemon=True)
    thread.start()
    try:
        time.sleep(0.5)  # some 25 looks at the store: nothing new, no stat walk of the rollouts
        assert len(scans) == 1
        rollout = next(rollouts.glob("rollout-*.jsonl"))
        with rollout.open("a") as handle:
            handle.write(json.dumps({"timestamp": "2026-02-23T20:59:00.000Z", "type": "event_msg",
                                     "payload": {"type": "agent_message", "message": "done"}}) + "\n")
        Ingestor(open_db(db), claude_roots([]), roots).ingest_all()  # what the live ingest does with it
        deadline = time.monotonic() + 5
        while len(scans) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(scans) == 2
    finally:
        stop.set()
        thread.join(5)


async def test_the_top_line_is_updated_only_when_what_it_says_changed(workspace: Workspace,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    updates: list[object] = []
    real_update = ContextSummary.update
    monkeypatch.setattr(ContextSummary, "update", lambda self, *a, **k: updates.append(a) or real_update(self, *a, **k))
    app = workspace.app()
    async with app.run_test(size=(120, 40)) as pilot:
        summary = app.screen.query_one(ContextSummary)
        summary.post_message(QuotaRead(report(five=42.0), NOW))
        await pilot.pause()
        assert "5h 42%" in str(summary.render())
        drawn = len(updates)
        # The 30 s tick and a reload of the sessions with nothing new: the same line, no update (a relayout).
        for _ in range(5):
            summary._tick()
            app.sessions = tuple(app.sessions)
            await pilot.pause()
        assert len(updates) == drawn
        summary.post_message(QuotaRead(report(five=43.0), NOW))
        await pilot.pause()
        assert len(updates) == drawn + 1 and "5h 43%" in str(summary.render())
