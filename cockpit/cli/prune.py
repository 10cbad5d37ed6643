"""`cockpit prune`: let go of what the `[retention]` settings no longer keep, table by table."""

from __future__ import annotations

import argparse
import sqlite3
from typing import Any

from cockpit.cli.terminal import out, out_json
from cockpit.core.format import noun_for


def add_prune_parser(subparsers: argparse._SubParsersAction, common: Any) -> None:
    p = subparsers.add_parser("prune", help="delete what the [retention] settings no longer keep [--dry-run] [--json]")
    common(p)
    p.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")


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


def cmd_prune(ctx: Any) -> int:
    for error in ctx.settings.errors:
        out(f"warning: {error}", err=True)
    result = run_prune(ctx, dry_run=ctx.args.dry_run, by="cockpit prune")
    if ctx.args.json:
        out_json(result.as_json())
    else:
        out(render(result), end="")
    return 0
