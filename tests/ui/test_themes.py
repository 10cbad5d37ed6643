"""Every colour comes from the theme: the variables the UI names exist in both shipped themes, read well on
their backgrounds, fall back in any Textual theme, and a theme switch recolours what is on screen."""

from __future__ import annotations

import ast
import re
from importlib import resources
from pathlib import Path

import pytest
from rich.color import ANSI_COLOR_NAMES
from textual.color import Color
from textual.theme import BUILTIN_THEMES, Theme

import cockpit.ui
from cockpit.ui.themes import VARIABLE_FALLBACKS, load_themes, variable_defaults

from .conftest import Workspace

UI = Path(cockpit.ui.__file__).parent
THEMES = resources.files("cockpit.themes")
VARIABLE = re.compile(r"\$([a-z][a-z0-9-]*)")
HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
STYLE_WORDS = {"bold", "dim", "italic", "underline", "reverse", "strike", "blink", "not", "on", "none"}
# WCAG AA for normal text.
LEGIBLE = 4.5
# cockpit's variables that colour no text: pane borders and the gauge's empty track.
DECORATION = {"pane-border"}


def shipped() -> dict[str, Theme]:
    themes, errors = load_themes()
    assert errors == []
    return {theme.name: theme for theme in themes}


def variables(theme: Theme) -> dict[str, str]:
    return {**theme.to_color_system().generate(), **theme.variables}


def ui_strings() -> list[tuple[str, int, str]]:
    """Every string constant in cockpit.ui's Python: (file, line, text)."""
    found = []
    for path in sorted(UI.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((str(path.relative_to(UI.parent.parent)), node.lineno, node.value))
    return found


def style_specs() -> list[tuple[str, int, str]]:
    """The strings that are text styles ("bold $error", "dim", "yellow"), not CSS or messages."""
    def is_style(word: str) -> bool:
        return word in STYLE_WORDS or word in ANSI_COLOR_NAMES or bool(VARIABLE.fullmatch(word) or HEX.fullmatch(word))

    return [(f, line, s) for f, line, s in ui_strings() if s.split() and all(is_style(w) for w in s.split())]


def test_both_themes_define_every_variable_the_ui_names() -> None:
    named: dict[str, str] = {}
    for path in [*UI.rglob("*.py"), *(THEMES / name for name in ("cockpit.tcss",))]:
        for name in VARIABLE.findall(Path(str(path)).read_text(encoding="utf-8")):
            named.setdefault(name, str(path))
    assert {"util-ok", "util-critical", "gate-pass", "warning", "text-muted"} <= named.keys()
    themes = shipped()
    assert set(themes) == {"cockpit-dark", "cockpit-light"}
    for theme in themes.values():
        missing = {name: where for name, where in named.items() if name not in variables(theme)}
        assert missing == {}, f"{theme.name} does not define these"
        # cockpit's own variables are chosen for each theme, never left to the fallback.
        assert VARIABLE_FALLBACKS.keys() <= theme.variables.keys(), theme.name


def test_every_text_colour_reads_well_on_every_background_in_both_themes() -> None:
    def luminance(color: Color) -> float:
        def channel(value: int) -> float:
            v = value / 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)

    def contrast(a: Color, b: Color) -> float:
        high, low = sorted((luminance(a), luminance(b)), reverse=True)
        return (high + 0.05) / (low + 0.05)

    text_colours = (set(VARIABLE_FALLBACKS) - DECORATION) | {v for _, _, spec in style_specs() for v in VARIABLE.findall(spec)}
    assert {"util-warn", "error", "primary"} <= text_colours
    poor = []
    for theme in shipped().values():
        values = variables(theme)
        for name in sorted(text_colours):
            for background in ("background", "surface", "panel"):
                ratio = contrast(Color.parse(values[name]), Color.parse(values[background]))
                if ratio < LEGIBLE:
                    poor.append(f"{theme.name}: ${name} on ${background} {ratio:.1f}:1")
    assert poor == []


def test_no_style_in_the_ui_names_a_colour_of_its_own() -> None:
    offenders = [f"{f}:{line}: {s!r}" for f, line, s in style_specs()
                 if any(w in ANSI_COLOR_NAMES or HEX.fullmatch(w) for w in s.split())]
    assert offenders == [], "use a theme variable ($error, $util-warn …) instead"


def test_a_textual_theme_gets_cockpits_variables_in_its_own_colours() -> None:
    for name, light in (("nord", False), ("textual-light", True)):
        theme = BUILTIN_THEMES[name]
        assert theme.dark is not light
        colours = theme.to_color_system().generate()
        defaults = variable_defaults(theme)
        assert defaults.keys() == VARIABLE_FALLBACKS.keys()
        assert defaults["util-ok"] == colours["success"] and defaults["util-critical"] == colours["error"]
        # Pane borders stand out from the panel: lighter on a dark theme, darker on a light one.
        assert defaults["pane-border"] == colours["panel-darken-2" if light else "panel-lighten-2"]


@pytest.mark.parametrize("theme", ["nord", "textual-light"])
async def test_the_dashboard_starts_in_any_textual_theme(workspace: Workspace, theme: str) -> None:
    app = workspace.app(repo="/nonexistent/cockpit-theme-repo", theme=theme)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == theme
        assert app.theme_variables["util-ok"] == app.theme_variables["success"]


async def test_a_theme_switch_recolours_a_report_and_its_text_stays_plain(workspace: Workspace) -> None:
    from cockpit.ui.screens.report import ReportScreen

    dark, light = shipped()["cockpit-dark"], shipped()["cockpit-light"]
    app = workspace.app(repo="/nonexistent/cockpit-theme-repo")
    async with app.run_test(size=(100, 30)) as pilot:
        app.push_screen(ReportScreen("vibe FAIL", "# Vibe\n\n## Council Verdict: FAIL\n\n[red]not markup[/red]\n"))
        await pilot.pause()
        assert "[red]not markup[/red]" in str(app.screen.query_one("#report-text").render())
        fail = dark.variables["gate-fail"].lower()
        assert f"fill: {fail}" in app.export_screenshot()
        await pilot.press("T")
        await pilot.pause()
        assert app.theme == "cockpit-light"
        screen = app.export_screenshot()
        assert f"fill: {light.variables['gate-fail'].lower()}" in screen and f"fill: {fail}" not in screen


async def test_a_theme_switch_recolours_the_tables_and_the_log(workspace: Workspace) -> None:
    from datetime import UTC, datetime

    from cockpit.ui.widgets.log_pane import LogPane

    dark = variables(shipped()["cockpit-dark"])
    colours = {name: dark[name].lower() for name in (*VARIABLE_FALLBACKS, "success", "warning", "error", "primary")
               if name not in DECORATION}
    app = workspace.app(repo="/nonexistent/cockpit-theme-repo", live_minutes=600)
    async with app.run_test(size=(130, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one(LogPane).add(datetime(2026, 2, 23, 21, tzinfo=UTC), "a failure", "bold $error")
        await pilot.pause()
        before = app.export_screenshot()
        assert f"fill: {colours['util-warn']}" in before and f"fill: {colours['error']}" in before
        await pilot.press("T")
        await pilot.pause()
        after = app.export_screenshot()
        assert app.theme == "cockpit-light"
        assert [name for name, hex_ in colours.items() if f"fill: {hex_}" in after] == [], "drawn in the old theme"
