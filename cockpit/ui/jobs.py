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
from cockpit.ui.subjects import issue_subject, repo_root, session_subject
from cockpit.ui.workers import jobs, poster

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


class JobControl:
    def __init__(self, app: CockpitApp) -> None:
        self.app = app
        self.running: tuple[str, threading.Event] | None = None  # the job's kind and its cancel event

    # Each key finds its subject the same way from every pane (ui/subjects.py) and the log says which.

    def vibe(self) -> None:
        if self._cancelled("vibe"):
            return
        subject = session_subject(self.app, this_repo_only=True)
        intent = f"the intent of {subject.label}" if subject.id else "the intent of its branch's issue (no session yet)"
        self._start("vibe", f"the working tree of {repo_root(self.app)} against {intent} (v again cancels)",
                    jobs.vibe(subject.id))

    def premortem(self) -> None:
        if self._cancelled("pre-mortem"):
            return
        subject = issue_subject(self.app)
        if self._missing("pre-mortem", subject.missing):
            return
        self._start("pre-mortem", f"of {subject.label} (m again cancels)", jobs.premortem(subject.id))

    def retro(self) -> None:
        if self._cancelled("retro"):
            return
        subject = session_subject(self.app)
        if self._missing("retro", subject.missing):
            return
        self._start("retro", f"of {subject.label} (t again cancels)", jobs.retro(subject.id))

    def handoff(self) -> None:
        subject = session_subject(self.app)
        if self._missing("handoff", subject.missing):
            return
        self._start("handoff", f"drafting a handoff note for {subject.label}", jobs.handoff(subject.id))

    def _missing(self, kind: str, why: str) -> bool:
        if why:
            self.app.log_event(f"{kind}: nothing to act on: {why}", "$warning")
        return bool(why)

    def _cancelled(self, kind: str) -> bool:
        """The same key again while its job runs cancels it (said in the log)."""
        if self.running is None or self.running[0] != kind:
            return False
        # The UI is free at once; a request already sent finishes in the background and is dropped.
        self.running[1].set()
        self.running = None
        self.app.status_note = ""
        self.app.log_event(f"{kind}: cancelled (an answer that still arrives is ignored)", "$warning")
        return True

    def _start(self, kind: str, label: str, job: jobs.Job) -> None:
        app = self.app
        if self.running is not None:
            app.log_event(f"{kind}: {self.running[0]} is running: press its key again to cancel it first", "$warning")
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
