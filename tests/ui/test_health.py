"""Health in the dashboard: a loop shows in the sessions pane, raises one toast, one log line and one FleetEvent
when it starts (not again while it lasts), and clears itself when a different call succeeds; the session
screen lists it. Real-format transcripts written into a temp dir, the real store and the real worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.ui.messages import FleetEvent
from cockpit.ui.widgets.log_pane import LogPane
from cockpit.ui.widgets.sessions_table import COLUMNS, SessionsTable

from .conftest import Workspace, wait_for

LOOPING = "55555555-5555-4555-8555-555555555555"
HEALTHY = "66666666-6666-4666-8666-666666666666"
CWD = "/home/dev/proj"
ERROR = "Exit code 2\n[bold red]make: no rule[/] to make target 'build'"


def ago(minutes: float) -> str:
    moment = datetime.now(UTC) - timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def line(sid: str, n: int, kind: str, minutes: float, message: dict[str, Any], **extra: Any) -> str:
    obj = {"type": kind, "sessionId": sid, "uuid": f"{sid[:4]}-{n}", "isSidechain": False, "cwd": CWD,
           "version": "2.1.39", "timestamp": ago(minutes), "message": message, **extra}
    return json.dumps(obj) + "\n"


def tool(sid: str, n: int, name: str, tool_input: dict[str, Any], minutes: float, error: str | None) -> str:
    usage = {"input_tokens": 3, "output_tokens": 40, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 9000}
    use = {"model": "claude-opus-4-6", "id": f"msg_{sid[:4]}_{n}", "type": "message", "role": "assistant",
           "stop_reason": "tool_use", "usage": usage,
           "content": [{"type": "tool_use", "id": f"toolu_{sid[:4]}_{n}", "name": name, "input": tool_input}]}
    result = {"type": "tool_result", "tool_use_id": f"toolu_{sid[:4]}_{n}", "content": error or "fine",
              "is_error": error is not None}
    return (line(sid, 2 * n, "assistant", minutes, use, requestId=f"req_{sid[:4]}_{n}")
            + line(sid, 2 * n + 1, "user", minutes - 0.1, {"role": "user", "content": [result]}))


def write_sessions(projects: Path) -> Path:
    folder = projects / "-home-dev-proj"
    folder.mkdir(parents=True, exist_ok=True)
    looping = folder / f"{LOOPING}.jsonl"
    looping.write_text(
        line(LOOPING, 0, "user", 6, {"role": "user", "content": "make the build pass"})
        + "".join(tool(LOOPING, n, "Bash", {"command": "make build"}, 5 - n, ERROR) for n in (1, 2, 3)),
        encoding="utf-8")
    (folder / f"{HEALTHY}.jsonl").write_text(
        line(HEALTHY, 0, "user", 4, {"role": "user", "content": "read it"})
        + tool(HEALTHY, 1, "Read", {"file_path": f"{CWD}/a.py"}, 3, None), encoding="utf-8")
    return looping


def health_workspace(tmp_path: Path) -> tuple[Workspace, Path]:
    claude, codex = tmp_path / "claude", tmp_path / "codex"
    codex.mkdir()
    looping = write_sessions(claude / "projects")
    ws = Workspace(tmp_path, claude, codex, tmp_path / "cockpit.db")
    ws.ingest()
    return ws, looping


def log_lines(app: Any, needle: str) -> list[str]:
    return [e for e in app.dashboard.query_one(LogPane).entries if needle in e]


def toasts(app: Any, needle: str) -> int:
    return sum(needle in str(toast.render()) for toast in app.screen.query("Toast"))


async def test_a_loop_is_toasted_logged_and_posted_once_and_clears(tmp_path: Path) -> None:
    ws, looping = health_workspace(tmp_path)
    events: list[FleetEvent] = []

    def hook(message: object) -> None:
        if isinstance(message, FleetEvent) and message.kind == "health" and message not in events:
            events.append(message)

    app = ws.app(live_minutes=30, clock=lambda: datetime.now(UTC))
    async with app.run_test(size=(160, 45), notifications=True, message_hook=hook) as pilot:
        table = app.screen.query_one(SessionsTable)
        table.check_health()
        assert await wait_for(lambda: bool(table.health.get(LOOPING)))
        await pilot.pause()
        assert [f.kind for f in table.health[LOOPING]] == ["loop"] and table.health[HEALTHY] == ()
        column = COLUMNS.index("health")
        assert table.get_row(LOOPING)[column].plain == "! loop"
        assert table.get_row(HEALTHY)[column].plain == ""
        assert len(log_lines(app, "health: claude 55555555")) == 1
        assert "loop: Bash failed 3 times in a row with the same input" in log_lines(app, "health:")[0]
        assert toasts(app, "loop · claude 55555555") == 1  # one short line per flag; the detail is in the log
        assert "[bold red]make: no rule[/]" in log_lines(app, "health:")[0]  # the error text as written, not markup
        assert [(e.key, e.active, e.session_id) for e in events] == [(f"health:loop:{LOOPING}", True, LOOPING)]

        # Read again with nothing changed: the flag lasts, nothing is said twice.
        table.check_health()
        await pilot.pause()
        assert await wait_for(lambda: table._health_worker is not None and table._health_worker.is_finished)
        await pilot.pause()
        assert len(log_lines(app, "health:")) == 1 and toasts(app, "loop · claude") == 1 and len(events) == 1

        # The session screen lists it.
        app.open_session(LOOPING)
        await pilot.pause()
        section = str(app.screen.query_one("#session-summary").render())
        assert "health ! loop since" in section and "[bold red]make: no rule[/]" in section
        await pilot.press("escape")
        await pilot.pause()

        # A different call succeeds: the run is over, the flag clears and its event is withdrawn.
        with open(looping, "a", encoding="utf-8") as handle:
            handle.write(tool(LOOPING, 9, "Read", {"file_path": f"{CWD}/Makefile"}, 0.5, None))
        ws.ingest()
        table.check_health()
        assert await wait_for(lambda: table.health.get(LOOPING) == ())
        await pilot.pause()
        assert table.get_row(LOOPING)[column].plain == ""
        assert len(log_lines(app, "loop cleared")) == 1
        assert [(e.key, e.active) for e in events] == [(f"health:loop:{LOOPING}", True), (f"health:loop:{LOOPING}", False)]
        assert toasts(app, "loop · claude") == 1  # the clearing is no new toast


def codex_rollout(root: Path, sid: str, minutes: float, parent: str | None = None) -> None:
    start = datetime.now(UTC) - timedelta(minutes=minutes)
    path = root / f"rollout-{start:%Y-%m-%dT%H-%M-%S}-{sid}.jsonl"
    source: Any = "cli" if parent is None else {"subagent": {"thread_spawn": {"parent_thread_id": parent, "depth": 1}}}
    usage = {"input_tokens": 9000, "cached_input_tokens": 0, "output_tokens": 100, "reasoning_output_tokens": 0,
             "total_tokens": 9100}
    lines = [
        {"timestamp": ago(minutes), "type": "session_meta", "payload": {"id": sid, "timestamp": ago(minutes), "cwd": CWD,
                                                                       "cli_version": "0.104.0", "source": source}},
        {"timestamp": ago(minutes), "type": "turn_context", "payload": {"turn_id": "t", "cwd": CWD, "model": "gpt-5.3-codex"}},
        {"timestamp": ago(minutes), "type": "event_msg", "payload": {"type": "user_message", "message": f"work {sid[-2:]}"}},
        {"timestamp": ago(minutes - 0.5), "type": "event_msg", "payload": {"type": "token_count", "info": {
            "total_token_usage": usage, "last_token_usage": usage, "model_context_window": 258_400}}},
    ]
    path.write_text("".join(json.dumps(obj) + "\n" for obj in lines), encoding="utf-8")


async def test_codex_sub_threads_sit_under_their_parent_in_the_sessions_pane(tmp_path: Path) -> None:
    ws, _ = health_workspace(tmp_path)
    parent, child = "019c0000-0000-7000-8000-0000000000a1", "019c0000-0000-7000-8000-0000000000b2"
    codex_rollout(ws.codex, parent, 9)
    codex_rollout(ws.codex, child, 0.5, parent=parent)  # the newest session: listed first on its own
    ws.ingest()
    app = ws.app(live_minutes=30, clock=lambda: datetime.now(UTC))
    async with app.run_test(size=(160, 45)):
        table = app.screen.query_one(SessionsTable)
        order = [str(row.key.value) for row in table.ordered_rows]
        assert order.index(child) == order.index(parent) + 1
        assert table.get_row(child)[0].plain == "└ codex" and table.get_row(parent)[0].plain == "codex"
