"""Ingest of real transcripts into the store, and its idempotence across restarts, appends and truncation.

Every expected number is recomputed here from the raw JSONL, independently of cockpit's parser.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    CODEX_CUT_MID_TOOL,
    SPOTTER_LONG,
    claude_assistant,
    claude_user,
    copy_real,
    fetch,
    file_row,
    run_ingest,
    session_row,
    skipped_reasons,
    write_jsonl,
)

from cockpit.ingest.pipeline import Ingestor
from cockpit.store.db import open_db

USAGE_FIELDS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")

# ---- independent recomputation ----------------------------------------------------------------


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _is_boundary(obj: dict[str, Any]) -> bool:
    return obj.get("type") == "system" and obj.get("subtype") == "compact_boundary"


def _main_thread_prompts(lines: list[dict[str, Any]]) -> list[int]:
    """Prompt sizes of qualifying main-thread assistant lines (spec §1.10), in file order."""
    out = []
    for obj in lines:
        msg = obj.get("message") or {}
        if (
            obj.get("type") == "assistant"
            and msg.get("usage")
            and msg.get("model") != "<synthetic>"
            and not obj.get("isApiErrorMessage")
            and not obj.get("isSidechain")
        ):
            u = msg["usage"]
            out.append(u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"])
    return out


def expected_final_prompt(main_lines: list[dict[str, Any]]) -> int:
    last_boundary = max((i for i, o in enumerate(main_lines) if _is_boundary(o)), default=-1)
    return _main_thread_prompts(main_lines[last_boundary + 1 :])[-1]


def expected_peak_before_compaction(main_lines: list[dict[str, Any]]) -> int:
    first_boundary = next(i for i, o in enumerate(main_lines) if _is_boundary(o))
    return max(_main_thread_prompts(main_lines[:first_boundary]))


def expected_usage(files: list[list[dict[str, Any]]]) -> tuple[dict[str, int], int]:
    """Dedup by (message.id, requestId), largest total kept, synthetic and API errors excluded."""
    best: dict[tuple[Any, Any], dict[str, int]] = {}
    for lines in files:
        for obj in lines:
            msg = obj.get("message") or {}
            if obj.get("type") != "assistant" or not msg.get("usage"):
                continue
            if msg.get("model") == "<synthetic>" or obj.get("isApiErrorMessage"):
                continue
            usage = {k: msg["usage"].get(k) or 0 for k in USAGE_FIELDS}
            key = (msg.get("id"), obj.get("requestId"))
            if key not in best or sum(usage.values()) > sum(best[key].values()):
                best[key] = usage
    totals = {k: sum(u[k] for u in best.values()) for k in USAGE_FIELDS}
    return totals, len(best)


def session_files(root: Path, sid: str) -> list[Path]:
    return [root / f"{sid}.jsonl", *sorted((root / sid / "subagents").glob("*.jsonl"))]


def codex_token_infos(path: Path) -> list[dict[str, Any]]:
    return [
        o["payload"]["info"]
        for o in _lines(path)
        if o.get("type") == "event_msg" and o["payload"].get("type") == "token_count" and o["payload"].get("info")
    ]


def codex_expected(path: Path) -> dict[str, int]:
    infos = codex_token_infos(path)
    real = [
        i for i in infos
        if not (i["last_token_usage"]["input_tokens"] == 0 and i["last_token_usage"]["output_tokens"] == 0)
        and i["last_token_usage"]["total_tokens"] <= i["model_context_window"]
    ]
    return {
        "context": real[-1]["last_token_usage"]["total_tokens"],
        "window": real[-1]["model_context_window"],
        "output_tokens": infos[-1]["total_token_usage"]["output_tokens"],
        "requests": len({json.dumps(i["total_token_usage"], sort_keys=True) for i in real}),
    }


def totals(ing: Ingestor, sid: str) -> dict[str, Any]:
    row = session_row(ing, sid)
    assert row is not None, sid
    return {k: row[k] for k in (*USAGE_FIELDS, "calls", "compaction_count", "prompt_tokens", "peak_tokens")}


def table_counts(ing: Ingestor) -> dict[str, int]:
    return {t: fetch(ing, f"SELECT COUNT(*) FROM {t}")[0][0]
            for t in ("sessions", "api_calls", "compactions", "tool_calls", "prompts", "skipped")}


# ---- the real corpus, ingested once -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared_data):
    base = tmp_path_factory.mktemp("corpus")
    claude_dir = copy_real(shared_data / "claude" / "spotter", base / "claude")
    codex_dir = copy_real(shared_data / "codex" / "localpush", base / "codex")
    ing = run_ingest(base / "c.db", claude=[claude_dir], codex=[codex_dir])
    return ing, claude_dir, codex_dir


@pytest.mark.parametrize(("sid", "pre_tokens"), zip(SPOTTER_LONG, (167_094, 170_251), strict=True))
def test_real_auto_compaction_pre_tokens(corpus, sid, pre_tokens):
    ing, _, _ = corpus
    assert fetch(ing, "SELECT trigger, pre_tokens FROM compactions WHERE session_id = ?", sid) == [("auto", pre_tokens)]
    assert session_row(ing, sid)["compaction_count"] == 1


@pytest.mark.parametrize(("sid", "peak"), zip(SPOTTER_LONG, (166_759, 164_831), strict=True))
def test_real_peak_main_thread_prompt_before_compaction(corpus, sid, peak):
    ing, claude_dir, _ = corpus
    main = claude_dir / f"{sid}.jsonl"
    assert expected_peak_before_compaction(_lines(main)) == peak  # the data are what the spec measured
    (boundary_seq,) = fetch(ing, "SELECT seq FROM compactions WHERE session_id = ?", sid)[0]
    stored = fetch(ing, "SELECT MAX(context_tokens) FROM api_calls WHERE session_id = ? AND path = ?"
                        " AND is_sidechain = 0 AND seq < ?", sid, str(main), boundary_seq)[0][0]
    assert stored == peak
    assert session_row(ing, sid)["peak_tokens"] == peak


@pytest.mark.parametrize("sid", SPOTTER_LONG)
def test_real_final_context_is_the_last_main_thread_prompt_after_compaction(corpus, sid):
    ing, claude_dir, _ = corpus
    expected = expected_final_prompt(_lines(claude_dir / f"{sid}.jsonl"))
    row = session_row(ing, sid)
    assert row["prompt_tokens"] == expected
    assert expected < 120_000  # the gauge really dropped after the compaction
    assert (row["window"], row["window_source"]) == (200_000, "default")


@pytest.mark.parametrize("sid", [*SPOTTER_LONG, "short", "tool_heavy", "subagent"])
def test_real_deduped_usage_includes_subagents_and_counts_each_request_once(corpus, sid):
    ing, claude_dir, _ = corpus
    expected, requests = expected_usage([_lines(p) for p in session_files(claude_dir, sid)])
    got = totals(ing, sid)
    assert {k: got[k] for k in USAGE_FIELDS} == expected
    assert got["calls"] == requests
    assert session_row(ing, sid)["cost_usd"] > 0


def test_real_subagent_files_belong_to_their_parent_and_never_become_sessions(corpus):
    ing, claude_dir, _ = corpus
    sessions = {r[0] for r in fetch(ing, "SELECT session_id FROM sessions WHERE agent = 'claude'")}
    assert sessions == {p.stem for p in claude_dir.glob("*.jsonl")}
    for sid in SPOTTER_LONG:
        sub_files = sorted((claude_dir / sid / "subagents").glob("*.jsonl"))
        assert sub_files
        for path in sub_files:
            row = file_row(ing, path)
            assert (row["session_id"], row["subagent"]) == (sid, 1)
            calls = fetch(ing, "SELECT DISTINCT session_id, is_sidechain FROM api_calls WHERE path = ?", str(path))
            assert calls == [(sid, 1)]
        non_compact = [p for p in sub_files if not p.name.startswith("agent-acompact-")]
        assert session_row(ing, sid)["subagents"] == len(non_compact) == 1


def test_real_sessions_have_no_skipped_lines_or_errors(corpus):
    ing, _, _ = corpus
    assert fetch(ing, "SELECT * FROM skipped") == []
    assert fetch(ing, "SELECT path FROM files WHERE error IS NOT NULL OR gone = 1") == []


def test_real_codex_context_window_and_deduped_output(corpus):
    ing, _, codex_dir = corpus
    rollouts = sorted(codex_dir.glob("rollout-*.jsonl"))
    assert len(rollouts) == 4
    for path in rollouts:
        expected = codex_expected(path)
        sid = file_row(ing, path)["session_id"]
        row = session_row(ing, sid)
        assert row["prompt_tokens"] == row["context_tokens"] == expected["context"], path.name
        assert (row["window"], row["window_source"]) == (258_400, "transcript") == (expected["window"], "transcript")
        # every real count is written twice: the duplicates are counted once
        assert row["output_tokens"] == expected["output_tokens"], path.name
        assert row["calls"] == expected["requests"], path.name
        assert row["model"] == "gpt-5.3-codex"


def test_real_codex_duplicates_exist_in_the_data(corpus):
    """Guards the dedup test above: the files really do repeat their token counts."""
    _, _, codex_dir = corpus
    path = next(codex_dir.glob("rollout-2026-02-23T12-40-23-*.jsonl"))
    infos = codex_token_infos(path)
    assert sum(1 for a, b in zip(infos, infos[1:], strict=False) if a == b) >= 80
    assert sum(i["last_token_usage"]["output_tokens"] for i in infos) > infos[-1]["total_token_usage"]["output_tokens"]


def test_real_codex_session_cut_mid_tool_stays_in_tool_state(corpus):
    ing, _, codex_dir = corpus
    sid = file_row(ing, codex_dir / CODEX_CUT_MID_TOOL)["session_id"]
    assert session_row(ing, sid)["state"] == "tool"
    assert fetch(ing, "SELECT COUNT(*), SUM(finished_at IS NULL) FROM tool_calls WHERE session_id = ?", sid) == [(1, 1)]


def test_real_codex_finished_tools_are_closed(corpus):
    ing, _, _ = corpus
    open_tools = fetch(ing, "SELECT s.state, COUNT(*) FROM tool_calls t JOIN sessions s USING (session_id)"
                            " WHERE s.agent = 'codex' AND t.finished_at IS NULL GROUP BY 1")
    assert open_tools == [("tool", 1)]


# ---- restart, append, truncate ------------------------------------------------------------------


@pytest.fixture
def small_corpus(tmp_path, shared_data, copy_data):
    """One long Claude session with subagents, one short one, one Codex rollout, in tmp_path."""
    sid = SPOTTER_LONG[0]
    copy_data(f"claude/spotter/{sid}.jsonl", f"claude/{sid}.jsonl")
    copy_data(f"claude/spotter/{sid}", f"claude/{sid}")
    copy_data("claude/spotter/short.jsonl", "claude/short.jsonl")
    name = next((shared_data / "codex" / "localpush").glob("rollout-2026-02-23T20-34-25-*.jsonl")).name
    copy_data(f"codex/localpush/{name}", f"codex/{name}")
    return tmp_path / "claude", tmp_path / "codex"


def _snapshot(ing: Ingestor) -> dict[str, Any]:
    sessions = fetch(ing, "SELECT session_id, input_tokens, output_tokens, cache_creation_input_tokens,"
                          " cache_read_input_tokens, calls, compaction_count, prompt_tokens, context_tokens, peak_tokens,"
                          " cost_usd, subagents FROM sessions ORDER BY 1")
    return {"sessions": sessions, "counts": table_counts(ing),
            "prompts": fetch(ing, "SELECT path, seq, text FROM prompts ORDER BY 1, 2")}


def test_restart_with_a_new_ingestor_adds_nothing(tmp_path, small_corpus):
    claude_dir, codex_dir = small_corpus
    first = run_ingest(tmp_path / "c.db", claude=[claude_dir], codex=[codex_dir])
    before = _snapshot(first)
    assert before["counts"]["prompts"] > 0 and before["counts"]["compactions"] == 1

    again = Ingestor(open_db(tmp_path / "c.db"), first.claude_roots, first.codex_roots)
    result = again.ingest_all()
    assert result.lines == 0 and result.bytes == 0
    assert _snapshot(again) == before
    # and the same Ingestor once more
    assert again.ingest_all().lines == 0
    assert _snapshot(again) == before


def test_appended_lines_add_exactly_those(tmp_path):
    root = tmp_path / "claude"
    path = write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), claude_assistant(1, session="s")])
    ing = run_ingest(tmp_path / "c.db", claude=[root])
    before, counts = totals(ing, "s"), table_counts(ing)

    write_jsonl(path, [
        claude_user(10, "second prompt", session="s"),
        claude_assistant(11, session="s", msg_id="msg_11", request_id="req_11", inp=2, out=7, cc=30, cr=5_000),
        claude_assistant(12, session="s", msg_id="msg_11", request_id="req_11", inp=2, out=70, cc=30, cr=5_000),
        {"type": "system", "subtype": "compact_boundary", "timestamp": "2026-02-12T17:00:00.000Z",
         "compactMetadata": {"trigger": "manual", "preTokens": 5_102}},
    ], mode="a")
    ing2 = Ingestor(open_db(tmp_path / "c.db"), ing.claude_roots)
    ing2.ingest_all()
    after = totals(ing2, "s")
    assert after["input_tokens"] == before["input_tokens"] + 2
    assert after["output_tokens"] == before["output_tokens"] + 70  # the larger twin only
    assert after["cache_read_input_tokens"] == before["cache_read_input_tokens"] + 5_000
    assert after["calls"] == before["calls"] + 1
    new_counts = table_counts(ing2)
    assert new_counts["prompts"] == counts["prompts"] + 1
    assert new_counts["compactions"] == counts["compactions"] + 1
    # after the compaction, with no post_tokens and no newer request, the gauge is unknown
    assert after["prompt_tokens"] is None


def test_real_file_fed_in_two_parts_split_mid_line_equals_one_read(tmp_path, shared_data):
    sid = SPOTTER_LONG[1]
    src = shared_data / "claude" / "spotter" / f"{sid}.jsonl"
    data = src.read_bytes()
    cut = data.index(b"\n", len(data) // 2) - 100  # inside a line
    whole = tmp_path / "whole"
    copy_real(src, whole / f"{sid}.jsonl")
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / f"{sid}.jsonl").write_bytes(data[:cut])
    first = run_ingest(tmp_path / "p.db", claude=[parts])
    assert file_row(first, parts / f"{sid}.jsonl")["pending_bytes"] > 0
    with open(parts / f"{sid}.jsonl", "ab") as handle:
        handle.write(data[cut:])
    split = run_ingest(tmp_path / "p.db", claude=[parts])
    once = run_ingest(tmp_path / "w.db", claude=[whole])
    assert totals(split, sid) == totals(once, sid)
    assert table_counts(split) == table_counts(once)
    assert fetch(split, "SELECT seq, text FROM prompts ORDER BY seq") == fetch(once, "SELECT seq, text FROM prompts ORDER BY seq")


def test_truncated_then_rewritten_file_drops_the_old_rows(tmp_path, small_corpus, shared_data):
    claude_dir, codex_dir = small_corpus
    sid = SPOTTER_LONG[0]
    main = claude_dir / f"{sid}.jsonl"
    full = main.read_bytes()
    ing = run_ingest(tmp_path / "c.db", claude=[claude_dir], codex=[codex_dir])
    full_totals = totals(ing, sid)
    full_counts = table_counts(ing)

    # truncate before the compaction
    boundary = full.index(b'"subtype":"compact_boundary"')
    prefix = full[: full.rindex(b"\n", 0, boundary) + 1]
    main.write_bytes(prefix)
    ing.ingest_all()
    subagents = [_lines(p) for p in session_files(claude_dir, sid)[1:]]
    prefix_lines = [json.loads(line) for line in prefix.splitlines()]
    expected, requests = expected_usage([prefix_lines, *subagents])
    got = totals(ing, sid)
    assert {k: got[k] for k in USAGE_FIELDS} == expected
    assert got["calls"] == requests
    assert got["compaction_count"] == 0
    assert got["prompt_tokens"] == _main_thread_prompts(prefix_lines)[-1]
    assert fetch(ing, "SELECT COUNT(*) FROM prompts WHERE path = ? AND seq >= ?", str(main), len(prefix)) == [(0,)]

    # rewritten to the full content: back to the original numbers, nothing counted twice
    main.write_bytes(full)
    ing.ingest_all()
    assert totals(ing, sid) == full_totals
    assert table_counts(ing) == full_counts
    # only the copy was touched
    assert (shared_data / "claude" / "spotter" / main.name).read_bytes() == full


def test_file_rewritten_in_place_with_longer_content_is_not_double_counted(tmp_path):
    root = tmp_path / "claude"
    path = write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), claude_assistant(1, session="s", out=5)])
    ing = run_ingest(tmp_path / "c.db", claude=[root])
    ino = path.stat().st_ino
    write_jsonl(path, [claude_user(0, "a different, longer first prompt " * 3, session="s")]
                + [claude_assistant(i, session="s", out=1) for i in range(2, 6)])
    assert path.stat().st_ino == ino
    ing.ingest_all()
    row = session_row(ing, "s")
    # before the fix: the old request stayed (calls 4, output 5 + 3) and a half line was skipped
    assert (row["calls"], row["output_tokens"]) == (4, 4)
    assert skipped_reasons(ing, path) == {}
    assert fetch(ing, "SELECT text FROM prompts WHERE path = ?", str(path)) == [("a different, longer first prompt " * 3,)]


def test_truncated_codex_rollout_restarts_its_parser(tmp_path, small_corpus):
    claude_dir, codex_dir = small_corpus
    path = next(codex_dir.glob("rollout-*.jsonl"))
    ing = run_ingest(tmp_path / "c.db", claude=[claude_dir], codex=[codex_dir])
    sid = file_row(ing, path)["session_id"]
    lines = path.read_bytes().splitlines(keepends=True)
    keep = b"".join(lines[: len(lines) // 2])
    prefix = tmp_path / "prefix" / path.name
    prefix.parent.mkdir()
    prefix.write_bytes(keep)
    path.write_bytes(keep)
    ing.ingest_all()
    expected = codex_expected(prefix)
    row = session_row(ing, sid)
    assert row["prompt_tokens"] == expected["context"]
    assert row["output_tokens"] == expected["output_tokens"]


def test_replaced_file_new_inode_is_read_again(tmp_path):
    root = tmp_path / "claude"
    path = write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), claude_assistant(1, session="s", out=5)])
    ing = run_ingest(tmp_path / "c.db", claude=[root])
    tmp = write_jsonl(tmp_path / "new.jsonl", [claude_user(0, session="s")] +
                      [claude_assistant(i, session="s", out=1, msg_id=f"m{i}") for i in range(2, 6)])
    shutil.move(tmp, path)
    ing.ingest_all()
    row = session_row(ing, "s")
    assert (row["calls"], row["output_tokens"]) == (4, 4)


# ---- roll-up details ---------------------------------------------------------------------------


def test_context_of_a_server_side_tool_loop_is_its_last_iteration(tmp_path):
    line = claude_assistant(1, session="s", inp=10, cc=0, cr=300_000, out=500)
    line["message"]["usage"]["iterations"] = [
        {"input_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 180_000, "output_tokens": 200},
        {"input_tokens": 5, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 120_000, "output_tokens": 300},
    ]
    root = tmp_path / "claude"
    write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), line])
    row = session_row(run_ingest(tmp_path / "c.db", claude=[root]), "s")
    assert row["prompt_tokens"] == 120_005
    # context = that prompt + output, not the summed prompts of all iterations (300,010 + 500 before the fix)
    assert row["context_tokens"] == 120_005 + 500
    assert (row["window"], row["window_source"]) == (200_000, "default")
    assert row["cache_read_input_tokens"] == 300_000


def test_post_tokens_stand_in_for_the_gauge_until_the_next_request(tmp_path):
    root = tmp_path / "claude"
    path = write_jsonl(root / "s.jsonl", [
        claude_user(0, session="s"),
        claude_assistant(1, session="s", cr=150_000),
        {"type": "system", "subtype": "compact_boundary", "timestamp": "2026-02-12T16:00:02.000Z",
         "compactMetadata": {"trigger": "auto", "preTokens": 167_000, "postTokens": 30_000}},
    ])
    ing = run_ingest(tmp_path / "c.db", claude=[root])
    assert session_row(ing, "s")["prompt_tokens"] == 30_000
    # a sidechain line after the boundary does not move the main gauge
    write_jsonl(path, [claude_assistant(3, session="s", cr=99_000, isSidechain=True)], mode="a")
    ing.ingest_all()
    assert session_row(ing, "s")["prompt_tokens"] == 30_000
    write_jsonl(path, [claude_assistant(4, session="s", inp=1, cc=2, cr=36_000)], mode="a")
    ing.ingest_all()
    assert session_row(ing, "s")["prompt_tokens"] == 36_003
    assert session_row(ing, "s")["peak_tokens"] == 150_101


def test_statusline_window_overrides_the_default(tmp_path):
    root = tmp_path / "claude"
    write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), claude_assistant(1, session="s")])
    ing = run_ingest(tmp_path / "c.db", claude=[root])
    ing.db.execute("INSERT INTO statusline (session_id, received_at, model_id, window) VALUES (?,?,?,?)",
                   ("s", "2026-02-12T16:00:00Z", "claude-opus-4-6[1m]", 1_000_000))
    ing.refresh(["s"])
    row = session_row(ing, "s")
    assert (row["window"], row["window_source"]) == (1_000_000, "statusline")


def test_legacy_flat_subagent_is_attached_by_its_session_id(tmp_path):
    root = tmp_path / "claude" / "projects" / "-w"
    write_jsonl(root / "s.jsonl", [claude_user(0, session="s"), claude_assistant(1, session="s")])
    write_jsonl(root / "agent-b1f5d80e.jsonl", [
        {"type": "progress", "sessionId": "s"},
        claude_assistant(2, session="s", isSidechain=True, agentId="b1f5d80e", out=42),
    ])
    ing = run_ingest(tmp_path / "c.db", claude=[tmp_path / "claude"])
    assert [r[0] for r in fetch(ing, "SELECT session_id FROM sessions")] == ["s"]
    row = session_row(ing, "s")
    assert (row["calls"], row["subagents"]) == (2, 1)
    assert row["output_tokens"] == 10 + 42
    assert row["prompt_tokens"] == 1 + 100 + 1000  # the subagent's request is not the main gauge


def test_rewritten_file_rebuilds_title_and_first_prompt(tmp_path, ingest):
    from conftest import claude_assistant, claude_user, write_jsonl

    root = tmp_path / "claude"
    path = root / "s.jsonl"
    write_jsonl(path, [claude_user(0, session="s", text="old prompt about kittens"), claude_assistant(1, session="s"),
                       {"type": "custom-title", "customTitle": "Old title", "sessionId": "s"}])
    ing = ingest(tmp_path / "c.db", claude=[root])
    path.write_text("")
    write_jsonl(path, [claude_user(0, session="s", text="new prompt about the parser"), claude_assistant(1, session="s")])
    ing.ingest_all()
    row = ing.db.execute("SELECT title, first_prompt FROM sessions WHERE session_id = 's'").fetchone()
    assert row == ("", "new prompt about the parser")


def test_calls_without_any_id_are_not_merged_across_sessions(tmp_path, ingest):
    from conftest import claude_assistant, write_jsonl

    root = tmp_path / "claude"
    for sid in ("a", "b"):
        line = claude_assistant(1, session=sid)
        del line["requestId"]
        del line["message"]["id"]
        del line["uuid"]
        write_jsonl(root / f"{sid}.jsonl", [line])
    ing = ingest(tmp_path / "c.db", claude=[root])
    calls = dict(ing.db.execute("SELECT session_id, COUNT(*) FROM api_calls GROUP BY session_id").fetchall())
    assert calls == {"a": 1, "b": 1}


def test_codex_model_survives_incremental_reads(tmp_path, ingest, shared_data):
    """A rollout read line by line (as a live agent writes it) prices every call like a one-shot read."""
    source = next((shared_data / "codex" / "localpush").glob("*019c8bfe*.jsonl")).read_bytes().splitlines(keepends=True)
    whole = tmp_path / "whole"
    whole.mkdir()
    (whole / "rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl").write_bytes(b"".join(source))
    once = ingest(tmp_path / "once.db", codex=[whole])
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    live = live_dir / "rollout-2026-02-23T20-34-25-019c8bfe-ec25-79e0-97d7-bda6a9c575ff.jsonl"
    live.write_bytes(b"")
    growing = ingest(tmp_path / "growing.db", codex=[live_dir])
    for line in source:
        with live.open("ab") as handle:
            handle.write(line)
        growing.ingest_all()
    query = "SELECT model, COUNT(*) FROM api_calls GROUP BY model"
    assert growing.db.execute(query).fetchall() == once.db.execute(query).fetchall() == [("gpt-5.3-codex", 6)]
    cost = "SELECT cost_usd FROM sessions"
    assert growing.db.execute(cost).fetchone()[0] == pytest.approx(once.db.execute(cost).fetchone()[0])


def _session_rows(ingestor):
    return ingestor.db.execute(
        "SELECT session_id, input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens,"
        " prompt_tokens, peak_tokens, compaction_count, subagents, cost_usd FROM sessions ORDER BY session_id"
    ).fetchall()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the pool needs two cores")
def test_parallel_catch_up_stores_exactly_what_a_serial_one_does(tmp_path, ingest, copy_data, monkeypatch, caplog):
    import cockpit.ingest.pipeline as ingest_module

    claude = copy_data("claude/spotter", "claude")
    codex = copy_data("codex/localpush", "codex")
    serial = ingest(tmp_path / "serial.db", claude=[claude], codex=[codex])
    monkeypatch.setattr(ingest_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_module, "POOL_MIN_CPUS", 2)
    pools = []
    real_pool = ingest_module.ProcessPoolExecutor

    def spy(*args, **kwargs):
        pools.append(kwargs.get("max_workers"))
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "ProcessPoolExecutor", spy)
    parallel = ingest(tmp_path / "parallel.db", claude=[claude], codex=[codex])
    assert pools and pools[0] >= 2, "the catch-up did not use the process pool"
    assert "parallel parsing failed" not in caplog.text
    assert parallel.db.execute("SELECT COUNT(*) FROM files WHERE error IS NOT NULL").fetchone()[0] == 0
    assert _session_rows(parallel) == _session_rows(serial)
    assert len(_session_rows(serial)) == 9


class FakePool:
    """Stands in for ProcessPoolExecutor; subclasses decide what `submit` does."""

    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def shutdown(self, wait=True, *, cancel_futures=False):
        pass


def test_a_broken_pool_falls_back_to_parsing_in_process(tmp_path, ingest, copy_data, monkeypatch):
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    import cockpit.ingest.pipeline as ingest_module

    class BrokenPool(FakePool):
        calls = 0

        def submit(self, fn, *args):
            # The first files parse, then a worker dies: the rest must be parsed here, none twice.
            future = Future()
            BrokenPool.calls += 1
            if BrokenPool.calls <= 3:
                future.set_result(fn(*args))
            else:
                future.set_exception(BrokenProcessPool("worker died"))
            return future

    claude = copy_data("claude/spotter", "claude")
    serial = ingest(tmp_path / "serial.db", claude=[claude])
    monkeypatch.setattr(ingest_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_module, "POOL_MIN_CPUS", 2)
    monkeypatch.setattr(ingest_module, "ProcessPoolExecutor", BrokenPool)
    fallback = ingest(tmp_path / "fallback.db", claude=[claude])
    assert BrokenPool.calls > 3
    assert _session_rows(fallback) == _session_rows(serial)
    calls = "SELECT COUNT(*), SUM(output_tokens) FROM api_calls"
    assert fallback.db.execute(calls).fetchone() == serial.db.execute(calls).fetchone()


def test_a_pool_that_cannot_spawn_falls_back_to_parsing_in_process(tmp_path, ingest, copy_data, monkeypatch):
    """Inside the dashboard, spawning once failed with ValueError("bad value(s) in fds_to_keep")."""
    import cockpit.ingest.pipeline as ingest_module

    class CannotSpawn(FakePool):
        def submit(self, *args, **kwargs):
            raise ValueError("bad value(s) in fds_to_keep")

    claude = copy_data("claude/spotter", "claude")
    serial = ingest(tmp_path / "serial.db", claude=[claude])
    monkeypatch.setattr(ingest_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_module, "POOL_MIN_CPUS", 2)
    monkeypatch.setattr(ingest_module, "ProcessPoolExecutor", CannotSpawn)
    fallback = ingest(tmp_path / "fallback.db", claude=[claude])
    assert _session_rows(fallback) == _session_rows(serial)
