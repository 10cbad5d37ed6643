"""Context-window maths (spec agent-formats §1.10, §3.2)."""

from __future__ import annotations

import pytest

from cockpit.core.context import autocompact_tokens, band, forecast, resolve_window
from cockpit.core.models import Agent, WindowSource


def test_statusline_window_wins_over_everything():
    got = resolve_window(agent=Agent.CODEX, statusline_window=123_456, models=("opus[1m]",),
                         transcript_window=258_400, max_prompt_tokens=500_000)
    assert got == (123_456, WindowSource.STATUSLINE)


def test_codex_transcript_window_comes_next():
    got = resolve_window(agent=Agent.CODEX, models=("x[1m]",), transcript_window=258_400, max_prompt_tokens=500_000)
    assert got == (258_400, WindowSource.TRANSCRIPT)


def test_claude_ignores_a_transcript_window():
    got = resolve_window(agent=Agent.CLAUDE, transcript_window=258_400)
    assert got == (200_000, WindowSource.DEFAULT)


def test_1m_suffix_before_observed_size():
    got = resolve_window(agent=Agent.CLAUDE, models=("claude-opus-4-6[1M]",), max_prompt_tokens=10)
    assert got == (1_000_000, WindowSource.MODEL_SUFFIX)


def test_a_prompt_over_200k_means_a_1m_window_but_200k_exactly_does_not():
    assert resolve_window(agent=Agent.CLAUDE, max_prompt_tokens=200_001) == (1_000_000, WindowSource.OBSERVED)
    assert resolve_window(agent=Agent.CLAUDE, max_prompt_tokens=200_000) == (200_000, WindowSource.DEFAULT)


def test_assumed_windows_are_flagged():
    assert WindowSource.OBSERVED.assumed and WindowSource.DEFAULT.assumed
    assert not WindowSource.STATUSLINE.assumed and not WindowSource.TRANSCRIPT.assumed


def test_autocompact_point_matches_claude_code():
    assert autocompact_tokens(200_000) == 167_000
    assert autocompact_tokens(1_000_000) == 967_000
    assert autocompact_tokens(200_000, max_output=8_000) == 179_000


def test_codex_autocompact_is_90_percent_of_the_raw_window():
    # model_context_window 258,400 = 272,000 x 95 %; compaction at 90 % of 272,000
    assert autocompact_tokens(258_400, Agent.CODEX) == 244_800


@pytest.mark.parametrize(("pct", "expected"), [(0, 0), (39.9, 0), (40, 1), (65, 2), (70, 3), (99, 4)])
def test_bands(pct, expected):
    assert band(pct) == expected


def test_forecast_on_a_growing_series_uses_the_median_growth():
    # one large tool result (+20k) must not swing the estimate
    recent = (30_000, 31_000, 32_000, 52_000, 53_000, 54_000)
    f = forecast(recent, window=200_000, compact_at=167_000)
    assert f.growth_per_call == 1_000
    assert f.calls_to_40 == (80_000 - 54_000) // 1_000
    assert f.calls_to_compact == (167_000 - 54_000) // 1_000


def test_forecast_rounds_calls_up():
    f = forecast((0, 3_000), window=200_000, compact_at=167_000)
    assert f.calls_to_40 == 26  # (80,000 - 3,000) / 3,000 = 25.7 -> 26 calls, not 25


def test_forecast_without_growth_or_past_the_line():
    assert forecast((), 200_000, 167_000).growth_per_call is None
    assert forecast((50_000, 50_000, 40_000), 200_000, 167_000).calls_to_compact is None
    past = forecast((90_000, 91_000), 200_000, 167_000)
    assert past.calls_to_40 is None and past.calls_to_compact == 76
