"""Set-up and entry for developers: creates .venv, installs cockpit with its test extras, then runs.

    python3 scripts/dev.py demo    # open cockpit on its demo workspace
    python3 scripts/dev.py test    # run the whole test suite, on two workers (pytest-xdist)
    python3 scripts/dev.py test tests/ui -x   # any pytest arguments; `-n 0` runs in one process
    python3 scripts/dev.py cockpit ARGS...  # any cockpit command

Only Python 3.11+ and git are needed; the install is redone when pyproject.toml changes. `test` also
installs the pinned Claude Code and Codex CLI into .cache/clients/ with npm when npm is on PATH (once per
version), for the real-client tests; without npm those tests skip and say why.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cockpit-installed"

# The real Claude Code the end-to-end tests drive (tests/e2e/test_real_claude.py), from the npm registry.
CLAUDE_PACKAGE = "@anthropic-ai/claude-code"
CLAUDE_VERSION = "2.1.332"
CLIENTS = ROOT / ".cache" / "clients"
CLAUDE_PREFIX = CLIENTS / f"claude-code-{CLAUDE_VERSION}"
NPM_TIMEOUT_SECONDS = 300
# Set for the pytest process: the client's executable, or why there is none.
CLAUDE_ENV = "COCKPIT_TEST_CLAUDE"
CLAUDE_MISSING_ENV = "COCKPIT_TEST_CLAUDE_MISSING"
# The real Codex CLI the end-to-end tests drive (tests/e2e/test_real_codex.py), from the npm registry.
CODEX_PACKAGE = "@openai/codex"
CODEX_VERSION = "0.171.0"
CODEX_PREFIX = CLIENTS / f"codex-{CODEX_VERSION}"
CODEX_ENV = "COCKPIT_TEST_CODEX"
CODEX_MISSING_ENV = "COCKPIT_TEST_CODEX_MISSING"
# pytest-xdist: two workers halve the suite's time on two cores; whole files go to one worker, so a module's
# fixtures are built once and a file's tests that share a fixed path (the snapshot repo) never overlap.
XDIST_ARGS = ["-n", "2", "--dist", "loadfile"]


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the user has
        sys.exit(f"cockpit needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing cockpit and its test tools into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())


def _platform_packages() -> list[str]:
    """The platform-package suffixes Claude Code would pick here, best first (`linux-x64`, then musl)."""
    system = {"linux": "linux", "darwin": "darwin", "win32": "win32"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return [f"{system}-{arch}", f"{system}-{arch}-musl"]


def claude_binary(prefix: Path = CLAUDE_PREFIX) -> Path | None:
    """The native `claude` executable the pinned package installed under `prefix`, or None.

    The package `@anthropic-ai/claude-code` holds only a stub (`bin/claude.exe`) that its postinstall script
    replaces; the executable itself ships in the optional dependency for this platform,
    `node_modules/@anthropic-ai/claude-code-linux-x64/claude` here. We install without scripts and use that
    file, checking its package's version."""
    scope = prefix / "node_modules" / "@anthropic-ai"
    dirs = [scope / f"claude-code-{name}" for name in _platform_packages()]
    dirs += sorted(d for d in scope.glob("claude-code-*") if d not in dirs)
    for folder in dirs:
        try:
            version = json.loads((folder / "package.json").read_text()).get("version")
        except (OSError, ValueError, AttributeError):
            continue
        for name in ("claude", "claude.exe"):
            exe = folder / name
            if version == CLAUDE_VERSION and exe.is_file() and os.access(exe, os.X_OK):
                return exe
    return None


def codex_binary(prefix: Path = CODEX_PREFIX) -> Path | None:
    """The native `codex` executable the pinned package installed under `prefix`, or None.

    Like Claude Code, `@openai/codex` holds only a launcher (`bin/codex.js`); the executable ships in the
    optional dependency for this platform, an alias of `@openai/codex@<version>-<platform>`:
    `node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex` here. We install
    without scripts and use that file, checking its package's version."""
    scope = prefix / "node_modules" / "@openai"
    dirs = [scope / f"codex-{name}" for name in _platform_packages()]
    dirs += sorted(d for d in scope.glob("codex-*") if d not in dirs)
    for folder in dirs:
        try:
            version = json.loads((folder / "package.json").read_text()).get("version")
        except (OSError, ValueError, AttributeError):
            continue
        if not isinstance(version, str) or version.split("-")[0] != CODEX_VERSION:
            continue
        for exe in sorted(folder.glob("vendor/*/bin/codex")) + sorted(folder.glob("vendor/*/bin/codex.exe")):
            if exe.is_file() and os.access(exe, os.X_OK):
                return exe
    return None


def _npm_install(package: str, version: str, prefix: Path, find: Callable[[Path], Path | None],
                 label: str) -> tuple[Path | None, str]:
    """Install `package@version` into `prefix` (under .cache/clients/) unless it is there: (executable, why not).

    Into a staging folder first, renamed into place once the executable is found: an interrupted install
    leaves nothing that looks installed. Other versions of the same client are removed (a pin moved on)."""
    found = find(prefix)
    if found is not None:
        return found, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not on PATH"
    where = prefix.relative_to(ROOT)
    print(f"installing {package}@{version} into {where} …", flush=True)
    staging = prefix.with_name(prefix.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # Its own package.json, so npm installs here and not into a package.json further up.
    (staging / "package.json").write_text('{"private": true}\n')
    started = time.monotonic()
    command = [npm, "install", "--prefix", str(staging), "--no-save", "--no-audit", "--no-fund",
               "--ignore-scripts", "--include=optional", "--loglevel=error", f"{package}@{version}"]
    try:
        proc = subprocess.run(command, cwd=staging, capture_output=True, text=True,
                              timeout=NPM_TIMEOUT_SECONDS)
        said = [line.strip() for line in proc.stderr.splitlines()
                if line.strip() and "complete log" not in line]
        problem = "" if proc.returncode == 0 else "; ".join(said[:2]) or f"exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        problem = f"no answer in {NPM_TIMEOUT_SECONDS} s"
    except (OSError, subprocess.SubprocessError) as exc:
        problem = str(exc)
    if not problem and find(staging) is None:
        problem = f"no {label} executable for {_platform_packages()[0]} in the installed packages"
    if problem:
        shutil.rmtree(staging, ignore_errors=True)
        return None, f"npm install {package}@{version} failed: {problem}"
    stem = prefix.name[: -len(version) - 1]  # "claude-code", "codex"
    for old in CLIENTS.glob(f"{stem}-*"):
        if old != staging and old.name[len(stem) + 1 : len(stem) + 2].isdigit():
            shutil.rmtree(old, ignore_errors=True)
    staging.rename(prefix)
    print(f"installed {label} {version} in {time.monotonic() - started:.0f} s", flush=True)
    return find(prefix), ""


def ensure_claude() -> tuple[Path | None, str]:
    """Install the pinned Claude Code into .cache/clients/ unless it is there: (executable, why not)."""
    return _npm_install(CLAUDE_PACKAGE, CLAUDE_VERSION, CLAUDE_PREFIX, claude_binary, "Claude Code")


def ensure_codex() -> tuple[Path | None, str]:
    """Install the pinned Codex CLI into .cache/clients/ unless it is there: (executable, why not)."""
    return _npm_install(CODEX_PACKAGE, CODEX_VERSION, CODEX_PREFIX, codex_binary, "Codex")


def pytest_args(args: list[str], cpus: int | None) -> list[str]:
    """The pytest arguments of `test ARGS...`: two workers first (an `-n` in ARGS wins, being later), none on
    one core or when ARGS turn xdist off."""
    if (cpus or 1) < 2 or any(a.endswith("no:xdist") for a in args):  # `-p no:xdist`, `-pno:xdist`
        return list(args)
    return [*XDIST_ARGS, *args]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "demo"
    ensure_venv()
    env = dict(os.environ)
    if command == "test":
        for ensure, name, found_env, missing_env in ((ensure_claude, "Claude Code", CLAUDE_ENV, CLAUDE_MISSING_ENV),
                                                     (ensure_codex, "Codex", CODEX_ENV, CODEX_MISSING_ENV)):
            exe, why_not = ensure()
            if exe is not None:
                env[found_env] = str(exe)
            else:
                print(f"{why_not}: the real {name} tests will skip", flush=True)
                env.pop(found_env, None)
                env[missing_env] = why_not
        args = [str(BIN / "python"), "-m", "pytest", *pytest_args(argv[1:], os.cpu_count())]
    elif command == "demo":
        args = [str(BIN / "cockpit"), "demo", *argv[1:]]
    elif command == "cockpit":
        args = [str(BIN / "cockpit"), *argv[1:]]
    else:
        print(__doc__)
        return 2
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
