"""Edits in a repository's working tree, minus what .gitignore ignores: what makes gate results stale.

On Linux the kernel's inotify is read directly (sources/inotify.py): one watch per folder git does not ignore
(the folders watchfiles' default filter skips, .git, virtualenvs, node_modules and caches, are never walked;
the others are put to `git check-ignore`, one call per level of the tree), and the thread sleeps in `select`
until a file changes. Elsewhere watchfiles watches (its Rust side wakes every 50 ms to look for changes and
for `stop`). Either way each batch of changed paths is put to `git check-ignore` once (sources/git.py), so a
build writing into an ignored folder wakes nobody.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable

from cockpit.sources.git import not_ignored
from cockpit.sources.inotify import Change, StopSignal, Watches

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300  # a burst of edits is one batch, at most this long
QUIET_MS = 50  # ... that ends once no change came for this long (watchfiles' step)

# watchfiles' DefaultFilter, so both watchers report the same: folders never walked, names never reported.
IGNORED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".tox", ".venv", ".idea", "node_modules",
                          ".mypy_cache", ".pytest_cache", ".hypothesis"})
IGNORED_NAME = re.compile(r"\.py[cod]$|\.___jb_...___$|\.sw.$|~$|^\.#|^\.DS_Store$|^flycheck_")


def watch_tree(root: str, on_change: Callable[[set[str]], None], stop: threading.Event) -> str:
    """Block until `stop`, calling `on_change` with changed paths; returns why it ended ("" when stopped)."""
    try:
        if Watches.available():
            watch_inotify(root, on_change, stop)
        else:
            watch_watchfiles(root, on_change, stop)
        return ""
    except Exception as exc:  # noqa: BLE001 - e.g. the inotify watch limit on a huge tree: polling remains
        log.warning("watching %s failed: %s", root, exc)
        return f"cannot watch the working tree ({exc}); edits are noticed by the periodic refresh"


def watch_inotify(root: str, on_change: Callable[[set[str]], None], stop: threading.Event) -> None:
    """`watch_tree` with inotify: asleep until a change (or `stop`). Raises inotify.WatchFailed at the watch
    limit."""
    watches = Watches()
    signal = StopSignal(stop)
    try:
        add_tree(watches, root, [root])
        while not stop.is_set():
            if signal.fileno() in watches.wait(None, (signal.fileno(),)):
                return
            changed: set[str] = set()
            folders: set[str] = set()
            deadline = time.monotonic() + DEBOUNCE_MS / 1000
            while True:
                _sort(watches.read(), changed, folders)
                left = deadline - time.monotonic()
                if left <= 0 or not watches.wait(min(left, QUIET_MS / 1000)):
                    break
            if folders:
                add_tree(watches, root, sorted(not_ignored(root, folders)))
            if watches.overflowed:
                watches.overflowed = False
                kept = {root}  # events were lost: something changed, git cannot say what
            else:
                kept = not_ignored(root, changed)
            if kept:
                on_change(kept)
    finally:
        signal.close()
        watches.close()


def _sort(events: list[Change], changed: set[str], folders: set[str]) -> None:
    """Changed paths into `changed`; new folders (to be watched, unless ignored) into `folders` too."""
    for event in events:
        if event.name and (IGNORED_NAME.search(event.name) or event.name in IGNORED_DIRS):
            continue
        changed.add(event.path)
        if event.new_folder:
            folders.add(event.path)


def add_tree(watches: Watches, root: str, tops: list[str]) -> None:
    """Watch `tops` and every folder under them that git does not ignore, a level of the tree at a time."""
    level = tops
    while level:
        below: set[str] = set()
        for folder in level:
            if not watches.add(folder):
                continue  # gone again, or not ours to read
            try:
                with os.scandir(folder) as entries:
                    below.update(e.path for e in entries
                                 if e.name not in IGNORED_DIRS and e.is_dir(follow_symlinks=False))
            except OSError:
                continue
        level = sorted(not_ignored(root, below))


def watch_watchfiles(root: str, on_change: Callable[[set[str]], None], stop: threading.Event) -> None:
    """`watch_tree` with watchfiles (no inotify here)."""
    from watchfiles import DefaultFilter, watch

    for changes in watch(root, stop_event=stop, debounce=DEBOUNCE_MS, step=QUIET_MS, rust_timeout=1000,
                         yield_on_timeout=True, recursive=True, watch_filter=DefaultFilter()):
        if changes:
            kept = not_ignored(root, {path for _change, path in changes})
            if kept:
                on_change(kept)

