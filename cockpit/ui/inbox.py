"""The approvals side of the app: the inbox thread, new and closed requests, the decision round trip.

A mixin of CockpitApp so the app module stays wiring only; it uses the app's database path, clock,
dashboard and stop event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.store import approvals
from cockpit.store.db import connect
from cockpit.store.inbox import InboxWatch
from cockpit.ui.messages import ApprovalsChanged, HookEventsArrived, LiveIngestFailed
from cockpit.ui.screens.approval import ApprovalModal, Decision
from cockpit.ui.screens.approvals_history import ApprovalsHistoryScreen

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

    _Base = CockpitApp
else:
    _Base = object


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

    def on_hook_events_arrived(self, message: HookEventsArrived) -> None:
        # The agent's hooks said something about these sessions (a turn ended, a session closed).
        self._changed_since_reload |= message.sessions
        if self.paused:
            self._missed_while_paused = True
            return
        self._schedule_reload(0.03)

    def on_approvals_changed(self, message: ApprovalsChanged) -> None:
        known = {r.id for r in self.pending}
        self.pending = list(message.pending)
        for request in message.closed:
            self.dashboard.log_event(
                f"answered in the terminal: {request.agent} {request.session_id[:8]} {request.tool_name} {request.summary}"
            )
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
        if self.pending and not self.paused:
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

    def open_request(self, request_id: int) -> None:
        if isinstance(self.screen, ApprovalModal):
            return
        # The inbox list may lag the store by one poll: decide on what the store says now.
        request = approvals.get(self.db.conn, request_id)
        if request is None or request.status != approvals.PENDING:
            self.pending = [r for r in self.pending if r.id != request_id]
            self.dashboard.show_approvals(self.pending)
            self.refresh_bindings()
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
        # Gone from the inbox at once; the store write follows in a worker.
        self.pending = [r for r in self.pending if r.id != decision.request_id]
        self.dashboard.show_approvals(self.pending)
        self.refresh_bindings()
        self.run_worker(lambda: self._record_decision(decision), thread=True, exit_on_error=False, group="decide")

    def _record_decision(self, decision: Decision) -> None:
        # A thread of its own: the write may wait for the ingest's lock, the UI must not.
        conn = connect(self.db_path)
        try:
            ok = approvals.decide(
                conn, decision.request_id, decision.input_hash, decision.decision, reason=decision.reason,
                by="cockpit-key", allow_rule_for_session=decision.whole_session,
            )
        finally:
            conn.close()
        self.call_from_thread(self._decision_recorded, decision, ok)

    def _decision_recorded(self, decision: Decision, ok: bool) -> None:
        if ok:
            self.clear_notifications()
            what = "allowed" + (" (rule, whole session)" if decision.whole_session else "")
            if decision.decision == "deny":
                what = "denied" + (f": {decision.reason}" if decision.reason else "")
            self.dashboard.log_event(f"request {decision.request_id} {what}")
        else:
            message = f"request {decision.request_id} was not changed: already answered, expired or its input changed"
            self.notify(message, severity="error", markup=False)
            self.dashboard.log_event(message, "bold red")
