"""The critical-step policy of a tool call: the user's `[approvals]` (config/user.py) tightened by the
repository's (config/repo.py; core/policy_layers.py says how far each may go).

Imported by the hook on every tool call: stdlib only, and TOML is parsed only when a file exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cockpit.config.repo import RepoConfig
from cockpit.config.toml_file import TomlFile
from cockpit.config.user import read_user_config
from cockpit.core.policy import Policy
from cockpit.core.policy_layers import approvals_table, layered_policy

NOT_APPLIED = "its approval settings are not applied"


def repo_root(cwd: str) -> str:
    """The nearest folder holding .git, without resolving symlinks (the agent's paths are not resolved either)."""
    path = os.path.abspath(cwd or ".")
    candidate = path
    while True:
        if os.path.exists(os.path.join(candidate, ".git")):
            return candidate
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return path
        candidate = parent


def repo_config_path(root: str) -> Path | None:
    """The repository file whose approvals apply: cockpit.toml, else pyproject.toml, at the root."""
    file = RepoConfig(root).approvals_file()
    return file.path if file is not None else None


def _table(file: TomlFile | None, data: Any) -> tuple[Any, str | None]:
    """The approvals table (None when absent) and an error line when the file cannot be used."""
    if file is None or not file.exists:
        return None, None
    if file.problem:
        return None, f"{file.path}: {file.problem}; {NOT_APPLIED}"
    return data, None


def load_policy(cwd: str, *, user_config: Path | None = None) -> tuple[Policy, str]:
    """The policy for a tool call in `cwd`, and the repository root it is judged against."""
    root = repo_root(cwd)
    user = read_user_config(user_config)
    user_table, user_error = _table(user.file, user.table("approvals"))
    repo_file = RepoConfig(root).approvals_file()
    repo_table, repo_error = _table(repo_file, approvals_table(repo_file.data or {}, repo_file.path.name)
                                    if repo_file is not None else None)
    repo_source = (f"{repo_file.path} [tool.cockpit.approvals]" if repo_file is not None
                   and repo_file.path.name == "pyproject.toml" else f"{repo_file.path if repo_file else None} [approvals]")
    errors = tuple(e for e in (user_error, repo_error) if e)
    return layered_policy(user_table, repo_table, user_source=f"{user.path} [approvals]",
                          repo_source=repo_source, errors=errors), root
