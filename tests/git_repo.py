"""Repositories for tests, built with the git CLI under one fixed identity and no user or system config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# One identity and no user or system config: what every test repository is committed with.
IDENTITY = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
            "GIT_COMMITTER_EMAIL": "dev@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
ENV = {**IDENTITY, "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}
# For a process that also runs the tests' own tools (python, cockpit): the caller's PATH.
ENV_WITH_PATH = {**IDENTITY, "HOME": "/nonexistent", "PATH": os.environ["PATH"]}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def git(cwd: Path, *args: str, **extra: str) -> str:
    """`git ARGS` in `cwd` (extra environment variables as keywords); its stdout, stripped."""
    return subprocess.run(["git", *args], cwd=cwd, env={**ENV, **extra}, check=True, capture_output=True,
                          text=True).stdout.strip()


def init_repo(path: Path, branch: str = "main", message: str = "first") -> Path:
    """A repository holding a.txt and a .gitignore, committed once."""
    path.mkdir()
    git(path, "init", "-q", "-b", branch)
    (path / "a.txt").write_text("alpha\n")
    (path / ".gitignore").write_text("*.log\nbuild/\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", message)
    return path


def isolate_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The code under test calls git with os.environ: no user config, and no hook variables leaking in."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def tid(root: Path, *, staged: bool = False) -> str:
    """The tree id cockpit computes for `root`, which must have one."""
    from cockpit.sources.git import tree_id

    tree, error = tree_id(str(root), staged=staged)
    assert error == "" and len(tree) == 40, error
    return tree
