"""The small vocabulary every layer shares: which agent, a session's state, where a window size came from.

Apart from `cockpit.core.models` (which re-exports these) so that a path that needs only a name — discovery,
an unchanged `cockpit index` — does not build the fact and view dataclasses (~6 ms of every process).
"""

from __future__ import annotations

from enum import StrEnum


class Agent(StrEnum):
    CLAUDE = "claude"
    CODEX = "codex"


class SessionState(StrEnum):
    THINKING = "thinking"
    TOOL = "tool"
    WAITING_APPROVAL = "waiting-approval"
    IDLE = "idle"
    ENDED = "ended"


class WindowSource(StrEnum):
    """Where a context-window size came from, most authoritative first."""

    STATUSLINE = "statusline"
    MODEL_SUFFIX = "model-suffix"
    TRANSCRIPT = "transcript"  # Codex writes model_context_window into the rollout
    OBSERVED = "observed"  # a prompt larger than 200k was seen, so the window must be 1M
    DEFAULT = "default"

    @property
    def assumed(self) -> bool:
        return self in (WindowSource.OBSERVED, WindowSource.DEFAULT)


# The error a file that is not a text transcript keeps (the ingest skips it until it changes).
BINARY_ERROR = "not a text transcript (binary content)"
