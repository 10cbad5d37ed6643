"""Spending budgets (issue 14): the user's `[budget]` limits in USD, and what a spend amounts to against them.

Pure and stdlib only: the PreToolUse hook reads these rules on every tool call. (cockpit/core/budget.py is
something else: the token budget of a prompt.)

    [budget]
    session_usd = 20      # one session's deduped cost, all its days
    day_usd = 50          # every session's cost on one UTC day (the day `cockpit report` counts by)
    warn_pct = 80         # the warning band starts here

A spend is `ok` below the warning band, `warn` from `warn_pct` % of its limit, `over` once it reaches the
limit: then every further tool call of the session (a day: of every session) is denied until a human raises
the limit in cockpit. The limit that counts is the highest of the configured one and any raise stored for
that session or day.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

OK, WARN, OVER = "ok", "warn", "over"
SESSION, DAY = "session", "day"
BUDGET_KEYS = ("session_usd", "day_usd", "warn_pct")
DEFAULT_WARN_PCT = 80.0
# A limit above this is a typo, not a budget.
MAX_USD = 1_000_000.0
# What the raise dialog suggests: the limit (or the spend, when already past it) plus half.
RAISE_FACTOR = 1.5


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    session_usd: float | None = None
    day_usd: float | None = None
    warn_pct: float = DEFAULT_WARN_PCT

    @property
    def configured(self) -> bool:
        return self.session_usd is not None or self.day_usd is not None


@dataclass(frozen=True, slots=True)
class Spend:
    """One budget as it stands: `scope` session or day, `key` the session id or the UTC day."""

    scope: str
    key: str
    spent_usd: float
    limit_usd: float
    band: str

    @property
    def pct(self) -> float:
        return 100.0 * self.spent_usd / self.limit_usd if self.limit_usd > 0 else 100.0


def _usd(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0 < number <= MAX_USD else None


def parse_budget(table: object, where: str) -> tuple[BudgetLimits, list[str]]:
    """`[budget]` as written: the limits, and an error naming each bad or unknown key (that key is left unset)."""
    if table is None:
        return BudgetLimits(), []
    if not isinstance(table, dict):
        return BudgetLimits(), [f"{where}: [budget] must be a table"]
    errors = [f"{where}: budget.{key} is not a setting (known: {', '.join(BUDGET_KEYS)})"
              for key in table if key not in BUDGET_KEYS]
    values: dict[str, float] = {}
    for key in ("session_usd", "day_usd"):
        if key in table:
            usd = _usd(table[key])
            if usd is None:
                errors.append(f"{where}: budget.{key} must be an amount in USD above 0 and at most {MAX_USD:g},"
                              f" not {table[key]!r}")
            else:
                values[key] = usd
    if "warn_pct" in table:
        pct = table["warn_pct"]
        if isinstance(pct, int | float) and not isinstance(pct, bool) and math.isfinite(pct) and 0 < pct <= 100:
            values["warn_pct"] = float(pct)
        else:
            errors.append(f"{where}: budget.warn_pct must be a percentage above 0 and at most 100, not {pct!r}")
    return BudgetLimits(**values), errors


def band(spent_usd: float, limit_usd: float, warn_pct: float) -> str:
    """ok, warn (from warn_pct % of the limit) or over (the limit reached)."""
    if spent_usd >= limit_usd:
        return OVER
    if spent_usd >= limit_usd * warn_pct / 100.0:
        return WARN
    return OK


def effective_limit(configured: float | None, raised: float | None) -> float | None:
    """The limit that counts: the highest of the configured one and a human's raise; None when neither."""
    found = [v for v in (configured, raised) if v is not None]
    return max(found) if found else None


def spend(scope: str, key: str, spent_usd: float, configured: float | None, raised: float | None,
          warn_pct: float) -> Spend | None:
    """The budget of one session or day as it stands; None when it has no limit."""
    limit = effective_limit(configured, raised)
    if limit is None:
        return None
    return Spend(scope, key, spent_usd, limit, band(spent_usd, limit, warn_pct))


def deny_reason(stand: Spend) -> str:
    """What the agent reads when a budget stops its tool calls."""
    limit, spent = f"${stand.limit_usd:.2f}", f"${stand.spent_usd:.2f}"
    if stand.scope == SESSION:
        return f"cockpit: session budget of {limit} reached; a human can raise it in cockpit (spent {spent})"
    return (f"cockpit: daily budget of {limit} reached; a human can raise it in cockpit"
            f" (UTC day {stand.key}, spent {spent})")


def suggested_limit(stand: Spend) -> float:
    """The raise the dialog offers: +50 % on the limit, or on the spend when that is already higher."""
    return math.ceil(max(stand.limit_usd, stand.spent_usd) * RAISE_FACTOR * 100) / 100


_AMOUNT = re.compile(r"^\s*\$?\s*(\d+(?:\.\d*)?|\.\d+)\s*$")
_PERCENT = re.compile(r"^\s*\+\s*(\d+(?:\.\d*)?)\s*%\s*$")


def parse_new_limit(text: str, stand: Spend) -> tuple[float | None, str]:
    """A new limit typed by the human: an amount ("30", "$30.50") or a raise on the limit ("+50%").
    (limit, "") or (None, why not): it must be a number above what is already spent."""
    percent = _PERCENT.match(text)
    amount = _AMOUNT.match(text)
    if percent:
        value = stand.limit_usd * (1 + float(percent.group(1)) / 100)
    elif amount:
        value = float(amount.group(1))
    else:
        return None, f"{text.strip()!r} is not an amount in USD (e.g. 30, $30.50) or a raise (e.g. +50%)"
    value = round(value, 2)
    if not math.isfinite(value) or value > MAX_USD:
        return None, f"${value:g} is more than a budget may be (at most ${MAX_USD:g})"
    if value <= stand.spent_usd:
        return None, f"${value:.2f} is not above what is already spent (${stand.spent_usd:.2f})"
    return value, ""


def utc_day(now: datetime) -> str:
    """The UTC day of `now` as YYYY-MM-DD: the key of the daily budget and the prefix of its requests' times."""
    return now.astimezone(UTC).strftime("%Y-%m-%d")


def next_day(day: str) -> str:
    return (datetime.strptime(day, "%Y-%m-%d") + timedelta(days=1)).strftime("%Y-%m-%d")
