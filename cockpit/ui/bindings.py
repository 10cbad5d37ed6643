"""The app's own keys. Each binding has an id: the user's `[keys]` (cockpit/config/keys.py) remaps it by that
id through Textual's keymap. Screens and panes declare their own keys beside their actions.

The footer of an 80-column split holds about eight keys, so the app's keys work everywhere but the footer
shows only `a`, `v`, `?` and `q`; a pane (or screen) names the others where they act with `shown_here`, a
copy of the app's binding under the same id (a remap moves both).
"""

from __future__ import annotations

import dataclasses

from textual.binding import Binding

APP_BINDINGS = [
    Binding("a", "approve_step", "Approve", id="approve-step",
            tooltip="Open the oldest request waiting for a human (y allow, n deny, A allow rule for session)"),
    Binding("v", "run_vibe", "Vibe", id="run-vibe",
            tooltip="Validate the working tree against its intent (press again to cancel)"),
    Binding("question_mark", "help", "Help", id="help", tooltip="Show the keys that work here"),
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit cockpit"),
    # Textual adds ctrl+p itself only when no binding opens the palette; `:` does, so both are named
    # here. The footer shows ctrl+p at its right edge, so `:` stays out of it (help lists both).
    Binding("colon", "command_palette", "Commands", id="command-palette", show=False,
            tooltip="Open the command palette"),
    Binding("ctrl+p", "command_palette", "Commands", id="command-palette-ctrl-p", show=False,
            tooltip="Open the command palette"),
    Binding("p", "toggle_pause", "Pause", id="pause-live", show=False, tooltip="Pause or resume live updates"),
    Binding("T", "toggle_theme", "Theme", id="toggle-theme", show=False, tooltip="Switch dark / light theme"),
    Binding("r", "rerun_gate", "Run", id="rerun-gate", show=False, tooltip="Run the selected gate again on this tree"),
    Binding("R", "rerun_all_gates", "Run all", id="rerun-all-gates", show=False,
            tooltip="Run every command gate again on this tree"),
    Binding("x", "cancel_gate", "Cancel", id="cancel-gate", show=False,
            tooltip="Cancel the selected gate's run (its process group is stopped)"),
    Binding("m", "run_premortem", "Pre-mortem", id="run-premortem", show=False,
            tooltip="How could the highlighted (or in-progress) issue fail? (press again to cancel)"),
    Binding("t", "run_retro", "Retro", id="run-retro", show=False,
            tooltip="Turn the highlighted (or newest live) session into facts and learnings (press again to cancel)"),
    Binding("H", "draft_handoff", "Handoff", id="draft-handoff", show=False,
            tooltip="Draft a handoff note (goal / done / decisions / next) for the highlighted (or newest live) session"),
    Binding("L", "learnings", "Learnings", id="learnings", show=False, tooltip="Search what retros learned"),
    Binding("M", "metrics", "Metrics", id="metrics", show=False,
            tooltip="Git metrics, completion rate, cost per issue and interventions"),
    Binding("h", "approval_history", "Approvals log", id="approval-history", show=False,
            tooltip="Every approval request and who decided it"),
]

_BY_ID = {binding.id: binding for binding in APP_BINDINGS}


def shown_here(binding_id: str) -> Binding:
    """The app's binding `binding_id`, shown in the footer of the pane or screen that lists it."""
    binding = _BY_ID[binding_id]
    return dataclasses.replace(binding, action=f"app.{binding.action}", show=True)
