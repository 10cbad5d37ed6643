"""The notifier (issue 14): which fleet event goes out, to which sink, once, and when it is withdrawn.

An event names a condition by its key (`approval:<request id>`, `context:<session>`, `budget:session:<id>:over`
…): `active` raises it, a later event with the same key and `active=False` withdraws it (answered, cleared,
back under the line). The rules:

- `[notify] enabled = false` (or `--quiet`) sends nothing at all.
- Debounce: the same key raised again within `debounce` seconds of its last notification is sent once.
- A withdrawal goes out only for a key that was notified and not withdrawn yet: the desktop notification is
  replaced by a short "answered" one (sources/notify_sinks.py), the command gets the event with
  `"active": false`; a terminal escape cannot be taken back, so the terminal gets nothing.
- Escalation: an approval still waiting `escalate_after` seconds after it was notified is sent to the
  command again, once, with `"escalated": true`.

The command reads one JSON object on stdin: {"event": kind, "key", "active", "session_id", "title", "detail",
"escalated", "at" (ISO 8601 UTC), ...the event's data}. Sinks' failures come back as lines for the log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cockpit.config.notify import NotifySettings
from cockpit.sources.notify_sinks import Command, Desktop, Terminal

# Kinds whose active event waits for a human: these escalate.
ESCALATING = frozenset({"approval"})
URGENCY = {"approval": "critical", "budget": "critical", "compaction": "normal"}


@dataclass(frozen=True, slots=True)
class Notice:
    kind: str
    key: str
    active: bool = True
    session_id: str = ""
    title: str = ""
    detail: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Shown:
    notice: Notice
    sent_at: float  # monotonic
    desktop_id: str = ""
    escalated: bool = False


def _iso(now: datetime) -> str:
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def payload(notice: Notice, *, escalated: bool, at: datetime) -> str:
    """The JSON the user's command reads: the event's data, then the fields every event has (those win)."""
    body: dict[str, Any] = {str(k): v for k, v in notice.data.items()}
    body.update({"event": notice.kind, "key": notice.key, "active": notice.active, "session_id": notice.session_id,
                 "title": notice.title, "detail": notice.detail, "escalated": escalated, "at": _iso(at)})
    return json.dumps(body, default=str)


class Notifier:
    """Stateful, one thread at a time (the notify worker's). `handle` an event, `tick` now and then for
    escalations; both return the sinks' errors."""

    def __init__(self, settings: NotifySettings, *, desktop: Desktop | None = None, terminal: Terminal | None = None,
                 command: Command | None = None, clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.settings = settings
        self.desktop = desktop if settings.desktop and desktop is not None and desktop.available else None
        self.terminal = terminal if settings.terminal != "off" else None
        self.command = command if settings.command else None
        self.clock = clock
        self.wall = wall
        self.shown: dict[str, _Shown] = {}  # notified and not withdrawn, by key
        self._last_sent: dict[str, float] = {}  # when each key was last notified (debounce)

    def handle(self, notice: Notice) -> list[str]:
        if not self.settings.enabled:
            return []
        return self._raise(notice) if notice.active else self._withdraw(notice)

    def _raise(self, notice: Notice) -> list[str]:
        now = self.clock()
        last = self._last_sent.get(notice.key)
        if last is not None and now - last < self.settings.debounce:
            return []
        self._last_sent[notice.key] = now
        errors: list[str] = []
        desktop_id = ""
        title = notice.title or f"cockpit: {notice.kind}"
        if self.desktop is not None:
            desktop_id, error = self.desktop.show(title, notice.detail, urgency=URGENCY.get(notice.kind, "normal"))
            errors.append(error)
        if self.terminal is not None:
            errors.append(self.terminal.show(title, notice.detail))
        if self.command is not None:
            errors.append(self._send(notice, escalated=False))
        self.shown[notice.key] = _Shown(notice, now, desktop_id)
        self._forget(now)
        return [e for e in errors if e]

    def _withdraw(self, notice: Notice) -> list[str]:
        shown = self.shown.pop(notice.key, None)
        if shown is None:
            return []  # never notified (or withdrawn already): nothing to take back
        errors: list[str] = []
        was = shown.notice
        title = notice.title or f"answered: {was.title or was.kind}"
        if self.desktop is not None:
            errors.append(self.desktop.withdraw(shown.desktop_id, title, notice.detail or was.detail))
        if self.command is not None:
            merged = Notice(was.kind, was.key, False, notice.session_id or was.session_id, title,
                            notice.detail or was.detail, {**was.data, **notice.data})
            errors.append(self._send(merged, escalated=False))
        return [e for e in errors if e]

    def tick(self) -> list[str]:
        """Escalate every approval notified `escalate_after` seconds ago and still waiting (once each)."""
        after = self.settings.escalate_after
        if not self.settings.enabled or self.command is None or after <= 0:
            return []
        now = self.clock()
        errors = []
        for shown in list(self.shown.values()):
            if shown.notice.kind in ESCALATING and not shown.escalated and now - shown.sent_at >= after:
                shown.escalated = True
                errors.append(self._send(shown.notice, escalated=True))
        return [e for e in errors if e]

    def _send(self, notice: Notice, *, escalated: bool) -> str:
        assert self.command is not None
        error = self.command.send(payload(notice, escalated=escalated, at=self.wall()))
        return f"notify command: {error}" if error else ""

    def _forget(self, now: float) -> None:
        """Debounce entries older than the window and not shown any more: the map does not grow forever."""
        if len(self._last_sent) > 1000:
            window = self.settings.debounce
            self._last_sent = {k: t for k, t in self._last_sent.items() if k in self.shown or now - t < window}


@dataclass(frozen=True, slots=True)
class ContextLook:
    """What the context watch needs of one live session."""

    session_id: str
    agent: str
    title: str
    pct: float | None
    compactions: int
    last_trigger: str = ""


class ContextWatch:
    """Context events from the live sessions seen, one look after another: crossing `threshold` % (withdrawn
    when back under, e.g. after a compaction) and each new compaction. The first look at a session only
    records it: nothing that was already so when cockpit started is news."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self._seen: dict[str, tuple[bool, int]] = {}

    def changes(self, looks: Iterable[ContextLook]) -> list[Notice]:
        found: list[Notice] = []
        for look in looks:
            above = look.pct is not None and look.pct >= self.threshold
            previous = self._seen.get(look.session_id)
            self._seen[look.session_id] = (above, look.compactions)
            if previous is None:
                continue
            name = look.title or look.session_id[:8]
            who = f"{look.agent} {look.session_id[:8]}"
            data = {"agent": look.agent, "context_pct": look.pct, "threshold_pct": self.threshold}
            if look.compactions > previous[1]:
                found.append(Notice("compaction", f"compaction:{look.session_id}:{look.compactions}",
                                    session_id=look.session_id, title=f"cockpit: {who} compacted",
                                    detail=f"{name} ({look.last_trigger or 'compaction'} #{look.compactions})",
                                    data={**data, "compactions": look.compactions}))
            if above and not previous[0]:
                found.append(Notice("context", f"context:{look.session_id}", session_id=look.session_id,
                                    title=f"cockpit: {who} passed {self.threshold:g}% of its context",
                                    detail=f"{name} at {look.pct:.1f}%", data=data))
            elif previous[0] and not above:
                found.append(Notice("context", f"context:{look.session_id}", active=False, session_id=look.session_id,
                                    title=f"cockpit: {who} is back under {self.threshold:g}%",
                                    detail=f"{name} at {look.pct or 0:.1f}%", data=data))
        return found
