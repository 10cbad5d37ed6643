"""cockpit statusline: the window size Claude Code states is recorded and wins over the guess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

STATUS = {
    "session_id": "258c7280-ae70-4798-800f-63464d01a85d", "model": {"id": "claude-opus-4-6[1m]"},
    "context_window": {"context_window_size": 1_000_000, "used_percentage": 26,
                       "current_usage": {"input_tokens": 6, "output_tokens": 812, "cache_creation_input_tokens": 2044,
                                         "cache_read_input_tokens": 259400}},
}


def statusline(db: Path, raw: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cockpit", "statusline", "--db", str(db), *extra],
                          input=raw, capture_output=True, text=True, timeout=30)


def test_prints_the_gauge_from_current_usage(tmp_path: Path) -> None:
    out = statusline(tmp_path / "c.db", json.dumps(STATUS))
    assert out.returncode == 0
    # 6 + 2,044 + 259,400 = 261,450 of 1,000,000.
    assert out.stdout.strip() == "ctx 26.1% 261.4k/1.00M · compact ≈967.0k"


def test_then_runs_the_users_statusline_with_the_same_input(tmp_path: Path) -> None:
    user_line = "python3 -c 'import sys,json; print(json.load(sys.stdin)[\"model\"][\"id\"])'"
    out = statusline(tmp_path / "c.db", json.dumps(STATUS), "--then", user_line)
    assert out.stdout.splitlines() == ["ctx 26.1% 261.4k/1.00M · compact ≈967.0k", "claude-opus-4-6[1m]"]


def test_then_keeps_every_line_of_the_users_statusline_below_ours(tmp_path: Path) -> None:
    """Claude Code shows a multi-line statusLine whole: each of the user's lines stays, in order, colours kept,
    anything else a terminal would obey shown escaped; only the trailing blank lines go."""
    user_line = ("printf 'model %s\\n\\033[32mbranch main\\033[0m\\r\\n\\ncost $0.12 \\033]0;x\\007\\n\\n\\n' "
                 "\"$(python3 -c 'import sys,json; print(json.load(sys.stdin)[\"model\"][\"id\"])')\"")
    out = statusline(tmp_path / "c.db", json.dumps(STATUS), "--then", user_line)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n") == [
        "ctx 26.1% 261.4k/1.00M · compact ≈967.0k",
        "model claude-opus-4-6[1m]",
        "\x1b[32mbranch main\x1b[0m",
        "",
        "cost $0.12 \\x1b]0;x\\x07",
        "",
    ]


def test_then_with_a_silent_command_prints_only_ours(tmp_path: Path) -> None:
    out = statusline(tmp_path / "c.db", json.dumps(STATUS), "--then", "printf '\\n\\n'")
    assert out.stdout == "ctx 26.1% 261.4k/1.00M · compact ≈967.0k\n"


def test_malformed_input_still_prints_a_line(tmp_path: Path) -> None:
    out = statusline(tmp_path / "c.db", "{not json")
    assert (out.returncode, out.stdout.strip()) == (0, "ctx ?")


def test_recorded_window_wins_over_the_assumed_one(tmp_path: Path, ingest, copy_data) -> None:
    claude = copy_data("claude/spotter", "claude")
    db = tmp_path / "c.db"
    ing = ingest(db, claude=[claude])
    before = ing.db.execute("SELECT window, window_source FROM sessions WHERE session_id = ?", (STATUS["session_id"],))
    assert before.fetchone() == (200_000, "default")
    statusline(db, json.dumps(STATUS))
    ing.refresh([STATUS["session_id"]])
    after = ing.db.execute("SELECT window, window_source FROM sessions WHERE session_id = ?", (STATUS["session_id"],))
    assert after.fetchone() == (1_000_000, "statusline")
