"""One gate: what it runs, its state for this tree, and every stored run with its output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cockpit.core.format import bytes_size
from cockpit.core.gate_rules import CouncilReport, GateKind, GateRun, GateStatus
from cockpit.core.text import one_line, terminal_safe
from cockpit.store.evidence import accept_report
from cockpit.store.gate_runs import runs_for
from cockpit.store.trust_records import who
from cockpit.ui.bindings import shown_here
from cockpit.ui.screens.confirm import Choice, ConfirmModal
from cockpit.ui.themes import ThemedText, themed
from cockpit.ui.widgets.gates_table import STATE_MARK, STATE_STYLE

ACCEPT_SHOWN_LINES = 200
EVIDENCE_LABEL = {"cockpit": "written by cockpit (hash unchanged)",
                  "accepted": "an external report you accepted",
                  "external": "an external report (counted by your accept_external_verdicts setting)"}

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


def describe(status: GateStatus, tree: str) -> Content:
    spec = status.spec
    text = Text()
    text.append(f"{spec.name}  ", style="bold")
    text.append(STATE_MARK[status.state], style=STATE_STYLE[status.state])
    if status.reason:
        text.append(f"  {status.reason}", style="dim")
    text.append("\n")
    if spec.kind is GateKind.COMMAND:
        text.append(f"command  {spec.command}\n")
        text.append(f"cwd {spec.cwd} · timeout {spec.timeout:g} s · {'required' if spec.required else 'optional'}"
                    f"{' · auto on change' if spec.auto else ''}", style="dim")
    else:
        text.append(f"verdict of the newest .agents/council/*-{spec.report}-*.md report cockpit wrote or"
                    " you accepted\n")
        text.append("required" if spec.required else "optional", style="dim")
        if status.evidence:
            text.append(f" · evidence: {EVIDENCE_LABEL.get(status.evidence, status.evidence)}", style="dim")
        if status.external is not None:
            external = status.external
            text.append(f"\nexternal report {terminal_safe(external.path)}"
                        f" ({external.verdict or 'no verdict'}): not written by cockpit, so it does not"
                        " count; A shows it and lets you accept it",
                        style="$secondary")
    if spec.why:
        text.append(f" · detected from {spec.why}", style="dim")
    text.append(f"\nworking tree {tree[:12] or '?'}", style="dim")
    return themed(text)


def render_output(run: GateRun | None) -> Content:
    """Gate output is untrusted text: plain, with control sequences already stripped by the runner."""
    if run is None:
        return themed(Text("no run yet: press r to run it", style="dim"))
    text = Text()
    head = f"{run.outcome} · exit {run.exit_code if run.exit_code is not None else '-'} · {run.duration_s:.1f} s"
    text.append(f"{run.started_at[:19].replace('T', ' ')} UTC · {head} · tree {run.tree[:10]}\n", style="bold")
    if run.note and not run.note.startswith("exit code"):
        text.append(run.note + "\n", style="$warning")
    if run.output_bytes and not run.output_tail:
        text.append(f"{bytes_size(run.output_bytes)} of output, no longer kept ([retention] gate_output_days)",
                    style="dim")
        return themed(text)
    if run.output_bytes > len(run.output_tail.encode()):
        text.append(f"… {bytes_size(run.output_bytes)} of output; showing the last {bytes_size(len(run.output_tail.encode()))}\n",
                    style="dim")
    text.append(run.output_tail or "(no output)")
    return themed(text)


class GateScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back-from-gate"),
        Binding("A", "accept_report", "Accept report", id="accept-external-report",
                tooltip="Show the external report this verdict gate ignores, and accept it as evidence"),
        shown_here("rerun-gate"), shown_here("rerun-all-gates"), shown_here("cancel-gate"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.gate = name
        self.runs: list[GateRun] = []

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="gate-summary")
        yield DataTable(id="gate-runs", cursor_type="row")
        with VerticalScroll(id="gate-output-scroll"):
            yield Static(id="gate-output")
        yield Footer()

    def on_mount(self) -> None:
        self.title = f"gate {self.gate}"
        table = self.query_one("#gate-runs", DataTable)
        for name in ("started (UTC)", "outcome", "exit", "took", "tree", "output", "note"):
            table.add_column(name, key=name)
        self.reload()
        table.focus()
        # A new board (a run started or ended, the tree changed) redraws the screen.
        self.watch(self.app, "gate_board", self.reload, init=False)

    def reload(self) -> None:
        board = self.cockpit.gate_board
        status = board.get(self.gate) if board else None
        if status is None:
            self.query_one("#gate-summary", Static).update(Text(f"gate {self.gate!r} is no longer configured"))
            return
        self.query_one("#gate-summary", Static).update(describe(status, board.tree if board else ""))
        table = self.query_one("#gate-runs", DataTable)
        if status.spec.kind is GateKind.VERDICT:
            self.runs = [status.run] if status.run else []
        else:
            self.runs = runs_for(self.cockpit.db.conn, board.root, self.gate) if board else []
        row = table.cursor_row
        table.clear()
        for index, run in enumerate(self.runs):
            table.add_row(
                Text(run.started_at[:19].replace("T", " ")), ThemedText(run.outcome, style=_outcome_style(run.outcome)),
                Text("" if run.exit_code is None else str(run.exit_code), justify="right"),
                Text(f"{run.duration_s:.1f}s", justify="right"), Text(run.tree[:10]),
                Text(bytes_size(run.output_bytes), justify="right"), Text(one_line(run.note, 60)), key=str(index),
            )
        if self.runs:
            table.move_cursor(row=min(max(row, 0), len(self.runs) - 1))
        self._show_run(table.cursor_row if self.runs else -1)

    def _show_run(self, index: int) -> None:
        run = self.runs[index] if 0 <= index < len(self.runs) else None
        self.query_one("#gate-output", Static).update(render_output(run))
        # Failures end with their summary: open at the end of the output.
        self.query_one("#gate-output-scroll").scroll_end(animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_run(event.cursor_row)

    # ---- accepting an external report --------------------------------------------------------------

    def _external(self) -> CouncilReport | None:
        board = self.cockpit.gate_board
        status = board.get(self.gate) if board else None
        return status.external if status is not None and status.spec.kind is GateKind.VERDICT else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept_report":
            if self.cockpit.read_only:
                return False
            return True if self._external() is not None else None
        return True

    def action_accept_report(self) -> None:
        from cockpit.sources.agents_files import REPORT_HASH_LIMIT, parse_report
        from cockpit.sources.files import read_regular

        board = self.cockpit.gate_board
        external = self._external()
        if board is None or external is None or self.cockpit.read_only:
            return
        full = Path(board.root, external.path)
        # One read: the hash recorded is the hash of exactly the bytes shown.
        data = read_regular(full, REPORT_HASH_LIMIT)
        report = parse_report(external.path, data, external.mtime)
        if data is None or not report.sha256:
            self.cockpit.notify(f"{external.path} cannot be read whole; nothing to accept", severity="error", markup=False)
            return
        lines = terminal_safe(data.decode("utf-8", "replace")).splitlines()
        body = Text()
        body.append(f"path     {terminal_safe(report.path)}\nsha256   {report.sha256}\n"
                    f"verdict  {report.verdict or 'none'} · tree {report.tree[:12] or 'not recorded'}\n\n")
        body.append("cockpit did not write this report: ao, another tool or the agent did. Accepting records"
                    " its hash as evidence for this gate; if the file changes it stops counting.\n\n",
                    style="dim")
        body.append("\n".join(lines[:ACCEPT_SHOWN_LINES]))
        if len(lines) > ACCEPT_SHOWN_LINES:
            body.append(f"\n… {len(lines) - ACCEPT_SHOWN_LINES} more lines", style="bold $warning")
        spec = board.get(self.gate).spec  # type: ignore[union-attr]

        def answered(choice: str | None) -> None:
            if choice != "accept":
                return
            accept_report(self.cockpit.db.conn, board.root, spec.report, report, who("cockpit"))
            self.cockpit.log_event(f"gate {self.gate}: accepted the external report {report.path}"
                                   f" ({report.verdict}, sha256 {report.sha256[:16]}…)", "$success")
            self.cockpit.gates.refresh()

        question = f"Accept this external report as evidence for gate {self.gate}?"
        choices = [Choice("accept", "Accept this report", "y")]
        self.app.push_screen(ConfirmModal(question, body, choices), answered)


def _outcome_style(outcome: str) -> str:
    return {"pass": "$gate-pass", "warn": "$warning", "cancelled": "dim"}.get(outcome, "$gate-fail")
