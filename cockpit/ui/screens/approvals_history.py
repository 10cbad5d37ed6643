"""Every approval request and what became of it: who decided, when, how fast, why. `/` filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from cockpit.core.text import one_line
from cockpit.store import approvals
from cockpit.ui.themes import ThemedText

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

STATUS_STYLE = {"decided": "", "pending": "bold $warning", "expired": "$error", "no-cockpit": "dim",
                "answered-in-terminal": "$primary"}
DECISION_STYLE = {"allow": "$success", "deny": "$error"}


class ApprovalsHistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back-from-history"),
        Binding("slash", "filter", "Filter", id="filter-history", tooltip="Filter by session, tool, status or text"),
    ]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Input(placeholder="filter: session, tool, status, decided by, text", id="history-filter")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "approvals"
        table = self.query_one("#history", DataTable)
        table.add_columns("received", "status", "decision", "by", "latency", "session", "tool", "request", "reason")
        self.query_one("#history-filter", Input).display = False
        self.reload()
        table.focus()

    def reload(self, text: str = "") -> None:
        app: CockpitApp = self.app  # type: ignore[assignment]
        table = self.query_one("#history", DataTable)
        table.clear()
        needle = text.lower()
        for r in approvals.history(app.db.conn, limit=2000):
            fields = (r.received_at, r.status, r.decision or "", r.decided_by or "", r.session_id, r.tool_name,
                      r.summary, r.reason, r.policy)
            if needle and not any(needle in str(f).lower() for f in fields):
                continue
            table.add_row(
                Text(r.received_at.replace("T", " ")[:19]),
                ThemedText(r.status, style=STATUS_STYLE.get(r.status, "")),
                ThemedText(r.decision or "-", style=DECISION_STYLE.get(r.decision or "", "")),
                Text(r.decided_by or "-"),
                Text("" if r.latency_ms is None else f"{r.latency_ms / 1000:.1f}s", justify="right"),
                Text(r.session_id[:8]),
                Text(one_line(r.tool_name, 16)),
                Text(one_line(r.summary, 60)),
                Text(one_line(r.reason, 40)),
            )
        self.sub_title = f"{table.row_count} requests" + (f" matching {text!r}" if text else "")

    def action_back(self) -> None:
        field = self.query_one("#history-filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.reload()
            self.query_one("#history", DataTable).focus()
            return
        self.app.pop_screen()

    def action_filter(self) -> None:
        field = self.query_one("#history-filter", Input)
        field.display = True
        field.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload(event.value.strip())
