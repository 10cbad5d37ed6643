"""Command gates run as real processes: exit codes, timeouts, cancellation, output tails, and the
background runner that starts them one per gate."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from git_repo import tid

from cockpit.core.gate_rules import GateKind, GateRun, GateSpec
from cockpit.sources.gaterunner import OUTPUT_TAIL, GateRunner, _Tail, run_gate

pytestmark = pytest.mark.usefixtures("isolated_git")


# ---- run_gate --------------------------------------------------------------------------------


def gate(command: str, timeout: float = 20.0, cwd: str = ".", name: str = "g") -> GateSpec:
    return GateSpec(name, GateKind.COMMAND, command, cwd, timeout)


def test_exit_zero_passes_with_its_output(tmp_path: Path) -> None:
    run = run_gate(gate("echo hello; echo to-stderr >&2"), str(tmp_path), "T1")
    assert (run.gate, run.tree, run.outcome, run.exit_code, run.note) == ("g", "T1", "pass", 0, "")
    assert run.output_tail == "hello\nto-stderr\n" and run.output_bytes == len(run.output_tail)
    assert run.command == "echo hello; echo to-stderr >&2" and run.started_at.endswith("Z")


def test_a_non_zero_exit_fails_and_says_the_code(tmp_path: Path) -> None:
    run = run_gate(gate("echo boom; exit 3"), str(tmp_path), "T")
    assert (run.outcome, run.exit_code, run.note, run.output_tail) == ("fail", 3, "exit code 3", "boom\n")


def test_an_unknown_command_fails_as_not_found(tmp_path: Path) -> None:
    run = run_gate(gate("no-such-command-cockpit-xyz"), str(tmp_path), "T")
    assert run.outcome == "fail" and run.exit_code == 127 and "not found" in run.note


def test_the_gate_runs_in_its_cwd_with_its_name_in_the_environment(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    run = run_gate(gate('pwd; echo "$COCKPIT_GATE"', cwd="sub", name="unit"), str(tmp_path), "T")
    assert run.output_tail.splitlines() == [str(tmp_path / "sub"), "unit"]


def test_a_missing_cwd_is_an_error_without_running(tmp_path: Path) -> None:
    run = run_gate(gate("touch ran", cwd="nope"), str(tmp_path), "T")
    assert run.outcome == "error" and "'nope'" in run.note and not (tmp_path / "ran").exists()


def test_a_hanging_command_times_out_and_returns(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30", timeout=0.5), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "timeout" and run.note == "timed out after 0.5 s and was stopped"


def test_a_background_grandchild_holding_the_output_does_not_hang_a_timed_out_gate(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30 & echo started; wait", timeout=0.5), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "timeout" and run.output_tail == "started\n"


def test_a_grandchild_left_behind_by_a_finished_shell_does_not_hang_the_gate(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30 & echo started"), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "pass" and run.output_tail == "started\n"


def test_a_grandchild_in_its_own_session_does_not_hang_the_gate(tmp_path: Path) -> None:
    pidfile = tmp_path / "escaped.pid"
    command = f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 30' & echo started"
    result: list[GateRun] = []
    worker = threading.Thread(target=lambda: result.append(run_gate(gate(command), str(tmp_path), "T")), daemon=True)
    worker.start()
    worker.join(5.5)  # the runner's own grace is 2 s + 2 s
    returned = not worker.is_alive()
    try:
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    worker.join(5)
    assert returned


def test_fifty_megabytes_of_output_keep_only_a_bounded_tail(tmp_path: Path) -> None:
    run = run_gate(gate("head -c 52428800 /dev/zero | tr '\\0' 'x'"), str(tmp_path), "T")
    assert run.outcome == "pass" and run.output_bytes == 52428800
    assert 0 < len(run.output_tail) <= 256 * 1024 and set(run.output_tail) == {"x"}


def test_the_tail_keeps_the_last_bytes_and_counts_them_all() -> None:
    tail = _Tail(10)
    for i in range(100):
        tail.feed(f"{i:03d}\n".encode())
    assert tail.total == 400 and len(tail.chunks) <= 20
    assert tail.text() == "7\n098\n099\n"
    assert OUTPUT_TAIL == 256 * 1024


def test_a_cancel_from_another_thread_stops_the_gate(tmp_path: Path) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    started = time.monotonic()
    run = run_gate(gate("sleep 30"), str(tmp_path), "T", cancel)
    timer.join()
    assert time.monotonic() - started < 10
    assert run.outcome == "cancelled" and run.note == "cancelled by the user"


def test_colours_are_dropped_and_other_escapes_shown_inert_in_the_output(tmp_path: Path) -> None:
    run = run_gate(gate(r"printf '\033[31mred\033[0m \033]0;title\007ok\n'"), str(tmp_path), "T")
    assert run.output_tail == "red \\x1b]0;title\\x07ok\n"


def test_a_gate_killed_by_a_signal_fails_and_names_it(tmp_path: Path) -> None:
    run = run_gate(gate("echo before; kill -9 $$"), str(tmp_path), "T")
    assert (run.outcome, run.exit_code, run.note) == ("fail", -9, "killed by signal 9")
    assert run.output_tail == "before\n"


def test_carriage_return_progress_becomes_lines(tmp_path: Path) -> None:
    run = run_gate(gate(r"printf '10%%\r50%%\r100%%\r\ndone\n'"), str(tmp_path), "T")
    assert run.output_tail == "10%\n50%\n100%\ndone\n"


# ---- GateRunner ------------------------------------------------------------------------------


class Finished:
    def __init__(self) -> None:
        self.runs: list[GateRun] = []
        self.running_then: list[frozenset[str]] = []
        self.event = threading.Event()
        self.runner: GateRunner | None = None

    def __call__(self, run: GateRun) -> None:
        assert self.runner is not None
        self.running_then.append(self.runner.running())
        self.runs.append(run)
        self.event.set()

    def wait(self) -> GateRun:
        assert self.event.wait(10), "the gate never finished"
        return self.runs[-1]


@pytest.fixture
def finished(tmp_path: Path) -> Iterator[tuple[GateRunner, Finished]]:
    done = Finished()
    runner = GateRunner(str(tmp_path), done)
    done.runner = runner
    yield runner, done
    runner.cancel_all()


def test_a_second_start_while_running_is_refused(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    spec = gate("sleep 30")
    assert runner.start(spec, "T") is True
    assert runner.start(spec, "T") is False
    assert runner.running() == frozenset({"g"})
    assert runner.cancel("g") is True
    assert done.wait().outcome == "cancelled" and len(done.runs) == 1


def test_the_tree_callable_is_evaluated_on_the_run_thread_before_and_after(
        finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    called_on: list[str] = []

    def tree() -> str:
        called_on.append(threading.current_thread().name)
        return "TREE-FROM-CALLABLE" if len(called_on) == 1 else "TREE-AFTER"

    assert runner.start(gate("echo hi", name="unit"), tree)
    run = done.wait()
    assert (run.gate, run.tree, run.outcome, run.output_tail) == ("unit", "TREE-FROM-CALLABLE", "pass", "hi\n")
    assert run.tree_after == "TREE-AFTER"  # what the tree was once the gate was done
    assert called_on == ["gate-unit", "gate-unit"]


def test_a_gate_writing_an_untracked_file_records_the_tree_it_left_behind(repo: Path) -> None:
    done = Finished()
    runner = GateRunner(str(repo), done)
    done.runner = runner
    runner.start(gate("date +%s%N > stamp.txt", name="feeder"), lambda: tid(repo))
    run = done.wait()
    assert run.outcome == "pass" and run.tree_after == tid(repo) and run.tree_after != run.tree


def test_cancel_is_true_only_for_a_running_gate(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    assert runner.cancel("g") is False
    runner.start(gate("sleep 30"), "T")
    assert runner.cancel("g") is True
    done.wait()
    assert runner.cancel("g") is False


def test_running_is_cleared_before_on_finished_so_the_gate_can_restart(
        finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    assert runner.running() == frozenset()
    runner.start(gate("exit 1"), "T")
    assert done.wait().outcome == "fail"
    assert done.running_then == [frozenset()] and runner.running() == frozenset()
    done.event.clear()
    assert runner.start(gate("true"), "T") is True
    assert done.wait().outcome == "pass"


def test_a_failing_tree_callable_still_ends_the_run_visibly(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished

    def broken() -> str:
        raise RuntimeError("no git here")

    assert runner.start(gate("true"), broken)
    run = done.wait()
    assert run.outcome == "error" and "no git here" in run.note and run.tree == ""
    assert runner.running() == frozenset()


def test_cancel_all_stops_every_running_gate(tmp_path: Path) -> None:
    runs: list[GateRun] = []
    both = threading.Semaphore(0)

    def on_finished(run: GateRun) -> None:
        runs.append(run)
        both.release()

    runner = GateRunner(str(tmp_path), on_finished)
    runner.start(gate("sleep 30", name="a"), "T")
    runner.start(gate("sleep 30", name="b"), "T")
    assert runner.running() == frozenset({"a", "b"})
    runner.cancel_all()
    assert both.acquire(timeout=10) and both.acquire(timeout=10)
    assert sorted((r.gate, r.outcome) for r in runs) == [("a", "cancelled"), ("b", "cancelled")]
