"""Set-up and entry for developers: creates .venv, installs cockpit with its test extras, then runs.

    python3 scripts/dev.py demo    # open cockpit on its demo workspace
    python3 scripts/dev.py test    # run the whole test suite
    python3 scripts/dev.py cockpit ARGS...  # any cockpit command

Only Python 3.11+ and git are needed; the install is redone when pyproject.toml changes. `test` also
installs the pinned Claude Code into .cache/clients/ with npm when npm is on PATH (once per version), for
the real-client tests; without npm those tests skip and say why.
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


def ensure_claude() -> tuple[Path | None, str]:
    """Install the pinned Claude Code into .cache/clients/ unless it is there: (executable, why not)."""
    found = claude_binary()
    if found is not None:
        return found, ""
    npm = shutil.which("npm")
    if npm is None:
        return None, "npm is not on PATH"
    where = CLAUDE_PREFIX.relative_to(ROOT)
    print(f"installing {CLAUDE_PACKAGE}@{CLAUDE_VERSION} into {where} …", flush=True)
    staging = CLAUDE_PREFIX.with_name(CLAUDE_PREFIX.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # Its own package.json, so npm installs here and not into a package.json further up.
    (staging / "package.json").write_text('{"private": true}\n')
    started = time.monotonic()
    command = [npm, "install", "--prefix", str(staging), "--no-save", "--no-audit", "--no-fund",
               "--ignore-scripts", "--include=optional", "--loglevel=error",
               f"{CLAUDE_PACKAGE}@{CLAUDE_VERSION}"]
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
    if not problem and claude_binary(staging) is None:
        problem = f"no claude executable for {_platform_packages()[0]} in the installed packages"
    if problem:
        shutil.rmtree(staging, ignore_errors=True)
        return None, f"npm install {CLAUDE_PACKAGE}@{CLAUDE_VERSION} failed: {problem}"
    for old in CLIENTS.glob("claude-code-*"):  # other versions: a pin moved on
        if old != staging:
            shutil.rmtree(old, ignore_errors=True)
    staging.rename(CLAUDE_PREFIX)
    print(f"installed Claude Code {CLAUDE_VERSION} in {time.monotonic() - started:.0f} s", flush=True)
    return claude_binary(), ""


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "demo"
    ensure_venv()
    env = dict(os.environ)
    if command == "test":
        claude, why_not = ensure_claude()
        if claude is not None:
            env[CLAUDE_ENV] = str(claude)
        else:
            print(f"{why_not}: the real Claude Code tests will skip", flush=True)
            env.pop(CLAUDE_ENV, None)
            env[CLAUDE_MISSING_ENV] = why_not
        args = [str(BIN / "python"), "-m", "pytest", *argv[1:]]
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
