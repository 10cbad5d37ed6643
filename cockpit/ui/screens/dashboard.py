"""The dashboard: context gauges, sessions, action log; live from the store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from cockpit.core.beads import Queue
from cockpit.core.context import band
from cockpit.core.models import SessionState, SessionView
from cockpit.sources.beads_files import BeadsFile, read_issue
from cockpit.store.queries import get_session, list_sessions, live_cutoff, search_sessions
from cockpit.ui.screens.issue import IssueScreen
from cockpit.ui.widgets.approvals_table import ApprovalsTable
from cockpit.ui.widgets.context_pane import ContextPane
from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.widgets.issues_table import IssuesTable
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.repo_pane import RepoPane
from cockpit.ui.widgets.sessions_table import SessionsTable

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

HISTORY_LIMIT = 2000
NARROW_COLUMNS = 120


class DashboardScreen(Screen[None]):
    BINDINGS = [
        Binding("1", "focus_pane('context-pane')", "Context", id="pane-context", tooltip="Jump to the context gauges"),
        Binding("2", "focus_pane('sessions-pane')", "Sessions", id="pane-sessions", tooltip="Jump to the sessions list"),
        Binding("3", "focus_pane('issues-pane')", "Issues", id="pane-issues", tooltip="Jump to the beads queue"),
        Binding("4", "focus_pane('gates-pane')", "Gates", id="pane-gates", tooltip="Jump to the gates"),
        Binding("5", "focus_pane('inbox')", "Approvals", id="pane-approvals",
                tooltip="Jump to the approvals waiting for you, then the action log"),
        Binding("slash", "filter", "Filter", id="filter-sessions", tooltip="Filter sessions by text, prompt or title"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.waiting: set[str] = set()
        self.queue: Queue | None = None
        self.beads_path: Path | None = None
        self._filter_ids: set[str] | None = None
        self.views: list[SessionView] = []

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        # Beside an agent's terminal (80×24 and up) the panes are taller than the screen: they scroll.
        with VerticalScroll(id="panes", can_focus=False):
            yield RepoPane("repo: reading…", id="repo-pane")
            yield ContextPane(self.cockpit.settings.bands, id="context-pane", classes="pane")
            yield SessionsTable(id="sessions-pane", classes="pane")
            with Horizontal(id="work-row"):
                yield IssuesTable(id="issues-pane", classes="pane")
                yield GatesTable(id="gates-pane", classes="pane")
            with Vertical(id="inbox-pane", classes="pane"):
                yield ApprovalsTable(id="approvals-table")
                yield LogPane(id="log-pane")
        yield Input(placeholder="filter: text in project, title, model, id or any prompt — Enter keeps, Esc clears", id="filter")
        yield Static("", id="status-line")
        yield Footer()

    def on_resize(self) -> None:
        # Side by side the issue and gate panes need ~120 columns to show a title; below that they stack.
        self.query_one("#work-row").set_class(self.size.width < NARROW_COLUMNS, "-narrow")

    def on_mount(self) -> None:
        # Focused now and not scrolled to: the panes open at their top, the repository line first.
        self.set_focus(self.query_one(SessionsTable), scroll_visible=False)
        self.on_resize()
        for message, style in self.cockpit.startup_notes():
            self.log_event(message, style)
        self.reload()

    # ---- data ------------------------------------------------------------------------------

    def reload(self) -> None:
        app = self.cockpit
        now = app.clock()
        self.views = [
            self._mark_waiting(v)
            for v in list_sessions(
                app.db, now=now, live_minutes=app.settings.live_minutes, limit=HISTORY_LIMIT, with_detail=False,
                roots=app.roots_filter,
            )
        ]
        live = [v for v in self.views if v.live]
        # Gauges need the sparkline and compactions: only live sessions pay for that detail.
        detailed = {
            v.session_id: v
            for v in list_sessions(
                app.db, now=now, live_minutes=app.settings.live_minutes, include_all=False, with_detail=True,
                roots=app.roots_filter,
            )
        }
        live = [self._mark_waiting(detailed.get(v.session_id, v)) for v in live]
        app.notice_changes(live)
        self.query_one(ContextPane).show(live, len(self.views) - len(live), app.settings.live_minutes)
        shown = [v for v in self.views if self._matches(v)]
        table = self.query_one(SessionsTable)
        table.show(shown, now, app.settings.bands)
        table.border_subtitle = (
            f"{len(shown)} of {len(self.views)} matching {self.filter_text!r}" if self.filter_text else f"{len(self.views)} sessions"
        )
        self.update_status()

    def apply_update(self, session_ids: frozenset[str]) -> bool:
        """Redraw the gauges of these sessions at once. False when the whole screen must reload."""
        app = self.cockpit
        pane = self.query_one(ContextPane)
        now = app.clock()
        changed = []
        for sid in session_ids:
            view = get_session(app.db, sid, now=now, live_minutes=app.settings.live_minutes)
            if view is None:
                continue
            if app.roots_filter and not any(view.path.startswith(r.rstrip("/") + "/") for r in app.roots_filter):
                continue
            if view.live != pane.has_gauge(sid):
                return False
            if view.live:
                changed.append(self._mark_waiting(view))
        for view in changed:
            pane.update_gauge(view)
        self.query_one(SessionsTable).update_rows(changed, now, app.settings.bands)
        app.notice_changes(changed)
        return True

    def tick(self) -> None:
        """Time passing: reload only when the set of live sessions changes, else refresh the "active" column."""
        app = self.cockpit
        now = app.clock()
        since = live_cutoff(now, app.settings.live_minutes)
        live_now = {
            sid for (sid,) in app.db.execute(
                "SELECT session_id FROM sessions WHERE ended = 0 AND last_activity_at >= ?", (since,)
            ).fetchall()
        }
        shown_live = {v.session_id for v in self.views if v.live}
        if app.roots_filter:
            live_now &= {v.session_id for v in self.views}
        if live_now != shown_live:
            self.reload()
        else:
            self.query_one(SessionsTable).refresh_ages(now)

    def _matches(self, view: SessionView) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        hay = f"{view.agent.value} {view.project} {view.title} {view.model} {view.session_id} {view.state.value}".lower()
        return needle in hay or (self._filter_ids is not None and view.session_id in self._filter_ids)

    def update_status(self) -> None:
        app = self.cockpit
        status = self.query_one("#status-line", Static)
        parts = []
        if app.status_note:
            parts.append(app.status_note)
        if app.paused:
            parts.append("PAUSED (p to resume)")
        parts.append(f"watch: {app.watch_mode}")
        if app.last_update_ms is not None:
            parts.append(f"last update {app.last_update_ms:.1f} ms")
        live = sum(1 for v in self.views if v.live)
        over = sum(1 for v in self.views if v.live and v.context and band(v.context.pct, app.settings.bands) >= 1)
        parts.append(f"{live} live, {over} over {app.settings.bands[0]:g}%")
        if app.problems:
            parts.append(f"{len(app.problems)} problems (cockpit doctor)")
        status.update(Text("  ·  ".join(parts)))
        status.set_class(app.paused, "-paused")

    # ---- actions ---------------------------------------------------------------------------

    def action_focus_pane(self, pane_id: str) -> None:
        # set_focus now, not focus() (scheduled): a key typed right after the digit must reach the pane.
        if pane_id == "inbox":
            table = self.query_one(ApprovalsTable)
            pane = self.query_one("#inbox-pane")
            self.set_focus(table if table.display else self.query_one(LogPane), scroll_visible=False)
        else:
            pane = self.query_one(f"#{pane_id}")
            self.set_focus(pane, scroll_visible=False)
        # The whole pane, its border and title included, comes into view, not only the focused table.
        self.query_one("#panes", VerticalScroll).scroll_to_widget(pane, animate=False)

    def show_approvals(self, pending: list) -> None:  # type: ignore[type-arg]
        """Fill the inbox and mark the sessions that wait for a human."""
        app = self.cockpit
        projects = {v.session_id: v.project for v in self.views}
        self.query_one(ApprovalsTable).show(pending, projects, app.clock())
        pane = self.query_one("#inbox-pane")
        pane.border_title = f"5 Approvals ({len(pending)} waiting) / Log" if pending else "5 Approvals / Log"
        pane.set_class(bool(pending), "-waiting")
        waiting = {r.session_id for r in pending}
        if waiting != self.waiting:
            self.waiting = waiting
            self.reload()

    def _mark_waiting(self, view: SessionView) -> SessionView:
        if view.session_id in self.waiting and view.live:
            return replace(view, state=SessionState.WAITING_APPROVAL)
        return view

    def show_issues(self, beads: BeadsFile, queue: Queue) -> None:
        table = self.query_one(IssuesTable)
        self.queue = queue
        self.beads_path = beads.path
        table.show(queue, self.cockpit.clock().astimezone())
        if beads.path is None:
            table.border_subtitle = beads.error or f"no .beads/issues.jsonl in {self.cockpit.repo}"
        else:
            skipped = f", {beads.skipped_total} lines skipped" if beads.skipped_total else ""
            loops = len(queue.cycles)
            cycles = f" · ⟳ {loops} cycle{'s' if loops > 1 else ''}" if loops else ""
            table.border_subtitle = (
                f"○ {len(queue.ready)} ready · ▶ {len(queue.in_progress)} in progress · ✖ {len(queue.blocked)} blocked"
                f"{cycles} — {beads.path}{skipped}"
            )

    def show_session_issues(self, session_issues: dict[str, tuple[str, ...]]) -> None:
        table = self.query_one(SessionsTable)
        if session_issues != table.issues:
            table.issues = session_issues
            self.reload()

    def on_issues_table_issue_opened(self, event: IssuesTable.IssueOpened) -> None:
        if self.queue is not None and event.issue_id in self.queue.issues:
            issue = self.queue.issues[event.issue_id]
            # The queue holds summaries: the issue's own line is read again for its description and comments.
            if self.beads_path is not None:
                issue = read_issue(self.beads_path, issue)
            self.app.push_screen(IssueScreen(issue, self.queue))

    def on_approvals_table_request_opened(self, event: ApprovalsTable.RequestOpened) -> None:
        self.cockpit.open_request(event.request_id)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.add_class("-active")
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        if field.has_class("-active") or self.filter_text:
            field.value = ""
            field.remove_class("-active")
            self._apply_filter("")
            self.query_one(SessionsTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self._apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            if not event.value:
                event.input.remove_class("-active")
            self.query_one(SessionsTable).focus()

    def _apply_filter(self, text: str) -> None:
        self.filter_text = text.strip()
        self._filter_ids = set(search_sessions(self.cockpit.db, self.filter_text)) if self.filter_text else None
        self.reload()

    def on_sessions_table_session_opened(self, event: SessionsTable.SessionOpened) -> None:
        self.cockpit.open_session(event.session_id)

    def log_event(self, message: str, style: str = "") -> None:
        self.query_one(LogPane).add(self.cockpit.clock(), message, style)
