"""User settings: defaults, overridden by a TOML file, overridden by flags."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cockpit.core.context import DEFAULT_BANDS
from cockpit.core.retention_rules import Retention, parse_retention
from cockpit.core.values import as_number

# A session is live if active in the last N minutes: beyond a century the date arithmetic overflows.
MAX_LIVE_MINUTES = 100 * 365 * 24 * 60


def check_live_minutes(value: object, key: str) -> float:
    """`value` as minutes if it is a finite number in (0, MAX_LIVE_MINUTES]; ValueError naming `key` otherwise."""
    number = as_number(value)
    if number is None or not math.isfinite(number) or not 0 < number <= MAX_LIVE_MINUTES:
        raise ValueError(f"{key} must be a number of minutes above 0 and at most {MAX_LIVE_MINUTES}, not {value!r}")
    return number


@dataclass(frozen=True, slots=True)
class Settings:
    live_minutes: float = 30.0
    bands: tuple[float, ...] = DEFAULT_BANDS
    theme: str = "cockpit-dark"
    poll_seconds: float = 1.0
    # Count verdict reports cockpit did not write (ao's, or anything the agent wrote under .agents/) toward
    # required gates. Only from the user's own settings file: a repository never decides this.
    accept_external_verdicts: bool = False
    retention: Retention = field(default_factory=Retention)
    errors: tuple[str, ...] = field(default=())


def load_settings(path: Path | None) -> Settings:
    """Settings from `path` ([dashboard], [gates] and [retention] tables). A broken file is reported, never fatal."""
    settings = Settings()
    if path is None or not path.exists():
        return settings
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return replace(settings, errors=(f"{path}: {exc}",))
    errors: list[str] = []
    gates: Any = data.get("gates", {})
    external = gates.get("accept_external_verdicts", False) if isinstance(gates, dict) else None
    if isinstance(external, bool):
        settings = replace(settings, accept_external_verdicts=external)
    else:
        errors.append(f"{path}: gates.accept_external_verdicts must be true or false")
    retention, retention_errors = parse_retention(data.get("retention", {}), str(path))
    settings = replace(settings, retention=retention)
    errors.extend(retention_errors)
    table: Any = data.get("dashboard", {})
    if not isinstance(table, dict):
        return replace(settings, errors=(*errors, f"{path}: [dashboard] must be a table"))
    live = table.get("live_minutes", settings.live_minutes)
    try:
        settings = replace(settings, live_minutes=check_live_minutes(live, "dashboard.live_minutes"))
    except ValueError as exc:
        errors.append(f"{path}: {exc}")
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
