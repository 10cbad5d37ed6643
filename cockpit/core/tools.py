"""Which agent tools run a shell, change files or read them: the one list the policy, the hooks and
the installer share. Checked against the installed clients' schemas (see tests/test_tools.py)."""

from __future__ import annotations

# Claude Code: Bash, and Monitor (a deferred tool that runs a shell command and streams its output;
# the client matches it against Bash rules). Codex: 0.171 sends every shell call to hooks as `Bash`
# with {"command": "..."} (its HookToolName::bash() for exec_command / unified exec and shell_command;
# a lone "Bash" constant in the 0.171.0 binary); its model-side names (exec_command, shell_command)
# and those of earlier releases (shell, local_shell, container.exec, unified_exec), with `command` or
# `cmd` as a string or an argv list, stay covered. Its file patches come as `apply_patch` with
# {"command": "<patch text>"}: a file change, not a shell tool.
CLAUDE_SHELL_TOOLS = frozenset({"Bash", "Monitor"})
CODEX_SHELL_TOOLS = frozenset({
    "Bash", "exec_command", "shell_command", "shell", "local_shell", "container.exec", "unified_exec",
})
SHELL_TOOLS = CLAUDE_SHELL_TOOLS | CODEX_SHELL_TOOLS

# Codex changes files with apply_patch, whose input is the patch text ({"command": "*** Begin Patch…"}):
# every `*** Add/Update/Delete File:` and `*** Move to:` path in it is judged.
PATCH_TOOLS = frozenset({"apply_patch"})
EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit"}) | PATCH_TOOLS
READ_TOOLS = frozenset({"Read", "Grep", "Glob", "LS", "NotebookRead"})

