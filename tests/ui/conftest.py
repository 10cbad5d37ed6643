"""Fixtures for UI tests: a workspace of real transcripts copied to tmp_path, a fixed clock, no watchers."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.config.settings import Settings
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import Root, claude_roots, codex_roots
from cockpit.store.db import open_db
from cockpit.ui.app import CockpitApp, make_app

# Real transcripts the tests carry (tests/data/README.md): no neighbour folder is needed.
SHARED = Path(__file__).resolve().parents[1] / "data"
# Two hours after the last Codex rollout of the real data, so those sessions are live at 180 min.
FROZEN_NOW = datetime(2026, 2, 23, 21, 0, 0, tzinfo=UTC)


@dataclass
class Workspace:
    root: Path
    claude: Path
    codex: Path
    db: Path

    def roots(self) -> tuple[list[Root], list[Root]]:
        return claude_roots([str(self.claude)]), codex_roots([str(self.codex)])

    def ingest(self) -> None:
        claude, codex = self.roots()
        Ingestor(open_db(self.db), claude, codex).ingest_all()

    def app(self, *, live: bool = False, live_minutes: float = 180.0, clock=lambda: FROZEN_NOW, **kwargs) -> CockpitApp:
        claude, codex = self.roots()
        return make_app(
            db_path=str(self.db), claude_roots=claude, codex_roots=codex,
            settings=Settings(live_minutes=live_minutes), clock=clock, live=live,
            **{"repo": str(self.root), **kwargs},
        )


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    claude = tmp_path / "claude" / "projects" / "-home-dev-spotter"
    claude.mkdir(parents=True)
    spotter = SHARED / "claude" / "spotter"
    for name in ("258c7280-ae70-4798-800f-63464d01a85d", "short"):
        shutil.copy(spotter / f"{name}.jsonl", claude / f"{name}.jsonl")
    shutil.copytree(spotter / "258c7280-ae70-4798-800f-63464d01a85d", claude / "258c7280-ae70-4798-800f-63464d01a85d")
    codex = tmp_path / "codex"
    codex.mkdir()
    for path in (SHARED / "codex" / "localpush").glob("rollout-*.jsonl"):
        shutil.copy(path, codex / path.name)
    ws = Workspace(tmp_path, tmp_path / "claude", codex, tmp_path / "cockpit.db")
    ws.ingest()
    return ws


async def wait_for(predicate, seconds: float = 5.0) -> bool:
    """Poll `predicate` until it holds (workers and watchers report asynchronously); its last value."""
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return predicate()
