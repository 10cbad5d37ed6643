"""Command palette (`:` or ctrl+p): cockpit's own commands, next to Textual's system commands."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


class CockpitCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app: CockpitApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, str, object]] = [
            ("Go to context gauges", "Focus pane 1", partial(app.action_focus_pane, "context-pane")),
            ("Go to sessions", "Focus pane 2", partial(app.action_focus_pane, "sessions-pane")),
            ("Go to issues", "Focus pane 3: the beads queue", partial(app.action_focus_pane, "issues-pane")),
            ("Go to gates", "Focus pane 4", partial(app.action_focus_pane, "gates-pane")),
            ("Go to approvals and log", "Focus pane 5", partial(app.action_focus_pane, "inbox")),
            ("Metrics", "Git metrics, completion rate, cost per issue (M)", app.action_metrics),
            ("Run all gates", "Every command gate on this tree (R)", app.action_rerun_all_gates),
            ("Pause / resume live updates", "Stop redrawing while you read", app.action_toggle_pause),
            ("Switch dark / light theme", "cockpit-dark and cockpit-light", app.action_toggle_theme),
            ("Help", "The keys that work here", app.action_help),
        ]
        for view in app.sessions[:50]:
            label = f"Open session {view.session_id[:8]} {view.title[:50]}"
            commands.append((label, f"{view.agent.value} · {view.project}", partial(app.open_session, view.session_id)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands()[:6]:
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
