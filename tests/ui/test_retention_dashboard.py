"""The dashboard's daily prune: in a background thread, logged once, never from a read-only dashboard."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import cockpit.ui.workers.retention as retention_worker
from cockpit.store.db import connect
from cockpit.store.pruning import last_prune
from cockpit.ui.widgets.log_pane import LogPane

from .conftest import Workspace, wait_for


def _old_events(conn: sqlite3.Connection, count: int) -> None:
    old = (datetime.now(UTC) - timedelta(days=40)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with conn:
        conn.executemany("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'Stop', ?)",
                         [(old,)] * count)
        conn.execute("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'Stop', ?)",
                     (datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),))


@pytest.fixture
def prompt_prune(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention_worker, "FIRST_SECONDS", 0.0)


async def test_the_dashboard_prunes_in_the_background_and_logs_it(workspace: Workspace, prompt_prune: None) -> None:
    conn = connect(workspace.db)
    _old_events(conn, 300)
    app = workspace.app(prune=True)
    async with app.run_test(size=(140, 45)):
        log = app.screen.query_one(LogPane)
        assert await wait_for(lambda: any("retention: deleted 300 rows" in e for e in log.entries))
    assert conn.execute("SELECT COUNT(*) FROM hook_events").fetchone()[0] == 1
    assert last_prune(conn)["by"] == "dashboard"


async def test_a_read_only_dashboard_never_prunes(workspace: Workspace, prompt_prune: None) -> None:
    conn = connect(workspace.db)
    _old_events(conn, 10)
    app = workspace.app(live=True, read_only=True)
    assert app.prune is False
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.5)
    assert conn.execute("SELECT COUNT(*) FROM hook_events").fetchone()[0] == 11
    assert last_prune(conn) is None
