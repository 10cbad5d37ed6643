"""Hook entry points for Claude Code and Codex: read stdin JSON, ask the cockpit through the store, answer.

Runs in a short-lived process started by the agent for every tool call, so it imports only the
stdlib, the policy matcher and the plain-sqlite approval protocol. What happens when nobody
answers is explicit: no cockpit -> no decision (the agent's own dialog decides) for
PermissionRequest, `ask` (or `deny`, configurable) for a critical PreToolUse; a hook about to
reach its timeout answers the same way a few seconds before the agent would kill it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from cockpit.hooks import pop_option

# Answer this long before the agent's own timeout would kill the hook.
TIMEOUT_MARGIN_SECONDS = 5.0
DEFAULT_TIMEOUT = {"claude": 600.0, "codex": 60.0}
EVENT_NAMES = frozenset({
    "SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch",
    "PermissionRequest", "PermissionDenied", "Stop", "StopFailure", "SubagentStart", "SubagentStop",
    "PreCompact", "PostCompact", "SessionEnd", "Notification",
})


@dataclass(frozen=True, slots=True)
class HookResult:
    stdout: str = ""
    exit_code: int = 0
    stderr: str = ""


def _load_policy(cwd: str) -> tuple[Any, str]:
    """The user's policy tightened by the repository's, and the repository root."""
    from cockpit.sources.policy_files import load_policy

    policy, root = load_policy(cwd)
    for error in policy.errors:
        sys.stderr.write(f"cockpit hook: {error}\n")
    return policy, root


def _permission_output(agent: str, decision: str, reason: str) -> str:
    body: dict[str, Any] = {"behavior": decision}
    if decision == "deny":
        body["message"] = reason or "Denied from cockpit"
    return json.dumps({"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": body}})


def _pretool_output(decision: str, reason: str) -> str:
    return json.dumps({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": reason,
        }
    })


def _connect(db_path: str | None) -> Any:
    from cockpit.store.db import connect

    return connect(db_path or os.environ.get("COCKPIT_DB") or None)


def run_hook(agent: str, kind: str, raw: str, *, db_path: str | None = None, timeout: float | None = None) -> HookResult:
    """One hook invocation. Never raises: a hook that fails must not break the agent."""
    try:
        payload = json.loads(raw) if raw.strip() else None
    except ValueError as exc:
        return HookResult(stderr=f"cockpit hook: stdin is not JSON ({exc}); no decision\n")
    if not isinstance(payload, dict):
        return HookResult(stderr="cockpit hook: stdin is not a JSON object; no decision\n")
    try:
        if kind == "permission-request":
            return _permission_request(agent, payload, db_path, timeout)
        if kind == "pre-tool-use":
            return _pre_tool_use(agent, payload, db_path, timeout)
        if kind == "event":
            return _event(agent, payload, db_path)
    except Exception as exc:  # noqa: BLE001 - fail safe: the agent's own permission flow decides
        return HookResult(stderr=f"cockpit hook: {type(exc).__name__}: {exc}; no decision\n")
    return HookResult(stderr=f"cockpit hook: unknown hook {kind!r}; no decision\n")


def _common_fields(agent: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    from cockpit.store.approvals import input_hash

    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    tool_input = payload.get("tool_input", {})
    return {
        "agent": agent,
        "event": event,
        "session_id": str(payload.get("session_id") or ""),
        "cwd": str(payload.get("cwd") or ""),
        "transcript_path": str(payload.get("transcript_path") or ""),
        "tool_name": tool_name,
        "tool_input": tool_input,
        "input_hash": input_hash(tool_name, tool_input),
        "tool_use_id": str(payload.get("tool_use_id") or ""),
        "hook_pid": os.getpid(),
    }


def _wait(conn: Any, fields: dict[str, Any], timeout: float) -> Any:
    """Insert the request and wait for the human; None when nobody decided."""
    from cockpit.store import approvals

    budget = max(1.0, timeout - TIMEOUT_MARGIN_SECONDS)
    deadline = time.monotonic() + budget
    fields["deadline_at"] = _iso_in(budget)
    request_id = approvals.create(conn, fields)

    def give_up(signum: int, _frame: Any) -> None:
        # The agent killed us (its timeout, or the user answered there): close the request, then go.
        approvals.close(conn, request_id, approvals.EXPIRED, "agent-cancelled")
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, give_up)
    signal.signal(signal.SIGINT, give_up)
    return approvals.wait_for_decision(conn, request_id, deadline)


def _budget(agent: str, policy: Any, timeout: float | None) -> float:
    """The agent's timeout for this hook: the installed `--timeout`, else the policy's, capped for Codex."""
    if timeout:
        return timeout
    return min(policy.timeout_seconds, DEFAULT_TIMEOUT.get(agent, 60.0))


def _iso_in(seconds: float) -> str:
    from datetime import UTC, datetime, timedelta

    at = datetime.now(UTC) + timedelta(seconds=seconds)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _permission_request(agent: str, payload: dict[str, Any], db_path: str | None, timeout: float | None) -> HookResult:
    from cockpit.store import approvals

    policy, root = _load_policy(str(payload.get("cwd") or ""))
    fields = _common_fields(agent, "PermissionRequest", payload)
    match = policy.match(fields["tool_name"], fields["tool_input"], fields["cwd"], root)
    fields["summary"] = _summary(fields["tool_name"], fields["tool_input"], match)
    fields["policy"] = match.rule if match else ""
    fields["policy_reason"] = match.category if match else ""
    suggestions = payload.get("permission_suggestions")
    if suggestions is not None:
        fields["suggestions"] = json.dumps(suggestions)
    conn = _connect(db_path)
    if match and fields["session_id"] and approvals.session_allows(conn, fields["session_id"], match.rule):
        approvals.create(conn, {**fields, "decision": "allow", "decided_by": approvals.SESSION_RULE,
                                "decided_at": approvals.now_iso()}, status=approvals.DECIDED)
        return HookResult(_permission_output(agent, "allow", ""))
    if not approvals.cockpit_alive(conn):
        # Nobody can answer here: no decision at once, so the agent's own dialog asks.
        approvals.create(conn, {**fields, "decided_by": "no-cockpit", "decided_at": approvals.now_iso()},
                         status=approvals.NO_COCKPIT)
        return HookResult()
    decided = _wait(conn, fields, _budget(agent, policy, timeout))
    if decided is None:
        return HookResult()
    return HookResult(_permission_output(agent, decided.decision, decided.reason))


def _pre_tool_use(agent: str, payload: dict[str, Any], db_path: str | None, timeout: float | None) -> HookResult:
    policy, root = _load_policy(str(payload.get("cwd") or ""))
    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    match = policy.match(tool_name, payload.get("tool_input", {}), str(payload.get("cwd") or ""), root)
    if match is None:
        # Not critical: no decision, the agent's own permission flow runs. The fast path touches no database.
        return HookResult()
    from cockpit.store import approvals

    fields = _common_fields(agent, "PreToolUse", payload)
    fields["summary"] = _summary(tool_name, fields["tool_input"], match)
    fields["policy"] = match.rule
    fields["policy_reason"] = match.category
    conn = _connect(db_path)
    if fields["session_id"] and approvals.session_allows(conn, fields["session_id"], match.rule):
        approvals.create(conn, {**fields, "decision": "allow", "decided_by": approvals.SESSION_RULE,
                                "decided_at": approvals.now_iso()}, status=approvals.DECIDED)
        return HookResult(_pretool_output("allow", f"cockpit: {match.rule} allowed for this session"))
    fallback = policy.on_no_cockpit
    if not approvals.cockpit_alive(conn):
        approvals.create(conn, {**fields, "decision": fallback, "decided_by": "no-cockpit",
                                "decided_at": approvals.now_iso()}, status=approvals.NO_COCKPIT)
        return HookResult(_pretool_output(fallback, f"cockpit: {match.rule} ({match.category}) needs a human;"
                                                    " no cockpit is running"))
    decided = _wait(conn, fields, _budget(agent, policy, timeout))
    if decided is None:
        return HookResult(_pretool_output(fallback, f"cockpit: {match.rule} ({match.category}) was not answered"
                                                    " in the cockpit"))
    reason = decided.reason or f"cockpit: {'allowed' if decided.decision == 'allow' else 'denied'} by the human"
    return HookResult(_pretool_output(decided.decision, reason))


def _event(agent: str, payload: dict[str, Any], db_path: str | None) -> HookResult:
    from cockpit.store.approvals import input_hash, now_iso

    event = payload.get("hook_event_name")
    if not isinstance(event, str) or not event:
        return HookResult(stderr="cockpit hook: no hook_event_name; nothing recorded\n")
    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    conn = _connect(db_path)
    conn.execute(
        "INSERT INTO hook_events (agent, session_id, event, received_at, tool_name, tool_use_id, input_hash,"
        " transcript_path, payload) VALUES (?,?,?,?,?,?,?,?,?)",
        (
            agent, str(payload.get("session_id") or ""), event, now_iso(), tool_name,
            str(payload.get("tool_use_id") or ""),
            input_hash(tool_name, payload.get("tool_input", {})) if tool_name else "",
            str(payload.get("transcript_path") or ""),
            json.dumps(payload, ensure_ascii=False)[:65536],
        ),
    )
    _apply_state(conn, str(payload.get("session_id") or ""), event, payload)
    return HookResult()


# What an event says about the session, before the transcript catches up (it lags by up to a flush).
EVENT_STATES = {
    "UserPromptSubmit": "thinking",
    "PreToolUse": "tool",
    "PostToolUse": "thinking",
    "PostToolUseFailure": "thinking",
    "Stop": "idle",
    "StopFailure": "idle",
}


def _apply_state(conn: Any, session_id: str, event: str, payload: dict[str, Any]) -> None:
    from cockpit.store.approvals import now_iso

    if not session_id:
        return
    at = now_iso()
    if event == "SessionEnd":
        conn.execute("UPDATE sessions SET ended = 1, state = 'ended', state_at = ? WHERE session_id = ?", (at, session_id))
        return
    state = EVENT_STATES.get(event)
    if event == "Notification" and payload.get("notification_type") == "permission_prompt":
        state = "waiting-approval"
    if state:
        conn.execute(
            "UPDATE sessions SET state = ?, state_at = ? WHERE session_id = ? AND (state_at IS NULL OR state_at <= ?)",
            (state, at, session_id, at),
        )


def _summary(tool_name: str, tool_input: Any, match: Any) -> str:
    if match is not None and getattr(match, "summary", ""):
        return str(match.summary)
    if isinstance(tool_input, dict):
        for key in ("command", "file_path", "notebook_path", "url", "pattern"):
            value = tool_input.get(key)
            if isinstance(value, str) and value:
                return f"{tool_name} {value}" if key != "command" else value
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return " ".join(value)
    return tool_name


def main(argv: list[str]) -> int:
    """`cockpit hook AGENT KIND [--db PATH] [--timeout SECONDS]` without building the full CLI."""
    args = list(argv)
    db_path = pop_option(args, "--db")
    raw_timeout = pop_option(args, "--timeout")
    try:
        timeout = float(raw_timeout) if raw_timeout else None
    except ValueError:
        timeout = None
    if len(args) != 2 or args[0] not in ("claude", "codex"):
        sys.stderr.write("usage: cockpit hook claude|codex permission-request|pre-tool-use|event [--db PATH]"
                         " [--timeout SECONDS]\n")
        return 2
    result = run_hook(args[0], args[1], sys.stdin.read(), db_path=db_path, timeout=timeout)
    if result.stdout:
        sys.stdout.write(result.stdout + "\n")
        sys.stdout.flush()
    if result.stderr:
        sys.stderr.write(result.stderr)
    return result.exit_code
