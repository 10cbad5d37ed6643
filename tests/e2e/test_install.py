"""The README's user path, from a checkout: `pipx install .`, `uv tool install .` and `uvx --from . cockpit`,
each an environment of its own holding the built wheel and its dependencies from PyPI; then, as the user
runs them, `cockpit --version`, `cockpit demo` and `cockpit` in a real terminal (tmux), `cockpit hooks
install` and the hook it wrote, an update, and the way out."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import pytest
import uv

from .test_wheel import REPO, copy_checkout

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]

VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
PACKAGE = "cockpit-agentops"
UV = Path(uv.find_uv_bin())
UVX = UV.with_name("uvx")
INSTALL_SECONDS = 300  # a cold cache downloads every dependency
# What a developer's shell may carry that would point cockpit at their own files or key, or pin its size.
FOREIGN = ("COLUMNS", "LINES", "ANTHROPIC_API_KEY", "COCKPIT_CONFIG", "COCKPIT_DB", "CLAUDE_CONFIG_DIR",
           "CODEX_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "VIRTUAL_ENV", "PYTHONPATH",
           "PYTHONHOME")
# What Claude Code sends its statusLine command: 50k of a 200k window used.
STATUSLINE_INPUT = json.dumps({
    "session_id": "5b3e1c2a-0d4f-4e6b-9a8c-7f1e2d3c4b5a",
    "model": {"id": "claude-opus-4-6", "display_name": "Opus"},
    "context_window": {"context_window_size": 200_000,
                       "current_usage": {"input_tokens": 50_000, "cache_creation_input_tokens": 0,
                                         "cache_read_input_tokens": 0}},
})


def installer_env(**extra: str) -> dict[str, str]:
    """The developer's environment for pipx and uv (their caches make a second run fast), less what would
    tie them to the test's virtual environment."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    return env | {"UV_PYTHON_DOWNLOADS": "never"} | extra


def user_env(tmp: Path, bin_dir: Path) -> dict[str, str]:
    """A user's shell with `bin_dir` first on PATH and an empty home: no agent folders, no config."""
    home = tmp / "home"
    (tmp / "tmp").mkdir(exist_ok=True)
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN}
    path = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    return env | {"HOME": str(home), "TMPDIR": str(tmp / "tmp"), "PATH": path}


def run(argv: list[str], env: dict[str, str], cwd: Path,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{shlex.join(argv)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def set_version(checkout: Path, version: str) -> None:
    """Change the version the code reports, as a pulled commit changes the code (pyproject.toml untouched)."""
    init = checkout / "cockpit" / "__init__.py"
    text = init.read_text()
    current = next(line for line in text.splitlines() if line.startswith("__version__ = "))
    init.write_text(text.replace(current, f"__version__ = {version!r}"))
    later = time.time_ns() + 2_000_000_000  # a new mtime even on a coarse clock
    os.utime(init, ns=(later, later))


def in_terminal(argv: list[str], env: dict[str, str], cwd: Path,
                size: tuple[int, int] = (100, 30)) -> tuple[str, int]:
    """Run `argv` in tmux at `size` with `env`, wait for the dashboard, press q: (the screen, the exit status)."""
    rc_file = Path(env["TMPDIR"]) / f"rc-{uuid.uuid4().hex[:8]}"
    changed = {k: env[k] for k in ("HOME", "TMPDIR", "PATH", "UV_TOOL_DIR", "UV_CACHE_DIR", "UV_PYTHON_DOWNLOADS")
               if k in env}
    script = f"cd {shlex.quote(str(cwd))} && {shlex.join(argv)}; echo $? > {shlex.quote(str(rc_file))}"
    # The tmux server may be older than this test and hold another environment: set and unset explicitly.
    command = shlex.join(["env", *(f"-u{k}" for k in FOREIGN), *(f"{k}={v}" for k, v in changed.items()),
                          "sh", "-c", script])
    session = f"cockpit-install-{uuid.uuid4().hex[:8]}"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", str(size[0]), "-y", str(size[1]), command],
                   check=True)
    try:
        screen = ""
        deadline = time.monotonic() + 60  # the first start of a fresh environment compiles its modules
        while "1 Context" not in screen:
            assert time.monotonic() < deadline, f"{shlex.join(argv)}: the dashboard never appeared:\n{screen}"
            assert not rc_file.exists(), f"{shlex.join(argv)} exited {rc_file.read_text().strip()}:\n{screen}"
            time.sleep(0.3)
            screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                    text=True).stdout
        subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 20
        while not rc_file.exists() or not rc_file.read_text().strip():
            assert time.monotonic() < deadline, f"{shlex.join(argv)} did not quit on q"
            time.sleep(0.2)
        return screen, int(rc_file.read_text())
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def installed_commands(project: Path) -> list[str]:
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    hooks = [h["command"] for entries in settings.get("hooks", {}).values() for e in entries for h in e["hooks"]]
    return hooks + ([settings["statusLine"]["command"]] if "statusLine" in settings else [])


def statusline(project: Path, env: dict[str, str]) -> str:
    """Run the statusLine command the hooks installed, as Claude Code does: a shell, the JSON on stdin."""
    settings = json.loads((project / ".claude" / "settings.local.json").read_text())
    done = subprocess.run(["sh", "-c", settings["statusLine"]["command"]], input=STATUSLINE_INPUT, env=env,
                          cwd=project, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


def use_as_a_user(tmp: Path, bin_dir: Path, tool_home: Path) -> tuple[Path, dict[str, str]]:
    """What the README has the user do after installing; returns the project and the user's environment."""
    env = user_env(tmp, bin_dir)
    exe = bin_dir / "cockpit"
    assert shutil.which("cockpit", path=env["PATH"]) == str(exe)
    assert run(["cockpit", "--version"], env, tmp).stdout == f"cockpit {VERSION}\n"
    # Its own environment: the code runs from the tool's folder, not from the checkout or the test's venv.
    python = exe.resolve().with_name("python")
    where = run([str(python), "-c", "import cockpit, sys; print(cockpit.__file__); print(sys.prefix)"], env, tmp)
    module, prefix = where.stdout.split()
    assert Path(module).is_relative_to(tool_home) and Path(prefix).is_relative_to(tool_home), where.stdout

    screen, status = in_terminal(["cockpit", "demo"], env, tmp)
    assert status == 0, screen
    assert "demo workspace" in screen

    project = tmp / "project"
    project.mkdir()
    run(["git", "init", "-q"], env, project)
    screen, status = in_terminal(["cockpit"], env, project)
    assert status == 0, screen

    said = run(["cockpit", "hooks", "install"], env, project).stdout
    assert f"installed cockpit hooks in claude (local) {project / '.claude' / 'settings.local.json'}" in said
    commands = installed_commands(project)
    # The hooks call the cockpit on PATH, which stays put when the tool is updated.
    assert commands and all(c.startswith(f"{shlex.quote(str(exe))} ") for c in commands), commands
    assert statusline(project, env).startswith("ctx 25.0% 50.0k/200.0k")
    return project, env


def leave(project: Path, env: dict[str, str], uninstall: list[str], installer: dict[str, str],
          bin_dir: Path) -> None:
    """The README's way out: the hooks first, then the tool."""
    run(["cockpit", "hooks", "uninstall"], env, project)
    assert installed_commands(project) == []
    run(uninstall, installer, project)
    assert not (bin_dir / "cockpit").exists() and not (bin_dir / "cockpit").is_symlink()


def test_pipx_install_from_a_checkout_runs_cockpit_in_its_own_environment(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    home, bin_dir = tmp_path / "pipx", tmp_path / "pipx-bin"
    installer = installer_env(PIPX_HOME=str(home), PIPX_BIN_DIR=str(bin_dir), PIPX_MAN_DIR=str(tmp_path / "man"))
    # pip, pipx's classic backend: the build in an isolated environment with the setuptools the project asks for.
    run([sys.executable, "-m", "pipx", "install", "--backend", "pip", "."], installer, checkout, INSTALL_SECONDS)
    project, env = use_as_a_user(tmp_path, bin_dir, home)
    leave(project, env, [sys.executable, "-m", "pipx", "uninstall", PACKAGE], installer, bin_dir)


def test_uv_tool_install_from_a_checkout_runs_cockpit_and_updates_in_place(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    tools, bin_dir = tmp_path / "uv-tools", tmp_path / "uv-bin"
    installer = installer_env(UV_TOOL_DIR=str(tools), UV_TOOL_BIN_DIR=str(bin_dir))
    run([str(UV), "tool", "install", "."], installer, checkout, INSTALL_SECONDS)
    project, env = use_as_a_user(tmp_path, bin_dir, tools)

    set_version(checkout, f"{VERSION}+pulled")
    run([str(UV), "tool", "install", "."], installer, checkout, INSTALL_SECONDS)
    assert run(["cockpit", "--version"], env, project).stdout == f"cockpit {VERSION}+pulled\n"
    assert statusline(project, env).startswith("ctx 25.0% 50.0k/200.0k")  # the hooks need nothing
    leave(project, env, [str(UV), "tool", "uninstall", PACKAGE], installer, bin_dir)


def test_uvx_from_a_checkout_runs_cockpit_and_sees_a_changed_checkout(tmp_path: Path) -> None:
    checkout = copy_checkout(tmp_path / "checkout")
    cache = run([str(UV), "cache", "dir"], installer_env(), tmp_path).stdout.strip()
    # No installed tool for uvx to reuse; the user's cache, which the shell below, with its empty home, keeps.
    installer = installer_env(UV_TOOL_DIR=str(tmp_path / "uv-tools"), UV_CACHE_DIR=cache)
    uvx = [str(UVX), "--from", ".", "cockpit"]
    assert run([*uvx, "--version"], installer, checkout, INSTALL_SECONDS).stdout == f"cockpit {VERSION}\n"

    nothing_installed = tmp_path / "bin"
    nothing_installed.mkdir()
    env = user_env(tmp_path, nothing_installed) | {k: installer[k] for k in ("UV_TOOL_DIR", "UV_CACHE_DIR",
                                                                              "UV_PYTHON_DOWNLOADS")}
    screen, status = in_terminal([*uvx, "demo"], env, checkout)
    assert status == 0, screen

    # [tool.uv] cache-keys: a changed module is a new build, not yesterday's cached one.
    set_version(checkout, f"{VERSION}+pulled")
    assert run([*uvx, "--version"], installer, checkout, INSTALL_SECONDS).stdout == f"cockpit {VERSION}+pulled\n"
