"""Pane 4: every gate's state for the current working tree, with what the last run said."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable

from cockpit.core.format import age, parse_ts
from cockpit.core.gate_rules import GateKind, GateState, GateStatus
from cockpit.core.text import one_line
from cockpit.services.gate_board import GateBoard
from cockpit.ui.bindings import shown_here
from cockpit.ui.themes import ThemedText
from cockpit.ui.widgets.fit import fill_table

COLUMNS = ("gate", "state", "", "last run", "took", "detail")
STATE_STYLE = {
    GateState.PASS: "bold $gate-pass", GateState.WARN: "bold $warning", GateState.FAIL: "bold $gate-fail",
    GateState.STALE: "$warning", GateState.RUNNING: "bold $primary", GateState.UNKNOWN: "dim",
    GateState.UNTRUSTED: "bold $secondary", GateState.EXTERNAL: "$secondary",
}
STATE_MARK = {
    GateState.PASS: "✔ pass", GateState.WARN: "▲ warn", GateState.FAIL: "✘ fail", GateState.STALE: "◌ stale",
    GateState.RUNNING: "⟳ running", GateState.UNKNOWN: "? unknown", GateState.UNTRUSTED: "⊘ untrusted",
    GateState.EXTERNAL: "◇ external",
}


def started(status: GateStatus) -> datetime | None:
    return parse_ts(status.run.started_at) if status.run is not None else None


def detail(status: GateStatus) -> str:
    spec, run = status.spec, status.run
    if status.state is GateState.FAIL and run is not None and run.note:
        return run.note
    if spec.kind is GateKind.VERDICT:
        where = run.command if run is not None else f".agents/council/*-{spec.report}-*.md"
        label = f" ({status.evidence})" if status.evidence and status.evidence != "cockpit" else ""
        return f"{where}{label}{' — ' + status.reason if status.reason else ''}"
    if status.state is GateState.UNTRUSTED:
        return f"not trusted: r asks first · {spec.command}"
    if status.state is GateState.UNKNOWN and spec.kind is GateKind.COMMAND:
        return f"never run (r runs it) · {spec.command}"
    if status.reason and status.state is not GateState.PASS:
        return f"{status.reason} · {spec.command}"
    return spec.command


class GatesTable(DataTable[Text]):
    BORDER_TITLE = "4 Gates"
    BINDINGS = [
        Binding("enter", "open_gate", "Output", id="open-gate", tooltip="Open the gate's last output and runs"),
        shown_here("rerun-gate"), shown_here("rerun-all-gates"), shown_here("cancel-gate"),
    ]

    class GateOpened(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="row", **kwargs)  # type: ignore[arg-type]
        self._names: list[str] = []
        self._rows: list[tuple[str, tuple[Text, ...]]] = []
        self.board: GateBoard | None = None

    def on_resize(self) -> None:
        if self._rows:
            row = self.cursor_row
            fill_table(self, COLUMNS, self._rows, flex=len(COLUMNS) - 1)
            self.move_cursor(row=row)

    def show(self, board: GateBoard, now: datetime) -> None:
        selected = self.selected_gate
        self.board = board
        rows: list[tuple[str, tuple[Text, ...]]] = []
        problems = list(board.config.errors) + ([board.error] if board.error else [])
        for index, problem in enumerate(problems):
            rows.append((f"!{index}", (Text("config" if index < len(board.config.errors) else "tree"),
                                       ThemedText("! error", style="bold $error"), Text(""), Text(""), Text(""),
                                       ThemedText(one_line(problem, 160), style="$error"))))
        for status in board.statuses:
            spec, run = status.spec, status.run
            moment = started(status)
            took = f"{run.duration_s:.1f}s" if run is not None and spec.kind is GateKind.COMMAND and moment else ""
            flags = ("!" if spec.required else "") + ("↻" if spec.auto else "")
            rows.append((spec.name, (
                Text(spec.name, style="bold" if spec.required else ""),
                ThemedText(STATE_MARK[status.state], style=STATE_STYLE[status.state]),
                Text(flags, style="bold"),
                Text(f"{age(moment, now)} ago" if moment else "", justify="right"),
                Text(took, justify="right"),
                Text(one_line(detail(status), 160)),
            )))
        self._rows = rows
        fill_table(self, COLUMNS, rows, flex=len(COLUMNS) - 1)
        self._names = [key for key, _ in rows]
        if selected in self._names:
            self.move_cursor(row=self._names.index(selected))
        elif board.statuses and problems:
            self.move_cursor(row=len(problems))
        tree = f"tree {board.tree[:10]}" if board.tree else "no tree"
        source = "detected (no cockpit.toml)" if board.config.detected else board.config.source
        if not board.trusted:
            source += " (NOT trusted)"
        counts = {s: sum(1 for x in board.statuses if x.state is s) for s in GateState}
        summary = " ".join(f"{n} {s.value}" for s, n in counts.items() if n)
        # Plain Content: the configuration's name and git's error are not ours and may hold "[".
        self.border_subtitle = Content(f"{summary} · ! required ↻ auto — {source} · {tree}" if board.root else (
            board.error or "no repository"))

    @property
    def selected_gate(self) -> str | None:
        if not self._names or not 0 <= self.cursor_row < len(self._names):
            return None
        name = self._names[self.cursor_row]
        return None if name.startswith("!") else name

    def action_open_gate(self) -> None:
        if self.selected_gate:
            self.post_message(self.GateOpened(self.selected_gate))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value and not event.row_key.value.startswith("!"):
            self.post_message(self.GateOpened(event.row_key.value))
