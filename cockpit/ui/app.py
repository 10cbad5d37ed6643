"""The Textual app: wiring only. Handlers live in the screens and widgets they serve."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.timer import Timer

from cockpit.config.settings import Settings
from cockpit.core.context import band
from cockpit.core.models import SessionView
from cockpit.ingest.live import LiveIngest, LiveUpdate
from cockpit.sources.discovery import Root
from cockpit.store.approvals import Request
from cockpit.store.db import open_db
from cockpit.store.pruning import PruneResult
from cockpit.store.queries import file_problems, utc_now
from cockpit.ui.inbox import InboxMixin
from cockpit.ui.messages import BeadsLoaded, LiveIngestFailed, RetentionPruned, TranscriptsIngested
from cockpit.ui.palette import CockpitCommands
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.help import HelpScreen
from cockpit.ui.screens.session import SessionScreen
from cockpit.ui.themes import FALLBACK_THEME, css_path, load_themes
from cockpit.ui.validation import VALIDATION_ACTIONS, ValidationMixin
from cockpit.ui.workspace import WorkspaceMixin

REFRESH_SECONDS = 5.0
# Beads checks (2 s each) between refreshes of the session → issue links, when sessions changed, and of the
# issue ages on screen.
LINKS_REFRESH_TICKS = 15
# The session list of thousands of rows is redrawn at most this often while agents write.
TABLE_REFRESH_SECONDS = 0.5
# The daily prune waits this long after start (the catch-up first), then checks hourly whether it is due.
PRUNE_FIRST_SECONDS = 60.0
PRUNE_CHECK_SECONDS = 3600.0


class CockpitApp(ValidationMixin, WorkspaceMixin, InboxMixin, App[None]):
    CSS_PATH = css_path()
    TITLE = "cockpit"
    COMMANDS = App.COMMANDS | {CockpitCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit cockpit"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Show the keys that work here"),
        # Textual adds ctrl+p itself only when no binding opens the palette; `:` does, so both are named
        # here. The footer shows ctrl+p at its right edge, so `:` stays out of it (help lists both).
        Binding("colon", "command_palette", "Commands", id="command-palette", show=False,
                tooltip="Open the command palette"),
        Binding("ctrl+p", "command_palette", "Commands", id="command-palette-ctrl-p", show=False,
                tooltip="Open the command palette"),
        Binding("p", "toggle_pause", "Pause", id="pause-live", tooltip="Pause or resume live updates"),
        Binding("T", "toggle_theme", "Theme", id="toggle-theme", show=False, tooltip="Switch dark / light theme"),
        Binding("a", "approve_step", "Approve", id="approve-step",
                tooltip="Open the oldest request waiting for a human (y allow, n deny, A allow rule for session)"),
        Binding("r", "rerun_gate", "Run gate", id="rerun-gate", tooltip="Run the selected gate again on this tree"),
        Binding("R", "rerun_all_gates", "Run all", id="rerun-all-gates", show=False,
                tooltip="Run every command gate again on this tree"),
        Binding("x", "cancel_gate", "Cancel run", id="cancel-gate", show=False,
                tooltip="Cancel the selected gate's run (its process group is stopped)"),
        Binding("v", "run_vibe", "Vibe", id="run-vibe",
                tooltip="Validate the working tree against its intent (press again to cancel)"),
        Binding("m", "run_premortem", "Pre-mortem", id="run-premortem", show=False,
                tooltip="How could the selected (or in-progress) issue fail? (press again to cancel)"),
        Binding("t", "run_retro", "Retro", id="run-retro", show=False,
                tooltip="Turn the selected (or latest) session into facts and learnings"),
        Binding("H", "draft_handoff", "Handoff", id="draft-handoff", show=False,
                tooltip="Draft a handoff note (goal / done / decisions / next) for the selected session"),
        Binding("L", "learnings", "Learnings", id="learnings", show=False, tooltip="Search what retros learned"),
        Binding("M", "metrics", "Metrics", id="metrics", show=False,
                tooltip="Git metrics, completion rate, cost per issue and interventions"),
        Binding("h", "approval_history", "Approvals log", id="approval-history", show=False,
                tooltip="Every approval request and who decided it"),
    ]

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
        # The beads file is read again only when its identity (beads_key) changes; the last read is kept to
        # relink sessions or recompute the queue when a deferral runs out, without reading it again.
        self._beads_key: object = None
        self._beads_busy = False
        self._beads_ticks = 0
        self._beads: Any = None
        self._beads_queue: Any = None
        self._links_stale = False
        self._session_links: dict[str, tuple[str, ...]] = {}
        self._bd_warning = ""
        self.read_only = read_only
        self.inbox = live if inbox is None else inbox
        # Auto gates run commands on their own: only in a live cockpit (tests and snapshots opt in).
        self.auto_gates = live if auto_gates is None else auto_gates
        # The daily retention prune: in a live cockpit that may write (not a read-only one).
        self.prune = (live and not read_only) if prune is None else prune
        self.pending: list[Request] = []
        self.db_path = db_path
        self.db = open_db(db_path)
        self.claude_roots = claude_roots
        self.codex_roots = codex_roots
        self.settings = settings
        self.clock = clock
        self.live = live
        self.force_polling = force_polling
        self.roots_filter = roots_filter
        self.paused = False
        self.watch_mode = "off" if not live else "starting"
        self.last_update_ms: float | None = None
        self.problems: list[str] = list(settings.errors)
        self._stop = threading.Event()
        self._reload_pending = False
        self._reload_timer: Timer | None = None
        self._reload_delay = 0.0
        self._missed_while_paused = False
        self._bands_seen: dict[str, tuple[int, int]] = {}
        self._alerts_armed = False
        self._reported: dict[str, int] = {}
        self._changed_since_reload: set[str] = set()
        themes, errors = load_themes()
        for t in themes:
            self.register_theme(t)
        self.problems.extend(errors)
        wanted = theme or settings.theme
        self.theme = wanted if wanted in self.available_themes else FALLBACK_THEME
        if wanted not in self.available_themes:
            self.problems.append(f"theme {wanted!r} not found; using {FALLBACK_THEME}")
        self.sub_title = subtitle
        self.status_note = ""

    # ---- lifecycle -------------------------------------------------------------------------

    async def on_mount(self) -> None:
        # The workers and timers below answer into the dashboard's panes: they start once those exist.
        await self.push_screen(DashboardScreen())
        if self.live:
            self.run_worker(self._run_live, thread=True, exit_on_error=False, name="live-ingest", group="live")
        if self.inbox:
            self.run_worker(self._run_inbox, thread=True, exit_on_error=False, name="inbox", group="inbox")
        if self.prune:
            self.run_worker(self._run_prune, thread=True, exit_on_error=False, name="prune", group="prune")
        if self.read_only:
            self.sub_title = (self.sub_title + " · " if self.sub_title else "") + "read-only"
        self.set_interval(REFRESH_SECONDS, self._tick)
        self.set_interval(1.0, self._tick_waiting)
        self.set_interval(2.0, self._check_beads)
        self._check_beads()
        self.set_interval(1.0, self._check_repo)
        self._check_repo()

    def startup_notes(self) -> list[tuple[str, str]]:
        """What the log says first, once the dashboard exists: problems found at start, the offline mode."""
        notes = [(problem, "yellow") for problem in self.problems]
        if not self.read_only and not os.environ.get("ANTHROPIC_API_KEY", "").strip():
            notes.append(("no ANTHROPIC_API_KEY: v, m and t run offline (deterministic checks, mechanical learnings)",
                          "dim"))
        return notes

    def on_unmount(self) -> None:
        self._stop.set()
        if self.gate_runner is not None:
            self.gate_runner.cancel_all()

    def _run_live(self) -> None:
        ingest = LiveIngest(
            self.db_path, self.claude_roots, self.codex_roots, self._on_live_update,
            poll_seconds=self.settings.poll_seconds, force_polling=self.force_polling,
        )
        self._live_ingest = ingest
        self.call_from_thread(self._set_watch_mode, "catching up")
        delay = 1.0
        while not self._stop.is_set():
            try:
                ingest.run(self._stop)
                return
            except Exception as exc:  # noqa: BLE001 - the dashboard must outlive any ingest failure
                self.post_message(LiveIngestFailed(f"{type(exc).__name__}: {exc}"))
                # Retry with backoff: a locked database or a vanished folder usually clears up.
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)

    def _run_prune(self) -> None:
        from cockpit.store.pruning import run_daily

        run_daily(self.db_path, self.settings.retention, self._stop,
                  lambda result: self.post_message(RetentionPruned(result)),
                  lambda error: self.post_message(RetentionPruned(None, error)),
                  first_delay=PRUNE_FIRST_SECONDS, check_every=PRUNE_CHECK_SECONDS)

    def on_retention_pruned(self, message: RetentionPruned) -> None:
        if self._dashboard_gone():
            return
        result = message.result
        if message.error:
            self.dashboard.log_event(f"retention: prune failed, trying again in an hour: {message.error}", "yellow")
        elif isinstance(result, PruneResult) and (result.deleted or result.trimmed):
            self.dashboard.log_event(f"retention: deleted {result.deleted} rows and trimmed {result.trimmed}"
                                     f" in {result.seconds:.1f} s; {result.space}", "dim")

    def on_live_ingest_failed(self, message: LiveIngestFailed) -> None:
        if self._dashboard_gone():
            return
        self.watch_mode = "retrying"
        self.problems.append(f"live updates failed: {message.error}")
        self.dashboard.log_event(f"live updates failed, retrying: {message.error}", "bold red")
        if isinstance(self.screen, DashboardScreen):
            self.screen.update_status()

    def _set_watch_mode(self, mode: str) -> None:
        self.watch_mode = mode
        if isinstance(self.screen, DashboardScreen) and not self._dashboard_gone():
            self.screen.update_status()

    def _on_live_update(self, update: LiveUpdate) -> None:
        # Runs in the ingest thread: only hand the immutable update over to the UI thread.
        self.post_message(TranscriptsIngested(update))

    def on_transcripts_ingested(self, message: TranscriptsIngested) -> None:
        if self._dashboard_gone():
            return
        update = message.update
        self.last_update_ms = update.seconds * 1000
        self._changed_since_reload |= update.sessions
        self._links_stale = self._links_stale or bool(update.sessions) or update.catch_up
        if update.catch_up:
            self._beads_ticks = LINKS_REFRESH_TICKS  # the sessions are in: link them to issues at the next check
            self.watch_mode = getattr(getattr(self, "_live_ingest", None), "mode", "watchfiles")
            if self.watch_mode == "starting":
                self.watch_mode = "polling" if self.force_polling else "watchfiles"
            for error in update.errors:
                self.problems.append(error)
                self.dashboard.log_event(error, "yellow")
            self.dashboard.log_event(
                f"caught up: {update.lines} new lines in {update.seconds:.2f} s; watching with {self.watch_mode}"
            )
        self._report_problems()
        if self.paused:
            self._missed_while_paused = True
            return
        # Gauges of the sessions that changed are redrawn now; the full lists follow, coalesced.
        needs_full = update.catch_up
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                needs_full = not screen.apply_update(update.sessions) or needs_full
        if needs_full:
            self._schedule_reload(0.03)
        else:
            self._schedule_reload(TABLE_REFRESH_SECONDS)

    def _report_problems(self) -> None:
        """Each unreadable file and each new batch of skipped lines becomes one line in the log."""
        for path, error in file_problems(self.db):
            key = f"{path}\0{error}"
            if key not in self._reported:
                self._reported[key] = 1
                self.problems.append(f"{path}: {error}")
                self.dashboard.log_event(f"{path}: {error}", "yellow")
        for path, reason, count in self.db.execute("SELECT path, reason, count FROM skipped").fetchall():
            key = f"{path}\0{reason}"
            before = self._reported.get(key, 0)
            if count > before:
                self._reported[key] = count
                if before == 0:
                    self.problems.append(f"{path}: {reason} lines skipped")
                self.dashboard.log_event(f"{path}: {count - before} line(s) skipped ({reason}); the rest is read", "yellow")

    def _schedule_reload(self, delay: float = 0.03) -> None:
        if self.paused:
            self._missed_while_paused = True
            return
        if self._reload_timer is not None and delay < self._reload_delay:
            self._reload_timer.stop()
            self._reload_pending = False
        if not self._reload_pending:
            self._reload_pending = True
            self._reload_delay = delay
            # Coalesce bursts of appends into one redraw of the lists.
            self._reload_timer = self.set_timer(delay, self._reload)

    def _reload(self) -> None:
        self._reload_pending = False
        self._reload_timer = None
        if self.paused:
            return
        changed, self._changed_since_reload = self._changed_since_reload, set()
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                screen.reload()
            elif isinstance(screen, SessionScreen) and screen.session_id in changed:
                screen.reload()

    def _check_beads(self) -> None:
        """Read the beads file again only when it changed: a few stat calls decide, so an idle dashboard
        costs nothing. Reading, computing and linking happen off the UI thread, one worker at a time."""
        from cockpit.sources.beads_files import beads_key

        if self._beads_busy:
            return  # the key is checked again once the running worker is done
        key = beads_key(Path(self.repo))
        self._beads_ticks += 1
        if key != self._beads_key:
            self._beads_key = key
            self._beads_ticks = 0
            self._start_beads_worker(read=True)
            return
        queue = self._beads_queue
        if queue is None:
            return
        if queue.wake_at is not None and datetime.now().astimezone() >= queue.wake_at:
            self._start_beads_worker(requeue=True)  # a deferral ran out: the same issues, a new queue
        elif self._beads_ticks >= LINKS_REFRESH_TICKS:
            self._beads_ticks = 0
            if self._links_stale:
                self._start_beads_worker(relink=True)  # new prompts may name an issue
            elif not self._dashboard_gone():
                self.dashboard.show_issues(self._beads, queue)  # the ages on the page move on

    def _start_beads_worker(self, *, read: bool = False, requeue: bool = False, relink: bool = False) -> None:
        self._beads_busy = True
        if read or relink:
            self._links_stale = False
        self.run_worker(partial(self._load_beads, read, requeue, relink), thread=True, exit_on_error=False,
                        name="beads", group="beads")

    def _load_beads(self, read: bool = True, requeue: bool = False, relink: bool = True) -> None:
        from cockpit.sources.bd import bd_ready, disagreement
        from cockpit.sources.beads_files import load_queue, queue_of

        try:
            beads, queue, warning = self._beads, self._beads_queue, self._bd_warning
            now = datetime.now().astimezone()
            if read or beads is None:
                beads, queue = load_queue(Path(self.repo), now)
                warning = disagreement(queue.ready, bd_ready(Path(self.repo))) if beads.path else ""
            elif requeue:
                queue = queue_of(beads, now)
            links = self._session_issues(beads, queue) if read or relink else self._session_links
            self.post_message(BeadsLoaded(beads, queue, warning, links))
        finally:
            self._beads_busy = False

    def _session_issues(self, beads: Any, queue: Any) -> dict[str, tuple[str, ...]]:
        """Which issues each session of this repository works on (prompts, title, branch, closed_by_session)."""
        if beads.path is None or not queue.issues:
            return {}
        from cockpit.core.issue_refs import link
        from cockpit.store.db import connect
        from cockpit.store.session_refs import session_refs

        root = str(Path(beads.path).parents[2 if beads.layout == "backup" else 1])
        conn = connect(self.db_path)
        try:
            refs = session_refs(conn, root)
        finally:
            conn.close()
        return dict(link(queue.issues, refs, [], root).session_issues)

    def on_beads_loaded(self, message: BeadsLoaded) -> None:
        if self._dashboard_gone():
            return
        cycles = getattr(self._beads_queue, "cycles", ())
        self._beads, self._beads_queue = message.beads, message.queue
        self._session_links = message.session_issues
        self.dashboard.show_issues(message.beads, message.queue)  # type: ignore[arg-type]
        self.dashboard.show_session_issues(message.session_issues)
        if message.queue.cycles and message.queue.cycles != cycles:  # type: ignore[attr-defined]
            loops = message.queue.cycles  # type: ignore[attr-defined]
            self.dashboard.log_event(f"beads: {len(loops)} dependency cycle(s) keep their issues blocked: "
                                     + "; ".join(" ⇄ ".join(c[:4]) + (" …" if len(c) > 4 else "") for c in loops[:3])
                                     + (" …" if len(loops) > 3 else ""), "yellow")
        if message.warning and message.warning != self._bd_warning:
            self.dashboard.log_event(message.warning, "yellow")
        self._bd_warning = message.warning

    def _tick(self) -> None:
        if not self.paused and isinstance(self.screen, DashboardScreen) and not self._dashboard_gone():
            self.screen.tick()
            self.refresh_gate_ages()

    @property
    def dashboard(self) -> DashboardScreen:
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        raise LookupError("dashboard not mounted")

    # ---- alerts ----------------------------------------------------------------------------

    def notice_changes(self, live: list[SessionView]) -> None:
        """Bell and toast, once, when a session crosses the first band or compacts."""
        for view in live:
            level = band(view.context.pct, self.settings.bands) if view.context else 0
            compactions = len(view.compactions)
            previous = self._bands_seen.get(view.session_id)
            self._bands_seen[view.session_id] = (level, compactions)
            if not self._alerts_armed or previous is None:
                continue
            name = view.title[:50] or view.session_id[:8]
            if compactions > previous[1]:
                last = view.compactions[-1]
                message = f"{view.agent.value} {view.session_id[:8]} compacted ({last.trigger}, {last.pre_tokens or '?'} tokens): {name}"
                self._alert(message, "error")
            elif level >= 1 and previous[0] < 1:
                pct = view.context.pct if view.context else 0.0
                message = (f"{view.agent.value} {view.session_id[:8]} passed {self.settings.bands[0]:g}% ({pct:.1f}%): {name}"
                           " — select it and press H for a handoff note")
                self._alert(message, "warning")
        self._alerts_armed = True

    def _alert(self, message: str, severity: str) -> None:
        self.bell()
        self.notify(message, severity=severity, markup=False, timeout=8)  # type: ignore[arg-type]
        self.dashboard.log_event(message, "bold yellow" if severity == "warning" else "bold red")

    # ---- actions ---------------------------------------------------------------------------

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        ours: list[tuple[str, str, str]] = []
        others: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not active.enabled or not binding.description or binding.system:
                continue
            row = (binding.key_display or self.get_key_display(binding), binding.description, binding.tooltip)
            if row[1] in seen and row[1].startswith("Copy"):
                continue
            seen.add(row[1])
            # cockpit's own bindings carry an id; widget navigation keys come after them.
            (ours if binding.id else others).append(row)
        self.push_screen(HelpScreen(ours + others))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in VALIDATION_ACTIONS:
            return self.check_validation_action(action)
        return super().check_action(action, parameters)

    def set_status_note(self, note: str) -> None:
        self.status_note = note
        self.dashboard.update_status()

    def action_metrics(self) -> None:
        from cockpit.ui.screens.metrics import MetricsScreen

        if not isinstance(self.screen, MetricsScreen):
            self.push_screen(MetricsScreen())

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        if isinstance(self.screen, DashboardScreen):
            self.screen.update_status()
        self.dashboard.log_event("live updates paused" if self.paused else "live updates resumed")
        if not self.paused and self._missed_while_paused:
            self._missed_while_paused = False
            self._schedule_reload()
            for screen in self.screen_stack:
                if isinstance(screen, SessionScreen):
                    self._changed_since_reload.add(screen.session_id)

    def action_toggle_theme(self) -> None:
        self.theme = "cockpit-light" if self.theme == "cockpit-dark" else "cockpit-dark"

    def open_session(self, session_id: str) -> None:
        self.push_screen(SessionScreen(session_id))

    def action_focus_pane(self, pane_id: str) -> None:
        if not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        self.dashboard.action_focus_pane(pane_id)


def prepare_process_pool() -> None:
    """Start multiprocessing's resource tracker while stderr is still the real one.

    Once Textual owns the terminal, sys.stderr has no usable file descriptor and the tracker (started
    lazily by the ingest's process pool) fails with "bad value(s) in fds_to_keep".
    """
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except Exception:  # noqa: BLE001 - without it the catch-up simply parses in one process
        pass


def make_app(ctx: Any, *, theme: str | None = None, subtitle: str = "", **kwargs: Any) -> CockpitApp:
    """The one factory used by the CLI and the tests."""
    return CockpitApp(
        db_path=str(ctx.db_path),
        claude_roots=ctx.claude_roots,
        codex_roots=ctx.codex_roots,
        settings=ctx.settings,
        theme=theme,
        subtitle=subtitle,
        roots_filter=ctx.explicit_roots,
        read_only=bool(getattr(ctx.args, "read_only", False)),
        repo=getattr(ctx.args, "repo", None),
        config_path=getattr(ctx, "config_path", None),
        **kwargs,
    )
