"""Gate runs as primary records: every run of a command gate, with the tree it judged and its output's tail.

services/gate_board.py reads them into the gate board.
"""

from __future__ import annotations

import sqlite3

from cockpit.core.gate_rules import GateRun

RUN_COLUMNS = ("gate, tree, started_at, duration_s, outcome, exit_code, command, output_tail, output_bytes,"
               " note, id, tree_after")
RUNS_PER_GATE = 50


def record_run(conn: sqlite3.Connection, repo: str, run: GateRun) -> int:
    cursor = conn.execute(
        "INSERT INTO gate_runs (repo, gate, tree, started_at, duration_s, outcome, exit_code, command, output_tail,"
        " output_bytes, note, tree_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (repo, run.gate, run.tree, run.started_at, run.duration_s, run.outcome, run.exit_code, run.command,
         run.output_tail, run.output_bytes, run.note, run.tree_after),
    )
    return int(cursor.lastrowid or 0)


def _run(row: tuple) -> GateRun:  # type: ignore[type-arg]
    return GateRun(*row)


def runs_for(conn: sqlite3.Connection, repo: str, gate: str, limit: int = RUNS_PER_GATE) -> list[GateRun]:
    """Newest first."""
    rows = conn.execute(
        f"SELECT {RUN_COLUMNS} FROM gate_runs WHERE repo = ? AND gate = ? ORDER BY id DESC LIMIT ?",
        (repo, gate, limit),
    ).fetchall()
    return [_run(r) for r in rows]


def get_run(conn: sqlite3.Connection, run_id: int) -> GateRun | None:
    row = conn.execute(f"SELECT {RUN_COLUMNS} FROM gate_runs WHERE id = ?", (run_id,)).fetchone()
    return _run(row) if row else None


def failed_runs(conn: sqlite3.Connection, repo: str, since: str, limit: int) -> list[tuple[int, str, str, str, str]]:
    """(id, gate, outcome, note, started) of runs that failed, timed out or errored since `since`, newest first."""
    return conn.execute(
        "SELECT id, gate, outcome, note, started_at FROM gate_runs WHERE repo = ? AND outcome IN"
        " ('fail', 'timeout', 'error') AND started_at >= ? ORDER BY id DESC LIMIT ?", (repo, since, limit)).fetchall()


def runs_between(conn: sqlite3.Connection, repo: str, start: str, end: str) -> list[tuple[str, str, str]]:
    """(gate, outcome, started) of the runs started between `start` and `end` (ISO times, both included)."""
    return conn.execute("SELECT gate, outcome, started_at FROM gate_runs WHERE repo = ? AND started_at BETWEEN ? AND ?",
                        (repo, start, end)).fetchall()
