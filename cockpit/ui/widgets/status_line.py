"""The status line under the panes: a running job, pause, how transcripts are followed, live sessions, problems.

It watches the app's state and redraws itself when any of it changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from cockpit.core.context import band

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

WATCHED = ("status_note", "paused", "watch_mode", "last_update_ms", "sessions", "problems")


class StatusLine(Static):
    def on_mount(self) -> None:
        for name in WATCHED:
            self.watch(self.app, name, self.update_status, init=False)
        self.update_status()

    def update_status(self) -> None:
        app: CockpitApp = self.app  # type: ignore[assignment]
        parts = []
        if app.status_note:
            parts.append(app.status_note)
        if app.paused:
            parts.append("PAUSED (p to resume)")
        parts.append(f"watch: {app.watch_mode}")
        if app.last_update_ms is not None:
            parts.append(f"last update {app.last_update_ms:.1f} ms")
        bands = app.settings.bands
        live = [v for v in app.sessions if v.live]
        over = sum(1 for v in live if v.context and band(v.context.pct, bands) >= 1)
        parts.append(f"{len(live)} live, {over} over {bands[0]:g}%")
        if app.problems:
            parts.append(f"{len(app.problems)} problems (cockpit doctor)")
        self.update(Text("  ·  ".join(parts)))
        self.set_class(app.paused, "-paused")
