"""Approval requests for the demo: every minute or so a real hook process asks the cockpit.

The requests go through `cockpit hook claude permission-request` exactly as Claude Code would
run it, so a newcomer can try `a`, `y`, `n` and `A` on the real path.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

FIRST_AFTER_SECONDS = 20.0
EVERY_SECONDS = 60.0

REQUESTS = (
    ("Bash", {"command": "git push origin fix/csv-2026-layout", "description": "Push the branch"}),
    ("Edit", {"file_path": ".github/workflows/ci.yml", "old_string": "python-version: '3.11'",
              "new_string": "python-version: '3.12'"}),
    ("Bash", {"command": "rm -rf build dist", "description": "Clean build outputs"}),
    ("Bash", {"command": "git push --force-with-lease origin fix/csv-2026-layout", "description": "Update the PR"}),
)


def _cockpit_command() -> list[str]:
    found = shutil.which("cockpit")
    return [found] if found else [sys.executable, "-m", "cockpit"]


def _live_claude_session(db: Path) -> str | None:
    from cockpit.store.db import NEWEST_FIRST

    try:
        conn = sqlite3.connect(str(db), timeout=5)
        try:
            row = conn.execute(
                f"SELECT session_id FROM sessions WHERE agent = 'claude' ORDER BY {NEWEST_FIRST} LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def raise_requests(db: Path, repo: Path, stop: threading.Event, *, speed: float = 1.0) -> None:
    """Run until `stop`: start one hook process per interval; each waits for the human or gives up."""
    wait = FIRST_AFTER_SECONDS / speed
    turn = 0
    procs: list[subprocess.Popen[bytes]] = []
    try:
        while not stop.wait(wait):
            wait = EVERY_SECONDS / speed
            session = _live_claude_session(db)
            if session is None:
                continue
            tool_name, tool_input = REQUESTS[turn % len(REQUESTS)]
            turn += 1
            payload = {"session_id": session, "transcript_path": "", "cwd": str(repo), "hook_event_name":
                       "PermissionRequest", "permission_mode": "default", "tool_name": tool_name,
                       "tool_input": tool_input}
            proc = subprocess.Popen(
                [*_cockpit_command(), "hook", "claude", "permission-request", "--db", str(db), "--timeout", "300"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(payload).encode())
            proc.stdin.close()
            procs.append(proc)
            procs = [p for p in procs if p.poll() is None]
    finally:
        # Ended, not left behind: a hook still waiting would outlive the demo and its workspace.
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
