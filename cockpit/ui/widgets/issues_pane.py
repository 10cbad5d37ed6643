"""Pane 3 on the dashboard: the issues table fed from this repository's beads file.

The file is read again only when its identity (size, times, inode) changes: a few stat calls every 2 s
decide, so an idle dashboard costs nothing. Reading, computing the queue and linking sessions to issues
happen in a worker (ui/workers/beads.py), one at a time; its BeadsLoaded comes here first, then bubbles
to the dashboard, which names each session's issue in the sessions list.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content
from textual.worker import Worker

from cockpit.core.format import age
from cockpit.sources.beads_files import beads_key, read_issue
from cockpit.ui.messages import BeadsLoaded
from cockpit.ui.screens.issue import IssueScreen
from cockpit.ui.widgets.issues_table import IssuesTable
from cockpit.ui.workers import poster
from cockpit.ui.workers.beads import load_beads

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

CHECK_SECONDS = 2.0
# Checks between refreshes of the session → issue links (when sessions changed) and of the issue ages shown.
LINKS_REFRESH_TICKS = 15


class IssuesPane(IssuesTable):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.loaded: BeadsLoaded | None = None  # the last read, reused to relink or requeue without reading
        self._key: object = None
        self._worker: Worker[None] | None = None
        self._ticks = 0
        self.links_stale = False  # new transcript lines may name an issue
        self._ages_shown: tuple[str, ...] = ()  # the issues' ages the table shows

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        # Textual runs IssuesTable's on_mount (the columns) too: each class's handler in the MRO.
        self.set_interval(CHECK_SECONDS, self.check_file)
        # The first read once the pane is laid out: a table filled before it has a size keeps a spare row.
        self.call_after_refresh(self.check_file)

    @property
    def busy(self) -> bool:
        return self._worker is not None and not self._worker.is_finished

    def sessions_changed(self, sessions: frozenset[str], *, catch_up: bool) -> None:
        """New transcript lines: the links are redone at the next refresh, at once after the catch-up."""
        self.links_stale = self.links_stale or bool(sessions) or catch_up
        if catch_up:
            self._ticks = LINKS_REFRESH_TICKS

    def check_file(self) -> None:
        if self.busy or not self.app.is_running:
            return  # the key is checked again once the running worker is done
        key = beads_key(Path(self.cockpit.repo))
        self._ticks += 1
        if key != self._key:
            self._key = key
            self._ticks = 0
            self._load(read=True)
            return
        queue = self.loaded.queue if self.loaded is not None else None
        if queue is None:
            return
        if queue.wake_at is not None and datetime.now().astimezone() >= queue.wake_at:
            self._load(requeue=True)  # a deferral ran out: the same issues, a new queue
        elif self._ticks >= LINKS_REFRESH_TICKS:
            self._ticks = 0
            if self.links_stale:
                self._load(relink=True)  # new prompts may name an issue
            elif self.loaded is not None and self._ages(self.loaded) != self._ages_shown:
                self._show(self.loaded)  # the ages on the page moved on (a redraw refills and relays the table)

    def _load(self, *, read: bool = False, requeue: bool = False, relink: bool = False) -> None:
        app = self.cockpit
        if read or relink:
            self.links_stale = False
        self._worker = app.start_worker(
            partial(load_beads, app.repo, app.db_path, self.loaded, poster(self), read=read, requeue=requeue,
                    relink=relink),
            group="beads", what="reading the beads file")

    def on_beads_loaded(self, message: BeadsLoaded) -> None:
        app = self.cockpit
        if not app.is_running:
            return
        cycles = self.loaded.queue.cycles if self.loaded is not None else ()
        warning = self.loaded.warning if self.loaded is not None else ""
        self.loaded = message
        self._show(message)
        app.refresh_bindings()  # `m` depends on the issues in progress
        loops = message.queue.cycles
        if loops and loops != cycles:
            app.log_event(f"beads: {len(loops)} dependency cycle(s) keep their issues blocked: "
                          + "; ".join(" ⇄ ".join(c[:4]) + (" …" if len(c) > 4 else "") for c in loops[:3])
                          + (" …" if len(loops) > 3 else ""), "$warning")
        if message.warning and message.warning != warning:
            app.log_event(message.warning, "$warning")

    def _ages(self, loaded: BeadsLoaded) -> tuple[str, ...]:
        """The only part of the table that time changes: each issue's age as the table shows it."""
        now = self.cockpit.clock().astimezone()
        return tuple(age(issue.created_at, now) for issue in loaded.queue.issues.values())

    def _show(self, loaded: BeadsLoaded) -> None:
        beads, queue = loaded.beads, loaded.queue
        self._ages_shown = self._ages(loaded)
        self.show(queue, self.cockpit.clock().astimezone())
        if beads.path is None:
            # Plain Content: an error, a path or a file name may hold "[", never read as markup.
            self.border_subtitle = Content(beads.error or f"no .beads/issues.jsonl in {self.cockpit.repo}")
        else:
            skipped = f", {beads.skipped_total} lines skipped" if beads.skipped_total else ""
            count = len(queue.cycles)
            cycles = f" · ⟳ {count} cycle{'s' if count > 1 else ''}" if count else ""
            self.border_subtitle = Content(
                f"○ {len(queue.ready)} ready · ▶ {len(queue.in_progress)} in progress · ✖ {len(queue.blocked)} blocked"
                f"{cycles} — {beads.source}{skipped}"
            )

    def on_issues_table_issue_opened(self, event: IssuesTable.IssueOpened) -> None:
        loaded = self.loaded
        if loaded is not None and event.issue_id in loaded.queue.issues:
            issue = loaded.queue.issues[event.issue_id]
            # The queue holds summaries: the issue's own line is read again for its description and comments.
            if loaded.beads.path is not None:
                issue = read_issue(loaded.beads.path, issue)
            self.app.push_screen(IssueScreen(issue, loaded.queue))
