"""The repository side of the app: repo line, gate board, gate runs, auto reruns, working-tree watching.

A mixin of CockpitApp. git and the gates run in thread workers; results come back as messages, and
the gate board (`gate_board`) is only replaced on the UI thread.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual.timer import Timer

from cockpit.core.gates import GateKind, GateRun, GateState, GateStatus
from cockpit.sources.gaterunner import GateRunner
from cockpit.store.db import connect
from cockpit.store.gates import GateBoard, read_board, record_run
from cockpit.ui.messages import GateRunFinished, GatesRead, RepoRead, WorkingTreeChanged
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.widgets.repo_pane import RepoPane

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

    _Base = CockpitApp
else:
    _Base = object

# Edits that never touch .git are also caught without the watcher: git runs at least this often (1 s ticks).
REPO_REFRESH_TICKS = 10
GATE_ACTIONS = ("rerun_gate", "rerun_all_gates", "cancel_gate")
_VALID = (GateState.PASS, GateState.WARN, GateState.FAIL)


class WorkspaceMixin(_Base):
    gate_board: GateBoard | None = None
    gate_runner: GateRunner | None = None
    _repo_marks: tuple[float, ...] | None = None
    _repo_ticks = 0
    _repo_cost = 0.0
    _auto_timer: Timer | None = None
    _tree_watch: str = ""

    # ---- reading ---------------------------------------------------------------------------

    def _check_repo(self) -> None:
        """Run git when HEAD, the index or refs moved, and periodically for edits the watcher missed."""
        from cockpit.sources.repo import change_marks

        marks = change_marks(self.repo)
        self._repo_ticks += 1
        # A large tree makes git cost a tree's worth of stats: space the periodic runs out to ~2 % CPU.
        period = max(REPO_REFRESH_TICKS, int(self._repo_cost * 50))
        if self._tree_watch == "watching":
            period *= 6  # the watcher reports edits; the poll is only a safety net
        if marks != self._repo_marks or self._repo_ticks >= period:
            self._repo_marks = marks
            self.refresh_repo()

    def refresh_repo(self) -> None:
        self._repo_ticks = 0
        self.run_worker(self._read_repo, thread=True, exit_on_error=False, group="repo", exclusive=True)

    def _read_repo(self) -> None:
        from cockpit.sources.repo import read_repo

        started = time.perf_counter()
        state = read_repo(self.repo)
        self.post_message(RepoRead(state))
        running = self.gate_runner.running() if self.gate_runner else frozenset()
        conn = connect(self.db_path)
        try:
            board = read_board(conn, self.repo, running=running)
        finally:
            conn.close()
        self._repo_cost = time.perf_counter() - started
        self.post_message(GatesRead(board))

    def on_repo_read(self, message: RepoRead) -> None:
        self.dashboard.query_one(RepoPane).show(message.state)  # type: ignore[arg-type]

    def on_gates_read(self, message: GatesRead) -> None:
        board: GateBoard = message.board  # type: ignore[assignment]
        previous = self.gate_board
        self.gate_board = board
        if board.root and (self.gate_runner is None or self.gate_runner.root != board.root):
            self.gate_runner = GateRunner(board.root, self._gate_finished)
            self._start_tree_watch(board.root)
        self.dashboard.query_one(GatesTable).show(board, self.clock())
        if isinstance(self.screen, GateScreen):
            self.screen.reload()
        self.refresh_bindings()
        # Auto gates run on a new tree, and once at start when their result is not for this tree.
        if board.tree and (previous is None or previous.tree != board.tree):
            self._tree_changed(board)

    def refresh_gate_ages(self) -> None:
        """Time passing: "last run 5m ago" moves on without re-reading the board."""
        if self.gate_board is not None:
            self.dashboard.query_one(GatesTable).show(self.gate_board, self.clock())

    # ---- running ---------------------------------------------------------------------------

    def _gate_finished(self, run: GateRun) -> None:
        """Called on the run's thread: store the run, then tell the UI."""
        if self.gate_runner is None:
            return
        conn = connect(self.db_path)
        try:
            record_run(conn, self.gate_runner.root, run)
        finally:
            conn.close()
        self.post_message(GateRunFinished(run))

    def on_gate_run_finished(self, message: GateRunFinished) -> None:
        run: GateRun = message.run  # type: ignore[assignment]
        style = {"pass": "green", "cancelled": "dim"}.get(run.outcome, "red")
        note = f" — {run.note}" if run.note else ""
        self.dashboard.log_event(f"gate {run.gate}: {run.outcome} in {run.duration_s:.1f} s{note}", style)
        if run.outcome in ("fail", "timeout", "error"):
            self.notify(f"gate {run.gate}: {run.outcome}{note}", severity="error", timeout=6)
        self.refresh_repo()

    def _start(self, status: GateStatus, why: str) -> bool:
        if self.gate_runner is None or status.spec.kind is not GateKind.COMMAND or self.read_only:
            return False
        root = self.gate_runner.root

        def current_tree() -> str:
            from cockpit.sources.gates import tree_id

            return tree_id(root)[0]

        started = self.gate_runner.start(status.spec, current_tree)
        if started:
            self.dashboard.log_event(f"gate {status.spec.name}: {why}: {status.spec.command}", "cyan")
            self.refresh_repo()
        return started

    def selected_gate(self) -> GateStatus | None:
        board = self.gate_board
        if board is None:
            return None
        if isinstance(self.screen, GateScreen):
            return board.get(self.screen.gate)
        name = self.dashboard.query_one(GatesTable).selected_gate
        return board.get(name) if name else None

    def action_rerun_gate(self) -> None:
        status = self.selected_gate()
        if status is None:
            return
        if status.spec.kind is GateKind.VERDICT:
            self.dashboard.log_event(
                f"gate {status.spec.name} is a verdict: it reads the newest .agents/council/*-{status.spec.report}-*.md"
                f" (written by ao's /{status.spec.report}); re-reading the reports", "yellow")
            self.refresh_repo()
            return
        if not self._start(status, "run"):
            self.dashboard.log_event(f"gate {status.spec.name} is already running (x cancels it)", "yellow")

    def action_rerun_all_gates(self) -> None:
        board = self.gate_board
        if board is None:
            return
        for status in board.statuses:
            self._start(status, "run all")

    def action_cancel_gate(self) -> None:
        status = self.selected_gate()
        if status is not None and self.gate_runner is not None and self.gate_runner.cancel(status.spec.name):
            self.dashboard.log_event(f"gate {status.spec.name}: cancelling", "yellow")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in GATE_ACTIONS:
            return self.check_gate_action(action)
        return super().check_action(action, parameters)

    def check_gate_action(self, action: str) -> bool | None:
        """False removes the key (read-only), None greys it out (nothing to act on)."""
        if self.read_only or not isinstance(self.screen, DashboardScreen | GateScreen):
            return False
        status = self.selected_gate()
        running = self.gate_runner.running() if self.gate_runner else frozenset()
        if action == "rerun_gate":
            return True if status is not None and status.spec.name not in running else None
        if action == "cancel_gate":
            return True if status is not None and status.spec.name in running else None
        board = self.gate_board
        return True if board is not None and any(s.spec.kind is GateKind.COMMAND for s in board.statuses) else None

    def on_gates_table_gate_opened(self, event: GatesTable.GateOpened) -> None:
        self.push_screen(GateScreen(event.name))

    # ---- auto reruns -----------------------------------------------------------------------

    def _tree_changed(self, board: GateBoard) -> None:
        """New content: auto gates rerun once the tree has been quiet for the debounce time."""
        auto = [s for s in board.statuses if s.spec.auto and s.state not in _VALID]
        if not auto or self.read_only or not self.auto_gates or self.gate_runner is None:
            return
        for status in auto:
            if status.state is GateState.RUNNING:
                self.gate_runner.cancel(status.spec.name)  # its result would be stale on arrival
        if self._auto_timer is not None:
            self._auto_timer.stop()
        self._auto_timer = self.set_timer(board.config.debounce, self._run_auto)

    def _run_auto(self) -> None:
        self._auto_timer = None
        board = self.gate_board
        if board is None or self.paused:
            return
        for status in board.statuses:
            if status.spec.auto and status.state not in _VALID and status.state is not GateState.RUNNING:
                self._start(status, "auto (tree changed)")

    # ---- working-tree watching -------------------------------------------------------------

    def _start_tree_watch(self, root: str) -> None:
        if not self.live:
            return
        self._tree_watch = "watching"
        self.run_worker(lambda: self._watch_tree(root), thread=True, exit_on_error=False, group="tree-watch",
                        exclusive=True, name="tree-watch")

    def _watch_tree(self, root: str) -> None:
        from cockpit.sources.treewatch import watch_tree

        stop = threading.Event()
        # Stop with the app, and when the app starts watching another root.
        def relay() -> None:
            while not self._stop.wait(0.5):
                if self.gate_runner is None or self.gate_runner.root != root:
                    break
            stop.set()

        threading.Thread(target=relay, name="tree-watch-stop", daemon=True).start()
        problem = watch_tree(root, lambda _paths: self.post_message(WorkingTreeChanged()), stop)
        if problem:
            self._tree_watch = "polling"
            self.post_message(WorkingTreeChanged(problem))

    def on_working_tree_changed(self, message: WorkingTreeChanged) -> None:
        if message.problem:
            self.dashboard.log_event(message.problem, "yellow")
            return
        if not self.paused:
            self.refresh_repo()
