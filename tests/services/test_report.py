"""cockpit report: intervention frequency from approvals and transcript interrupts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cockpit.services.report import build_report, parse_since, render_markdown
from cockpit.store import approvals


def test_interrupts_in_real_transcripts_are_counted(tmp_path, ingest, copy_data):
    claude = copy_data("claude/spotter", "claude")
    ing = ingest(tmp_path / "c.db", claude=[claude])
    report = build_report(ing.db, datetime(2020, 1, 1, tzinfo=UTC))["interventions"]
    per_session = {s["session_id"]: s["interrupts"] for s in report["sessions"]}
    # One "[Request interrupted by user…]" line in each of these, two in tool_heavy.
    assert per_session == {"258c7280-ae70-4798-800f-63464d01a85d": 1, "short": 1, "subagent": 1, "tool_heavy": 2}
    assert report["totals"]["interrupts"] == 5
    # Five sessions were active: the rate is over all of them.
    assert report["totals"]["interventions_per_session"] == 1.0


def test_denials_count_per_session_and_per_day(tmp_path, ingest):
    ing = ingest(tmp_path / "c.db")
    conn = ing.db.conn
    for session, decision in (("s1", "deny"), ("s1", "allow"), ("s2", "deny")):
        rid = approvals.create(conn, {"agent": "claude", "event": "PermissionRequest", "session_id": session,
                                      "tool_name": "Bash", "tool_input": {"command": "git push"},
                                      "input_hash": approvals.input_hash("Bash", {"command": "git push"}),
                                      "received_at": "2026-11-20T10:00:00.000Z"})
        approvals.decide(conn, rid, approvals.input_hash("Bash", {"command": "git push"}), decision)
    report = build_report(ing.db, datetime(2026, 11, 1, tzinfo=UTC))["interventions"]
    assert {s["session_id"]: (s["requests"], s["denied"], s["allowed"]) for s in report["sessions"]} == {
        "s1": (2, 1, 1), "s2": (1, 1, 0)}
    assert report["days"] == [{"day": "2026-11-20", "requests": 3, "denied": 2, "interrupts": 0, "interventions": 2}]
    assert "| 2026-11-20 | 3 | 2 | 0 |" in render_markdown(build_report(ing.db, datetime(2026, 11, 1, tzinfo=UTC)))
    assert build_report(ing.db, datetime(2026, 11, 21, tzinfo=UTC))["interventions"]["totals"]["requests"] == 0


@pytest.mark.parametrize("text", ["7", "d", "7m", "-1d", ""])
def test_since_rejects_what_it_cannot_read(text):
    with pytest.raises(ValueError, match="24h, 7d, 2w"):
        parse_since(text, datetime(2026, 11, 25, tzinfo=UTC))


def test_since_accepts_hours_days_weeks():
    now = datetime(2026, 11, 25, tzinfo=UTC)
    assert parse_since("24h", now) == datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_since("2w", now) == datetime(2026, 11, 11, tzinfo=UTC)
