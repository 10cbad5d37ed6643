"""Pane 3: the beads queue as `bd ready` computes it: ready first, then in progress, then blocked."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.beads import Queue
from cockpit.core.text import one_line

COLUMNS = ("queue", "P", "type", "id", "title", "age", "who / blocked by")
QUEUE_STYLE = {"ready": "bold green", "in progress": "bold cyan", "blocked": "red"}


def age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "?"
    seconds = max(0, int((now - moment).total_seconds()))
    for size, unit in ((604800, "w"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


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
                Text(where, style=QUEUE_STYLE[where]),
                Text(f"P{issue.priority}", style="bold" if issue.priority <= 1 else ""),
                Text(one_line(issue.issue_type, 10)),
                Text(issue_id),
                Text(one_line(issue.title, 70)),
                Text(age(issue.created_at, now), justify="right"),
                Text(one_line(who, 40)),
            )))
        # Widths from the content, header included: rows arriving after the first paint must not leave
        # the header at its old widths.
        self.clear(columns=True)
        for index, name in enumerate(COLUMNS):
            width = max([len(name), *(cells[index].cell_len for _, cells in rows)])
            self.add_column(name, key=name, width=width)
        self._ids = []
        for issue_id, cells in rows:
            self.add_row(*cells, key=issue_id)
            self._ids.append(issue_id)
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
