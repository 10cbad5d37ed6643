"""Prices: generated from genai-prices (cockpit/core/prices_data.py); unknown stays unknown, known ones match a
hand computation, long-context tiers and dated rates apply per request, and every model the installed Claude
Code and Codex offer has a price."""

from __future__ import annotations

import json
import mmap
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import claude_assistant, claude_user, session_row, write_jsonl
from e2e.clients import CLIENTS, find_client

from cockpit.core import prices_data
from cockpit.core.models import Usage
from cockpit.core.pricing import GENERATED, PRICE_DAYS, SOURCE, TIER_STARTS, cost_of, price_for, request_cost

USAGE = Usage(input_tokens=1_000, output_tokens=2_000, cache_creation_input_tokens=30_000,
              cache_read_input_tokens=400_000, cache_creation_1h_tokens=10_000)
TODAY = date(2026, 11, 30)


def hand(usage: Usage, inp: float, out: float, w5: float, w1: float, read: float) -> float:
    five = usage.cache_creation_input_tokens - usage.cache_creation_1h_tokens
    return (usage.input_tokens * inp + usage.output_tokens * out + five * w5 + usage.cache_creation_1h_tokens * w1
            + usage.cache_read_input_tokens * read) / 1e6


def test_the_table_says_where_it_comes_from_and_when():
    assert re.fullmatch(r"genai-prices \d+\.\d+\.\d+", SOURCE)
    assert date.fromisoformat(GENERATED) >= date(2026, 11, 29)
    assert "Copyright (c) Pydantic Services Inc." in Path(prices_data.__file__).read_text()  # the MIT notice


@pytest.mark.parametrize("model", ["", "<synthetic>", "claude-opus-9", "gpt-99-turbo", "llama-3.3-70b", "opus"])
def test_a_model_missing_from_the_table_has_unknown_cost_not_zero(model):
    assert price_for(model) is None
    assert request_cost(model, USAGE) is None


def test_claude_opus_5_5_the_default_of_claude_code_2_1_332_is_priced():
    # $4 in, $20 out, $5 5m write, $8 1h write, $0.20 read, per million tokens
    assert request_cost("claude-opus-5-5", USAGE, TODAY) == pytest.approx(hand(USAGE, 4, 20, 5, 8, 0.20))
    assert hand(USAGE, 4, 20, 5, 8, 0.20) == pytest.approx(0.304)


def test_opus_4_6_cost_equals_a_hand_computation():
    expected = (1_000 * 5 + 2_000 * 25 + 20_000 * 6.25 + 10_000 * 10 + 400_000 * 0.50) / 1e6
    assert request_cost("claude-opus-4-6", USAGE, TODAY) == pytest.approx(expected)
    assert expected == pytest.approx(0.48)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-6[1m]", "claude-opus-4-6"),
        ("anthropic/claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("CLAUDE-OPUS-4-1-20250805", "claude-opus-4-1"),
        ("claude-opus-5-5-20261201", "claude-opus-5-5"),
        ("openai/gpt-5.5", "gpt-5.5"),
        ("gpt-5-codex", "gpt-5"),
    ],
)
def test_date_suffix_provider_prefix_and_1m_suffix_resolve_to_the_family(model, family):
    found = price_for(model, TODAY)
    assert found is not None and found is price_for(family, TODAY) and found.model == family


@pytest.mark.parametrize(("model", "start", "base", "above"), [
    ("claude-sonnet-4-5", 200_000, (3, 15, 3.75, 6, 0.30), (6, 22.5, 7.5, 12, 0.60)),
    ("claude-haiku-5-5", 100_000, (0.1, 0.5, 0.125, 0.2, 0.01), (0.5, 2.5, 0.625, 1.0, 0.05)),
    ("gpt-5.5", 272_000, (5, 30, 5, 5, 0.5), (10, 45, 10, 10, 1.0)),
])
def test_a_long_context_tier_bills_the_whole_request_once_the_prompt_exceeds_its_start(model, start, base, above):
    at = Usage(input_tokens=start - 1_000, output_tokens=1_000, cache_read_input_tokens=1_000)
    over = Usage(input_tokens=start - 999, output_tokens=1_000, cache_read_input_tokens=1_000)
    assert at.prompt_tokens == start and over.prompt_tokens == start + 1
    assert request_cost(model, at, TODAY) == pytest.approx(hand(at, *base))
    assert request_cost(model, over, TODAY) == pytest.approx(hand(over, *above))


def test_models_without_a_long_context_tier_keep_the_base_rate():
    usage = Usage(input_tokens=300_000)
    assert request_cost("claude-opus-5-5", usage, TODAY) == pytest.approx(300_000 * 4 / 1e6)
    assert cost_of("claude-opus-5-5", usage, prompt_tokens=900_000, on=TODAY) == pytest.approx(300_000 * 4 / 1e6)


def test_rates_follow_the_day_of_the_request():
    # Opus 4.6 billed prompts over 200k at 2x input and 1.5x output until 2026-03-13, flat since.
    usage = Usage(input_tokens=300_000, output_tokens=1_000)
    assert request_cost("claude-opus-4-6", usage, date(2026, 3, 12)) == pytest.approx((300_000 * 10 + 1_000 * 37.5) / 1e6)
    assert request_cost("claude-opus-4-6", usage, date(2026, 3, 13)) == pytest.approx((300_000 * 5 + 1_000 * 25) / 1e6)
    # o3 fell from $10 / $40 to $2 / $8 on 2025-06-10.
    assert price_for("o3", date(2025, 6, 9)).rates(0)[:2] == (10, 40)
    assert price_for("o3", date(2025, 6, 10)).rates(0)[:2] == (2, 8)
    assert date(2026, 3, 13) in PRICE_DAYS and date(2025, 6, 10) in PRICE_DAYS
    assert TIER_STARTS == tuple(sorted(set(TIER_STARTS))) and {100_000, 200_000, 272_000} <= set(TIER_STARTS)


def test_a_rate_the_data_leaves_out_is_billed_as_genai_prices_bills_it():
    # gpt-5-pro has no cache prices: a cached token costs what an input token costs.
    usage = Usage(input_tokens=1_000, output_tokens=1_000, cache_creation_input_tokens=500,
                  cache_read_input_tokens=2_000, cache_creation_1h_tokens=100)
    assert request_cost("gpt-5-pro", usage, TODAY) == pytest.approx((3_500 * 15 + 1_000 * 120) / 1e6)
    # gpt-6-sol has a cache-write price but no 1-hour one: 1-hour writes cost a write.
    assert price_for("gpt-6-sol", TODAY).rates(0) == (2, 10, 2.5, 2.5, 0.2)


def test_codex_cached_input_is_billed_at_the_cached_rate():
    usage = Usage(input_tokens=4_342, output_tokens=248, cache_read_input_tokens=19_072)
    expected = (4_342 * 1.25 + 248 * 10 + 19_072 * 0.125) / 1e6
    assert request_cost("gpt-5-codex", usage, TODAY) == pytest.approx(expected)


def test_models_the_data_lacks_are_priced_by_the_supplement_as_stated():
    assert price_for("claude-mythos-5", TODAY).rates(0) == price_for("claude-fable-5", TODAY).rates(0)
    assert price_for("claude-mythos-5-1", TODAY).rates(0) == price_for("claude-fable-5-1", TODAY).rates(0)
    assert price_for("gpt-6.2-sol", TODAY).rates(500_000) == price_for("gpt-6.1-sol", TODAY).rates(500_000)
    assert price_for("gpt-6.2-astra", TODAY).rates(0) == (8, 40, 10, 10, 0.4)
    assert price_for("gpt-6.2-astra", TODAY).rates(272_001) == (16, 60, 20, 20, 0.8)


# ---- every model the installed clients offer ----------------------------------------------------------------


def _client_binary(name: str) -> Path:
    """The installed client; skipped only when npm, which installs it, is missing."""
    exe, why = find_client(name)  # type: ignore[arg-type]
    if exe is not None:
        return exe
    if shutil.which("npm") is None:
        pytest.skip(f"npm is not on PATH, so {CLIENTS[name].label} cannot be installed: {why}")  # type: ignore[index]
    pytest.fail(why)


def claude_code_models(binary: Path) -> set[str]:
    """The model ids in Claude Code's catalogue: each entry's id and the id the API answers with."""
    with open(binary, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        entries = re.findall(rb'\{id:"(claude-[a-z0-9.-]+)",family:"[a-z]+",display_name:"[^"]*",'
                             rb'knowledge_cutoff:"[^"]*",provider_ids:\{first_party:"([^"]+)"', data)
    return {name.decode() for pair in entries for name in pair}


def codex_models(binary: Path) -> set[str]:
    """The models Codex lists in its picker, from the model catalogue (models.json) its binary carries."""
    with open(binary, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = data.find(b'{\n  "models": [')
        assert start >= 0, f"no model catalogue in {binary}"
        catalogue, _ = json.JSONDecoder().raw_decode(data[start:start + 8_000_000].decode("utf-8", "replace"))
    return {m["slug"] for m in catalogue["models"] if m.get("visibility") == "list"}


def test_every_model_of_the_installed_claude_code_has_a_price():
    models = claude_code_models(_client_binary("claude"))
    assert len(models) >= 20 and "claude-opus-5-5" in models, sorted(models)
    assert sorted(m for m in models if price_for(m) is None) == []


def test_every_model_the_installed_codex_lists_has_a_price():
    models = codex_models(_client_binary("codex"))
    assert len(models) >= 5 and "gpt-6.2-sol" in models, sorted(models)
    assert sorted(m for m in models if price_for(m) is None) == []


# ---- through the store ------------------------------------------------------------------------


def test_a_session_with_one_unknown_model_request_has_null_cost(tmp_path, ingest):
    root = tmp_path / "claude"
    write_jsonl(root / "known.jsonl", [claude_user(0, session="known"), claude_assistant(1, session="known")])
    write_jsonl(root / "mixed.jsonl", [
        claude_user(0, session="mixed"),
        claude_assistant(1, session="mixed"),
        claude_assistant(2, session="mixed", model="claude-unknown-7"),
    ])
    ing = ingest(tmp_path / "c.db", claude=[root])
    assert session_row(ing, "mixed")["cost_usd"] is None
    assert session_row(ing, "known")["cost_usd"] is not None and session_row(ing, "known")["cost_usd"] > 0
    # the tokens are still counted
    assert session_row(ing, "mixed")["calls"] == 2


def test_session_cost_prices_each_request_in_its_own_tier(tmp_path, ingest):
    root = tmp_path / "claude"
    model = "claude-sonnet-4-5-20250929"
    write_jsonl(root / "s.jsonl", [
        claude_user(0, session="s"),
        claude_assistant(1, session="s", model=model, inp=0, cc=0, cr=150_000, out=1_000),
        claude_assistant(2, session="s", model=model, inp=0, cc=0, cr=250_000, out=1_000),
        # the deduped twin of request 2 with its final output count: only the larger one is billed
        claude_assistant(3, session="s", model=model, msg_id="msg_s_2", request_id="req_s_2", inp=0, cc=0,
                         cr=250_000, out=3_000),
    ])
    ing = ingest(tmp_path / "c.db", claude=[root])
    base = (150_000 * 0.30 + 1_000 * 15) / 1e6
    long = (250_000 * 0.60 + 3_000 * 22.5) / 1e6
    assert session_row(ing, "s")["cost_usd"] == pytest.approx(base + long)


def test_session_cost_uses_each_models_own_tier_start(tmp_path, ingest):
    # Haiku 5.5's tier starts at 100k: a 150k prompt is billed at its higher rate, not Sonnet 4.5's 200k.
    root = tmp_path / "claude"
    write_jsonl(root / "h.jsonl", [
        claude_user(0, session="h"),
        claude_assistant(1, session="h", model="claude-haiku-5-5", inp=0, cc=0, cr=90_000, out=1_000),
        claude_assistant(2, session="h", model="claude-haiku-5-5", inp=0, cc=0, cr=150_000, out=1_000),
    ])
    ing = ingest(tmp_path / "c.db", claude=[root])
    expected = (90_000 * 0.01 + 1_000 * 0.5) / 1e6 + (150_000 * 0.05 + 1_000 * 2.5) / 1e6
    assert session_row(ing, "h")["cost_usd"] == pytest.approx(expected)


def test_session_cost_prices_each_request_at_the_rates_of_its_day(tmp_path, ingest):
    root = tmp_path / "claude"
    write_jsonl(root / "d.jsonl", [
        claude_user(0, session="d", timestamp="2026-03-12T23:00:00.000Z"),
        claude_assistant(1, session="d", inp=0, cc=0, cr=300_000, out=1_000, timestamp="2026-03-12T23:59:59.000Z"),
        claude_assistant(2, session="d", inp=0, cc=0, cr=300_000, out=1_000, timestamp="2026-03-13T00:00:01.000Z"),
    ])
    ing = ingest(tmp_path / "c.db", claude=[root])
    before = (300_000 * 1.0 + 1_000 * 37.5) / 1e6  # Opus 4.6 over 200k, before 2026-03-13
    after = (300_000 * 0.5 + 1_000 * 25) / 1e6
    assert session_row(ing, "d")["cost_usd"] == pytest.approx(before + after)
