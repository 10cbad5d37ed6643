"""Which keys can act now, and why not: the one table `CockpitApp.check_action`, the footer, the help and the
log's "why not" line all read."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from cockpit.ui.screens.approval import ApprovalModal
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.subjects import issue_subject, session_subject

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


def why_not(app: CockpitApp, action: str) -> str | None:
    """"" when `action` can act now, why not when it cannot (the key is greyed and pressing it says this), None
    when it means nothing here (read-only, or a screen where it has no subject: the key is hidden)."""
    if action == "approve_step":
        if isinstance(app.screen, ApprovalModal):
            return None
        if app.read_only:
            return "read-only: requests are shown here, answered in the agent's terminal"
        return "" if app.pending else "no request is waiting for a human"
    if action == "raise_budget":
        fleet = getattr(app.screen, "fleet", None) if isinstance(app.screen, DashboardScreen) else None
        if app.read_only or fleet is None:
            return None
        return fleet.why_not_raise()
    # Keys of the dashboard and a gate's screen, with what they also need.
    needs: dict[str, Callable[[], str]] = {
        "rerun_gate": app.gates.why_not_rerun, "cancel_gate": app.gates.why_not_cancel,
        "rerun_all_gates": app.gates.why_not_run_all, "run_vibe": app.gates.why_no_board,
        "run_premortem": lambda: issue_subject(app).missing,
        "run_retro": lambda: session_subject(app).missing, "draft_handoff": lambda: session_subject(app).missing,
    }
    if action not in needs:
        return ""
    if app.read_only or not isinstance(app.screen, DashboardScreen | GateScreen):
        return None
    return needs[action]()
