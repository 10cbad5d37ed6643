"""Validation and learning from the keyboard: `v` vibe, `m` pre-mortem, `t` retro, `H` handoff note.

One job at a time (`app.jobs`), in a thread worker (ui/workers/jobs.py); pressing its key again cancels
it, and an answer that still arrives is dropped. The report opens when it is written; the gate board then
shows vibe / pre-mortem.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.ui.messages import JobFinished
from cockpit.ui.screens.report import ReportScreen
from cockpit.ui.widgets.issues_table import IssuesTable
from cockpit.ui.widgets.sessions_table import SessionsTable
from cockpit.ui.workers import jobs, poster

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


class JobControl:
    def __init__(self, app: CockpitApp) -> None:
        self.app = app
        self.running: tuple[str, threading.Event] | None = None  # the job's kind and its cancel event

    def vibe(self) -> None:
        self._start("vibe", "validating the working tree against its intent (v again cancels)", jobs.vibe)

    def premortem(self) -> None:
        issue = self._selected_issue()
        self._start("pre-mortem", f"for {issue or 'the in-progress issue'} (m again cancels)", jobs.premortem(issue))

    def retro(self) -> None:
        session = self._selected_session()
        self._start("retro", f"of session {session[:8] or 'latest'} (t again cancels)", jobs.retro(session))

    def handoff(self) -> None:
        session = self._selected_session()
        self._start("handoff", f"drafting a handoff note for {session[:8] or 'the latest session'}",
                    jobs.handoff(session))

    def _start(self, kind: str, label: str, job: jobs.Job) -> None:
        app = self.app
        if self.running is not None:
            running, cancel = self.running
            if running == kind:
                # The UI is free at once; a request already sent finishes in the background and is dropped.
                cancel.set()
                self.running = None
                app.status_note = ""
                app.log_event(f"{kind}: cancelled (an answer that still arrives is ignored)", "$warning")
            else:
                app.log_event(f"{running} is running: press its key again to cancel it first", "$warning")
            return
        cancel = threading.Event()
        self.running = (kind, cancel)
        app.log_event(f"{kind}: {label}", "$primary")
        app.status_note = f"{kind} running… (press again to cancel)"
        app.start_worker(partial(jobs.run_job, kind, job, app.repo, app.db_path, cancel, poster(app.dashboard)),
                         group="jobs", what=kind)

    def finished(self, message: JobFinished) -> None:
        """The job's report opens (its log line first), or the log says why there is none."""
        if message.cancel.is_set():
            return  # cancelled: already said so, and the user may have started another job since
        app = self.app
        if self.running is not None and self.running[1] is message.cancel:
            self.running = None
            app.status_note = ""
        if message.error or message.outcome is None:
            app.log_event(f"{message.kind}: {message.error}", "$error")
            return
        outcome = message.outcome
        app.log_event(outcome.log, outcome.style)
        app.gates.refresh()
        try:
            text = Path(outcome.root, outcome.path).read_text(encoding="utf-8")
        except OSError as exc:
            text = f"{outcome.path} could not be read back: {exc}"
        app.push_screen(ReportScreen(outcome.title, text))

    def _selected_issue(self) -> str:
        table = self.app.dashboard.query_one(IssuesTable)
        return (table.selected_issue_id or "") if table.has_focus else ""

    def _selected_session(self) -> str:
        return self.app.dashboard.query_one(SessionsTable).selected_session_id or ""
