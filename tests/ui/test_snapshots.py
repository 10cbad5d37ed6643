"""Snapshots of every screen and modal at a fixed size, with a frozen clock and no watchers, and the dashboard
in the light theme."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cockpit.ui.widgets.gates_table import GatesTable
from cockpit.ui.widgets.issues_table import IssuesTable
from cockpit.ui.widgets.repo_pane import RepoPane

from .conftest import Workspace, wait_for


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The log's first lines depend on ANTHROPIC_API_KEY: every snapshot is taken without one."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


# A fixed path with no beads file, so the pane's one line is the same on every machine.
NO_REPO = "/nonexistent/cockpit-snapshot-repo"


async def settled(pilot) -> None:
    """The beads file and the repository are read in workers: wait for both so every snapshot is the same."""
    for _ in range(200):
        screen = pilot.app.screen
        if (screen.query(IssuesTable) and screen.query_one(IssuesTable).border_subtitle
                and screen.query_one(GatesTable).border_subtitle
                and hasattr(screen.query_one(RepoPane), "state")):
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


def pressing(*keys: str):
    """What a snapshot runs first: wait for the dashboard to settle, then press `keys`."""
    async def run_before(pilot) -> None:
        await settled(pilot)
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_dashboard_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(live_minutes=600, repo=NO_REPO), terminal_size=(130, 40), run_before=settled)


# Beside an agent's terminal: zoomed (one pane, the pane strip, the context line) below 36 rows, stacked above.
@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40), (140, 44)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_dashboard_in_a_split_snapshot(workspace: Workspace, snap_compare, size: tuple[int, int]) -> None:
    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)))
    assert snap_compare(app, terminal_size=size, run_before=settled)


def test_session_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600, repo=NO_REPO)

    async def open_session(pilot) -> None:
        await settled(pilot)
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_session)


def test_help_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(repo=NO_REPO), terminal_size=(130, 40), run_before=pressing("question_mark"))


# A fixed path: the panes show it. Rebuilt for each run with fixed dates, so HEAD and tree ids never change.
GATED_REPO = Path("/tmp/cockpit-snapshot-gated-repo")
GIT_ENV = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "d@example.com", "GIT_COMMITTER_NAME": "Dev",
           "GIT_COMMITTER_EMAIL": "d@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_DATE": "1771866000 +0000", "GIT_COMMITTER_DATE": "1771866000 +0000", "PATH": "/usr/bin:/bin"}
ISSUES = [
    {"id": "sn-1", "title": "Parse the new header", "status": "in_progress", "priority": 1, "assignee": "claude",
     "created_at": "2026-02-22T09:00:00Z"},
    {"id": "sn-2", "title": "Show the datum", "status": "open", "priority": 2, "created_at": "2026-02-21T09:00:00Z",
     "dependencies": [{"issue_id": "sn-2", "depends_on_id": "sn-1", "type": "blocks"}]},
    {"id": "sn-3", "title": "Document [bold]markup[/bold] safely", "status": "open", "priority": 3,
     "created_at": "2026-02-20T09:00:00Z"},
]
GATES = """[gates.tests]
command = "pytest -q"
required = true
[gates.lint]
command = "ruff check ."
auto = true
[gates.slow]
command = "sleep 1"
[gates.vibe]
kind = "verdict"
"""


def gated_repo() -> Path:
    shutil.rmtree(GATED_REPO, ignore_errors=True)
    GATED_REPO.mkdir(parents=True)
    (GATED_REPO / ".beads").mkdir()
    (GATED_REPO / ".beads" / "issues.jsonl").write_text("".join(json.dumps(i) + "\n" for i in ISSUES))
    (GATED_REPO / "cockpit.toml").write_text(GATES)
    council = GATED_REPO / ".agents" / "council"
    council.mkdir(parents=True)
    report = council / "2026-02-23-vibe-parser.md"
    report.write_text("# Vibe\n\n## Council Verdict: WARN\n")
    os.utime(report, (1771870000, 1771870000))  # after the commit: valid until the next one
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "sn-1: start"]):
        subprocess.run(["git", *args], cwd=GATED_REPO, env=GIT_ENV, check=True, capture_output=True)
    return GATED_REPO


def gated_workspace(workspace: Workspace, *, trusted: bool = True) -> Path:
    """The gated repository, trusted as `cockpit trust` would, with a passing and a failing run recorded."""
    from cockpit.config.gates import load_gate_config
    from cockpit.core.gate_rules import GateRun
    from cockpit.sources.git import tree_id
    from cockpit.store.db import connect
    from cockpit.store.gate_runs import record_run
    from cockpit.store.trust_records import trust_config

    repo = gated_repo()
    tree, _ = tree_id(str(repo))
    conn = connect(workspace.db)
    if trusted:
        trust_config(conn, str(repo), load_gate_config(repo), "snapshot")
    record_run(conn, str(repo), GateRun("tests", tree, "2026-02-23T20:55:00.000000Z", 12.4, "pass", 0, "pytest -q",
                                        "12 passed\n", 10))
    record_run(conn, str(repo), GateRun("lint", "0" * 40, "2026-02-23T19:00:00.000000Z", 0.8, "fail", 1,
                                        "ruff check .", "E501\n", 5, "exit code 1"))
    conn.close()
    return repo


def test_issues_and_gates_panes_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)))
    assert snap_compare(app, terminal_size=(150, 44), run_before=pressing("4"))


def test_dashboard_light_theme_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)), theme="cockpit-light")
    assert snap_compare(app, terminal_size=(150, 44), run_before=settled)


def test_gate_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.ui.screens.gate import GateScreen

    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)))

    async def open_gate(pilot) -> None:
        await settled(pilot)
        await pilot.press("4", "down", "enter")  # lint: its last run failed, on another tree
        await wait_for(lambda: isinstance(app.screen, GateScreen))
        await pilot.pause()
        assert isinstance(app.screen, GateScreen) and app.screen.gate == "lint"

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_gate)


def test_confirm_modal_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.ui.screens.confirm import ConfirmModal

    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace, trusted=False)))

    async def ask_to_run(pilot) -> None:
        await settled(pilot)
        await pilot.press("4", "r")  # an untrusted gate: r asks before anything runs
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)

    assert snap_compare(app, terminal_size=(130, 40), run_before=ask_to_run)


def test_issue_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.ui.screens.issue import IssueScreen

    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)))

    async def open_issue(pilot) -> None:
        await settled(pilot)
        await pilot.press("3", "down", "enter")  # sn-1, in progress: its commit is linked
        # The links (sessions, commits) are read in a worker.
        await wait_for(lambda: isinstance(app.screen, IssueScreen) and app.screen.links is not None)
        await pilot.pause()
        assert isinstance(app.screen, IssueScreen) and app.screen.issue.id == "sn-1" and app.screen.links is not None

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_issue)


def test_vibe_report_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.core.vibe_checks import Finding, render_report
    from cockpit.ui.screens.report import ReportScreen

    text = render_report(
        title="Parse the 2026 header", date="2026-02-23", slug="parse-the-2026-header", tree="a" * 40,
        verdict="FAIL", intent="tp-7kq.1: Parse the 2026 header\n\nKeep the old layout working.",
        intent_source="beads issue tp-7kq.1 (in progress, branch tp-7kq.1-header)", change="working tree vs HEAD",
        findings=[Finding("fail", "secrets", "github-token added", "src/config.py", 12),
                  Finding("warn", "tests", "code changed without any test change: src/parser.py"),
                  Finding("warn", "semantic review", "the Datum column is read but dropped", "src/parser.py", 31,
                          "review")],
        review_note="claude-sonnet-5: WARN — the header is detected; the Datum column is not kept",
        redaction="1 secret redacted before sending: 1 github-token",
        trimming="fits: 3,120 of 80,000 tokens; 3,301 input tokens (exact (API token count)) of a 80,000 budget",
        model="claude-sonnet-5")
    app = workspace.app(repo=NO_REPO)

    async def open_report(pilot) -> None:
        await settled(pilot)
        app.push_screen(ReportScreen("vibe FAIL", text))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 40), run_before=open_report)


def test_learnings_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.store.db import connect

    conn = connect(workspace.db)
    for title, category, confidence, source in (
        ("Hand off before 40 % of the window", "gotcha", "high", "mechanical"),
        ("`pytest -q` failed 4 times: after 3, change approach", "failure", "high", "mechanical"),
        ("Detect the CSV layout from the header row", "pattern", "medium", "claude"),
    ):
        conn.execute("INSERT INTO learnings (repo, path, title, body, category, confidence, session_id, source,"
                     " created_at) VALUES ('/r', '', ?, 'b', ?, ?, '258c7280-ae70', ?, '2026-02-23T20:00:00')",
                     (title, category, confidence, source))
    conn.close()
    assert snap_compare(workspace.app(repo=NO_REPO), terminal_size=(110, 30), run_before=pressing("L"))


def test_metrics_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.ui.screens.metrics import MetricsScreen

    app = workspace.app(live_minutes=600, repo=str(gated_workspace(workspace)))

    async def open_metrics(pilot) -> None:
        await settled(pilot)
        await pilot.press("M")
        # The report is built in a worker.
        await wait_for(lambda: isinstance(app.screen, MetricsScreen) and app.screen.report is not None)
        await pilot.pause()
        assert isinstance(app.screen, MetricsScreen) and app.screen.report is not None

    assert snap_compare(app, terminal_size=(110, 40), run_before=open_metrics)


SESSION = "258c7280-ae70-4798-800f-63464d01a85d"
EDIT = {"file_path": "src/parser.py", "old_string": "def parse(row):\n    return row[:3]\n",
        "new_string": "def parse(row):\n    # [bold]kept as written[/bold]\n    return row[:4]\n"}


def request(workspace: Workspace, status: str, received: str, **fields: object) -> None:
    from cockpit.store import approvals
    from cockpit.store.db import connect

    tool_name = str(fields.pop("tool_name", "Bash"))
    tool_input = fields.pop("tool_input", {"command": "git push origin main", "description": "Push to remote"})
    conn = connect(workspace.db)
    try:
        approvals.create(conn, {
            "agent": "claude", "event": "PermissionRequest", "session_id": SESSION, "cwd": "/home/dev/spotter",
            "tool_name": tool_name, "tool_input": tool_input, "input_hash": approvals.input_hash(tool_name, tool_input),
            "summary": fields.pop("summary", "git push origin main"), "received_at": received, **fields,
        }, status=status)
    finally:
        conn.close()


def test_approvals_history_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.store import approvals

    request(workspace, approvals.DECIDED, "2026-02-23T20:10:00.000Z", decision="allow", decided_by="cockpit-key",
            decided_at="2026-02-23T20:10:04.200Z", latency_ms=4200, policy="Bash(git push:*)")
    request(workspace, approvals.DECIDED, "2026-02-23T20:20:00.000Z", decision="deny", decided_by="cockpit-key",
            decided_at="2026-02-23T20:20:09.000Z", latency_ms=9000, reason="not on main", summary="git push -f")
    request(workspace, approvals.EXPIRED, "2026-02-23T20:30:00.000Z", decided_by="timeout",
            decided_at="2026-02-23T20:32:00.000Z", summary="rm -r build")
    assert snap_compare(workspace.app(repo=NO_REPO), terminal_size=(130, 30), run_before=pressing("h"))


def test_approval_modal_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.store import approvals
    from cockpit.ui.screens.approval import ApprovalModal

    request(workspace, approvals.PENDING, "2026-02-23T20:59:18.000Z", tool_name="Edit", tool_input=EDIT,
            summary="src/parser.py", policy="Edit(src/**)", policy_reason="edits outside tests")
    app = workspace.app(repo=NO_REPO, inbox=True, live_minutes=10_000_000)

    async def open_request(pilot) -> None:
        await settled(pilot)
        await wait_for(lambda: bool(app.pending))  # the inbox worker reads the store
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalModal)

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_request)


def test_approval_modal_in_an_80_column_split_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.store import approvals
    from cockpit.ui.screens.approval import ApprovalModal

    request(workspace, approvals.PENDING, "2026-02-23T20:59:18.000Z", policy="Bash(git push:*)")
    app = workspace.app(repo=NO_REPO, inbox=True, live_minutes=10_000_000)

    async def open_request(pilot) -> None:
        await settled(pilot)
        await wait_for(lambda: bool(app.pending))
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ApprovalModal)

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_request)
