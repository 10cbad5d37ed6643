"""One live session's context gauge: bar with the 40 % and auto-compact marks, numbers, sparkline, forecast."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from cockpit.core.context import DEFAULT_BANDS, autocompact_tokens, band
from cockpit.core.format import cost, forecast_text, pct, spark, tokens
from cockpit.core.models import SessionView
from cockpit.core.text import one_line
from cockpit.ui.widgets.sessions_table import short_model

BAND_CLASSES = ("gauge--ok", "gauge--notice", "gauge--warn", "gauge--high", "gauge--critical")
STATE_ICONS = {"thinking": "◐", "tool": "⚙", "waiting-approval": "✋", "idle": "○", "ended": "·"}


class ContextGauge(Widget):
    """Three lines per session. Text from the transcript is rendered as plain text, never markup."""

    COMPONENT_CLASSES = {*BAND_CLASSES, "gauge--empty", "gauge--muted", "gauge--marker"}
    DEFAULT_CSS = """
    ContextGauge { height: auto; }
    """

    def __init__(self, view: SessionView, bands: tuple[float, ...] = DEFAULT_BANDS, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.view = view
        self.bands = bands

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
        details = [forecast_text(v, self.bands[0]), f"{count} compaction{'s' if count > 1 else ''}" if count else "no compaction"]
        if v.compactions:
            last = v.compactions[-1]
            details[-1] += f" (last {last.trigger} at {tokens(last.pre_tokens)})"
        details.append(f"peak {pct(v.peak_pct)}")
        details.append(cost(v.cost_usd))
        text.append("  " + " · ".join(d for d in details if d), style=self._style("gauge--muted"))
        return lines

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
