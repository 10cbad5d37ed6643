"""The repository line: branch, HEAD, upstream, what is staged or not, the size of the change, last commits."""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.widgets import Static

from cockpit.core.text import one_line
from cockpit.sources.repo import RepoState
from cockpit.ui.themes import themed


def render_repo(state: RepoState) -> Content:
    text = Text(no_wrap=True, overflow="ellipsis")
    if not state.ok:
        text.append("repo: ", style="bold")
        text.append(one_line(state.message, 200), style="dim")
        return themed(text)
    text.append("⎇ ", style="bold")
    text.append(one_line(state.branch or "(detached)", 60), style="bold")
    if state.head:
        text.append(f" @ {state.head[:8]}", style="dim")
    if state.upstream:
        text.append(f"  {one_line(state.upstream, 40)} ↑{state.ahead} ↓{state.behind}",
                    style="$warning" if state.ahead or state.behind else "dim")
    text.append(f"   staged {state.staged} · unstaged {state.unstaged} · untracked {state.untracked}")
    if state.conflicts:
        text.append(f" · {state.conflicts} conflicts", style="bold $error")
    if state.files_changed:
        text.append(f"   Δ {state.files_changed} files ")
        text.append(f"+{state.insertions}", style="$success")
        text.append(" ")
        text.append(f"-{state.deletions}", style="$error")
    if state.message:
        text.append(f"   ({one_line(state.message, 80)})", style="$warning")
    for commit in state.commits[:3]:
        text.append("\n")
        text.append(f"  {commit.sha} ", style="dim")
        text.append(one_line(commit.subject, 80))
        text.append(f"  {one_line(commit.author, 20)}, {commit.when[:16].replace('T', ' ')}", style="dim")
    return themed(text)


class RepoPane(Static):
    """Its size and the ellipsis that keeps each line to one row are in themes/cockpit.tcss (#repo-pane)."""

    def show(self, state: RepoState) -> None:
        self.state = state
        self.update(render_repo(state))
