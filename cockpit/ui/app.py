"""The Textual app, wiring only: the configuration, the app-wide state (reactive: what shows it redraws when it
changes), the one table of which keys work now, and the start of the background workers (ui/workers/), which
post typed messages (ui/messages.py) to the screen or pane they serve. Every worker failure reaches
`on_worker_failed`."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from cockpit.config.keys import load_keymap
from cockpit.config.settings import Settings
from cockpit.core.models import SessionView
from cockpit.services.gate_board import GateBoard
from cockpit.sources.discovery import Root
from cockpit.store.approvals import Request
from cockpit.store.db import open_db
from cockpit.store.queries import utc_now
from cockpit.ui.bindings import APP_BINDINGS
from cockpit.ui.gates import GateControl
from cockpit.ui.jobs import JobControl
from cockpit.ui.key_state import why_not
from cockpit.ui.messages import WorkerFailed
from cockpit.ui.palette import CockpitCommands
from cockpit.ui.screens.approvals_history import ApprovalsHistoryScreen
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.help import HelpScreen, key_rows
from cockpit.ui.screens.learnings import LearningsScreen
from cockpit.ui.screens.metrics import MetricsScreen
from cockpit.ui.screens.session import SessionScreen
from cockpit.ui.themes import FALLBACK_THEME, css_path, load_themes, variable_defaults
from cockpit.ui.workers import failure, give_threads, poster
from cockpit.ui.workers.inbox import watch_inbox
from cockpit.ui.workers.retention import prune_daily

# A toast says what failed; the log keeps the whole line.
TOAST_CHARS = 300


class CockpitApp(App[None]):
    CSS_PATH = css_path()
    TITLE = "cockpit"
    COMMANDS = App.COMMANDS | {CockpitCommands}
    BINDINGS = APP_BINDINGS

    # App-wide state. Screens and panes watch it (`self.watch(app, name, callback)`); only the UI thread sets it.
    # The keys that depend on it (check_action) are re-checked whenever it is set.
    pending: var[tuple[Request, ...]] = var((), always_update=True, bindings=True)  # waiting for a human, oldest first
    gate_board: var[GateBoard | None] = var(None, always_update=True, bindings=True)  # every gate's state, this tree
    sessions: var[tuple[SessionView, ...]] = var((), always_update=True)  # the dashboard's list, live first
    paused = var(False)  # live updates held while the user reads
    watch_mode = var("off")  # how transcripts are followed: off, catching up, inotify, watchfiles, polling, retrying
    last_update_ms: var[float | None] = var(None)  # what the last live update took
    status_note = var("")  # a running job, in the status line
    problems: var[tuple[str, ...]] = var(())  # what `cockpit doctor` would name, counted in the status line

    def __init__(
        self,
        *,
        db_path: str,
        claude_roots: list[Root],
        codex_roots: list[Root],
        settings: Settings,
        theme: str | None = None,
        subtitle: str = "",
        clock: Callable[[], datetime] = utc_now,
        live: bool = True,
        force_polling: bool = False,
        roots_filter: tuple[str, ...] = (),
        read_only: bool = False,
        inbox: bool | None = None,
        auto_gates: bool | None = None,
        repo: str | None = None,
        config_path: Any = None,
        prune: bool | None = None,
    ) -> None:
        super().__init__()
        self.repo = repo or os.getcwd()
        self.config_path = config_path  # the user's own settings file (None: the default place)
        self.read_only = read_only
        self.live = live
        self.inbox = live if inbox is None else inbox
        # Auto gates run commands on their own: only in a live cockpit (tests and snapshots opt in).
        self.auto_gates = live if auto_gates is None else auto_gates
        # The daily retention prune: in a live cockpit that may write (not a read-only one).
        self.prune = (live and not read_only) if prune is None else prune
        self.db_path = db_path
        self.db = open_db(db_path)
        self.claude_roots = claude_roots
        self.codex_roots = codex_roots
        self.settings = settings
        self.clock = clock
        self.force_polling = force_polling
        self.roots_filter = roots_filter
        self.stopped = threading.Event()  # every background loop ends with the app
        self.gates = GateControl(self)
        self.jobs = JobControl(self)
        self._toasted: set[str] = set()  # each distinct worker failure is a toast once; the log has every one
        themes, errors = load_themes()
        for t in themes:
            self.register_theme(t)
        wanted = theme or settings.theme
        self.theme = wanted if wanted in self.available_themes else FALLBACK_THEME
        missing = [] if wanted in self.available_themes else [f"theme {wanted!r} not found; using {FALLBACK_THEME}"]
        keymap, key_problems = load_keymap(Path(config_path) if config_path else None)
        self.set_keymap(keymap)  # the user's [keys]: any binding remapped by its id
        self.problems = (*settings.errors, *errors, *missing, *key_problems)
        self.sub_title = subtitle + (" · " if subtitle and read_only else "") + ("read-only" if read_only else "")

    # ---- lifecycle -------------------------------------------------------------------------

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """The app in this terminal until `q`. The process ends right after: the interpreter's last garbage
        collections would walk every object Textual made (about 0.2 s at exit), so they are frozen instead and
        the operating system reclaims them. (A headless run, a snapshot's, is followed by more work: no freeze.)"""
        try:
            return super().run(*args, **kwargs)
        finally:
            if not kwargs.get("headless"):
                gc.freeze()

    async def on_mount(self) -> None:
        # The workers and timers answer into the dashboard's panes: they start once those exist (on_ready).
        give_threads()
        await self.push_screen(DashboardScreen())
        self.set_interval(1.0, self.gates.check_repo)

    def on_ready(self) -> None:
        # The first frame is on its way to the terminal: the work that competes with it (threads that import,
        # read and hold the GIL) starts behind it.
        self.dashboard.call_after_refresh(self._start_background)

    def _start_background(self) -> None:
        dashboard = self.dashboard
        dashboard.follow_transcripts()
        if self.inbox:
            self.start_worker(partial(watch_inbox, self.db_path, self.read_only, self.stopped, poster(dashboard.inbox)),
                              group="inbox", what="following the approvals inbox")
        if self.prune:
            self.start_worker(partial(prune_daily, self.db_path, self.settings.retention, self.stopped,
                                      poster(dashboard)), group="prune", what="the daily prune")
        self.gates.check_repo()

    def on_unmount(self) -> None:
        self.stopped.set()
        self.gates.stop()

    def start_worker(self, work: Callable[[], None], *, group: str, what: str, exclusive: bool = False) -> Worker[None]:
        """Every background job starts here, as a thread worker of the app: its failure reaches
        `on_worker_state_changed` and stops nothing else. `what` names the work in the log ("reading …")."""
        return self.run_worker(work, name=what, group=group, thread=True, exit_on_error=False, exclusive=exclusive)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker.name or event.worker.group, failure(event.worker.error)))

    def on_worker_failed(self, message: WorkerFailed) -> None:
        """The one place a background failure is reported: a line in the log every time, a toast the first
        time (the approval dialog hides toasts until it closes). Never a traceback, never silence."""
        text = f"{message.worker} failed: {message.error}"
        self.log_event(text, "bold $error")
        if text not in self._toasted:
            self._toasted.add(text)
            self.notify(text[:TOAST_CHARS], title="cockpit", severity="error", markup=False, timeout=10)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # cockpit's own variables (util-*, gate-* …) in the current theme's colours, for themes that lack them.
        return variable_defaults(self.current_theme)

    def startup_notes(self) -> list[tuple[str, str]]:
        """What the log says first, once the dashboard exists: problems found at start, the offline mode."""
        notes = [(problem, "$warning") for problem in self.problems]
        if not self.read_only and not os.environ.get("ANTHROPIC_API_KEY", "").strip():
            notes.append(("no ANTHROPIC_API_KEY: v, m and t run offline (deterministic checks, mechanical learnings)",
                          "dim"))
        return notes

    @property
    def dashboard(self) -> DashboardScreen:
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        raise LookupError("dashboard not mounted")

    def log_event(self, message: str, style: str = "") -> None:
        """A line in the action log; dropped before the dashboard exists and once the app shuts down."""
        if self.is_running:
            try:
                self.dashboard.log_event(message, style)
            except LookupError:
                pass

    # ---- which keys work now -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """False removes a key (read-only, or a screen where it means nothing), None greys it out (it cannot act
        now: pressing it says why in the log); every other action is always enabled."""
        why = self.why_not(action)
        return False if why is None else None if why else True

    def why_not(self, action: str) -> str | None:
        """"" when `action` can act now, why not when it cannot, None when it means nothing here."""
        return why_not(self, action)

    def on_key(self, event: events.Key) -> None:
        """A greyed-out key (check_action said None) does nothing in Textual: here it says why, in the log."""
        active = self.screen.active_bindings.get(event.key)
        if active is None or active.enabled:
            return
        why = self.why_not(active.binding.action.removeprefix("app."))
        if why:
            key = self.get_key_display(active.binding)
            self.log_event(f"{key} ({active.binding.description}): {why}", "$warning")
            if not isinstance(self.screen, DashboardScreen):
                self.notify(why, title=f"{key}: {active.binding.description}", markup=False, timeout=4)

    # ---- actions: each hands the key to the screen or object that serves it -----------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_rows(self.screen, self.why_not)))

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused

    def action_toggle_theme(self) -> None:
        self.theme = "cockpit-light" if self.theme == "cockpit-dark" else "cockpit-dark"
        self.log_event(f"theme: {self.theme} (T switches back)", "dim")

    def action_focus_pane(self, pane_id: str) -> None:
        if not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        self.dashboard.action_focus_pane(pane_id)

    def open_session(self, session_id: str) -> None:
        self.push_screen(SessionScreen(session_id))

    def action_approve_step(self) -> None:
        if self.pending:
            self.dashboard.inbox.open_request(self.pending[0].id)

    def action_approval_history(self) -> None:
        self._show(ApprovalsHistoryScreen)

    def action_rerun_gate(self) -> None:
        self.gates.rerun_selected()

    def action_rerun_all_gates(self) -> None:
        self.gates.rerun_all()

    def action_cancel_gate(self) -> None:
        self.gates.cancel_selected()

    def action_run_vibe(self) -> None:
        self.jobs.vibe()

    def action_run_premortem(self) -> None:
        self.jobs.premortem()

    def action_run_retro(self) -> None:
        self.jobs.retro()

    def action_draft_handoff(self) -> None:
        self.jobs.handoff()

    def action_learnings(self) -> None:
        self._show(LearningsScreen)

    def action_metrics(self) -> None:
        self._show(MetricsScreen)

    def _show(self, screen: type[Screen[None]]) -> None:
        """A new screen of this kind, unless it is the one on top."""
        if not isinstance(self.screen, screen):
            self.push_screen(screen())

def make_app(ctx: Any = None, **options: Any) -> CockpitApp:
    """The one factory, used by the CLI and the tests. The CLI passes its Context (database, roots, settings
    and flags); `options` name CockpitApp's arguments and win over what the context says."""
    if ctx is not None:
        options = {
            "db_path": str(ctx.db_path), "claude_roots": ctx.claude_roots, "codex_roots": ctx.codex_roots,
            "settings": ctx.settings, "roots_filter": ctx.explicit_roots,
            "read_only": bool(getattr(ctx.args, "read_only", False)), "repo": getattr(ctx.args, "repo", None),
            "config_path": getattr(ctx, "config_path", None), **options,
        }
    return CockpitApp(**options)
