"""Pane 2: live sessions first, then history. Enter opens the session screen."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.context import band
from cockpit.core.format import cost, pct, tokens
from cockpit.core.models import SessionView
from cockpit.core.text import one_line
from cockpit.store.queries import parse_ts
from cockpit.ui.bindings import shown_here
from cockpit.ui.themes import ThemedText
from cockpit.ui.widgets.picked_row import PickedRowTable

# Numbers first and the title last, so a narrow terminal cuts the text, never a figure.
COLUMNS = ("agent", "state", "ctx", "peak", "tokens", "cost", "active", "project", "issue", "model", "title")
BAND_STYLES = ("", "$util-notice", "$util-warn", "$util-high", "bold $util-critical")


def ago(ts: str | None, now: datetime) -> str:
    moment = parse_ts(ts)
    if moment is None:
        return "?"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    if seconds < 86400:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"


def short_model(model: str) -> str:
    """claude-sonnet-4-5-20250929 -> sonnet-4-5: the family is what a user scans for."""
    name = model.removeprefix("claude-")
    head, _, tail = name.rpartition("-")
    return head if tail.isdigit() and len(tail) == 8 else name


def issue_label(ids: tuple[str, ...]) -> str:
    """The issue a session works on; `tp-1 +2` when it is linked to three."""
    if not ids:
        return ""
    return ids[0] if len(ids) == 1 else f"{ids[0]} +{len(ids) - 1}"


def row_cells(view: SessionView, now: datetime, bands: tuple[float, ...], issues: tuple[str, ...] = ()) -> tuple[Text, ...]:
    ctx_pct = view.context.pct if view.context else None
    ctx_style = BAND_STYLES[band(ctx_pct, bands)] if ctx_pct is not None else ""
    peak_style = BAND_STYLES[band(view.peak_pct, bands)]
    total = view.usage.input_tokens + view.usage.output_tokens + view.usage.cache_creation_input_tokens + view.usage.cache_read_input_tokens
    project = view.project.rstrip("/").rsplit("/", 1)[-1] or view.project
    state_style = "bold" if view.live else "dim"
    return (
        Text(view.agent.value, style=state_style),
        Text(view.state.value, style=state_style),
        ThemedText(pct(ctx_pct) if ctx_pct is not None else "-", style=ctx_style, justify="right"),
        ThemedText(pct(view.peak_pct), style=peak_style, justify="right"),
        Text(tokens(total), justify="right"),
        Text(cost(view.cost_usd), justify="right"),
        Text(ago(view.last_activity_at, now), justify="right"),
        Text(one_line(project, 24)),
        ThemedText(one_line(issue_label(issues), 18), style="$primary"),
        Text(short_model(view.model)),
        Text(one_line(view.title, 60)),
    )


class SessionsTable(PickedRowTable):
    BORDER_TITLE = "2 Sessions"
    BINDINGS = [
        Binding("enter", "open_session", "Open", id="open-session", tooltip="Open the selected session's timeline"),
        Binding("slash", "screen.filter", "Filter", id="filter-sessions", tooltip="Filter sessions by text, prompt or title"),
        shown_here("run-retro"), shown_here("draft-handoff"),
    ]

    class SessionOpened(Message):
        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self._rows: dict[str, tuple[Text, ...]] = {}
        self._views: dict[str, SessionView] = {}
        self._order: list[str] = []
        self.issues: dict[str, tuple[str, ...]] = {}

    def on_mount(self) -> None:
        for name in COLUMNS:
            self.add_column(name, key=name)

    def show(self, views: list[SessionView], now: datetime, bands: tuple[float, ...]) -> None:
        rows = {v.session_id: row_cells(v, now, bands, self.issues.get(v.session_id, ())) for v in views}
        order = [v.session_id for v in views]
        if order != self._order:
            selected = self.selected_session_id
            self.clear()
            for sid in order:
                self.add_row(*rows[sid], key=sid)
            if selected in rows:
                self.move_cursor(row=order.index(selected))
        else:
            for sid in order:
                old = self._rows.get(sid)
                new = rows[sid]
                if old is None:
                    continue
                for col, (a, b) in enumerate(zip(old, new, strict=True)):
                    if a.plain != b.plain or a.style != b.style:
                        self.update_cell(sid, COLUMNS[col], b)
        self._rows = rows
        self._order = order
        self._views = {v.session_id: v for v in views}

    def update_rows(self, views: list[SessionView], now: datetime, bands: tuple[float, ...]) -> None:
        """Redraw rows already shown for these sessions, in place; order changes wait for a full `show`."""
        for view in views:
            old = self._rows.get(view.session_id)
            if old is None:
                continue
            new = row_cells(view, now, bands, self.issues.get(view.session_id, ()))
            for col, (a, b) in enumerate(zip(old, new, strict=True)):
                if a.plain != b.plain or a.style != b.style:
                    self.update_cell(view.session_id, COLUMNS[col], b)
            self._rows[view.session_id] = new
            self._views[view.session_id] = view

    def refresh_ages(self, now: datetime) -> None:
        for sid, view in self._views.items():
            cells = self._rows.get(sid)
            if cells is None:
                continue
            text = ago(view.last_activity_at, now)
            column = COLUMNS.index("active")
            if cells[column].plain != text:
                new = Text(text, justify="right")
                self._rows[sid] = (*cells[:column], new, *cells[column + 1 :])
                self.update_cell(sid, "active", new)

    @property
    def selected_session_id(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= len(self._order):
            return None
        return self._order[self.cursor_row]

    def picked_session(self) -> SessionView | None:
        """The highlighted session when the user chose it (moved the cursor or clicked), else None."""
        sid = self.selected_session_id if self.picked_by_user else None
        return self._views.get(sid) if sid else None

    def action_open_session(self) -> None:
        sid = self.selected_session_id
        if sid:
            self.post_message(self.SessionOpened(sid))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.post_message(self.SessionOpened(event.row_key.value))
