"""Themes shipped in cockpit.themes (the repo's themes/ folder), loaded as Textual Theme objects, and the one
way Python code colours text: a style written as in TCSS ("bold $error"), its colours taken from the theme."""

from __future__ import annotations

import json
import logging
from importlib import resources

from rich.console import Console, ConsoleOptions, RenderResult
from rich.style import Style as RichStyle
from rich.text import Text
from textual.content import Content, Span
from textual.css.errors import UnresolvedVariableError
from textual.style import Style
from textual.theme import Theme

log = logging.getLogger(__name__)
FALLBACK_THEME = "textual-dark"

# cockpit's own theme variables and the Textual colour each takes (in a dark theme, in a light one) where a theme
# does not set it, so every Textual theme works: context bands (util-*), gate verdicts (gate-*) and pane borders.
VARIABLE_FALLBACKS: dict[str, tuple[str, str]] = {
    "util-ok": ("success", "success"),
    "util-notice": ("warning", "warning"),
    "util-warn": ("warning", "warning"),
    "util-high": ("error", "error"),
    "util-critical": ("error", "error"),
    "gate-pass": ("success", "success"),
    "gate-fail": ("error", "error"),
    "pane-border": ("panel-lighten-2", "panel-darken-2"),
}


def css_path() -> str:
    return str(resources.files("cockpit.themes") / "cockpit.tcss")


def load_themes() -> tuple[list[Theme], list[str]]:
    """Every *.json theme in the package; a broken one is reported and skipped, never fatal."""
    themes: list[Theme] = []
    errors: list[str] = []
    for entry in sorted(resources.files("cockpit.themes").iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        try:
            data = json.loads(entry.read_text(encoding="utf-8"))
            themes.append(Theme(**data))
        except (ValueError, TypeError) as exc:
            errors.append(f"theme {entry.name}: {exc}")
    return themes, errors


def variable_defaults(theme: Theme) -> dict[str, str]:
    """cockpit's variables in `theme`'s own colours: what `App.get_theme_variable_defaults` returns."""
    colors = theme.to_color_system().generate()
    return {name: colors[dark if theme.dark else light] for name, (dark, light) in VARIABLE_FALLBACKS.items()}


class ThemedText(Text):
    """Text for what Rich draws (table cells, log lines) whose styles are Textual styles ("bold $error"): they are
    resolved each time it is drawn, against the running app's theme, so a redraw after a theme switch recolours
    it. Only styles are read: the characters stay plain text, never markup."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.resolved().__rich_console__(console, options)

    def resolved(self) -> Text:
        """A plain Rich Text in the current theme's colours."""
        text = Text(self.plain, style=_rich(self.style), justify=self.justify, overflow=self.overflow,
                    no_wrap=self.no_wrap, end=self.end, tab_size=self.tab_size)
        for span in self.spans:
            text.stylize(_rich(span.style), span.start, span.end)
        return text


def _rich(style: str | RichStyle) -> RichStyle:
    """A Textual style as a Rich one, in the running app's theme (uncoloured outside an app)."""
    if isinstance(style, RichStyle):
        return style
    if not style:
        return RichStyle.null()
    try:
        return Style.parse(style).rich_style
    except UnresolvedVariableError:
        return RichStyle.null()


def themed(text: Text) -> Content:
    """`text` as Content for a Static: its styles ("$warning", "bold") are resolved at every render, so a theme
    switch recolours it. Only styles are read: the characters stay plain text, never markup."""
    spans = [Span(span.start, span.end, span.style if isinstance(span.style, str) else Style.from_rich_style(span.style))
             for span in text.spans]
    content = Content(text.plain, spans)
    if text.style:
        content = content.stylize_before(
            text.style if isinstance(text.style, str) else Style.from_rich_style(text.style))
    return content
