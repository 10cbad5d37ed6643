"""What `v`, `m`, `t` and `H` act on, found the same way whichever pane has the focus.

A session: the one the user highlighted in pane 2 (moved the cursor to, or clicked), else the newest live
session of this repository, else its latest session. An issue (`m`): the one highlighted in pane 3, else
the issue in progress (the one the chosen session names, when it names one). Each answer carries the words
the log uses to say which was chosen and why, or why there is none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from cockpit.core.models import SessionView
from cockpit.core.text import one_line
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.sessions_table import SessionsTable

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


@dataclass(frozen=True, slots=True)
class Subject:
    id: str = ""  # a session or issue id; "" when there is none
    label: str = ""  # how the log names it, with why it was chosen
    missing: str = ""  # why there is none


def repo_root(app: CockpitApp) -> str:
    """The repository's top level as git names it, else the folder cockpit watches."""
    board = app.gate_board
    if board is not None and board.root:
        return board.root
    return str(Path(app.repo).expanduser().resolve())


def in_repo(view: SessionView, root: str) -> bool:
    project = view.project.rstrip("/")
    return project == root or project.startswith(root.rstrip("/") + "/")


def _named(view: SessionView, why: str) -> str:
    title = one_line(view.title, 50)
    return f"session {view.session_id[:8]}" + (f" “{title}”" if title else "") + f" ({why})"


def session_subject(app: CockpitApp, *, this_repo_only: bool = False) -> Subject:
    """The session `t` and `H` act on, and whose intent `v` reads (`this_repo_only`: a session of another
    repository says nothing about this working tree)."""
    root = repo_root(app)
    name = Path(root).name or root
    try:
        picked = app.dashboard.query_one(SessionsTable).picked_session()
    except NoMatches:  # the dashboard is still being composed
        picked = None
    if picked is not None and (not this_repo_only or in_repo(picked, root)):
        return Subject(picked.session_id, _named(picked, "highlighted in pane 2"))
    mine = [v for v in app.sessions if in_repo(v, root)]
    live = [v for v in mine if v.live]
    if live:
        newest = max(live, key=lambda v: v.last_activity_at or "")
        return Subject(newest.session_id, _named(newest, f"the newest live session of {name}"))
    if mine:
        latest = max(mine, key=lambda v: v.last_activity_at or "")
        return Subject(latest.session_id, _named(latest, f"the latest session of {name}; none is live"))
    return Subject(missing=f"no session of {root} yet: highlight one in pane 2")


def issue_subject(app: CockpitApp) -> Subject:
    """The issue `m` pre-mortems."""
    try:
        pane = app.dashboard.query_one(IssuesPane)
    except NoMatches:
        return Subject(missing="the beads issues are still being read")
    loaded = pane.loaded
    if loaded is None:
        return Subject(missing="the beads issues are still being read")
    queue = loaded.queue
    picked = pane.picked_issue_id()
    if picked in queue.issues:
        return Subject(picked, f"{picked} “{one_line(queue.issues[picked].title, 50)}” (highlighted in pane 3)")
    working = [i for i in queue.in_progress if i in queue.issues]
    if not working:
        where = "" if queue.issues else f" (no beads issues in {app.repo})"
        return Subject(missing=f"no issue is in progress{where}: highlight one in pane 3")
    session = session_subject(app, this_repo_only=True)
    named = [i for i in loaded.session_issues.get(session.id, ()) if i in working]
    chosen = named[0] if named else working[0]
    why = f"in progress, named in session {session.id[:8]}" if named else "in progress"
    return Subject(chosen, f"{chosen} “{one_line(queue.issues[chosen].title, 50)}” ({why})")
