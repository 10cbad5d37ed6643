"""`cockpit issues`: the beads queue (ready, in progress, blocked) recomputed from the repository's files;
the ephemeral issues left out of Ready are counted, and listed with `--show-ephemeral`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.cli.terminal import out, out_json
from cockpit.core.beads import Issue, Queue
from cockpit.core.format import age, plural
from cockpit.core.text import exact_line, one_line
from cockpit.sources.beads_files import BeadsFile, load_queue


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def issue_json(issue: Issue, blocked_by: tuple[str, ...] = ()) -> dict[str, Any]:
    """One issue's fields as `cockpit issues --json` gives them (bd's names; times in ISO 8601)."""
    return {
        "id": issue.id, "title": issue.title, "status": issue.status, "priority": issue.priority,
        "issue_type": issue.issue_type, "assignee": issue.assignee or None, "owner": issue.owner or None,
        "labels": list(issue.labels), "parent": issue.parent or None,
        "created_at": _when(issue.created_at), "updated_at": _when(issue.updated_at),
        "defer_until": _when(issue.defer_until), "pinned": issue.pinned, "ephemeral": issue.ephemeral,
        "blocked_by": list(blocked_by),
        "dependencies": [{"depends_on_id": d.depends_on_id, "type": d.type} for d in issue.dependencies],
        "description": issue.description, "acceptance_criteria": issue.acceptance_criteria, "notes": issue.notes,
    }


def issues_json(beads: BeadsFile, queue: Queue, *, show_ephemeral: bool = False) -> dict[str, Any]:
    """The queue with every listed issue's fields; ephemeral issues counted, and listed with `show_ephemeral`."""
    issues = queue.issues
    data: dict[str, Any] = {
        "ready": [issue_json(issues[i]) for i in queue.ready],
        "in_progress": [issue_json(issues[i]) for i in queue.in_progress],
        "blocked": [issue_json(issues[b.id], b.blocked_by) for b in queue.blocked],
        "ephemeral_hidden": 0 if show_ephemeral else len(queue.ephemeral),
        "counts": dict(queue.counts),
        "cycles": [list(c) for c in queue.cycles],
    }
    if show_ephemeral:
        data["ephemeral"] = [issue_json(issues[i]) for i in queue.ephemeral]
    data["skipped_lines"] = dict(beads.skipped)
    data["source"] = beads.source or None  # the file read, or "bd export (Dolt)"
    if beads.error:
        data["error"] = beads.error
    return data


def _row(issue: Issue, now: datetime) -> str:
    return (f"  P{issue.priority} {one_line(issue.issue_type, 10):<10} {one_line(issue.id, 24):<24} "
            f"{one_line(issue.title, 70)}  ({age(issue.created_at, now)})")


def render_text(beads: BeadsFile, queue: Queue, now: datetime, *, show_ephemeral: bool = False) -> str:
    if beads.path is None:
        return f"no beads issues found{': ' + exact_line(beads.error) if beads.error else ''}"
    lines = [f"beads: {exact_line(beads.source)} ({plural(len(queue.issues), 'issue')},"
             f" {plural(beads.skipped_total, 'line')} skipped)"]
    if beads.error:
        lines.append(f"error: {exact_line(beads.error)}")
    issues = queue.issues
    lines.append(f"\nReady ({len(queue.ready)})")
    lines += [_row(issues[i], now) for i in queue.ready] or ["  (none)"]
    if queue.ephemeral and not show_ephemeral:
        lines.append(f"  {len(queue.ephemeral)} ephemeral hidden; --show-ephemeral to list")
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
    if show_ephemeral:
        lines.append(f"\nEphemeral, left out of Ready as `bd ready` leaves them ({len(queue.ephemeral)})")
        lines += [_row(issues[i], now) for i in queue.ephemeral] or ["  (none)"]
    lines.append("\n" + "  ".join(f"{one_line(status, 20)} {n}" for status, n in queue.counts.items()))
    return "\n".join(lines)


def cmd_issues(args: argparse.Namespace) -> int:
    from cockpit.sources.bd import bd_ready, disagreement

    now = datetime.now(UTC)
    repo = Path(getattr(args, "repo", None) or ".")
    # Summaries for the listing (no descriptions: 100k issues load in about a second); the JSON gives every
    # field, so only then is each issue read whole.
    beads, queue = load_queue(repo, now, summary=not args.json)
    check = bd_ready(repo) if beads.path else None
    warning = disagreement(queue.ready, check) if check else ""
    if args.json:
        data = issues_json(beads, queue, show_ephemeral=args.show_ephemeral)
        data["bd"] = None if check is None or not check.available else {"ready": list(check.ready), "warning": warning}
        out_json(data)
    else:
        out(render_text(beads, queue, now, show_ephemeral=args.show_ephemeral))
        if warning:
            out(f"\nwarning: {one_line(warning, 1000)}")
    return 0
