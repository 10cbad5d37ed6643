"""Links between sessions, issues and commits (factor I), and what they add up to: cost per issue,
completion rate.

An issue is linked to a session when its id is mentioned in the session's prompts or title, is in its
branch name, or the issue says `closed_by_session`; to a commit when the commit message mentions it.
A commit belongs to a session when it was made in the session's repository during the session (with a
grace period for the commit that follows the last turn). Ids are matched exactly against the known
issues, so "fix-123" in a prompt links nothing unless an issue has that id.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cockpit.core.beads import Issue
from cockpit.core.gitmetrics import CommitInfo

# bd ids: a prefix, a dash, a short hash or number, optional .N children (tp-7kq, bd-a1b2.3, 12-1d3.1).
_ID = re.compile(r"(?<![\w.-])([A-Za-z0-9][\w]*-[A-Za-z0-9]+(?:\.\d+)*)(?![\w-])")
COMMIT_GRACE = timedelta(minutes=10)


def mentioned_ids(text: str, known: Iterable[str] | set[str]) -> set[str]:
    """Issue ids that appear in `text` as whole tokens and exist in `known`."""
    known_set = known if isinstance(known, set) else set(known)
    found = set()
    for match in _ID.finditer(text):
        token = match.group(1)
        # "tp-7kq.1." at the end of a sentence: the trailing dot is punctuation, not part of the id.
        while token and token not in known_set and "." in token:
            token = token.rsplit(".", 1)[0]
        if token in known_set:
            found.add(token)
    return found


def branch_ids(branch: str, known: set[str]) -> set[str]:
    """Issue ids in a branch name, where words are joined by dashes too: `feat/tp-7kq.1-parser`."""
    found = set()
    for segment in re.split(r"[/_\s]+", branch):
        parts = segment.split("-")
        for i in range(len(parts)):
            for j in range(i + 2, min(len(parts), i + 6) + 1):
                candidate = "-".join(parts[i:j])
                if candidate in known:
                    found.add(candidate)
    return found


@dataclass(frozen=True, slots=True)
class SessionRef:
    session_id: str
    cwd: str
    branch: str
    started_at: datetime | None
    ended_at: datetime | None
    cost_usd: float | None
    texts: tuple[str, ...] = ()  # title and prompts


@dataclass(frozen=True, slots=True)
class Links:
    issue_sessions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # issue -> session -> why
    issue_commits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # issue -> shas, oldest first
    session_commits: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    session_issues: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _inside(path: str, root: str) -> bool:
    root = root.rstrip("/")
    return bool(path) and (path == root or path.startswith(root + "/"))


def link(issues: Mapping[str, Issue], sessions: Sequence[SessionRef], commits: Sequence[CommitInfo],
         repo_root: str) -> Links:
    known = set(issues)
    issue_sessions: dict[str, dict[str, str]] = defaultdict(dict)
    by_id = {s.session_id: s for s in sessions}
    for issue in issues.values():
        if issue.closed_by_session in by_id:
            issue_sessions[issue.id][issue.closed_by_session] = "closed by this session"
    for session in sessions:
        for issue_id in branch_ids(session.branch, known):
            issue_sessions[issue_id].setdefault(session.session_id, f"branch {session.branch}")
        for text in session.texts:
            for issue_id in mentioned_ids(text, known):
                issue_sessions[issue_id].setdefault(session.session_id, "mentioned in a prompt")
    issue_commits: dict[str, list[str]] = defaultdict(list)
    session_commits: dict[str, list[str]] = defaultdict(list)
    in_repo = [s for s in sessions if _inside(s.cwd, repo_root) and s.started_at and s.ended_at]
    for commit in sorted(commits, key=lambda c: c.when):
        for issue_id in sorted(mentioned_ids(commit.subject, known)):
            issue_commits[issue_id].append(commit.sha)
        for session in in_repo:
            if session.started_at <= commit.when <= session.ended_at + COMMIT_GRACE:  # type: ignore[operator]
                session_commits[session.session_id].append(commit.sha)
    session_issues: dict[str, set[str]] = defaultdict(set)
    for issue_id, linked in issue_sessions.items():
        for sid in linked:
            session_issues[sid].add(issue_id)
    return Links(
        {k: dict(v) for k, v in issue_sessions.items()},
        {k: tuple(v) for k, v in issue_commits.items()},
        {k: tuple(v) for k, v in session_commits.items()},
        {k: tuple(sorted(v)) for k, v in session_issues.items()},
    )


def cost_per_issue(links: Links, sessions: Sequence[SessionRef]) -> dict[str, float | None]:
    """Sum of the linked sessions' costs; None when a linked session's cost is unknown (never a guess).
    A session linked to two issues counts in both: the figure is what each issue's sessions cost."""
    costs = {s.session_id: s.cost_usd for s in sessions}
    out: dict[str, float | None] = {}
    for issue_id, linked in links.issue_sessions.items():
        values = [costs.get(sid) for sid in linked]
        out[issue_id] = None if any(v is None for v in values) else round(sum(v for v in values if v), 4)
    return out


def completion(issues: Iterable[Issue], since: datetime, until: datetime) -> dict[str, float | int | None]:
    """Issues closed in the period over issues started in it (started_at, else created_at for exports
    that predate started_at)."""
    started = closed = 0
    for issue in issues:
        begun = issue.started_at or issue.created_at
        if begun is not None and since <= begun <= until:
            started += 1
        if issue.closed_at is not None and since <= issue.closed_at <= until:
            closed += 1
    rate = round(100.0 * closed / started, 1) if started else None
    return {"started": started, "closed": closed, "rate_pct": rate}
