"""Health of a live session: is it looping, stalled, or editing a file another live session edits?

Pure rules over plain rows (the store reads them, cockpit/store/health.py): no IO, no clock of its own.

- `loop`: the same tool call (same tool, same input hash) failing `loop_repeats` or more times in a row in
  one thread of a session (the main thread or one subagent), or the same error text repeating that many
  times in a row (factor III's "same approach 3+ times"). `since` is the first call of the run; any call
  that succeeds after it ends the run, so the flag clears. Calls still running neither extend nor end a run.
- `stall`: a session in a working state (thinking, running a tool, waiting on a permission prompt) with no
  transcript activity for longer than `stall_after` seconds, or with an approval request nobody answered for
  longer than that. Idle and ended sessions never stall.
- `conflict`: two live sessions that both edited the same file within the last `conflict_window` seconds,
  flagged on both, the detail naming the other session and the file. A Codex sub-thread and its parent are
  one piece of work: they never conflict with each other.

At most one flag of each kind per session: several conflicts (or a stall and an unanswered request) are one
flag whose `since` is the earliest and whose detail names each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.core.format import age, parse_ts
from cockpit.core.text import one_line

LOOP, STALL, CONFLICT = "loop", "stall", "conflict"
KINDS = (LOOP, STALL, CONFLICT)
WORKING_STATES = frozenset({"thinking", "tool", "waiting-approval"})
DETAIL_CHARS = 300


@dataclass(frozen=True, slots=True)
class HealthRules:
    """The `[health]` settings: seconds without activity before a working session is stalled, seconds two
    sessions' edits of one file count as a conflict, failures in a row that make a loop."""

    stall_after: float = 600.0
    conflict_window: float = 1800.0
    loop_repeats: int = 3


@dataclass(frozen=True, slots=True)
class HealthFlag:
    kind: str  # "loop" | "stall" | "conflict"
    since: str  # ISO 8601 UTC: when the condition began
    detail: str  # one line, untrusted text inside (tool input, error, titles): never markup

    def key(self, session_id: str) -> str:
        """The notifier's key for this condition: a later event with the same key withdraws it."""
        return f"health:{self.kind}:{session_id}"

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "since": self.since, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class CallRow:
    """One tool call as the loop rule needs it, in transcript order."""

    name: str
    input_hash: str  # "" when unknown (rows indexed before the hash existed)
    started_at: str
    is_error: bool | None  # None: still running
    error: str = ""
    agent_id: str = ""  # "" for the main thread, else the subagent


@dataclass(frozen=True, slots=True)
class LiveSession:
    session_id: str
    title: str
    state: str  # a SessionState value
    last_activity_at: str | None
    parent_session_id: str = ""
    project: str = ""  # the session's working folder: a conflicting file is named relative to it


@dataclass(frozen=True, slots=True)
class PendingRequest:
    session_id: str
    received_at: str
    tool_name: str
    summary: str


@dataclass(frozen=True, slots=True)
class FileEdit:
    session_id: str
    path: str
    ts: str


Health = Mapping[str, tuple[HealthFlag, ...]]


def _utc(ts: str | None) -> datetime | None:
    moment = parse_ts(ts)
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _since(ts: str) -> str:
    """A stored time as ISO 8601 UTC (as written when it cannot be read)."""
    moment = _utc(ts)
    return iso(moment) if moment else ts


def short_id(session_id: str) -> str:
    return session_id[:8]


# ---- loop ---------------------------------------------------------------------------------------


@dataclass
class _Run:
    key: str = ""
    first: str = ""
    count: int = 0

    def add(self, key: str, ts: str) -> None:
        if key and key == self.key:
            self.count += 1
        else:
            self.key, self.first, self.count = key, ts, 1 if key else 0


def _thread_loop(calls: Iterable[CallRow], repeats: int) -> tuple[str, str] | None:
    """(since, detail) when the thread's calls end in a failing run of `repeats` or more."""
    same_call, same_error = _Run(), _Run()
    last: CallRow | None = None
    for call in calls:
        if call.is_error is None:
            continue
        if not call.is_error:
            same_call, same_error, last = _Run(), _Run(), None
            continue
        same_call.add(f"{call.name}\0{call.input_hash}" if call.input_hash else "", call.started_at)
        same_error.add(call.error, call.started_at)
        last = call
    if last is None:
        return None
    error = f": {one_line(last.error, 160)}" if last.error else ""
    found: list[tuple[str, str]] = []
    if same_call.count >= repeats:
        found.append((same_call.first, f"{one_line(last.name, 40)} failed {same_call.count} times in a row with the"
                                       f" same input{error}"))
    if same_error.count >= repeats:
        found.append((same_error.first, f"the same error {same_error.count} times in a row{error}"))
    return min(found) if found else None


def loop_flag(calls: Sequence[CallRow], repeats: int = 3) -> HealthFlag | None:
    threads: dict[str, list[CallRow]] = defaultdict(list)
    for call in calls:
        threads[call.agent_id].append(call)
    found = []
    for agent_id, rows in threads.items():
        hit = _thread_loop(rows, max(1, repeats))
        if hit:
            since, detail = hit
            found.append((since, f"subagent {one_line(agent_id, 24)}: {detail}" if agent_id else detail))
    if not found:
        return None
    found.sort()
    detail = "; ".join(d for _, d in found)
    return HealthFlag(LOOP, _since(found[0][0]), one_line(detail, DETAIL_CHARS))


# ---- stall --------------------------------------------------------------------------------------


def stall_flag(session: LiveSession, pending: Sequence[PendingRequest], now: datetime,
               stall_after: float = 600.0) -> HealthFlag | None:
    found: list[tuple[datetime, str]] = []
    last = _utc(session.last_activity_at)
    limit = timedelta(seconds=stall_after)
    if session.state in WORKING_STATES and last is not None and now - last > limit:
        found.append((last, f"no transcript activity for {age(last, now)} while {session.state}"))
    for request in pending:
        received = _utc(request.received_at)
        if request.session_id == session.session_id and received is not None and now - received > limit:
            summary = f": {one_line(request.summary, 120)}" if request.summary else ""
            found.append((received, f"approval request for {one_line(request.tool_name, 40) or 'a tool'} unanswered"
                                    f" for {age(received, now)}{summary}"))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    return HealthFlag(STALL, iso(found[0][0]), one_line("; ".join(d for _, d in found), DETAIL_CHARS))


# ---- conflict -----------------------------------------------------------------------------------


def _shown(path: str, project: str) -> str:
    """The file as the user knows it: relative to the session's project when it lies inside."""
    root = project.rstrip("/") + "/"
    return path[len(root):] if project and path.startswith(root) else path


def _related(a: LiveSession, b: LiveSession) -> bool:
    return a.parent_session_id == b.session_id or b.parent_session_id == a.session_id


def conflict_flags(sessions: Mapping[str, LiveSession], edits: Iterable[FileEdit], now: datetime,
                   window: float = 1800.0) -> dict[str, HealthFlag]:
    """Per live session, its conflict flag (sessions without one are absent)."""
    since = now - timedelta(seconds=window)
    first: dict[str, dict[str, datetime]] = defaultdict(dict)  # path -> session -> its first edit in the window
    for edit in edits:
        moment = _utc(edit.ts)
        if edit.session_id not in sessions or moment is None or moment < since or moment > now + timedelta(minutes=5):
            continue
        seen = first[edit.path].get(edit.session_id)
        if seen is None or moment < seen:
            first[edit.path][edit.session_id] = moment
    found: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for path, by_session in sorted(first.items()):
        if len(by_session) < 2:
            continue
        for sid, at in by_session.items():
            for other, other_at in sorted(by_session.items()):
                if other == sid or _related(sessions[sid], sessions[other]):
                    continue
                title = one_line(sessions[other].title, 50)
                who = f"{short_id(other)} ({title})" if title else short_id(other)
                shown = one_line(_shown(path, sessions[sid].project), 120)
                found[sid].append((max(at, other_at), f"{shown} also edited by {who}"))
    flags = {}
    for sid, hits in found.items():
        hits.sort(key=lambda h: h[0])
        detail = "; ".join(d for _, d in hits[:3]) + (f"; and {len(hits) - 3} more" if len(hits) > 3 else "")
        flags[sid] = HealthFlag(CONFLICT, iso(hits[0][0]), one_line(detail, DETAIL_CHARS))
    return flags


# ---- all of it ----------------------------------------------------------------------------------


def evaluate(sessions: Sequence[LiveSession], calls: Mapping[str, Sequence[CallRow]],
             pending: Sequence[PendingRequest], edits: Iterable[FileEdit], now: datetime,
             rules: HealthRules = HealthRules()) -> dict[str, tuple[HealthFlag, ...]]:
    """Every live session's flags, in the order loop, stall, conflict (an empty tuple when healthy)."""
    by_id = {s.session_id: s for s in sessions}
    conflicts = conflict_flags(by_id, edits, now, rules.conflict_window)
    health: dict[str, tuple[HealthFlag, ...]] = {}
    for session in sessions:
        flags = (
            loop_flag(calls.get(session.session_id, ()), rules.loop_repeats),
            stall_flag(session, pending, now, rules.stall_after),
            conflicts.get(session.session_id),
        )
        health[session.session_id] = tuple(f for f in flags if f is not None)
    return health


def changes(before: Health, after: Health) -> tuple[list[tuple[str, HealthFlag]], list[tuple[str, HealthFlag]]]:
    """(started, ended): the (session, flag) pairs whose condition began, and those that cleared, by kind.

    A flag whose detail changed (a fourth failure, another file) is the same condition: neither."""
    def kinds(health: Health) -> dict[tuple[str, str], HealthFlag]:
        return {(sid, f.kind): f for sid, flags in health.items() for f in flags}

    old, new = kinds(before), kinds(after)
    started = [(sid, flag) for (sid, kind), flag in new.items() if (sid, kind) not in old]
    ended = [(sid, flag) for (sid, kind), flag in old.items() if (sid, kind) not in new]
    return started, ended


def health_json(flags: Sequence[HealthFlag]) -> list[dict[str, Any]]:
    return [f.as_json() for f in flags]


def marker(flags: Sequence[HealthFlag]) -> str:
    """The sessions list's health cell: the kinds in words (never a colour alone); "" when healthy."""
    return " ".join(f.kind for f in flags)
