"""`cockpit prune`: let go of what the `[retention]` settings no longer keep, table by table."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.cli.terminal import out, out_json
from cockpit.core.format import noun_for


def render(result: Any) -> str:
    verb = {"delete": "would delete" if result.dry_run else "deleted",
            "trim": "would trim" if result.dry_run else "trimmed"}
    lines = []
    for step in result.steps:
        if not step.active:
            lines.append(f"{step.table:<17} {step.rule} (retention.{step.setting} = 0)")
            continue
        what = "row" if step.action == "delete" else ("capture" if step.table == "statusline" else "output")
        lines.append(f"{step.table:<17} {verb[step.action]:<12} {step.rows:>8} {noun_for(step.rows, what):<8}"
                     f" {step.rule} (retention.{step.setting})")
    lines.append("kept whatever the settings: pending approvals and the hook events they may be answered by,"
                 " each gate's last runs, each kind's newest report, trust, learnings")
    lines.append(result.space)
    if result.stopped:
        lines.append("stopped before the end; the next prune goes on")
    return "\n".join(lines) + "\n"


def run_prune(ctx: Any, *, dry_run: bool, by: str) -> Any:
    """Prune the context's store with its settings; the result (StoreError when the store fails)."""
    from cockpit.store.db import store_error
    from cockpit.store.pruning import prune, record

    conn = ctx.db.conn
    try:
        result = prune(conn, ctx.settings.retention, dry_run=dry_run)
        if not dry_run:
            record(conn, result, by)
    except sqlite3.Error as exc:
        raise store_error(exc, ctx.db_path) from exc
    return result


def prune_if_due(ctx: Any, *, by: str) -> Any:
    """The prune `cockpit index` runs: only when no cockpit pruned within a day (the dashboard's rhythm,
    store.pruning.claim), so an index of an unchanged history reads no settings and writes nothing for it.
    The result, or None when it was not due (StoreError when the store fails)."""
    conn = ctx.db.conn
    try:
        if not _due(conn):
            return None
        from cockpit.store.pruning import claim, prune, record

        if not claim(conn):  # another cockpit got there first
            return None
        result = prune(conn, ctx.settings.retention)
        record(conn, result, by)
    except sqlite3.Error as exc:
        from cockpit.store.db import store_error

        raise store_error(exc, ctx.db_path) from exc
    return result


# store.pruning's JOB and PRUNE_EVERY (tests/cli/test_index_prune.py keeps them equal): the check runs on every
# `cockpit index` without importing that module and the approvals and gate modules it needs to prune.
PRUNE_JOB = "prune"
PRUNE_EVERY = timedelta(days=1)


def _due(conn: sqlite3.Connection) -> bool:
    """True unless the store was pruned within PRUNE_EVERY; a read only, no write lock taken."""
    row = conn.execute("SELECT at FROM maintenance WHERE name = ?", (PRUNE_JOB,)).fetchone()
    try:
        last = datetime.fromisoformat(row[0]) if row else None
    except (TypeError, ValueError):
        return True
    if last is None or last.tzinfo is None:
        return True
    now = datetime.now(UTC)
    return last <= now - PRUNE_EVERY or last > now  # a mark in the future: the clock went back (claim agrees)


def cmd_prune(ctx: Any) -> int:
    for error in ctx.settings.errors:
        out(f"warning: {error}", err=True)
    result = run_prune(ctx, dry_run=ctx.args.dry_run, by="cockpit prune")
    if ctx.args.json:
        out_json(result.as_json())
    else:
        out(render(result), end="")
    return 0
