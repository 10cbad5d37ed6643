"""scripts/dev.py test: the suite on two pytest-xdist workers, every argument forwarded, `-n 0` to opt out."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.clients import DEV as dev  # scripts/dev.py, loaded once by the real-client tests


@pytest.mark.parametrize(("args", "cpus", "expected"), [
    ([], 2, ["-n", "2", "--dist", "loadfile"]),
    (["tests/ui", "-x", "-k", "live"], 8, ["-n", "2", "--dist", "loadfile", "tests/ui", "-x", "-k", "live"]),
    (["-n", "0", "tests/core"], 2, ["-n", "2", "--dist", "loadfile", "-n", "0", "tests/core"]),  # the later -n wins
    (["tests/core"], 1, ["tests/core"]),
    (["tests/core"], None, ["tests/core"]),
    (["-p", "no:xdist", "tests/core"], 2, ["-p", "no:xdist", "tests/core"]),
    (["-pno:xdist"], 2, ["-pno:xdist"]),
])
def test_pytest_args(args: list[str], cpus: int | None, expected: list[str]) -> None:
    assert dev.pytest_args(args, cpus) == expected


def test_the_test_command_runs_pytest_with_the_workers_and_every_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[tuple[list[str], dict[str, str]]] = []

    class Done:
        returncode = 3

    def run(args: list[str], cwd: Path, env: dict[str, str]) -> Done:
        assert cwd == dev.ROOT
        ran.append((args, env))
        return Done()

    monkeypatch.setattr(dev, "ensure_venv", lambda: None)
    monkeypatch.setattr(dev, "ensure_claude", lambda: (Path("/opt/claude"), ""))
    monkeypatch.setattr(dev, "ensure_codex", lambda: (None, "npm is not on PATH"))
    monkeypatch.setattr(dev.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(dev.subprocess, "run", run)
    assert dev.main(["test", "tests/ui", "-q"]) == 3
    (args, env), = ran
    assert args == [str(dev.BIN / "python"), "-m", "pytest", "-n", "2", "--dist", "loadfile", "tests/ui", "-q"]
    assert env[dev.CLAUDE_ENV] == "/opt/claude"
    assert dev.CODEX_ENV not in env and env[dev.CODEX_MISSING_ENV] == "npm is not on PATH"
