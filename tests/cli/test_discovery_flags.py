"""`--claude-dir` replaces only Claude's discovery and `--codex-dir` only Codex's: a user pointing cockpit at
one agent's folder keeps the other agent's sessions. Through `cockpit.cli.main`, with a HOME holding both
agents' default folders and a folder elsewhere for each."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cockpit.cli import main

DATA = Path(__file__).parents[1] / "data"
ROLLOUTS = sorted((DATA / "codex" / "localpush").glob("rollout-*.jsonl"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """~/.claude with the session `short`, ~/.codex with one rollout; elsewhere a Claude folder with the session
    `subagent` and a Codex folder with another rollout."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    for root, name in ((home / ".claude", "short"), (tmp_path / "other-claude", "subagent")):
        (root / "projects" / "-w").mkdir(parents=True)
        shutil.copy(DATA / "claude" / "spotter" / f"{name}.jsonl", root / "projects" / "-w" / f"{name}.jsonl")
    day = home / ".codex" / "sessions" / "2026" / "02" / "23"
    day.mkdir(parents=True)
    shutil.copy(ROLLOUTS[0], day / ROLLOUTS[0].name)
    (tmp_path / "other-codex").mkdir()
    shutil.copy(ROLLOUTS[1], tmp_path / "other-codex" / ROLLOUTS[1].name)
    return home


def listed(capsys: pytest.CaptureFixture[str], db: Path, *flags: str) -> set[tuple[str, str]]:
    capsys.readouterr()
    assert main(["sessions", "--all", "--json", "--db", str(db), *flags]) == 0
    return {(s["agent"], s["session_id"]) for s in json.loads(capsys.readouterr().out)}


def test_each_flag_replaces_only_its_own_agents_discovery(home: Path, tmp_path: Path, capsys) -> None:
    mine, theirs = (r.stem[-36:] for r in ROLLOUTS[:2])  # a rollout's session id ends its name
    assert listed(capsys, tmp_path / "a.db") == {("claude", "short"), ("codex", mine)}
    assert listed(capsys, tmp_path / "b.db", "--claude-dir", str(tmp_path / "other-claude")) == {
        ("claude", "subagent"), ("codex", mine)}
    assert listed(capsys, tmp_path / "c.db", "--codex-dir", str(tmp_path / "other-codex")) == {
        ("claude", "short"), ("codex", theirs)}
    assert listed(capsys, tmp_path / "d.db", "--claude-dir", str(tmp_path / "other-claude"),
                  "--codex-dir", str(tmp_path / "other-codex")) == {("claude", "subagent"), ("codex", theirs)}


def test_doctor_names_where_each_agents_folder_comes_from(home: Path, tmp_path: Path, capsys) -> None:
    capsys.readouterr()
    assert main(["doctor", "--json", "--db", str(tmp_path / "e.db"), "--codex-dir", str(tmp_path / "other-codex")]) == 0
    roots = [(r["agent"], r["path"], r["origin"], r["files"]) for r in json.loads(capsys.readouterr().out)["roots"]]
    assert roots == [("claude", str(home / ".claude"), "default", 1),
                     ("claude", str(home / ".config" / "claude"), "default", 0),
                     ("codex", str(tmp_path / "other-codex"), "flag", 1)]
