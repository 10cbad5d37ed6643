"""Session views as the JSON objects of the headless interface (`cockpit sessions --json`)."""

from __future__ import annotations

from typing import Any

from cockpit.core.models import SessionView


def session_json(view: SessionView) -> dict[str, Any]:
    ctx = view.context
    return {
        "agent": view.agent.value,
        "session_id": view.session_id,
        "project": view.project,
        "title": view.title,
        "model": view.model,
        "started_at": view.started_at,
        "last_activity_at": view.last_activity_at,
        "state": view.state.value,
        "context": None
        if ctx is None
        else {
            "prompt_tokens": ctx.prompt_tokens,
            "context_tokens": ctx.context_tokens,
            "window": ctx.window,
            "window_source": ctx.window_source.value,
            "pct": round(ctx.pct, 2),
        },
        "compactions": [{"at": c.at, "trigger": c.trigger, "pre_tokens": c.pre_tokens} for c in view.compactions],
        "usage": {
            "input_tokens": view.usage.input_tokens,
            "output_tokens": view.usage.output_tokens,
            "cache_creation_input_tokens": view.usage.cache_creation_input_tokens,
            "cache_read_input_tokens": view.usage.cache_read_input_tokens,
        },
        "cost_usd": None if view.cost_usd is None else round(view.cost_usd, 6),
        "subagents": view.subagents,
        "skipped_lines": view.skipped_lines,
    }
