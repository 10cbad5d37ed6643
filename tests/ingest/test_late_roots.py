"""A transcript folder that appears while the live ingest runs is followed without a restart: `~/.claude` or
`~/.codex` created after start, or the `projects` / `sessions` folder inside one. Real folders, a real
LiveIngest thread (watchfiles and polling), the roots resolved as the dashboard resolves them (from HOME)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import claude_assistant, claude_user, codex_rollout_lines, write_jsonl

from cockpit.ingest.live import LiveIngest, LiveUpdate
from cockpit.sources.discovery import claude_roots, codex_roots
from ingest.test_store_faults import wait_until

CODEX_ID = "019c8a70-dda7-7f33-98ea-f30553347322"
MODES = pytest.mark.parametrize("force_polling", [False, True], ids=["watchfiles", "polling"])


class Running:
    """A LiveIngest on HOME's default roots, in its own thread, and what it reported."""

    def __init__(self, home: Path, db: Path, force_polling: bool) -> None:
        env = {"HOME": str(home)}
        self.db = db
        self.updates: list[LiveUpdate] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()
        self.live = LiveIngest(str(db), claude_roots(env=env), codex_roots(env=env), self.updates.append,
                               poll_seconds=0.1, force_polling=force_polling)
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.live.run(self.stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.errors.append(exc)

    def sessions(self) -> dict[str, int]:
        conn = sqlite3.connect(self.db, timeout=10)
        try:
            return dict(conn.execute("SELECT session_id, calls FROM sessions").fetchall())
        finally:
            conn.close()


@pytest.fixture
def running(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[bool], Running]]:
    started: list[Running] = []

    def start(force_polling: bool) -> Running:
        run = Running(tmp_path / "home", tmp_path / "cockpit.db", force_polling)
        run.thread.start()
        assert wait_until(lambda: any(u.catch_up for u in run.updates)), "no catch-up"
        started.append(run)
        return run

    (tmp_path / "home").mkdir()
    yield start
    for run in started:
        run.stop.set()
        run.thread.join(timeout=10)
        assert not run.thread.is_alive() and run.errors == []


def claude_turns(session: str, start: int, count: int) -> list[dict]:
    lines: list[dict] = []
    for n in range(start, start + count):
        lines += [claude_user(2 * n, f"prompt {n}", session=session), claude_assistant(2 * n + 1, session=session)]
    return lines


@MODES
def test_a_claude_folder_created_after_start_is_followed(tmp_path: Path, running, force_polling: bool) -> None:
    run = running(force_polling)
    assert run.live.folders() == [] and run.sessions() == {}
    transcript = tmp_path / "home" / ".claude" / "projects" / "-home-dev-proj" / "late.jsonl"
    write_jsonl(transcript, claude_turns("late", 0, 2))
    assert wait_until(lambda: run.sessions().get("late") == 2), run.sessions()
    # Once followed, what the agent appends arrives like anywhere else.
    write_jsonl(transcript, claude_turns("late", 2, 3), mode="a")
    assert wait_until(lambda: run.sessions().get("late") == 5), run.sessions()
    assert run.live.folders() == [str(transcript.parents[1])]


@MODES
def test_a_projects_folder_created_in_an_existing_claude_dir_is_followed(tmp_path: Path, running,
                                                                         force_polling: bool) -> None:
    claude = tmp_path / "home" / ".claude"
    claude.mkdir()
    # The prompt history sits beside the projects folder: it is no session, before or after.
    write_jsonl(claude / "history.jsonl", [{"display": "hello", "timestamp": 1771000000000, "project": "/w"}])
    run = running(force_polling)
    write_jsonl(claude / "projects" / "-w" / "s.jsonl", claude_turns("s", 0, 1))
    assert wait_until(lambda: run.sessions().get("s") == 1), run.sessions()
    write_jsonl(claude / "projects" / "-w" / "s.jsonl", claude_turns("s", 1, 1), mode="a")
    assert wait_until(lambda: run.sessions().get("s") == 2), run.sessions()
    assert set(run.sessions()) == {"s"}


@MODES
def test_a_codex_home_created_after_start_is_followed(tmp_path: Path, running, force_polling: bool) -> None:
    run = running(force_polling)
    folder = tmp_path / "home" / ".codex" / "sessions" / "2026" / "02" / "23"
    rollout = folder / f"rollout-2026-02-23T11-55-00-{CODEX_ID}.jsonl"
    lines = codex_rollout_lines()
    write_jsonl(rollout, lines[:4])
    assert wait_until(lambda: CODEX_ID in run.sessions()), run.sessions()
    write_jsonl(rollout, lines[4:], mode="a")
    assert wait_until(lambda: run.sessions().get(CODEX_ID) == 1), run.sessions()
