"""The `[notify]` table of the user's config file: where the dashboard's notifications go (issue 14).

    [notify]
    enabled = true          # false (or `cockpit dashboard --quiet`): none at all
    desktop = true          # notify-send, where it is on PATH
    terminal = true         # the terminal's own notification escape: true picks OSC 9 or OSC 777 from
                            # $TERM_PROGRAM / $TERM; "osc9" or "osc777" chooses; false: none
    command = ""            # a command of yours, split like a shell line (no shell runs it), that gets
                            # each event as JSON on stdin: to a phone, a chat, a log
    escalate_after = 300    # seconds a request may wait before the command is called again, escalated
    debounce = 30           # seconds: the same event again within this is sent once

Every bad value is an error naming the key, and that key keeps its default.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, replace

NOTIFY_KEYS = ("enabled", "desktop", "terminal", "command", "escalate_after", "debounce")
TERMINAL_MODES = ("auto", "osc9", "osc777", "off")
MAX_SECONDS = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class NotifySettings:
    enabled: bool = True
    desktop: bool = True
    terminal: str = "auto"  # one of TERMINAL_MODES
    command: tuple[str, ...] = ()  # argv, already split
    escalate_after: float = 300.0  # 0: never
    debounce: float = 30.0


def _seconds(value: object, key: str, where: str, errors: list[str], *, zero: bool) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and (
            0 <= value <= MAX_SECONDS if zero else 0 < value <= MAX_SECONDS):
        return float(value)
    floor = "0 or more" if zero else "above 0"
    errors.append(f"{where}: notify.{key} must be a number of seconds, {floor}, not {value!r}")
    return None


def parse_notify(table: object, where: str) -> tuple[NotifySettings, list[str]]:
    """`[notify]` as written: the settings, and an error naming each bad or unknown key."""
    settings = NotifySettings()
    if table is None:
        return settings, []
    if not isinstance(table, dict):
        return settings, [f"{where}: [notify] must be a table"]
    errors = [f"{where}: notify.{key} is not a setting (known: {', '.join(NOTIFY_KEYS)})"
              for key in table if key not in NOTIFY_KEYS]
    for key in ("enabled", "desktop"):
        if key in table:
            if isinstance(table[key], bool):
                settings = replace(settings, **{key: table[key]})
            else:
                errors.append(f"{where}: notify.{key} must be true or false, not {table[key]!r}")
    if "terminal" in table:
        value = table["terminal"]
        mode = {True: "auto", False: "off"}.get(value) if isinstance(value, bool) else value
        if mode in TERMINAL_MODES:
            settings = replace(settings, terminal=str(mode))
        else:
            errors.append(f"{where}: notify.terminal must be true, false, \"osc9\" or \"osc777\", not {value!r}")
    if "command" in table:
        value = table["command"]
        try:
            if isinstance(value, str):
                argv = tuple(shlex.split(value))
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                argv = tuple(value)
            else:
                raise ValueError("a command line (a string) or a list of its words")
            settings = replace(settings, command=argv)
        except ValueError as exc:
            errors.append(f"{where}: notify.command must be {exc}, not {value!r}" if "command line" in str(exc)
                          else f"{where}: notify.command cannot be split ({exc}): {value!r}")
    if "escalate_after" in table:
        seconds = _seconds(table["escalate_after"], "escalate_after", where, errors, zero=True)
        if seconds is not None:
            settings = replace(settings, escalate_after=seconds)
    if "debounce" in table:
        seconds = _seconds(table["debounce"], "debounce", where, errors, zero=True)
        if seconds is not None:
            settings = replace(settings, debounce=seconds)
    return settings, errors
