"""Dashboard, gate and retention settings: defaults, overridden by the user's config file, overridden by flags.

The file is read by config/user.py; this module interprets its `[dashboard]`, `[gates]` and `[retention]`
tables. Every bad value and every unknown key is an error naming it (`dashboard.bands`, `gates.x`), and
the setting keeps its default: a broken file is reported, never fatal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cockpit.config.notify import NotifySettings, parse_notify
from cockpit.config.user import UserConfig, read_user_config
from cockpit.core.budget_rules import BudgetLimits, parse_budget
from cockpit.core.context import DEFAULT_BANDS
from cockpit.core.health import HealthRules
from cockpit.core.quota import Thresholds
from cockpit.core.retention_rules import Retention, parse_retention
from cockpit.core.values import as_number

# A session is live if active in the last N minutes: beyond a century the date arithmetic overflows.
MAX_LIVE_MINUTES = 100 * 365 * 24 * 60
DASHBOARD_KEYS = ("bands", "live_minutes", "theme")
GATES_KEYS = ("accept_external_verdicts",)


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
    notify: NotifySettings = field(default_factory=NotifySettings)  # [notify]: config/notify.py
    budget: BudgetLimits = field(default_factory=BudgetLimits)  # [budget]: core/budget_rules.py
    health: HealthRules = field(default_factory=HealthRules)
    quota: Thresholds = field(default_factory=Thresholds)  # [quota] warn, critical: the plan quota's bands
    errors: tuple[str, ...] = field(default=())


def load_settings(path: Path | None) -> Settings:
    """Settings from the user's config file at `path` (None or a missing file: the defaults)."""
    if path is None:
        return Settings()
    return settings_from(read_user_config(path))


def _unknown_keys(table: dict[str, Any], name: str, known: tuple[str, ...], where: str) -> list[str]:
    return [f"{where}: {name}.{key} is not a setting (known: {', '.join(known)})" for key in table if key not in known]


HEALTH_KEYS = ("stall_after", "conflict_window", "loop_repeats")


def _health(table: Any, where: str) -> tuple[HealthRules, list[str]]:
    """`[health]`: stall_after and conflict_window in seconds (above 0), loop_repeats a whole number from 2."""
    rules, errors = HealthRules(), []
    if table is None:
        return rules, errors
    if not isinstance(table, dict):
        return rules, [f"{where}: [health] must be a table"]
    errors.extend(_unknown_keys(table, "health", HEALTH_KEYS, where))
    for key in ("stall_after", "conflict_window"):
        if key in table:
            number = as_number(table[key])
            if number is None or not math.isfinite(number) or not 0 < number <= MAX_LIVE_MINUTES * 60:
                errors.append(f"{where}: health.{key} must be a number of seconds above 0, not {table[key]!r}")
            else:
                rules = replace(rules, **{key: float(number)})
    if "loop_repeats" in table:
        repeats = table["loop_repeats"]
        if isinstance(repeats, int) and not isinstance(repeats, bool) and 2 <= repeats <= 1000:
            rules = replace(rules, loop_repeats=repeats)
        else:
            errors.append(f"{where}: health.loop_repeats must be a whole number from 2 to 1000, not {repeats!r}")
    return rules, errors


QUOTA_KEYS = ("warn", "critical")


def _quota(table: Any, where: str) -> tuple[Thresholds, list[str]]:
    """`[quota]`: warn and critical, percentages of a plan window used (0 < warn ≤ critical ≤ 100)."""
    if table is None:
        return Thresholds(), []
    if not isinstance(table, dict):
        return Thresholds(), [f"{where}: [quota] must be a table"]
    errors = _unknown_keys(table, "quota", QUOTA_KEYS, where)
    values = {}
    for key in QUOTA_KEYS:
        if key in table:
            number = as_number(table[key])
            if number is None or not math.isfinite(number) or not 0 < number <= 100:
                errors.append(f"{where}: quota.{key} must be a percentage above 0 and at most 100, not {table[key]!r}")
            else:
                values[key] = float(number)
    thresholds = replace(Thresholds(), **values)
    if thresholds.warn > thresholds.critical:
        return Thresholds(), [*errors, f"{where}: quota.warn ({thresholds.warn:g}) must not be above quota.critical"
                                        f" ({thresholds.critical:g})"]
    return thresholds, errors


def settings_from(config: UserConfig) -> Settings:
    settings = Settings()
    errors = config.errors()
    if config.problem:
        return replace(settings, errors=tuple(errors))
    where = str(config.path)
    gates: Any = config.table("gates")
    if gates is None:
        gates = {}
    if not isinstance(gates, dict):
        errors.append(f"{where}: [gates] must be a table")
    else:
        errors.extend(_unknown_keys(gates, "gates", GATES_KEYS, where))
        external = gates.get("accept_external_verdicts", False)
        if isinstance(external, bool):
            settings = replace(settings, accept_external_verdicts=external)
        else:
            errors.append(f"{where}: gates.accept_external_verdicts must be true or false")
    retention_table = config.table("retention")
    retention, retention_errors = parse_retention({} if retention_table is None else retention_table, where)
    settings = replace(settings, retention=retention)
    errors.extend(retention_errors)
    notify, notify_errors = parse_notify(config.table("notify"), where)
    budget, budget_errors = parse_budget(config.table("budget"), where)
    settings = replace(settings, notify=notify, budget=budget)
    errors.extend(notify_errors + budget_errors)
    health, health_errors = _health(config.table("health"), where)
    settings = replace(settings, health=health)
    errors.extend(health_errors)
    quota, quota_errors = _quota(config.table("quota"), where)
    settings = replace(settings, quota=quota)
    errors.extend(quota_errors)
    table: Any = config.table("dashboard")
    if table is None:
        table = {}
    if not isinstance(table, dict):
        return replace(settings, errors=(*errors, f"{where}: [dashboard] must be a table"))
    errors.extend(_unknown_keys(table, "dashboard", DASHBOARD_KEYS, where))
    live = table.get("live_minutes", settings.live_minutes)
    try:
        settings = replace(settings, live_minutes=check_live_minutes(live, "dashboard.live_minutes"))
    except ValueError as exc:
        errors.append(f"{where}: {exc}")
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
        errors.append(f"{where}: dashboard.bands must be four increasing percentages")
    theme = table.get("theme", settings.theme)
    if isinstance(theme, str):
        settings = replace(settings, theme=theme)
    else:
        errors.append(f"{where}: dashboard.theme must be the name of a theme, not {theme!r}")
    return replace(settings, errors=tuple(errors))
