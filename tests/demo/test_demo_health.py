"""The demo shows the health flags: a loop in the second Claude session when it opens (cleared once its Task
returns), and a conflict on the first Claude session and the Codex session once Codex patches parser.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cockpit.core.health import HealthRules
from cockpit.demo.workspace import Simulator, create_workspace
from cockpit.ingest.pipeline import Ingestor
from cockpit.services.health import session_health
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def titles(db: object) -> dict[str, str]:
    rows = db.execute("SELECT session_id, title, first_prompt FROM sessions").fetchall()  # type: ignore[attr-defined]
    return {title or first: sid for sid, title, first in rows}


def health_at(ws: object, when: datetime) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    db = open_db(ws.root / "cockpit.db")  # type: ignore[attr-defined]
    Ingestor(db, claude_roots([str(ws.claude_dir)]), codex_roots([str(ws.codex_dir)])).ingest_all()  # type: ignore[attr-defined]
    health = session_health(db, when, 60.0, HealthRules())
    by_title = titles(db)
    kinds = {title: tuple(f.kind for f in health.get(sid, ())) for title, sid in by_title.items()}
    details = {title: " ".join(f.detail for f in health.get(sid, ())) for title, sid in by_title.items()}
    db.conn.close()
    return kinds, details


def test_the_demo_opens_with_a_loop_and_plays_into_a_conflict(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "demo", now=NOW)
    kinds, details = health_at(ws, NOW)
    assert kinds["Find the slow tests"] == ("loop",)
    assert "Bash failed 3 times in a row with the same input" in details["Find the slow tests"]
    assert all(not k for title, k in kinds.items() if title != "Find the slow tests"), kinds

    elapsed = [0.0]
    sim = Simulator(ws, speed=1.0, clock=lambda: NOW + timedelta(seconds=elapsed[0]))
    conflict_seen = False
    while not sim.finished:
        elapsed[0] += sim.step()
        if not conflict_seen and elapsed[0] > 20 and int(elapsed[0]) % 10 == 0:
            kinds, _ = health_at(ws, NOW + timedelta(seconds=elapsed[0]))
            conflict_seen = "conflict" in kinds["Support the 2026 NOAA CSV layout in the parser"]
    claude_main = "Support the 2026 NOAA CSV layout in the parser"
    assert conflict_seen  # while the demo plays, not only at its end
    end = NOW + timedelta(seconds=elapsed[0])
    kinds, details = health_at(ws, end)
    codex = next(title for title in kinds if "--json flag" in title)
    assert kinds[claude_main] == ("conflict",) and kinds[codex] == ("conflict",)
    assert "src/tidepool/parser.py also edited by" in details[claude_main]
    assert kinds["Find the slow tests"] == ()  # the Task came back: the loop is over
