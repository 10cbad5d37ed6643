"""Raise a spending budget (issue 14): the new limit, +50 % offered, or any amount typed; Enter raises,
Escape cancels. Keys typed before the dialog was seen do not raise."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from cockpit.core.budget_rules import SESSION, Spend, parse_new_limit, suggested_limit

DEBOUNCE_SECONDS = 0.3


def monotonic() -> float:
    """The debounce clock (tests may replace it)."""
    return time.monotonic()


class BudgetModal(ModalScreen[float | None]):
    """Dismissed with the new limit in USD, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-budget")]
    DEFAULT_CSS = """
    BudgetModal { align: center middle; }
    BudgetModal > Vertical { width: 90; max-width: 95%; height: auto; border: thick $warning;
        background: $surface; padding: 0 1; }
    BudgetModal #budget-error { color: $error; height: auto; }
    BudgetModal #budget-choices { height: 3; }
    """

    def __init__(self, stand: Spend, name: str = "") -> None:
        super().__init__()
        self.stand = stand
        self.session_name = name
        self._opened = monotonic()

    def compose(self) -> ComposeResult:
        stand = self.stand
        if stand.scope == SESSION:
            what = f"the budget of session {stand.key[:8]}" + (f" ({self.session_name})" if self.session_name else "")
        else:
            what = f"the daily budget of {stand.key} (UTC)"
        text = Text(f"Raise {what}?\n\n", style="bold")
        text.append(f"Spent ${stand.spent_usd:.2f} of ${stand.limit_usd:.2f} ({stand.pct:.0f}%). "
                    "Type the new limit in USD, or a raise such as +50%. Enter raises it, Escape cancels.")
        with Vertical():
            yield Static(text, id="budget-question")  # a Text: the session's name is never markup
            yield Input(value=f"{suggested_limit(stand):.2f}", id="budget-limit")
            yield Static("", id="budget-error")
            with Horizontal(id="budget-choices"):
                yield Button("Cancel", id="cancel", variant="default")
                yield Button("Raise (enter)", id="raise", variant="warning")

    def on_mount(self) -> None:
        self._opened = monotonic()
        self.query_one("#budget-limit", Input).focus()

    def _submit(self) -> None:
        if monotonic() - self._opened < DEBOUNCE_SECONDS:
            return
        value, why = parse_new_limit(self.query_one("#budget-limit", Input).value, self.stand)
        if value is None:
            self.query_one("#budget-error", Static).update(Content(why))
            return
        self.dismiss(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "raise":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
