"""The real Claude Code and Codex CLI executables the end-to-end tests drive, where scripts/dev.py put them.

`python3 scripts/dev.py test` installs each pinned client into `.cache/clients/` with npm and names its
executable in COCKPIT_TEST_CLAUDE / COCKPIT_TEST_CODEX, or says why there is none in
COCKPIT_TEST_CLAUDE_MISSING / COCKPIT_TEST_CODEX_MISSING. Run directly, pytest finds the executables in
`.cache/clients/` itself (dev.py's own lookup). Without one, `client_binary` skips and says why.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

ClientName = Literal["claude", "codex"]


def _dev() -> Any:
    spec = importlib.util.spec_from_file_location("cockpit_dev_script", REPO_ROOT / "scripts" / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


DEV = _dev()
CLAUDE_VERSION: str = DEV.CLAUDE_VERSION
CODEX_VERSION: str = DEV.CODEX_VERSION


@dataclass(frozen=True)
class Client:
    label: str
    version: str
    found_env: str  # the executable dev.py installed
    missing_env: str  # why dev.py could not install it
    cached: Callable[[], Path | None]  # the executable in .cache/clients/, or None
    needed_by: str  # what needs it, for the skip reason


CLIENTS: dict[ClientName, Client] = {
    "claude": Client("Claude Code", CLAUDE_VERSION, DEV.CLAUDE_ENV, DEV.CLAUDE_MISSING_ENV, DEV.claude_binary,
                     "these tests"),
    "codex": Client("Codex", CODEX_VERSION, DEV.CODEX_ENV, DEV.CODEX_MISSING_ENV, DEV.codex_binary, "this test"),
}


def find_client(name: ClientName) -> tuple[Path | None, str]:
    """The executable dev.py named, else the one in .cache/clients/; or why none is."""
    client = CLIENTS[name]
    named = os.environ.get(client.found_env)
    if named and os.access(named, os.X_OK):
        return Path(named), ""
    found = client.cached()
    if found is not None:
        return found, ""
    why = os.environ.get(client.missing_env) or "it is not installed"
    return None, (f"{client.label} {client.version} is needed for {client.needed_by} and {why}; "
                  "`python3 scripts/dev.py test` installs it with npm")


def client_binary(name: ClientName) -> Path:
    """The client's executable; the calling test (or fixture) skips, saying why, when there is none."""
    exe, why = find_client(name)
    if exe is None:
        pytest.skip(why)
    return exe
