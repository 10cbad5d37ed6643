"""The scratch world a real client runs in (test_real_claude.py, test_real_codex.py): one temporary root
holding the HOME, the git repository and cockpit's store, and the clean environment every run starts from."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

VENV_BIN = Path(sys.executable).parent


@dataclass
class ScratchWorld:
    root: Path
    exe: Path  # the client's executable
    home: Path = field(init=False)
    repo: Path = field(init=False)
    db: Path = field(init=False)

    def __post_init__(self) -> None:
        self.home = self.root / "home"
        self.repo = self.root / "repo"
        self.db = self.root / "cockpit.db"

    def base_env(self) -> dict[str, str]:
        """Nothing of the developer's own set-up leaks in: the venv first on PATH, the scratch HOME and TMPDIR,
        git with a test identity and no system config. A world adds its client's variables."""
        return {
            "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")]),
            "HOME": str(self.home),
            "TMPDIR": str(self.root / "tmp"),
            "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
            "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid",
        }
