"""What a change is meant to do: the in-progress beads issue of this branch or session, else the last
prompt of the latest session in this repository, else what the user passes with --intent."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cockpit.core.beads import Issue, compute_queue
from cockpit.core.issue_refs import branch_ids, link
from cockpit.core.text import one_line
from cockpit.sources.git import current_branch
from cockpit.store.session_detail import newest_prompt


@dataclass(frozen=True, slots=True)
class Intent:
    text: str
    source: str  # where it came from, shown in the report
    title: str = ""
    issue_id: str = ""


def issue_text(issue: Issue) -> str:
    parts = [f"{issue.id}: {issue.title}"]
    if issue.description.strip():
        parts.append(issue.description.strip())
    if issue.acceptance_criteria.strip():
        parts.append("Acceptance criteria:\n" + issue.acceptance_criteria.strip())
    return "\n\n".join(parts)


def resolve_intent(conn: sqlite3.Connection, root: str, *, explicit: str = "", session: str = "") -> Intent:
    """`session` (an id the caller chose) is asked before the repository's other sessions."""
    if explicit.strip():
        return Intent(explicit.strip(), "--intent", one_line(explicit, 60))
    from cockpit.sources.beads_files import read_beads
    from cockpit.store.session_refs import session_refs

    beads = read_beads(Path(root))
    sessions = sorted(session_refs(conn, root), key=lambda s: s.ended_at or datetime.min.replace(tzinfo=UTC),
                      reverse=True)
    sessions.sort(key=lambda s: s.session_id != session)  # stable: the chosen one first
    if beads.path is not None:
        queue = compute_queue(beads.issues, datetime.now(UTC))
        working = [i for i in queue.in_progress if i in queue.issues]
        branch = current_branch(root)
        on_branch = [i for i in working if i in branch_ids(branch, set(queue.issues))]
        if on_branch:
            issue = queue.issues[on_branch[0]]
            return Intent(issue_text(issue), f"beads issue {issue.id} (in progress, branch {branch})",
                          one_line(issue.title, 60), issue.id)
        if sessions:
            linked = link(queue.issues, sessions[:1], [], root).session_issues.get(sessions[0].session_id, ())
            for issue_id in linked:
                if issue_id in working:
                    issue = queue.issues[issue_id]
                    return Intent(issue_text(issue),
                                  f"beads issue {issue.id} (in progress, named in session {sessions[0].session_id[:8]})",
                                  one_line(issue.title, 60), issue.id)
    # The prompts table, not only the transcript's own last-prompt record: most sessions have no such record.
    for session in sessions:
        prompt = newest_prompt(conn, session.session_id)
        if prompt.strip():
            return Intent(prompt.strip(), f"last prompt of session {session.session_id[:8]}", one_line(prompt, 60))
    found = f"{len(sessions)} session(s) here recorded no prompt" if sessions else "no session here"
    return Intent("", f"none found: no in-progress issue, {found}; pass --intent TEXT")
