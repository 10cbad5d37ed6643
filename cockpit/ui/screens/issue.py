"""One beads issue: description, acceptance criteria, dependencies both ways, comments."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cockpit.core.beads import Issue, Queue
from cockpit.core.text import one_line, strip_controls
from cockpit.services.issue_links import IssueLinks
from cockpit.ui.messages import IssueLinksRead
from cockpit.ui.themes import themed
from cockpit.ui.workers import poster
from cockpit.ui.workers.issue_links import read_issue_links


def render_issue(issue: Issue, queue: Queue) -> Text:
    """Issue text is untrusted: plain text only, control sequences stripped."""
    text = Text()
    text.append(f"{issue.id}  ", style="bold")
    text.append(one_line(issue.title, 200) + "\n", style="bold")
    where = "ready" if issue.id in queue.ready else "in progress" if issue.id in queue.in_progress else ""
    blocked = next((b for b in queue.blocked if b.id == issue.id), None)
    if blocked:
        where = f"blocked by {', '.join(blocked.blocked_by)}"
    facts = [f"P{issue.priority}", issue.issue_type, issue.status]
    if where:
        facts.append(where)
    if issue.assignee:
        facts.append(f"@{issue.assignee}")
    if issue.created_at:
        facts.append(f"created {issue.created_at:%Y-%m-%d}")
    if issue.labels:
        facts.append("labels " + ", ".join(issue.labels))
    text.append(strip_controls(" · ".join(facts)) + "\n\n", style="dim")
    for heading, body in (("Description", issue.description), ("Acceptance criteria", issue.acceptance_criteria),
                          ("Notes", issue.notes)):
        if body.strip():
            text.append(heading + "\n", style="bold underline")
            text.append(strip_controls(body).rstrip() + "\n\n")
    outgoing = [d for d in issue.dependencies]
    incoming = [d for other in queue.issues.values() for d in other.dependencies if d.depends_on_id == issue.id]
    if outgoing or incoming:
        text.append("Dependencies\n", style="bold underline")
        for dep in outgoing:
            target = queue.issues.get(dep.depends_on_id)
            state = target.status if target else "not in this file"
            title = one_line(target.title, 60) if target else ""
            text.append(f"  {dep.type:<18} -> {dep.depends_on_id}  [{state}]  {title}\n")
        for dep in incoming:
            source = queue.issues.get(dep.issue_id)
            state = source.status if source else "?"
            title = one_line(source.title, 60) if source else ""
            text.append(f"  {dep.type:<18} <- {dep.issue_id}  [{state}]  {title}\n")
        text.append("\n")
    if issue.comments:
        text.append(f"Comments ({len(issue.comments)})\n", style="bold underline")
        for comment in issue.comments:
            text.append(f"  {one_line(comment.author, 40)}  {comment.created_at[:16]}\n", style="dim")
            text.append("  " + strip_controls(comment.text).rstrip().replace("\n", "\n  ") + "\n")
    return text


def render_links(links: IssueLinks | None) -> Content:
    text = Text()
    if links is None:
        text.append("Linked sessions and commits: reading…\n", style="dim")
        return themed(text)
    known = [c for *_, c in links.sessions if c is not None]
    total = f"${sum(known):.2f}" if len(known) == len(links.sessions) else "$?"
    text.append(f"Sessions ({len(links.sessions)}, {total})\n", style="bold underline")
    for sid, title, why, cost in links.sessions:
        text.append(f"  {sid[:8]}  {'$?' if cost is None else f'${cost:.2f}':>8}  {title}  ", style="")
        text.append(f"({why})\n", style="dim")
    if not links.sessions:
        text.append("  none: no session mentions this id, works on a branch named after it, or closed it\n", style="dim")
    text.append(f"\nCommits ({len(links.commits)})\n", style="bold underline")
    for sha, when, subject in links.commits:
        text.append(f"  {sha}  {when}  {subject}\n")
    if not links.commits:
        text.append("  none mention this id or were made during a linked session\n", style="dim")
    if links.error:
        text.append(f"  git: {links.error}\n", style="$warning")
    return themed(text)


class IssueScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-from-issue")]

    def __init__(self, issue: Issue, queue: Queue) -> None:
        super().__init__()
        self.issue = issue
        self.queue = queue
        self.links: IssueLinks | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="issue-body"):
            yield Static(render_issue(self.issue, self.queue))
            yield Static(render_links(None), id="issue-links")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"issue {self.issue.id}"
        self.query_one("#issue-body").focus()
        app = self.app
        db_path, repo = getattr(app, "db_path", ""), getattr(app, "repo", "")
        if db_path and repo:
            work = partial(read_issue_links, db_path, repo, self.issue.id, self.queue.issues, poster(self))
            app.start_worker(work, group="issue-links", what=f"reading the links of {self.issue.id}")  # type: ignore[attr-defined]

    def on_issue_links_read(self, message: IssueLinksRead) -> None:
        if message.issue_id != self.issue.id:
            return
        self.links = message.links
        self.query_one("#issue-links", Static).update(render_links(message.links))
