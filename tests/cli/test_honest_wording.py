"""What the headless commands say is true and whole: no grade on too small a sample, hidden issues counted,
issues given with their fields, the session `context` picked named with the reason, git's messages quoted
whole, counts with the right plural. Every case through `cockpit.cli.main`, on real repositories and files."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import claude_assistant, claude_user, write_jsonl
from git_repo import git, init_repo, isolate_git

from cockpit.cli import main

GRADES = ("ELITE", "HIGH", "MEDIUM", "LOW")
DUBIOUS = ("fatal: detected dubious ownership in repository at '{repo}'\n"
           "To add an exception for this directory, call:\n\n\tgit config --global --add safe.directory {repo}\n")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit made now, as cwd; a HOME with no transcripts; a database of its own."""
    isolate_git(monkeypatch, tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / "home" / ".codex"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.setenv("COCKPIT_DB", str(tmp_path / "cockpit.db"))
    path = init_repo(tmp_path / "repo", message="feat: first")
    monkeypatch.chdir(path)
    return path


def commit_at(repo: Path, name: str, when: datetime, subject: str) -> None:
    (repo / name).write_text(f"{subject}\n")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", subject, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)


# ---- report: no grade below the minimum sample ------------------------------------------------


def test_report_on_a_single_commit_gives_no_grade_and_says_why(repo: Path, capsys) -> None:
    code, text, _ = run(capsys, "report")
    assert code == 0
    assert "git: 1 commit over 0.25 active h" in text
    assert "no grades: too few commits to grade: 1 (needs 5)" in text
    assert not any(grade in text for grade in GRADES), text
    code, out, _ = run(capsys, "report", "--json")
    git_part = json.loads(out)["git"]
    assert (git_part["graded"], git_part["ungraded_reason"]) == (False, "too few commits to grade: 1 (needs 5)")
    assert git_part["velocity"] == {"value": 4.0, "rating": "n/a"}
    code, markdown, _ = run(capsys, "report", "--markdown")
    assert "No grades: too few commits to grade: 1 (needs 5)." in markdown
    assert not any(grade in markdown for grade in GRADES)


def test_report_grades_five_commits_over_more_than_an_hour(repo: Path, capsys) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    for i in range(5):
        commit_at(repo, f"f{i}.txt", start + timedelta(minutes=20 * i), f"feat: step {i}")
    code, out, _ = run(capsys, "report", "--json")
    git_part = json.loads(out)["git"]
    assert git_part["commits"] == 6 and git_part["graded"] is True and git_part["ungraded_reason"] is None
    assert git_part["velocity"]["rating"] in GRADES
    _, text, _ = run(capsys, "report")
    assert "no grades" not in text and f"commits/h  {git_part['velocity']['rating']}" in text


# ---- issues: ephemeral issues counted, --show-ephemeral, --json with fields --------------------


def _beads(repo: Path) -> None:
    rows = [
        {"id": "r-1", "title": "Real work", "status": "open", "priority": 1, "issue_type": "feature",
         "assignee": "ana", "labels": ["ui", "p1"], "created_at": "2026-11-01T10:00:00Z",
         "description": "Make the pane scroll."},
        {"id": "r-2", "title": "Waits on r-1", "status": "open", "priority": 2,
         "dependencies": [{"issue_id": "r-2", "depends_on_id": "r-1", "type": "blocks"}]},
        {"id": "r-3", "title": "Doing", "status": "in_progress", "assignee": "bo"},
    ] + [{"id": f"r-wisp-{i}", "title": f"patrol {i}", "status": "open", "priority": 2, "ephemeral": True}
         for i in range(3)]
    (repo / ".beads").mkdir()
    write_jsonl(repo / ".beads" / "issues.jsonl", rows)


def test_issues_count_the_ephemeral_issues_they_hide_and_show_them_on_request(repo: Path, capsys,
                                                                              monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no `bd` to compare with
    _beads(repo)
    code, text, _ = run(capsys, "issues")
    assert code == 0 and "Ready (1)" in text and "3 ephemeral hidden; --show-ephemeral to list" in text
    assert "r-wisp" not in text and "(6 issues, 0 lines skipped)" in text
    _, shown, _ = run(capsys, "issues", "--show-ephemeral")
    assert "ephemeral hidden" not in shown
    section = shown[shown.index("Ephemeral"):]
    assert section.startswith("Ephemeral, left out of Ready as `bd ready` leaves them (3)")
    assert [w for w in ("r-wisp-0", "r-wisp-1", "r-wisp-2") if w in section] == ["r-wisp-0", "r-wisp-1", "r-wisp-2"]


def test_issues_json_gives_each_issue_with_its_fields(repo: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    _beads(repo)
    _, out, _ = run(capsys, "issues", "--json")
    data = json.loads(out)
    [ready] = data["ready"]
    assert {k: ready[k] for k in ("id", "title", "status", "priority", "issue_type", "assignee", "labels",
                                  "created_at", "description", "blocked_by", "ephemeral")} == {
        "id": "r-1", "title": "Real work", "status": "open", "priority": 1, "issue_type": "feature",
        "assignee": "ana", "labels": ["ui", "p1"], "created_at": "2026-11-01T10:00:00+00:00",
        "description": "Make the pane scroll.", "blocked_by": [], "ephemeral": False}
    assert [(i["id"], i["blocked_by"], i["dependencies"]) for i in data["blocked"]] == [
        ("r-2", ["r-1"], [{"depends_on_id": "r-1", "type": "blocks"}])]
    assert [(i["id"], i["assignee"]) for i in data["in_progress"]] == [("r-3", "bo")]
    assert data["ephemeral_hidden"] == 3 and "ephemeral" not in data
    _, out, _ = run(capsys, "issues", "--json", "--show-ephemeral")
    data = json.loads(out)
    assert data["ephemeral_hidden"] == 0
    assert [(i["id"], i["ephemeral"]) for i in data["ephemeral"]] == [(f"r-wisp-{i}", True) for i in range(3)]


# ---- context: which session, and why ----------------------------------------------------------


def _session(root: Path, session: str, ago_minutes: float, title: str) -> None:
    when = datetime.now(UTC) - timedelta(minutes=ago_minutes)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    write_jsonl(root / "projects" / "-home-dev-proj" / f"{session}.jsonl", [
        claude_user(0, title, session=session, timestamp=stamp),
        claude_assistant(1, session=session, timestamp=stamp)])


def test_context_names_the_session_it_picked_and_why(repo: Path, tmp_path: Path, capsys) -> None:
    claude = tmp_path / "claude"
    _session(claude, "aaaa1111-old", 300, "an old task")
    _session(claude, "bbbb2222-live", 5, "the older live task")
    _session(claude, "cccc3333-live", 1, "the newest live task")
    flags = ("--claude-dir", str(claude))
    code, text, _ = run(capsys, "context", *flags)
    session, picked, gauge = text.splitlines()
    assert code == 0 and gauge.startswith("ctx ")
    assert session == "session cccc3333-live · claude · proj · the newest live task"
    assert picked == "picked: the newest live session (active in the last 30 min; 1 other live, `cockpit sessions` lists them)"
    _, out, _ = run(capsys, "context", "aaaa", "--json", *flags)
    data = json.loads(out)
    assert (data["session_id"], data["picked"]) == ("aaaa1111-old", "the newest session whose id starts with 'aaaa'")
    assert data["project"] == "/home/dev/proj"
    _, text, _ = run(capsys, "context", "bbbb2222-live", *flags)
    assert text.splitlines()[:2] == ["session bbbb2222-live · claude · proj · the older live task",
                                     "picked: the session named"]
    _, text, _ = run(capsys, "context", "--live-minutes", "0.5", *flags)
    assert text.splitlines()[:2] == [
        "session cccc3333-live · claude · proj · the newest live task",
        "picked: the most recently active session (none is live: none active in the last 0.5 min)"]


# ---- doctor: git's messages whole -------------------------------------------------------------


def _doctor_repository_lines(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("repository:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    return lines[start:end]


def test_doctor_quotes_gits_dubious_ownership_message_whole(repo: Path, tmp_path: Path, capsys,
                                                            monkeypatch) -> None:
    """git's own message, as git 2.35.2 and later print it, from a git on PATH that answers with it."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(f"#!/bin/sh\nprintf '%s' \"{DUBIOUS.format(repo=repo)}\" >&2\nexit 128\n")
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}{os.pathsep}{os.environ['PATH']}")
    assert_doctor_quotes_dubious_whole(capsys, repo)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a repository to another user")
def test_doctor_quotes_the_real_git_message_for_a_repository_owned_by_another_user(repo: Path, tmp_path: Path,
                                                                                  capsys) -> None:
    for path in (repo, *repo.rglob("*")):
        os.chown(path, 4321, 4321, follow_symlinks=False)
    probe = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, capture_output=True, text=True)
    assert "dubious ownership" in probe.stderr, probe.stderr
    assert_doctor_quotes_dubious_whole(capsys, repo)


def assert_doctor_quotes_dubious_whole(capsys: pytest.CaptureFixture[str], repo: Path) -> None:
    code, text, _ = run(capsys, "doctor")
    assert code == 0
    assert _doctor_repository_lines(text) == [
        f"repository: none at {repo}:",
        f"    fatal: detected dubious ownership in repository at '{repo}'",
        "    To add an exception for this directory, call:",
        f"    git config --global --add safe.directory {repo}",
    ]
    _, out, _ = run(capsys, "doctor", "--json")
    assert json.loads(out)["repo"]["error"] == DUBIOUS.format(repo=repo).strip()
    code, _, err = run(capsys, "vibe")
    assert code == 2 and err.startswith(f"cockpit vibe: fatal: detected dubious ownership in repository at '{repo}'\n")
    assert err.rstrip().endswith(f"\n    git config --global --add safe.directory {repo}")


# ---- plurals ------------------------------------------------------------------------------------


def test_counts_of_one_are_singular(repo: Path, tmp_path: Path, capsys) -> None:
    claude = tmp_path / "claude"
    _session(claude, "dddd4444", 1, "one task")
    flags = ("--claude-dir", str(claude))
    _, text, _ = run(capsys, "index", *flags)
    assert text.startswith("indexed 1 file (") and ", 2 lines) in " in text and "s; 1 session in " in text
    _, text, _ = run(capsys, "doctor", *flags)
    assert f"  ok claude {claude}  (flag, 1 file)" in text and "files: 1 (0 subagent files)" in text
    _, text, _ = run(capsys, "context", *flags)
    assert " · 0 compactions · " in text
    _, text, _ = run(capsys, "report")
    assert "git: 1 commit over" in text and "(0 fixes)" in text
    assert "interventions: 0 approval requests, 0 denied, 0 interrupts" in text
    _beads(repo)
    commit_at(repo, "b.txt", datetime.now(UTC), "fix: typo in the pane (r-3)")
    _, text, _ = run(capsys, "report")
    assert "git: 2 commits over" in text and "(1 fix)" in text
    [row] = [line for line in text.splitlines() if line.startswith("  r-3 ")]
    assert " 0 sessions   1 commit  " in row
