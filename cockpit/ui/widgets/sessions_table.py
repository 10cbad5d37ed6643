"""Pane 2: live sessions first, then history. Enter opens the session screen."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker

from cockpit.core.context import band
from cockpit.core.format import cost, pct, tokens
from cockpit.core.health import HealthFlag, changes
from cockpit.core.models import SessionState, SessionView
from cockpit.core.text import one_line
from cockpit.services.health import flatten, nest
from cockpit.store.queries import parse_ts, utc_now
from cockpit.ui.bindings import shown_here
from cockpit.ui.messages import FleetEvent, HealthRead
from cockpit.ui.themes import ThemedText
from cockpit.ui.widgets.picked_row import PickedRowTable
from cockpit.ui.workers import poster
from cockpit.ui.workers.health import read_health

# Numbers first and the title last, so a narrow terminal cuts the text, never a figure.
COLUMNS = ("agent", "state", "health", "ctx", "peak", "tokens", "cost", "active", "project", "issue", "model", "title")
# Time passing makes a stall: the health is read again this often, besides after every change.
HEALTH_SECONDS = 15.0
# Bursts of changes (an agent writing, approvals coming and going) are one read.
HEALTH_DELAY = 1.0
HEALTH_WIDTH = len("! conflict")
BAND_STYLES = ("", "$util-notice", "$util-warn", "$util-high", "bold $util-critical")
# Rows added before the first paint (a screen's worth, with room), then per paint; more than MAX_REMOVALS
# rows gone at once (a filter typed) refill the table instead of removing each (each removal is O(rows)).
FIRST_ROWS = 80
AGE_MARGIN_ROWS = 2  # rows above and below the view whose ages are moved on too
CHUNK_ROWS = 150
MAX_REMOVALS = 40
FILL_SECONDS = 0.05  # between chunks: the screen is painted and keys are read


def ago(ts: str | None, now: datetime) -> str:
    moment = parse_ts(ts)
    if moment is None:
        return "?"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        # Not in seconds: a row whose text changes repaints the whole table (~0.1 s at 2,000 rows), and a
        # session that just stopped would do so at every tick of its first minute.
        return "<1m ago"
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


def health_label(flags: tuple[HealthFlag, ...]) -> str:
    """The health cell: the first flag's kind in words (never a colour alone), "+N" for the others."""
    if not flags:
        return ""
    return f"! {flags[0].kind}" + (f" +{len(flags) - 1}" if len(flags) > 1 else "")


def health_cell(flags: tuple[HealthFlag, ...]) -> Text:
    return ThemedText(health_label(flags), style="bold $warning" if flags else "")


# The table's word for a state where the full one would cost the project its column in an 80-column split (the
# session screen, the gauges and the JSON keep "waiting-approval").
STATE_LABELS = {SessionState.WAITING_APPROVAL: "waiting"}


def row_cells(view: SessionView, now: datetime, bands: tuple[float, ...], issues: tuple[str, ...] = (),
              health: tuple[HealthFlag, ...] = (), depth: int = 0) -> tuple[Text, ...]:
    ctx_pct = view.context.pct if view.context else None
    ctx_style = BAND_STYLES[band(ctx_pct, bands)] if ctx_pct is not None else ""
    peak_style = BAND_STYLES[band(view.peak_pct, bands)]
    total = view.usage.input_tokens + view.usage.output_tokens + view.usage.cache_creation_input_tokens + view.usage.cache_read_input_tokens
    project = view.project.rstrip("/").rsplit("/", 1)[-1] or view.project
    state_style = "bold" if view.live else "dim"
    # A Codex sub-thread sits under its parent, marked as one.
    agent = ("  " * (depth - 1) + "└ " if depth else "") + view.agent.value
    return (
        Text(agent, style=state_style),
        Text(STATE_LABELS.get(view.state, view.state.value), style=state_style),
        health_cell(health),
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
        # The table holds exactly the rows of _order[:_filled], in that order; the rest is added after a paint.
        self._filled = 0
        self._filling = False
        self._now, self._bands = utc_now(), ()  # of the last rows drawn: the chunks that follow use them too
        self.issues: dict[str, tuple[str, ...]] = {}
        self.health: dict[str, tuple[HealthFlag, ...]] = {}  # live session -> its flags, as last read
        self._depth: dict[str, int] = {}  # how deep a sub-thread sits under its parent (0: a session of its own)
        self._drawn: dict[str, tuple[object, ...]] = {}  # what each row was drawn from (`_cells`)
        self._health_worker: Worker[None] | None = None
        self._health_again = False  # a change came while a read was running: read once more after it
        self._health_timer: Any = None
        self._ages_at: datetime | None = None  # when the ages on screen were last moved on

    def on_mount(self) -> None:
        for name in COLUMNS:
            # The health cell changes in place: wide enough from the start for "! conflict".
            self.add_column(name, key=name, width=HEALTH_WIDTH if name == "health" else None)
        app: Any = self.app
        if getattr(app, "live", False):
            # In a live cockpit the health follows the sessions, the approvals and time (tests call check_health).
            self.watch(app, "sessions", lambda _: self.request_health(), init=False)
            self.watch(app, "pending", lambda _: self.request_health(), init=False)
            self.set_interval(HEALTH_SECONDS, self.check_health)
            self.call_after_refresh(self.check_health)
        self.watch(self, "scroll_y", self._scrolled, init=False)

    def _scrolled(self) -> None:
        """Rows scrolled into view show their age as of the last refresh (refresh_ages left them as they were)."""
        if self._ages_at is not None:
            self.refresh_ages(self._ages_at)

    def on_resize(self) -> None:
        self._scrolled()  # a taller pane shows rows whose ages were not moved on

    def show(self, views: list[SessionView], now: datetime, bands: tuple[float, ...]) -> None:
        """These sessions, in this order. Rows already shown are changed in place and moved (one sort), not
        rebuilt: Textual measures every cell of a new row, a second for 2,000 sessions. A first fill adds the
        first FIRST_ROWS before the screen is painted, the rest in chunks, a paint apart (`_fill_more`)."""
        shown = self._order[: self._filled]
        selected = self.selected_session_id
        # Codex sub-threads right under their parent.
        placed = flatten(nest(views, lambda v: v.session_id, lambda v: v.parent_session_id))
        self._depth = {v.session_id: depth for v, depth in placed if depth}
        self._views = {v.session_id: v for v, _ in placed}
        order = list(self._views)
        kept = [sid for sid in shown if sid in self._views]
        rows: dict[str, tuple[Text, ...]] = {}
        if not kept or len(shown) - len(kept) > MAX_REMOVALS:
            self.clear()  # removing many rows one by one costs more than adding them again
            kept = []
        else:
            for sid in shown:
                if sid not in self._views:
                    self.remove_row(sid)
            for sid in kept:
                rows[sid] = self._redraw(sid, self._cells(sid, now, bands))
        position = {sid: i for i, sid in enumerate(order)}
        filled = max([min(FIRST_ROWS, len(order)), *(position[sid] + 1 for sid in kept)])
        added = [sid for sid in order[:filled] if sid not in rows]
        for sid in added:
            rows[sid] = self._cells(sid, now, bands)
            self.add_row(*rows[sid], key=sid)
        self._rows, self._order, self._filled = rows, order, filled
        if len(self._drawn) > len(rows):
            self._drawn = {sid: facts for sid, facts in self._drawn.items() if sid in rows}
        if kept + added != order[:filled]:
            # The cells are the table's own objects: a cell's identity names its row for the sort.
            rank = {id(cells[0]): position[sid] for sid, cells in rows.items()}
            self.sort(COLUMNS[0], key=lambda cell: rank[id(cell)])
        if selected in rows and self.cursor_row != position[selected]:
            self.move_cursor(row=position[selected])
        if filled < len(order) and not self._filling:
            self._filling = True
            self.set_timer(FILL_SECONDS, self._fill_more)

    def _fill_more(self) -> None:
        """The next chunk of a long list, after the screen was painted with what is there."""
        self._filling = False
        for sid in self._order[self._filled : self._filled + CHUNK_ROWS]:
            self._rows[sid] = self._cells(sid, self._now, self._bands)
            self.add_row(*self._rows[sid], key=sid)
        self._filled = min(len(self._order), self._filled + CHUNK_ROWS)
        if self._filled < len(self._order):
            self._filling = True
            self.set_timer(FILL_SECONDS, self._fill_more)

    def _cells(self, sid: str, now: datetime, bands: tuple[float, ...]) -> tuple[Text, ...]:
        """The cells of `sid`'s row. A reload redraws 2,000 rows and few of them changed: when what a row was
        drawn from is the same (the session, its issues, health, depth and the bands), its cells are kept,
        with the age moved on."""
        self._now, self._bands = now, bands
        facts = (self._views[sid], self.issues.get(sid, ()), self.health.get(sid, ()), self._depth.get(sid, 0), bands)
        old = self._rows.get(sid)
        if old is not None and self._drawn.get(sid) == facts:
            column = COLUMNS.index("active")
            text = ago(facts[0].last_activity_at, now)
            return old if old[column].plain == text else (*old[:column], Text(text, justify="right"), *old[column + 1 :])
        self._drawn[sid] = facts
        return row_cells(*facts[:1], now, bands, *facts[1:4])

    def _redraw(self, sid: str, new: tuple[Text, ...]) -> tuple[Text, ...]:
        """The row of `sid` (in the table) showing `new`: the cells that differ are replaced, the others kept."""
        old = self._rows[sid]
        if new is old:
            return old
        cells = list(old)
        for col, (a, b) in enumerate(zip(old, new, strict=True)):
            if a.plain != b.plain or a.style != b.style:
                # A longer value ("waiting-approval" after "idle") widens its column, as a refill would.
                self.update_cell(sid, COLUMNS[col], b, update_width=b.cell_len > a.cell_len)
                cells[col] = b
        return tuple(cells)

    def update_rows(self, views: list[SessionView], now: datetime, bands: tuple[float, ...]) -> None:
        """Redraw rows already shown for these sessions, in place; order changes wait for a full `show`."""
        for view in views:
            if view.session_id not in self._rows:
                continue
            self._views[view.session_id] = view
            self._rows[view.session_id] = self._redraw(view.session_id, self._cells(view.session_id, now, bands))

    def refresh_ages(self, now: datetime) -> None:
        """The "active" ages of the rows on screen, moved on. Any cell changed makes Textual re-measure and repaint
        the whole table (~0.1 s at 2,000 rows), so rows scrolled out of view keep their text until they are
        scrolled back (`_scrolled`): what the screen shows is exact, and an idle dashboard does not repaint 2,000
        rows for ages nobody sees."""
        self._ages_at = now
        column = COLUMNS.index("active")
        top = int(self.scroll_y)
        for sid in self._order[max(0, top - AGE_MARGIN_ROWS) : top + self.size.height + AGE_MARGIN_ROWS]:
            cells = self._rows.get(sid)
            if cells is None:
                continue
            text = ago(self._views[sid].last_activity_at, now)
            if cells[column].plain != text:
                new = Text(text, justify="right")
                self._rows[sid] = (*cells[:column], new, *cells[column + 1 :])
                self.update_cell(sid, "active", new)

    # ---- health ----------------------------------------------------------------------------

    def request_health(self) -> None:
        """Read the health soon: bursts of changes within HEALTH_DELAY are one read."""
        if self._health_timer is None and self.is_mounted:
            self._health_timer = self.set_timer(HEALTH_DELAY, self._health_due)

    def _health_due(self) -> None:
        self._health_timer = None
        self.check_health()

    def check_health(self) -> None:
        """Start one read of the live sessions' health in a thread (one at a time; a later ask runs after)."""
        if self._health_worker is not None and not self._health_worker.is_finished:
            self._health_again = True
            return
        app: Any = self.app
        self._health_again = False
        self._health_worker = app.start_worker(
            partial(read_health, app.db_path, app.clock(), app.settings.live_minutes, app.settings.health,
                    app.roots_filter, poster(self)),
            group="health", what="checking the sessions' health")

    def on_health_read(self, message: HealthRead) -> None:
        """New flags: one toast, one log line and a FleetEvent for each that began; a log line and the
        withdrawing FleetEvent for each that ended; the health cells and an open session screen redrawn."""
        message.stop()
        if self._health_again:
            self.call_later(self.check_health)
        if not self.app.is_running:
            return
        app: Any = self.app
        health = dict(message.health)
        started, ended = changes(self.health, health)
        changed = {sid for sid in self.health.keys() | health.keys() if self.health.get(sid, ()) != health.get(sid, ())}
        self.health = health
        if started:
            # One toast for the flags one read found, a short line each (the log and the pane have the detail):
            # at 80×24 a toast per flag, each with its detail, covered the dashboard.
            lines = [f"{flag.kind} · {self._who(sid, title=False)}" for sid, flag in started]
            body = "\n".join(lines[:3] + ([f"and {len(lines) - 3} more"] if len(lines) > 3 else []))
            app.notify(body, title="health (pane 2)", severity="warning", markup=False, timeout=6)
        for sid, flag in started:
            app.log_event(f"health: {self._who(sid)}: {flag.kind}: {flag.detail}", "bold $warning")
            self._fleet_event(sid, flag, active=True)
        for sid, flag in ended:
            app.log_event(f"health: {self._who(sid)}: {flag.kind} cleared", "dim")
            self._fleet_event(sid, flag, active=False)
        column = COLUMNS.index("health")
        for sid in changed:
            cells = self._rows.get(sid)
            if cells is not None:
                new = health_cell(health.get(sid, ()))
                if new.plain != cells[column].plain or new.style != cells[column].style or new.spans != cells[column].spans:
                    # Only a cell that looks different: any change repaints the whole table (~0.1 s at 2,000 rows).
                    self._rows[sid] = (*cells[:column], new, *cells[column + 1 :])
                    self.update_cell(sid, "health", new)
        for screen in self.app.screen_stack:
            # The session screen lists its session's flags (duck-typed: that screen imports this module).
            redraw = getattr(screen, "health_changed", None)
            if changed and callable(redraw):
                redraw(changed)

    def _who(self, session_id: str, *, title: bool = True) -> str:
        view = self._views.get(session_id)
        title = one_line(view.title, 40) if title and view and view.title else ""
        agent = f"{view.agent.value} " if view else ""
        return f"{agent}{session_id[:8]}" + (f" ({title})" if title else "")

    def _fleet_event(self, session_id: str, flag: HealthFlag, *, active: bool) -> None:
        view = self._views.get(session_id)
        self.screen.post_message(FleetEvent(
            "health", flag.key(session_id), active=active, session_id=session_id,
            title=view.title if view else "", detail=f"{flag.kind}: {flag.detail}",
            data={**flag.as_json(), "agent": view.agent.value if view else "", "project": view.project if view else ""},
        ))

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
