"""`?`: the keys that work right now, built from the active bindings, plus what the numbers mean."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cockpit.ui.themes import themed

NOTES = (
    "Context % is the last request's prompt (input + cache writes + cache reads) divided by the window,",
    "the number Claude Code's own statusline shows. Claude Code's \"left until auto-compact\" uses another",
    "denominator, so the two differ. \"(window assumed)\" means the window was not known and 200k (or 1M",
    "when a larger prompt was seen) is assumed. Costs come from deduped usage; \"$?\" means a model",
    "without a known price.",
    "",
    "Gates: a result belongs to the content it judged (git's tree id of the working tree, .agents/ left",
    "out). stale = the tree changed since; it turns valid again if the tree returns to that content.",
    "! marks a required gate (cockpit gate pre-commit blocks on it), ↻ one that reruns on change.",
    "untrusted = the repository's gate configuration is new or changed: nothing runs by itself, r asks",
    "(`cockpit trust` trusts it). external = a verdict report cockpit did not write: A on its screen",
    "accepts it.",
    "Vibe, pre-mortem and retro ask Claude only with ANTHROPIC_API_KEY set; offline their reports say so.",
)


def key_rows(screen: Screen[object], why_not: Callable[[str], str | None] | None = None) -> list[tuple[str, str, str]]:
    """(key, description, note) for every binding on `screen` now: cockpit's own (they carry an id) first, then
    the widgets' navigation keys. A key greyed out in the footer is listed with why it cannot act now
    (`why_not` answers for an action), so the help never hides a key the footer shows."""
    ours: list[tuple[str, str, str]] = []
    others: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        note = binding.tooltip
        if not active.enabled:
            reason = why_not(binding.action.removeprefix("app.")) if why_not else ""
            note = f"not now: {reason}" if reason else "not now"
        row = (binding.key_display or screen.app.get_key_display(binding), binding.description, note)
        if row[1] in seen and row[1].startswith("Copy"):
            continue
        seen.add(row[1])
        (ours if binding.id else others).append(row)
    return ours + others


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys\n\n", style="bold")
        width = max((len(k) for k, _, _ in self.rows), default=4) + 2
        for key, description, tooltip in self.rows:
            text.append(f"{key:<{width}}", style="bold")
            text.append(description)
            if tooltip.startswith("not now"):
                text.append(f"  ({tooltip})", style="$warning")
            elif tooltip and tooltip != description:
                text.append(f"  — {tooltip}", style="dim")
            text.append("\n")
        text.append("\nNumbers\n\n", style="bold")
        text.append("\n".join(NOTES))
        with VerticalScroll(id="help-body"):
            yield Static(themed(text))
