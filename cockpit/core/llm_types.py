"""What a call to Claude is configured with and what it gave: values shared by the layers.

`config` builds `LlmSettings` from the repository's `[llm]` table, `llm` sends with them and returns a
`CallResult`, `store` records it; none of those needs another's module for the shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_MODEL = "claude-sonnet-5"
DEFAULT_TIMEOUT = 120.0
DEFAULT_RETRIES = 3


@dataclass(frozen=True, slots=True)
class LlmSettings:
    model: str = DEFAULT_MODEL
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_RETRIES
    max_output_tokens: int = 4096
    # Our own prompts obey the 40 % rule: at most this share of the model's window goes in.
    input_budget: int = 80_000


@dataclass(frozen=True, slots=True)
class CallResult:
    ok: bool
    data: dict[str, Any] | None
    error: str
    model: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float | None = None
    attempts: int = 0
    duration_s: float = 0.0
    notes: tuple[str, ...] = field(default=())
