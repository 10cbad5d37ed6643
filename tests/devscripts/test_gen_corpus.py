"""scripts/gen_corpus.py: deterministic per seed, and its manifest matches an independent recount."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from devscripts import load_script

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-03-01T12:00:00Z"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


gen_corpus = load_script("gen_corpus")


def _generate(out: Path, seed: int = 11) -> dict[str, Any]:
    assert gen_corpus.main([str(out), "--sessions", "5", "--seed", str(seed), "--mean-session-bytes", "40KB", "--now", NOW, "-q"]) == 0
    return json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("corpus")
    return out, _generate(out)


def _lines(path: Path) -> list[dict[str, Any]]:
    with open(path, "rb") as fh:
        return [json.loads(raw) for raw in fh]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---- independent recount (written from the spec, not from the generator) ----------------------


def _claude_files(root: Path, entry: dict[str, Any]) -> tuple[Path, list[Path]]:
    main = root / entry["path"]
    subdir = main.with_suffix("") / "subagents"
    subs = sorted(subdir.glob("agent-*.jsonl")) if subdir.is_dir() else []
    for flat in sorted(main.parent.glob("agent-*.jsonl")):  # legacy layout: flat, claimed by sessionId
        first = json.loads(flat.open("rb").readline())
        if first.get("sessionId") == entry["session_id"]:
            subs.append(flat)
    return main, subs


def _recount_claude(root: Path, entry: dict[str, Any]) -> dict[str, Any]:
    main, subs = _claude_files(root, entry)
    best: dict[tuple[str, str], tuple[int, dict[str, int], str]] = {}
    for path in [main, *subs]:
        for obj in _lines(path):
            msg = obj.get("message")
            if obj.get("type") != "assistant" or msg.get("model") == "<synthetic>" or obj.get("isApiErrorMessage"):
                continue
            usage = msg["usage"]
            key = (msg["id"], obj.get("requestId", ""))
            total = sum(usage[k] for k in FIELDS)
            if key not in best or total > best[key][0]:
                best[key] = (total, usage, msg["model"])
    context: int | None = None
    compactions = []
    for obj in _lines(main):
        if obj.get("type") == "system" and obj.get("subtype") == "compact_boundary":
            meta = obj["compactMetadata"]
            compactions.append({"trigger": meta["trigger"], "pre_tokens": meta["preTokens"]})
            context = None
        elif obj.get("type") == "assistant" and not obj.get("isSidechain") and obj["message"]["model"] != "<synthetic>":
            u = obj["message"]["usage"]
            context = u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]
    return {
        "lines": len(_lines(main)),
        "final_context_prompt_tokens": context,
        "compactions": compactions,
        "usage": {k: sum(u[k] for _, u, _ in best.values()) for k in FIELDS},
        "subagents": sum(not p.name.startswith("agent-acompact-") for p in subs),
        "models": sorted({m for _, _, m in best.values()}),
    }


def _recount_codex(root: Path, entry: dict[str, Any]) -> dict[str, Any]:
    lines = _lines(root / entry["path"])
    usage = dict.fromkeys(FIELDS, 0)
    seen: set[int] = set()
    models: set[str] = set()
    model = ""
    last: int | None = None
    compactions = []
    for obj in lines:
        payload = obj["payload"]
        if obj["type"] == "turn_context":
            model = payload["model"]
        elif obj["type"] == "compacted":
            compactions.append({"trigger": "auto", "pre_tokens": last})
        elif obj["type"] == "event_msg" and payload["type"] == "token_count" and payload["info"]:
            info = payload["info"]
            lt = info["last_token_usage"]
            if (lt["input_tokens"] == 0 and lt["output_tokens"] == 0) or lt["total_tokens"] > info["model_context_window"]:
                continue  # the synthetic record written at compaction
            cumulative = info["total_token_usage"]["total_tokens"]
            if cumulative in seen:
                continue  # the duplicate written after the next turn_context
            seen.add(cumulative)
            usage["input_tokens"] += lt["input_tokens"] - lt["cached_input_tokens"]
            usage["cache_read_input_tokens"] += lt["cached_input_tokens"]
            usage["output_tokens"] += lt["output_tokens"]
            models.add(model)
            last = lt["total_tokens"]
    return {"lines": len(lines), "final_context_prompt_tokens": last, "compactions": compactions, "usage": usage,
            "subagents": 0, "models": sorted(models)}


# ---- tests ---------------------------------------------------------------------------------------


def test_same_seed_same_bytes_other_seed_differs(corpus: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    root, _ = corpus
    again = _generate(tmp_path / "again")
    assert _files(tmp_path / "again") == _files(root)
    assert again["totals"]["bytes"] > 0
    other = _generate(tmp_path / "other", seed=12)
    assert other["sessions"][0]["session_id"] != again["sessions"][0]["session_id"]


def test_manifest_matches_recount(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    assert len(manifest["sessions"]) == 5
    for entry in manifest["sessions"]:
        recount = _recount_claude(root, entry) if entry["agent"] == "claude" else _recount_codex(root, entry)
        got = {k: entry[k] for k in recount}
        assert got == recount, entry["path"]
        files = [entry["path"], *entry["subagent_paths"]]
        assert entry["bytes"] == sum((root / f).stat().st_size for f in files)
    totals = manifest["totals"]
    assert totals["bytes"] == sum(e["bytes"] for e in manifest["sessions"])
    assert totals["compactions"] == sum(len(e["compactions"]) for e in manifest["sessions"])


def test_shapes_and_rare_features(corpus: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = corpus
    kinds: set[str] = set()
    for path in sorted(root.rglob("*.jsonl")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith("codex/"):
            assert re.fullmatch(r"codex/sessions/\d{4}/\d\d/\d\d/rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-[0-9a-f-]{36}\.jsonl", rel)
        else:
            assert re.fullmatch(
                r"claude/projects/[-A-Za-z0-9]+/([0-9a-f-]{36}\.jsonl|[0-9a-f-]{36}/subagents/agent-(a[0-9a-f]{6}|acompact-[0-9a-f]{6})\.jsonl"
                r"|agent-[0-9a-f]{8}\.jsonl)", rel), rel
        previous = ""
        for obj in _lines(path):
            ts = obj.get("timestamp")
            if ts:
                assert TS.match(ts) and ts > previous, (rel, ts, previous)
                previous = ts
            kind = obj.get("type", "")
            if kind == "system":
                kind += "/" + obj["subtype"]
            elif kind == "assistant" and obj["message"]["model"] == "<synthetic>":
                kind = "synthetic"
            elif kind in ("user", "assistant") and obj.get("isSidechain") and "/subagents/" not in rel and "agent-" not in path.name:
                kind = "main-sidechain"
            elif kind == "event_msg" and obj["payload"]["type"] == "token_count" and obj["payload"]["info"] is None:
                kind = "token_count/null"
            kinds.add(kind)
    for needed in ("progress", "file-history-snapshot", "system/compact_boundary", "system/stop_hook_summary",
                   "system/turn_duration", "attachment", "ai-title", "cost-state", "last-prompt", "custom-title", "atis-latch",
                   "synthetic", "main-sidechain", "session_meta", "turn_context", "compacted", "token_count/null"):
        assert needed in kinds, needed
    sessions = manifest["sessions"]
    triggers = {c["trigger"] for e in sessions for c in e["compactions"]}
    assert triggers == {"auto", "manual"}
    assert any(e["window"] == 1_000_000 and e["final_context_prompt_tokens"] > 200_000 for e in sessions)
    assert any(e["legacy_layout"] and e["subagents"] for e in sessions)
    assert any(e["agent"] == "codex" and e["compactions"] for e in sessions)
    auto = [c["pre_tokens"] for e in sessions if e["window"] == 200_000 for c in e["compactions"] if c["trigger"] == "auto"]
    assert auto and all(167_000 <= p < 200_000 for p in auto)
