"""Vibe judges the code, never cockpit's own files: `.agents/` (its reports, retros, handoffs, learnings) is
out of the diff vibe reads, as it is out of the tree id. Each vibe run through `cockpit vibe`, on a real
repository whose change adds a TODO, so every report written quotes a TODO finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_repo import git, init_repo, isolate_git

from cockpit.cli import main


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch, tmp_path)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    path = init_repo(tmp_path / "repo")
    (path / "app.py").write_text("def total(xs):\n    return sum(xs)\n")
    git(path, "add", "app.py")
    git(path, "commit", "-q", "-m", "total")
    (path / "app.py").write_text("def total(xs):\n    # TODO: skip None\n    return sum(x for x in xs if x)\n")
    monkeypatch.chdir(path)
    return path


def vibe(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    capsys.readouterr()
    assert main(["vibe", "--json", "--intent", "total skips None", *args]) in (0, 1, 2)
    return json.loads(capsys.readouterr().out)


def mentions_agents(result: dict) -> list[str]:
    return [f"{f['file']}: {f['message']}" for f in result["findings"]
            if ".agents" in f["file"] or ".agents" in f["message"]]


def test_later_vibes_never_judge_the_reports_earlier_vibes_wrote(repo: Path, capsys) -> None:
    first = vibe(capsys)
    assert [(f["check"], f["file"]) for f in first["findings"] if f["check"] == "todo"] == [("todo", "app.py")]
    for _ in range(4):
        again = vibe(capsys)
        assert mentions_agents(again) == []
        assert again["findings"] == first["findings"] and again["change"] == "working tree vs HEAD"
    reports = sorted((repo / ".agents" / "council").glob("*-vibe-*.md"))
    assert len(reports) == 5 and all("TODO" in r.read_text() for r in reports)
    # What Claude would be sent holds the code's diff and none of the reports.
    capsys.readouterr()
    assert main(["vibe", "--json", "--dry-run", "--intent", "total skips None"]) == 0
    sent = json.dumps(json.loads(capsys.readouterr().out)["messages"])
    assert "app.py" in sent and ".agents" not in sent


def test_reports_staged_or_committed_stay_out_of_the_staged_change_and_a_range(repo: Path, capsys) -> None:
    vibe(capsys)
    vibe(capsys)
    git(repo, "add", "-A")
    staged = vibe(capsys, "--staged", "--no-write")
    assert mentions_agents(staged) == [] and any(f["file"] == "app.py" for f in staged["findings"])
    git(repo, "commit", "-q", "-m", "skip None, with the vibe reports")
    ranged = vibe(capsys, "--range", "HEAD~1..HEAD", "--no-write")
    assert mentions_agents(ranged) == [] and any(f["file"] == "app.py" for f in ranged["findings"])


def test_a_change_only_to_agents_files_is_an_empty_change(repo: Path, capsys) -> None:
    git(repo, "commit", "-q", "-am", "the code change")
    (repo / ".agents" / "learnings").mkdir(parents=True)
    (repo / ".agents" / "learnings" / "note.md").write_text("# TODO: remember this\n")
    result = vibe(capsys, "--no-write")
    assert result["findings"] == [] and result["verdict"] == "PASS"
    assert result["change"] == "working tree vs HEAD"
    assert "the change is empty" in result["semantic_review"]
