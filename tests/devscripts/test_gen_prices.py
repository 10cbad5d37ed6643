"""scripts/gen_prices.py: cockpit/core/prices_data.py is what it makes from the pinned genai-prices, and cockpit
bills every request as genai-prices itself does."""

from __future__ import annotations

import datetime
import re
import tomllib
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path
from typing import Any

import genai_prices
import pytest
from genai_prices import data
from genai_prices.types import (
    ClauseEquals,
    ConditionalPrice,
    ModelInfo,
    ModelPrice,
    TimeOfDateConstraint,
)

from cockpit.core import prices_data
from cockpit.core.models import Usage
from cockpit.core.pricing import request_cost
from devscripts import load_script

ROOT = Path(__file__).resolve().parents[2]


gen = load_script("gen_prices")


def test_the_committed_table_is_what_the_pinned_genai_prices_gives(tmp_path, capsys):
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert f"genai-prices=={version('genai-prices')}" in pins  # the installed data is the pinned data
    out = tmp_path / "prices_data.py"
    assert gen.main(["--out", str(out), "--date", prices_data.GENERATED]) == 0
    assert "wrote" in capsys.readouterr().err
    assert out.read_text() == Path(prices_data.__file__).read_text(), (
        "cockpit/core/prices_data.py is stale: run `.venv/bin/python scripts/gen_prices.py`")
    assert prices_data.SOURCE == f"genai-prices {version('genai-prices')}"


def _usages() -> list[Usage]:
    return [
        Usage(input_tokens=1_000, output_tokens=2_000),
        Usage(input_tokens=1_000, output_tokens=2_000, cache_creation_input_tokens=30_000,
              cache_read_input_tokens=400_000, cache_creation_1h_tokens=10_000),  # past every long-context tier
        Usage(input_tokens=90_000, output_tokens=500, cache_creation_input_tokens=20_000,
              cache_read_input_tokens=60_000),  # between the 100k and 200k tiers
    ]


def _genai_cost(model_ref: str, provider: str, usage: Usage, day: datetime.date) -> Decimal:
    calc = genai_prices.calc_price(
        genai_prices.Usage(input_tokens=usage.prompt_tokens, output_tokens=usage.output_tokens,
                           cache_write_tokens=usage.cache_creation_input_tokens,
                           cache_write_1h_tokens=usage.cache_creation_1h_tokens,
                           cache_read_tokens=usage.cache_read_input_tokens),
        model_ref, provider_id=provider,
        genai_request_timestamp=datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC))
    return calc.total_price


def test_cockpit_bills_every_model_of_the_table_as_genai_prices_does():
    days = [datetime.date(2025, 1, 1), datetime.date(2026, 3, 12), datetime.date(2026, 3, 13),
            datetime.date(2026, 11, 30)]
    compared = 0
    for provider in (p for p in data.providers if p.id in gen.PROVIDERS):
        for model in provider.models:
            if gen.periods_of(model) is None or provider.find_model(model.id) is not model:
                continue  # unpriced (speech, images), or an id another entry claims first
            for usage in _usages():
                for day in days:
                    ours = request_cost(model.id, usage, day)
                    assert ours is not None, model.id
                    assert ours == pytest.approx(float(_genai_cost(model.id, provider.id, usage, day)), rel=1e-9), (
                        model.id, usage, day)
                    compared += 1
    assert compared > 1_000


def _provider(pid: str, *models: ModelInfo) -> Any:
    from genai_prices.types import ClauseContains, Provider

    return Provider(id=pid, name=pid, api_pattern="", model_match=ClauseContains(contains="x"), models=list(models))


def _model(model_id: str, prices: Any) -> ModelInfo:
    return ModelInfo(id=model_id, match=ClauseEquals(equals=model_id), prices=prices)


def test_a_supplement_entry_the_data_now_covers_is_dropped_and_named():
    flat = ModelPrice(input_mtok=Decimal("1"), output_mtok=Decimal("2"))
    providers = [_provider("anthropic", _model("claude-new", flat)), _provider("openai")]
    supplement = (gen.Supplement("anthropic", "claude-new", why="not in the data yet", same_as="claude-old"),
                  gen.Supplement("openai", "gpt-new", why="reported at $3 / $4",
                                 rates=(3.0, 4.0, 3.0, 3.0, 0.3)))
    text, count, dropped = gen.render(providers, "9.9.9", "2027-01-01", "MIT notice", supplement)
    assert dropped == ["claude-new: the data prices it now (as claude-new); its supplement entry is unused"]
    assert count == 2 and "  gpt-new: reported at $3 / $4" in text and "claude-new: not in the data" not in text
    namespace: dict[str, Any] = {}
    exec(compile(text, "prices_data.py", "exec"), namespace)  # the text is a module of plain literals
    assert namespace["SOURCE"] == "genai-prices 9.9.9" and namespace["GENERATED"] == "2027-01-01"
    openai = next(models for pid, _, models in namespace["PROVIDERS"] if pid == "openai")
    assert openai == (("gpt-new", ("or", (("equals", "gpt-new"), ("regex", r"^gpt\-new-\d{4}-\d{2}-\d{2}$"))),
                       ((None, (3.0, 4.0, 3.0, 3.0, 0.3)),)),)


def test_a_model_without_input_or_output_price_stays_unpriced():
    speech = _model("tts-x", ModelPrice(input_mtok=Decimal("1")))
    text, count, _ = gen.render([_provider("anthropic"), _provider("openai", speech)], "1", "2027-01-01", "", ())
    assert count == 0 and "tts-x" not in text


def test_what_the_table_cannot_express_stops_the_generator_with_a_reason(monkeypatch, capsys):
    off_peak = _model("gpt-night", [
        ConditionalPrice(prices=ModelPrice(input_mtok=Decimal("1"), output_mtok=Decimal("2"))),
        ConditionalPrice(constraint=TimeOfDateConstraint(start_time=datetime.time(16), end_time=datetime.time(8)),
                         prices=ModelPrice(input_mtok=Decimal("0.5"), output_mtok=Decimal("1")))])
    monkeypatch.setattr(data, "providers", [_provider("anthropic"), _provider("openai", off_peak)])
    assert gen.main(["--out", "-"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("gen_prices: cannot express gpt-night: a price constraint of type TimeOfDateConstraint;"
                           " scripts/gen_prices.py needs to learn it")


def test_a_bad_date_is_refused_by_name(capsys):
    with pytest.raises(SystemExit) as exit_:
        gen.main(["--date", "30/11/2026", "--out", "-"])
    assert exit_.value.code == 2
    assert re.search(r"--date '30/11/2026' is not a day as YYYY-MM-DD", capsys.readouterr().err)
