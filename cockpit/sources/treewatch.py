"""Edits in a repository's working tree, minus what .gitignore ignores: what makes gate results stale.

watchfiles' default filter already drops .git, virtualenvs, node_modules and caches; each batch that
is left is put to `git check-ignore` once (sources/git.py), so a build writing into an ignored folder
wakes nobody.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from cockpit.sources.git import not_ignored

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300


def watch_tree(root: str, on_change: Callable[[set[str]], None], stop: threading.Event) -> str:
    """Block until `stop`, calling `on_change` with changed paths; returns why it ended ("" when stopped)."""
    try:
        from watchfiles import DefaultFilter, watch

        for changes in watch(root, stop_event=stop, debounce=DEBOUNCE_MS, rust_timeout=1000, yield_on_timeout=True,
                             recursive=True, watch_filter=DefaultFilter()):
            if changes:
                kept = not_ignored(root, {path for _change, path in changes})
                if kept:
                    on_change(kept)
        return ""
    except Exception as exc:  # noqa: BLE001 - e.g. the inotify watch limit on a huge tree: polling remains
        log.warning("watching %s failed: %s", root, exc)
        return f"cannot watch the working tree ({exc}); edits are noticed by the periodic refresh"
