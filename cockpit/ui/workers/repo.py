"""The repository side: git's view of the working tree, the gate board, the tree watcher, finished gate runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from cockpit.core.gate_rules import GateRun
from cockpit.ui.messages import GateRunFinished, GatesRead, RepoRead, WorkerFailed, WorkingTreeChanged
from cockpit.ui.workers import Post, failure


def read_repo_and_gates(repo: str, db_path: str, running: Callable[[], frozenset[str]], accept_external: bool,
                        post: Post) -> None:
    """RepoRead (branch, HEAD, what changed), then GatesRead (every gate's state for this tree) with the time
    both took: a large tree makes git slow, and the caller spaces its periodic reads by it."""
    from cockpit.services.gate_board import read_board
    from cockpit.sources.repo import read_repo
    from cockpit.store.db import connect

    started = time.perf_counter()
    post(RepoRead(read_repo(repo)))
    conn = connect(db_path)
    try:
        board = read_board(conn, repo, running=running(), accept_external=accept_external)
    finally:
        conn.close()
    post(GatesRead(board, time.perf_counter() - started))


def watch_working_tree(root: str, stop: threading.Event, post: Post) -> None:
    """WorkingTreeChanged for every batch of edits git does not ignore, until `stop`; if the watcher cannot
    run (the inotify limit of a huge tree), one WorkingTreeChanged naming the problem."""
    from cockpit.sources.treewatch import watch_tree

    problem = watch_tree(root, lambda _paths: post(WorkingTreeChanged()), stop)
    if problem:
        post(WorkingTreeChanged(problem))


def store_gate_run(db_path: str, root: str, run: GateRun, post: Post) -> None:
    """Called on the run's own thread when a gate run ends: store it, then GateRunFinished."""
    from cockpit.store.db import connect
    from cockpit.store.gate_runs import record_run

    try:
        conn = connect(db_path)
        try:
            record_run(conn, root, run)
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - a thread of the runner, not a worker: report it here
        post(WorkerFailed(f"storing the {run.gate} gate's run", failure(exc)))
    post(GateRunFinished(run))
