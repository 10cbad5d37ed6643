"""Line builders for the demo transcripts (spec agent-formats §1.3–§1.9, §3.1–§3.2).

A session script (see `cockpit.demo.sessions`) is a generator of actions: `Write` (bytes to
append to one file, a complete line unless deliberately split), `Pause` (seconds of script time
before the next action) and `LIVE` (the end of the part `create_workspace` writes up front).
A driver decides what time it is: `Ctx.clock` is a virtual clock for history and prelude, and
the simulator's clock for live lines, so every timestamp is the time the line is written.
Everything random comes from `Ctx.rng`, so a script replays identically from its seed.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
CODEX_WINDOW = 258_400
_B62 = string.ascii_letters + string.digits


@dataclass(frozen=True)
class Write:
    path: Path
    data: bytes


@dataclass(frozen=True)
class Pause:
    seconds: float


class _LiveMarker:
    def __repr__(self) -> str:
        return "LIVE"


LIVE = _LiveMarker()
Action = Write | Pause | _LiveMarker
Script = Iterator[Action]
Sub = Generator[Action, None, str]  # a sub-script that returns an id


@dataclass(frozen=True)
class SessionSpec:
    """Everything a script needs to know about its session (stored in the workspace state file)."""

    name: str
    session_id: str
    path: str  # the main transcript file
    cwd: str
    branch: str
    start: str  # ISO time the session began
    seed: str
    commit: str = ""

    @property
    def subagents(self) -> Path:
        return Path(self.path).with_suffix("") / "subagents"


class Ctx:
    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.clock: Callable[[], datetime] = lambda: EPOCH

    def now(self) -> datetime:
        return self.clock()

    def ts(self) -> str:
        return iso(self.clock())


# ---- ids and formats -------------------------------------------------------------------------


def iso(dt: datetime) -> str:
    """ISO-8601 UTC with milliseconds, as both agents write it: 2026-02-12T16:02:25.284Z."""
    dt = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def token(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_B62) for _ in range(n))


def hexid(rng: random.Random, n: int) -> str:
    return f"{rng.getrandbits(4 * n):0{n}x}"


def uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def uuid7(rng: random.Random, at: datetime) -> str:
    """A UUIDv7 (time-ordered, as Codex uses for sessions and turns)."""
    ms = int(at.timestamp() * 1000) & ((1 << 48) - 1)
    value = (ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


def encode(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def line(path: Path, obj: dict[str, Any]) -> Write:
    return Write(path, encode(obj))


# ---- tools -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """One tool call and what it returns: the `tool_result` text and the `toolUseResult` record."""

    name: str
    input: dict[str, Any]
    result: str
    meta: Any
    is_error: bool = False


def _numbered(text: str, start: int = 1, limit: int = 40) -> tuple[str, int]:
    rows = text.splitlines()[start - 1 : start - 1 + limit]
    return "\n".join(f"{n:>6}\u2192{row}" for n, row in enumerate(rows, start)), len(rows)


def read_tool(cwd: str, rel: str, start: int = 1, limit: int = 40) -> Tool:
    path = f"{cwd}/{rel}"
    try:
        content = Path(path).read_text(encoding="utf-8")
    except OSError:
        content = "# (file not found)\n"
    numbered, count = _numbered(content, start, limit)
    total = len(content.splitlines())
    meta = {"type": "text", "file": {"filePath": path, "content": content, "numLines": count,
                                     "startLine": start, "totalLines": total}}
    return Tool("Read", {"file_path": path}, numbered, meta)


def bash_tool(command: str, description: str, output: str, exit_code: int = 0) -> Tool:
    if exit_code:
        text = f"Exit code {exit_code}\n{output}"
        return Tool("Bash", {"command": command, "description": description}, text, f"Error: {text}", True)
    meta = {"stdout": output, "stderr": "", "interrupted": False, "isImage": False, "noOutputExpected": False}
    return Tool("Bash", {"command": command, "description": description}, output, meta)


def grep_tool(cwd: str, pattern: str, hits: list[str]) -> Tool:
    files = [f"{cwd}/{h}" for h in hits]
    text = f"Found {len(files)} files\n" + "\n".join(files)
    meta = {"mode": "files_with_matches", "filenames": files, "numFiles": len(files)}
    return Tool("Grep", {"pattern": pattern, "path": cwd, "output_mode": "files_with_matches"}, text, meta)


def glob_tool(cwd: str, pattern: str, hits: list[str]) -> Tool:
    files = [f"{cwd}/{h}" for h in hits]
    meta = {"filenames": files, "durationMs": 31, "numFiles": len(files), "truncated": False}
    return Tool("Glob", {"pattern": pattern}, "\n".join(files), meta)


def edit_tool(cwd: str, rel: str, old: str, new: str) -> Tool:
    path = f"{cwd}/{rel}"
    text = f"The file {path} has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n"
    text += _numbered(new, 1, 12)[0]
    meta = {"filePath": path, "oldString": old, "newString": new, "replaceAll": False, "userModified": False}
    return Tool("Edit", {"file_path": path, "old_string": old, "new_string": new, "replace_all": False}, text, meta)


def write_tool(cwd: str, rel: str, content: str) -> Tool:
    path = f"{cwd}/{rel}"
    meta = {"type": "create", "filePath": path, "content": content}
    return Tool("Write", {"file_path": path, "content": content}, f"File created successfully at: {path}", meta)


# ---- Claude Code -----------------------------------------------------------------------------

THOUGHTS = (
    "The failure is in the header handling, not in the row parser; check which columns moved.",
    "Keep the old layout working: detect the layout from the header row instead of guessing.",
    "Reading the test first tells me what the fixture promises before I change anything.",
    "The datum column only appears in the 2026 export, so it has to be optional.",
)
COMPACT_REQUEST = (
    "Your task is to create a detailed summary of the conversation so far, paying close attention to the "
    "user's explicit requests and your previous actions.\nThis summary should be thorough in capturing "
    "technical details, code patterns, and architectural decisions."
)
CONTINUATION = (
    "This session is being continued from a previous conversation that ran out of context. The summary "
    "below covers the earlier portion of the conversation.\n\n"
)


@dataclass
class ClaudeThread:
    """One Claude Code transcript file: a session's main thread or one of its subagents."""

    ctx: Ctx
    path: Path
    spec: SessionSpec
    model: str
    version: str = "2.1.112"
    agent_id: str = ""
    tip: str | None = None  # uuid of the last chained line (the next line's parentUuid)
    slug: str = ""
    cached: int = 0  # prompt prefix the next request reads from the cache
    prompt: int = 0  # prompt tokens of the last request
    turn_started: datetime | None = None
    pace: float = 1.0  # multiplies the model's latency before each request
    last_line: dict[str, Any] = field(default_factory=dict)  # the last assistant line
    _next_uuid: str | None = None

    def _base(self, kind: str | None, parent: str | None | bool = True) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "parentUuid": self.tip if parent is True else parent,
            "isSidechain": bool(self.agent_id),
            "userType": "external",
            "cwd": self.spec.cwd,
            "sessionId": self.spec.session_id,
            "version": self.version,
            "gitBranch": self.spec.branch,
        }
        if self.slug:
            obj["slug"] = self.slug
        if self.agent_id:
            obj["agentId"] = self.agent_id
        if kind:
            obj["type"] = kind
        return obj

    def _emit(self, obj: dict[str, Any], uid: str | None = None, **after: Any) -> Write:
        uid = uid or uuid4(self.ctx.rng)
        obj["uuid"] = uid
        obj["timestamp"] = self.ctx.ts()
        obj.update(after)
        self.tip = uid
        return line(self.path, obj)

    def snapshot(self) -> Write:
        """`file-history-snapshot`, written before each prompt; its messageId is the prompt's uuid."""
        self._next_uuid = uuid4(self.ctx.rng)
        snap = {"messageId": self._next_uuid, "trackedFileBackups": {}, "timestamp": self.ctx.ts()}
        return line(self.path, {"type": "file-history-snapshot", "messageId": self._next_uuid,
                                "snapshot": snap, "isSnapshotUpdate": False})

    def user(self, content: Any, **after: Any) -> Write:
        obj = self._base("user")
        obj["message"] = {"role": "user", "content": content}
        uid, self._next_uuid = self._next_uuid, None
        return self._emit(obj, uid, **after)

    def hook(self, event: str, name: str, command: str, tool_use_id: str) -> Write:
        obj = self._base("progress")
        obj["data"] = {"type": "hook_progress", "hookEvent": event, "hookName": name, "command": command}
        return self._emit(obj, parentToolUseID=tool_use_id, toolUseID=tool_use_id)

    def bash_progress(self, tool_use_id: str, output: str, seconds: int) -> Write:
        obj = self._base("progress")
        obj["data"] = {"type": "bash_progress", "output": output, "fullOutput": output,
                       "elapsedTimeSeconds": seconds, "totalLines": output.count("\n") + 1}
        return self._emit(obj, parentToolUseID=tool_use_id, toolUseID=f"bash-progress-{seconds}")

    def agent_progress(self, sub: ClaudeThread, parent_tool_id: str) -> Write:
        """The parent's echo of a subagent message (a `progress` line: never counted as usage)."""
        last = sub.last_line
        obj = self._base("progress")
        obj["data"] = {"message": {"type": "assistant", "message": last["message"], "uuid": last["uuid"],
                                   "timestamp": last["timestamp"]},
                       "normalizedMessages": [], "type": "agent_progress", "prompt": "", "agentId": sub.agent_id}
        return self._emit(obj, toolUseID=f"agent_{last['message']['id']}", parentToolUseID=parent_tool_id)

    def system(self, subtype: str, **fields: Any) -> Write:
        obj = self._base("system")
        obj["subtype"] = subtype
        obj.update(fields)
        return self._emit(obj)

    def meta(self, kind: str, key: str, value: str) -> Write:
        return line(self.path, {"type": kind, key: value, "sessionId": self.spec.session_id})

    def tool_result(self, tool_id: str, tool: Tool) -> Write:
        obj = self._base("user")
        block = {"tool_use_id": tool_id, "type": "tool_result", "content": tool.result, "is_error": tool.is_error}
        obj["message"] = {"role": "user", "content": [block]}
        return self._emit(obj, toolUseResult=tool.meta, sourceToolAssistantUUID=self.last_line.get("uuid"))

    def request(self, prompt: int, blocks: list[dict[str, Any]], output: int) -> Iterator[Action]:
        """One API request: one line per content block, sharing message.id, requestId and the
        prompt counts; only the last block carries the final output_tokens (spec §1.5)."""
        rng = self.ctx.rng
        msg_id, req_id = "msg_01" + token(rng, 22), "req_011C" + token(rng, 20)
        inp = rng.choice((1, 1, 2, 3, 3, 5, 8))
        read = max(0, min(self.cached, prompt - inp))
        created = prompt - inp - read
        early = rng.choice((1, 2, 8, 9, 10))
        for i, block in enumerate(blocks):
            if i:
                yield Pause(rng.uniform(0.4, 1.2))
            usage = {"input_tokens": inp, "cache_creation_input_tokens": created, "cache_read_input_tokens": read,
                     "cache_creation": {"ephemeral_5m_input_tokens": created, "ephemeral_1h_input_tokens": 0},
                     "output_tokens": output if i == len(blocks) - 1 else early,
                     "service_tier": "standard", "inference_geo": "global"}
            obj = self._base(None)
            obj["message"] = {"model": self.model, "id": msg_id, "type": "message", "role": "assistant",
                              "content": [block], "stop_reason": None, "stop_sequence": None, "usage": usage}
            obj["requestId"] = req_id
            obj["type"] = "assistant"
            write = self._emit(obj)
            self.last_line = obj
            yield write
        self.prompt, self.cached = prompt, prompt + output


def session_start(t: ClaudeThread, source: str = "startup") -> Write:
    t.cached = 11_442  # warm start: system prompt and tools are already cached
    return t.hook("SessionStart", f"SessionStart:{source}", "~/.claude/hooks/notify.sh start", uuid4(t.ctx.rng))


def prompt(t: ClaudeThread, text: str) -> Iterator[Action]:
    """A typed prompt: the snapshot line, then the user line."""
    yield t.snapshot()
    t.turn_started = t.ctx.now()
    extra: dict[str, Any] = {}
    if not t.agent_id:
        extra = {"thinkingMetadata": {"maxThinkingTokens": 31999}, "todos": [], "permissionMode": "acceptEdits"}
    yield t.user(text, **extra)


def ask(t: ClaudeThread, prompt_tokens: int, output: int, tool: Tool | None, say: str | None = None) -> Sub:
    """The model's turn: optional thinking, optional text, the tool_use. Returns the tool_use id."""
    rng = t.ctx.rng
    yield Pause(rng.uniform(2.0, 4.5) * t.pace)
    blocks: list[dict[str, Any]] = []
    if rng.random() < 0.3:
        blocks.append({"type": "thinking", "thinking": rng.choice(THOUGHTS), "signature": token(rng, 96)})
    if say:
        blocks.append({"type": "text", "text": say})
    tool_id = ""
    if tool is not None:
        tool_id = "toolu_01" + token(rng, 22)
        blocks.append({"type": "tool_use", "id": tool_id, "name": tool.name, "input": tool.input})
    yield from t.request(prompt_tokens + rng.randint(-300, 300), blocks, output)
    if tool is not None and not t.agent_id:
        yield t.hook("PreToolUse", f"PreToolUse:{tool.name}", "~/.claude/hooks/guard.sh", tool_id)
    return tool_id


def answer(t: ClaudeThread, tool: Tool, tool_id: str, *, split: bool = False) -> Iterator[Action]:
    """The tool runs, then its result comes back as a user line (optionally in two writes)."""
    rng = t.ctx.rng
    if tool.name == "Bash":
        yield Pause(rng.uniform(0.8, 1.6))
        yield t.bash_progress(tool_id, tool.result.splitlines()[0] if tool.result else "", 2)
    yield Pause(rng.uniform(0.3, 2.0))
    result = t.tool_result(tool_id, tool)
    if split:
        # Deliberately half a line, then the rest: a tailer must hold the fragment until the newline.
        half = len(result.data) // 2
        yield Write(result.path, result.data[:half])
        yield Pause(0.8)
        yield Write(result.path, result.data[half:])
    else:
        yield result
    if not t.agent_id:
        yield t.hook("PostToolUse", f"PostToolUse:{tool.name}", "~/.claude/hooks/log-tool.sh", tool_id)


Plan = list[tuple[int, int, str | None, Tool]]  # (prompt tokens, output tokens, text said, tool)


def work(t: ClaudeThread, plan: Plan, *, split: int = -1) -> Iterator[Action]:
    for i, (prompt_tokens, output, say, tool) in enumerate(plan):
        tool_id = yield from ask(t, prompt_tokens, output, tool, say)
        yield from answer(t, tool, tool_id, split=i == split)


def finish(t: ClaudeThread, prompt_tokens: int, output: int, text: str) -> Iterator[Action]:
    """The closing text answer, then the turn-end lines (stop hooks, turn_duration)."""
    rng = t.ctx.rng
    yield Pause(rng.uniform(2.5, 4.5) * t.pace)
    yield from t.request(prompt_tokens + rng.randint(-200, 200), [{"type": "text", "text": text}], output)
    if t.agent_id:
        return
    yield Pause(0.2)
    yield t.system("stop_hook_summary", hookCount=1, hookInfos=[{"command": "~/.claude/hooks/notify.sh done"}],
                   hookErrors=[], preventedContinuation=False, stopReason="", hasOutput=False, level="suggestion",
                   toolUseID=uuid4(rng))
    started = t.turn_started or t.ctx.now()
    yield t.system("turn_duration", durationMs=int((t.ctx.now() - started).total_seconds() * 1000), isMeta=False)


def compact(t: ClaudeThread, pre_tokens: int, summary: str) -> Iterator[Action]:
    """Auto compaction: the summariser subagent file, compact_boundary, the summary user line,
    SessionStart:compact hooks (spec §1.7). The next request starts from a small prompt."""
    rng = t.ctx.rng
    agent_id = f"acompact-{hexid(rng, 6)}"
    sub = ClaudeThread(t.ctx, t.spec.subagents / f"agent-{agent_id}.jsonl", t.spec, t.model, t.version,
                       agent_id, tip=t.tip, slug=t.slug, cached=pre_tokens - rng.randint(7_000, 9_500))
    yield Pause(0.6)
    yield sub.user(COMPACT_REQUEST)
    yield Pause(rng.uniform(6.0, 8.0))
    analysis = "<analysis>\nChronological review of the requests, the files touched and the test runs.\n</analysis>\n"
    yield from sub.request(pre_tokens - 40, [{"type": "text", "text": f"{analysis}<summary>\n{summary}\n</summary>"}],
                           rng.randint(2_100, 2_900))
    yield Pause(0.4)
    boundary = {"parentUuid": None, "logicalParentUuid": t.tip}
    boundary.update(t._base("system", parent=None))
    boundary.update(subtype="compact_boundary", content="Conversation compacted", isMeta=False)
    yield t._emit(boundary, level="info", compactMetadata={"trigger": "auto", "preTokens": pre_tokens})
    yield t.user(CONTINUATION + summary, isVisibleInTranscriptOnly=True, isCompactSummary=True)
    tool_use_id = uuid4(rng)
    yield t.hook("SessionStart", "SessionStart:compact", "~/.claude/hooks/notify.sh start", tool_use_id)
    yield t.hook("SessionStart", "SessionStart:compact", "bd prime", tool_use_id)
    t.cached = 21_478 + rng.randint(0, 300)  # system prompt and tools stay cached


def spawn_subagent(t: ClaudeThread, model: str, description: str, task: str) -> tuple[ClaudeThread, Write]:
    """A Task subagent's thread (`<sessionId>/subagents/agent-a<7hex>.jsonl`) and its meta file."""
    agent_id = "a" + hexid(t.ctx.rng, 7)
    path = t.spec.subagents / f"agent-{agent_id}.jsonl"
    sub = ClaudeThread(t.ctx, path, t.spec, model, t.version, agent_id, slug=t.slug)
    meta = json.dumps({"agentType": "Explore", "description": description}).encode() + b"\n"
    return sub, Write(path.with_suffix(".meta.json"), meta)


# ---- Codex -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodexStep:
    context: int  # last_token_usage.total_tokens after this request
    output: int
    say: str
    command: str | None = None  # None: the closing answer of the turn
    output_text: str = ""
    exit_code: int = 0
    live: bool = False  # the prelude ends after this step's function_call
    patch: str | None = None  # a patch applied with Codex's own apply_patch tool (a custom tool call), not a shell


class CodexThread:
    def __init__(self, ctx: Ctx, spec: SessionSpec, model: str = "gpt-5.3-codex") -> None:
        self.ctx, self.spec, self.model = ctx, spec, model
        self.path = Path(spec.path)
        self.turn_id = ""
        self.context = 0
        self.total = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0,
                      "reasoning_output_tokens": 0, "total_tokens": 0}
        self.counted = False  # the session's first token_count (info null) was written
        self.pending: dict[str, Any] | None = None  # the copy of the last token_count still to write
        self.pace = 1.0  # multiplies the model's latency before each request

    def _line(self, kind: str, payload: dict[str, Any]) -> Write:
        return line(self.path, {"timestamp": self.ctx.ts(), "type": kind, "payload": payload})

    def event(self, **payload: Any) -> Write:
        return self._line("event_msg", payload)

    def item(self, **payload: Any) -> Write:
        return self._line("response_item", payload)

    def session_meta(self) -> Write:
        git = {"commit_hash": self.spec.commit, "branch": self.spec.branch,
               "repository_url": "git@example.com:tidepool/tidepool.git"}
        return self._line("session_meta", {
            "id": self.spec.session_id, "timestamp": self.spec.start, "cwd": self.spec.cwd,
            "originator": "codex_cli_rs", "cli_version": "0.104.0", "source": "cli", "model_provider": "openai",
            "base_instructions": {"text": "You are Codex, a coding agent running in the user's terminal."},
            "git": git,
        })

    def turn_context(self) -> Write:
        sandbox = {"type": "workspace-write", "writable_roots": [self.spec.cwd], "network_access": False,
                   "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False}
        return self._line("turn_context", {
            "turn_id": self.turn_id, "cwd": self.spec.cwd, "approval_policy": "on-request",
            "sandbox_policy": sandbox, "model": self.model, "personality": "pragmatic", "effort": "medium",
            "summary": "auto", "truncation_policy": {"mode": "tokens", "limit": 10000},
        })

    def token_count(self, info: dict[str, Any] | None) -> Write:
        reset = int((self.ctx.now() + timedelta(hours=3)).timestamp())
        limits = {"limit_id": "codex", "limit_name": None,
                  "primary": {"used_percent": 12.0, "window_minutes": 300, "resets_at": reset},
                  "secondary": {"used_percent": 4.0, "window_minutes": 10080, "resets_at": reset + 400_000},
                  "credits": {"has_credits": False, "unlimited": False, "balance": None}, "plan_type": None}
        return self.event(type="token_count", info=info, rate_limits=limits)

    def usage(self, context: int, output: int) -> dict[str, Any]:
        inp = context - output
        cached = min(inp, self.context // 128 * 128 if self.context else 3_456)
        reasoning = output * 2 // 3
        last = {"input_tokens": inp, "cached_input_tokens": cached, "output_tokens": output,
                "reasoning_output_tokens": reasoning, "total_tokens": context}
        for key, value in last.items():
            self.total[key] += value
        self.context = context
        return {"total_token_usage": dict(self.total), "last_token_usage": last, "model_context_window": CODEX_WINDOW}


def codex_turn(c: CodexThread, text: str, steps: list[CodexStep]) -> Iterator[Action]:
    """One Codex turn: task_started … one turn_context per request, token_count twice per request
    (the first of the session with info null), function_call/output, task_complete (spec §3.1–§3.2)."""
    rng = c.ctx.rng
    c.turn_id = uuid7(rng, c.ctx.now())
    yield c.event(type="task_started", turn_id=c.turn_id, model_context_window=CODEX_WINDOW,
                  collaboration_mode_kind="default")
    yield c.item(type="message", role="user", content=[{"type": "input_text", "text": text}])
    yield c.event(type="user_message", message=text, images=[], local_images=[], text_elements=[])
    for i, step in enumerate(steps):
        if i:
            yield Pause(rng.uniform(0.2, 0.6))
        yield c.turn_context()
        if not c.counted:
            c.counted = True
            yield c.token_count(None)
        if c.pending is not None:
            yield c.token_count(c.pending)
            c.pending = None
        yield Pause(rng.uniform(2.5, 5.0) * c.pace)
        yield c.event(type="agent_reasoning", text="Planning the next command.")
        yield c.item(type="reasoning", summary=[{"type": "summary_text", "text": "Planning the next command."}],
                     content=None, encrypted_content="gAAAA" + token(rng, 120))
        yield Pause(rng.uniform(0.5, 1.5))
        yield c.event(type="agent_message", message=step.say)
        yield c.item(type="message", role="assistant", content=[{"type": "output_text", "text": step.say}],
                     phase="commentary" if step.command else "final")
        info = c.usage(step.context + rng.randint(-250, 250), step.output)
        if step.patch is not None:
            call_id = "call_" + token(rng, 24)
            yield c.item(type="custom_tool_call", status="completed", call_id=call_id, name="apply_patch",
                         input=step.patch)
            yield c.token_count(info)
            c.pending = info
            if step.live:
                yield LIVE
            yield Pause(rng.uniform(0.4, 2.5))  # the same draws as a shell step: the timing stays the same
            changed = [ln.split(": ", 1)[1] for ln in step.patch.splitlines() if ln.startswith("*** Update File: ")]
            done = {"output": "Success. Updated the following files:\n" + "\n".join(f"M {f}" for f in changed),
                    "metadata": {"exit_code": 0, "duration_seconds": 0.1}}
            yield c.item(type="custom_tool_call_output", call_id=call_id, output=json.dumps(done))
            continue
        if step.command is None:
            yield c.token_count(info)
            yield c.token_count(info)
            yield c.event(type="task_complete", turn_id=c.turn_id, last_agent_message=step.say)
            continue
        call_id = "call_" + token(rng, 24)
        args = {"command": ["bash", "-lc", step.command], "workdir": c.spec.cwd, "timeout_ms": 120000}
        yield c.item(type="function_call", name="shell", arguments=json.dumps(args), call_id=call_id)
        yield c.token_count(info)
        c.pending = info
        if step.live:
            yield LIVE
        yield Pause(rng.uniform(0.4, 2.5))
        result = {"output": step.output_text, "metadata": {"exit_code": step.exit_code, "duration_seconds": 0.6}}
        yield c.item(type="function_call_output", call_id=call_id, output=json.dumps(result))
