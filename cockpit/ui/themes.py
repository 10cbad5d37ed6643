"""Themes shipped in cockpit.themes (the repo's themes/ folder), loaded as Textual Theme objects."""

from __future__ import annotations

import json
import logging
from importlib import resources

from textual.theme import Theme

log = logging.getLogger(__name__)
FALLBACK_THEME = "textual-dark"


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
