"""The dashboard's five panes, laid out for the terminal they are in.

cockpit runs in a split beside the agent's terminal. Tall enough (ZOOM_ROWS and up, 120×40 say) the panes
are stacked and scroll: a pane key brings its whole pane into view. Shorter (80×24, 100×30) stacked panes
would leave the focused one a few rows, so one pane shows at a time and fills the space; the pane strip
above it (ui/widgets/pane_tabs.py) names the others. `z` overrides the choice. Either way the focus and
the pane shown agree, however the focus moved (a key, a click, Tab, a screen closing).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget

from cockpit.core.context import DEFAULT_BANDS
from cockpit.ui.widgets.approvals_table import ApprovalsTable
from cockpit.ui.widgets.context_pane import ContextPane
from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.widgets.inbox_pane import InboxPane
from cockpit.ui.widgets.issues_pane import IssuesPane
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.pane_tabs import PANES, PaneTabs
from cockpit.ui.widgets.sessions_table import SessionsTable

# Below this many rows one pane shows at a time: stacked, the focused pane would get only a few rows.
ZOOM_ROWS = 36
# Side by side the issue and gate panes need ~120 columns to show a title; below that they stack.
NARROW_COLUMNS = 120
PANE_IDS = frozenset(pane.pane_id for pane in PANES)


class Panes(VerticalScroll, can_focus=False):
    def __init__(self, bands: tuple[float, ...] = DEFAULT_BANDS, **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.bands = bands
        self.zoomed = "sessions-pane"  # the pane shown when one shows at a time
        self.zoom_choice: bool | None = None  # `z`: the user's choice; None follows the terminal's height

    def compose(self) -> ComposeResult:
        yield ContextPane(self.bands, id="context-pane", classes="pane")
        yield SessionsTable(id="sessions-pane", classes="pane")
        with Horizontal(id="work-row"):
            yield IssuesPane(id="issues-pane", classes="pane")
            yield GatesTable(id="gates-pane", classes="pane")
        yield InboxPane(id="inbox-pane", classes="pane")

    @property
    def zoom(self) -> bool:
        return self.zoom_choice if self.zoom_choice is not None else self.screen.size.height < ZOOM_ROWS

    def layout_panes(self) -> None:
        """Zoomed: only `self.zoomed` shows and the screen gets `-zoom` (the strip shows, the repository line
        keeps one row). Stacked: every pane shows."""
        zoom, screen = self.zoom, self.screen
        screen.set_class(zoom, "-zoom")
        self.query_one("#work-row").set_class(screen.size.width < NARROW_COLUMNS, "-narrow")
        for pane_id in PANE_IDS:
            self.query_one(f"#{pane_id}").display = not zoom or pane_id == self.zoomed
        self.query_one("#work-row").display = not zoom or self.zoomed in ("issues-pane", "gates-pane")
        self.show_tabs()
        self.call_after_refresh(self.show_context_line)

    def on_mount(self) -> None:
        self.watch(self.query_one(ContextPane), "virtual_size", self._sizes_changed, init=False)

    def on_resize(self) -> None:
        self._sizes_changed()

    def watch_virtual_size(self) -> None:
        self._sizes_changed()

    def _sizes_changed(self, *_args: object) -> None:
        self.call_after_refresh(self.show_context_line)

    def show_context_line(self) -> None:
        """The context line shows whenever a gauge may be out of sight: zoomed, stacked panes that scroll, or
        more gauges than pane 1 holds, or a plan quota to show. Otherwise the gauges themselves show and the line
        would only take a row from them. (Hidden only when the panes fit without it: showing it never makes them fit, so the
        choice is stable.)"""
        if not self.is_attached:
            return
        line = self.screen.query_one("#context-summary")
        overflow = self.virtual_size.height - self.size.height
        gauges_hidden = self.query_one(ContextPane).max_scroll_y > 0
        report = getattr(line, "report", None)  # the plan quota lives on this line
        quota_known = report is not None and (report.claude is not None or report.codex is not None)
        wanted = self.zoom or gauges_hidden or quota_known or overflow > (1 if line.display else 0)
        if wanted != line.display:
            line.display = wanted

    def show_tabs(self) -> None:
        self.screen.query_one(PaneTabs).show(self.zoomed, len(self.app.pending))  # type: ignore[attr-defined]

    def focus_pane(self, pane_id: str) -> None:
        """Show `pane_id` (whole, border and title included) and focus it; pane 5 focuses its requests when
        there are any, else the log. The focus is set now, not scheduled: a key typed right after the digit
        must reach the pane."""
        self.zoomed = pane_id
        self.layout_panes()
        target: Widget = self.query_one(f"#{pane_id}")
        if pane_id == "inbox-pane":
            table = self.query_one(ApprovalsTable)
            target = table if table.display else self.query_one(LogPane)
        self.screen.set_focus(target, scroll_visible=False)
        self.bring_into_view()

    def bring_into_view(self) -> None:
        if self.zoom:
            self.scroll_home(animate=False)
        else:
            self.scroll_to_widget(self.query_one(f"#{self.zoomed}"), animate=False)

    def toggle_zoom(self) -> bool:
        """`z`: the other layout, kept until pressed again. True when zoomed now."""
        self.zoom_choice = not self.zoom
        self.layout_panes()
        self.call_after_refresh(self.bring_into_view)  # once the panes shown have their sizes
        return self.zoom

    def pane_of(self, widget: Widget) -> str | None:
        """The id of the pane holding `widget`, if any."""
        for node in (widget, *widget.ancestors):
            if node.id in PANE_IDS:
                return node.id
        return None

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is not self.screen.focused:
            return  # the focus moved on before this message arrived
        pane = self.pane_of(event.widget)
        if pane is not None and pane != self.zoomed:
            self.zoomed = pane
            if self.zoom:
                self.layout_panes()
