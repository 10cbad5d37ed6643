"""Pane 1: a gauge per live session, most recently active first; under a Claude session its prompt cache's
countdown and a line per live subagent (services/quota.live_extras, read with the views)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cockpit.core.context import DEFAULT_BANDS, band
from cockpit.core.models import SessionView
from cockpit.services.quota import LiveExtras, live_extras
from cockpit.ui.bindings import shown_here
from cockpit.ui.widgets.gauge import ContextGauge


def _gauge_id(session_id: str) -> str:
    return "gauge-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in session_id)


class ContextPane(VerticalScroll, can_focus=True):
    BORDER_TITLE = "1 Context"
    BINDINGS = [shown_here("run-retro"), shown_here("draft-handoff")]

    def __init__(self, bands: tuple[float, ...] = DEFAULT_BANDS, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.bands = bands
        self._order: list[str] = []
        self._seen: dict[str, tuple[int, int]] = {}  # per session: the context band and compactions last seen
        self._armed = False  # the first look only learns where each session stands

    def _extras(self, views: list[SessionView]) -> dict[str, LiveExtras]:
        app = self.app
        return live_extras(app.db, views, app.clock(), app.settings.live_minutes)  # type: ignore[attr-defined]

    def crossings(self, live: list[SessionView]) -> list[tuple[str, str]]:
        """(message, severity) once for each session that compacted or crossed the first band since the last look."""
        found = []
        for view in live:
            level = band(view.context.pct, self.bands) if view.context else 0
            compactions = len(view.compactions)
            previous = self._seen.get(view.session_id)
            self._seen[view.session_id] = (level, compactions)
            if not self._armed or previous is None:
                continue
            name = view.title[:50] or view.session_id[:8]
            if compactions > previous[1]:
                last = view.compactions[-1]
                found.append((f"{view.agent.value} {view.session_id[:8]} compacted ({last.trigger},"
                              f" {last.pre_tokens or '?'} tokens): {name}", "error"))
            elif level >= 1 and previous[0] < 1:
                pct = view.context.pct if view.context else 0.0
                found.append((f"{view.agent.value} {view.session_id[:8]} passed {self.bands[0]:g}% ({pct:.1f}%):"
                              f" {name} — highlight it in pane 2 and press H for a handoff note", "warning"))
        self._armed = True
        return found

    def compose(self) -> ComposeResult:
        yield Static("", id="context-empty", classes="empty-message")

    def has_gauge(self, session_id: str) -> bool:
        return session_id in self._order

    def update_gauge(self, view: SessionView) -> None:
        for gauge in self.query(ContextGauge):
            if gauge.view.session_id == view.session_id:
                gauge.update_view(view)
                gauge.set_extras(self._extras([view]).get(view.session_id))

    def show(self, live: list[SessionView], history_count: int, live_minutes: float) -> None:
        empty = self.query_one("#context-empty", Static)
        if not live:
            if history_count:
                message = f"No live session (none active in the last {live_minutes:g} min). {history_count} in history: press 2."
            else:
                message = "No session found yet. Start Claude Code or Codex, or run `cockpit doctor`."
            empty.update(message)
            empty.display = True
        else:
            empty.display = False
        order = [v.session_id for v in live]
        if order != self._order:
            for gauge in list(self.query(ContextGauge)):
                if gauge.view.session_id not in order:
                    gauge.remove()
        existing = {g.view.session_id: g for g in self.query(ContextGauge)}
        extras = self._extras(live)
        for view in live:
            gauge = existing.get(view.session_id)
            if gauge is None:
                self.mount(ContextGauge(view, self.bands, extras.get(view.session_id), id=_gauge_id(view.session_id)))
            else:
                gauge.update_view(view)
                gauge.set_extras(extras.get(view.session_id))
        if order != self._order and len(existing) > 1:
            # Keep the most recently active session on top.
            for sid in reversed(order):
                gauge = existing.get(sid)
                if gauge is not None:
                    self.move_child(gauge, before=0)
        self._order = order
        self.border_subtitle = f"{len(live)} live"
        # A blank line between gauges, none after the last: the pane's rows are counted in a split.
        gauges = list(self.query(ContextGauge))
        for index, gauge in enumerate(gauges):
            gauge.styles.margin = (0, 0, 1 if index < len(gauges) - 1 else 0, 0)
