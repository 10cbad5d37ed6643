"""Pane 5, top: requests waiting for a human, oldest first. Enter or `a` opens the decision modal."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.text import one_line
from cockpit.store.approvals import Request
from cockpit.store.queries import parse_ts
from cockpit.ui.bindings import shown_here
from cockpit.ui.themes import ThemedText

# What to decide on first: in an 80-column split the request is whole and the project is what gets cut.
COLUMNS = ("waiting", "agent", "session", "tool", "request", "policy", "project")


def waited(received_at: str, now: datetime) -> str:
    start = parse_ts(received_at)
    if start is None:
        return "?"
    seconds = max(0, int((now - start).total_seconds()))
    return f"{seconds}s" if seconds < 120 else f"{seconds // 60}m{seconds % 60:02d}s"


class ApprovalsTable(DataTable[Text]):
    BINDINGS = [
        Binding("enter,a", "open_request", "Decide", id="open-approval", tooltip="Open the selected request to decide"),
        shown_here("approval-history"),
    ]

    class RequestOpened(Message):
        def __init__(self, request_id: int) -> None:
            super().__init__()
            self.request_id = request_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self.requests: list[Request] = []

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)
        self.display = False

    def show(self, requests: list[Request], projects: dict[str, str], now: datetime) -> None:
        selected = self.selected_request_id
        self.requests = requests
        self.clear()
        for r in requests:
            project = projects.get(r.session_id) or r.cwd
            self.add_row(
                ThemedText(waited(r.received_at, now), style="bold $warning", justify="right"),
                Text(r.agent),
                Text(r.session_id[:8]),
                Text(one_line(r.tool_name, 20)),
                Text(one_line(r.summary, 80)),
                Text(one_line(r.policy, 30)),
                Text(one_line(project.rstrip("/").rsplit("/", 1)[-1], 20)),
                key=str(r.id),
            )
        ids = [r.id for r in requests]
        if selected in ids:
            self.move_cursor(row=ids.index(selected))
        self.display = bool(requests)

    def refresh_waited(self, now: datetime) -> None:
        for r in self.requests:
            self.update_cell(str(r.id), "waiting", ThemedText(waited(r.received_at, now), style="bold $warning", justify="right"))

    @property
    def selected_request_id(self) -> int | None:
        if not self.requests or not 0 <= self.cursor_row < len(self.requests):
            return None
        return self.requests[self.cursor_row].id

    def action_open_request(self) -> None:
        # While the list is being redrawn there is no cursor row: the oldest request is the one to answer.
        rid = self.selected_request_id
        if rid is None and self.requests:
            rid = self.requests[0].id
        if rid is not None:
            self.post_message(self.RequestOpened(rid))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.RequestOpened(int(event.row_key.value)))
