"""Change notification for transcript folders: watchfiles (inotify and friends), polling as fallback.

`watch_transcripts` blocks until `stop` is set and calls `on_change(paths)` with the .jsonl files
that changed. One watcher covers every root; the callback does the reading. With `recheck`, asked
about every `poll_seconds`, it also returns as soon as that says the folders to watch changed (a root
created after start), for the caller to watch the new ones.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence

log = logging.getLogger(__name__)

# Groups a burst of writes (Claude flushes every 100 ms) into one callback, yet stays far below a second.
DEBOUNCE_MS = 60
STEP_MS = 20


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
    """Run until `stop`, or until `recheck()` is true; returns the mode that ran ("watchfiles" or "polling").

    `on_ready` runs once the watch is armed: what changed before that (after the caller's last
    read) is the caller's to look for. An exception from a callback ends the watch and reaches the
    caller; only a failure of the watcher itself falls back to polling."""
    due = _Every(poll_seconds, recheck)
    existing = [f for f in folders if os.path.isdir(f)]
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
