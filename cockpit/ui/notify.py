"""The dashboard's side of notifications and budgets (issue 14), kept beside the screen like ui/gates.py.

Every FleetEvent the dashboard hears (approvals from the inbox, context and compaction from the gauges,
budgets from the budget watch, health and quota from their panes) is queued for the notify worker
(ui/workers/notify.py), which decides and sends off the UI thread. The budgets in their warning band or
past their limit are kept here for the raise key (B): it raises the most pressing one, through a dialog,
and the store write runs in a worker.
"""

from __future__ import annotations

import queue
from functools import partial
from typing import TYPE_CHECKING

from textual.css.query import NoMatches

from cockpit.core.budget_rules import DAY, OVER, SESSION, Spend
from cockpit.core.models import SessionView
from cockpit.services.notify import ContextLook, ContextWatch, Notice, Notifier
from cockpit.sources.notify_sinks import Command, Desktop, Terminal
from cockpit.store.approvals import now_iso
from cockpit.ui.messages import FleetEvent
from cockpit.ui.screens.budget import BudgetModal
from cockpit.ui.widgets.sessions_table import SessionsTable
from cockpit.ui.workers import poster
from cockpit.ui.workers.notify import BudgetWatch, record_raise, watch_fleet

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.screens.dashboard import DashboardScreen


class NotifyControl:
    def __init__(self, screen: DashboardScreen) -> None:
        self.screen = screen
        self.events: queue.SimpleQueue[Notice] = queue.SimpleQueue()
        self.context = ContextWatch(self.app.settings.bands[0])
        self.budgets: dict[tuple[str, str], FleetEvent] = {}  # (scope, key) -> its active budget event

    @property
    def app(self) -> CockpitApp:
        return self.screen.app  # type: ignore[return-value]

    def start(self) -> None:
        """One worker for the notifier (unless notifications are off) and the budget watch (when a budget is set)."""
        app = self.app
        settings = app.settings
        notifier = budgets = None
        if settings.notify.enabled:
            notify = settings.notify
            notifier = Notifier(notify, desktop=Desktop(), terminal=Terminal(self._write, notify.terminal),
                                command=Command(notify.command) if notify.command else None)
        if settings.budget.configured:
            budgets = BudgetWatch(app.db_path, settings.budget, settings.live_minutes, app.clock)
        if notifier is not None or budgets is not None:
            app.start_worker(partial(watch_fleet, notifier, self.events, budgets, app.stopped, poster(self.screen)),
                             group="notify", what="notifications and budgets")

    def _write(self, text: str) -> None:
        """A terminal escape through the app's own output, between two frames (thread-safe: Textual's writer
        thread takes whole strings from a queue), never into the screen buffer."""
        driver = self.app._driver
        if driver is None or not self.app.is_running:
            raise RuntimeError("the dashboard is not running")
        driver.write(text)

    # ---- events -------------------------------------------------------------------------------

    def fleet_event(self, event: FleetEvent) -> None:
        if event.kind == "budget":
            self._budget(event)
        if self.app.settings.notify.enabled:
            self.events.put(Notice(event.kind, event.key, event.active, event.session_id, event.title, event.detail,
                                   dict(event.data)))

    def _budget(self, event: FleetEvent) -> None:
        where = (str(event.data.get("scope", "")), str(event.data.get("budget_key", "")))
        if event.active:
            self.budgets[where] = event
        elif where in self.budgets and self.budgets[where].key == event.key:
            del self.budgets[where]
        if "raised_to_usd" in event.data:
            self.app.clear_notifications()  # the toast about the limit reached is stale now
            self.screen.log_event(f"{event.title} ({where[0]} {where[1][:10]})")
        elif event.active:
            self.screen.log_event(f"{event.title}: {event.detail}",
                                  "bold $error" if event.data.get("band") == OVER else "$warning")
            if event.data.get("band") == OVER:
                self.app.bell()
                self.app.notify(f"{event.title}: {event.detail}", severity="error", markup=False, timeout=15)
        self.screen.refresh_bindings()

    def context_changes(self, live: list[SessionView]) -> None:
        """Crossing the first band (and back under) and each compaction, as FleetEvents."""
        looks = [ContextLook(v.session_id, v.agent.value, v.title, v.context.pct if v.context else None,
                             len(v.compactions), v.compactions[-1].trigger if v.compactions else "") for v in live]
        for notice in self.context.changes(looks):
            self.screen.post_message(FleetEvent(notice.kind, notice.key, active=notice.active,
                                                session_id=notice.session_id, title=notice.title,
                                                detail=notice.detail, data=notice.data))

    # ---- the raise key --------------------------------------------------------------------------

    def why_not_raise(self) -> str:
        if self.app.read_only:
            return "read-only: budgets are raised from a cockpit that may write"
        if not self.app.settings.budget.configured:
            return "no [budget] is set in your config file"
        return "" if self.budgets else "no budget is in its warning band or past its limit"

    def _stand(self, event: FleetEvent) -> Spend:
        data = event.data
        return Spend(str(data["scope"]), str(data["budget_key"]), float(data["spent_usd"]), float(data["limit_usd"]),
                     str(data["band"]))

    def pressing(self) -> Spend | None:
        """The budget the raise key acts on: one past its limit before one in its warning band; the day's
        before a session's; the highlighted session's before another's."""
        try:
            highlighted = self.screen.query_one(SessionsTable).selected_session_id or ""
        except NoMatches:
            highlighted = ""
        ranked = sorted(self.budgets.values(), key=lambda e: (
            e.data.get("band") != OVER, e.data.get("scope") != DAY, e.data.get("budget_key") != highlighted))
        return self._stand(ranked[0]) if ranked else None

    def raise_budget(self) -> None:
        why = self.why_not_raise()
        stand = self.pressing()
        if why or stand is None:
            self.screen.log_event(f"B (raise budget): {why or 'nothing to raise'}", "$warning")
            return
        name = ""
        if stand.scope == SESSION:
            view = next((v for v in self.app.sessions if v.session_id == stand.key), None)
            name = view.title[:60] if view is not None else ""

        def answered(limit: float | None) -> None:
            if limit is None:
                return
            self.screen.log_event(f"raising the {stand.scope} budget {stand.key[:10]} to ${limit:.2f}…", "dim")
            self.app.start_worker(partial(record_raise, self.app.db_path, stand, limit, now_iso(), poster(self.screen)),
                                  group="budget-raise", what="raising the budget")

        self.app.push_screen(BudgetModal(stand, name), answered)
