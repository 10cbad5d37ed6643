"""The sessions and commits one issue is linked to, for the issue screen."""

from __future__ import annotations

from collections.abc import Mapping

from cockpit.core.beads import Issue
from cockpit.services.issue_links import IssueLinks, find_links
from cockpit.ui.messages import IssueLinksRead
from cockpit.ui.workers import Post, failure


def read_issue_links(db_path: str, repo: str, issue_id: str, issues: Mapping[str, Issue], post: Post) -> None:
    """One IssueLinksRead. A failure is carried in the links (`error`), so the issue text stays readable and the
    screen says why its links are missing."""
    try:
        links = find_links(db_path, repo, issue_id, issues)
    except Exception as exc:  # noqa: BLE001 - shown on the screen in place of the links
        links = IssueLinks(error=failure(exc))
    post(IssueLinksRead(issue_id, links))
