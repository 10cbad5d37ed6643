"""Codex CLI rollout lines -> facts (spec agent-formats §3).

One `CodexParser` per rollout file, checkpointed with the file offset so a restart resumes exactly.
Two generations of rollouts are read:

- 0.104 era: prompts in `event_msg user_message`, usage in `token_count`, a failed command in the
  JSON `metadata.exit_code` of its output, a compaction as one `compacted` line;
- 0.171: no more `user_message` / `agent_message` / `agent_reasoning` events; prompts, answers, commands
  (with `exit_code`) and compactions come as `event_msg item_completed` items, a command's output is
  plain text ("Process exited with code 2"), and new line types (`world_state`, `token_usage_record`) and
  events (`thread_settings_applied`) appear. A local compaction is a model request of its own (its answer
  marked `metadata.compaction_output`), followed by `compacted`, an estimate of the new context (a
  `token_count` with zero parts) and the `ContextCompaction` item.

Usage always comes from `token_count` (`token_usage_record` repeats the same request, so reading both
would count it twice).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from cockpit.core.claude import (
    MAX_TOKENS,
    edited_files,
    error_text,
    input_hash,
    patch_input,
    short_line,
    tool_summary,
)
from cockpit.core.models import (
    ApiCall,
    CompactionFact,
    Fact,
    InterruptFact,
    MetaFact,
    PromptFact,
    SessionState,
    SkippedLine,
    StateFact,
    ToolFinished,
    ToolStarted,
    Usage,
)
from cockpit.core.tools import PATCH_TOOLS

# Top-level line types nothing is read from; the tailer skips them without decoding (they are large).
SKIP_TYPES = frozenset({b"world_state", b"token_usage_record"})
# Every line type, event and item the parser reads or knowingly ignores (`known_kind`, for drift checks).
KNOWN_TYPES = frozenset({"session_meta", "turn_context", "response_item", "event_msg", "compacted",
                         "world_state", "token_usage_record"})
READ_EVENTS = frozenset({"token_count", "item_completed", "user_message", "turn_aborted", "task_complete",
                         "task_started"})
IGNORED_EVENTS = frozenset({
    "agent_message", "agent_reasoning", "agent_reasoning_raw_content", "context_compacted", "thread_settings_applied",
    "thread_rolled_back", "patch_apply_end", "exec_command_end", "mcp_tool_call_end", "web_search_end",
    "entered_review_mode", "exited_review_mode", "item_started", "plan_update", "view_image_tool_call", "error",
    "warning", "stream_error",
})
READ_RESPONSE_ITEMS = frozenset({"function_call", "custom_tool_call", "local_shell_call", "function_call_output",
                                 "custom_tool_call_output", "message"})
IGNORED_RESPONSE_ITEMS = frozenset({"reasoning", "web_search_call", "compaction", "tool_search_call",
                                    "tool_search_output", "image_generation_call", "ghost_snapshot", "other"})
# item_completed items that finish a tool call (their `id` is the call's `call_id`).
TOOL_ITEMS = frozenset({"CommandExecution", "FileChange", "McpToolCall", "DynamicToolCall", "CollabAgentToolCall"})
READ_ITEMS = TOOL_ITEMS | {"UserMessage", "ContextCompaction"}
IGNORED_ITEMS = frozenset({
    "AgentMessage", "Reasoning", "Plan", "HookPrompt", "InjectedContext", "FunctionCallOutput", "WebSearch",
    "ImageView", "ImageGeneration", "Extension", "EnteredReviewMode", "ExitedReviewMode", "SubAgentActivity",
    "EventDrivenTool", "EventCommandEvent", "CollabAgentMessage", "TodoList", "Error",
})
# Events and response items the parser returns nothing for and keeps no state from (thread_settings_applied
# does): the tailer skips them by their bytes, without decoding (reasoning items are large).
SKIP_PAYLOADS = {
    b"event_msg": frozenset(e.encode() for e in IGNORED_EVENTS - {"thread_settings_applied"}),
    b"response_item": frozenset(i.encode() for i in IGNORED_RESPONSE_ITEMS),
}
FAILED_STATUSES = frozenset({"failed", "declined", "interrupted"})
# The header of a unified-exec / shell_command output, before the command's own output starts.
_EXIT_LINE = re.compile(r"^(?:Process exited with code|Exit code:)\s*(-?\d+)\s*$")
_FAILED_MEMORY = 64  # tool calls an item reported failed, kept until their output line arrives


def _count(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key, 0)
    if type(value) is int and 0 <= value <= MAX_TOKENS:  # the common case first: four calls per token count
        return value
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or value > MAX_TOKENS:
        return None
    return int(value)


class CodexParser:
    def __init__(self, state: dict[str, Any] | None = None) -> None:
        state = state or {}
        self.model: str = state.get("model", "")
        self.last_context: int | None = state.get("last_context")
        # Seen an item_completed or thread_settings_applied: this rollout writes ContextCompaction items (0.171+).
        self.items: bool = bool(state.get("items", False))
        # The compaction request is under way: its token_count is not the conversation's context.
        self.compacting: bool = bool(state.get("compacting", False))
        # A `compacted` line waiting for its ContextCompaction item: [ts, pre_tokens, post_tokens].
        pending = state.get("pending")
        self.pending: list[Any] | None = list(pending) if isinstance(pending, list) and len(pending) == 3 else None
        # A compaction was reported at its `compacted` line (0.104 way): an item after it is the same one.
        self.reported: bool = bool(state.get("reported", False))
        self.failed: list[str] = [c for c in state.get("failed", []) if isinstance(c, str)][-_FAILED_MEMORY:]
        # A digest of the last prompt of the current turn: a prompt written both as an event and as an item is
        # one prompt.
        self.turn_prompt: str = state.get("turn_prompt", "") if isinstance(state.get("turn_prompt"), str) else ""
        # The working directory of the latest turn: relative patch paths are made absolute against it.
        self.cwd: str = state.get("cwd", "") if isinstance(state.get("cwd"), str) else ""
        # A sub-thread (session_meta `source.subagent.thread_spawn`) starts with its parent's history replayed,
        # token counts included, all written in the same second. As ccusage does: when its first two token counts
        # share a second, every token count of that second at the start is the parent's and is not counted again.
        # "probe": none seen yet; "second": the first is held in `held` until the next tells; "skip": in the
        # replayed second `replay_second`; "": counted as usual.
        self.replay: str = state.get("replay", "") if state.get("replay") in ("probe", "second", "skip") else ""
        held = state.get("held")
        self.held: list[Any] | None = list(held) if isinstance(held, list) and len(held) == 2 else None
        self.replay_second: str = state.get("replay_second", "") if isinstance(state.get("replay_second"), str) else ""

    def checkpoint(self) -> dict[str, Any]:
        state: dict[str, Any] = {"model": self.model, "last_context": self.last_context}
        if self.items:
            state["items"] = True
        if self.compacting:
            state["compacting"] = True
        if self.pending is not None:
            state["pending"] = self.pending
        if self.reported:
            state["reported"] = True
        if self.failed:
            state["failed"] = self.failed
        if self.turn_prompt:
            state["turn_prompt"] = self.turn_prompt
        if self.cwd:
            state["cwd"] = self.cwd
        if self.replay:
            state["replay"] = self.replay
        if self.held is not None:
            state["held"] = self.held
        if self.replay_second:
            state["replay_second"] = self.replay_second
        return state

    def parse_line(self, obj: Any) -> list[Fact]:
        if not isinstance(obj, dict):
            return [SkippedLine("not-an-object")]
        kind = obj.get("type")
        payload = obj.get("payload")
        ts = obj.get("timestamp") if isinstance(obj.get("timestamp"), str) else ""
        if not isinstance(payload, dict):
            return []
        if kind == "session_meta":
            git = payload.get("git") if isinstance(payload.get("git"), dict) else {}
            cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
            if cwd:
                self.cwd = cwd
            parent = thread_parent(payload)
            if parent is not None and not self.replay and self.held is None and not self.replay_second:
                self.replay = "probe"
            return [
                MetaFact(
                    ts=ts or None,
                    cwd=cwd,
                    branch=git.get("branch") if isinstance(git.get("branch"), str) else None,
                    version=payload.get("cli_version") if isinstance(payload.get("cli_version"), str) else None,
                    parent_session_id=parent,
                )
            ]
        if kind == "turn_context":
            model = payload.get("model")
            if isinstance(model, str) and model:
                self.model = model
            cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
            if cwd:
                self.cwd = cwd
            return [MetaFact(ts=ts or None, cwd=cwd, model=self.model or None)]
        if kind == "compacted":
            return self._compacted(ts)
        if kind == "event_msg":
            return self._event(payload, ts)
        if kind == "response_item":
            return self._item(payload, obj.get("metadata"), ts)
        return []  # world_state, token_usage_record and types not known yet carry nothing shown

    # ---- compaction -------------------------------------------------------------------------------

    def _compacted(self, ts: str) -> list[Fact]:
        facts = self._flush()
        self.compacting = False
        if not self.items:
            # 0.104: nothing more follows; the context before it is the last real request's.
            self.reported = True
            return [*facts, CompactionFact(ts, "auto", self.last_context)]
        # 0.171: an estimate of the new context and the ContextCompaction item follow.
        self.pending = [ts, self.last_context, None]
        return facts

    def _flush(self) -> list[Fact]:
        """The compaction still waiting for its item, as a fact (the item never came)."""
        if self.pending is None:
            return []
        ts, pre, post = self.pending
        self.pending = None
        return [CompactionFact(ts, "auto", pre, post)]

    # ---- events -----------------------------------------------------------------------------------

    def _event(self, payload: dict[str, Any], ts: str) -> list[Fact]:
        sub = payload.get("type")
        if sub == "token_count":
            return self._token_count(payload, ts)
        if sub == "item_completed":
            item = payload.get("item")
            return self._turn_item(item, ts) if isinstance(item, dict) else []
        if sub == "user_message":
            text = payload.get("message")
            return self._prompt(text, ts) if isinstance(text, str) else []
        if sub == "turn_aborted":
            self.compacting = False
            return [*self._flush(), StateFact(ts, SessionState.IDLE), MetaFact(ts=ts), InterruptFact(ts)]
        if sub == "task_complete":
            self.compacting = False
            return [*self._flush(), StateFact(ts, SessionState.IDLE), MetaFact(ts=ts)]
        if sub == "thread_settings_applied":
            # 0.171+ (written when a turn starts): this rollout writes items, ContextCompaction included.
            self.items = True
            settings = payload.get("thread_settings")
            model = settings.get("model") if isinstance(settings, dict) else None
            if isinstance(model, str) and model:
                self.model = model
            return []
        if sub == "task_started":
            self.turn_prompt = ""
            return [StateFact(ts, SessionState.THINKING), MetaFact(ts=ts)]
        return []

    def _prompt(self, text: str, ts: str) -> list[Fact]:
        digest = hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=8).hexdigest()
        if not text or digest == self.turn_prompt:
            return []
        self.turn_prompt = digest
        return [PromptFact(ts, text), StateFact(ts, SessionState.THINKING), MetaFact(ts=ts)]

    def _turn_item(self, item: dict[str, Any], ts: str) -> list[Fact]:
        kind = item.get("type")
        if kind == "UserMessage":
            self.items = True
            content = item.get("content")
            parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"] \
                if isinstance(content, list) else []
            return self._prompt("\n".join(p for p in parts if isinstance(p, str)), ts)
        if kind == "ContextCompaction":
            self.items = True
            self.compacting = False
            if self.pending is None:
                if self.reported:  # its `compacted` line was read as a 0.104 one and reported
                    self.reported = False
                    return []
                self.pending = [ts, self.last_context, None]  # no `compacted` line: the item is the compaction
            return self._flush()
        if kind in TOOL_ITEMS:
            self.items = True
            call_id = item.get("id")
            if not isinstance(call_id, str) or not call_id:
                return []
            code = item.get("exit_code")
            status = item.get("status")
            if isinstance(status, str) and status.lower() in ("in_progress", "inprogress"):
                return []
            failed = (
                (isinstance(code, int) and not isinstance(code, bool) and code != 0)
                or (isinstance(status, str) and status.lower() in FAILED_STATUSES)
                or item.get("success") is False
                or bool(item.get("error"))
            )
            if failed and call_id not in self.failed:
                self.failed = [*self.failed, call_id][-_FAILED_MEMORY:]
            error = ""
            if failed:
                detail = item.get("error")
                detail = detail.get("message") if isinstance(detail, dict) else detail
                output = item.get("aggregated_output")
                error = error_text(detail if isinstance(detail, str) and detail else output if isinstance(output, str) else "")
            return [ToolFinished(call_id, ts, failed, error)]
        if isinstance(kind, str):
            self.items = True
        return []

    def _token_count(self, payload: dict[str, Any], ts: str) -> list[Fact]:
        if not self.replay or not _has_usage(payload):
            return self._count_tokens(payload, ts)
        second = ts[:19]
        if self.replay == "probe":
            self.replay, self.held = "second", [ts, payload]
            return []
        if self.replay == "second" and self.held is not None:
            held_ts, held_payload = self.held
            self.held = None
            if second and isinstance(held_ts, str) and held_ts[:19] == second:
                self.replay, self.replay_second = "skip", second
                return []
            self.replay = ""
            first = self._count_tokens(held_payload, held_ts) if isinstance(held_payload, dict) else []
            return [*first, *self._count_tokens(payload, ts)]
        if self.replay == "skip" and second == self.replay_second:
            return []
        self.replay = ""
        return self._count_tokens(payload, ts)

    def _count_tokens(self, payload: dict[str, Any], ts: str) -> list[Fact]:
        info = payload.get("info")
        if info is None:
            return []
        if not isinstance(info, dict):
            return [SkippedLine("bad-usage")]
        last = info.get("last_token_usage")
        total = info.get("total_token_usage")
        window = info.get("model_context_window")
        if not isinstance(last, dict) or not isinstance(total, dict):
            return [SkippedLine("bad-usage")]
        inp = _count(last, "input_tokens")
        cached = _count(last, "cached_input_tokens")
        out = _count(last, "output_tokens")
        used = _count(last, "total_tokens")
        if inp is None or cached is None or out is None or used is None:
            return [SkippedLine("bad-usage")]
        ok_window = isinstance(window, int | float) and not isinstance(window, bool) and 0 < window <= MAX_TOKENS
        win = int(window) if ok_window else None
        # After a compaction Codex writes a record with zero parts: 0.104 with a total larger than the
        # window (nothing to read), 0.171 with its estimate of the compacted context as the total.
        if inp == 0 and out == 0:
            if self.pending is not None and used and (win is None or used <= win):
                self.pending[2] = used
            return []
        if win is not None and used > win:
            return []
        facts = self._flush()
        self.reported = False
        usage = Usage(max(inp - cached, 0), out, 0, min(cached, inp))
        # Each real count is written twice (0.104), or repeated when a resumed turn starts (0.171); the
        # cumulative total identifies the request, so the copies share a key and the store keeps one.
        cumulative = total.get("total_tokens")
        key = f"{cumulative}:{used}" if isinstance(cumulative, int) else ""
        if self.compacting:
            # This is the compaction request: its size is not the context that made Codex compact.
            self.compacting = False
        else:
            self.last_context = used
        return [
            *facts,
            ApiCall(key=key, ts=ts, model=self.model, usage=usage, context_tokens=used, window=win),
            MetaFact(ts=ts or None),
        ]

    # ---- response items ---------------------------------------------------------------------------

    def _item(self, payload: dict[str, Any], meta: Any, ts: str) -> list[Fact]:
        sub = payload.get("type")
        if sub in ("function_call", "custom_tool_call", "local_shell_call"):
            call_id = payload.get("call_id")
            name = payload.get("name") if isinstance(payload.get("name"), str) else str(sub)
            args: Any = _decoded(payload.get("arguments", payload.get("input", payload.get("action"))))
            summary = _summarize_arguments(name, args)
            if isinstance(call_id, str) and call_id:
                files = edited_files(name, patch_input(args), self.cwd or None) if name in PATCH_TOOLS else ()
                return [ToolStarted(call_id, name, summary, ts, "", input_hash(args), files),
                        StateFact(ts, SessionState.TOOL)]
            return []
        if sub in ("function_call_output", "custom_tool_call_output"):
            call_id = payload.get("call_id")
            if isinstance(call_id, str) and call_id:
                output = payload.get("output")
                failed = _output_failed(output)
                if call_id in self.failed:  # its item said so, whatever the text says
                    failed = True
                    self.failed = [c for c in self.failed if c != call_id]
                error = error_text(_error_of(output)) if failed else ""
                return [ToolFinished(call_id, ts, failed, error), StateFact(ts, SessionState.THINKING)]
            return []
        if sub == "message" and payload.get("role") == "assistant":
            # 0.171 writes the line's `metadata` beside its payload.
            if isinstance(meta, dict) and meta.get("compaction_output") is True:
                # The answer to a compaction request: the token_count that follows is that request's.
                self.compacting = True
        return []


def known_kind(obj: Any) -> tuple[str, bool]:
    """(`type`, `type/event` or `type/event/item` of a line, whether the parser reads or knowingly ignores it)."""
    kind = obj.get("type") if isinstance(obj, dict) else None
    payload = obj.get("payload") if isinstance(obj, dict) else None
    if not isinstance(kind, str):
        return repr(kind), False
    sub = payload.get("type") if isinstance(payload, dict) else None
    if kind == "event_msg":
        if sub == "item_completed":
            item = payload.get("item") if isinstance(payload, dict) else None
            name = item.get("type") if isinstance(item, dict) else None
            return f"{kind}/{sub}/{name}", name in READ_ITEMS or name in IGNORED_ITEMS
        return f"{kind}/{sub}", sub in READ_EVENTS or sub in IGNORED_EVENTS
    if kind == "response_item":
        return f"{kind}/{sub}", sub in READ_RESPONSE_ITEMS or sub in IGNORED_RESPONSE_ITEMS
    return kind, kind in KNOWN_TYPES


def thread_parent(payload: dict[str, Any]) -> str | None:
    """The parent thread of a sub-thread's rollout (session_meta `source.subagent.thread_spawn.parent_thread_id`)."""
    source = payload.get("source")
    sub = source.get("subagent") if isinstance(source, dict) else None
    spawn = sub.get("thread_spawn") if isinstance(sub, dict) else None
    parent = spawn.get("parent_thread_id") if isinstance(spawn, dict) else None
    return parent if isinstance(parent, str) and parent else None


def _has_usage(payload: dict[str, Any]) -> bool:
    info = payload.get("info")
    return isinstance(info, dict) and (
        isinstance(info.get("last_token_usage"), dict) or isinstance(info.get("total_token_usage"), dict)
    )


def _decoded(args: Any) -> Any:
    """A function call's arguments: the JSON string decoded; a custom tool's raw text (not JSON) as it is."""
    if isinstance(args, str) and args.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(args)
        except ValueError:
            return args
    return args


def _error_of(output: Any) -> str:
    """The text of a failed call's output: the command's output without the exit-code header."""
    if isinstance(output, str) and output.startswith("{"):
        try:
            decoded = json.loads(output)
        except ValueError:
            return output
        if isinstance(decoded, dict) and isinstance(decoded.get("output"), str):
            return decoded["output"]
        return output
    text = _output_text(output)
    lines = text.splitlines()
    for i, line in enumerate(lines[:8]):
        if line.startswith("Output:"):
            rest = "\n".join([line[len("Output:"):], *lines[i + 1:]])
            return rest if rest.strip() else text
    return text


def _summarize_arguments(name: str, args: Any) -> str:
    if isinstance(args, str):
        return short_line(args, 200)
    if isinstance(args, dict):
        command = args.get("command", args.get("cmd"))
        if isinstance(command, list) and all(isinstance(c, str) for c in command):
            parts = command[2:] if command[:2] in (["bash", "-lc"], ["sh", "-c"]) else command
            return short_line(" ".join(parts), 200)
        if isinstance(command, str) and command:
            return short_line(command, 200)
        return tool_summary(name, args)
    return ""


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):  # content items: [{"type": "input_text", "text": …}, …]
        return "\n".join(p["text"] for p in output if isinstance(p, dict) and isinstance(p.get("text"), str))
    return ""


def _first_lines(text: str, count: int) -> list[str]:
    """`text.splitlines()[:count]`, split from as short a prefix as holds them (outputs run to megabytes)."""
    size = 1024
    while size < len(text):
        lines = text[:size].splitlines()
        if len(lines) > count:
            # A line starts after the last one wanted: those are whole, terminators included.
            return lines[:count]
        size *= 4
    return text.splitlines()[:count]


def _output_failed(output: Any) -> bool:
    """A non-zero exit code: in the output's JSON metadata (0.104 `shell`), or in the plain-text header
    of a unified-exec / shell_command output ("Process exited with code 2", "Exit code: 2"), read only
    before the command's own output starts."""
    if isinstance(output, str) and output.startswith("{"):
        try:
            output = json.loads(output)
        except ValueError:
            return False
    if isinstance(output, dict):
        meta = output.get("metadata")
        if isinstance(meta, dict):
            code = meta.get("exit_code")
            return isinstance(code, int) and not isinstance(code, bool) and code != 0
        return False
    for line in _first_lines(_output_text(output), 8):
        if line.startswith("Output:"):
            break
        found = _EXIT_LINE.match(line)
        if found:
            return int(found.group(1)) != 0
    return False
