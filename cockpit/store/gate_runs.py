"""Gate runs as primary records, and the gate board: every gate's state for the current tree.

The board is what the pane, `cockpit gates` and the pre-commit entry all read, so they cannot disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field

from cockpit.core.gate_rules import GateConfig, GateKind, GateRun, GateStatus, gate_status, verdict_status
from cockpit.sources.git import head_time, load_gate_config, repo_root, tree_id
from cockpit.store.evidence import verdict_evidence
from cockpit.store.trust_records import is_trusted

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


@dataclass(frozen=True, slots=True)
class GateBoard:
    root: str  # the repository's top level ("" when there is none)
    config: GateConfig
    tree: str
    statuses: tuple[GateStatus, ...] = field(default=())
    error: str = ""  # why there is no tree to judge (not a repo, git failed)
    trusted: bool = False  # the user trusted this configuration's fingerprint (`cockpit trust`)

    def get(self, name: str) -> GateStatus | None:
        return next((s for s in self.statuses if s.spec.name == name), None)


def in_progress_issues(root: str) -> frozenset[str] | None:
    """Ids of the issues in progress, or None when there is no beads file to ask."""
    from datetime import UTC, datetime
    from pathlib import Path

    from cockpit.core.beads import compute_queue
    from cockpit.sources.beads_files import read_beads

    beads = read_beads(Path(root))
    if beads.path is None:
        return None
    return frozenset(compute_queue(beads.issues, datetime.now(UTC)).in_progress)


def read_board(conn: sqlite3.Connection, path: str, *, running: Collection[str] = (), staged: bool = False,
               root: str | None = None, tree: str | None = None, accept_external: bool = False) -> GateBoard:
    """Every gate's state for the working tree (or, with `staged`, for what a commit would contain).

    `accept_external` comes from the user's own settings, never from the repository."""
    if root is None:
        root, error = repo_root(path)
        if error:
            return GateBoard("", GateConfig((), "none"), "", (), error)
    config = load_gate_config(root)
    trusted = is_trusted(conn, root, config)
    error = ""
    if tree is None:
        tree, error = tree_id(root, staged=staged)
    committed = head_time(root)
    statuses = []
    active: frozenset[str] | None = None
    for spec in config.gates:
        if spec.kind is GateKind.VERDICT:
            found = verdict_evidence(conn, root, spec, accept_external=accept_external)
            if found.report is not None and found.report.scope == "issue" and active is None:
                active = in_progress_issues(root)
            statuses.append(verdict_status(spec, found.report, tree, committed, active,
                                           evidence=found.evidence, accept_external=accept_external,
                                           note=found.note, external=found.external))
        else:
            runs = runs_for(conn, root, spec.name)
            statuses.append(gate_status(spec, runs, tree, running=spec.name in running, trusted=trusted))
    return GateBoard(root, config, tree, tuple(statuses), error, trusted)
