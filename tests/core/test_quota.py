"""Plan quota windows, their expiry and band, and the prompt-cache countdown, with fixed clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cockpit.core.pricing import price_for
from cockpit.core.quota import (
    Thresholds,
    band,
    cache_state,
    cache_text,
    claude_observation,
    codex_observation,
    cold_cost,
    observation_json,
    reset_text,
)

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
T = int(NOW.timestamp())


def payload(five: object = None, seven: object = None) -> dict:
    limits = {}
    if five is not None:
        limits["five_hour"] = five
    if seven is not None:
        limits["seven_day"] = seven
    return {"session_id": "s", "rate_limits": limits}


def test_a_statusline_payload_gives_both_windows_with_iso_resets() -> None:
    obs, problems = claude_observation(payload({"used_percentage": 42, "resets_at": T + 8040},
                                               {"used_percentage": 36.5, "resets_at": T + 86400}), NOW)
    assert problems == [] and obs is not None
    data = observation_json(obs, NOW)
    assert data == {
        "windows": [
            {"name": "five_hour", "used_pct": 42.0, "resets_at": "2026-06-01T14:14:00Z", "expired": False, "band": "ok"},
            {"name": "seven_day", "used_pct": 36.5, "resets_at": "2026-06-02T12:00:00Z", "expired": False, "band": "ok"},
        ],
        "observed_at": "2026-06-01T12:00:00Z",
        "source": "statusline",
    }
    assert reset_text(obs.windows[0], NOW) == "resets in 2h 14m"


def test_a_window_whose_reset_passed_is_expired_not_current() -> None:
    obs, _ = claude_observation(payload({"used_percentage": 97, "resets_at": T + 600}), NOW)
    assert obs is not None
    window = obs.windows[0]
    assert band(window, NOW) == "critical"
    later = NOW + timedelta(minutes=11)
    assert window.expired(later) and band(window, later) == "expired"
    assert observation_json(obs, later)["windows"][0]["expired"] is True  # type: ignore[index]
    assert "expired" in reset_text(window, later)


@pytest.mark.parametrize(("used", "expected"), [(79.9, "ok"), (80, "warn"), (94.9, "warn"), (95, "critical")])
def test_bands_follow_the_settings(used: float, expected: str) -> None:
    obs, _ = claude_observation(payload({"used_percentage": used, "resets_at": T + 60}), NOW)
    assert obs is not None and band(obs.windows[0], NOW) == expected
    assert band(obs.windows[0], NOW, Thresholds(warn=50, critical=99)) == ("warn" if used < 99 else "critical")


@pytest.mark.parametrize("junk", [
    "junk",
    {"used_percentage": "42", "resets_at": T + 60},  # a text, not a number
    {"used_percentage": 42, "resets_at": "soon"},
    {"used_percentage": -3, "resets_at": T + 60},
    {"used_percentage": 140, "resets_at": T + 60},
    {"used_percentage": 42, "resets_at": T - 3600},  # a reset before the observation
    {"used_percentage": 42, "resets_at": T + 6 * 3600},  # further than a five-hour window
    {"used_percentage": True, "resets_at": T + 60},
    {"used_percentage": float("nan"), "resets_at": T + 60},
])
def test_junk_windows_are_refused_with_a_reason(junk: object) -> None:
    obs, problems = claude_observation(payload(junk), NOW)
    assert obs is None
    assert problems and "five_hour" in problems[0]


def test_one_bad_window_keeps_the_good_one() -> None:
    obs, problems = claude_observation(payload({"used_percentage": 42, "resets_at": "x"},
                                               {"used_percentage": 10, "resets_at": T + 3600}), NOW)
    assert obs is not None and [w.name for w in obs.windows] == ["seven_day"]
    assert len(problems) == 1 and "five_hour.resets_at" in problems[0]


def test_no_rate_limits_is_no_observation_and_no_problem() -> None:
    assert claude_observation({"session_id": "s"}, NOW) == (None, [])
    assert claude_observation(["not", "an", "object"], NOW)[0] is None
    assert claude_observation({"rate_limits": 5}, NOW) == (None, ["rate_limits is not an object"])


def test_codex_windows_carry_their_minutes_and_older_resets_in_seconds() -> None:
    obs, problems = codex_observation({"primary": {"used_percent": 7.0, "window_minutes": 300, "resets_at": T + 100},
                                       "secondary": {"used_percent": 11.0, "window_minutes": 10080,
                                                     "resets_in_seconds": 7200}}, NOW)
    assert problems == [] and obs is not None
    data = observation_json(obs, NOW)
    assert data is not None and data["windows"][0]["minutes"] == 300 and data["source"] == "rollout"
    assert data["windows"][1]["resets_at"] == "2026-06-01T14:00:00Z"
    bad, problems = codex_observation({"primary": {"used_percent": 7, "window_minutes": -5, "resets_at": T}}, NOW)
    assert bad is None and "window_minutes" in problems[0]


# ---- the prompt cache -------------------------------------------------------------------------------


def test_cache_lives_five_minutes_after_the_last_call_unless_it_wrote_one_hour_cache() -> None:
    last = NOW - timedelta(seconds=108)
    five = cache_state(last_call_at=last, one_hour=False, model="claude-sonnet-4-5", prompt_tokens=100_000)
    assert five.ttl_seconds == 300 and five.source == "calls"
    assert cache_text(five, NOW).startswith("cache 3m12s · cold $")
    hour = cache_state(last_call_at=last, one_hour=True, model="claude-sonnet-4-5", prompt_tokens=100_000)
    assert cache_text(hour, NOW).startswith("cache 58m12s")
    assert cache_text(five, NOW + timedelta(minutes=4)).startswith("cache expired · cold $")


def test_the_cold_cost_is_the_prompt_at_the_models_cache_write_price() -> None:
    price = price_for("claude-opus-4-6")
    assert price is not None
    _, _, write_5m, write_1h, _ = price.rates(100_000)
    assert cold_cost("claude-opus-4-6", 100_000, one_hour=False) == pytest.approx(100_000 * write_5m / 1e6)
    assert cold_cost("claude-opus-4-6", 100_000, one_hour=True) == pytest.approx(100_000 * write_1h / 1e6)
    assert write_1h > write_5m
    unknown = cache_state(last_call_at=NOW, one_hour=False, model="no-such-model", prompt_tokens=10)
    assert unknown.cold_cost is None and cache_text(unknown, NOW).endswith("cold $?")


def test_the_statuslines_expiry_wins_when_observed_after_the_last_call() -> None:
    last = NOW - timedelta(seconds=100)
    stated = {"expires_at": int((NOW + timedelta(minutes=50)).timestamp()), "ttl": 3600}
    newer = cache_state(last_call_at=last, one_hour=False, model="claude-sonnet-4-5", prompt_tokens=1000,
                        statusline_at=NOW - timedelta(seconds=50), statusline_cache=stated)
    assert newer.source == "statusline" and cache_text(newer, NOW).startswith("cache 50m00s")
    older = cache_state(last_call_at=last, one_hour=False, model="claude-sonnet-4-5", prompt_tokens=1000,
                        statusline_at=NOW - timedelta(seconds=200), statusline_cache=stated)
    assert older.source == "calls" and cache_text(older, NOW).startswith("cache 3m20s")
    iso_text = {"expires_at": "2026-06-01T12:10:00Z"}
    stated_iso = cache_state(last_call_at=last, one_hour=False, model="claude-sonnet-4-5", prompt_tokens=1000,
                             statusline_at=NOW, statusline_cache=iso_text)
    assert cache_text(stated_iso, NOW).startswith("cache 10m00s")
    junk = cache_state(last_call_at=last, one_hour=False, model="claude-sonnet-4-5", prompt_tokens=1000,
                       statusline_at=NOW, statusline_cache={"expires_at": "later"})
    assert junk.source == "calls"
