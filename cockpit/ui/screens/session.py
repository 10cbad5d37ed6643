"""One session's timeline: every API call with its context %, tool calls, compactions, subagents; its health
(loop, stall, conflict) under the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static, TabbedContent, TabPane

from cockpit.core.context import autocompact_tokens, band
from cockpit.core.format import age, cost, forecast_text, pct, tokens
from cockpit.core.health import HealthFlag
from cockpit.core.models import SessionView
from cockpit.core.text import one_line
from cockpit.services.health import session_health
from cockpit.store.queries import get_session, parse_ts, session_calls, session_subagents, session_tools
from cockpit.ui.themes import ThemedText, themed
from cockpit.ui.widgets.sessions_table import BAND_STYLES

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


def _clock(ts: str | None) -> str:
    return ts[11:19] if ts and len(ts) >= 19 else "?"


class SessionScreen(Screen[None]):
    # Priority: the focused table would take ← / → to scroll sideways; shift+← / → still do that.
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the dashboard"),
        Binding("left", "switch_tab(-1)", "Previous tab", id="previous-tab", priority=True, key_display="←",
                tooltip="The previous tab: calls, tools, compactions, subagents"),
        Binding("right", "switch_tab(1)", "Next tab", id="next-tab", priority=True, key_display="→",
                tooltip="The next tab: calls, tools, compactions, subagents"),
        Binding("shift+left", "scroll_table(-1)", "Scroll left", id="scroll-table-left", show=False,
                tooltip="Scroll the table to the left"),
        Binding("shift+right", "scroll_table(1)", "Scroll right", id="scroll-table-right", show=False,
                tooltip="Scroll the table to the right"),
    ]

    def __init__(self, session_id: str) -> None:
        super().__init__()
        self.session_id = session_id
        self._view: SessionView | None = None
        self._summary = Text()  # the summary without its Health line(s)

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="session-summary")
        with TabbedContent(id="session-tabs"):
            with TabPane("Calls", id="tab-calls"):
                yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
            with TabPane("Tools", id="tab-tools"):
                yield DataTable(id="tools", cursor_type="row", zebra_stripes=True)
            with TabPane("Compactions", id="tab-compactions"):
                yield DataTable(id="compactions", cursor_type="row")
            with TabPane("Subagents", id="tab-subagents"):
                yield DataTable(id="subagents", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#calls", DataTable).add_columns("time", "model", "context", "ctx %", "output", "thread")
        self.query_one("#tools", DataTable).add_columns("started", "tool", "duration", "result", "thread", "input")
        self.query_one("#compactions", DataTable).add_columns("time", "trigger", "tokens before")
        self.query_one("#subagents", DataTable).add_columns("agent id", "model", "calls", "peak context", "file")
        self.reload()
        self.query_one("#calls", DataTable).focus()

    def action_switch_tab(self, step: int) -> None:
        """The next or previous tab, its table focused, whichever widget had the focus."""
        tabs = self.query_one(TabbedContent)
        ids = [pane.id for pane in tabs.query(TabPane) if pane.id]
        current = ids.index(tabs.active) if tabs.active in ids else 0
        tabs.active = ids[(current + step) % len(ids)]
        self.query_one(f"#{tabs.active} DataTable", DataTable).focus()

    def action_scroll_table(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        table = self.query_one(f"#{tabs.active} DataTable", DataTable)
        table.scroll_relative(x=step * max(8, table.size.width // 2), animate=False)

    def health_changed(self, session_ids: set[str]) -> None:
        """The sessions pane read new health flags: redraw if this session's changed."""
        if self.session_id in session_ids or (self._view is not None and self._view.session_id in session_ids):
            self._show_summary()

    def _health_text(self) -> Text:
        """The Health section: each flag with when it began and its detail (untrusted text: plain Text)."""
        app = self.cockpit
        view = self._view
        text = Text("health ", style="bold")
        if view is None or not view.live:
            text.append("not checked: the session is not live", style="dim")
            return text
        now = app.clock()
        flags: tuple[HealthFlag, ...] = session_health(
            app.db, now, app.settings.live_minutes, app.settings.health, app.roots_filter).get(view.session_id, ())
        if not flags:
            text.append("no loop, stall or conflict")
        for i, flag in enumerate(flags):
            if i:
                text.append("\n       ")
            text.append(f"! {flag.kind}", style="bold $warning")
            text.append(f" since {_clock(flag.since)} ({age(parse_ts(flag.since), now)} ago): {one_line(flag.detail, 300)}")
        return text

    def _show_summary(self) -> None:
        text = self._summary.copy()
        text.append("\n")
        text.append_text(self._health_text())
        self.query_one("#session-summary", Static).update(themed(text))

    def reload(self) -> None:
        """Redraw from the store, keeping each table's cursor and scroll where the user left them."""
        kept = {
            table.id: (table.cursor_coordinate, table.scroll_offset)
            for table in self.query(DataTable)
            if table.row_count
        }
        self._fill()
        for table in self.query(DataTable):
            if table.id in kept and table.row_count:
                coordinate, offset = kept[table.id]
                table.move_cursor(row=min(coordinate.row, table.row_count - 1), column=coordinate.column, scroll=False)
                table.scroll_to(offset.x, offset.y, animate=False)

    def _fill(self) -> None:
        app = self.cockpit
        view = get_session(app.db, self.session_id, now=app.clock(), live_minutes=app.settings.live_minutes)
        self._view = view
        summary = self.query_one("#session-summary", Static)
        if view is None:
            summary.update(Text(f"session {self.session_id} is not in the database"))
            return
        self.title = f"{view.agent.value} session {view.session_id[:8]}"
        window = view.context.window if view.context else 200_000
        bands = app.settings.bands
        text = Text(no_wrap=False)
        text.append(one_line(view.title, 200) or "(untitled)", style="bold")
        text.append("\n")
        text.append(f"{view.agent.value} · {view.model} · {view.state.value} · {one_line(view.project, 120)}")
        if view.branch:
            text.append(f" @ {one_line(view.branch, 60)}")
        text.append("\n")
        if view.context:
            ctx = view.context
            text.append(f"context {pct(ctx.pct)} ({tokens(ctx.prompt_tokens)} of {tokens(ctx.window)}", style=BAND_STYLES[band(ctx.pct, bands)])
            text.append(f"{', window assumed' if ctx.window_source.assumed else ''}, source {ctx.window_source.value})")
            text.append(f" · auto-compact ≈{tokens(autocompact_tokens(ctx.window, view.agent))} · {forecast_text(view, bands[0])}")
            text.append("\n")
        u = view.usage
        text.append(
            f"peak {pct(view.peak_pct)} · {len(view.compactions)} compaction(s) · {view.subagents} subagent(s) · "
            f"in {tokens(u.input_tokens)} out {tokens(u.output_tokens)} cache write {tokens(u.cache_creation_input_tokens)}"
            f" cache read {tokens(u.cache_read_input_tokens)} · cost {cost(view.cost_usd)}"
            + (f" · {view.skipped_lines} skipped lines" if view.skipped_lines else "")
        )
        self._summary = text
        self._show_summary()

        calls = self.query_one("#calls", DataTable)
        calls.clear()
        pending = list(view.compactions)
        for call in session_calls(app.db, view.session_id):
            while pending and pending[0].at <= call.ts:
                c = pending.pop(0)
                before = "?" if c.pre_tokens is None else f"{c.pre_tokens:,}"
                reset = "bold $util-critical"
                calls.add_row(ThemedText(_clock(c.at), style=reset), ThemedText(f"── {c.trigger} compaction ──", style=reset),
                              ThemedText(before, style=reset, justify="right"), Text(""), Text(""), Text("context reset"))
            share = 100.0 * call.context_tokens / window if window else 0.0
            calls.add_row(
                Text(_clock(call.ts)), Text(call.model), Text(f"{call.context_tokens:,}", justify="right"),
                ThemedText("" if call.sidechain else pct(share), style="" if call.sidechain else BAND_STYLES[band(share, bands)], justify="right"),
                Text(f"{call.output_tokens:,}", justify="right"), Text(f"subagent {call.agent_id}" if call.sidechain else "main"),
            )
        tools = self.query_one("#tools", DataTable)
        tools.clear()
        for tool in session_tools(app.db, view.session_id):
            duration = tool.duration_s
            result = "running" if tool.finished_at is None else ("error" if tool.is_error else "ok")
            tools.add_row(
                Text(_clock(tool.started_at)), Text(tool.name), Text("" if duration is None else f"{duration:.1f}s", justify="right"),
                ThemedText(result, style="$error" if tool.is_error else ""), Text(tool.agent_id or "main"), Text(one_line(tool.summary, 120)),
            )
        comps = self.query_one("#compactions", DataTable)
        comps.clear()
        for c in view.compactions:
            comps.add_row(Text(c.at), Text(c.trigger), Text("?" if c.pre_tokens is None else f"{c.pre_tokens:,}", justify="right"))
        subs = self.query_one("#subagents", DataTable)
        subs.clear()
        for s in session_subagents(app.db, view.session_id):
            label = f"{s.agent_id} (compaction summariser)" if s.agent_id.startswith("acompact") else s.agent_id
            subs.add_row(Text(label), Text(s.model), Text(str(s.calls), justify="right"),
                         Text(f"{s.peak_tokens:,}", justify="right"), Text(one_line(s.path, 120)))
        tabs = self.query_one(TabbedContent)
        tabs.get_tab("tab-calls").label = f"Calls ({calls.row_count - len(view.compactions) + len(pending)})"
        tabs.get_tab("tab-tools").label = f"Tools ({tools.row_count})"
        tabs.get_tab("tab-compactions").label = f"Compactions ({comps.row_count})"
        tabs.get_tab("tab-subagents").label = f"Subagents ({subs.row_count})"
