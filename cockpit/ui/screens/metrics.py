"""Metrics: the measured facts of `cockpit report` for this repository, over a period the user picks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

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
        self.report: dict | None = None  # type: ignore[type-arg]

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
        self.title = f"metrics — last {self.period}"
        self.query_one("#metrics-text", Static).update(Text(f"reading the last {self.period}…", style="dim"))
        db_path, repo, period, now = self.cockpit.db_path, self.cockpit.repo, self.period, self.cockpit.clock()
        self.run_worker(lambda: self._build(db_path, repo, period, now), thread=True, exit_on_error=False,
                        group="metrics", exclusive=True)

    def _build(self, db_path: str, repo: str, period: str, now) -> None:  # type: ignore[no-untyped-def]
        from cockpit.services.report import build_report, parse_since, render_text
        from cockpit.store.db import open_db

        db = open_db(db_path)
        try:
            report = build_report(db, parse_since(period, now), repo=repo, now=now)
        finally:
            db.conn.close()
        self.app.call_from_thread(self._show, report, render_text(report))

    def _show(self, report: dict, text: str) -> None:  # type: ignore[type-arg]
        self.report = report
        # Commit subjects and issue titles are untrusted: plain text, never markup.
        self.query_one("#metrics-text", Static).update(Text(text))

    def action_next_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.reload()
