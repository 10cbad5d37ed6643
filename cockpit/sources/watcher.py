"""Change notification for transcript folders: inotify on Linux, watchfiles elsewhere, polling as fallback.

`watch_transcripts` blocks until `stop` is set and calls `on_change(paths)` with the .jsonl files
that changed. One watcher covers every root; the callback does the reading. With `recheck`, asked
about every `poll_seconds`, it also returns as soon as that says the folders to watch changed (a root
created after start), for the caller to watch the new ones.

On Linux the kernel's inotify is read directly (ctypes, stdlib only): the thread sleeps in `select` until a
file changes, and wakes at once when one does. watchfiles instead polls its Rust side every STEP_MS: 50 wake-ups
a second, each taking the GIL, for an idle dashboard, and 20-40 ms between a write and its callback.
"""

from __future__ import annotations

import logging
import os
import select
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from cockpit.sources.inotify import IN_ISDIR, Watches, WatchFailed

log = logging.getLogger(__name__)

# Groups a burst of writes (Claude flushes every 100 ms) into one callback, yet stays far below a second.
DEBOUNCE_MS = 60
STEP_MS = 20
# inotify: after an event, further events this close behind it join the same callback (one line is written in a
# few system calls), for at most DEBOUNCE_MS in all.
BURST_MS = 2


def preferred_mode(force_polling: bool = False) -> str:
    """The mode `watch_transcripts` runs in here unless its watcher fails: "inotify", "watchfiles" or "polling"."""
    return "polling" if force_polling else "inotify" if Inotify.available() else "watchfiles"


def _is_transcript(path: str) -> bool:
    return path.endswith(".jsonl")


def watch_transcripts(
    folders: Sequence[str],
    on_change: Callable[[set[str]], None],
    stop: threading.Event,
    *,
    poll_seconds: float = 1.0,
    force_polling: bool = False,
    snapshot: Callable[[], Iterable[str]] | None = None,
    on_ready: Callable[[], None] | None = None,
    recheck: Callable[[], bool] | None = None,
) -> str:
    """Run until `stop`, or until `recheck()` is true; returns the mode that ran ("inotify", "watchfiles" or
    "polling").

    `on_ready` runs once the watch is armed: what changed before that (after the caller's last
    read) is the caller's to look for. An exception from a callback ends the watch and reaches the
    caller; only a failure of the watcher itself falls back to polling."""
    due = _Every(poll_seconds, recheck)
    existing = [f for f in folders if os.path.isdir(f)]
    if not force_polling and existing and Inotify.available():
        try:
            watch_inotify(existing, on_change, stop, poll_seconds=poll_seconds, snapshot=snapshot,
                          on_ready=on_ready, recheck=due)
            return "inotify"
        except InotifyFailed as exc:
            log.warning("inotify failed (%s); watching with watchfiles", exc)
    if not force_polling and existing:
        failed: list[BaseException] = []
        armed = False

        def deliver(paths: set[str]) -> None:
            nonlocal armed
            try:
                if paths:
                    on_change(paths)
                if not armed:
                    armed = True
                    if on_ready:
                        on_ready()
            except BaseException as exc:
                failed.append(exc)
                raise

        try:
            from watchfiles import watch

            for changes in watch(
                *existing,
                stop_event=stop,
                debounce=DEBOUNCE_MS,
                step=STEP_MS,
                rust_timeout=500,
                yield_on_timeout=True,
                recursive=True,
                watch_filter=lambda _change, path: _is_transcript(path),
            ):
                deliver({path for _change, path in changes})
                if due():
                    break
            return "watchfiles"
        except Exception as exc:  # noqa: BLE001 - any watcher failure falls back to polling
            if failed:
                raise
            log.warning("file watching failed (%s); polling every %.1f s", exc, poll_seconds)
    poll(folders, on_change, stop, poll_seconds=poll_seconds, snapshot=snapshot, on_ready=on_ready, recheck=due)
    return "polling"


# The kernel's watch could not be set up or kept (no inotify, the watch limit reached).
InotifyFailed = WatchFailed


class Inotify:
    """Folders and every folder under them watched (sources/inotify.py); `read` says which .jsonl files changed."""

    available = Watches.available

    def __init__(self) -> None:
        self.watches = Watches()

    @property
    def fd(self) -> int:
        return self.watches.fd

    def close(self) -> None:
        self.watches.close()

    def add_tree(self, top: str) -> list[str]:
        """Watch `top` and every folder under it; the .jsonl files already there (written before the watch)."""
        found: list[str] = []
        stack = [top]
        while stack:
            folder = stack.pop()
            if not self.watches.add(folder):
                continue  # gone again, or not ours to read: nothing to follow there
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif _is_transcript(entry.name):
                            found.append(entry.path)
            except OSError:
                continue
        return found

    def read(self) -> tuple[set[str], bool]:
        """The .jsonl files the events waiting now name (new folders are watched, their files named too), and
        whether the kernel's queue overflowed (events were lost)."""
        changed: set[str] = set()
        for event in self.watches.read():
            if not event.name:
                continue
            if event.new_folder:
                changed.update(self.add_tree(event.path))
            elif not event.mask & IN_ISDIR and _is_transcript(event.name):
                changed.add(event.path)
        overflow, self.watches.overflowed = self.watches.overflowed, False
        return changed, overflow


def watch_inotify(
    folders: Sequence[str],
    on_change: Callable[[set[str]], None],
    stop: threading.Event,
    *,
    poll_seconds: float = 1.0,
    snapshot: Callable[[], Iterable[str]] | None = None,
    on_ready: Callable[[], None] | None = None,
    recheck: Callable[[], bool] | None = None,
) -> None:
    """`watch_transcripts` with inotify: returns when `stop` is set or `recheck()` is true. Raises InotifyFailed
    when the watch cannot be set up or kept; an exception from a callback reaches the caller as it is."""
    inotify = Inotify()
    try:
        for folder in folders:
            inotify.add_tree(folder)
        if on_ready:
            on_ready()
        while not stop.is_set():
            # Asleep until a change; awake once per poll_seconds for `stop` and `recheck`.
            if select.select([inotify.fd], [], [], poll_seconds)[0]:
                changed, overflow = inotify.read()
                deadline = time.monotonic() + DEBOUNCE_MS / 1000
                while time.monotonic() < deadline and select.select([inotify.fd], [], [], BURST_MS / 1000)[0]:
                    more, lost = inotify.read()
                    changed |= more
                    overflow |= lost
                if overflow:
                    log.warning("inotify lost events (its queue overflowed): looking at every transcript")
                    changed |= set(snapshot()) if snapshot else set()
                if changed:
                    on_change(changed)
            if recheck is not None and recheck():
                return
    finally:
        inotify.close()


class _Every:
    """`recheck`, asked at most once per `seconds`: true when it says the watch should start again."""

    def __init__(self, seconds: float, recheck: Callable[[], bool] | None) -> None:
        self.seconds = seconds
        self.recheck = recheck
        self.last = time.monotonic()

    def __call__(self) -> bool:
        if self.recheck is None or time.monotonic() - self.last < self.seconds:
            return False
        self.last = time.monotonic()
        return self.recheck()


def poll(
    folders: Sequence[str],
    on_change: Callable[[set[str]], None],
    stop: threading.Event,
    *,
    poll_seconds: float = 1.0,
    snapshot: Callable[[], Iterable[str]] | None = None,
    on_ready: Callable[[], None] | None = None,
    recheck: Callable[[], bool] | None = None,
) -> None:
    """Stat every known file each `poll_seconds`; look for new files every 10 polls. Returns when `stop` is
    set or `recheck()` is true."""
    sizes: dict[str, tuple[int, int, float]] = {}
    rounds = 0
    known: list[str] = list(snapshot()) if snapshot else []
    while not stop.is_set():
        if snapshot and rounds % 10 == 0:
            known = list(snapshot())
        changed: set[str] = set()
        for path in known:
            try:
                st = os.stat(path)
            except OSError:
                if path in sizes:
                    del sizes[path]
                    changed.add(path)
                continue
            key = (st.st_ino, st.st_size, st.st_mtime)
            if sizes.get(path) != key:
                if path in sizes or rounds % 10 == 0:
                    changed.add(path)
                sizes[path] = key
        if changed and rounds > 0:
            on_change(changed)
        if rounds == 0 and on_ready:
            on_ready()
        rounds += 1
        if recheck is not None and recheck():
            return
        stop.wait(poll_seconds)
