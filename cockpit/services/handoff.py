"""Factor I's handoff note (Goal / Done / Decisions / Next, 3–20 lines), drafted from what a session did:
its title, the commits made during it, the files it kept editing, its recorded decisions, its last prompt."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from cockpit.core.format import parse_ts
from cockpit.core.retro_facts import handoff_note, slug
from cockpit.core.text import one_line
from cockpit.llm.outbound import Outbound
from cockpit.services.retro import session_facts
from cockpit.sources.gitlog import read_commits
from cockpit.store.learnings import decision_titles
from cockpit.store.session_detail import find_session, newest_prompt


def draft_handoff(conn: sqlite3.Connection, root: str, session: str, out: Outbound | None = None) -> tuple[str, str]:
    """(session id, note text), redacted: every piece is cleaned before it is cut to a line."""
    out = out or Outbound()
    row = find_session(conn, session, root)
    if row is None:
        raise RuntimeError(f"no session {session!r}" if session else f"no session found for {root}")
    facts, _ = session_facts(conn, row, root, out)
    sid, title, first_prompt = row[0], out.clean(row[1] or ""), out.clean(row[2] or "")
    started, ended = parse_ts(row[3]), parse_ts(row[4])
    done: list[str] = []
    if started and ended:
        commits, _ = read_commits(root, since=started, until=ended + timedelta(minutes=10))
        done += [f"commit {c.sha[:7]} {one_line(out.clean(c.subject), 80)}" for c in reversed(commits)]
    done += [f"edited {f['file']} ({f['times']}×)" for f in facts.get("files_edited_repeatedly", [])]
    if not done and facts.get("tool_calls"):
        errors = facts.get("tool_errors", 0)
        done.append(f"{facts['tool_calls']} tool calls, {errors} error{'s' if errors != 1 else ''}, nothing committed")
    decisions = [one_line(out.clean(t), 120) for t in decision_titles(conn, sid)]
    last = newest_prompt(conn, sid)
    next_steps = [f"continue from the last prompt: {one_line(out.clean(last), 140)}"] if last.strip() else []
    peak = facts.get("peak_pct")
    if peak is not None and peak >= 40:
        next_steps.append(f"start a fresh session with this note: the last one reached {peak}% of its window")
    for failure in facts.get("repeated_failures", [])[:2]:
        next_steps.append(f"do not retry `{one_line(failure['summary'], 60)}` as is: it failed {failure['times']}×")
    return sid, handoff_note(goal=title or first_prompt or "", done=done, decisions=decisions, next_steps=next_steps)


def write_handoff(conn: sqlite3.Connection, root: str, session: str, now: datetime) -> tuple[str, int]:
    out = Outbound()
    sid, note = draft_handoff(conn, root, session, out)
    text = f"# Handoff: session {sid[:8]} ({now:%Y-%m-%d %H:%M} UTC)\n\n{note}"
    path, _ = out.write(root, "handoffs", f"{now:%Y-%m-%d}-{out.slug(note.splitlines()[0][6:], slug)}", text)
    return path, len(note.splitlines())
