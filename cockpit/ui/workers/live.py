"""Follow the agents' transcripts: the catch-up, then every appended line, into the store."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cockpit.sources.discovery import Root
from cockpit.ui.messages import LiveIngestFailed, TranscriptsIngested
from cockpit.ui.workers import Post, keep_running

if TYPE_CHECKING:
    from cockpit.ingest.live import LiveUpdate


def follow_transcripts(db_path: str, claude_roots: Sequence[Root], codex_roots: Sequence[Root], *,
                       poll_seconds: float, force_polling: bool, stop: threading.Event, post: Post) -> None:
    """Until `stop`: each ingested batch becomes TranscriptsIngested; a failure becomes LiveIngestFailed and
    the ingest starts again (it resumes from the stored offsets).

    The ingest (the pipeline, its parsers and process pool: ~70 ms of imports) is imported here, in the
    worker, which starts after the dashboard's first paint: never on the way to it."""
    from cockpit.ingest.live import LiveIngest
    from cockpit.sources.watcher import preferred_mode

    def ingested(update: LiveUpdate) -> None:
        if update.progress is not None:
            done, to_read = update.progress
            mode = f"catching up {done / 1e6:,.0f}/{to_read / 1e6:,.0f} MB"
        else:
            # The watch is armed right after the catch-up: until then the ingest says "starting".
            mode = ingest.mode if ingest.mode != "starting" else preferred_mode(force_polling)
        post(TranscriptsIngested(update, mode))

    ingest = LiveIngest(db_path, claude_roots, codex_roots, ingested,
                        poll_seconds=poll_seconds, force_polling=force_polling)
    keep_running(ingest.run, stop, lambda error: post(LiveIngestFailed(error)))


def prepare_process_pool() -> None:
    """Start multiprocessing's resource tracker while stderr is still the real one.

    Once Textual owns the terminal, sys.stderr has no usable file descriptor and the tracker (started
    lazily by the ingest's process pool) fails with "bad value(s) in fds_to_keep".
    """
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except Exception:  # noqa: BLE001 - without it the catch-up simply parses in one process
        pass
