"""The repository may only tighten the critical-step policy; loosening is the user's own config's."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.core.policy import default_policy
from cockpit.core.policy_layers import layered_policy

PUSH = {"command": "git push origin main"}


def repo_with(tmp_path: Path, name: str, text: str) -> Path:
    repo = tmp_path / "clone"
    (repo / ".git").mkdir(parents=True)
    (repo / name).write_text(text)
    return repo


def hook(repo: Path, db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         tool_input: dict[str, str] = PUSH, agent: str = "claude") -> tuple[dict[str, object] | None, str]:
    """`cockpit hook AGENT pre-tool-use` through the console script's entry point, no cockpit running."""
    body = {"session_id": "s-1", "cwd": str(repo), "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": tool_input, "transcript_path": ""}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(body)))
    code = main(["hook", agent, "pre-tool-use", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 0, err
    return (json.loads(out) if out.strip() else None), err


def decision(answer: dict[str, object] | None) -> str | None:
    if answer is None:
        return None
    return answer["hookSpecificOutput"]["permissionDecision"]  # type: ignore[index]


def test_a_repository_cannot_replace_the_rules_with_nothing() -> None:
    policy = layered_policy(None, {"mode": "replace", "rules": []})
    assert policy.match("Bash", PUSH) is not None
    assert {r.text for r in policy.rules} == {r.text for r in default_policy().rules}
    assert any("mode ignored" in e for e in policy.errors)


def test_a_repository_cannot_exclude_a_default_rule() -> None:
    policy = layered_policy(None, {"exclude": ["Bash(git push:*)"]})
    assert policy.match("Bash", PUSH) is not None
    assert any("exclude ignored" in e and "your own config" in e for e in policy.errors)


def test_the_users_own_config_may_exclude_a_default_rule() -> None:
    policy = layered_policy({"exclude": ["Bash(git push:*)"]}, None)
    assert policy.match("Bash", PUSH) is None
    assert policy.errors == ()


def test_a_repository_cannot_exclude_what_the_user_added() -> None:
    policy = layered_policy({"rules": ["Bash(make release:*)"]}, {"mode": "replace", "rules": ["Bash(ls)"]})
    assert policy.match("Bash", {"command": "make release"}) is not None
    assert policy.match("Bash", {"command": "ls"}) is not None  # its own addition does apply


def test_a_repository_may_add_rules() -> None:
    policy = layered_policy(None, {"rules": ["Bash(./deploy.sh:*)"]})
    found = policy.match("Bash", {"command": "./deploy.sh prod"})
    assert found is not None and found.rule == "Bash(./deploy.sh:*)"


def test_a_repository_cannot_rename_a_rule_the_user_owns() -> None:
    policy = layered_policy(None, {"rules": [{"rule": "Bash(git push:*)", "name": "harmless", "reason": "fine"}]})
    found = policy.match("Bash", PUSH)
    assert found is not None and found.category == "push"


def test_deny_when_nobody_answers_only_tightens() -> None:
    assert layered_policy(None, {"on_no_cockpit": "deny"}).on_no_cockpit == "deny"
    relaxed = layered_policy({"on_no_cockpit": "deny"}, {"on_no_cockpit": "ask"})
    assert relaxed.on_no_cockpit == "deny"
    assert any("on_no_cockpit" in e for e in relaxed.errors)


def test_a_repository_may_shorten_the_wait_but_not_lengthen_it() -> None:
    assert layered_policy({"timeout_seconds": 300}, {"timeout_seconds": 60}).timeout_seconds == 60
    longer = layered_policy({"timeout_seconds": 300}, {"timeout_seconds": 900})
    assert longer.timeout_seconds == 300
    assert any("timeout_seconds" in e for e in longer.errors)


@pytest.mark.parametrize(("name", "text", "command", "expected", "said"), [
    pytest.param("cockpit.toml", '[approvals]\nmode = "replace"\nrules = []\nexclude = ["Bash(git push:*)"]\n',
                 "git push origin main", "ask", "only your own config file may loosen", id="switched-off"),
    pytest.param("pyproject.toml", '[project]\nname = "x"\n[tool.cockpit.approvals]\nmode = "replace"\nrules = []\n',
                 "git push origin main", "ask", "only your own config file may loosen", id="pyproject-loosening"),
    pytest.param("cockpit.toml", '[approvals]\nrules = ["Bash(make ship:*)"]\n', "make ship now", "ask", "",
                 id="repository-rule-added"),
    pytest.param("cockpit.toml", "[approvals\nmode = 'replace'\n", "git push origin main", "ask", "not valid TOML",
                 id="unreadable-config-keeps-defaults"),
])
def test_hook_in_a_clone_tightens_and_never_loosens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    name: str, text: str, command: str, expected: str, said: str,
) -> None:
    repo = repo_with(tmp_path, name, text)
    answer, err = hook(repo, tmp_path / "c.db", monkeypatch, capsys, {"command": command})
    assert decision(answer) == expected
    assert said in err


def test_hook_honours_the_users_own_exclusion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    Path(os.environ["COCKPIT_CONFIG"]).write_text('[approvals]\nexclude = ["Bash(git push:*)"]\n')
    repo = repo_with(tmp_path, "README.md", "hello\n")
    answer, _err = hook(repo, tmp_path / "c.db", monkeypatch, capsys)
    assert answer is None  # not critical for this user: the agent's own permission flow decides


@pytest.mark.parametrize(("tool", "path"), [
    ("Edit", "cockpit.toml"),
    ("Write", ".claude/settings.json"),
    ("Write", ".claude/settings.local.json"),
    ("MultiEdit", ".codex/hooks.json"),
    ("Write", ".codex/config.toml"),
    ("Write", ".git/hooks/pre-commit"),
    ("Edit", ".pre-commit-config.yaml"),
])
def test_an_agent_changing_its_own_guards_is_a_critical_step(tool: str, path: str) -> None:
    found = default_policy().match(tool, {"file_path": f"/r/{path}"}, "/r", "/r")
    assert found is not None, path
    assert found.category in ("guard settings", "git internals")


@pytest.mark.parametrize("path", ["src/cockpit.toml.py", "docs/cockpit.toml", ".claude/agents/x.md", "README.md"])
def test_ordinary_files_near_the_guards_are_not_critical(path: str) -> None:
    assert default_policy().match("Edit", {"file_path": f"/r/{path}"}, "/r", "/r") is None
