"""Sessions last active at the same moment (the demo's live agents end on one clock tick) come in one order
everywhere — by when they started, then by id — not in the order a catch-up happened to store them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import claude_assistant, claude_user, write_jsonl

from cockpit.cli import main


def _session(root: Path, sid: str, started: str, last: str) -> None:
    first = claude_user(1, session=sid)
    first["timestamp"] = started
    reply = claude_assistant(2, session=sid)
    reply["timestamp"] = last
    write_jsonl(root / "claude" / "projects" / "-home-dev-proj" / f"{sid}.jsonl", [first, reply])


def test_a_tie_on_last_activity_is_broken_by_the_start_then_the_id(tmp_path: Path, capsys) -> None:
    last = "2026-02-12T16:30:00.000Z"
    _session(tmp_path, "aaaa", "2026-02-12T16:20:00.000Z", last)  # stored first (path order), started last
    _session(tmp_path, "bbbb", "2026-02-12T16:00:00.000Z", last)
    _session(tmp_path, "cccc", "2026-02-12T16:00:00.000Z", last)
    _session(tmp_path, "dddd", "2026-02-12T15:00:00.000Z", "2026-02-12T16:29:59.999Z")
    flags = ["--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path / "claude"), "--codex-dir", str(tmp_path)]
    assert main(["index", *flags]) == 0
    capsys.readouterr()
    assert main(["sessions", "--json", "--all", *flags]) == 0
    order = [s["session_id"] for s in json.loads(capsys.readouterr().out)]
    assert order == ["bbbb", "cccc", "aaaa", "dddd"]
    assert main(["context", "--json", *flags]) == 0
    assert json.loads(capsys.readouterr().out)["session_id"] == "bbbb"
