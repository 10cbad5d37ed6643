"""One line that never scrolls away: each live session's context %, coloured by band, most recent first, and
the plan's quota windows (used %, time to reset, coloured by band).

Pane 1 draws the full gauges; in a split the pane may be scrolled away or zoomed out, and this line keeps
the numbers that matter on screen. It redraws whenever the app's session list changes, when the quota worker
(started here, while the dashboard follows the agents) reads a new observation, and every 30 s as resets
come nearer. A window entering or leaving the warn or critical band posts one FleetEvent to the screen.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from cockpit.core.context import band
from cockpit.core.format import pct
from cockpit.core.models import SessionView
from cockpit.core.quota import DEFAULT_THRESHOLDS, Thresholds, compact_duration, span
from cockpit.core.quota import band as quota_band
from cockpit.services.quota import AGENTS, QuotaReport
from cockpit.ui.messages import FleetEvent
from cockpit.ui.themes import themed
from cockpit.ui.widgets.gauge import STATE_ICONS
from cockpit.ui.widgets.panes import Panes
from cockpit.ui.widgets.sessions_table import BAND_STYLES

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp
    from cockpit.ui.messages import QuotaFailed, QuotaRead

LABEL = "context "
SEPARATOR = "  │ "
QUOTA_STYLES = {"ok": "", "warn": "bold $warning", "critical": "bold $error", "expired": "dim"}
QUOTA_REDRAW_SECONDS = 30.0
AGENT_SHORT = {"claude": "cl", "codex": "cx"}


def quota_text(report: QuotaReport | None, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS,
               tier: int = 0) -> Text:
    """The plan's windows, most detailed at tier 0: `claude 5h 42% 2h14m · 7d 36% 3d4h`; tier 1 drops the
    times to reset, tier 2 keeps each agent's fullest window only. Empty when no agent stated a quota."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if report is None:
        return text
    for agent in AGENTS:
        obs = report.observation(agent)
        if obs is None:
            continue
        windows = list(obs.windows)
        if tier >= 2:
            current = [w for w in windows if not w.expired(now)] or windows
            windows = [max(current, key=lambda w: w.used_pct)]
        if text.plain:
            text.append("  ")
        text.append(agent if tier == 0 else AGENT_SHORT[agent], style="bold")
        for index, w in enumerate(windows):
            level = quota_band(w, now, thresholds)
            text.append(" · " if index and tier == 0 else " ", style="dim")
            label = span(w.minutes, w.name)
            if level == "expired":
                text.append(f"{label} reset", style=QUOTA_STYLES[level])
                continue
            text.append(f"{label} ", style="dim")
            text.append(f"{w.used_pct:.0f}%", style=QUOTA_STYLES[level] or "bold")
            if tier == 0:
                text.append(f" {compact_duration((w.resets_at - now).total_seconds())}", style="dim")
    return text


def top_line(live: list[SessionView], bands: tuple[float, ...], width: int, report: QuotaReport | None,
             now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Text:
    """The context summary, then the quota as detailed as fits: with every live session's context % when some
    tier allows it, else with the first one's (and how many more there are), which always stays on the line."""
    everyone = summary_text(live, bands, 10**6).cell_len
    needed = summary_text(live[:1], bands, width).cell_len + (len(f"  +{len(live)} more") if len(live) > 1 else 0)
    tiers = [quota_text(report, now, thresholds, tier) for tier in (0, 1, 2)]
    for room in (everyone, needed):
        for quota in tiers:
            if quota.plain and room + len(SEPARATOR) + quota.cell_len <= width:
                text = summary_text(live, bands, width - len(SEPARATOR) - quota.cell_len)
                text.append(SEPARATOR, style="dim")
                text.append_text(quota)
                return text
    return summary_text(live, bands, width)


def summary_text(live: list[SessionView], bands: tuple[float, ...], width: int) -> Text:
    """`context ✋ db07e759 42.0%  ⚙ ddf2812f 18.4%  … +2 more`, cut between sessions to fit `width`."""
    text = Text(LABEL, style="bold", no_wrap=True, overflow="ellipsis")
    if not live:
        text.append("no live session", style="dim")
        return text
    for index, view in enumerate(live):
        entry = Text()
        entry.append(STATE_ICONS.get(view.state.value, "?") + " ", style="bold $accent")
        entry.append(view.session_id[:8] + " ", style="dim")
        if view.context is None:
            entry.append("no call yet", style="dim")
        else:
            entry.append(pct(view.context.pct), style=BAND_STYLES[band(view.context.pct, bands)] or "bold")
        rest = len(live) - index - 1
        more = f"  +{rest} more" if rest else ""
        if index and text.cell_len + 2 + entry.cell_len + len(more) > width:
            text.append(f"  +{len(live) - index} more", style="dim")
            break
        if index:
            text.append("  ")
        text.append_text(entry)
    return text


class ContextSummary(Static):
    DEFAULT_CSS = """
    ContextSummary { height: 1; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    report: QuotaReport | None = None
    _bands: dict[str, str] = {}  # per "agent:window": the quota band last announced
    _drawn: tuple[object, ...] | None = None  # what the line shows: its text, its styles, its style

    def on_mount(self) -> None:
        app: CockpitApp = self.app  # type: ignore[assignment]
        self._bands = {}
        self._drawn = None
        self.watch(self.app, "sessions", self._redraw, init=False)
        self._redraw()
        if app.live:
            from cockpit.ui.workers import poster
            from cockpit.ui.workers.quota import follow_quota

            app.start_worker(partial(follow_quota, app.db_path, app.claude_roots, app.codex_roots, app.clock,
                                     app.stopped, poster(self)), group="quota", what="reading the plan quota")
            self.set_interval(QUOTA_REDRAW_SECONDS, self._tick)

    def on_resize(self) -> None:
        self._redraw()

    def on_quota_read(self, message: QuotaRead) -> None:
        self.report = message.report
        self._redraw()
        for panes in self.screen.query(Panes):  # whether this line shows depends on a quota being known
            panes.show_context_line()
        self._announce()

    def on_quota_failed(self, message: QuotaFailed) -> None:
        app: CockpitApp = self.app  # type: ignore[assignment]
        app.log_event(f"quota: reading failed, trying again: {message.error}", "$warning")

    def _tick(self) -> None:
        self._redraw()
        self._announce()

    def _announce(self) -> None:
        """One FleetEvent to the screen per window entering a band (or leaving it: active=False)."""
        app: CockpitApp = self.app  # type: ignore[assignment]
        if self.report is None:
            return
        now, thresholds = app.clock(), app.settings.quota
        for agent in AGENTS:
            obs = self.report.observation(agent)
            for w in obs.windows if obs else ():
                key = f"quota:{agent}:{w.name}"
                level = quota_band(w, now, thresholds)
                level = level if level in ("warn", "critical") else "ok"
                before = self._bands.get(key, "ok")
                self._bands[key] = level
                if level == before:
                    continue
                left = compact_duration((w.resets_at - now).total_seconds())
                detail = (f"{agent} {w.name}: {w.used_pct:.0f}% of the plan window used, resets in {left}"
                          if level != "ok" else f"{agent} {w.name}: back under {thresholds.warn:g}%")
                self.screen.post_message(FleetEvent(
                    "quota", key, active=level != "ok", title=f"{agent} plan quota {level}", detail=detail,
                    data={"agent": agent, "window": w.name, "band": level, "used_pct": w.used_pct,
                          "resets_at": w.resets_at.isoformat(), "minutes": w.minutes}))

    def _redraw(self, *_args: object) -> None:
        """The line again; the widget is only updated (a repaint and a relayout of the screen) when it changed:
        the 30 s tick and every reload of the sessions ask, and most of the time it reads the same."""
        app: CockpitApp = self.app  # type: ignore[assignment]
        live = [v for v in app.sessions if v.live]
        width = max(self.size.width - 2, 20)
        text = top_line(live, app.settings.bands, width, self.report, app.clock(), app.settings.quota)
        drawn = (text.plain, tuple(text.spans), str(text.style))
        if drawn != self._drawn:
            self._drawn = drawn
            self.update(themed(text))
