"""A written report (vibe, pre-mortem, retro) as the file says it, plain text: it quotes untrusted data."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from cockpit.core.text import terminal_safe
from cockpit.ui.themes import themed

VERDICT_STYLE = {"PASS": "bold $gate-pass", "WARN": "bold $warning", "FAIL": "bold $gate-fail"}


def render_markdown_plain(text: str) -> Content:
    """Headings bold, the verdict line coloured; everything else exactly as written."""
    out = Text()
    for line in terminal_safe(text).splitlines():
        style = ""
        if line.startswith("## Council Verdict:"):
            style = VERDICT_STYLE.get(line.split(":", 1)[1].strip().upper(), "bold")
        elif line.startswith("#"):
            style = "bold underline" if line.startswith("# ") else "bold"
        out.append(line + "\n", style=style)
    return themed(out)


class ReportScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back-from-report")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.report_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with VerticalScroll(id="report-body"):
            yield Static(render_markdown_plain(self.text), id="report-text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.report_title
        self.query_one("#report-body").focus()
