"""Gate runs in the store, the gate board, `cockpit gates`, and the git pre-commit entry with its installer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from git_repo import ENV_WITH_PATH

from cockpit.cli import main
from cockpit.core.gate_rules import GateState
from cockpit.hooks.githook import CHAINED, MARKER, install_pre_commit, uninstall_pre_commit
from cockpit.services.gate_board import read_board
from cockpit.sources.gaterunner import run_gate
from cockpit.store.db import connect
from cockpit.store.gate_runs import record_run, runs_for

ENV = ENV_WITH_PATH

GATES = """
[gates.check]
command = "test -f ok.txt && echo fine"
required = true

[gates.lint]
command = "exit 2"
"""


def git(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, env=ENV, check=check, capture_output=True, text=True)


def trust(repo: Path, db: Path) -> None:
    """What the user does once after reading the configuration: `cockpit trust`."""
    assert main(["trust", "--repo", str(repo), "--db", str(db)]) == 0


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose cockpit.toml the user trusted in tmp_path/c.db (the database every test uses)."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    (path / "cockpit.toml").write_text(GATES)
    (path / "ok.txt").write_text("ok\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "start")
    trust(path, tmp_path / "c.db")
    return path


def cockpit(repo: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cockpit", *args], cwd=repo, capture_output=True, text=True,
                          env={**ENV, "COCKPIT_DB": str(db), "PYTHONPATH": str(Path(__file__).parents[2])}, timeout=120)


def test_a_result_goes_stale_when_the_tree_changes_and_comes_back_when_it_returns(repo: Path, tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.db")
    board = read_board(conn, str(repo))
    check = board.get("check")
    assert check is not None and check.state is GateState.UNKNOWN
    record_run(conn, board.root, run_gate(check.spec, board.root, board.tree))
    assert read_board(conn, str(repo)).get("check").state is GateState.PASS  # type: ignore[union-attr]
    (repo / "ok.txt").write_text("edited\n")
    stale = read_board(conn, str(repo)).get("check")
    assert stale is not None and stale.state is GateState.STALE and stale.run is not None
    (repo / "ok.txt").write_text("ok\n")
    assert read_board(conn, str(repo)).get("check").state is GateState.PASS  # type: ignore[union-attr]


def test_every_run_is_kept_newest_first(repo: Path, tmp_path: Path) -> None:
    conn = connect(tmp_path / "c.db")
    board = read_board(conn, str(repo))
    lint = board.get("lint")
    assert lint is not None
    for _ in range(3):
        record_run(conn, board.root, run_gate(lint.spec, board.root, board.tree))
    runs = runs_for(conn, board.root, "lint")
    assert [r.outcome for r in runs] == ["fail"] * 3 and runs[0].id > runs[1].id > runs[2].id
    assert runs[0].exit_code == 2 and runs[0].tree == board.tree


def test_gates_json_lists_every_gate_with_state_tree_and_last_run(repo: Path, tmp_path: Path) -> None:
    done = cockpit(repo, tmp_path / "c.db", "gates", "--json", "--run")
    assert done.returncode == 1, done.stderr  # lint fails
    out = json.loads(done.stdout)
    assert out["source"] == "cockpit.toml" and len(out["tree"]) == 40
    states = {g["name"]: (g["state"], g["last_run"]["exit_code"]) for g in out["gates"]}
    assert states == {"check": ("pass", 0), "lint": ("fail", 2)}
    assert out["gates"][0]["last_run"]["output_tail"] == "fine\n"
    again = json.loads(cockpit(repo, tmp_path / "c.db", "gates", "--json").stdout)
    assert [g["state"] for g in again["gates"]] == ["pass", "fail"]


def test_gates_run_rejects_an_unknown_gate_name(repo: Path, tmp_path: Path) -> None:
    done = cockpit(repo, tmp_path / "c.db", "gates", "--run", "nope")
    assert done.returncode == 2 and "no gate named nope" in done.stderr


def test_a_broken_cockpit_toml_is_reported_with_its_line_and_blocks_the_commit(repo: Path, tmp_path: Path) -> None:
    (repo / "cockpit.toml").write_text('[gates.check]\ncommand = "x"\nrequired = tru\n')
    shown = cockpit(repo, tmp_path / "c.db", "gates")
    assert shown.returncode == 0 and "line 3" in shown.stdout and "detected" in shown.stdout
    blocked = cockpit(repo, tmp_path / "c.db", "gate", "pre-commit")
    assert blocked.returncode == 1 and "line 3" in blocked.stderr


def test_pre_commit_blocks_a_required_gate_that_never_ran_or_is_stale_and_names_the_fix(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    never = cockpit(repo, db, "gate", "pre-commit")
    assert never.returncode == 1
    assert "gate 'check' has never run" in never.stderr and "cockpit gates --run check" in never.stderr
    assert "lint" not in never.stderr  # not required
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 0
    assert cockpit(repo, db, "gate", "pre-commit").returncode == 0
    (repo / "ok.txt").write_text("changed\n")
    git(repo, "add", "ok.txt")
    stale = cockpit(repo, db, "gate", "pre-commit")
    assert stale.returncode == 1 and "is stale for the staged tree" in stale.stderr


def test_pre_commit_judges_the_staged_tree_not_unstaged_edits(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 0
    (repo / "scratch.py").write_text("x = 1\n")
    git(repo, "add", "scratch.py")
    # The run above judged a tree without scratch.py: stale. Run again with it, then edit without staging.
    assert cockpit(repo, db, "gate", "pre-commit").returncode == 1
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 0
    (repo / "ok.txt").write_text("unstaged edit\n")
    # The commit contains what the run judged; the unstaged edit is not part of it.
    assert cockpit(repo, db, "gate", "pre-commit").returncode == 0
    # Staging the edit makes a commit of content no run has judged.
    git(repo, "add", "ok.txt")
    assert cockpit(repo, db, "gate", "pre-commit").returncode == 1


def test_pre_commit_run_runs_required_gates_when_the_working_tree_is_the_staged_tree(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    done = cockpit(repo, db, "gate", "pre-commit", "--run")
    assert done.returncode == 0, done.stderr
    assert "running check" in done.stderr
    (repo / "staged.txt").write_text("new\n")
    git(repo, "add", "staged.txt")
    (repo / "ok.txt").write_text("unstaged\n")
    refused = cockpit(repo, db, "gate", "pre-commit", "--run")
    assert refused.returncode == 1 and "unstaged changes" in refused.stderr


def test_a_failing_required_gate_blocks(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    (repo / "ok.txt").unlink()
    git(repo, "add", "-A")
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 1
    done = cockpit(repo, db, "gate", "pre-commit")
    assert done.returncode == 1 and "failed on the staged tree" in done.stderr


def test_install_is_idempotent_chains_an_existing_hook_and_uninstall_restores_it(repo: Path) -> None:
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    mine = hooks / "pre-commit"
    mine.write_text("#!/bin/sh\necho mine\n")
    mine.chmod(0o755)
    message = install_pre_commit(str(repo))
    assert "runs first" in message
    assert MARKER in mine.read_text() and (hooks / CHAINED).read_text() == "#!/bin/sh\necho mine\n"
    assert os.access(mine, os.X_OK)
    assert install_pre_commit(str(repo)).startswith("already installed")
    assert "restored" in uninstall_pre_commit(str(repo))
    assert mine.read_text() == "#!/bin/sh\necho mine\n" and not (hooks / CHAINED).exists()
    assert "not installed" in uninstall_pre_commit(str(repo))


def test_install_refuses_when_both_a_foreign_hook_and_a_chained_one_exist(repo: Path) -> None:
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\n")
    (hooks / CHAINED).write_text("#!/bin/sh\n")
    with pytest.raises(RuntimeError, match="merge them by hand"):
        install_pre_commit(str(repo))


def test_install_follows_core_hooks_path(repo: Path) -> None:
    git(repo, "config", "core.hooksPath", "githooks")
    install_pre_commit(str(repo))
    assert MARKER in (repo / "githooks" / "pre-commit").read_text()


def test_install_outside_a_repository_is_a_message(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        install_pre_commit(str(tmp_path))


def test_a_real_git_commit_is_blocked_then_allowed_and_the_users_hook_still_runs(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "pre-commit").write_text("#!/bin/sh\necho users-own-hook-ran >&2\n")
    (hooks / "pre-commit").chmod(0o755)
    assert cockpit(repo, db, "gate", "install").returncode == 0
    (repo / "ok.txt").write_text("new content\n")
    git(repo, "add", "ok.txt")
    env = {**ENV, "COCKPIT_DB": str(db), "PYTHONPATH": str(Path(__file__).parents[2])}
    blocked = subprocess.run(["git", "commit", "-m", "try"], cwd=repo, env=env, capture_output=True, text=True)
    assert blocked.returncode != 0
    assert "users-own-hook-ran" in blocked.stderr and "commit blocked by the gates" in blocked.stderr
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 0
    allowed = subprocess.run(["git", "commit", "-m", "try"], cwd=repo, env=env, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr
    assert "1 required gate valid" in allowed.stderr


def test_the_pre_commit_framework_manifest_points_at_the_entry() -> None:
    manifest = (Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text()
    assert "id: cockpit-gates" in manifest and "entry: cockpit gate pre-commit" in manifest
    assert "pass_filenames: false" in manifest


def test_doctor_names_the_gates_and_whether_the_pre_commit_entry_is_installed(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    args = ("doctor", "--json", "--claude-dir", str(tmp_path / "none"), "--codex-dir", str(tmp_path / "none"))
    before = json.loads(cockpit(repo, db, *args).stdout)
    assert before["repo"]["gates"] == {"source": "cockpit.toml", "names": ["check", "lint"], "required": ["check"],
                                       "trusted": True,
                                       "errors": []}
    assert before["repo"]["pre_commit"]["installed"] is False
    assert any("cockpit gate install" in f for f in before["fixes"])
    cockpit(repo, db, "gate", "install")
    after = json.loads(cockpit(repo, db, *args).stdout)
    assert after["repo"]["pre_commit"]["installed"] is True
    assert not any("cockpit gate install" in f for f in after["fixes"])


def test_repo_given_before_the_sub_command_is_honoured(repo: Path, tmp_path: Path) -> None:
    (repo / ".beads").mkdir()
    (repo / ".beads" / "issues.jsonl").write_text('{"id": "r-1", "title": "t", "status": "open"}\n')
    for command in (["gates", "--json"], ["issues", "--json"]):
        done = subprocess.run([sys.executable, "-m", "cockpit", "--repo", str(repo), "--db", str(tmp_path / "c.db"),
                               *command], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              env={**ENV, "PYTHONPATH": str(Path(__file__).parents[2])})
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout)
        assert out["repo"] == str(repo) if command[0] == "gates" else [i["id"] for i in out["ready"]] == ["r-1"]


def test_pre_commit_run_vibes_the_staged_change_for_a_required_vibe_gate(repo: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    (repo / "cockpit.toml").write_text(GATES + '[gates.vibe]\nkind = "verdict"\nrequired = true\n')
    git(repo, "add", "cockpit.toml")
    trust(repo, db)  # a changed configuration is trusted again only by the user
    assert cockpit(repo, db, "gates", "--run", "check").returncode == 0
    blocked = cockpit(repo, db, "gate", "pre-commit")
    assert blocked.returncode == 1 and "gate 'vibe' has never run" in blocked.stderr
    assert "cockpit vibe --staged" in blocked.stderr
    done = cockpit(repo, db, "gate", "pre-commit", "--run")
    assert "running vibe on the staged change (offline)" in done.stderr, done.stderr
    reports = list((repo / ".agents" / "council").glob("*-vibe-*.md"))
    assert len(reports) == 1
    # A PASS or WARN lets the commit through; the report is tied to the staged tree.
    assert done.returncode == 0, done.stderr
    assert cockpit(repo, db, "gate", "pre-commit").returncode == 0
