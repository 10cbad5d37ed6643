"""The repository's own configuration: `cockpit.toml` at its root, or `[tool.cockpit]` in `pyproject.toml`.

One reader for both files, each read at most once per `RepoConfig`, parsed by config/toml_file.py. What
they hold is interpreted where it is used, and each names its bad keys: `[gates]` (config/gates.py, which
also detects gates when neither file declares any), `[llm]` and `[vibe]` (config/llm.py), `[approvals]`
(config/policy.py: a repository may only tighten the policy). Which file wins is per table:
`cockpit.toml`'s table when it has one, else `[tool.cockpit]`'s; for `[approvals]`, `cockpit.toml`
whenever that file exists. The agent can write both files: nothing here is trusted (see core/trust_rules.py).
Stdlib only: the hooks read `[approvals]` on every tool call.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cockpit.config.toml_file import TomlFile, read_toml

OWN = "cockpit.toml"
PYPROJECT = "pyproject.toml"
TOOL_SOURCE = "pyproject.toml [tool.cockpit]"


class RepoConfig:
    """The configuration files at `root`; each is read on first use."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._own: TomlFile | None = None
        self._pyproject: TomlFile | None = None

    @property
    def own(self) -> TomlFile:
        if self._own is None:
            self._own = read_toml(self.root / OWN)
        return self._own

    @property
    def pyproject(self) -> TomlFile:
        if self._pyproject is None:
            self._pyproject = read_toml(self.root / PYPROJECT)
        return self._pyproject

    def tool_cockpit(self) -> Any:
        """`[tool.cockpit]` of pyproject.toml as written (None when there is none)."""
        tool = (self.pyproject.data or {}).get("tool")
        return tool.get("cockpit") if isinstance(tool, dict) else None

    def section(self, *names: str) -> tuple[dict[str, Any], str]:
        """The table holding any of `names`: cockpit.toml when it has one, else [tool.cockpit]; with where
        it came from ({} and "" when neither has)."""
        own = self.own.data
        if own is not None and any(name in own for name in names):
            return own, OWN
        tool = self.tool_cockpit()
        if isinstance(tool, dict) and any(name in tool for name in names):
            return tool, TOOL_SOURCE
        return {}, ""

    def errors(self, *files: TomlFile) -> list[str]:
        """`file name: problem` for each of `files` that exists and cannot be used."""
        return [f"{file.path.name}: {file.syntax_error or file.problem}" for file in files if file.problem]

    def approvals_file(self) -> TomlFile | None:
        """The file whose approvals apply: cockpit.toml when it exists, else pyproject.toml (None: neither)."""
        if self.own.exists:
            return self.own
        return self.pyproject if self.pyproject.exists else None
