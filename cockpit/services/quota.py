"""Plan quota of both agents, and what each live Claude session's prompt cache and subagents are doing.

`read_quota` is `cockpit quota` and the dashboard's top line: Claude's newest statusLine observation from the
store, Codex's newest `token_count` from the rollouts. `live_extras` is the context pane's: the prompt-cache
countdown and cold-restart cost of each live Claude session, and its live subagents with their own context.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cockpit.core.context import resolve_window
from cockpit.core.format import parse_ts
from cockpit.core.models import Agent, SessionView
from cockpit.core.quota import (
    DEFAULT_THRESHOLDS,
    SKEW,
    CacheState,
    Observation,
    Thresholds,
    band,
    cache_state,
    claude_observation,
    duration,
    iso,
    observation_json,
    reset_text,
    span,
)
from cockpit.sources.codex_quota import newest_codex_quota
from cockpit.sources.discovery import Root
from cockpit.store.queries import iso as store_iso
from cockpit.store.quota import last_calls, live_subagents, quota_payloads, statusline_payloads

AGENTS = ("claude", "codex")


@dataclass(frozen=True, slots=True)
class QuotaReport:
    claude: Observation | None
    codex: Observation | None
    problems: tuple[str, ...] = ()
    codex_files_read: int = 0
    codex_files_seen: int = 0
    claude_roots: tuple[str, ...] = ()  # Claude's observations were limited to sessions under these folders

    def observation(self, agent: str) -> Observation | None:
        return self.claude if agent == "claude" else self.codex


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots)


def claude_quota(db: Any, now: datetime, roots: Sequence[str] = ()) -> tuple[Observation | None, list[str]]:
    """The newest usable statusLine quota observation, and the problems of newer payloads that were unusable.

    `roots`: only sessions whose transcript lies under one of these folders (one Claude config dir is one
    account, with its own plan)."""
    problems: list[str] = []
    for row in quota_payloads(db):
        try:
            payload = json.loads(row.payload)
        except ValueError:
            problems.append(f"statusLine payload of session {row.session_id[:8]} is not valid JSON")
            continue
        if roots:
            transcript = payload.get("transcript_path") if isinstance(payload, dict) else None
            if not isinstance(transcript, str) or not _under(os.path.abspath(os.path.expanduser(transcript)), roots):
                continue
        observed = parse_ts(row.received_at)
        if observed is None:
            problems.append(f"statusLine payload of session {row.session_id[:8]} has no valid time ({row.received_at!r})")
            continue
        if observed > now + SKEW:
            problems.append(f"statusLine payload of session {row.session_id[:8]} is stamped in the future"
                            f" ({row.received_at}); left out")
            continue
        observation, found = claude_observation(payload, observed, row.session_id)
        problems.extend(f"statusLine payload of session {row.session_id[:8]}: {p}" for p in found)
        if observation is not None:
            return observation, problems
    return None, problems


def read_quota(db: Any, now: datetime, *, claude_roots: Sequence[Root] = (), codex_roots: Sequence[Root] = ()) -> QuotaReport:
    """Both agents' newest quota observations. Claude roots given by a flag limit Claude's to their sessions."""
    flagged = [r.path for r in claude_roots if r.origin == "flag"]
    claude, problems = claude_quota(db, now, flagged)
    scan = newest_codex_quota(codex_roots, now)
    return QuotaReport(claude, scan.observation, (*problems, *scan.problems), scan.files_read, scan.files_seen,
                       tuple(flagged))


def quota_json(report: QuotaReport, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> dict[str, Any]:
    return {agent: observation_json(report.observation(agent), now, thresholds) for agent in AGENTS}


def quota_lines(report: QuotaReport, now: datetime, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> list[str]:
    """`cockpit quota`: per agent where the figures come from, then one line per window."""
    lines = []
    for agent in AGENTS:
        obs = report.observation(agent)
        if obs is None:
            where = ("no statusLine payload with rate_limits recorded (Claude Code states them to Pro/Max plans,"
                     " through `cockpit statusline` as its statusLine command)"
                     + (f" for a session under {', '.join(report.claude_roots)}" if report.claude_roots else "")
                     if agent == "claude"
                     else "no token_count event with rate_limits in any rollout")
            lines.append(f"{agent}: no quota observed: {where}")
            continue
        ago = max(0.0, (now - obs.observed_at).total_seconds())
        lines.append(f"{agent}: from the {obs.source} observed {iso(obs.observed_at)} ({duration(ago)} ago)")
        for w in obs.windows:
            level = band(w, now, thresholds)
            label = f"{w.name} ({span(w.minutes, w.name)})"
            used = f"{w.used_pct:5.1f}% used" if level != "expired" else f"{w.used_pct:5.1f}% was used"
            lines.append(f"  {label:<18} {used}  {reset_text(w, now)}  [{level}]")
    for problem in report.problems:
        lines.append(f"warning: {problem}")
    return lines


# ---- the context pane: the prompt cache and the subagents of live Claude sessions ---------------------


@dataclass(frozen=True, slots=True)
class SubagentGauge:
    agent_id: str
    model: str
    context_tokens: int
    window: int
    last_at: str
    calls: int

    @property
    def pct(self) -> float:
        return 100.0 * self.context_tokens / self.window if self.window else 0.0


@dataclass(frozen=True, slots=True)
class LiveExtras:
    cache: CacheState | None = None
    subagents: tuple[SubagentGauge, ...] = field(default=())


def live_extras(db: Any, views: Sequence[SessionView], now: datetime, live_minutes: float) -> dict[str, LiveExtras]:
    """For each live Claude session: its prompt cache's likely expiry and cold cost, and its live subagents."""
    ids = [v.session_id for v in views if v.agent is Agent.CLAUDE]
    if not ids:
        return {}
    calls = last_calls(db, ids)
    statusline = statusline_payloads(db, ids)
    since = store_iso(now - timedelta(minutes=live_minutes))
    subagents = live_subagents(db, ids, since)
    found: dict[str, LiveExtras] = {}
    for sid in ids:
        cache = None
        call = calls.get(sid)
        last_at = parse_ts(call.ts) if call else None
        if call is not None and last_at is not None:
            row = statusline.get(sid)
            stated_at, stated = None, None
            if row is not None:
                try:
                    payload = json.loads(row.payload)
                except ValueError:
                    payload = None
                if isinstance(payload, dict):
                    stated_at, stated = parse_ts(row.received_at), payload.get("prompt_cache")
            cache = cache_state(last_call_at=last_at, one_hour=call.one_hour, model=call.model,
                                prompt_tokens=call.prompt_tokens, statusline_at=stated_at, statusline_cache=stated)
        gauges = tuple(
            SubagentGauge(s.agent_id, s.model, s.context_tokens,
                          s.window or resolve_window(agent=Agent.CLAUDE, models=(s.model,),
                                                     max_prompt_tokens=s.context_tokens)[0], s.ts, s.calls)
            for s in subagents.get(sid, [])
        )
        if cache is not None or gauges:
            found[sid] = LiveExtras(cache, gauges)
    return found
