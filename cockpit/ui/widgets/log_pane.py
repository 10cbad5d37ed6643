"""Pane 5: the action log, everything cockpit noticed or did, newest last."""

from __future__ import annotations

from datetime import datetime

from textual.widgets import RichLog

from cockpit.core.text import one_line
from cockpit.ui.themes import ThemedText


class LogPane(RichLog):
    BORDER_TITLE = "5 Log"

    def __init__(self, **kwargs: object) -> None:
        # Wrapped: in an 80-column split a cut line would hide the end of an error.
        super().__init__(max_lines=500, wrap=True, markup=False, highlight=False, **kwargs)  # type: ignore[arg-type]
        self.entries: list[str] = []
        self._styles: list[str] = []  # each entry's style, to draw it again in another theme
        self._width = 0

    def on_mount(self) -> None:
        # Lines are drawn once, in the theme of the moment: a theme switch draws them again in the new one.
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._redraw())

    def add(self, when: datetime, message: str, style: str = "") -> None:
        """Log one line; `message` may hold untrusted text, so it is written as plain text. `style` is a
        Textual style ("bold $error"), coloured by the app's theme."""
        line = f"{when.astimezone().strftime('%H:%M:%S')}  {one_line(message, 300)}"
        self.entries.append(line)
        self._styles.append(style)
        self._write(line, style)

    def on_resize(self) -> None:
        # Lines are wrapped when written (the first ones before the pane had its width): wrap them again.
        self.call_after_refresh(self._rewrap)

    def _rewrap(self) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._redraw()

    def _redraw(self) -> None:
        self.clear()
        for line, style in zip(self.entries[-self.max_lines:], self._styles[-self.max_lines:], strict=True):
            self._write(line, style)

    def _write(self, line: str, style: str) -> None:
        # Wrapped at the pane's width (RichLog would measure against the console's, which may be another).
        width = self.scrollable_content_region.width
        self.write(ThemedText(line, style=style), width=width if width > 0 else None)
