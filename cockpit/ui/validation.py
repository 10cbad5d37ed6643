"""Validation and learning from the keyboard: `v` vibe, `m` pre-mortem, `t` retro, `H` handoff note, `L` learnings.

Each runs in a thread worker, one at a time; pressing its key again cancels it (an answer that still
arrives is ignored). The report opens when it is written; the gate board then shows vibe / pre-mortem.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.message import Message

from cockpit.ui.screens.report import ReportScreen

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

    _Base = CockpitApp
else:
    _Base = object

VALIDATION_ACTIONS = ("run_vibe", "run_premortem", "run_retro", "draft_handoff")
_VERDICT_STYLE = {"PASS": "green", "WARN": "yellow", "FAIL": "red"}


@dataclass(frozen=True, slots=True)
class JobOutcome:
    title: str  # the report screen's title
    path: str  # relative to `root`
    root: str
    log: str
    style: str = ""


class ValidationFinished(Message):
    """A job ended: `outcome` is what it wrote, or `error` says why there is nothing."""

    def __init__(self, kind: str, cancel: threading.Event, outcome: JobOutcome | None = None, error: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.cancel = cancel  # identifies the job: a cancelled one's late answer is dropped
        self.outcome = outcome
        self.error = error


class ValidationMixin(_Base):
    _job: tuple[str, threading.Event] | None = None

    # ---- the job runner ---------------------------------------------------------------------

    def _start_job(self, kind: str, label: str, work: Callable[[Any, str, Any, threading.Event], JobOutcome]) -> None:
        if self._job is not None:
            running, cancel = self._job
            if running == kind:
                # The UI is free at once; a request already sent finishes in the background and is dropped.
                cancel.set()
                self._job = None
                self.set_status_note("")
                self.dashboard.log_event(f"{kind}: cancelled (an answer that still arrives is ignored)", "yellow")
            else:
                self.dashboard.log_event(f"{running} is running: press its key again to cancel it first", "yellow")
            return
        cancel = threading.Event()
        self._job = (kind, cancel)
        self.dashboard.log_event(f"{kind}: {label}", "cyan")
        self.set_status_note(f"{kind} running… (press again to cancel)")
        self.run_worker(lambda: self._run_job(kind, work, cancel), thread=True, exit_on_error=False, group="jobs")

    def _run_job(self, kind: str, work: Callable[..., JobOutcome], cancel: threading.Event) -> None:
        from cockpit.config.llm import load_llm_config
        from cockpit.llm.client import Cancelled, Llm
        from cockpit.sources.git import repo_root
        from cockpit.store.db import connect

        try:
            root = repo_root(self.repo)[0] or str(Path(self.repo).resolve())
            settings, _, _ = load_llm_config(root)
            conn = connect(self.db_path)
            try:
                message = ValidationFinished(kind, cancel, work(conn, root, Llm(settings), cancel))
            finally:
                conn.close()
        except Cancelled:
            message = ValidationFinished(kind, cancel, error="cancelled")
        except Exception as exc:  # noqa: BLE001 - any failure is a line in the log, never a crash
            message = ValidationFinished(kind, cancel, error=f"{type(exc).__name__}: {exc}")
        self.post_message(message)

    def on_validation_finished(self, message: ValidationFinished) -> None:
        if message.cancel.is_set():
            return  # cancelled: already said so, and the user may have started another job since
        if self._dashboard_gone():
            return
        if self._job is not None and self._job[1] is message.cancel:
            self._job = None
            self.set_status_note("")
        if message.error or message.outcome is None:
            self.dashboard.log_event(f"{message.kind}: {message.error}", "red")
            return
        outcome = message.outcome
        self.dashboard.log_event(outcome.log, outcome.style)
        self.refresh_repo()
        try:
            text = Path(outcome.root, outcome.path).read_text(encoding="utf-8")
        except OSError as exc:
            text = f"{outcome.path} could not be read back: {exc}"
        self.push_screen(ReportScreen(outcome.title, text))

    def check_validation_action(self, action: str) -> bool | None:
        from cockpit.ui.screens.dashboard import DashboardScreen
        from cockpit.ui.screens.gate import GateScreen

        if self.read_only or not isinstance(self.screen, DashboardScreen | GateScreen):
            return False
        return True

    # ---- the jobs -----------------------------------------------------------------------------

    def action_run_vibe(self) -> None:
        def work(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
            from cockpit.config.llm import load_llm_config
            from cockpit.services.vibe import run_vibe

            _, vibe, _ = load_llm_config(root)
            r = run_vibe(conn, root, llm, cancel=cancel, max_lines=vibe.max_lines, fail_lines=vibe.fail_lines)
            how = "reviewed by Claude" if r.online else "offline: deterministic checks"
            return JobOutcome(f"vibe {r.verdict}", r.path, root,
                              f"vibe: {r.verdict} — {r.path} ({len(r.findings)} findings; {how})",
                              _VERDICT_STYLE.get(r.verdict, "red"))

        self._start_job("vibe", "validating the working tree against its intent (v again cancels)", work)

    def action_run_premortem(self) -> None:
        issue = self._selected_issue()

        def work(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
            from cockpit.services.premortem import run_premortem

            r = run_premortem(conn, root, llm, issue=issue, cancel=cancel)
            how = "reviewed by Claude" if r.online else "offline checklist"
            return JobOutcome(f"pre-mortem {r.verdict}", r.path, root,
                              f"pre-mortem: {r.verdict} — {r.subject} — {r.path} ({how})",
                              _VERDICT_STYLE.get(r.verdict, "red"))

        self._start_job("pre-mortem", f"for {issue or 'the in-progress issue'} (m again cancels)", work)

    def action_run_retro(self) -> None:
        session = self._selected_session()

        def work(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
            from cockpit.services.retro import run_retro

            r = run_retro(conn, root, llm, session=session, cancel=cancel)
            return JobOutcome(f"retro {r.session_id[:8]}", r.retro_path, root,
                              f"retro: {r.session_id[:8]} — {len(r.learnings)} learnings — {r.retro_path}"
                              f" ({'Claude' if r.online else 'mechanical, offline'})", "green")

        self._start_job("retro", f"of session {session[:8] or 'latest'} (t again cancels)", work)

    def action_draft_handoff(self) -> None:
        session = self._selected_session()

        def work(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
            from cockpit.services.handoff import write_handoff

            path, lines = write_handoff(conn, root, session, datetime.now(UTC))
            return JobOutcome("handoff note", path, root, f"handoff: {lines} lines — {path}", "green")

        self._start_job("handoff", f"drafting a handoff note for {session[:8] or 'the latest session'}", work)

    def action_learnings(self) -> None:
        from cockpit.ui.screens.learnings import LearningsScreen

        if not isinstance(self.screen, LearningsScreen):
            self.push_screen(LearningsScreen())

    def _selected_issue(self) -> str:
        from cockpit.ui.widgets.issues_table import IssuesTable

        table = self.dashboard.query_one(IssuesTable)
        return (table.selected_issue_id or "") if table.has_focus else ""

    def _selected_session(self) -> str:
        from cockpit.ui.widgets.sessions_table import SessionsTable

        return self.dashboard.query_one(SessionsTable).selected_session_id or ""
