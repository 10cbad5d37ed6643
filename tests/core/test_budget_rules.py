"""The budget rules: `[budget]` as written, the bands, the raise a human types."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cockpit.core.budget_rules import (
    OK,
    OVER,
    WARN,
    BudgetLimits,
    Spend,
    band,
    deny_reason,
    effective_limit,
    next_day,
    parse_budget,
    parse_new_limit,
    suggested_limit,
    utc_day,
)


def test_a_budget_table_is_read_and_nothing_is_a_budget_by_default() -> None:
    assert parse_budget(None, "c.toml") == (BudgetLimits(), [])
    assert not BudgetLimits().configured
    limits, errors = parse_budget({"session_usd": 20, "day_usd": 50.5, "warn_pct": 75}, "c.toml")
    assert errors == [] and limits == BudgetLimits(20.0, 50.5, 75.0) and limits.configured


@pytest.mark.parametrize("table, key", [
    ({"session_usd": "20"}, "budget.session_usd"), ({"day_usd": 0}, "budget.day_usd"),
    ({"day_usd": -3}, "budget.day_usd"), ({"session_usd": True}, "budget.session_usd"),
    ({"session_usd": float("nan")}, "budget.session_usd"), ({"warn_pct": 120}, "budget.warn_pct"),
    ({"sesion_usd": 5}, "budget.sesion_usd is not a setting"),
])
def test_each_bad_value_is_named_and_left_unset(table, key) -> None:
    limits, errors = parse_budget(table, "c.toml")
    assert len(errors) == 1 and key in errors[0] and errors[0].startswith("c.toml: ")
    assert not limits.configured
    assert parse_budget(["x"], "c.toml")[1] == ["c.toml: [budget] must be a table"]


def test_the_bands() -> None:
    assert band(7.99, 10, 80) == OK
    assert band(8.0, 10, 80) == WARN
    assert band(9.99, 10, 80) == WARN
    assert band(10.0, 10, 80) == OVER  # reached is over: the next call is denied
    assert band(25, 10, 80) == OVER


def test_a_raise_counts_only_above_the_configured_limit() -> None:
    assert effective_limit(10, None) == 10
    assert effective_limit(10, 15) == 15
    assert effective_limit(30, 15) == 30  # the config was raised since
    assert effective_limit(None, None) is None


def test_the_reason_the_agent_reads() -> None:
    assert deny_reason(Spend("session", "s1", 12.345, 10, OVER)) == (
        "cockpit: session budget of $10.00 reached; a human can raise it in cockpit (spent $12.35)")
    assert deny_reason(Spend("day", "2026-03-01", 51, 50, OVER)) == (
        "cockpit: daily budget of $50.00 reached; a human can raise it in cockpit (UTC day 2026-03-01, spent $51.00)")


def test_the_raise_offered_and_typed() -> None:
    stand = Spend("session", "s1", 12.0, 10.0, OVER)
    assert suggested_limit(stand) == 18.0  # +50 % on the spend, already past the limit
    assert suggested_limit(Spend("session", "s1", 8.5, 10.0, WARN)) == 15.0
    assert parse_new_limit("30", stand) == (30.0, "")
    assert parse_new_limit(" $30.50 ", stand) == (30.5, "")
    assert parse_new_limit("+50%", stand) == (15.0, "")
    value, why = parse_new_limit("11", stand)
    assert value is None and "not above what is already spent ($12.00)" in why
    value, why = parse_new_limit("lots", stand)
    assert value is None and "not an amount" in why
    assert parse_new_limit("99999999", stand)[0] is None


def test_the_day_is_the_utc_day() -> None:
    late_evening_in_new_york = datetime(2026, 3, 1, 22, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert utc_day(late_evening_in_new_york) == "2026-03-02"
    assert utc_day(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == "2026-12-31"
    assert next_day("2026-12-31") == "2027-01-01"
