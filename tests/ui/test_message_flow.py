"""What the background work tells the screens, read through Textual's message hook: the typed messages, in
the order a user's key press and the store produce them."""

from __future__ import annotations

from store_faults import hold_write_lock, record
from textual.message import Message

from cockpit.core.gate_rules import GateRun, GateState
from cockpit.sources.watcher import preferred_mode
from cockpit.store import approvals
from cockpit.ui.messages import (
    ApprovalsChanged,
    BeadsLoaded,
    DecisionPending,
    DecisionWritten,
    GateRunFinished,
    GatesRead,
    RepoRead,
    TranscriptsIngested,
)

from .conftest import Workspace, wait_for
from .test_approvals import ask, open_first_request
from .test_gates_pane import QUICK, make_repo, state_of
from .test_live import CODEX_LIVE, _token_count

EVENTS = preferred_mode()  # inotify on Linux, watchfiles elsewhere


class Posted:
    """Every message dispatched while the app runs, once each (a bubbling message is dispatched at each node)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._ids: set[int] = set()

    def __call__(self, message: Message) -> None:
        if id(message) not in self._ids:
            self._ids.add(id(message))
            self.messages.append(message)

    def of(self, *kinds: type[Message]) -> list[Message]:
        return [m for m in self.messages if isinstance(m, kinds)]


async def test_r_on_a_gate_posts_the_run_then_the_board_it_left(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, QUICK)
    posted = Posted()
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50), message_hook=posted) as pilot:
        assert await wait_for(lambda: state_of(app, "check") is GateState.UNKNOWN)
        first = posted.of(RepoRead, GatesRead)
        assert [type(m) for m in first[:2]] == [RepoRead, GatesRead]  # the repository, then its gates
        before = len(posted.messages)
        await pilot.press("4", "r")
        assert await wait_for(lambda: state_of(app, "check") is GateState.PASS)
        after = [m for m in posted.messages[before:] if isinstance(m, GatesRead | GateRunFinished)]
        finished = [m for m in after if isinstance(m, GateRunFinished)]
        assert len(finished) == 1 and isinstance(finished[0].run, GateRun)
        assert (finished[0].run.gate, finished[0].run.outcome) == ("check", "pass")
        # The board is read again when the run starts (running) and once it is stored (pass). A read
        # already on its way when `r` was pressed may land first, still saying unknown.
        boards = [m.board.get("check").state for m in after if isinstance(m, GatesRead)]  # type: ignore[union-attr]
        assert GateState.RUNNING in boards and boards[-1] is GateState.PASS
        assert set(boards[: boards.index(GateState.RUNNING)]) <= {GateState.UNKNOWN}
        assert after.index(finished[0]) < len(after) - 1 and isinstance(after[-1], GatesRead)


async def test_y_while_the_store_is_busy_posts_pending_then_written(workspace: Workspace) -> None:
    posted = Posted()
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45), message_hook=posted) as pilot:
        rid = ask(workspace.db)
        await open_first_request(app, pilot)
        changed = posted.of(ApprovalsChanged)
        assert changed and [r.id for r in changed[-1].pending] == [rid]  # type: ignore[attr-defined]
        holder = hold_write_lock(workspace.db, 1.5)
        await pilot.press("y")
        assert await wait_for(lambda: bool(posted.of(DecisionWritten)), 8)
        holder.join()
        flow = posted.of(DecisionPending, DecisionWritten)
        assert isinstance(flow[0], DecisionPending) and "locked" in flow[0].error
        written = flow[-1]
        assert isinstance(written, DecisionWritten) and written.ok
        assert (written.decision.request_id, written.decision.decision) == (rid, "allow")
        assert all(isinstance(m, DecisionPending) for m in flow[:-1])
        assert record(workspace.db, rid).status == approvals.DECIDED


async def test_an_appended_line_posts_the_sessions_it_changed(workspace: Workspace) -> None:
    posted = Posted()
    app = workspace.app(live=True, live_minutes=120)
    rollout = next(workspace.codex.glob("*019c8bfe*.jsonl"))
    async with app.run_test(size=(140, 45), message_hook=posted) as pilot:
        assert await wait_for(lambda: app.watch_mode == EVENTS, 10)
        catch_up = posted.of(TranscriptsIngested)
        assert len(catch_up) == 1 and catch_up[0].update.catch_up  # type: ignore[attr-defined]
        with rollout.open("a") as handle:
            handle.write(_token_count("2026-02-23T20:59:00.000Z", 999_999, 120_000))

        def appended() -> list[TranscriptsIngested]:
            return [m for m in posted.of(TranscriptsIngested) if isinstance(m, TranscriptsIngested) and m.update.lines]

        assert await wait_for(lambda: bool(appended()), 8)
        update = appended()[0]
        assert not update.update.catch_up and update.update.lines == 1
        assert update.update.sessions == frozenset({CODEX_LIVE}) and update.watch_mode == EVENTS
        await pilot.pause()


async def test_the_beads_read_posts_the_queue_and_the_sessions_linked_to_it(workspace: Workspace) -> None:
    path = workspace.root / "repo" / ".beads" / "issues.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "x-1", "title": "first", "status": "open"}\n')
    posted = Posted()
    app = workspace.app(repo=str(path.parents[1]))
    async with app.run_test(size=(140, 45), message_hook=posted):
        assert await wait_for(lambda: bool(posted.of(BeadsLoaded)))
        loaded = posted.of(BeadsLoaded)[0]
        assert isinstance(loaded, BeadsLoaded)
        assert loaded.beads.path == path and loaded.queue.ready == ("x-1",) and loaded.session_issues == {}


async def test_a_first_catch_up_posts_the_newest_sessions_as_they_land_then_says_it_caught_up(
        workspace: Workspace, monkeypatch) -> None:
    from cockpit.ingest import pipeline

    for suffix in ("", "-wal", "-shm"):
        workspace.db.with_name(workspace.db.name + suffix).unlink(missing_ok=True)  # a first run: an empty store
    monkeypatch.setattr(pipeline, "FIRST_COMMIT_BYTES", 1)
    monkeypatch.setattr(pipeline, "NOTICE_SECONDS", 0.0)
    posted = Posted()
    app = workspace.app(live=True, live_minutes=120)
    async with app.run_test(size=(140, 45), message_hook=posted) as pilot:
        assert await wait_for(lambda: app.watch_mode == EVENTS, 15)
        updates = [m for m in posted.of(TranscriptsIngested) if isinstance(m, TranscriptsIngested)]
        notices, final = updates[:-1], updates[-1]
        assert notices and final.update.catch_up and final.update.progress is None
        assert all(m.update.progress is not None and not m.update.catch_up for m in notices)
        assert all(m.watch_mode.startswith("catching up ") and m.watch_mode.endswith(" MB") for m in notices)
        # Every session is told once it is stored; the last group is told by the catch-up's own update.
        told = set().union(*(m.update.sessions for m in notices))
        assert told and told < final.update.sessions
        await pilot.pause()
