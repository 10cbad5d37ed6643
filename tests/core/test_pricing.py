"""Prices: unknown stays unknown, known ones match a hand computation (cockpit/core/pricing.py)."""

from __future__ import annotations

import pytest
from conftest import claude_assistant, claude_user, session_row, write_jsonl

from cockpit.core.models import Usage
from cockpit.core.pricing import cost_of, price_for, request_cost

USAGE = Usage(input_tokens=1_000, output_tokens=2_000, cache_creation_input_tokens=30_000,
              cache_read_input_tokens=400_000, cache_creation_1h_tokens=10_000)


@pytest.mark.parametrize("model", ["claude-3-7-sonnet-20250219", "gpt-4o", "", "<synthetic>", "claude-opus-9"])
def test_a_model_missing_from_the_table_has_unknown_cost_not_zero(model):
    assert price_for(model) is None
    assert request_cost(model, USAGE) is None


def test_opus_4_6_cost_equals_a_hand_computation():
    # $5 in, $25 out, $6.25 5m write, $10 1h write, $0.50 read, per million tokens
    expected = (1_000 * 5 + 2_000 * 25 + 20_000 * 6.25 + 10_000 * 10 + 400_000 * 0.50) / 1e6
    assert request_cost("claude-opus-4-6", USAGE) == pytest.approx(expected)
    assert expected == pytest.approx(0.48)


@pytest.mark.parametrize(
    ("model", "family"),
    [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
        ("claude-opus-4-6[1m]", "claude-opus-4-6"),
        ("anthropic/claude-haiku-4-5-20251001", "claude-haiku-4-5"),
        ("CLAUDE-OPUS-4-1-20250805", "claude-opus-4-1"),
    ],
)
def test_date_suffix_provider_prefix_and_1m_suffix_resolve_to_the_family(model, family):
    assert price_for(model) is price_for(family) is not None


def test_sonnet_4_5_long_context_rate_only_above_200k_prompt():
    base = Usage(input_tokens=200_000, output_tokens=1_000)
    long = Usage(input_tokens=200_001, output_tokens=1_000)
    assert request_cost("claude-sonnet-4-5", base) == pytest.approx((200_000 * 3 + 1_000 * 15) / 1e6)
    assert request_cost("claude-sonnet-4-5", long) == pytest.approx((200_001 * 6 + 1_000 * 22.5) / 1e6)


def test_models_without_a_long_context_tier_keep_the_base_rate():
    usage = Usage(input_tokens=300_000)
    assert request_cost("claude-opus-4-6", usage) == pytest.approx(300_000 * 5 / 1e6)
    assert cost_of("claude-opus-4-6", usage, long_context=True) == cost_of("claude-opus-4-6", usage, long_context=False)


def test_codex_cached_input_is_billed_at_the_cached_rate():
    usage = Usage(input_tokens=4_342, output_tokens=248, cache_read_input_tokens=19_072)
    expected = (4_342 * 1.25 + 248 * 10 + 19_072 * 0.125) / 1e6
    assert request_cost("gpt-5-codex", usage) == pytest.approx(expected)


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
