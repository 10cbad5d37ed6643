"""The parsing pool runs only where it was measured to pay: never on 2 cores (POOL_MIN_CPUS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import claude_assistant, run_ingest, write_jsonl

import cockpit.ingest.pipeline as ingest_module


@pytest.mark.parametrize(("cpus", "pooled"), [(2, False), (4, True)])
def test_the_pool_is_used_from_pool_min_cpus_cores_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      cpus: int, pooled: bool) -> None:
    for n in range(6):
        write_jsonl(tmp_path / "claude" / "projects" / "-p" / f"s{n}.jsonl",
                    [claude_assistant(1, session=f"s{n}", msg_id=f"m{n}")])
    made: list[Any] = []

    class NoPool:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(kwargs)
            raise OSError("no pool in this test")

    monkeypatch.setattr(ingest_module, "POOL_MIN_BYTES", 0)
    monkeypatch.setattr(ingest_module.os, "cpu_count", lambda: cpus)
    monkeypatch.setattr(ingest_module, "ProcessPoolExecutor", NoPool)
    ingestor = run_ingest(tmp_path / "c.db", claude=[tmp_path / "claude"])
    assert bool(made) is pooled
    # Either way every file is read (the pool's failure falls back to this process).
    assert ingestor.db.execute("SELECT COUNT(*) FROM api_calls").fetchone()[0] == 6
