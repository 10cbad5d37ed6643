"""Beads issues: tolerant parsing of export/backup lines and the `bd ready` / blocked recomputation.

The rules follow spec/agentops-formats.md §3.3 (bd's `ready_work.go` and `blocked_state.go`).
JSONL carries no stored `is_blocked`, so it is recomputed here from the dependencies, transitively,
in time linear in issues plus dependencies and without recursion, so 100k issues or a 10k-long chain
cost a fraction of a second. Pure: no IO, no clock (callers pass `now`).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

# Statuses that are never blocked and never block anyone (bd: `status <> 'closed' AND status <> 'pinned'`).
INERT_STATUSES = frozenset({"closed", "pinned"})
# Types `bd ready` leaves out unless asked for by `--type` (ready_work.go excludeTypes).
EXCLUDED_READY_TYPES = frozenset({"merge-request", "gate", "molecule", "message", "agent", "role", "rig"})
BLOCKING_DEP_TYPES = frozenset({"blocks", "conditional-blocks"})
# bd's documented default priority, used only when a line has none or an unreadable one.
DEFAULT_PRIORITY = 2
_new_tuple = tuple.__new__


@dataclass(frozen=True)
class Skip:
    """A well-formed line deliberately left out (a memory line, a deleted issue)."""

    reason: str


class Dependency(NamedTuple):
    issue_id: str
    depends_on_id: str
    type: str
    created_at: str = ""
    gate: str = ""  # `metadata.gate` of a waits-for edge ("all-children" by default, or "any-children")


class Comment(NamedTuple):
    id: str
    author: str
    text: str
    created_at: str


class Issue(NamedTuple):
    """One issue. A summary (`summary=True`) holds only what the queue and its rows need: no description,
    design text, notes or comments, and of the times only `created_at` and `defer_until`; `offset` is where
    its line starts in the file, so the full issue can be read again when someone opens it.

    Issues, dependencies and comments are named tuples rather than frozen dataclasses: as immutable, and
    a tenth of the cost to build, which is most of loading 100k issues.
    """

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
    summary: bool = False
    offset: int = -1  # byte offset of the issue's line in the file it came from; -1 when unknown


@dataclass(frozen=True, slots=True)
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
    # Groups of live issues that wait on each other in a loop through at least one `blocks` edge: every
    # member stays blocked until a human breaks the loop, so they are reported rather than walked forever.
    cycles: tuple[tuple[str, ...], ...] = ()
    # When the first deferral runs out: the queue changes then although the file does not.
    wake_at: datetime | None = None
    # Ephemeral issues (wisps) that would be ready but are left out of it, as `bd ready` leaves them out.
    ephemeral: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "ready": list(self.ready),
            "in_progress": list(self.in_progress),
            "blocked": [{"id": b.id, "blocked_by": list(b.blocked_by)} for b in self.blocked],
            "counts": dict(self.counts),
            "cycles": [list(c) for c in self.cycles],
        }


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from bd's RFC 3339 strings (Z or offsets, up to nanoseconds); None if unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value)  # bd's usual shapes, `Z` included, without copying the string
    except ValueError:
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
    if isinstance(metadata, str) and "gate" in metadata and metadata.strip().startswith("{"):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return ""
    if isinstance(metadata, dict):
        return _text(metadata.get("gate"))
    return ""


def _word(value: Any) -> str:
    """A string from a small vocabulary (status, type, label, assignee): one shared copy per distinct value."""
    if value is None:
        return ""
    return sys.intern(value if type(value) is str else str(value))


def parse_dependency(obj: Any, owner: str | None = None, *, summary: bool = False) -> Dependency | None:
    """One dependency object; `owner` (the issue holding it in an export line) wins over its `issue_id`.
    A summary leaves out the edge's creation time, which only the issue screen shows."""
    if not isinstance(obj, dict):
        return None
    target = obj.get("depends_on_id")
    source = owner if owner is not None else obj.get("issue_id")
    if not isinstance(target, str) or not target or not isinstance(source, str) or not source:
        return None
    kind = obj.get("type")
    gate = _gate(obj.get("metadata")) if kind == "waits-for" or not summary else ""
    return Dependency(sys.intern(source), sys.intern(target), _word(kind),
                      "" if summary else _text(obj.get("created_at")), gate)


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


def _dependencies(value: Any, owner: str, summary: bool) -> tuple[Dependency, ...]:
    if type(value) is not list or not value:
        return ()
    if not summary:
        return tuple(d for d in (parse_dependency(x, owner) for x in value) if d)
    # The summary's hot loop (100k issues, more edges): parse_dependency inlined, same results.
    intern = sys.intern
    out = []
    for obj in value:
        if type(obj) is not dict:
            continue
        target = obj.get("depends_on_id")
        if type(target) is not str or not target:
            continue
        kind = obj.get("type")
        kind = intern(kind) if type(kind) is str else _word(kind)
        out.append(Dependency(owner, intern(target), kind, "", _gate(obj.get("metadata")) if kind == "waits-for" else ""))
    return tuple(out)


def _flag_fast(value: Any) -> bool:
    return value is True or (value is not None and value is not False and _flag(value))


def parse_issue_line(obj: Any, *, summary: bool = False, offset: int = -1) -> Issue | None | Skip:
    """One decoded JSONL object as an Issue; Skip for memory lines and tombstones; None if it is no issue.

    With `summary`, only the fields the queue, its rows and the session links read are kept (see Issue):
    a 100k-issue file then fits in a fraction of the memory its descriptions would take.
    """
    if not isinstance(obj, dict):
        return None
    get = obj.get
    kind = get("_type")
    if kind is not None and kind != "issue":
        return Skip(_text(kind) or "unknown")
    issue_id = get("id")
    if not isinstance(issue_id, str) or not issue_id.strip():
        return None
    # bd's default status is open; an empty one is read the same way.
    status = get("status")
    status = (sys.intern(status) if type(status) is str else _word(status)) or "open"
    if status == "tombstone":
        return Skip("tombstone")
    issue_id = sys.intern(issue_id)
    # Each field is read with a fast path for its usual JSON type and the tolerant helper for the rest.
    title = get("title")
    title = title if type(title) is str else _text(title)
    priority = get("priority")
    priority = priority if type(priority) is int else _priority(priority)
    issue_type = get("issue_type")
    issue_type = (sys.intern(issue_type) if type(issue_type) is str else _word(issue_type)) or "task"
    assignee = get("assignee")
    assignee = sys.intern(assignee) if type(assignee) is str else _word(assignee)
    created_at = parse_time(get("created_at"))
    defer_until = parse_time(get("defer_until"))
    pinned = _flag_fast(get("pinned"))
    ephemeral = _flag_fast(get("ephemeral"))
    is_template = _flag_fast(get("is_template"))
    parent = get("parent")
    parent = parent if type(parent) is str else _text(parent)
    closed_by = get("closed_by_session")
    closed_by = closed_by if type(closed_by) is str else _text(closed_by)
    labels = get("labels")
    labels = tuple(_word(x) for x in labels if isinstance(x, str)) if type(labels) is list and labels else ()
    deps = _dependencies(get("dependencies"), issue_id, summary)
    if summary:
        # Built straight from its fields in their declared order: the keyword call costs as much again.
        return _new_tuple(Issue, (issue_id, title, status, priority, issue_type, assignee, "", "", "", "",
                                  created_at, None, None, None, defer_until, pinned, ephemeral, is_template, parent,
                                  "", closed_by, labels, deps, (), True, offset))
    return Issue(
        id=issue_id, title=title, status=status, priority=priority, issue_type=issue_type, assignee=assignee,
        owner=_text(get("owner")),
        description=_text(get("description")),
        acceptance_criteria=_text(get("acceptance_criteria")),
        notes=_text(get("notes")),
        created_at=created_at,
        updated_at=parse_time(get("updated_at")),
        closed_at=parse_time(get("closed_at")),
        started_at=parse_time(get("started_at")),
        defer_until=defer_until, pinned=pinned, ephemeral=ephemeral, is_template=is_template, parent=parent,
        close_reason=_text(get("close_reason")),
        closed_by_session=closed_by, labels=labels, dependencies=deps,
        comments=_comments(get("comments")),
        offset=offset,
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
    inert = INERT_STATUSES
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

    get = by_id.get
    direct: dict[str, list[str]] = {}
    for issue in by_id.values():
        if not issue.dependencies or issue.status in inert:
            continue
        why: list[str] = []
        for dep in issue.dependencies:
            if dep.type in BLOCKING_DEP_TYPES:
                target = get(dep.depends_on_id)
                if target is not None and target.status not in inert:
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


def dependency_cycles(by_id: Mapping[str, Issue], blocked: Mapping[str, object]) -> tuple[tuple[str, ...], ...]:
    """Loops of blocked issues that wait on each other through `blocks` (and parent-child) edges.

    Only blocked issues can sit on such a loop, so the search runs on them alone: Tarjan's strongly
    connected components with an explicit stack, linear in those issues and their edges. A loop made of
    parent-child edges only blocks nobody (an open epic does not block its children) and is not reported.
    """
    graph: dict[str, list[str]] = {}
    for issue_id in blocked:
        targets = [d.depends_on_id for d in by_id[issue_id].dependencies
                   if (d.type in BLOCKING_DEP_TYPES or d.type == "parent-child") and d.depends_on_id in blocked]
        if targets:
            graph[issue_id] = targets
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[tuple[str, ...]] = []
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph[root]))]
        while work:
            node, targets_left = work[-1]
            for target in targets_left:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(graph.get(target, ()))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] != index[node]:
                    continue
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                members = set(component)
                if any(d.type in BLOCKING_DEP_TYPES and d.depends_on_id in members
                       for m in component for d in by_id[m].dependencies):
                    found.append(tuple(sorted(component)))
    return tuple(sorted(found))


def compute_queue(issues: Iterable[Issue], now: datetime) -> Queue:
    """Ready, in-progress and blocked issues as `bd ready` / `bd blocked` would list them (spec §3.3)."""
    by_id: dict[str, Issue] = {}
    for issue in issues:
        by_id[issue.id] = issue  # a later line for the same id replaces the earlier, as an import would
    blocked = blocked_reasons(by_id)

    deferred = [i for i in by_id.values() if i.defer_until is not None and _deferred(i, now)]
    deferred_parents = {i.id for i in deferred}

    def child_of_deferred(issue: Issue) -> bool:
        return any(d.type == "parent-child" and d.depends_on_id in deferred_parents for d in issue.dependencies)

    candidates = [
        i for i in by_id.values()
        if i.status == "open"
        and not i.pinned
        and i.issue_type not in EXCLUDED_READY_TYPES
        and i.id not in blocked
        and not (i.defer_until is not None and _deferred(i, now))
        and not (deferred_parents and child_of_deferred(i))
    ]
    ready = [i for i in candidates if not i.ephemeral]
    in_progress = [i for i in by_id.values() if i.status == "in_progress"]
    blocked_issues = sorted((by_id[i] for i in blocked), key=sort_key)
    counts = Counter(i.status for i in by_id.values())
    return Queue(
        ready=tuple(i.id for i in sorted(ready, key=sort_key)),
        in_progress=tuple(i.id for i in sorted(in_progress, key=sort_key)),
        blocked=tuple(Blocked(i.id, blocked[i.id]) for i in blocked_issues),
        counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        issues=by_id,
        cycles=dependency_cycles(by_id, blocked),
        wake_at=min((i.defer_until for i in deferred if i.defer_until), default=None),
        ephemeral=tuple(i.id for i in sorted((i for i in candidates if i.ephemeral), key=sort_key)),
    )
