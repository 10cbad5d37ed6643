"""Change notification for transcript folders: watchfiles (inotify and friends), polling as fallback.

`watch_transcripts` blocks until `stop` is set and calls `on_change(paths)` with the .jsonl files
that changed. One watcher covers every root; the callback does the reading.
"""

from __future__ import annotations

import logging
import os
import threading
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
) -> str:
    """Run until `stop`; returns the mode that ran ("watchfiles" or "polling")."""
    existing = [f for f in folders if os.path.isdir(f)]
    if not force_polling and existing:
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
                if changes:
                    on_change({path for _change, path in changes})
            return "watchfiles"
        except Exception as exc:  # noqa: BLE001 - any watcher failure falls back to polling
            log.warning("file watching failed (%s); polling every %.1f s", exc, poll_seconds)
    poll(folders, on_change, stop, poll_seconds=poll_seconds, snapshot=snapshot)
    return "polling"


def poll(
    folders: Sequence[str],
    on_change: Callable[[set[str]], None],
    stop: threading.Event,
    *,
    poll_seconds: float = 1.0,
    snapshot: Callable[[], Iterable[str]] | None = None,
) -> None:
    """Stat every known file each `poll_seconds`; look for new files every 10 polls."""
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
        rounds += 1
        stop.wait(poll_seconds)
