"""Beads issues: tolerant parsing of export/backup lines and the `bd ready` / blocked recomputation.

The rules follow spec/agentops-formats.md §3.3 (bd's `ready_work.go` and `blocked_state.go`).
JSONL carries no stored `is_blocked`, so it is recomputed here from the dependencies, transitively.
Pure: no IO, no clock (callers pass `now`).
"""

from __future__ import annotations

import json
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Statuses that are never blocked and never block anyone (bd: `status <> 'closed' AND status <> 'pinned'`).
INERT_STATUSES = frozenset({"closed", "pinned"})
# Types `bd ready` leaves out unless asked for by `--type` (ready_work.go excludeTypes).
EXCLUDED_READY_TYPES = frozenset({"merge-request", "gate", "molecule", "message", "agent", "role", "rig"})
BLOCKING_DEP_TYPES = frozenset({"blocks", "conditional-blocks"})
# bd's documented default priority, used only when a line has none or an unreadable one.
DEFAULT_PRIORITY = 2


@dataclass(frozen=True)
class Skip:
    """A well-formed line deliberately left out (a memory line, a deleted issue)."""

    reason: str


@dataclass(frozen=True)
class Dependency:
    issue_id: str
    depends_on_id: str
    type: str
    created_at: str = ""
    gate: str = ""  # `metadata.gate` of a waits-for edge ("all-children" by default, or "any-children")


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    text: str
    created_at: str


@dataclass(frozen=True)
class Issue:
    id: str
    title: str = ""
    status: str = "open"
    priority: int = DEFAULT_PRIORITY
    issue_type: str = "task"
    assignee: str = ""
    owner: str = ""
    description: str = ""
    acceptance_criteria: str = ""
    notes: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    started_at: datetime | None = None
    defer_until: datetime | None = None
    pinned: bool = False
    ephemeral: bool = False
    is_template: bool = False
    parent: str = ""
    close_reason: str = ""
    closed_by_session: str = ""
    labels: tuple[str, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class Blocked:
    id: str
    blocked_by: tuple[str, ...]


@dataclass(frozen=True)
class Queue:
    ready: tuple[str, ...]
    in_progress: tuple[str, ...]
    blocked: tuple[Blocked, ...]
    counts: Mapping[str, int]
    issues: Mapping[str, Issue] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "ready": list(self.ready),
            "in_progress": list(self.in_progress),
            "blocked": [{"id": b.id, "blocked_by": list(b.blocked_by)} for b in self.blocked],
            "counts": dict(self.counts),
        }


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from bd's RFC 3339 strings (Z or offsets, up to nanoseconds); None if unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    # Naive times come from SQL-style dumps, which bd writes in UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _flag(value: Any) -> bool:
    # Exports use JSON booleans, `bd backup` table dumps use 0/1.
    return value is True or (isinstance(value, int | float) and value == 1) or value in ("1", "true", "True")


def _priority(value: Any) -> int:
    if isinstance(value, bool):
        return DEFAULT_PRIORITY
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        digits = value.strip().upper().removeprefix("P")
        if digits.isdigit():
            return int(digits)
    return DEFAULT_PRIORITY


def _gate(metadata: Any) -> str:
    # Dependency metadata is a JSON string in exports and dumps; tolerate an already-decoded object.
    if isinstance(metadata, str) and metadata.strip().startswith("{"):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return ""
    if isinstance(metadata, dict):
        return _text(metadata.get("gate"))
    return ""


def parse_dependency(obj: Any, owner: str | None = None) -> Dependency | None:
    """One dependency object; `owner` (the issue holding it in an export line) wins over its `issue_id`."""
    if not isinstance(obj, dict):
        return None
    target = obj.get("depends_on_id")
    source = owner if owner is not None else obj.get("issue_id")
    if not isinstance(target, str) or not target or not isinstance(source, str) or not source:
        return None
    return Dependency(issue_id=source, depends_on_id=target, type=_text(obj.get("type")),
                      created_at=_text(obj.get("created_at")), gate=_gate(obj.get("metadata")))


def parse_comment(obj: Any) -> Comment | None:
    """One comment object; its id is an int in pre-1.0 exports and a string since."""
    if not isinstance(obj, dict):
        return None
    return Comment(id=_text(obj.get("id")), author=_text(obj.get("author")), text=_text(obj.get("text")),
                   created_at=_text(obj.get("created_at")))


def _comments(value: Any) -> tuple[Comment, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(c for c in (parse_comment(x) for x in value) if c)


def parse_issue_line(obj: Any) -> Issue | None | Skip:
    """One decoded JSONL object as an Issue; Skip for memory lines and tombstones; None if it is no issue."""
    if not isinstance(obj, dict):
        return None
    kind = obj.get("_type")
    if kind is not None and kind != "issue":
        return Skip(_text(kind) or "unknown")
    issue_id = obj.get("id")
    if not isinstance(issue_id, str) or not issue_id.strip():
        return None
    # bd's default status is open; an empty one is read the same way.
    status = _text(obj.get("status")) or "open"
    if status == "tombstone":
        return Skip("tombstone")
    deps = obj.get("dependencies")
    labels = obj.get("labels")
    return Issue(
        id=issue_id,
        title=_text(obj.get("title")),
        status=status,
        priority=_priority(obj.get("priority")),
        issue_type=_text(obj.get("issue_type")) or "task",
        assignee=_text(obj.get("assignee")),
        owner=_text(obj.get("owner")),
        description=_text(obj.get("description")),
        acceptance_criteria=_text(obj.get("acceptance_criteria")),
        notes=_text(obj.get("notes")),
        created_at=parse_time(obj.get("created_at")),
        updated_at=parse_time(obj.get("updated_at")),
        closed_at=parse_time(obj.get("closed_at")),
        started_at=parse_time(obj.get("started_at")),
        defer_until=parse_time(obj.get("defer_until")),
        pinned=_flag(obj.get("pinned")),
        ephemeral=_flag(obj.get("ephemeral")),
        is_template=_flag(obj.get("is_template")),
        parent=_text(obj.get("parent")),
        close_reason=_text(obj.get("close_reason")),
        closed_by_session=_text(obj.get("closed_by_session")),
        labels=tuple(x for x in labels if isinstance(x, str)) if isinstance(labels, list) else (),
        dependencies=tuple(d for d in (parse_dependency(x, issue_id) for x in deps) if d)
        if isinstance(deps, list) else (),
        comments=_comments(obj.get("comments")),
    )


def sort_key(issue: Issue) -> tuple[int, int, float, str]:
    """bd's `priority ASC, created_at DESC, id ASC`; an issue with no creation time sorts after dated ones."""
    if issue.created_at is None:
        return (issue.priority, 1, 0.0, issue.id)
    return (issue.priority, 0, -issue.created_at.timestamp(), issue.id)


def _live(issue: Issue) -> bool:
    return issue.status not in INERT_STATUSES


def _deferred(issue: Issue, now: datetime) -> bool:
    # An unreadable defer_until was parsed to None: it hides nothing rather than hiding an issue forever.
    return issue.defer_until is not None and issue.defer_until > now


def blocked_reasons(by_id: Mapping[str, Issue]) -> dict[str, tuple[str, ...]]:
    """Every blocked issue with what blocks it, computed in time linear in issues plus dependencies.

    A dependency on an id absent from the file blocks nothing, as in bd, whose SQL joins the target row.
    Cycles cannot loop: direct blockers are read once per edge, and parent-child inheritance is a
    breadth-first walk that visits each issue once; it yields the least fixpoint of bd's repeated passes.
    """
    children: dict[str, list[str]] = {}
    for issue in by_id.values():
        for dep in issue.dependencies:
            if dep.type == "parent-child":
                children.setdefault(dep.depends_on_id, []).append(issue.id)

    gate_cache: dict[str, tuple[bool, bool]] = {}

    def spawner_children(spawner: str) -> tuple[bool, bool]:
        """(has a child still open, has a closed child) for a waits-for spawner."""
        if spawner not in gate_cache:
            kids = [by_id[k] for k in children.get(spawner, ()) if k in by_id]
            gate_cache[spawner] = (any(_live(k) for k in kids), any(k.status == "closed" for k in kids))
        return gate_cache[spawner]

    direct: dict[str, list[str]] = {}
    for issue in by_id.values():
        if not _live(issue):
            continue
        why: list[str] = []
        for dep in issue.dependencies:
            if dep.type in BLOCKING_DEP_TYPES:
                target = by_id.get(dep.depends_on_id)
                if target is not None and _live(target):
                    why.append(target.id)
            elif dep.type == "waits-for":
                open_child, closed_child = spawner_children(dep.depends_on_id)
                if open_child and not (dep.gate == "any-children" and closed_child):
                    why.append(dep.depends_on_id)
        if why:
            direct[issue.id] = why

    # A blocked parent blocks its live children, and through them their children (blocked_state.go).
    inherited: dict[str, list[str]] = {}
    seen = set(direct)
    pending = deque(direct)
    while pending:
        parent = pending.popleft()
        for child_id in children.get(parent, ()):
            child = by_id.get(child_id)
            if child is None or not _live(child):
                continue
            inherited.setdefault(child_id, []).append(parent)
            if child_id not in seen:
                seen.add(child_id)
                pending.append(child_id)

    # Like `bd blocked`: the direct blockers, or the blocked parents when there are none.
    return {i: tuple(dict.fromkeys(direct.get(i) or inherited.get(i, ()))) for i in seen}


def compute_queue(issues: Iterable[Issue], now: datetime) -> Queue:
    """Ready, in-progress and blocked issues as `bd ready` / `bd blocked` would list them (spec §3.3)."""
    by_id: dict[str, Issue] = {}
    for issue in issues:
        by_id[issue.id] = issue  # a later line for the same id replaces the earlier, as an import would
    blocked = blocked_reasons(by_id)

    deferred_parents = {i.id for i in by_id.values() if _deferred(i, now)}

    def child_of_deferred(issue: Issue) -> bool:
        return any(d.type == "parent-child" and d.depends_on_id in deferred_parents for d in issue.dependencies)

    ready = [
        i for i in by_id.values()
        if i.status == "open"
        and not i.pinned
        and not i.ephemeral
        and i.issue_type not in EXCLUDED_READY_TYPES
        and i.id not in blocked
        and not _deferred(i, now)
        and not (deferred_parents and child_of_deferred(i))
    ]
    in_progress = [i for i in by_id.values() if i.status == "in_progress"]
    blocked_issues = sorted((by_id[i] for i in blocked), key=sort_key)
    counts = Counter(i.status for i in by_id.values())
    return Queue(
        ready=tuple(i.id for i in sorted(ready, key=sort_key)),
        in_progress=tuple(i.id for i in sorted(in_progress, key=sort_key)),
        blocked=tuple(Blocked(i.id, blocked[i.id]) for i in blocked_issues),
        counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        issues=by_id,
    )
