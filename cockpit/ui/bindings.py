"""The app's own keys. Each binding has an id: the user's `[keys]` (cockpit/config/keys.py) remaps it by that
id through Textual's keymap. Screens and panes declare their own keys beside their actions."""

from __future__ import annotations

from textual.binding import Binding

APP_BINDINGS = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Quit cockpit"),
    Binding("question_mark", "help", "Help", id="help", tooltip="Show the keys that work here"),
    # Textual adds ctrl+p itself only when no binding opens the palette; `:` does, so both are named
    # here. The footer shows ctrl+p at its right edge, so `:` stays out of it (help lists both).
    Binding("colon", "command_palette", "Commands", id="command-palette", show=False,
            tooltip="Open the command palette"),
    Binding("ctrl+p", "command_palette", "Commands", id="command-palette-ctrl-p", show=False,
            tooltip="Open the command palette"),
    Binding("p", "toggle_pause", "Pause", id="pause-live", tooltip="Pause or resume live updates"),
    Binding("T", "toggle_theme", "Theme", id="toggle-theme", show=False, tooltip="Switch dark / light theme"),
    Binding("a", "approve_step", "Approve", id="approve-step",
            tooltip="Open the oldest request waiting for a human (y allow, n deny, A allow rule for session)"),
    Binding("r", "rerun_gate", "Run gate", id="rerun-gate", tooltip="Run the selected gate again on this tree"),
    Binding("R", "rerun_all_gates", "Run all", id="rerun-all-gates", show=False,
            tooltip="Run every command gate again on this tree"),
    Binding("x", "cancel_gate", "Cancel run", id="cancel-gate", show=False,
            tooltip="Cancel the selected gate's run (its process group is stopped)"),
    Binding("v", "run_vibe", "Vibe", id="run-vibe",
            tooltip="Validate the working tree against its intent (press again to cancel)"),
    Binding("m", "run_premortem", "Pre-mortem", id="run-premortem", show=False,
            tooltip="How could the selected (or in-progress) issue fail? (press again to cancel)"),
    Binding("t", "run_retro", "Retro", id="run-retro", show=False,
            tooltip="Turn the selected (or latest) session into facts and learnings"),
    Binding("H", "draft_handoff", "Handoff", id="draft-handoff", show=False,
            tooltip="Draft a handoff note (goal / done / decisions / next) for the selected session"),
    Binding("L", "learnings", "Learnings", id="learnings", show=False, tooltip="Search what retros learned"),
    Binding("M", "metrics", "Metrics", id="metrics", show=False,
            tooltip="Git metrics, completion rate, cost per issue and interventions"),
    Binding("h", "approval_history", "Approvals log", id="approval-history", show=False,
            tooltip="Every approval request and who decided it"),
]
