"""Spend per session and per UTC day, and raised limits, from a real ingest."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import claude_assistant, run_ingest, write_jsonl

from cockpit.core.budget_rules import OVER, WARN, BudgetLimits
from cockpit.store import budget
from cockpit.store.rollup import session_cost


def _session(root: Path, session: str, stamps: list[str], model: str = "claude-opus-4-6") -> None:
    lines = [claude_assistant(n, session=session, model=model, inp=10_000, out=1_000, cc=0, cr=0, timestamp=stamp)
             for n, stamp in enumerate(stamps)]
    write_jsonl(root / "projects" / "-tmp" / f"{session}.jsonl", lines)


@pytest.fixture
def ingested(tmp_path: Path):
    root = tmp_path / "claude"
    # Session a: two requests on the 1st, one on the 2nd; session b: one on the 2nd; c: an unpriced model.
    _session(root, "a", ["2026-03-01T10:00:00.000Z", "2026-03-01T23:59:59.000Z", "2026-03-02T00:00:01.000Z"])
    _session(root, "b", ["2026-03-02T12:00:00.000Z"])
    _session(root, "c", ["2026-03-02T13:00:00.000Z"], model="no-such-model-9")
    ingestor = run_ingest(tmp_path / "cockpit.db", claude=[root])
    return ingestor.db


def test_session_spend_is_the_deduped_rollup(ingested) -> None:
    conn = ingested.conn
    one = session_cost(ingested, "b")
    assert one and one > 0
    assert budget.session_spend(conn, "a") == pytest.approx(3 * one)
    assert budget.session_spend(conn, "b") == pytest.approx(one)
    assert budget.session_spend(conn, "nobody") == 0.0
    # An unpriced model: its roll-up cost is unknown, and its requests count as $0 (never a guess).
    assert session_cost(ingested, "c") is None
    assert budget.session_spend(conn, "c") == 0.0


def test_day_spend_counts_the_requests_of_that_utc_day_only(ingested) -> None:
    conn = ingested.conn
    one = session_cost(ingested, "b")
    assert budget.day_spend(conn, "2026-03-01") == pytest.approx(2 * one)
    assert budget.day_spend(conn, "2026-03-02") == pytest.approx(2 * one)  # a's third and b's; c is unpriced
    assert budget.day_spend(conn, "2026-03-03") == 0.0


def test_the_highest_raise_counts(ingested) -> None:
    conn = ingested.conn
    assert budget.raised_limit(conn, "session", "a") is None
    budget.raise_limit(conn, "session", "a", 12.0, "2026-03-02T01:00:00Z")
    budget.raise_limit(conn, "session", "a", 8.0, "2026-03-02T02:00:00Z")
    budget.raise_limit(conn, "day", "2026-03-02", 99.0, "2026-03-02T02:00:00Z")
    assert budget.raised_limit(conn, "session", "a") == 12.0
    assert budget.raised_limit(conn, "session", "b") is None
    assert budget.raised_limit(conn, "day", "2026-03-02") == 99.0
    with pytest.raises(ValueError):
        budget.raise_limit(conn, "week", "x", 1.0, "2026-03-02T02:00:00Z")


def test_what_stops_a_session_and_what_the_dashboard_sees(ingested) -> None:
    conn = ingested.conn
    one = session_cost(ingested, "b")
    limits = BudgetLimits(session_usd=2.5 * one, day_usd=2.2 * one, warn_pct=80)
    stop = budget.stopping(conn, limits, "a", "2026-03-02")
    assert stop is not None and (stop.scope, stop.band) == ("session", OVER)
    assert budget.stopping(conn, limits, "b", "2026-03-02") is None  # b: 1 of 2.5; the day: 2 of 2.2 (warn)
    stands = {(s.scope, s.key): s.band for s in budget.live_stands(conn, limits, "2026-03-01", "2026-03-02")}
    assert stands == {("session", "a"): OVER, ("session", "b"): "ok", ("session", "c"): "ok", ("day", "2026-03-02"): WARN}
    budget.raise_limit(conn, "session", "a", 4 * one, "2026-03-02T02:00:00Z")
    assert budget.stopping(conn, limits, "a", "2026-03-02") is None
