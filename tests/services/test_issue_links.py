"""Links between sessions, issues and commits, cost per issue and completion rate; the report's new sections."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from git_repo import git

from cockpit.core.beads import Issue
from cockpit.core.gitmetrics import CommitInfo
from cockpit.core.issue_refs import SessionRef, completion, cost_per_issue, link, mentioned_ids
from cockpit.services.issue_links import IssueLinks, find_links
from cockpit.services.report import build_report, render_markdown, render_text
from cockpit.store.db import open_db

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ISSUES = {i.id: i for i in (
    Issue("tp-7kq", "epic"), Issue("tp-7kq.1", "child"), Issue("bd-a1b2", "other", closed_by_session="s-closer"),
    Issue("x-1", "tiny"),
)}


def session(sid: str, *texts: str, cwd: str = "/r", branch: str = "main", cost: float | None = 1.0,
            start: datetime = T0, hours: float = 1.0) -> SessionRef:
    return SessionRef(sid, cwd, branch, start, start + timedelta(hours=hours), cost, texts)


def commit(sha: str, subject: str, at: datetime) -> CommitInfo:
    return CommitInfo(sha, at, subject, ("a.py",), 1, 0)


def test_ids_match_whole_tokens_of_known_issues_only() -> None:
    known = set(ISSUES)
    assert mentioned_ids("work on tp-7kq.1, then tp-7kq.", known) == {"tp-7kq.1", "tp-7kq"}
    assert mentioned_ids("xtp-7kq and tp-7kqz and tp-7kq-old", known) == set()
    assert mentioned_ids("fix-123 is not an issue here", known) == set()
    assert mentioned_ids("(x-1)", known) == {"x-1"}


def test_a_session_links_by_prompt_branch_and_closed_by_session() -> None:
    sessions = [session("s-prompt", "title", "please do tp-7kq.1"), session("s-branch", branch="feat/x-1-tiny"),
                session("s-closer")]
    links = link(ISSUES, sessions, [], "/r")
    assert links.issue_sessions["tp-7kq.1"] == {"s-prompt": "mentioned in a prompt"}
    assert links.issue_sessions["x-1"] == {"s-branch": "branch feat/x-1-tiny"}
    assert links.issue_sessions["bd-a1b2"] == {"s-closer": "closed by this session"}
    assert links.session_issues["s-prompt"] == ("tp-7kq.1",)


def test_commits_link_by_message_and_by_time_in_the_sessions_repository() -> None:
    sessions = [session("inside", cwd="/r/sub"), session("elsewhere", cwd="/rx")]
    commits = [commit("c1", "tp-7kq: plan", T0 - timedelta(hours=1)),
               commit("c2", "work", T0 + timedelta(minutes=30)),
               commit("c3", "after the last turn", T0 + timedelta(hours=1, minutes=5)),
               commit("c4", "much later", T0 + timedelta(hours=3))]
    links = link(ISSUES, sessions, commits, "/r")
    assert links.issue_commits == {"tp-7kq": ("c1",)}
    assert links.session_commits == {"inside": ("c2", "c3")}


def test_cost_per_issue_sums_linked_sessions_and_never_guesses_an_unknown_cost() -> None:
    sessions = [session("a", "tp-7kq", cost=1.25), session("b", "tp-7kq and x-1", cost=0.5),
                session("c", "x-1", cost=None)]
    links = link(ISSUES, sessions, [], "/r")
    assert cost_per_issue(links, sessions) == {"tp-7kq": 1.75, "x-1": None}


def test_completion_rate_counts_closed_over_started_in_the_period() -> None:
    since, until = T0, T0 + timedelta(days=7)
    issues = [
        Issue("a", started_at=T0 + timedelta(days=1), closed_at=T0 + timedelta(days=2)),
        Issue("b", created_at=T0 + timedelta(days=1)),  # no started_at: created_at stands in
        Issue("c", started_at=T0 - timedelta(days=3), closed_at=T0 + timedelta(days=1)),
        Issue("d", started_at=T0 - timedelta(days=30)),
    ]
    assert completion(issues, since, until) == {"started": 2, "closed": 2, "rate_pct": 100.0}
    assert completion([], since, until)["rate_pct"] is None


def linked_repo(tmp_path: Path, now: datetime) -> tuple[Path, Any]:
    """A repository with two beads issues and three commits (two name tp-1), and a store whose one session
    in it was asked to do tp-1."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".beads").mkdir()
    lines = [{"id": "tp-1", "title": "Parser | layout", "status": "closed", "priority": 1,
              "created_at": (now - timedelta(days=2)).isoformat(), "closed_at": (now - timedelta(days=1)).isoformat()},
             {"id": "tp-2", "title": "Later", "status": "open", "priority": 2, "created_at": now.isoformat()}]
    (repo / ".beads" / "issues.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    for i, subject in enumerate(["feat: tp-1 parser", "fix: tp-1 layout", "docs"]):
        (repo / f"f{i}.txt").write_text(str(i))
        git(repo, "add", ".")
        stamp = f"{int((now - timedelta(hours=5 - i)).timestamp())} +0000"
        git(repo, "commit", "-q", "-m", subject, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    db = open_db(tmp_path / "c.db")
    db.conn.execute("INSERT INTO sessions (session_id, agent, project, started_at, last_activity_at, cost_usd, title)"
                    " VALUES ('s1', 'claude', ?, ?, ?, 2.5, 'do tp-1')",
                    (str(repo), (now - timedelta(hours=6)).isoformat(), (now - timedelta(hours=1)).isoformat()))
    return repo, db


def test_the_issue_screen_gets_one_issues_sessions_and_commits(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    repo, db = linked_repo(tmp_path, now)
    issues = {i.id: i for i in (Issue("tp-1", "Parser | layout"), Issue("tp-2", "Later"))}
    links = find_links(str(tmp_path / "c.db"), str(repo / ".beads"), "tp-1", issues)
    assert links.error == "" and links.sessions == (("s1", "do tp-1", "mentioned in a prompt", 2.5),)
    assert [subject for _, _, subject in links.commits] == ["feat: tp-1 parser", "fix: tp-1 layout", "docs"]
    assert find_links(str(tmp_path / "c.db"), str(repo), "tp-2", issues) == IssueLinks()
    (tmp_path / "plain").mkdir()
    outside = find_links(str(tmp_path / "c.db"), str(tmp_path / "plain"), "tp-1", issues)
    assert outside.sessions == () and "not a git repository" in outside.error


def test_the_report_has_git_metrics_and_linked_issues(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    repo, db = linked_repo(tmp_path, now)
    report = build_report(db, now - timedelta(days=7), repo=str(repo), now=now)
    assert report["git"]["commits"] == 3 and report["git"]["rework_ratio"]["value"] == 33.33
    issues = report["issues"]
    assert issues["completion"] == {"started": 2, "closed": 1, "rate_pct": 50.0}
    assert issues["linked"] == [{"id": "tp-1", "title": "Parser | layout", "status": "closed", "sessions": 1,
                                 "commits": 2, "cost_usd": 2.5}]
    markdown = render_markdown(report)
    assert "## Git metrics" in markdown and "| tp-1 | closed | 1 | 2 | $2.50 | Parser \\| layout |" in markdown
    text = render_text(report)
    assert "completion 50.0%" in text and "rework 33.33%" in text


def test_the_report_outside_a_repository_says_so(tmp_path: Path) -> None:
    report = build_report(open_db(tmp_path / "c.db"), datetime.now(UTC) - timedelta(days=7), repo=str(tmp_path))
    assert "not a git repository" in report["git"]["error"]
    assert "no .beads" in report["issues"]["error"]
    assert "issues: no .beads" in render_text(report)


def test_branch_names_join_ids_and_words_with_dashes() -> None:
    from cockpit.core.issue_refs import branch_ids

    known = set(ISSUES)
    assert branch_ids("feat/tp-7kq.1-parse-header", known) == {"tp-7kq.1"}
    assert branch_ids("x-1", known) == {"x-1"} and branch_ids("fix/csv-2026-layout", known) == set()
