"""The approvals side of the app: the inbox thread, new and closed requests, the decision round trip.

A mixin of CockpitApp so the app module stays wiring only; it uses the app's database path, clock,
dashboard and stop event.

A decision is never lost without a word: it is written in a background thread (never the UI
thread), retried with backoff while the store is busy, shown as "pending…" in the log meanwhile,
and reported as failed, with the error, if it cannot be written before the hook's deadline. A
request that is no longer waiting (decided, expired, its hook gone) cannot be decided, and the log
says why.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from cockpit.services.inbox import InboxWatch, write_decision
from cockpit.store import approvals
from cockpit.ui.messages import ApprovalsChanged, HookEventsArrived, LiveIngestFailed
from cockpit.ui.screens.approval import ApprovalModal, Decision
from cockpit.ui.screens.approvals_history import ApprovalsHistoryScreen

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

    _Base = CockpitApp
else:
    _Base = object

# How long to keep trying for a request that names no deadline.
RETRY_WITHOUT_DEADLINE_SECONDS = 60.0

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


class InboxMixin(_Base):
    def _run_inbox(self) -> None:
        watch = InboxWatch(
            self.db_path, lambda pending, closed: self.post_message(ApprovalsChanged(pending, closed)),
            read_only=self.read_only,
            on_events=lambda sessions: self.post_message(HookEventsArrived(frozenset(sessions))),
        )
        delay = 1.0
        while not self._stop.is_set():
            try:
                watch.run(self._stop)
                return
            except Exception as exc:  # noqa: BLE001 - approvals must keep working after a database hiccup
                self.post_message(LiveIngestFailed(f"approvals inbox: {type(exc).__name__}: {exc}"))
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)

    @property
    def _deciding(self) -> dict[int, Decision]:
        """Decisions taken but not yet written, by request id."""
        found: dict[int, Decision] | None = self.__dict__.get("_inbox_deciding")
        if found is None:
            found = self.__dict__["_inbox_deciding"] = {}
        return found

    def on_hook_events_arrived(self, message: HookEventsArrived) -> None:
        # The agent's hooks said something about these sessions (a turn ended, a session closed).
        self._changed_since_reload |= message.sessions
        if self.paused:
            self._missed_while_paused = True
            return
        self._schedule_reload(0.03)

    def on_approvals_changed(self, message: ApprovalsChanged) -> None:
        if self._dashboard_gone():
            return
        known = {r.id for r in self.pending}
        # A request whose decision is being written stays out of the list: it was answered.
        self.pending = [r for r in message.pending if r.id not in self._deciding]
        for request in message.closed:
            what = f"{request.agent} {request.session_id[:8]} {request.tool_name} {request.summary}"
            if request.status == approvals.GONE:
                self.dashboard.log_event(f"request {request.id} gone: its hook stopped waiting: {what}", "yellow")
            else:
                self.dashboard.log_event(f"answered in the terminal: {what}")
        if message.closed:
            # A toast about a question already answered elsewhere would be a stale alarm.
            self.clear_notifications()
        for request in self.pending:
            if request.id not in known:
                text = f"approval needed: {request.agent} {request.session_id[:8]} {request.tool_name}: {request.summary}"
                if request.policy:
                    text += f"  [{request.policy}]"
                self.bell()
                self.notify(text, severity="warning", markup=False, timeout=15, title="cockpit")
                self.dashboard.log_event(text, "bold yellow")
        self.dashboard.show_approvals(self.pending)
        self.refresh_bindings()

    def _tick_waiting(self) -> None:
        if self.pending and not self.paused and not self._dashboard_gone():
            from cockpit.ui.widgets.approvals_table import ApprovalsTable

            self.dashboard.query_one(ApprovalsTable).refresh_waited(self.clock())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve_step":
            if self.read_only:
                return None
            return bool(self.pending) and not isinstance(self.screen, ApprovalModal)
        return True

    def action_approve_step(self) -> None:
        if self.pending:
            self.open_request(self.pending[0].id)

    def action_approval_history(self) -> None:
        if not isinstance(self.screen, ApprovalsHistoryScreen):
            self.push_screen(ApprovalsHistoryScreen())

    def _drop_pending(self, request_id: int) -> None:
        self.pending = [r for r in self.pending if r.id != request_id]
        self.dashboard.show_approvals(self.pending)
        self.refresh_bindings()

    def open_request(self, request_id: int) -> None:
        if isinstance(self.screen, ApprovalModal):
            return
        if request_id in self._deciding:
            self.notify(f"request {request_id}: the decision is being written", markup=False)
            return
        # The inbox list may lag the store by one poll: decide on what the store says now.
        request = approvals.get(self.db.conn, request_id)
        if request is not None and request.status == approvals.PENDING and approvals.hook_gone(request):
            # Its hook died since the last poll: nobody would read an answer. (The inbox thread marks it
            # gone in the store within a poll; the UI thread does not wait for the store's lock.)
            request = dataclasses.replace(request, status=approvals.GONE)
        if request is None or request.status != approvals.PENDING:
            self._drop_pending(request_id)
            message = f"request {request_id} cannot be answered: {not_waiting_reason(request and request.status)}"
            self.notify(message, severity="warning", markup=False)
            self.dashboard.log_event(message, "yellow")
            if self.pending:
                self.open_request(self.pending[0].id)
            return
        row = self.db.execute(
            "SELECT COALESCE(NULLIF(last_prompt, ''), first_prompt, '') FROM sessions WHERE session_id = ?",
            (request.session_id,),
        ).fetchone()
        last_prompt = row[0] if row else ""
        prompt = self.db.execute(
            "SELECT text FROM prompts WHERE session_id = ? ORDER BY ts DESC LIMIT 1", (request.session_id,)
        ).fetchone()
        if prompt:
            last_prompt = prompt[0]
        self.push_screen(ApprovalModal(request, last_prompt, read_only=self.read_only), self._decided)

    def _decided(self, decision: Decision | None) -> None:
        if decision is None or self.read_only:
            return
        shown = next((r for r in self.pending if r.id == decision.request_id), None)
        deadline_at = shown.deadline_at if shown is not None else None
        # Gone from the inbox at once; the store write follows in a worker.
        self._deciding[decision.request_id] = decision
        self._drop_pending(decision.request_id)
        self.run_worker(lambda: self._record_decision(decision, deadline_at), thread=True, exit_on_error=False,
                        group="decide")

    def _from_thread(self, callback: Any, *args: Any) -> None:
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:
            pass  # the app is gone

    def _record_decision(self, decision: Decision, deadline_at: str | None = None) -> None:
        """Write the decision, in a thread of its own: the write may wait for the ingest's lock, the UI
        must not. A busy store is retried with backoff until the hook's deadline."""
        left = seconds_until(deadline_at)
        give_up_at = time.monotonic() + (RETRY_WITHOUT_DEADLINE_SECONDS if left is None else left)
        try:
            ok, status = write_decision(
                self.db_path, decision.request_id, decision.input_hash, decision.decision, give_up_at=give_up_at,
                reason=decision.reason, by="cockpit-key", allow_rule_for_session=decision.whole_session,
                on_busy=lambda error: self._from_thread(self._decision_pending, decision, error),
            )
        except Exception as exc:  # noqa: BLE001 - busy past the deadline, or a store that cannot take it: say so
            self._from_thread(self._decision_failed, decision, f"{type(exc).__name__}: {exc}")
            return
        self._from_thread(self._decision_recorded, decision, ok, status)

    def _decision_pending(self, decision: Decision, error: str) -> None:
        self.dashboard.log_event(
            f"request {decision.request_id} {decision.decision}: pending… the store is busy ({error}); retrying",
            "yellow",
        )

    def _decision_failed(self, decision: Decision, error: str) -> None:
        self._deciding.pop(decision.request_id, None)
        message = (f"request {decision.request_id}: the {decision.decision} could not be written before the"
                   f" hook's deadline: {error}")
        self.notify(message, severity="error", markup=False)
        self.dashboard.log_event(message, "bold red")

    def _decision_recorded(self, decision: Decision, ok: bool, status: str | None = None) -> None:
        self._deciding.pop(decision.request_id, None)
        if ok:
            self.clear_notifications()
            what = "allowed" + (" (rule, whole session)" if decision.whole_session else "")
            if decision.decision == "deny":
                what = "denied" + (f": {decision.reason}" if decision.reason else "")
            self.dashboard.log_event(f"request {decision.request_id} {what}")
        else:
            message = f"request {decision.request_id} was not changed: {not_waiting_reason(status)}"
            self.notify(message, severity="error", markup=False)
            self.dashboard.log_event(message, "bold red")


def seconds_until(iso: str | None) -> float | None:
    """Seconds from now to an ISO time in the store (negative when past); None when absent or unreadable."""
    if not iso:
        return None
    from datetime import UTC, datetime

    try:
        at = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (at - datetime.now(UTC)).total_seconds()

