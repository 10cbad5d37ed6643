"""Budgets that stop spending, through the hook's real entry point (`cockpit hook AGENT pre-tool-use`)."""

from __future__ import annotations

import io
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import claude_assistant, run_ingest, write_jsonl

from cockpit.cli import main
from cockpit.store import budget
from cockpit.store.db import connect

SESSION = "b0d9e7aa-0000-4000-8000-000000000001"
OTHER = "b0d9e7aa-0000-4000-8000-000000000002"
NOW = datetime.now(UTC)


def payload(agent: str, tool: str, tool_input: dict, session: str = SESSION) -> dict:
    body = {"session_id": session, "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input, "tool_use_id": "toolu_1"}
    if agent == "codex":
        body["turn_id"] = "turn-1"
    return body


CRITICAL = ("Bash", {"command": "git push origin main"})
HARMLESS = ("Read", {"file_path": "/tmp/notes.txt"})


def hook(agent: str, body: dict, db: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> dict | None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    assert main(["hook", agent, "pre-tool-use", "--db", str(db), "--timeout", "3"]) == 0
    out = capsys.readouterr().out.strip()
    return json.loads(out)["hookSpecificOutput"] if out else None


def config(text: str) -> None:
    Path(os.environ["COCKPIT_CONFIG"]).write_text(text, encoding="utf-8")


def spend_today(tmp_path: Path, session: str, calls: int, *, day: datetime = NOW) -> Path:
    """A Claude session of `calls` Opus requests made on `day`, ingested into a store of its own."""
    stamp = day.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    lines = [claude_assistant(n, session=session, inp=20_000, out=2_000, cc=0, cr=0, timestamp=stamp)
             for n in range(calls)]
    write_jsonl(tmp_path / "claude" / "projects" / "-tmp" / f"{session}.jsonl", lines)
    db = tmp_path / "cockpit.db"
    run_ingest(db, claude=[tmp_path / "claude"])
    return db


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return spend_today(tmp_path, SESSION, 10)


def spent(db: Path, session: str = SESSION) -> float:
    conn = connect(db)
    try:
        return budget.session_spend(conn, session)
    finally:
        conn.close()


@pytest.mark.parametrize("agent", ["claude", "codex"])
@pytest.mark.parametrize("call", [CRITICAL, HARMLESS], ids=["critical", "not-critical"])
def test_past_the_session_budget_every_call_is_denied_with_the_reason(agent, call, store, capsys, monkeypatch):
    cost = spent(store)
    assert cost > 1.0
    config(f"[budget]\nsession_usd = {cost / 2:.2f}\n")
    answer = hook(agent, payload(agent, *call), store, capsys, monkeypatch)
    assert answer is not None and answer["permissionDecision"] == "deny"
    assert answer["permissionDecisionReason"].startswith(
        f"cockpit: session budget of ${cost / 2:.2f} reached; a human can raise it in cockpit")


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_under_the_budget_nothing_changes(agent, store, capsys, monkeypatch):
    config(f"[budget]\nsession_usd = {spent(store) * 2:.2f}\nday_usd = 1000\n")
    assert hook(agent, payload(agent, *HARMLESS), store, capsys, monkeypatch) is None
    # A critical step is still the approval gate's: no cockpit is running, so Claude asks and Codex denies.
    answer = hook(agent, payload(agent, *CRITICAL), store, capsys, monkeypatch)
    assert answer is not None and "budget" not in answer["permissionDecisionReason"]


def test_another_session_under_its_own_budget_goes_on(store, capsys, monkeypatch):
    config(f"[budget]\nsession_usd = {spent(store) / 2:.2f}\n")
    assert hook("claude", payload("claude", *HARMLESS, session=OTHER), store, capsys, monkeypatch) is None


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_past_the_daily_budget_every_session_is_stopped(agent, tmp_path, capsys, monkeypatch):
    db = spend_today(tmp_path, SESSION, 10)
    day = spent(db)
    config(f"[budget]\nday_usd = {day / 2:.2f}\n")
    answer = hook(agent, payload(agent, *HARMLESS, session=OTHER), db, capsys, monkeypatch)
    assert answer is not None and answer["permissionDecision"] == "deny"
    assert answer["permissionDecisionReason"].startswith(
        f"cockpit: daily budget of ${day / 2:.2f} reached; a human can raise it in cockpit")
    assert NOW.strftime("%Y-%m-%d") in answer["permissionDecisionReason"]


def test_yesterdays_spend_does_not_count_against_today(tmp_path, capsys, monkeypatch):
    db = spend_today(tmp_path, SESSION, 10, day=NOW - timedelta(days=1))
    config(f"[budget]\nday_usd = {spent(db) / 2:.2f}\n")
    assert hook("claude", payload("claude", *HARMLESS), db, capsys, monkeypatch) is None


def test_a_raised_limit_lets_the_calls_through(store, capsys, monkeypatch):
    cost = spent(store)
    config(f"[budget]\nsession_usd = {cost / 2:.2f}\n")
    assert hook("claude", payload("claude", *HARMLESS), store, capsys, monkeypatch)["permissionDecision"] == "deny"
    conn = connect(store)
    budget.raise_limit(conn, "session", SESSION, cost * 1.5, "2026-01-01T00:00:00Z")
    conn.close()
    assert hook("claude", payload("claude", *HARMLESS), store, capsys, monkeypatch) is None
    assert hook("codex", payload("codex", *HARMLESS), store, capsys, monkeypatch) is None


@pytest.mark.parametrize("agent", ["claude", "codex"])
def test_a_store_that_cannot_be_read_denies(agent, tmp_path, capsys, monkeypatch):
    config("[budget]\nsession_usd = 5\n")
    missing = tmp_path / "none.db"
    answer = hook(agent, payload(agent, *HARMLESS), missing, capsys, monkeypatch)
    assert answer["permissionDecision"] == "deny"
    assert "spending budget cannot be checked" in answer["permissionDecisionReason"]
    assert not missing.exists()  # the check never creates an empty store that would read as $0
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database" * 100)
    answer = hook(agent, payload(agent, *HARMLESS), corrupt, capsys, monkeypatch)
    assert answer["permissionDecision"] == "deny"
    assert "spending budget cannot be checked" in answer["permissionDecisionReason"]


def test_a_bad_budget_setting_denies_and_names_it(store, capsys, monkeypatch):
    config('[budget]\nsession_usd = "lots"\n')
    answer = hook("claude", payload("claude", *HARMLESS), store, capsys, monkeypatch)
    assert answer["permissionDecision"] == "deny"
    assert "budget.session_usd" in answer["permissionDecisionReason"]


def test_no_budget_reads_no_store(tmp_path, capsys, monkeypatch):
    config("[dashboard]\nlive_minutes = 30\n")
    missing = tmp_path / "none.db"
    assert hook("claude", payload("claude", *HARMLESS), missing, capsys, monkeypatch) is None
    assert not missing.exists()
