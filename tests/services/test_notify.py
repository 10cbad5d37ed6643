"""The notifier: what goes out, once, to which sink; withdrawals, escalation; and the sinks' own IO."""

from __future__ import annotations

import os
import time
from pathlib import Path

from fake_notify import fake_command, fake_notify_send, lines, script

from cockpit.config.notify import NotifySettings
from cockpit.services.notify import ContextLook, ContextWatch, Notice, Notifier
from cockpit.sources.notify_sinks import Command, Desktop, Terminal, clean, terminal_escape, terminal_mode

APPROVAL = Notice("approval", "approval:7", session_id="sess-1234abcd", title="cockpit: claude sess-123 needs you",
                  detail="Bash: git push origin main", data={"request_id": 7, "command": "git push origin main"})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(tmp_path: Path, **settings) -> tuple[Notifier, Clock, Path, Path, list[str]]:
    exe, desktop_log = fake_notify_send(tmp_path)
    argv, command_log = fake_command(tmp_path)
    written: list[str] = []
    clock = Clock()
    notifier = Notifier(NotifySettings(**{"command": tuple(argv), **settings}), desktop=Desktop(str(exe)),
                        terminal=Terminal(written.append, "osc9", env={}), command=Command(argv), clock=clock)
    return notifier, clock, desktop_log, command_log, written


def test_an_event_reaches_every_sink_and_its_withdrawal_follows(tmp_path) -> None:
    notifier, _clock, desktop_log, command_log, written = make(tmp_path)
    assert notifier.handle(APPROVAL) == []
    shown = lines(desktop_log)
    assert shown == [["--app-name=cockpit", "--urgency=critical", "--print-id", "--",
                      "cockpit: claude sess-123 needs you", "Bash: git push origin main"]]
    assert written == ["\x1b]9;cockpit: claude sess-123 needs you: Bash: git push origin main\x07"]
    sent = lines(command_log)
    assert len(sent) == 1
    assert {k: sent[0][k] for k in ("event", "key", "active", "session_id", "escalated", "command", "request_id")} == {
        "event": "approval", "key": "approval:7", "active": True, "session_id": "sess-1234abcd", "escalated": False,
        "command": "git push origin main", "request_id": 7}
    assert sent[0]["at"].endswith("Z")
    assert notifier.handle(Notice("approval", "approval:7", active=False)) == []
    replaced = lines(desktop_log)[-1]
    assert "--replace-id=42" in replaced and replaced[-2].startswith("answered: ")
    withdrawn = lines(command_log)[-1]
    assert (withdrawn["key"], withdrawn["active"], withdrawn["session_id"]) == ("approval:7", False, "sess-1234abcd")
    assert withdrawn["command"] == "git push origin main"
    assert len(written) == 1  # a terminal escape cannot be taken back: nothing more is written


def test_a_withdrawal_of_what_was_never_sent_sends_nothing(tmp_path) -> None:
    notifier, _clock, desktop_log, command_log, _written = make(tmp_path)
    assert notifier.handle(Notice("approval", "approval:9", active=False)) == []
    assert not desktop_log.exists() and not command_log.exists()
    notifier.handle(APPROVAL)
    notifier.handle(Notice("approval", "approval:7", active=False))
    notifier.handle(Notice("approval", "approval:7", active=False))
    assert [e["active"] for e in lines(command_log)] == [True, False]


def test_the_same_key_within_the_debounce_is_sent_once(tmp_path) -> None:
    notifier, clock, _desktop_log, command_log, _written = make(tmp_path, debounce=30.0)
    notifier.handle(APPROVAL)
    clock.now += 29
    notifier.handle(APPROVAL)
    notifier.handle(Notice("context", "context:s2", title="other key"))
    assert [e["key"] for e in lines(command_log)] == ["approval:7", "context:s2"]
    clock.now += 2
    notifier.handle(APPROVAL)
    assert [e["key"] for e in lines(command_log)] == ["approval:7", "context:s2", "approval:7"]


def test_a_request_still_waiting_escalates_once_to_the_command(tmp_path) -> None:
    notifier, clock, desktop_log, command_log, _written = make(tmp_path, escalate_after=300.0)
    notifier.handle(APPROVAL)
    notifier.handle(Notice("context", "context:s2", title="not a request"))
    clock.now += 299
    assert notifier.tick() == []
    assert len(lines(command_log)) == 2
    clock.now += 1
    notifier.tick()
    clock.now += 600
    notifier.tick()
    sent = lines(command_log)
    assert [(e["key"], e["escalated"]) for e in sent] == [("approval:7", False), ("context:s2", False),
                                                         ("approval:7", True)]
    assert len(lines(desktop_log)) == 2  # the escalation goes to the command only
    notifier.handle(Notice("approval", "approval:7", active=False))
    assert lines(command_log)[-1]["active"] is False


def test_an_answered_request_does_not_escalate(tmp_path) -> None:
    notifier, clock, _desktop_log, command_log, _written = make(tmp_path, escalate_after=10.0)
    notifier.handle(APPROVAL)
    notifier.handle(Notice("approval", "approval:7", active=False))
    clock.now += 60
    notifier.tick()
    assert [e["escalated"] for e in lines(command_log)] == [False, False]


def test_disabled_sends_nothing(tmp_path) -> None:
    notifier, clock, desktop_log, command_log, written = make(tmp_path, enabled=False, escalate_after=1.0)
    notifier.handle(APPROVAL)
    clock.now += 10
    notifier.tick()
    assert not desktop_log.exists() and not command_log.exists() and written == []
    assert notifier.shown == {}


def test_each_sink_can_be_switched_off(tmp_path) -> None:
    notifier, _clock, desktop_log, command_log, written = make(tmp_path, desktop=False, terminal="off", command=())
    notifier.handle(APPROVAL)
    assert not desktop_log.exists() and not command_log.exists() and written == []


def test_an_old_notify_send_gets_a_new_answered_notification(tmp_path) -> None:
    exe, log = fake_notify_send(tmp_path, replaces=False)
    notifier = Notifier(NotifySettings(terminal="off"), desktop=Desktop(str(exe)))
    notifier.handle(APPROVAL)
    notifier.handle(Notice("approval", "approval:7", active=False))
    first, second = lines(log)
    assert "--print-id" not in first
    assert not any(a.startswith("--replace-id") for a in second) and second[-2].startswith("answered: ")


def test_untrusted_text_loses_every_escape_before_a_sink(tmp_path) -> None:
    evil = "ok\x1b]52;c;aGk=\x07\x1b[2J\u202eevil\nnext -u critical"
    notifier, _clock, desktop_log, _command_log, written = make(tmp_path)
    notifier.handle(Notice("approval", "approval:1", title=evil, detail=evil))
    args = lines(desktop_log)[0]
    assert all("\x1b" not in a and "\x07" not in a and "\u202e" not in a and "\n" not in a for a in args)
    assert args[-1] == "okevil next -u critical" and args[-3] == "--"  # text after `--` is never an option
    sequence = written[0]
    assert sequence.count("\x1b") == 1 and sequence.count("\x07") == 1 and "\u202e" not in sequence
    assert clean("a" * 500, 10) == "a" * 9 + "…"


def test_terminal_escapes_by_terminal_and_through_tmux() -> None:
    assert terminal_escape("osc9", "cockpit: s1 needs you", "Bash: ls", {}) == "\x1b]9;cockpit: s1 needs you: Bash: ls\x07"
    assert terminal_escape("osc777", "t;x", "b;y", {}) == "\x1b]777;notify;t,x;b;y\x07"
    assert terminal_escape("osc9", "4;2 progress", "", {}) == "\x1b]9;\u2022 4;2 progress\x07"
    assert terminal_escape("osc9", "t", "b", {"TMUX": "/tmp/tmux-1/default,1,0"}) == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"
    assert terminal_escape("off", "t", "b", {}) == ""
    assert terminal_mode("auto", {"TERM": "foot"}) == "osc777"
    assert terminal_mode("auto", {"TERM": "rxvt-unicode-256color"}) == "osc777"
    assert terminal_mode("auto", {"TERM_PROGRAM": "ghostty"}) == "osc777"
    assert terminal_mode("auto", {"TERM_PROGRAM": "iTerm.app", "TERM": "xterm-256color"}) == "osc9"
    assert terminal_mode("osc9", {"TERM": "foot"}) == "osc9"


def test_a_failing_command_is_an_error_line_never_an_exception(tmp_path) -> None:
    failing = script(tmp_path / "fails", "import sys\nsys.stderr.write('no network\\n')\nsys.exit(3)\n")
    assert Command([str(failing)]).send("{}") == f"{failing} exited with 3: no network"
    assert "cannot run" in Command([str(tmp_path / "missing")]).send("{}")
    notifier = Notifier(NotifySettings(command=("x",), terminal="off", desktop=False), command=Command([str(failing)]))
    assert notifier.handle(APPROVAL) == [f"notify command: {failing} exited with 3: no network"]


def test_a_command_that_hangs_is_stopped_with_its_children(tmp_path) -> None:
    pid_file = tmp_path / "child.pid"
    hangs = script(tmp_path / "hangs", f"""import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
open({str(pid_file)!r}, "w").write(str(child.pid))
time.sleep(60)
""")
    error = Command([str(hangs)], timeout=1.0).send("{}")
    assert "did not finish within 1 s and was stopped" in error
    child = int(pid_file.read_text())
    def state() -> str:
        """The grandchild's state letter; "" once it is gone (reaped)."""
        try:
            with open(f"/proc/{child}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return ""

    # The group's SIGKILL reaches the grandchild: it is gone, or a zombie until its reaper (init, or a
    # subreaper on a busy machine) gets to it; never still sleeping.
    for _ in range(250):
        if state() in ("", "Z"):
            break
        time.sleep(0.02)
    assert state() in ("", "Z")


def test_context_events_cross_and_come_back_under() -> None:
    watch = ContextWatch(40.0)
    assert watch.changes([ContextLook("s1", "claude", "fix it", 45.0, 0)]) == []  # already so at start: no news
    assert watch.changes([ContextLook("s2", "codex", "t", 10.0, 0)]) == []
    found = watch.changes([ContextLook("s2", "codex", "t", 41.5, 0)])
    assert [(n.kind, n.key, n.active) for n in found] == [("context", "context:s2", True)]
    assert "passed 40%" in found[0].title and found[0].data["context_pct"] == 41.5
    assert watch.changes([ContextLook("s2", "codex", "t", 42.0, 0)]) == []
    found = watch.changes([ContextLook("s2", "codex", "t", 8.0, 1, "auto")])
    assert [(n.kind, n.key, n.active) for n in found] == [("compaction", "compaction:s2:1", True),
                                                         ("context", "context:s2", False)]

