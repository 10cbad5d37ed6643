"""Where transcripts live and what each file is (cockpit/sources/discovery.py, spec §1.1, §3.1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.core.models import Agent
from cockpit.sources.discovery import (
    classify_claude,
    classify_codex,
    claude_roots,
    codex_roots,
    discover_claude,
    discover_codex,
)

SID = "7f3c2a9e-4b1d-4e8a-9c55-2d1f0b6a8e31"
CODEX_ID = "019c8a70-dda7-7f33-98ea-f30553347322"


def _touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}\n")
    return path


def test_claude_roots_from_flags_env_and_defaults(tmp_path):
    (tmp_path / "a").mkdir()
    flags = claude_roots([str(tmp_path / "a"), str(tmp_path / "missing")])
    assert [(r.path, r.exists, r.origin) for r in flags] == [
        (str(tmp_path / "a"), True, "flag"), (str(tmp_path / "missing"), False, "flag")]

    env = claude_roots(env={"CLAUDE_CONFIG_DIR": f"{tmp_path / 'a'}, ,{tmp_path / 'b'}"})
    assert [(r.path, r.origin) for r in env] == [(str(tmp_path / "a"), "env"), (str(tmp_path / "b"), "env")]

    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    defaults = claude_roots(env={"HOME": str(home)})
    assert {r.path: r.exists for r in defaults} == {
        str(home / ".claude"): True, str(home / ".config" / "claude"): False}
    assert all(r.agent is Agent.CLAUDE for r in defaults)


def test_codex_roots_from_flags_env_and_default(tmp_path):
    assert codex_roots([str(tmp_path)])[0].origin == "flag"
    assert codex_roots(env={"CODEX_HOME": str(tmp_path)})[0].path == str(tmp_path)
    assert codex_roots(env={"HOME": str(tmp_path)})[0].path == str(tmp_path / ".codex")


def test_claude_layout_main_subagents_acompact_workflow_and_legacy_flat(tmp_path):
    project = tmp_path / "projects" / "-home-dev-shop"
    main = _touch(project / f"{SID}.jsonl")
    sub = _touch(project / SID / "subagents" / "agent-a2898e3.jsonl")
    acompact = _touch(project / SID / "subagents" / "agent-acompact-e1f845.jsonl")
    workflow = _touch(project / SID / "subagents" / "workflows" / "run1" / "agent-aw1.jsonl")
    legacy = _touch(project / "agent-b1f5d80e.jsonl")
    _touch(project / SID / "subagents" / "agent-a2898e3.meta.json")  # not a transcript
    errors: list[str] = []
    found = {f.path: f for f in discover_claude(claude_roots([str(tmp_path)]), errors)}
    assert errors == []
    assert set(found) == {str(p) for p in (main, sub, acompact, workflow, legacy)}
    assert (found[str(main)].session_id, found[str(main)].subagent) == (SID, False)
    assert (found[str(sub)].session_id, found[str(sub)].subagent, found[str(sub)].agent_id) == (SID, True, "a2898e3")
    assert found[str(acompact)].agent_id == "acompact-e1f845"
    assert (found[str(workflow)].session_id, found[str(workflow)].subagent) == (SID, True)
    # a legacy flat subagent names its session only in its lines
    assert (found[str(legacy)].session_id, found[str(legacy)].subagent) == ("", True)


def test_a_subagents_folder_above_the_root_does_not_make_sessions_subagents(tmp_path):
    # e.g. CLAUDE_CONFIG_DIR=/srv/subagents/claude: the main session used to be filed as a subagent of "srv"
    root = tmp_path / "subagents" / "claude"
    main = _touch(root / "projects" / "-w" / f"{SID}.jsonl")
    classified = classify_claude(str(main))
    assert (classified.session_id, classified.subagent) == (SID, False)
    flat_root = tmp_path / "x" / "subagents"
    assert classify_claude(str(_touch(flat_root / "projects" / f"{SID}.jsonl"))).subagent is False


def test_scan_uses_projects_folder_when_present(tmp_path):
    _touch(tmp_path / "projects" / "p" / "a.jsonl")
    _touch(tmp_path / "history.jsonl")  # global prompt history, not a session
    found = discover_claude(claude_roots([str(tmp_path)]), [])
    assert [Path(f.path).name for f in found] == ["a.jsonl"]


def test_symlinked_folders_are_not_followed_and_loops_are_reported_not_raised(tmp_path):
    project = tmp_path / "projects" / "p"
    _touch(project / "ok.jsonl")
    os.symlink(project, project / "loop")  # directory loop
    os.symlink("self.jsonl", project / "self.jsonl")  # symlink to itself
    errors: list[str] = []
    found = discover_claude(claude_roots([str(tmp_path)]), errors)
    assert [Path(f.path).name for f in found] == ["ok.jsonl"]
    assert any("self.jsonl" in e for e in errors)


def test_missing_and_empty_roots_give_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    errors: list[str] = []
    roots = claude_roots([str(tmp_path / "empty"), str(tmp_path / "missing")])
    assert discover_claude(roots, errors) == [] and errors == []
    assert discover_codex(codex_roots([str(tmp_path / "missing")]), errors) == []


def test_codex_rollouts_by_id_and_active_copy_wins_over_archived(tmp_path):
    name = f"rollout-2026-02-23T13-19-38-{CODEX_ID}.jsonl"
    active = _touch(tmp_path / "sessions" / "2026" / "02" / "23" / name)
    _touch(tmp_path / "archived_sessions" / name)
    other = _touch(tmp_path / "archived_sessions" / "rollout-2026-01-01T00-00-00-019c0000-0000-7000-8000-00000000000a.jsonl")
    _touch(tmp_path / "sessions" / "history.jsonl")
    found = {f.session_id: f.path for f in discover_codex(codex_roots([str(tmp_path)]), [])}
    assert found == {CODEX_ID: str(active), "019c0000-0000-7000-8000-00000000000a": str(other)}


@pytest.mark.parametrize(
    ("name", "session"),
    [
        (f"rollout-2026-02-23T13-19-38-{CODEX_ID}.jsonl", CODEX_ID),
        ("rollout-odd-name.jsonl", "rollout-odd-name"),
        ("notes.jsonl", None),
    ],
)
def test_classify_codex(name, session):
    tf = classify_codex(f"/x/{name}")
    assert (tf.session_id if tf else None) == session
