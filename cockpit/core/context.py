"""Context-window maths: window resolution, the auto-compact point, bands and forecasts (spec §1.10)."""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.core.kinds import Agent, WindowSource

DEFAULT_WINDOW = 200_000
ONE_MILLION = 1_000_000
DEFAULT_BANDS = (40.0, 60.0, 70.0, 80.0)


def resolve_window(
    *,
    agent: Agent,
    statusline_window: int | None = None,
    models: tuple[str, ...] = (),
    transcript_window: int | None = None,
    max_prompt_tokens: int = 0,
) -> tuple[int, WindowSource]:
    """The context window and where it came from, in the order of spec §1.10."""
    if statusline_window:
        return statusline_window, WindowSource.STATUSLINE
    if agent is Agent.CODEX and transcript_window:
        return transcript_window, WindowSource.TRANSCRIPT
    if any("[1m]" in m.lower() for m in models):
        return ONE_MILLION, WindowSource.MODEL_SUFFIX
    if max_prompt_tokens > DEFAULT_WINDOW:
        return ONE_MILLION, WindowSource.OBSERVED
    return DEFAULT_WINDOW, WindowSource.DEFAULT


def autocompact_tokens(window: int, agent: Agent = Agent.CLAUDE, max_output: int = 20_000) -> int:
    """Estimated prompt size at which the agent compacts on its own.

    Claude Code: window - min(max_output, 20k) - 13k (167,000 for 200k). Codex: 90 % of the
    raw window, and `model_context_window` is already 95 % of it.
    """
    if agent is Agent.CODEX:
        return int(window / 0.95 * 0.90)
    return window - min(max_output, 20_000) - 13_000


def band(pct: float, bands: tuple[float, ...] = DEFAULT_BANDS) -> int:
    """0 below the first threshold, then 1, 2, 3, 4 for each threshold reached."""
    return sum(1 for b in bands if pct >= b)


@dataclass(frozen=True, slots=True)
class Forecast:
    growth_per_call: float | None  # median growth of the recent calls, tokens
    calls_to_40: int | None  # None when not growing or already past
    calls_to_compact: int | None


def forecast(recent: tuple[int, ...], window: int, compact_at: int, threshold_pct: float = 40.0) -> Forecast:
    """Calls left before the 40 % line and the auto-compact point, from the recent growth.

    Uses the median of positive per-call growth over the last calls so one large tool result
    does not swing the estimate.
    """
    deltas = sorted(b - a for a, b in zip(recent, recent[1:], strict=False) if b > a)
    if not recent or not deltas:
        return Forecast(None, None, None)
    mid = len(deltas) // 2
    growth = float(deltas[mid]) if len(deltas) % 2 else (deltas[mid - 1] + deltas[mid]) / 2
    current = recent[-1]

    def calls_to(target: float) -> int | None:
        if current >= target:
            return None
        return max(1, int(-(-(target - current) // growth)))

    return Forecast(growth, calls_to(window * threshold_pct / 100), calls_to(compact_at))
