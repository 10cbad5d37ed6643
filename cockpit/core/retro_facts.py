"""Retro for a finished agent session (factor VII): computed facts, mechanical learnings, ao files.

Facts are computed from what the session recorded, never guessed (agentops-formats.md §1.1, §2.4):

- Naive datetimes are read as UTC. Calls are taken in time order; call indexes are 1-based.
- duration_minutes = ended - started (None when either is unknown); over_90_minutes when > 90.
- Context percent of a call = context_tokens / window * 100 (calls with window <= 0 are skipped for
  percentages). peak_pct is the maximum, rounded to 1 decimal (None with no usable call).
- minutes_above_40: for each pair of consecutive calls, the time between them counts when the
  earlier call was at >= 40 % (the context stays that full until the next call shrinks or grows it);
  the last call counts up to ``ended`` the same way. first_over_40_call is the first call at >= 40 %.
- tool_errors counts tool uses with is_error. repeated_failures: the same (tool name, one-line
  summary) failing 3+ times ("stuck loop: same approach 3+ times", factor III).
- files_edited_repeatedly: uses of Edit / Write / MultiEdit / NotebookEdit / apply_patch (every
  attempt) grouped by the first token of the summary that looks like a path (contains "/" or ends in
  a ".ext"), 3+ uses.
- approvals: "allow" / "deny" (case-insensitive); anything else, "" included, is unanswered.
- gates: outcomes fail / timeout / error fail a gate, pass / warn pass it, cancelled is ignored.
  failed lists gates that failed at least once; fixed those among them that passed after a failure.
- git: ``compute_metrics`` over the session's commits (rework ratio, trust pass rate, spirals...).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cockpit.core.gitmetrics import CommitInfo, compute_metrics
from cockpit.core.text import one_line, strip_controls, terminal_safe

CONTEXT_LIMIT_PCT = 40.0
REPEAT_LIMIT = 3
LONG_SESSION_MINUTES = 90.0
REWORK_LIMIT_PCT = 30.0
HANDOFF_MAX_LINES = 20
EDIT_TOOLS = frozenset({"Edit", "Write", "MultiEdit", "NotebookEdit", "apply_patch"})
CATEGORIES = ("decision", "failure", "pattern", "gotcha")
CONFIDENCES = ("high", "medium", "low")
SOURCES = ("mechanical", "claude")

_FAILED_OUTCOMES = frozenset({"fail", "timeout", "error"})
_PASSED_OUTCOMES = frozenset({"pass", "warn"})
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_]{0,9}$")
_TOKEN_TRIM = "\"'`()[]{}<>,;:"


@dataclass(frozen=True, slots=True)
class CallPoint:
    ts: datetime
    context_tokens: int
    window: int


@dataclass(frozen=True, slots=True)
class ToolUse:
    name: str
    summary: str
    started: datetime
    finished: datetime | None
    is_error: bool


@dataclass(frozen=True, slots=True)
class GateEvent:
    gate: str
    outcome: str  # pass | warn | fail | timeout | error | cancelled
    at: datetime


@dataclass(frozen=True)
class Learning:
    title: str
    category: str  # decision | failure | pattern | gotcha
    body: str
    evidence: str
    confidence: str  # high | medium | low
    source: str  # mechanical | claude

    def __post_init__(self) -> None:
        for field, value, allowed in (("category", self.category, CATEGORIES),
                                      ("confidence", self.confidence, CONFIDENCES),
                                      ("source", self.source, SOURCES)):
            if value not in allowed:
                raise ValueError(f"Learning.{field} must be one of {allowed}, not {value!r}")


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _minutes(start: datetime, end: datetime) -> float:
    return (_aware(end) - _aware(start)).total_seconds() / 60


def _pct(call: CallPoint) -> float | None:
    return call.context_tokens / call.window * 100 if call.window > 0 else None


def path_in_summary(summary: str) -> str | None:
    """The first whitespace-separated token that looks like a file path, or None."""
    for raw in strip_controls(summary).split():
        token = raw.strip(_TOKEN_TRIM)
        if not any(ch.isalnum() for ch in token):
            continue
        if "/" in token or _EXTENSION.search(token):
            return token[2:] if token.startswith("./") else token
    return None


def _context_facts(calls: Sequence[CallPoint], ended: datetime | None) -> dict[str, Any]:
    ordered = sorted(calls, key=lambda c: _aware(c.ts))
    pcts = [_pct(c) for c in ordered]
    known = [p for p in pcts if p is not None]
    above = 0.0
    first_over: int | None = None
    for i, (call, pct) in enumerate(zip(ordered, pcts, strict=True)):
        if pct is None or pct < CONTEXT_LIMIT_PCT:
            continue
        if first_over is None:
            first_over = i + 1
        until = ordered[i + 1].ts if i + 1 < len(ordered) else ended
        if until is not None:
            above += max(_minutes(call.ts, until), 0.0)
    return {"calls": len(ordered), "peak_pct": round(max(known), 1) if known else None,
            "minutes_above_40": round(above, 1), "first_over_40_call": first_over}


def _gate_facts(events: Sequence[GateEvent]) -> dict[str, list[str]]:
    failed: list[str] = []
    fixed: list[str] = []
    for event in sorted(events, key=lambda e: _aware(e.at)):
        name, outcome = one_line(event.gate, 80), event.outcome.strip().lower()
        if outcome in _FAILED_OUTCOMES:
            if name not in failed:
                failed.append(name)
        elif outcome in _PASSED_OUTCOMES and name in failed and name not in fixed:
            fixed.append(name)
    return {"failed": failed, "fixed": fixed}


def compute_facts(*, session_id: str, title: str, started: datetime | None, ended: datetime | None,
                  calls: Sequence[CallPoint], compactions: int, tools: Sequence[ToolUse],
                  approvals: Sequence[str], gate_events: Sequence[GateEvent],
                  commits: Sequence[CommitInfo], cost_usd: float | None) -> dict[str, Any]:
    """Every fact of the module docstring, as a JSON-serialisable dict."""
    duration = round(_minutes(started, ended), 1) if started is not None and ended is not None else None
    failures = Counter((one_line(t.name, 80), one_line(t.summary, 160)) for t in tools if t.is_error)
    edits: Counter[str] = Counter()
    for tool in tools:
        path = path_in_summary(tool.summary) if tool.name in EDIT_TOOLS else None
        if path:
            edits[one_line(path, 160)] += 1
    decisions = [a.strip().lower() for a in approvals]
    git = compute_metrics(commits)
    return {
        "session_id": one_line(session_id, 120),
        "title": one_line(title),
        "duration_minutes": duration,
        **_context_facts(calls, ended),
        "compactions": compactions,
        "tool_calls": len(tools),
        "tool_errors": sum(t.is_error for t in tools),
        "repeated_failures": [{"tool": name, "summary": summary, "times": n}
                              for (name, summary), n in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))
                              if n >= REPEAT_LIMIT],
        "files_edited_repeatedly": [{"file": path, "times": n}
                                    for path, n in sorted(edits.items(), key=lambda kv: (-kv[1], kv[0]))
                                    if n >= REPEAT_LIMIT],
        "approvals": {"allowed": decisions.count("allow"), "denied": decisions.count("deny"),
                      "unanswered": sum(d not in ("allow", "deny") for d in decisions)},
        "gates": _gate_facts(gate_events),
        "commits": git["commits"],
        "git": git,
        "rework_ratio_pct": git["rework_ratio"]["value"],
        "cost_usd": round(cost_usd, 4) if cost_usd is not None else None,
        "over_90_minutes": duration is not None and duration > LONG_SESSION_MINUTES,
    }


def _mech(title: str, category: str, body: str, evidence: str, confidence: str = "high") -> Learning:
    return Learning(title=title, category=category, body=body, evidence=evidence, confidence=confidence,
                    source="mechanical")


def mechanical_learnings(facts: dict[str, Any]) -> list[Learning]:
    """Deterministic learnings from the facts, each quoting the facts it rests on."""
    out: list[Learning] = []
    first = facts.get("first_over_40_call")
    if first is not None:
        out.append(_mech(
            "Hand off before 40 %", "gotcha",
            "Context passed the 40 % rule; quality degrades from there. Write a 3-20 line handoff "
            "(Goal / Done / Decisions / Next) and start a fresh session before crossing it.",
            f"context reached 40 % at call {first} of {facts.get('calls')}; peak {facts.get('peak_pct')} %; "
            f"{facts.get('minutes_above_40')} min above 40 %"))
    compactions = facts.get("compactions") or 0
    if compactions > 0:
        out.append(_mech(
            "Compaction is a failure", "failure",
            "Treat compaction like an OOM kill: split the work into smaller sessions so none reaches "
            "the compaction wall.",
            f"{compactions} compaction{'s' if compactions != 1 else ''} in this session"))
    for item in facts.get("repeated_failures") or []:
        what = f"{item['tool']} `{item['summary']}`" if item["summary"] else str(item["tool"])
        out.append(_mech(
            f"{what} failed {item['times']} times", "failure",
            f"`{item['summary'] or item['tool']}` failed {item['times']} times: after 3, stop and change approach "
            "(or spawn a fresh session) instead of retrying.",
            f"repeated_failures: {item['tool']} '{item['summary']}' x{item['times']}"))
    for item in facts.get("files_edited_repeatedly") or []:
        out.append(_mech(
            f"{item['file']} edited {item['times']} times", "gotcha",
            "Many edits to one file suggest trial and error: read it fully and plan the change before editing.",
            f"files_edited_repeatedly: {item['file']} x{item['times']}", "medium"))
    denied = (facts.get("approvals") or {}).get("denied") or 0
    if denied > 0:
        out.append(_mech(
            f"{denied} tool request{'s' if denied != 1 else ''} denied", "gotcha",
            "The agent asked for actions the operator refused: state the allowed scope in the task up front.",
            f"approvals: {denied} denied of {sum((facts.get('approvals') or {}).values())} requests", "medium"))
    for gate in (facts.get("gates") or {}).get("fixed") or []:
        out.append(_mech(
            f"Gate {gate} caught a problem", "pattern",
            f"gate {gate} failed then passed: keep running it before commit.",
            f"gates: {gate} failed, then passed later in the session"))
    rework = facts.get("rework_ratio_pct")
    if rework is not None and rework >= REWORK_LIMIT_PCT:
        fixes = facts["git"]["rework_ratio"]["fixes"] if "git" in facts else "?"
        out.append(_mech(
            "High rework ratio", "failure",
            "Too many commits were fixes of earlier commits: validate (tests, gates) before committing.",
            f"rework ratio {rework} % ({fixes} fix commits of {facts.get('commits')})"))
    if facts.get("over_90_minutes"):
        out.append(_mech(
            "Session ran over 90 minutes", "gotcha",
            "Over 90 minutes a session is probably doing too much: one issue per session, hand off sooner.",
            f"duration {facts.get('duration_minutes')} min"))
    peak = facts.get("peak_pct")
    if not out and peak is not None and peak < CONTEXT_LIMIT_PCT and compactions == 0:
        out.append(_mech(
            "Session stayed under 40 % context", "pattern",
            "The session kept its context under 40 % with no compaction: keep work scoped this tightly.",
            f"peak {peak} % over {facts.get('calls')} calls; 0 compactions"))
    return out


def _cell(value: object) -> str:
    text = "n/a" if value is None else one_line(str(value), 300)
    return text.replace("|", "\\|") or "n/a"


def _items(values: Sequence[str]) -> list[str]:
    lines = [f"- {one_line(v, 300)}" for v in values if one_line(v, 300)]
    return lines or ["- none recorded"]


def _fact_rows(facts: dict[str, Any]) -> list[tuple[str, object]]:
    approvals = facts.get("approvals") or {}
    gates = facts.get("gates") or {}
    rework = facts.get("rework_ratio_pct")
    cost = facts.get("cost_usd")
    return [
        ("Duration (min)", facts.get("duration_minutes")),
        ("Model calls", facts.get("calls")),
        ("Peak context", None if facts.get("peak_pct") is None else f"{facts['peak_pct']} %"),
        ("Minutes above 40 %", facts.get("minutes_above_40")),
        ("First call over 40 %", facts.get("first_over_40_call") or "never"),
        ("Compactions", facts.get("compactions")),
        ("Tool calls", facts.get("tool_calls")),
        ("Tool errors", facts.get("tool_errors")),
        ("Repeated failures (3+)", "; ".join(f"{r['tool']} {r['summary']} x{r['times']}"
                                             for r in facts.get("repeated_failures") or []) or "none"),
        ("Files edited 3+ times", ", ".join(f"{f['file']} x{f['times']}"
                                            for f in facts.get("files_edited_repeatedly") or []) or "none"),
        ("Approvals (allowed / denied / unanswered)",
         f"{approvals.get('allowed', 0)} / {approvals.get('denied', 0)} / {approvals.get('unanswered', 0)}"),
        ("Gates failed", ", ".join(gates.get("failed") or []) or "none"),
        ("Gates fixed", ", ".join(gates.get("fixed") or []) or "none"),
        ("Commits", facts.get("commits")),
        ("Rework ratio", None if rework is None else f"{rework} %"),
        ("Cost (USD)", None if cost is None else f"{cost:.2f}"),
        ("Over 90 minutes", "yes" if facts.get("over_90_minutes") else "no"),
    ]


def render_retro(*, date: str, slug: str, session_id: str, title: str, facts: dict[str, Any],
                 learnings: Sequence[Learning], went_well: Sequence[str], hard: Sequence[str],
                 do_differently: Sequence[str], online_note: str) -> str:
    """An ao retro document (`.agents/retros/<date>-<slug>.md`)."""
    date, slug = one_line(date, 40), one_line(slug, 80)
    lines = ["---", f"id: retro-{date}-{slug}", "type: retro", f"date: '{date}'",
             f"session: {one_line(session_id, 120)}", "source: cockpit", "---", "",
             f"# Retro: {one_line(title) or 'session'}", "", "## Facts", "", "| Metric | Value |", "| --- | --- |"]
    lines += [f"| {name} | {_cell(value)} |" for name, value in _fact_rows(facts)]
    patterns = [f"{lr.title}: {lr.body}" for lr in learnings if lr.category == "pattern"]
    anti = [f"{lr.title}: {lr.body}" for lr in learnings if lr.category in ("failure", "gotcha")]
    for heading, values in (("What Went Well", went_well), ("What Was Hard", hard),
                            ("Do Differently Next Time", do_differently), ("Patterns to Reuse", patterns),
                            ("Anti-Patterns to Avoid", anti)):
        lines += ["", f"## {heading}", "", *_items(values)]
    lines += ["", "## Learnings", ""]
    lines += [f"- **{one_line(lr.title)}** ({lr.category}, {lr.confidence} confidence, {lr.source}): "
              f"{one_line(lr.body, 400)} Evidence: {one_line(lr.evidence, 300)}" for lr in learnings]
    if not learnings:
        lines.append("- none recorded")
    note = one_line(online_note, 300)
    if note:
        lines += ["", f"_{note}_"]
    return "\n".join(lines) + "\n"


def render_learning(learning: Learning, *, date: str, session_id: str) -> str:
    """An ao learning file (`.agents/learnings/<date>-<slug>.md`)."""
    source = "cockpit-retro-claude" if learning.source == "claude" else "cockpit-retro"
    lines = ["---", "type: learning", f"source: {source}", f"date: {one_line(date, 40)}", "maturity: provisional",
             f"session: {one_line(session_id, 120)}", f"confidence: {learning.confidence}",
             f"category: {learning.category}", "---", "",
             f"# Learning: {one_line(learning.title) or 'untitled'}", "",
             f"**Category**: {learning.category}", f"**Confidence**: {learning.confidence}", "",
             terminal_safe(learning.body).strip() or "(no body)", "",
             f"**Evidence**: {one_line(learning.evidence, 500) or 'none recorded'}"]
    return "\n".join(lines) + "\n"


def _quotas(sizes: list[int], budget: int) -> list[int]:
    """Lines per section: at least one each, then one more at a time in turn while the budget lasts."""
    quotas = [1] * len(sizes)
    budget -= len(sizes)
    while budget > 0 and any(q < s for q, s in zip(quotas, sizes, strict=True)):
        for i, size in enumerate(sizes):
            if budget > 0 and quotas[i] < size:
                quotas[i] += 1
                budget -= 1
    return quotas


def handoff_note(*, goal: str, done: Sequence[str], decisions: Sequence[str], next_steps: Sequence[str]) -> str:
    """A 3-20 line handoff (factor I): Goal / Done / Decisions (when any) / Next.

    Lists that do not fit are cut and their last shown line says how many items were left out."""
    clean = [[one_line(v) for v in values if one_line(v)] for values in (done, decisions, next_steps)]
    sections = [("Done:", clean[0] or ["(nothing yet)"]), ("Next:", clean[2] or ["(nothing yet)"])]
    if clean[1]:
        sections.insert(1, ("Decisions:", clean[1]))
    budget = HANDOFF_MAX_LINES - 1 - len(sections)  # the Goal line and one header per section
    quotas = _quotas([len(items) for _, items in sections], budget)
    lines = [f"Goal: {one_line(goal) or '(not stated)'}"]
    for (header, items), quota in zip(sections, quotas, strict=True):
        shown = [f"- {item}" for item in items[:quota]]
        if len(items) > quota:
            shown[-1] += f" (+{len(items) - quota} more)"
        lines += [header, *shown]
    return "\n".join(lines) + "\n"


def slug(text: str) -> str:
    """Lower-case ASCII words joined by dashes, at most 40 characters; "session" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", strip_controls(text)).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].rstrip("-")
    return out or "session"
