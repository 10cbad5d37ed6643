"""A table that knows whether the user chose its highlighted row.

A refill puts the cursor back on the first row by itself; only a key that moves the cursor or a click
means "this one". `v`, `t`, `H` and `m` act on a chosen row, else on what cockpit picks (ui/subjects.py).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widgets import DataTable

# DataTable's keys that move the cursor (Textual's own bindings, not remapped by [keys]).
MOVING_KEYS = frozenset({"up", "down", "pageup", "pagedown", "home", "end", "ctrl+home", "ctrl+end"})


class PickedRowTable(DataTable[Text]):
    _picked = False

    @property
    def picked_by_user(self) -> bool:
        """The user moved the cursor or clicked a row."""
        return self._picked

    @picked_by_user.setter
    def picked_by_user(self, picked: bool) -> None:
        if picked != self._picked:
            self._picked = picked
            self.app.refresh_bindings()  # a key greyed for want of a subject may work now

    def on_key(self, event: events.Key) -> None:
        # The key reaches the table before its binding moves the cursor.
        if event.key in MOVING_KEYS:
            self.picked_by_user = True

    def on_click(self) -> None:
        self.picked_by_user = True
