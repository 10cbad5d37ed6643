"""Block lines of one request folded in a batch store exactly what upserting each line in turn stores.

Claude writes a request once per content block; the parser folds lines of one key and one side (main or
sidechain) before the store's upsert. The reference here is the store itself: the same lines ingested one
at a time (one batch per line, so nothing is folded), in the same order.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from conftest import claude_assistant, fetch, run_ingest, write_jsonl

SID = "11111111-2222-3333-4444-555555555555"
COLUMNS = ("key, session_id, path, seq, ts, model, input_tokens, output_tokens, cache_creation_input_tokens,"
           " cache_creation_1h_tokens, cache_read_input_tokens, context_tokens, is_sidechain, agent_id")


def _lines(rnd: random.Random, count: int, first: int) -> list[dict[str, Any]]:
    out = []
    for n in range(first, first + count):
        k = rnd.randrange(3)  # few keys: many lines of each, on both sides, in every order
        line = claude_assistant(
            n, session=SID, msg_id=f"msg_{k}", request_id=f"req_{k}",
            inp=rnd.choice([1, 5, 50]), out=rnd.choice([1, 10, 100]), cc=rnd.choice([0, 100]), cr=rnd.choice([0, 1000]),
            isSidechain=rnd.random() < 0.4,
        )
        line["message"]["usage"]["cache_creation"] = {"ephemeral_1h_input_tokens": rnd.choice([0, 100])}
        out.append(line)
    return out


def _files(root: Path) -> tuple[Path, Path]:
    project = root / "projects" / "-home-dev-proj"
    return project / f"{SID}.jsonl", project / SID / "subagents" / "agent-a1.jsonl"


def _calls(db: Path, root: Path) -> list[tuple[Any, ...]]:
    ingestor = run_ingest(db, claude=[root])
    rows = fetch(ingestor, f"SELECT {COLUMNS} FROM api_calls ORDER BY key")
    ingestor.db.conn.close()
    return rows


@pytest.mark.parametrize("seed", range(12))
def test_folded_block_lines_store_what_line_by_line_upserts_store(tmp_path: Path, seed: int) -> None:
    rnd = random.Random(seed)
    main_lines, sub_lines = _lines(rnd, 14, 0), _lines(rnd, 10, 100)

    whole = tmp_path / "whole"
    main, sub = _files(whole)
    write_jsonl(main, main_lines)
    write_jsonl(sub, sub_lines)
    folded = _calls(tmp_path / "whole.sqlite", whole)

    # The reference: the main file line by line, then the subagent file line by line (the order a catch-up
    # reads them in), each line ingested on its own.
    stepwise = tmp_path / "stepwise"
    main, sub = _files(stepwise)
    db = tmp_path / "stepwise.sqlite"
    for path, lines in ((main, main_lines), (sub, sub_lines)):
        for i, line in enumerate(lines):
            write_jsonl(path, [line], mode="w" if i == 0 else "a")
            reference = _calls(db, stepwise)
    folded = [(*row[:2], row[2].replace("/whole/", "/stepwise/"), *row[3:]) for row in folded]
    assert folded == reference
    assert len(folded) == 3


def test_lines_of_one_request_keep_the_largest_counts_and_the_first_lines_place(tmp_path: Path) -> None:
    main, _ = _files(tmp_path)
    write_jsonl(main, [
        claude_assistant(1, session=SID, msg_id="m", request_id="r", inp=1, out=10, cc=0, cr=0),
        claude_assistant(2, session=SID, msg_id="m", request_id="r", inp=1, out=500, cc=0, cr=0),
        claude_assistant(3, session=SID, msg_id="m", request_id="r", inp=1, out=20, cc=0, cr=0),
    ])
    rows = _calls(tmp_path / "db.sqlite", tmp_path)
    assert [(r[0], r[3], r[4], r[6], r[7]) for r in rows] == [("m:r", 0, "2026-02-12T16:00:01.000Z", 1, 500)]
