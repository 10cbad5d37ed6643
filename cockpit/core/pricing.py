"""Per-model prices, in one place. Cost is computed from deduped usage, per request.

Sources, checked 2026-11-25:
- Anthropic: platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input,
  5m and 1h cache writes, cache hits, output; "Long context pricing" for Sonnet 4 / 4.5 with the
  1M beta, which bills the whole request at the higher rate when its prompt exceeds 200k).
- OpenAI: the API pricing page (input, cached input, output), as mirrored by the Codex rate card.
A model that is not listed has an unknown cost: cockpit shows "?" and never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cockpit.core.models import Usage

PRICES_CHECKED = "2026-11-25"
LONG_CONTEXT_TOKENS = 200_000


@dataclass(frozen=True, slots=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    # Sonnet 4 / 4.5 long-context rates, applied to the whole request when its prompt > 200k.
    long_context: tuple[float, float, float, float, float] | None = None


_OPUS_NEW = Price(5.0, 25.0, 6.25, 10.0, 0.50)
_OPUS_OLD = Price(15.0, 75.0, 18.75, 30.0, 1.50)
_SONNET_4 = Price(3.0, 15.0, 3.75, 6.0, 0.30, long_context=(6.0, 22.5, 7.5, 12.0, 0.60))
_SONNET_46 = Price(3.0, 15.0, 3.75, 6.0, 0.30)
_SONNET_5 = Price(2.0, 10.0, 2.50, 4.0, 0.20)
_HAIKU_45 = Price(1.0, 5.0, 1.25, 2.0, 0.10)
_HAIKU_35 = Price(0.80, 4.0, 1.0, 1.6, 0.08)
_GPT_5 = Price(1.25, 10.0, 0.0, 0.0, 0.125)
_GPT_52 = Price(1.75, 14.0, 0.0, 0.0, 0.175)

# Model families, matched against the model id with any date suffix and "[1m]" removed.
PRICE_TABLE: dict[str, Price] = {
    "claude-opus-5": _OPUS_NEW,
    "claude-opus-4-8": _OPUS_NEW,
    "claude-opus-4-7": _OPUS_NEW,
    "claude-opus-4-6": _OPUS_NEW,
    "claude-opus-4-5": _OPUS_NEW,
    "claude-opus-4-1": _OPUS_OLD,
    "claude-opus-4": _OPUS_OLD,
    "claude-sonnet-5": _SONNET_5,
    "claude-sonnet-4-6": _SONNET_46,
    "claude-sonnet-4-5": _SONNET_4,
    "claude-sonnet-4": _SONNET_4,
    "claude-haiku-4-5": _HAIKU_45,
    "claude-3-5-haiku": _HAIKU_35,
    "gpt-5": _GPT_5,
    "gpt-5-codex": _GPT_5,
    "gpt-5.1": _GPT_5,
    "gpt-5.1-codex": _GPT_5,
    "gpt-5.2": _GPT_52,
    "gpt-5.2-codex": _GPT_52,
    "gpt-5.3-codex": _GPT_52,
}

_DATE_SUFFIX = re.compile(r"-\d{8}$")


def price_for(model: str) -> Price | None:
    name = model.lower().replace("[1m]", "").strip()
    name = _DATE_SUFFIX.sub("", name)
    if name.startswith("anthropic/") or name.startswith("openai/"):
        name = name.split("/", 1)[1]
    return PRICE_TABLE.get(name)


def request_cost(model: str, usage: Usage) -> float | None:
    """Cost of one request in USD, or None when the model has no known price."""
    return cost_of(model, usage, long_context=usage.prompt_tokens > LONG_CONTEXT_TOKENS)


def cost_of(model: str, usage: Usage, *, long_context: bool) -> float | None:
    """Cost of requests summed in `usage`, all of one pricing tier (long context or not)."""
    price = price_for(model)
    if price is None:
        return None
    inp, out, w5, w1, cr = price.input, price.output, price.cache_write_5m, price.cache_write_1h, price.cache_read
    if price.long_context and long_context:
        inp, out, w5, w1, cr = price.long_context
    five_minute = usage.cache_creation_input_tokens - usage.cache_creation_1h_tokens
    return (
        usage.input_tokens * inp
        + usage.output_tokens * out
        + five_minute * w5
        + usage.cache_creation_1h_tokens * w1
        + usage.cache_read_input_tokens * cr
    ) / 1_000_000
