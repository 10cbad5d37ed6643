"""scripts/bench_screen.py: it reads the rendered terminal, and never writes into a store outside its scratch."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from cockpit.core.format import tokens
from devscripts import load_script

ROOT = Path(__file__).resolve().parents[2]


bench = load_script("bench_screen")

SCREEN = """\
╭─ 1 Context ──────────────────────────────╮
│  claude  thinking  12.0%  24.0k / 200.0k │
╰──────────────────────────────────────────╯
╭─ 2 Sessions ─────────────────────────────╮
│  agent   state  ctx    peak   tokens     │
{rows}╰──────────────────────────── 2 sessions ─╯
"""


def test_a_session_row_counts_only_inside_the_sessions_pane() -> None:
    # The gauge line above names an agent too; the header row does not count.
    assert not bench.first_session_row(SCREEN.format(rows=""))
    assert bench.first_session_row(SCREEN.format(rows="│  codex   ended  24.4%  24.4%   1.08M    │\n"))
    assert not bench.first_session_row("│  claude  ended  14.1%\n")


def test_the_gauge_figure_is_what_the_gauge_prints() -> None:
    for prompt in (30_000, 30_100, 32_900):
        assert bench.gauge_figure(prompt) == f"{tokens(prompt)} / {tokens(bench.WINDOW)}"


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 21)]
    assert bench.percentile(values, 0.95) == 19.0
    assert bench.percentile(values, 0.5) == 10.0
    assert bench.percentile([3.0], 0.95) == 3.0


def _store(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE sessions (id)")
        conn.execute("INSERT INTO sessions VALUES (1)")


def test_a_store_outside_the_scratch_folder_is_copied_never_written(tmp_path: Path) -> None:
    user = tmp_path / "user" / "cockpit.db"
    user.parent.mkdir()
    _store(user)
    # The database and its write-ahead log (the -shm file is SQLite's shared index: every reader marks it).
    def state() -> dict[str, tuple[int, bytes]]:
        return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in user.parent.iterdir()
                if not p.name.endswith("-shm")}

    before = state()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    copy = bench.scratch_copy(str(user), scratch)
    assert copy.parent == scratch
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
    assert state() == before and "cockpit.db" in before
    # A store already in the scratch folder is used as it is.
    assert bench.scratch_copy(str(copy), scratch) == copy


def test_it_refuses_to_index_into_a_store_outside_the_scratch_folder(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with pytest.raises(SystemExit, match="not in the scratch folder"):
        bench.build_store([], scratch, {}, tmp_path / "elsewhere.db")
    assert not (tmp_path / "elsewhere.db").exists()


def test_a_missing_store_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no such database"):
        bench.scratch_copy(str(tmp_path / "nope.db"), tmp_path / "scratch")


def test_the_process_tree_sums_its_peaks() -> None:
    tree = bench.Tree(os.getpid())
    tree.sample()
    own = bench._status(os.getpid(), "VmHWM")
    assert own and tree.peak() >= own
    assert tree.cpu_ticks() >= 0
