"""What background work reports to the screens: past-tense facts, every field typed and immutable.

Workers (cockpit/ui/workers/) post these and nothing else; the screen or pane a message serves handles it.
The types are for reading only: nothing here is imported at run time beyond Textual's Message.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from datetime import datetime

    from cockpit.core.beads import Queue
    from cockpit.core.gate_rules import GateRun
    from cockpit.core.health import HealthFlag
    from cockpit.ingest.live import LiveUpdate
    from cockpit.services.gate_board import GateBoard
    from cockpit.services.issue_links import IssueLinks
    from cockpit.services.quota import QuotaReport
    from cockpit.sources.beads_files import BeadsFile
    from cockpit.sources.repo import RepoState
    from cockpit.store.approvals import Request
    from cockpit.store.pruning import PruneResult
    from cockpit.ui.screens.approval import Decision


class TranscriptsIngested(Message):
    """New transcript lines are in the store; `update.sessions` changed. `watch_mode` is how the files are
    followed ("inotify", "watchfiles" or "polling")."""

    def __init__(self, update: LiveUpdate, watch_mode: str) -> None:
        super().__init__()
        self.update = update
        self.watch_mode = watch_mode


class LiveIngestFailed(Message):
    """A following loop (transcripts, the approvals inbox) failed and retries with backoff."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error


class RetentionPruned(Message):
    """The daily prune ran (`result`) or failed (`error`)."""

    def __init__(self, result: PruneResult | None, error: str = "") -> None:
        super().__init__()
        self.result = result
        self.error = error


class ApprovalsChanged(Message):
    """The set of pending approval requests changed; `closed` were answered in the agent's terminal or gone."""

    def __init__(self, pending: tuple[Request, ...], closed: tuple[Request, ...]) -> None:
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

    def __init__(self, beads: BeadsFile, queue: Queue, warning: str = "",
                 session_issues: Mapping[str, tuple[str, ...]] | None = None) -> None:
        super().__init__()
        self.beads = beads
        self.queue = queue
        self.warning = warning  # `bd ready` (when on PATH) disagrees with the recomputed queue
        self.session_issues: dict[str, tuple[str, ...]] = dict(session_issues or {})  # session id -> its issues


class RepoRead(Message):
    """The repository's state (branch, HEAD, what changed) was read."""

    def __init__(self, state: RepoState) -> None:
        super().__init__()
        self.state = state


class GatesRead(Message):
    """The gate board (every gate's state for the current tree) was read; reading took `seconds` in all."""

    def __init__(self, board: GateBoard, seconds: float = 0.0) -> None:
        super().__init__()
        self.board = board
        self.seconds = seconds


class GateRunFinished(Message):
    """A gate run ended (pass, fail, timeout, cancelled or error) and is stored."""

    def __init__(self, run: GateRun) -> None:
        super().__init__()
        self.run = run


class WorkingTreeChanged(Message):
    """Files that git does not ignore changed; `problem` says the watcher stopped and why."""

    def __init__(self, problem: str = "") -> None:
        super().__init__()
        self.problem = problem


@dataclass(frozen=True, slots=True)
class JobOutcome:
    """What a validation job wrote: a report at `path` (relative to `root`), one line for the log."""

    title: str  # the report screen's title
    path: str
    root: str
    log: str
    style: str = ""


class JobFinished(Message):
    """A validation job (vibe, pre-mortem, retro, handoff) ended: `outcome` is what it wrote, or `error` says
    why there is nothing. `cancel` identifies the job: a cancelled one's late answer is dropped."""

    def __init__(self, kind: str, cancel: threading.Event, outcome: JobOutcome | None = None,
                 error: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.cancel = cancel
        self.outcome = outcome
        self.error = error


class IssueLinksRead(Message):
    """The sessions and commits linked to one issue were read (or `links.error` says why not). For the
    issue screen alone: it does not bubble."""

    bubble = False

    def __init__(self, issue_id: str, links: IssueLinks) -> None:
        super().__init__()
        self.issue_id = issue_id
        self.links = links


class MetricsBuilt(Message):
    """The metrics report for a period was built: the report as `cockpit report --json` gives it, and its text."""

    def __init__(self, period: str, report: Mapping[str, Any], text: str) -> None:
        super().__init__()
        self.period = period
        self.report = report
        self.text = text


class DecisionPending(Message):
    """A decision waits for the store (busy: `error`); it is retried until the hook's deadline."""

    def __init__(self, decision: Decision, error: str) -> None:
        super().__init__()
        self.decision = decision
        self.error = error


class DecisionWritten(Message):
    """The store took the decision (`ok`), or refused it because the request is no longer waiting (`status`)."""

    def __init__(self, decision: Decision, ok: bool, status: str | None = None) -> None:
        super().__init__()
        self.decision = decision
        self.ok = ok
        self.status = status


class DecisionFailed(Message):
    """The decision could not be written before the hook's deadline."""

    def __init__(self, decision: Decision, error: str) -> None:
        super().__init__()
        self.decision = decision
        self.error = error


class WorkerFailed(Message):
    """Background work failed outside the loops that report and retry by themselves."""

    def __init__(self, worker: str, error: str) -> None:
        super().__init__()
        self.worker = worker
        self.error = error


class FleetEvent(Message):
    """Something the human may want to hear about now, for the notifier (issue 14): `kind` is one of
    "approval", "context", "compaction", "health", "quota", "budget". `key` names the condition: a later
    event with the same key and `active=False` withdraws it (answered, cleared, back under the line).
    `session_id`, `title` and `detail` say which session and what it asks; `data` carries the facts a
    user command receives as JSON. Every text field is untrusted (transcripts, tool input): never markup."""

    def __init__(
        self,
        kind: str,
        key: str,
        *,
        active: bool = True,
        session_id: str = "",
        title: str = "",
        detail: str = "",
        data: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.kind = kind
        self.key = key
        self.active = active
        self.session_id = session_id
        self.title = title
        self.detail = detail
        self.data: Mapping[str, Any] = dict(data or {})


class HealthRead(Message):
    """The health of every live session (cockpit/core/health.py) as of `checked_at`: session id -> its flags
    (loop, stall, conflict); a live session without flags maps to an empty tuple, others are absent."""

    def __init__(self, health: Mapping[str, tuple[HealthFlag, ...]], checked_at: str) -> None:
        super().__init__()
        self.health = health
        self.checked_at = checked_at


class QuotaRead(Message):
    """Both agents' newest quota observations (`report`), read at `at`."""

    def __init__(self, report: QuotaReport, at: datetime) -> None:
        super().__init__()
        self.report = report
        self.at = at


class QuotaFailed(Message):
    """Reading the quota failed; it is tried again with backoff."""

    def __init__(self, error: str) -> None:
        super().__init__()
        self.error = error
