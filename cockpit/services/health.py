"""Health of the live sessions (loop, stall, conflict), and Codex sub-threads nested under their parents.

`cockpit sessions` and the dashboard's health worker call these; the rules are cockpit/core/health.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from cockpit.core.health import HealthFlag, HealthRules, evaluate
from cockpit.store.db import Database
from cockpit.store.health import live_sessions, recent_calls, recent_edits, waiting_requests

T = TypeVar("T")


def session_health(db: Database, now: datetime, live_minutes: float, rules: HealthRules,
                   roots: tuple[str, ...] = ()) -> dict[str, tuple[HealthFlag, ...]]:
    """Every live session's flags (an empty tuple when healthy); sessions that are not live are absent."""
    sessions = live_sessions(db, now, live_minutes, roots)
    ids = [s.session_id for s in sessions]
    return evaluate(
        sessions,
        recent_calls(db, ids),
        waiting_requests(db, now),
        recent_edits(db, ids, now - timedelta(seconds=rules.conflict_window)),
        now,
        rules,
    )


@dataclass(frozen=True, slots=True)
class Nested(Generic[T]):
    """An item and the sub-threads spawned from it (each nested in turn)."""

    item: T
    threads: tuple[Nested[T], ...] = field(default=())


def nest(items: Sequence[T], key: Callable[[T], str], parent: Callable[[T], str]) -> list[Nested[T]]:
    """Items in their order, each sub-thread under its parent instead of at the top level. A sub-thread whose
    parent is not among `items` stays at the top level (it is not lost); a cycle in bad data is cut."""
    ids = {key(i) for i in items}
    children: dict[str, list[T]] = {}
    top: list[T] = []
    for item in items:
        p = parent(item)
        if p and p in ids and p != key(item):
            children.setdefault(p, []).append(item)
        else:
            top.append(item)

    def build(item: T, seen: frozenset[str]) -> Nested[T]:
        k = key(item)
        kids = [c for c in children.get(k, ()) if key(c) not in seen]
        return Nested(item, tuple(build(c, seen | {key(c)}) for c in kids))

    nested = [build(i, frozenset({key(i)})) for i in top]
    placed = set()

    def mark(n: Nested[T]) -> None:
        placed.add(key(n.item))
        for t in n.threads:
            mark(t)

    for n in nested:
        mark(n)
    # Items only reachable through a cycle (a -> b -> a) would vanish: list them at the top level.
    nested.extend(Nested(i) for i in items if key(i) not in placed)
    return nested


def flatten(nested: Sequence[Nested[T]], depth: int = 0) -> list[tuple[T, int]]:
    """(item, depth) in display order: each parent followed by its sub-threads."""
    rows: list[tuple[T, int]] = []
    for n in nested:
        rows.append((n.item, depth))
        rows.extend(flatten(n.threads, depth + 1))
    return rows
