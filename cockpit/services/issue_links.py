"""Which sessions and commits of a repository an issue is linked to (core/issue_refs.py has the rules).

The issue screen shows one issue's links; `cockpit report` counts them for every issue.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cockpit.core.beads import Issue
from cockpit.core.gitmetrics import CommitInfo
from cockpit.core.issue_refs import Links, SessionRef, link
from cockpit.core.text import one_line
from cockpit.sources.git import repo_root
from cockpit.sources.gitlog import read_commits
from cockpit.store.db import connect
from cockpit.store.session_refs import session_refs, session_titles

COMMITS_READ = 2000


@dataclass(frozen=True, slots=True)
class IssueLinks:
    """What the issue is linked to in this repository: sessions (with why and cost) and commits."""

    sessions: tuple[tuple[str, str, str, float | None], ...] = ()  # id, title, why, cost
    commits: tuple[tuple[str, str, str], ...] = ()  # sha, date, subject
    error: str = ""


def repo_links(conn: sqlite3.Connection, root: str, issues: Mapping[str, Issue],
               commits: Sequence[CommitInfo]) -> tuple[Links, list[SessionRef]]:
    """The links of every issue to the store's sessions of the repository at `root` and to `commits`."""
    sessions = session_refs(conn, root)
    return link(issues, sessions, commits, root), sessions


def find_links(db_path: str, repo: str, issue_id: str, issues: Mapping[str, Issue]) -> IssueLinks:
    """One issue's links, from the store's sessions of this repo and its last COMMITS_READ commits.
    Blocks on git and the store: call it from a worker."""
    commits, error = read_commits(repo, limit=COMMITS_READ)
    conn = connect(db_path)
    try:
        root = repo_root(repo)[0] or repo.rstrip("/")
        links, sessions = repo_links(conn, root, issues, commits)
    finally:
        conn.close()
    titles = session_titles(sessions)
    costs = {s.session_id: s.cost_usd for s in sessions}
    linked = tuple((sid, titles.get(sid, ""), why, costs.get(sid))
                   for sid, why in sorted(links.issue_sessions.get(issue_id, {}).items()))
    by_sha = {c.sha: c for c in commits}
    shas = links.issue_commits.get(issue_id, ())
    # Commits made during a linked session belong to the issue too.
    for sid, *_ in linked:
        shas += tuple(s for s in links.session_commits.get(sid, ()) if s not in shas)
    rows = tuple((c.sha[:10], f"{c.when:%Y-%m-%d %H:%M}", one_line(c.subject, 80))
                 for c in sorted((by_sha[s] for s in shas if s in by_sha), key=lambda c: c.when))
    return IssueLinks(linked, rows, "" if error in ("", "no commits yet") else error)
