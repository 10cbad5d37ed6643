"""How every configuration file is read: a regular file of at most 4 MiB, UTF-8 TOML, parsed once.

A file the agent replaced with a FIFO or a device never blocks the reader, and a file that cannot be
used is a message, never an exception: each reader says what that costs (defaults, detection).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cockpit.sources.files import read_regular

CONFIG_READ_LIMIT = 4 * 1024 * 1024
UNREADABLE = f"not a readable regular file of at most {CONFIG_READ_LIMIT // 2**20} MiB"


class TomlFile:
    """A read file. A plain class, not a dataclass: the hooks import this on every tool call, and building a
    dataclass costs them a millisecond."""

    __slots__ = ("path", "exists", "raw", "data", "unreadable", "syntax_error")

    def __init__(self, path: Path, exists: bool = False, raw: bytes | None = None, data: dict[str, Any] | None = None,
                 *, unreadable: bool = False, syntax_error: str = "") -> None:
        self.path = path
        self.exists = exists
        self.raw = raw  # the bytes parsed: what a fingerprint hashes
        self.data = data  # None: absent, unreadable or not TOML
        self.unreadable = unreadable
        self.syntax_error = syntax_error  # tomllib's message, with the line and column

    @property
    def problem(self) -> str:
        """Why the file cannot be used, in words ("" when it can, or is absent)."""
        if self.unreadable:
            return UNREADABLE
        return f"not valid TOML ({self.syntax_error})" if self.syntax_error else ""


def read_toml(path: Path) -> TomlFile:
    """The file at `path`; TOML is imported only when there is a file to parse (the hooks read this)."""
    if not os.path.lexists(path):
        return TomlFile(path)
    raw = read_regular(path, CONFIG_READ_LIMIT)
    if raw is None:
        return TomlFile(path, True, unreadable=True)
    import tomllib

    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as exc:
        return TomlFile(path, True, raw, syntax_error=str(exc))
    return TomlFile(path, True, raw, data)
