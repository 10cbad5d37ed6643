"""The decision modal: everything needed to decide one request. Cancel has focus; y / n / A decide."""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from cockpit.core.text import terminal_safe
from cockpit.store.approvals import Request
from cockpit.ui.themes import themed

# A Write of a whole generated file must not freeze the modal: show this much, then say what was cut.
MAX_SHOWN_LINES = 400
MAX_LINE_CHARS = 400
# Key repeats and double presses inside this window are ignored: one decision per intent.
DEBOUNCE_SECONDS = 0.3


def monotonic() -> float:
    """The debounce clock (tests replace it)."""
    return time.monotonic()


@dataclass(frozen=True, slots=True)
class Decision:
    request_id: int
    input_hash: str
    decision: str  # "allow" or "deny"
    reason: str = ""
    whole_session: bool = False


def render_request(request: Request, last_prompt: str) -> Content:
    """The request as plain text: transcript and tool text is untrusted, never markup."""
    text = Text()
    text.append(f"{request.agent} session {request.session_id}", style="bold")
    text.append(f"  ({request.event})\n")
    text.append("cwd: ", style="dim")
    text.append(terminal_safe(request.cwd) + "\n")
    if request.policy:
        text.append("policy: ", style="dim")
        text.append(f"{request.policy}", style="bold $warning")
        if request.policy_reason:
            text.append(f"  ({request.policy_reason})")
        text.append("\n")
    if last_prompt:
        text.append("last prompt: ", style="dim")
        text.append(terminal_safe(last_prompt)[:500] + "\n")
    text.append("\n")
    text.append(f"{request.tool_name}\n", style="bold")
    text.append_text(render_tool_input(request.tool_name, request.tool_input))
    return themed(text)


def render_tool_input(tool_name: str, tool_input: Any) -> Text:
    text = Text()
    if not isinstance(tool_input, dict):
        text.append(terminal_safe(json.dumps(tool_input, indent=2, ensure_ascii=False)))
        return text
    if tool_name == "Bash" or "command" in tool_input:
        command = tool_input.get("command")
        if isinstance(command, list):
            command = " ".join(str(c) for c in command)
        text.append("$ ", style="dim")
        text.append(terminal_safe(str(command)) + "\n", style="bold")
        if isinstance(tool_input.get("description"), str):
            text.append(terminal_safe(tool_input["description"]) + "\n", style="dim")
        return text
    path = tool_input.get("file_path") or tool_input.get("notebook_path") or ""
    if path:
        text.append(terminal_safe(str(path)) + "\n", style="bold")
    edits: list[tuple[str, str]] = []
    if tool_name == "MultiEdit" and isinstance(tool_input.get("edits"), list):
        edits = [(str(e.get("old_string", "")), str(e.get("new_string", ""))) for e in tool_input["edits"] if isinstance(e, dict)]
    elif "old_string" in tool_input or "new_string" in tool_input:
        edits = [(str(tool_input.get("old_string", "")), str(tool_input.get("new_string", "")))]
    elif "content" in tool_input:
        edits = [("", str(tool_input.get("content", "")))]
    if edits:
        shown = 0
        total = 0
        for old, new in edits:
            for line in difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="", n=2):
                total += 1
                if shown >= MAX_SHOWN_LINES:
                    continue
                shown += 1
                style = "$success" if line.startswith("+") else "$error" if line.startswith("-") else "dim"
                cut = line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …"
                text.append(terminal_safe(cut) + "\n", style=style)
        if total > shown:
            text.append(f"… {total - shown} more diff lines not shown\n", style="bold $warning")
        return text
    text.append(terminal_safe(json.dumps(tool_input, indent=2, ensure_ascii=False)))
    return text


class ApprovalModal(ModalScreen[Decision | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel-approval"),
        Binding("y", "allow", "Allow", id="allow-step", tooltip="Allow this request"),
        Binding("n", "deny", "Deny", id="deny-step", tooltip="Deny, optionally with a reason the agent receives"),
        Binding("A", "allow_session", "Allow rule for session", id="allow-rule-session",
                tooltip="Allow this rule for the rest of this session"),
    ]
    DEFAULT_CSS = """
    ApprovalModal { align: center middle; }
    ApprovalModal > Vertical { width: 100; max-width: 95%; height: auto; max-height: 90%;
        border: thick $warning; background: $surface; padding: 0 1; }
    ApprovalModal #request { height: auto; max-height: 30; }
    ApprovalModal #buttons { height: 3; }
    /* Four buttons fit an 80-column split: each as wide as its label, not Textual's 16-cell minimum. */
    ApprovalModal #buttons Button { min-width: 0; margin: 0 1 0 0; }
    ApprovalModal #reason { display: none; }
    ApprovalModal #reason.-active { display: block; }
    /* Toasts sit bottom-right, over the buttons at 80×24: none here; the log has each, the dashboard shows them. */
    ApprovalModal Toast { display: none; }
    """

    def __init__(self, request: Request, last_prompt: str = "", *, read_only: bool = False) -> None:
        super().__init__()
        self.request = request
        self.last_prompt = last_prompt
        self.read_only = read_only
        self._opened = monotonic()
        self._decided = False

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="request"):
                yield Static(render_request(self.request, self.last_prompt))
            yield Input(placeholder="reason for the agent (Enter to deny, Esc to go back)", id="reason")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", variant="default")
                if not self.read_only:
                    yield Button("Allow (y)", id="allow", variant="success")
                    yield Button("Deny (n)", id="deny", variant="error")
                    yield Button("Allow rule, session (A)", id="allow-session", variant="warning",
                                 disabled=not self.request.policy)

    def on_mount(self) -> None:
        self._opened = monotonic()
        self.query_one("#cancel", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.read_only and action in ("allow", "deny", "allow_session"):
            return None
        if action == "allow_session" and not self.request.policy:
            return False
        return True

    def _ready(self) -> bool:
        # Keys typed before the modal was seen (or a held key) must not decide.
        return not self._decided and monotonic() - self._opened >= DEBOUNCE_SECONDS

    def _finish(self, decision: str, reason: str = "", whole_session: bool = False) -> None:
        if not self._ready():
            return
        self._decided = True
        self.dismiss(Decision(self.request.id, self.request.input_hash, decision, reason, whole_session))

    def action_cancel(self) -> None:
        reason = self.query_one("#reason", Input)
        if reason.has_class("-active"):
            reason.remove_class("-active")
            self.query_one("#cancel", Button).focus()
            return
        self.dismiss(None)

    def action_allow(self) -> None:
        self._finish("allow")

    def action_allow_session(self) -> None:
        self._finish("allow", whole_session=True)

    def action_deny(self) -> None:
        if not self._ready():
            return
        reason = self.query_one("#reason", Input)
        reason.add_class("-active")
        reason.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "reason":
            event.stop()
            self._finish("deny", event.value.strip())

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "cancel":
            self.dismiss(None)
        elif event.button.id == "allow":
            self._finish("allow")
        elif event.button.id == "deny":
            self.action_deny()
        elif event.button.id == "allow-session":
            self._finish("allow", whole_session=True)
