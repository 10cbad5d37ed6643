"""Snapshots of each screen at a fixed size, with a frozen clock and no watchers."""

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

from .conftest import Workspace


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


def test_dashboard_snapshot(workspace: Workspace, snap_compare) -> None:
    assert snap_compare(workspace.app(live_minutes=600, repo=NO_REPO), terminal_size=(130, 40), run_before=settled)


def test_session_screen_snapshot(workspace: Workspace, snap_compare) -> None:
    app = workspace.app(live_minutes=600, repo=NO_REPO)

    async def open_session(pilot) -> None:
        await settled(pilot)
        app.open_session("258c7280-ae70-4798-800f-63464d01a85d")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(130, 40), run_before=open_session)


def test_help_snapshot(workspace: Workspace, snap_compare) -> None:
    async def open_help(pilot) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(workspace.app(repo=NO_REPO), terminal_size=(130, 40), run_before=open_help)


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


def test_issues_and_gates_panes_snapshot(workspace: Workspace, snap_compare) -> None:
    from cockpit.core.gate_rules import GateRun
    from cockpit.sources.git import load_gate_config, tree_id
    from cockpit.store.db import connect
    from cockpit.store.gate_runs import record_run
    from cockpit.store.trust_records import trust_config

    repo = gated_repo()
    tree, _ = tree_id(str(repo))
    conn = connect(workspace.db)
    trust_config(conn, str(repo), load_gate_config(repo), "snapshot")  # what `cockpit trust` records
    record_run(conn, str(repo), GateRun("tests", tree, "2026-02-23T20:55:00.000000Z", 12.4, "pass", 0, "pytest -q",
                                        "12 passed\n", 10))
    record_run(conn, str(repo), GateRun("lint", "0" * 40, "2026-02-23T19:00:00.000000Z", 0.8, "fail", 1,
                                        "ruff check .", "E501\n", 5, "exit code 1"))
    conn.close()
    app = workspace.app(live_minutes=600, repo=str(repo))

    async def focus_gates(pilot) -> None:
        await settled(pilot)
        await pilot.press("4")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(150, 44), run_before=focus_gates)


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
    app = workspace.app(repo=NO_REPO)

    async def open_learnings(pilot) -> None:
        await settled(pilot)
        await pilot.press("L")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(110, 30), run_before=open_learnings)
