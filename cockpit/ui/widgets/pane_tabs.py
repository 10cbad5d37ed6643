"""The pane strip of the zoomed layout: `1 Context  2 Sessions  3 Issues  4 Gates  5 Approvals/Log`.

In a short terminal the dashboard shows one pane at a time; this line says which, names the others with
the key that shows them (a click works too), and counts the requests waiting in pane 5, which is then
out of sight.
"""

from __future__ import annotations

from typing import NamedTuple

from textual.content import Content, Span
from textual.widgets import Static


class Pane(NamedTuple):
    """One dashboard pane: the strip's label, the key that shows it and its binding (id and help) all come
    from here."""

    pane_id: str
    key: str
    name: str
    binding_id: str
    tooltip: str
    target: str = ""  # what the key focuses, when not the pane itself

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}"


# In key order.
PANES = (
    Pane("context-pane", "1", "Context", "pane-context", "Show and focus the context gauges"),
    Pane("sessions-pane", "2", "Sessions", "pane-sessions", "Show and focus the sessions list"),
    Pane("issues-pane", "3", "Issues", "pane-issues", "Show and focus the beads queue"),
    Pane("gates-pane", "4", "Gates", "pane-gates", "Show and focus the gates"),
    Pane("inbox-pane", "5", "Approvals/Log", "pane-approvals",
         "Show the approvals waiting for you and the action log, where every result and error is", "inbox"),
)


def tabs_content(current: str, waiting: int) -> Content:
    """The strip with `current` highlighted; our own fixed labels, so click actions are safe to attach."""
    text = ""
    spans: list[Span] = []
    for pane in PANES:
        pane_id, label, target = pane.pane_id, pane.label, pane.target or pane.pane_id
        if pane_id == "inbox-pane" and waiting:
            label = f"5 Approvals ({waiting} waiting)/Log"
        start = len(text)
        text += f" {label} "
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
