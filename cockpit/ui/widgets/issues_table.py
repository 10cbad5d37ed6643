"""Pane 3: the beads queue as `bd ready` computes it: ready first, then in progress, then blocked."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.beads import Queue
from cockpit.core.format import age
from cockpit.core.text import one_line
from cockpit.ui.widgets.fit import fill_table

COLUMNS = ("", "P", "type", "id", "title", "age", "who / blocked by")
# When the pane is narrow, these give room to the title: blockers, then the type.
CAPS = {6: 14, 2: 4}
QUEUE_STYLE = {"ready": "bold green", "in progress": "bold cyan", "blocked": "red"}
# One cell per queue: the pane shares its row with the gates. The subtitle spells them out.
QUEUE_MARK = {"ready": "○", "in progress": "▶", "blocked": "✖"}


class IssuesTable(DataTable[Text]):
    BORDER_TITLE = "3 Issues"
    BINDINGS = [Binding("enter", "open_issue", "Issue", id="open-issue", tooltip="Open the selected issue")]

    class IssueOpened(Message):
        def __init__(self, issue_id: str) -> None:
            super().__init__()
            self.issue_id = issue_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._ids: list[str] = []
        self._rows: list[tuple[str, tuple[Text, ...]]] = []

    def on_resize(self) -> None:
        if self._rows:
            row = self.cursor_row
            fill_table(self, COLUMNS, self._rows, flex=COLUMNS.index("title"), caps=CAPS)
            self.move_cursor(row=row)

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)

    def show(self, queue: Queue, now: datetime) -> None:
        selected = self.selected_issue_id
        blockers_of = {b.id: ", ".join(b.blocked_by) for b in queue.blocked}
        entries: list[tuple[str, str, str]] = [(i, "ready", "") for i in queue.ready]
        entries += [(i, "in progress", "") for i in queue.in_progress]
        entries += [(b.id, "blocked", ", ".join(b.blocked_by)) for b in queue.blocked]
        rows: list[tuple[str, tuple[Text, ...]]] = []
        seen: set[str] = set()
        for issue_id, where, blockers in entries:
            issue = queue.issues.get(issue_id)
            # An issue in progress can be blocked too: it is listed once, where the user works on it.
            if issue is None or issue_id in seen:
                continue
            seen.add(issue_id)
            if where == "in progress" and issue_id in blockers_of:
                blockers = blockers_of[issue_id]
            who = " ".join(part for part in (issue.assignee, f"<- {blockers}" if blockers else "") if part)
            rows.append((issue_id, (
                Text(QUEUE_MARK[where], style=QUEUE_STYLE[where]),
                Text(f"P{issue.priority}", style="bold" if issue.priority <= 1 else ""),
                Text(one_line(issue.issue_type, 10)),
                Text(issue_id),
                Text(one_line(issue.title, 70)),
                Text(age(issue.created_at, now), justify="right"),
                Text(one_line(who, 40)),
            )))
        # Widths from the content, header included: rows arriving after the first paint must not leave
        # the header at its old widths.
        self._rows = rows
        fill_table(self, COLUMNS, rows, flex=COLUMNS.index("title"), caps=CAPS)
        self._ids = [key for key, _ in rows]
        if selected in self._ids:
            self.move_cursor(row=self._ids.index(selected))

    @property
    def selected_issue_id(self) -> str | None:
        if not self._ids or not 0 <= self.cursor_row < len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def action_open_issue(self) -> None:
        if self.selected_issue_id:
            self.post_message(self.IssueOpened(self.selected_issue_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.IssueOpened(event.row_key.value))
