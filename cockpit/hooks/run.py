"""Hook entry points for Claude Code and Codex: read stdin JSON, ask the cockpit through the store, answer.

Runs in a short-lived process started by the agent for every tool call, so it imports only the
stdlib, the policy matcher and, for a critical step, the plain-sqlite approval protocol.

What each outcome gives is explicit, and the gate fails closed:

- A spending budget comes first, when the user's `[budget]` sets one (core/budget_rules.py): once the
  session's or the UTC day's spend reaches its limit, every tool call of the session, critical or not,
  is denied (Claude and Codex alike) with a reason the agent reads, until a human raises the limit in
  cockpit. It fails closed too: a store that is missing, locked past RECORD_BUSY_SECONDS or unreadable,
  or a `[budget]` with a bad value, denies with the reason. No `[budget]`: no store is touched for it.
- The policy is matched next, with no store. A call no rule matches is not critical: no output,
  exit 0, no database touched (unless a budget is set).
- A critical PreToolUse waits for a human in a running cockpit (a dashboard that can answer, see
  cockpit/store/approvals.py). The fail-safe answer is given when no cockpit can answer, when no
  human answers within the hook's budget (the agent's timeout less TIMEOUT_MARGIN_SECONDS), when the
  last answering cockpit quits, and on ANY error after the match: a store locked longer than the
  budget left, corrupt, read-only or impossible to open, a WAL file gone, undecodable text, input
  nested too deep... Its reason says why, in one line.
  - Claude Code: `ask` (the terminal dialog asks the human), or `deny` when the policy says
    `on_no_cockpit = "deny"`. A human's allow is `allow`; a deny is `deny` with the human's reason.
  - Codex (0.171): PreToolUse honours only `deny` (`allow` and `ask` are reported as unsupported
    and the call proceeds). So the fail-safe answer is `deny`, with a reason telling the agent to
    have the user approve the step in cockpit and retry; a human's allow is no output (the call
    proceeds); a deny is `deny` with the human's reason.
- When the input cannot be read (not JSON, nested too deep for the parser) or the policy match
  raises, the step counts as critical if its tool runs a shell or changes files, or a rule names
  it: judged from the parsed `tool_name` or, when the JSON does not parse, from the `"tool_name":
  "..."` strings a regex finds in the raw text. Text with no tool name is no hook payload: no decision.
- PermissionRequest: no cockpit, no answer or any error gives no decision, and the agent's own
  dialog asks the human. That is closed already: Claude Code shows its dialog beside the hook,
  Codex runs the hook before its approval prompt and shows the prompt when the hook does not
  decide. A human's answer is `{"behavior": "allow"}` or `{"behavior": "deny", "message": ...}`,
  the shape both clients accept.
- Events are recorded and never decide; a failure is one line on stderr.
- The hook never exits 2 (Claude Code reads exit 2 as "block" for PreToolUse, an error elsewhere):
  a usage error (bad arguments) gives the fail-safe answer to a critical PreToolUse payload on
  stdin, and otherwise exits 0 with the usage on stderr.
- Input that is not valid UTF-8 or holds lone surrogates is matched as it is and stored with each
  surrogate written out as `\\udcXX` text.
- SIGTERM, SIGINT or SIGHUP (the agent gave up, its terminal closed) closes the hook's own request
  before it exits; after a SIGKILL the dashboards find its pid dead and mark the request `gone`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from dataclasses import dataclass
from typing import Any

from cockpit.hooks import pop_option

# Answer this long before the agent's own timeout would kill the hook.
TIMEOUT_MARGIN_SECONDS = 5.0
DEFAULT_TIMEOUT = {"claude": 600.0, "codex": 60.0}
# Writes that only record an outcome (no cockpit, a session rule) wait at most this long for a lock.
RECORD_BUSY_SECONDS = 2.0
# Closing the request once the budget is spent: paid for by the margin before the agent's timeout.
GIVE_UP_BUSY_SECONDS = 1.0
AGENTS = ("claude", "codex")
KINDS = ("permission-request", "pre-tool-use", "event")
USAGE = ("usage: cockpit hook claude|codex permission-request|pre-tool-use|event [--db PATH]"
         " [--timeout SECONDS]")
EVENT_NAMES = frozenset({
    "SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PostToolBatch",
    "PermissionRequest", "PermissionDenied", "Stop", "StopFailure", "SubagentStart", "SubagentStop",
    "PreCompact", "PostCompact", "SessionEnd", "Notification",
})
_TOOL_NAME = re.compile(r'"tool_name"\s*:\s*("(?:[^"\\]|\\.)*")')
_CWD = re.compile(r'"cwd"\s*:\s*("(?:[^"\\]|\\.)*")')


@dataclass(frozen=True, slots=True)
class HookResult:
    stdout: str = ""
    exit_code: int = 0
    stderr: str = ""


def _load_policy(cwd: str) -> tuple[Any, str]:
    """The user's policy tightened by the repository's, and the repository root."""
    from cockpit.config.policy import load_policy
    from cockpit.core.text import exact_line

    policy, root = load_policy(cwd)
    for error in policy.errors:
        sys.stderr.write(f"cockpit hook: {exact_line(error)}\n")
    return policy, root


def _policy(cwd: str) -> tuple[Any, str, str]:
    """The policy, the repository root, and the error when loading raised (then: the default policy)."""
    try:
        policy, root = _load_policy(cwd)
        return policy, root, ""
    except Exception as exc:  # noqa: BLE001 - the shipped rules still guard the step
        from cockpit.core.policy import default_policy

        return default_policy(), os.path.abspath(cwd or "."), _err(exc)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _err(exc: BaseException) -> str:
    return _one_line(f"{type(exc).__name__}: {exc}")


def _permission_output(decision: str, reason: str) -> str:
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


def _fail_safe(agent: str, policy: Any, reason: str) -> HookResult:
    """The answer to a critical PreToolUse no human answered: Claude asks (or denies, as configured),
    Codex denies (it ignores `ask`) and the reason sends the agent to the user."""
    if agent == "codex":
        return HookResult(_pretool_output("deny", f"{reason}; ask the user to approve it in cockpit, then retry"))
    decision = getattr(policy, "on_no_cockpit", "ask")
    return HookResult(_pretool_output(decision if decision in ("ask", "deny") else "ask", reason))


def _fails_closed(policy: Any, tool_name: str) -> bool:
    """Whether a step that cannot be checked must count as critical: a shell or file-changing tool, or
    one a rule of the policy names."""
    try:
        from cockpit.core.tools import EDIT_TOOLS, SHELL_TOOLS

        if tool_name in SHELL_TOOLS or tool_name in EDIT_TOOLS:
            return True
        for rule in getattr(policy, "rules", ()):
            tool = getattr(rule, "tool", "")
            prefix = tool.removesuffix("__*")
            if tool == tool_name or (tool.startswith("mcp__") and tool_name.startswith(prefix + "__")):
                return True
        return False
    except Exception:  # noqa: BLE001 - cannot tell: closed
        return True


def _connect(db_path: str | None, busy_seconds: float) -> Any:
    from cockpit.store.db import connect

    return connect(db_path or os.environ.get("COCKPIT_DB") or None, busy_timeout=busy_seconds)


def _left(answer_by: float) -> float:
    return max(0.05, answer_by - time.monotonic())


def _parse(raw: str) -> tuple[dict[str, Any] | None, str]:
    """The payload, or None and what is wrong with the text."""
    if not raw.strip():
        return None, "stdin is empty"
    try:
        payload = json.loads(raw)
    except RecursionError:
        return None, "stdin JSON is nested too deep to read"
    except ValueError as exc:
        return None, f"stdin is not JSON ({_one_line(str(exc), 120)})"
    if not isinstance(payload, dict):
        return None, "stdin is not a JSON object"
    return payload, ""


def _raw_strings(raw: str, pattern: re.Pattern[str], limit: int = 20) -> list[str]:
    """The values of a top-level-looking string field in text that does not parse as JSON."""
    found = []
    for m in pattern.finditer(raw):
        try:
            value = json.loads(m.group(1))
        except ValueError:
            continue
        if isinstance(value, str) and value:
            found.append(value)
        if len(found) >= limit:
            break
    return found


def run_hook(agent: str, kind: str, raw: str, *, db_path: str | None = None, timeout: float | None = None) -> HookResult:
    """One hook invocation. Never raises, never exits 2; fails closed for a critical PreToolUse."""
    started = time.monotonic()
    if agent not in AGENTS or kind not in KINDS:
        problem = f"unknown agent {agent!r}" if agent not in AGENTS else f"unknown hook {kind!r}"
        return _usage_error([agent, kind], problem, raw)
    try:
        if kind == "pre-tool-use":
            return _pre_tool_use(agent, raw, db_path, timeout, started)
        payload, problem = _parse(raw)
        if payload is None:
            return HookResult(stderr=f"cockpit hook: {problem}; no decision\n")
        if kind == "permission-request":
            return _permission_request(agent, payload, db_path, timeout, started)
        return _event(agent, payload, db_path)
    except Exception as exc:  # noqa: BLE001 - not a critical PreToolUse: the agent's own flow decides
        return HookResult(stderr=f"cockpit hook: {_err(exc)}; no decision\n")


def _pre_tool_use(agent: str, raw: str, db_path: str | None, timeout: float | None, started: float, *,
                  usage_error: str = "") -> HookResult:
    try:
        return _check_pre_tool_use(agent, raw, db_path, timeout, started, usage_error)
    except Exception as exc:  # noqa: BLE001 - anything unforeseen: judged like unreadable input
        return _unreadable(agent, raw, f"the hook failed ({_err(exc)})", usage_error)


def _check_pre_tool_use(agent: str, raw: str, db_path: str | None, timeout: float | None, started: float,
                        usage_error: str) -> HookResult:
    payload, problem = _parse(raw)
    if payload is None:
        return _unreadable(agent, raw, problem, usage_error)
    stopped = _spending_stop(payload, db_path)
    if stopped is not None:
        return stopped
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else ""
    policy, root, load_error = _policy(cwd)
    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    try:
        match = policy.match(tool_name, payload.get("tool_input", {}), cwd, root)
    except Exception as exc:  # noqa: BLE001 - an input the matcher chokes on
        if not _fails_closed(policy, tool_name):
            return HookResult(stderr=f"cockpit hook: the policy cannot check this call ({_err(exc)}); no decision\n")
        return _fail_safe(agent, policy, f"cockpit: this {tool_name} call cannot be checked ({_err(exc)});"
                                         " it needs a human's approval")
    if match is None:
        if load_error and _fails_closed(policy, tool_name):
            return _fail_safe(agent, policy, f"cockpit: the approval policy cannot be loaded ({load_error});"
                                             f" this {tool_name} call needs a human's approval")
        # Not critical: no decision, the agent's own permission flow runs. The fast path touches no database.
        return HookResult()
    needs = f"cockpit: {_one_line(_summary(tool_name, payload.get('tool_input'), match), 120)} ({match.category})" \
            " needs a human's approval"
    if usage_error:
        return _fail_safe(agent, policy, f"{needs}; the cockpit hook is misconfigured ({usage_error})")
    try:
        return _gate(agent, payload, match, policy, needs, db_path, timeout, started)
    except Exception as exc:  # noqa: BLE001 - fail closed: any error after the match
        return _fail_safe(agent, policy, f"{needs}; cockpit could not ask ({_err(exc)})")


def _spending_stop(payload: dict[str, Any], db_path: str | None) -> HookResult | None:
    """A deny when the user's `[budget]` is reached for this session or today (UTC), or cannot be checked;
    None to go on. No budget configured: nothing is read but the config file the policy reads too."""
    from cockpit.config.user import read_user_config
    from cockpit.core.budget_rules import parse_budget, utc_day

    config = read_user_config()
    table = None if config.problem else config.table("budget")
    if table is None:
        return None  # no budget (a config file that cannot be read is reported by the policy's loading)
    limits, errors = parse_budget(table, str(config.path))
    if errors:
        return HookResult(_pretool_output("deny", f"cockpit: the [budget] settings cannot be used ({_one_line(errors[0])});"
                                                  " fix them, then retry"))
    if not limits.configured:
        return None
    session_id = str(payload.get("session_id") or "")
    try:
        from datetime import UTC, datetime

        from cockpit.store.budget import stopping
        from cockpit.store.db import default_db_path

        path = db_path or os.environ.get("COCKPIT_DB") or str(default_db_path())
        if not os.path.exists(path):
            raise FileNotFoundError(f"no store at {path}: open cockpit or run `cockpit index` once")
        conn = _connect(path, RECORD_BUSY_SECONDS)
        try:
            stand = stopping(conn, limits, session_id, utc_day(datetime.now(UTC)))
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001 - a budget that cannot be checked stops the call, like an approval
        return HookResult(_pretool_output("deny", f"cockpit: the spending budget cannot be checked ({_err(exc)});"
                                                  " the call is stopped until it can"))
    if stand is None:
        return None
    from cockpit.core.budget_rules import deny_reason

    return HookResult(_pretool_output("deny", deny_reason(stand)))


def _unreadable(agent: str, raw: str, problem: str, usage_error: str = "") -> HookResult:
    """A PreToolUse whose JSON cannot be read: critical when a tool name the regex finds is."""
    names = _raw_strings(raw, _TOOL_NAME)
    if not names:
        return HookResult(stderr=f"cockpit hook: {problem}; no decision\n")
    cwds = _raw_strings(raw, _CWD, 1)
    policy, _root, _error = _policy(cwds[0] if cwds else "")
    critical = next((name for name in names if _fails_closed(policy, name)), None)
    if critical is None:
        return HookResult(stderr=f"cockpit hook: {problem}; no decision\n")
    why = f"{problem}; {usage_error}" if usage_error else problem
    return _fail_safe(agent, policy, f"cockpit: this {critical} call cannot be checked ({why});"
                                     " it needs a human's approval")


# How a wait ended without a human's answer, for the fail-safe reason.
_ENDINGS = {
    "expired": "it was not answered in cockpit in time",
    "no-cockpit": "no cockpit that can answer is running any more",
    "gone": "its request was closed in cockpit",
    "answered-in-terminal": "it was answered elsewhere",
}


def _gate(agent: str, payload: dict[str, Any], match: Any, policy: Any, needs: str, db_path: str | None,
          timeout: float | None, started: float) -> HookResult:
    from cockpit.store import approvals

    answer_by = started + _budget(agent, policy, timeout)
    fields = _common_fields(agent, "PreToolUse", payload)
    fields["summary"] = _summary(fields["tool_name"], fields["tool_input"], match)
    fields["policy"] = match.rule
    fields["policy_reason"] = match.category
    conn = _connect(db_path, min(RECORD_BUSY_SECONDS, _left(answer_by)))
    try:
        if fields["session_id"] and approvals.session_allows(conn, fields["session_id"], match.rule):
            approvals.create(conn, {**fields, "decision": "allow", "decided_by": approvals.SESSION_RULE,
                                    "decided_at": approvals.now_iso()}, status=approvals.DECIDED)
            if agent == "codex":
                return HookResult()  # Codex has no PreToolUse allow: no objection, the call proceeds
            return HookResult(_pretool_output("allow", f"cockpit: {match.rule} allowed for this session"))
        if not approvals.cockpit_alive(conn):
            fallback = "deny" if agent == "codex" else policy.on_no_cockpit
            approvals.create(conn, {**fields, "decision": fallback, "decided_by": "no-cockpit",
                                    "decided_at": approvals.now_iso()}, status=approvals.NO_COCKPIT)
            return _fail_safe(agent, policy, f"{needs}; no cockpit is running")
        decided, ending = _wait(conn, fields, answer_by)
    finally:
        conn.close()
    if decided is None:
        return _fail_safe(agent, policy, f"{needs}; {_ENDINGS.get(ending, 'it was not answered in cockpit')}")
    if decided.decision == "allow":
        if agent == "codex":
            return HookResult()
        return HookResult(_pretool_output("allow", decided.reason or "cockpit: allowed by the human"))
    return HookResult(_pretool_output("deny", decided.reason or "cockpit: denied by the human"))


def _common_fields(agent: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
    from cockpit.store.approvals import input_hash, sql_text

    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    tool_input = payload.get("tool_input", {})
    return {
        "agent": agent,
        "event": event,
        "session_id": sql_text(str(payload.get("session_id") or "")),
        "cwd": sql_text(str(payload.get("cwd") or "")),
        "transcript_path": sql_text(str(payload.get("transcript_path") or "")),
        "tool_name": sql_text(tool_name),
        "tool_input": tool_input,
        "input_hash": input_hash(tool_name, tool_input),
        "tool_use_id": sql_text(str(payload.get("tool_use_id") or "")),
        "hook_pid": os.getpid(),
    }


def _wait(conn: Any, fields: dict[str, Any], answer_by: float) -> tuple[Any, str]:
    """Insert the request and wait for the human: (the decided request, "decided") or (None, how it ended)."""
    from cockpit.store import approvals

    request_id: int | None = None

    def give_up(signum: int, _frame: Any) -> None:
        # The agent stopped us (its timeout, the user answered there, its terminal closed): close, then go.
        if request_id is not None:
            try:
                approvals.set_busy_timeout(conn, GIVE_UP_BUSY_SECONDS)
                approvals.close(conn, request_id, approvals.EXPIRED, "agent-cancelled", signal.Signals(signum).name)
            except Exception:  # noqa: BLE001, S110 - the dashboards mark it gone once our pid is dead
                pass
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGINT", "SIGHUP"):
        try:
            signal.signal(getattr(signal, name), give_up)
        except (AttributeError, ValueError):
            pass  # no such signal here, or not the main thread (run in-process): the sweep still finds us
    fields["deadline_at"] = _iso_in(answer_by - time.monotonic())
    # Somebody is there to answer: a busy store may hold the request back for as long as the budget allows.
    approvals.set_busy_timeout(conn, _left(answer_by))
    request_id = approvals.create(conn, fields)
    try:
        return approvals.wait_for_decision(conn, request_id, answer_by, give_up_busy_seconds=GIVE_UP_BUSY_SECONDS)
    except Exception:
        try:
            approvals.set_busy_timeout(conn, GIVE_UP_BUSY_SECONDS)
            approvals.close(conn, request_id, approvals.EXPIRED, "hook-error")
        except Exception:  # noqa: BLE001, S110 - the dashboards mark it gone once our pid is dead
            pass
        raise


def _budget(agent: str, policy: Any, timeout: float | None) -> float:
    """How long the hook may wait: the agent's timeout for it (the installed `--timeout`, else the
    policy's, capped for Codex) less the safety margin, at least a second."""
    agent_timeout = timeout or min(policy.timeout_seconds, DEFAULT_TIMEOUT.get(agent, 60.0))
    return max(1.0, agent_timeout - TIMEOUT_MARGIN_SECONDS)


def _iso_in(seconds: float) -> str:
    from datetime import UTC, datetime, timedelta

    at = datetime.now(UTC) + timedelta(seconds=max(0.0, seconds))
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _permission_request(agent: str, payload: dict[str, Any], db_path: str | None, timeout: float | None,
                        started: float) -> HookResult:
    from cockpit.store import approvals

    policy, root, _error = _policy(str(payload.get("cwd") or ""))
    fields = _common_fields(agent, "PermissionRequest", payload)
    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    match = policy.match(tool_name, fields["tool_input"], str(payload.get("cwd") or ""), root)
    fields["summary"] = _summary(tool_name, fields["tool_input"], match)
    fields["policy"] = match.rule if match else ""
    fields["policy_reason"] = match.category if match else ""
    suggestions = payload.get("permission_suggestions")
    if suggestions is not None:
        fields["suggestions"] = json.dumps(suggestions)
    answer_by = started + _budget(agent, policy, timeout)
    conn = _connect(db_path, min(RECORD_BUSY_SECONDS, _left(answer_by)))
    try:
        if match and fields["session_id"] and approvals.session_allows(conn, fields["session_id"], match.rule):
            approvals.create(conn, {**fields, "decision": "allow", "decided_by": approvals.SESSION_RULE,
                                    "decided_at": approvals.now_iso()}, status=approvals.DECIDED)
            return HookResult(_permission_output("allow", ""))
        if not approvals.cockpit_alive(conn):
            # Nobody can answer here: no decision at once, so the agent's own dialog asks.
            approvals.create(conn, {**fields, "decided_by": "no-cockpit", "decided_at": approvals.now_iso()},
                             status=approvals.NO_COCKPIT)
            return HookResult()
        decided, _ending = _wait(conn, fields, answer_by)
    finally:
        conn.close()
    if decided is None:
        return HookResult()
    return HookResult(_permission_output(decided.decision, decided.reason))


def _event(agent: str, payload: dict[str, Any], db_path: str | None) -> HookResult:
    from cockpit.store.approvals import input_hash, json_text, now_iso, sql_text

    event = payload.get("hook_event_name")
    if not isinstance(event, str) or not event:
        return HookResult(stderr="cockpit hook: no hook_event_name; nothing recorded\n")
    tool_name = payload.get("tool_name") if isinstance(payload.get("tool_name"), str) else ""
    session_id = sql_text(str(payload.get("session_id") or ""))
    conn = _connect(db_path, RECORD_BUSY_SECONDS)
    try:
        conn.execute(
            "INSERT INTO hook_events (agent, session_id, event, received_at, tool_name, tool_use_id, input_hash,"
            " transcript_path, payload) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                agent, session_id, sql_text(event), now_iso(), sql_text(tool_name),
                sql_text(str(payload.get("tool_use_id") or "")),
                input_hash(tool_name, payload.get("tool_input", {})) if tool_name else "",
                sql_text(str(payload.get("transcript_path") or "")),
                sql_text(json_text(payload)[:65536]),
            ),
        )
        _apply_state(conn, session_id, event, payload)
    finally:
        conn.close()
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


def _usage_error(args: list[str], problem: str, raw: str) -> HookResult:
    """Bad arguments: still the fail-safe answer to a critical PreToolUse on stdin, else exit 0 and say so."""
    message = f"cockpit hook: {problem}\n{USAGE}\n"
    payload, _problem = _parse(raw)
    if payload is not None and payload.get("hook_event_name") != "PreToolUse":
        return HookResult(stderr=message)
    if payload is None and '"PreToolUse"' not in raw:
        return HookResult(stderr=message)
    # Which agent asks: the argument if it names one; else Codex when the payload has Codex's turn_id
    # (its answer, deny, is safe for both), else Claude.
    if args and args[0] in AGENTS:
        agent = args[0]
    else:
        agent = "codex" if (payload is not None and "turn_id" in payload) or '"turn_id"' in raw else "claude"
    try:
        result = _pre_tool_use(agent, raw, None, None, time.monotonic(), usage_error=problem)
    except Exception as exc:  # noqa: BLE001 - nothing is known: no decision
        return HookResult(stderr=f"{message}cockpit hook: {_err(exc)}; no decision\n")
    return HookResult(result.stdout, 0, message + result.stderr)


def _option(args: list[str], flag: str, problems: list[str]) -> str | None:
    if flag in args and args.index(flag) == len(args) - 1:
        problems.append(f"{flag} needs a value")
    return pop_option(args, flag)


def _read_stdin() -> str:
    """All of stdin; bytes that are not UTF-8 become lone surrogates (matched as is, stored escaped)."""
    try:
        return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
    except AttributeError:
        return sys.stdin.read()  # a text-only stand-in (tests)


def main(argv: list[str]) -> int:
    """`cockpit hook AGENT KIND [--db PATH] [--timeout SECONDS]` without building the full CLI. Exits 0."""
    args = list(argv)
    problems: list[str] = []
    db_path = _option(args, "--db", problems)
    raw_timeout = _option(args, "--timeout", problems)
    timeout = None
    if raw_timeout is not None:
        try:
            timeout = float(raw_timeout)
        except ValueError:
            timeout = None
        if timeout is None or not 0 < timeout < float("inf"):
            # Waiting on a guessed timeout could outlast the agent's: that is a usage error too.
            problems.append(f"--timeout {raw_timeout!r} is not a number of seconds")
            timeout = None
    if len(args) != 2:
        problems.append(f"expected AGENT KIND, got {' '.join(args) or 'nothing'!r}")
    elif args[0] not in AGENTS:
        problems.append(f"unknown agent {args[0]!r}")
    elif args[1] not in KINDS:
        problems.append(f"unknown hook {args[1]!r}")
    try:
        raw = _read_stdin()
    except (OSError, ValueError) as exc:
        raw = ""
        problems.append(f"cannot read stdin ({_err(exc)})")
    if problems:
        result = _usage_error(args, "; ".join(problems), raw)
    else:
        result = run_hook(args[0], args[1], raw, db_path=db_path, timeout=timeout)
    try:
        if result.stdout:
            sys.stdout.write(result.stdout + "\n")
            sys.stdout.flush()
        if result.stderr:
            from cockpit.core.text import terminal_safe

            sys.stderr.write(terminal_safe(result.stderr))
            sys.stderr.flush()
    except (OSError, ValueError):
        pass  # the agent stopped listening
    return 0 if result.exit_code == 2 else result.exit_code
