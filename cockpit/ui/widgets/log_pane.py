"""Pane 5: the action log, everything cockpit noticed or did, newest last."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import RichLog

from cockpit.core.text import one_line


class LogPane(RichLog):
    BORDER_TITLE = "5 Log"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=500, wrap=False, markup=False, highlight=False, **kwargs)  # type: ignore[arg-type]
        self.entries: list[str] = []

    def add(self, when: datetime, message: str, style: str = "") -> None:
        """Log one line; `message` may hold untrusted text, so it is written as plain text."""
        line = f"{when.astimezone().strftime('%H:%M:%S')}  {one_line(message, 300)}"
        self.entries.append(line)
        self.write(Text(line, style=style))
