"""The user's own config file (`config.toml`; COCKPIT_CONFIG or `--config` choose another): read here, once.

It holds the tables only the user may set, each interpreted by one module that names any bad key:
`[dashboard]`, `[gates]`, `[retention]`, `[health]`, `[quota]`, `[notify]` and `[budget]` (config/settings.py), `[approvals]` (config/policy.py, which
lets this file loosen the policy) and `[keys]` (config/keys.py). Any other top-level name is reported.
A repository's files never decide these. Stdlib only: the hooks read `[approvals]` on every tool call.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from cockpit.config.toml_file import TomlFile, read_toml

TABLES = ("approvals", "budget", "dashboard", "gates", "health", "keys", "notify", "quota", "retention")


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


class UserConfig:
    """The file as read (a plain class for the hooks' sake, like TomlFile)."""

    __slots__ = ("file", "unknown")

    def __init__(self, file: TomlFile, unknown: tuple[str, ...] = ()) -> None:
        self.file = file
        self.unknown = unknown  # top-level names that are none of TABLES

    @property
    def path(self) -> Path:
        return self.file.path

    @property
    def exists(self) -> bool:
        return self.file.exists

    @property
    def problem(self) -> str:
        """Why the file cannot be used at all ("" when it can): everything in it is then left out."""
        return self.file.problem

    def table(self, name: str) -> Any:
        """The value of top-level `name` as written (None when absent); its reader checks its shape."""
        return (self.file.data or {}).get(name)

    def errors(self) -> list[str]:
        """The file's own problems, each naming the file: unusable, or a top-level name that is no table of ours."""
        if self.problem:
            return [f"{self.path}: {self.problem}"]
        return [f"{self.path}: [{name}] is not a settings table (known: {', '.join(TABLES)})" for name in self.unknown]


def read_user_config(path: Path | None = None) -> UserConfig:
    """The user's config file at `path` (None: `user_config_path()`); a missing file is an empty config."""
    file = read_toml(path if path is not None else user_config_path())
    return UserConfig(file, tuple(sorted(k for k in (file.data or {}) if k not in TABLES)))
