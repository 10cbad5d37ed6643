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


def test_an_idle_only_report_has_the_memory_and_idle_lines_alone(capsys: pytest.CaptureFixture[str]) -> None:
    who = bench.Contender("cockpit", {})
    who.live = bench.LiveFigures(delays=[], peak=120 * bench.MIB, rss=100 * bench.MIB, idle_pct=0.4, idle_seconds=60)
    figures = who.report(runs=0, samples=0)
    out = capsys.readouterr().out
    assert figures == {"peak RSS": 120 * bench.MIB, "idle CPU": 0.4}
    assert "idle CPU (60 s)" in out and "0.40 % of a core" in out and "peak RSS" in out
    assert "first row" not in out and "appended line" not in out


def test_only_takes_idle_or_all() -> None:
    with pytest.raises(SystemExit):
        bench.main(["--corpus", "/nonexistent", "--only", "first-row"])


def test_a_forked_child_that_has_not_exec_d_adds_no_memory_an_exec_d_one_does() -> None:
    import signal
    import subprocess
    import sys

    tree = bench.Tree(os.getpid())
    own = bench._status(os.getpid(), "VmHWM")
    child = os.fork()
    if child == 0:  # a fork that never execs: the parent's pages, shared
        signal.pause()
        os._exit(0)
    try:
        import time

        time.sleep(0.2)
        tree.sample()
        assert child in tree.seen and tree.peak() < 1.5 * own
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.5)
        tree = bench.Tree(os.getpid())
        tree.sample()
        assert sleeper.pid in tree.seen and tree.peak() > bench._status(os.getpid(), "VmHWM")
    finally:
        sleeper.kill()
        sleeper.wait()
