"""Where notifications go out (issue 14): the IO only; cockpit/services/notify.py decides what and when.

- Desktop: `notify-send` where it is on PATH. It cannot close a notification it showed, so one that is
  withdrawn is replaced (`--replace-id` with the id `--print-id` gave, libnotify 0.7.9+) by a short-lived
  "answered" one; an older notify-send shows a new "answered" notification instead.
- Terminal: the terminal's own notification escape, OSC 9 (iTerm2, WezTerm, Ghostty, Windows Terminal,
  kitty) or OSC 777 `notify;title;body` (foot, urxvt, VTE terminals, Ghostty, WezTerm), wrapped in tmux's
  DCS passthrough when $TMUX is set (tmux needs `set -g allow-passthrough on`). The text is built here; the
  caller writes it through the app's own output, between frames, never into the screen buffer.
- The user's command: argv as configured (no shell), the event as JSON on stdin, in its own process
  group, stopped (the whole group) after COMMAND_TIMEOUT seconds.

Untrusted text (titles and questions come from transcripts and tool input) is stripped of every escape
and control character before it goes into an escape sequence or an argument. Nothing here raises on a
sink's failure: each call returns the error as one line, or "".
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Mapping, Sequence

from cockpit.core.text import strip_controls

COMMAND_TIMEOUT = 10.0
DESKTOP_TIMEOUT = 5.0
# Bounds on what one notification carries.
TITLE_CHARS = 120
BODY_CHARS = 400
# How long the "answered" replacement of a withdrawn desktop notification stays (ms).
ANSWERED_EXPIRE_MS = 4000
_PRINT_ID = re.compile(r"^\s*(\d+)\s*$", re.MULTILINE)


def clean(text: str, limit: int) -> str:
    """One line with no escape sequence, control, bidi or invisible character, at most `limit` characters."""
    flat = " ".join(strip_controls(str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass


def run(argv: Sequence[str], stdin: bytes | None, timeout: float) -> tuple[int | None, str, str]:
    """Run `argv` (no shell) in its own process group: (exit code, stdout, error line). A timeout stops the
    group; a command that cannot start or fails is an error line, never an exception."""
    try:
        proc = subprocess.Popen(list(argv), stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        return None, "", f"{argv[0]} cannot run: {exc.strerror or exc}"
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop_group(proc)
        return None, "", f"{argv[0]} did not finish within {timeout:g} s and was stopped"
    except OSError as exc:  # it closed stdin before reading it all, and so on
        _stop_group(proc)
        return None, "", f"{argv[0]} failed: {exc}"
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        why = clean(err.decode("utf-8", "replace"), 200)
        return proc.returncode, text, f"{argv[0]} exited with {proc.returncode}" + (f": {why}" if why else "")
    return 0, text, ""


class Desktop:
    """notify-send, when on PATH: `available` says so. Whether it can print and replace ids is asked once."""

    def __init__(self, executable: str | None = None) -> None:
        self.executable = executable if executable is not None else (shutil.which("notify-send") or "")
        self._replaces: bool | None = None

    @property
    def available(self) -> bool:
        return bool(self.executable)

    @property
    def replaces(self) -> bool:
        """Whether this notify-send has --print-id and --replace-id (libnotify 0.7.9 and later)."""
        if self._replaces is None:
            _code, out, _error = run([self.executable, "--help"], None, DESKTOP_TIMEOUT)
            self._replaces = "--print-id" in out and "--replace-id" in out
        return self._replaces

    def show(self, title: str, body: str, *, urgency: str = "normal") -> tuple[str, str]:
        """Show a notification: (its id when this notify-send gives one, else ""; an error line or "")."""
        argv = [self.executable, "--app-name=cockpit", f"--urgency={urgency}"]
        if self.replaces:
            argv.append("--print-id")
        _code, out, error = run([*argv, "--", clean(title, TITLE_CHARS), clean(body, BODY_CHARS)], None,
                                DESKTOP_TIMEOUT)
        found = _PRINT_ID.search(out) if self.replaces and not error else None
        return (found.group(1) if found else ""), error

    def withdraw(self, notification_id: str, title: str, body: str) -> str:
        """Replace the notification `notification_id` by a short-lived `title` (when ids are known), else show
        it as a new one: notify-send cannot close a notification. An error line or ""."""
        argv = [self.executable, "--app-name=cockpit", "--urgency=low", f"--expire-time={ANSWERED_EXPIRE_MS}"]
        if notification_id and self.replaces:
            argv.append(f"--replace-id={notification_id}")
        return run([*argv, "--", clean(title, TITLE_CHARS), clean(body, BODY_CHARS)], None, DESKTOP_TIMEOUT)[2]


def terminal_mode(setting: str, env: Mapping[str, str]) -> str:
    """"osc9", "osc777" or "off": the setting, or for "auto" what $TERM_PROGRAM / $TERM say the terminal reads."""
    if setting != "auto":
        return setting
    program = env.get("TERM_PROGRAM", "").lower()
    term = env.get("TERM", "").lower()
    if term.startswith(("foot", "rxvt")) or env.get("VTE_VERSION"):
        return "osc777"
    if program in ("ghostty", "wezterm") or term.startswith(("xterm-ghostty", "wezterm")):
        return "osc777"
    return "osc9"


def terminal_escape(mode: str, title: str, body: str, env: Mapping[str, str]) -> str:
    """The notification escape for `mode` ("" for "off"), wrapped for tmux when $TMUX is set."""
    title = clean(title, TITLE_CHARS)
    body = clean(body, BODY_CHARS)
    if mode == "osc777":
        # `;` separates the fields: none may end the title early.
        sequence = f"\x1b]777;notify;{title.replace(';', ',')};{body}\x07"
    elif mode == "osc9":
        text = f"{title}: {body}" if body else title
        # OSC 9 ; 4 (and 9 ; <digit> ;) is ConEmu's progress and other commands: never start with a digit.
        if text[:1].isdigit():
            text = "\u2022 " + text
        sequence = f"\x1b]9;{text}\x07"
    else:
        return ""
    if env.get("TMUX"):
        # tmux passes a DCS `tmux;` string through to the outer terminal, each ESC inside doubled.
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


class Terminal:
    """The terminal's notification escape, handed to `write` (the app's own output)."""

    def __init__(self, write: Callable[[str], object], mode: str, env: Mapping[str, str] | None = None) -> None:
        self.write = write
        self.env = dict(os.environ if env is None else env)
        self.mode = terminal_mode(mode, self.env)

    def show(self, title: str, body: str) -> str:
        sequence = terminal_escape(self.mode, title, body, self.env)
        if not sequence:
            return ""
        try:
            self.write(sequence)
        except Exception as exc:  # noqa: BLE001 - the terminal is gone or the app is stopping
            return f"terminal notification not written: {type(exc).__name__}: {exc}"
        return ""


class Command:
    """The user's command, given each event as JSON on stdin."""

    def __init__(self, argv: Sequence[str], timeout: float = COMMAND_TIMEOUT) -> None:
        self.argv = tuple(argv)
        self.timeout = timeout

    def send(self, payload: str) -> str:
        return run(self.argv, payload.encode("utf-8"), self.timeout)[2]
