"""Pane 3: the beads queue as `bd ready` computes it: ready first, then in progress, then blocked.

A queue can hold tens of thousands of issues; the table holds one page of them. `]` and `[` turn pages (so
do the arrows past the last or first row), `f` narrows to one queue; the title says where the page is.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.beads import Blocked, Queue
from cockpit.core.format import age
from cockpit.core.text import one_line
from cockpit.ui.bindings import shown_here
from cockpit.ui.themes import ThemedText
from cockpit.ui.widgets.fit import fill_table
from cockpit.ui.widgets.picked_row import PickedRowTable

COLUMNS = ("", "P", "type", "id", "title", "age", "who / blocked by")
# When the pane is narrow, these give room to the title: blockers, then the type.
CAPS = {6: 14, 2: 4}
QUEUE_STYLE = {"ready": "bold $success", "in progress": "bold $primary", "blocked": "$error"}
# One cell per queue: the pane shares its row with the gates. The subtitle spells them out.
QUEUE_MARK = {"ready": "○", "in progress": "▶", "blocked": "✖"}
# What `f` steps through: every queue in order, then each alone.
VIEWS = ("all", "ready", "in progress", "blocked")
PAGE_ROWS = 100
TITLE = "3 Issues"


def queue_entries(queue: Queue, view: str = "all") -> list[tuple[str, str]]:
    """(issue id, queue) in the pane's order. An issue in progress can be blocked too: it is listed once,
    where the user works on it."""
    entries: list[tuple[str, str]] = []
    if view in ("all", "ready"):
        entries += [(i, "ready") for i in queue.ready]
    if view in ("all", "in progress"):
        entries += [(i, "in progress") for i in queue.in_progress]
    if view in ("all", "blocked"):
        working = set(queue.in_progress) if view == "all" else set()
        entries += [(b.id, "blocked") for b in queue.blocked if b.id not in working]
    return entries


class IssuesTable(PickedRowTable):
    BORDER_TITLE = TITLE
    BINDINGS = [
        Binding("enter", "open_issue", "Issue", id="open-issue", tooltip="Open the selected issue"),
        Binding("right_square_bracket", "turn_page(1)", "Next page", id="issues-next-page", show=False,
                tooltip="Show the next page of issues"),
        Binding("left_square_bracket", "turn_page(-1)", "Previous page", id="issues-previous-page", show=False,
                tooltip="Show the previous page of issues"),
        Binding("f", "cycle_view", "Queue", id="issues-queue",
                tooltip="Show every queue, or only the ready, in-progress or blocked issues"),
        shown_here("run-premortem"),
    ]

    class IssueOpened(Message):
        def __init__(self, issue_id: str) -> None:
            super().__init__()
            self.issue_id = issue_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._ids: list[str] = []
        self._rows: list[tuple[str, tuple[Text, ...]]] = []
        self._queue: Queue | None = None
        self._now: datetime | None = None
        self._entries: list[tuple[str, str]] = []
        self._blocked: dict[str, Blocked] = {}
        self.page = 0
        self.view = "all"

    def on_resize(self) -> None:
        if self._rows:
            row = self.cursor_row
            fill_table(self, COLUMNS, self._rows, flex=COLUMNS.index("title"), caps=CAPS)
            self.move_cursor(row=row)

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._entries) // PAGE_ROWS))

    @property
    def total(self) -> int:
        """How many issues the current view lists over all its pages."""
        return len(self._entries)

    def show(self, queue: Queue, now: datetime) -> None:
        """Show `queue` at the current page and view; the selected issue stays selected when it is still on it."""
        if queue is not self._queue:
            self._blocked = {b.id: b for b in queue.blocked}
            self._entries = queue_entries(queue, self.view)
        self._queue, self._now = queue, now
        self._render_page(keep=self.selected_issue_id)

    def _render_page(self, keep: str | None = None, row: int | None = None) -> None:
        queue, now = self._queue, self._now
        if queue is None or now is None:
            return
        self.page = min(self.page, self.pages - 1)
        start = self.page * PAGE_ROWS
        rows: list[tuple[str, tuple[Text, ...]]] = []
        for issue_id, where in self._entries[start:start + PAGE_ROWS]:
            issue = queue.issues.get(issue_id)
            if issue is None:
                continue
            blocked = self._blocked.get(issue_id)
            blockers = ", ".join(blocked.blocked_by) if blocked else ""
            who = " ".join(part for part in (issue.assignee, f"<- {blockers}" if blockers else "") if part)
            rows.append((issue_id, (
                ThemedText(QUEUE_MARK[where], style=QUEUE_STYLE[where]),
                Text(f"P{issue.priority}", style="bold" if issue.priority <= 1 else ""),
                Text(one_line(issue.issue_type, 10)),
                Text(one_line(issue_id, 40)),
                Text(one_line(issue.title, 70)),
                Text(age(issue.created_at, now), justify="right"),
                Text(one_line(who, 40)),
            )))
        # Widths from the content, header included: rows arriving after the first paint must not leave
        # the header at its old widths.
        self._rows = rows
        fill_table(self, COLUMNS, rows, flex=COLUMNS.index("title"), caps=CAPS)
        self._ids = [key for key, _ in rows]
        self.border_title = self._title()
        if keep in self._ids:
            self.move_cursor(row=self._ids.index(keep))
        elif row is not None and self._ids:
            self.move_cursor(row=min(row, len(self._ids) - 1))

    def _title(self) -> str:
        which = "" if self.view == "all" else f"{self.view} "
        if not self._entries:
            return f"{TITLE} · {which}none" if which else TITLE
        if self.pages == 1 and not which:
            return TITLE
        start = self.page * PAGE_ROWS
        end = min(start + PAGE_ROWS, len(self._entries))
        return f"{TITLE} · {which}{start + 1:,}–{end:,} of {len(self._entries):,}"

    @property
    def selected_issue_id(self) -> str | None:
        if not self._ids or not 0 <= self.cursor_row < len(self._ids):
            return None
        return self._ids[self.cursor_row]

    def action_turn_page(self, step: int, row: int = 0) -> None:
        page = min(max(self.page + step, 0), self.pages - 1)
        if page != self.page:
            self.page = page
            self._render_page(row=row)

    def action_cycle_view(self) -> None:
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        self.page = 0
        if self._queue is not None:
            self._entries = queue_entries(self._queue, self.view)
        self._render_page(row=0)

    def action_cursor_down(self) -> None:
        if self._ids and self.cursor_row >= len(self._ids) - 1 and self.page + 1 < self.pages:
            self.action_turn_page(1, row=0)
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self._ids and self.cursor_row <= 0 and self.page > 0:
            self.action_turn_page(-1, row=PAGE_ROWS - 1)
        else:
            super().action_cursor_up()

    def picked_issue_id(self) -> str | None:
        """The highlighted issue when the user chose it (moved the cursor or clicked), else None."""
        return self.selected_issue_id if self.picked_by_user else None

    def action_open_issue(self) -> None:
        if self.selected_issue_id:
            self.post_message(self.IssueOpened(self.selected_issue_id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.IssueOpened(event.row_key.value))
