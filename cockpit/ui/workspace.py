"""The repository side of the app: repo line, gate board, gate runs, auto reruns, working-tree watching.

A mixin of CockpitApp. git and the gates run in thread workers; results come back as messages, and
the gate board (`gate_board`) is only replaced on the UI thread.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer

from cockpit.core.gate_rules import GateKind, GateRun, GateState, GateStatus, wants_auto_run
from cockpit.core.text import terminal_safe
from cockpit.core.trust_rules import source_label, trust_fix
from cockpit.sources.gaterunner import GateRunner
from cockpit.store.db import connect
from cockpit.store.gate_runs import GateBoard, read_board, record_run
from cockpit.store.trust_records import trust_config, who
from cockpit.ui.messages import GateRunFinished, GatesRead, RepoRead, WorkingTreeChanged
from cockpit.ui.screens.confirm import Choice, ConfirmModal
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


class WorkspaceMixin(_Base):
    gate_board: GateBoard | None = None
    gate_runner: GateRunner | None = None
    _repo_marks: tuple[float, ...] | None = None
    _repo_ticks = 0
    _repo_cost = 0.0
    _auto_timer: Timer | None = None
    _tree_watch: str = ""
    _untrusted_said: frozenset[str] = frozenset()  # fingerprints the log already called untrusted
    _policy_said: frozenset[str] = frozenset()  # approval-policy problems the log already showed
    # Auto gates a tree change cancelled (not again until one of their runs ends), and those whose
    # cancelled run has to be followed by a rerun once the board shows them stopped.
    _cancelled_for_change: frozenset[str] = frozenset()
    _auto_recheck: frozenset[str] = frozenset()

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
            board = read_board(conn, self.repo, running=running,
                               accept_external=self.settings.accept_external_verdicts)
        finally:
            conn.close()
        self._repo_cost = time.perf_counter() - started
        self.post_message(GatesRead(board))

    def _dashboard_gone(self) -> bool:
        """True when a worker's answer or a timer has no panes to show itself in: before the dashboard is
        mounted, and once the app shuts down (it removes the panes while the screen is still stacked)."""
        if not self.is_running:
            return True
        return not any(isinstance(s, DashboardScreen) and s.is_mounted for s in self.screen_stack)

    def on_repo_read(self, message: RepoRead) -> None:
        if self._dashboard_gone():
            return
        self.dashboard.query_one(RepoPane).show(message.state)  # type: ignore[arg-type]

    def _say_policy_problems(self, root: str) -> None:
        """Once each: what the repository's or the user's [approvals] asked and was refused (a repository
        loosening its own guard shows here, not only in the hooks' stderr)."""
        from cockpit.config.policy import load_policy

        try:
            policy, _root = load_policy(root, user_config=self.config_path)
        except Exception as exc:  # noqa: BLE001 - a log line, never a crash
            problems: tuple[str, ...] = (f"cannot read the approval policy: {type(exc).__name__}: {exc}",)
        else:
            problems = policy.errors
        for problem in problems:
            if problem not in self._policy_said:
                self._policy_said |= {problem}
                self.dashboard.log_event(f"approvals: {problem}", "bold yellow")

    def on_gates_read(self, message: GatesRead) -> None:
        if self._dashboard_gone():
            return
        board: GateBoard = message.board  # type: ignore[assignment]
        previous = self.gate_board
        self.gate_board = board
        if board.root and (self.gate_runner is None or self.gate_runner.root != board.root):
            self.gate_runner = GateRunner(board.root, self._gate_finished)
            self._start_tree_watch(board.root)
        self.dashboard.query_one(GatesTable).show(board, self.clock())
        fingerprint = board.config.fingerprint
        commands = any(g.kind is GateKind.COMMAND for g in board.config.gates)
        if board.root and not board.trusted and commands and fingerprint not in self._untrusted_said:
            self._untrusted_said |= {fingerprint}
            self.dashboard.log_event(
                f"{source_label(board.config.source)} of {board.root} are not trusted (new, or changed since"
                f" you trusted them): no gate command runs by itself, r asks first. To trust them,"
                f" {trust_fix(board.root)} (or press r on a gate and choose Trust)", "bold yellow")
        if board.root:
            self._say_policy_problems(board.root)
        if isinstance(self.screen, GateScreen):
            self.screen.reload()
        self.refresh_bindings()
        # Auto gates run on a new tree, once at start when their result is not for this tree, and after a
        # run cancelled by a tree change has stopped (the tree it should judge is already this one).
        stopped = frozenset(n for n in self._auto_recheck
                            if (status := board.get(n)) is None or status.state is not GateState.RUNNING)
        self._auto_recheck -= stopped
        if board.tree and (previous is None or previous.tree != board.tree or stopped):
            self._tree_changed(board)

    def refresh_gate_ages(self) -> None:
        """Time passing: "last run 5m ago" moves on without re-reading the board."""
        if self.gate_board is not None and not self._dashboard_gone():
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
        if self._dashboard_gone():
            return
        run: GateRun = message.run  # type: ignore[assignment]
        if run.outcome != "cancelled":
            self._cancelled_for_change -= {run.gate}
        elif run.gate in self._cancelled_for_change:
            self._auto_recheck |= {run.gate}
        style = {"pass": "green", "cancelled": "dim"}.get(run.outcome, "red")
        note = f" — {run.note}" if run.note else ""
        self.dashboard.log_event(f"gate {run.gate}: {run.outcome} in {run.duration_s:.1f} s{note}", style)
        if run.outcome in ("fail", "timeout", "error"):
            self.notify(f"gate {run.gate}: {run.outcome}{note}", severity="error", timeout=6)
        self.refresh_repo()

    def _start(self, status: GateStatus, why: str, *, confirmed: bool = False) -> bool:
        """Start a command gate. Without `confirmed` (the user said yes in the untrusted-gate modal) only a
        gate of a trusted configuration starts: nothing the repository declared runs without a key press."""
        if self.gate_runner is None or status.spec.kind is not GateKind.COMMAND or self.read_only:
            return False
        board = self.gate_board
        if not confirmed and (board is None or not board.trusted):
            return False
        root = self.gate_runner.root

        def current_tree() -> str:
            from cockpit.sources.git import tree_id

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
        if self.gate_board is not None and not self.gate_board.trusted:
            self._ask_untrusted(self.gate_board, [status], "run")
            return
        if not self._start(status, "run"):
            self.dashboard.log_event(f"gate {status.spec.name} is already running (x cancels it)", "yellow")

    def action_rerun_all_gates(self) -> None:
        board = self.gate_board
        if board is None:
            return
        if not board.trusted:
            running = self.gate_runner.running() if self.gate_runner else frozenset()
            wanted = [s for s in board.statuses
                      if s.spec.kind is GateKind.COMMAND and s.spec.name not in running]
            if wanted:
                self._ask_untrusted(board, wanted, "run all")
            return
        for status in board.statuses:
            self._start(status, "run all")

    # ---- untrusted configurations ------------------------------------------------------------

    def _ask_untrusted(self, board: GateBoard, statuses: list[GateStatus], why: str) -> None:
        """The exact commands and where they come from; Cancel has focus."""
        if self.read_only or not statuses:
            return
        config = board.config
        body = Text()
        body.append(f"{source_label(config.source)} of {board.root} are not trusted: new, or changed since"
                    f" you trusted them (sha256 {config.fingerprint[:16]}…, covering"
                    f" {', '.join(config.inputs)}).\n"
                    "Running a gate runs its command with /bin/sh, as you:\n\n")
        for status in statuses:
            spec = status.spec
            body.append(f"  {spec.name}", style="bold")
            body.append(f"   cwd {spec.cwd} · timeout {spec.timeout:g} s\n", style="dim")
            body.append(f"  $ {terminal_safe(spec.command)}\n\n", style="bold yellow")
        body.append("Run once: run it now; the configuration stays untrusted and r asks again.\n"
                    "Trust: record this exact configuration as trusted (as `cockpit trust` does), then run"
                    " it; its auto gates then run by themselves. Any later change to it is untrusted again.",
                    style="dim")
        names = ", ".join(s.spec.name for s in statuses)
        choices = [Choice("once", "Run once", "o"), Choice("trust", "Trust this configuration and run", "t")]
        self.push_screen(
            ConfirmModal(f"Run untrusted gate{'s' if len(statuses) != 1 else ''} {names}?", body, choices),
            lambda choice: self._untrusted_answered(board, statuses, why, choice))

    def _untrusted_answered(self, board: GateBoard, statuses: list[GateStatus], why: str,
                            choice: str | None) -> None:
        if choice is None:
            names = ", ".join(s.spec.name for s in statuses)
            self.dashboard.log_event(f"gate {names}: not run (untrusted)", "yellow")
            return
        if choice == "trust":
            # The configuration shown, not whatever the file holds now: a later edit stays untrusted.
            record = trust_config(self.db.conn, board.root, board.config, who("cockpit"))
            self.dashboard.log_event(f"trusted {source_label(board.config.source)} of {board.root}"
                                     f" (sha256 {record.sha256[:16]}…)", "green")
        how = "trusted" if choice == "trust" else "once, untrusted configuration"
        for status in statuses:
            self._start(status, f"{why} ({how})", confirmed=True)
        self.refresh_repo()

    def action_cancel_gate(self) -> None:
        status = self.selected_gate()
        if status is not None:
            self._cancelled_for_change -= {status.spec.name}  # the user's cancel: no automatic rerun
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
        """New content: auto gates rerun once the tree has been quiet for the debounce time.

        Only in a trusted configuration. A running auto gate is cancelled (its result would be stale on
        arrival) once; if the tree changes again during its rerun, that run is left to finish, so a gate
        that writes files ends and records the tree it left behind instead of being cancelled for ever."""
        if self.read_only or not self.auto_gates or self.gate_runner is None or not board.trusted:
            return
        cancelled = False
        for status in board.statuses:
            name = status.spec.name
            running = status.spec.auto and status.state is GateState.RUNNING
            if running and name not in self._cancelled_for_change and self.gate_runner.cancel(name):
                self._cancelled_for_change |= {name}
                cancelled = True
        if not cancelled and not any(wants_auto_run(s, board.tree) for s in board.statuses):
            return
        if self._auto_timer is not None:
            self._auto_timer.stop()
        self._auto_timer = self.set_timer(board.config.debounce, self._run_auto)

    def _run_auto(self) -> None:
        self._auto_timer = None
        board = self.gate_board
        if board is None or self.paused or not board.trusted:
            return
        for status in board.statuses:
            if wants_auto_run(status, board.tree):
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
        if self._dashboard_gone():
            return
        if message.problem:
            self.dashboard.log_event(message.problem, "yellow")
            return
        if not self.paused:
            self.refresh_repo()
