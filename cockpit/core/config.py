"""User settings: defaults, overridden by a TOML file, overridden by flags."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cockpit.core.context import DEFAULT_BANDS


@dataclass(frozen=True, slots=True)
class Settings:
    live_minutes: float = 30.0
    bands: tuple[float, ...] = DEFAULT_BANDS
    theme: str = "cockpit-dark"
    poll_seconds: float = 1.0
    errors: tuple[str, ...] = field(default=())


def load_settings(path: Path | None) -> Settings:
    """Settings from `path` ([dashboard] table). A broken file is reported, never fatal."""
    settings = Settings()
    if path is None or not path.exists():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return replace(settings, errors=(f"{path}: {exc}",))
    table: Any = data.get("dashboard", {})
    errors: list[str] = []
    if not isinstance(table, dict):
        return replace(settings, errors=(f"{path}: [dashboard] must be a table",))
    live = table.get("live_minutes", settings.live_minutes)
    if isinstance(live, int | float) and not isinstance(live, bool) and live > 0:
        settings = replace(settings, live_minutes=float(live))
    else:
        errors.append(f"{path}: dashboard.live_minutes must be a positive number")
    bands = table.get("bands", list(settings.bands))
    if (
        isinstance(bands, list)
        and len(bands) == 4
        and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bands)
        and list(bands) == sorted(bands)
        and 0 < bands[0] and bands[-1] <= 100
    ):
        settings = replace(settings, bands=tuple(float(b) for b in bands))
    else:
        errors.append(f"{path}: dashboard.bands must be four increasing percentages")
    theme = table.get("theme", settings.theme)
    if isinstance(theme, str):
        settings = replace(settings, theme=theme)
    return replace(settings, errors=tuple(errors))
