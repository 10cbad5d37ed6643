"""Pane 5: requests waiting for a human above the action log, and the decision round trip it drives.

The inbox worker (ui/workers/inbox.py) posts here. A decision is never lost without a word: it is
written in a background thread (never the UI thread), retried with backoff while the store is busy,
shown as "pending…" in the log meanwhile, and reported as failed, with the error, if it cannot be
written before the hook's deadline. A request that is no longer waiting (decided, expired, its hook
gone) cannot be decided, and the log says why.
"""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer

from cockpit.store import approvals
from cockpit.ui.messages import ApprovalsChanged, DecisionFailed, DecisionPending, DecisionWritten, FleetEvent
from cockpit.ui.screens.approval import ApprovalModal, Decision
from cockpit.ui.widgets.approvals_table import ApprovalsTable
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.workers import poster
from cockpit.ui.workers.inbox import record_decision

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

# Why a request cannot be decided any more, by its status.
NOT_WAITING = {
    approvals.DECIDED: "it was already answered",
    approvals.EXPIRED: "it expired: the agent stopped waiting",
    approvals.NO_COCKPIT: "it was handed back to the agent when no cockpit could answer",
    approvals.ANSWERED_IN_TERMINAL: "it was answered in the agent's terminal",
    approvals.GONE: "its hook is gone: the agent was stopped or killed",
    approvals.PENDING: "its input changed since it was shown",
}


def not_waiting_reason(status: str | None) -> str:
    return NOT_WAITING.get(status, f"it is {status}") if status else "it no longer exists"


class InboxPane(Vertical):
    BORDER_TITLE = "5 Approvals / Log"

    def __init__(self, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.deciding: dict[int, Decision] = {}  # decisions taken but not yet written, by request id
        self.waited_timer: Timer | None = None  # runs while a request waits

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield ApprovalsTable(id="approvals-table")
        yield LogPane(id="log-pane")

    def on_mount(self) -> None:
        self._tick_while_waiting()

    def _log(self, message: str, style: str = "") -> None:
        self.query_one(LogPane).add(self.cockpit.clock(), message, style)

    def _show(self, pending: tuple[approvals.Request, ...]) -> None:
        """The requests in the table and the pane's title; the app's `pending` for the keys and the lists."""
        app = self.cockpit
        projects = {v.session_id: v.project for v in app.sessions}
        self.query_one(ApprovalsTable).show(list(pending), projects, app.clock())
        self.border_title = f"5 Approvals ({len(pending)} waiting) / Log" if pending else "5 Approvals / Log"
        self.set_class(bool(pending), "-waiting")
        self._notify_changes(app.pending, pending, projects)
        app.pending = pending
        self._tick_while_waiting()

    def _tick_while_waiting(self) -> None:
        """The time each request has waited moves on every second while one waits; with none waiting there is no
        timer (an idle dashboard is not woken every second for nothing)."""
        if self.cockpit.pending and self.waited_timer is None:
            self.waited_timer = self.set_interval(1.0, self._tick_waiting)
        elif not self.cockpit.pending and self.waited_timer is not None:
            self.waited_timer.stop()
            self.waited_timer = None

    def _notify_changes(self, before: tuple[approvals.Request, ...], after: tuple[approvals.Request, ...],
                        projects: dict[str, str]) -> None:
        """A FleetEvent for the notifier per request that started waiting, and its withdrawal once it is no
        longer waiting here: answered in cockpit, in the agent's terminal, expired or gone."""
        now = {r.id for r in after}
        for request in before:
            if request.id not in now:
                self.post_message(FleetEvent("approval", f"approval:{request.id}", active=False,
                                             session_id=request.session_id, detail=request.summary,
                                             data=self._approval_data(request, projects)))
        was = {r.id for r in before}
        for request in after:
            if request.id not in was:
                project = (projects.get(request.session_id, "") or request.cwd).rstrip("/").rsplit("/", 1)[-1]
                where = f"{request.agent} {request.session_id[:8]}" + (f" in {project}" if project else "")
                self.post_message(FleetEvent(
                    "approval", f"approval:{request.id}", session_id=request.session_id,
                    title=f"cockpit: {where} needs your approval", detail=f"{request.tool_name}: {request.summary}",
                    data=self._approval_data(request, projects)))

    @staticmethod
    def _approval_data(request: approvals.Request, projects: dict[str, str]) -> dict[str, object]:
        return {"request_id": request.id, "agent": request.agent, "tool_name": request.tool_name,
                "command": request.summary, "policy": request.policy, "cwd": request.cwd,
                "project": projects.get(request.session_id, ""), "received_at": request.received_at,
                "deadline_at": request.deadline_at}

    def _tick_waiting(self) -> None:
        app = self.cockpit
        if app.pending and not app.paused and app.is_running:
            self.query_one(ApprovalsTable).refresh_waited(app.clock())

    def on_approvals_changed(self, message: ApprovalsChanged) -> None:
        app = self.cockpit
        if not app.is_running:
            return
        known = {r.id for r in app.pending}
        # A request whose decision is being written stays out of the list: it was answered.
        pending = tuple(r for r in message.pending if r.id not in self.deciding)
        for request in message.closed:
            what = f"{request.agent} {request.session_id[:8]} {request.tool_name} {request.summary}"
            if request.status == approvals.GONE:
                self._log(f"request {request.id} gone: its hook stopped waiting: {what}", "$warning")
            else:
                self._log(f"answered in the terminal: {what}")
        if message.closed:
            # A toast about a question already answered elsewhere would be a stale alarm.
            app.clear_notifications()
        for request in pending:
            if request.id not in known:
                text = f"approval needed: {request.agent} {request.session_id[:8]} {request.tool_name}: {request.summary}"
                if request.policy:
                    text += f"  [{request.policy}]"
                app.bell()
                app.notify(text, severity="warning", markup=False, timeout=15, title="cockpit")
                self._log(text, "bold $warning")
        self._show(pending)

    def on_approvals_table_request_opened(self, event: ApprovalsTable.RequestOpened) -> None:
        self.open_request(event.request_id)

    def _drop(self, request_id: int) -> None:
        self._show(tuple(r for r in self.cockpit.pending if r.id != request_id))

    def open_request(self, request_id: int) -> None:
        """The decision modal for this request, as the store has it now."""
        app = self.cockpit
        if isinstance(app.screen, ApprovalModal):
            return
        if request_id in self.deciding:
            app.notify(f"request {request_id}: the decision is being written", markup=False)
            return
        # The inbox list may lag the store by one poll: decide on what the store says now.
        request = approvals.get(app.db.conn, request_id)
        if request is not None and request.status == approvals.PENDING and approvals.hook_gone(request):
            # Its hook died since the last poll: nobody would read an answer. (The inbox thread marks it
            # gone in the store within a poll; the UI thread does not wait for the store's lock.)
            request = dataclasses.replace(request, status=approvals.GONE)
        if request is None or request.status != approvals.PENDING:
            self._drop(request_id)
            message = f"request {request_id} cannot be answered: {not_waiting_reason(request and request.status)}"
            app.notify(message, severity="warning", markup=False)
            self._log(message, "$warning")
            if app.pending:
                self.open_request(app.pending[0].id)
            return
        row = app.db.execute(
            "SELECT COALESCE(NULLIF(last_prompt, ''), first_prompt, '') FROM sessions WHERE session_id = ?",
            (request.session_id,),
        ).fetchone()
        last_prompt = row[0] if row else ""
        prompt = app.db.execute(
            "SELECT text FROM prompts WHERE session_id = ? ORDER BY ts DESC LIMIT 1", (request.session_id,)
        ).fetchone()
        if prompt:
            last_prompt = prompt[0]
        app.push_screen(ApprovalModal(request, last_prompt, read_only=app.read_only), self._decided)

    def _decided(self, decision: Decision | None) -> None:
        app = self.cockpit
        if decision is None or app.read_only:
            return
        shown = next((r for r in app.pending if r.id == decision.request_id), None)
        deadline_at = shown.deadline_at if shown is not None else None
        # Gone from the inbox at once; the store write follows in a worker.
        self.deciding[decision.request_id] = decision
        self._drop(decision.request_id)
        app.start_worker(partial(record_decision, app.db_path, decision, deadline_at, poster(self)),
                         group="decide", what=f"writing the decision on request {decision.request_id}")

    def on_decision_pending(self, message: DecisionPending) -> None:
        decision = message.decision
        if self.app.is_running:
            self._log(f"request {decision.request_id} {decision.decision}: pending… the store is busy"
                      f" ({message.error}); retrying", "$warning")

    def on_decision_failed(self, message: DecisionFailed) -> None:
        decision = message.decision
        self.deciding.pop(decision.request_id, None)
        if not self.app.is_running:
            return
        text = (f"request {decision.request_id}: the {decision.decision} could not be written before the"
                f" hook's deadline: {message.error}")
        self.app.notify(text, severity="error", markup=False)
        self._log(text, "bold $error")

    def on_decision_written(self, message: DecisionWritten) -> None:
        decision = message.decision
        self.deciding.pop(decision.request_id, None)
        if not self.app.is_running:
            return
        if message.ok:
            self.app.clear_notifications()
            what = "allowed" + (" (rule, whole session)" if decision.whole_session else "")
            if decision.decision == "deny":
                what = "denied" + (f": {decision.reason}" if decision.reason else "")
            self._log(f"request {decision.request_id} {what}")
        else:
            text = f"request {decision.request_id} was not changed: {not_waiting_reason(message.status)}"
            self.app.notify(text, severity="error", markup=False)
            self._log(text, "bold $error")
