"""scripts/bench_ingest.py: its probes measure what they say, on a small generated corpus (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from devscripts import load_script

ROOT = Path(__file__).resolve().parents[2]


bench = load_script("bench_ingest")
gen = load_script("gen_corpus")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    assert gen.main([str(out), "--sessions", "4", "--seed", "3", "--mean-session-bytes", "40KB",
                     "--now", "2026-03-01T12:00:00Z", "-q"]) == 0
    return out


def test_the_walk_probe_stats_every_transcript(corpus: Path) -> None:
    out = subprocess.run([sys.executable, "-c", bench.WALK, str(corpus / "claude"), str(corpus / "codex")],
                         capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) == json.loads((corpus / "manifest.json").read_text())["totals"]["files"]


def test_an_unchanged_catch_up_reads_nothing_and_retotals_nothing(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    from cockpit.cli import main

    assert main(["index", "--db", str(db), "--claude-dir", str(corpus / "claude"), "--codex-dir", str(corpus / "codex")]) == 0
    index, walk, catch_up, walk_in = bench.bench_unchanged(corpus, db, 1, 120.0) if bench.COCKPIT.exists() else (
        None, None, None, None)
    if catch_up is None:
        pytest.skip("no installed cockpit")
    assert not catch_up.error and catch_up.note.startswith("0 lines read, 0 sessions")
    assert index.ok and walk.ok and walk_in.runs


def test_the_orjson_floor_counts_the_manifests_claude_requests(corpus: Path) -> None:
    info = bench.orjson_loop([str(corpus / "claude")])
    manifest = json.loads((corpus / "manifest.json").read_text())
    tokens = sum(sum(s["usage"].values()) for s in manifest["sessions"] if s["agent"] == "claude")
    assert info["tokens"] == tokens


def test_a_baseline_cold_index_runs_the_package_in_the_baseline_folder(corpus: Path, tmp_path: Path) -> None:
    if not bench.COCKPIT.exists():
        pytest.skip("no installed cockpit")
    work = tmp_path / "work"
    work.mkdir()
    same, db = bench.bench_cold_index(corpus, work, 1, 120.0, env=bench.baseline_env(ROOT), name="cold index (baseline)")
    assert same.ok and db is not None and db.exists()
    # A package that refuses to load proves the baseline's code is the one that ran, not the installed one.
    other = tmp_path / "other"
    (other / "cockpit").mkdir(parents=True)
    (other / "cockpit" / "__init__.py").write_text("raise SystemExit('baseline package loaded')\n")
    failed, _ = bench.bench_cold_index(corpus, work, 1, 120.0, env=bench.baseline_env(other), name="cold index (baseline)")
    assert not failed.ok and "baseline package loaded" in failed.error


def test_a_baseline_folder_without_the_package_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no cockpit/__init__.py"):
        bench.baseline_env(tmp_path)
