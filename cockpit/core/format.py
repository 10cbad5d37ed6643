"""Numbers and one-line summaries as users read them: exact where it matters, short elsewhere."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cockpit.core.context import DEFAULT_BANDS, autocompact_tokens, band, forecast
from cockpit.core.text import one_line, terminal_safe

if TYPE_CHECKING:
    from cockpit.core.models import SessionView


def plural(count: int, noun: str, many: str = "") -> str:
    """"1 commit", "2 commits", "0 commits"; `many` when adding an s is wrong ("1 fix", "3 fixes")."""
    return f"{count} {noun_for(count, noun, many)}"


def noun_for(count: int, noun: str, many: str = "") -> str:
    """The noun alone, singular or plural for `count` (for a table whose numbers have their own column)."""
    return noun if count == 1 else many or noun + "s"


def tokens(n: int | None) -> str:
    """1234 -> 1.2k, 167094 -> 167.1k, 1000000 -> 1.00M; exact below 1,000."""
    if n is None:
        return "?"
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.2f}M"


def cost(usd: float | None) -> str:
    if usd is None:
        return "$?"
    if usd < 0.01 and usd > 0:
        return "<$0.01"
    return f"${usd:,.2f}"


def pct(value: float) -> str:
    return f"{value:.1f}%"


def spark(values: tuple[int, ...] | list[int], top: int) -> str:
    """A sparkline scaled to `top` (the window), so heights compare across sessions."""
    blocks = " ▁▂▃▄▅▆▇█"
    if not values or top <= 0:
        return ""
    return "".join(blocks[min(8, max(0, round(8 * v / top)))] for v in values)


def gauge_line(view: SessionView, bands: tuple[float, ...] = DEFAULT_BANDS) -> str:
    ctx = view.context
    if ctx is None:
        return f"{view.agent.value} {one_line(view.session_id[:8])}: no context yet"
    assumed = " (window assumed)" if ctx.window_source.assumed else ""
    level = ["ok", "over 40%", "over 60%", "over 70%", "over 80%"][band(ctx.pct, bands)]
    compact_at = autocompact_tokens(ctx.window, view.agent)
    return (
        f"ctx {pct(ctx.pct)} {tokens(ctx.prompt_tokens)}/{tokens(ctx.window)}{assumed} [{level}]"
        f" · compact ≈{tokens(compact_at)} · {plural(len(view.compactions), 'compaction')} · {cost(view.cost_usd)}"
    )


def forecast_text(view: SessionView, threshold: float = 40.0) -> str:
    ctx = view.context
    if ctx is None:
        return ""
    compact_at = autocompact_tokens(ctx.window, view.agent)
    recent = view.recent_context
    fc = forecast(recent, ctx.window, compact_at, threshold)
    parts = []
    if ctx.pct >= threshold:
        parts.append(f"past {threshold:.0f}%")
    elif fc.calls_to_40 is not None:
        parts.append(f"≈{fc.calls_to_40} calls to {threshold:.0f}%")
    if ctx.prompt_tokens >= compact_at:
        parts.append("at auto-compact")
    elif fc.calls_to_compact is not None:
        parts.append(f"≈{fc.calls_to_compact} to auto-compact")
    if not parts:
        parts.append("not growing")
    return " · ".join(parts)


def session_line(view: SessionView) -> str:
    """One row of `cockpit sessions`; the transcript's id, project and title as `one_line` shows them."""
    ctx = f"{pct(view.context.pct):>6}" if view.context else "     -"
    return (
        f"{view.agent.value:<6} {one_line(view.session_id[:8]):<8} {view.state.value:<16} {ctx}"
        f" peak {pct(view.peak_pct):>6}"
        f" {cost(view.cost_usd):>9}  {terminal_safe(view.project, multiline=False)}  {one_line(view.title, 60)}"
    )


def age(moment: datetime | None, now: datetime) -> str:
    """A short age such as 45s, 12m, 3h, 5d, 7w; '?' when unknown."""
    if moment is None:
        return "?"
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("w", 7 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit == "w" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def bytes_size(n: int) -> str:
    """1023 B, 4.0 KiB, 50.0 MiB: binary units, one decimal."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def parse_ts(ts: str | None) -> datetime | None:
    """An ISO-8601 time as stored (a trailing Z allowed); None when absent or malformed."""
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
