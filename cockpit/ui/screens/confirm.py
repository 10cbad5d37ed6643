"""A question that may run something or change what cockpit believes: Cancel has focus, Escape cancels,
and each choice has a button and a key. Keys typed before the modal was seen do not choose."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from cockpit.ui.themes import themed

DEBOUNCE_SECONDS = 0.3
CHOICE_KEYS = ("o", "t", "y")  # the keys a Choice may use


def monotonic() -> float:
    """The debounce clock (tests may replace it)."""
    return time.monotonic()


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str
    key: str
    variant: str = "warning"


class ConfirmModal(ModalScreen[str | None]):
    """Dismissed with the chosen Choice.id, or None for Cancel."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel-confirm")] + [
        Binding(key, f"choose_key('{key}')", show=False) for key in CHOICE_KEYS]
    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical { width: 110; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ConfirmModal #question { height: auto; max-height: 34; }
    ConfirmModal #choices { height: 3; }
    """

    def __init__(self, title: str, body: Text, choices: Sequence[Choice]) -> None:
        super().__init__()
        self.question_title = title
        self.body = body
        self.choices = tuple(choices)
        self._opened = monotonic()
        self._chosen = False

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="question"):
                text = Text(self.question_title + "\n\n", style="bold")
                text.append_text(self.body)
                yield Static(themed(text), id="question-text")
            with Horizontal(id="choices"):
                yield Button("Cancel", id="cancel", variant="default")
                for choice in self.choices:
                    yield Button(f"{choice.label} ({choice.key})", id=f"choice-{choice.id}",
                                 variant=choice.variant)

    def on_mount(self) -> None:
        self._opened = monotonic()
        self.query_one("#cancel", Button).focus()

    def _choose(self, choice_id: str) -> None:
        if self._chosen or monotonic() - self._opened < DEBOUNCE_SECONDS:
            return
        self._chosen = True
        self.dismiss(choice_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_key":
            return any(choice.key == parameters[0] for choice in self.choices)
        return True

    def action_choose_key(self, key: str) -> None:
        choice = next((c for c in self.choices if c.key == key), None)
        if choice is not None:
            self._choose(choice.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id and event.button.id.startswith("choice-"):
            self._choose(event.button.id.removeprefix("choice-"))
