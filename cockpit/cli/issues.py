"""`cockpit issues`: the beads queue (ready, in progress, blocked) recomputed from the repository's files."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.cli.terminal import out, out_json
from cockpit.core.beads import Issue, Queue
from cockpit.core.format import age
from cockpit.core.text import exact_line, one_line
from cockpit.sources.beads_files import BeadsFile, load_queue


def add_issues_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `issues [--json] [--repo PATH]` to the `cockpit` sub-commands; sets `func(args) -> int`."""
    p = subparsers.add_parser("issues", help="the beads queue: ready (like `bd ready`), in progress, blocked")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository root (default: the current directory)")
    p.set_defaults(func=cmd_issues)
    return p


def issues_json(beads: BeadsFile, queue: Queue) -> dict[str, Any]:
    data = queue.to_json()
    data["skipped_lines"] = dict(beads.skipped)
    data["source"] = str(beads.path) if beads.path else None
    if beads.error:
        data["error"] = beads.error
    return data


def _row(issue: Issue, now: datetime) -> str:
    return (f"  P{issue.priority} {one_line(issue.issue_type, 10):<10} {one_line(issue.id, 24):<24} "
            f"{one_line(issue.title, 70)}  ({age(issue.created_at, now)})")


def render_text(beads: BeadsFile, queue: Queue, now: datetime) -> str:
    if beads.path is None:
        return f"no beads issues found{': ' + exact_line(beads.error) if beads.error else ''}"
    lines = [f"beads: {exact_line(beads.path)} ({len(queue.issues)} issues, {beads.skipped_total} lines skipped)"]
    if beads.error:
        lines.append(f"error: {exact_line(beads.error)}")
    issues = queue.issues
    lines.append(f"\nReady ({len(queue.ready)})")
    lines += [_row(issues[i], now) for i in queue.ready] or ["  (none)"]
    lines.append(f"\nIn progress ({len(queue.in_progress)})")
    for i in queue.in_progress:
        who = one_line(issues[i].assignee, 40) or "unassigned"
        lines.append(f"{_row(issues[i], now)}  @{who}")
    if not queue.in_progress:
        lines.append("  (none)")
    lines.append(f"\nBlocked ({len(queue.blocked)})")
    for b in queue.blocked:
        lines.append(f"{_row(issues[b.id], now)}  <- {one_line(', '.join(b.blocked_by), 120)}")
    if not queue.blocked:
        lines.append("  (none)")
    lines.append("\n" + "  ".join(f"{one_line(status, 20)} {n}" for status, n in queue.counts.items()))
    return "\n".join(lines)


def cmd_issues(args: argparse.Namespace) -> int:
    from cockpit.sources.bd import bd_ready, disagreement

    now = datetime.now(UTC)
    repo = Path(getattr(args, "repo", None) or ".")
    # Summaries: the listing needs no descriptions, so 100k issues load in about a second.
    beads, queue = load_queue(repo, now)
    check = bd_ready(repo) if beads.path else None
    warning = disagreement(queue.ready, check) if check else ""
    if args.json:
        data = issues_json(beads, queue)
        data["bd"] = None if check is None or not check.available else {"ready": list(check.ready), "warning": warning}
        out_json(data)
    else:
        out(render_text(beads, queue, now))
        if warning:
            out(f"\nwarning: {one_line(warning, 1000)}")
    return 0
