"""`cockpit statusline`: Claude Code's statusLine command. Records the window size, prints a gauge.

The statusLine JSON is the only place Claude Code states the context window (1M or 200k), so it
is kept per session and the dashboard's gauge prefers it. Runs on every transcript change: stdlib
and plain sqlite3 only. `--then CMD` runs the user's own statusLine with the same input; every line it
prints follows ours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from cockpit.core.context import autocompact_tokens, band
from cockpit.core.format import pct, tokens
from cockpit.core.models import Agent
from cockpit.core.text import terminal_safe
from cockpit.hooks import pop_option


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0 else None


def gauge(payload: dict[str, Any]) -> str:
    window_info = payload.get("context_window") if isinstance(payload.get("context_window"), dict) else {}
    window = _int(window_info.get("context_window_size")) or 200_000
    usage = window_info.get("current_usage") if isinstance(window_info.get("current_usage"), dict) else None
    if usage:
        parts = [_int(usage.get(k)) or 0 for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")]
        prompt: int | None = sum(parts)
        share = 100.0 * prompt / window
    elif isinstance(window_info.get("used_percentage"), int | float):
        share = float(window_info["used_percentage"])
        prompt = int(share * window / 100)
    else:
        return f"ctx -/{tokens(window)} (no response yet)"
    level = ["", " ▲40%", " ▲60%", " ▲70%", " ▲80%"][band(share)]
    return f"ctx {pct(share)} {tokens(prompt)}/{tokens(window)}{level} · compact ≈{tokens(autocompact_tokens(window, Agent.CLAUDE))}"


def record(payload: dict[str, Any], db_path: str | None) -> None:
    from cockpit.store.approvals import now_iso
    from cockpit.store.db import connect

    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        return
    window_info = payload.get("context_window") if isinstance(payload.get("context_window"), dict) else {}
    model = payload.get("model") if isinstance(payload.get("model"), dict) else {}
    used = window_info.get("used_percentage")
    conn = connect(db_path or os.environ.get("COCKPIT_DB") or None)
    try:
        conn.execute(
            """INSERT INTO statusline VALUES (?,?,?,?,?,?) ON CONFLICT(session_id) DO UPDATE SET
               received_at = excluded.received_at, model_id = excluded.model_id, window = excluded.window,
               used_percentage = excluded.used_percentage, payload = excluded.payload""",
            (session_id, now_iso(), model.get("id") if isinstance(model.get("id"), str) else None,
             _int(window_info.get("context_window_size")),
             float(used) if isinstance(used, int | float) and not isinstance(used, bool) else None,
             json.dumps(payload, ensure_ascii=False)[:65536]),
        )
    finally:
        conn.close()


def main(argv: list[str]) -> int:
    args = list(argv)
    then = pop_option(args, "--then")
    db_path = pop_option(args, "--db")
    raw = sys.stdin.read()
    try:
        payload = json.loads(raw) if raw.strip() else {}
    except ValueError:
        payload = None
    line = "ctx ?" if not isinstance(payload, dict) else gauge(payload)
    if isinstance(payload, dict) and payload:
        try:
            record(payload, db_path)
        except Exception as exc:  # noqa: BLE001 - a statusLine must always print something
            line += f" (not recorded: {type(exc).__name__})"
    line = terminal_safe(line, multiline=False)
    if then:
        try:
            # Bytes, not text mode: a carriage return must reach terminal_safe, not become a line break.
            theirs = subprocess.run(then, shell=True, input=raw.encode(), capture_output=True,
                                    timeout=5).stdout.decode("utf-8", "replace")
        except (OSError, subprocess.TimeoutExpired):
            theirs = ""
        # Every line of the user's own statusLine, below ours, as Claude Code shows a multi-line one; it
        # keeps its colours, anything else a terminal would obey is shown. Blank lines at the end are dropped.
        lines = [terminal_safe(part.removesuffix("\r"), multiline=False, keep_styles=True)
                 for part in theirs.rstrip("\r\n").split("\n")] if theirs.strip() else []
        line = "\n".join([line, *lines])
    sys.stdout.write(line + "\n")
    return 0
