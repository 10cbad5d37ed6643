"""Messages the background ingest posts to the app: past-tense facts carrying immutable data."""

from __future__ import annotations

from textual.message import Message

from cockpit.ingest.live import LiveUpdate


class TranscriptsIngested(Message):
    """New transcript lines are in the store; `update.sessions` changed."""

    def __init__(self, update: LiveUpdate) -> None:
        super().__init__()
        self.update = update


class LiveIngestFailed(Message):
    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RetentionPruned(Message):
    """The daily prune ran (`result`, a store.retention.PruneResult) or failed (`error`)."""

    def __init__(self, result: object, error: str = "") -> None:
        super().__init__()
        self.result = result
        self.error = error


class ApprovalsChanged(Message):
    """The set of pending approval requests changed; `closed` were answered in the agent's terminal."""

    def __init__(self, pending: list, closed: list) -> None:  # type: ignore[type-arg]
        super().__init__()
        self.pending = pending
        self.closed = closed


class HookEventsArrived(Message):
    """Agent hooks recorded events for these sessions (state may have changed before the transcript shows it)."""

    def __init__(self, sessions: frozenset[str]) -> None:
        super().__init__()
        self.sessions = sessions


class BeadsLoaded(Message):
    """The beads file was (re)read: `beads` is the file as read, `queue` the computed queue."""

    def __init__(self, beads: object, queue: object, warning: str = "",
                 session_issues: dict[str, tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.beads = beads
        self.queue = queue
        self.warning = warning  # `bd ready` (when on PATH) disagrees with the recomputed queue
        self.session_issues = session_issues or {}  # session id -> the issues it is linked to


class RepoRead(Message):
    """The repository's state was read (in a worker) and can be shown."""

    def __init__(self, state: object) -> None:
        super().__init__()
        self.state = state


class GatesRead(Message):
    """The gate board (every gate's state for the current tree) was read in a worker."""

    def __init__(self, board: object) -> None:
        super().__init__()
        self.board = board


class GateRunFinished(Message):
    """A gate run ended (pass, fail, timeout, cancelled or error) and is stored."""

    def __init__(self, run: object) -> None:
        super().__init__()
        self.run = run


class WorkingTreeChanged(Message):
    """Files that git does not ignore changed; `problem` says the watcher stopped and why."""

    def __init__(self, problem: str = "") -> None:
        super().__init__()
        self.problem = problem
