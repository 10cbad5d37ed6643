"""How long the store keeps what grows with time: the `[retention]` settings, validated.

Each kind has a number of days (0 keeps it forever); hook events also have a maximum row count.
Derived tables (sessions, calls, prompts) are not here: they follow the transcripts they are read from.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from cockpit.core.values import as_number

# A century is as good as forever; far beyond it the date arithmetic of a cut-off overflows.
MAX_DAYS = 100 * 365
# Fewer hook events than this is almost surely days typed as rows.
MIN_ROWS = 1000


@dataclass(frozen=True, slots=True)
class Retention:
    hook_events_days: float = 30.0
    hook_events_max_rows: int = 200_000
    statusline_days: float = 14.0
    gate_output_days: float = 30.0
    gate_runs_days: float = 365.0
    approvals_days: float = 365.0
    llm_calls_days: float = 365.0
    reports_days: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def check_days(value: object, key: str) -> float:
    """`value` as days if it is 0 (keep forever) or a finite number in [1, MAX_DAYS]; ValueError naming `key`."""
    number = as_number(value)
    if number is None or not math.isfinite(number) or not (number == 0 or 1 <= number <= MAX_DAYS):
        raise ValueError(f"{key} must be a number of days from 1 to {MAX_DAYS}, or 0 to keep forever, not {value!r}")
    return number


def check_rows(value: object, key: str) -> int:
    """`value` as a row count if it is 0 (no cap) or a whole number of at least MIN_ROWS; ValueError naming `key`."""
    if isinstance(value, int) and not isinstance(value, bool) and (value == 0 or value >= MIN_ROWS):
        return value
    raise ValueError(f"{key} must be a whole number of rows of at least {MIN_ROWS}, or 0 for no cap, not {value!r}")


def parse_retention(table: Any, where: str) -> tuple[Retention, list[str]]:
    """The `[retention]` table of a settings file: each bad value is an error naming its key and keeps its default."""
    retention = Retention()
    if not isinstance(table, dict):
        return retention, [f"{where}: [retention] must be a table"]
    errors: list[str] = []
    known = {f.name: f for f in fields(Retention)}
    for key, value in table.items():
        if key not in known:
            errors.append(f"{where}: retention.{key} is not a setting (known: {', '.join(known)})")
            continue
        try:
            checked: float | int = (check_rows(value, f"retention.{key}") if key.endswith("_rows")
                                    else check_days(value, f"retention.{key}"))
        except ValueError as exc:
            errors.append(f"{where}: {exc}; using the default {getattr(retention, key)!r}")
            continue
        retention = replace(retention, **{key: checked})
    return retention, errors


def describe(key: str, value: float | int) -> str:
    """`30 days`, `forever`, `at most 200000 rows`, `no cap`."""
    if key.endswith("_rows"):
        return f"at most {value} rows" if value else "no cap"
    return f"{value:g} days" if value else "forever"


# The settings that prune each table; the tables not here are kept as the note says.
TABLE_SETTINGS: dict[str, tuple[str, ...]] = {
    "hook_events": ("hook_events_days", "hook_events_max_rows"),
    "statusline": ("statusline_days",),
    "gate_runs": ("gate_runs_days", "gate_output_days"),
    "approvals": ("approvals_days",),
    "session_allows": ("approvals_days",),
    "llm_calls": ("llm_calls_days",),
    "reports": ("reports_days",),
    "accepted_reports": ("reports_days",),
}
KEPT: dict[str, str] = {
    "trust": "kept until `cockpit trust --revoke`",
    "learnings": "kept forever",
    "learnings_fts": "follows learnings",
    "heartbeat": "a dashboard's row goes when it quits (or 10 minutes after it died)",
    "maintenance": "one row per job",
}


def table_rule(table: str, settings: dict[str, Any]) -> str:
    """How long `table` is kept under `settings` (a Retention.as_dict()), in a few words."""
    keys = TABLE_SETTINGS.get(table)
    if keys is None:
        return KEPT.get(table, "follows the transcripts")
    phrases = {"hook_events_max_rows": "{}", "statusline_days": "capture kept {}", "gate_output_days": "output {}"}
    return ", ".join(phrases.get(k, "kept {}").format(describe(k, settings[k])) for k in keys)
