"""Codex CLI rollout lines -> facts (spec agent-formats §3).

One `CodexParser` per rollout file. Its only state is the current model (from `turn_context`)
and the last real context size (the pre-compaction size Codex does not write); both are
checkpointed with the file offset so a restart resumes exactly.
"""

from __future__ import annotations

import json
from typing import Any

from cockpit.core.claude import MAX_TOKENS, tool_summary
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
from cockpit.core.text import one_line

SKIP_TYPES = frozenset({b"agent_reasoning", b"reasoning"})


def _count(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key, 0)
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

    def checkpoint(self) -> dict[str, Any]:
        return {"model": self.model, "last_context": self.last_context}

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
            return [
                MetaFact(
                    ts=ts or None,
                    cwd=payload.get("cwd") if isinstance(payload.get("cwd"), str) else None,
                    branch=git.get("branch") if isinstance(git.get("branch"), str) else None,
                    version=payload.get("cli_version") if isinstance(payload.get("cli_version"), str) else None,
                )
            ]
        if kind == "turn_context":
            model = payload.get("model")
            if isinstance(model, str) and model:
                self.model = model
            cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
            return [MetaFact(ts=ts or None, cwd=cwd, model=self.model or None)]
        if kind == "compacted":
            return [CompactionFact(ts, "auto", self.last_context)]
        if kind == "event_msg":
            return self._event(payload, ts)
        if kind == "response_item":
            return self._item(payload, ts)
        return []

    def _event(self, payload: dict[str, Any], ts: str) -> list[Fact]:
        sub = payload.get("type")
        if sub == "token_count":
            return self._token_count(payload, ts)
        if sub == "user_message":
            text = payload.get("message")
            if isinstance(text, str) and text:
                return [PromptFact(ts, text), StateFact(ts, SessionState.THINKING), MetaFact(ts=ts)]
            return []
        if sub == "turn_aborted":
            return [StateFact(ts, SessionState.IDLE), MetaFact(ts=ts), InterruptFact(ts)]
        if sub == "task_complete":
            return [StateFact(ts, SessionState.IDLE), MetaFact(ts=ts)]
        if sub == "task_started":
            return [StateFact(ts, SessionState.THINKING), MetaFact(ts=ts)]
        return []

    def _token_count(self, payload: dict[str, Any], ts: str) -> list[Fact]:
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
        values = [_count(last, k) for k in ("input_tokens", "cached_input_tokens", "output_tokens", "total_tokens")]
        if any(v is None for v in values):
            return [SkippedLine("bad-usage")]
        inp, cached, out, used = values  # type: ignore[misc]
        ok_window = isinstance(window, int | float) and not isinstance(window, bool) and 0 < window <= MAX_TOKENS
        win = int(window) if ok_window else None
        # The record Codex writes at compaction has zero parts and a total larger than the window.
        if (inp == 0 and out == 0) or (win is not None and used > win):
            return []
        usage = Usage(input_tokens=max(inp - cached, 0), output_tokens=out, cache_read_input_tokens=min(cached, inp))
        # Each real count is written twice; the cumulative total identifies the request, so both
        # copies share a key and the store keeps one.
        cumulative = total.get("total_tokens")
        key = f"{cumulative}:{used}" if isinstance(cumulative, int) else ""
        self.last_context = used
        return [
            ApiCall(key=key, ts=ts, model=self.model, usage=usage, context_tokens=used, window=win),
            MetaFact(ts=ts or None),
        ]

    def _item(self, payload: dict[str, Any], ts: str) -> list[Fact]:
        sub = payload.get("type")
        if sub in ("function_call", "custom_tool_call", "local_shell_call"):
            call_id = payload.get("call_id")
            name = payload.get("name") if isinstance(payload.get("name"), str) else str(sub)
            args: Any = payload.get("arguments", payload.get("input", payload.get("action")))
            summary = _summarize_arguments(name, args)
            if isinstance(call_id, str) and call_id:
                return [ToolStarted(call_id, name, summary, ts), StateFact(ts, SessionState.TOOL)]
            return []
        if sub in ("function_call_output", "custom_tool_call_output"):
            call_id = payload.get("call_id")
            if isinstance(call_id, str) and call_id:
                return [ToolFinished(call_id, ts, _output_failed(payload.get("output"))), StateFact(ts, SessionState.THINKING)]
        return []


def _summarize_arguments(name: str, args: Any) -> str:
    if isinstance(args, str):
        try:
            decoded = json.loads(args)
        except ValueError:
            return one_line(args, 200)
        args = decoded
    if isinstance(args, dict):
        command = args.get("command")
        if isinstance(command, list) and all(isinstance(c, str) for c in command):
            parts = command[2:] if command[:2] in (["bash", "-lc"], ["sh", "-c"]) else command
            return one_line(" ".join(parts), 200)
        return tool_summary(name, args)
    return ""


def _output_failed(output: Any) -> bool:
    """Codex marks a failed command by a non-zero exit code in the output's metadata."""
    if isinstance(output, str) and output.startswith("{"):
        try:
            output = json.loads(output)
        except ValueError:
            return False
    if isinstance(output, dict):
        meta = output.get("metadata")
        if isinstance(meta, dict):
            code = meta.get("exit_code")
            return isinstance(code, int) and code != 0
    return False
