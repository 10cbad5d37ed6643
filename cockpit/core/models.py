"""Immutable facts parsed from agent transcripts, and the session view built from them.

Parsers turn one transcript line into zero or more facts; the store applies facts; the UI
reads `SessionView` objects. Everything here is plain data: no IO, no Textual, no sqlite.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Re-exported: most code imports every model name from here.
from cockpit.core.kinds import BINARY_ERROR, Agent, SessionState, WindowSource  # noqa: F401


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one API request (or a sum of them), in Anthropic's four disjoint parts."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    # Part of cache_creation_input_tokens written with the 1-hour TTL (priced higher).
    cache_creation_1h_tokens: int = 0

    @property
    def prompt_tokens(self) -> int:
        return self.input_tokens + self.cache_creation_input_tokens + self.cache_read_input_tokens

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.output_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_creation_input_tokens + other.cache_creation_input_tokens,
            self.cache_read_input_tokens + other.cache_read_input_tokens,
            self.cache_creation_1h_tokens + other.cache_creation_1h_tokens,
        )


# ---- facts: what one transcript line says ---------------------------------------------------
# Not frozen: a frozen dataclass's __init__ (object.__setattr__ per field) cost ~10 % of a cold index's parsing.
# A fact is built once by a parser and only read after.


@dataclass(slots=True)
class ApiCall:
    """One model request. Claude writes one line per content block; `key` dedupes them."""

    key: str  # "<message.id>:<requestId>" for Claude, "<file offset>" for Codex
    ts: str
    model: str
    usage: Usage
    # Tokens occupying the window for this request (Claude: prompt; Codex: last total).
    context_tokens: int
    is_sidechain: bool = False
    agent_id: str = ""
    window: int | None = None  # only when the transcript states it (Codex)


@dataclass(slots=True)
class CompactionFact:
    ts: str
    trigger: str
    pre_tokens: int | None
    post_tokens: int | None = None


@dataclass(slots=True)
class ToolStarted:
    tool_use_id: str
    name: str
    summary: str
    ts: str
    agent_id: str = ""
    input_hash: str = ""  # 16 hex of sha1 over the canonical JSON of the input: the same call twice
    files: tuple[str, ...] = ()  # the files an edit tool changes, absolute when the cwd is known


@dataclass(slots=True)
class ToolFinished:
    tool_use_id: str
    ts: str
    is_error: bool
    error: str = ""  # a failed call's error text, on one line, at most ERROR_CHARS characters


@dataclass(slots=True)
class PromptFact:
    ts: str
    text: str


@dataclass(slots=True)
class MetaFact:
    """Session metadata; a None field says nothing, a later value replaces an earlier one."""

    ts: str | None = None
    cwd: str | None = None
    branch: str | None = None
    version: str | None = None
    model: str | None = None
    title: str | None = None
    title_rank: int = 0  # custom-title 3 > ai-title 2 > summary 1
    last_prompt: str | None = None
    parent_session_id: str | None = None  # a Codex sub-thread's parent (session_meta thread_spawn)


@dataclass(slots=True)
class StateFact:
    ts: str
    state: SessionState


@dataclass(slots=True)
class InterruptFact:
    """The user stopped the agent mid-turn (Esc in Claude Code): an intervention."""

    ts: str


@dataclass(slots=True)
class SkippedLine:
    reason: str  # "invalid-json", "not-an-object", "non-utf8", "oversized", "bad-usage"


Fact = (
    ApiCall | CompactionFact | ToolStarted | ToolFinished | PromptFact | MetaFact | StateFact | InterruptFact
    | SkippedLine
)


# ---- views: what the UI and the headless commands show ----------------------------------------


@dataclass(frozen=True, slots=True)
class ContextGauge:
    prompt_tokens: int
    context_tokens: int
    window: int
    window_source: WindowSource
    ts: str | None = None

    @property
    def pct(self) -> float:
        return 100.0 * self.prompt_tokens / self.window if self.window else 0.0


@dataclass(frozen=True, slots=True)
class CompactionView:
    at: str
    trigger: str
    pre_tokens: int | None


@dataclass(frozen=True, slots=True)
class SessionView:
    agent: Agent
    session_id: str
    path: str
    project: str
    title: str
    model: str
    started_at: str | None
    last_activity_at: str | None
    state: SessionState
    context: ContextGauge | None
    peak_pct: float
    compactions: tuple[CompactionView, ...]
    usage: Usage
    cost_usd: float | None
    subagents: int
    skipped_lines: int
    branch: str = ""
    # Context tokens of the last calls after the last compaction, oldest first (sparkline).
    recent_context: tuple[int, ...] = field(default=())
    # True where a compaction happened just before that call (drawn as a marker in the sparkline).
    recent_compacted: tuple[bool, ...] = field(default=())
    live: bool = False
    parent_session_id: str = ""  # a Codex sub-thread (thread_spawn): its parent session
