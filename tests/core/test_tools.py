"""The one list of tools that run a shell or change files, checked against the installed clients."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from cockpit.core.policy import default_policy
from cockpit.core.tools import CLAUDE_SHELL_TOOLS, CODEX_SHELL_TOOLS, EDIT_TOOLS, PATCH_TOOLS

CACHE = Path(__file__).parents[2] / ".cache" / "clients"


def _binary(pattern: str) -> Path | None:
    found = sorted(CACHE.glob(pattern)) if CACHE.is_dir() else []
    return next((p for p in found if p.is_file() and os.access(p, os.X_OK)), None)


def _strings(binary: Path) -> str:
    proc = subprocess.run(["strings", "-n", "4", str(binary)], capture_output=True, timeout=120)
    if proc.returncode != 0:
        pytest.skip(f"strings could not read {binary}")
    return proc.stdout.decode("latin-1")


def test_every_claude_shell_tool_is_a_tool_of_the_installed_client() -> None:
    binary = _binary("claude-code-*/node_modules/@anthropic-ai/claude-code-linux-*/claude")
    if binary is None:
        pytest.skip("the real Claude Code is not installed under .cache/clients (scripts/dev.py test installs it)")
    text = _strings(binary)
    for tool in CLAUDE_SHELL_TOOLS:
        assert f'"{tool}"' in text, f"{tool} is not a tool name in {binary}"


def test_the_codex_hook_tool_names_are_in_the_installed_client() -> None:
    binary = _binary("codex-*/node_modules/@openai/codex-linux-*/vendor/*/bin/codex")
    if binary is None:
        pytest.skip("the real Codex is not installed under .cache/clients (scripts/dev.py test installs it)")
    text = _strings(binary)
    for tool in ("Bash", "apply_patch", "exec_command", "shell_command"):
        assert tool in text and (tool in CODEX_SHELL_TOOLS or tool in PATCH_TOOLS)


PATCH = """*** Begin Patch
*** Update File: src/app.py
@@
-print('a')
+print('b')
*** Add File: .github/workflows/release.yml
+on: push
*** End Patch
"""


def test_a_codex_patch_is_judged_by_every_file_it_touches() -> None:
    found = default_policy().match("apply_patch", {"command": PATCH}, "/r", "/r")
    assert found is not None and found.category == "CI config"
    assert found.summary == "apply_patch src/app.py, .github/workflows/release.yml"


def test_a_codex_patch_of_ordinary_files_is_not_critical() -> None:
    patch = PATCH.replace(".github/workflows/release.yml", "docs/notes.md")
    assert default_policy().match("apply_patch", {"command": patch}, "/r", "/r") is None


def test_a_codex_patch_outside_the_repository_is_critical() -> None:
    patch = "*** Begin Patch\n*** Add File: /etc/profile.d/x.sh\n+echo hi\n*** End Patch\n"
    found = default_policy().match("apply_patch", {"command": patch}, "/r", "/r")
    assert found is not None and found.category == "write outside the repo"


def test_a_codex_patch_moving_a_file_into_the_guards_is_critical() -> None:
    patch = "*** Begin Patch\n*** Update File: notes.txt\n*** Move to: .codex/hooks.json\n*** End Patch\n"
    assert default_policy().match("apply_patch", {"command": ["apply_patch", patch]}, "/r", "/r") is not None


@pytest.mark.parametrize(("tool", "tool_input", "critical"), [
    ("Edit", {"file_path": "/r/pyproject.toml", "old_string": "[tool.cockpit.gates.t]", "new_string": ""}, True),
    ("Edit", {"file_path": "/r/pyproject.toml", "old_string": "version = \"1\"", "new_string": "version = \"2\""},
     False),
    ("MultiEdit", {"file_path": "/r/pyproject.toml", "edits": [{"old_string": "x", "new_string": "[tool.Cockpit]"}]},
     True),
    ("Write", {"file_path": "/r/pyproject.toml", "content": "[project]\nname = 'x'\n"}, False),
    ("apply_patch", {"command": "*** Begin Patch\n*** Update File: pyproject.toml\n-[tool.cockpit.approvals]\n"}, True),
    ("Edit", {"file_path": "/r/sub/pyproject.toml", "old_string": "[tool.cockpit]", "new_string": ""}, False),
])
def test_pyproject_edits_are_critical_only_where_they_touch_cockpits_table(tool: str, tool_input: dict[str, object],
                                                                         critical: bool) -> None:
    assert (default_policy().match(tool, tool_input, "/r", "/r") is not None) is critical


def test_every_edit_tool_is_covered_by_edit_rules() -> None:
    for tool in EDIT_TOOLS:
        assert default_policy().match(tool, {"file_path": "/r/.git/config",
                                             "command": "*** Update File: .git/config\n"}, "/r", "/r") is not None
