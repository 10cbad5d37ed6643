"""The files the critical-step policy comes from: the user's config and the repository's.

Imported by the hook on every tool call: stdlib only, and TOML is parsed only when a file exists.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from cockpit.core.policy import Policy
from cockpit.core.policy_layers import approvals_table, layered_policy

REPO_CONFIG_NAMES = ("cockpit.toml", "pyproject.toml")


def user_config_path() -> Path:
    """$COCKPIT_CONFIG, else the per-user config file (the CLI and the hooks must agree)."""
    if os.environ.get("COCKPIT_CONFIG"):
        return Path(os.environ["COCKPIT_CONFIG"]).expanduser()
    if sys.platform.startswith("linux"):
        # platformdirs' answer on Linux, without its import on the hook's path.
        base = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.expanduser("~/.config")
        return Path(base) / "cockpit" / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir("cockpit", appauthor=False)) / "config.toml"


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
    """cockpit.toml, else pyproject.toml, at the repository root."""
    for name in REPO_CONFIG_NAMES:
        candidate = os.path.join(root, name)
        if os.path.isfile(candidate):
            return Path(candidate)
    return None


def read_table(path: Path | None) -> tuple[Any, str | None]:
    """The file's approvals table (None when absent) and an error line when it cannot be read."""
    if path is None:
        return None, None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(4 * 1024 * 1024 + 1)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"{path}: cannot read ({exc.strerror or exc}); its approval settings are not applied"
    if len(raw) > 4 * 1024 * 1024:
        return None, f"{path}: larger than 4 MiB; its approval settings are not applied"
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return None, f"{path}: not valid TOML ({exc}); its approval settings are not applied"
    return approvals_table(data, path.name), None


def load_policy(cwd: str, *, user_config: Path | None = None) -> tuple[Policy, str]:
    """The policy for a tool call in `cwd`, and the repository root it is judged against."""
    root = repo_root(cwd)
    user_path = user_config or user_config_path()
    user_table, user_error = read_table(user_path)
    repo_path = repo_config_path(root)
    repo_table, repo_error = read_table(repo_path)
    repo_source = (f"{repo_path} [tool.cockpit.approvals]" if repo_path is not None and repo_path.name ==
                   "pyproject.toml" else f"{repo_path} [approvals]")
    errors = tuple(e for e in (user_error, repo_error) if e)
    return layered_policy(user_table, repo_table, user_source=f"{user_path} [approvals]",
                          repo_source=repo_source, errors=errors), root
