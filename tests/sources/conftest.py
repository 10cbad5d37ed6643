"""Fixtures for the sources that run git: an isolated git, and a repository committed once."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import init_repo, isolate_git


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    isolate_git(monkeypatch, tmp_path)


@pytest.fixture
def repo(tmp_path: Path, isolated_git: None) -> Path:
    return init_repo(tmp_path / "repo")
