"""The engine under `redact`: rules that find a secret by its shape, run cheaply over long texts.

A rule runs only when one of its keywords occurs in the lower-cased text (gitleaks' pre-filter; a long text
is first reduced to its distinct words, so two hundred keywords cost little). A rule whose matches all begin
with known literal text (its anchors) is tried only where that text occurs; the others scan the whole text.
Rules claim spans in order: a span claimed by an earlier rule stays with it. Pure: stdlib only, no IO.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from cockpit.core import redact_rules

MARK = "[REDACTED:"


def marker(kind: str) -> str:
    return f"{MARK}{kind}]"


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


Keep = Callable[[re.Match[str], str], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    pattern: str  # compiled with re.ASCII, on first use
    anchors: tuple[str, ...] = ()  # lower-case; one of them begins every match; () scans the whole text
    keywords: tuple[str, ...] = ()  # lower-case; the rule runs only when one occurs (default: the anchors)
    group: int | str | tuple[str, ...] = 0  # the secret: 0 = first non-empty group, else the whole match
    entropy: float = 0.0  # a secret of at most this many bits per character is not one
    allow: tuple[str, ...] = ()  # a secret matching one of these regexes is not one
    stopwords: tuple[str, ...] = ()
    gitleaks: bool = False  # gitleaks' global allowlist applies
    keep: Keep | None = None  # cockpit's own test for values that are not secrets


@cache
def compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


@cache
def _probes(keyword: str) -> tuple[str, ...]:
    """What the distinct-words list must contain when `keyword` occurs in a text: each run of letters and
    digits of the keyword, with a line break on each side where the keyword has punctuation there (the run
    then begins or ends a word: `sg.` needs a word ending in `sg`)."""
    return tuple(("\n" if m.start() else "") + m.group() + ("\n" if m.end() < len(keyword) else "")
                 for m in re.finditer(r"[a-z0-9]+", keyword))


_WORD_BYTES = bytes(c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))
SMALL_TEXT = 16_384  # below this, keywords are looked up in the text itself


def _find_all(lower: str, needle: str) -> Iterator[int]:
    at = lower.find(needle)
    while at >= 0:
        yield at
        at = lower.find(needle, at + 1)


class Keywords:
    """Which keywords occur in the lower-cased text (gitleaks' pre-filter), each looked up once.

    A long text is first reduced to its distinct ASCII words, one a line: far shorter, so two hundred
    look-ups cost little. That test is necessary, not sufficient; `confirm` settles it when a rule matched.
    """

    def __init__(self, text: str, lower: str) -> None:
        self.lower = lower
        self.words = ""
        if len(text) >= SMALL_TEXT:
            words = text.encode("utf-8", "surrogatepass").translate(_WORD_BYTES).split()
            self.words = "\n" + b"\n".join(set(words)).decode("ascii") + "\n"
        self.maybe: dict[str, bool] = {}
        self.sure: dict[str, bool] = {}
        self.at: dict[str, list[int]] = {}

    def present(self, keywords: Iterable[str]) -> list[str]:
        """The keywords that may occur (a long text) or do (a short one), all at once."""
        if not self.words:
            found = [k for k in keywords if k in self.lower]
            self.sure.update(dict.fromkeys(found, True))
            return found
        words = self.words
        found = [k for k in keywords if all(probe in words for probe in _probes(k))]
        self.maybe.update(dict.fromkeys(found, True))
        return found

    def any(self, keywords: tuple[str, ...]) -> bool:
        if not self.words:
            return self.confirm(keywords)
        for keyword in keywords:
            found = self.maybe.get(keyword)
            if found is None:
                found = self.maybe[keyword] = all(probe in self.words for probe in _probes(keyword))
            if found:
                return True
        return not keywords

    def where(self, anchor: str) -> list[int]:
        """Every position of `anchor` in the lower-cased text (rules share anchors: found once)."""
        found = self.at.get(anchor)
        if found is None:
            found = self.at[anchor] = list(_find_all(self.lower, anchor))
        return found

    def confirm(self, keywords: tuple[str, ...]) -> bool:
        for keyword in keywords:
            found = self.sure.get(keyword)
            if found is None:
                found = self.sure[keyword] = keyword in self.lower
            if found:
                return True
        return not keywords


def matches(rule: Rule, text: str, lower: str | None, keywords: Keywords) -> Iterator[re.Match[str]]:
    """The matches `finditer` would give; tried only where an anchor occurs when the rule has anchors."""
    pattern = compiled(rule.pattern)
    if not rule.anchors or lower is None:
        if keywords.confirm(rule.keywords):  # a whole scan costs more than making sure first
            yield from pattern.finditer(text)
        return
    starts = sorted({at for anchor in rule.anchors if keywords.any((anchor,)) for at in keywords.where(anchor)})
    end = 0
    for at in starts:
        if at < end:
            continue
        if (m := pattern.match(text, at)) is not None:
            end = m.end()
            yield m


def _secret_span(m: re.Match[str], group: int | str | tuple[str, ...]) -> tuple[int, int]:
    if isinstance(group, tuple):
        return next((m.span(g) for g in group if m.group(g) is not None), (-1, -1))
    if group:
        return m.span(group)
    for index in range(1, (m.re.groups or 0) + 1):
        start, end = m.span(index)
        if end > start:
            return start, end
    return m.span()


@cache
def _global_allow() -> tuple[re.Pattern[str], ...]:
    return tuple(compiled(p) for p in redact_rules.GLOBAL_ALLOW)


def _is_secret(rule: Rule, m: re.Match[str], secret: str) -> bool:
    if rule.entropy and shannon_entropy(secret) <= rule.entropy:
        return False
    if rule.gitleaks:
        lowered = secret.lower()
        if any(p.search(secret) for p in _global_allow()) or any(w in lowered for w in redact_rules.GLOBAL_STOPWORDS):
            return False
        if any(w in lowered for w in rule.stopwords) or any(compiled(p).search(secret) for p in rule.allow):
            return False
    return rule.keep is None or not rule.keep(m, secret)


def _inside_marker(text: str, at: int) -> bool:
    start = text.rfind(MARK, max(0, at - 80), at)
    return start >= 0 and text.find("]", start, at) < 0


RuleIndex = tuple[dict[str, tuple[int, ...]], tuple[int, ...]]


def keyword_index(rules: tuple[Rule, ...]) -> RuleIndex:
    """keyword -> the rules it lets run, and the rules that always run: each keyword is looked up once."""
    by_keyword: dict[str, list[int]] = {}
    always: list[int] = []
    for index, rule in enumerate(rules):
        for keyword in rule.keywords or rule.anchors:
            by_keyword.setdefault(keyword, []).append(index)
        if not (rule.keywords or rule.anchors):
            always.append(index)
    return {k: tuple(v) for k, v in by_keyword.items()}, tuple(always)


def claim(text: str, lower: str, rules: tuple[Rule, ...], index: RuleIndex, counts: Counter[str]) -> str:
    """Every rule's secrets in order, each replaced by its marker and counted; a span already claimed by an
    earlier rule stays with it. `index` is `keyword_index(rules)`, made once."""
    keywords = Keywords(text, lower)
    aligned = lower if len(lower) == len(text) else None  # lower() lengthens a few non-ASCII letters
    by_keyword, always = index
    active = set(always)
    for keyword in keywords.present(by_keyword):
        active.update(by_keyword[keyword])
    starts: list[int] = []
    claims: list[tuple[int, int, str]] = []
    for index in sorted(active):
        rule = rules[index]
        wanted = rule.keywords or rule.anchors
        confirmed = False
        for m in matches(rule, text, aligned, keywords):
            start, end = _secret_span(m, rule.group)
            if end <= start:
                continue
            i = bisect_right(starts, start)
            if (i and claims[i - 1][1] > start) or (i < len(claims) and claims[i][0] < end):
                continue
            secret = text[start:end]
            if MARK in secret or _inside_marker(text, start) or not _is_secret(rule, m, secret):
                continue
            if not confirmed and not (confirmed := keywords.confirm(wanted)):
                break
            starts.insert(i, start)
            claims.insert(i, (start, end, rule.kind))
    if not claims:
        return text
    out: list[str] = []
    pos = 0
    for start, end, kind in claims:
        counts[kind] += 1
        out += [text[pos:start], marker(kind)]
        pos = end
    out.append(text[pos:])
    return "".join(out)
