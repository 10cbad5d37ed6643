"""Which agent tools run a shell, change files or read them: the one list the policy, the hooks and
the installer share. Checked against the installed clients' schemas (see tests/test_tools.py)."""

from __future__ import annotations

# Claude Code: Bash, and Monitor (a deferred tool that runs a shell command and streams its output;
# the client matches it against Bash rules). Codex: its internal shell tools, with `command` or
# `cmd` as a string or an argv list.
CLAUDE_SHELL_TOOLS = frozenset({"Bash", "Monitor"})
CODEX_SHELL_TOOLS = frozenset({"shell", "local_shell", "exec_command", "container.exec", "unified_exec"})
SHELL_TOOLS = CLAUDE_SHELL_TOOLS | CODEX_SHELL_TOOLS

EDIT_TOOLS = frozenset({"Edit", "MultiEdit", "Write", "NotebookEdit"})
READ_TOOLS = frozenset({"Read", "Grep", "Glob", "LS", "NotebookRead"})

