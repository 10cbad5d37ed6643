"""Every sub-command through the console script's own entry point, `cockpit.cli.main`, as a user types it.

The README's synopses are expanded into concrete command lines (each optional flag once, each
alternative once) and run in a scratch repository with a scratch home: none may be a usage error,
none but the dashboard may open the dashboard, and no sub-command's options may take a name the
top-level parser or the dispatcher uses.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cockpit.cli.commands as commands
from cockpit.cli import main

README = Path(__file__).parents[2] / "README.md"
RESERVED_DESTS = {"cockpit_command", "func", "hooks_command", "gate_action"}
# Commands that need a terminal of their own or start background simulations: checked by --help only.
INTERACTIVE = {"demo"}


def _subparsers(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), action.dest, sub
                yield from _subparsers(sub, (*prefix, name))


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in parser._actions if a.option_strings and a.dest != "help"}


def test_no_sub_command_option_takes_a_name_the_dispatcher_uses() -> None:
    top = commands.build_parser()
    top_options = _options(top)
    clashes = []
    for path, _dest, sub in _subparsers(top):
        for dest, action in _options(sub).items():
            if dest in RESERVED_DESTS:
                clashes.append(f"{' '.join(path)} {action.option_strings[0]} -> dest {dest!r}")
            elif dest in top_options and action.default is not argparse.SUPPRESS:
                # A default here would silently overwrite the same flag given before the sub-command.
                clashes.append(f"{' '.join(path)} {action.option_strings[0]} overrides the top-level {dest!r}")
    assert clashes == []


def test_every_sub_command_has_a_handler() -> None:
    top = commands.build_parser()
    names = {path[0] for path, _dest, _sub in _subparsers(top) if len(path) == 1}
    assert names == set(RUNS) | INTERACTIVE, "a new sub-command needs an entry in RUNS (and a handler)"


class Workspace(type(Path())):  # type: ignore[misc]
    """The scratch repository's path, with the list of dashboards opened from it."""

    opened: list[str]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    """A scratch git repository as cwd, a scratch HOME (no transcripts found), and a dashboard that
    fails the test if anything but `dashboard` opens it."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    # As a user has it: the installed cockpit on PATH (hooks install writes its path into settings).
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("CODEX_HOME", str(home / ".codex"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=repo, check=True)
    (repo / "app.py").write_text("print('hi')\n")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "first"], cwd=repo, check=True)
    (repo / "app.py").write_text("print('hello')\n")
    (repo / "plan.md").write_text("# Plan\nChange the greeting.\n")
    monkeypatch.chdir(repo)
    opened: list[str] = []
    monkeypatch.setattr(commands, "cmd_dashboard", lambda ctx: opened.append("dashboard") or 0)
    monkeypatch.setattr(sys, "stdin", io.StringIO("{}"))
    found = Workspace(repo)
    found.opened = opened
    return found


def _run(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse's usage errors and --help
        return int(exc.code or 0)


# One plain run of each sub-command; the README matrix below adds the documented flags.
RUNS: dict[str, list[str]] = {
    "dashboard": ["dashboard"],
    "index": ["index"],
    "sessions": ["sessions", "--json"],
    "context": ["context"],
    "report": ["report", "--json"],
    "approvals": ["approvals", "--json"],
    "hook": ["hook", "claude", "event"],
    "statusline": ["statusline"],
    "hooks": ["hooks", "status"],
    "issues": ["issues", "--json"],
    "gates": ["gates", "--json"],
    "gate": ["gate", "pre-commit"],
    "trust": ["trust", "--show"],
    "vibe": ["vibe", "--no-write"],
    "premortem": ["premortem", "--plan", "plan.md"],
    "retro": ["retro"],
    "learnings": ["learnings"],
    "doctor": ["doctor", "--json"],
    "prune": ["prune", "--dry-run"],
    "quota": ["quota", "--json"],
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_each_sub_command_runs_and_only_the_dashboard_opens_the_dashboard(
    name: str, workspace: Workspace, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _run(RUNS[name])
    out, err = capsys.readouterr()
    # 2 is also "cannot do that here" (no session, no gate of that name); a usage error prints usage.
    assert code in (0, 1, 2), f"exit {code}: {err}"
    assert "usage:" not in err
    assert "Traceback" not in err
    assert workspace.opened == (["dashboard"] if name == "dashboard" else [])


def test_hooks_install_with_command_installs_through_the_entry_point(workspace: Workspace,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    exe = str(workspace / "bin" / "cockpit")
    assert _run(["hooks", "install", "--project", str(workspace), "--command", exe]) == 0
    settings = json.loads((workspace / ".claude" / "settings.local.json").read_text())
    commands_installed = [h["command"] for groups in settings["hooks"].values() for g in groups for h in g["hooks"]]
    assert commands_installed and all(c.startswith(exe + " hook claude ") for c in commands_installed)
    assert workspace.opened == []
    assert _run(["hooks", "uninstall", "--project", str(workspace)]) == 0
    assert "hooks" not in json.loads((workspace / ".claude" / "settings.local.json").read_text())


def test_the_installed_console_script_installs_the_hooks(tmp_path: Path) -> None:
    script = shutil.which("cockpit", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip(f"no cockpit console script beside {sys.executable}")
    project = tmp_path / "p"
    project.mkdir()
    proc = subprocess.run([script, "hooks", "install", "--project", str(project), "--command", "/opt/x/cockpit"],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    assert "installed cockpit hooks" in proc.stdout
    assert "/opt/x/cockpit hook claude pre-tool-use" in (project / ".claude" / "settings.local.json").read_text()


def test_a_hook_after_global_options_still_answers(workspace: Workspace, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    body = {"session_id": "s", "cwd": str(workspace), "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": "git push origin main"}}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    assert _run(["--db", str(workspace.parent / "x.db"), "hook", "claude", "pre-tool-use"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["hookSpecificOutput"]["permissionDecision"] == "ask"


# ---- the README's synopses -------------------------------------------------------------------------

_SYNOPSIS = re.compile(r"`(cockpit (?:[a-z-]+)(?: [^`]*)?)`")
_PLACEHOLDERS = {"PATH": ".", "N": "2", "ID": "abc", "SESSION": "abc", "CMD": "true", "TEXT": "change it",
                 "M": "claude-sonnet-5", "GATE": "tests", "QUERY": "flaky", "FILE": "plan.md", "ISSUE": "x-1",
                 "A..B": "HEAD~1..HEAD", "7d": "7d"}


def _alternatives(text: str) -> list[str]:
    """`--a|--b` -> both; `--agent claude|codex` -> `--agent claude`, `--agent codex`;
    `--run [GATE …]` -> `--run`, `--run GATE`."""
    alts = [alt.strip() for alt in text.replace("\\|", "|").split("|")]
    first = alts[0].split()
    if len(first) == 2 and first[0].startswith("--"):
        alts = [alts[0], *(f"{first[0]} {a}" if not a.startswith("-") else a for a in alts[1:])]
    out: list[str] = []
    for alt in alts:
        inner = re.search(r"\[([^\]]*)\]", alt)
        if inner:
            out += [alt[: inner.start()].strip(), (alt[: inner.start()] + inner.group(1)).strip()]
        else:
            out.append(alt)
    return out


def _expand(synopsis: str) -> list[list[str]]:
    """`cockpit x [--a] [--b|--c V]` -> [x], [x --a], [x --b], [x --c V]: each optional part once."""
    base = re.sub(r"\[[^\[\]]*(?:\[[^\]]*\][^\[\]]*)*\]", "", synopsis)
    optional = re.findall(r"\[((?:[^\[\]]|\[[^\]]*\])*)\]", synopsis)
    heads = [base.split()]
    if "|" in base:  # `hook claude|codex permission-request|…`: every pairing
        words = [_alternatives(w) if "|" in w else [w] for w in base.replace("\\|", "|").split()]
        heads = [list(p) for p in itertools.product(*words)]
    lines = [list(h) for h in heads]
    for part in optional:
        for alt in _alternatives(part):
            lines.append([*heads[0], *alt.replace("…", "").split()])
    return [[_PLACEHOLDERS.get(w, w) for w in line[1:]] for line in lines]


def readme_command_lines() -> list[list[str]]:
    found: dict[str, list[str]] = {}
    for synopsis in _SYNOPSIS.findall(README.read_text()):
        for argv in _expand(synopsis):
            if argv and argv[0] not in INTERACTIVE:
                found[" ".join(argv)] = argv
    return list(found.values())


def test_the_readme_documents_every_sub_command() -> None:
    documented = {argv[0] for argv in readme_command_lines()}
    assert set(RUNS) - {"dashboard"} - documented == set()


@pytest.mark.parametrize("argv", readme_command_lines(), ids=" ".join)
def test_every_documented_command_line_runs(argv: list[str], workspace: Workspace,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(argv)
    _out, err = capsys.readouterr()
    assert code in (0, 1, 2), f"cockpit {' '.join(argv)} -> exit {code}: {err}"
    assert "usage:" not in err and "Traceback" not in err
    dashboard = argv[0] == "dashboard" or argv[0].startswith("-")
    assert workspace.opened == (["dashboard"] if dashboard else [])


def test_demo_help_is_not_the_dashboard(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["demo", "--help"]) == 0
    assert "usage: cockpit demo" in capsys.readouterr().out


def test_a_folder_given_for_one_agent_keeps_the_other_agents_discovery(workspace: Workspace, tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """`--codex-dir` alone still lists the Claude sessions found in ~/.claude (and the reverse)."""
    data = Path(__file__).parents[1] / "data"
    projects = Path(os.environ["HOME"]) / ".claude" / "projects" / "-home-dev-spotter"
    projects.mkdir(parents=True)
    shutil.copy(data / "claude" / "spotter" / "short.jsonl", projects / "short.jsonl")
    codex = tmp_path / "rollouts"
    codex.mkdir()
    for rollout in sorted((data / "codex" / "localpush").glob("rollout-*.jsonl"))[:1]:
        shutil.copy(rollout, codex / rollout.name)
    assert _run(["sessions", "--all", "--json", "--codex-dir", str(codex)]) == 0
    agents = sorted({s["agent"] for s in json.loads(capsys.readouterr().out)})
    assert agents == ["claude", "codex"]
    assert _run(["sessions", "--all", "--json", "--claude-dir", str(projects.parent.parent)]) == 0
    agents = sorted({s["agent"] for s in json.loads(capsys.readouterr().out)})
    assert agents == ["claude"]  # no Codex folder exists in this HOME: nothing else to list
