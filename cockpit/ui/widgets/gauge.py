"""One live session's context gauge: bar with the 40 % and auto-compact marks, numbers, sparkline, forecast,
the prompt cache's countdown and cold-restart cost (Claude), and a line per live subagent under it."""

from __future__ import annotations

import math
from datetime import datetime

from rich.text import Text
from textual.timer import Timer
from textual.widget import Widget

from cockpit.core.context import DEFAULT_BANDS, autocompact_tokens, band
from cockpit.core.format import cost, forecast_text, pct, spark, tokens
from cockpit.core.models import SessionView
from cockpit.core.quota import CacheState
from cockpit.core.text import one_line
from cockpit.services.quota import LiveExtras, SubagentGauge
from cockpit.ui.widgets.sessions_table import short_model

BAND_CLASSES = ("gauge--ok", "gauge--notice", "gauge--warn", "gauge--high", "gauge--critical")
STATE_ICONS = {"thinking": "◐", "tool": "⚙", "waiting-approval": "✋", "idle": "○", "ended": "·"}
# A countdown redraw is due this long after its text changes (a timer never fires early; this keeps it after).
REDRAW_MARGIN_SECONDS = 0.02


def cache_countdown(left: float) -> str:
    """The prompt cache's time left as the gauge shows it, rounded up (it never says 0 while the cache lives):
    whole minutes from a minute up ("4m", "1h02m"), seconds in the last minute ("45s"), "expired" after. Above a
    minute the text changes once a minute, so the gauge is redrawn once a minute, not every second."""
    if left <= 0:
        return "expired"
    secs = math.ceil(left)
    if secs < 60:
        return f"{secs}s"
    minutes = math.ceil(secs / 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def countdown_changes_in(left: float) -> float | None:
    """Seconds until `cache_countdown(left)` shows another text; None once it says expired for good."""
    if left <= 0:
        return None
    secs = math.ceil(left)
    if secs < 60:
        return left - (secs - 1)  # the next whole second down (0: expired)
    # The next whole minute down; from the last minute ("1m") on to seconds, at 59 s.
    return left - max(60 * (math.ceil(secs / 60) - 1), 59)


def cache_text(cache: CacheState, now: datetime) -> str:
    """`cache 4m · cold $0.84`, `cache 45s · cold $0.84` or `cache expired · cold $0.84`."""
    return f"cache {cache_countdown(cache.left(now))} · cold {cost(cache.cold_cost)}"


class ContextGauge(Widget):
    """Three lines per session. Text from the transcript is rendered as plain text, never markup."""

    COMPONENT_CLASSES = {*BAND_CLASSES, "gauge--empty", "gauge--muted", "gauge--marker"}
    DEFAULT_CSS = """
    ContextGauge { height: auto; }
    """

    def __init__(self, view: SessionView, bands: tuple[float, ...] = DEFAULT_BANDS, extras: LiveExtras | None = None,
                 **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = view
        self.bands = bands
        self.extras = extras or LiveExtras()
        self._countdown_timer: Timer | None = None
        self._mounted = False

    def on_mount(self) -> None:
        self._mounted = True
        self._schedule_countdown()

    def set_extras(self, extras: LiveExtras | None) -> None:
        """The prompt cache and live subagents read with the view (services/quota.live_extras)."""
        extras = extras or LiveExtras()
        if extras != self.extras:
            self.extras = extras
            self.refresh(layout=True)
            self._schedule_countdown()

    def redraw_in(self, now: datetime) -> float | None:
        """Seconds until the cache countdown shown changes its text; None when there is none running."""
        cache = self.extras.cache
        return None if cache is None else countdown_changes_in(cache.left(now))

    def _schedule_countdown(self) -> None:
        """One timer, due when the countdown's text changes (once a minute above a minute): no redraw between."""
        if self._countdown_timer is not None:
            self._countdown_timer.stop()
            self._countdown_timer = None
        if not self._mounted:
            return
        due = self.redraw_in(self.app.clock())  # type: ignore[attr-defined]
        if due is not None:
            self._countdown_timer = self.set_timer(due + REDRAW_MARGIN_SECONDS, self._countdown_due)

    def _countdown_due(self) -> None:
        self._countdown_timer = None
        self.refresh()
        self._schedule_countdown()

    def update_view(self, view: SessionView) -> None:
        self.view = view
        level = band(view.context.pct, self.bands) if view.context else 0
        self.set_class(level >= 1, "-over-threshold")
        self.set_class(level >= 4, "-critical")
        self.refresh()

    def _style(self, name: str):  # type: ignore[no-untyped-def]
        return self.get_component_rich_style(name, partial=True)

    def render(self) -> Text:
        width = max(self.size.width, 40)
        lines = self._lines(width)
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        return Text("\n").join(lines)

    def _lines(self, width: int) -> list[Text]:
        v = self.view
        text = Text()
        lines = [text]
        icon = STATE_ICONS.get(v.state.value, "?")
        project = one_line(v.project.rstrip("/").rsplit("/", 1)[-1] or v.project, 30)
        title = one_line(v.title, 80)
        text.append(f"{icon} ", style=self._style("gauge--marker"))
        text.append(f"{v.agent.value:<6} ", style="bold")
        text.append(project, style="bold")
        text.append(f"  {v.state.value}  {short_model(v.model)}  {v.session_id[:8]}  ", style=self._style("gauge--muted"))
        text.append(title)
        ctx = v.context
        if ctx is None:
            lines.append(Text("no API call yet", style=self._style("gauge--muted")))
            return lines
        text = Text()
        lines.append(text)
        numbers = f" {pct(ctx.pct):>6}  {tokens(ctx.prompt_tokens)} / {tokens(ctx.window)}"
        if ctx.window_source.assumed:
            numbers += " (window assumed)"
        bar_width = max(10, width - len(numbers) - 2)
        compact_at = autocompact_tokens(ctx.window, v.agent)
        text.append_text(self._bar(ctx.pct, bar_width, 100.0 * compact_at / ctx.window))
        level = band(ctx.pct, self.bands)
        text.append(numbers, style=self._style(BAND_CLASSES[level]))
        text = Text()
        lines.append(text)
        shown = width // 3
        values = v.recent_context[-shown:]
        marks = v.recent_compacted[-shown:] if len(v.recent_compacted) == len(v.recent_context) else ()
        for i, char in enumerate(spark(values, ctx.window)):
            if marks and marks[i]:
                text.append("╳", style=self._style("gauge--critical"))
            text.append(char, style=self._style(BAND_CLASSES[band(100.0 * values[i] / ctx.window, self.bands)]))
        count = len(v.compactions)
        muted = self._style("gauge--muted")
        parts: list[tuple[str, object]] = [(forecast_text(v, self.bands[0]), muted)]
        if self.extras.cache is not None:
            # Second, where an 80-column pane still shows it: whether resuming now is cheap.
            now = self.app.clock()  # type: ignore[attr-defined]
            cache = self.extras.cache
            parts.append((cache_text(cache, now), muted if cache.left(now) > 59 else self._style("gauge--high")))
        compactions = f"{count} compaction{'s' if count > 1 else ''}" if count else "no compaction"
        if v.compactions:
            last = v.compactions[-1]
            compactions += f" (last {last.trigger} at {tokens(last.pre_tokens)})"
        parts += [(compactions, muted), (f"peak {pct(v.peak_pct)}", muted), (cost(v.cost_usd), muted)]
        text.append("  ", style=muted)
        for index, (part, style) in enumerate(p for p in parts if p[0]):
            if index:
                text.append(" · ", style=muted)
            text.append(part, style=style)  # type: ignore[arg-type]
        lines.extend(self._subagent_line(sub, width) for sub in self.extras.subagents)
        return lines

    def _subagent_line(self, sub: SubagentGauge, width: int) -> Text:
        """`  ↳ a2898e3 sonnet-4-5 ███····  12.3% 24.6k/200.0k · 7 calls`, indented under the parent."""
        text = Text()
        text.append("  ↳ ", style=self._style("gauge--marker"))
        text.append(f"{one_line(sub.agent_id, 12):<8} ", style="bold")
        text.append(f"{short_model(sub.model):<10} ", style=self._style("gauge--muted"))
        level = band(sub.pct, self.bands)
        numbers = f" {pct(sub.pct):>6}  {tokens(sub.context_tokens)}/{tokens(sub.window)} · {sub.calls} call"
        numbers += "s" if sub.calls != 1 else ""
        bar_width = max(10, width - text.cell_len - len(numbers) - 1)
        compact_at = autocompact_tokens(sub.window, self.view.agent)
        text.append_text(self._bar(sub.pct, bar_width, 100.0 * compact_at / sub.window if sub.window else 100.0))
        text.append(numbers, style=self._style(BAND_CLASSES[level]))
        return text

    def _bar(self, value: float, width: int, compact_pct: float) -> Text:
        bar = Text()
        threshold_cell = int(self.bands[0] / 100 * width)
        compact_cell = int(compact_pct / 100 * width)
        for cell in range(width):
            cell_pct = (cell + 0.5) * 100 / width
            if cell_pct <= value:
                bar.append("█", style=self._style(BAND_CLASSES[band(cell_pct, self.bands)]))
            elif cell == threshold_cell:
                bar.append("│", style=self._style("gauge--marker"))
            elif cell == compact_cell:
                bar.append("┊", style=self._style("gauge--high"))
            else:
                bar.append("·", style=self._style("gauge--empty"))
        return bar
