"""The pane strip of the zoomed layout: `1 Context  2 Sessions  3 Issues  4 Gates  5 Approvals/Log`.

In a short terminal the dashboard shows one pane at a time; this line says which, names the others with
the key that shows them (a click works too), and counts the requests waiting in pane 5, which is then
out of sight.
"""

from __future__ import annotations

from textual.content import Content, Span
from textual.widgets import Static

# (pane id, its number and name), in key order.
PANES = (
    ("context-pane", "1 Context"),
    ("sessions-pane", "2 Sessions"),
    ("issues-pane", "3 Issues"),
    ("gates-pane", "4 Gates"),
    ("inbox-pane", "5 Approvals/Log"),
)


def tabs_content(current: str, waiting: int) -> Content:
    """The strip with `current` highlighted; our own fixed labels, so click actions are safe to attach."""
    text = ""
    spans: list[Span] = []
    for pane_id, label in PANES:
        if pane_id == "inbox-pane" and waiting:
            label = f"5 Approvals ({waiting} waiting)/Log"
        start = len(text)
        text += f" {label} "
        target = "inbox" if pane_id == "inbox-pane" else pane_id
        style = "bold reverse $accent" if pane_id == current else (
            "bold $warning" if pane_id == "inbox-pane" and waiting else "dim")
        spans.append(Span(start, len(text), style))
        spans.append(Span(start, len(text), f"@click=app.focus_pane('{target}')"))
        text += " "
    return Content(text.rstrip(), spans)


class PaneTabs(Static):
    DEFAULT_CSS = """
    PaneTabs { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, current: str, waiting: int) -> None:
        self.update(tabs_content(current, waiting))
