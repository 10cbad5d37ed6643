"""Generate cockpit/core/prices_data.py, the per-model prices, from the genai-prices package (MIT licence).

    .venv/bin/python scripts/gen_prices.py [--out FILE] [--date YYYY-MM-DD]

genai-prices (https://github.com/pydantic/genai-prices, on PyPI; pinned in the `test` extra) is a maintained
table of model prices with the rules that match a model name to its entry. From it the two providers the
clients run are kept, anthropic (Claude Code) and openai (Codex), and for each model: its id, its match rule
as genai-prices applies it (to the lower-cased name, first match wins), and its standard rates in USD per
million tokens for input, output, 5-minute and 1-hour cache writes and cache reads, each either flat or with
its long-context tiers, with the day each set of rates took effect. A rate the data leaves out falls back
as genai-prices bills it: a cache write to the input rate, a 1-hour write to the 5-minute one, a cache
read to the input rate. Batch, fast-mode and service-tier variants are not kept: the transcripts do not
say which a request used, so the standard rates apply. A model with no input or output price (speech,
images, embeddings) is left out, so it stays unpriced.

SUPPLEMENT prices the models the clients offer that the pinned data does not have yet, each with where its
rates come from; an entry the data has come to cover is dropped (the generator says so). The generated
module is standard-library Python, read by cockpit/core/pricing.py: cockpit needs no package at run time.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "cockpit" / "core" / "prices_data.py"
PROVIDERS = ("anthropic", "openai")
PACKAGE = "genai-prices"
URL = "https://github.com/pydantic/genai-prices"

Rate = float | tuple[float, tuple[tuple[int, float], ...]]
Rates = tuple[Rate, Rate, Rate, Rate, Rate]


class Unsupported(ValueError):
    """A construct of the data that the generated table cannot express."""


@dataclass(frozen=True)
class Supplement:
    """A model the clients offer and the pinned data lacks: priced like another model, or by its own rates."""

    provider: str
    model: str
    why: str
    same_as: str = ""
    rates: Rates | None = None


def _gpt_6_line(inp: float, out: float, read: float) -> Rates:
    """OpenAI's rules for the GPT-6 line as genai-prices records them for gpt-6-astra, gpt-6-sol and
    gpt-6.1-sol: cache writes at 1.25x input; above 272,000 prompt tokens the whole request at 2x input and
    cache rates and 1.5x output."""
    write = inp * 1.25

    def tier(rate: float, factor: float) -> Rate:
        return (rate, ((272_000, rate * factor),))

    return (tier(inp, 2), tier(out, 1.5), tier(write, 2), tier(write, 2), tier(read, 2))


SUPPLEMENT: tuple[Supplement, ...] = (
    Supplement("anthropic", "claude-mythos-5", same_as="claude-fable-5",
               why="Mythos 5 is Fable 5 for verified organisations; Claude Code 2.1.332's model catalogue gives "
                   "both the pricing class tier_10_50, and genai-prices skips limited-availability rows"),
    Supplement("anthropic", "claude-mythos-5-1", same_as="claude-fable-5-1",
               why="Claude Code 2.1.332's catalogue gives Mythos 5.1 and Fable 5.1 one pricing class "
                   "(tier_10_50_cache_read_0_25); genai-prices' note on Fable 5.1 names Mythos 5.1's same cache rate"),
    Supplement("openai", "gpt-6.2-sol", same_as="gpt-6.1-sol",
               why="released 2026-11-17, after genai-prices 0.2.3; OpenAI lists it at GPT-6.1 Sol's prices "
                   "($2 input, $0.10 cached input, $10 output per million tokens, as LiteLLM's price map records)"),
    Supplement("openai", "gpt-6.2-astra", rates=_gpt_6_line(8.0, 40.0, 0.40),
               why="released 2026-11-17, after genai-prices 0.2.3; OpenAI's list prices $8 input, $0.40 cached "
                   "input, $40 output per million tokens (as LiteLLM's price map records), with the GPT-6 line's "
                   "cache-write and long-context rules"),
)


# --- reading genai-prices' model objects --------------------------------------------------------------------

def _rate(value: Any) -> Rate | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    tiers = getattr(value, "tiers", None)
    if tiers is None:
        raise Unsupported(f"a price of type {type(value).__name__}")
    return (float(value.base), tuple((int(t.start), float(t.price)) for t in sorted(tiers, key=lambda t: t.start)))


def rates_of(prices: Any) -> Rates | None:
    """The five rates of one genai-prices ModelPrice, with its fallbacks applied; None without input or output."""
    get = prices.__dict__.get
    inp, out = _rate(get("input_mtok")), _rate(get("output_mtok"))
    if inp is None or out is None:
        return None
    write_5m = _rate(get("cache_write_mtok"))
    write_5m = inp if write_5m is None else write_5m
    write_1h = _rate(get("cache_write_1h_mtok"))
    read = _rate(get("cache_read_mtok"))
    return (inp, out, write_5m, write_5m if write_1h is None else write_1h, inp if read is None else read)


def match_of(clause: Any) -> tuple[Any, ...]:
    """A genai-prices match clause as a plain tuple: (kind, text), or ("or" | "and", (clause, ...))."""
    for kind in ("equals", "starts_with", "ends_with", "contains", "regex"):
        if hasattr(clause, kind):
            text = getattr(clause, kind)
            if kind == "regex":
                re.compile(text)
            return (kind, text)
    for kind, attr in (("or", "or_"), ("and", "and_")):
        if hasattr(clause, attr):
            return (kind, tuple(match_of(c) for c in getattr(clause, attr)))
    raise Unsupported(f"a match clause of type {type(clause).__name__}")


def periods_of(model: Any) -> tuple[tuple[str | None, Rates], ...] | None:
    """((first day or None, rates), ...), oldest first, or None when the model has no input or output price."""
    prices = model.prices
    if not isinstance(prices, list):
        rates = rates_of(prices)
        return None if rates is None else ((None, rates),)
    periods: list[tuple[str | None, Rates]] = []
    for conditional in prices:
        constraint = conditional.constraint
        start = getattr(constraint, "start_date", None)
        if constraint is not None and start is None:
            raise Unsupported(f"{model.id}: a price constraint of type {type(constraint).__name__}")
        rates = rates_of(conditional.prices)
        if rates is None:
            return None
        periods.append((start.isoformat() if start else None, rates))
    days = [day for day, _ in periods]
    if not days or days[0] is not None or None in days[1:] or days[1:] != sorted(set(days[1:])):  # type: ignore[type-var]
        raise Unsupported(f"{model.id}: dated prices that are not an undated price followed by rising days")
    return tuple(periods)


# --- the table -------------------------------------------------------------------------------------------

Model = tuple[str, tuple[Any, ...], tuple[tuple[str | None, Rates], ...]]


def build(providers: list[Any], supplement: tuple[Supplement, ...] = SUPPLEMENT
          ) -> tuple[list[tuple[str, tuple[Any, ...], list[Model]]], list[str], list[str]]:
    """(providers with their models, the supplement entries used with why, notes on the ones dropped)."""
    table: list[tuple[str, tuple[Any, ...], list[Model]]] = []
    for pid in PROVIDERS:
        provider = next((p for p in providers if p.id == pid), None)
        if provider is None:
            raise Unsupported(f"the data has no provider {pid!r}")
        models: list[Model] = []
        for model in provider.models:
            periods = periods_of(model)
            if periods is not None:
                models.append((model.id, match_of(model.match), periods))
        table.append((pid, match_of(provider.model_match), models))
    used: list[str] = []
    dropped: list[str] = []
    for entry in supplement:
        models = next(m for p, _, m in table if p == entry.provider)
        source = next(p for p in providers if p.id == entry.provider)
        covered = source.find_model(entry.model)
        if covered is not None and periods_of(covered) is not None:
            dropped.append(f"{entry.model}: the data prices it now (as {covered.id}); its supplement entry is unused")
            continue
        if entry.same_as:
            twin = next((m for m in models if m[0] == entry.same_as), None)
            if twin is None:
                raise Unsupported(f"supplement {entry.model}: the data has no {entry.same_as!r} to price it like")
            periods = ((None, twin[2][-1][1]),)  # its rates in force now
        elif entry.rates is not None:
            periods = ((None, entry.rates),)
        else:
            raise Unsupported(f"supplement {entry.model}: neither same_as nor rates")
        dated = r"-\d{8}$" if entry.provider == "anthropic" else r"-\d{4}-\d{2}-\d{2}$"
        rule = ("or", (("equals", entry.model), ("regex", "^" + re.escape(entry.model.lower()) + dated)))
        models.append((entry.model, rule, periods))
        used.append(f"{entry.model}: {entry.why}")
    return table, used, dropped


def _licence() -> str:
    from importlib.metadata import distribution

    files = distribution(PACKAGE).files or []
    path = next((f for f in files if f.name == "LICENSE"), None)
    if path is None:
        raise Unsupported(f"{PACKAGE} ships no LICENSE file")
    return Path(str(path.locate())).read_text(encoding="utf-8")


def render(providers: list[Any], version: str, day: str, licence: str,
           supplement: tuple[Supplement, ...] = SUPPLEMENT) -> tuple[str, int, list[str]]:
    """The module's text, how many models it prices, and the notes on dropped supplement entries."""
    table, used, dropped = build(providers, supplement)
    count = sum(len(models) for _, _, models in table)
    notice = "\n".join(f"# {line}".rstrip() for line in licence.strip().splitlines())
    added = "\n".join(f"  {line}" for line in used) or "  (none)"
    lines = [
        '"""Model prices, generated from genai-prices: see cockpit/core/pricing.py, which reads them.',
        "",
        f"GENERATED FILE, do not edit: scripts/gen_prices.py wrote it on {day} from {PACKAGE} {version} ({URL}),",
        f"{count} models of the providers {', '.join(PROVIDERS)}. Regenerate after moving the pin in pyproject.toml.",
        "",
        "Rate: USD per million tokens, or (base, ((prompt tokens above which, rate), ...)) for long-context tiers.",
        "Rates: (input, output, cache write 5 minutes, cache write 1 hour, cache read).",
        "Match: (kind, text), kind one of equals, starts_with, ends_with, contains, regex, applied to the",
        'lower-cased model name; or ("or" | "and", (match, ...)). The first model that matches prices a name.',
        "A model: (id, match, ((first day or None, rates), ...)), the rates in force from each day, oldest first.",
        "",
        "Added by cockpit for models the clients offer that this version of the data lacks:",
        added,
        '"""',
        "",
        f"# The model prices in this file are generated from {PACKAGE} {version}, {URL}, under this licence:",
        "#",
        notice,
        "",
        f"SOURCE = {f'{PACKAGE} {version}'!r}",
        f"GENERATED = {day!r}",
        "",
        "PROVIDERS = (",
    ]
    for pid, rule, models in table:
        lines.append(f"    ({pid!r}, {rule!r}, (")
        lines += [f"        {model!r}," for model in models]
        lines.append("    )),")
    lines.append(")")
    return "\n".join(lines) + "\n", count, dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT}); - for stdout")
    parser.add_argument("--date", default=datetime.date.today().isoformat(),
                        help="the day to stamp (default today), YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        datetime.date.fromisoformat(args.date)
    except ValueError:
        parser.error(f"--date {args.date!r} is not a day as YYYY-MM-DD")
    try:
        from importlib.metadata import version

        from genai_prices import data
    except ImportError:
        print(f"gen_prices: {PACKAGE} is not installed: `.venv/bin/pip install -e '.[test]'` installs the pinned "
              "version", file=sys.stderr)
        return 2
    try:
        text, count, dropped = render(list(data.providers), version(PACKAGE), args.date, _licence())
    except Unsupported as exc:
        print(f"gen_prices: cannot express {exc}; scripts/gen_prices.py needs to learn it", file=sys.stderr)
        return 1
    for note in dropped:
        print(f"gen_prices: {note}: remove it from SUPPLEMENT", file=sys.stderr)
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {count} models from {PACKAGE} {version(PACKAGE)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
