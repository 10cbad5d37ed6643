"""Fitting prompt parts into a token budget: the 40 % rule applied to cockpit's own prompts.

While the parts are over budget, the least relevant optional part goes first (ties: the largest). It is
truncated (head and tail kept, a marker line in the middle) when cutting it whole would throw away more
than twice what must go, and dropped otherwise. Required parts are never dropped; when only they are left
and still too big, the largest is truncated. Tokens are counted with the caller's `count` only, each
distinct text once. Pure: stdlib only, no IO.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

TRUNCATE_ITERATIONS = 8


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    text: str
    relevance: float  # 0..1, higher = keep
    required: bool = False


@dataclass(frozen=True, slots=True)
class Trim:
    name: str
    before_tokens: int
    after_tokens: int
    action: Literal["dropped", "truncated"]


@dataclass(frozen=True, slots=True)
class Fitted:
    parts: tuple[Part, ...]  # kept (possibly truncated), in the original order
    trimmed: tuple[Trim, ...]
    tokens: int  # total after fitting
    budget: int

    @property
    def fits(self) -> bool:
        return self.tokens <= self.budget

    def summary(self) -> str:
        """`fits: 12,345 of 80,000 tokens`, or `trimmed to 80,000 tokens: dropped transcript (52,100), …`."""
        if not self.trimmed:
            return f"fits: {self.tokens:,} of {self.budget:,} tokens"
        actions = ", ".join(
            f"dropped {t.name} ({t.before_tokens:,})" if t.action == "dropped"
            else f"truncated {t.name} {t.before_tokens:,} → {t.after_tokens:,}"
            for t in self.trimmed
        )
        if not self.fits:
            return f"over budget: {self.tokens:,} of {self.budget:,} tokens after trimming: {actions}"
        return f"trimmed to {self.budget:,} tokens: {actions}"


def marker_line(tokens: int) -> str:
    return f"… [{tokens:,} tokens trimmed by cockpit] …"


class _Counter:
    def __init__(self, count: Callable[[str], int]) -> None:
        self._count = count
        self._cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        cached = self._cache.get(text)
        if cached is None:
            cached = self._cache[text] = max(0, int(self._count(text)))
        return cached


def _cut(text: str, keep_chars: int, trimmed_tokens: int) -> str:
    """Head and tail of `text` (about `keep_chars` together) around a marker line, cut at line ends."""
    keep_chars = max(0, min(keep_chars, len(text)))
    head_len = keep_chars // 2
    tail_len = keep_chars - head_len
    head = text[:head_len]
    newline = head.rfind("\n")
    if newline >= head_len // 2:
        head = head[: newline + 1]
    tail = text[len(text) - tail_len:] if tail_len else ""
    newline = tail.find("\n")
    if 0 <= newline < tail_len // 2:
        tail = tail[newline + 1:]
    if head and not head.endswith("\n"):
        head += "\n"
    if tail and not tail.startswith("\n"):
        tail = "\n" + tail
    elif not tail:
        tail = ""
    return f"{head}{marker_line(trimmed_tokens)}{tail}"


def truncate(text: str, target: int, count: Callable[[str], int]) -> str:
    """`text` cut to at most `target` tokens (when even the marker alone is bigger, the marker alone)."""
    before = count(text)
    if before <= target:
        return text
    ratio = len(text) / before if before else 1.0
    keep = int(max(0, target - count(marker_line(before))) * ratio)
    for _ in range(TRUNCATE_ITERATIONS):
        candidate = _cut(text, keep, max(1, before - target))
        tokens = count(candidate)
        if tokens <= target:
            # Restate the marker with the real number trimmed when that still fits.
            exact = _cut(text, keep, max(1, before - tokens))
            return exact if count(exact) <= target else candidate
        if keep <= 0:
            break
        keep = int(keep * target / tokens * 0.95) if tokens else 0
    return marker_line(before)


def fit(parts: Sequence[Part], budget: int, count: Callable[[str], int]) -> Fitted:
    """Keep `parts` within `budget` tokens, trimming the least relevant first (see the module doc)."""
    counter = _Counter(count)
    kept: dict[int, Part] = dict(enumerate(parts))
    sizes: dict[int, int] = {i: counter(p.text) for i, p in kept.items()}
    trims: dict[int, Trim] = {}
    total = sum(sizes.values())
    while total > budget and kept:
        need = total - budget
        optional = [i for i, p in kept.items() if not p.required]
        if optional:
            index = min(optional, key=lambda i: (kept[i].relevance, -sizes[i], i))
            size = sizes[index]
            if size > need and size > 2 * need:
                new_text = truncate(kept[index].text, size - need, counter)
            else:
                new_text = None
        else:
            index = max(kept, key=lambda i: (sizes[i], -i))
            size = sizes[index]
            new_text = truncate(kept[index].text, max(0, size - need), counter)
            if counter(new_text) >= size:  # nothing more to take from the required parts
                break
        first = trims.get(index)
        before = first.before_tokens if first else size
        if new_text is None:
            del kept[index]
            trims[index] = Trim(parts[index].name, before, 0, "dropped")
            total -= size
        else:
            after = counter(new_text)
            if after >= size:  # could not shrink it at all: drop it instead
                del kept[index]
                trims[index] = Trim(parts[index].name, before, 0, "dropped")
                total -= size
                continue
            p = kept[index]
            kept[index] = Part(p.name, new_text, p.relevance, p.required)
            sizes[index] = after
            trims[index] = Trim(parts[index].name, before, after, "truncated")
            total -= size - after
    return Fitted(
        parts=tuple(kept[i] for i in sorted(kept)),
        trimmed=tuple(trims.values()),  # in the order they were first trimmed
        tokens=total,
        budget=budget,
    )
