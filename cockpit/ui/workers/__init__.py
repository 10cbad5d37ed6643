"""Background work of the dashboard, one module per concern.

A worker runs in a thread started by `CockpitApp.start_worker` (so a failure reaches the app's one
worker-error handler), takes plain values and a `post` function, and reports only by posting the typed
messages of cockpit.ui.messages to the screen or pane they serve. It never reads or writes app or widget
attributes: what it needs from the last run comes in as an argument.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from textual.message import Message
from textual.message_pump import MessagePump

Post = Callable[[Message], object]

# Textual runs thread workers on the event loop's default executor, which asyncio sizes min(32, cores + 4):
# six threads on two cores. The followers (transcripts, inbox, prune, tree watch, quota, health, notify) never
# end, so a pool that small left one-off jobs (a decision, a repository read, a budget raise) waiting forever.
WORKER_THREADS = 32
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0


def failure(exc: BaseException) -> str:
    """An exception as one line for the log: its type and message, never a traceback."""
    return f"{type(exc).__name__}: {exc}"


def give_threads() -> None:
    """Room for every follower plus the one-off jobs: called once, on the app's loop, before any worker."""
    pool = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="cockpit-worker")
    asyncio.get_running_loop().set_default_executor(pool)


def poster(node: MessagePump) -> Post:
    """`node.post_message` for a thread: a message posted once the app has stopped is dropped."""

    def post(message: Message) -> None:
        try:
            node.post_message(message)
        except RuntimeError:
            pass  # the event loop is closed: the app is gone

    return post


def keep_running(run: Callable[[threading.Event], None], stop: threading.Event,
                 on_failure: Callable[[str], None]) -> None:
    """`run(stop)` until it returns or `stop` is set. After a failure, say so and run it again with backoff
    (1 s doubling to 30 s): a locked database or a vanished folder usually clears up."""
    delay = RETRY_FIRST_SECONDS
    while not stop.is_set():
        try:
            run(stop)
            return
        except Exception as exc:  # noqa: BLE001 - the dashboard must outlive any failure of a following loop
            on_failure(failure(exc))
            stop.wait(delay)
            delay = min(delay * 2, RETRY_MAX_SECONDS)
