"""Running command gates: one process group per run, a timeout, cancellation, a bounded output tail.

A gate that prints 50 MB keeps only its last OUTPUT_TAIL bytes in memory (and the total count); one
that hangs is terminated at its timeout, then killed; cancelling kills the whole process group, so
a test runner's children die with it. Nothing here raises: every failure is a run with a note.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cockpit.core.gate_rules import GateRun, GateSpec
from cockpit.core.text import drop_styles, terminal_safe

OUTPUT_TAIL = 256 * 1024
KILL_GRACE = 3.0


class _Tail:
    """The last `limit` bytes of a stream and how many there were in all."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        self.chunks += data
        if len(self.chunks) > 2 * self.limit:
            del self.chunks[: len(self.chunks) - self.limit]

    def text(self) -> str:
        data = bytes(self.chunks[-self.limit:])
        text = data.decode("utf-8", "replace").replace("\r\n", "\n").replace("\r", "\n")
        return terminal_safe(drop_styles(text))


def _stop(proc: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, KILL_GRACE), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_gate(spec: GateSpec, root: str, tree: str, cancel: threading.Event | None = None) -> GateRun:
    """Run one command gate to its end (or timeout, or cancel) and say what happened."""
    started = datetime.now(UTC)
    stamp = started.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    clock = time.monotonic()

    def finished(outcome: str, code: int | None = None, tail: _Tail | None = None, note: str = "") -> GateRun:
        return GateRun(spec.name, tree, stamp, round(time.monotonic() - clock, 3), outcome, code, spec.command,
                       tail.text() if tail else "", tail.total if tail else 0, note)

    workdir = Path(root, spec.cwd)
    if not workdir.is_dir():
        return finished("error", note=f"working directory {spec.cwd!r} does not exist")
    try:
        proc = subprocess.Popen(
            ["/bin/sh", "-c", spec.command], cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True, env={**os.environ, "COCKPIT_GATE": spec.name},
        )
    except OSError as exc:
        return finished("error", note=f"cannot start /bin/sh: {exc}")
    tail = _Tail(OUTPUT_TAIL)
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    draining = threading.Event()

    def pump() -> None:
        # select with a timeout, so the pump can be told to stop while a stray process still holds the pipe.
        while not draining.is_set():
            ready, _, _ = select.select([fd], [], [], 0.2)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return
            tail.feed(chunk)

    reader = threading.Thread(target=pump, name=f"gate-{spec.name}-output", daemon=True)
    reader.start()
    deadline = clock + spec.timeout
    outcome = ""
    while True:
        try:
            code = proc.wait(0.1)
            break
        except subprocess.TimeoutExpired:
            pass
        if cancel is not None and cancel.is_set():
            outcome = "cancelled"
        elif time.monotonic() >= deadline:
            outcome = "timeout"
        if outcome:
            _stop(proc)
            code = proc.returncode
            break
    # The shell is gone; what it left behind (even in another session) must not keep us waiting.
    reader.join(2.0)
    if reader.is_alive():
        _stop_group(proc.pid)
        draining.set()
        reader.join(1.0)
    proc.stdout.close()
    if outcome == "cancelled":
        return finished("cancelled", code, tail, "cancelled by the user")
    if outcome == "timeout":
        return finished("timeout", code, tail, f"timed out after {spec.timeout:g} s and was stopped")
    if code == 0:
        return finished("pass", code, tail)
    if code == 127:
        return finished("fail", code, tail, "command not found (exit 127)")
    if code is not None and code < 0:
        return finished("fail", code, tail, f"killed by signal {-code}")
    return finished("fail", code, tail, f"exit code {code}")


def _quietly(tree: Callable[[], str]) -> str:
    try:
        return tree()
    except Exception:  # noqa: BLE001 - an unknown after-tree only means the run is not known to feed itself
        return ""


def _stop_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class GateRunner:
    """Background runs, at most one per gate; `on_finished` is called from the run's thread."""

    def __init__(self, root: str, on_finished: Callable[[GateRun], None]) -> None:
        self.root = root
        self.on_finished = on_finished
        self._lock = threading.Lock()
        self._running: dict[str, threading.Event] = {}

    def running(self) -> frozenset[str]:
        with self._lock:
            return frozenset(self._running)

    def start(self, spec: GateSpec, tree: str | Callable[[], str]) -> bool:
        """False when this gate is already running (a second press of `r` does not queue a second run).

        `tree` may be a function: the tree id is then taken on the run's thread, just before it starts, and
        again when it ends (`tree_after`)."""
        with self._lock:
            if spec.name in self._running:
                return False
            cancel = threading.Event()
            self._running[spec.name] = cancel
        thread = threading.Thread(target=self._run, args=(spec, tree, cancel), name=f"gate-{spec.name}", daemon=True)
        thread.start()
        return True

    def _run(self, spec: GateSpec, tree: str | Callable[[], str], cancel: threading.Event) -> None:
        tree_now = ""
        try:
            tree_now = tree() if callable(tree) else tree
            run = run_gate(spec, self.root, tree_now, cancel)
            if callable(tree):
                # The tree once the gate is done: a gate that writes files must not rerun on its own output.
                run = replace(run, tree_after=_quietly(tree))
        except Exception as exc:  # a runner bug must still end the run, visibly
            run = GateRun(spec.name, tree_now, datetime.now(UTC).isoformat(), 0.0, "error", command=spec.command,
                          note=f"cockpit failed to run the gate: {exc!r}")
        finally:
            with self._lock:
                self._running.pop(spec.name, None)
        self.on_finished(run)

    def cancel(self, name: str) -> bool:
        with self._lock:
            event = self._running.get(name)
        if event is None:
            return False
        event.set()
        return True

    def cancel_all(self) -> None:
        with self._lock:
            events = list(self._running.values())
        for event in events:
            event.set()
