"""Plan quota and prompt-cache maths (issue 14 items 1 and 6): pure, stdlib only, every clock passed in.

A quota observation is what one agent last said about its plan's rate-limit windows: Claude Code's
statusLine input (`rate_limits.five_hour` / `seven_day`: `used_percentage`, `resets_at` epoch seconds) or a
Codex `token_count` event (`rate_limits.primary` / `secondary`: `used_percent`, `window_minutes`,
`resets_at`; older builds `resets_in_seconds`). A window whose reset has passed says nothing current any more:
it is *expired*, shown as such and never as the present use. Values that cannot be true (a percentage out of
0-100, a reset before the observation or beyond the window's length, a time that is no number) are refused
with a reason, never shown.

The prompt-cache countdown: a Claude session's cache lives for its TTL after the last request that used it
(1 hour when that request wrote 1-hour cache, else 5 minutes); the statusLine's `prompt_cache.expires_at`
wins when it was observed after that request. A cold restart writes the whole prompt to the cache again, at
the model's cache-write price for that TTL (core/pricing.py; unknown model: unknown cost).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cockpit.core.format import cost
from cockpit.core.pricing import price_for

# Claude's windows by name, with their length; Codex states its own (`window_minutes`).
CLAUDE_WINDOWS = {"five_hour": 300, "seven_day": 10080}
CODEX_WINDOWS = ("primary", "secondary")
DEFAULT_WARN = 80.0
DEFAULT_CRITICAL = 95.0
# Clocks of two machines and the moment a statusLine ran differ a little: this much is not a contradiction.
SKEW = timedelta(minutes=5)
# A reset more than this after the observation cannot be a window's (a year of minutes, rounded up).
MAX_WINDOW_MINUTES = 366 * 24 * 60
BANDS = ("ok", "warn", "critical", "expired")

CACHE_TTL_5M = 300
CACHE_TTL_1H = 3600


@dataclass(frozen=True, slots=True)
class Window:
    name: str  # five_hour, seven_day (Claude); primary, secondary (Codex)
    used_pct: float
    resets_at: datetime  # aware, UTC
    minutes: int | None  # the window's length when known

    def expired(self, now: datetime) -> bool:
        """The window reset after it was observed: its use is no longer known."""
        return now >= self.resets_at


@dataclass(frozen=True, slots=True)
class Observation:
    agent: str  # "claude" or "codex"
    windows: tuple[Window, ...]
    observed_at: datetime  # aware, UTC
    source: str  # "statusline" or "rollout"
    where: str = ""  # the session id (statusLine) or the rollout's path


@dataclass(frozen=True, slots=True)
class Thresholds:
    warn: float = DEFAULT_WARN
    critical: float = DEFAULT_CRITICAL


DEFAULT_THRESHOLDS = Thresholds()


# ---- reading values ---------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def epoch(value: Any) -> datetime | None:
    """Epoch seconds (or milliseconds, when the number is that large) as an aware UTC time; None otherwise."""
    number = _number(value)
    if number is None or number <= 0:
        return None
    if number > 1e11:  # no epoch second is that far off (year 5138): milliseconds
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def moment(value: Any) -> datetime | None:
    """An epoch number or an ISO-8601 text as an aware UTC time; None when it is neither."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return epoch(value)


def _window(name: str, raw: Any, observed_at: datetime, *, pct_key: str, minutes: int | None,
            where: str) -> tuple[Window | None, str]:
    if not isinstance(raw, dict):
        return None, f"{where}.{name} is not an object"
    used = _number(raw.get(pct_key))
    if used is None:
        return None, f"{where}.{name}.{pct_key} is not a number ({raw.get(pct_key)!r})"
    if not 0.0 <= used <= 100.0:
        return None, f"{where}.{name}.{pct_key} is not a percentage ({used:g})"
    if minutes is None and "window_minutes" in raw:
        length = _number(raw.get("window_minutes"))
        if length is None or length <= 0 or length > MAX_WINDOW_MINUTES or length != int(length):
            return None, f"{where}.{name}.window_minutes is not a number of minutes ({raw.get('window_minutes')!r})"
        minutes = int(length)
    if "resets_at" in raw:
        resets = epoch(raw.get("resets_at"))
        if resets is None:
            return None, f"{where}.{name}.resets_at is not an epoch time ({raw.get('resets_at')!r})"
    else:
        # Codex before resets_at: seconds from the observation.
        seconds = _number(raw.get("resets_in_seconds"))
        if seconds is None or seconds < 0:
            return None, f"{where}.{name} has no resets_at"
        resets = observed_at + timedelta(seconds=min(seconds, MAX_WINDOW_MINUTES * 60.0))
    if resets < observed_at - SKEW:
        return None, f"{where}.{name}.resets_at ({iso(resets)}) is before the observation ({iso(observed_at)})"
    longest = timedelta(minutes=minutes if minutes is not None else MAX_WINDOW_MINUTES)
    if resets > observed_at + longest + SKEW:
        return None, f"{where}.{name}.resets_at ({iso(resets)}) is further away than the window is long"
    return Window(name, used, resets, minutes), ""


def claude_observation(payload: Any, observed_at: datetime, where: str = "") -> tuple[Observation | None, list[str]]:
    """The quota a statusLine payload states, and the problems of the parts it could not use."""
    if not isinstance(payload, dict):
        return None, ["the statusLine payload is not a JSON object"]
    limits = payload.get("rate_limits")
    if limits is None:
        return None, []  # an API-key session, or before the first response: nothing to say
    if not isinstance(limits, dict):
        return None, ["rate_limits is not an object"]
    windows, problems = _windows(limits, CLAUDE_WINDOWS, observed_at, "used_percentage")
    if not windows:
        return None, problems or ["rate_limits has neither five_hour nor seven_day"]
    return Observation("claude", tuple(windows), observed_at, "statusline", where), problems


def _windows(limits: dict[str, Any], names: Mapping[str, int | None], observed_at: datetime,
             pct_key: str) -> tuple[list[Window], list[str]]:
    """The windows `limits` states among `names` (name -> its length in minutes, None: the payload says),
    and the problems of those it could not use."""
    windows: list[Window] = []
    problems: list[str] = []
    for name, minutes in names.items():
        if limits.get(name) is not None:
            window, problem = _window(name, limits[name], observed_at, pct_key=pct_key, minutes=minutes,
                                      where="rate_limits")
            if window is not None:
                windows.append(window)
            else:
                problems.append(problem)
    return windows, problems


def codex_observation(limits: Any, observed_at: datetime, where: str = "") -> tuple[Observation | None, list[str]]:
    """The quota a Codex `token_count` event's `rate_limits` states, and the problems of what it could not use."""
    if not isinstance(limits, dict):
        return None, ["rate_limits is not an object"]
    windows, problems = _windows(limits, dict.fromkeys(CODEX_WINDOWS), observed_at, "used_percent")
    if not windows:
        return None, problems or ["rate_limits has neither primary nor secondary"]
    return Observation("codex", tuple(windows), observed_at, "rollout", where), problems


# ---- bands and words --------------------------------------------------------------------------------


def band(window: Window, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> str:
    """ok, warn (≥ warn %), critical (≥ critical %), or expired (the window reset since it was observed)."""
    if window.expired(now):
        return "expired"
    if window.used_pct >= thresholds.critical:
        return "critical"
    if window.used_pct >= thresholds.warn:
        return "warn"
    return "ok"


def duration(seconds: float) -> str:
    """2h 14m, 3d 4h, 45m, 12s: the two largest units."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    if minutes:
        return f"{minutes}m"
    return f"{secs}s"


def compact_duration(seconds: float) -> str:
    """The same, without the space (2h14m, 3d4h): for the dashboard's top line."""
    return duration(seconds).replace(" ", "")


def span(minutes: int | None, name: str) -> str:
    """The window's short label: 5h, 7d, 30m; Claude's names when the length is unknown."""
    if minutes is None:
        return {"five_hour": "5h", "seven_day": "7d", "primary": "1st", "secondary": "2nd"}.get(name, name)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


def reset_text(window: Window, now: datetime) -> str:
    left = (window.resets_at - now).total_seconds()
    if left > 0:
        return f"resets in {duration(left)}"
    return f"reset {duration(-left)} ago: expired, the use since is not known"


def iso(dt: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second, or the millisecond when the time has a fraction."""
    dt = dt.astimezone(UTC)
    millis = f".{dt.microsecond // 1000:03d}" if dt.microsecond // 1000 else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + millis + "Z"


def observation_json(obs: Observation | None, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, Any] | None:
    """The JSON of `cockpit quota --json` for one agent: the documented keys, plus `expired` and `band`."""
    if obs is None:
        return None
    windows = []
    for w in obs.windows:
        entry: dict[str, Any] = {"name": w.name}
        if obs.agent == "codex":
            entry["minutes"] = w.minutes
        entry |= {"used_pct": w.used_pct, "resets_at": iso(w.resets_at), "expired": w.expired(now),
                  "band": band(w, now, thresholds)}
        windows.append(entry)
    return {"windows": windows, "observed_at": iso(obs.observed_at), "source": obs.source}


# ---- the prompt cache ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheState:
    expires_at: datetime
    ttl_seconds: int
    cold_cost: float | None  # USD to write the whole prompt to the cache again; None: the model's price is unknown
    source: str  # "statusline" or "calls"

    def left(self, now: datetime) -> float:
        return (self.expires_at - now).total_seconds()


def cold_cost(model: str, prompt_tokens: int, one_hour: bool, on: date | None = None) -> float | None:
    """The cost of writing `prompt_tokens` to the cache at the model's write price for the TTL."""
    price = price_for(model, on) if model else None
    if price is None:
        return None
    _, _, write_5m, write_1h, _ = price.rates(prompt_tokens)
    return prompt_tokens * (write_1h if one_hour else write_5m) / 1_000_000


def cache_state(*, last_call_at: datetime, one_hour: bool, model: str, prompt_tokens: int,
                statusline_at: datetime | None = None, statusline_cache: Any = None) -> CacheState:
    """When the session's prompt cache likely expires and what a cold restart costs.

    `one_hour`: the last request that wrote cache wrote 1-hour cache. `statusline_cache`: the statusLine's
    `prompt_cache` object, observed at `statusline_at`; its `expires_at` (and `ttl`) are used when that
    observation is not older than the last request."""
    ttl = CACHE_TTL_1H if one_hour else CACHE_TTL_5M
    expires = last_call_at + timedelta(seconds=ttl)
    source = "calls"
    if isinstance(statusline_cache, dict) and statusline_at is not None and statusline_at >= last_call_at:
        stated = moment(statusline_cache.get("expires_at"))
        stated_ttl = _number(statusline_cache.get("ttl"))
        if stated_ttl is not None and stated_ttl > 0:
            # ttl may be seconds (300, 3600) or a label such as "1h"; only a number is read.
            ttl = int(stated_ttl)
            one_hour = ttl >= CACHE_TTL_1H
        if stated is not None and last_call_at - SKEW <= stated <= statusline_at + timedelta(hours=2):
            expires, source = stated, "statusline"
    return CacheState(expires, ttl, cold_cost(model, prompt_tokens, one_hour, last_call_at.date()), source)


def countdown(seconds: float) -> str:
    """3m12s, 1h02m, 45s."""
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def cache_text(state: CacheState, now: datetime) -> str:
    """`cache 3m12s · cold $0.84` or `cache expired · cold $0.84`."""
    left = state.left(now)
    head = f"cache {countdown(left)}" if left > 0 else "cache expired"
    return f"{head} · cold {cost(state.cold_cost)}"
