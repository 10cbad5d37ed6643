"""The approvals inbox as a user drives it: a request arrives, a key decides, the store records it."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta

from store_faults import hold_write_lock, record
from textual.widgets import Button, Input

from cockpit.store import approvals
from cockpit.store.db import connect
from cockpit.ui.screens.approval import ApprovalModal
from cockpit.ui.screens.approvals_history import ApprovalsHistoryScreen
from cockpit.ui.screens.dashboard import DashboardScreen
from cockpit.ui.widgets.approvals_table import ApprovalsTable
from cockpit.ui.widgets.log_pane import LogPane

from .conftest import Workspace, wait_for

SESSION = "258c7280-ae70-4798-800f-63464d01a85d"
PUSH = {"command": "git push origin main", "description": "Push to remote"}


def ask(db_path, tool_input=PUSH, session=SESSION, policy="Bash(git push:*)", **extra) -> int:
    conn = connect(db_path)
    try:
        return approvals.create(conn, {
            "agent": "claude", "event": "PermissionRequest", "session_id": session, "cwd": "/home/dev/spotter",
            "tool_name": "Bash", "tool_input": tool_input, "input_hash": approvals.input_hash("Bash", tool_input),
            "summary": tool_input["command"], "policy": policy, "policy_reason": "push" if policy else "", **extra,
        })
    finally:
        conn.close()


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


async def open_first_request(app, pilot) -> None:
    """Wait for the request in the inbox, press a, and let the 300 ms debounce pass."""
    assert await wait_for(lambda: bool(app.pending))
    await pilot.press("a")
    await pilot.pause(0.35)


async def test_a_new_request_shows_in_the_inbox_and_y_allows_it(workspace: Workspace, monkeypatch) -> None:
    import cockpit.ui.screens.approval as approval_screen

    clock = [1000.0]
    monkeypatch.setattr(approval_screen, "monotonic", lambda: clock[0])
    app = workspace.app(inbox=True, live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        table = app.screen.query_one(ApprovalsTable)
        assert await wait_for(lambda: table.row_count == 1)
        assert "approval needed" in app.screen.query_one(LogPane).entries[-1]
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalModal)
        assert app.focused is not None and app.focused.id == "cancel"  # Cancel has focus
        # A "y" 290 ms after the modal opened (a double press, a held key) decides nothing.
        clock[0] += 0.29
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalModal)
        assert record(workspace.db, rid).status == approvals.PENDING
        clock[0] += 0.02
        await pilot.press("y")
        assert await wait_for(lambda: record(workspace.db, rid).status == approvals.DECIDED)
        decided = record(workspace.db, rid)
        assert (decided.decision, decided.decided_by) == ("allow", "cockpit-key")
        assert decided.latency_ms is not None and decided.latency_ms >= 0
        assert await wait_for(lambda: table.row_count == 0)


async def test_n_denies_with_the_typed_reason(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        await open_first_request(app, pilot)
        await pilot.press("n")
        reason = app.screen.query_one("#reason", Input)
        assert reason.has_focus
        await pilot.press(*"use a PR instead", "enter")
        assert await wait_for(lambda: record(workspace.db, rid).status == approvals.DECIDED)
        decided = record(workspace.db, rid)
        assert (decided.decision, decided.reason) == ("deny", "use a PR instead")


async def test_escape_cancels_without_deciding(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        await open_first_request(app, pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)
        await pilot.pause(0.2)
        assert record(workspace.db, rid).status == approvals.PENDING


async def test_shift_a_allows_the_rule_for_the_rest_of_the_session(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        await open_first_request(app, pilot)
        await pilot.press("A")
        assert await wait_for(lambda: record(workspace.db, rid).status == approvals.DECIDED)
        conn = connect(workspace.db)
        assert approvals.session_allows(conn, SESSION, "Bash(git push:*)")
        assert not approvals.session_allows(conn, "another-session", "Bash(git push:*)")
        conn.close()


async def test_a_decision_for_a_changed_input_is_refused(workspace: Workspace) -> None:
    rid = ask(workspace.db)
    conn = connect(workspace.db)
    other = approvals.input_hash("Bash", {"command": "git push --force origin main"})
    assert not approvals.decide(conn, rid, other, "allow")
    assert approvals.get(conn, rid).status == approvals.PENDING
    assert approvals.decide(conn, rid, approvals.input_hash("Bash", PUSH), "deny", reason="no")
    # Once decided, a second decision changes nothing.
    assert not approvals.decide(conn, rid, approvals.input_hash("Bash", PUSH), "allow")
    assert approvals.get(conn, rid).decision == "deny"
    conn.close()


async def test_read_only_removes_every_approving_key(workspace: Workspace) -> None:
    app = workspace.app(inbox=True, read_only=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        assert await wait_for(lambda: bool(app.pending))
        await pilot.press("a")
        assert not isinstance(app.screen, ApprovalModal)
        await pilot.press("5", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalModal)
        assert not app.screen.query("#allow")
        await pilot.pause(0.35)
        await pilot.press("y", "A", "n")
        await pilot.pause(0.2)
        assert record(workspace.db, rid).status == approvals.PENDING
        conn = connect(workspace.db)
        # A read-only cockpit does not count as someone who can answer.
        assert not approvals.cockpit_alive(conn)
        conn.close()


async def test_request_answered_in_the_terminal_leaves_the_inbox(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        assert await wait_for(lambda: bool(app.pending))
        conn = connect(workspace.db)
        conn.execute(
            "INSERT INTO hook_events (agent, session_id, event, received_at, tool_name, input_hash) VALUES (?,?,?,?,?,?)",
            ("claude", SESSION, "PostToolUse", approvals.now_iso(), "Bash", approvals.input_hash("Bash", PUSH)),
        )
        conn.close()
        assert await wait_for(lambda: not app.pending)
        assert record(workspace.db, rid).status == approvals.ANSWERED_IN_TERMINAL
        assert any("answered in the terminal" in e for e in app.screen.query_one(LogPane).entries)
        await pilot.pause()


async def test_history_screen_lists_every_request(workspace: Workspace) -> None:
    first = ask(workspace.db)
    ask(workspace.db, {"command": "rm -rf build"}, policy="Bash(rm -rf:*)")
    conn = connect(workspace.db)
    approvals.decide(conn, first, approvals.input_hash("Bash", PUSH), "deny", reason="not today")
    conn.close()
    app = workspace.app()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, ApprovalsHistoryScreen)
        from textual.widgets import DataTable

        table = app.screen.query_one("#history", DataTable)
        assert table.row_count == 2
        await pilot.press("slash", *"not today")
        await pilot.pause()
        assert table.row_count == 1


async def test_a_request_answered_behind_the_inbox_is_not_opened(workspace: Workspace, monkeypatch) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        assert await wait_for(lambda: bool(app.pending))
        conn = connect(workspace.db)
        approvals.close(conn, rid, approvals.EXPIRED, "timeout")
        conn.close()
        # The inbox has not polled yet: pressing a must look at the store, not at the stale list.
        app.pending = (approvals.get(connect(workspace.db), rid),)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert app.pending == ()


def test_a_huge_write_is_shown_cut_with_a_count_and_escapes_stripped() -> None:
    from cockpit.ui.screens.approval import MAX_SHOWN_LINES, render_tool_input

    content = "\n".join(f"line {i} \x1b[31mred\x1b[0m [bold]x[/bold]" for i in range(5000))
    text = render_tool_input("Write", {"file_path": "big.txt", "content": content})
    lines = text.plain.splitlines()
    assert len(lines) <= MAX_SHOWN_LINES + 2
    assert lines[-1].startswith("… ") and "more diff lines not shown" in lines[-1]
    assert "\x1b" not in text.plain and "[bold]x[/bold]" in text.plain


async def test_y_pressed_while_the_store_is_busy_is_written_once_the_lock_is_released(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db)
        await open_first_request(app, pilot)
        holder = hold_write_lock(workspace.db, 3.0)
        await pilot.press("y")
        log = app.screen.query_one(LogPane)
        # The UI stays responsive and says the decision is on its way.
        assert await wait_for(lambda: any(f"request {rid} allow: pending…" in e for e in log.entries), 4)
        assert record(workspace.db, rid).status == approvals.PENDING
        assert not app.pending  # answered: it does not come back while the write waits
        assert await wait_for(lambda: record(workspace.db, rid).status == approvals.DECIDED, 8)
        assert await wait_for(lambda: any(e.endswith(f"request {rid} allowed") for e in log.entries))
        holder.join()
        await pilot.pause()


async def test_a_decision_that_cannot_be_written_in_time_is_reported_with_the_error(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        # The hook answers (gives up) in 1.5 s: the store stays locked longer than that.
        at = datetime.now(UTC) + timedelta(seconds=1.5)
        deadline = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
        rid = ask(workspace.db, deadline_at=deadline)
        await open_first_request(app, pilot)
        holder = hold_write_lock(workspace.db, 4.0)
        await pilot.press("y")
        log = app.screen.query_one(LogPane)
        assert await wait_for(lambda: any("could not be written before the hook's deadline" in e
                                          and "database is locked" in e for e in log.entries), 6)
        holder.join()
        assert record(workspace.db, rid).decision is None
        await pilot.pause()


async def test_a_request_whose_hook_died_leaves_the_inbox_and_cannot_be_approved(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(140, 45)) as pilot:
        rid = ask(workspace.db, hook_pid=os.getpid())
        await open_first_request(app, pilot)
        assert isinstance(app.screen, ApprovalModal)
        # The hook is killed while the human reads the request.
        conn = connect(workspace.db)
        conn.execute("UPDATE approvals SET hook_pid = ? WHERE id = ?", (dead_pid(), rid))
        conn.close()
        await pilot.press("y")
        log = app.screen.query_one(LogPane)
        assert await wait_for(lambda: any(f"request {rid}" in e and "its hook is gone" in e for e in log.entries)
                              or any(f"request {rid} gone" in e for e in log.entries))
        gone = record(workspace.db, rid)
        assert (gone.status, gone.decision) == (approvals.GONE, None)
        assert not app.pending
        # Pressing a on it again (a stale list) says why it cannot be answered.
        app.pending = (gone,)
        app.dashboard.inbox.open_request(rid)
        await pilot.pause()
        assert any(f"request {rid} cannot be answered: its hook is gone" in e for e in log.entries)


async def test_no_toast_covers_the_dialog_buttons_beside_an_agent_terminal(workspace: Workspace) -> None:
    app = workspace.app(inbox=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        ask(workspace.db)
        await open_first_request(app, pilot)
        assert isinstance(app.screen, ApprovalModal)
        app.notify("a gate failed while the dialog was open", severity="error")
        await pilot.pause()
        for button in app.screen.query(Button):
            at, _ = app.screen.get_widget_at(*button.region.center)
            assert button in at.ancestors_with_self, f"{button.id} is covered by {at}"
        await pilot.press("escape")
        await pilot.pause()
        # Back on the dashboard the toasts are shown again; the log has them all the while.
        assert isinstance(app.screen, DashboardScreen)
        assert any(toast.display for toast in app.screen.query("Toast"))
        assert any("approval needed" in entry for entry in app.screen.query_one(LogPane).entries)


async def test_the_waited_for_clock_ticks_only_while_a_request_waits(workspace: Workspace) -> None:
    from cockpit.ui.widgets.inbox_pane import InboxPane

    app = workspace.app(inbox=True, live_minutes=10_000_000)
    async with app.run_test(size=(140, 45)) as pilot:
        pane = app.screen.query_one(InboxPane)
        await pilot.pause()
        assert pane.waited_timer is None  # nothing waits: nothing wakes the dashboard every second
        rid = ask(workspace.db, hook_pid=os.getpid())
        assert await wait_for(lambda: bool(app.pending))
        assert pane.waited_timer is not None
        conn = connect(workspace.db)
        try:
            assert approvals.close(conn, rid, approvals.ANSWERED_IN_TERMINAL, "terminal")
        finally:
            conn.close()
        assert await wait_for(lambda: not app.pending)
        assert pane.waited_timer is None
