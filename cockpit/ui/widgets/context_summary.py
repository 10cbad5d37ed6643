"""One line that never scrolls away: each live session's context %, coloured by band, most recent first.

Pane 1 draws the full gauges; in a split the pane may be scrolled away or zoomed out, and this line keeps
the one number that matters on screen. It redraws whenever the app's session list changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from cockpit.core.context import band
from cockpit.core.format import pct
from cockpit.core.models import SessionView
from cockpit.ui.themes import themed
from cockpit.ui.widgets.gauge import STATE_ICONS
from cockpit.ui.widgets.sessions_table import BAND_STYLES

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

LABEL = "context "


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

    def on_mount(self) -> None:
        self.watch(self.app, "sessions", self._redraw, init=False)
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self, *_args: object) -> None:
        app: CockpitApp = self.app  # type: ignore[assignment]
        live = [v for v in app.sessions if v.live]
        width = max(self.size.width - 2, 20)
        self.update(themed(summary_text(live, app.settings.bands, width)))
