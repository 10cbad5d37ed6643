"""The dashboard: context gauges, sessions, issues, gates, approvals and the action log; live from the store.

The screen that background work serves: the workers post here (or to the pane a message is about, from
where unhandled messages bubble up here). The screen keeps the session lists live (new transcript lines,
hook events, pause), the status line and the log, and hands repository and job results to `app.gates`
and `app.jobs`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input

from cockpit.core.format import age, plural
from cockpit.core.models import SessionState, SessionView
from cockpit.services.gate_board import GateBoard
from cockpit.store.approvals import Request
from cockpit.store.queries import file_problems, get_session, list_sessions, live_cutoff, search_sessions
from cockpit.ui import messages
from cockpit.ui.notify import NotifyControl
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.screens.session import SessionScreen
from cockpit.ui.subjects import session_subject
from cockpit.ui.widgets.context_pane import ContextPane
from cockpit.ui.widgets.context_summary import ContextSummary
from cockpit.ui.widgets.gates_table import GatesTable, started
from cockpit.ui.widgets.inbox_pane import InboxPane
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.pane_tabs import PANES, PaneTabs
from cockpit.ui.widgets.panes import Panes
from cockpit.ui.widgets.repo_pane import RepoPane
from cockpit.ui.widgets.sessions_table import SessionsTable
from cockpit.ui.widgets.status_line import StatusLine
from cockpit.ui.workers import poster
from cockpit.ui.workers.live import follow_transcripts

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

HISTORY_LIMIT = 2000
# Time passing (ages, the set of live sessions) is redrawn this often.
REFRESH_SECONDS = 5.0
# The session list of thousands of rows is redrawn at most this often while agents write.
TABLE_REFRESH_SECONDS = 0.5


class DashboardScreen(Screen[None]):
    AUTO_FOCUS = "#sessions-pane"
    # The pane keys are named by the pane strip (short terminal) or the panes' own titles: not in the footer.
    BINDINGS = [
        *(Binding(pane.key, f"focus_pane('{pane.target or pane.pane_id}')", pane.name, id=pane.binding_id, show=False,
                  tooltip=pane.tooltip) for pane in PANES),
        Binding("z", "toggle_zoom", "Zoom", id="toggle-zoom", show=False,
                tooltip="One pane at a time, or every pane stacked (chosen by the terminal's height until pressed)"),
        Binding("slash", "filter", "Filter", id="filter-sessions", show=False,
                tooltip="Filter sessions by text, prompt or title"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="clear-filter"),
        Binding("B", "raise_budget", "Raise budget", id="raise-budget", show=False,
                tooltip="Raise the spending budget past its limit (or in its warning band): its tool calls go on"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter_text = ""
        self.waiting: set[str] = set()  # sessions with a request waiting for a human
        self._filter_ids: set[str] | None = None
        self.views: list[SessionView] = []
        # Redraws of the lists are coalesced: one timer at a time, brought forward when a sooner one is asked.
        self._reload_timer: Timer | None = None
        self._reload_delay = 0.0
        self._changed_since_reload: set[str] = set()  # sessions whose open timeline must be redrawn
        # The coalesced redraw after live lines only changes the rows of sessions whose gauges were just redrawn
        # (their views, read then, are here); anything else asks for the full reload.
        self._fresh: dict[str, SessionView] = {}
        self._full_reload_due = False
        self.missed_while_paused = False
        self._reported: dict[str, int] = {}  # file problems and skipped-line counts the log already has
        self._session_subject = False  # t and H had a session to act on at the last reload
        self._gate_ages_shown: tuple[str, ...] | None = None  # the runs' ages the gates table shows

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    @property
    def inbox(self) -> InboxPane:
        return self.query_one(InboxPane)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield RepoPane("repo: reading…", id="repo-pane")
        yield ContextSummary(id="context-summary")
        yield PaneTabs(id="pane-tabs")
        yield Panes(self.cockpit.settings.bands, id="panes")
        yield Input(placeholder="filter: text in project, title, model, id or any prompt — Enter keeps, Esc clears", id="filter")
        yield StatusLine(id="status-line")
        yield Footer(compact=True)

    def on_resize(self) -> None:
        self.query_one(Panes).layout_panes()

    def on_mount(self) -> None:
        app = self.cockpit
        self.fleet = NotifyControl(self)  # notifications and budgets (issue 14)
        # Focused now and not scrolled to: the panes open at their top, the context gauges first.
        self.set_focus(self.query_one(SessionsTable), scroll_visible=False)
        self.query_one(Panes).layout_panes()
        for message, style in app.startup_notes():
            self.log_event(message, style)
        self.reload()
        self.watch(app, "paused", self._pause_changed, init=False)
        self.watch(app, "pending", self._pending_changed, init=False)
        self.watch(app, "gate_board", self._show_gates, init=False)
        self.set_interval(REFRESH_SECONDS, self.tick)
        self.fleet.start()
        if app.live:
            app.watch_mode = "catching up"

    def follow_transcripts(self) -> None:
        """The catch-up, then the live updates. Started by the app once the first frame is drawn: the stored
        roll-ups are on screen first; the catch-up (its imports, a stat of every transcript, time under the
        GIL) comes after that paint, never before it."""
        app = self.cockpit
        if app.live and app.is_running:
            app.start_worker(partial(follow_transcripts, app.db_path, app.claude_roots, app.codex_roots,
                                     poll_seconds=app.settings.poll_seconds, force_polling=app.force_polling,
                                     stop=app.stopped, post=poster(self)),
                             group="live", what="following the transcripts")

    # ---- the session lists -------------------------------------------------------------------

    def reload(self) -> None:
        app = self.cockpit
        now = app.clock()
        self._fresh.clear()  # what it read is newer than any view kept for a redraw in place
        self.views = [
            self._mark_waiting(v)
            for v in list_sessions(
                app.db, now=now, live_minutes=app.settings.live_minutes, limit=HISTORY_LIMIT, with_detail=False,
                roots=app.roots_filter,
            )
        ]
        app.sessions = tuple(self.views)
        if (found := bool(session_subject(app).id)) != self._session_subject:
            self._session_subject = found
            app.refresh_bindings()  # t and H have a session to act on, or no longer
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
        self.notice_changes(live)
        self.query_one(ContextPane).show(live, len(self.views) - len(live), app.settings.live_minutes)
        shown = [v for v in self.views if self._matches(v)]
        table = self.query_one(SessionsTable)
        table.show(shown, now, app.settings.bands)
        # Plain Content: the filter is what the user typed, "[" included.
        table.border_subtitle = Content(
            f"{len(shown)} of {plural(len(self.views), 'session')} matching {self.filter_text!r}" if self.filter_text
            else plural(len(self.views), "session"))

    def apply_update(self, session_ids: frozenset[str]) -> bool:
        """Redraw the gauges of these sessions at once. False when the whole screen must reload. Their table
        rows follow with the coalesced reload (TABLE_REFRESH_SECONDS): redrawn here too, they doubled what is
        painted between an appended line and its gauge (measured: ~40 ms instead of ~15 ms at 2,000 rows)."""
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
            self._fresh[view.session_id] = view
        self.notice_changes(changed)
        return True

    def tick(self) -> None:
        """Time passing: reload only when the set of live sessions changes, else refresh the ages shown."""
        app = self.cockpit
        if app.paused or not app.is_running or app.screen is not self:
            return
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
        board = app.gate_board
        if board is not None and self._gate_ages(board, now) != self._gate_ages_shown:
            self._show_gates(board)  # "last run 5m ago" moved on; an unchanged table is not rebuilt (a relayout)

    def _matches(self, view: SessionView) -> bool:
        if not self.filter_text:
            return True
        needle = self.filter_text.lower()
        hay = f"{view.agent.value} {view.project} {view.title} {view.model} {view.session_id} {view.state.value}".lower()
        return needle in hay or (self._filter_ids is not None and view.session_id in self._filter_ids)

    def _mark_waiting(self, view: SessionView) -> SessionView:
        if view.session_id in self.waiting and view.live:
            return replace(view, state=SessionState.WAITING_APPROVAL)
        return view

    def _pending_changed(self, pending: tuple[Request, ...]) -> None:
        """A session with a request waiting for a human shows so in the lists (and pane 5's tab counts them)."""
        self.query_one(Panes).show_tabs()
        waiting = {r.session_id for r in pending}
        if waiting != self.waiting:
            self.waiting = waiting
            self.reload()

    def _show_gates(self, board: GateBoard | None) -> None:
        if board is not None and self.app.is_running:
            now = self.cockpit.clock()
            self.query_one(GatesTable).show(board, now)
            self._gate_ages_shown = self._gate_ages(board, now)

    @staticmethod
    def _gate_ages(board: GateBoard, now: datetime) -> tuple[str, ...]:
        """The only part of the gates table that time changes: each run's age, as the table shows it."""
        return tuple(age(moment, now) if (moment := started(status)) else "" for status in board.statuses)

    def on_beads_loaded(self, message: messages.BeadsLoaded) -> None:
        """The issues pane showed the queue; the sessions list names the issue each session works on."""
        if not self.app.is_running:
            return
        table = self.query_one(SessionsTable)
        if message.session_issues != table.issues:
            table.issues = message.session_issues
            self.reload()

    # ---- live updates ------------------------------------------------------------------------

    def on_transcripts_ingested(self, message: messages.TranscriptsIngested) -> None:
        app = self.cockpit
        if not app.is_running:
            return
        update = message.update
        if update.progress is None:  # a catch-up's notices say how far it is, not how long one update took
            app.last_update_ms = update.seconds * 1000
        self._changed_since_reload |= update.sessions
        self.query_one(IssuesPane).sessions_changed(update.sessions, catch_up=update.catch_up)
        if update.progress is not None:
            app.watch_mode = message.watch_mode  # "catching up 420/1,194 MB": the newest sessions are in
        if update.catch_up:
            app.watch_mode = message.watch_mode
            for error in update.errors:
                app.problems += (error,)
                self.log_event(error, "$warning")
            self.log_event(f"caught up: {update.lines} new lines in {update.seconds:.2f} s ({update.cpu_seconds:.2f} s"
                           f" of CPU); watching with {app.watch_mode}")
        self._report_problems()
        if app.paused:
            self.missed_while_paused = True
            return
        # Gauges of the sessions that changed are redrawn now; their rows follow, coalesced.
        needs_full = not self.apply_update(update.sessions) or update.catch_up
        self.schedule_reload(0.03 if needs_full else TABLE_REFRESH_SECONDS, full=needs_full)

    def on_hook_events_arrived(self, message: messages.HookEventsArrived) -> None:
        # The agent's hooks said something about these sessions (a turn ended, a session closed).
        self._changed_since_reload |= message.sessions
        if self.app.is_running:
            self.schedule_reload(0.03)

    def on_live_ingest_failed(self, message: messages.LiveIngestFailed) -> None:
        app = self.cockpit
        if not app.is_running:
            return
        app.watch_mode = "retrying"
        app.problems += (f"live updates failed: {message.error}",)
        self.log_event(f"live updates failed, retrying: {message.error}", "bold $error")

    def _report_problems(self) -> None:
        """Each unreadable file and each new batch of skipped lines becomes one line in the log."""
        app = self.cockpit
        for path, error in file_problems(app.db):
            key = f"{path}\0{error}"
            if key not in self._reported:
                self._reported[key] = 1
                app.problems += (f"{path}: {error}",)
                self.log_event(f"{path}: {error}", "$warning")
        for path, reason, count in app.db.execute("SELECT path, reason, count FROM skipped").fetchall():
            key = f"{path}\0{reason}"
            before = self._reported.get(key, 0)
            if count > before:
                self._reported[key] = count
                if before == 0:
                    app.problems += (f"{path}: {reason} lines skipped",)
                self.log_event(f"{path}: {count - before} line(s) skipped ({reason}); the rest is read", "$warning")

    def schedule_reload(self, delay: float = 0.03, *, full: bool = True) -> None:
        """Redraw the lists (and any open timeline of a changed session) after `delay`, coalescing bursts.
        `full=False`: only live sessions whose gauges were just redrawn changed (`_fresh`): their rows may be
        redrawn in place, without reading and comparing the whole list again."""
        self._full_reload_due |= full
        if self.cockpit.paused:
            self.missed_while_paused = True
            return
        if self._reload_timer is not None:
            if delay >= self._reload_delay:
                return  # a sooner redraw is already due
            self._reload_timer.stop()
        self._reload_delay = delay
        self._reload_timer = self.set_timer(delay, self._reload_lists)

    def _reload_lists(self) -> None:
        self._reload_timer = None
        if self.cockpit.paused or not self.app.is_running:
            return
        changed, self._changed_since_reload = self._changed_since_reload, set()
        fresh, self._fresh = self._fresh, {}
        full, self._full_reload_due = self._full_reload_due, False
        if full or not self._update_rows(changed, fresh):
            self.reload()
        for screen in self.app.screen_stack:
            if isinstance(screen, SessionScreen) and screen.session_id in changed:
                screen.reload()

    def _update_rows(self, changed: set[str], fresh: dict[str, SessionView]) -> bool:
        """The rows of live sessions that had new lines, redrawn in place from the views their gauges were drawn
        from: a full reload reads and compares 2,000 sessions (~80 ms, plus its paint), and an appended line
        arriving meanwhile waited for it before its gauge moved. False (nothing done) when the list would change
        otherwise: a row moves, a session not read with its gauge changed, or a filter is on."""
        if not fresh or not changed <= fresh.keys() or self.filter_text:
            return False
        views = [self._mark_waiting(fresh.get(v.session_id, v)) for v in self.views]
        live = [v for v in views if v.live]
        if len(live) != sum(1 for v in self.views if v.live) or any(
            not views[i].live for i in range(len(live))) or any(
                (a.last_activity_at or "") < (b.last_activity_at or "") for a, b in zip(live, live[1:], strict=False)):
            return False  # the live sessions first, most recent first: this order would change
        self.views = views
        self.cockpit.sessions = tuple(views)
        by_id = {v.session_id: v for v in views}
        self.query_one(SessionsTable).update_rows([by_id[sid] for sid in fresh if sid in by_id], self.cockpit.clock(),
                                                  self.cockpit.settings.bands)
        return True

    def _pause_changed(self, paused: bool) -> None:
        self.log_event("live updates paused" if paused else "live updates resumed")
        if not paused and self.missed_while_paused:
            self.missed_while_paused = False
            self.schedule_reload()
            for screen in self.app.screen_stack:
                if isinstance(screen, SessionScreen):
                    self._changed_since_reload.add(screen.session_id)

    def on_retention_pruned(self, message: messages.RetentionPruned) -> None:
        result = message.result
        if message.error:
            self.log_event(f"retention: prune failed, trying again in an hour: {message.error}", "$warning")
        elif result is not None and (result.deleted or result.trimmed):
            self.log_event(f"retention: deleted {result.deleted} rows and trimmed {result.trimmed}"
                           f" in {result.seconds:.1f} s; {result.space}", "dim")

    # ---- alerts ----------------------------------------------------------------------------

    def notice_changes(self, live: list[SessionView]) -> None:
        """Bell, toast and a log line, once, when a session crosses the first band or compacts; FleetEvents for
        the notifier (crossing back under withdraws)."""
        self.fleet.context_changes(live)
        for message, severity in self.query_one(ContextPane).crossings(live):
            self.app.bell()
            self.app.notify(message, severity=severity, markup=False, timeout=8)  # type: ignore[arg-type]
            self.log_event(message, "bold $warning" if severity == "warning" else "bold $error")

    def on_fleet_event(self, event: messages.FleetEvent) -> None:
        """Every fleet signal reaches the notifier here; budgets also feed the raise key."""
        if self.app.is_running:
            self.fleet.fleet_event(event)

    def action_raise_budget(self) -> None:
        self.fleet.raise_budget()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The raise key is greyed (pressing it says why) while no budget needs it, hidden when read-only."""
        if action == "raise_budget":
            why = self.cockpit.why_not(action)
            return False if why is None else None if why else True
        return True

    # ---- the repository and the jobs -----------------------------------------------------------

    def on_repo_read(self, message: messages.RepoRead) -> None:
        if self.app.is_running:
            self.query_one(RepoPane).show(message.state)

    def on_gates_read(self, message: messages.GatesRead) -> None:
        if self.app.is_running:
            self.cockpit.gates.board_read(message.board, message.seconds)

    def on_gate_run_finished(self, message: messages.GateRunFinished) -> None:
        if self.app.is_running:
            self.cockpit.gates.run_finished(message.run)

    def on_working_tree_changed(self, message: messages.WorkingTreeChanged) -> None:
        if self.app.is_running:
            self.cockpit.gates.tree_edited(message.problem)

    def on_job_finished(self, message: messages.JobFinished) -> None:
        if self.app.is_running:
            self.cockpit.jobs.finished(message)

    # ---- actions ---------------------------------------------------------------------------

    def action_focus_pane(self, pane_id: str) -> None:
        self.query_one(Panes).focus_pane("inbox-pane" if pane_id == "inbox" else pane_id)

    def action_toggle_zoom(self) -> None:
        zoomed = self.query_one(Panes).toggle_zoom()
        self.log_event("one pane at a time: 1–5 switch, z stacks them all" if zoomed else "every pane stacked: z zooms",
                       "dim")

    def action_filter(self) -> None:
        panes = self.query_one(Panes)
        if panes.zoom:
            panes.zoomed = "sessions-pane"  # what the filter narrows
            panes.layout_panes()
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

    def on_gates_table_gate_opened(self, event: GatesTable.GateOpened) -> None:
        self.app.push_screen(GateScreen(event.name))

    def log_event(self, message: str, style: str = "") -> None:
        self.query_one(LogPane).add(self.cockpit.clock(), message, style)
