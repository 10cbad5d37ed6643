"""The gates of this working tree from the keyboard: reading the board, running gates (on a key, or by
themselves when the tree changes), asking before anything an untrusted configuration declares runs.

One object, `app.gates`, because the dashboard's pane 4 and a gate's screen both drive it. git and the
gates run off the UI thread (ui/workers/repo.py) and report to the dashboard, whose handlers hand the
results here. The board itself is the app's reactive `gate_board`: the gates pane and the gate screen
redraw when it is replaced.
"""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.timer import Timer

from cockpit.core.gate_rules import GateKind, GateRun, GateState, GateStatus, wants_auto_run
from cockpit.core.text import one_line, terminal_safe
from cockpit.core.trust_rules import source_label, trust_fix
from cockpit.services.gate_board import GateBoard
from cockpit.sources.gaterunner import GateRunner
from cockpit.store.trust_records import trust_config, who
from cockpit.ui.screens.confirm import Choice, ConfirmModal
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.workers import poster
from cockpit.ui.workers.repo import read_repo_and_gates, store_gate_run, watch_working_tree

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp

# Edits that never touch .git are also caught without the watcher: git runs at least this often (1 s ticks).
REPO_REFRESH_TICKS = 10


def no_repository(path: str, error: str) -> str:
    """Why there is no working tree to act on, in one line (git's own words when it said something else)."""
    if not Path(path).exists():
        return f"{path} does not exist"
    if not error or "not a git repository" in error:
        return f"{path} is not a git repository"
    return one_line(error, 200)


class GateControl:
    def __init__(self, app: CockpitApp) -> None:
        self.app = app
        self.runner: GateRunner | None = None
        self._marks: tuple[float, ...] | None = None
        self._ticks = 0
        self._cost = 0.0  # seconds the last read of the repository and the board took
        self._auto_timer: Timer | None = None
        self._tree_watch = ""  # "watching", or "polling" once the watcher gave up
        self._tree_stop: threading.Event | None = None  # ends the watch of the current root
        self._untrusted_said: frozenset[str] = frozenset()  # fingerprints the log already called untrusted
        self._policy_said: frozenset[str] = frozenset()  # approval-policy problems the log already showed
        # Auto gates a tree change cancelled (not again until one of their runs ends), and those whose
        # cancelled run has to be followed by a rerun once the board shows them stopped.
        self._cancelled_for_change: frozenset[str] = frozenset()
        self._auto_recheck: frozenset[str] = frozenset()

    # ---- reading ---------------------------------------------------------------------------

    def check_repo(self) -> None:
        """Run git when HEAD, the index or refs moved, and periodically for edits the watcher missed."""
        from cockpit.sources.repo import change_marks

        if not self.app.is_running:
            return
        marks = change_marks(self.app.repo)
        self._ticks += 1
        # A large tree makes git cost a tree's worth of stats: space the periodic runs out to ~2 % CPU.
        period = max(REPO_REFRESH_TICKS, int(self._cost * 50))
        if self._tree_watch == "watching":
            period *= 6  # the watcher reports edits; the poll is only a safety net
        if marks != self._marks or self._ticks >= period:
            self._marks = marks
            self.refresh()

    def refresh(self) -> None:
        """Read the repository and the gate board again (RepoRead, then GatesRead, to the dashboard)."""
        app = self.app
        self._ticks = 0
        running = self.runner.running if self.runner is not None else frozenset
        app.start_worker(partial(read_repo_and_gates, app.repo, app.db_path, running,
                                 app.settings.accept_external_verdicts, poster(app.dashboard)),
                         group="repo", what="reading the repository and its gates", exclusive=True)

    def board_read(self, board: GateBoard, seconds: float) -> None:
        app = self.app
        self._cost = seconds
        previous = app.gate_board
        if board.root and (self.runner is None or self.runner.root != board.root):
            self.runner = GateRunner(board.root, partial(store_gate_run, app.db_path, board.root,
                                                         post=poster(app.dashboard)))
            self._watch(board.root)
        app.gate_board = board
        fingerprint = board.config.fingerprint
        commands = any(g.kind is GateKind.COMMAND for g in board.config.gates)
        if board.root and not board.trusted and commands and fingerprint not in self._untrusted_said:
            self._untrusted_said |= {fingerprint}
            app.log_event(
                f"{source_label(board.config.source)} of {board.root} are not trusted (new, or changed since"
                f" you trusted them): no gate command runs by itself, r asks first. To trust them,"
                f" {trust_fix(board.root)} (or press r on a gate and choose Trust)", "bold $warning")
        if board.root:
            self._say_policy_problems(board.root)
        # Auto gates run on a new tree, once at start when their result is not for this tree, and after a
        # run cancelled by a tree change has stopped (the tree it should judge is already this one).
        stopped = frozenset(n for n in self._auto_recheck
                            if (status := board.get(n)) is None or status.state is not GateState.RUNNING)
        self._auto_recheck -= stopped
        if board.tree and (previous is None or previous.tree != board.tree or stopped):
            self._tree_changed(board)

    def _say_policy_problems(self, root: str) -> None:
        """Once each: what the repository's or the user's [approvals] asked and was refused (a repository
        loosening its own guard shows here, not only in the hooks' stderr)."""
        from cockpit.config.policy import load_policy

        try:
            policy, _root = load_policy(root, user_config=self.app.config_path)
        except Exception as exc:  # noqa: BLE001 - a log line, never a crash
            problems: tuple[str, ...] = (f"cannot read the approval policy: {type(exc).__name__}: {exc}",)
        else:
            problems = policy.errors
        for problem in problems:
            if problem not in self._policy_said:
                self._policy_said |= {problem}
                self.app.log_event(f"approvals: {problem}", "bold $warning")

    def run_finished(self, run: GateRun) -> None:
        if run.outcome != "cancelled":
            self._cancelled_for_change -= {run.gate}
        elif run.gate in self._cancelled_for_change:
            self._auto_recheck |= {run.gate}
        style = {"pass": "$success", "cancelled": "dim"}.get(run.outcome, "$error")
        note = f" — {run.note}" if run.note else ""
        self.app.log_event(f"gate {run.gate}: {run.outcome} in {run.duration_s:.1f} s{note}", style)
        if run.outcome in ("fail", "timeout", "error"):
            self.app.notify(f"gate {run.gate}: {run.outcome}{note}", severity="error", timeout=6, markup=False)
        self.refresh()

    def tree_edited(self, problem: str) -> None:
        """The working tree changed (read it again, unless paused), or its watcher stopped (`problem`)."""
        if problem:
            self._tree_watch = "polling"
            self.app.log_event(problem, "$warning")
        elif not self.app.paused:
            self.refresh()

    # ---- running ---------------------------------------------------------------------------

    def running(self) -> frozenset[str]:
        return self.runner.running() if self.runner is not None else frozenset()

    def selected(self) -> GateStatus | None:
        """The gate of the gate screen on top, else the one selected in pane 4."""
        board = self.app.gate_board
        if board is None:
            return None
        if isinstance(self.app.screen, GateScreen):
            return board.get(self.app.screen.gate)
        name = self.app.dashboard.query_one(GatesTable).selected_gate
        return board.get(name) if name else None

    # Why a gate key cannot act now ("" when it can): the footer greys it, the key says this in the log.

    def why_no_board(self) -> str:
        board = self.app.gate_board
        if board is None:
            return "the repository is still being read"
        if not board.root:
            return no_repository(self.app.repo, board.error)
        return ""

    def why_not_rerun(self) -> str:
        status = self.selected()
        if why := self.why_no_board():
            return why
        if status is None:
            return "no gate is selected (cockpit.toml declares none here)" if not self.app.gate_board.statuses else (
                "no gate is selected: choose one in pane 4")
        if status.spec.name in self.running():
            return f"gate {status.spec.name} is already running (x cancels it)"
        return ""

    def why_not_cancel(self) -> str:
        status = self.selected()
        if why := self.why_no_board():
            return why
        if status is None:
            return "no gate is selected: choose one in pane 4"
        if status.spec.name not in self.running():
            return f"gate {status.spec.name} is not running: nothing to cancel"
        return ""

    def why_not_run_all(self) -> str:
        if why := self.why_no_board():
            return why
        if not any(s.spec.kind is GateKind.COMMAND for s in self.app.gate_board.statuses):  # type: ignore[union-attr]
            return "no command gate here (cockpit.toml [gates.NAME] command = …)"
        return ""

    def _start(self, status: GateStatus, why: str, *, confirmed: bool = False) -> bool:
        """Start a command gate. Without `confirmed` (the user said yes in the untrusted-gate modal) only a
        gate of a trusted configuration starts: nothing the repository declared runs without a key press."""
        runner = self.runner
        if runner is None or status.spec.kind is not GateKind.COMMAND or self.app.read_only:
            return False
        board = self.app.gate_board
        if not confirmed and (board is None or not board.trusted):
            return False
        root = runner.root

        def current_tree() -> str:
            from cockpit.sources.git import tree_id

            return tree_id(root)[0]

        started = runner.start(status.spec, current_tree)
        if started:
            self.app.log_event(f"gate {status.spec.name}: {why}: {status.spec.command}", "$primary")
            self.refresh()
        return started

    def rerun_selected(self) -> None:
        status = self.selected()
        if status is None:
            return
        if status.spec.kind is GateKind.VERDICT:
            self.app.log_event(
                f"gate {status.spec.name} is a verdict: it reads the newest .agents/council/*-{status.spec.report}-*.md"
                f" (written by ao's /{status.spec.report}); re-reading the reports", "$warning")
            self.refresh()
            return
        board = self.app.gate_board
        if board is not None and not board.trusted:
            self._ask_untrusted(board, [status], "run")
            return
        if not self._start(status, "run"):
            self.app.log_event(f"gate {status.spec.name} is already running (x cancels it)", "$warning")

    def rerun_all(self) -> None:
        board = self.app.gate_board
        if board is None:
            return
        if not board.trusted:
            running = self.running()
            wanted = [s for s in board.statuses if s.spec.kind is GateKind.COMMAND and s.spec.name not in running]
            if wanted:
                self._ask_untrusted(board, wanted, "run all")
            return
        for status in board.statuses:
            self._start(status, "run all")

    def cancel_selected(self) -> None:
        status = self.selected()
        if status is not None:
            self._cancelled_for_change -= {status.spec.name}  # the user's cancel: no automatic rerun
        if status is not None and self.runner is not None and self.runner.cancel(status.spec.name):
            self.app.log_event(f"gate {status.spec.name}: cancelling", "$warning")

    def stop(self) -> None:
        """The app is closing: every run is cancelled (its process group stopped), the watch ends."""
        if self._tree_stop is not None:
            self._tree_stop.set()
        if self.runner is not None:
            self.runner.cancel_all()

    # ---- untrusted configurations ------------------------------------------------------------

    def _ask_untrusted(self, board: GateBoard, statuses: list[GateStatus], why: str) -> None:
        """The exact commands and where they come from; Cancel has focus."""
        if self.app.read_only or not statuses:
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
            body.append(f"  $ {terminal_safe(spec.command)}\n\n", style="bold $warning")
        body.append("Run once: run it now; the configuration stays untrusted and r asks again.\n"
                    "Trust: record this exact configuration as trusted (as `cockpit trust` does), then run"
                    " it; its auto gates then run by themselves. Any later change to it is untrusted again.",
                    style="dim")
        names = ", ".join(s.spec.name for s in statuses)
        choices = [Choice("once", "Run once", "o"), Choice("trust", "Trust this configuration and run", "t")]
        self.app.push_screen(
            ConfirmModal(f"Run untrusted gate{'s' if len(statuses) != 1 else ''} {names}?", body, choices),
            lambda choice: self._untrusted_answered(board, statuses, why, choice))

    def _untrusted_answered(self, board: GateBoard, statuses: list[GateStatus], why: str,
                            choice: str | None) -> None:
        if choice is None:
            names = ", ".join(s.spec.name for s in statuses)
            self.app.log_event(f"gate {names}: not run (untrusted)", "$warning")
            return
        if choice == "trust":
            # The configuration shown, not whatever the file holds now: a later edit stays untrusted.
            record = trust_config(self.app.db.conn, board.root, board.config, who("cockpit"))
            self.app.log_event(f"trusted {source_label(board.config.source)} of {board.root}"
                               f" (sha256 {record.sha256[:16]}…)", "$success")
        how = "trusted" if choice == "trust" else "once, untrusted configuration"
        for status in statuses:
            self._start(status, f"{why} ({how})", confirmed=True)
        self.refresh()

    # ---- auto reruns -----------------------------------------------------------------------

    def _tree_changed(self, board: GateBoard) -> None:
        """New content: auto gates rerun once the tree has been quiet for the debounce time.

        Only in a trusted configuration. A running auto gate is cancelled (its result would be stale on
        arrival) once; if the tree changes again during its rerun, that run is left to finish, so a gate
        that writes files ends and records the tree it left behind instead of being cancelled for ever."""
        app = self.app
        if app.read_only or not app.auto_gates or self.runner is None or not board.trusted:
            return
        cancelled = False
        for status in board.statuses:
            name = status.spec.name
            running = status.spec.auto and status.state is GateState.RUNNING
            if running and name not in self._cancelled_for_change and self.runner.cancel(name):
                self._cancelled_for_change |= {name}
                cancelled = True
        if not cancelled and not any(wants_auto_run(s, board.tree) for s in board.statuses):
            return
        if self._auto_timer is not None:
            self._auto_timer.stop()
        self._auto_timer = app.set_timer(board.config.debounce, self._run_auto)

    def _run_auto(self) -> None:
        self._auto_timer = None
        board = self.app.gate_board
        if board is None or self.app.paused or not board.trusted:
            return
        for status in board.statuses:
            if wants_auto_run(status, board.tree):
                self._start(status, "auto (tree changed)")

    # ---- working-tree watching -------------------------------------------------------------

    def _watch(self, root: str) -> None:
        """Watch `root` for edits (in a live cockpit), ending the watch of the previous root."""
        if self._tree_stop is not None:
            self._tree_stop.set()
        if not self.app.live:
            return
        self._tree_watch = "watching"
        self._tree_stop = stop = threading.Event()
        self.app.start_worker(partial(watch_working_tree, root, stop, poster(self.app.dashboard)),
                              group="tree-watch", what="watching the working tree")
