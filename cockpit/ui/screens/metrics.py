"""Metrics: the measured facts of `cockpit report` for this repository, over a period the user picks."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cockpit.ui.messages import MetricsBuilt
from cockpit.ui.workers import poster
from cockpit.ui.workers.metrics import build_metrics

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

PERIODS = ("24h", "7d", "30d")


class MetricsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back-from-metrics"),
        Binding("d", "next_period", "Period", id="metrics-period", tooltip="Cycle the period: 24h, 7d, 30d"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period = "7d"
        self.report: Mapping[str, Any] | None = None  # as `cockpit report --json` gives it

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="metrics-body"):
            yield Static(Text("reading…", style="dim"), id="metrics-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#metrics-body").focus()
        self.reload()

    def reload(self) -> None:
        app = self.cockpit
        self.title = f"metrics — last {self.period}"
        self.query_one("#metrics-text", Static).update(Text(f"reading the last {self.period}…", style="dim"))
        app.start_worker(partial(build_metrics, app.db_path, app.repo, self.period, app.clock(), poster(self)),
                         group="metrics", what=f"building the metrics of the last {self.period}", exclusive=True)

    def on_metrics_built(self, message: MetricsBuilt) -> None:
        if message.period != self.period:
            return  # the period changed while it was built
        self.report = message.report
        # Commit subjects and issue titles are untrusted: plain text, never markup.
        self.query_one("#metrics-text", Static).update(Text(message.text))

    def action_next_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.reload()
