"""Fixtures of the real-client tests: the Claude Code and Codex executables (tests/e2e/clients.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .clients import client_binary


@pytest.fixture(scope="module")
def claude_exe() -> Path:
    """The pinned Claude Code's executable; the test skips, saying why, without it."""
    return client_binary("claude")


@pytest.fixture(scope="module")
def codex_exe() -> Path:
    """The pinned Codex CLI's executable; the test skips, saying why, without it."""
    return client_binary("codex")
