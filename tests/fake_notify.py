"""Stand-ins for the notification sinks: a notify-send and a user command that write what they got to a log."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path


def script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def fake_notify_send(tmp_path: Path, *, replaces: bool = True) -> tuple[Path, Path]:
    """A notify-send that writes its argv (one JSON list a line) to a log, and prints id 42 for --print-id."""
    log = tmp_path / "notify-send.log"
    help_text = "--print-id  --replace-id=ID" if replaces else "--urgency=LEVEL"
    exe = script(tmp_path / "notify-send", f"""import json, sys
args = sys.argv[1:]
if args == ["--help"]:
    print({help_text!r}); sys.exit(0)
with open({str(log)!r}, "a") as f:
    f.write(json.dumps(args) + "\\n")
if "--print-id" in args:
    print(42)
""")
    return exe, log


def fake_command(tmp_path: Path) -> tuple[list[str], Path]:
    log = tmp_path / "command.log"
    exe = script(tmp_path / "on-event", f"""import sys
with open({str(log)!r}, "a") as f:
    f.write(sys.stdin.read().strip() + "\\n")
""")
    return [str(exe)], log


def lines(path: Path) -> list:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
