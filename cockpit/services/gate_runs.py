"""Running a command gate from the command line: the run, then its record, so the board sees it."""

from __future__ import annotations

import sqlite3

from cockpit.core.gate_rules import GateRun, GateSpec
from cockpit.sources.gaterunner import run_gate
from cockpit.store.gate_runs import record_run


def run_and_record(conn: sqlite3.Connection, root: str, tree: str, spec: GateSpec) -> GateRun:
    """Run `spec` to its end in the repository at `root` for `tree`, and record the run."""
    run = run_gate(spec, root, tree)
    record_run(conn, root, run)
    return run
